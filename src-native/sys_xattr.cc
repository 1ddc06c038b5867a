// sys: extended attributes, through /proc: O_PATH fds have no f*xattr. An empty path is the fd's own
// inode (the followed magic link); another is relative to the fd, its final component not followed.
#include <fcntl.h>
#include <sys/xattr.h>
#include <linux/limits.h>

#include <cerrno>
#include <cstring>

#include "sys.h"
#include "sys_args.h"

namespace rxfuse {
namespace sys {

namespace {

// The path an xattr call uses: the fd's inode itself (followed magic link), or a name relative to
// it whose final component is not followed (the l*xattr calls). follow says which; ok: it fit.
struct XattrTarget {
  char path[PATH_MAX + 64];
  bool follow;
  bool ok;

  XattrTarget(int fd, const Path& p) : follow(p.empty()) {
    if (fd == AT_FDCWD && !p.empty()) {
      ok = p.len < sizeof path;
      if (ok) memcpy(path, p.s, p.len + 1);
      return;
    }
    ok = ProcPath(fd, p.empty() ? nullptr : p.s, path, sizeof path);
  }
};

// Declares t, the target of (fd, p); returns -ENAMETOOLONG when it does not fit.
#define XATTR_TARGET(FD, P) \
  XattrTarget t(FD, P);     \
  if (!t.ok) return Err(env, -ENAMETOOLONG);

// getxattr(dirfd, path, name, out|null) → the value's length; with no out (or an empty one), the size.
Napi::Value Getxattr(const Napi::CallbackInfo& info) {
  ARGS("getxattr");
  int fd = -1;
  Path p, name;
  uint8_t* out = nullptr;
  size_t len = 0;
  CHECK(a.FdPath(0, &fd, &p) && a.PathArg(2, &name) && a.OutBytes(3, &out, &len, true));
  PATH_OK(p);
  PATH_OK(name);
  XATTR_TARGET(fd, p);
  return Ret(env, t.follow ? ::getxattr(t.path, name.s, out, len) : ::lgetxattr(t.path, name.s, out, len));
}

// setxattr(dirfd, path, name, value, flags): XATTR_CREATE, XATTR_REPLACE.
Napi::Value Setxattr(const Napi::CallbackInfo& info) {
  ARGS("setxattr");
  int fd = -1;
  Path p, name;
  const uint8_t* value = nullptr;
  size_t len = 0;
  int64_t flags = 0;
  CHECK(a.FdPath(0, &fd, &p) && a.PathArg(2, &name) && a.Bytes(3, &value, &len, false) &&
        a.Int(4, 0, 0x7fffffff, &flags));
  PATH_OK(p);
  PATH_OK(name);
  XATTR_TARGET(fd, p);
  return Ret(env, t.follow ? ::setxattr(t.path, name.s, value, len, int(flags)) : ::lsetxattr(t.path, name.s, value, len, int(flags)));
}

// listxattr(dirfd, path, out|null) → the length of the NUL-separated names; with no out, the size.
Napi::Value Listxattr(const Napi::CallbackInfo& info) {
  ARGS("listxattr");
  int fd = -1;
  Path p;
  uint8_t* out = nullptr;
  size_t len = 0;
  CHECK(a.FdPath(0, &fd, &p) && a.OutBytes(2, &out, &len, true));
  PATH_OK(p);
  XATTR_TARGET(fd, p);
  char* o = reinterpret_cast<char*>(out);
  return Ret(env, t.follow ? ::listxattr(t.path, o, len) : ::llistxattr(t.path, o, len));
}

Napi::Value Removexattr(const Napi::CallbackInfo& info) {
  ARGS("removexattr");
  int fd = -1;
  Path p, name;
  CHECK(a.FdPath(0, &fd, &p) && a.PathArg(2, &name));
  PATH_OK(p);
  PATH_OK(name);
  XATTR_TARGET(fd, p);
  return Ret(env, t.follow ? ::removexattr(t.path, name.s) : ::lremovexattr(t.path, name.s));
}

}  // namespace

void AddXattrs(Napi::Env env, Napi::Object o) {
  static const Fn fns[] = {
      {"getxattr", Getxattr},
      {"setxattr", Setxattr},
      {"listxattr", Listxattr},
      {"removexattr", Removexattr},
  };
  SetFns(env, o, fns);
}

}  // namespace sys
}  // namespace rxfuse
