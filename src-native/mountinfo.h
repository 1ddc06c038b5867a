// The mount table of this process's namespace (/proc/self/mountinfo), for finding one mount again:
// the session records which mount is its own, and the unmount watcher checks that it is still there
// (and still on top) before it detaches it. Shared by the addon and the watcher program.
#pragma once

#include <string>
#include <vector>

namespace rxfuse {

struct MountEntry {
  int id = -1;
  int parent = -1;
  std::string dev;    // "major:minor" of the mounted filesystem (a FUSE connection's own device)
  std::string point;  // unescaped
  std::string fstype;
};

std::vector<MountEntry> ReadMountinfo();

// The FUSE mount on top at `point` (the one no other mount at `point` is mounted on); id -1 if none.
MountEntry TopFuseMount(const std::vector<MountEntry>& table, const std::string& point);

// Whether the mount `id` with device `dev` is at `point` and nothing is mounted over it there.
bool IsTopMount(const std::vector<MountEntry>& table, const std::string& point, int id, const std::string& dev);

}  // namespace rxfuse
