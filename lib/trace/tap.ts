// The event tap: every request of a mount as a TraceRecord, built on Fuse.observe (so it takes no
// part in which ops are implemented, changes no reply, and costs nothing while unsubscribed).
import { performance } from 'node:perf_hooks';
import { Observable } from 'rxjs';
import { errnoName } from '../errors';
import type { Fuse } from '../fuse';
import { NO_REPLY_OPS } from '../op-table';
import type { Request } from '../request';
import { CommCache } from './comm';
import { ARGS, type MutableRecord, NAMED, REPLIES, type TraceRecord, type TraceValue } from './record';

/** Options of traceRecords. */
export interface TapOptions {
  /** Read the requesting process's command name (/proc/<pid>/comm, cached per pid). Default true. */
  comm?: boolean;
  /**
   * 'reply' (default): each record as soon as its request is answered, in answer order.
   * 'start': in arrival order (seq), each record held back until every earlier request is answered,
   * as a Chrome trace wants its events. At most `maxHeld` answered records wait behind a request
   * that takes long (a blocking lock); beyond that they go out in answer order.
   */
  order?: 'reply' | 'start';
  /** See `order` (default 10000). */
  maxHeld?: number;
}

type ArgsOf = (req: Request) => Record<string, TraceValue>;

/**
 * One TraceRecord per request of the mount: emitted when the request is answered (forget and
 * forgetMulti when they arrive, with no errno); requests still in flight at unmount are emitted then
 * with error "unanswered", and the stream completes. Each subscription observes the mount on its own
 * and sees the requests that arrive after it subscribed.
 *
 *   traceRecords(fuse).pipe(filter((r) => r.errno !== 0)).subscribe((r) => console.log(r.op, r.error));
 */
export function traceRecords(fuse: Fuse, options: TapOptions = {}): Observable<TraceRecord> {
  const ordered = options.order === 'start';
  const maxHeld = options.maxHeld ?? 10000;
  return new Observable<TraceRecord>((sub) => {
    const comms = options.comm === false ? undefined : new CommCache();
    // The records of the requests in flight, by seq: a Map iterates in insertion (arrival) order.
    const inFlight = new Map<number, MutableRecord>();
    // 'start' order: records answered but waiting for an earlier request.
    const held = new Set<MutableRecord>();

    const drain = (): void => {
      for (const [seq, r] of inFlight) {
        if (!held.has(r)) break;
        inFlight.delete(seq);
        held.delete(r);
        sub.next(r);
      }
      if (held.size > maxHeld) {
        for (const r of held) {
          inFlight.delete(r.seq);
          sub.next(r);
        }
        held.clear();
      }
    };

    const done = (r: MutableRecord): void => {
      if (!ordered) {
        inFlight.delete(r.seq);
        sub.next(r);
      } else {
        held.add(r);
        drain();
      }
    };

    const observing = fuse.observe({
      request: (req) => {
        const start = performance.now();
        const op = req.op;
        const pid = req.pid;
        const r: MutableRecord = {
          seq: req.seq,
          op,
          ino: req.ino,
          name: NAMED.has(op) ? (req as unknown as { name: Buffer }).name : undefined,
          args: (ARGS[op] as ArgsOf)(req),
          pid,
          uid: req.uid,
          gid: req.gid,
          comm: comms?.get(pid, start),
          start,
          duration: 0,
          errno: undefined,
          error: undefined,
          reply: undefined,
        };
        inFlight.set(r.seq, r);
        if (NO_REPLY_OPS.has(op)) done(r);
      },
      reply: (req, errno, value) => {
        const r = inFlight.get(req.seq);
        if (r === undefined || r.errno !== undefined) return;  // arrived before we subscribed
        r.duration = performance.now() - r.start;
        r.errno = errno;
        if (errno !== 0) r.error = errnoName(errno);
        else r.reply = REPLIES[r.op]?.(value);
        done(r);
      },
    });

    const closing = fuse.closed$.subscribe({
      complete: () => {
        const t = performance.now();
        for (const r of inFlight.values()) {
          if (held.has(r)) continue;
          r.duration = t - r.start;
          r.error = 'unanswered';
          held.add(r);
        }
        for (const r of inFlight.values()) sub.next(r);
        inFlight.clear();
        held.clear();
        sub.complete();
      },
    });

    return () => {
      observing.unsubscribe();
      closing.unsubscribe();
    };
  });
}
