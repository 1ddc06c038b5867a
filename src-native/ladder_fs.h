// @internal, benchmark only: benchfs (shared/bench, spec version 1) answered in C, for the ablation
// ladder's steps 1-3 (ladder.cc, docs/performance.md). It answers what the stat, create and readdir
// workloads ask with the replies examples/benchfs.ts gives: the same inodes, attributes, zero timeouts,
// listings and cookies, and scratch files with names and sizes. Not a filesystem for anything else.
#pragma once

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <ctime>
#include <string>
#include <unordered_map>
#include <vector>

namespace rxfuse {

// One request as the ladder hands it on: the arguments an answer needs (name: libfuse's, valid
// until the op callback returns).
struct LadderCall {
  fuse_req_t req = nullptr;
  int op = 0;
  fuse_ino_t ino = 0;
  const char* name = nullptr;
  size_t size = 0;
  off_t off = 0;
  mode_t mode = 0;
  int toSet = 0;
  const struct stat* attr = nullptr;
  fuse_file_info* fi = nullptr;
};

class LadderFs {
 public:
  LadderFs();
  // Replies to call.req exactly once.
  void Answer(const LadderCall& call);

 private:
  struct ScratchFile {
    std::string name;
    fuse_ino_t ino;
    mode_t mode;
    off_t size;
    bool live;
  };
  void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Getattr(fuse_req_t req, fuse_ino_t ino);
  void Setattr(const LadderCall& c);
  void Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off);
  void Create(const LadderCall& c);
  void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Write(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off);
  void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
  // The attributes of ino into st; false when there is no such inode.
  bool Stat(fuse_ino_t ino, struct stat* st) const;
  void ReplyEntry(fuse_req_t req, fuse_ino_t ino);
  ScratchFile* Scratch(fuse_ino_t ino);
  // The name of /files/fNNNNN, or of a root entry, for readdir; false past the end.
  bool Child(fuse_ino_t dir, size_t index, std::string* name, fuse_ino_t* ino, mode_t* mode) const;

  uid_t uid_;
  gid_t gid_;
  timespec built_;
  fuse_ino_t nextIno_;
  std::vector<ScratchFile> scratch_;  // insertion order; removed ones stay as gaps (live = false)
  std::unordered_map<std::string, size_t> scratchByName_;
  std::unordered_map<fuse_ino_t, size_t> scratchByIno_;
  std::vector<char> dirBuf_;
};

}  // namespace rxfuse
