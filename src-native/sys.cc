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
//
// The functions live by concept in sys_fds.cc (descriptors, file handles, the fd limit), sys_meta.cc,
// sys_names.cc, sys_data.cc, sys_xattr.cc, sys_creds.cc and sys_memory.cc, on the argument preamble
// of sys_args.h; this file sets them on the `sys` object from the table sys_fns.def, with the
// platform's constants.
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sys.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

namespace rxfuse {

namespace {

// One wrapper of the `sys` object.
struct SysFn {
  const char* name;
  Napi::Value (*fn)(const Napi::CallbackInfo&);
};

// Each wrapper, set on the `sys` object under its name.
const SysFn kSysFns[] = {
#define RXFUSE_SYS_FN(jsName, Fn) {#jsName, sys::Fn},
#include "sys_fns.def"
#undef RXFUSE_SYS_FN
};

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

}  // namespace

Napi::Object DefineSys(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  for (const SysFn& f : kSysFns) o.Set(f.name, Napi::Function::New(env, f.fn, f.name));
  o.Set("constants", Constants(env));
  o.Set("layout", sys::StatLayout(env));
  return o;
}

}  // namespace rxfuse
