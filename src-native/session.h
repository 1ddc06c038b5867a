// One mounted FUSE session, served on the JS thread: session.cc (lifecycle, mount, JS-facing
// methods, slots), receive_loop.cc, replies.cc, notify.cc; decoding in decoders.cc.
//
// The session fd is non-blocking and polled by libuv; when it is readable, drain() receives and
// processes requests until EAGAIN (or a fairness budget), each one decoded into a slot and handed
// to JS synchronously. Replies may come at once or later; the slot and, for payload-carrying
// requests, the receive buffer stay reserved until then. When no slot or receive buffer is free,
// polling stops (back-pressure) and resumes when a reply frees one.
#pragma once

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ladder_fs.h"
#include "layout.h"
#include "passthrough.h"
#include "recvbuf.h"
#include "spin_policy.h"

namespace rxfuse {

struct Slot {
  fuse_req_t req = nullptr;
  uint64_t rawUnique = 0;  // a raw op's kernel unique (raw_ops.cc); req is then null
  int recvBuf = -1;  // receive buffer pinned by this request's payload
  uint64_t unique = 0;  // the kernel's id of an open or create request (NoteUnique), else 0
  uint32_t gen = 0;
  bool Busy() const { return req != nullptr || rawUnique != 0; }
};

class Session : public Napi::ObjectWrap<Session> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Session(const Napi::CallbackInfo& info);
  ~Session() override;

  // Called from the static fuse_lowlevel_ops callbacks (decoders.cc).
  static Session* From(fuse_req_t req) { return static_cast<Session*>(fuse_req_userdata(req)); }
  double* Header(int slot) { return reinterpret_cast<double*>(slots_ + size_t(slot) * SLOT_BYTES); }
  uint8_t* Var(int slot, size_t off) { return slots_ + size_t(slot) * SLOT_BYTES + off; }
  // Takes a free slot for req and fills the common header; -1 (req answered) if none is free.
  int Begin(fuse_req_t req, int op, fuse_ino_t ino);
  bool CopyName(int slot, size_t off, int lenField, const char* name, size_t max);
  void PinPayload(int slot, const void* data, size_t len);
  // Keeps the kernel's unique of the request being decoded, if it has that opcode (open, create:
  // the reply may need a passthrough patch).
  void NoteUnique(int slot, uint32_t opcode);
  Passthrough& passthrough() { return pt_; }
  // Offsets and sizes beyond 2^53 - 1 go to JS exactly (true), or are answered natively (false).
  bool LargeFiles() const { return largeFiles_; }
  // Hands the slot to JS. For ops without a reply (forget), the slot is freed afterwards.
  void Dispatch(int slot);
  void DispatchNoReply(int slot);
  void FinishNoReply(int slot);
  // Answers a request natively without entering JS (err 0: an empty data reply).
  void Abort(int slot, int err);
  // Answers errno err (0: success) to a libfuse or raw request and frees the slot; libfuse's result.
  int AnswerErr(int slot, int err);
  void NoteInterrupt(int slot, fuse_req_t req);
  void OnInit(fuse_conn_info* conn);
  uint64_t AddPollHandle(fuse_pollhandle* ph);
  // Notifications (notify.cc).
  int RunNotify(const std::function<int(fuse_session*)>& fn);  // on a worker thread
  void FailRetrieve(uint64_t cookie, int result);
  void OnRetrieveReply(fuse_req_t req, void* cookie, fuse_ino_t ino, off_t off, fuse_bufvec* bufv);
  void NotifyDone() { Unref(); }
  // @internal, benchmark only: the ablation ladder's steps 1-3 (ladder.cc); answers call->req once.
  void LadderServe(LadderCall* call);

  // The reply methods, as direct_calls.cc installs them on each session object.
  using Method = Napi::Value (Session::*)(const Napi::CallbackInfo&);
  struct DirectMethod {
    const char* name;
    Method method;
  };
  static const DirectMethod kDirectMethods[];

 private:
  // JS-facing methods.
  Napi::Value Mount(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value JsRef(const Napi::CallbackInfo& info);
  Napi::Value JsUnref(const Napi::CallbackInfo& info);
  Napi::Value SetLoop(const Napi::CallbackInfo& info);
  Napi::Value LoopStats(const Napi::CallbackInfo& info);
  Napi::Value Conn(const Napi::CallbackInfo& info);
  Napi::Value Getgroups(const Napi::CallbackInfo& info);
  Napi::Value PollNotify(const Napi::CallbackInfo& info);
  Napi::Value PollDestroy(const Napi::CallbackInfo& info);
  Napi::Value BusySlots(const Napi::CallbackInfo& info);
  Napi::Value DetachPayload(const Napi::CallbackInfo& info);
  Napi::Value Notify(const Napi::CallbackInfo& info);
  Napi::Value BackingOpen(const Napi::CallbackInfo& info);
  Napi::Value BackingClose(const Napi::CallbackInfo& info);
  Napi::Value PassthroughStats(const Napi::CallbackInfo& info);
  Napi::Value BackingCall(const Napi::CallbackInfo& info, const char* what, int (Passthrough::*call)(int, int));
  // An open or create reply: passes the file through when the scratch names a backing id.
  int ReplyOpenLike(int slot, const std::function<int()>& reply);
  bool StopNotifications(bool callJs);
  Napi::Value SetLadder(const Napi::CallbackInfo& info);    // ladder.cc
  Napi::Value LadderReply(const Napi::CallbackInfo& info);  // ladder.cc
  // Installs kDirectMethods as own functions of `self` (direct_calls.cc).
  void InstallDirectMethods(Napi::Env env, Napi::Object self);
  // This session while it lives, nullptr after: what the direct methods call through.
  std::shared_ptr<Session*> self_ = std::make_shared<Session*>(this);

  // Replies (replies.cc). Each takes the slot first and returns libfuse's result (0 or -errno).
  Napi::Value ReplyErr(const Napi::CallbackInfo& info);
  Napi::Value ReplyEntry(const Napi::CallbackInfo& info);
  Napi::Value ReplyCreate(const Napi::CallbackInfo& info);
  Napi::Value ReplyAttr(const Napi::CallbackInfo& info);
  Napi::Value ReplyReadlink(const Napi::CallbackInfo& info);
  Napi::Value ReplyOpen(const Napi::CallbackInfo& info);
  Napi::Value ReplyWrite(const Napi::CallbackInfo& info);
  Napi::Value ReplyBuf(const Napi::CallbackInfo& info);
  Napi::Value ReplyFd(const Napi::CallbackInfo& info);
  Napi::Value ReplyStatfs(const Napi::CallbackInfo& info);
  Napi::Value ReplyXattr(const Napi::CallbackInfo& info);
  Napi::Value ReplyLock(const Napi::CallbackInfo& info);
  Napi::Value ReplyBmap(const Napi::CallbackInfo& info);
  Napi::Value ReplyIoctl(const Napi::CallbackInfo& info);
  Napi::Value ReplyPoll(const Napi::CallbackInfo& info);
  Napi::Value ReplyLseek(const Napi::CallbackInfo& info);
  Napi::Value ReplyDirents(const Napi::CallbackInfo& info);
  Napi::Value ReplyStatx(const Napi::CallbackInfo& info);  // raw_ops.cc
  Napi::Value ReplyTmpfile(const Napi::CallbackInfo& info);  // raw_ops.cc
  bool RawSlotArg(const Napi::CallbackInfo& info, int op, const char* wrongOp, int* slot);
  // A raw request's caller's supplementary groups into *groups (as fuse_req_getgroups: from /proc);
  // their count, or -errno.
  static int RawGetgroups(pid_t pid, std::vector<gid_t>* groups);

  // Ops libfuse 3.14 does not know (raw_ops.cc).
  void WireRawOps(const std::vector<int>& implemented);
  // A raw op with a handler, or an interrupt of one in flight: taken (true), else for libfuse.
  bool ReceiveRaw(const uint8_t* mem, size_t len);
  bool TakeRawInterrupt(const uint8_t* arg, size_t len);
  int SendRaw(uint64_t unique, int err, const void* arg, size_t argLen);

  // The busy slot named by info[0]; false (and a pending JS error) if it is not busy.
  bool SlotArg(const Napi::CallbackInfo& info, int* slotOut);
  // The libfuse request of that slot; nullptr (and a pending JS error) if the slot is not busy or
  // holds a raw op. A reply calls Free() afterwards.
  fuse_req_t Take(const Napi::CallbackInfo& info, int* slotOut);
  // Takes a free slot (there is one) and fills the common header.
  int TakeSlot(int op, fuse_ino_t ino, uid_t uid, gid_t gid, pid_t pid, mode_t umask);
  Napi::Value Finish(Napi::Env env, int slot, int res);
  // The reply whose one argument after the slot is a number (write, xattr: a size; bmap: a block).
  template <typename T>
  Napi::Value ReplyNumber(const Napi::CallbackInfo& info, int (*reply)(fuse_req_t, T));
  void Free(int slot);

  // The receive loop (receive_loop.cc).
  static void OnPoll(uv_poll_t* handle, int status, int events);
  void Drain();
  bool ReceiveOne();  // the receive step: false when nothing more is to be read now
  int PickRecvBuf();
  void UpdatePolling();
  void ProcessInterrupts();
  void Teardown(bool callJs);
  Napi::Value FailMount(Napi::Env env, const char* what, const std::string& said);
  static void CleanupHook(void* arg);
  void ReportError(const char* what, int err);
  void CallJs(Napi::FunctionReference& fn, std::initializer_list<napi_value> args);
  void CallJs(napi_value fn, std::initializer_list<napi_value> args);

  fuse_session* se_ = nullptr;
  std::string mountpoint_;
  std::vector<std::string> args_;
  fuse_lowlevel_ops ops_{};
  // Memory owned by JS (kept alive by references).
  Napi::Reference<Napi::ArrayBuffer> slotsRef_;
  uint8_t* slots_ = nullptr;
  std::vector<Slot> slotTable_;
  std::vector<int> freeSlots_;
  std::vector<Napi::Reference<Napi::Buffer<uint8_t>>> recvRefs_;
  std::vector<uint8_t*> recvMem_;     // the JS buffers (payload offsets are relative to these)
  std::vector<uint8_t*> recvReadAt_;  // where requests are read in them (recvbuf.h)
  std::vector<int> recvPins_;
  size_t recvSize_ = 0;
  int curRecv_ = -1;  // the receive buffer being processed, -1 outside ReceiveOne
  Napi::Reference<Napi::Float64Array> scratchRef_;
  double* scratch_ = nullptr;
  // JS callbacks.
  Napi::FunctionReference dispatch_;
  Napi::FunctionReference onEvent_;  // (kind, a, b): "init", "interrupt", "closed", "error"
  Napi::ObjectReference resourceRef_;
  napi_async_context asyncCtx_ = nullptr;
  double connWish_[C_FIELD_COUNT] = {0};
  uint64_t seq_ = 0;
  std::vector<char> dirBuf_;
  napi_env env_ = nullptr;

  uv_poll_t* poll_ = nullptr;
  bool polling_ = false;
  bool referenced_ = true;
  bool mounted_ = false;
  std::string watcherProgram_;  // rxfuse-watch, or empty: no watcher
  int watcherFd_ = -1;          // our end of the watcher's pipe
  int watcherPid_ = -1;
  bool closed_ = false;
  bool largeFiles_ = false;
  bool closeRequested_ = false;
  bool inDrain_ = false;
  // The dispatch function, taken once per drain in the drain's handle scope (nullptr outside one):
  // each request's call then skips a reference lookup.
  napi_value drainDispatch_ = nullptr;
  bool initPending_ = false;
  int pollFailed_ = 0;
  bool jsAllowed_ = true;
  int budget_ = 64;  // requests per drain before yielding to other I/O
  bool drained_ = false;  // the last drain ended with EAGAIN
  SpinPolicy spin_;  // the busy-poll after a drain that emptied the fd
  fuse_conn_info* conn_ = nullptr;
  Passthrough pt_;
  std::vector<int> interrupted_;
  std::vector<bool> rawWired_;  // by op code: the raw ops with a handler
  int rawInFlight_ = 0;
  std::unordered_map<uint64_t, fuse_pollhandle*> pollHandles_;
  uint64_t nextPollId_ = 1;
  std::shared_timed_mutex notifyLock_;
  bool notifyAlive_ = false;  // guarded by notifyLock_
  std::unordered_map<uint64_t, napi_deferred> retrieves_;
  uint64_t nextCookie_ = 1;
  // The ablation ladder (ladder.cc): 0 on every normal mount, which never looks at these.
  int ladderStep_ = 0;
  Napi::FunctionReference ladderFn_;
  std::unique_ptr<LadderFs> ladderFs_;
  LadderCall* ladderPending_ = nullptr;
};

}  // namespace rxfuse
