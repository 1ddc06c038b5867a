// Decoding: one small callback per fuse_lowlevel_ops entry, named as the entry (op_table.def). Each takes a
// slot, writes the request's arguments into it (layout.h) and hands it to JS. Ops without a handler
// are left NULL in the table, so libfuse itself answers ENOSYS without entering JS.
#include <sys/file.h>

#include <cerrno>
#include <cstring>

#include "session.h"

namespace rxfuse {

namespace {

void LockOwner(double* h, uint64_t owner) {
  h[F_LOCK_OWNER_HI] = double(owner >> 32);
  h[F_LOCK_OWNER_LO] = double(owner & 0xffffffffu);
}

// The file info the kernel sent, if any.
void FileInfo(double* h, const fuse_file_info* fi) {
  if (!fi) return;
  h[F_FH] = double(fi->fh);
  h[F_FLAGS] = fi->flags;
  LockOwner(h, fi->lock_owner);
}

// Cookies and indices are ours and always safe numbers. Offsets and sizes travel exactly (PutU64) on
// a largeFiles mount; elsewhere values beyond 2^53 - 1 never reach JS and are answered here.
constexpr double kMaxSafe = 9007199254740991.0;
bool Unsafe(uint64_t v) { return double(v) > kMaxSafe; }
bool Unsafe(int64_t v) { return v < 0 || double(v) > kMaxSafe; }
// Negative values are always refused here (as before); large ones only when JS cannot take them.
bool Beyond(const Session* s, int64_t v) { return v < 0 || (!s->LargeFiles() && Unsafe(v)); }
bool Beyond(const Session* s, uint64_t v) { return !s->LargeFiles() && Unsafe(v); }
#define BEYOND(V) Beyond(s, V)

// The kernel never sends a negative offset or size (it checks them against the limits of off_t).
#define PUT_OFF(FIELD, V) PutU64(h, FIELD, FIELD##_X, uint64_t(V))

// Starts a request: takes a slot and fills the common fields.
#define BEGIN(OP, INO)                        \
  Session* s = Session::From(req);            \
  int slot = s->Begin(req, OP, INO);          \
  if (slot < 0) return;                       \
  double* h = s->Header(slot);                \
  (void)h;

#define NAME(NAME_PTR) \
  if (!s->CopyName(slot, VAR_NAME, F_NAME_LEN, NAME_PTR, NAME_MAX_BYTES)) return;

#define FAIL_IF(COND, ERR)            \
  if (COND) {                         \
    s->Abort(slot, ERR);              \
    return;                           \
  }

// The requests whose only argument is a name in a directory (or an xattr's name on an inode).
void name_common(int op, fuse_req_t req, fuse_ino_t ino, const char* name) {
  BEGIN(op, ino);
  NAME(name);
  s->Dispatch(slot);
}

void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) { name_common(OP_LOOKUP, req, parent, name); }

void forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  BEGIN(OP_FORGET, ino);
  h[F_SIZE] = double(nlookup);
  s->DispatchNoReply(slot);
  s->FinishNoReply(slot);
}

void forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  BEGIN(OP_FORGET_MULTI, 0);
  // Delivered in chunks that fit the slot; each chunk is one ForgetMultiRequest in JS.
  double* pairs = reinterpret_cast<double*>(s->Var(slot, VAR_OFFSET));
  for (size_t done = 0; done < count;) {
    size_t n = count - done < FORGET_PAIRS_MAX ? count - done : FORGET_PAIRS_MAX;
    for (size_t i = 0; i < n; i++) {
      pairs[2 * i] = double(forgets[done + i].ino);
      pairs[2 * i + 1] = double(forgets[done + i].nlookup);
    }
    h[F_SIZE] = double(n);
    s->DispatchNoReply(slot);
    done += n;
  }
  s->FinishNoReply(slot);
}

// The requests whose only argument is the file info, if any (getattr, flush, releasedir).
void file_common(int op, fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  BEGIN(op, ino);
  FileInfo(h, fi);
  s->Dispatch(slot);
}

void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { file_common(OP_GETATTR, req, ino, fi); }

void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  BEGIN(OP_SETATTR, ino);
  FileInfo(h, fi);
  FAIL_IF((to_set & FUSE_SET_ATTR_SIZE) && BEYOND(int64_t(attr->st_size)), EFBIG);
  h[F_ARG] = to_set;
  h[F_MODE] = attr->st_mode;
  h[F_ATTR_UID] = attr->st_uid;
  h[F_ATTR_GID] = attr->st_gid;
  PUT_OFF(F_SIZE, attr->st_size);
  h[F_ATIME_S] = double(attr->st_atim.tv_sec);
  h[F_ATIME_NS] = double(attr->st_atim.tv_nsec);
  h[F_MTIME_S] = double(attr->st_mtim.tv_sec);
  h[F_MTIME_NS] = double(attr->st_mtim.tv_nsec);
  h[F_CTIME_S] = double(attr->st_ctim.tv_sec);
  h[F_CTIME_NS] = double(attr->st_ctim.tv_nsec);
  s->Dispatch(slot);
}

void readlink(fuse_req_t req, fuse_ino_t ino) {
  BEGIN(OP_READLINK, ino);
  s->Dispatch(slot);
}

void mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  BEGIN(OP_MKNOD, parent);
  NAME(name);
  h[F_MODE] = mode;
  h[F_RDEV] = double(rdev);
  s->Dispatch(slot);
}

void mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  BEGIN(OP_MKDIR, parent);
  NAME(name);
  h[F_MODE] = mode;
  s->Dispatch(slot);
}

void unlink(fuse_req_t req, fuse_ino_t parent, const char* name) { name_common(OP_UNLINK, req, parent, name); }

void rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) { name_common(OP_RMDIR, req, parent, name); }

void symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  BEGIN(OP_SYMLINK, parent);
  NAME(name);
  if (!s->CopyName(slot, VAR_NAME2, F_NAME2_LEN, link, NAME2_MAX_BYTES)) return;
  s->Dispatch(slot);
}

void rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
            unsigned int flags) {
  BEGIN(OP_RENAME, parent);
  NAME(name);
  if (!s->CopyName(slot, VAR_NAME2, F_NAME2_LEN, newname, NAME_MAX_BYTES)) return;
  h[F_INO2] = double(newparent);
  h[F_FLAGS] = flags;
  s->Dispatch(slot);
}

void link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  BEGIN(OP_LINK, ino);
  NAME(newname);
  h[F_INO2] = double(newparent);
  s->Dispatch(slot);
}

void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  BEGIN(OP_OPEN, ino);
  h[F_FLAGS] = fi->flags;
  s->Dispatch(slot);
}

void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  BEGIN(OP_READ, ino);
  FileInfo(h, fi);
  if (BEYOND(int64_t(off))) {  // beyond any size a reply can state: end of file
    s->Abort(slot, 0);
    return;
  }
  h[F_SIZE] = double(size);
  PUT_OFF(F_OFF, off);
  s->Dispatch(slot);
}

void write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  BEGIN(OP_WRITE, ino);
  FileInfo(h, fi);
  FAIL_IF(BEYOND(int64_t(off)) || BEYOND(uint64_t(off) + size), EFBIG);
  h[F_SIZE] = double(size);
  PUT_OFF(F_OFF, off);
  h[F_ARG2] = fi->writepage;
  s->PinPayload(slot, buf, size);
  s->Dispatch(slot);
}

void flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { file_common(OP_FLUSH, req, ino, fi); }

void release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  BEGIN(OP_RELEASE, ino);
  FileInfo(h, fi);
  h[F_ARG2] = fi->flush;
  h[F_ARG3] = fi->flock_release;
  s->Dispatch(slot);
}

void fsync_common(int op, fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  BEGIN(op, ino);
  FileInfo(h, fi);
  h[F_ARG] = datasync;
  s->Dispatch(slot);
}

void fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  fsync_common(OP_FSYNC, req, ino, datasync, fi);
}

void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  BEGIN(OP_OPENDIR, ino);
  h[F_FLAGS] = fi->flags;
  s->Dispatch(slot);
}

void readdir_common(int op, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  BEGIN(op, ino);
  FileInfo(h, fi);
  FAIL_IF(Unsafe(int64_t(off)), EINVAL);  // cookies come from us and are always safe numbers
  h[F_SIZE] = double(size);
  h[F_OFF] = double(off);
  s->Dispatch(slot);
}

void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  readdir_common(OP_READDIR, req, ino, size, off, fi);
}

void readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  readdir_common(OP_READDIRPLUS, req, ino, size, off, fi);
}

void releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { file_common(OP_RELEASEDIR, req, ino, fi); }

void fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  fsync_common(OP_FSYNCDIR, req, ino, datasync, fi);
}

void statfs(fuse_req_t req, fuse_ino_t ino) {
  BEGIN(OP_STATFS, ino);
  s->Dispatch(slot);
}

void setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags) {
  BEGIN(OP_SETXATTR, ino);
  NAME(name);
  h[F_FLAGS] = flags;
  h[F_SIZE] = double(size);
  s->PinPayload(slot, value, size);
  s->Dispatch(slot);
}

void getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  BEGIN(OP_GETXATTR, ino);
  NAME(name);
  h[F_SIZE] = double(size);
  s->Dispatch(slot);
}

void listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  BEGIN(OP_LISTXATTR, ino);
  h[F_SIZE] = double(size);
  s->Dispatch(slot);
}

void removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) { name_common(OP_REMOVEXATTR, req, ino, name); }

void access(fuse_req_t req, fuse_ino_t ino, int mask) {
  BEGIN(OP_ACCESS, ino);
  h[F_ARG] = mask;
  s->Dispatch(slot);
}

void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  BEGIN(OP_CREATE, parent);
  NAME(name);
  h[F_MODE] = mode;
  h[F_FLAGS] = fi->flags;
  s->Dispatch(slot);
}

void lock_common(double* h, const struct flock* lock) {
  h[F_ARG] = lock->l_type;
  h[F_OFF] = double(lock->l_start);
  h[F_SIZE] = double(lock->l_len);  // 0: to the end of the file
  h[F_ARG3] = lock->l_pid;
}

void getlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) {
  BEGIN(OP_GETLK, ino);
  FileInfo(h, fi);
  lock_common(h, lock);
  s->Dispatch(slot);
}

void setlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep) {
  BEGIN(OP_SETLK, ino);
  FileInfo(h, fi);
  lock_common(h, lock);
  h[F_ARG2] = sleep;
  s->Dispatch(slot);
}

void flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  BEGIN(OP_FLOCK, ino);
  FileInfo(h, fi);
  h[F_ARG] = op;
  s->Dispatch(slot);
}

void bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx) {
  BEGIN(OP_BMAP, ino);
  FAIL_IF(Unsafe(idx), EINVAL);
  h[F_ARG] = double(blocksize);
  h[F_OFF] = double(idx);
  s->Dispatch(slot);
}

void ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void* arg, fuse_file_info* fi, unsigned flags,
           const void* in_buf, size_t in_bufsz, size_t out_bufsz) {
  BEGIN(OP_IOCTL, ino);
  FileInfo(h, fi);
  h[F_ARG] = cmd;
  h[F_ARG2] = double(reinterpret_cast<uintptr_t>(arg));
  h[F_ARG3] = flags;
  h[F_SIZE] = double(out_bufsz);
  s->PinPayload(slot, in_buf, in_bufsz);
  s->Dispatch(slot);
}

void poll(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, fuse_pollhandle* ph) {
  BEGIN(OP_POLL, ino);
  FileInfo(h, fi);
  h[F_ARG] = ph ? double(s->AddPollHandle(ph)) : 0;
  h[F_ARG2] = fi->poll_events;
  s->Dispatch(slot);
}

void fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, fuse_file_info* fi) {
  BEGIN(OP_FALLOCATE, ino);
  FileInfo(h, fi);
  FAIL_IF(BEYOND(int64_t(offset)) || BEYOND(int64_t(length)) || BEYOND(uint64_t(offset) + uint64_t(length)), EFBIG);
  h[F_ARG] = mode;
  PUT_OFF(F_OFF, offset);
  PUT_OFF(F_SIZE, length);
  s->Dispatch(slot);
}

void copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, fuse_file_info* fi_in, fuse_ino_t ino_out,
                     off_t off_out, fuse_file_info* fi_out, size_t len, int flags) {
  BEGIN(OP_COPY_FILE_RANGE, ino_in);
  FileInfo(h, fi_in);
  FAIL_IF(BEYOND(int64_t(off_in)) || BEYOND(int64_t(off_out)) || BEYOND(uint64_t(off_out) + len), EFBIG);
  PUT_OFF(F_OFF, off_in);
  h[F_INO2] = double(ino_out);
  h[F_FH2] = fi_out ? double(fi_out->fh) : -1;
  PUT_OFF(F_OFF2, off_out);
  PUT_OFF(F_SIZE, len);
  h[F_FLAGS] = flags;
  s->Dispatch(slot);
}

void lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info* fi) {
  BEGIN(OP_LSEEK, ino);
  FileInfo(h, fi);
  FAIL_IF(BEYOND(int64_t(off)), ENXIO);  // past any end of file a reply can state
  PUT_OFF(F_OFF, off);
  h[F_ARG] = whence;
  s->Dispatch(slot);
}

void retrieve_reply(fuse_req_t req, void* cookie, fuse_ino_t ino, off_t offset, fuse_bufvec* bufv) {
  Session::From(req)->OnRetrieveReply(req, cookie, ino, offset, bufv);
}

void init(void* userdata, fuse_conn_info* conn) { static_cast<Session*>(userdata)->OnInit(conn); }

}  // namespace

void InstallOps(const std::vector<int>& implemented, fuse_lowlevel_ops* ops) {
  memset(ops, 0, sizeof(*ops));
  ops->init = init;
  ops->retrieve_reply = retrieve_reply;
  for (int op : implemented) {
    switch (op) {
#define RXFUSE_OP(CODE, member, jsName) \
  case OP_##CODE:                       \
    ops->member = member;               \
    break;
#define RXFUSE_RAW_OP(CODE, opcode, jsName)  // raw_ops.cc: never given to libfuse
#include "op_table.def"
#undef RXFUSE_RAW_OP
#undef RXFUSE_OP
      default:
        break;
    }
  }
}

}  // namespace rxfuse
