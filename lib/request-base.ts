// The request base class: a thin object over its slot in the shared request buffer. Fields are
// decoded on access, names are copied into fresh Buffers on access, and each request can be answered
// exactly once through its typed reply methods (or fail()). Also what a request needs from its mount
// (RequestHost) and who watches (RequestObserver).
import { F, SLOT_BYTES } from './layout';
import { type Entry, type NegativeEntry, type OpenResult, type U64, isOffset, writeEntry, writeOpen } from './attr';
import { complete } from './complete';
import { Effect } from './registry-effects';
import type { Dirents } from './dirents';
import { fields } from './request-fields';
import { errno, errnoName, FuseError, type FuseErrorKind, ReplyError } from './errors';
import type { OpName } from './op-table';
import type { NativeReplies, NativeSession } from './native';
import type { BackingFiles } from './backing';

/** Names up to this length are made into latin1 strings in JS (V8 keeps such short strings flat). */
const SHORT_NAME = 12;

const char = String.fromCharCode;

/**
 * The latin1 string of b[at .. at+len), len ≤ SHORT_NAME: one String.fromCharCode call with the
 * bytes as arguments (a string made in one piece: 35 ns against 53 for one concatenation per byte,
 * map lookup included).
 */
function shortLatin1(b: Uint8Array, at: number, len: number): string {
  switch (len) {
    case 0: return '';
    case 1: return char(b[at]);
    case 2: return char(b[at], b[at + 1]);
    case 3: return char(b[at], b[at + 1], b[at + 2]);
    case 4: return char(b[at], b[at + 1], b[at + 2], b[at + 3]);
    case 5: return char(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4]);
    case 6: return char(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5]);
    case 7: return char(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5], b[at + 6]);
    case 8: return char(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
    default: return char(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5], b[at + 6], b[at + 7]) +
      shortLatin1(b, at + 8, len - 8);
  }
}

/** @internal Float64 words per request slot. */
export const SLOT_F64 = SLOT_BYTES / 8;

/** What a request needs from its mount (implemented by Fuse). @internal */
export interface RequestHost {
  readonly h: Float64Array;
  readonly bytes: Buffer;
  readonly scratch: Float64Array;
  readonly native: NativeSession;
  /** The session's reply functions, on an object V8 reads fast (replyFunctions()). */
  readonly replies: NativeReplies;
  /** Backing files of passed-through opens (fuse.backing). */
  readonly backing: BackingFiles;
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
  /** What an answered request does to the inode registry (RegistryEffects.apply; called by complete()). */
  registryEffect(effect: Effect, arg: number, list: Dirents | undefined, count: number): void;
  signal(slot: number, interrupted: boolean): AbortSignal;
  pollHandle(id: number): PollHandle;
  /** Fuse.observe()'s fan-out; undefined while nothing observes (one check per reply). */
  readonly observer?: RequestObserverHook;
}

/** A kernel poll handle: notify() once the file becomes ready; it is then used up. */
export interface PollHandle {
  /** Tells the kernel the file is ready (fuse_lowlevel_notify_poll); false when the handle was used up or the mount is closed. */
  notify(): boolean;
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

/** Bytes: a Buffer, or any Uint8Array. */
export type Bytes = Uint8Array;

const E = errno;

/**
 * A kernel request: a view of its slot in the mount's request buffer, with typed getters for its
 * fields and typed reply methods (one per op class), of which exactly one may be called.
 * Every reply method throws ReplyError when the request was already answered (the first reply
 * stands) and TypeError on an invalid value; once the mount is closed a reply is dropped quietly.
 * A field read after the slot was reused throws ReplyError.
 */
export abstract class Request {
  // `declare`d and assigned in the constructor, not class fields: a field initializer of this base
  // class runs for every request class, and V8 answers such a megamorphic define in its runtime on
  // every request (seven misses per request; docs/performance.md, "Instructions per request").
  /** @internal */ declare readonly _host: RequestHost;
  /** @internal */ declare readonly _slot: number;
  /** @internal */ declare readonly _b: number;
  /** @internal */ declare readonly _gen: number;
  /** @internal Answered (complete()): the one mark of it a Request has. */ declare _done: boolean;
  /** @internal Answered by rxfuse on the handler's behalf (timeout, dropped, unclaimed). */ declare _byRxfuse: boolean;
  /** @internal A handler (or an explicit claim()) has taken the request. */
  declare _claimed: boolean;

  constructor(host: RequestHost, slot: number, gen: number) {
    this._host = host;
    this._slot = slot;
    this._b = slot * SLOT_F64;
    this._gen = gen;
    this._done = false;
    this._byRxfuse = false;
    this._claimed = false;
  }

  /** The op's name ('lookup', 'read', ...): the key of RequestMap. */
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

  /** @internal The request's payload (write data, xattr value, ioctl input): a view into its receive buffer. */
  protected payload(): Buffer {
    const i = this.f(F.DATA_BUF);
    if (i < 0) return Buffer.alloc(0);
    const off = this.f(F.DATA_OFF);
    return this._host.recvBuffer(i).subarray(off, off + this.f(F.DATA_LEN));
  }

  /** @internal the name as a latin1 string: lossless, one character per byte (a cheap map key). */
  protected latin1At(off: number, lenField: number): string {
    const len = this.f(lenField);
    const at = this._slot * SLOT_BYTES + off;
    const b = this._host.bytes;
    // Built in JS: a short name costs less than Buffer#toString's call into C++ (~1,000 instructions).
    return len <= SHORT_NAME ? shortLatin1(b, at, len) : b.toString('latin1', at, at + len);
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
    return this._done || this._host.closed;
  }

  /** This mount's sequence number of the request (for tracing). */
  declare readonly seq: number;
  /** The requesting process's effective user id (fsuid). */
  declare readonly uid: number;
  /** The requesting process's effective group id (fsgid). */
  declare readonly gid: number;
  /** The id of the requesting thread, as the kernel sends it. */
  declare readonly pid: number;
  /** The caller's umask, sent with mknod, mkdir and create (0 with other ops). */
  declare readonly umask: number;
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

  /**
   * Supplementary groups of the requesting process, read from /proc (fuse_req_getgroups; the same
   * for the ops libfuse 3.14 does not know, statx and tmpfile).
   * @throws FuseError with the errno when they cannot be read (the process may have exited).
   * @throws ReplyError when the request's slot has been reused.
   */
  getgroups(): number[] {
    this.f(F.GEN);
    const r = this._host.native.getgroups(this._slot);
    if (typeof r === 'number') throw new FuseError(-r);
    return r;
  }

  /**
   * Answers with an errno (a positive number or a name such as 'ENOENT'). EMFILE and ENFILE are
   * also reported on errors$ (kind "fd-limit").
   * @throws TypeError when `err` is not a positive integer or a known errno name.
   * @throws ReplyError when the request was already answered.
   */
  fail(err: number | string): void {
    const n = typeof err === 'number' ? err : E[err];
    if (!(Number.isInteger(n) && n > 0)) throw new TypeError(`fail: not an errno: ${String(err)}`);
    this.answerErrno(n, undefined);
  }

  /**
   * Answers errno `n`. EMFILE and ENFILE are also reported (kind "fd-limit", with the handler's
   * error as the cause when there is one): the daemon, or the system, is out of file descriptors.
   */
  private answerErrno(n: number, cause: FuseError | undefined): void {
    if (n === E.EMFILE || n === E.ENFILE) this.reportFdLimit(n, cause);
    if (!this.begin()) return;
    this._host.replies.replyErr(this._slot, n);
    this.end(undefined, n);
  }

  private reportFdLimit(n: number, cause: FuseError | undefined): void {
    this._host.report('fd-limit', this, n, cause ?? new FuseError(n, `${this.op}: answered ${errnoName(n)}`));
  }

  /**
   * A create reply (create, tmpfile): validates and writes the entry and the open file, sends it
   * with `send` and counts one lookup and one open when the kernel took it.
   */
  protected sendCreate(r: Entry & OpenResult, send: (slot: number) => number): void {
    const h = this._host;
    const ino = writeEntry(h.scratch, 0, r);
    if (ino === 0) throw new TypeError(`${this.op}: a negative entry is not a valid reply`);
    writeOpen(h.scratch, r);
    h.backing._prepare(h.scratch, r.backing, ino);
    if (!this.begin()) return;
    const res = send(this._slot);
    h.backing._replied(r.backing, res === 0);
    this.end(r, 0, res === 0 ? Effect.create : Effect.none, ino);
  }

  /**
   * @internal Marks the request answered before the native reply. Throws ReplyError on a second
   * reply; returns false when the mount is closed (the reply is then dropped quietly).
   */
  protected begin(): boolean {
    if (this._done) {
      const e = new ReplyError(this._byRxfuse
        ? `${this.op} request was already answered by rxfuse (timeout or dropped)`
        : `${this.op} request answered twice; the first reply stands`);
      this._host.report('double-reply', this, 0, e);
      throw e;
    }
    this._done = true;
    return !this._host.closed;  // in flight at unmount: the session answered it (Session::Teardown)
  }

  /**
   * @internal Finishes the request after its native reply (complete()): the registry `effect` of the
   * reply, untracking, observers (`value`, `err`: what the reply was; errno 0: success).
   */
  protected end(value?: unknown, err = 0, effect: Effect = Effect.none, arg = 0, list?: Dirents): void {
    complete(this, err, value, effect, arg, list);
  }

  /**
   * @internal A reply whose native call takes the slot and one number (bmap index,
   * poll events, xattr size, copy count, lseek offset). The hot replies (write, entry, data) call
   * their reply function directly.
   */
  protected _num(send: 'replyBmap' | 'replyPoll' | 'replyXattr' | 'replyWrite', value: number): void;
  protected _num(send: 'replyLseek', value: U64): void;
  protected _num(send: 'replyBmap' | 'replyPoll' | 'replyXattr' | 'replyWrite' | 'replyLseek', value: U64): void {
    if (!this.begin()) return;
    // the overloads pair each native reply with the values it takes
    (this._host.replies as unknown as Record<typeof send, (slot: number, value: U64) => number>)[send](this._slot, value);
    this.end(value);
  }

  /**
   * @internal A reply written to the scratch area (`write`) whose native call takes only the slot:
   * attributes, statfs, a lock.
   */
  protected _scratch<T>(write: (s: Float64Array, v: T) => void, send: 'replyAttr' | 'replyStatfs' | 'replyLock', value: T): void {
    write(this._host.scratch, value);
    if (!this.begin()) return;
    this._host.replies[send](this._slot);
    this.end(value);
  }

  /** @internal success (errno 0). */
  protected _ok(): void {
    if (!this.begin()) return;
    this._host.replies.replyErr(this._slot, 0);
    this.end();
  }

  /** @internal an entry reply, counted for the inode registry when the kernel took it. */
  protected _entry(entry: Entry | NegativeEntry): void {
    const h = this._host;
    const ino = writeEntry(h.scratch, 0, entry);
    if (!this.begin()) return;
    const r = h.replies.replyEntry(this._slot);
    this.end(entry, 0, r === 0 && ino !== 0 ? Effect.entry : Effect.none, ino);
  }

  /** @internal Turns a handler's result into this request's reply. */
  abstract _reply(result: unknown): void;

  /**
   * @internal Answers after a handler failed: FuseError → its errno (EMFILE, ENFILE: and an fd-limit
   * event, also when the request was answered already); anything else → EIO and an errors$ event. A request already answered only gets the report.
   */
  _failWith(cause: unknown, kind: FuseErrorKind = 'handler'): void {
    if (cause instanceof FuseError) {
      const n = cause.errno;
      if (!this.answered) this.answerErrno(n, cause);
      else if (n === E.EMFILE || n === E.ENFILE) this.reportFdLimit(n, cause);
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

fields(Request, { seq: F.SEQ, uid: F.UID, gid: F.GID, pid: F.PID, umask: F.UMASK });

/** An offset in a reply: a safe integer, or a bigint up to 2^63-1. */
export function okOff(v: unknown, what: string): U64 {
  if (!isOffset(v)) throw new TypeError(`invalid ${what}: ${String(v)}`);
  return v;
}

export function bytes(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what}: Buffer or Uint8Array expected, got ${typeof v}`);
  return v;
}
