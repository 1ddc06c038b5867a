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

Napi::Value Mkdirat(const Napi::CallbackInfo& info) {
  ARGS_AT("mkdirat");
  int64_t mode = 0;
  CHECK_AT(a.Int(2, 0, 07777, &mode));
  return Ret(env, ::mkdirat(at.fd, at.p.s, mode_t(mode)));
}

// mknodat(dirfd, path, mode, rdev): mode includes the file type.
Napi::Value Mknodat(const Napi::CallbackInfo& info) {
  ARGS_AT("mknodat");
  int64_t mode = 0, rdev = 0;
  CHECK_AT(a.Int(2, 0, 0177777, &mode) && a.Int(3, 0, kMaxSafe, &rdev));
  return Ret(env, ::mknodat(at.fd, at.p.s, mode_t(mode), dev_t(rdev)));
}

// symlinkat(target, dirfd, path): the target is stored as it is, never resolved.
Napi::Value Symlinkat(const Napi::CallbackInfo& info) {
  ARGS("symlinkat");
  Path target;
  At at;
  CHECK(a.PathArg(0, &target) && a.AtArg(1, &at));
  PATH_OK(target);
  PATH_OK(at.p);
  return Ret(env, ::symlinkat(target.s, at.fd, at.p.s));
}

// readlinkat(dirfd, path, out) → the target's length (== out.length: maybe truncated).
Napi::Value Readlinkat(const Napi::CallbackInfo& info) {
  ARGS_AT("readlinkat");
  Out out;
  CHECK_AT(a.OutBytes(2, &out, false));
  if (out.len == 0) return Err(env, -EINVAL);
  return Ret(env, ::readlinkat(at.fd, at.p.s, reinterpret_cast<char*>(out.data), out.len));
}

Napi::Value Unlinkat(const Napi::CallbackInfo& info) {
  ARGS_AT("unlinkat");
  int64_t flags = 0;
  CHECK_AT(a.Flags(2, &flags));
  return Ret(env, ::unlinkat(at.fd, at.p.s, int(flags)));
}

// The arguments of renameat2 and linkat: (olddirfd, oldpath, newdirfd, newpath, flags).
namespace {
struct Move {
  At from, to;
  int64_t flags = 0;
};
}  // namespace

// The preamble of renameat2 and linkat: `a`, `env` and `m`.
#define ARGS_MOVE(NAME)                                                     \
  ARGS(NAME)                                                                \
  Move m;                                                                   \
  CHECK(a.AtArg(0, &m.from) && a.AtArg(2, &m.to) && a.Flags(4, &m.flags)) \
  PATH_OK(m.from.p)                                                         \
  PATH_OK(m.to.p)

// renameat2(olddirfd, oldpath, newdirfd, newpath, flags): RENAME_NOREPLACE, _EXCHANGE, _WHITEOUT.
Napi::Value Renameat2(const Napi::CallbackInfo& info) {
  ARGS_MOVE("renameat2");
  return Ret(env, syscall(SYS_renameat2, m.from.fd, m.from.p.s, m.to.fd, m.to.p.s, unsigned(m.flags)));
}

// linkat(olddirfd, oldpath, newdirfd, newpath, flags). Empty oldpath: links the fd's inode through
// /proc/self/fd/N with AT_SYMLINK_FOLLOW (works without CAP_DAC_READ_SEARCH, unlike AT_EMPTY_PATH).
Napi::Value Linkat(const Napi::CallbackInfo& info) {
  ARGS_MOVE("linkat");
  if (!m.from.p.empty()) return Ret(env, ::linkat(m.from.fd, m.from.p.s, m.to.fd, m.to.p.s, int(m.flags)));
  PROC_LINK(proc, m.from.fd);
  return Ret(env, ::linkat(AT_FDCWD, proc.s, m.to.fd, m.to.p.s, AT_SYMLINK_FOLLOW));
}

// getdents(fd, out) → bytes of struct linux_dirent64 records read (0 at the end).
Napi::Value Getdents(const Napi::CallbackInfo& info) {
  ARGS_FD("getdents");
  Out out;
  CHECK_FD(a.OutBytes(1, &out, false));
  return Ret(env, syscall(SYS_getdents64, fd, out.data, out.len));
}


}  // namespace sys
}  // namespace rxfuse
