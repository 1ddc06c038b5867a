// The one end of a request: every way a request finishes (a reply, fail(), rxfuse's timeout, dropped,
// unclaimed and garbage-collected answers) goes through complete(), in the order docs/design.md
// "Finishing a request" gives and explains.
import type { Dirents } from './dirents';
import { F } from './layout';
import type { Request } from './request-base';

/** What an answered request does to the inode registry (complete()'s `effect`). */
export const Effect = {
  /** Nothing (most ops; a reply the kernel refused). */
  none: 0,
  /** An accepted entry reply: one more lookup of `arg` (the inode). */
  entry: 1,
  /** An accepted open or opendir reply: one more open of `arg`. */
  open: 2,
  /** An accepted create reply: one more lookup and one more open of `arg`. */
  create: 3,
  /** A release or releasedir was answered: one open of `arg` less. */
  release: 4,
  /** An accepted readdirplus reply: one more lookup of each entry of `list` sent, from index `arg`. */
  dirents: 5,
} as const;
export type Effect = (typeof Effect)[keyof typeof Effect];

/** complete()'s `err` for a request that gets no reply (FORGET): it is only marked done. */
export const NO_REPLY = -1;

/**
 * Finishes req after its native reply (which frees the slot and unpins its payload in C++, in one
 * call; its result decides `effect`): the registry effect, then untracking (which lets held-back
 * releases go and schedules the inode's next write), then the observers; last, for a request rxfuse
 * answered on its handler's behalf (`onBehalf`), the slot is made stale so the handler's own reply
 * is refused. `value` is the reply's value for observers, `err` its errno (0: success; NO_REPLY).
 */
export function complete(
  req: Request, err: number, value: unknown, effect: Effect, arg: number, list?: Dirents, onBehalf = false,
): void {
  req._done = true;
  if (err === NO_REPLY) return;
  const h = req._host;
  switch (effect) {
    case Effect.none:
      break;
    case Effect.entry:
      h.entryReplied(req, arg);
      break;
    case Effect.open:
      h.opened(arg);
      break;
    case Effect.create:
      h.entryReplied(req, arg);
      h.opened(arg);
      break;
    case Effect.release:
      h.handleReleased(arg);
      break;
    case Effect.dirents:
      if (list !== undefined) h.direntsReplied(req, list, arg, value as number);
      break;
  }
  h.settled(req._slot);
  if (h.observer !== undefined) h.observer.reply(req, err, value);
  if (onBehalf) h.h[req._b + F.GEN] = -1;
}
