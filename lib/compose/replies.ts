// Changing what a handler answers: its result on the way to the reply (mapReply), and its errors
// (catchErrno). Both wrap a handler and give a handler, for fuse.handle, layers and each other.
import { FuseError } from '../errors';
import { type Handler, type HandlerResult, PASS, type ResultOf } from '../handle';
import type { Request } from '../request';
import { type Errno, errnoOf, settle, toErrno } from './result';

/**
 * Transforms a handler's result before it becomes the reply:
 * `fuse.handle('getattr', mapReply(getattr, (a) => ({ ...a, mode: a.mode & ~0o222 })))`.
 * `project` may return a Promise. PASS and errors go through unchanged, and so does a request the
 * handler answered itself (req.replyXxx): only returned results are mapped.
 */
export function mapReply<R extends Request>(
  handler: Handler<R>,
  project: (result: ResultOf<R>, req: R) => ResultOf<R> | PromiseLike<ResultOf<R>>,
): Handler<R> {
  return (req) =>
    settle(
      () => handler(req),
      (v) => (v === PASS || req.answered ? v : project(v as ResultOf<R>, req)),
    ) as HandlerResult<ResultOf<R>>;
}

/**
 * What replaces a caught error: a result, PASS (decline: the next layer gets the request), a
 * Promise or Observable of those, or a throw (another errno).
 */
export type Replacement<R extends Request> = (err: FuseError, req: R) => HandlerResult<ResultOf<R>>;

/** Replaces the errnos listed (names or numbers) with what `replace` returns (a result, PASS, or a throw). */
export function catchErrno<R extends Request>(handler: Handler<R>, errnos: Errno | readonly Errno[], replace: Replacement<R>): Handler<R>;
/** Replaces the errnos listed with another errno. */
export function catchErrno<R extends Request>(handler: Handler<R>, errnos: Errno | readonly Errno[], replace: Errno): Handler<R>;
/** Replaces every errno with what `replace` returns. */
export function catchErrno<R extends Request>(handler: Handler<R>, replace: Replacement<R>): Handler<R>;
/**
 * Catches the errno a handler answers with (a thrown or rejected FuseError, or a Node system error
 * such as fs.promises' ENOENT) and replaces it. `catchErrno(upper.lookup, 'ENOENT', () => PASS)` lets
 * a missing name fall through to the next layer. Other exceptions (bugs) are not caught: they still
 * answer EIO and are reported on errors$.
 */
export function catchErrno<R extends Request>(
  handler: Handler<R>,
  a: Errno | readonly Errno[] | Replacement<R>,
  b?: Errno | Replacement<R>,
): Handler<R> {
  const only = typeof a === 'function' ? undefined : new Set((Array.isArray(a) ? a : [a]).map((x: Errno) => toErrno(x)));
  const spec = typeof a === 'function' ? a : b;
  if (spec === undefined) throw new TypeError('catchErrno: a replacement is required');
  const replace: Replacement<R> = typeof spec === 'function' ? spec : ((to: number) => () => { throw new FuseError(to); })(toErrno(spec));
  const caught = (e: unknown, req: R): HandlerResult<ResultOf<R>> => {
    const n = errnoOf(e);
    if (n === undefined || (only !== undefined && !only.has(n))) throw e;
    return replace(e instanceof FuseError ? e : new FuseError(n, (e as Error).message), req);
  };
  return (req) =>
    settle(
      () => handler(req),
      (v) => v,
      (e) => settle(() => caught(e, req), (v) => v),
    ) as HandlerResult<ResultOf<R>>;
}
