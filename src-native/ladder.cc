// @internal, benchmark only: the ablation ladder's steps 1-3 (docs/performance.md). setLadder(step, fn)
// before mount() swaps the session's fuse_lowlevel_ops for the table below, so a normal mount never
// runs any of this (no branch in its path). The receive loop (receive_loop.cc) is the same; each
// request is then answered by LadderFs (benchfs in C) instead of being decoded into a slot for JS:
//   1: answered natively, no JS call;
//   2: + one JS call per request (fn(n), as dispatch(slot)), still answered natively;
//   3: + the reply made from JS: fn calls ladderReply(), which answers the request through N-API.
#include <cstring>
#include <memory>

#include "ladder_fs.h"
#include "session.h"

namespace rxfuse {

namespace {

#define LADDER_OP(OP, INO, ...)            \
  LadderCall c;                           \
  c.req = req;                            \
  c.op = OP;                              \
  c.ino = INO;                            \
  __VA_ARGS__;                            \
  Session::From(req)->LadderServe(&c);

void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) { LADDER_OP(OP_LOOKUP, parent, c.name = name); }
void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) { LADDER_OP(OP_GETATTR, ino, (void)0); }
void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info*) {
  LADDER_OP(OP_SETATTR, ino, c.attr = attr; c.toSet = to_set);
}
void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { LADDER_OP(OP_OPEN, ino, c.fi = fi); }
void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  LADDER_OP(OP_READ, ino, c.size = size; c.off = off);
}
void write(fuse_req_t req, fuse_ino_t ino, const char*, size_t size, off_t off, fuse_file_info*) {
  LADDER_OP(OP_WRITE, ino, c.size = size; c.off = off);
}
void flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) { LADDER_OP(OP_FLUSH, ino, (void)0); }
void release(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) { LADDER_OP(OP_RELEASE, ino, (void)0); }
void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { LADDER_OP(OP_OPENDIR, ino, c.fi = fi); }
void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  LADDER_OP(OP_READDIR, ino, c.size = size; c.off = off);
}
void releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) { LADDER_OP(OP_RELEASEDIR, ino, (void)0); }
void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  LADDER_OP(OP_CREATE, parent, c.name = name; c.mode = mode; c.fi = fi);
}
void unlink(fuse_req_t req, fuse_ino_t parent, const char* name) { LADDER_OP(OP_UNLINK, parent, c.name = name); }

#undef LADDER_OP

}  // namespace

// What benchfs implements of the ladder's workloads; forget stays NULL as in step 4 (no registry):
// libfuse answers it. init stays the session's own.
void InstallLadderOps(fuse_lowlevel_ops* ops) {
  auto init = ops->init;
  memset(ops, 0, sizeof(*ops));
  ops->init = init;
  ops->lookup = lookup;
  ops->getattr = getattr;
  ops->setattr = setattr;
  ops->open = open;
  ops->read = read;
  ops->write = write;
  ops->flush = flush;
  ops->release = release;
  ops->opendir = opendir;
  ops->readdir = readdir;
  ops->releasedir = releasedir;
  ops->create = create;
  ops->unlink = unlink;
}

void Session::LadderServe(LadderCall* call) {
  if (ladderStep_ >= 2) {
    ladderPending_ = call;
    napi_value n;
    napi_create_int32(env_, int32_t(seq_++), &n);
    CallJs(ladderFn_, {n});  // step 3: calls ladderReply()
    ladderPending_ = nullptr;
    if (!call->req) return;
  }
  ladderFs_->Answer(*call);
}

// setLadder(step 1..3, fn): before mount() only.
Napi::Value Session::SetLadder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int step = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  if (step < 1 || step > 3 || info.Length() < 2 || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "setLadder(step 1..3, fn) expected").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (se_ || closed_) {
    Napi::Error::New(env, "setLadder: before mount() only").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ladderStep_ = step;
  ladderFn_ = Napi::Persistent(info[1].As<Napi::Function>());
  ladderFs_ = std::make_unique<LadderFs>();
  InstallLadderOps(&ops_);
  return env.Undefined();
}

// ladderReply(): answers the request the ladder's JS call is for (step 3); false when there is none.
Napi::Value Session::LadderReply(const Napi::CallbackInfo& info) {
  LadderCall* call = ladderPending_;
  if (!call || !call->req) return Napi::Boolean::New(info.Env(), false);
  ladderFs_->Answer(*call);
  call->req = nullptr;
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace rxfuse
