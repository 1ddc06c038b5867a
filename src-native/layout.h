// The one marshalling point between native code and TypeScript.
//
// Requests are written into fixed-size slots of a JS-owned ArrayBuffer (one slot per request in
// flight); TypeScript decodes them lazily through typed-array views. Replies are marshalled through
// one shared Float64Array scratch area: TypeScript fills it, then calls the reply function, which
// reads it synchronously. lib/layout.ts mirrors every constant here and checks them at load time
// against the `layout` object this addon exports.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rxfuse {

// Request kinds. The numbering is ours (not the kernel's opcodes) and dense, so it indexes tables.
enum Op : int {
  OP_LOOKUP = 1,
  OP_FORGET,
  OP_GETATTR,
  OP_SETATTR,
  OP_READLINK,
  OP_MKNOD,
  OP_MKDIR,
  OP_UNLINK,
  OP_RMDIR,
  OP_SYMLINK,
  OP_RENAME,
  OP_LINK,
  OP_OPEN,
  OP_READ,
  OP_WRITE,
  OP_FLUSH,
  OP_RELEASE,
  OP_FSYNC,
  OP_OPENDIR,
  OP_READDIR,
  OP_RELEASEDIR,
  OP_FSYNCDIR,
  OP_STATFS,
  OP_SETXATTR,
  OP_GETXATTR,
  OP_LISTXATTR,
  OP_REMOVEXATTR,
  OP_ACCESS,
  OP_CREATE,
  OP_GETLK,
  OP_SETLK,
  OP_BMAP,
  OP_IOCTL,
  OP_POLL,
  OP_FORGET_MULTI,
  OP_FLOCK,
  OP_FALLOCATE,
  OP_READDIRPLUS,
  OP_COPY_FILE_RANGE,
  OP_LSEEK,
  OP_COUNT  // one past the last
};

// Slot geometry (bytes). A slot is a header of float64 fields followed by a variable area that
// holds copied names (name at VAR_NAME, second name or symlink target at VAR_NAME2) or, for
// forget_multi, (ino, nlookup) float64 pairs.
constexpr size_t SLOT_BYTES = 8192;
constexpr size_t HEADER_FIELDS = 64;  // float64 fields
constexpr size_t VAR_OFFSET = HEADER_FIELDS * 8;
constexpr size_t VAR_NAME = VAR_OFFSET;
constexpr size_t NAME_MAX_BYTES = 1024;  // FUSE_NAME_MAX
constexpr size_t VAR_NAME2 = VAR_NAME + NAME_MAX_BYTES + 16;
constexpr size_t NAME2_MAX_BYTES = 4096;  // PATH_MAX: symlink targets
constexpr size_t FORGET_PAIRS_MAX = (SLOT_BYTES - VAR_OFFSET) / 16;

// Header field indices (float64). 64-bit kernel values are stored as doubles; the offsets and sizes
// that can exceed 2^53 - 1 have a wide field (*_X) for the exact value (PutU64 below).
enum Field : int {
  F_OP = 0,
  F_GEN,          // slot generation: bumps each time the slot is taken
  F_SEQ,          // this session's request sequence number (for tracing)
  F_UID,
  F_GID,
  F_PID,
  F_UMASK,
  F_INO,          // ino, or parent for name ops, or ino_in
  F_FH,           // file handle, -1 when the kernel sent no file info
  F_FLAGS,        // open flags, rename flags, setxattr flags, copy_file_range flags
  F_OFF,          // offset, lock start, bmap index
  F_SIZE,         // size, length, nlookup, count
  F_MODE,
  F_RDEV,
  F_INO2,         // newparent, ino_out
  F_FH2,          // fh_out
  F_OFF2,         // off_out
  F_ARG,          // op-specific: datasync, mask, whence, to_set, cmd, lock type, flock op, fallocate mode, blocksize, poll handle
  F_ARG2,         // op-specific: writepage, release flush, setlk sleep, ioctl arg, poll events
  F_ARG3,         // op-specific: release flock_release, lock pid, ioctl flags
  F_NAME_LEN,
  F_NAME2_LEN,
  F_DATA_BUF,     // receive-buffer index holding the payload (write, setxattr, ioctl), -1 if none
  F_DATA_OFF,     // payload offset in that buffer
  F_DATA_LEN,
  F_INTERRUPTED,  // 1 once FUSE_INTERRUPT arrived for this request
  F_LOCK_OWNER_HI,
  F_LOCK_OWNER_LO,
  F_ATIME_S,      // setattr
  F_ATIME_NS,
  F_MTIME_S,
  F_MTIME_NS,
  F_CTIME_S,
  F_CTIME_NS,
  F_ATTR_UID,
  F_ATTR_GID,
  F_OFF_X,        // exact F_OFF when F_OFF is NaN
  F_SIZE_X,       // exact F_SIZE when F_SIZE is NaN
  F_OFF2_X,       // exact F_OFF2 when F_OFF2 is NaN
  F_FIELD_COUNT
};

// Reply scratch (float64 indices). Entry = [ino, generation, attr_timeout, entry_timeout] + stat.
enum Scratch : int {
  S_ENTRY_INO = 0,
  S_ENTRY_GEN,
  S_ATTR_TIMEOUT,
  S_ENTRY_TIMEOUT,
  S_STAT,                        // stat block, ST_* below
  S_FI = S_STAT + 20,            // file info: fh, direct_io, keep_cache, nonseekable, cache_readdir, noflush, parallel_direct_writes
  S_STATFS = S_FI + 8,           // bsize, frsize, blocks, bfree, bavail, files, ffree, favail, fsid, flag, namemax
  S_LOCK = S_STATFS + 12,        // type, start, end (-1 = to EOF), pid
  S_CONN = S_LOCK + 4,           // connection settings / negotiated values, C_* below
  S_FIELD_COUNT = S_CONN + 24
};

enum Stat : int {
  ST_MODE = 0, ST_NLINK, ST_UID, ST_GID, ST_RDEV, ST_SIZE, ST_BLOCKS, ST_BLKSIZE,
  ST_ATIME_S, ST_ATIME_NS, ST_MTIME_S, ST_MTIME_NS, ST_CTIME_S, ST_CTIME_NS, ST_INO,
  ST_INO_X, ST_SIZE_X, ST_BLOCKS_X,  // exact st_ino, st_size, st_blocks when their field is NaN (PutU64)
  ST_FIELD_COUNT
};

// Connection settings: read by init() as wishes (-1 = libfuse default), overwritten with the
// negotiated values afterwards.
enum Conn : int {
  C_PROTO_MAJOR = 0, C_PROTO_MINOR, C_MAX_WRITE, C_MAX_READ, C_MAX_READAHEAD, C_CAPABLE, C_WANT,
  C_MAX_BACKGROUND, C_CONGESTION, C_TIME_GRAN, C_WANT_SET, C_WANT_CLEAR, C_FIELD_COUNT
};

// Directory listings (lib/dirents.ts) are packed records of float64 fields, then the name padded to 8.
enum Dirent : int {
  D_OFF = 0, D_NAMELEN, D_ENTRY,  // D_ENTRY.. = entry layout (S_ENTRY_INO .. S_STAT + ST_FIELD_COUNT)
  D_FIELD_COUNT = D_ENTRY + 4 + ST_FIELD_COUNT
};

// Numbers beyond 2^53 (docs/design.md): a 64-bit value is a plain double in its field when it is
// below 2^53; else the field holds NaN and its wide field holds the exact 64 bits. Both sides read
// the field first, so values that fit cost one comparison.
constexpr uint64_t kMaxSafeU64 = (uint64_t(1) << 53) - 1;

inline void PutU64(double* f, int field, int wide, uint64_t v) {
  if (v <= kMaxSafeU64) {
    f[field] = double(v);
    return;
  }
  f[field] = NAN;
  memcpy(f + wide, &v, sizeof v);
}

inline uint64_t GetU64(const double* f, int field, int wide) {
  double d = f[field];
  if (d == d) return uint64_t(d);
  uint64_t v;
  memcpy(&v, f + wide, sizeof v);
  return v;
}

}  // namespace rxfuse
