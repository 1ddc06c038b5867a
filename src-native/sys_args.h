// The argument preamble every sys_*.cc wrapper shares: reading and checking its JS arguments (a
// TypeError for a wrong type or range, never a crash), the -errno result convention, the /proc magic
// link of an fd. (The wrappers are set on the addon's `sys` object from the table sys_fns.def.)
//
// A wrapper is then a few lines:
//   Napi::Value Fchmodat(const Napi::CallbackInfo& info) {
//     ARGS_AT("fchmodat");                     // `at`: the (dirfd, path) of arguments 0 and 1
//     int64_t mode = 0, flags = 0;
//     CHECK_AT(a.Int(2, 0, 07777, &mode) && a.Flags(3, &flags));
//     return Ret(env, ::fchmodat(at.fd, at.p.s, mode_t(mode), int(flags)));
//   }
#pragma once

#include <linux/limits.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include <napi.h>

namespace rxfuse {
namespace sys {

constexpr double kMaxSafe = 9007199254740991.0;

// A NUL-terminated copy of a path (or name) argument. err: -EINVAL (NUL inside), -ENAMETOOLONG.
struct Path {
  char s[PATH_MAX + 64];
  size_t len = 0;
  int err = 0;
  bool empty() const { return len == 0; }
};

// The (dirfd, path) pair of the *at calls.
struct At {
  int fd = -1;
  Path p;
};

// A Uint8Array the call reads.
struct In {
  const uint8_t* data = nullptr;
  size_t len = 0;
};

// A Uint8Array the call writes into; data is nullptr when none was given (where that is allowed).
struct Out {
  uint8_t* data = nullptr;
  size_t len = 0;
};

// Reads arguments; each reader returns false after throwing a TypeError into JS
// ("<fn>: argument <i>: <what>").
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn) : info_(info), env_(info.Env()), fn_(fn) {}
  Napi::Env env() const { return env_; }

  bool Fail(size_t i, const char* what);
  // An integer number in [lo, hi].
  bool Int(size_t i, double lo, double hi, int64_t* out);
  // A file descriptor, or AT_FDCWD.
  bool Fd(size_t i, int* fd);
  // A file descriptor at i and a path relative to it at i + 1.
  bool AtArg(size_t i, At* at) { return Fd(i, &at->fd) && PathArg(i + 1, &at->p); }
  // Flags: an integer in [0, INT_MAX].
  bool Flags(size_t i, int64_t* out) { return Int(i, 0, 0x7fffffff, out); }
  // An offset or size: a safe integer number, or a bigint (they can use all 63 bits, directory
  // offsets all 64).
  bool Off(size_t i, int64_t* out);
  // A Uint8Array (nullable: undefined or null give nullptr, 0).
  bool Bytes(size_t i, const uint8_t** data, size_t* len, bool nullable);
  bool InBytes(size_t i, In* in) { return Bytes(i, &in->data, &in->len, false); }
  // A Uint8Array the call writes into.
  bool OutBytes(size_t i, Out* out, bool nullable);
  // A path or name; an invalid one sets p->err (an errno result, not a TypeError).
  bool PathArg(size_t i, Path* p);
  // A Float64Array of at least `min` elements the call writes its fields into.
  bool F64(size_t i, size_t min, double** out);
  bool Groups(size_t i, std::vector<gid_t>* out);

 private:
  const Napi::CallbackInfo& info_;
  Napi::Env env_;
  const char* fn_;
};

// The result of a system call: its value, or -errno. Reads errno before anything else runs.
Napi::Value Ret(Napi::Env env, long r);

inline Napi::Value Err(Napi::Env env, int negErrno) { return Napi::Number::New(env, negErrno); }

inline Napi::Value Zero(Napi::Env env) { return Napi::Number::New(env, 0); }

// "/proc/self/fd/N" or "/proc/self/fd/N/rest": the fd's magic link. False when it would not fit.
bool ProcPath(int fd, const char* rest, char* out, size_t size);

// The magic link of an fd (ok: it fit), for the calls that reach an O_PATH fd's inode through /proc.
struct ProcLink {
  char s[64];
  bool ok;
  explicit ProcLink(int fd) : ok(ProcPath(fd, nullptr, s, sizeof s)) {}
};

}  // namespace sys
}  // namespace rxfuse

// The preamble: `a` reads the arguments of the call NAME, `env` is its environment.
#define ARGS(NAME) \
  ::rxfuse::sys::Args a(info, NAME); \
  Napi::Env env = a.env();
// Returns (a TypeError pending) when an argument reader failed.
#define CHECK(EXPR) \
  if (!(EXPR)) return env.Undefined();
// Returns the errno result of an invalid path argument.
#define PATH_OK(P) \
  if ((P).err) return ::rxfuse::sys::Err(env, (P).err);
// The preamble of a call on (dirfd, path) at arguments 0 and 1: `a`, `env` and `at`.
#define ARGS_AT(NAME) \
  ARGS(NAME)          \
  ::rxfuse::sys::At at;
// Reads `at`, then the arguments EXPR reads (returning on a TypeError), then returns the errno
// result of an invalid path: the order of CHECK then PATH_OK.
#define CHECK_AT(EXPR)             \
  CHECK(a.AtArg(0, &at) && (EXPR)) \
  PATH_OK(at.p)
// The preamble of a call on a file descriptor at argument 0: `a`, `env` and `fd`.
#define ARGS_FD(NAME) \
  ARGS(NAME)          \
  int fd = -1;
// Reads `fd`, then the arguments EXPR reads (true: none), returning on a TypeError.
#define CHECK_FD(EXPR) CHECK(a.Fd(0, &fd) && (EXPR))
// Declares VAR, the magic link of FD; returns -EBADF when it does not fit.
#define PROC_LINK(VAR, FD) \
  ::rxfuse::sys::ProcLink VAR(FD); \
  if (!VAR.ok) return ::rxfuse::sys::Err(env, -EBADF);
