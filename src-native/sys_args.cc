// The argument readers and result helpers of sys_args.h.
#include "sys_args.h"

#include <fcntl.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

namespace rxfuse {
namespace sys {

bool Args::Fail(size_t i, const char* what) {
  std::string msg = std::string(fn_) + ": argument " + std::to_string(i) + ": " + what;
  Napi::TypeError::New(env_, msg).ThrowAsJavaScriptException();
  return false;
}

bool Args::Int(size_t i, double lo, double hi, int64_t* out) {
  if (i >= info_.Length() || !info_[i].IsNumber()) return Fail(i, "number expected");
  double d = info_[i].As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi) || std::trunc(d) != d) return Fail(i, "integer out of range");
  *out = int64_t(d);
  return true;
}

bool Args::Fd(size_t i, int* fd) {
  int64_t v;
  if (!Int(i, -100, 2147483647.0, &v)) return false;
  if (v < 0 && v != AT_FDCWD) return Fail(i, "file descriptor expected");
  *fd = int(v);
  return true;
}

bool Args::Off(size_t i, int64_t* out) {
  if (i < info_.Length() && info_[i].IsBigInt()) {
    bool lossless = false;
    *out = info_[i].As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) return Fail(i, "bigint out of the int64 range");
    return true;
  }
  return Int(i, -kMaxSafe, kMaxSafe, out);
}

bool Args::Bytes(size_t i, const uint8_t** data, size_t* len, bool nullable) {
  if (nullable && (i >= info_.Length() || info_[i].IsUndefined() || info_[i].IsNull())) {
    *data = nullptr;
    *len = 0;
    return true;
  }
  if (i >= info_.Length() || !info_[i].IsTypedArray() ||
      info_[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    return Fail(i, "Buffer or Uint8Array expected");
  }
  Napi::Uint8Array u = info_[i].As<Napi::Uint8Array>();
  *data = u.Data();
  *len = u.ByteLength();
  return true;
}

bool Args::OutBytes(size_t i, Out* out, bool nullable) {
  const uint8_t* d;
  if (!Bytes(i, &d, &out->len, nullable)) return false;
  out->data = const_cast<uint8_t*>(d);
  return true;
}

bool Args::PathArg(size_t i, Path* p) {
  const uint8_t* d;
  size_t n;
  if (!Bytes(i, &d, &n, false)) return false;
  if (n >= PATH_MAX) {
    p->err = -ENAMETOOLONG;
    return true;
  }
  if (memchr(d, 0, n)) {
    p->err = -EINVAL;
    return true;
  }
  memcpy(p->s, d, n);
  p->s[n] = 0;
  p->len = n;
  return true;
}

bool Args::F64(size_t i, size_t min, double** out) {
  if (i >= info_.Length() || !info_[i].IsTypedArray() ||
      info_[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info_[i].As<Napi::Float64Array>().ElementLength() < min) {
    return Fail(i, "Float64Array of the layout's size expected");
  }
  *out = info_[i].As<Napi::Float64Array>().Data();
  return true;
}

bool Args::Groups(size_t i, std::vector<gid_t>* out) {
  if (i >= info_.Length() || !info_[i].IsArray()) return Fail(i, "array of group ids expected");
  Napi::Array a = info_[i].As<Napi::Array>();
  if (a.Length() > 65536) return Fail(i, "too many groups");
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) return Fail(i, "group ids must be numbers");
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 4294967294.0) || std::trunc(d) != d) return Fail(i, "group id out of range");
    out->push_back(gid_t(d));
  }
  return true;
}

Napi::Value Ret(Napi::Env env, long r) {
  double v = r < 0 ? -double(errno) : double(r);
  return Napi::Number::New(env, v);
}

bool ProcPath(int fd, const char* rest, char* out, size_t size) {
  int n = rest ? snprintf(out, size, "/proc/self/fd/%d/%s", fd, rest) : snprintf(out, size, "/proc/self/fd/%d", fd);
  return n > 0 && size_t(n) < size;
}

}  // namespace sys
}  // namespace rxfuse
