// Replies: each takes (slot, ...) from JS, reads structured values from the shared scratch area
// (layout.h), calls the matching fuse_reply_* once and frees the slot. Exactly-once is enforced in
// lib/request.ts; here a reply to a slot that is not busy is a thrown error, never a crash.
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "scratch_structs.h"
#include "session.h"

namespace rxfuse {

namespace {

void FillStat(const double* s, struct stat* st) {
  memset(st, 0, sizeof(*st));
  st->st_ino = ino_t(GetU64(s, ST_INO, ST_INO_X));
  st->st_mode = mode_t(s[ST_MODE]);
  st->st_nlink = nlink_t(s[ST_NLINK]);
  st->st_uid = uid_t(s[ST_UID]);
  st->st_gid = gid_t(s[ST_GID]);
  st->st_rdev = dev_t(s[ST_RDEV]);
  st->st_size = off_t(GetU64(s, ST_SIZE, ST_SIZE_X));
  st->st_blocks = blkcnt_t(GetU64(s, ST_BLOCKS, ST_BLOCKS_X));
  st->st_blksize = blksize_t(s[ST_BLKSIZE]);
  st->st_atim.tv_sec = time_t(s[ST_ATIME_S]);
  st->st_atim.tv_nsec = long(s[ST_ATIME_NS]);
  st->st_mtim.tv_sec = time_t(s[ST_MTIME_S]);
  st->st_mtim.tv_nsec = long(s[ST_MTIME_NS]);
  st->st_ctim.tv_sec = time_t(s[ST_CTIME_S]);
  st->st_ctim.tv_nsec = long(s[ST_CTIME_NS]);
}

}  // namespace

// The stat's st_ino is the one the caller sees (the source's, maybe beyond 2^53); ino is the node id
// later requests carry.
void FillEntry(const double* s, fuse_entry_param* e) {
  memset(e, 0, sizeof(*e));
  e->ino = fuse_ino_t(s[S_ENTRY_INO]);
  e->generation = uint64_t(s[S_ENTRY_GEN]);
  e->attr_timeout = s[S_ATTR_TIMEOUT];
  e->entry_timeout = s[S_ENTRY_TIMEOUT];
  FillStat(s + S_STAT, &e->attr);
}

void FillFileInfo(const double* s, fuse_file_info* fi) {
  memset(fi, 0, sizeof(*fi));
  fi->fh = uint64_t(s[S_FI + FI_FH]);
  fi->direct_io = s[S_FI + FI_DIRECT_IO] != 0;
  fi->keep_cache = s[S_FI + FI_KEEP_CACHE] != 0;
  fi->nonseekable = s[S_FI + FI_NONSEEKABLE] != 0;
  fi->cache_readdir = s[S_FI + FI_CACHE_READDIR] != 0;
  fi->noflush = s[S_FI + FI_NOFLUSH] != 0;
}

namespace {

bool BytesArg(const Napi::Value& v, const uint8_t** data, size_t* len) {
  if (v.IsUndefined() || v.IsNull()) {
    *data = nullptr;
    *len = 0;
    return true;
  }
  if (!v.IsTypedArray()) return false;
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) return false;
  Napi::Uint8Array u = v.As<Napi::Uint8Array>();
  *data = u.Data();
  *len = u.ByteLength();
  return true;
}

// An offset lib/request.ts validated: a number, or a bigint beyond 2^53.
int64_t Int64Arg(const Napi::Value& v) {
  if (v.IsBigInt()) {
    bool lossless = false;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  return v.As<Napi::Number>().Int64Value();
}

}  // namespace

bool Session::SlotArg(const Napi::CallbackInfo& info, int* slotOut) {
  Napi::Env env = info.Env();
  int slot = -1;
  // One N-API call: napi_get_value_int32 refuses a non-number itself (napi_number_expected).
  if (info.Length() < 1 || napi_get_value_int32(env, info[0], &slot) != napi_ok) {
    Napi::TypeError::New(env, "reply: slot expected").ThrowAsJavaScriptException();
    return false;
  }
  if (slot < 0 || size_t(slot) >= slotTable_.size() || !slotTable_[size_t(slot)].Busy() || closed_) {
    Napi::Error::New(env, "reply: request already answered or mount closed").ThrowAsJavaScriptException();
    return false;
  }
  *slotOut = slot;
  return true;
}

fuse_req_t Session::Take(const Napi::CallbackInfo& info, int* slotOut) {
  if (!SlotArg(info, slotOut)) return nullptr;
  fuse_req_t req = slotTable_[size_t(*slotOut)].req;
  if (!req) Napi::Error::New(info.Env(), "reply: not a reply this request takes").ThrowAsJavaScriptException();
  return req;
}


Napi::Value Session::Finish(Napi::Env env, int slot, int res) {
  Free(slot);
  return Napi::Number::New(env, res);
}

#define TAKE()                                   \
  Napi::Env env = info.Env();                    \
  int slot = -1;                                 \
  fuse_req_t req = Take(info, &slot);            \
  if (!req) return env.Undefined();

#define ARG_ERROR(MSG)                                         \
  {                                                            \
    Napi::TypeError::New(env, MSG).ThrowAsJavaScriptException(); \
    return env.Undefined();                                    \
  }

template <typename T>
Napi::Value Session::ReplyNumber(const Napi::CallbackInfo& info, int (*reply)(fuse_req_t, T)) {
  TAKE();
  return Finish(env, slot, reply(req, T(info[1].As<Napi::Number>().Int64Value())));
}

// replyErr(slot, err): libfuse and raw requests alike.
Napi::Value Session::ReplyErr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int slot = -1;
  if (!SlotArg(info, &slot)) return env.Undefined();
  int err = info[1].As<Napi::Number>().Int32Value();
  return Napi::Number::New(env, AnswerErr(slot, err));
}

Napi::Value Session::ReplyEntry(const Napi::CallbackInfo& info) {
  TAKE();
  fuse_entry_param e;
  FillEntry(scratch_, &e);
  return Finish(env, slot, fuse_reply_entry(req, &e));
}

Napi::Value Session::ReplyCreate(const Napi::CallbackInfo& info) {
  TAKE();
  fuse_entry_param e;
  FillEntry(scratch_, &e);
  fuse_file_info fi;
  FillFileInfo(scratch_, &fi);
  return Finish(env, slot, ReplyOpenLike(slot, [&] { return fuse_reply_create(req, &e, &fi); }));
}

Napi::Value Session::ReplyAttr(const Napi::CallbackInfo& info) {
  TAKE();
  struct stat st;
  FillStat(scratch_ + S_STAT, &st);
  return Finish(env, slot, fuse_reply_attr(req, &st, scratch_[S_ATTR_TIMEOUT]));
}

Napi::Value Session::ReplyReadlink(const Napi::CallbackInfo& info) {
  TAKE();
  const uint8_t* data;
  size_t len;
  if (!BytesArg(info[1], &data, &len)) ARG_ERROR("replyReadlink: Buffer expected");
  std::string target(reinterpret_cast<const char*>(data), len);  // NUL-terminated copy
  return Finish(env, slot, fuse_reply_readlink(req, target.c_str()));
}

Napi::Value Session::ReplyOpen(const Napi::CallbackInfo& info) {
  TAKE();
  fuse_file_info fi;
  FillFileInfo(scratch_, &fi);
  return Finish(env, slot, ReplyOpenLike(slot, [&] { return fuse_reply_open(req, &fi); }));
}

// With a backing id, the writev hook turns this reply (found by its unique) into a passthrough open.
int Session::ReplyOpenLike(int slot, const std::function<int()>& reply) {
  int id = int(scratch_[S_FI + FI_BACKING_ID]);
  if (id <= 0) return reply();
  pt_.Expect(slotTable_[size_t(slot)].unique, id);
  int res = reply();
  pt_.ExpectDone();
  return res;
}

Napi::Value Session::ReplyWrite(const Napi::CallbackInfo& info) { return ReplyNumber(info, fuse_reply_write); }

// replyBuf(slot, bytes): the bytes go to the kernel directly from the JS buffer (no copy here).
Napi::Value Session::ReplyBuf(const Napi::CallbackInfo& info) {
  TAKE();
  const uint8_t* data;
  size_t len;
  if (!BytesArg(info[1], &data, &len)) ARG_ERROR("replyBuf: Buffer or Uint8Array expected");
  return Finish(env, slot, fuse_reply_buf(req, reinterpret_cast<const char*>(data), len));
}

// replyFd(slot, fd, offset, length): libfuse reads (or splices) straight from the descriptor.
Napi::Value Session::ReplyFd(const Napi::CallbackInfo& info) {
  TAKE();
  fuse_bufvec bv = FUSE_BUFVEC_INIT(size_t(info[3].As<Napi::Number>().Int64Value()));
  bv.buf[0].flags = fuse_buf_flags(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  bv.buf[0].fd = info[1].As<Napi::Number>().Int32Value();
  bv.buf[0].pos = off_t(Int64Arg(info[2]));
  return Finish(env, slot, fuse_reply_data(req, &bv, FUSE_BUF_SPLICE_MOVE));
}

Napi::Value Session::ReplyStatfs(const Napi::CallbackInfo& info) {
  TAKE();
  struct statvfs sv;
  memset(&sv, 0, sizeof(sv));
  const double* s = scratch_ + S_STATFS;
  sv.f_bsize = (unsigned long)s[SF_BSIZE];
  sv.f_frsize = (unsigned long)s[SF_FRSIZE];
  sv.f_blocks = fsblkcnt_t(s[SF_BLOCKS]);
  sv.f_bfree = fsblkcnt_t(s[SF_BFREE]);
  sv.f_bavail = fsblkcnt_t(s[SF_BAVAIL]);
  sv.f_files = fsfilcnt_t(s[SF_FILES]);
  sv.f_ffree = fsfilcnt_t(s[SF_FFREE]);
  sv.f_favail = fsfilcnt_t(s[SF_FAVAIL]);
  sv.f_fsid = (unsigned long)s[SF_FSID];
  sv.f_flag = (unsigned long)s[SF_FLAG];
  sv.f_namemax = (unsigned long)s[SF_NAMEMAX];
  return Finish(env, slot, fuse_reply_statfs(req, &sv));
}

Napi::Value Session::ReplyXattr(const Napi::CallbackInfo& info) { return ReplyNumber(info, fuse_reply_xattr); }

Napi::Value Session::ReplyLock(const Napi::CallbackInfo& info) {
  TAKE();
  struct flock lk;
  memset(&lk, 0, sizeof(lk));
  const double* s = scratch_ + S_LOCK;
  lk.l_type = short(s[LK_TYPE]);
  lk.l_whence = SEEK_SET;
  lk.l_start = off_t(s[LK_START]);
  lk.l_len = off_t(s[LK_LEN]);
  lk.l_pid = pid_t(s[LK_PID]);
  return Finish(env, slot, fuse_reply_lock(req, &lk));
}

Napi::Value Session::ReplyBmap(const Napi::CallbackInfo& info) { return ReplyNumber(info, fuse_reply_bmap); }

Napi::Value Session::ReplyIoctl(const Napi::CallbackInfo& info) {
  TAKE();
  int result = info[1].As<Napi::Number>().Int32Value();
  const uint8_t* data;
  size_t len;
  if (!BytesArg(info[2], &data, &len)) ARG_ERROR("replyIoctl: Buffer expected");
  return Finish(env, slot, fuse_reply_ioctl(req, result, data, len));
}

Napi::Value Session::ReplyPoll(const Napi::CallbackInfo& info) {
  TAKE();
  return Finish(env, slot, fuse_reply_poll(req, unsigned(info[1].As<Napi::Number>().Uint32Value())));
}

Napi::Value Session::ReplyLseek(const Napi::CallbackInfo& info) {
  TAKE();
  return Finish(env, slot, fuse_reply_lseek(req, off_t(Int64Arg(info[1]))));
}

// replyDirents(slot, records, positions, start, count, plus): encodes packed records (lib/dirents.ts)
// from index `start` until the kernel's buffer is full. Returns the number of entries sent, or a
// negative errno when the reply itself failed. A record's name is NUL-terminated in place and goes
// to libfuse from there; plain readdir reads no more of a record than its fields and name.
Napi::Value Session::ReplyDirents(const Napi::CallbackInfo& info) {
  TAKE();
  if (!info[1].IsTypedArray() || !info[2].IsTypedArray()) ARG_ERROR("replyDirents: records expected");
  Napi::Uint8Array rec = info[1].As<Napi::Uint8Array>();
  Napi::Uint32Array pos = info[2].As<Napi::Uint32Array>();
  uint32_t start = info[3].As<Napi::Number>().Uint32Value();
  uint32_t count = info[4].As<Napi::Number>().Uint32Value();
  bool plus = info[5].ToBoolean();
  size_t size = size_t(Header(slot)[F_SIZE]);
  if (dirBuf_.size() < size) dirBuf_.resize(size);
  char* out = dirBuf_.data();
  size_t used = 0;
  uint32_t sent = 0;
  const uint8_t* base = rec.Data();
  size_t recLen = rec.ByteLength();
  constexpr size_t kFields = D_FIELD_COUNT * 8;
  struct stat st;  // plain readdir: libfuse reads st_ino and st_mode only
  memset(&st, 0, sizeof(st));
  fuse_entry_param e;
  if (count > pos.ElementLength()) count = uint32_t(pos.ElementLength());
  for (uint32_t i = start; i < count; i++) {
    size_t p = pos[i];
    if (p % 8 != 0 || p + kFields > recLen) break;
    const double* d = reinterpret_cast<const double*>(base + p);
    double namelen = d[D_NAMELEN];
    if (!(namelen >= 1 && namelen <= NAME_MAX_BYTES)) break;
    size_t nlen = size_t(namelen);
    size_t nameBytes = (nlen + 8) & ~size_t(7);
    const char* name = reinterpret_cast<const char*>(base + p + kFields);
    if (p + kFields + nameBytes > recLen || name[nlen] != 0) break;
    const double* entry = d + D_FIELD_COUNT + nameBytes / 8;
    bool hasEntry = p + kFields + nameBytes + D_ENTRY_FIELDS * 8 <= recLen;
    off_t off = off_t(d[D_OFF]);
    size_t need;
    if (plus) {
      if (!hasEntry) break;
      FillEntry(entry, &e);
      need = fuse_add_direntry_plus(req, out + used, size - used, name, &e, off);
    } else {
      double ino = d[D_INO];
      if (ino == ino) {
        st.st_ino = ino_t(ino);
      } else if (hasEntry) {
        st.st_ino = ino_t(GetU64(entry + S_STAT, ST_INO, ST_INO_X));
      } else {
        break;
      }
      st.st_mode = mode_t(d[D_MODE]);
      need = fuse_add_direntry(req, out + used, size - used, name, &st, off);
    }
    if (need > size - used) break;
    used += need;
    sent++;
  }
  int res = fuse_reply_buf(req, out, used);
  Free(slot);
  return Napi::Number::New(env, res < 0 ? res : int(sent));
}

}  // namespace rxfuse
