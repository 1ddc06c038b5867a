// sys: credentials of the calling thread.
//
// Linux keeps credentials per thread: setfsuid/setfsgid and the raw setgroups syscall change only
// the calling thread (glibc's setgroups() would change every thread). So a filesystem on the JS
// thread can act as the requesting user for one call while libuv's workers keep their own.
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "sys.h"
#include "sys_args.h"

namespace rxfuse {
namespace sys {

namespace {

thread_local bool credsSwitched = false;
thread_local std::vector<gid_t> savedGroups;

void RestoreCreds() {
  setfsuid(geteuid());
  setfsgid(getegid());
  syscall(SYS_setgroups, savedGroups.size(), savedGroups.data());
  credsSwitched = false;
}

}  // namespace

// credsPush(uid, gid, groups) → 0, or -EPERM when the thread may not switch (not root).
Napi::Value CredsPush(const Napi::CallbackInfo& info) {
  ARGS("credsPush");
  int64_t uid = 0, gid = 0;
  std::vector<gid_t> groups;
  CHECK(a.Int(0, 0, 4294967294.0, &uid) && a.Int(1, 0, 4294967294.0, &gid) && a.Groups(2, &groups));
  if (credsSwitched) return Err(env, -EBUSY);
  int n = getgroups(0, nullptr);
  if (n < 0) return Err(env, -errno);
  savedGroups.resize(size_t(n));
  if (getgroups(n, savedGroups.data()) < 0) return Err(env, -errno);
  credsSwitched = true;
  if (syscall(SYS_setgroups, groups.size(), groups.data()) < 0) {
    int e = errno;
    RestoreCreds();
    return Err(env, -e);
  }
  // setfsuid/setfsgid report failure only by leaving the id unchanged: check with -1.
  setfsgid(gid_t(gid));
  setfsuid(uid_t(uid));
  if (unsigned(setfsgid(gid_t(-1))) != unsigned(gid) || unsigned(setfsuid(uid_t(-1))) != unsigned(uid)) {
    RestoreCreds();
    return Err(env, -EPERM);
  }
  return Zero(env);
}

// credsPop() → 0: back to the process's own ids and groups.
Napi::Value CredsPop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!credsSwitched) return Err(env, -EINVAL);
  RestoreCreds();
  return Zero(env);
}


}  // namespace sys
}  // namespace rxfuse
