// fd-relative system calls for lib/sys.ts (openat, fstatat, mkdirat, renameat2, xattrs, getdents64, ...).
#pragma once

#include <napi.h>

namespace rxfuse {

// The `sys` export of the addon: one function per syscall, plus `constants` and `layout`.
Napi::Object DefineSys(Napi::Env env);

namespace sys {

// Each sys_*.cc sets its concept's functions on the `sys` object.
void AddDescriptors(Napi::Env env, Napi::Object o);  // sys_fds.cc: open, close, dup, file handles, fd limit
void AddMetadata(Napi::Env env, Napi::Object o);     // sys_meta.cc: stat, statvfs, chmod, chown, utimens, access
void AddNames(Napi::Env env, Napi::Object o);        // sys_names.cc: mkdir, mknod, symlink, readlink, unlink, rename, link, getdents
void AddData(Napi::Env env, Napi::Object o);         // sys_data.cc: truncate, fallocate, lseek, pwrite, copy_file_range
void AddXattrs(Napi::Env env, Napi::Object o);       // sys_xattr.cc
void AddCreds(Napi::Env env, Napi::Object o);        // sys_creds.cc: the calling thread's fs ids and groups
void AddMemory(Napi::Env env, Napi::Object o);       // sys_memory.cc: alignment gap, malloc_trim

// The `layout` object: the stat and statvfs field indices (sys_meta.cc).
Napi::Object StatLayout(Napi::Env env);

}  // namespace sys

}  // namespace rxfuse
