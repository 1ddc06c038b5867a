// Module entry: the Session class and the layout constants lib/layout.ts checks itself against.
#include <napi.h>
#include <unistd.h>

#include "layout.h"
#include "session.h"
#include "sys.h"

namespace rxfuse {

static Napi::Object Layout(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("SLOT_BYTES", double(SLOT_BYTES));
  o.Set("HEADER_FIELDS", double(HEADER_FIELDS));
  o.Set("VAR_OFFSET", double(VAR_OFFSET));
  o.Set("VAR_NAME", double(VAR_NAME));
  o.Set("VAR_NAME2", double(VAR_NAME2));
  o.Set("FORGET_PAIRS_MAX", double(FORGET_PAIRS_MAX));
  o.Set("OP_COUNT", double(OP_COUNT));
  o.Set("F_FIELD_COUNT", double(F_FIELD_COUNT));
  o.Set("S_FIELD_COUNT", double(S_FIELD_COUNT));
  o.Set("S_STAT", double(S_STAT));
  o.Set("S_FI", double(S_FI));
  o.Set("S_STATFS", double(S_STATFS));
  o.Set("S_LOCK", double(S_LOCK));
  o.Set("S_CONN", double(S_CONN));
  o.Set("ST_FIELD_COUNT", double(ST_FIELD_COUNT));
  o.Set("C_FIELD_COUNT", double(C_FIELD_COUNT));
  o.Set("D_FIELD_COUNT", double(D_FIELD_COUNT));
  o.Set("F_ATTR_GID", double(F_ATTR_GID));
  o.Set("RECV_BYTES", double(RecvBufferBytes()));
  return o;
}

}  // namespace rxfuse

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("Session", rxfuse::Session::Define(env));
  exports.Set("layout", rxfuse::Layout(env));
  exports.Set("sys", rxfuse::DefineSys(env));
  exports.Set("fuseVersion", Napi::Number::New(env, fuse_version()));
  return exports;
}

NODE_API_MODULE(rxfuse, InitModule)
