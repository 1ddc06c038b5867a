// The one end of a request: every way a request finishes (a reply, fail(), rxfuse's timeout, dropped,
// unclaimed and garbage-collected answers) goes through complete(), in the order docs/design.md
// "Finishing a request" gives and explains.
import type { Dirents } from './dirents';
import type { Request } from './request-base';
import type { RequestState } from './request-state';
import { Effect } from './registry-effects';

/** complete()'s `err` for a request that gets no reply (FORGET): it is only marked done. */
export const NO_REPLY = -1;

/**
 * Finishes req after its native reply (which frees the slot and unpins its payload in C++, in one
 * call; its result decides `effect`): the request is marked done (for good: the one place a Request
 * learns it is answered; `byRxfuse` when rxfuse answered on its handler's behalf, whose own reply is
 * then refused with a message saying so), then the registry effect, then untracking (which lets
 * held-back releases go and schedules the inode's next write), then the observers. `value` is the
 * reply's value for observers (for `Effect.dirents` the count sent), `err` its errno (0: success;
 * NO_REPLY).
 */
export function complete(
  req: Request, err: number, value: unknown, effect: Effect, arg: number, list?: Dirents, byRxfuse = false,
  s: RequestState = req._s,
): void {
  s.done = true;
  if (byRxfuse) s.byRxfuse = true;
  if (err === NO_REPLY) return;
  const h = s.host;
  if (effect !== Effect.none) h.registryEffect(effect, arg, list, value as number);
  h.settled(s.slot);
  if (h.observer !== undefined) h.observer.reply(req, err, value);
}
