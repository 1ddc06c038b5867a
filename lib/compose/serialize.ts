// One request of an inode at a time. The mount already does this for writes and truncates
// (serializeWrites, a queue in the dispatch); this is the same idea for any handler: a queue per
// inode that exists only while the inode has a request being handled, so idle inodes cost nothing.
import { type Handler, type HandlerResult, type ResultOf } from '../handle';
import type { Request } from '../request';
import { settle } from './result';

/**
 * Runs `handler` for requests of the same inode one at a time, in arrival order, and for different
 * inodes concurrently. A request's turn ends when the handler's result settles (a value, a
 * resolved or rejected Promise, the first value of an Observable, or PASS: a declined request goes
 * on at once). `key` chooses what to serialize on (default req.ino: the parent directory for name
 * operations). A request answered while it waited (timeout, interrupt) is skipped.
 *
 * `fuse.handle('setxattr', serializeByInode(setxattr))`
 */
export function serializeByInode<R extends Request>(handler: Handler<R>, key: (req: R) => number = (req) => req.ino): Handler<R> {
  // Inodes with a request being handled → the requests waiting behind it.
  const busy = new Map<number, (() => void)[]>();
  const done = (k: number): void => {
    const waiting = busy.get(k);
    const next = waiting?.shift();
    if (next) queueMicrotask(next);  // not nested: a long queue of synchronous handlers never deepens the stack
    else busy.delete(k);
  };
  const run = (req: R, k: number): HandlerResult<ResultOf<R>> =>
    settle(
      () => handler(req),
      (v) => {
        done(k);
        return v;
      },
      (e) => {
        done(k);
        throw e;
      },
    ) as HandlerResult<ResultOf<R>>;
  return (req) => {
    const k = key(req);
    const waiting = busy.get(k);
    if (waiting === undefined) {
      busy.set(k, []);
      return run(req, k);
    }
    return new Promise<ResultOf<R> | void>((resolve, reject) => {
      waiting.push(() => {
        if (req.answered) {
          done(k);
          resolve();
          return;
        }
        try {
          resolve(run(req, k) as ResultOf<R>);
        } catch (e) {
          reject(e);
        }
      });
    });
  };
}
