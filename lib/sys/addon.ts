// The addon's `sys` functions (src-native/sys*.cc) as lib/sys/ calls them, loaded on first use and
// checked against the stat layout this side reads.
import type { U64 } from '../attr';
import { native } from '../native';

/** The addon's `sys` object: every function returns its result or -errno. @internal */
export interface NativeSys {
  openat(dirfd: number, path: Uint8Array, flags: number, mode: number): number;
  close(fd: number): number;
  dup(fd: number): number;
  fstatat(dirfd: number, path: Uint8Array, flags: number, out: Float64Array): number;
  statx(dirfd: number, path: Uint8Array, flags: number, mask: number, out: Float64Array): number;
  fstatvfs(fd: number, out: Float64Array): number;
  fchmodat(dirfd: number, path: Uint8Array, mode: number, flags: number): number;
  fchownat(dirfd: number, path: Uint8Array, uid: number, gid: number, flags: number): number;
  utimensat(dirfd: number, path: Uint8Array, as: number, ans: number, ms: number, mns: number, flags: number): number;
  faccessat(dirfd: number, path: Uint8Array, mode: number, flags: number): number;
  mkdirat(dirfd: number, path: Uint8Array, mode: number): number;
  mknodat(dirfd: number, path: Uint8Array, mode: number, rdev: number): number;
  symlinkat(target: Uint8Array, dirfd: number, path: Uint8Array): number;
  readlinkat(dirfd: number, path: Uint8Array, out: Uint8Array): number;
  unlinkat(dirfd: number, path: Uint8Array, flags: number): number;
  renameat2(olddirfd: number, oldpath: Uint8Array, newdirfd: number, newpath: Uint8Array, flags: number): number;
  linkat(olddirfd: number, oldpath: Uint8Array, newdirfd: number, newpath: Uint8Array, flags: number): number;
  getdents(fd: number, out: Uint8Array): number;
  truncate(dirfd: number, path: Uint8Array, size: U64): number;
  ftruncate(fd: number, size: U64): number;
  fallocate(fd: number, mode: number, offset: U64, length: U64): number;
  lseek(fd: number, offset: U64, whence: number): U64;
  copyFileRange(fdIn: number, offIn: U64, fdOut: number, offOut: U64, length: U64, flags: number): number;
  pwrite(fd: number, buf: Uint8Array, offset: bigint): number;
  getxattr(dirfd: number, path: Uint8Array, name: Uint8Array, out: Uint8Array | null): number;
  setxattr(dirfd: number, path: Uint8Array, name: Uint8Array, value: Uint8Array, flags: number): number;
  listxattr(dirfd: number, path: Uint8Array, out: Uint8Array | null): number;
  removexattr(dirfd: number, path: Uint8Array, name: Uint8Array): number;
  credsPush(uid: number, gid: number, groups: number[]): number;
  credsPop(): number;
  alignGap(bytes: Uint8Array, align: number): number;
  nameToHandleAt(dirfd: number, path: Uint8Array, flags: number, out: Uint8Array, idOut: Float64Array): number;
  openByHandleAt(mountfd: number, handle: Uint8Array, flags: number): number;
  nofileLimit(raise: number, out: Float64Array): number;
  mallocTrim(): number;
  constants: Readonly<Record<string, number>>;
  layout: Readonly<Record<string, number>>;
}

/** Fields of a stat result as the addon writes them (checked against its `layout` at load). */
export const enum SF {
  DEV = 0, INO, MODE, NLINK, UID, GID, RDEV, SIZE, BLKSIZE, BLOCKS, ATIME_S, ATIME_NS, MTIME_S, MTIME_NS,
  CTIME_S, CTIME_NS, INO_HI, INO_LO, DEV_HI, DEV_LO, SIZE_X, BLOCKS_X,
  BTIME_S, BTIME_NS, STX_MASK, ATTRIBUTES, ATTRIBUTES_MASK,  // statx only
  COUNT,
}

export const enum VF {
  BSIZE = 0, FRSIZE, BLOCKS, BFREE, BAVAIL, FILES, FFREE, FAVAIL, FSID, FLAG, NAMEMAX, COUNT,
}

const LAYOUT: Readonly<Record<string, number>> = {
  SF_DEV: SF.DEV, SF_INO: SF.INO, SF_MODE: SF.MODE, SF_NLINK: SF.NLINK, SF_UID: SF.UID, SF_GID: SF.GID,
  SF_RDEV: SF.RDEV, SF_SIZE: SF.SIZE, SF_BLKSIZE: SF.BLKSIZE, SF_BLOCKS: SF.BLOCKS, SF_ATIME_S: SF.ATIME_S,
  SF_ATIME_NS: SF.ATIME_NS, SF_MTIME_S: SF.MTIME_S, SF_MTIME_NS: SF.MTIME_NS, SF_CTIME_S: SF.CTIME_S,
  SF_CTIME_NS: SF.CTIME_NS, SF_INO_HI: SF.INO_HI, SF_INO_LO: SF.INO_LO, SF_DEV_HI: SF.DEV_HI, SF_DEV_LO: SF.DEV_LO,
  SF_SIZE_X: SF.SIZE_X, SF_BLOCKS_X: SF.BLOCKS_X, SF_BTIME_S: SF.BTIME_S, SF_BTIME_NS: SF.BTIME_NS,
  SF_STX_MASK: SF.STX_MASK, SF_ATTRIBUTES: SF.ATTRIBUTES, SF_ATTRIBUTES_MASK: SF.ATTRIBUTES_MASK, SF_COUNT: SF.COUNT, VF_BSIZE: VF.BSIZE, VF_FRSIZE: VF.FRSIZE, VF_BLOCKS: VF.BLOCKS, VF_BFREE: VF.BFREE,
  VF_BAVAIL: VF.BAVAIL, VF_FILES: VF.FILES, VF_FFREE: VF.FFREE, VF_FAVAIL: VF.FAVAIL, VF_FSID: VF.FSID,
  VF_FLAG: VF.FLAG, VF_NAMEMAX: VF.NAMEMAX, VF_COUNT: VF.COUNT,
};

let addon: NativeSys | undefined;

export function sys(): NativeSys {
  if (!addon) {
    const s = (native() as ReturnType<typeof native> & { sys?: NativeSys }).sys;
    if (!s) throw new Error('rxfuse: the addon has no sys functions (rebuild the addon)');
    for (const [k, v] of Object.entries(LAYOUT)) {
      if (s.layout[k] !== v) throw new Error(`rxfuse: sys layout mismatch for ${k}: addon ${s.layout[k]}, lib ${v} (rebuild the addon)`);
    }
    addon = s;
  }
  return addon;
}
