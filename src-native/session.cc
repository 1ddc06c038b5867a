// Session lifecycle: construction, mount, the JS-facing methods, requests in slots, teardown (see
// session.h). The receive loop is in receive_loop.cc, the busy-poll in spin_policy.cc.
#include "session.h"

#include "mount_log.h"
#include "watcher.h"

#include <fcntl.h>
#include <linux/fuse.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace rxfuse {

void InstallOps(const std::vector<int>& implemented, fuse_lowlevel_ops* ops);  // decoders.cc

// new Session(mountpoint, args, implementedOps, slots, recvBufs, scratch, dispatch, onEvent, watcher,
//             largeFiles)
// watcher: the rxfuse-watch program to start per mount, or "" for none. largeFiles: offsets and sizes
// beyond 2^53 reach JS (exactly) instead of being answered here.
Session::Session(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Session>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (info.Length() < 10 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsArray() ||
      !info[3].IsArrayBuffer() || !info[4].IsArray() || !info[5].IsTypedArray() || !info[6].IsFunction() ||
      !info[7].IsFunction() || !info[8].IsString() || !info[9].IsBoolean()) {
    Napi::TypeError::New(env, "Session: bad arguments").ThrowAsJavaScriptException();
    return;
  }
  mountpoint_ = info[0].As<Napi::String>().Utf8Value();
  watcherProgram_ = info[8].As<Napi::String>().Utf8Value();
  Napi::Array args = info[1].As<Napi::Array>();
  args_.push_back("rxfuse");
  for (uint32_t i = 0; i < args.Length(); i++) args_.push_back(args.Get(i).As<Napi::String>().Utf8Value());

  Napi::Array impl = info[2].As<Napi::Array>();
  std::vector<int> implemented;
  for (uint32_t i = 0; i < impl.Length(); i++) implemented.push_back(impl.Get(i).As<Napi::Number>().Int32Value());
  InstallOps(implemented, &ops_);
  WireRawOps(implemented);

  Napi::ArrayBuffer slots = info[3].As<Napi::ArrayBuffer>();
  size_t nslots = slots.ByteLength() / SLOT_BYTES;
  if (nslots == 0) {
    Napi::RangeError::New(env, "Session: slot buffer too small").ThrowAsJavaScriptException();
    return;
  }
  slotsRef_ = Napi::Persistent(slots);
  slots_ = static_cast<uint8_t*>(slots.Data());
  slotTable_.resize(nslots);
  for (size_t i = nslots; i > 0; i--) freeSlots_.push_back(int(i - 1));

  // Receive buffers hold libfuse's whole bufsize at the offset that page-aligns write payloads.
  recvSize_ = RecvReadBytes();
  Napi::Array bufs = info[4].As<Napi::Array>();
  for (uint32_t i = 0; i < bufs.Length(); i++) {
    Napi::Value v = bufs.Get(i);
    if (!v.IsBuffer() || v.As<Napi::Buffer<uint8_t>>().Length() < RecvBufferBytes()) {
      Napi::RangeError::New(env, "Session: receive buffers must hold " + std::to_string(RecvBufferBytes()) + " bytes")
          .ThrowAsJavaScriptException();
      return;
    }
    Napi::Buffer<uint8_t> b = v.As<Napi::Buffer<uint8_t>>();
    recvRefs_.push_back(Napi::Persistent(b));
    recvMem_.push_back(b.Data());
    recvReadAt_.push_back(b.Data() + RecvReadOffset(b.Data()));
    recvPins_.push_back(0);
  }
  if (recvMem_.empty()) {
    Napi::RangeError::New(env, "Session: at least one receive buffer is needed").ThrowAsJavaScriptException();
    return;
  }
  Napi::Float64Array scratch = info[5].As<Napi::Float64Array>();
  if (scratch.ElementLength() < size_t(S_FIELD_COUNT)) {
    Napi::RangeError::New(env, "Session: scratch too small").ThrowAsJavaScriptException();
    return;
  }
  scratchRef_ = Napi::Persistent(scratch);
  scratch_ = scratch.Data();
  for (int i = 0; i < C_FIELD_COUNT; i++) connWish_[i] = scratch_[S_CONN + i];
  dispatch_ = Napi::Persistent(info[6].As<Napi::Function>());
  onEvent_ = Napi::Persistent(info[7].As<Napi::Function>());
  largeFiles_ = info[9].As<Napi::Boolean>().Value();
  napi_value resource = Napi::Object::New(env);
  resourceRef_ = Napi::Persistent(Napi::Object(env, resource));
  napi_value name = Napi::String::New(env, "rxfuse.Session");
  napi_async_init(env, resource, name, &asyncCtx_);
  InstallDirectMethods(env, info.This().As<Napi::Object>());
}

Session::~Session() {
  *self_ = nullptr;  // the reply functions may outlive this object
  if (!closed_) Teardown(false);
  if (asyncCtx_) napi_async_destroy(env_, asyncCtx_);
}

// A failed mount throws once with what libfuse (or fusermount3) said, and leaves nothing: the
// session is destroyed, no fd, no child, no poll handle, no reference.
Napi::Value Session::Mount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (se_ || closed_) {
    Napi::Error::New(env, "Session: already mounted or closed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  MountLog log;
  std::vector<char*> argv;
  for (auto& a : args_) argv.push_back(const_cast<char*>(a.c_str()));
  fuse_args fargs = FUSE_ARGS_INIT(int(argv.size()), argv.data());
  se_ = fuse_session_new(&fargs, &ops_, sizeof(ops_), this);
  fuse_opt_free_args(&fargs);
  if (!se_) return FailMount(env, "bad options", log.Finish());
  // The canonical path, as /proc/self/mountinfo will show it: resolved before the mount, since
  // afterwards resolving it could ask this very filesystem, which is not served yet.
  char real[PATH_MAX];
  std::string canonical = realpath(mountpoint_.c_str(), real) ? real : mountpoint_;
  if (fuse_session_mount(se_, mountpoint_.c_str()) != 0) return FailMount(env, "failed", log.Finish());
  mounted_ = true;
  pt_.Want(connWish_[C_PASSTHROUGH] != 0);
  if (int err = Passthrough::Install(se_); err != 0) {
    fuse_session_unmount(se_);
    mounted_ = false;
    return FailMount(env, "failed: cannot install the io hooks", strerror(-err));
  }
  log.Forward();
  if (!watcherProgram_.empty()) {
    Watcher w;
    std::string why;
    if (!StartWatcher(watcherProgram_, canonical, &w, &why)) {
      fuse_session_unmount(se_);
      mounted_ = false;
      return FailMount(env, "failed: cannot start the unmount watcher", why);
    }
    watcherFd_ = w.fd;
    watcherPid_ = w.pid;
  }
  {
    std::unique_lock<std::shared_timed_mutex> lock(notifyLock_);
    notifyAlive_ = true;
  }
  int fd = fuse_session_fd(se_);
  int fl = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  poll_ = new uv_poll_t;
  uv_poll_init(loop, poll_, fd);
  poll_->data = this;
  napi_add_env_cleanup_hook(env, CleanupHook, this);
  Ref();  // the JS object stays alive while mounted
  UpdatePolling();
  if (!referenced_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return Napi::Number::New(env, fd);
}

Napi::Value Session::FailMount(Napi::Env env, const char* what, const std::string& said) {
  if (se_) fuse_session_destroy(se_);  // also closes the device fd, if libfuse had opened one
  se_ = nullptr;
  closed_ = true;
  std::string msg = "mount " + mountpoint_ + " " + what + ": " + (said.empty() ? "libfuse gave no reason" : said);
  Napi::Error::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value Session::Close(const Napi::CallbackInfo& info) {
  if (closed_) return Napi::Boolean::New(info.Env(), false);
  if (inDrain_) {
    closeRequested_ = true;  // finished once the request being processed returns
    return Napi::Boolean::New(info.Env(), true);
  }
  Teardown(true);
  return Napi::Boolean::New(info.Env(), true);
}

Napi::Value Session::JsRef(const Napi::CallbackInfo& info) {
  referenced_ = true;
  if (poll_) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value Session::JsUnref(const Napi::CallbackInfo& info) {
  referenced_ = false;
  if (poll_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

// setLoop(budget, spinMicroseconds, adaptive): the fairness budget and the busy-poll.
Napi::Value Session::SetLoop(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) {
    int b = info[0].As<Napi::Number>().Int32Value();
    budget_ = b < 1 ? 1 : b;
  }
  int64_t spinNs = spin_.SpinNs();
  if (info.Length() > 1 && info[1].IsNumber()) {
    double us = info[1].As<Napi::Number>().DoubleValue();
    spinNs = us > 0 ? int64_t(us * 1000) : 0;
  }
  spin_.Configure(spinNs, info.Length() > 2 ? info[2].ToBoolean().Value() : spin_.Adaptive());
  return info.Env().Undefined();
}

Napi::Value Session::LoopStats(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("spins", double(spin_.Spins()));
  o.Set("spinHits", double(spin_.Hits()));
  o.Set("spinning", spin_.Spinning());
  return o;
}

Napi::Value Session::Conn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!conn_) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("protoMajor", conn_->proto_major);
  o.Set("protoMinor", conn_->proto_minor);
  o.Set("maxWrite", conn_->max_write);
  o.Set("maxRead", conn_->max_read);
  o.Set("maxReadahead", conn_->max_readahead);
  o.Set("capable", conn_->capable);
  o.Set("want", conn_->want);
  o.Set("maxBackground", conn_->max_background);
  o.Set("congestionThreshold", conn_->congestion_threshold);
  o.Set("timeGran", conn_->time_gran);
  o.Set("passthrough", pt_.Granted());
  return o;
}

// backingOpen(fd): a backing id (> 0) for an open or create reply, or -errno (-EPERM: passthrough
// not granted, or refused by the kernel, which turns it off for the mount).
Napi::Value Session::BackingOpen(const Napi::CallbackInfo& info) { return BackingCall(info, "backingOpen: fd", &Passthrough::Open); }

// backingClose(id): 0 or -errno.
Napi::Value Session::BackingClose(const Napi::CallbackInfo& info) { return BackingCall(info, "backingClose: id", &Passthrough::Close); }

Napi::Value Session::BackingCall(const Napi::CallbackInfo& info, const char* what, int (Passthrough::*call)(int, int)) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, std::string(what) + " expected").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!se_ || closed_) return Napi::Number::New(env, -ENOTCONN);
  return Napi::Number::New(env, (pt_.*call)(fuse_session_fd(se_), info[0].As<Napi::Number>().Int32Value()));
}

Napi::Value Session::PassthroughStats(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("offered", pt_.Offered());
  o.Set("granted", pt_.Granted());
  o.Set("refused", pt_.Refused());
  o.Set("live", double(pt_.Live()));
  o.Set("opened", double(pt_.Opened()));
  o.Set("closed", double(pt_.Closed()));
  o.Set("spliceSends", double(pt_.SpliceSends()));
  return o;
}

Napi::Value Session::BusySlots(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(slotTable_.size() - freeSlots_.size()));
}

// detachPayload(slot): JS copied the request's payload (a write waiting its turn); unpin its
// receive buffer so that waiting writes do not stop the session from reading other requests.
Napi::Value Session::DetachPayload(const Napi::CallbackInfo& info) {
  int slot = info[0].As<Napi::Number>().Int32Value();
  if (slot >= 0 && size_t(slot) < slotTable_.size()) {
    Slot& sl = slotTable_[slot];
    if (sl.Busy() && sl.recvBuf >= 0) {
      recvPins_[sl.recvBuf]--;
      sl.recvBuf = -1;
      Header(slot)[F_DATA_BUF] = -1;
      if (!inDrain_) UpdatePolling();
    }
  }
  return info.Env().Undefined();
}

// ---- requests -------------------------------------------------------------------------------

int Session::Begin(fuse_req_t req, int op, fuse_ino_t ino) {
  if (freeSlots_.empty()) {  // cannot happen: ReceiveOne only reads with a free slot
    fuse_reply_err(req, EBUSY);
    return -1;
  }
  const fuse_ctx* ctx = fuse_req_ctx(req);
  int slot = TakeSlot(op, ino, ctx->uid, ctx->gid, ctx->pid, ctx->umask);
  slotTable_[slot].req = req;
  return slot;
}

int Session::TakeSlot(int op, fuse_ino_t ino, uid_t uid, gid_t gid, pid_t pid, mode_t umask) {
  int slot = freeSlots_.back();
  freeSlots_.pop_back();
  Slot& sl = slotTable_[slot];
  sl.recvBuf = -1;
  sl.gen++;
  double* h = Header(slot);
  h[F_OP] = op;
  h[F_GEN] = sl.gen;
  h[F_SEQ] = double(++seq_);
  h[F_UID] = uid;
  h[F_GID] = gid;
  h[F_PID] = pid;
  h[F_UMASK] = umask;
  h[F_INO] = double(ino);
  h[F_FH] = -1;
  h[F_DATA_BUF] = -1;
  h[F_INTERRUPTED] = 0;
  return slot;
}

bool Session::CopyName(int slot, size_t off, int lenField, const char* name, size_t max) {
  size_t len = strnlen(name, max + 1);
  if (len > max) {
    AnswerErr(slot, ENAMETOOLONG);
    return false;
  }
  memcpy(Var(slot, off), name, len);
  Header(slot)[lenField] = double(len);
  return true;
}

void Session::NoteUnique(int slot, uint32_t opcode) {
  Slot& sl = slotTable_[size_t(slot)];
  sl.unique = 0;
  if (curRecv_ < 0) return;
  fuse_in_header in;
  memcpy(&in, recvReadAt_[size_t(curRecv_)], sizeof(in));
  if (in.opcode == opcode) sl.unique = in.unique;
}

void Session::PinPayload(int slot, const void* data, size_t len) {
  double* h = Header(slot);
  if (len == 0 || curRecv_ < 0) {
    h[F_DATA_BUF] = -1;
    h[F_DATA_LEN] = 0;
    return;
  }
  const uint8_t* base = recvMem_[curRecv_];
  const uint8_t* p = static_cast<const uint8_t*>(data);
  h[F_DATA_BUF] = curRecv_;
  h[F_DATA_OFF] = double(p - base);
  h[F_DATA_LEN] = double(len);
  slotTable_[slot].recvBuf = curRecv_;
  recvPins_[curRecv_]++;
}

static void OnInterrupt(fuse_req_t req, void* data) {
  // Called by libfuse with the request's lock held: only record it; JS hears of it after
  // fuse_session_process_buf returns (ProcessInterrupts).
  Session* s = Session::From(req);
  s->NoteInterrupt(int(reinterpret_cast<intptr_t>(data)), req);
}

void Session::NoteInterrupt(int slot, fuse_req_t req) {
  if (slot < 0 || size_t(slot) >= slotTable_.size() || slotTable_[slot].req != req) return;
  Header(slot)[F_INTERRUPTED] = 1;
  interrupted_.push_back(slot);
}

void Session::Dispatch(int slot) {
  uint32_t gen = slotTable_[slot].gen;
  DispatchNoReply(slot);
  Slot& sl = slotTable_[slot];
  if (sl.req && sl.gen == gen && !closed_) {  // raw ops: TakeRawInterrupt
    // Left for later: the kernel may interrupt it meanwhile.
    fuse_req_interrupt_func(sl.req, OnInterrupt, reinterpret_cast<void*>(intptr_t(slot)));
  }
}

void Session::DispatchNoReply(int slot) {
  if (!jsAllowed_ || dispatch_.IsEmpty()) return;  // empty: after Teardown
  napi_value arg;
  napi_create_int32(env_, slot, &arg);
  CallJs(drainDispatch_ != nullptr ? drainDispatch_ : napi_value(dispatch_.Value()), {arg});
}

void Session::FinishNoReply(int slot) {
  fuse_reply_none(slotTable_[slot].req);
  Free(slot);
}

void Session::Abort(int slot, int err) {
  if (err != 0 || slotTable_[slot].rawUnique) {
    AnswerErr(slot, err);
    return;
  }
  fuse_reply_buf(slotTable_[slot].req, nullptr, 0);
  Free(slot);
}

void Session::Free(int slot) {
  Slot& sl = slotTable_[slot];
  sl.req = nullptr;
  if (sl.rawUnique) {
    sl.rawUnique = 0;
    rawInFlight_--;
  }
  if (sl.recvBuf >= 0) {
    recvPins_[sl.recvBuf]--;
    sl.recvBuf = -1;
  }
  freeSlots_.push_back(slot);
  if (!inDrain_) UpdatePolling();
}

void Session::OnInit(fuse_conn_info* conn) {
  conn_ = conn;
  const double* w = connWish_;
  // At most what a receive buffer holds after the headers (recvbuf.h).
  if (w[C_MAX_WRITE] >= 0) conn->max_write = unsigned(std::min(w[C_MAX_WRITE], double(RecvPayloadBytes())));
  if (w[C_MAX_READ] >= 0) conn->max_read = unsigned(w[C_MAX_READ]);
  if (w[C_MAX_READAHEAD] >= 0) conn->max_readahead = unsigned(w[C_MAX_READAHEAD]);
  if (w[C_MAX_BACKGROUND] >= 0) conn->max_background = unsigned(w[C_MAX_BACKGROUND]);
  if (w[C_CONGESTION] >= 0) conn->congestion_threshold = unsigned(w[C_CONGESTION]);
  if (w[C_TIME_GRAN] >= 0) conn->time_gran = unsigned(w[C_TIME_GRAN]);
  if (w[C_WANT_SET] > 0) conn->want |= unsigned(w[C_WANT_SET]) & conn->capable;
  if (w[C_WANT_CLEAR] > 0) conn->want &= ~unsigned(w[C_WANT_CLEAR]);
  initPending_ = true;
}

uint64_t Session::AddPollHandle(fuse_pollhandle* ph) {
  uint64_t id = nextPollId_++;
  pollHandles_[id] = ph;
  return id;
}

Napi::Value Session::PollNotify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto it = pollHandles_.find(uint64_t(info[0].As<Napi::Number>().Int64Value()));
  if (it == pollHandles_.end() || closed_) return Napi::Number::New(env, -EBADF);
  return Napi::Number::New(env, fuse_lowlevel_notify_poll(it->second));
}

Napi::Value Session::PollDestroy(const Napi::CallbackInfo& info) {
  auto it = pollHandles_.find(uint64_t(info[0].As<Napi::Number>().Int64Value()));
  if (it != pollHandles_.end()) {
    fuse_pollhandle_destroy(it->second);
    pollHandles_.erase(it);
  }
  return info.Env().Undefined();
}

Napi::Value Session::Getgroups(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int slot;
  if (!SlotArg(info, &slot)) return env.Undefined();
  fuse_req_t req = slotTable_[size_t(slot)].req;
  std::vector<gid_t> groups(64);
  int n;
  if (!req) {
    n = RawGetgroups(pid_t(Header(slot)[F_PID]), &groups);  // a raw op: libfuse has no request to ask
  } else {
    n = fuse_req_getgroups(req, int(groups.size()), groups.data());
    if (n > int(groups.size())) {
      groups.resize(size_t(n));
      n = fuse_req_getgroups(req, int(groups.size()), groups.data());
    }
  }
  if (n < 0) return Napi::Number::New(env, n);
  Napi::Array a = Napi::Array::New(env, size_t(n));
  for (int i = 0; i < n && i < int(groups.size()); i++) a.Set(uint32_t(i), Napi::Number::New(env, groups[size_t(i)]));
  return a;
}

void Session::ReportError(const char* what, int err) {
  if (!jsAllowed_) return;
  Napi::Env envScope(env_);
  Napi::HandleScope scope(envScope);
  napi_value a[3];
  napi_create_string_utf8(env_, "error", NAPI_AUTO_LENGTH, &a[0]);
  napi_create_string_utf8(env_, what, NAPI_AUTO_LENGTH, &a[1]);
  napi_create_int32(env_, err, &a[2]);
  CallJs(onEvent_, {a[0], a[1], a[2]});
}

void Session::Teardown(bool callJs) {
  if (closed_) return;
  closed_ = true;
  jsAllowed_ = callJs;
  if (poll_) {
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
    polling_ = false;
  }
  if (se_) {
    // Requests still in flight: answer them EIO (which also frees them in libfuse) while the
    // device fd is still open: fuse_session_unmount() closes it, after which the replies fail
    // with EBADF ("fuse: writing device") and the callers get ECONNABORTED instead.
    for (size_t i = 0; i < slotTable_.size(); i++) {
      if (slotTable_[i].Busy()) {
        Slot& sl = slotTable_[i];
        if (sl.rawUnique)
          SendRaw(sl.rawUnique, EIO, nullptr, 0);
        else
          fuse_reply_err(sl.req, EIO);
        sl.req = nullptr;
        sl.rawUnique = 0;
        sl.gen++;
        // Stale for JS too: a late reply from its handler is dropped, a field read throws. Only while
        // JS may run (the slots' ArrayBuffer may be gone at environment teardown).
        if (callJs) Header(int(i))[F_GEN] = -1;
      }
    }
    rawInFlight_ = 0;
    // No worker may use the session from here on (waits for a notification in progress).
    bool quiet = StopNotifications(callJs);
    if (mounted_) pt_.CloseAll(fuse_session_fd(se_));
    if (mounted_) fuse_session_unmount(se_);
    if (watcherFd_ >= 0) {
      // The unmount is done: say so, so that the watcher leaves at EOF without looking (a new mount
      // at the mountpoint may already carry this one's mount id and device number).
      if (mounted_) {
        ssize_t w;
        do w = write(watcherFd_, &kUnmountedByte, 1);
        while (w < 0 && errno == EINTR);
      }
      close(watcherFd_);
      watcherFd_ = -1;
    }
    if (watcherPid_ > 0) {
      // Our child: reap it once it is gone, off this thread.
      int pid = watcherPid_;
      std::thread([pid] { waitpid(pid, nullptr, 0); }).detach();
      watcherPid_ = -1;
    }
    for (auto& kv : pollHandles_) fuse_pollhandle_destroy(kv.second);
    pollHandles_.clear();
    conn_ = nullptr;
    if (quiet) {
      fuse_session_destroy(se_);
    } else {
      fprintf(stderr, "rxfuse: a notification is still blocked in the kernel; leaking its session\n");
    }
    se_ = nullptr;
    napi_remove_env_cleanup_hook(env_, CleanupHook, this);
  }
  bool wasMounted = mounted_;
  mounted_ = false;
  if (callJs) {
    Napi::Env envScope(env_);
  Napi::HandleScope scope(envScope);
    napi_value kind;
    napi_create_string_utf8(env_, "closed", NAPI_AUTO_LENGTH, &kind);
    CallJs(onEvent_, {kind});
  }
  // The last call into JS: the two callbacks reach the Fuse that holds this object, so keeping
  // them would keep both (and the request and receive buffers) alive after unmount.
  dispatch_.Reset();
  onEvent_.Reset();
  if (wasMounted) Unref();
}

void Session::CleanupHook(void* arg) {
  // The environment is going away (process exit, worker termination): unmount without JS.
  static_cast<Session*>(arg)->Teardown(false);
}

Napi::Function Session::Define(Napi::Env env) {
  return DefineClass(env, "Session",
                     {
                         InstanceMethod<&Session::Mount>("mount"),
                         InstanceMethod<&Session::Close>("close"),
                         InstanceMethod<&Session::JsRef>("ref"),
                         InstanceMethod<&Session::JsUnref>("unref"),
                         InstanceMethod<&Session::SetLoop>("setLoop"),
                         InstanceMethod<&Session::LoopStats>("loopStats"),
                         InstanceMethod<&Session::Conn>("conn"),
                         InstanceMethod<&Session::Getgroups>("getgroups"),
                         InstanceMethod<&Session::PollNotify>("pollNotify"),
                         InstanceMethod<&Session::PollDestroy>("pollDestroy"),
                         InstanceMethod<&Session::BusySlots>("busySlots"),
                         InstanceMethod<&Session::DetachPayload>("detachPayload"),
                         InstanceMethod<&Session::Notify>("notify"),
                         InstanceMethod<&Session::BackingOpen>("backingOpen"),
                         InstanceMethod<&Session::BackingClose>("backingClose"),
                         InstanceMethod<&Session::PassthroughStats>("passthroughStats"),
                         InstanceMethod<&Session::SetLadder>("setLadder"),
                         // The reply methods are each session's own (InstallDirectMethods, direct_calls.cc).
                     });
}

}  // namespace rxfuse
