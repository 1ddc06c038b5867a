// fd-relative system calls for lib/sys.ts (openat, fstatat, mkdirat, renameat2, xattrs, getdents64, ...).
#pragma once

#include <napi.h>

namespace rxfuse {

// The `sys` export of the addon: one function per syscall, plus `constants` and `layout`.
Napi::Object DefineSys(Napi::Env env);

namespace sys {

// The functions of the `sys` object, each defined in the sys_*.cc of its concept (sys_fns.def).
#define RXFUSE_SYS_FN(jsName, Fn) Napi::Value Fn(const Napi::CallbackInfo& info);
#include "sys_fns.def"
#undef RXFUSE_SYS_FN

// The `layout` object: the stat and statvfs field indices (sys_meta.cc).
Napi::Object StatLayout(Napi::Env env);

}  // namespace sys

}  // namespace rxfuse
