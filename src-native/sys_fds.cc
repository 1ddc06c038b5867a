// sys: descriptors. Opening (also an O_PATH fd's inode again, through /proc), duplicating and
// closing fds; kernel file handles, which name an inode without holding an fd; the fd limit.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sys.h"
#include "sys_args.h"

namespace rxfuse {
namespace sys {

// openat(dirfd, path, flags, mode) → fd. Empty path: reopens the fd's inode through /proc.
Napi::Value Openat(const Napi::CallbackInfo& info) {
  ARGS_AT("openat");
  int64_t flags = 0, mode = 0;
  CHECK_AT(a.Int(2, 0, 4294967295.0, &flags) && a.Int(3, 0, 07777, &mode));
  if (at.p.empty()) {
    PROC_LINK(proc, at.fd);
    return Ret(env, ::open(proc.s, int(uint32_t(flags)), mode_t(mode)));
  }
  return Ret(env, ::openat(at.fd, at.p.s, int(uint32_t(flags)), mode_t(mode)));
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  ARGS_FD("close");
  CHECK_FD(true);
  return Ret(env, ::close(fd));
}

// dup(fd) → a new fd (close-on-exec).
Napi::Value Dup(const Napi::CallbackInfo& info) {
  ARGS_FD("dup");
  CHECK_FD(true);
  return Ret(env, ::fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

//
// A file handle names an inode without holding it open (name_to_handle_at), and opens it again later
// (open_by_handle_at, which needs CAP_DAC_READ_SEARCH and an fd on the same mount). The bytes given
// to JS are the handle's type (4 bytes, host order) followed by f_handle.

#ifndef AT_HANDLE_MNT_ID_UNIQUE
#define AT_HANDLE_MNT_ID_UNIQUE 0x001
#endif

constexpr size_t kHandleHeader = sizeof(int);

namespace {

// A struct file_handle with room for the largest handle (MAX_HANDLE_SZ bytes).
class HandleBuf {
 public:
  struct file_handle* get() { return reinterpret_cast<struct file_handle*>(storage_); }

 private:
  alignas(struct file_handle) unsigned char storage_[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

}  // namespace

// nameToHandleAt(dirfd, path, flags, out, idOut) → the handle's length in out (type + bytes);
// idOut[0] = the mount id, idOut[1] = 1 when it is the unique 64-bit id (kernel 6.12+), else 0.
// flags: AT_EMPTY_PATH, AT_SYMLINK_FOLLOW. -EOVERFLOW: out is too small.
Napi::Value NameToHandleAt(const Napi::CallbackInfo& info) {
  ARGS_AT("nameToHandleAt");
  int64_t flags = 0;
  Out out;
  double* id = nullptr;
  CHECK_AT(a.Flags(2, &flags) && a.OutBytes(3, &out, false) &&
           a.F64(4, 2, &id));
  int allowed = AT_EMPTY_PATH | AT_SYMLINK_FOLLOW;
  if (flags & ~int64_t(allowed)) return Err(env, -EINVAL);
  HandleBuf buf;
  struct file_handle* h = buf.get();
  h->handle_bytes = MAX_HANDLE_SZ;
  uint64_t unique = 0;
  long r = syscall(SYS_name_to_handle_at, at.fd, at.p.s, h, &unique, int(flags) | AT_HANDLE_MNT_ID_UNIQUE);
  bool isUnique = r == 0;
  int plain = 0;
  if (r < 0 && errno == EINVAL) {  // a kernel before 6.12: the plain (reusable) mount id
    h->handle_bytes = MAX_HANDLE_SZ;
    r = syscall(SYS_name_to_handle_at, at.fd, at.p.s, h, &plain, int(flags));
  }
  if (r < 0) return Err(env, -errno);
  size_t n = kHandleHeader + h->handle_bytes;
  if (n > out.len) return Err(env, -EOVERFLOW);
  int type = h->handle_type;
  memcpy(out.data, &type, kHandleHeader);
  memcpy(out.data + kHandleHeader, h->f_handle, h->handle_bytes);
  id[0] = isUnique ? double(unique) : double(plain);
  id[1] = isUnique ? 1 : 0;
  return Napi::Number::New(env, double(n));
}

// openByHandleAt(mountfd, handle, flags) → a new fd (O_CLOEXEC added) on the inode the handle names.
// -ESTALE: the inode is gone. -EINVAL: not a handle's bytes.
Napi::Value OpenByHandleAt(const Napi::CallbackInfo& info) {
  ARGS_FD("openByHandleAt");
  In handle;
  int64_t flags = 0;
  CHECK_FD(a.InBytes(1, &handle) && a.Int(2, 0, 0xffffffff, &flags));
  if (handle.len < kHandleHeader || handle.len - kHandleHeader > MAX_HANDLE_SZ) return Err(env, -EINVAL);
  HandleBuf buf;
  struct file_handle* h = buf.get();
  int type = 0;
  memcpy(&type, handle.data, kHandleHeader);
  h->handle_type = type;
  h->handle_bytes = unsigned(handle.len - kHandleHeader);
  memcpy(h->f_handle, handle.data + kHandleHeader, handle.len - kHandleHeader);
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
  return Zero(env);
}


}  // namespace sys
}  // namespace rxfuse
