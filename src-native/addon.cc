// Module entry: the Session class, and the layout (geometry, op names, named indices) that
// lib/layout.ts checks itself against.
#include <napi.h>
#include <unistd.h>

#include <utility>

#include "layout.h"
#include "session.h"
#include "sys.h"

namespace rxfuse {

namespace {

using Names = std::initializer_list<std::pair<const char*, int>>;

// One group of named indices: {name: index}.
Napi::Object Group(Napi::Env env, Names names) {
  Napi::Object o = Napi::Object::New(env);
  for (const auto& n : names) o.Set(n.first, double(n.second));
  return o;
}

// The op names in op-code order (op_table.def): names[i] is op code i + 1.
Napi::Array OpNames(Napi::Env env) {
  static const char* const names[] = {
#define RXFUSE_OP(CODE, member, jsName) #jsName,
#define RXFUSE_RAW_OP(CODE, opcode, jsName) #jsName,
#include "op_table.def"
#undef RXFUSE_RAW_OP
#undef RXFUSE_OP
  };
  Napi::Array a = Napi::Array::New(env, OP_COUNT - 1);
  for (uint32_t i = 0; i < uint32_t(OP_COUNT - 1); i++) a.Set(i, names[i]);
  return a;
}

// Every named index of layout.h, by group (lib/layout.ts has the same groups and names).
Napi::Object Fields(Napi::Env env) {
#define RXFUSE_ITEM(PREFIX, N) {#N, PREFIX##N},
#define RXFUSE_VALUED_ITEM(PREFIX, N, V) RXFUSE_ITEM(PREFIX, N)
  Napi::Object o = Napi::Object::New(env);
  o.Set("F", Group(env, {RXFUSE_SLOT_FIELDS(RXFUSE_F) RXFUSE_F(FIELD_COUNT)}));
  o.Set("S", Group(env, {RXFUSE_SCRATCH_FIELDS(RXFUSE_S)}));
  o.Set("ST", Group(env, {RXFUSE_STAT_FIELDS(RXFUSE_ST) RXFUSE_ST(FIELD_COUNT)}));
  o.Set("FI", Group(env, {RXFUSE_FILE_INFO_FIELDS(RXFUSE_FI) RXFUSE_FI(FIELD_COUNT)}));
  o.Set("SF", Group(env, {RXFUSE_STATFS_FIELDS(RXFUSE_SF) RXFUSE_SF(FIELD_COUNT)}));
  o.Set("LK", Group(env, {RXFUSE_LOCK_FIELDS(RXFUSE_LK) RXFUSE_LK(FIELD_COUNT)}));
  o.Set("C", Group(env, {RXFUSE_CONN_FIELDS(RXFUSE_C) RXFUSE_C(FIELD_COUNT)}));
  o.Set("SX", Group(env, {RXFUSE_STATX_FIELDS(RXFUSE_SX) RXFUSE_SX(FIELD_COUNT)}));
  o.Set("D", Group(env, {RXFUSE_DIRENT_FIELDS(RXFUSE_D)}));
#undef RXFUSE_VALUED_ITEM
#undef RXFUSE_ITEM
  return o;
}

}  // namespace

static Napi::Object Layout(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("SLOT_BYTES", double(SLOT_BYTES));
  o.Set("HEADER_FIELDS", double(HEADER_FIELDS));
  o.Set("VAR_OFFSET", double(VAR_OFFSET));
  o.Set("VAR_NAME", double(VAR_NAME));
  o.Set("VAR_NAME2", double(VAR_NAME2));
  o.Set("FORGET_PAIRS_MAX", double(FORGET_PAIRS_MAX));
  o.Set("RECV_BYTES", double(RecvBufferBytes()));
  o.Set("ops", OpNames(env));
  o.Set("fields", Fields(env));
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
