// Attaching handlers: a handler returns a value, a Promise or an Observable; its result becomes the
// request's typed reply. Errors never escape: FuseError → its errno, anything else → EIO + errors$.
import * as rxjs from 'rxjs';
import { Observable, type OperatorFunction } from 'rxjs';
import type { Request, ResultMap } from './request';
import type { RequestState } from './request-state';
import { NO_REPLY_OPS } from './op-table';

// rxjs's CommonJS exports object re-exports through getters, which makes it a dictionary in V8: a
// read of one of its bindings is a generic lookup plus a getter call. Per-request code reads the
// two it needs once, here (docs/performance.md, "Dictionary-mode objects").
const { firstValueFrom, isObservable } = rxjs;

/** Return PASS from a handler to decline a request: it goes on, unanswered, to the next operator. */
export const PASS: unique symbol = Symbol('rxfuse.pass');
/** The type of PASS. */
export type Pass = typeof PASS;

/** The result type a handler of request type R returns. */
export type ResultOf<R extends Request> = ResultMap[R['op']];

/**
 * What a handler returns: the result (turned into the typed reply), PASS, or nothing when the
 * handler answered the request itself (req.replyXxx / req.fail); or a Promise or Observable of those.
 */
export type HandlerResult<T> = T | Pass | void | PromiseLike<T | Pass | void> | Observable<T | Pass | void>;

/** A function that answers requests of type R (see handle(), answer()). What it throws or rejects with becomes an errno: FuseError its own, anything else EIO and an errors$ event. */
export type Handler<R extends Request> = (req: R) => HandlerResult<ResultOf<R>>;

/** @internal Whether v is a Promise or another thenable. */
export function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';
}

/** A handler's settled value becomes the request's (`s`: its state) reply (PASS: on to `declined`). */
function settleRequest(req: Request, s: RequestState, value: unknown, declined: (req: Request) => void): void {
  if (value === PASS) {
    req._unclaim();  // whoever gets it next takes it over, or it is answered as unclaimed
    declined(req);
    return;
  }
  // req.answered, read from the state (no getter call on a request of any class): the handler replied
  // itself (requests without reply: _reply does nothing)
  if (s.answered) return;
  try {
    req._reply(value);
  } catch (e) {
    req._failWith(e, 'invalid-reply');
  }
}

function fail(req: Request, e: unknown): void {
  if (NO_REPLY_OPS.has(req.op)) {
    req._failWithoutReply(e);
    return;
  }
  req._failWith(e);
}

/**
 * Runs one request through a handler, which claims it (see Request.claim). `declined` receives
 * requests the handler passed on. `s`: the request's state, when the caller holds it (dispatch).
 * @internal
 */
export function runHandler<R extends Request>(req: R, handler: Handler<R>, declined: (req: R) => void, s: RequestState = req._s): void {
  const next = declined as (req: Request) => void;
  if (!s.claimed) req.claim();
  let r: HandlerResult<ResultOf<R>>;
  try {
    r = handler(req);
  } catch (e) {
    fail(req, e);
    return;
  }
  if (typeof r !== 'object' && typeof r !== 'function') {
    settleRequest(req, s, r, next);  // a value (a count, nothing, PASS): neither a Promise nor an Observable
  } else if (isObservable(r)) {
    firstValueFrom(r).then((v) => settleRequest(req, s, v, next), (e: unknown) => fail(req, e));
  } else if (isPromiseLike(r)) {
    r.then((v) => settleRequest(req, s, v, next), (e: unknown) => fail(req, e));
  } else {
    settleRequest(req, s, r, next);
  }
}

/**
 * The operator that answers each request with `handler`'s result. Requests the handler declines
 * (returns PASS) are emitted downstream, unanswered, for the next layer; nothing else is emitted.
 * It claims each request it receives (see Request.claim).
 */
export function answer<R extends Request>(handler: Handler<R>): OperatorFunction<R, R> {
  return (source) =>
    new Observable<R>((sub) =>
      source.subscribe({
        next: (req) => runHandler(req, handler, (d) => sub.next(d)),
        error: (e: unknown) => sub.error(e),
        complete: () => sub.complete(),
      }),
    );
}
