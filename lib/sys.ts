// fd-relative system calls: what a passthrough or overlay filesystem needs and Node's fs lacks
// (openat with O_PATH, fstatat, mkdirat, mknodat, renameat2, linkat, xattrs, getdents64, ...), as a
// small typed API over the addon's `sys` functions (src-native/sys.cc).
//
// Synchronous, on purpose. A filesystem that mirrors a local directory makes these calls inline, as
// a single-threaded C passthrough does: each takes microseconds, less than a round trip through
// libuv's thread pool, and a handler without an await between resolving a name and replying cannot
// interleave with a FORGET of the same inode. The price is the same as in C: a source that blocks
// (a hung NFS server, a FIFO opened without O_NONBLOCK) blocks the JS thread and so the mount.
//
// Conventions:
// - File descriptors are numbers; every descriptor opened here is close-on-exec.
// - Names, paths and symlink targets are bytes (Buffer or Uint8Array; a string is taken as UTF-8).
//   Results are Buffers. A name may be a relative path, but a filesystem that must not leave a
//   directory passes single components and opens each with O_NOFOLLOW.
// - The EMPTY name (`EMPTY`, or '') means "the object `dirfd` itself refers to", for every call that
//   takes (dirfd, name): the addon uses AT_EMPTY_PATH where the kernel has it and the fd's
//   /proc/self/fd/N magic link where it has not (O_PATH descriptors have no fchmod, futimens,
//   ftruncate, f*xattr). That link resolves to exactly the fd's inode, never through a symlink.
// - Errors are thrown as FuseError carrying the errno, with the syscall in the message
//   ("openat: ENOENT"): a handler that lets one propagate answers the kernel with that errno and no
//   error event. Invalid arguments (a fd that is not an integer, a name with NUL) are TypeErrors.
import * as fs from 'node:fs';
import { isOffset, type Statfs, type Timespec, type U64 } from './attr';
import { errnoName, FuseError } from './errors';
import { native } from './native';

/** A name or path: bytes, or a string taken as UTF-8. */
export type Name = Uint8Array | string;

/** The empty name: the object the fd itself refers to. */
export const EMPTY: Buffer = Buffer.alloc(0);

/**
 * struct stat, in the shape of lib/attr.ts's Attr (so it can be a reply's attributes once `ino` is
 * the filesystem's own inode number), plus `dev` and an exact identity `key`.
 */
export interface Stat {
  dev: number;
  /** st_ino, exact: a bigint beyond 2^53-1 (U64). */
  ino: U64;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: U64;
  blocks: U64;
  blksize: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  /** "dev:ino" in exact decimal: one file on the host (hard links share it). */
  key: string;
}

/**
 * struct statvfs in the shape of lib/attr.ts's Statfs, so it can answer a statfs request as it is.
 * Without f_fsid: it is a 64-bit value on most filesystems and FUSE does not pass it on.
 */
export type Statvfs = Required<Omit<Statfs, 'fsid'>>;

/** One entry of a directory read with getdents(). */
export interface DirEntry {
  name: Buffer;
  /** d_ino (exact below 2^53). */
  ino: number;
  /** d_type: one of DT (DT.UNKNOWN when the filesystem does not say). */
  type: number;
  /** d_off: the position to lseek() to in order to continue after this entry (all 64 bits). */
  off: bigint;
}

/** Credentials of a caller: the ids and supplementary groups new objects are made with (asUser). */
export interface Creds {
  uid: number;
  gid: number;
  groups: readonly number[];
}

/** A time for utimensat: a Timespec, 'now' (UTIME_NOW) or 'omit' (UTIME_OMIT, unchanged). */
export type TimeArg = Timespec | 'now' | 'omit';

// ---- the addon ---------------------------------------------------------------------------------

/** The addon's `sys` object: every function returns its result or -errno. @internal */
interface NativeSys {
  openat(dirfd: number, path: Uint8Array, flags: number, mode: number): number;
  close(fd: number): number;
  dup(fd: number): number;
  fstatat(dirfd: number, path: Uint8Array, flags: number, out: Float64Array): number;
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
const enum SF {
  DEV = 0, INO, MODE, NLINK, UID, GID, RDEV, SIZE, BLKSIZE, BLOCKS, ATIME_S, ATIME_NS, MTIME_S, MTIME_NS,
  CTIME_S, CTIME_NS, INO_HI, INO_LO, DEV_HI, DEV_LO, SIZE_X, BLOCKS_X, COUNT,
}

const enum VF {
  BSIZE = 0, FRSIZE, BLOCKS, BFREE, BAVAIL, FILES, FFREE, FAVAIL, FSID, FLAG, NAMEMAX, COUNT,
}

const LAYOUT: Readonly<Record<string, number>> = {
  SF_DEV: SF.DEV, SF_INO: SF.INO, SF_MODE: SF.MODE, SF_NLINK: SF.NLINK, SF_UID: SF.UID, SF_GID: SF.GID,
  SF_RDEV: SF.RDEV, SF_SIZE: SF.SIZE, SF_BLKSIZE: SF.BLKSIZE, SF_BLOCKS: SF.BLOCKS, SF_ATIME_S: SF.ATIME_S,
  SF_ATIME_NS: SF.ATIME_NS, SF_MTIME_S: SF.MTIME_S, SF_MTIME_NS: SF.MTIME_NS, SF_CTIME_S: SF.CTIME_S,
  SF_CTIME_NS: SF.CTIME_NS, SF_INO_HI: SF.INO_HI, SF_INO_LO: SF.INO_LO, SF_DEV_HI: SF.DEV_HI, SF_DEV_LO: SF.DEV_LO,
  SF_SIZE_X: SF.SIZE_X, SF_BLOCKS_X: SF.BLOCKS_X, SF_COUNT: SF.COUNT, VF_BSIZE: VF.BSIZE, VF_FRSIZE: VF.FRSIZE, VF_BLOCKS: VF.BLOCKS, VF_BFREE: VF.BFREE,
  VF_BAVAIL: VF.BAVAIL, VF_FILES: VF.FILES, VF_FFREE: VF.FFREE, VF_FAVAIL: VF.FAVAIL, VF_FSID: VF.FSID,
  VF_FLAG: VF.FLAG, VF_NAMEMAX: VF.NAMEMAX, VF_COUNT: VF.COUNT,
};

let addon: NativeSys | undefined;

function sys(): NativeSys {
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

/** A group of the platform's constants (read from the addon on first use: values differ by arch). */
function group<K extends string>(prefix: string, names: readonly K[]): Readonly<Record<K, number>> {
  const o = {} as Record<K, number>;
  for (const n of names) {
    Object.defineProperty(o, n, {
      enumerable: true,
      get: () => {
        const v = sys().constants[prefix + n];
        if (v === undefined) throw new Error(`rxfuse: the addon has no constant ${prefix}${n}`);
        return v;
      },
    });
  }
  return Object.freeze(o);
}

/** open(2) flags (O_*), with this platform's values. */
export const O = group('O_', [
  'RDONLY', 'WRONLY', 'RDWR', 'ACCMODE', 'CREAT', 'EXCL', 'NOCTTY', 'TRUNC', 'APPEND', 'NONBLOCK', 'DSYNC', 'SYNC',
  'DIRECT', 'LARGEFILE', 'DIRECTORY', 'NOFOLLOW', 'NOATIME', 'CLOEXEC', 'PATH', 'TMPFILE',
] as const);
/** AT_* flags of the *at calls. */
export const AT = group('AT_', ['FDCWD', 'EMPTY_PATH', 'SYMLINK_NOFOLLOW', 'SYMLINK_FOLLOW', 'REMOVEDIR', 'EACCESS', 'NO_AUTOMOUNT'] as const);
/** renameat2 flags. */
export const RENAME = group('RENAME_', ['NOREPLACE', 'EXCHANGE', 'WHITEOUT'] as const);
/** fallocate modes. */
export const FALLOC_FL = group('FALLOC_FL_', ['KEEP_SIZE', 'PUNCH_HOLE', 'COLLAPSE_RANGE', 'ZERO_RANGE', 'INSERT_RANGE', 'UNSHARE_RANGE'] as const);
/** lseek whence values, SEEK_DATA and SEEK_HOLE included. */
export const SEEK = group('SEEK_', ['SET', 'CUR', 'END', 'DATA', 'HOLE'] as const);
/** setxattr flags. */
export const XATTR = group('XATTR_', ['CREATE', 'REPLACE', 'NAME_MAX', 'SIZE_MAX', 'LIST_MAX'] as const);
/** access(2) modes. */
export const ACCESS = group('', ['F_OK', 'R_OK', 'W_OK', 'X_OK'] as const);
/** Directory entry types (d_type), the same on every Linux: the file type bits of st_mode >> 12. */
export const DT = Object.freeze({ UNKNOWN: 0, FIFO: 1, CHR: 2, DIR: 4, BLK: 6, REG: 8, LNK: 10, SOCK: 12, WHT: 14 });

// ---- marshalling -------------------------------------------------------------------------------

const statOut = new Float64Array(SF.COUNT);
const statWide = new BigUint64Array(statOut.buffer);
const statvfsOut = new Float64Array(VF.COUNT);
const TWO32 = 4294967296;
const SAFE_HI = 0x200000;  // a 64-bit value whose high half is below this is a safe integer

function bytes(n: Name, what: string): Uint8Array {
  if (typeof n === 'string') return Buffer.from(n, 'utf8');
  if (n instanceof Uint8Array) return n;
  throw new TypeError(`${what}: Buffer, Uint8Array or string expected`);
}

function fdArg(fd: number, what: string): number {
  if (!(Number.isInteger(fd) && (fd >= 0 || fd === -100))) throw new TypeError(`${what}: invalid file descriptor ${String(fd)}`);
  return fd;
}

function num(v: number, what: string, min = 0): number {
  if (!(Number.isSafeInteger(v) && v >= min)) throw new TypeError(`${what}: invalid value ${String(v)}`);
  return v;
}

/** An offset or size: a safe integer, or a bigint up to 2^63-1 (beyond 2^53-1 a number is not exact). */
function off(v: U64, what: string): U64 {
  if (!isOffset(v)) throw new TypeError(`${what}: invalid value ${String(v)}`);
  return v;
}

/** Throws the FuseError of a -errno result; returns a non-negative result. */
function check(r: number, call: string): number {
  if (r < 0) throw new FuseError(-r, `${call}: ${errnoName(-r)}`);
  return r;
}

/** Turns an error of Node's fs (a SystemError with a negative errno) into a FuseError. */
function fromNode(e: unknown, call: string): unknown {
  const n = (e as NodeJS.ErrnoException | null)?.errno;
  if (typeof n === 'number' && n < 0) return new FuseError(-n, `${call}: ${errnoName(-n)}`);
  return e;
}

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

// ---- descriptors -------------------------------------------------------------------------------

/**
 * openat(2): opens `name` relative to `dirfd` (AT.FDCWD: the working directory). O_CLOEXEC is always
 * added. The empty name reopens the object `dirfd` refers to (also an O_PATH fd) with new flags,
 * through /proc/self/fd/N. Returns the new fd.
 */
export function openat(dirfd: number, name: Name, flags: number, mode = 0): number {
  return check(sys().openat(fdArg(dirfd, 'openat'), bytes(name, 'openat'), (flags | O.CLOEXEC) >>> 0, mode), 'openat');
}

/**
 * An O_PATH handle on `name` in `dirfd`, not following a final symlink: the handle of a symlink is
 * the symlink itself. The building block of a filesystem that must never leave its source directory.
 */
export function openPath(dirfd: number, name: Name): number {
  return openat(dirfd, name, O.PATH | O.NOFOLLOW);
}

/** Reopens the object `fd` refers to (an O_PATH handle, say) with `flags` (ELOOP for a symlink). */
export function reopen(fd: number, flags: number): number {
  return openat(fd, EMPTY, flags & ~(O.CREAT | O.EXCL | O.NOFOLLOW));
}

/** close(2). */
export function close(fd: number): void {
  check(sys().close(fdArg(fd, 'close')), 'close');
}

/** dup(2) (close-on-exec). close(dup(fd)) is how a passthrough passes a flush on to the source. */
export function dup(fd: number): number {
  return check(sys().dup(fdArg(fd, 'dup')), 'dup');
}

// ---- metadata ----------------------------------------------------------------------------------

/**
 * fstatat(2). `flags` default to AT.SYMLINK_NOFOLLOW (a symlink is described, not its target); the
 * empty name describes the object `dirfd` refers to.
 */
export function fstatat(dirfd: number, name: Name, flags?: number): Stat {
  check(sys().fstatat(fdArg(dirfd, 'fstatat'), bytes(name, 'fstatat'), flags ?? AT.SYMLINK_NOFOLLOW, statOut), 'fstatat');
  return toStat(statOut);
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

// ---- names -------------------------------------------------------------------------------------

/** mkdirat(2). */
export function mkdirat(dirfd: number, name: Name, mode: number): void {
  check(sys().mkdirat(fdArg(dirfd, 'mkdirat'), bytes(name, 'mkdirat'), mode & 0o7777), 'mkdirat');
}

/** mknodat(2): `mode` includes the file type (S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK, S_IFREG). */
export function mknodat(dirfd: number, name: Name, mode: number, rdev = 0): void {
  check(sys().mknodat(fdArg(dirfd, 'mknodat'), bytes(name, 'mknodat'), mode, num(rdev, 'mknodat rdev')), 'mknodat');
}

/** symlinkat(2): the target bytes are stored as they are, never resolved. */
export function symlinkat(target: Name, dirfd: number, name: Name): void {
  check(sys().symlinkat(bytes(target, 'symlinkat'), fdArg(dirfd, 'symlinkat'), bytes(name, 'symlinkat')), 'symlinkat');
}

/** readlinkat(2): the target as bytes. The empty name reads the symlink an O_PATH handle refers to. */
export function readlinkat(dirfd: number, name: Name = EMPTY): Buffer {
  const path = bytes(name, 'readlinkat');
  for (let size = 4096; ; size *= 4) {
    const out = Buffer.allocUnsafe(size);
    const n = check(sys().readlinkat(fdArg(dirfd, 'readlinkat'), path, out), 'readlinkat');
    if (n < size) return out.subarray(0, n);
  }
}

/** unlinkat(2); AT.REMOVEDIR removes a directory. */
export function unlinkat(dirfd: number, name: Name, flags = 0): void {
  check(sys().unlinkat(fdArg(dirfd, 'unlinkat'), bytes(name, 'unlinkat'), flags), 'unlinkat');
}

/** renameat2(2); flags: RENAME.NOREPLACE, RENAME.EXCHANGE, RENAME.WHITEOUT. */
export function renameat2(olddirfd: number, oldname: Name, newdirfd: number, newname: Name, flags = 0): void {
  check(sys().renameat2(fdArg(olddirfd, 'renameat2'), bytes(oldname, 'renameat2'), fdArg(newdirfd, 'renameat2'),
    bytes(newname, 'renameat2'), flags), 'renameat2');
}

/**
 * linkat(2). The empty oldname links the object `olddirfd` refers to (an O_PATH handle, also of a
 * symlink: the link is to the symlink), through /proc/self/fd/N and AT_SYMLINK_FOLLOW.
 */
export function linkat(olddirfd: number, oldname: Name, newdirfd: number, newname: Name, flags = 0): void {
  check(sys().linkat(fdArg(olddirfd, 'linkat'), bytes(oldname, 'linkat'), fdArg(newdirfd, 'linkat'),
    bytes(newname, 'linkat'), flags), 'linkat');
}

let direntBuf = Buffer.allocUnsafe(65536);

/**
 * getdents64(2): the next entries of the directory open as `fd` (not an O_PATH handle), at most
 * about `maxBytes` of kernel records (at least one entry); [] at the end. "." and ".." included.
 * Each entry's `off` is where to lseek() to continue after it; stable on Linux filesystems.
 */
export function getdents(fd: number, maxBytes = 32768): DirEntry[] {
  const size = Math.max(512, Math.min(maxBytes, 1 << 20));
  if (direntBuf.length < size) direntBuf = Buffer.allocUnsafe(size);
  const buf = direntBuf.subarray(0, size);
  const n = check(sys().getdents(fdArg(fd, 'getdents'), buf), 'getdents');
  const out: DirEntry[] = [];
  for (let p = 0; p < n;) {
    const reclen = buf.readUInt16LE(p + 16);
    const nameEnd = buf.indexOf(0, p + 19);
    out.push({
      ino: buf.readUInt32LE(p + 4) * TWO32 + buf.readUInt32LE(p),
      off: buf.readBigInt64LE(p + 8),
      type: buf[p + 18],
      name: Buffer.from(buf.subarray(p + 19, nameEnd < 0 || nameEnd > p + reclen ? p + reclen : nameEnd)),
    });
    p += reclen;
  }
  return out;
}

// ---- data --------------------------------------------------------------------------------------

/**
 * Sets the size of `name` in `dirfd` (a final symlink is not followed: ELOOP), or with the empty
 * name of the object `dirfd` refers to (O_PATH handles through /proc).
 */
export function truncate(dirfd: number, name: Name, size: U64): void {
  check(sys().truncate(fdArg(dirfd, 'truncate'), bytes(name, 'truncate'), off(size, 'truncate size')), 'truncate');
}

/** ftruncate(2) of a fd open for writing. */
export function ftruncate(fd: number, size: U64): void {
  check(sys().ftruncate(fdArg(fd, 'ftruncate'), off(size, 'ftruncate size')), 'ftruncate');
}

/** fallocate(2); mode: FALLOC_FL bits (0: allocate and extend). */
export function fallocate(fd: number, mode: number, offset: U64, length: U64): void {
  check(sys().fallocate(fdArg(fd, 'fallocate'), mode, off(offset, 'fallocate offset'), off(length, 'fallocate length')), 'fallocate');
}

/**
 * lseek(2), SEEK.DATA and SEEK.HOLE included (ENXIO past the last data). Offsets are exact: a bigint
 * reaches a position beyond 2^53-1 (a file's, or a directory's DirEntry.off), and such a result is one.
 */
export function lseek(fd: number, offset: U64, whence: number): U64 {
  if (typeof offset === 'number') num(offset, 'lseek offset', -Number.MAX_SAFE_INTEGER);
  const r = sys().lseek(fdArg(fd, 'lseek'), offset, whence);
  return typeof r === 'bigint' ? r : check(r, 'lseek');
}

/** copy_file_range(2): bytes copied (0 at the end of the input). A null offset uses the fd's position. */
export function copyFileRange(fdIn: number, offIn: U64 | null, fdOut: number, offOut: U64 | null, length: U64, flags = 0): number {
  return check(sys().copyFileRange(fdArg(fdIn, 'copyFileRange'), offIn === null ? -1 : off(offIn, 'copyFileRange offIn'),
    fdArg(fdOut, 'copyFileRange'), offOut === null ? -1 : off(offOut, 'copyFileRange offOut'),
    off(length, 'copyFileRange length'), flags), 'copyFileRange');
}

/** pread(2) with Node's fs: bytes read into buf. */
export function pread(fd: number, buf: Uint8Array, offset: U64, length = buf.length): number {
  try {
    return fs.readSync(fd, buf, 0, length, offset);  // a bigint position is honoured here
  } catch (e) {
    throw fromNode(e, 'pread');
  }
}

/**
 * pwrite(2) with Node's fs, from the caller's buffer (no copy): bytes written. A bigint offset goes
 * through the addon (fs.writeSync would ignore it and write at the file position).
 */
export function pwrite(fd: number, buf: Uint8Array, offset: U64, length = buf.length): number {
  if (typeof offset === 'bigint') {
    const part = length === buf.length ? buf : buf.subarray(0, length);
    return check(sys().pwrite(fdArg(fd, 'pwrite'), part, off(offset, 'pwrite offset') as bigint), 'pwrite');
  }
  try {
    return fs.writeSync(fd, buf, 0, length, offset);
  } catch (e) {
    throw fromNode(e, 'pwrite');
  }
}

/** What O_DIRECT copies are aligned to: every device's logical block size (512 B, 4 KiB) divides it. */
const DIRECT_ALIGN = 4096;

/**
 * A copy of `data` that starts on a 4096-byte boundary, as pwrite(2) to a file opened O_DIRECT
 * needs (an ordinary Buffer starts anywhere). It keeps up to 4 KiB more memory alive than `data`.
 */
export function alignedCopy(data: Uint8Array): Buffer {
  if (!(data instanceof Uint8Array)) throw new TypeError('alignedCopy: Buffer or Uint8Array expected');
  const room = Buffer.allocUnsafeSlow(data.length + DIRECT_ALIGN);  // off the V8 heap: never moves
  const gap = sys().alignGap(room, DIRECT_ALIGN);
  const copy = room.subarray(gap, gap + data.length);
  copy.set(data);
  return copy;
}

/** fsync(2), or fdatasync(2) when `datasync`. */
export function fsync(fd: number, datasync = false): void {
  try {
    if (datasync) fs.fdatasyncSync(fd);
    else fs.fsyncSync(fd);
  } catch (e) {
    throw fromNode(e, datasync ? 'fdatasync' : 'fsync');
  }
}

// ---- extended attributes -----------------------------------------------------------------------
//
// The empty name reaches the object `dirfd` refers to through /proc/self/fd/N (O_PATH handles have
// no f*xattr); another name is taken relative to dirfd without following its final symlink.

/** The size of an attribute's value (ENODATA when it has none). */
export function getxattrSize(dirfd: number, name: Name, attr: Name): number {
  return check(sys().getxattr(fdArg(dirfd, 'getxattr'), bytes(name, 'getxattr'), bytes(attr, 'getxattr'), null), 'getxattr');
}

/**
 * getxattr(2): the value of `attr`. With `maxSize`, at most that many bytes (ERANGE when the value is
 * longer, as the syscall answers a caller's buffer); without, whatever its size.
 */
export function getxattr(dirfd: number, name: Name, attr: Name, maxSize?: number): Buffer {
  const fd = fdArg(dirfd, 'getxattr');
  const path = bytes(name, 'getxattr');
  const a = bytes(attr, 'getxattr');
  for (;;) {
    const size = maxSize ?? check(sys().getxattr(fd, path, a, null), 'getxattr');
    if (size === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(num(size, 'getxattr size'));
    const r = sys().getxattr(fd, path, a, out);
    if (r === -ERANGE && maxSize === undefined) continue;  // grew since the size probe
    return out.subarray(0, check(r, 'getxattr'));
  }
}

const ERANGE = 34;

/** setxattr(2); flags: XATTR.CREATE (EEXIST if it exists), XATTR.REPLACE (ENODATA if not). */
export function setxattr(dirfd: number, name: Name, attr: Name, value: Uint8Array, flags = 0): void {
  if (!(value instanceof Uint8Array)) throw new TypeError('setxattr: value: Buffer or Uint8Array expected');
  check(sys().setxattr(fdArg(dirfd, 'setxattr'), bytes(name, 'setxattr'), bytes(attr, 'setxattr'), value, flags), 'setxattr');
}

/** The size of the NUL-separated list of attribute names. */
export function listxattrSize(dirfd: number, name: Name): number {
  return check(sys().listxattr(fdArg(dirfd, 'listxattr'), bytes(name, 'listxattr'), null), 'listxattr');
}

/**
 * listxattr(2): the attribute names. With `maxSize`, ERANGE when the packed list (names + NULs)
 * is longer, as the syscall answers a caller's buffer.
 */
export function listxattr(dirfd: number, name: Name, maxSize?: number): Buffer[] {
  const fd = fdArg(dirfd, 'listxattr');
  const path = bytes(name, 'listxattr');
  for (;;) {
    const size = maxSize ?? check(sys().listxattr(fd, path, null), 'listxattr');
    if (size === 0) return [];
    const out = Buffer.allocUnsafe(num(size, 'listxattr size'));
    const r = sys().listxattr(fd, path, out);
    if (r === -ERANGE && maxSize === undefined) continue;
    const n = check(r, 'listxattr');
    const names: Buffer[] = [];
    for (let p = 0; p < n;) {
      let e = out.indexOf(0, p);
      if (e < 0 || e > n) e = n;
      if (e > p) names.push(Buffer.from(out.subarray(p, e)));
      p = e + 1;
    }
    return names;
  }
}

/** removexattr(2). */
export function removexattr(dirfd: number, name: Name, attr: Name): void {
  check(sys().removexattr(fdArg(dirfd, 'removexattr'), bytes(name, 'removexattr'), bytes(attr, 'removexattr')), 'removexattr');
}

// ---- acting as the caller ----------------------------------------------------------------------

/**
 * Runs `fn` with the calling thread's filesystem uid, gid and supplementary groups set to `creds`
 * (setfsuid, setfsgid and the per-thread setgroups syscall), and restores them afterwards, also when
 * fn throws. Objects created meanwhile belong to the caller, with the source filesystem's own rules
 * (a setgid directory's group, its own permission checks). Linux credentials are per thread, so
 * libuv's workers are not affected; fn must be synchronous.
 *
 * Switching needs root (CAP_SETUID/CAP_SETGID): in a process that is not root, or when the caller
 * is this process's own user, fn just runs.
 */
export function asUser<T>(creds: Creds, fn: () => T): T {
  const euid = process.geteuid?.() ?? -1;
  if (euid !== 0 || (creds.uid === euid && creds.gid === process.getegid?.())) return fn();
  num(creds.uid, 'asUser uid');
  num(creds.gid, 'asUser gid');
  check(sys().credsPush(creds.uid, creds.gid, [...creds.groups]), 'setfsuid');
  try {
    return fn();
  } finally {
    sys().credsPop();
  }
}

// ---- kernel file handles and the fd limit --------------------------------------------------------

/** A kernel file handle: names an inode without holding it open (see nameToHandleAt). */
export interface FileHandle {
  /** The handle's type (4 bytes, host order) and its bytes: what openByHandleAt takes. */
  handle: Buffer;
  /** The mount it is valid on: the unique 64-bit id where the kernel has one (6.12+), else the plain one. */
  mountId: number;
  /** Whether mountId is the unique id (never reused), not the plain one (reused after an unmount). */
  unique: boolean;
}

const HANDLE_MAX = 4 + 128;  // the type, then MAX_HANDLE_SZ bytes
const handleOut = Buffer.alloc(HANDLE_MAX);
const mountIdOut = new Float64Array(2);

/**
 * name_to_handle_at(2): the file handle of `name` in `dirfd`; the EMPTY name with AT.EMPTY_PATH in
 * `flags` gives the handle of the object `dirfd` itself refers to (an O_PATH fd, a symlink's too).
 * EOPNOTSUPP: the filesystem has no handles.
 */
export function nameToHandleAt(dirfd: number, name: Name, flags = 0): FileHandle {
  const n = check(sys().nameToHandleAt(fdArg(dirfd, 'nameToHandleAt'), bytes(name, 'nameToHandleAt'), num(flags, 'nameToHandleAt'), handleOut, mountIdOut), 'nameToHandleAt');
  return { handle: Buffer.from(handleOut.subarray(0, n)), mountId: mountIdOut[0], unique: mountIdOut[1] === 1 };
}

/**
 * open_by_handle_at(2): opens the inode `handle` names (O_CLOEXEC added; O.PATH gives a handle fd,
 * a symlink's included). `mountFd` is any fd on the handle's mount. Needs CAP_DAC_READ_SEARCH (EPERM
 * without); ESTALE when the inode is gone (deleted in the source).
 */
export function openByHandleAt(mountFd: number, handle: Uint8Array, flags: number): number {
  if (!(handle instanceof Uint8Array) || handle.length < 4 || handle.length > HANDLE_MAX) {
    throw new TypeError('openByHandleAt: a handle from nameToHandleAt expected');
  }
  return check(sys().openByHandleAt(fdArg(mountFd, 'openByHandleAt'), handle, (flags | O.CLOEXEC) >>> 0), 'openByHandleAt');
}

/** RLIMIT_NOFILE: the soft and hard limits on open fds (Infinity: unlimited). */
export interface NofileLimit {
  soft: number;
  hard: number;
}

const limitOut = new Float64Array(2);

function nofile(raise: boolean): NofileLimit {
  check(sys().nofileLimit(raise ? 1 : 0, limitOut), raise ? 'setrlimit' : 'getrlimit');
  const v = (x: number): number => (x < 0 ? Infinity : x);
  return { soft: v(limitOut[0]), hard: v(limitOut[1]) };
}

/** getrlimit(RLIMIT_NOFILE). */
export function nofileLimit(): NofileLimit {
  return nofile(false);
}

/** Raises the soft RLIMIT_NOFILE to the hard one (as a server should at start); returns the limits. */
export function raiseNofileLimit(): NofileLimit {
  return nofile(true);
}

/**
 * Hands the C heap's free pages back to the system (glibc's malloc_trim(0)): after a GC has freed
 * many Buffers, their memory otherwise stays in the process. Whether any was returned.
 */
export function mallocTrim(): boolean {
  return sys().mallocTrim() === 1;
}
