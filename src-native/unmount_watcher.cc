// rxfuse-watch: detaches one FUSE mount once the process serving it is gone, however it died.
//
//   rxfuse-watch <mountpoint> <mount id> <major:minor>     (stdin: a pipe from the serving process)
//
// The serving process holds the only write end of the pipe on stdin; EOF means it closed the
// session or died. After an unmount of its own it writes kUnmountedByte first, and the watcher
// leaves without looking. Otherwise, if the mount table still shows that very mount (same mount id
// and device) at the mountpoint with nothing mounted over it, the mount is detached:
// umount2(MNT_DETACH) as root, `fusermount3 -u -z` otherwise. It never asks the filesystem anything
// (fusermount3's auto_unmount does, and misreads the answer while the dying daemon's /dev/fuse is
// still open: docs/design.md, "Mounting, failing and dying").
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "mountinfo.h"
#include "watcher.h"

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const std::string point = argv[1];
  const int id = atoi(argv[2]);
  const std::string dev = argv[3];
  // Out of the way: no signal from a terminal or a process group ends it before its job is done
  // (it ends by itself when the serving process is gone), and it pins no directory.
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE}) signal(sig, SIG_IGN);
  if (chdir("/") != 0) return 1;
  syscall(SYS_close_range, 3U, ~0U, 0U);
  char buf[64];
  bool unmounted = false;
  for (;;) {
    ssize_t n = read(0, buf, sizeof(buf));
    if (n > 0) {
      // The serving process unmounted cleanly and says so before closing: the mount id and the
      // device number are free again, and a new mount at the same place may already have them.
      unmounted = unmounted || memchr(buf, rxfuse::kUnmountedByte, size_t(n)) != nullptr;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  if (unmounted || !rxfuse::IsTopMount(rxfuse::ReadMountinfo(), point, id, dev)) return 0;
  if (geteuid() == 0) return umount2(point.c_str(), MNT_DETACH) == 0 ? 0 : 1;
  execlp("fusermount3", "fusermount3", "-u", "-z", "--", point.c_str(), static_cast<char*>(nullptr));
  return 1;
}
