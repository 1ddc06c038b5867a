// The receive loop (see session.h): libuv reports the session fd readable, Drain() receives and
// processes requests until EAGAIN or the fairness budget, each one decoded (decoders.cc) into a slot and
// handed to JS synchronously; after a drain that emptied the fd, the spin policy may busy-poll it.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "mount_log.h"
#include "session.h"

namespace rxfuse {

namespace {
napi_value Undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}
}  // namespace

void Session::CallJs(Napi::FunctionReference& fn, std::initializer_list<napi_value> args) {
  if (!jsAllowed_ || fn.IsEmpty()) return;  // empty: after Teardown
  CallJs(fn.Value(), args);
}

void Session::CallJs(napi_value fn, std::initializer_list<napi_value> args) {
  napi_value result;
  napi_status st = napi_call_function(env_, Undefined(env_), fn, args.size(), args.begin(), &result);
  if (st != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env_, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env_, &err);
      // The lib's dispatch catches everything; reaching this is a bug in rxfuse itself. Report it
      // on stderr rather than crash the process that serves the mount.
      napi_value str;
      size_t len = 0;
      char buf[512] = {0};
      if (napi_coerce_to_string(env_, err, &str) == napi_ok)
        napi_get_value_string_utf8(env_, str, buf, sizeof(buf), &len);
      fprintf(stderr, "rxfuse: internal error in JS callback: %s\n", buf);
    }
  }
}

void Session::OnPoll(uv_poll_t* handle, int status, int events) {
  (void)events;
  Session* s = static_cast<Session*>(handle->data);
  if (status < 0) {
    // POLLERR: libuv stopped the watcher. Normally the session was unmounted from outside; the
    // next read says so (ENODEV) and the drain closes the session.
    s->polling_ = false;
    s->pollFailed_ = status;
  }
  s->Drain();
}

void Session::Drain() {
  for (;;) {
    if (closed_) return;
    napi_handle_scope hs;
    napi_open_handle_scope(env_, &hs);
    napi_callback_scope cs;
    napi_open_callback_scope(env_, resourceRef_.Value(), asyncCtx_, &cs);
    inDrain_ = true;
    drainDispatch_ = dispatch_.IsEmpty() ? nullptr : napi_value(dispatch_.Value());
    drained_ = false;
    for (int n = 0; n < budget_ && !closeRequested_; n++) {
      if (!ReceiveOne()) break;
    }
    inDrain_ = false;
    drainDispatch_ = nullptr;
    if (pollFailed_ && !closeRequested_) {
      ReportError("poll", -pollFailed_);
      closeRequested_ = true;
    }
    if (closeRequested_) Teardown(true);
    // Closing the callback scope runs process.nextTick callbacks and microtasks: async handlers
    // whose promises resolved meanwhile reply here.
    napi_close_callback_scope(env_, cs);
    napi_close_handle_scope(env_, hs);
    if (closed_) return;
    UpdatePolling();
    // Only after a drain that emptied the fd (not one cut by the budget or by back-pressure).
    if (!drained_ || !polling_ || !spin_.Wait(fuse_session_fd(se_))) return;
  }
}

int Session::PickRecvBuf() {
  for (size_t i = 0; i < recvPins_.size(); i++)
    if (recvPins_[i] == 0) return int(i);
  return -1;
}

bool Session::ReceiveOne() {
  if (freeSlots_.empty()) return false;
  int b = PickRecvBuf();
  if (b < 0) return false;
  fuse_buf buf;
  memset(&buf, 0, sizeof(buf));
  buf.mem = recvReadAt_[size_t(b)];
  buf.size = recvSize_;
  int res = fuse_session_receive_buf(se_, &buf);
  if (res == -EINTR) return true;
  if (res == -EAGAIN) {
    drained_ = true;
    return false;
  }
  if (res <= 0 || fuse_session_exited(se_)) {
    if (res < 0 && res != -ENODEV) ReportError("receive", -res);
    closeRequested_ = true;  // unmounted from outside (ENODEV) or the channel broke
    return false;
  }
  // No handle scope of its own: the drain's holds the few handles a request makes (its slot
  // argument, the call's result), at most budget_ requests' worth. N-API allocates a scope on the
  // heap, about 250 instructions per request opened and closed (performance.md, fifth session).
  curRecv_ = b;
  // Until INIT is done, what libfuse logs is kept: it says why INIT was refused.
  std::unique_ptr<MountLog> initLog(conn_ == nullptr ? new MountLog : nullptr);
  if (!ReceiveRaw(static_cast<const uint8_t*>(buf.mem), size_t(res))) fuse_session_process_buf(se_, &buf);
  curRecv_ = -1;
  std::string said = initLog ? initLog->Finish() : std::string();
  if (!interrupted_.empty()) ProcessInterrupts();
  if (initPending_ && fuse_session_exited(se_)) {
    // libfuse refused INIT after init() ran (EPROTO, e.g. max_read differing from the mount
    // option): the mount is unusable; closing it makes mount() reject instead of resolving.
    initPending_ = false;
    ReportError(("INIT refused" + (said.empty() ? "" : " (" + said + ")")).c_str(), EPROTO);
    closeRequested_ = true;
  } else if (initLog) {
    initLog->Forward();
  }
  if (initPending_) {
    initPending_ = false;
    napi_value kind;
    napi_create_string_utf8(env_, "init", NAPI_AUTO_LENGTH, &kind);
    CallJs(onEvent_, {kind});
  }
  return true;
}

void Session::UpdatePolling() {
  if (!poll_ || closed_) return;
  bool want = !freeSlots_.empty() && PickRecvBuf() >= 0;
  if (want && !polling_) {
    uv_poll_start(poll_, UV_READABLE, OnPoll);
    polling_ = true;
  } else if (!want && polling_) {
    uv_poll_stop(poll_);
    polling_ = false;
  }
}

void Session::ProcessInterrupts() {
  std::vector<int> list;
  list.swap(interrupted_);
  for (int slot : list) {
    if (!slotTable_[slot].Busy()) continue;
    napi_value a[3];
    napi_create_string_utf8(env_, "interrupt", NAPI_AUTO_LENGTH, &a[0]);
    napi_create_int32(env_, slot, &a[1]);
    napi_create_uint32(env_, slotTable_[slot].gen, &a[2]);
    CallJs(onEvent_, {a[0], a[1], a[2]});
  }
}

}  // namespace rxfuse
