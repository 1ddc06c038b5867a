/** The access-mode bits of open(2) flags (O_RDONLY, O_WRONLY, O_RDWR): `flags & O_ACCMODE`. */
export const O_ACCMODE = 3;

// Flag bits of request fields (the kernel's FUSE_SET_ATTR_*, RENAME_*, XATTR_*, FALLOC_FL_*).

/** Bits of SetattrRequest.toSet (FUSE_SET_ATTR_*). */
export const SetattrValid = Object.freeze({
  /** `mode` is set (chmod). */
  MODE: 1 << 0,
  /** `uidToSet` is set (chown). */
  UID: 1 << 1,
  /** `gidToSet` is set (chown). */
  GID: 1 << 2,
  /** `size` is set (truncate). */
  SIZE: 1 << 3,
  /** `atime` is set to a given time. */
  ATIME: 1 << 4,
  /** `mtime` is set to a given time. */
  MTIME: 1 << 5,
  /** atime is set to the current time. */
  ATIME_NOW: 1 << 7,
  /** mtime is set to the current time. */
  MTIME_NOW: 1 << 8,
  /** Kernel-internal (FUSE_SET_ATTR_FORCE). */
  FORCE: 1 << 9,
  /** `ctime` is set. */
  CTIME: 1 << 10,
  /** Clear the set-user-id bit. */
  KILL_SUID: 1 << 11,
  /** Clear the set-group-id bit. */
  KILL_SGID: 1 << 12,
  /** Kernel-internal (ATTR_FILE: the request names an open file). */
  FILE: 1 << 13,
  /** Clear the privileges (security.capability). */
  KILL_PRIV: 1 << 14,
  /** Kernel-internal (ATTR_OPEN: truncate from open). */
  OPEN: 1 << 15,
  /** Kernel-internal (ATTR_TIMES_SET). */
  TIMES_SET: 1 << 16,
  /** Kernel-internal (ATTR_TOUCH). */
  TOUCH: 1 << 17,
});

/** RENAME_* flags of RenameRequest.flags. */
export const RenameFlags = Object.freeze({
  /** Fail with EEXIST when the destination exists. */
  NOREPLACE: 1,
  /** Swap source and destination (both must exist). */
  EXCHANGE: 2,
  /** Leave a whiteout (a 0/0 character device) at the source (overlayfs). */
  WHITEOUT: 4,
});

/** XATTR_* flags of SetxattrRequest.flags. */
export const XattrFlags = Object.freeze({
  /** Fail with EEXIST when the attribute exists. */
  CREATE: 1,
  /** Fail with ENODATA when the attribute does not exist. */
  REPLACE: 2,
});

/** FALLOC_FL_* bits of FallocateRequest.mode. */
export const FallocFlags = Object.freeze({
  /** Allocate without changing the file size. */
  KEEP_SIZE: 1,
  /** Deallocate the range (with KEEP_SIZE): it reads as zeros. */
  PUNCH_HOLE: 2,
  /** Remove the range, shifting the rest of the file down. */
  COLLAPSE_RANGE: 8,
  /** Zero the range. */
  ZERO_RANGE: 16,
  /** Insert a hole at the offset, shifting the rest of the file up. */
  INSERT_RANGE: 32,
});
