// Notifications to the kernel (inval_inode, inval_entry, delete, store, retrieve), off the request
// path: each runs on a libuv worker thread and settles a Promise on the JS thread. A notification can
// block in the kernel until a request the filesystem is handling is answered (inval_entry takes the
// directory's lock, for one), so running it on the JS thread could deadlock.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "session.h"

namespace rxfuse {

namespace {

enum Kind { INVAL_INODE, INVAL_ENTRY, DELETE, STORE, RETRIEVE };

struct NotifyWork {
  Session* session = nullptr;
  Kind kind = INVAL_INODE;
  uint64_t ino = 0;
  uint64_t ino2 = 0;
  int64_t off = 0;
  int64_t len = 0;
  std::string name;
  std::vector<char> data;
  uint64_t cookie = 0;
  int result = 0;
  napi_deferred deferred = nullptr;
  napi_async_work work = nullptr;
};

void Execute(napi_env, void* arg) {
  auto* w = static_cast<NotifyWork*>(arg);
  w->result = w->session->RunNotify([w](fuse_session* se) -> int {
    switch (w->kind) {
      case INVAL_INODE:
        return fuse_lowlevel_notify_inval_inode(se, w->ino, w->off, w->len);
      case INVAL_ENTRY:
        return fuse_lowlevel_notify_inval_entry(se, w->ino, w->name.data(), w->name.size());
      case DELETE:
        return fuse_lowlevel_notify_delete(se, w->ino, w->ino2, w->name.data(), w->name.size());
      case STORE: {
        fuse_bufvec bv = FUSE_BUFVEC_INIT(w->data.size());
        bv.buf[0].mem = w->data.data();
        return fuse_lowlevel_notify_store(se, w->ino, w->off, &bv, fuse_buf_copy_flags(0));
      }
      case RETRIEVE:
        return fuse_lowlevel_notify_retrieve(se, w->ino, size_t(w->len), w->off, reinterpret_cast<void*>(w->cookie));
    }
    return -EINVAL;
  });
}

void Complete(napi_env env, napi_status, void* arg) {
  auto* w = static_cast<NotifyWork*>(arg);
  if (w->kind == RETRIEVE) {
    // Settled when the kernel's NOTIFY_REPLY arrives (Session::OnRetrieveReply), which may have
    // happened already; on failure, settled here.
    if (w->result != 0) w->session->FailRetrieve(w->cookie, w->result);
  } else {
    napi_value v;
    napi_create_int32(env, w->result, &v);
    napi_resolve_deferred(env, w->deferred, v);
  }
  napi_delete_async_work(env, w->work);
  Session* session = w->session;
  delete w;
  session->NotifyDone();
}

}  // namespace

int Session::RunNotify(const std::function<int(fuse_session*)>& fn) {
  std::shared_lock<std::shared_timed_mutex> lock(notifyLock_);
  if (!notifyAlive_ || !se_) return -ENOTCONN;
  return fn(se_);
}

void Session::FailRetrieve(uint64_t cookie, int result) {
  auto it = retrieves_.find(cookie);
  if (it == retrieves_.end()) return;
  napi_value v;
  napi_create_int32(env_, result, &v);
  napi_resolve_deferred(env_, it->second, v);
  retrieves_.erase(it);
}

void Session::OnRetrieveReply(fuse_req_t req, void* cookie, fuse_ino_t, off_t, fuse_bufvec* bufv) {
  auto it = retrieves_.find(uint64_t(reinterpret_cast<uintptr_t>(cookie)));
  if (it != retrieves_.end()) {
    size_t size = fuse_buf_size(bufv);
    napi_value buf;
    void* data = nullptr;
    napi_create_buffer(env_, size, &data, &buf);
    if (size) {
      fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
      dst.buf[0].mem = data;
      fuse_buf_copy(&dst, bufv, fuse_buf_copy_flags(0));
    }
    napi_resolve_deferred(env_, it->second, buf);
    retrieves_.erase(it);
  }
  fuse_reply_none(req);
}

// Rejects what is still waiting and makes sure no worker uses the session any more. Returns false
// when a notification stayed blocked in the kernel: the session must then not be destroyed.
bool Session::StopNotifications(bool callJs) {
  bool stopped = false;
  {
    std::unique_lock<std::shared_timed_mutex> lock(notifyLock_, std::defer_lock);
    stopped = lock.try_lock_for(std::chrono::seconds(2));
    if (stopped) notifyAlive_ = false;
  }
  for (auto& kv : retrieves_) {
    if (callJs) {
      napi_value v;
      napi_create_int32(env_, -ENOTCONN, &v);
      napi_resolve_deferred(env_, kv.second, v);
    }
  }
  retrieves_.clear();
  return stopped;
}

// notify(kind, ino, ino2, off, len, name?, data?) → Promise<number | Buffer>: 0 or -errno, or the
// retrieved bytes.
Napi::Value Session::Notify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_ || !se_) {
    Napi::Promise::Deferred d = Napi::Promise::Deferred::New(env);
    d.Resolve(Napi::Number::New(env, -ENOTCONN));
    return d.Promise();
  }
  Ref();  // the session outlives its queued notifications (NotifyDone)
  auto* w = new NotifyWork;
  w->session = this;
  w->kind = Kind(info[0].As<Napi::Number>().Int32Value());
  w->ino = uint64_t(info[1].As<Napi::Number>().Int64Value());
  w->ino2 = uint64_t(info[2].As<Napi::Number>().Int64Value());
  w->off = info[3].As<Napi::Number>().Int64Value();
  w->len = info[4].As<Napi::Number>().Int64Value();
  if (info.Length() > 5 && info[5].IsTypedArray()) {
    Napi::Uint8Array n = info[5].As<Napi::Uint8Array>();
    w->name.assign(reinterpret_cast<const char*>(n.Data()), n.ByteLength());
  }
  if (info.Length() > 6 && info[6].IsTypedArray()) {
    Napi::Uint8Array d = info[6].As<Napi::Uint8Array>();
    w->data.assign(reinterpret_cast<const char*>(d.Data()), reinterpret_cast<const char*>(d.Data()) + d.ByteLength());
  }
  napi_value promise;
  napi_create_promise(env, &w->deferred, &promise);
  if (w->kind == RETRIEVE) {
    // Registered before the notification is sent: the kernel's reply can come before Complete().
    w->cookie = nextCookie_++;
    retrieves_[w->cookie] = w->deferred;
  }
  napi_value name;
  napi_create_string_utf8(env, "rxfuse.notify", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, nullptr, name, Execute, Complete, w, &w->work);
  napi_queue_async_work(env, w->work);
  return Napi::Value(env, promise);
}

}  // namespace rxfuse
