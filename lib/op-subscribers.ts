// Who listens to each op of a mount: the Subject per op, how many subscribers each has, the lone
// handle() handler called straight from dispatch, and, once mounted, which ops the kernel was told
// exist (the others cannot be subscribed any more).
import { Observable, Subject, type Subscription } from 'rxjs';
import { type Handler, runHandler } from './handle';
import { OP_CODE, OP_COUNT, OPS, type OpName } from './op-table';
import type { Request } from './request';
import type { RequestState } from './request-state';

interface DirectHandler {
  handler: Handler<Request>;
  declined: (req: Request) => void;
}

export class OpSubscribers {
  private readonly subjects: Subject<Request>[] = [];
  private readonly streams: (Observable<Request> | undefined)[] = [];
  /** Subscribers per op code (read by dispatch on every request). */
  readonly counts: number[] = new Array<number>(OP_COUNT).fill(0);
  /** Per op code, the handle() handlers (one at most attached at a time). */
  private readonly direct: DirectHandler[][] = [];
  private wired: ReadonlySet<number> | undefined;

  /** `lastGone`: the last subscriber of op left (its requests in flight need an answer). */
  constructor(private readonly lastGone: (op: OpName) => void) {
    for (let i = 0; i < OP_COUNT; i++) this.subjects.push(new Subject<Request>());
  }

  /** The op's stream (see Fuse.requests). */
  stream(op: OpName): Observable<Request> {
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
          if (--this.counts[code] === 0) this.lastGone(OPS[code - 1]);
        };
      });
      this.streams[code] = s;
    }
    return s;
  }

  /** Whether op has a handle() handler attached. */
  hasHandler(op: OpName): boolean {
    return (this.direct[OP_CODE[op]]?.length ?? 0) > 0;
  }

  /**
   * Registers `handler` (already subscribed through `sub`) to be called straight from dispatch while
   * it is the op's only subscriber: what the Subject and the answer() operator would do, without
   * their per-request calls. Unsubscribing `sub` removes it.
   */
  attach(op: OpName, handler: Handler<Request>, declined: (req: Request) => void, sub: Subscription): void {
    const code = OP_CODE[op];
    const d: DirectHandler = { handler, declined };
    (this.direct[code] ??= []).push(d);
    sub.add(() => {
      const list = this.direct[code];
      list.splice(list.indexOf(d), 1);
    });
  }

  /** Hands a request (`s`: its state) to the op's subscribers (directly to a lone handle() handler). */
  emit(code: number, req: Request, s: RequestState): void {
    const d = this.direct[code];
    if (this.counts[code] === 1 && d !== undefined && d.length === 1) {
      // Claimed by the handler; never among the unclaimed here (in its dispatch, or queued, which
      // counts as claimed), so the flag alone does it.
      s.claimed = true;
      runHandler(req, d[0].handler, d[0].declined, s);
    } else {
      this.subjects[code].next(req);
    }
  }

  /** Hands a request without reply (FORGET) to the op's subscribers, if any. */
  emitNoReply(code: number, req: Request): void {
    if (this.counts[code] > 0) this.subjects[code].next(req);
  }

  /** At mount: the ops the kernel is told exist; the others cannot be subscribed from now on. */
  setWired(codes: readonly number[]): void {
    this.wired = new Set(codes);
  }

  /** At unmount: every stream completes. */
  completeAll(): void {
    for (const s of this.subjects) s.complete();
  }

  /** Why an op cannot be subscribed now: the kernel was told at INIT that it does not exist. */
  private notWired(code: number): Error | undefined {
    if (this.wired === undefined || this.wired.has(code)) return undefined;
    const op = OPS[code - 1];
    return new Error(`${op}: no handler was attached at mount(), so libfuse answers ENOSYS for the whole mount; ` +
      `attach before mount() — the kernel was told at INIT which ops exist`);
  }
}
