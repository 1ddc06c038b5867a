// FUSE_CAP_* capability bits (fuse_common.h, libfuse 3.14), by name.

export const Capability = Object.freeze({
  asyncRead: 1 << 0,
  posixLocks: 1 << 1,
  atomicOTrunc: 1 << 3,
  exportSupport: 1 << 4,
  dontMask: 1 << 6,
  spliceWrite: 1 << 7,
  spliceMove: 1 << 8,
  spliceRead: 1 << 9,
  flockLocks: 1 << 10,
  ioctlDir: 1 << 11,
  autoInvalData: 1 << 12,
  readdirplus: 1 << 13,
  readdirplusAuto: 1 << 14,
  asyncDio: 1 << 15,
  writebackCache: 1 << 16,
  noOpenSupport: 1 << 17,
  parallelDirops: 1 << 18,
  posixAcl: 1 << 19,
  handleKillpriv: 1 << 20,
  cacheSymlinks: 1 << 23,
  noOpendirSupport: 1 << 24,
  explicitInvalData: 1 << 25,
  expireOnly: 1 << 26,
});

export type CapabilityName = keyof typeof Capability;

/** The names of the bits set in a capability mask. */
export function capabilityNames(mask: number): CapabilityName[] {
  return (Object.keys(Capability) as CapabilityName[]).filter((k) => (mask & Capability[k]) !== 0);
}
