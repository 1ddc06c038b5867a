// sys: names. The calls that make, read, remove, move and list directory entries: mkdirat, mknodat,
// symlinkat, readlinkat, unlinkat, renameat2, linkat (an empty old path links the fd's inode) and
// getdents64.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "sys.h"
#include "sys_args.h"

namespace rxfuse {
namespace sys {

namespace {

Napi::Value Mkdirat(const Napi::CallbackInfo& info) {
  ARGS("mkdirat");
  int fd = -1;
  Path p;
  int64_t mode = 0;
  CHECK(a.FdPath(0, &fd, &p) && a.Int(2, 0, 07777, &mode));
  PATH_OK(p);
  return Ret(env, ::mkdirat(fd, p.s, mode_t(mode)));
}

// mknodat(dirfd, path, mode, rdev): mode includes the file type.
Napi::Value Mknodat(const Napi::CallbackInfo& info) {
  ARGS("mknodat");
  int fd = -1;
  Path p;
  int64_t mode = 0, rdev = 0;
  CHECK(a.FdPath(0, &fd, &p) && a.Int(2, 0, 0177777, &mode) && a.Int(3, 0, kMaxSafe, &rdev));
  PATH_OK(p);
  return Ret(env, ::mknodat(fd, p.s, mode_t(mode), dev_t(rdev)));
}

// symlinkat(target, dirfd, path): the target is stored as it is, never resolved.
Napi::Value Symlinkat(const Napi::CallbackInfo& info) {
  ARGS("symlinkat");
  Path target;
  int fd = -1;
  Path p;
  CHECK(a.PathArg(0, &target) && a.FdPath(1, &fd, &p));
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
  CHECK(a.FdPath(0, &fd, &p) && a.OutBytes(2, &out, &len, false));
  PATH_OK(p);
  if (len == 0) return Err(env, -EINVAL);
  return Ret(env, ::readlinkat(fd, p.s, reinterpret_cast<char*>(out), len));
}

Napi::Value Unlinkat(const Napi::CallbackInfo& info) {
  ARGS("unlinkat");
  int fd = -1;
  Path p;
  int64_t flags = 0;
  CHECK(a.FdPath(0, &fd, &p) && a.Int(2, 0, 0x7fffffff, &flags));
  PATH_OK(p);
  return Ret(env, ::unlinkat(fd, p.s, int(flags)));
}

// renameat2(olddirfd, oldpath, newdirfd, newpath, flags): RENAME_NOREPLACE, _EXCHANGE, _WHITEOUT.
Napi::Value Renameat2(const Napi::CallbackInfo& info) {
  ARGS("renameat2");
  int ofd = -1, nfd = -1;
  Path op, np;
  int64_t flags = 0;
  CHECK(a.FdPath(0, &ofd, &op) && a.FdPath(2, &nfd, &np) && a.Int(4, 0, 0x7fffffff, &flags));
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
  CHECK(a.FdPath(0, &ofd, &op) && a.FdPath(2, &nfd, &np) && a.Int(4, 0, 0x7fffffff, &flags));
  PATH_OK(op);
  PATH_OK(np);
  if (!op.empty()) return Ret(env, ::linkat(ofd, op.s, nfd, np.s, int(flags)));
  PROC_LINK(proc, ofd);
  return Ret(env, ::linkat(AT_FDCWD, proc.s, nfd, np.s, AT_SYMLINK_FOLLOW));
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

}  // namespace

void AddNames(Napi::Env env, Napi::Object o) {
  static const Fn fns[] = {
      {"mkdirat", Mkdirat},
      {"mknodat", Mknodat},
      {"symlinkat", Symlinkat},
      {"readlinkat", Readlinkat},
      {"unlinkat", Unlinkat},
      {"renameat2", Renameat2},
      {"linkat", Linkat},
      {"getdents", Getdents},
  };
  SetFns(env, o, fns);
}

}  // namespace sys
}  // namespace rxfuse
