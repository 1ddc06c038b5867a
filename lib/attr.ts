// Attributes and entries as handlers return them, and their one marshalling into the reply scratch.
import type { Backing } from './backing';
import { FI, LK, S, SF, ST } from './layout';

/** A point in time with nanoseconds, as struct timespec. */
export interface Timespec {
  readonly sec: number;
  readonly nsec: number;
}

export function timespec(ms: number): Timespec {
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.round((ms - sec * 1000) * 1e6) };
}

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
  ino: number;
  /** The st_ino callers see, when it is not `ino` (a source's number, up to 2^64-1). */
  stIno?: U64;
  mode: number;
  nlink?: number;
  uid?: number;
  gid?: number;
  rdev?: number;
  size?: U64;
  blocks?: U64;
  blksize?: number;
  atime?: Timespec;
  mtime?: Timespec;
  ctime?: Timespec;
}

/** The reply to lookup, mknod, mkdir, symlink, link, create and each readdirplus entry. */
export interface Entry {
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
  ino: 0;
  entryTimeout: number;
}

/** getattr/setattr results: attributes, optionally with their cache timeout (default 1 s). */
export type AttrResult = Attr | { attr: Attr; timeout?: number };

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

/** File-info flags an open, opendir or create reply may carry. */
export interface OpenResult {
  /** The file handle later requests carry (a safe integer; default 0). */
  fh?: number;
  directIo?: boolean;
  keepCache?: boolean;
  nonseekable?: boolean;
  cacheReaddir?: boolean;
  noflush?: boolean;
  /**
   * Pass this open file through to a backing file (fuse.backing.open): the kernel then serves its
   * reads and writes, no read or write request comes. keep_cache is dropped beside it.
   */
  backing?: Backing;
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
  bsize?: number;
  frsize?: number;
  blocks?: number;
  bfree?: number;
  bavail?: number;
  files?: number;
  ffree?: number;
  favail?: number;
  fsid?: number;
  flag?: number;
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
  type: number;
  start: number;
  len: number;
  pid: number;
}

export function writeLock(s: Float64Array, l: Lock): void {
  if (l === null || typeof l !== 'object' || !Number.isInteger(l.type)) bad('lock', l);
  s[S.LOCK + LK.TYPE] = l.type;
  s[S.LOCK + LK.START] = u(l.start, 'lock start');
  s[S.LOCK + LK.LEN] = u(l.len, 'lock len');
  s[S.LOCK + LK.PID] = u(l.pid, 'lock pid');
}
