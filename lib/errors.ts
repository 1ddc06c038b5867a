// Errors: FuseError carries an errno to the kernel; every other failure becomes EIO and an event.
import { constants } from 'node:os';
import type { OpName } from './op-table';

export const errno = constants.errno as Readonly<Record<string, number>>;

/** Throw (or reject with) a FuseError to answer the kernel with that errno. */
export class FuseError extends Error {
  readonly errno: number;
  readonly code: string;
  constructor(err: number | string, message?: string) {
    const n = typeof err === 'number' ? err : errno[err];
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
      throw new TypeError(`FuseError: unknown errno ${String(err)}`);
    }
    const code = errnoName(n);
    // An errno answer is control flow (ENOENT for every missing name), not a bug: capturing a stack
    // trace would cost more than the whole request.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? code);
    Error.stackTraceLimit = limit;
    this.name = 'FuseError';
    this.errno = n;
    this.code = code;
  }
}

const names = new Map<number, string>();
for (const [k, v] of Object.entries(errno)) if (!names.has(v)) names.set(v, k);
export function errnoName(n: number): string {
  return names.get(n) ?? `errno ${n}`;
}

/** Thrown on a second reply to one request; the first reply stands. */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyError';
  }
}

export type FuseErrorKind =
  | 'handler'        // a handler threw or rejected with something other than FuseError
  | 'invalid-reply'  // a handler's result could not be turned into a reply
  | 'double-reply'   // a request was answered twice
  | 'timeout'        // no reply within the mount's requestTimeout
  | 'no-handler'     // a request arrived while no handler was subscribed
  | 'dropped'        // a request was garbage-collected or its handlers unsubscribed unanswered
  | 'unclaimed'      // no handler claimed a request by the end of its dispatch + unclaimedGrace (an operator dropped it)
  | 'session'        // the session itself reported an error (receive failure)
  | 'notify'         // a kernel notification failed (other than ENOENT)
  | 'fd-limit';      // a handler answered EMFILE or ENFILE: the daemon (or the system) is out of fds

/** An event on Fuse.errors$: the kernel got an errno (EIO unless said otherwise) and this explains why. */
export interface FuseErrorEvent {
  readonly kind: FuseErrorKind;
  readonly op: OpName | undefined;
  readonly ino: number | undefined;
  readonly errno: number;
  readonly cause: unknown;
}
