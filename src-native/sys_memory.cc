// sys: memory. Where a buffer's first aligned address is (copies O_DIRECT accepts), and handing the
// C heap's free pages back to the system.
#include <malloc.h>

#include <cstdint>

#include "sys.h"
#include "sys_args.h"

namespace rxfuse {
namespace sys {

// alignGap(bytes, align) → how many bytes from the start of `bytes` to its first address that is a
// multiple of `align` (a power of two up to 1 MiB); for copies O_DIRECT accepts (lib/sys.ts alignedCopy).
Napi::Value AlignGap(const Napi::CallbackInfo& info) {
  ARGS("alignGap");
  In bytes;
  int64_t align = 0;
  CHECK(a.InBytes(0, &bytes) && a.Int(1, 1, 1 << 20, &align));
  if ((align & (align - 1)) != 0) {
    a.Fail(1, "a power of two expected");
    return env.Undefined();
  }

  uintptr_t mis = reinterpret_cast<uintptr_t>(bytes.data) & uintptr_t(align - 1);
  return Napi::Number::New(env, double(mis == 0 ? 0 : uintptr_t(align) - mis));
}

// mallocTrim() → 1 when memory went back to the system, 0 when none could: glibc's malloc_trim(0)
// returns the free pages of every arena, not only the top of the heap (free() trims only that).
Napi::Value MallocTrim(const Napi::CallbackInfo& info) {
#ifdef __GLIBC__
  return Napi::Number::New(info.Env(), malloc_trim(0));
#else
  return Napi::Number::New(info.Env(), 0);
#endif
}


}  // namespace sys
}  // namespace rxfuse
