/** The access-mode bits of open(2) flags (O_RDONLY, O_WRONLY, O_RDWR): `flags & O_ACCMODE`. */
export const O_ACCMODE = 3;

// Flag bits of request fields (the kernel's FUSE_SET_ATTR_*, RENAME_*, XATTR_*, FALLOC_FL_*).

/** Bits of SetattrRequest.toSet (FUSE_SET_ATTR_*). */
export const SetattrValid = Object.freeze({
  MODE: 1 << 0, UID: 1 << 1, GID: 1 << 2, SIZE: 1 << 3, ATIME: 1 << 4, MTIME: 1 << 5,
  ATIME_NOW: 1 << 7, MTIME_NOW: 1 << 8, FORCE: 1 << 9, CTIME: 1 << 10, KILL_SUID: 1 << 11,
  KILL_SGID: 1 << 12, FILE: 1 << 13, KILL_PRIV: 1 << 14, OPEN: 1 << 15, TIMES_SET: 1 << 16, TOUCH: 1 << 17,
});

/** RENAME_* flags of RenameRequest.flags. */
export const RenameFlags = Object.freeze({ NOREPLACE: 1, EXCHANGE: 2, WHITEOUT: 4 });

/** XATTR_* flags of SetxattrRequest.flags. */
export const XattrFlags = Object.freeze({ CREATE: 1, REPLACE: 2 });

/** FALLOC_FL_* bits of FallocateRequest.mode. */
export const FallocFlags = Object.freeze({ KEEP_SIZE: 1, PUNCH_HOLE: 2, COLLAPSE_RANGE: 8, ZERO_RANGE: 16, INSERT_RANGE: 32 });
