// Attributes and entries as handlers return them, and their one marshalling into the reply scratch.
import { FI, LK, S, SF, ST, SX } from './layout';

/** A point in time with nanoseconds, as struct timespec. */
export interface Timespec {
  /** Seconds since the epoch (a safe integer). */
  readonly sec: number;
  /** Nanoseconds, 0 to 999999999. */
  readonly nsec: number;
}

/** The Timespec of `ms` milliseconds since the epoch (as Date.now() gives). */
export function timespec(ms: number): Timespec {
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.round((ms - sec * 1000) * 1e6) };
}

/** The current time as a Timespec (millisecond resolution). */
export function now(): Timespec {
  return timespec(Date.now());
}

/**
 * A 64-bit count (size, offset, st_ino, st_blocks): a number while it is below 2^53, a bigint beyond.
 * Requests deliver bigint only for values a number cannot hold; replies accept either.
 */
export type U64 = number | bigint;

/**
 * File attributes (struct stat). `ino` and `mode` are required; the rest default to 0 (nlink to 1).
 * `ino` is the inode number (1 .. 2^53-1) requests carry; `size` and `blocks` (up to 2^63-1) take a
 * bigint beyond 2^53-1; the other counts are safe integers.
 */
export interface Attr {
  /** The inode number (1 .. 2^53-1). */
  ino: number;
  /** The st_ino callers see, when it is not `ino` (a source's number, up to 2^64-1). */
  stIno?: U64;
  /** File type and permission bits (S_IFREG | 0o644, ...). */
  mode: number;
  /** Number of hard links (default 1). */
  nlink?: number;
  /** Owner user id (default 0). */
  uid?: number;
  /** Owner group id (default 0). */
  gid?: number;
  /** Device number, for character and block devices. */
  rdev?: number;
  /** Size in bytes. */
  size?: U64;
  /** Allocated 512-byte blocks. */
  blocks?: U64;
  /** Preferred I/O block size in bytes. */
  blksize?: number;
  /** Last access time (default the epoch). */
  atime?: Timespec;
  /** Last modification time (default the epoch). */
  mtime?: Timespec;
  /** Last status change time (default the epoch). */
  ctime?: Timespec;
}

/** The reply to lookup, mknod, mkdir, symlink, link, create and each readdirplus entry. */
export interface Entry {
  /** The inode's attributes; `attr.ino` is the entry's inode number. */
  attr: Attr;
  /** Generation of the inode number (for NFS export); default 0. */
  generation?: number;
  /** Seconds the kernel may cache the attributes; default 1. */
  attrTimeout?: number;
  /** Seconds the kernel may cache the name; default 1. */
  entryTimeout?: number;
}

/** A negative entry: the name does not exist, and the kernel may remember that for `entryTimeout` s. */
export interface NegativeEntry {
  /** 0: no inode. */
  ino: 0;
  /** Seconds the kernel may remember that the name does not exist. */
  entryTimeout: number;
}

/** getattr/setattr results: attributes, optionally with their cache timeout (default 1 s). */
export type AttrResult = Attr | {
  /** The attributes. */
  attr: Attr;
  /** Seconds the kernel may cache them (default 1). */
  timeout?: number;
};

/** The attribute and entry cache timeout, in seconds, of replies that give none. */
export const DEFAULT_TIMEOUT = 1;

function bad(what: string, v: unknown): never {
  throw new TypeError(`invalid ${what}: ${String(v)}`);
}

/** A count, size, id or handle: a safe integer ≥ 0, else a TypeError "invalid <what>". */
export function unsigned(v: unknown, what: string): number {
  if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) bad(what, v);
  return v;
}

/** unsigned(), or `dflt` for a field left out. */
function u(v: number | undefined, what: string, dflt = 0): number {
  return v === undefined ? dflt : unsigned(v, what);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_I64 = (1n << 63n) - 1n;
const MAX_U64 = (1n << 64n) - 1n;

/** Whether v is an offset or size: a safe integer ≥ 0, or a bigint up to 2^63-1 (off_t). */
export function isOffset(v: unknown): v is U64 {
  return typeof v === 'bigint' ? v >= 0n && v <= MAX_I64 : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Writes a 64-bit count at s[i] (layout.h PutU64): a number as is; a bigint beyond 2^53-1 as NaN there
 * and its exact bits in the wide field s[x]. Numbers beyond 2^53-1 are refused (they are not exact).
 */
function u64(s: Float64Array, i: number, x: number, v: U64 | undefined, what: string, max = MAX_I64, min = 0): void {
  if (typeof v === 'number') {
    if (!(Number.isSafeInteger(v) && v >= min)) bad(what, v > Number.MAX_SAFE_INTEGER ? `${v} (not exact beyond 2^53-1: give a bigint)` : v);
    s[i] = v;
  } else if (v === undefined && min === 0) {
    s[i] = 0;
  } else if (typeof v === 'bigint' && v >= BigInt(min) && v <= max) {
    if (v <= MAX_SAFE) {
      s[i] = Number(v);
    } else {
      s[i] = NaN;
      new BigUint64Array(s.buffer, s.byteOffset + x * 8, 1)[0] = v;
    }
  } else {
    bad(what, v);
  }
}

function time(s: Float64Array, i: number, t: Timespec | undefined, what: string): void {
  if (t === undefined) {
    s[i] = 0;
    s[i + 1] = 0;
    return;
  }
  if (!Number.isSafeInteger(t.sec) || !Number.isInteger(t.nsec) || t.nsec < 0 || t.nsec > 999999999) bad(what, t);
  s[i] = t.sec;
  s[i + 1] = t.nsec;
}

/** Writes a stat block at s[b]. Throws TypeError on invalid values (nothing is sent then). */
export function writeStat(s: Float64Array, b: number, a: Attr): void {
  if (a === null || typeof a !== 'object') bad('attributes', a);
  const mode = a.mode;
  if (!(Number.isInteger(mode) && mode >= 0 && mode <= 0xffffffff)) bad('mode', mode);
  const ino = a.ino;
  if (!(Number.isSafeInteger(ino) && ino > 0)) bad('ino', ino);
  if (a.stIno === undefined) s[b + ST.INO] = ino;
  else u64(s, b + ST.INO, b + ST.INO_X, a.stIno, 'stIno', MAX_U64, 1);
  s[b + ST.MODE] = mode;
  s[b + ST.NLINK] = u(a.nlink, 'nlink', 1);
  s[b + ST.UID] = u(a.uid, 'uid');
  s[b + ST.GID] = u(a.gid, 'gid');
  s[b + ST.RDEV] = u(a.rdev, 'rdev');
  u64(s, b + ST.SIZE, b + ST.SIZE_X, a.size, 'size');
  u64(s, b + ST.BLOCKS, b + ST.BLOCKS_X, a.blocks, 'blocks');
  s[b + ST.BLKSIZE] = u(a.blksize, 'blksize');
  time(s, b + ST.ATIME_S, a.atime, 'atime');
  time(s, b + ST.MTIME_S, a.mtime, 'mtime');
  time(s, b + ST.CTIME_S, a.ctime, 'ctime');
}

function timeout(v: number | undefined, what: string): number {
  if (v === undefined) return DEFAULT_TIMEOUT;
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) bad(what, v);
  return v;
}

/** Writes an entry block ([ino, generation, attr_timeout, entry_timeout] + stat) at s[b]. Returns the ino (0: negative). */
export function writeEntry(s: Float64Array, b: number, e: Entry | NegativeEntry): number {
  if (e === null || typeof e !== 'object') bad('entry', e);
  if ('ino' in e && e.ino === 0) {
    s.fill(0, b, b + S.STAT + ST.FIELD_COUNT);
    s[b + S.ENTRY_TIMEOUT] = timeout(e.entryTimeout, 'entryTimeout');
    return 0;
  }
  const entry = e as Entry;
  writeStat(s, b + S.STAT, entry.attr);
  const ino = entry.attr.ino;
  s[b + S.ENTRY_INO] = ino;
  s[b + S.ENTRY_GEN] = u(entry.generation, 'generation');
  s[b + S.ATTR_TIMEOUT] = timeout(entry.attrTimeout, 'attrTimeout');
  s[b + S.ENTRY_TIMEOUT] = timeout(entry.entryTimeout, 'entryTimeout');
  return ino;
}

/** Writes getattr/setattr results into the scratch. */
export function writeAttrResult(s: Float64Array, r: AttrResult): void {
  if (r !== null && typeof r === 'object' && 'attr' in r) {
    writeStat(s, S.STAT, r.attr);
    s[S.ATTR_TIMEOUT] = timeout(r.timeout, 'timeout');
  } else {
    writeStat(s, S.STAT, r as Attr);
    s[S.ATTR_TIMEOUT] = DEFAULT_TIMEOUT;
  }
}

/** statx(2) mask bits (STATX_*) a statx reply states valid. */
export const StatxMask = {
  /** The file type bits of the mode (STATX_TYPE). */
  TYPE: 0x1,
  /** The permission bits of the mode (STATX_MODE). */
  MODE: 0x2,
  /** The link count (STATX_NLINK). */
  NLINK: 0x4,
  /** The owner (STATX_UID). */
  UID: 0x8,
  /** The group (STATX_GID). */
  GID: 0x10,
  /** The access time (STATX_ATIME). */
  ATIME: 0x20,
  /** The modification time (STATX_MTIME). */
  MTIME: 0x40,
  /** The change time (STATX_CTIME). */
  CTIME: 0x80,
  /** The inode number (STATX_INO). */
  INO: 0x100,
  /** The size in bytes (STATX_SIZE). */
  SIZE: 0x200,
  /** The 512-byte blocks (STATX_BLOCKS). */
  BLOCKS: 0x400,
  /** All of the above: what stat(2) gives (STATX_BASIC_STATS). */
  BASIC_STATS: 0x7ff,
  /** The birth time (STATX_BTIME). */
  BTIME: 0x800,
} as const;

/**
 * A statx reply: the attributes, plus the birth time and statx's attribute bits. `mask` says which
 * fields are valid (StatxMask bits; default BASIC_STATS, with BTIME when `btime` is given): the
 * kernel refreshes its cached attributes only from a reply with all of BASIC_STATS.
 */
export interface Statx extends Attr {
  /** The birth (creation) time; sets StatxMask.BTIME in the default mask. */
  btime?: Timespec;
  /** The StatxMask bits of the valid fields (default BASIC_STATS, plus BTIME with `btime`). */
  mask?: number;
  /** STATX_ATTR_* bits (compressed, immutable, append, nodump, ...). */
  attributes?: number;
  /** The STATX_ATTR_* bits this filesystem supports. */
  attributesMask?: number;
}

/** statx results: the Statx, optionally with its cache timeout (default 1 s). */
export type StatxResult = Statx | {
  /** The attributes. */
  attr: Statx;
  /** How long the kernel may cache them, in seconds (default 1). */
  timeout?: number;
};

/** Writes a statx result into the scratch: the stat block, the SX extras, the timeout. */
export function writeStatxResult(s: Float64Array, r: StatxResult): void {
  const wrapped = r !== null && typeof r === 'object' && 'attr' in r;
  const x = wrapped ? r.attr : (r as Statx);
  writeStat(s, S.STAT, x);
  s[S.ATTR_TIMEOUT] = wrapped ? timeout(r.timeout, 'timeout') : DEFAULT_TIMEOUT;
  const b = S.STATX;
  const mask = x.mask ?? (StatxMask.BASIC_STATS | (x.btime ? StatxMask.BTIME : 0));
  if (!(Number.isInteger(mask) && mask >= 0 && mask <= 0xffffffff)) bad('statx mask', mask);
  s[b + SX.MASK] = mask;
  s[b + SX.ATTRIBUTES] = u(x.attributes, 'statx attributes');
  s[b + SX.ATTRIBUTES_MASK] = u(x.attributesMask, 'statx attributesMask');
  time(s, b + SX.BTIME_S, x.btime, 'btime');
}

/** File-info flags an open, opendir or create reply may carry. */
export interface OpenResult {
  /** The file handle later requests carry (a safe integer; default 0). */
  fh?: number;
  /** Bypass the page cache for this open file (FOPEN_DIRECT_IO): every read and write reaches the handlers. */
  directIo?: boolean;
  /** Keep the file's cached pages from before this open (FOPEN_KEEP_CACHE). */
  keepCache?: boolean;
  /** The file is not seekable (FOPEN_NONSEEKABLE). */
  nonseekable?: boolean;
  /** Let the kernel cache this directory's readdir results (FOPEN_CACHE_DIR; opendir). */
  cacheReaddir?: boolean;
  /** Send no flush on close (FOPEN_NOFLUSH). */
  noflush?: boolean;
}

export function writeOpen(s: Float64Array, r: OpenResult | number | undefined | void): void {
  const o: OpenResult = typeof r === 'number' ? { fh: r } : (r ?? {});
  if (typeof o !== 'object') bad('open result', o);
  s[S.FI + FI.FH] = u(o.fh, 'fh');
  s[S.FI + FI.DIRECT_IO] = o.directIo ? 1 : 0;
  s[S.FI + FI.KEEP_CACHE] = o.keepCache ? 1 : 0;
  s[S.FI + FI.NONSEEKABLE] = o.nonseekable ? 1 : 0;
  s[S.FI + FI.CACHE_READDIR] = o.cacheReaddir ? 1 : 0;
  s[S.FI + FI.NOFLUSH] = o.noflush ? 1 : 0;
}

/** statfs results (struct statvfs); missing fields are 0, namemax defaults to 255, bsize/frsize to 4096. */
export interface Statfs {
  /** Block size in bytes (default 4096). */
  bsize?: number;
  /** Fragment size in bytes, the unit of the block counts (default bsize). */
  frsize?: number;
  /** Size of the filesystem, in frsize units. */
  blocks?: number;
  /** Free blocks. */
  bfree?: number;
  /** Free blocks for unprivileged users. */
  bavail?: number;
  /** Number of inodes. */
  files?: number;
  /** Free inodes. */
  ffree?: number;
  /** Free inodes for unprivileged users. */
  favail?: number;
  /** Filesystem id. */
  fsid?: number;
  /** Mount flags (ST_RDONLY, ...). */
  flag?: number;
  /** Longest file name in bytes (default 255). */
  namemax?: number;
}

export function writeStatfs(s: Float64Array, r: Statfs): void {
  const b = S.STATFS;
  s[b + SF.BSIZE] = u(r.bsize, 'bsize', 4096);
  s[b + SF.FRSIZE] = u(r.frsize, 'frsize', r.bsize ?? 4096);
  s[b + SF.BLOCKS] = u(r.blocks, 'blocks');
  s[b + SF.BFREE] = u(r.bfree, 'bfree');
  s[b + SF.BAVAIL] = u(r.bavail, 'bavail');
  s[b + SF.FILES] = u(r.files, 'files');
  s[b + SF.FFREE] = u(r.ffree, 'ffree');
  s[b + SF.FAVAIL] = u(r.favail, 'favail');
  s[b + SF.FSID] = u(r.fsid, 'fsid');
  s[b + SF.FLAG] = u(r.flag, 'flag');
  s[b + SF.NAMEMAX] = u(r.namemax, 'namemax', 255);
}

/** A POSIX record lock (struct flock with l_whence = SEEK_SET). `len` 0 means to the end of the file. */
export interface Lock {
  /** F_RDLCK, F_WRLCK or F_UNLCK. */
  type: number;
  /** The first byte locked. */
  start: number;
  /** Bytes locked (0: to the end of the file). */
  len: number;
  /** The process that holds (getlk reply) or asks for (setlk) the lock. */
  pid: number;
}

export function writeLock(s: Float64Array, l: Lock): void {
  if (l === null || typeof l !== 'object' || !Number.isInteger(l.type)) bad('lock', l);
  s[S.LOCK + LK.TYPE] = l.type;
  s[S.LOCK + LK.START] = u(l.start, 'lock start');
  s[S.LOCK + LK.LEN] = u(l.len, 'lock len');
  s[S.LOCK + LK.PID] = u(l.pid, 'lock pid');
}
