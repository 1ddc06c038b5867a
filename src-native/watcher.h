// Starting rxfuse-watch (unmount_watcher.cc) for a mount this process just made: the helper that
// detaches the mount once this process is gone, even by SIGKILL.
#pragma once

#include <string>

namespace rxfuse {

// Written on the pipe after a clean unmount, before closing it: the watcher then leaves the mount
// table alone (a new mount may already have reused the mount id and the device number).
constexpr char kUnmountedByte = 'u';

struct Watcher {
  int pid = -1;
  int fd = -1;  // the pipe's write end: closing it (or dying) tells the watcher we are gone
};

// Spawns `program` for the FUSE mount on top at `mountpoint` (a canonical path, as the mount table
// shows it), in a session of its own. Returns false with the reason in *error when the mount is not
// found or the program cannot start.
bool StartWatcher(const std::string& program, const std::string& mountpoint, Watcher* w, std::string* error);

}  // namespace rxfuse
