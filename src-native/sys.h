// fd-relative system calls for lib/sys.ts (openat, fstatat, mkdirat, renameat2, xattrs, getdents64, ...).
#pragma once

#include <napi.h>

namespace rxfuse {

// The `sys` export of the addon: one function per syscall, plus `constants` and `layout`.
Napi::Object DefineSys(Napi::Env env);

}  // namespace rxfuse
