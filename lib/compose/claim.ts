// Claiming requests: a pipeline that holds requests on purpose (delay, buffer, an async source
// before answer()) claims them first, or rxfuse answers them as unclaimed after a short grace.
import { type MonoTypeOperatorFunction, tap } from 'rxjs';
import type { Request } from '../request';

/**
 * Claims each request (Request.claim): put it before an operator that holds requests longer than
 * the mount's `unclaimedGrace`, e.g. `fuse.read$.pipe(claim(), delay(1500), answer(read))`.
 * Requests an operator after it drops are then left to `requestTimeout` or the garbage collector.
 */
export function claim<R extends Request>(): MonoTypeOperatorFunction<R> {
  return tap((req: R) => req.claim());
}
