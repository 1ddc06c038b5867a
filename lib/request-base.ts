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
import type { RequestState } from './request-state';
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
  // `declare`d and assigned in the constructor, not a class field: a field initializer of this base
  // class runs for every request class, and V8 answers such a megamorphic define in its runtime on
  // every request (docs/performance.md, "Instructions per request").
  /** @internal The request's slot, generation, host and answered/claimed marks (request-state.ts). */
  declare readonly _s: RequestState;

  /** @internal Requests are made by their mount's dispatch, over a state made first. */
  constructor(s: RequestState) {
    this._s = s;
  }

  /** The op's name ('lookup', 'read', ...): the key of RequestMap. */
  abstract readonly op: OpName;

  /**
   * @internal Reads a header field. Fields stay readable after the reply for as long as the slot is
   * not reused, which is at least until every subscriber has seen the request; later reads throw.
   */
  protected f(i: number): number {
    const s = this._s;
    const h = s.h;
    if (h[s.b + F.GEN] !== s.gen) this.expired();
    return h[s.b + i];
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
    const s = this._s;
    const h = s.h;
    return new BigUint64Array(h.buffer, h.byteOffset + (s.b + x) * 8, 1)[0];
  }

  /** @internal copies a name out of the slot. */
  protected bytesAt(off: number, lenField: number): Buffer {
    const len = this.f(lenField);
    const s = this._s;
    const at = s.slot * SLOT_BYTES + off;
    const out = Buffer.allocUnsafe(len);
    s.host.bytes.copy(out, 0, at, at + len);
    return out;
  }

  /** @internal The request's payload (write data, xattr value, ioctl input): a view into its receive buffer. */
  protected payload(): Buffer {
    const i = this.f(F.DATA_BUF);
    if (i < 0) return Buffer.alloc(0);
    const off = this.f(F.DATA_OFF);
    return this._s.host.recvBuffer(i).subarray(off, off + this.f(F.DATA_LEN));
  }

  /** @internal the name as a latin1 string: lossless, one character per byte (a cheap map key). */
  protected latin1At(off: number, lenField: number): string {
    const len = this.f(lenField);
    const s = this._s;
    const at = s.slot * SLOT_BYTES + off;
    const b = s.host.bytes;
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
    const s = this._s;
    if (!s.claimed) {
      s.claimed = true;
      s.host.claimed(s.slot, s.gen);
    }
  }

  /** @internal A handler declined the request (PASS): whoever gets it next has to claim it. */
  _unclaim(): void {
    const s = this._s;
    s.claimed = false;
    s.host.unclaimed(s.slot, s.gen);
  }

  /** Whether this request has been answered. */
  get answered(): boolean {
    return this._s.answered;
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
    const s = this._s;
    return s.host.signal(s.slot, this.interrupted);
  }

  /**
   * Supplementary groups of the requesting process, read from /proc (fuse_req_getgroups; the same
   * for the ops libfuse 3.14 does not know, statx and tmpfile).
   * @throws FuseError with the errno when they cannot be read (the process may have exited).
   * @throws ReplyError when the request's slot has been reused.
   */
  getgroups(): number[] {
    this.f(F.GEN);
    const s = this._s;
    const r = s.host.native.getgroups(s.slot);
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
    const s = this._s;
    if (!begin(this, s)) return;
    s.host.replies.replyErr(s.slot, n);
    end(this, s, undefined, n);
  }

  private reportFdLimit(n: number, cause: FuseError | undefined): void {
    this._s.host.report('fd-limit', this, n, cause ?? new FuseError(n, `${this.op}: answered ${errnoName(n)}`));
  }

  /**
   * A create reply (create, tmpfile): validates and writes the entry and the open file, sends it
   * with `send` and counts one lookup and one open when the kernel took it.
   */
  protected sendCreate(r: Entry & OpenResult, send: (slot: number) => number): void {
    const s = this._s;
    const h = s.host;
    const ino = writeEntry(h.scratch, 0, r);
    if (ino === 0) throw new TypeError(`${this.op}: a negative entry is not a valid reply`);
    writeOpen(h.scratch, r);
    h.backing._prepare(h.scratch, r.backing, ino);
    if (!begin(this, s)) return;
    const res = send(s.slot);
    h.backing._replied(r.backing, res === 0);
    end(this, s, r, 0, res === 0 ? Effect.create : Effect.none, ino);
  }

  /**
   * @internal A reply whose native call takes the slot and one number (bmap index,
   * poll events, xattr size, copy count, lseek offset). The hot replies (write, entry, data) call
   * their reply function directly.
   */
  protected _num(send: 'replyBmap' | 'replyPoll' | 'replyXattr' | 'replyWrite', value: number): void;
  protected _num(send: 'replyLseek', value: U64): void;
  protected _num(send: 'replyBmap' | 'replyPoll' | 'replyXattr' | 'replyWrite' | 'replyLseek', value: U64): void {
    const s = this._s;
    if (!begin(this, s)) return;
    // the overloads pair each native reply with the values it takes
    (s.host.replies as unknown as Record<typeof send, (slot: number, value: U64) => number>)[send](s.slot, value);
    end(this, s, value);
  }

  /**
   * @internal A reply written to the scratch area (`write`) whose native call takes only the slot:
   * attributes, statfs, a lock.
   */
  protected _scratch<T>(write: (s: Float64Array, v: T) => void, send: 'replyAttr' | 'replyStatfs' | 'replyLock', value: T): void {
    const s = this._s;
    write(s.host.scratch, value);
    if (!begin(this, s)) return;
    s.host.replies[send](s.slot);
    end(this, s, value);
  }

  /** @internal success (errno 0). */
  protected _ok(): void {
    const s = this._s;
    if (!begin(this, s)) return;
    s.host.replies.replyErr(s.slot, 0);
    end(this, s);
  }

  /** @internal an entry reply, counted for the inode registry when the kernel took it. */
  protected _entry(entry: Entry | NegativeEntry): void {
    const s = this._s;
    const h = s.host;
    const ino = writeEntry(h.scratch, 0, entry);
    if (!begin(this, s)) return;
    const r = h.replies.replyEntry(s.slot);
    end(this, s, entry, 0, r === 0 && ino !== 0 ? Effect.entry : Effect.none, ino);
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
    this._s.host.report(kind, this, E.EIO, cause);
    if (!this.answered) this.fail(E.EIO);
  }

  /** @internal A handler of a request without reply (forget) failed: report only. */
  _failWithoutReply(cause: unknown): void {
    this._s.host.report('handler', this, 0, cause);
  }
}

fields(Request, { seq: F.SEQ, uid: F.UID, gid: F.GID, pid: F.PID, umask: F.UMASK });

// A reply's two steps around its native call, as functions of the module rather than methods: a
// reply method's call of a method every request class shares is a megamorphic load (request-state.ts).

/**
 * @internal Marks req (`s`: its state) answered before the native reply. Throws ReplyError on a
 * second reply; returns false when the mount is closed (the reply is then dropped quietly).
 */
export function begin(req: Request, s: RequestState): boolean {
  if (s.done) {
    const e = new ReplyError(s.byRxfuse
      ? `${req.op} request was already answered by rxfuse (timeout or dropped)`
      : `${req.op} request answered twice; the first reply stands`);
    s.host.report('double-reply', req, 0, e);
    throw e;
  }
  s.done = true;
  return !s.host.closed;  // in flight at unmount: the session answered it (Session::Teardown)
}

/**
 * @internal Finishes req after its native reply (complete()): the registry `effect` of the reply,
 * untracking, observers (`value`, `err`: what the reply was; errno 0: success).
 */
export function end(req: Request, s: RequestState, value?: unknown, err = 0, effect: Effect = Effect.none, arg = 0, list?: Dirents): void {
  if (s.releases) complete(req, err, value, Effect.release, s.h[s.b + F.INO], undefined, false, s);  // however answered
  else complete(req, err, value, effect, arg, list, false, s);
}

/** An offset in a reply: a safe integer, or a bigint up to 2^63-1. */
export function okOff(v: unknown, what: string): U64 {
  if (!isOffset(v)) throw new TypeError(`invalid ${what}: ${String(v)}`);
  return v;
}

export function bytes(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what}: Buffer or Uint8Array expected, got ${typeof v}`);
  return v;
}
