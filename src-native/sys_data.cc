// sys: data. A file's size and contents: truncate (an empty path: the fd's inode through /proc),
// ftruncate, fallocate, lseek (exact beyond 2^53 - 1), pwrite at a bigint offset, copy_file_range.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "layout.h"
#include "sys.h"
#include "sys_args.h"

namespace rxfuse {
namespace sys {

// truncate(dirfd, path, size). Empty path: the fd's inode through /proc (O_PATH fds have no
// ftruncate); else opened without following a final symlink.
Napi::Value Truncate(const Napi::CallbackInfo& info) {
  ARGS_AT("truncate");
  int64_t size = 0;
  CHECK_AT(a.Off(2, &size));
  if (at.p.empty()) {
    PROC_LINK(proc, at.fd);
    return Ret(env, ::truncate(proc.s, off_t(size)));
  }
  int f = ::openat(at.fd, at.p.s, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (f < 0) return Err(env, -errno);
  int r = ::ftruncate(f, off_t(size));
  int e = errno;
  ::close(f);
  return Err(env, r < 0 ? -e : 0);
}

Napi::Value Ftruncate(const Napi::CallbackInfo& info) {
  ARGS_FD("ftruncate");
  int64_t size = 0;
  CHECK_FD(a.Off(1, &size));
  return Ret(env, ::ftruncate(fd, off_t(size)));
}

// fallocate(fd, mode, offset, length): mode is FALLOC_FL_* bits.
Napi::Value Fallocate(const Napi::CallbackInfo& info) {
  ARGS_FD("fallocate");
  int64_t mode = 0, off = 0, len = 0;
  CHECK_FD(a.Flags(1, &mode) && a.Off(2, &off) && a.Off(3, &len));
  return Ret(env, ::fallocate(fd, int(mode), off_t(off), off_t(len)));
}

// lseek(fd, offset, whence) → the new offset: a number, a bigint beyond 2^53 - 1. offset may be a bigint.
Napi::Value Lseek(const Napi::CallbackInfo& info) {
  ARGS_FD("lseek");
  int64_t off = 0, whence = 0;
  CHECK_FD(a.Off(1, &off) && a.Int(2, 0, 4, &whence));
  off_t r = ::lseek(fd, off_t(off), int(whence));
  if (r < 0) return Err(env, -errno);
  if (uint64_t(r) > kMaxSafeU64) return Napi::BigInt::New(env, int64_t(r));
  return Napi::Number::New(env, double(r));
}

// pwrite(fd, buf, offset) → bytes written. lib/sys.ts uses it for bigint offsets, which Node's
// fs.writeSync ignores (it writes at the file position instead).
Napi::Value Pwrite(const Napi::CallbackInfo& info) {
  ARGS_FD("pwrite");
  In buf;
  int64_t off = 0;
  CHECK_FD(a.InBytes(1, &buf) && a.Off(2, &off));
  return Ret(env, ::pwrite(fd, buf.data, buf.len, off_t(off)));
}

// copyFileRange(fdIn, offIn, fdOut, offOut, length, flags) → bytes copied; offset -1: the file position.
Napi::Value CopyFileRange(const Napi::CallbackInfo& info) {
  ARGS("copyFileRange");
  int fin = -1, fout = -1;
  int64_t oin = 0, oout = 0, len = 0, flags = 0;
  CHECK(a.Fd(0, &fin) && a.Off(1, &oin) && a.Fd(2, &fout) && a.Off(3, &oout) && a.Off(4, &len) &&
        a.Flags(5, &flags));
  loff_t in = loff_t(oin), out = loff_t(oout);
  return Ret(env, ::copy_file_range(fin, oin < 0 ? nullptr : &in, fout, oout < 0 ? nullptr : &out, size_t(len),
                                    unsigned(flags)));
}


}  // namespace sys
}  // namespace rxfuse
