// Metadata: stat and statvfs results, and the calls that change or check an inode's attributes.
import type { Statfs, Timespec, U64 } from '../attr';
import { SF, sys, VF } from './addon';
import { bytes, check, EMPTY, fdArg, type Name, num, TWO32 } from './args';
import { AT } from './constants';

/**
 * struct stat, in the shape of lib/attr.ts's Attr (so it can be a reply's attributes once `ino` is
 * the filesystem's own inode number), plus `dev` and an exact identity `key`.
 */
export interface Stat {
  /** st_dev: the device the file is on. */
  dev: number;
  /** st_ino, exact: a bigint beyond 2^53-1 (U64). */
  ino: U64;
  /** File type and permission bits. */
  mode: number;
  /** Number of hard links. */
  nlink: number;
  /** Owner user id. */
  uid: number;
  /** Owner group id. */
  gid: number;
  /** Device number (character and block devices). */
  rdev: number;
  /** Size in bytes. */
  size: U64;
  /** Allocated 512-byte blocks. */
  blocks: U64;
  /** Preferred I/O block size in bytes. */
  blksize: number;
  /** Last access time. */
  atime: Timespec;
  /** Last modification time. */
  mtime: Timespec;
  /** Last status change time. */
  ctime: Timespec;
  /** "dev:ino" in exact decimal: one file on the host (hard links share it). */
  key: string;
}

/**
 * statx(2)'s result in the shape of lib/attr.ts's Statx (a statx reply once `ino` is the
 * filesystem's own): the Stat, the mask of valid fields, `btime` when the mask has STATX_BTIME,
 * and the STATX_ATTR_* bits with the mask of those the source supports.
 */
export interface Statx extends Stat {
  /** The StatxMask bits of the fields the source filled in. */
  mask: number;
  /** The birth time, when the source has one (StatxMask.BTIME in mask). */
  btime?: Timespec;
  /** STATX_ATTR_* bits of the file (immutable, append, nodump, ...). */
  attributes: number;
  /** The STATX_ATTR_* bits the source supports. */
  attributesMask: number;
}

/**
 * struct statvfs in the shape of lib/attr.ts's Statfs, so it can answer a statfs request as it is.
 * Without f_fsid: it is a 64-bit value on most filesystems and FUSE does not pass it on.
 */
export type Statvfs = Required<Omit<Statfs, 'fsid'>>;

/** A time for utimensat: a Timespec, 'now' (UTIME_NOW) or 'omit' (UTIME_OMIT, unchanged). */
export type TimeArg = Timespec | 'now' | 'omit';

const statOut = new Float64Array(SF.COUNT);
const statWide = new BigUint64Array(statOut.buffer);
const statvfsOut = new Float64Array(VF.COUNT);
const SAFE_HI = 0x200000;  // a 64-bit value whose high half is below this is a safe integer

function u64(hi: number, lo: number): U64 {
  return hi < SAFE_HI ? hi * TWO32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

/** A field written with layout.h PutU64: the number, or the exact bigint from its wide field. */
function wide(o: Float64Array, i: number, x: number): U64 {
  const v = o[i];
  return v === v ? v : statWide[x];
}

function toStat(o: Float64Array): Stat {
  return {
    dev: o[SF.DEV], ino: u64(o[SF.INO_HI], o[SF.INO_LO]), mode: o[SF.MODE], nlink: o[SF.NLINK], uid: o[SF.UID],
    gid: o[SF.GID], rdev: o[SF.RDEV], size: wide(o, SF.SIZE, SF.SIZE_X), blocks: wide(o, SF.BLOCKS, SF.BLOCKS_X),
    blksize: o[SF.BLKSIZE],
    atime: { sec: o[SF.ATIME_S], nsec: o[SF.ATIME_NS] },
    mtime: { sec: o[SF.MTIME_S], nsec: o[SF.MTIME_NS] },
    ctime: { sec: o[SF.CTIME_S], nsec: o[SF.CTIME_NS] },
    key: `${String(u64(o[SF.DEV_HI], o[SF.DEV_LO]))}:${String(u64(o[SF.INO_HI], o[SF.INO_LO]))}`,
  };
}

/**
 * fstatat(2). `flags` default to AT.SYMLINK_NOFOLLOW (a symlink is described, not its target); the
 * empty name describes the object `dirfd` refers to.
 */
export function fstatat(dirfd: number, name: Name, flags?: number): Stat {
  check(sys().fstatat(fdArg(dirfd, 'fstatat'), bytes(name, 'fstatat'), flags ?? AT.SYMLINK_NOFOLLOW, statOut), 'fstatat');
  return toStat(statOut);
}

const STATX_BTIME = 0x800;
const STATX_BASIC_AND_BTIME = 0xfff;

/**
 * statx(2): fstatat's fields plus the birth time and the attribute bits. `flags` default to
 * AT.SYMLINK_NOFOLLOW (and AT_STATX_* sync flags may be added), `mask` to the basic stats and the
 * birth time; the empty name describes the object `dirfd` refers to. `btime` is left out when the
 * source has none (its mask lacks STATX_BTIME).
 */
export function statx(dirfd: number, name: Name, flags?: number, mask = STATX_BASIC_AND_BTIME): Statx {
  num(mask, 'statx mask', 0);
  check(sys().statx(fdArg(dirfd, 'statx'), bytes(name, 'statx'), flags ?? AT.SYMLINK_NOFOLLOW, mask, statOut), 'statx');
  const o = statOut;
  const x: Statx = { ...toStat(o), mask: o[SF.STX_MASK], attributes: o[SF.ATTRIBUTES], attributesMask: o[SF.ATTRIBUTES_MASK] };
  if (o[SF.STX_MASK] & STATX_BTIME) x.btime = { sec: o[SF.BTIME_S], nsec: o[SF.BTIME_NS] };
  return x;
}

/** fstat(2) of any fd, O_PATH handles included (a symlink's handle describes the symlink). */
export function fstat(fd: number): Stat {
  return fstatat(fd, EMPTY, AT.SYMLINK_NOFOLLOW);
}

/** fstatvfs(3): the statistics of the filesystem holding `fd` (also an O_PATH handle). */
export function fstatvfs(fd: number): Statvfs {
  check(sys().fstatvfs(fdArg(fd, 'fstatvfs'), statvfsOut), 'fstatvfs');
  const o = statvfsOut;
  return {
    bsize: o[VF.BSIZE], frsize: o[VF.FRSIZE], blocks: o[VF.BLOCKS], bfree: o[VF.BFREE], bavail: o[VF.BAVAIL],
    files: o[VF.FILES], ffree: o[VF.FFREE], favail: o[VF.FAVAIL], flag: o[VF.FLAG], namemax: o[VF.NAMEMAX],
  };
}

/**
 * fchmodat(2): sets the permission bits (07777). The empty name changes the object `dirfd` refers
 * to (O_PATH handles through /proc); a symlink's mode cannot be changed (EOPNOTSUPP).
 */
export function fchmodat(dirfd: number, name: Name, mode: number, flags = 0): void {
  check(sys().fchmodat(fdArg(dirfd, 'fchmodat'), bytes(name, 'fchmodat'), mode & 0o7777, flags), 'fchmodat');
}

/**
 * fchownat(2): -1 leaves an id unchanged. `flags` default to AT.SYMLINK_NOFOLLOW; the empty name
 * changes the object `dirfd` refers to (a symlink's handle: the symlink).
 */
export function fchownat(dirfd: number, name: Name, uid: number, gid: number, flags?: number): void {
  num(uid, 'fchownat uid', -1);
  num(gid, 'fchownat gid', -1);
  check(sys().fchownat(fdArg(dirfd, 'fchownat'), bytes(name, 'fchownat'), uid, gid, flags ?? AT.SYMLINK_NOFOLLOW), 'fchownat');
}

function timeArg(t: TimeArg | undefined, what: string): [number, number] {
  if (t === undefined || t === 'omit') return [0, UTIME_OMIT];
  if (t === 'now') return [0, UTIME_NOW];
  if (!(t !== null && typeof t === 'object' && Number.isSafeInteger(t.sec) && Number.isInteger(t.nsec) && t.nsec >= 0 && t.nsec <= 999999999)) {
    throw new TypeError(`utimensat: invalid ${what} ${JSON.stringify(t)}`);
  }
  return [t.sec, t.nsec];
}

const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;

/**
 * utimensat(2): sets atime and mtime (undefined or 'omit': unchanged; 'now': the current time).
 * `flags` default to AT.SYMLINK_NOFOLLOW; the empty name changes the object `dirfd` refers to
 * (through /proc: a symlink's handle changes the symlink).
 */
export function utimensat(dirfd: number, name: Name, atime: TimeArg | undefined, mtime: TimeArg | undefined, flags?: number): void {
  const [as, ans] = timeArg(atime, 'atime');
  const [ms, mns] = timeArg(mtime, 'mtime');
  check(sys().utimensat(fdArg(dirfd, 'utimensat'), bytes(name, 'utimensat'), as, ans, ms, mns, flags ?? AT.SYMLINK_NOFOLLOW), 'utimensat');
}

/**
 * faccessat(2) (with faccessat2's flags). With AT.EACCESS the check uses the calling thread's
 * effective credentials, which asUser() sets; without it the real ids. Throws EACCES when denied.
 */
export function faccessat(dirfd: number, name: Name, mode: number, flags = 0): void {
  check(sys().faccessat(fdArg(dirfd, 'faccessat'), bytes(name, 'faccessat'), mode & 7, flags), 'faccessat');
}
