// fd-relative system calls for lib/sys.ts: the syscalls Node's fs has no call for (openat, fstatat,
// mkdirat, renameat2, linkat, xattrs, getdents64, ...), synchronous, on the calling thread.
//
// Each function checks its arguments (a TypeError for a wrong type or range, never a crash), makes
// the system call and returns its result as a number, or -errno. lib/sys.ts turns -errno into a
// FuseError; nothing here throws for an errno.
//
// A path argument is a Uint8Array without NUL. An EMPTY path means "the object the fd refers to":
// the call uses AT_EMPTY_PATH where the kernel offers it (fstatat, fchownat, readlinkat), else the
// fd's /proc/self/fd/N magic link (open, chmod, utimens, truncate, link, xattrs, access), as libfuse's
// passthrough_hp does for O_PATH descriptors. Following that magic link lands on exactly the inode
// the fd refers to; if it is a symlink, on the symlink itself, never on its target.
#include <fcntl.h>
#include <malloc.h>
#include <linux/limits.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "layout.h"
#include "sys.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

namespace rxfuse {

namespace {

constexpr double kMaxSafe = 9007199254740991.0;

// Fields of a stat result, as lib/sys.ts reads them (checked at load through `layout`). The exact
// 64-bit st_ino and st_dev travel as 32-bit halves as well, so no identity is lost to rounding.
enum StatField {
  SF_DEV = 0, SF_INO, SF_MODE, SF_NLINK, SF_UID, SF_GID, SF_RDEV, SF_SIZE, SF_BLKSIZE, SF_BLOCKS,
  SF_ATIME_S, SF_ATIME_NS, SF_MTIME_S, SF_MTIME_NS, SF_CTIME_S, SF_CTIME_NS,
  SF_INO_HI, SF_INO_LO, SF_DEV_HI, SF_DEV_LO,
  SF_SIZE_X, SF_BLOCKS_X,  // exact st_size, st_blocks when their field is NaN (layout.h PutU64)
  SF_COUNT
};

enum StatvfsField {
  VF_BSIZE = 0, VF_FRSIZE, VF_BLOCKS, VF_BFREE, VF_BAVAIL, VF_FILES, VF_FFREE, VF_FAVAIL, VF_FSID,
  VF_FLAG, VF_NAMEMAX, VF_COUNT
};

// A NUL-terminated copy of a path (or name) argument. err: -EINVAL (NUL inside), -ENAMETOOLONG.
struct Path {
  char s[PATH_MAX + 64];
  size_t len = 0;
  int err = 0;
  bool empty() const { return len == 0; }
};

// Reads arguments; each reader returns false after throwing a TypeError into JS.
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn) : info_(info), env_(info.Env()), fn_(fn) {}
  Napi::Env env() const { return env_; }

  bool Fail(size_t i, const char* what) {
    std::string msg = std::string(fn_) + ": argument " + std::to_string(i) + ": " + what;
    Napi::TypeError::New(env_, msg).ThrowAsJavaScriptException();
    return false;
  }

  bool Int(size_t i, double lo, double hi, int64_t* out) {
    if (i >= info_.Length() || !info_[i].IsNumber()) return Fail(i, "number expected");
    double d = info_[i].As<Napi::Number>().DoubleValue();
    if (!(d >= lo && d <= hi) || std::trunc(d) != d) return Fail(i, "integer out of range");
    *out = int64_t(d);
    return true;
  }

  // A file descriptor, or AT_FDCWD.
  bool Fd(size_t i, int* fd) {
    int64_t v;
    if (!Int(i, -100, 2147483647.0, &v)) return false;
    if (v < 0 && v != AT_FDCWD) return Fail(i, "file descriptor expected");
    *fd = int(v);
    return true;
  }

  // An offset or size: a safe integer number, or a bigint (they can use all 63 bits, directory
  // offsets all 64).
  bool Off(size_t i, int64_t* out) {
    if (i < info_.Length() && info_[i].IsBigInt()) {
      bool lossless = false;
      *out = info_[i].As<Napi::BigInt>().Int64Value(&lossless);
      if (!lossless) return Fail(i, "bigint out of the int64 range");
      return true;
    }
    return Int(i, -kMaxSafe, kMaxSafe, out);
  }

  bool Bytes(size_t i, const uint8_t** data, size_t* len, bool nullable) {
    if (nullable && (i >= info_.Length() || info_[i].IsUndefined() || info_[i].IsNull())) {
      *data = nullptr;
      *len = 0;
      return true;
    }
    if (i >= info_.Length() || !info_[i].IsTypedArray() ||
        info_[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      return Fail(i, "Buffer or Uint8Array expected");
    }
    Napi::Uint8Array u = info_[i].As<Napi::Uint8Array>();
    *data = u.Data();
    *len = u.ByteLength();
    return true;
  }

  bool OutBytes(size_t i, uint8_t** data, size_t* len, bool nullable) {
    const uint8_t* d;
    if (!Bytes(i, &d, len, nullable)) return false;
    *data = const_cast<uint8_t*>(d);
    return true;
  }

  bool PathArg(size_t i, Path* p) {
    const uint8_t* d;
    size_t n;
    if (!Bytes(i, &d, &n, false)) return false;
    if (n >= PATH_MAX) {
      p->err = -ENAMETOOLONG;
      return true;
    }
    if (memchr(d, 0, n)) {
      p->err = -EINVAL;
      return true;
    }
    memcpy(p->s, d, n);
    p->s[n] = 0;
    p->len = n;
    return true;
  }

  bool F64(size_t i, size_t min, double** out) {
    if (i >= info_.Length() || !info_[i].IsTypedArray() ||
        info_[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        info_[i].As<Napi::Float64Array>().ElementLength() < min) {
      return Fail(i, "Float64Array of the layout's size expected");
    }
    *out = info_[i].As<Napi::Float64Array>().Data();
    return true;
  }

  bool Groups(size_t i, std::vector<gid_t>* out) {
    if (i >= info_.Length() || !info_[i].IsArray()) return Fail(i, "array of group ids expected");
    Napi::Array a = info_[i].As<Napi::Array>();
    if (a.Length() > 65536) return Fail(i, "too many groups");
    for (uint32_t k = 0; k < a.Length(); k++) {
      Napi::Value v = a.Get(k);
      if (!v.IsNumber()) return Fail(i, "group ids must be numbers");
      double d = v.As<Napi::Number>().DoubleValue();
      if (!(d >= 0 && d <= 4294967294.0) || std::trunc(d) != d) return Fail(i, "group id out of range");
      out->push_back(gid_t(d));
    }
    return true;
  }

 private:
  const Napi::CallbackInfo& info_;
  Napi::Env env_;
  const char* fn_;
};

// The result of a system call: its value, or -errno. Reads errno before anything else runs.
Napi::Value Ret(Napi::Env env, long r) {
  double v = r < 0 ? -double(errno) : double(r);
  return Napi::Number::New(env, v);
}

Napi::Value Err(Napi::Env env, int negErrno) { return Napi::Number::New(env, negErrno); }

// "/proc/self/fd/N" or "/proc/self/fd/N/rest": the fd's magic link. False when it would not fit.
bool ProcPath(int fd, const char* rest, char* out, size_t size) {
  int n = rest ? snprintf(out, size, "/proc/self/fd/%d/%s", fd, rest) : snprintf(out, size, "/proc/self/fd/%d", fd);
  return n > 0 && size_t(n) < size;
}

#define ARGS(NAME) \
  Args a(info, NAME); \
  Napi::Env env = a.env();
#define CHECK(EXPR) \
  if (!(EXPR)) return env.Undefined();
#define PATH_OK(P) \
  if ((P).err) return Err(env, (P).err);

void FillStat(const struct stat& st, double* o) {
  uint64_t ino = uint64_t(st.st_ino);
  uint64_t dev = uint64_t(st.st_dev);
  o[SF_DEV] = double(dev);
  o[SF_INO] = double(ino);
  o[SF_MODE] = st.st_mode;
  o[SF_NLINK] = double(st.st_nlink);
  o[SF_UID] = st.st_uid;
  o[SF_GID] = st.st_gid;
  o[SF_RDEV] = double(st.st_rdev);
  PutU64(o, SF_SIZE, SF_SIZE_X, uint64_t(st.st_size));
  o[SF_BLKSIZE] = double(st.st_blksize);
  PutU64(o, SF_BLOCKS, SF_BLOCKS_X, uint64_t(st.st_blocks));
  o[SF_ATIME_S] = double(st.st_atim.tv_sec);
  o[SF_ATIME_NS] = double(st.st_atim.tv_nsec);
  o[SF_MTIME_S] = double(st.st_mtim.tv_sec);
  o[SF_MTIME_NS] = double(st.st_mtim.tv_nsec);
  o[SF_CTIME_S] = double(st.st_ctim.tv_sec);
  o[SF_CTIME_NS] = double(st.st_ctim.tv_nsec);
  o[SF_INO_HI] = double(ino >> 32);
  o[SF_INO_LO] = double(ino & 0xffffffffu);
  o[SF_DEV_HI] = double(dev >> 32);
  o[SF_DEV_LO] = double(dev & 0xffffffffu);
}

// ---- descriptors ------------------------------------------------------------------------------

// openat(dirfd, path, flags, mode) → fd. Empty path: reopens the fd's inode through /proc.
Napi::Value Openat(const Napi::CallbackInfo& info) {
  ARGS("openat");
  int fd = -1;
  Path p;
  int64_t flags = 0, mode = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, 0, 4294967295.0, &flags) && a.Int(3, 0, 07777, &mode));
  PATH_OK(p);
  if (p.empty()) {
    char proc[64];
    if (!ProcPath(fd, nullptr, proc, sizeof proc)) return Err(env, -EBADF);
    return Ret(env, ::open(proc, int(uint32_t(flags)), mode_t(mode)));
  }
  return Ret(env, ::openat(fd, p.s, int(uint32_t(flags)), mode_t(mode)));
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  ARGS("close");
  int fd = -1;
  CHECK(a.Fd(0, &fd));
  return Ret(env, ::close(fd));
}

// dup(fd) → a new fd (close-on-exec).
Napi::Value Dup(const Napi::CallbackInfo& info) {
  ARGS("dup");
  int fd = -1;
  CHECK(a.Fd(0, &fd));
  return Ret(env, ::fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

// ---- metadata ---------------------------------------------------------------------------------

// fstatat(dirfd, path, flags, out) → 0; the fields go to out (StatField order).
Napi::Value Fstatat(const Napi::CallbackInfo& info) {
  ARGS("fstatat");
  int fd = -1;
  Path p;
  int64_t flags = 0;
  double* out = nullptr;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, 0, 0x7fffffff, &flags) && a.F64(3, SF_COUNT, &out));
  PATH_OK(p);
  if (p.empty()) flags |= AT_EMPTY_PATH;
  struct stat st;
  if (::fstatat(fd, p.s, &st, int(flags)) < 0) return Err(env, -errno);
  FillStat(st, out);
  return Napi::Number::New(env, 0);
}

// fstatvfs(fd, out) → 0; the fields go to out (StatvfsField order). Works on O_PATH fds.
Napi::Value Fstatvfs(const Napi::CallbackInfo& info) {
  ARGS("fstatvfs");
  int fd = -1;
  double* out = nullptr;
  CHECK(a.Fd(0, &fd) && a.F64(1, VF_COUNT, &out));
  struct statvfs sv;
  if (::fstatvfs(fd, &sv) < 0) return Err(env, -errno);
  out[VF_BSIZE] = double(sv.f_bsize);
  out[VF_FRSIZE] = double(sv.f_frsize);
  out[VF_BLOCKS] = double(sv.f_blocks);
  out[VF_BFREE] = double(sv.f_bfree);
  out[VF_BAVAIL] = double(sv.f_bavail);
  out[VF_FILES] = double(sv.f_files);
  out[VF_FFREE] = double(sv.f_ffree);
  out[VF_FAVAIL] = double(sv.f_favail);
  out[VF_FSID] = double(sv.f_fsid);
  out[VF_FLAG] = double(sv.f_flag);
  out[VF_NAMEMAX] = double(sv.f_namemax);
  return Napi::Number::New(env, 0);
}

// fchmodat(dirfd, path, mode, flags). Empty path: the fd's inode (EOPNOTSUPP for a symlink, as
// fchmodat(AT_SYMLINK_NOFOLLOW) answers); O_PATH fds go through /proc.
Napi::Value Fchmodat(const Napi::CallbackInfo& info) {
  ARGS("fchmodat");
  int fd = -1;
  Path p;
  int64_t mode = 0, flags = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, 0, 07777, &mode) && a.Int(3, 0, 0x7fffffff, &flags));
  PATH_OK(p);
  if (!p.empty()) return Ret(env, ::fchmodat(fd, p.s, mode_t(mode), int(flags)));
  struct stat st;
  if (::fstatat(fd, "", &st, AT_EMPTY_PATH) < 0) return Err(env, -errno);
  if (S_ISLNK(st.st_mode)) return Err(env, -EOPNOTSUPP);
  if (::fchmod(fd, mode_t(mode)) == 0) return Napi::Number::New(env, 0);
  if (errno != EBADF) return Err(env, -errno);
  char proc[64];
  if (!ProcPath(fd, nullptr, proc, sizeof proc)) return Err(env, -EBADF);
  return Ret(env, ::chmod(proc, mode_t(mode)));
}

// fchownat(dirfd, path, uid, gid, flags); -1 leaves an id unchanged. Empty path: AT_EMPTY_PATH.
Napi::Value Fchownat(const Napi::CallbackInfo& info) {
  ARGS("fchownat");
  int fd = -1;
  Path p;
  int64_t uid = 0, gid = 0, flags = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, -1, 4294967294.0, &uid) && a.Int(3, -1, 4294967294.0, &gid) &&
        a.Int(4, 0, 0x7fffffff, &flags));
  PATH_OK(p);
  if (p.empty()) flags |= AT_EMPTY_PATH;
  return Ret(env, ::fchownat(fd, p.s, uid_t(uid), gid_t(gid), int(flags)));
}

// utimensat(dirfd, path, atimeSec, atimeNsec, mtimeSec, mtimeNsec, flags); nsec may be UTIME_NOW or
// UTIME_OMIT. Empty path: the fd's inode through /proc (utimensat has no O_PATH form).
Napi::Value Utimensat(const Napi::CallbackInfo& info) {
  ARGS("utimensat");
  int fd = -1;
  Path p;
  int64_t as = 0, ans = 0, ms = 0, mns = 0, flags = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, -kMaxSafe, kMaxSafe, &as) && a.Int(3, 0, UTIME_NOW, &ans) &&
        a.Int(4, -kMaxSafe, kMaxSafe, &ms) && a.Int(5, 0, UTIME_NOW, &mns) && a.Int(6, 0, 0x7fffffff, &flags));
  PATH_OK(p);
  struct timespec ts[2];
  ts[0].tv_sec = time_t(as);
  ts[0].tv_nsec = long(ans);
  ts[1].tv_sec = time_t(ms);
  ts[1].tv_nsec = long(mns);
  if (!p.empty()) return Ret(env, ::utimensat(fd, p.s, ts, int(flags)));
  char proc[64];
  if (!ProcPath(fd, nullptr, proc, sizeof proc)) return Err(env, -EBADF);
  return Ret(env, ::utimensat(AT_FDCWD, proc, ts, 0));
}

// faccessat(dirfd, path, mode, flags) with the calling thread's credentials when flags has
// AT_EACCESS (the fs ids and groups set by credsPush). Empty path: through /proc.
Napi::Value Faccessat(const Napi::CallbackInfo& info) {
  ARGS("faccessat");
  int fd = -1;
  Path p;
  int64_t mode = 0, flags = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, 0, 7, &mode) && a.Int(3, 0, 0x7fffffff, &flags));
  PATH_OK(p);
  if (!p.empty()) return Ret(env, syscall(SYS_faccessat2, fd, p.s, int(mode), int(flags)));
  char proc[64];
  if (!ProcPath(fd, nullptr, proc, sizeof proc)) return Err(env, -EBADF);
  return Ret(env, syscall(SYS_faccessat2, AT_FDCWD, proc, int(mode), int(flags & AT_EACCESS)));
}

// ---- names ------------------------------------------------------------------------------------

Napi::Value Mkdirat(const Napi::CallbackInfo& info) {
  ARGS("mkdirat");
  int fd = -1;
  Path p;
  int64_t mode = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, 0, 07777, &mode));
  PATH_OK(p);
  return Ret(env, ::mkdirat(fd, p.s, mode_t(mode)));
}

// mknodat(dirfd, path, mode, rdev): mode includes the file type.
Napi::Value Mknodat(const Napi::CallbackInfo& info) {
  ARGS("mknodat");
  int fd = -1;
  Path p;
  int64_t mode = 0, rdev = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, 0, 0177777, &mode) && a.Int(3, 0, kMaxSafe, &rdev));
  PATH_OK(p);
  return Ret(env, ::mknodat(fd, p.s, mode_t(mode), dev_t(rdev)));
}

// symlinkat(target, dirfd, path): the target is stored as it is, never resolved.
Napi::Value Symlinkat(const Napi::CallbackInfo& info) {
  ARGS("symlinkat");
  Path target;
  int fd = -1;
  Path p;
  CHECK(a.PathArg(0, &target) && a.Fd(1, &fd) && a.PathArg(2, &p));
  PATH_OK(target);
  PATH_OK(p);
  return Ret(env, ::symlinkat(target.s, fd, p.s));
}

// readlinkat(dirfd, path, out) → the target's length (== out.length: maybe truncated).
Napi::Value Readlinkat(const Napi::CallbackInfo& info) {
  ARGS("readlinkat");
  int fd = -1;
  Path p;
  uint8_t* out = nullptr;
  size_t len = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.OutBytes(2, &out, &len, false));
  PATH_OK(p);
  if (len == 0) return Err(env, -EINVAL);
  return Ret(env, ::readlinkat(fd, p.s, reinterpret_cast<char*>(out), len));
}

Napi::Value Unlinkat(const Napi::CallbackInfo& info) {
  ARGS("unlinkat");
  int fd = -1;
  Path p;
  int64_t flags = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, 0, 0x7fffffff, &flags));
  PATH_OK(p);
  return Ret(env, ::unlinkat(fd, p.s, int(flags)));
}

// renameat2(olddirfd, oldpath, newdirfd, newpath, flags): RENAME_NOREPLACE, _EXCHANGE, _WHITEOUT.
Napi::Value Renameat2(const Napi::CallbackInfo& info) {
  ARGS("renameat2");
  int ofd = -1, nfd = -1;
  Path op, np;
  int64_t flags = 0;
  CHECK(a.Fd(0, &ofd) && a.PathArg(1, &op) && a.Fd(2, &nfd) && a.PathArg(3, &np) && a.Int(4, 0, 0x7fffffff, &flags));
  PATH_OK(op);
  PATH_OK(np);
  return Ret(env, syscall(SYS_renameat2, ofd, op.s, nfd, np.s, unsigned(flags)));
}

// linkat(olddirfd, oldpath, newdirfd, newpath, flags). Empty oldpath: links the fd's inode through
// /proc/self/fd/N with AT_SYMLINK_FOLLOW (works without CAP_DAC_READ_SEARCH, unlike AT_EMPTY_PATH).
Napi::Value Linkat(const Napi::CallbackInfo& info) {
  ARGS("linkat");
  int ofd = -1, nfd = -1;
  Path op, np;
  int64_t flags = 0;
  CHECK(a.Fd(0, &ofd) && a.PathArg(1, &op) && a.Fd(2, &nfd) && a.PathArg(3, &np) && a.Int(4, 0, 0x7fffffff, &flags));
  PATH_OK(op);
  PATH_OK(np);
  if (!op.empty()) return Ret(env, ::linkat(ofd, op.s, nfd, np.s, int(flags)));
  char proc[64];
  if (!ProcPath(ofd, nullptr, proc, sizeof proc)) return Err(env, -EBADF);
  return Ret(env, ::linkat(AT_FDCWD, proc, nfd, np.s, AT_SYMLINK_FOLLOW));
}

// getdents(fd, out) → bytes of struct linux_dirent64 records read (0 at the end).
Napi::Value Getdents(const Napi::CallbackInfo& info) {
  ARGS("getdents");
  int fd = -1;
  uint8_t* out = nullptr;
  size_t len = 0;
  CHECK(a.Fd(0, &fd) && a.OutBytes(1, &out, &len, false));
  return Ret(env, syscall(SYS_getdents64, fd, out, len));
}

// ---- data -------------------------------------------------------------------------------------

// truncate(dirfd, path, size). Empty path: the fd's inode through /proc (O_PATH fds have no
// ftruncate); else opened without following a final symlink.
Napi::Value Truncate(const Napi::CallbackInfo& info) {
  ARGS("truncate");
  int fd = -1;
  Path p;
  int64_t size = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Off(2, &size));
  PATH_OK(p);
  if (p.empty()) {
    char proc[64];
    if (!ProcPath(fd, nullptr, proc, sizeof proc)) return Err(env, -EBADF);
    return Ret(env, ::truncate(proc, off_t(size)));
  }
  int f = ::openat(fd, p.s, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (f < 0) return Err(env, -errno);
  int r = ::ftruncate(f, off_t(size));
  int e = errno;
  ::close(f);
  return Err(env, r < 0 ? -e : 0);
}

Napi::Value Ftruncate(const Napi::CallbackInfo& info) {
  ARGS("ftruncate");
  int fd = -1;
  int64_t size = 0;
  CHECK(a.Fd(0, &fd) && a.Off(1, &size));
  return Ret(env, ::ftruncate(fd, off_t(size)));
}

// fallocate(fd, mode, offset, length): mode is FALLOC_FL_* bits.
Napi::Value Fallocate(const Napi::CallbackInfo& info) {
  ARGS("fallocate");
  int fd = -1;
  int64_t mode = 0, off = 0, len = 0;
  CHECK(a.Fd(0, &fd) && a.Int(1, 0, 0x7fffffff, &mode) && a.Off(2, &off) && a.Off(3, &len));
  return Ret(env, ::fallocate(fd, int(mode), off_t(off), off_t(len)));
}

// lseek(fd, offset, whence) → the new offset: a number, a bigint beyond 2^53 - 1. offset may be a bigint.
Napi::Value Lseek(const Napi::CallbackInfo& info) {
  ARGS("lseek");
  int fd = -1;
  int64_t off = 0, whence = 0;
  CHECK(a.Fd(0, &fd) && a.Off(1, &off) && a.Int(2, 0, 4, &whence));
  off_t r = ::lseek(fd, off_t(off), int(whence));
  if (r < 0) return Err(env, -errno);
  if (uint64_t(r) > kMaxSafeU64) return Napi::BigInt::New(env, int64_t(r));
  return Napi::Number::New(env, double(r));
}

// pwrite(fd, buf, offset) → bytes written. lib/sys.ts uses it for bigint offsets, which Node's
// fs.writeSync ignores (it writes at the file position instead).
Napi::Value Pwrite(const Napi::CallbackInfo& info) {
  ARGS("pwrite");
  int fd = -1;
  const uint8_t* data = nullptr;
  size_t len = 0;
  int64_t off = 0;
  CHECK(a.Fd(0, &fd) && a.Bytes(1, &data, &len, false) && a.Off(2, &off));
  return Ret(env, ::pwrite(fd, data, len, off_t(off)));
}

// copyFileRange(fdIn, offIn, fdOut, offOut, length, flags) → bytes copied; offset -1: the file position.
Napi::Value CopyFileRange(const Napi::CallbackInfo& info) {
  ARGS("copyFileRange");
  int fin = -1, fout = -1;
  int64_t oin = 0, oout = 0, len = 0, flags = 0;
  CHECK(a.Fd(0, &fin) && a.Off(1, &oin) && a.Fd(2, &fout) && a.Off(3, &oout) && a.Off(4, &len) &&
        a.Int(5, 0, 0x7fffffff, &flags));
  loff_t in = loff_t(oin), out = loff_t(oout);
  return Ret(env, ::copy_file_range(fin, oin < 0 ? nullptr : &in, fout, oout < 0 ? nullptr : &out, size_t(len),
                                    unsigned(flags)));
}

// ---- extended attributes (through /proc: O_PATH fds have no f*xattr) ----------------------------

// The path an xattr call uses: the fd's inode itself (followed magic link), or a name relative to
// it whose final component is not followed (the l*xattr calls). *follow says which.
bool XattrPath(int fd, const Path& p, char* out, size_t size, bool* follow) {
  *follow = p.empty();
  if (fd == AT_FDCWD && !p.empty()) {
    if (p.len >= size) return false;
    memcpy(out, p.s, p.len + 1);
    return true;
  }
  return ProcPath(fd, p.empty() ? nullptr : p.s, out, size);
}

// getxattr(dirfd, path, name, out|null) → the value's length; with no out (or an empty one), the size.
Napi::Value Getxattr(const Napi::CallbackInfo& info) {
  ARGS("getxattr");
  int fd = -1;
  Path p, name;
  uint8_t* out = nullptr;
  size_t len = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.PathArg(2, &name) && a.OutBytes(3, &out, &len, true));
  PATH_OK(p);
  PATH_OK(name);
  char path[PATH_MAX + 64];
  bool follow;
  if (!XattrPath(fd, p, path, sizeof path, &follow)) return Err(env, -ENAMETOOLONG);
  return Ret(env, follow ? ::getxattr(path, name.s, out, len) : ::lgetxattr(path, name.s, out, len));
}

// setxattr(dirfd, path, name, value, flags): XATTR_CREATE, XATTR_REPLACE.
Napi::Value Setxattr(const Napi::CallbackInfo& info) {
  ARGS("setxattr");
  int fd = -1;
  Path p, name;
  const uint8_t* value = nullptr;
  size_t len = 0;
  int64_t flags = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.PathArg(2, &name) && a.Bytes(3, &value, &len, false) &&
        a.Int(4, 0, 0x7fffffff, &flags));
  PATH_OK(p);
  PATH_OK(name);
  char path[PATH_MAX + 64];
  bool follow;
  if (!XattrPath(fd, p, path, sizeof path, &follow)) return Err(env, -ENAMETOOLONG);
  return Ret(env, follow ? ::setxattr(path, name.s, value, len, int(flags)) : ::lsetxattr(path, name.s, value, len, int(flags)));
}

// listxattr(dirfd, path, out|null) → the length of the NUL-separated names; with no out, the size.
Napi::Value Listxattr(const Napi::CallbackInfo& info) {
  ARGS("listxattr");
  int fd = -1;
  Path p;
  uint8_t* out = nullptr;
  size_t len = 0;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.OutBytes(2, &out, &len, true));
  PATH_OK(p);
  char path[PATH_MAX + 64];
  bool follow;
  if (!XattrPath(fd, p, path, sizeof path, &follow)) return Err(env, -ENAMETOOLONG);
  char* o = reinterpret_cast<char*>(out);
  return Ret(env, follow ? ::listxattr(path, o, len) : ::llistxattr(path, o, len));
}

Napi::Value Removexattr(const Napi::CallbackInfo& info) {
  ARGS("removexattr");
  int fd = -1;
  Path p, name;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.PathArg(2, &name));
  PATH_OK(p);
  PATH_OK(name);
  char path[PATH_MAX + 64];
  bool follow;
  if (!XattrPath(fd, p, path, sizeof path, &follow)) return Err(env, -ENAMETOOLONG);
  return Ret(env, follow ? ::removexattr(path, name.s) : ::lremovexattr(path, name.s));
}

// ---- credentials of the calling thread ----------------------------------------------------------
//
// Linux keeps credentials per thread: setfsuid/setfsgid and the raw setgroups syscall change only
// the calling thread (glibc's setgroups() would change every thread). So a filesystem on the JS
// thread can act as the requesting user for one call while libuv's workers keep their own.

thread_local bool credsSwitched = false;
thread_local std::vector<gid_t> savedGroups;

void RestoreCreds() {
  setfsuid(geteuid());
  setfsgid(getegid());
  syscall(SYS_setgroups, savedGroups.size(), savedGroups.data());
  credsSwitched = false;
}

// credsPush(uid, gid, groups) → 0, or -EPERM when the thread may not switch (not root).
Napi::Value CredsPush(const Napi::CallbackInfo& info) {
  ARGS("credsPush");
  int64_t uid = 0, gid = 0;
  std::vector<gid_t> groups;
  CHECK(a.Int(0, 0, 4294967294.0, &uid) && a.Int(1, 0, 4294967294.0, &gid) && a.Groups(2, &groups));
  if (credsSwitched) return Err(env, -EBUSY);
  int n = getgroups(0, nullptr);
  if (n < 0) return Err(env, -errno);
  savedGroups.resize(size_t(n));
  if (getgroups(n, savedGroups.data()) < 0) return Err(env, -errno);
  credsSwitched = true;
  if (syscall(SYS_setgroups, groups.size(), groups.data()) < 0) {
    int e = errno;
    RestoreCreds();
    return Err(env, -e);
  }
  // setfsuid/setfsgid report failure only by leaving the id unchanged: check with -1.
  setfsgid(gid_t(gid));
  setfsuid(uid_t(uid));
  if (unsigned(setfsgid(gid_t(-1))) != unsigned(gid) || unsigned(setfsuid(uid_t(-1))) != unsigned(uid)) {
    RestoreCreds();
    return Err(env, -EPERM);
  }
  return Napi::Number::New(env, 0);
}

// credsPop() → 0: back to the process's own ids and groups.
Napi::Value CredsPop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!credsSwitched) return Err(env, -EINVAL);
  RestoreCreds();
  return Napi::Number::New(env, 0);
}

// ---- memory -----------------------------------------------------------------------------------

// alignGap(bytes, align) → how many bytes from the start of `bytes` to its first address that is a
// multiple of `align` (a power of two up to 1 MiB); for copies O_DIRECT accepts (lib/sys.ts alignedCopy).
Napi::Value AlignGap(const Napi::CallbackInfo& info) {
  ARGS("alignGap");
  const uint8_t* data = nullptr;
  size_t len = 0;
  int64_t align = 0;
  CHECK(a.Bytes(0, &data, &len, false) && a.Int(1, 1, 1 << 20, &align));
  if ((align & (align - 1)) != 0) {
    a.Fail(1, "a power of two expected");
    return env.Undefined();
  }

  uintptr_t mis = reinterpret_cast<uintptr_t>(data) & uintptr_t(align - 1);
  return Napi::Number::New(env, double(mis == 0 ? 0 : uintptr_t(align) - mis));
}

// mallocTrim() → 1 when memory went back to the system, 0 when none could: glibc's malloc_trim(0)
// returns the free pages of every arena, not only the top of the heap (free() trims only that).
Napi::Value MallocTrim(const Napi::CallbackInfo& info) {
#ifdef __GLIBC__
  return Napi::Number::New(info.Env(), malloc_trim(0));
#else
  return Napi::Number::New(info.Env(), 0);
#endif
}

// ---- kernel file handles and the fd limit -------------------------------------------------------
//
// A file handle names an inode without holding it open (name_to_handle_at), and opens it again later
// (open_by_handle_at, which needs CAP_DAC_READ_SEARCH and an fd on the same mount). The bytes given
// to JS are the handle's type (4 bytes, host order) followed by f_handle.

#ifndef AT_HANDLE_MNT_ID_UNIQUE
#define AT_HANDLE_MNT_ID_UNIQUE 0x001
#endif

constexpr size_t kHandleHeader = sizeof(int);

// A struct file_handle with room for the largest handle (MAX_HANDLE_SZ bytes).
class HandleBuf {
 public:
  struct file_handle* get() { return reinterpret_cast<struct file_handle*>(storage_); }

 private:
  alignas(struct file_handle) unsigned char storage_[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

// nameToHandleAt(dirfd, path, flags, out, idOut) → the handle's length in out (type + bytes);
// idOut[0] = the mount id, idOut[1] = 1 when it is the unique 64-bit id (kernel 6.12+), else 0.
// flags: AT_EMPTY_PATH, AT_SYMLINK_FOLLOW. -EOVERFLOW: out is too small.
Napi::Value NameToHandleAt(const Napi::CallbackInfo& info) {
  ARGS("nameToHandleAt");
  int fd = -1;
  Path p;
  int64_t flags = 0;
  uint8_t* out = nullptr;
  size_t len = 0;
  double* id = nullptr;
  CHECK(a.Fd(0, &fd) && a.PathArg(1, &p) && a.Int(2, 0, 0x7fffffff, &flags) && a.OutBytes(3, &out, &len, false) &&
        a.F64(4, 2, &id));
  PATH_OK(p);
  int allowed = AT_EMPTY_PATH | AT_SYMLINK_FOLLOW;
  if (flags & ~int64_t(allowed)) return Err(env, -EINVAL);
  HandleBuf buf;
  struct file_handle* h = buf.get();
  h->handle_bytes = MAX_HANDLE_SZ;
  uint64_t unique = 0;
  long r = syscall(SYS_name_to_handle_at, fd, p.s, h, &unique, int(flags) | AT_HANDLE_MNT_ID_UNIQUE);
  bool isUnique = r == 0;
  int plain = 0;
  if (r < 0 && errno == EINVAL) {  // a kernel before 6.12: the plain (reusable) mount id
    h->handle_bytes = MAX_HANDLE_SZ;
    r = syscall(SYS_name_to_handle_at, fd, p.s, h, &plain, int(flags));
  }
  if (r < 0) return Err(env, -errno);
  size_t n = kHandleHeader + h->handle_bytes;
  if (n > len) return Err(env, -EOVERFLOW);
  int type = h->handle_type;
  memcpy(out, &type, kHandleHeader);
  memcpy(out + kHandleHeader, h->f_handle, h->handle_bytes);
  id[0] = isUnique ? double(unique) : double(plain);
  id[1] = isUnique ? 1 : 0;
  return Napi::Number::New(env, double(n));
}

// openByHandleAt(mountfd, handle, flags) → a new fd (O_CLOEXEC added) on the inode the handle names.
// -ESTALE: the inode is gone. -EINVAL: not a handle's bytes.
Napi::Value OpenByHandleAt(const Napi::CallbackInfo& info) {
  ARGS("openByHandleAt");
  int fd = -1;
  const uint8_t* data = nullptr;
  size_t len = 0;
  int64_t flags = 0;
  CHECK(a.Fd(0, &fd) && a.Bytes(1, &data, &len, false) && a.Int(2, 0, 0xffffffff, &flags));
  if (len < kHandleHeader || len - kHandleHeader > MAX_HANDLE_SZ) return Err(env, -EINVAL);
  HandleBuf buf;
  struct file_handle* h = buf.get();
  int type = 0;
  memcpy(&type, data, kHandleHeader);
  h->handle_type = type;
  h->handle_bytes = unsigned(len - kHandleHeader);
  memcpy(h->f_handle, data + kHandleHeader, len - kHandleHeader);
  return Ret(env, ::open_by_handle_at(fd, h, int(flags) | O_CLOEXEC));
}

// nofileLimit(raise, out) → 0; out = [soft, hard] of RLIMIT_NOFILE (-1: unlimited), after raising
// the soft limit to the hard one when `raise` is 1.
Napi::Value NofileLimit(const Napi::CallbackInfo& info) {
  ARGS("nofileLimit");
  int64_t raise = 0;
  double* out = nullptr;
  CHECK(a.Int(0, 0, 1, &raise) && a.F64(1, 2, &out));
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return Err(env, -errno);
  if (raise && rl.rlim_cur != rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) return Err(env, -errno);
  }
  out[0] = rl.rlim_cur == RLIM_INFINITY ? -1 : double(rl.rlim_cur);
  out[1] = rl.rlim_max == RLIM_INFINITY ? -1 : double(rl.rlim_max);
  return Napi::Number::New(env, 0);
}

// ---- constants --------------------------------------------------------------------------------

Napi::Object Constants(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
#define C(NAME) o.Set(#NAME, Napi::Number::New(env, double(NAME)))
  C(O_RDONLY); C(O_WRONLY); C(O_RDWR); C(O_ACCMODE); C(O_CREAT); C(O_EXCL); C(O_NOCTTY); C(O_TRUNC);
  C(O_APPEND); C(O_NONBLOCK); C(O_DSYNC); C(O_SYNC); C(O_DIRECT); C(O_LARGEFILE); C(O_DIRECTORY);
  C(O_NOFOLLOW); C(O_NOATIME); C(O_CLOEXEC); C(O_PATH); C(O_TMPFILE);
  C(AT_FDCWD); C(AT_EMPTY_PATH); C(AT_SYMLINK_NOFOLLOW); C(AT_SYMLINK_FOLLOW); C(AT_REMOVEDIR);
  C(AT_EACCESS); C(AT_NO_AUTOMOUNT);
  C(RENAME_NOREPLACE); C(RENAME_EXCHANGE); C(RENAME_WHITEOUT);
  C(UTIME_NOW); C(UTIME_OMIT);
  C(FALLOC_FL_KEEP_SIZE); C(FALLOC_FL_PUNCH_HOLE); C(FALLOC_FL_COLLAPSE_RANGE); C(FALLOC_FL_ZERO_RANGE);
  C(FALLOC_FL_INSERT_RANGE); C(FALLOC_FL_UNSHARE_RANGE);
  C(SEEK_SET); C(SEEK_CUR); C(SEEK_END); C(SEEK_DATA); C(SEEK_HOLE);
  C(XATTR_CREATE); C(XATTR_REPLACE);
  C(F_OK); C(R_OK); C(W_OK); C(X_OK);
  C(PATH_MAX); C(NAME_MAX); C(XATTR_NAME_MAX); C(XATTR_SIZE_MAX); C(XATTR_LIST_MAX);
#undef C
  return o;
}

Napi::Object Layout(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
#define L(NAME) o.Set(#NAME, Napi::Number::New(env, double(NAME)))
  L(SF_DEV); L(SF_INO); L(SF_MODE); L(SF_NLINK); L(SF_UID); L(SF_GID); L(SF_RDEV); L(SF_SIZE);
  L(SF_BLKSIZE); L(SF_BLOCKS); L(SF_ATIME_S); L(SF_ATIME_NS); L(SF_MTIME_S); L(SF_MTIME_NS);
  L(SF_CTIME_S); L(SF_CTIME_NS); L(SF_INO_HI); L(SF_INO_LO); L(SF_DEV_HI); L(SF_DEV_LO); L(SF_SIZE_X); L(SF_BLOCKS_X); L(SF_COUNT);
  L(VF_BSIZE); L(VF_FRSIZE); L(VF_BLOCKS); L(VF_BFREE); L(VF_BAVAIL); L(VF_FILES); L(VF_FFREE);
  L(VF_FAVAIL); L(VF_FSID); L(VF_FLAG); L(VF_NAMEMAX); L(VF_COUNT);
#undef L
  return o;
}

}  // namespace

Napi::Object DefineSys(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  struct Fn {
    const char* name;
    Napi::Value (*fn)(const Napi::CallbackInfo&);
  };
  static const Fn fns[] = {
      {"openat", Openat}, {"close", Close}, {"dup", Dup}, {"fstatat", Fstatat}, {"fstatvfs", Fstatvfs},
      {"fchmodat", Fchmodat}, {"fchownat", Fchownat}, {"utimensat", Utimensat}, {"faccessat", Faccessat},
      {"mkdirat", Mkdirat}, {"mknodat", Mknodat}, {"symlinkat", Symlinkat}, {"readlinkat", Readlinkat},
      {"unlinkat", Unlinkat}, {"renameat2", Renameat2}, {"linkat", Linkat}, {"getdents", Getdents},
      {"truncate", Truncate}, {"ftruncate", Ftruncate}, {"fallocate", Fallocate}, {"lseek", Lseek}, {"pwrite", Pwrite},
      {"copyFileRange", CopyFileRange}, {"getxattr", Getxattr}, {"setxattr", Setxattr},
      {"listxattr", Listxattr}, {"removexattr", Removexattr}, {"credsPush", CredsPush}, {"credsPop", CredsPop},
      {"alignGap", AlignGap},
      {"nameToHandleAt", NameToHandleAt}, {"openByHandleAt", OpenByHandleAt}, {"nofileLimit", NofileLimit},
      {"mallocTrim", MallocTrim},
  };
  for (const Fn& f : fns) o.Set(f.name, Napi::Function::New(env, f.fn, f.name));
  o.Set("constants", Constants(env));
  o.Set("layout", Layout(env));
  return o;
}

}  // namespace rxfuse
