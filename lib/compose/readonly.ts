// A read-only filesystem: EROFS for every request that would change something, in front of any
// handlers, as the kernel answers on a read-only mount.
import { constants } from 'node:fs';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { errno as E, FuseError } from '../errors';
import { PASS } from '../handle';
import { MUTATING_OPS, type OpName } from '../op-table';
import { O_ACCMODE, type OpenRequest, type Request } from '../request';
import type { Handlers } from './layers';

export { MUTATING_OPS };

/** Whether an open(2) with these flags may change the file: write access, or O_TRUNC. */
export function opensForWriting(flags: number): boolean {
  return (flags & O_ACCMODE) !== constants.O_RDONLY || (flags & constants.O_TRUNC) !== 0;
}

/** Whether a request would change the filesystem: a MUTATING_OPS op, or an open for writing. */
export function isMutating(req: Request): boolean {
  if (MUTATING_OPS.has(req.op)) return true;
  return req.op === 'open' && opensForWriting((req as OpenRequest).flags);
}

/**
 * The operator that answers EROFS to every request that would change the filesystem and passes
 * the others on: `fuse.open$.pipe(readOnly(), answer(open))`.
 */
export function readOnly<R extends Request>(): MonoTypeOperatorFunction<R> {
  return (source) =>
    new Observable<R>((sub) =>
      source.subscribe({
        next: (req) => {
          if (isMutating(req)) req.fail(E.EROFS);
          else sub.next(req);
        },
        error: (e: unknown) => sub.error(e),
        complete: () => sub.complete(),
      }),
    );
}

function erofs(): never {
  throw new FuseError(E.EROFS);
}

/**
 * A layer to put on top of a stack (layers()): EROFS for every mutating op and for opens for
 * writing; everything else is passed to the layers below. Mutating ops no lower layer implements
 * answer EROFS too, as on a read-only mount.
 *
 * `layers(fuse, [readOnlyLayer(), myFs])`
 */
export function readOnlyLayer(): Handlers {
  const table: Handlers = { open: (req) => (opensForWriting(req.flags) ? erofs() : PASS) };
  for (const op of MUTATING_OPS) (table as Record<OpName, () => never>)[op] = erofs;
  return table;
}
