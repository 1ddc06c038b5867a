// Ops libfuse 3.14 does not know (op_table.def RXFUSE_RAW_OP; docs/design.md "Ops libfuse 3.14 does
// not know"). ReceiveOne shows every request to ReceiveRaw before libfuse: a raw op with a handler
// is taken into a slot as any other request (Begin's bookkeeping, Dispatch, the same JS path) and
// answered by writing fuse_out_header + the op's reply struct on the session fd (SendRaw); a raw op
// without a handler goes on to libfuse, which answers ENOSYS as it always did. A FUSE_INTERRUPT for
// a raw request in flight is taken here too: libfuse has no fuse_req for it.
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fuse_kernel_abi.h"
#include "scratch_structs.h"
#include "session.h"

namespace rxfuse {

namespace {

// A raw op's decoder, raw_<jsName>: the request's arguments (after fuse_in_header, `len` bytes) into the slot
// header; false when they are too short (answered EINVAL).
using RawDecoder = bool (*)(double* h, const uint8_t* arg, size_t len);

bool raw_statx(double* h, const uint8_t* arg, size_t len) {
  kabi::StatxIn in;
  if (len < sizeof in) return false;
  memcpy(&in, arg, sizeof in);
  if (in.getattr_flags & kabi::kGetattrFh) h[F_FH] = double(in.fh);
  h[F_FLAGS] = in.sx_flags;
  h[F_ARG] = in.sx_mask;
  return true;
}

// TMPFILE carries fuse_create_in and a name (the kernel's placeholder, not an entry): nodeid is the directory.
bool raw_tmpfile(double* h, const uint8_t* arg, size_t len) {
  kabi::CreateIn in;
  if (len < sizeof in) return false;
  memcpy(&in, arg, sizeof in);
  h[F_FLAGS] = in.flags;
  h[F_MODE] = in.mode;
  h[F_UMASK] = in.umask;
  return true;
}

struct RawOp {
  uint32_t opcode;  // the kernel's
  int op;           // ours (layout.h Op)
  RawDecoder decode;
};

const RawOp kRawOps[] = {
#define RXFUSE_OP(CODE, member, jsName)
#define RXFUSE_RAW_OP(CODE, opcode, jsName) {opcode, OP_##CODE, raw_##jsName},
#include "op_table.def"
#undef RXFUSE_RAW_OP
#undef RXFUSE_OP
};

const RawOp* FindRawOp(uint32_t opcode) {
  for (const RawOp& r : kRawOps)
    if (r.opcode == opcode) return &r;
  return nullptr;
}

// A cache timeout in seconds as the kernel's (sec, nsec) pair, as libfuse converts it.
void Timeout(double t, uint64_t* sec, uint32_t* nsec) {
  if (!(t > 0)) t = 0;
  if (t >= 18446744073709551615.0) {
    *sec = UINT64_MAX;
    *nsec = 999999999;
    return;
  }
  double whole = std::floor(t);
  *sec = uint64_t(whole);
  *nsec = uint32_t(std::fmin((t - whole) * 1e9, 999999999.0));
}

kabi::SxTime SxTime(const double* f, int sec, int nsec) { return {int64_t(f[sec]), uint32_t(f[nsec]), 0}; }

// The statx reply from the scratch: the stat block, the SX_* extras and S_ATTR_TIMEOUT.
void FillStatxOut(const double* s, kabi::StatxOut* o) {
  memset(o, 0, sizeof *o);
  Timeout(s[S_ATTR_TIMEOUT], &o->attr_valid, &o->attr_valid_nsec);
  const double* st = s + S_STAT;
  const double* sx = s + S_STATX;
  kabi::Statx& x = o->stat;
  x.mask = uint32_t(sx[SX_MASK]);
  x.blksize = uint32_t(st[ST_BLKSIZE]);
  x.attributes = uint64_t(sx[SX_ATTRIBUTES]);
  x.nlink = uint32_t(st[ST_NLINK]);
  x.uid = uint32_t(st[ST_UID]);
  x.gid = uint32_t(st[ST_GID]);
  x.mode = uint16_t(st[ST_MODE]);
  x.ino = GetU64(st, ST_INO, ST_INO_X);
  x.size = GetU64(st, ST_SIZE, ST_SIZE_X);
  x.blocks = GetU64(st, ST_BLOCKS, ST_BLOCKS_X);
  x.attributes_mask = uint64_t(sx[SX_ATTRIBUTES_MASK]);
  x.atime = SxTime(st, ST_ATIME_S, ST_ATIME_NS);
  x.btime = SxTime(sx, SX_BTIME_S, SX_BTIME_NS);
  x.ctime = SxTime(st, ST_CTIME_S, ST_CTIME_NS);
  x.mtime = SxTime(st, ST_MTIME_S, ST_MTIME_NS);
  dev_t rdev = dev_t(st[ST_RDEV]);
  x.rdev_major = major(rdev);
  x.rdev_minor = minor(rdev);
}

// An entry as the kernel's fuse_entry_out, as libfuse's fill_entry and convert_stat write it.
void EntryOut(const fuse_entry_param& e, kabi::EntryOut* o) {
  memset(o, 0, sizeof *o);
  o->nodeid = e.ino;
  o->generation = e.generation;
  Timeout(e.entry_timeout, &o->entry_valid, &o->entry_valid_nsec);
  Timeout(e.attr_timeout, &o->attr_valid, &o->attr_valid_nsec);
  const struct stat& st = e.attr;
  kabi::Attr& a = o->attr;
  a.ino = st.st_ino;
  a.size = uint64_t(st.st_size);
  a.blocks = uint64_t(st.st_blocks);
  a.atime = uint64_t(st.st_atim.tv_sec);
  a.mtime = uint64_t(st.st_mtim.tv_sec);
  a.ctime = uint64_t(st.st_ctim.tv_sec);
  a.atimensec = uint32_t(st.st_atim.tv_nsec);
  a.mtimensec = uint32_t(st.st_mtim.tv_nsec);
  a.ctimensec = uint32_t(st.st_ctim.tv_nsec);
  a.mode = st.st_mode;
  a.nlink = uint32_t(st.st_nlink);
  a.uid = st.st_uid;
  a.gid = st.st_gid;
  a.rdev = uint32_t(st.st_rdev);
  a.blksize = uint32_t(st.st_blksize);
}

// An open file as the kernel's fuse_open_out, as libfuse's fill_open writes it, passed through
// when backingId > 0.
void OpenOut(const fuse_file_info& fi, int backingId, kabi::OpenOut* o) {
  memset(o, 0, sizeof *o);
  o->fh = fi.fh;
  if (fi.direct_io) o->open_flags |= kabi::kFopenDirectIo;
  if (fi.keep_cache) o->open_flags |= kabi::kFopenKeepCache;
  if (fi.nonseekable) o->open_flags |= kabi::kFopenNonseekable;
  if (fi.cache_readdir) o->open_flags |= kabi::kFopenCacheDir;
  if (fi.noflush) o->open_flags |= kabi::kFopenNoflush;
  if (backingId > 0) Passthrough::MarkOpen(&o->open_flags, &o->backing_id, backingId);
}

}  // namespace

void Session::WireRawOps(const std::vector<int>& implemented) {
  rawWired_.assign(OP_COUNT, false);
  for (int op : implemented)
    if (op > 0 && op < OP_COUNT) rawWired_[size_t(op)] = true;
}

bool Session::ReceiveRaw(const uint8_t* mem, size_t len) {
  kabi::InHeader in;
  if (len < sizeof in) return false;
  memcpy(&in, mem, sizeof in);
  const uint8_t* arg = mem + sizeof in;
  size_t argLen = len - sizeof in;
  if (in.opcode == kabi::kOpInterrupt) return TakeRawInterrupt(arg, argLen);
  const RawOp* r = FindRawOp(in.opcode);
  if (!r || !rawWired_[size_t(r->op)]) return false;  // libfuse answers ENOSYS
  if (freeSlots_.empty()) {  // cannot happen: ReceiveOne only reads with a free slot
    SendRaw(in.unique, EBUSY, nullptr, 0);
    return true;
  }
  int slot = TakeSlot(r->op, fuse_ino_t(in.nodeid), in.uid, in.gid, in.pid, 0);
  slotTable_[size_t(slot)].rawUnique = in.unique;
  rawInFlight_++;
  if (!r->decode(Header(slot), arg, argLen)) {
    AnswerErr(slot, EINVAL);
    return true;
  }
  Dispatch(slot);
  return true;
}

bool Session::TakeRawInterrupt(const uint8_t* arg, size_t len) {
  kabi::InterruptIn in;
  if (rawInFlight_ == 0 || len < sizeof in) return false;
  memcpy(&in, arg, sizeof in);
  for (size_t i = 0; i < slotTable_.size(); i++) {
    if (slotTable_[i].rawUnique != in.unique) continue;
    Header(int(i))[F_INTERRUPTED] = 1;
    interrupted_.push_back(int(i));  // JS hears of it after this request (ProcessInterrupts)
    return true;
  }
  return false;  // answered already: libfuse queues it, as for its own requests
}

// The one place a raw reply is written: the header, then the reply struct, in one writev(2) on the
// session fd (as libfuse's fuse_send_msg). 0, or -errno (ENOENT: the kernel dropped the request).
int Session::SendRaw(uint64_t unique, int err, const void* arg, size_t argLen) {
  kabi::OutHeader oh;
  oh.len = uint32_t(sizeof oh + argLen);
  oh.error = -err;
  oh.unique = unique;
  iovec iov[2] = {{&oh, sizeof oh}, {const_cast<void*>(arg), argLen}};
  ssize_t n = writev(fuse_session_fd(se_), iov, argLen > 0 ? 2 : 1);
  return n < 0 ? -errno : 0;
}

int Session::AnswerErr(int slot, int err) {
  Slot& sl = slotTable_[size_t(slot)];
  int res = sl.rawUnique ? SendRaw(sl.rawUnique, err, nullptr, 0) : fuse_reply_err(sl.req, err);
  Free(slot);
  return res;
}

// replyStatx(slot): the statx reply from the scratch (S_STAT block, S_STATX extras, S_ATTR_TIMEOUT).
Napi::Value Session::ReplyStatx(const Napi::CallbackInfo& info) {
  int slot = -1;
  if (!RawSlotArg(info, OP_STATX, "replyStatx: not a statx request", &slot)) return info.Env().Undefined();
  kabi::StatxOut out;
  FillStatxOut(scratch_, &out);
  return Finish(info.Env(), slot, SendRaw(slotTable_[size_t(slot)].rawUnique, 0, &out, sizeof out));
}

// The slot argument of a raw op's reply, which must be a request of that op.
bool Session::RawSlotArg(const Napi::CallbackInfo& info, int op, const char* wrongOp, int* slot) {
  if (!SlotArg(info, slot)) return false;
  if (!slotTable_[size_t(*slot)].rawUnique || int(Header(*slot)[F_OP]) != op) {
    Napi::Error::New(info.Env(), wrongOp).ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// replyTmpfile(slot): the create reply (fuse_entry_out + fuse_open_out) from the scratch's entry and
// file info blocks, read as for fuse_reply_create and written as it would; a backing id passes the
// file through.
Napi::Value Session::ReplyTmpfile(const Napi::CallbackInfo& info) {
  int slot = -1;
  if (!RawSlotArg(info, OP_TMPFILE, "replyTmpfile: not a tmpfile request", &slot)) return info.Env().Undefined();
  fuse_entry_param e;
  fuse_file_info fi;
  FillEntry(scratch_, &e);
  FillFileInfo(scratch_, &fi);
  kabi::CreateOut out;
  EntryOut(e, &out.entry);
  OpenOut(fi, int(scratch_[S_FI + FI_BACKING_ID]), &out.open);
  return Finish(info.Env(), slot, SendRaw(slotTable_[size_t(slot)].rawUnique, 0, &out, sizeof out));
}

// The "Groups:" line of /proc/<pid>/task/<pid>/status, where fuse_req_getgroups reads them for
// libfuse's own requests. ESRCH when the caller is gone.
int Session::RawGetgroups(pid_t pid, std::vector<gid_t>* groups) {
  std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/status";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? -ESRCH : -errno;
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  int readErr = n < 0 ? errno : 0;
  close(fd);
  if (readErr) return -readErr;
  size_t at = text.find("\nGroups:");
  if (at == std::string::npos) return -EIO;
  groups->clear();
  const char* p = text.c_str() + at + 8;
  for (;;) {
    char* end = nullptr;
    unsigned long g = strtoul(p, &end, 10);
    if (end == p) break;  // no more numbers (the next line begins with its name)
    groups->push_back(gid_t(g));
    p = end;
    if (*p == '\n') break;
  }
  return int(groups->size());
}

}  // namespace rxfuse
