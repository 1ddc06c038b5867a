// One trace record per request: what was asked (op, inode, names, the op's key arguments), by whom,
// when, and how it was answered. The per-op tables below are the only place that knows the requests'
// fields; exporters only see records.
import type { Attr, Entry, Lock, NegativeEntry, OpenResult, Statx, U64 } from '../attr';
import { NAMED_OPS, type OpName } from '../op-table';
import type { RequestMap } from '../request';

/** A value in a record's arguments or reply: names, targets and xattr names are Buffers. */
export type TraceValue = number | string | boolean | Buffer;

/** Key arguments of a request, or the summary of its reply (see ARGS and REPLIES). */
export type TraceFields = Readonly<Record<string, TraceValue>>;

/** One request and its answer. */
export interface TraceRecord {
  /** The mount's sequence number of the request (unique per mount, increasing in arrival order). */
  readonly seq: number;
  /** The request's op. */
  readonly op: OpName;
  /** The inode the request is about (the parent directory for name operations). */
  readonly ino: number;
  /** The entry name (name operations, xattr operations), as bytes. */
  readonly name?: Buffer;
  /** Key arguments: offset, size, flags, mode, fh, newParent, newName, target, ... (depends on op). */
  readonly args: TraceFields;
  /** The requesting thread (0 for requests the kernel makes on its own behalf). */
  readonly pid: number;
  /** The requesting process's effective user id. */
  readonly uid: number;
  /** The requesting process's effective group id. */
  readonly gid: number;
  /** The command name of `pid` (/proc/<pid>/comm, cached), when the tap reads it and it was there. */
  readonly comm?: string;
  /** Arrival, in ms on the performance.now() clock (hrtime-based; epoch ms = performance.timeOrigin + start). */
  readonly start: number;
  /** ms from arrival to answer (0 for forget and forgetMulti, which get none). */
  readonly duration: number;
  /**
   * 0 for success, else the errno sent (also the ETIMEDOUT or EIO rxfuse sent on a handler's behalf);
   * undefined when no reply was sent: forget/forgetMulti, or a request still in flight at unmount.
   */
  readonly errno?: number;
  /** The errno's name (ENOENT, ...), with errno; "unanswered" for a request in flight at unmount. */
  readonly error?: string;
  /** A summary of the reply on success: ino, size, bytes, entries, fh, ... (depends on op). */
  readonly reply?: TraceFields;
}

/** @internal The tap's mutable view of a record while its request is in flight. */
export interface MutableRecord {
  seq: number;
  op: OpName;
  ino: number;
  name?: Buffer;
  args: Record<string, TraceValue>;
  pid: number;
  uid: number;
  gid: number;
  comm?: string;
  start: number;
  duration: number;
  errno?: number;
  error?: string;
  reply?: Record<string, TraceValue>;
}

type Fields = Record<string, TraceValue>;
const NONE: Fields = Object.freeze({}) as Fields;

const fh = (r: { fh: number }): Fields => ({ fh: r.fh });
const io = (r: { fh: number; offset: number; size: number }): Fields => ({ fh: r.fh, offset: r.offset, size: r.size });
/** A 64-bit count: a bigint (beyond 2^53-1) as its decimal string. */
const u64 = (v: U64): TraceValue => (typeof v === 'bigint' ? String(v) : v);
const rw = (r: { fh: number; offset64: U64; size: number }): Fields => ({ fh: r.fh, offset: u64(r.offset64), size: r.size });
const lock = (r: { fh: number; lock: Lock }): Fields => {
  const l = r.lock;
  return { fh: r.fh, type: l.type, start: l.start, len: l.len };
};

/** The key arguments of each op, read while the request arrives. */
export const ARGS: { readonly [K in OpName]: (req: RequestMap[K]) => Fields } = {
  lookup: () => NONE,
  forget: (r) => ({ nlookup: r.nlookup }),
  forgetMulti: (r) => ({ count: r.count }),
  getattr: (r) => (r.hasFh ? fh(r) : NONE),
  setattr: (r) => {
    const a: Fields = { valid: r.toSet };
    if (r.hasFh) a.fh = r.fh;
    const mode = r.mode;
    if (mode !== undefined) a.mode = mode;
    const uid = r.uidToSet;
    if (uid !== undefined) a.uid = uid;
    const gid = r.gidToSet;
    if (gid !== undefined) a.gid = gid;
    const size = r.size64;
    if (size !== undefined) a.size = u64(size);
    const at = r.atime;
    if (at !== undefined) a.atime = at === 'now' ? 'now' : `${at.sec}.${String(at.nsec).padStart(9, '0')}`;
    const mt = r.mtime;
    if (mt !== undefined) a.mtime = mt === 'now' ? 'now' : `${mt.sec}.${String(mt.nsec).padStart(9, '0')}`;
    return a;
  },
  readlink: () => NONE,
  mknod: (r) => ({ mode: r.mode, rdev: r.rdev }),
  mkdir: (r) => ({ mode: r.mode }),
  unlink: () => NONE,
  rmdir: () => NONE,
  symlink: (r) => ({ target: r.target }),
  rename: (r) => ({ newParent: r.newParent, newName: r.newName, flags: r.flags }),
  link: (r) => ({ newParent: r.newParent, newName: r.newName }),
  open: (r) => ({ flags: r.flags }),
  read: rw,
  write: (r) => (r.writepage ? { ...rw(r), writepage: true } : rw(r)),
  flush: fh,
  release: (r) => ({ fh: r.fh, flags: r.flags }),
  fsync: (r) => ({ fh: r.fh, datasync: r.datasync }),
  opendir: (r) => ({ flags: r.flags }),
  readdir: io,
  readdirplus: io,
  releasedir: fh,
  fsyncdir: (r) => ({ fh: r.fh, datasync: r.datasync }),
  statfs: () => NONE,
  setxattr: (r) => ({ size: r.value.length, flags: r.flags }),
  getxattr: (r) => ({ size: r.size }),
  listxattr: (r) => ({ size: r.size }),
  removexattr: () => NONE,
  access: (r) => ({ mask: r.mask }),
  create: (r) => ({ mode: r.mode, flags: r.flags }),
  tmpfile: (r) => ({ mode: r.mode, flags: r.flags }),
  getlk: lock,
  setlk: (r) => ({ ...lock(r), sleep: r.sleep }),
  bmap: (r) => ({ blocksize: r.blocksize, index: r.index }),
  ioctl: (r) => ({ fh: r.fh, cmd: r.cmd, outSize: r.outSize }),
  poll: (r) => ({ fh: r.fh, events: r.events }),
  flock: (r) => ({ fh: r.fh, operation: r.operation }),
  fallocate: (r) => ({ fh: r.fh, mode: r.mode, offset: u64(r.offset64), length: u64(r.length64) }),
  copyFileRange: (r) => ({
    fh: r.fh, offsetIn: u64(r.offsetIn64), inoOut: r.inoOut, fhOut: r.fhOut, offsetOut: u64(r.offsetOut64),
    length: u64(r.length64), flags: r.flags,
  }),
  lseek: (r) => ({ fh: r.fh, offset: u64(r.offset64), whence: r.whence }),
  statx: (r) => {
    const a: Fields = { mask: r.mask, flags: r.flags };
    if (r.hasFh) a.fh = r.fh;
    return a;
  },
};

/** Ops whose request carries an entry or xattr name (record.name). */
export const NAMED: ReadonlySet<OpName> = NAMED_OPS;

function attrFields(a: Attr): Fields {
  return { ino: a.ino, mode: a.mode, size: u64(a.size ?? 0) };
}

function entry(v: unknown): Fields | undefined {
  const e = v as Entry | NegativeEntry | undefined;
  if (e === undefined || e === null || typeof e !== 'object') return undefined;
  return 'attr' in e ? attrFields(e.attr) : { ino: 0 };
}

function attrResult(v: unknown): Fields | undefined {
  if (v === undefined || v === null || typeof v !== 'object') return undefined;
  return attrFields('attr' in v ? (v as { attr: Attr }).attr : (v as Attr));
}

/** A statx reply: the attributes, with the mask and the birth time when given. */
function statxResult(v: unknown): Fields | undefined {
  const f = attrResult(v);
  if (!f) return undefined;
  const x = ('attr' in (v as object) ? (v as { attr: Statx }).attr : (v as Statx));
  if (x.mask !== undefined) f.mask = x.mask;
  if (x.btime) f.btime = `${x.btime.sec}.${String(x.btime.nsec).padStart(9, '0')}`;
  return f;
}

function opened(v: unknown): Fields | undefined {
  if (typeof v === 'number') return { fh: v };
  if (v === undefined || v === null || typeof v !== 'object') return undefined;
  const o = v as OpenResult;
  const f: Fields = { fh: o.fh ?? 0 };
  if (o.directIo) f.directIo = true;
  if (o.keepCache) f.keepCache = true;
  if (o.backing) f.passthrough = true;
  return f;
}

function count(key: string): (v: unknown) => Fields | undefined {
  return (v) => (typeof v === 'number' || typeof v === 'bigint' ? { [key]: u64(v) } : v instanceof Uint8Array ? { [key]: v.length } : undefined);
}

/** An xattr reply: the bytes sent, or the size needed for a size probe. */
function xattr(v: unknown): Fields | undefined {
  return typeof v === 'number' ? { size: v } : v instanceof Uint8Array ? { bytes: v.length } : undefined;
}

/** A create reply (create, tmpfile): the entry and the open file. */
function created(v: unknown): Fields | undefined {
  const e = entry(v);
  const o = opened(v);
  return e && o ? { ...e, ...o } : e;
}

/** Reply summaries, from the value Fuse.observe reports (see RequestObserver.reply). */
export const REPLIES: { readonly [K in OpName]?: (value: unknown) => Fields | undefined } = {
  lookup: entry,
  mknod: entry,
  mkdir: entry,
  symlink: entry,
  link: entry,
  getattr: attrResult,
  setattr: attrResult,
  statx: statxResult,
  readlink: (v) => (v instanceof Uint8Array ? { target: Buffer.from(v) } : undefined),
  open: opened,
  opendir: opened,
  create: created,
  tmpfile: created,
  // replyFd: only the length asked is known (libfuse reads at most that from the fd).
  read: (v): Fields | undefined => (typeof v === 'number' ? { maxBytes: v } : v instanceof Uint8Array ? { bytes: v.length } : undefined),
  write: count('bytes'),
  copyFileRange: count('bytes'),
  readdir: count('entries'),
  readdirplus: count('entries'),
  getxattr: xattr,
  listxattr: xattr,
  getlk: (v) => {
    const l = v as Lock | undefined;
    return l && typeof l === 'object' ? { type: l.type, start: l.start, len: l.len, pid: l.pid } : undefined;
  },
  bmap: count('index'),
  lseek: count('offset'),
  poll: count('revents'),
  ioctl: count('result'),
};
