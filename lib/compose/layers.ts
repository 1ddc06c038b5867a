// Fall-through composition. A layer is a partial table of handlers; a handler declines a request by
// returning PASS, and the request goes on, unanswered, to the next layer. A request that every layer
// declines gets a final answer, so the kernel is never left waiting. This is the basis of union
// filesystems: lookups prefer the upper layer, which passes the names it does not have.
import { isObservable, Observable, type OperatorFunction, Subscription } from 'rxjs';
import type { Fuse } from '../fuse';
import { ALWAYS_READY, answerSuccess } from '../defaults';
import { answer, type Handler, type HandlerResult, isPromiseLike, PASS, type ResultOf } from '../handle';
import { NO_REPLY_OPS, OPS, type OpName, STICKY_ENOSYS } from '../op-table';
import type { Request, RequestMap } from '../request';
import { errno as E } from '../errors';
import { type Errno, settle, toErrno } from './result';

/** A layer: handlers for some ops (the table `fuse.handleAll` takes). */
export type Handlers = { [K in OpName]?: Handler<RequestMap[K]> };

/**
 * How to answer a request every layer declined: an errno, or a function choosing one per request
 * (returning undefined for the default answer, see answerUnhandled).
 */
export type Otherwise<R extends Request = Request> = Errno | ((req: R) => Errno | undefined);

/** Ops that an absent handler answers with success, as the kernel treats their ENOSYS. */
const SUCCEED: ReadonlySet<OpName> = new Set<OpName>(['open', 'opendir', 'release', 'releasedir', 'flush', 'fsync', 'fsyncdir', 'access']);

/**
 * Answers a request no handler took the way the kernel treats an op without a handler, but
 * without the sticky ENOSYS that would switch the op off for the whole mount (other requests of
 * the same op may well be handled):
 * - lookup: ENOENT (no layer has the name);
 * - open, opendir, release, releasedir, flush, fsync, fsyncdir, access: success (fh 0 for the
 *   opens), which is what the kernel makes of their ENOSYS — but an open with O_TRUNC while the
 *   kernel leaves truncation to open (atomic_o_trunc) gets EIO and a "no-handler" report, since
 *   success would skip the truncation;
 * - poll: always ready (POLLIN | POLLOUT), as the kernel reads a poll's ENOSYS;
 * - the other ops whose ENOSYS is sticky (xattrs, create, rename, fallocate, copyFileRange, lseek,
 *   bmap): EOPNOTSUPP;
 * - statx: ENOSYS, sticky: the only answer the kernel falls back on (getattr, from then on for the
 *   mount); any other errno would fail the caller's stat;
 * - every other op: ENOSYS;
 * - forget, forgetMulti: nothing (they get no reply).
 */
export function answerUnhandled(req: Request): void {
  const op = req.op;
  if (req.answered || NO_REPLY_OPS.has(op)) return;
  if (op === 'lookup') req.fail(E.ENOENT);
  else if (SUCCEED.has(op)) answerSuccess(req);
  else if (op === 'poll') req._reply(ALWAYS_READY);
  else if (op === 'statx') req.fail(E.ENOSYS);
  else req.fail(STICKY_ENOSYS.has(op) ? E.EOPNOTSUPP : E.ENOSYS);
}

/** Answers every request that reaches it with the default of answerUnhandled. */
export function otherwise<R extends Request>(): OperatorFunction<R, never>;
/** Answers every request that reaches it with this errno ('EACCES' or a number). */
export function otherwise<R extends Request>(err: Errno): OperatorFunction<R, never>;
/** Answers every request that reaches it with the errno `choose` gives (undefined: the default). */
export function otherwise<R extends Request>(choose: (req: R) => Errno | undefined): OperatorFunction<R, never>;
/**
 * The last operator of a chain: answers each request that reaches it (every layer declined it).
 * `fuse.lookup$.pipe(answer(upper), answer(lower), otherwise('ENOENT')).subscribe()`.
 */
export function otherwise<R extends Request>(how?: Otherwise<R>): OperatorFunction<R, never> {
  return finalAnswer(how);
}

function finalAnswer<R extends Request>(how: Otherwise<R> | undefined): OperatorFunction<R, never> {
  const fixed = how === undefined || typeof how === 'function' ? undefined : toErrno(how);
  const choose = typeof how === 'function' ? how : undefined;
  const final = (req: R): void => {
    if (req.answered || NO_REPLY_OPS.has(req.op)) return;
    const chosen = choose ? choose(req) : fixed;
    if (chosen === undefined) answerUnhandled(req);
    else req.fail(toErrno(chosen));
  };
  return (source) =>
    new Observable<never>((sub) =>
      source.subscribe({
        next: (req) => {
          try {
            final(req);
          } catch (e) {
            req._failWith(e);  // a bad errno from `choose`: EIO and a report, never a stuck request
          }
        },
        error: (e: unknown) => sub.error(e),
        complete: () => sub.complete(),
      }),
    );
}

/**
 * Combines handlers of one op into one: each is tried in turn until one does not decline (return
 * PASS); the combined handler declines when all of them do. A handler that throws or rejects
 * answers the request (with its errno): only PASS falls through (see catchErrno to turn an errno
 * into PASS). Synchronous handlers stay synchronous.
 */
export function fallThrough<R extends Request>(...handlers: Handler<R>[]): Handler<R> {
  const n = handlers.length;
  const from = (req: R, i: number): HandlerResult<ResultOf<R>> => {
    for (; i < n; i++) {
      const h = handlers[i];
      const r = h(req);
      if (r === PASS) continue;
      if (isPromiseLike(r) || isObservable(r)) {
        const next = i + 1;
        return settle(() => r, (v) => (v === PASS ? from(req, next) : v)) as HandlerResult<ResultOf<R>>;
      }
      return r;
    }
    return PASS;
  };
  return (req) => from(req, 0);
}

/**
 * Attaches handlers to one op, as `fuse.handle` does, tried in turn (fallThrough); a request all of
 * them decline gets the answer of answerUnhandled (ENOENT for lookup, ENOSYS-like otherwise) rather
 * than EIO. Attach before mount() for the op to be implemented.
 */
export function on<K extends OpName>(fuse: Fuse, op: K, handler: Handler<RequestMap[K]>, ...more: Handler<RequestMap[K]>[]): Subscription {
  return chain(fuse, op, [handler, ...more], finalAnswer(undefined));
}

/** Options of layers(). */
export interface LayersOptions {
  /** The answer to a request every layer declined (default: answerUnhandled's). */
  otherwise?: Otherwise<Request>;
}

/**
 * Wires a stack of layers, the first on top: each op that some layer handles gets the chain of the
 * layers' handlers for it, in order, and a final answer for requests they all decline (see
 * answerUnhandled, or `options.otherwise`). Ops no layer handles stay unimplemented (libfuse
 * answers them without entering JS). Call before mount(); unsubscribe to detach everything.
 *
 * `layers(fuse, [readOnlyLayer(), upper, lower])`
 */
export function layers(fuse: Fuse, stack: readonly Handlers[], options: LayersOptions = {}): Subscription {
  const all = new Subscription();
  const final = finalAnswer(options.otherwise);
  for (const op of OPS) {
    const s = wire(fuse, op, stack, final);
    if (s) all.add(s);
  }
  return all;
}

/** One op of a stack: the layers' handlers for it in order, or undefined when no layer has one. */
function wire<K extends OpName>(fuse: Fuse, op: K, stack: readonly Handlers[], final: OperatorFunction<Request, never>): Subscription | undefined {
  const hs: Handler<RequestMap[K]>[] = [];
  for (const layer of stack) {
    const h = layer[op];
    if (h) hs.push(h);
  }
  return hs.length > 0 ? chain(fuse, op, hs, final) : undefined;
}

/** One op's requests through answer(h) for each handler, then the final answer. */
function chain<K extends OpName>(fuse: Fuse, op: K, hs: readonly Handler<RequestMap[K]>[], final: OperatorFunction<Request, never>): Subscription {
  let s: Observable<RequestMap[K]> = fuse.requests(op);
  for (const h of hs) s = s.pipe(answer(h));
  return s.pipe(final).subscribe();
}
