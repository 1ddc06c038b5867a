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

  explicit XattrTarget(const At& at) : follow(at.p.empty()) {
    const Path& p = at.p;
    if (at.fd == AT_FDCWD && !p.empty()) {
      ok = p.len < sizeof path;
      if (ok) memcpy(path, p.s, p.len + 1);
      return;
    }
    ok = ProcPath(at.fd, p.empty() ? nullptr : p.s, path, sizeof path);
  }
};

// Declares t, the target of AT; returns -ENAMETOOLONG when it does not fit.
#define XATTR_TARGET(AT) \
  XattrTarget t(AT);     \
  if (!t.ok) return Err(env, -ENAMETOOLONG);

}  // namespace

// getxattr(dirfd, path, name, out|null) → the value's length; with no out (or an empty one), the size.
Napi::Value Getxattr(const Napi::CallbackInfo& info) {
  ARGS_AT("getxattr");
  Path name;
  Out out;
  CHECK_AT(a.PathArg(2, &name) && a.OutBytes(3, &out, true));
  PATH_OK(name);
  XATTR_TARGET(at);
  return Ret(env, t.follow ? ::getxattr(t.path, name.s, out.data, out.len) : ::lgetxattr(t.path, name.s, out.data, out.len));
}

// setxattr(dirfd, path, name, value, flags): XATTR_CREATE, XATTR_REPLACE.
Napi::Value Setxattr(const Napi::CallbackInfo& info) {
  ARGS_AT("setxattr");
  Path name;
  In value;
  int64_t flags = 0;
  CHECK_AT(a.PathArg(2, &name) && a.InBytes(3, &value) &&
           a.Flags(4, &flags));
  PATH_OK(name);
  XATTR_TARGET(at);
  return Ret(env, t.follow ? ::setxattr(t.path, name.s, value.data, value.len, int(flags)) : ::lsetxattr(t.path, name.s, value.data, value.len, int(flags)));
}

// listxattr(dirfd, path, out|null) → the length of the NUL-separated names; with no out, the size.
Napi::Value Listxattr(const Napi::CallbackInfo& info) {
  ARGS_AT("listxattr");
  Out out;
  CHECK_AT(a.OutBytes(2, &out, true));
  XATTR_TARGET(at);
  char* o = reinterpret_cast<char*>(out.data);
  return Ret(env, t.follow ? ::listxattr(t.path, o, out.len) : ::llistxattr(t.path, o, out.len));
}

Napi::Value Removexattr(const Napi::CallbackInfo& info) {
  ARGS_AT("removexattr");
  Path name;
  CHECK_AT(a.PathArg(2, &name));
  PATH_OK(name);
  XATTR_TARGET(at);
  return Ret(env, t.follow ? ::removexattr(t.path, name.s) : ::lremovexattr(t.path, name.s));
}


}  // namespace sys
}  // namespace rxfuse
