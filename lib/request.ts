// Typed requests. Each is a thin object over its slot in the shared request buffer: fields are
// decoded on access, names are copied into fresh Buffers on access, and each request can be answered
// exactly once through its typed reply methods (or fail()).
import { F, SLOT_BYTES, VAR_NAME, VAR_NAME2, VAR_OFFSET } from './layout';
import {
  type AttrResult, type Entry, type Lock, type NegativeEntry, type OpenResult, type Statfs, type Timespec,
  type U64, isOffset, writeAttrResult, writeEntry, writeLock, writeOpen, writeStatfs,
} from './attr';
import { Dirents } from './dirents';
import { errno, FuseError, type FuseErrorKind, ReplyError } from './errors';
import { OPS, type OpName } from './ops';
import type { NativeSession } from './native';
import { alignedCopy } from './sys';

export const SLOT_F64 = SLOT_BYTES / 8;

/** What a request needs from its mount (implemented by Fuse). @internal */
export interface RequestHost {
  readonly h: Float64Array;
  readonly bytes: Buffer;
  readonly scratch: Float64Array;
  readonly native: NativeSession;
  readonly closed: boolean;
  recvBuffer(i: number): Buffer;
  settled(slot: number): void;
  /** A handler took the request (Request.claim): it is no longer answered as unclaimed. */
  claimed(slot: number, gen: number): void;
  /** Every handler declined the request (PASS) after its dispatch: the next one has to claim it. */
  unclaimed(slot: number, gen: number): void;
  /** Whether the kernel delegates O_TRUNC to open (atomic_o_trunc negotiated at INIT). */
  readonly truncatesOnOpen: boolean;
  report(kind: FuseErrorKind, req: Request, err: number, cause: unknown): void;
  entryReplied(req: Request, ino: number): void;
  opened(ino: number): void;
  handleReleased(ino: number): void;
  direntsReplied(req: Request, list: Dirents, start: number, count: number): void;
  signal(slot: number, interrupted: boolean): AbortSignal;
  pollHandle(id: number): PollHandle;
  /** Fuse.observe()'s fan-out; undefined while nothing observes (one check per reply). */
  readonly observer?: RequestObserverHook;
}

/**
 * Sees every request of a mount and how it was answered, without taking part (Fuse.observe).
 * Both calls are synchronous, on the JS thread, inside the dispatch or the reply: keep them cheap,
 * and read the request's fields there (they stay readable until the slot is reused, later).
 * An observer must not answer the request.
 */
export interface RequestObserver {
  /**
   * A request reached JS, before any handler sees it (FORGET included, which gets no reply).
   * Observing does not make an op implemented: libfuse still answers ops without a handler.
   */
  request?(req: Request): void;
  /**
   * A request was answered: `errno` 0 with the reply's `value`, or the errno sent (value undefined).
   * The value is what the reply carried: the Entry (lookup, mknod, mkdir, symlink, link), the
   * AttrResult (getattr, setattr), the OpenResult (open, opendir; undefined for the default), the
   * CreateResult, the data (read: Buffer; for replyFd the length asked), the count (write,
   * copyFileRange), the entries sent (readdir, readdirplus), the Statfs, the xattr value or names
   * buffer (or the size for a size probe), the readlink target, the Lock, the bmap index, the lseek
   * offset, the poll events, the ioctl result; undefined for replies without a value.
   * Requests rxfuse answers on the handler's behalf (timeout, dropped) are reported here too, with
   * their errno; requests still in flight at unmount are not (closed$ says so).
   */
  reply?(req: Request, errno: number, value: unknown): void;
}

/** @internal The fan-out a host calls: both methods present. */
export interface RequestObserverHook {
  request(req: Request): void;
  reply(req: Request, errno: number, value: unknown): void;
}

/** Bytes: Buffer, or any Uint8Array. */
export type Bytes = Uint8Array;

const E = errno;
const OFFSET_FIELD = F.OFF;
/** The smallest logical block size: O_DIRECT takes only writes of whole blocks. */
const DIRECT_BLOCK = 512;

export abstract class Request {
  /** @internal */ readonly _host: RequestHost;
  /** @internal */ readonly _slot: number;
  /** @internal */ readonly _b: number;
  /** @internal */ readonly _gen: number;
  /** @internal */ _done = false;
  /** @internal A handler (or an explicit claim()) has taken the request. */
  _claimed = false;

  constructor(host: RequestHost, slot: number, gen: number) {
    this._host = host;
    this._slot = slot;
    this._b = slot * SLOT_F64;
    this._gen = gen;
  }

  abstract readonly op: OpName;

  /**
   * @internal Reads a header field. Fields stay readable after the reply for as long as the slot is
   * not reused, which is at least until every subscriber has seen the request; later reads throw.
   */
  protected f(i: number): number {
    const h = this._host.h;
    if (h[this._b + F.GEN] !== this._gen) this.expired();
    return h[this._b + i];
  }

  /**
   * @internal Reads a 64-bit field as a number. Beyond 2^53-1 (only on `largeFiles` mounts) it throws a
   * RangeError that names the exact getter.
   */
  protected n64(i: number, what: string): number {
    const v = this.f(i);
    if (v !== v) throw new RangeError(`${this.op}: ${what} is beyond 2^53-1, read ${what}64`);
    return v;
  }

  /**
   * @internal Reads a 64-bit field (layout.h PutU64): the number, or, when it does not fit one (NaN
   * there), the exact bigint from its wide field `x`.
   */
  protected f64(i: number, x: number): U64 {
    const v = this.f(i);
    if (v === v) return v;
    const h = this._host.h;
    return new BigUint64Array(h.buffer, h.byteOffset + (this._b + x) * 8, 1)[0];
  }

  /** @internal copies a name out of the slot. */
  protected bytesAt(off: number, lenField: number): Buffer {
    const len = this.f(lenField);
    const at = this._slot * SLOT_BYTES + off;
    const out = Buffer.allocUnsafe(len);
    this._host.bytes.copy(out, 0, at, at + len);
    return out;
  }

  /** @internal the name as a latin1 string: lossless, one character per byte (a cheap map key). */
  protected latin1At(off: number, lenField: number): string {
    const len = this.f(lenField);
    const at = this._slot * SLOT_BYTES + off;
    return this._host.bytes.toString('latin1', at, at + len);
  }

  private expired(): never {
    throw new ReplyError(`${this.op} request answered and its slot reused: copy the fields you need later while handling it`);
  }

  /**
   * Claims the request: the pipeline holds it on purpose and answers it later (after a delay, a
   * buffer, an async source). A request neither answered nor claimed when its dispatch returns is
   * answered EIO after the mount's `unclaimedGrace` and reported on errors$ (kind "unclaimed"), so a
   * request an operator dropped (filter, take, ...) does not hang its caller. answer() and handle()
   * claim each request they receive; call this, or put the `claim()` operator, before an operator
   * that holds requests.
   */
  claim(): void {
    if (!this._claimed) {
      this._claimed = true;
      this._host.claimed(this._slot, this._gen);
    }
  }

  /** @internal A handler declined the request (PASS): whoever gets it next has to claim it. */
  _unclaim(): void {
    this._claimed = false;
    this._host.unclaimed(this._slot, this._gen);
  }

  /** Whether this request has been answered. */
  get answered(): boolean {
    return this._done || this._host.h[this._b + F.GEN] !== this._gen;
  }

  /** This mount's sequence number of the request (for tracing). */
  get seq(): number {
    return this.f(F.SEQ);
  }
  get uid(): number {
    return this.f(F.UID);
  }
  get gid(): number {
    return this.f(F.GID);
  }
  get pid(): number {
    return this.f(F.PID);
  }
  get umask(): number {
    return this.f(F.UMASK);
  }
  /** The inode the request is about (the parent directory for name operations). */
  get ino(): number {
    return this.f(F.INO);
  }

  /** Whether the kernel sent FUSE_INTERRUPT for this request (its caller got a signal). */
  get interrupted(): boolean {
    return this.f(F.INTERRUPTED) !== 0;
  }

  /** Aborts when the kernel interrupts the request. Answer EINTR (fail('EINTR')) when giving up. */
  get signal(): AbortSignal {
    return this._host.signal(this._slot, this.interrupted);
  }

  /** Supplementary groups of the requesting process (read from /proc; may fail for exited processes). */
  getgroups(): number[] {
    this.f(F.GEN);
    const r = this._host.native.getgroups(this._slot);
    if (typeof r === 'number') throw new FuseError(-r);
    return r;
  }

  /** Answers with an errno (a number or a name such as 'ENOENT'). */
  fail(err: number | string): void {
    const n = typeof err === 'number' ? err : E[err];
    if (!(Number.isInteger(n) && n > 0)) throw new TypeError(`fail: not an errno: ${String(err)}`);
    if (!this.begin()) return;
    this._host.native.replyErr(this._slot, n);
    this.end(undefined, n);
  }

  /**
   * @internal Marks the request answered before the native reply. Throws ReplyError on a second
   * reply; returns false when the mount is closed (the reply is then dropped quietly).
   */
  protected begin(): boolean {
    if (this._done) {
      const e = new ReplyError(`${this.op} request answered twice; the first reply stands`);
      this._host.report('double-reply', this, 0, e);
      throw e;
    }
    if (this._host.h[this._b + F.GEN] !== this._gen || this._host.closed) {
      this._done = true;
      if (this._host.closed) return false;
      const e = new ReplyError(`${this.op} request was already answered by rxfuse (timeout or dropped)`);
      this._host.report('double-reply', this, 0, e);
      throw e;
    }
    this._done = true;
    return true;
  }

  /** @internal Frees the slot; tells Fuse.observe()'s observers what the reply was (errno 0: success). */
  protected end(value?: unknown, err = 0): void {
    const h = this._host;
    h.settled(this._slot);
    if (h.observer !== undefined) h.observer.reply(this, err, value);
  }

  /**
   * @internal A reply whose native call takes the slot and one number (bmap index,
   * poll events, xattr size, copy count). The hot replies (write, entry, attr, data) call native
   * directly.
   */
  protected _num(send: 'replyBmap' | 'replyPoll' | 'replyXattr' | 'replyWrite', value: number): void {
    if (!this.begin()) return;
    this._host.native[send](this._slot, value);
    this.end(value);
  }

  /** @internal success (errno 0). */
  protected _ok(): void {
    if (!this.begin()) return;
    this._host.native.replyErr(this._slot, 0);
    this.end();
  }

  /** @internal an entry reply, counted for the inode registry when the kernel took it. */
  protected _entry(entry: Entry | NegativeEntry): void {
    const h = this._host;
    const ino = writeEntry(h.scratch, 0, entry);
    if (!this.begin()) return;
    const r = h.native.replyEntry(this._slot);
    // Counted before end(): end() finishes the entry request in the registry, which may release a
    // held-back inode, and this very reply may be the one that makes that inode known again.
    if (r === 0 && ino !== 0) h.entryReplied(this, ino);
    this.end(entry);
  }

  /** @internal Turns a handler's result into this request's reply. */
  abstract _reply(result: unknown): void;

  /**
   * @internal Answers after a handler failed: FuseError → its errno (EMFILE, ENFILE: and an fd-limit
   * event); anything else → EIO and an errors$ event. A request already answered only gets the report.
   */
  _failWith(cause: unknown, kind: FuseErrorKind = 'handler'): void {
    if (cause instanceof FuseError) {
      if (cause.errno === E.EMFILE || cause.errno === E.ENFILE) this._host.report('fd-limit', this, cause.errno, cause);
      if (!this.answered) this.fail(cause.errno);
      return;
    }
    if (cause instanceof ReplyError) return;  // reported where it was thrown
    this._host.report(kind, this, E.EIO, cause);
    if (!this.answered) this.fail(E.EIO);
  }

  /** @internal A handler of a request without reply (forget) failed: report only. */
  _failWithoutReply(cause: unknown): void {
    this._host.report('handler', this, 0, cause);
  }
}

/** Ops answered with 0 (success) or an errno. */
abstract class OkRequest extends Request {
  /** Answers success. */
  replyOk(): void {
    this._ok();
  }
  _reply(): void {
    this._ok();
  }
}

/** Requests naming an entry in a directory: `parent` and `name`. */
abstract class NamedRequest extends Request {
  /** The directory (same as ino). */
  get parent(): number {
    return this.f(F.INO);
  }
  /** The entry name, as bytes (a fresh copy). */
  get name(): Buffer {
    return this.bytesAt(VAR_NAME, F.NAME_LEN);
  }
  /** The entry name as a latin1 string: one character per byte, lossless, fit for map keys. */
  get nameKey(): string {
    return this.latin1At(VAR_NAME, F.NAME_LEN);
  }
}

abstract class NamedEntryRequest extends NamedRequest {
  /** Answers with an entry; the kernel then holds one more lookup of its inode. */
  replyEntry(entry: Entry | NegativeEntry): void {
    this._entry(entry);
  }
  _reply(r: Entry | NegativeEntry): void {
    this._entry(r);
  }
}

abstract class NamedOkRequest extends NamedRequest {
  replyOk(): void {
    this._ok();
  }
  _reply(): void {
    this._ok();
  }
}

/** Requests that carry a file handle. */
abstract class FileRequest extends Request {
  /** The file handle from open/create/opendir (-1 when the kernel sent none). */
  get fh(): number {
    return this.f(F.FH);
  }
  /** The lock owner (an opaque 64-bit id). */
  get lockOwner(): bigint {
    return (BigInt(this.f(F.LOCK_OWNER_HI)) << 32n) | BigInt(this.f(F.LOCK_OWNER_LO));
  }
}

abstract class FileOkRequest extends FileRequest {
  replyOk(): void {
    this._ok();
  }
  _reply(): void {
    this._ok();
  }
}

abstract class FileAttrRequest extends FileRequest {
  /** Whether the kernel asks about an open file (fstat/ftruncate): fh is then valid. */
  get hasFh(): boolean {
    return this.f(F.FH) >= 0;
  }
  /** Answers with attributes, optionally with their cache timeout. */
  replyAttr(attr: AttrResult): void {
    writeAttrResult(this._host.scratch, attr);
    if (!this.begin()) return;
    this._host.native.replyAttr(this._slot);
    this.end(attr);
  }
  _reply(r: AttrResult): void {
    this.replyAttr(r);
  }
}

function ok(v: unknown, what: string): number {
  if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) throw new TypeError(`invalid ${what}: ${String(v)}`);
  return v;
}

/** An offset in a reply: a safe integer, or a bigint up to 2^63-1. */
function okOff(v: unknown, what: string): U64 {
  if (!isOffset(v)) throw new TypeError(`invalid ${what}: ${String(v)}`);
  return v;
}

function bytes(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what}: Buffer or Uint8Array expected, got ${typeof v}`);
  return v;
}

// ---- the requests, in the order of fuse_lowlevel_ops ------------------------------------------

export class LookupRequest extends NamedEntryRequest {
  readonly op = 'lookup';
}

export class ForgetRequest extends Request {
  readonly op = 'forget';
  /** How many lookups the kernel gives back. */
  get nlookup(): number {
    return this.f(F.SIZE);
  }
  _reply(): void {}
}

export interface Forget {
  ino: number;
  nlookup: number;
}

export class ForgetMultiRequest extends Request {
  readonly op = 'forgetMulti';
  get count(): number {
    return this.f(F.SIZE);
  }
  /** The (ino, nlookup) pairs of this batch. */
  get forgets(): Forget[] {
    const n = this.count;
    const h = this._host.h;
    const b = this._b + VAR_OFFSET / 8;
    const out: Forget[] = new Array<Forget>(n);
    for (let i = 0; i < n; i++) out[i] = { ino: h[b + 2 * i], nlookup: h[b + 2 * i + 1] };
    return out;
  }
  _reply(): void {}
}

export class GetattrRequest extends FileAttrRequest {
  readonly op = 'getattr';
}

/** Bits of SetattrRequest.toSet (FUSE_SET_ATTR_*). */
export const SetattrValid = Object.freeze({
  MODE: 1 << 0, UID: 1 << 1, GID: 1 << 2, SIZE: 1 << 3, ATIME: 1 << 4, MTIME: 1 << 5,
  ATIME_NOW: 1 << 7, MTIME_NOW: 1 << 8, FORCE: 1 << 9, CTIME: 1 << 10, KILL_SUID: 1 << 11,
  KILL_SGID: 1 << 12, FILE: 1 << 13, KILL_PRIV: 1 << 14, OPEN: 1 << 15, TIMES_SET: 1 << 16, TOUCH: 1 << 17,
});

export class SetattrRequest extends FileAttrRequest {
  readonly op = 'setattr';
  /** Which attributes to change: a mask of SetattrValid bits. */
  get toSet(): number {
    return this.f(F.ARG);
  }
  private has(bit: number): boolean {
    return (this.f(F.ARG) & bit) !== 0;
  }
  /** New permission bits and type (when MODE is set), else undefined. */
  get mode(): number | undefined {
    return this.has(SetattrValid.MODE) ? this.f(F.MODE) : undefined;
  }
  get uidToSet(): number | undefined {
    return this.has(SetattrValid.UID) ? this.f(F.ATTR_UID) : undefined;
  }
  get gidToSet(): number | undefined {
    return this.has(SetattrValid.GID) ? this.f(F.ATTR_GID) : undefined;
  }
  /** New size (truncate) when SIZE is set. */
  get size(): number | undefined {
    return this.has(SetattrValid.SIZE) ? this.n64(F.SIZE, 'size') : undefined;
  }
  /** The new size, exact: a bigint beyond 2^53-1 (`largeFiles` mounts only). */
  get size64(): U64 | undefined {
    return this.has(SetattrValid.SIZE) ? this.f64(F.SIZE, F.SIZE_X) : undefined;
  }
  /** New atime: a Timespec, 'now' (ATIME_NOW), or undefined when unchanged. */
  get atime(): Timespec | 'now' | undefined {
    if (this.has(SetattrValid.ATIME_NOW)) return 'now';
    return this.has(SetattrValid.ATIME) ? { sec: this.f(F.ATIME_S), nsec: this.f(F.ATIME_NS) } : undefined;
  }
  get mtime(): Timespec | 'now' | undefined {
    if (this.has(SetattrValid.MTIME_NOW)) return 'now';
    return this.has(SetattrValid.MTIME) ? { sec: this.f(F.MTIME_S), nsec: this.f(F.MTIME_NS) } : undefined;
  }
  get ctime(): Timespec | undefined {
    return this.has(SetattrValid.CTIME) ? { sec: this.f(F.CTIME_S), nsec: this.f(F.CTIME_NS) } : undefined;
  }
}

export class ReadlinkRequest extends Request {
  readonly op = 'readlink';
  /** Answers with the link target (bytes, no NUL). */
  replyReadlink(target: Uint8Array): void {
    bytes(target, 'readlink');
    if (target.includes(0)) throw new TypeError('readlink: target contains NUL');
    if (!this.begin()) return;
    this._host.native.replyReadlink(this._slot, target);
    this.end(target);
  }
  _reply(r: Uint8Array): void {
    this.replyReadlink(r);
  }
}

export class MknodRequest extends NamedEntryRequest {
  readonly op = 'mknod';
  get mode(): number {
    return this.f(F.MODE);
  }
  get rdev(): number {
    return this.f(F.RDEV);
  }
}

export class MkdirRequest extends NamedEntryRequest {
  readonly op = 'mkdir';
  get mode(): number {
    return this.f(F.MODE);
  }
}

export class UnlinkRequest extends NamedOkRequest {
  readonly op = 'unlink';
}

export class RmdirRequest extends NamedOkRequest {
  readonly op = 'rmdir';
}

export class SymlinkRequest extends NamedEntryRequest {
  readonly op = 'symlink';
  /** The link target (bytes). */
  get target(): Buffer {
    return this.bytesAt(VAR_NAME2, F.NAME2_LEN);
  }
}

/** RENAME_* flags of RenameRequest.flags. */
export const RenameFlags = Object.freeze({ NOREPLACE: 1, EXCHANGE: 2, WHITEOUT: 4 });

export class RenameRequest extends NamedOkRequest {
  readonly op = 'rename';
  get newParent(): number {
    return this.f(F.INO2);
  }
  get newName(): Buffer {
    return this.bytesAt(VAR_NAME2, F.NAME2_LEN);
  }
  get newNameKey(): string {
    return this.latin1At(VAR_NAME2, F.NAME2_LEN);
  }
  /** RenameFlags bits (RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT). */
  get flags(): number {
    return this.f(F.FLAGS);
  }
}

export class LinkRequest extends Request {
  readonly op = 'link';
  get newParent(): number {
    return this.f(F.INO2);
  }
  get newName(): Buffer {
    return this.bytesAt(VAR_NAME, F.NAME_LEN);
  }
  get newNameKey(): string {
    return this.latin1At(VAR_NAME, F.NAME_LEN);
  }
  /** Answers with the entry of the linked inode; the kernel then holds one more lookup of it. */
  replyEntry(entry: Entry): void {
    this._entry(entry);
  }
  _reply(r: Entry): void {
    this._entry(r);
  }
}

abstract class OpenLike extends Request {
  /** open(2) flags (O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_APPEND, ...; O_CREAT and O_EXCL are handled by the kernel). */
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** Answers with a file handle and the file-info flags (direct_io, keep_cache, ...). */
  replyOpen(r?: OpenResult | number): void {
    writeOpen(this._host.scratch, r);
    const ino = this.f(F.INO);
    if (!this.begin()) return;
    const res = this._host.native.replyOpen(this._slot);
    this.end(r);
    if (res === 0) this._host.opened(ino);
  }
  _reply(r: OpenResult | number | undefined): void {
    this.replyOpen(r);
  }
}

export class OpenRequest extends OpenLike {
  readonly op = 'open';
}

/** A slice of an open file descriptor, for replying to read without copying through JS. */
export interface FdSlice {
  fd: number;
  offset: U64;
  length: number;
}

export class ReadRequest extends FileRequest {
  readonly op = 'read';
  get offset(): number {
    return this.n64(OFFSET_FIELD, 'offset');
  }
  /** The offset, exact: a bigint beyond 2^53-1 (reaches handlers on `largeFiles` mounts only). */
  get offset64(): U64 {
    return this.f64(OFFSET_FIELD, F.OFF_X);
  }
  /** The most bytes to return. */
  get size(): number {
    return this.f(F.SIZE);
  }
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** Answers with data (at most `size` bytes; fewer means end of file). The bytes are sent from the given buffer. */
  replyData(data: Uint8Array): void {
    bytes(data, 'read');
    if (!this.begin()) return;
    this._host.native.replyBuf(this._slot, data);
    this.end(data);
  }
  /** Answers with bytes read by libfuse straight from a file descriptor (no copy through JS). */
  replyFd(fd: number, offset: U64, length: number): void {
    ok(fd, 'fd');
    okOff(offset, 'offset');
    ok(length, 'length');
    if (!this.begin()) return;
    this._host.native.replyFd(this._slot, fd, offset, length);
    this.end(length);
  }
  _reply(r: Uint8Array | FdSlice): void {
    if (r instanceof Uint8Array) this.replyData(r);
    else if (r !== null && typeof r === 'object' && typeof r.fd === 'number') this.replyFd(r.fd, r.offset, r.length);
    else throw new TypeError('read: Buffer or {fd, offset, length} expected');
  }
}

export class WriteRequest extends FileRequest {
  readonly op = 'write';
  get offset(): number {
    return this.n64(OFFSET_FIELD, 'offset');
  }
  /** The offset, exact: a bigint beyond 2^53-1 (reaches handlers on `largeFiles` mounts only). */
  get offset64(): U64 {
    return this.f64(OFFSET_FIELD, F.OFF_X);
  }
  get size(): number {
    return this.f(F.SIZE);
  }
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** True for a delayed write from the page cache (writeback): uid/gid/pid are not the writer's. */
  get writepage(): boolean {
    return this.f(F.ARG2) !== 0;
  }
  /** @internal The payload, copied out of the receive buffer while the write waited its turn. */
  _copy: Buffer | undefined;
  /**
   * The bytes to write: a view into a reused receive buffer, valid until this request is answered.
   * Copy it (Buffer.from(data)) to keep it longer.
   */
  get data(): Buffer {
    if (this._copy) {
      this.f(F.GEN);  // throws once answered, as for the view
      return this._copy;
    }
    const i = this.f(F.DATA_BUF);
    if (i < 0) return Buffer.alloc(0);
    const off = this.f(F.DATA_OFF);
    return this._host.recvBuffer(i).subarray(off, off + this.f(F.DATA_LEN));
  }
  /**
   * @internal Copies the payload and frees its receive buffer (for a write that waits its turn).
   * A payload of whole 512-byte blocks, the only kind O_DIRECT takes, keeps the receive buffer's
   * alignment in its copy (see "O_DIRECT and aligned payloads" in docs/design.md).
   */
  _detach(): void {
    if (this._copy || this.f(F.DATA_BUF) < 0) return;
    const data = this.data;
    this._copy = data.length % DIRECT_BLOCK === 0 ? alignedCopy(data) : Buffer.from(data);
    this._host.native.detachPayload(this._slot);
  }
  /** Answers with the number of bytes written. */
  replyWrite(count: number): void {
    ok(count, 'write count');
    if (!this.begin()) return;
    this._host.native.replyWrite(this._slot, count);
    this.end(count);
  }
  _reply(r: number): void {
    this.replyWrite(r);
  }
}

export class FlushRequest extends FileOkRequest {
  readonly op = 'flush';
}

export class ReleaseRequest extends FileOkRequest {
  readonly op = 'release';
  protected override end(value?: unknown, err = 0): void {
    super.end(value, err);
    this._host.handleReleased(this.f(F.INO));
  }
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** Set when the release also flushes. */
  get flush(): boolean {
    return this.f(F.ARG2) !== 0;
  }
  /** Set when flock locks of lockOwner are to be released. */
  get flockRelease(): boolean {
    return this.f(F.ARG3) !== 0;
  }
}

export class FsyncRequest extends FileOkRequest {
  readonly op = 'fsync';
  /** Only the data, not the metadata, needs syncing (fdatasync). */
  get datasync(): boolean {
    return this.f(F.ARG) !== 0;
  }
}

export class OpendirRequest extends OpenLike {
  readonly op = 'opendir';
}

abstract class ReaddirLike extends FileRequest {
  protected abstract readonly plus: boolean;
  /** The cookie to continue after (0: from the start). */
  get offset(): number {
    return this.f(OFFSET_FIELD);
  }
  /** The kernel's buffer size in bytes. */
  get size(): number {
    return this.f(F.SIZE);
  }
  /**
   * Answers with the entries of `list` whose cookie is greater than `offset`, as many as fit.
   * Returns how many were sent.
   */
  replyDirents(list: Dirents, from?: number): number {
    if (!(list instanceof Dirents)) throw new TypeError(`${this.op}: Dirents expected`);
    if (this.plus && !list.hasAttributes) throw new TypeError('readdirplus: entries need attributes (Dirents.addEntry)');
    const start = from ?? list.indexAfter(this.f(OFFSET_FIELD));
    if (!this.begin()) return 0;
    const n = this._host.native.replyDirents(this._slot, list._records, list._positions, start, list.length, this.plus);
    if (n > 0) this._host.direntsReplied(this, list, start, n);  // before end(), as in _entry()
    this.end(n < 0 ? 0 : n);
    return n < 0 ? 0 : n;
  }
  _reply(r: Dirents): void {
    this.replyDirents(r);
  }
}

export class ReaddirRequest extends ReaddirLike {
  readonly op = 'readdir';
  protected readonly plus = false;
}

export class ReaddirplusRequest extends ReaddirLike {
  readonly op = 'readdirplus';
  protected readonly plus = true;
}

export class ReleasedirRequest extends FileOkRequest {
  readonly op = 'releasedir';
  protected override end(value?: unknown, err = 0): void {
    super.end(value, err);
    this._host.handleReleased(this.f(F.INO));
  }
}

export class FsyncdirRequest extends FileOkRequest {
  readonly op = 'fsyncdir';
  get datasync(): boolean {
    return this.f(F.ARG) !== 0;
  }
}

export class StatfsRequest extends Request {
  readonly op = 'statfs';
  replyStatfs(s: Statfs): void {
    writeStatfs(this._host.scratch, s);
    if (!this.begin()) return;
    this._host.native.replyStatfs(this._slot);
    this.end(s);
  }
  _reply(r: Statfs): void {
    this.replyStatfs(r);
  }
}

/** XATTR_* flags of SetxattrRequest.flags. */
export const XattrFlags = Object.freeze({ CREATE: 1, REPLACE: 2 });

export class SetxattrRequest extends OkRequest {
  readonly op = 'setxattr';
  get name(): Buffer {
    return this.bytesAt(VAR_NAME, F.NAME_LEN);
  }
  get nameKey(): string {
    return this.latin1At(VAR_NAME, F.NAME_LEN);
  }
  /** The value (a fresh copy). */
  get value(): Buffer {
    const i = this.f(F.DATA_BUF);
    if (i < 0) return Buffer.alloc(0);
    const off = this.f(F.DATA_OFF);
    return Buffer.from(this._host.recvBuffer(i).subarray(off, off + this.f(F.DATA_LEN)));
  }
  /** XattrFlags: CREATE (fail if it exists), REPLACE (fail if it does not). */
  get flags(): number {
    return this.f(F.FLAGS);
  }
}

/** Answers an xattr-style request with bytes, handling the kernel's size probe and ERANGE. */
function replySized(req: GetxattrRequest | ListxattrRequest, value: Uint8Array): void {
  const size = req.size;
  if (size === 0) return req.replyXattrSize(value.length);
  if (value.length > size) return req.fail(E.ERANGE);
  req.replyBuf(value);
}

abstract class XattrReply extends Request {
  /** The caller's buffer size; 0 asks only for the size needed. */
  get size(): number {
    return this.f(F.SIZE);
  }
  /** Answers a size probe (size 0) with the size needed. */
  replyXattrSize(n: number): void {
    this._num('replyXattr', ok(n, 'xattr size'));
  }
  /** Answers with raw bytes (they must fit `size`). */
  replyBuf(data: Uint8Array): void {
    bytes(data, this.op);
    if (!this.begin()) return;
    this._host.native.replyBuf(this._slot, data);
    this.end(data);
  }
}

export class GetxattrRequest extends XattrReply {
  readonly op = 'getxattr';
  get name(): Buffer {
    return this.bytesAt(VAR_NAME, F.NAME_LEN);
  }
  get nameKey(): string {
    return this.latin1At(VAR_NAME, F.NAME_LEN);
  }
  /** Answers with the value: the size probe and ERANGE are handled here. */
  replyValue(value: Uint8Array): void {
    replySized(this, bytes(value, 'getxattr'));
  }
  _reply(r: Uint8Array): void {
    this.replyValue(r);
  }
}

export class ListxattrRequest extends XattrReply {
  readonly op = 'listxattr';
  /** Answers with the attribute names: packing, the size probe and ERANGE are handled here. */
  replyNames(names: readonly Uint8Array[]): void {
    const parts: Uint8Array[] = [];
    for (const n of names) {
      bytes(n, 'listxattr name');
      if (n.length === 0 || n.includes(0)) throw new TypeError('listxattr: empty name or name with NUL');
      parts.push(n, ZERO);
    }
    replySized(this, Buffer.concat(parts));
  }
  _reply(r: readonly Uint8Array[]): void {
    if (!Array.isArray(r)) throw new TypeError('listxattr: array of names expected');
    this.replyNames(r);
  }
}
const ZERO = new Uint8Array(1);

export class RemovexattrRequest extends OkRequest {
  readonly op = 'removexattr';
  get name(): Buffer {
    return this.bytesAt(VAR_NAME, F.NAME_LEN);
  }
  get nameKey(): string {
    return this.latin1At(VAR_NAME, F.NAME_LEN);
  }
}

export class AccessRequest extends OkRequest {
  readonly op = 'access';
  /** R_OK | W_OK | X_OK bits, or F_OK (0). */
  get mask(): number {
    return this.f(F.ARG);
  }
}

/** create's result: the new entry and the open file's handle and flags. */
export type CreateResult = Entry & OpenResult;

export class CreateRequest extends NamedRequest {
  readonly op = 'create';
  get mode(): number {
    return this.f(F.MODE);
  }
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** Answers with the new entry and the open file; the kernel then holds one lookup of it. */
  replyCreate(r: CreateResult): void {
    const h = this._host;
    const ino = writeEntry(h.scratch, 0, r);
    if (ino === 0) throw new TypeError('create: a negative entry is not a valid reply');
    writeOpen(h.scratch, r);
    if (!this.begin()) return;
    const res = h.native.replyCreate(this._slot);
    if (res === 0) {  // before end(), as in _entry()
      h.entryReplied(this, ino);
      h.opened(ino);
    }
    this.end(r);
  }
  _reply(r: CreateResult): void {
    this.replyCreate(r);
  }
}

abstract class LockRequest extends FileRequest {
  /** The lock asked about or asked for (F_RDLCK, F_WRLCK, F_UNLCK; len 0 = to the end of the file). */
  get lock(): Lock {
    return { type: this.f(F.ARG), start: this.f(F.OFF), len: this.f(F.SIZE), pid: this.f(F.ARG3) };
  }
}

export class GetlkRequest extends LockRequest {
  readonly op = 'getlk';
  /** Answers with the conflicting lock, or one of type F_UNLCK when there is none. */
  replyLock(l: Lock): void {
    writeLock(this._host.scratch, l);
    if (!this.begin()) return;
    this._host.native.replyLock(this._slot);
    this.end(l);
  }
  _reply(r: Lock): void {
    this.replyLock(r);
  }
}

export class SetlkRequest extends LockRequest {
  readonly op = 'setlk';
  /** Set for F_SETLKW: wait for the lock rather than fail with EAGAIN. */
  get sleep(): boolean {
    return this.f(F.ARG2) !== 0;
  }
  replyOk(): void {
    this._ok();
  }
  _reply(): void {
    this._ok();
  }
}

export class BmapRequest extends Request {
  readonly op = 'bmap';
  get blocksize(): number {
    return this.f(F.ARG);
  }
  /** The block index within the file. */
  get index(): number {
    return this.f(F.OFF);
  }
  /** Answers with the block index within the device. */
  replyBmap(idx: number): void {
    this._num('replyBmap', ok(idx, 'bmap index'));
  }
  _reply(r: number): void {
    this.replyBmap(r);
  }
}

/** ioctl results: the return value and the output bytes (at most outSize). */
export interface IoctlResult {
  result?: number;
  data?: Uint8Array;
}

export class IoctlRequest extends FileRequest {
  readonly op = 'ioctl';
  /** The command (32 bits, as the kernel passes it). */
  get cmd(): number {
    return this.f(F.ARG);
  }
  /** The caller's argument (a pointer value in its address space). */
  get arg(): number {
    return this.f(F.ARG2);
  }
  /** FUSE_IOCTL_* flags. */
  get flags(): number {
    return this.f(F.ARG3);
  }
  /** The input bytes the kernel copied in for a _IOC_WRITE command (a fresh copy). */
  get inData(): Buffer {
    const i = this.f(F.DATA_BUF);
    if (i < 0) return Buffer.alloc(0);
    const off = this.f(F.DATA_OFF);
    return Buffer.from(this._host.recvBuffer(i).subarray(off, off + this.f(F.DATA_LEN)));
  }
  /** How many output bytes the caller expects (_IOC_READ commands). */
  get outSize(): number {
    return this.f(F.SIZE);
  }
  replyIoctl(result: number, data?: Uint8Array): void {
    if (!Number.isInteger(result)) throw new TypeError(`ioctl: invalid result ${result}`);
    if (data !== undefined) {
      bytes(data, 'ioctl');
      if (data.length > this.outSize) throw new TypeError(`ioctl: ${data.length} output bytes, caller expects ${this.outSize}`);
    }
    if (!this.begin()) return;
    this._host.native.replyIoctl(this._slot, result, data);
    this.end(result);
  }
  _reply(r: IoctlResult | Uint8Array | number | undefined): void {
    if (r === undefined || typeof r === 'number') this.replyIoctl(r ?? 0);
    else if (r instanceof Uint8Array) this.replyIoctl(0, r);
    else this.replyIoctl(r.result ?? 0, r.data);
  }
}

/** A kernel poll handle: notify() once the file becomes ready; it is then used up. */
export interface PollHandle {
  notify(): boolean;
}

export class PollRequest extends FileRequest {
  readonly op = 'poll';
  /** The events the caller waits for (POLLIN, POLLOUT, ...). */
  get events(): number {
    return this.f(F.ARG2);
  }
  /** Present when the kernel wants a notification once readiness changes. */
  get handle(): PollHandle | undefined {
    const id = this.f(F.ARG);
    return id ? this._host.pollHandle(id) : undefined;
  }
  /** Answers with the events that are ready now. */
  replyPoll(revents: number): void {
    if (!(Number.isInteger(revents) && revents >= 0)) throw new TypeError(`poll: invalid revents ${revents}`);
    this._num('replyPoll', revents);
  }
  _reply(r: number): void {
    this.replyPoll(r);
  }
}

export class FlockRequest extends FileOkRequest {
  readonly op = 'flock';
  /** LOCK_SH, LOCK_EX or LOCK_UN, possibly with LOCK_NB. */
  get operation(): number {
    return this.f(F.ARG);
  }
}

/** FALLOC_FL_* bits of FallocateRequest.mode. */
export const FallocFlags = Object.freeze({ KEEP_SIZE: 1, PUNCH_HOLE: 2, COLLAPSE_RANGE: 8, ZERO_RANGE: 16, INSERT_RANGE: 32 });

export class FallocateRequest extends FileOkRequest {
  readonly op = 'fallocate';
  get mode(): number {
    return this.f(F.ARG);
  }
  get offset(): number {
    return this.n64(F.OFF, 'offset');
  }
  get length(): number {
    return this.n64(F.SIZE, 'length');
  }
  /** Exact: a bigint beyond 2^53-1 (`largeFiles` mounts only). */
  get offset64(): U64 {
    return this.f64(F.OFF, F.OFF_X);
  }
  get length64(): U64 {
    return this.f64(F.SIZE, F.SIZE_X);
  }
}

export class CopyFileRangeRequest extends FileRequest {
  readonly op = 'copyFileRange';
  get offsetIn(): number {
    return this.n64(F.OFF, 'offsetIn');
  }
  /** Exact: a bigint beyond 2^53-1 (`largeFiles` mounts only); so are offsetOut64 and length64. */
  get offsetIn64(): U64 {
    return this.f64(F.OFF, F.OFF_X);
  }
  get inoOut(): number {
    return this.f(F.INO2);
  }
  get fhOut(): number {
    return this.f(F.FH2);
  }
  get offsetOut(): number {
    return this.n64(F.OFF2, 'offsetOut');
  }
  get length(): number {
    return this.n64(F.SIZE, 'length');
  }
  get offsetOut64(): U64 {
    return this.f64(F.OFF2, F.OFF2_X);
  }
  get length64(): U64 {
    return this.f64(F.SIZE, F.SIZE_X);
  }
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** Answers with the number of bytes copied. */
  replyWrite(count: number): void {
    this._num('replyWrite', ok(count, 'copy count'));
  }
  _reply(r: number): void {
    this.replyWrite(r);
  }
}

export class LseekRequest extends FileRequest {
  readonly op = 'lseek';
  get offset(): number {
    return this.n64(F.OFF, 'offset');
  }
  /** The offset, exact: a bigint beyond 2^53-1 (`largeFiles` mounts only). */
  get offset64(): U64 {
    return this.f64(F.OFF, F.OFF_X);
  }
  /** SEEK_DATA (3) or SEEK_HOLE (4); the kernel handles SEEK_SET/CUR/END itself. */
  get whence(): number {
    return this.f(F.ARG);
  }
  replyLseek(offset: U64): void {
    okOff(offset, 'lseek offset');
    if (!this.begin()) return;
    this._host.native.replyLseek(this._slot, offset);
    this.end(offset);
  }
  _reply(r: U64): void {
    this.replyLseek(r);
  }
}

/** The request class of each op. */
export interface RequestMap {
  lookup: LookupRequest; forget: ForgetRequest; getattr: GetattrRequest; setattr: SetattrRequest;
  readlink: ReadlinkRequest; mknod: MknodRequest; mkdir: MkdirRequest; unlink: UnlinkRequest;
  rmdir: RmdirRequest; symlink: SymlinkRequest; rename: RenameRequest; link: LinkRequest; open: OpenRequest;
  read: ReadRequest; write: WriteRequest; flush: FlushRequest; release: ReleaseRequest; fsync: FsyncRequest;
  opendir: OpendirRequest; readdir: ReaddirRequest; releasedir: ReleasedirRequest; fsyncdir: FsyncdirRequest;
  statfs: StatfsRequest; setxattr: SetxattrRequest; getxattr: GetxattrRequest; listxattr: ListxattrRequest;
  removexattr: RemovexattrRequest; access: AccessRequest; create: CreateRequest; getlk: GetlkRequest;
  setlk: SetlkRequest; bmap: BmapRequest; ioctl: IoctlRequest; poll: PollRequest; forgetMulti: ForgetMultiRequest;
  flock: FlockRequest; fallocate: FallocateRequest; readdirplus: ReaddirplusRequest;
  copyFileRange: CopyFileRangeRequest; lseek: LseekRequest;
}

/** What a handler of each op may return (or resolve to, or emit first). */
export interface ResultMap {
  lookup: Entry | NegativeEntry; forget: void; getattr: AttrResult; setattr: AttrResult; readlink: Uint8Array;
  mknod: Entry; mkdir: Entry; unlink: void; rmdir: void; symlink: Entry; rename: void; link: Entry;
  open: OpenResult | number | void; read: Uint8Array | FdSlice; write: number; flush: void; release: void;
  fsync: void; opendir: OpenResult | number | void; readdir: Dirents; releasedir: void; fsyncdir: void;
  statfs: Statfs; setxattr: void; getxattr: Uint8Array; listxattr: readonly Uint8Array[]; removexattr: void;
  access: void; create: CreateResult; getlk: Lock; setlk: void; bmap: number;
  ioctl: IoctlResult | Uint8Array | number | void; poll: number; forgetMulti: void; flock: void;
  fallocate: void; readdirplus: Dirents; copyFileRange: number; lseek: U64;
}

type Ctor = new (host: RequestHost, slot: number, gen: number) => Request;

const CLASSES: Record<OpName, Ctor> = {
  lookup: LookupRequest, forget: ForgetRequest, getattr: GetattrRequest, setattr: SetattrRequest,
  readlink: ReadlinkRequest, mknod: MknodRequest, mkdir: MkdirRequest, unlink: UnlinkRequest,
  rmdir: RmdirRequest, symlink: SymlinkRequest, rename: RenameRequest, link: LinkRequest, open: OpenRequest,
  read: ReadRequest, write: WriteRequest, flush: FlushRequest, release: ReleaseRequest, fsync: FsyncRequest,
  opendir: OpendirRequest, readdir: ReaddirRequest, releasedir: ReleasedirRequest, fsyncdir: FsyncdirRequest,
  statfs: StatfsRequest, setxattr: SetxattrRequest, getxattr: GetxattrRequest, listxattr: ListxattrRequest,
  removexattr: RemovexattrRequest, access: AccessRequest, create: CreateRequest, getlk: GetlkRequest,
  setlk: SetlkRequest, bmap: BmapRequest, ioctl: IoctlRequest, poll: PollRequest, forgetMulti: ForgetMultiRequest,
  flock: FlockRequest, fallocate: FallocateRequest, readdirplus: ReaddirplusRequest,
  copyFileRange: CopyFileRangeRequest, lseek: LseekRequest,
};

/** Request constructors indexed by native op code. @internal */
export const REQUEST_BY_CODE: readonly Ctor[] = [CLASSES.lookup, ...OPS.map((op) => CLASSES[op])];
