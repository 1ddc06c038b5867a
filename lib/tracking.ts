// The requests of a mount answered later than their dispatch: what rxfuse answers on a handler's
// behalf (timeout, the last handler unsubscribed, garbage-collected unanswered, unclaimed), their
// AbortSignals, and the end of them all at unmount.
import { performance } from 'node:perf_hooks';
import { complete } from './complete';
import { Effect } from './registry-effects';
import { errno, FuseError, type FuseErrorEvent, type FuseErrorKind } from './errors';
import { F } from './layout';
import { OP_CODE, type OpName } from './op-table';
import type { InodeRegistry } from './registry';
import type { Request, RequestHost } from './request';
import { releasesInode, RequestState, SLOT_F64 } from './request-state';
import { REQUEST_BY_CODE } from './request-factories';

interface Pending {
  /** The handler's Request, while it lives (rxfuse's answer marks it answered; weak, so GC can find it dropped). */
  req: WeakRef<Request>;
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

/** What the tracker needs from its mount (Fuse). */
export interface TrackedMount extends RequestHost {
  emitError(ev: FuseErrorEvent): void;
}

export class RequestTracker {
  private readonly pending = new Map<number, Pending>();
  private readonly controllers = new Map<number, AbortController>();
  private readonly finalizer = new FinalizationRegistry<{ slot: number; gen: number }>((held) => this.collected(held));
  /** Requests in flight that no handler claimed, in the order they were found so. */
  private readonly unclaimedRequests = new Map<number, Pending>();
  private unclaimedTimer: NodeJS.Timeout | undefined;

  /**
   * `registry`: the registry to tell about entry requests (undefined without one); `orderedDone`:
   * a write-ordered request of ino left the tracker.
   */
  constructor(
    private readonly mount: TrackedMount,
    private readonly registry: InodeRegistry | undefined,
    private readonly grace: number,
    private readonly orderedDone: (ino: number, slot: number) => void,
  ) {}

  /** Requests in flight. */
  get size(): number {
    return this.pending.size;
  }

  has(slot: number): boolean {
    return this.pending.has(slot);
  }

  /**
   * Keeps track of a request answered later: timeouts, unsubscribing, the unclaimed sweep and GC
   * can answer it instead. `entry`: dispatch counted it as an entry request in flight in the
   * registry; untracking it ends that.
   */
  track(req: Request, slot: number, gen: number, ordered: boolean, claimed: boolean, entry = false): void {
    const now = performance.now();
    const p: Pending = { req: new WeakRef(req), gen, since: now, op: req.op, ino: this.mount.h[slot * SLOT_F64 + F.INO], entry, ordered, unclaimedAt: now };
    this.pending.set(slot, p);
    this.finalizer.register(req, { slot, gen });
    if (!claimed) this.markUnclaimed(slot, p);
  }

  /** The request in slot was answered by its handler. */
  settled(slot: number): void {
    if (this.pending.size !== 0) {
      const p = this.pending.get(slot);
      if (p) this.untrack(slot, p);
    }
    if (this.controllers.size !== 0) this.controllers.delete(slot);
  }

  claimed(slot: number, gen: number): void {
    if (this.unclaimedRequests.size === 0) return;
    const p = this.unclaimedRequests.get(slot);
    if (p && p.gen === gen) this.unclaimedRequests.delete(slot);
  }

  unclaimed(slot: number, gen: number): void {
    const p = this.pending.get(slot);  // not yet tracked while in its dispatch: dispatch checks then
    if (p && p.gen === gen) this.markUnclaimed(slot, p);
  }

  /** The request's AbortSignal (made on first use). */
  signal(slot: number, interrupted: boolean): AbortSignal {
    let c = this.controllers.get(slot);
    if (!c) {
      c = new AbortController();
      this.controllers.set(slot, c);
      if (interrupted) c.abort(new FuseError(errno.EINTR, 'interrupted by the kernel'));
    }
    return c.signal;
  }

  /** The kernel interrupted the request (slot, gen). */
  interrupt(slot: number, gen: number): void {
    const p = this.pending.get(slot);
    if (p && p.gen === gen) {
      const c = this.controllers.get(slot);
      if (c) c.abort(new FuseError(errno.EINTR, 'interrupted by the kernel'));
    }
  }

  /** Answers ETIMEDOUT to the requests older than `timeout` ms. */
  sweep(timeout: number): void {
    const now = performance.now();
    for (const [slot, p] of this.pending) {
      if (now - p.since >= timeout) {
        this.answerFor(slot, p, errno.ETIMEDOUT, 'timeout', new Error(`${p.op}: no reply within ${timeout} ms`));
      }
    }
  }

  /** The last handler of op unsubscribed: its requests in flight are answered EIO. */
  dropOp(op: OpName): void {
    for (const [slot, p] of this.pending) {
      if (p.op === op) this.answerFor(slot, p, errno.EIO, 'dropped', new Error(`${op}: the last handler unsubscribed`));
    }
  }

  /** The session is gone: it answered every request in flight EIO and made it stale (Session::Teardown). */
  unmounted(): void {
    if (this.unclaimedTimer) clearTimeout(this.unclaimedTimer);
    this.unclaimedTimer = undefined;
    this.unclaimedRequests.clear();
    this.pending.clear();  // each answered and made stale by the session (Session::Teardown)
  }

  /** Aborts every request's signal (at unmount, after unmounted()). */
  abortAll(): void {
    for (const c of this.controllers.values()) c.abort(new FuseError(errno.ENOTCONN, 'unmounted'));
    this.controllers.clear();
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
    if (p.entry && this.registry) this.registry._entryFinished();
    if (p.ordered) this.orderedDone(p.ino, slot);
  }

  /**
   * Answers a tracked request on the handler's behalf: the native reply, then complete() as for a
   * reply, on the handler's Request (which then refuses its handler's own reply), or on a fresh view of
   * the slot when that was garbage-collected.
   */
  private answerFor(slot: number, p: Pending, err: number, kind: FuseErrorKind, cause: Error): void {
    const m = this.mount;
    const c = this.controllers.get(slot);
    if (!m.closed) m.replies.replyErr(slot, err);
    const req = p.req.deref() ?? REQUEST_BY_CODE[OP_CODE[p.op]](new RequestState(m, slot, p.gen));
    const effect = releasesInode(OP_CODE[p.op]) ? Effect.release : Effect.none;
    complete(req, err, undefined, effect, p.ino, undefined, true);
    if (c) c.abort(new FuseError(err, cause.message));
    m.emitError({ kind, op: p.op, ino: p.ino, errno: err, cause });
  }

  private collected(held: { slot: number; gen: number }): void {
    const p = this.pending.get(held.slot);
    if (p && p.gen === held.gen) {
      this.answerFor(held.slot, p, errno.EIO, 'dropped', new Error(`${p.op}: request garbage-collected unanswered`));
    }
  }
}
