// A FUSE mount: typed request streams in, typed replies out.
import * as path from 'node:path';
import { Observable, Subject, Subscription } from 'rxjs';
import { BackingFiles } from './backing';
import { Capability } from './caps';
import type { Dirents } from './dirents';
import { closeAtExit, closedBeforeExit } from './exit-hook';
import { errno, errnoName, type FuseErrorEvent, type FuseErrorKind } from './errors';
import { complete, NO_REPLY } from './complete';
import { answerSuccess } from './defaults';
import type { FuseOptions } from './fuse-options';
import { answer, type Handler } from './handle';
import { OpSubscribers } from './op-subscribers';
import { F, S, SLOT_BYTES } from './layout';
import { checkLadder, installLadder } from './ladder';
import { autoUnmount, libfuseArgs, spinMicroseconds, writeConnWishes } from './mount-args';
import { type ConnInfo, native, type NativeEvent, type NativeReplies, type NativeSession, replyFunctions, watcherPath } from './native';
import { Notifications } from './notifications';
import { Observers } from './observers';
import { ENTRY_OPS, NO_REPLY_OPS, OP_CODE, OP_COUNT, OPS, type OpName, REGISTRY_OPS } from './op-table';
import { InodeRegistry, type RegistryStats } from './registry';
import { Effect, RegistryEffects } from './registry-effects';
import {
  type PollHandle, type Request, type RequestHost, type RequestMap, type RequestObserver,
  type RequestObserverHook, SetattrValid, type WriteRequest,
} from './request';
import { RequestState, SLOT_F64 } from './request-state';
import { REQUEST_BY_CODE } from './request-factories';
import { RequestTracker } from './tracking';
import { WriteQueues } from './write-queue';

export type { ConnOptions, FuseOptions } from './fuse-options';

/** Figures for tools and tests: the registry's counts and the requests in flight. */
export interface FuseStats extends RegistryStats {
  /** Requests answered later than their dispatch, not yet answered. */
  inFlight: number;
  /** Request slots the native side holds (0 when not mounted). */
  busySlots: number;
  /** Busy-poll episodes after the fd ran dry. */
  spins: number;
  /** Busy-poll episodes that found a request. */
  spinHits: number;
}

const DEFAULT_UNCLAIMED_GRACE = 200;
const WRITE_CODE = OP_CODE.write;
const SETATTR_CODE = OP_CODE.setattr;
const FORGET_CODE = OP_CODE.forget;
const FORGET_MULTI_CODE = OP_CODE.forgetMulti;
const RELEASE_CODE = OP_CODE.release;
/** REGISTRY_OPS by native op code. */
const REGISTRY_CODES: ReadonlySet<number> = new Set([...REGISTRY_OPS].map((op) => OP_CODE[op]));
/** By op code: whether its reply gives the kernel an entry (ENTRY_OPS), for the registry's in-flight count. */
const ENTRY_BY_CODE: readonly boolean[] = [false, ...OPS.map((op) => ENTRY_OPS.has(op))];

type Streams = { readonly [K in OpName as `${K}$`]: Observable<RequestMap[K]> };

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Fuse extends Streams {}

/**
 * One FUSE mount. Attach handlers (handle(), or operators on the `<op>$` streams) before mount():
 * the ops with a subscriber at mount time are the ones the kernel sees implemented; libfuse answers
 * the others ENOSYS without entering JS. `fuse.<op>$` (`lookup$`, `read$`, ... one per name in OPS)
 * is `fuse.requests(op)`: the Observable of that op's requests, typed by RequestMap.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Fuse implements RequestHost {
  /** @internal */ readonly h: Float64Array;
  /** @internal */ readonly bytes: Buffer;
  /** @internal */ readonly scratch: Float64Array;
  /** @internal */ native!: NativeSession;
  /** @internal */ replies!: NativeReplies;
  private readonly slotsBuffer: ArrayBuffer;
  private readonly recv: Buffer[];
  private readonly ops = new OpSubscribers((op) => this.tracker.dropOp(op));
  /** The requests answered later than their dispatch. */
  private readonly tracker: RequestTracker;
  private readonly writes: WriteQueues;
  private readonly notifications = new Notifications(this);
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
  /** The ops the kernel was told exist (fixed at mount()); undefined before. */
  /** @internal Whether the kernel delegates O_TRUNC to open (atomic_o_trunc). */
  truncatesOnOpen = false;
  private readonly useRegistry: boolean;
  private readonly registryEffects: RegistryEffects;
  private readonly ordered: boolean;
  /** The options the mount was created with (a copy). */
  readonly options: Readonly<FuseOptions>;
  /** The inode registry: lookup counts, open counts, deferred removal (see docs/design.md). */
  readonly inodes = new InodeRegistry();
  /** Backing files for kernel passthrough (see BackingFiles, and `conn.passthrough`). */
  readonly backing: BackingFiles;
  /** @internal observe()'s fan-out, undefined while nothing observes: one check per request and reply. */
  observer: RequestObserverHook | undefined;
  private readonly observers = new Observers((kind, req, err, cause) => this.report(kind, req, err, cause), (hook) => {
    this.observer = hook;
  });

  /** Handler failures, double replies, timeouts and dropped requests. */
  readonly errors$: Observable<FuseErrorEvent> = this.errorsSubject.asObservable();
  /** Emits the negotiated connection once the kernel's INIT is done. */
  readonly init$: Observable<ConnInfo> = this.initSubject.asObservable();
  /** Emits once when the mount is gone (unmount(), close(), fusermount3 -u, or process exit). */
  readonly closed$: Observable<void> = this.closedSubject.asObservable();

  /**
   * A mount, not yet mounted: attach handlers, then mount(). Loads the addon.
   * @throws RangeError when maxInFlight, writeBuffers, unclaimedGrace or busyPoll is out of range.
   * @throws Error when the native addon cannot be loaded (the message says what to install or run).
   */
  constructor(options: FuseOptions = {}) {
    this.options = { ...options };
    this.useRegistry = options.registry ?? true;
    this.ordered = options.serializeWrites ?? true;
    this.registryEffects = new RegistryEffects(this.useRegistry ? this.inodes : undefined);
    this.backing = new BackingFiles(() => (this.state === 'mounted' ? this.native : undefined),
      this.useRegistry ? (ino) => this.inodes.openCount(ino) : undefined);
    const slots = options.maxInFlight ?? 128;
    const bufs = options.writeBuffers ?? 4;
    if (!(Number.isInteger(slots) && slots >= 1 && slots <= 65536)) throw new RangeError(`maxInFlight: 1..65536, got ${slots}`);
    if (!(Number.isInteger(bufs) && bufs >= 1 && bufs <= 256)) throw new RangeError(`writeBuffers: 1..256, got ${bufs}`);
    spinMicroseconds(options);  // validates busyPoll
    checkLadder(options.ladder);
    const grace = options.unclaimedGrace ?? DEFAULT_UNCLAIMED_GRACE;
    if (!(typeof grace === 'number' && grace >= 0 && grace <= 1000)) {
      throw new RangeError(`unclaimedGrace: 0..1000 ms, got ${String(options.unclaimedGrace)}`);
    }
    this.writes = new WriteQueues({
      isClosed: () => this.closed,
      inFlight: (slot) => this.tracker.has(slot),
      emit: (req) => {
        const s = req._s;
        this.ops.emit(this.h[s.b + F.OP], req, s);
      },
      unclaimed: (slot, gen) => this.tracker.unclaimed(slot, gen),
    });
    this.tracker = new RequestTracker(this, this.useRegistry ? this.inodes : undefined, grace,
      (ino, slot) => this.writes.done(ino, slot));
    const addon = native();
    this.slotsBuffer = new ArrayBuffer(slots * SLOT_BYTES);
    this.h = new Float64Array(this.slotsBuffer);
    this.bytes = Buffer.from(this.slotsBuffer);
    this.scratch = new Float64Array(new ArrayBuffer(S.FIELD_COUNT * 8));
    this.recv = [];
    for (let i = 0; i < bufs; i++) this.recv.push(Buffer.allocUnsafeSlow(addon.layout.RECV_BYTES));
  }

  /**
   * The stream of one op's requests. Subscribe before mount() for the op to be implemented: after
   * mount(), asking for (or subscribing to) the stream of an op the kernel was not told about throws.
   * @throws TypeError for an unknown op; Error after mount() for an op that had no subscriber at mount.
   */
  requests<K extends OpName>(op: K): Observable<RequestMap[K]> {
    return this.ops.stream(op) as Observable<RequestMap[K]>;
  }

  /**
   * Answers each request of `op` with the handler's result (a value, Promise or Observable).
   * One handle() per op: a second one throws while the first is attached (to try several handlers
   * in turn use on(fuse, op, h1, h2) or layers(); to replace one, unsubscribe it first). Attach
   * before mount(): after it, handle() throws for an op that had no handler at mount.
   * Unsubscribe the returned Subscription to detach the handler.
   * @throws TypeError when `handler` is not a function or `op` is unknown; Error when the op already
   * has a handle() handler, or after mount() for an op that had none at mount.
   */
  handle<K extends OpName>(op: K, handler: Handler<RequestMap[K]>): Subscription {
    if (typeof handler !== 'function') throw new TypeError(`handle('${String(op)}'): the handler must be a function`);
    if (OP_CODE[op] !== undefined && this.ops.hasHandler(op)) {
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
    this.ops.attach(op, handler as unknown as Handler<Request>, declined, sub);
    return sub;
  }

  /**
   * Attaches handlers for several ops at once: one wiring table, as in libfuse's examples.
   * @throws as handle(); then none of the handlers stays attached.
   */
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
    return this.observers.add(observer);
  }

  /** Whether the mount is up (INIT done, not yet closed). */
  get mounted(): boolean {
    return this.state === 'mounted';
  }
  /** Whether the mount is gone (or mount() failed, or unmount() came first): it cannot be mounted again. */
  get closed(): boolean {
    return this.state === 'closed';
  }
  /** The absolute mountpoint given to mount() ('' before). */
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
      inFlight: this.tracker.size,
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
   * @throws rejects with TypeError on an invalid argument, FuseError ENOTCONN when not mounted, and a
   * FuseError with the kernel's errno (also reported on errors$, kind "notify") when it refuses.
   */
  invalidateInode(ino: number, offset = 0, length = 0): Promise<boolean> {
    return this.notifications.invalidateInode(ino, offset, length);
  }

  /**
   * Drops the kernel's cached lookup of `name` in `parent` (and the attributes of parent). Resolves
   * true, or false when the kernel had nothing cached (ENOENT).
   * @throws rejects with TypeError on an invalid argument, FuseError ENOTCONN when not mounted, and a
   * FuseError with the kernel's errno (also reported on errors$, kind "notify") when it refuses.
   */
  invalidateEntry(parent: number, name: Uint8Array | string): Promise<boolean> {
    return this.notifications.invalidateEntry(parent, name);
  }

  /**
   * Tells the kernel that `name` in `parent`, pointing to `child`, is gone (also unhashes open
   * dentries). Resolves true, or false when the kernel did not know the entry (ENOENT).
   * @throws rejects with TypeError on an invalid argument, FuseError ENOTCONN when not mounted, and a
   * FuseError with the kernel's errno (also reported on errors$, kind "notify") when it refuses.
   */
  notifyDelete(parent: number, child: number, name: Uint8Array | string): Promise<boolean> {
    return this.notifications.notifyDelete(parent, child, name);
  }

  /**
   * Puts data into the kernel's page cache of ino at `offset` bytes (extending its cached size if
   * needed). Resolves true, or false when the kernel does not hold the inode (ENOENT).
   * @throws rejects with TypeError on an invalid argument, FuseError ENOTCONN when not mounted, and a
   * FuseError with the kernel's errno (also reported on errors$, kind "notify") when it refuses.
   */
  notifyStore(ino: number, offset: number, data: Uint8Array): Promise<boolean> {
    return this.notifications.notifyStore(ino, offset, data);
  }

  /**
   * Reads back what the kernel's page cache holds of ino from offset (at most size bytes, up to the
   * first page not cached). Empty when nothing is cached, also when the kernel does not hold the
   * inode at all (ENOENT, benign as for the other notifications).
   * @throws rejects with TypeError on an invalid argument, FuseError ENOTCONN when not mounted, and a
   * FuseError with the kernel's errno (also reported on errors$, kind "notify") when it refuses.
   */
  notifyRetrieve(ino: number, offset: number, size: number): Promise<Buffer> {
    return this.notifications.notifyRetrieve(ino, offset, size);
  }

  /** The receive loop's busy-poll figures: spins, spins that found a request, spinning now. */
  loopStats(): {
    /** Busy-poll episodes after the fd ran dry. */
    spins: number;
    /** Episodes that found a request. */
    spinHits: number;
    /** Whether the loop is spinning now. */
    spinning: boolean;
  } {
    return this.state === 'mounted' ? this.native.loopStats() : { spins: 0, spinHits: 0, spinning: false };
  }

  /** Requests in flight (answered later than their dispatch). */
  get inFlight(): number {
    return this.tracker.size;
  }

  /**
   * Mounts and resolves once the kernel's INIT is done. A failure rejects once, with the cause
   * (libfuse's own words) in the message, and leaves nothing behind: no mount, fd, child or timer.
   * @throws rejects when called a second time, when libfuse cannot mount (its reason in the
   * message), or when INIT does not come within mountTimeout ms.
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
    this.native.setLoop(64, spinMicroseconds(this.options), this.options.busyPollAdaptive ?? true);
    closeAtExit(this);
    if (!this.referenced) this.native.unref();
    const t = this.options.requestTimeout ?? 0;
    if (t > 0) {
      this.sweeper = setInterval(() => this.tracker.sweep(t), Math.max(5, Math.min(1000, t / 4)));
      this.sweeper.unref();
    }
    return this.initDone();
  }

  /** Creates the native session and mounts it (throws libfuse's reason when that fails). */
  private startSession(): void {
    const implemented: number[] = [];
    for (let code = 1; code < OP_COUNT; code++) {
      if (this.ops.counts[code] > 0 || this.answersItself(code)) implemented.push(code);
    }
    this.ops.setWired(implemented);
    writeConnWishes(this.scratch, this.options, this.ops.counts[OP_CODE.open] > 0);
    const args = libfuseArgs(this.options);
    const addon = native();
    this.native = new addon.Session(
      this.mountpointPath, args, implemented, this.slotsBuffer, this.recv, this.scratch,
      this.dispatch, this.onEvent, autoUnmount(this.options) ? watcherPath() : '', this.options.largeFiles === true,
    );
    this.replies = replyFunctions(this.native);
    if (this.options.ladder !== undefined) installLadder(this.native, this.options.ladder);
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
    this.tracker.settled(slot);
  }

  /** @internal */
  claimed(slot: number, gen: number): void {
    this.tracker.claimed(slot, gen);
  }

  /** @internal */
  unclaimed(slot: number, gen: number): void {
    this.tracker.unclaimed(slot, gen);
  }

  /** @internal */
  report(kind: FuseErrorKind, req: Request | undefined, err: number, cause: unknown): void {
    let op: OpName | undefined;
    let ino: number | undefined;
    if (req) {
      op = req.op;
      const s = req._s;
      if (this.h[s.b + F.GEN] === s.gen) ino = this.h[s.b + F.INO];
    }
    this.emitError({ kind, op, ino, errno: err, cause });
  }

  /** @internal */
  registryEffect(effect: Effect, arg: number, list: Dirents | undefined, count: number): void {
    this.registryEffects.apply(effect, arg, list, count);
    if (effect === Effect.release) this.backing._released(arg);
  }

  /** @internal */
  signal(slot: number, interrupted: boolean): AbortSignal {
    return this.tracker.signal(slot, interrupted);
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
    // The state first, then the request over it: dispatch and what it inlines read the state from
    // here, not from a request of any class (a megamorphic load each; request-state.ts).
    const s = new RequestState(this, slot, gen);
    const req = REQUEST_BY_CODE[code](s);
    if (this.observer !== undefined) this.observer.request(req);
    if (code === FORGET_CODE || code === FORGET_MULTI_CODE) {
      this.forget(req, s, code);
      return;
    }
    if (this.ops.counts[code] === 0) {
      if (this.answersItself(code)) {
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
      if (this.writes.wait(ino, req)) {
        // Another write of this inode is being handled: wait for it, in kernel order. Its data moves
        // out of the receive buffer, which would otherwise stay pinned and stop all reading.
        if (code === WRITE_CODE) (req as WriteRequest)._detach();
        this.tracker.track(req, slot, gen, true, true);  // held by the queue
        return;
      }
      this.ops.emit(code, req, s);
      if (s.done) this.writes.advance(ino);
      else this.tracker.track(req, slot, gen, true, s.claimed);
      return;
    }
    // An entry request counts as in flight from before its handler runs, so that an inode the handler
    // marks removed before answering with it is held back until the reply gave the kernel its lookup.
    const entry = this.useRegistry && ENTRY_BY_CODE[code];
    if (entry) this.inodes._entryStarted();
    this.ops.emit(code, req, s);
    if (!s.done) this.tracker.track(req, slot, gen, false, s.claimed, entry);
    else if (entry) this.inodes._entryFinished();
  };

  /**
   * Ops rxfuse implements without a handler (answered as libfuse answers an absent one): the
   * registry's opens and releases; release also for passthrough, whose backing files close there.
   */
  private answersItself(code: number): boolean {
    return (this.useRegistry && REGISTRY_CODES.has(code)) || (code === RELEASE_CODE && this.options.passthrough !== false);
  }

  private forget(req: Request, s: RequestState, code: number): void {
    this.registryEffects.forget(this.h, s.b, code === FORGET_MULTI_CODE);
    this.ops.emitNoReply(code, req);
    complete(req, NO_REPLY, undefined, Effect.none, 0);  // no reply: valid only while its subscribers ran
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
        this.tracker.interrupt(e[1], e[2]);
        break;
      }
      case 'error':
        if (this.state === 'mounting') this.mountFailure = `${e[1]}: ${errnoName(e[2])}`;
        this.emitError({ kind: 'session', op: undefined, ino: undefined, errno: e[2], cause: new Error(`${e[1]}: errno ${e[2]}`) });
        break;
      case 'closed':
        this.onClosed();
        break;
    }
  };

  private onClosed(): void {
    this.state = 'closed';
    closedBeforeExit(this);
    if (this.sweeper) clearInterval(this.sweeper);
    this.tracker.unmounted();
    this.writes.clear();
    if (this.useRegistry) this.inodes._unmounted();
    this.backing._unmounted();
    this.tracker.abortAll();
    this.closedSubject.next();
    this.closedSubject.complete();
    this.ops.completeAll();
    this.initSubject.complete();
    const waiters = this.closedWaiters;
    this.closedWaiters = [];
    for (const w of waiters) w();
  }

  /** @internal */
  emitError(ev: FuseErrorEvent): void {
    if (this.errorsSubject.observed) this.errorsSubject.next(ev);
    else if (ev.kind !== 'session') process.emitWarning(`rxfuse: ${ev.kind} on ${ev.op ?? '-'}: ${String(ev.cause)}`);
  }

}

for (const op of OPS) {
  Object.defineProperty(Fuse.prototype, `${op}$`, {
    get(this: Fuse) {
      return this.requests(op);
    },
  });
}
