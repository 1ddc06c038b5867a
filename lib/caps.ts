// FUSE_CAP_* capability bits (fuse_common.h, libfuse 3.14), by name.

/** FUSE_CAP_* bits (libfuse 3.14) by name: ConnOptions.capabilities and ConnInfo.capable/want. */
export const Capability = Object.freeze({
  /** Reads may be sent in parallel (FUSE_CAP_ASYNC_READ). */
  asyncRead: 1 << 0,
  /** The filesystem handles POSIX locks (getlk/setlk). */
  posixLocks: 1 << 1,
  /** O_TRUNC reaches open in its flags instead of a setattr before it. */
  atomicOTrunc: 1 << 3,
  /** Lookups of "." and ".." (NFS export). */
  exportSupport: 1 << 4,
  /** The kernel does not apply the umask to create modes: the filesystem does (Request.umask). */
  dontMask: 1 << 6,
  /** libfuse may splice to the device when replying. */
  spliceWrite: 1 << 7,
  /** libfuse may move pages when splicing to the device. */
  spliceMove: 1 << 8,
  /** libfuse may splice from the device when receiving. */
  spliceRead: 1 << 9,
  /** The filesystem handles BSD locks (flock). */
  flockLocks: 1 << 10,
  /** ioctl on directories. */
  ioctlDir: 1 << 11,
  /** The kernel drops cached data when it sees the mtime or size change. */
  autoInvalData: 1 << 12,
  /** readdirplus is used. */
  readdirplus: 1 << 13,
  /** The kernel chooses between readdir and readdirplus. */
  readdirplusAuto: 1 << 14,
  /** Direct I/O may be sent in parallel. */
  asyncDio: 1 << 15,
  /** Writeback caching: the kernel buffers writes and sends them later (writepage). */
  writebackCache: 1 << 16,
  /** open may answer ENOSYS for good: the kernel stops sending it. */
  noOpenSupport: 1 << 17,
  /** Lookups and readdirs of one directory may run in parallel. */
  parallelDirops: 1 << 18,
  /** The kernel enforces POSIX ACLs from the xattrs. */
  posixAcl: 1 << 19,
  /** The filesystem clears suid/sgid/capabilities on write, chown and truncate. */
  handleKillpriv: 1 << 20,
  /** The kernel caches readlink results. */
  cacheSymlinks: 1 << 23,
  /** opendir may answer ENOSYS for good: the kernel stops sending it. */
  noOpendirSupport: 1 << 24,
  /** The kernel invalidates cached data only when told (invalidateInode). */
  explicitInvalData: 1 << 25,
  /** invalidateEntry may only expire an entry (FUSE_EXPIRE_ONLY). */
  expireOnly: 1 << 26,
});

/** A capability's name (a key of Capability). */
export type CapabilityName = keyof typeof Capability;

/** The names of the bits set in a capability mask. */
export function capabilityNames(mask: number): CapabilityName[] {
  return (Object.keys(Capability) as CapabilityName[]).filter((k) => (mask & Capability[k]) !== 0);
}
