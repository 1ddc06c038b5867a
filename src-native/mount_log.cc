// See mount_log.h.
#include "mount_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace rxfuse {

std::recursive_mutex MountLog::gate_;
std::atomic<MountLog*> MountLog::current_{nullptr};

MountLog::MountLog() : lock_(gate_), previous_(current_.load()) {
  current_ = this;
  fuse_set_log_func(Log);
  // fd 2 into a pipe, for what a fusermount3 child prints. Its messages are a few lines, far below
  // the pipe's capacity, so the writer never blocks while nobody reads.
  int p[2];
  if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return;
  savedStderr_ = fcntl(2, F_DUPFD_CLOEXEC, 3);
  if (savedStderr_ < 0 || dup2(p[1], 2) < 0) {
    if (savedStderr_ >= 0) close(savedStderr_);
    savedStderr_ = -1;
    close(p[0]);
    close(p[1]);
    return;
  }
  close(p[1]);  // fd 2 is the write end now
  pipeRead_ = p[0];
}

MountLog::~MountLog() { Finish(); }

void MountLog::Log(enum fuse_log_level level, const char* fmt, va_list ap) {
  MountLog* cur = current_.load();
  if (cur == nullptr || level > FUSE_LOG_NOTICE || std::this_thread::get_id() != cur->owner_) {
    // -d output, or a message from another thread (a notification of another session): libfuse's
    // default, stderr (the real one: fd 2 may be our pipe right now).
    int fd = cur != nullptr && cur->savedStderr_ >= 0 ? cur->savedStderr_ : 2;
    char buf[4096];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n > 0) (void)!write(fd, buf, size_t(n) < sizeof(buf) ? size_t(n) : sizeof(buf) - 1);
    return;
  }
  char buf[1024];
  int n = vsnprintf(buf, sizeof(buf), fmt, ap);
  if (n > 0) cur->text_.append(buf, size_t(n) < sizeof(buf) ? size_t(n) : sizeof(buf) - 1);
}

std::string MountLog::Finish() {
  if (!finished_) {
    finished_ = true;
    if (savedStderr_ >= 0) {
      dup2(savedStderr_, 2);
      close(savedStderr_);
      savedStderr_ = -1;
    }
    if (pipeRead_ >= 0) {
      char buf[4096];
      ssize_t n;
      while ((n = read(pipeRead_, buf, sizeof(buf))) > 0) text_.append(buf, size_t(n));
      close(pipeRead_);
      pipeRead_ = -1;
    }
    current_ = previous_;
    // libfuse has no getter for the logger it had: back to its default (stderr) unless a capture
    // is still open further out.
    fuse_set_log_func(current_.load() != nullptr ? Log : nullptr);
    while (!text_.empty() && (text_.back() == '\n' || text_.back() == ' ')) text_.pop_back();
    lock_.unlock();
  }
  return text_;
}

void MountLog::Forward() {
  std::string t = Finish();
  if (!t.empty()) {
    t += '\n';
    (void)!write(2, t.data(), t.size());
  }
}

}  // namespace rxfuse
