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

// Every index below has a name on both sides: each list is one X-macro that generates the enum and
// the names -> indices the addon exports (addon.cc); lib/layout.ts declares the same names, and
// checkLayout() compares them one by one at load time.

// Request kinds, from op_table.def. The numbering is ours (not the kernel's opcodes) and dense from 1, so
// it indexes tables.
enum Op : int {
  OP_NONE = 0,  // no request: codes start at 1
#define RXFUSE_OP(CODE, member, jsName) OP_##CODE,
#define RXFUSE_RAW_OP(CODE, opcode, jsName) OP_##CODE,
#include "op_table.def"
#undef RXFUSE_RAW_OP
#undef RXFUSE_OP
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

// Slot header fields (float64 index F_<name>). 64-bit kernel values are stored as doubles; the
// offsets and sizes that can exceed 2^53 - 1 have a wide field (*_X) for the exact value (PutU64).
#define RXFUSE_SLOT_FIELDS(X)                                                                        \
  X(OP)                                                                                              \
  X(GEN)           /* slot generation: bumps each time the slot is taken */                          \
  X(SEQ)           /* this session's request sequence number (for tracing) */                        \
  X(UID)                                                                                             \
  X(GID)                                                                                             \
  X(PID)                                                                                             \
  X(UMASK)                                                                                           \
  X(INO)           /* ino, or parent for name ops, or ino_in */                                      \
  X(FH)            /* file handle, -1 when the kernel sent no file info */                           \
  X(FLAGS)         /* open flags, rename flags, setxattr flags, copy_file_range flags */             \
  X(OFF)           /* offset, lock start, bmap index */                                              \
  X(SIZE)          /* size, length, nlookup, count */                                                \
  X(MODE)                                                                                            \
  X(RDEV)                                                                                            \
  X(INO2)          /* newparent, ino_out */                                                          \
  X(FH2)           /* fh_out */                                                                      \
  X(OFF2)          /* off_out */                                                                     \
  X(ARG)           /* datasync, mask, whence, to_set, cmd, lock type, flock op, fallocate mode,      \
                      blocksize, poll handle */                                                      \
  X(ARG2)          /* writepage, release flush, setlk sleep, ioctl arg, poll events */               \
  X(ARG3)          /* release flock_release, lock pid, ioctl flags */                                \
  X(NAME_LEN)                                                                                        \
  X(NAME2_LEN)                                                                                       \
  X(DATA_BUF)      /* receive-buffer index holding the payload (write, setxattr, ioctl), -1 if none */ \
  X(DATA_OFF)      /* payload offset in that buffer */                                               \
  X(DATA_LEN)                                                                                        \
  X(INTERRUPTED)   /* 1 once FUSE_INTERRUPT arrived for this request */                              \
  X(LOCK_OWNER_HI)                                                                                   \
  X(LOCK_OWNER_LO)                                                                                   \
  X(ATIME_S)       /* setattr */                                                                     \
  X(ATIME_NS)                                                                                        \
  X(MTIME_S)                                                                                         \
  X(MTIME_NS)                                                                                        \
  X(CTIME_S)                                                                                         \
  X(CTIME_NS)                                                                                        \
  X(ATTR_UID)                                                                                        \
  X(ATTR_GID)                                                                                        \
  X(OFF_X)         /* exact F_OFF when F_OFF is NaN */                                               \
  X(SIZE_X)        /* exact F_SIZE when F_SIZE is NaN */                                             \
  X(OFF2_X)        /* exact F_OFF2 when F_OFF2 is NaN */

// Reply scratch (float64 index S_<name>, an explicit value each: the areas have room to spare).
// Entry = [ino, generation, attr_timeout, entry_timeout] + stat.
#define RXFUSE_SCRATCH_FIELDS(X)                                                    \
  X(ENTRY_INO, 0)                                                                   \
  X(ENTRY_GEN, 1)                                                                   \
  X(ATTR_TIMEOUT, 2)                                                                \
  X(ENTRY_TIMEOUT, 3)                                                               \
  X(STAT, 4)                     /* stat block, ST_* below */                       \
  X(FI, S_STAT + 20)             /* file info, FI_* below */                        \
  X(STATFS, S_FI + 8)            /* struct statvfs, SF_* below */                   \
  X(LOCK, S_STATFS + 12)         /* struct flock, LK_* below */                     \
  X(CONN, S_LOCK + 4)            /* connection settings / negotiated values, C_* */ \
  X(STATX, S_CONN + 24)          /* statx extras beside the stat block, SX_* */     \
  X(FIELD_COUNT, S_STATX + 8)

// Stat block (ST_<name>, relative to S_STAT or to an entry block's stat part).
#define RXFUSE_STAT_FIELDS(X)                                                                         \
  X(MODE) X(NLINK) X(UID) X(GID) X(RDEV) X(SIZE) X(BLOCKS) X(BLKSIZE) X(ATIME_S) X(ATIME_NS)          \
  X(MTIME_S) X(MTIME_NS) X(CTIME_S) X(CTIME_NS) X(INO)                                                \
  X(INO_X) X(SIZE_X) X(BLOCKS_X)  /* exact st_ino, st_size, st_blocks when their field is NaN (PutU64) */

// File info of an open or create reply (FI_<name>, relative to S_FI).
#define RXFUSE_FILE_INFO_FIELDS(X) \
  X(FH) X(DIRECT_IO) X(KEEP_CACHE) X(NONSEEKABLE) X(CACHE_READDIR) X(NOFLUSH) X(BACKING_ID) /* 0: none */

// statfs reply (SF_<name>, relative to S_STATFS): struct statvfs.
#define RXFUSE_STATFS_FIELDS(X) \
  X(BSIZE) X(FRSIZE) X(BLOCKS) X(BFREE) X(BAVAIL) X(FILES) X(FFREE) X(FAVAIL) X(FSID) X(FLAG) X(NAMEMAX)

// getlk reply (LK_<name>, relative to S_LOCK): struct flock with l_whence = SEEK_SET.
#define RXFUSE_LOCK_FIELDS(X) X(TYPE) X(START) X(LEN) X(PID)

// Connection settings (C_<name>, relative to S_CONN): read by init() as wishes (-1 = libfuse
// default), overwritten with the negotiated values afterwards.
#define RXFUSE_CONN_FIELDS(X)                                                                  \
  X(PROTO_MAJOR) X(PROTO_MINOR) X(MAX_WRITE) X(MAX_READ) X(MAX_READAHEAD) X(CAPABLE) X(WANT) \
  X(MAX_BACKGROUND) X(CONGESTION) X(TIME_GRAN) X(WANT_SET) X(WANT_CLEAR) X(PASSTHROUGH) /* 0: off */

// statx reply extras (SX_<name>, relative to S_STATX); the rest is the stat block and S_ATTR_TIMEOUT.
#define RXFUSE_STATX_FIELDS(X) X(MASK) X(ATTRIBUTES) X(ATTRIBUTES_MASK) X(BTIME_S) X(BTIME_NS)

// Directory listings (lib/dirents.ts) are packed records: float64 fields (D_<name>), the name and
// at least one NUL padded to 8, then, for entries with attributes (Dirents.addEntry), an entry
// block of D_ENTRY_FIELDS (S_ENTRY_INO .. S_STAT + ST_FIELD_COUNT). A plain readdir reads only the
// fields and the name: a record of a short name is one cache line. D_INO is d_ino, NaN when only
// the entry block's stat holds it exactly (beyond 2^53).
#define RXFUSE_DIRENT_FIELDS(X) \
  X(OFF, 0) X(NAMELEN, 1) X(INO, 2) X(MODE, 3) X(FIELD_COUNT, 4) X(ENTRY_FIELDS, S_STAT + ST_FIELD_COUNT)

// Each list's items, as RXFUSE_ITEM(PREFIX, NAME) or RXFUSE_VALUED_ITEM(PREFIX, NAME, VALUE): an
// includer defines those two to expand the lists (the enums below; the exported names in addon.cc).
#define RXFUSE_F(N) RXFUSE_ITEM(F_, N)
#define RXFUSE_S(N, V) RXFUSE_VALUED_ITEM(S_, N, V)
#define RXFUSE_ST(N) RXFUSE_ITEM(ST_, N)
#define RXFUSE_FI(N) RXFUSE_ITEM(FI_, N)
#define RXFUSE_SF(N) RXFUSE_ITEM(SF_, N)
#define RXFUSE_LK(N) RXFUSE_ITEM(LK_, N)
#define RXFUSE_C(N) RXFUSE_ITEM(C_, N)
#define RXFUSE_SX(N) RXFUSE_ITEM(SX_, N)
#define RXFUSE_D(N, V) RXFUSE_VALUED_ITEM(D_, N, V)

// The enums. Lists of names only count from 0 and end with <PREFIX>FIELD_COUNT.
#define RXFUSE_ITEM(PREFIX, N) PREFIX##N,
#define RXFUSE_VALUED_ITEM(PREFIX, N, V) PREFIX##N = (V),
enum Field : int { RXFUSE_SLOT_FIELDS(RXFUSE_F) F_FIELD_COUNT };
enum Scratch : int { RXFUSE_SCRATCH_FIELDS(RXFUSE_S) };
enum Stat : int { RXFUSE_STAT_FIELDS(RXFUSE_ST) ST_FIELD_COUNT };
enum FileInfoField : int { RXFUSE_FILE_INFO_FIELDS(RXFUSE_FI) FI_FIELD_COUNT };
enum StatfsField : int { RXFUSE_STATFS_FIELDS(RXFUSE_SF) SF_FIELD_COUNT };
enum LockField : int { RXFUSE_LOCK_FIELDS(RXFUSE_LK) LK_FIELD_COUNT };
enum Conn : int { RXFUSE_CONN_FIELDS(RXFUSE_C) C_FIELD_COUNT };
enum StatxField : int { RXFUSE_STATX_FIELDS(RXFUSE_SX) SX_FIELD_COUNT };
enum Dirent : int { RXFUSE_DIRENT_FIELDS(RXFUSE_D) };
#undef RXFUSE_VALUED_ITEM
#undef RXFUSE_ITEM

static_assert(F_FIELD_COUNT <= int(HEADER_FIELDS), "slot header fields overflow the header");
static_assert(S_STAT + ST_FIELD_COUNT <= S_FI, "stat block overflows its scratch area");
static_assert(S_FI + FI_FIELD_COUNT <= S_STATFS, "file info overflows its scratch area");
static_assert(S_STATFS + SF_FIELD_COUNT <= S_LOCK, "statfs overflows its scratch area");
static_assert(S_LOCK + LK_FIELD_COUNT <= S_CONN, "lock overflows its scratch area");
static_assert(S_CONN + C_FIELD_COUNT <= S_STATX, "connection settings overflow their scratch area");
static_assert(S_STATX + SX_FIELD_COUNT <= S_FIELD_COUNT, "statx extras overflow their scratch area");

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
