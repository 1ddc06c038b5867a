// The few kernel FUSE structs raw_ops.cc needs, from the kernel's include/uapi/linux/fuse.h (protocol
// 7.39): libfuse 3.14 installs no fuse_kernel.h, and its own copy predates FUSE_STATX. Wire format:
// field order and sizes must stay exactly as the kernel's (checked by the static_asserts).
#pragma once

#include <cstdint>

namespace rxfuse {
namespace kabi {

constexpr uint32_t kOpInterrupt = 36;  // FUSE_INTERRUPT
constexpr uint32_t kGetattrFh = 1u << 0;  // FUSE_GETATTR_FH in fuse_statx_in.getattr_flags: fh is valid

// FOPEN_* bits of fuse_open_out.open_flags, as libfuse sets them from fuse_file_info.
constexpr uint32_t kFopenDirectIo = 1u << 0;
constexpr uint32_t kFopenKeepCache = 1u << 1;
constexpr uint32_t kFopenNonseekable = 1u << 2;
constexpr uint32_t kFopenCacheDir = 1u << 3;
constexpr uint32_t kFopenNoflush = 1u << 5;

struct InHeader {  // struct fuse_in_header
  uint32_t len;
  uint32_t opcode;
  uint64_t unique;
  uint64_t nodeid;
  uint32_t uid;
  uint32_t gid;
  uint32_t pid;
  uint16_t total_extlen;
  uint16_t padding;
};

struct OutHeader {  // struct fuse_out_header
  uint32_t len;
  int32_t error;
  uint64_t unique;
};

struct InterruptIn {  // struct fuse_interrupt_in
  uint64_t unique;
};

struct SxTime {  // struct fuse_sx_time
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t reserved;
};

struct Statx {  // struct fuse_statx
  uint32_t mask;
  uint32_t blksize;
  uint64_t attributes;
  uint32_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint16_t mode;
  uint16_t spare0;
  uint64_t ino;
  uint64_t size;
  uint64_t blocks;
  uint64_t attributes_mask;
  SxTime atime;
  SxTime btime;
  SxTime ctime;
  SxTime mtime;
  uint32_t rdev_major;
  uint32_t rdev_minor;
  uint32_t dev_major;
  uint32_t dev_minor;
  uint64_t spare2[14];
};

struct StatxIn {  // struct fuse_statx_in
  uint32_t getattr_flags;
  uint32_t reserved;
  uint64_t fh;
  uint32_t sx_flags;
  uint32_t sx_mask;
};

struct StatxOut {  // struct fuse_statx_out
  uint64_t attr_valid;
  uint32_t attr_valid_nsec;
  uint32_t flags;
  uint64_t spare[2];
  Statx stat;
};

struct CreateIn {  // struct fuse_create_in (FUSE_CREATE, FUSE_TMPFILE)
  uint32_t flags;
  uint32_t mode;
  uint32_t umask;
  uint32_t open_flags;  // FUSE_OPEN_*
};

struct Attr {  // struct fuse_attr
  uint64_t ino;
  uint64_t size;
  uint64_t blocks;
  uint64_t atime;
  uint64_t mtime;
  uint64_t ctime;
  uint32_t atimensec;
  uint32_t mtimensec;
  uint32_t ctimensec;
  uint32_t mode;
  uint32_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint32_t rdev;
  uint32_t blksize;
  uint32_t flags;
};

struct EntryOut {  // struct fuse_entry_out
  uint64_t nodeid;
  uint64_t generation;
  uint64_t entry_valid;
  uint64_t attr_valid;
  uint32_t entry_valid_nsec;
  uint32_t attr_valid_nsec;
  Attr attr;
};

struct OpenOut {  // struct fuse_open_out (7.40: backing_id in the former padding)
  uint64_t fh;
  uint32_t open_flags;  // FOPEN_*
  int32_t backing_id;
};

struct CreateOut {  // the CREATE (and TMPFILE) reply: the entry, then the open file
  EntryOut entry;
  OpenOut open;
};

static_assert(sizeof(InHeader) == 40, "fuse_in_header");
static_assert(sizeof(OutHeader) == 16, "fuse_out_header");
static_assert(sizeof(Statx) == 256, "fuse_statx");
static_assert(sizeof(StatxIn) == 24, "fuse_statx_in");
static_assert(sizeof(StatxOut) == 288, "fuse_statx_out");
static_assert(sizeof(CreateIn) == 16, "fuse_create_in");
static_assert(sizeof(Attr) == 88, "fuse_attr");
static_assert(sizeof(EntryOut) == 128, "fuse_entry_out");
static_assert(sizeof(OpenOut) == 16, "fuse_open_out");
static_assert(sizeof(CreateOut) == 144, "fuse_entry_out + fuse_open_out");

}  // namespace kabi
}  // namespace rxfuse
