// See watcher.h.
#include "watcher.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "mountinfo.h"

extern char** environ;

namespace rxfuse {

namespace {

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

bool StartWatcher(const std::string& program, const std::string& mountpoint, Watcher* w, std::string* error) {
  MountEntry m = TopFuseMount(ReadMountinfo(), mountpoint);
  if (m.id < 0) {
    *error = "the new mount is not in /proc/self/mountinfo";
    return false;
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + strerror(errno);
    return false;
  }
  SpawnSetup s;
  // A session of its own (no terminal, not in our process group), default signal handling and an
  // empty mask, whatever Node set up for itself.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawn_file_actions_adddup2(&s.actions, p[0], 0);
  posix_spawn_file_actions_addopen(&s.actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&s.actions, 1, 2);
  std::string id = std::to_string(m.id);
  char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>(mountpoint.c_str()), const_cast<char*>(id.c_str()),
                  const_cast<char*>(m.dev.c_str()), nullptr};
  pid_t pid;
  int err = posix_spawn(&pid, program.c_str(), &s.actions, &s.attr, argv, environ);
  close(p[0]);
  if (err != 0) {
    close(p[1]);
    *error = program + ": " + strerror(err);
    return false;
  }
  w->pid = pid;
  w->fd = p[1];
  return true;
}

}  // namespace rxfuse
