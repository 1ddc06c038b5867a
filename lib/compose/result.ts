// Handler results come in three shapes (a value, a Promise, an Observable); the combinators act on
// the settled value, synchronously when the handler was synchronous, so a synchronous handler
// wrapped in a combinator still replies inside the kernel's dispatch.
import { firstValueFrom, isObservable } from 'rxjs';
import { errno as ERRNO, FuseError } from '../errors';
import { type HandlerResult, isPromiseLike, type Pass } from '../handle';

/** An errno as a number or its name ('ENOENT'). */
export type Errno = number | string;

/**
 * @internal Runs `run` and passes its settled value to `ok` (or its failure to `err`, which
 * rethrows when absent): synchronously for a plain value, through a Promise otherwise.
 */
export function settle<T, U>(
  run: () => HandlerResult<T>,
  ok: (v: T | Pass | void) => U | PromiseLike<U>,
  err?: (e: unknown) => U | PromiseLike<U>,
): U | PromiseLike<U> {
  let r: HandlerResult<T>;
  try {
    r = run();
  } catch (e) {
    if (err) return err(e);
    throw e;
  }
  if (isObservable(r)) return firstValueFrom(r).then(ok, err);
  if (isPromiseLike(r)) return Promise.resolve(r).then(ok, err);
  return ok(r);
}

/** @internal An errno number from a number or a name; TypeError for anything else. */
export function toErrno(e: Errno): number {
  const n = typeof e === 'number' ? e : ERRNO[e];
  if (!(typeof n === 'number' && Number.isInteger(n) && n > 0)) throw new TypeError(`not an errno: ${String(e)}`);
  return n;
}

/**
 * @internal The errno an exception carries: a FuseError's, or a Node system error's (fs.promises
 * rejects with `code: 'ENOENT'` …); undefined for anything else (a bug: EIO and a report).
 */
export function errnoOf(e: unknown): number | undefined {
  if (e instanceof FuseError) return e.errno;
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const n = typeof code === 'string' ? ERRNO[code] : undefined;
    if (typeof n === 'number' && typeof (e as NodeJS.ErrnoException).syscall === 'string') return n;
  }
  return undefined;
}
