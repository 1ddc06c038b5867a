// The reply methods, called once or more per request, as own functions of each session object that
// reach their session through the function's data, not as prototype methods: node-addon-api's
// InstanceMethod unwraps the receiver on every call (napi_unwrap and a private-symbol lookup, about
// 1,000 instructions, a tenth of a stat's user-space cost; docs/performance.md, "Instructions per
// request"). The data holds the session weakly (Session::self_, cleared by its destructor), so a
// reply function kept past its session throws instead of touching freed memory.
#include "session.h"

namespace rxfuse {

const Session::DirectMethod Session::kDirectMethods[] = {
    {"replyErr", &Session::ReplyErr},           {"replyEntry", &Session::ReplyEntry},
    {"replyCreate", &Session::ReplyCreate},     {"replyAttr", &Session::ReplyAttr},
    {"replyReadlink", &Session::ReplyReadlink}, {"replyOpen", &Session::ReplyOpen},
    {"replyWrite", &Session::ReplyWrite},       {"replyBuf", &Session::ReplyBuf},
    {"replyFd", &Session::ReplyFd},             {"replyStatfs", &Session::ReplyStatfs},
    {"replyXattr", &Session::ReplyXattr},       {"replyLock", &Session::ReplyLock},
    {"replyBmap", &Session::ReplyBmap},         {"replyIoctl", &Session::ReplyIoctl},
    {"replyPoll", &Session::ReplyPoll},         {"replyLseek", &Session::ReplyLseek},
    {"replyDirents", &Session::ReplyDirents},   {"replyStatx", &Session::ReplyStatx},
    {"replyTmpfile", &Session::ReplyTmpfile},
    {"ladderReply", &Session::LadderReply},  // the ablation ladder's step 3 replies as the real ones do
};

namespace {

// One reply function's data: its session (while it lives) and its method. Freed with the function.
struct Bound {
  std::shared_ptr<Session*> session;
  Session::Method method;
};

Napi::Value CallBound(const Napi::CallbackInfo& info) {
  const Bound* b = static_cast<const Bound*>(info.Data());
  Session* s = *b->session;
  if (s == nullptr) {
    Napi::Error::New(info.Env(), "Session: the session is gone").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return (s->*b->method)(info);
}

}  // namespace

void Session::InstallDirectMethods(Napi::Env env, Napi::Object self) {
  for (const DirectMethod& m : kDirectMethods) {
    auto bound = std::make_unique<Bound>(Bound{self_, m.method});
    Napi::Function fn = Napi::Function::New<CallBound>(env, m.name, bound.get());
    fn.AddFinalizer([](Napi::Env, Bound* b) { delete b; }, bound.release());
    self.Set(m.name, fn);
  }
}

}  // namespace rxfuse
