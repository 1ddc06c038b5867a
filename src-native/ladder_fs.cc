// benchfs answered in C for the ablation ladder (see ladder_fs.h).
#include "ladder_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "layout.h"

namespace rxfuse {

namespace {
constexpr fuse_ino_t ROOT = 1, FILES = 2, BIG = 3, SINK = 4, SCRATCH = 5, FIRST_FILE = 6;
constexpr size_t FILE_COUNT = 10000;
constexpr off_t GIB = off_t(1) << 30;
const char* const ROOT_NAMES[] = {"files", "big", "sink", "scratch"};
const fuse_ino_t ROOT_INOS[] = {FILES, BIG, SINK, SCRATCH};

// fNNNNN → its index, or -1.
long FileIndex(const char* name) {
  if (name[0] != 'f' || strlen(name) != 6) return -1;
  long n = 0;
  for (int i = 1; i < 6; i++) {
    if (name[i] < '0' || name[i] > '9') return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n < long(FILE_COUNT) ? n : -1;
}
}  // namespace

LadderFs::LadderFs() : uid_(getuid()), gid_(getgid()), nextIno_(FIRST_FILE + FILE_COUNT) {
  clock_gettime(CLOCK_REALTIME, &built_);
}

void LadderFs::Answer(const LadderCall& c) {
  switch (c.op) {
    case OP_LOOKUP: return Lookup(c.req, c.ino, c.name);
    case OP_GETATTR: return Getattr(c.req, c.ino);
    case OP_SETATTR: return Setattr(c);
    case OP_READDIR: return Readdir(c.req, c.ino, c.size, c.off);
    case OP_CREATE: return Create(c);
    case OP_WRITE: return Write(c.req, c.ino, c.size, c.off);
    case OP_UNLINK: return Unlink(c.req, c.ino, c.name);
    case OP_READ: fuse_reply_buf(c.req, nullptr, 0); return;  // not a ladder workload: end of file
    case OP_OPEN: return Open(c.req, c.ino, c.fi);
    case OP_OPENDIR: fuse_reply_open(c.req, c.fi); return;
    default: fuse_reply_err(c.req, 0); return;  // flush, release, releasedir
  }
}

LadderFs::ScratchFile* LadderFs::Scratch(fuse_ino_t ino) {
  auto it = scratchByIno_.find(ino);
  return it == scratchByIno_.end() ? nullptr : &scratch_[it->second];
}

bool LadderFs::Stat(fuse_ino_t ino, struct stat* st) const {
  memset(st, 0, sizeof(*st));
  st->st_ino = ino;
  st->st_uid = uid_;
  st->st_gid = gid_;
  st->st_blksize = 4096;
  st->st_nlink = 1;
  st->st_atim = st->st_mtim = st->st_ctim = built_;
  if (ino == ROOT || ino == FILES || ino == SCRATCH) {
    st->st_mode = S_IFDIR | 0755;
    st->st_nlink = ino == ROOT ? 4 : 2;
  } else if (ino == BIG) {
    st->st_mode = S_IFREG | 0444;
    st->st_size = GIB;
  } else if (ino == SINK || (ino >= FIRST_FILE && ino < FIRST_FILE + FILE_COUNT)) {
    st->st_mode = S_IFREG | 0644;
  } else {
    auto it = scratchByIno_.find(ino);
    if (it == scratchByIno_.end()) return false;
    st->st_mode = scratch_[it->second].mode;
    st->st_size = scratch_[it->second].size;
  }
  return true;
}

void LadderFs::ReplyEntry(fuse_req_t req, fuse_ino_t ino) {
  fuse_entry_param e;
  memset(&e, 0, sizeof(e));
  e.ino = ino;
  if (!Stat(ino, &e.attr)) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  fuse_reply_entry(req, &e);
}

void LadderFs::Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  if (parent == FILES) {
    long n = FileIndex(name);
    if (n < 0) {
      fuse_reply_err(req, ENOENT);
      return;
    }
    ReplyEntry(req, FIRST_FILE + fuse_ino_t(n));
    return;
  }
  if (parent == ROOT) {
    for (size_t i = 0; i < 4; i++)
      if (strcmp(name, ROOT_NAMES[i]) == 0) return ReplyEntry(req, ROOT_INOS[i]);
  } else if (parent == SCRATCH) {
    auto it = scratchByName_.find(name);
    if (it != scratchByName_.end()) return ReplyEntry(req, scratch_[it->second].ino);
  }
  fuse_reply_err(req, ENOENT);
}

void LadderFs::Getattr(fuse_req_t req, fuse_ino_t ino) {
  struct stat st;
  if (!Stat(ino, &st)) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  fuse_reply_attr(req, &st, 0);
}

// Sizes of scratch files and modes; what else a ladder workload never sets is accepted unchanged.
void LadderFs::Setattr(const LadderCall& c) {
  ScratchFile* f = Scratch(c.ino);
  if (f) {
    if (c.toSet & FUSE_SET_ATTR_SIZE) f->size = c.attr->st_size;
    if (c.toSet & FUSE_SET_ATTR_MODE) f->mode = S_IFREG | (c.attr->st_mode & 07777);
  } else if ((c.toSet & FUSE_SET_ATTR_SIZE) && c.ino != SINK) {
    fuse_reply_err(c.req, c.ino == ROOT || c.ino == FILES || c.ino == SCRATCH ? EISDIR : EACCES);
    return;
  }
  Getattr(c.req, c.ino);
}

bool LadderFs::Child(fuse_ino_t dir, size_t index, std::string* name, fuse_ino_t* ino, mode_t* mode) const {
  if (dir == FILES) {
    if (index >= FILE_COUNT) return false;
    char buf[8];
    snprintf(buf, sizeof(buf), "f%05zu", index);
    *name = buf;
    *ino = FIRST_FILE + index;
    *mode = S_IFREG;
    return true;
  }
  if (dir == ROOT) {
    if (index >= 4) return false;
    *name = ROOT_NAMES[index];
    *ino = ROOT_INOS[index];
    *mode = ROOT_INOS[index] == FILES || ROOT_INOS[index] == SCRATCH ? S_IFDIR : S_IFREG;
    return true;
  }
  if (index >= scratch_.size()) return false;
  const ScratchFile& f = scratch_[index];
  *name = f.live ? f.name : std::string();  // a gap: skipped by the caller
  *ino = f.ino;
  *mode = S_IFREG;
  return true;
}

// Children in insertion order from the cookie on; the cookie of index i is i + 1.
void LadderFs::Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off) {
  if (ino != ROOT && ino != FILES && ino != SCRATCH) {
    fuse_reply_err(req, ENOTDIR);
    return;
  }
  if (dirBuf_.size() < size) dirBuf_.resize(size);
  size_t used = 0;
  std::string name;
  fuse_ino_t child;
  mode_t mode;
  for (size_t i = size_t(off); Child(ino, i, &name, &child, &mode); i++) {
    if (name.empty()) continue;
    struct stat st;
    memset(&st, 0, sizeof(st));
    st.st_ino = child;
    st.st_mode = mode;
    size_t need = fuse_add_direntry(req, dirBuf_.data() + used, size - used, name.c_str(), &st, off_t(i + 1));
    if (need > size - used) break;
    used += need;
  }
  fuse_reply_buf(req, dirBuf_.data(), used);
}

void LadderFs::Create(const LadderCall& c) {
  if (c.ino != SCRATCH) {
    fuse_reply_err(c.req, EACCES);
    return;
  }
  if (scratchByName_.count(c.name)) {
    fuse_reply_err(c.req, EEXIST);
    return;
  }
  fuse_ino_t ino = nextIno_++;
  scratch_.push_back({c.name, ino, mode_t(S_IFREG | (c.mode & 07777)), 0, true});
  scratchByName_[c.name] = scratch_.size() - 1;
  scratchByIno_[ino] = scratch_.size() - 1;
  fuse_entry_param e;
  memset(&e, 0, sizeof(e));
  e.ino = ino;
  Stat(ino, &e.attr);
  c.fi->fh = 0;
  fuse_reply_create(c.req, &e, c.fi);
}

// Atomic O_TRUNC is negotiated, as for benchfs: the open truncates a scratch file.
void LadderFs::Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  ScratchFile* f = Scratch(ino);
  if (f && (fi->flags & O_TRUNC)) f->size = 0;
  fuse_reply_open(req, fi);
}

void LadderFs::Write(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off) {
  ScratchFile* f = Scratch(ino);
  if (f && off + off_t(size) > f->size) f->size = off + off_t(size);
  if (!f && ino != SINK) {
    fuse_reply_err(req, EACCES);
    return;
  }
  fuse_reply_write(req, size);
}

void LadderFs::Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto it = parent == SCRATCH ? scratchByName_.find(name) : scratchByName_.end();
  if (it == scratchByName_.end()) {
    fuse_reply_err(req, parent == SCRATCH ? ENOENT : EACCES);
    return;
  }
  ScratchFile& f = scratch_[it->second];
  f.live = false;
  scratchByIno_.erase(f.ino);
  scratchByName_.erase(it);
  fuse_reply_err(req, 0);
}

}  // namespace rxfuse
