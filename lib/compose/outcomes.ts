// A tap on a mount: every request with its outcome, as an Observable, without changing anything
// (built on Fuse.observe, so taking no part in which ops are implemented).
import { performance } from 'node:perf_hooks';
import { Observable } from 'rxjs';
import type { Fuse } from '../fuse';
import { NO_REPLY_OPS, type OpName } from '../op-table';
import type { Request } from '../request';

/** One request and how it was answered. */
export interface RequestOutcome {
  /**
   * The request. Its fields are readable while the subscriber runs (synchronously); copy what you
   * need later.
   */
  readonly req: Request;
  /** The request's op. */
  readonly op: OpName;
  /** The mount's sequence number of the request. */
  readonly seq: number;
  /** performance.now() at its arrival, in ms. */
  readonly start: number;
  /** ms from its arrival to its answer (0 for forget, which gets none). */
  readonly duration: number;
  /** 0 for success, else the errno sent (also ETIMEDOUT or EIO sent by rxfuse on the handler's behalf). */
  readonly errno: number;
  /** The reply's value on success (see RequestObserver.reply). */
  readonly value: unknown;
}

/**
 * Every request of the mount with its outcome, emitted when it is answered (forget and forgetMulti
 * when they arrive). Requests that arrived before the subscription are not reported; requests still
 * in flight at unmount are not either, and the stream completes when the mount is closed. Costs
 * nothing while nobody subscribes.
 *
 * `outcomes(fuse).pipe(filter((o) => o.errno !== 0)).subscribe((o) => console.log(o.op, o.errno))`
 */
export function outcomes(fuse: Fuse): Observable<RequestOutcome> {
  return new Observable<RequestOutcome>((sub) => {
    // seq → arrival time of the requests in flight.
    const started = new Map<number, number>();
    const emit = (req: Request, start: number, end: number, errno: number, value: unknown): void =>
      sub.next({ req, op: req.op, seq: req.seq, start, duration: end - start, errno, value });
    const observing = fuse.observe({
      request: (req) => {
        const t = performance.now();
        if (NO_REPLY_OPS.has(req.op)) emit(req, t, t, 0, undefined);
        else started.set(req.seq, t);
      },
      reply: (req, errno, value) => {
        const seq = req.seq;
        const t0 = started.get(seq);
        if (t0 === undefined) return;
        started.delete(seq);
        emit(req, t0, performance.now(), errno, value);
      },
    });
    const closing = fuse.closed$.subscribe({
      complete: () => {
        started.clear();
        sub.complete();
      },
    });
    return () => {
      observing.unsubscribe();
      closing.unsubscribe();
    };
  });
}
