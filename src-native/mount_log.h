// What libfuse says while a session mounts, kept for the error message of a failed mount.
//
// libfuse reports mount failures through fuse_log() (bad mountpoint, unknown options, the kernel
// refusing the mount) and, when it mounts through fusermount3, by the child writing on stderr. For
// the lifetime of a MountLog both are captured: fuse_log() messages of level NOTICE or worse are
// kept (INFO and DEBUG, the -d output, still go to stderr), and fd 2 is a pipe read back at
// Finish(). fd 2 and the logger are the process's: captures are serialized (a mutex held from
// construction to Finish()), so mounts in two worker threads cannot tangle fd 2.
#pragma once

#define FUSE_USE_VERSION 35
#include <fuse_log.h>

#include <atomic>
#include <cstdarg>
#include <mutex>
#include <string>
#include <thread>

namespace rxfuse {

class MountLog {
 public:
  MountLog();
  ~MountLog();
  MountLog(const MountLog&) = delete;
  MountLog& operator=(const MountLog&) = delete;
  // Stops capturing (restores fd 2 and libfuse's logger) and returns what was said, trimmed.
  std::string Finish();
  // The same, and writes it to stderr too: nothing is lost when the mount succeeded.
  void Forward();

 private:
  static void Log(enum fuse_log_level level, const char* fmt, va_list ap);
  static std::recursive_mutex gate_;
  static std::atomic<MountLog*> current_;
  std::unique_lock<std::recursive_mutex> lock_;
  MountLog* previous_ = nullptr;
  std::thread::id owner_ = std::this_thread::get_id();
  std::string text_;
  int savedStderr_ = -1;
  int pipeRead_ = -1;
  bool finished_ = false;
};

}  // namespace rxfuse
