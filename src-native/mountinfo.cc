// See mountinfo.h.
#include "mountinfo.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace rxfuse {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += char(strtol(s.substr(i + 1, 3).c_str(), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool ParseLine(const std::string& line, MountEntry* e) {
  // id parent major:minor root point options [optional fields...] - fstype source superoptions
  std::istringstream in(line);
  std::string root, point, options, field;
  if (!(in >> e->id >> e->parent >> e->dev >> root >> point >> options)) return false;
  while (in >> field && field != "-") {
  }
  if (!(in >> e->fstype)) return false;
  e->point = Unescape(point);
  return true;
}

bool IsFuse(const std::string& fstype) { return fstype == "fuse" || fstype.rfind("fuse.", 0) == 0; }

bool Covered(const std::vector<MountEntry>& table, const MountEntry& m) {
  for (const MountEntry& o : table)
    if (o.parent == m.id && o.point == m.point) return true;
  return false;
}

}  // namespace

std::vector<MountEntry> ReadMountinfo() {
  std::vector<MountEntry> table;
  FILE* f = fopen("/proc/self/mountinfo", "re");
  if (!f) return table;
  std::string line;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (c != '\n') {
      line += char(c);
      continue;
    }
    MountEntry e;
    if (ParseLine(line, &e)) table.push_back(e);
    line.clear();
  }
  fclose(f);
  return table;
}

MountEntry TopFuseMount(const std::vector<MountEntry>& table, const std::string& point) {
  for (const MountEntry& m : table)
    if (m.point == point && IsFuse(m.fstype) && !Covered(table, m)) return m;
  return MountEntry();
}

bool IsTopMount(const std::vector<MountEntry>& table, const std::string& point, int id, const std::string& dev) {
  for (const MountEntry& m : table)
    if (m.id == id) return m.dev == dev && m.point == point && !Covered(table, m);
  return false;
}

}  // namespace rxfuse
