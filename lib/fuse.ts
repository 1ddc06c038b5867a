// A FUSE mount: typed request streams in, typed replies out.
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Observable, Subject, Subscription } from 'rxjs';
import { Capability, type CapabilityName } from './caps';
import type { Dirents } from './dirents';
import { errno, errnoName, FuseError, type FuseErrorEvent, type FuseErrorKind } from './errors';
import { answerSuccess } from './defaults';
import { answer, type Handler, runHandler } from './handle';
import { C, F, S, SLOT_BYTES, VAR_OFFSET } from './layout';
import { type ConnInfo, native, type NativeEvent, type NativeSession, WATCHER } from './native';
import { ENTRY_OPS, NO_REPLY_OPS, OP_CODE, OP_COUNT, OPS, type OpName, REGISTRY_OPS } from './ops';
import { InodeRegistry, type RegistryStats } from './registry';
import {
  type PollHandle, REQUEST_BY_CODE, type Request, type RequestHost, type RequestMap, type RequestObserver,
  type RequestObserverHook, SetattrValid, SLOT_F64, type WriteRequest,
} from './request';

/** Connection settings negotiated at INIT. Unset values keep libfuse's defaults. */
export interface ConnOptions {
  maxWrite?: number;
  maxRead?: number;
  maxReadahead?: number;
  maxBackground?: number;
  congestionThreshold?: number;
  timeGran?: number;
  /** Capabilities to ask for (true) or to switch off (false), when the kernel offers them. */
  capabilities?: Partial<Record<CapabilityName, boolean>>;
}

export interface FuseOptions {
  /** The filesystem name shown in /proc/mounts (default "rxfuse"). */
  fsname?: string;
  /** Mount type suffix: the mount shows as fuse.<subtype>. */
  subtype?: string;
  allowOther?: boolean;
  /** Let the kernel check permissions from the mode bits (default false). */
  defaultPermissions?: boolean;
  /**
   * Unmount when the process dies, even by SIGKILL (a watcher process, rxfuse-watch, detaches the
   * mount once the process is gone). Default true; `-o auto_unmount` means the same.
   */
  autoUnmount?: boolean;
  readOnly?: boolean;
  /** More -o options, passed to libfuse as they are. */
  options?: readonly string[];
  /** libfuse's debug output on stderr. */
  debug?: boolean;
  /** Requests in flight at most (slots); the kernel waits beyond that. Default 128. */
  maxInFlight?: number;
  /** Receive buffers (about 1 MiB each); writes in flight at once at most. Default 4. */
  writeBuffers?: number;
  /** Answer ETIMEDOUT (and report) a request unanswered after this many ms. Default 0: never. */
  requestTimeout?: number;
  /**
   * A request neither answered nor claimed (Request.claim, the claim() operator; answer() and
   * handle() claim what they receive) when its dispatch returns is answered EIO this many ms later
   * and reported on errors$ (kind "unclaimed"): an operator dropped it. 0..1000, default 200.
   */
  unclaimedGrace?: number;
  /** Fail mount() when the kernel's INIT has not come after this many ms. Default 10000. */
  mountTimeout?: number;
  conn?: ConnOptions;
  /**
   * Keep the kernel's lookup counts and open counts in `fuse.inodes` (default true). FORGET is then
   * always implemented, whether or not the filesystem subscribes to it.
   */
  registry?: boolean;
  /**
   * Hand writes (and setattr with a size) of one inode to handlers one at a time, in kernel order,
   * even when handlers await (default true). Other inodes, and reads, are not held back.
   */
  serializeWrites?: boolean;
  /**
   * Busy-poll: after the session fd ran dry, keep watching it this many microseconds before
   * sleeping in the event loop (default 20; 0 or false: off). It trades CPU (up to a core while
   * requests keep coming) for latency; see docs/design.md for the measurements.
   */
  busyPoll?: number | false;
  /** Pause the busy-poll when spins mostly wait in vain or no core is idle (default true). */
  busyPollAdaptive?: boolean;
  /**
   * Offsets and sizes beyond 2^53-1 reach handlers, exact in the `*64` getters (`offset64`, `size64`,
   * ...: a bigint there). Default false: rxfuse answers them itself (read: end of file; write,
   * truncate, fallocate, copy_file_range: EFBIG; lseek: ENXIO). See docs/design.md, "Numbers beyond 2^53".
   */
  largeFiles?: boolean;
}

interface DirectHandler {
  handler: Handler<Request>;
  declined: (req: Request) => void;
}

interface Pending {
  gen: number;
  since: number;
  op: OpName;
  ino: number;
  /** An entry-producing request (the registry holds releases back while one is in flight). */
  entry: boolean;
  /** A write-ordered request (write, setattr with size). */
  ordered: boolean;
  /** When the request was found unclaimed (see unclaimedGrace). */
  unclaimedAt: number;
}

/** The requests of one inode that wait for their turn; `active` is the slot being handled. */
interface InodeQueue {
  active: number;
  waiting: Request[];
}

/** Figures for tools and tests: the registry's counts and the requests in flight. */
export interface FuseStats extends RegistryStats {
  inFlight: number;
  busySlots: number;
  /** Busy-poll episodes after the fd ran dry, and those that found a request. */
  spins: number;
  spinHits: number;
}

const DEFAULT_UNCLAIMED_GRACE = 200;
const WRITE_CODE = OP_CODE.write;
const SETATTR_CODE = OP_CODE.setattr;
const FORGET_CODE = OP_CODE.forget;
const FORGET_MULTI_CODE = OP_CODE.forgetMulti;
/** REGISTRY_OPS by native op code. */
const REGISTRY_CODES: ReadonlySet<number> = new Set([...REGISTRY_OPS].map((op) => OP_CODE[op]));

/** Notification kinds, as in src-native/notify.cc. */
const enum Notify { INVAL_INODE = 0, INVAL_ENTRY, DELETE, STORE, RETRIEVE }

type Streams = { readonly [K in OpName as `${K}$`]: Observable<RequestMap[K]> };

const live = new Set<Fuse>();
let exitHookInstalled = false;
function bytesOf(name: Uint8Array | string): Uint8Array {
  return typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const f of live) f.close();
  });
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Fuse extends Streams {}

/**
 * One FUSE mount. Attach handlers (handle(), or operators on the `<op>$` streams) before mount():
 * the ops with a subscriber at mount time are the ones the kernel sees implemented; libfuse answers
 * the others ENOSYS without entering JS.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Fuse implements RequestHost {
  /** @internal */ readonly h: Float64Array;
  /** @internal */ readonly bytes: Buffer;
  /** @internal */ readonly scratch: Float64Array;
  /** @internal */ native!: NativeSession;
  private readonly slotsBuffer: ArrayBuffer;
  private readonly recv: Buffer[];
  private readonly subjects: Subject<Request>[] = [];
  private readonly streams: (Observable<Request> | undefined)[] = [];
  private readonly counts: number[] = new Array<number>(OP_COUNT).fill(0);
  /** handle() registrations per op: when one is an op's only subscriber, requests skip the Subject. */
  private readonly direct: DirectHandler[][] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly controllers = new Map<number, AbortController>();
  private readonly finalizer = new FinalizationRegistry<{ slot: number; gen: number }>((held) => this.collected(held));
  private readonly errorsSubject = new Subject<FuseErrorEvent>();
  private readonly initSubject = new Subject<ConnInfo>();
  private readonly closedSubject = new Subject<void>();
  private state: 'new' | 'mounting' | 'mounted' | 'closed' = 'new';
  private referenced = true;
  private sweeper: NodeJS.Timeout | undefined;
  private closedWaiters: (() => void)[] = [];
  private mountpointPath = '';
  /** What went wrong in the session before INIT (named in mount()'s rejection). */
  private mountFailure: string | undefined;
  private readonly queues = new Map<number, InodeQueue>();
  /** Requests in flight that no handler claimed, in the order they were found so. */
  private readonly unclaimedRequests = new Map<number, Pending>();
  private unclaimedTimer: NodeJS.Timeout | undefined;
  private readonly grace: number;
  /** The ops the kernel was told exist (fixed at mount()); undefined before. */
  private wired: ReadonlySet<number> | undefined;
  /** @internal Whether the kernel delegates O_TRUNC to open (atomic_o_trunc). */
  truncatesOnOpen = false;
  private readonly useRegistry: boolean;
  private readonly ordered: boolean;
  readonly options: Readonly<FuseOptions>;
  /** The inode registry: lookup counts, open counts, deferred removal (see docs/design.md). */
  readonly inodes = new InodeRegistry();
  /** @internal observe()'s fan-out, undefined while nothing observes: one check per request and reply. */
  observer: RequestObserverHook | undefined;
  private observers: readonly RequestObserver[] = [];

  /** Handler failures, double replies, timeouts and dropped requests. */
  readonly errors$: Observable<FuseErrorEvent> = this.errorsSubject.asObservable();
  /** Emits the negotiated connection once the kernel's INIT is done. */
  readonly init$: Observable<ConnInfo> = this.initSubject.asObservable();
  /** Emits once when the mount is gone (unmount(), close(), fusermount3 -u, or process exit). */
  readonly closed$: Observable<void> = this.closedSubject.asObservable();

  constructor(options: FuseOptions = {}) {
    this.options = { ...options };
    this.useRegistry = options.registry ?? true;
    this.ordered = options.serializeWrites ?? true;
    const slots = options.maxInFlight ?? 128;
    const bufs = options.writeBuffers ?? 4;
    if (!(Number.isInteger(slots) && slots >= 1 && slots <= 65536)) throw new RangeError(`maxInFlight: 1..65536, got ${slots}`);
    if (!(Number.isInteger(bufs) && bufs >= 1 && bufs <= 256)) throw new RangeError(`writeBuffers: 1..256, got ${bufs}`);
    this.spinMicroseconds();  // validates busyPoll
    this.grace = options.unclaimedGrace ?? DEFAULT_UNCLAIMED_GRACE;
    if (!(typeof this.grace === 'number' && this.grace >= 0 && this.grace <= 1000)) {
      throw new RangeError(`unclaimedGrace: 0..1000 ms, got ${String(options.unclaimedGrace)}`);
    }
    const addon = native();
    this.slotsBuffer = new ArrayBuffer(slots * SLOT_BYTES);
    this.h = new Float64Array(this.slotsBuffer);
    this.bytes = Buffer.from(this.slotsBuffer);
    this.scratch = new Float64Array(new ArrayBuffer(S.FIELD_COUNT * 8));
    this.recv = [];
    for (let i = 0; i < bufs; i++) this.recv.push(Buffer.allocUnsafeSlow(addon.layout.RECV_BYTES));
    for (let i = 0; i < OP_COUNT; i++) this.subjects.push(new Subject<Request>());
  }

  /**
   * The stream of one op's requests. Subscribe before mount() for the op to be implemented: after
   * mount(), asking for (or subscribing to) the stream of an op the kernel was not told about throws.
   */
  requests<K extends OpName>(op: K): Observable<RequestMap[K]> {
    const code = OP_CODE[op];
    if (code === undefined) throw new TypeError(`unknown op ${String(op)}`);
    const late = this.notWired(code);
    if (late) throw late;
    let s = this.streams[code];
    if (!s) {
      s = new Observable<Request>((sub) => {
        const notWired = this.notWired(code);
        if (notWired) {
          sub.error(notWired);
          return undefined;
        }
        this.counts[code]++;
        const inner = this.subjects[code].subscribe(sub);
        return () => {
          inner.unsubscribe();
          if (--this.counts[code] === 0) this.dropPending(code);
        };
      });
      this.streams[code] = s;
    }
    return s as Observable<RequestMap[K]>;
  }

  /** Why an op cannot be subscribed now: the kernel was told at INIT that it does not exist. */
  private notWired(code: number): Error | undefined {
    if (this.wired === undefined || this.wired.has(code)) return undefined;
    const op = OPS[code - 1];
    return new Error(`${op}: no handler was attached at mount(), so libfuse answers ENOSYS for the whole mount; ` +
      `attach before mount() — the kernel was told at INIT which ops exist`);
  }

  /**
   * Answers each request of `op` with the handler's result (a value, Promise or Observable).
   * One handle() per op: a second one throws while the first is attached (to try several handlers
   * in turn use on(fuse, op, h1, h2) or layers(); to replace one, unsubscribe it first). Attach
   * before mount(): after it, handle() throws for an op that had no handler at mount.
   */
  handle<K extends OpName>(op: K, handler: Handler<RequestMap[K]>): Subscription {
    if (typeof handler !== 'function') throw new TypeError(`handle('${String(op)}'): the handler must be a function`);
    const code = OP_CODE[op];
    if (code !== undefined && (this.direct[code]?.length ?? 0) > 0) {
      throw new Error(`handle('${op}'): a handler is already attached; one handle() per op. To try several handlers ` +
        `in turn use on(fuse, '${op}', h1, h2) or layers(); to replace it, unsubscribe the first`);
    }
    const declined = (req: Request): void => {
      if (NO_REPLY_OPS.has(op)) return;  // forget: nothing to answer
      // Declined by the last layer: nobody else will answer.
      this.report('no-handler', req, errno.EIO, new Error(`${op}: every handler declined`));
      req.fail(errno.EIO);
    };
    const sub = this.requests(op).pipe(answer(handler)).subscribe(declined);
    // The same handler, called straight from dispatch while it is the op's only subscriber: what
    // the Subject and the answer() operator would do, without their per-request calls.
    const d: DirectHandler = { handler: handler as unknown as Handler<Request>, declined };
    (this.direct[code] ??= []).push(d);
    sub.add(() => {
      const list = this.direct[code];
      list.splice(list.indexOf(d), 1);
    });
    return sub;
  }

  /** Attaches handlers for several ops at once: one wiring table, as in libfuse's examples. */
  handleAll(handlers: { [K in OpName]?: Handler<RequestMap[K]> }): Subscription {
    const all = new Subscription();
    try {
      for (const op of OPS) {
        const h = handlers[op];
        if (h) all.add(this.handle(op, h as Handler<RequestMap[typeof op]>));
      }
    } catch (e) {
      all.unsubscribe();  // all or nothing
      throw e;
    }
    return all;
  }

  /**
   * Sees every request at its arrival and at its answer (errno, reply value), without taking part:
   * for tracing and statistics (see RequestObserver). Unlike subscribing to `<op>$`, observing
   * does not make an op implemented. Costs nothing while no observer is attached; an observer that
   * throws is reported on errors$ (kind "handler") and the request goes on.
   */
  observe(observer: RequestObserver): Subscription {
    this.observers = [...this.observers, observer];  // copied on change: safe to (un)subscribe from a callback
    this.observer = this.fanOut;
    return new Subscription(() => {
      this.observers = this.observers.filter((o) => o !== observer);
      if (this.observers.length === 0) this.observer = undefined;
    });
  }

  private readonly fanOut: RequestObserverHook = {
    request: (req) => {
      for (const o of this.observers) {
        try {
          o.request?.(req);
        } catch (e) {
          this.report('handler', req, 0, e);
        }
      }
    },
    reply: (req, err, value) => {
      for (const o of this.observers) {
        try {
          o.reply?.(req, err, value);
        } catch (e) {
          this.report('handler', req, 0, e);
        }
      }
    },
  };

  get mounted(): boolean {
    return this.state === 'mounted';
  }
  get closed(): boolean {
    return this.state === 'closed';
  }
  get mountpoint(): string {
    return this.mountpointPath;
  }

  /** The negotiated connection (after INIT), else null. */
  get conn(): ConnInfo | null {
    return this.state === 'mounted' ? this.native.conn() : null;
  }

  /** The registry's counts and the requests in flight (what `rxfuse --stats` prints). */
  stats(): FuseStats {
    const loop = this.loopStats();
    return {
      ...this.inodes.stats,
      inFlight: this.pending.size,
      busySlots: this.state === 'mounted' ? this.native.busySlots() : 0,
      spins: loop.spins,
      spinHits: loop.spinHits,
    };
  }

  // ---- notifications: run off the request path; safe to call from inside a handler ----------

  /**
   * Drops the kernel's cached data of ino from `offset` for `length` bytes (0: to the end) and its
   * cached attributes. offset -1 drops only the attributes. Resolves true, or false when the kernel
   * had nothing cached for the inode (ENOENT, benign).
   */
  invalidateInode(ino: number, offset = 0, length = 0): Promise<boolean> {
    return this.notify(Notify.INVAL_INODE, 'invalidateInode', ino, 0, offset, length);
  }

  /** Drops the kernel's cached lookup of `name` in `parent` (and the attributes of parent). */
  invalidateEntry(parent: number, name: Uint8Array | string): Promise<boolean> {
    return this.notify(Notify.INVAL_ENTRY, 'invalidateEntry', parent, 0, 0, 0, bytesOf(name));
  }

  /** Tells the kernel that `name` in `parent`, pointing to `child`, is gone (also unhashes open dentries). */
  notifyDelete(parent: number, child: number, name: Uint8Array | string): Promise<boolean> {
    return this.notify(Notify.DELETE, 'notifyDelete', parent, child, 0, 0, bytesOf(name));
  }

  /** Puts data into the kernel's page cache of ino at offset (extending its cached size if needed). */
  notifyStore(ino: number, offset: number, data: Uint8Array): Promise<boolean> {
    if (!(data instanceof Uint8Array)) return Promise.reject(new TypeError('notifyStore: Buffer expected'));
    return this.notify(Notify.STORE, 'notifyStore', ino, 0, offset, data.length, undefined, data);
  }

  /**
   * Reads back what the kernel's page cache holds of ino from offset (at most size bytes, up to the
   * first page not cached). Empty when nothing is cached, also when the kernel does not hold the
   * inode at all (ENOENT, benign as for the other notifications).
   */
  async notifyRetrieve(ino: number, offset: number, size: number): Promise<Buffer> {
    const r = await this.notifyRaw(Notify.RETRIEVE, 'notifyRetrieve', ino, 0, offset, size);
    if (r === -errno.ENOENT) return Buffer.alloc(0);
    if (typeof r === 'number') throw this.notifyError('notifyRetrieve', ino, r);
    return r;
  }

  private async notify(kind: Notify, what: string, ino: number, ino2: number, off: number, len: number,
    name?: Uint8Array, data?: Uint8Array): Promise<boolean> {
    const r = await this.notifyRaw(kind, what, ino, ino2, off, len, name, data);
    if (r === 0) return true;
    if (r === -errno.ENOENT) return false;
    throw this.notifyError(what, ino, r as number);
  }

  private notifyRaw(kind: Notify, what: string, ino: number, ino2: number, off: number, len: number,
    name?: Uint8Array, data?: Uint8Array): Promise<number | Buffer> {
    for (const [k, v] of [['ino', ino], ['ino2', ino2], ['length', len]] as const) {
      if (!(Number.isSafeInteger(v) && v >= 0)) return Promise.reject(new TypeError(`${what}: invalid ${k} ${v}`));
    }
    if (!(Number.isSafeInteger(off) && off >= -1)) return Promise.reject(new TypeError(`${what}: invalid offset ${off}`));
    if (this.state !== 'mounted') return Promise.reject(new FuseError(errno.ENOTCONN, `${what}: not mounted`));
    return this.native.notify(kind, ino, ino2, off, len, name, data);
  }

  private notifyError(what: string, ino: number, r: number): FuseError {
    const e = new FuseError(-r, `${what}(${ino}): ${errnoName(-r)}`);
    this.emitError({ kind: 'notify', op: undefined, ino, errno: -r, cause: e });
    return e;
  }

  /** The receive loop's busy-poll figures: spins, spins that found a request, spinning now. */
  loopStats(): { spins: number; spinHits: number; spinning: boolean } {
    return this.state === 'mounted' ? this.native.loopStats() : { spins: 0, spinHits: 0, spinning: false };
  }

  /** Requests in flight (answered later than their dispatch). */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Mounts and resolves once the kernel's INIT is done. A failure rejects once, with the cause
   * (libfuse's own words) in the message, and leaves nothing behind: no mount, fd, child or timer.
   */
  mount(mountpoint: string): Promise<ConnInfo> {
    if (this.state !== 'new') return Promise.reject(new Error('Fuse: mount() can be called once'));
    this.state = 'mounting';
    this.mountpointPath = path.resolve(mountpoint);
    try {
      this.startSession();
    } catch (e) {
      this.state = 'closed';
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.native.setLoop(64, this.spinMicroseconds(), this.options.busyPollAdaptive ?? true);
    live.add(this);
    installExitHook();
    if (!this.referenced) this.native.unref();
    const t = this.options.requestTimeout ?? 0;
    if (t > 0) {
      this.sweeper = setInterval(() => this.sweep(t), Math.max(5, Math.min(1000, t / 4)));
      this.sweeper.unref();
    }
    return this.initDone();
  }

  /** Creates the native session and mounts it (throws libfuse's reason when that fails). */
  private startSession(): void {
    const implemented: number[] = [];
    for (let code = 1; code < OP_COUNT; code++) {
      if (this.counts[code] > 0 || (this.useRegistry && REGISTRY_CODES.has(code))) implemented.push(code);
    }
    this.wired = new Set(implemented);
    this.writeConnWishes();
    const args = this.args();
    const addon = native();
    this.native = new addon.Session(
      this.mountpointPath, args, implemented, this.slotsBuffer, this.recv, this.scratch,
      this.dispatch, this.onEvent, this.autoUnmount() ? WATCHER : '', this.options.largeFiles === true,
    );
    this.native.mount();
  }

  /** Resolves at INIT; rejects (and closes) when the session closes first or mountTimeout expires. */
  private initDone(): Promise<ConnInfo> {
    return new Promise<ConnInfo>((resolve, reject) => {
      const timeout = this.options.mountTimeout ?? 10000;
      const timer = setTimeout(() => {
        sub.unsubscribe();
        closedSub.unsubscribe();
        this.close();
        reject(new Error(`mount ${this.mountpointPath}: no INIT from the kernel within ${timeout} ms`));
      }, timeout);
      const sub = this.initSubject.subscribe((c) => {
        clearTimeout(timer);
        closedSub.unsubscribe();
        resolve(c);
      });
      const closedSub = this.closedSubject.subscribe(() => {
        clearTimeout(timer);
        sub.unsubscribe();
        const why = this.mountFailure === undefined ? '' : `: ${this.mountFailure}`;
        reject(new Error(`mount ${this.mountpointPath}: closed before INIT${why}`));
      });
    });
  }

  /** Unmounts; resolves once the session is closed. Requests still in flight are answered EIO. */
  unmount(): Promise<void> {
    if (this.state === 'closed' || this.state === 'new') {
      this.state = 'closed';
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    this.native.close();
    return done;
  }

  /** Unmounts synchronously (deferred until the current request returns when called from a handler). */
  close(): void {
    if (this.state === 'mounting' || this.state === 'mounted') this.native.close();
    else this.state = 'closed';
  }

  /** Keeps the process alive while mounted (the default), like net.Server. */
  ref(): this {
    this.referenced = true;
    if (this.state === 'mounting' || this.state === 'mounted') this.native.ref();
    return this;
  }

  /** Lets the process exit while mounted, like net.Server (the mount goes with it). */
  unref(): this {
    this.referenced = false;
    if (this.state === 'mounting' || this.state === 'mounted') this.native.unref();
    return this;
  }

  // ---- RequestHost ---------------------------------------------------------------------------

  /** @internal */
  recvBuffer(i: number): Buffer {
    return this.recv[i];
  }

  /** @internal */
  settled(slot: number): void {
    if (this.pending.size !== 0) {
      const p = this.pending.get(slot);
      if (p) this.untrack(slot, p);
    }
    if (this.controllers.size !== 0) this.controllers.delete(slot);
  }

  /** @internal */
  report(kind: FuseErrorKind, req: Request | undefined, err: number, cause: unknown): void {
    let op: OpName | undefined;
    let ino: number | undefined;
    if (req) {
      op = req.op;
      const b = req._slot * SLOT_F64;
      if (this.h[b + F.GEN] === req._gen) ino = this.h[b + F.INO];
    }
    this.emitError({ kind, op, ino, errno: err, cause });
  }

  /** @internal The kernel accepted an entry reply: it holds one more lookup of ino. */
  entryReplied(_req: Request, ino: number): void {
    if (this.useRegistry) this.inodes._entry(ino);
  }

  /** @internal The same for each entry of a readdirplus reply (not "." and "..", not ino 0). */
  direntsReplied(req: Request, list: Dirents, start: number, count: number): void {
    if (!this.useRegistry || req.op !== 'readdirplus') return;
    for (let i = start; i < start + count; i++) {
      const ino = list.inoAt(i);
      if (ino !== 0 && !list.isDotAt(i)) this.inodes._entry(ino);
    }
  }

  /** @internal An open, opendir or create reply was accepted. */
  opened(ino: number): void {
    if (this.useRegistry) this.inodes._open(ino);
  }

  /** @internal A release or releasedir was answered. */
  handleReleased(ino: number): void {
    if (this.useRegistry) this.inodes._release(ino);
  }

  /** @internal */
  signal(slot: number, interrupted: boolean): AbortSignal {
    let c = this.controllers.get(slot);
    if (!c) {
      c = new AbortController();
      this.controllers.set(slot, c);
      if (interrupted) c.abort(new FuseError(errno.EINTR, 'interrupted by the kernel'));
    }
    return c.signal;
  }

  /** @internal */
  pollHandle(id: number): PollHandle {
    return {
      notify: () => {
        if (this.state !== 'mounted') return false;
        const r = this.native.pollNotify(id);
        this.native.pollDestroy(id);
        return r === 0;
      },
    };
  }

  // ---- dispatch --------------------------------------------------------------------------------

  private readonly dispatch = (slot: number): void => {
    const h = this.h;
    const b = slot * SLOT_F64;
    const code = h[b + F.OP];
    const gen = h[b + F.GEN];
    const req = new REQUEST_BY_CODE[code](this, slot, gen);
    if (this.observer !== undefined) this.observer.request(req);
    if (code === FORGET_CODE || code === FORGET_MULTI_CODE) {
      this.forget(req, code);
      return;
    }
    if (this.counts[code] === 0) {
      if (this.useRegistry && REGISTRY_CODES.has(code)) {
        answerSuccess(req);  // the kernel's reading of an absent open/opendir/release/releasedir
        return;
      }
      this.report('no-handler', req, errno.EIO, new Error(`${req.op}: no handler subscribed`));
      req.fail(errno.EIO);
      return;
    }
    const ordered = this.ordered && (code === WRITE_CODE || (code === SETATTR_CODE && (h[b + F.ARG] & SetattrValid.SIZE) !== 0));
    if (ordered) {
      const ino = h[b + F.INO];
      const q = this.queues.get(ino);
      if (q) {
        // Another write of this inode is being handled: wait for it, in kernel order. Its data moves
        // out of the receive buffer, which would otherwise stay pinned and stop all reading.
        if (code === WRITE_CODE) (req as WriteRequest)._detach();
        q.waiting.push(req);
        this.track(req, slot, gen, true, true);  // held by the queue
        return;
      }
      this.queues.set(ino, { active: slot, waiting: [] });
      this.emit(code, req);
      if (req._done) this.advance(ino);
      else this.track(req, slot, gen, true, req._claimed);
      return;
    }
    this.emit(code, req);
    if (!req._done) this.track(req, slot, gen, false, req._claimed);
  };

  /** Hands a request to the op's subscribers (directly to a lone handle() handler). */
  private emit(code: number, req: Request): void {
    const d = this.direct[code];
    if (this.counts[code] === 1 && d !== undefined && d.length === 1) {
      // Claimed by the handler; never among the unclaimed here (in its dispatch, or queued, which
      // counts as claimed), so the flag alone does it.
      req._claimed = true;
      runHandler(req, d[0].handler, d[0].declined);
    } else {
      this.subjects[code].next(req);
    }
  }

  private forget(req: Request, code: number): void {
    if (this.useRegistry) {
      const h = this.h;
      const b = req._slot * SLOT_F64;
      if (code === FORGET_CODE) {
        this.inodes._forget(h[b + F.INO], h[b + F.SIZE]);
      } else {
        const n = h[b + F.SIZE];
        const pairs = b + VAR_OFFSET / 8;
        for (let i = 0; i < n; i++) this.inodes._forget(h[pairs + 2 * i], h[pairs + 2 * i + 1]);
      }
    }
    if (this.counts[code] > 0) this.subjects[code].next(req);
    req._done = true;  // no reply: valid only while its subscribers ran
  }

  /**
   * Keeps track of a request answered later: timeouts, unsubscribing, the unclaimed sweep and GC
   * can answer it instead.
   */
  private track(req: Request, slot: number, gen: number, ordered: boolean, claimed: boolean): void {
    const entry = ENTRY_OPS.has(req.op);
    if (entry && this.useRegistry) this.inodes._entryStarted();
    const now = performance.now();
    const p: Pending = { gen, since: now, op: req.op, ino: this.h[slot * SLOT_F64 + F.INO], entry, ordered, unclaimedAt: now };
    this.pending.set(slot, p);
    this.finalizer.register(req, { slot, gen });
    if (!claimed) this.markUnclaimed(slot, p);
  }

  /** @internal */
  claimed(slot: number, gen: number): void {
    if (this.unclaimedRequests.size === 0) return;
    const p = this.unclaimedRequests.get(slot);
    if (p && p.gen === gen) this.unclaimedRequests.delete(slot);
  }

  /** @internal */
  unclaimed(slot: number, gen: number): void {
    const p = this.pending.get(slot);  // not yet tracked while in its dispatch: dispatch checks then
    if (p && p.gen === gen) this.markUnclaimed(slot, p);
  }

  /** Starts the grace of a request no handler holds; one timer for all of them, only while there are some. */
  private markUnclaimed(slot: number, p: Pending): void {
    p.unclaimedAt = performance.now();
    this.unclaimedRequests.delete(slot);  // keeps the map in order of unclaimedAt
    this.unclaimedRequests.set(slot, p);
    if (this.unclaimedTimer === undefined) this.sweepUnclaimedIn(this.grace);
  }

  private sweepUnclaimedIn(ms: number): void {
    this.unclaimedTimer = setTimeout(this.sweepUnclaimed, ms);
    this.unclaimedTimer.unref();
  }

  private readonly sweepUnclaimed = (): void => {
    this.unclaimedTimer = undefined;
    const now = performance.now();
    for (const [slot, p] of this.unclaimedRequests) {
      const left = p.unclaimedAt + this.grace - now;
      if (left > 0) {
        this.sweepUnclaimedIn(left);
        return;
      }
      this.answerFor(slot, p, errno.EIO, 'unclaimed', new Error(`${p.op}: no handler claimed the request within ` +
        `${this.grace} ms of its dispatch (an operator dropped it?); a pipeline that holds requests on purpose ` +
        `claims them: req.claim() or the claim() operator`));
    }
  };

  private untrack(slot: number, p: Pending): void {
    this.pending.delete(slot);
    if (this.unclaimedRequests.size !== 0) this.unclaimedRequests.delete(slot);
    if (p.entry && this.useRegistry) this.inodes._entryFinished();
    if (p.ordered) {
      const q = this.queues.get(p.ino);
      if (q && q.active === slot) {
        q.active = -1;
        queueMicrotask(() => this.advance(p.ino));
      }
    }
  }

  /** The active write of ino is answered: hand the next waiting one to the handlers. */
  private advance(ino: number): void {
    const q = this.queues.get(ino);
    if (!q || q.active !== -1 && this.pending.has(q.active)) return;
    for (;;) {
      const next = q.waiting.shift();
      if (!next) {
        this.queues.delete(ino);
        return;
      }
      if (next.answered || this.state === 'closed') continue;
      q.active = next._slot;
      this.emit(this.h[next._slot * SLOT_F64 + F.OP], next);
      if (!next.answered) {
        if (!next._claimed) this.unclaimed(next._slot, next._gen);
        return;  // async: untrack() advances again
      }
      // Answered during its dispatch: untrack() ran and scheduled a redundant advance; go on here.
    }
  }

  private readonly onEvent = (...e: NativeEvent): void => {
    switch (e[0]) {
      case 'init': {
        this.state = 'mounted';
        const c = this.native.conn();
        this.truncatesOnOpen = c !== null && (c.want & Capability.atomicOTrunc) !== 0;
        if (c) this.initSubject.next(c);
        break;
      }
      case 'interrupt': {
        const p = this.pending.get(e[1]);
        if (p && p.gen === e[2]) {
          const c = this.controllers.get(e[1]);
          if (c) c.abort(new FuseError(errno.EINTR, 'interrupted by the kernel'));
        }
        break;
      }
      case 'error':
        if (this.state === 'mounting') this.mountFailure = `${e[1]}: ${errnoName(e[2])}`;
        this.emitError({ kind: 'session', op: undefined, ino: undefined, errno: e[2], cause: new Error(`${e[1]}: errno ${e[2]}`) });
        break;
      case 'closed':
        this.onClosed();
        break;
      case 'destroy':
        break;
    }
  };

  private onClosed(): void {
    this.state = 'closed';
    live.delete(this);
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.unclaimedTimer) clearTimeout(this.unclaimedTimer);
    this.unclaimedTimer = undefined;
    this.unclaimedRequests.clear();
    for (const [slot] of this.pending) this.h[slot * SLOT_F64 + F.GEN] = -1;
    this.pending.clear();
    this.queues.clear();
    if (this.useRegistry) this.inodes._unmounted();
    for (const c of this.controllers.values()) c.abort(new FuseError(errno.ENOTCONN, 'unmounted'));
    this.controllers.clear();
    this.closedSubject.next();
    this.closedSubject.complete();
    for (const s of this.subjects) s.complete();
    this.initSubject.complete();
    const waiters = this.closedWaiters;
    this.closedWaiters = [];
    for (const w of waiters) w();
  }

  /** Answers a tracked request on the handler's behalf and makes its Request object stale. */
  private answerFor(slot: number, p: Pending, err: number, kind: FuseErrorKind, cause: Error): void {
    this.untrack(slot, p);
    if (p.op === 'release' || p.op === 'releasedir') this.handleReleased(p.ino);
    // Observers get a fresh view of the slot while its fields are still readable (the handler's may be gone).
    if (this.observer !== undefined) this.observer.reply(new REQUEST_BY_CODE[OP_CODE[p.op]](this, slot, p.gen), err, undefined);
    this.h[slot * SLOT_F64 + F.GEN] = -1;
    const c = this.controllers.get(slot);
    this.controllers.delete(slot);
    if (this.state !== 'closed') this.native.replyErr(slot, err);
    if (c) c.abort(new FuseError(err, cause.message));
    this.emitError({ kind, op: p.op, ino: p.ino, errno: err, cause });
  }

  private sweep(timeout: number): void {
    const now = performance.now();
    for (const [slot, p] of this.pending) {
      if (now - p.since >= timeout) {
        this.answerFor(slot, p, errno.ETIMEDOUT, 'timeout', new Error(`${p.op}: no reply within ${timeout} ms`));
      }
    }
  }

  private dropPending(code: number): void {
    const op = OPS[code - 1];
    for (const [slot, p] of this.pending) {
      if (p.op === op) this.answerFor(slot, p, errno.EIO, 'dropped', new Error(`${op}: the last handler unsubscribed`));
    }
  }

  private collected(held: { slot: number; gen: number }): void {
    const p = this.pending.get(held.slot);
    if (p && p.gen === held.gen) {
      this.answerFor(held.slot, p, errno.EIO, 'dropped', new Error(`${p.op}: request garbage-collected unanswered`));
    }
  }

  private emitError(ev: FuseErrorEvent): void {
    if (this.errorsSubject.observed) this.errorsSubject.next(ev);
    else if (ev.kind !== 'session') process.emitWarning(`rxfuse: ${ev.kind} on ${ev.op ?? '-'}: ${String(ev.cause)}`);
  }

  private spinMicroseconds(): number {
    const spin = this.options.busyPoll === false ? 0 : this.options.busyPoll ?? 20;
    if (!(typeof spin === 'number' && Number.isFinite(spin) && spin >= 0 && spin <= 10000)) {
      throw new RangeError(`busyPoll: 0..10000 µs or false, got ${String(spin)}`);
    }
    return spin;
  }

  private args(): string[] {
    const o = this.options;
    const opts = [`fsname=${o.fsname ?? 'rxfuse'}`];
    if (o.subtype) opts.push(`subtype=${o.subtype}`);
    if (o.allowOther) opts.push('allow_other');
    if (o.defaultPermissions) opts.push('default_permissions');
    if (o.readOnly) opts.push('ro');
    for (const x of o.options ?? []) {
      if (typeof x !== 'string' || x === '' || /\s/.test(x)) throw new TypeError(`bad -o option ${JSON.stringify(x)}`);
      // auto_unmount is rxfuse's own watcher (autoUnmount()), not fusermount3's: not for libfuse.
      const rest = x.split(',').filter((part) => part !== 'auto_unmount').join(',');
      if (rest !== '') opts.push(rest);
    }
    // libfuse wants max_read both as a mount option and in init(), and fails INIT when they differ
    // (writeConnWishes takes a -o max_read=N for init()).
    const maxRead = o.conn?.maxRead;
    if (maxRead !== undefined && this.maxReadOption() === undefined) opts.push(`max_read=${maxRead}`);
    const args = ['-o', opts.join(',')];
    if (o.debug) args.push('-d');
    return args;
  }

  /** Whether a watcher detaches the mount when this process dies: autoUnmount, or -o auto_unmount. */
  private autoUnmount(): boolean {
    return (this.options.autoUnmount ?? true) || (this.options.options ?? []).some((x) => String(x).split(',').includes('auto_unmount'));
  }

  /** A max_read=N among the -o options (libfuse fails INIT unless init() sets the same value). */
  private maxReadOption(): number | undefined {
    let r: number | undefined;
    for (const x of this.options.options ?? []) {
      for (const part of String(x).split(',')) {
        const m = /^max_read=(\d+)$/.exec(part);
        if (m) r = Number(m[1]);
      }
    }
    return r;
  }

  private writeConnWishes(): void {
    const c = this.options.conn ?? {};
    const s = this.scratch;
    const v = (x: number | undefined, what: string): number => {
      if (x === undefined) return -1;
      if (!(Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) throw new RangeError(`conn.${what}: ${x}`);
      return x;
    };
    s.fill(-1, S.CONN, S.CONN + C.FIELD_COUNT);
    s[S.CONN + C.MAX_WRITE] = v(c.maxWrite, 'maxWrite');
    s[S.CONN + C.MAX_READ] = v(c.maxRead ?? this.maxReadOption(), 'maxRead');
    s[S.CONN + C.MAX_READAHEAD] = v(c.maxReadahead, 'maxReadahead');
    s[S.CONN + C.MAX_BACKGROUND] = v(c.maxBackground, 'maxBackground');
    s[S.CONN + C.CONGESTION] = v(c.congestionThreshold, 'congestionThreshold');
    s[S.CONN + C.TIME_GRAN] = v(c.timeGran, 'timeGran');
    let set = 0;
    let clear = 0;
    for (const [name, on] of Object.entries(c.capabilities ?? {})) {
      const bit = Capability[name as CapabilityName];
      if (bit === undefined) throw new TypeError(`unknown capability ${name}`);
      if (on) set |= bit;
      else clear |= bit;
    }
    // atomic_o_trunc hands O_TRUNC to open: only when the filesystem answers open itself. Otherwise
    // rxfuse answers the open and the kernel sends the truncation as a setattr (size 0).
    if (this.counts[OP_CODE.open] === 0) {
      if ((set & Capability.atomicOTrunc) !== 0) {
        throw new Error('conn.capabilities.atomicOTrunc: needs an open handler attached before mount() (the kernel then ' +
          'leaves O_TRUNC to open); without one rxfuse answers opens itself and the truncation would be lost');
      }
      clear |= Capability.atomicOTrunc;
    }
    s[S.CONN + C.WANT_SET] = set >>> 0;
    s[S.CONN + C.WANT_CLEAR] = clear >>> 0;
  }
}

for (const op of OPS) {
  Object.defineProperty(Fuse.prototype, `${op}$`, {
    get(this: Fuse) {
      return this.requests(op);
    },
  });
}
