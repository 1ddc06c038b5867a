// Errors: FuseError carries an errno to the kernel; every other failure becomes EIO and an event.
import { constants } from 'node:os';
import type { OpName } from './op-table';

/** errno numbers by name (os.constants.errno: ENOENT → 2, ...). */
export const errno = constants.errno as Readonly<Record<string, number>>;

/** Throw (or reject with) a FuseError to answer the kernel with that errno. */
export class FuseError extends Error {
  /** The errno number (positive). */
  readonly errno: number;
  /** The errno's name ('ENOENT'). */
  readonly code: string;
  /**
   * @param err an errno number or name ('ENOENT').
   * @param message defaults to the errno's name.
   * @throws TypeError when `err` is not a positive integer or a known errno name.
   */
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
/** The name of errno `n` ('ENOENT'), or "errno <n>" for an unknown number. */
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

/**
 * What a FuseErrorEvent reports:
 * - 'handler': a handler threw or rejected with something other than FuseError (answered EIO), or an observer threw (errno 0);
 * - 'invalid-reply': a handler's result could not be turned into a reply (EIO);
 * - 'double-reply': a request was answered twice (the first reply stands);
 * - 'timeout': no reply within the mount's requestTimeout (ETIMEDOUT);
 * - 'no-handler': a request arrived while no handler was subscribed, or every handler declined (EIO);
 * - 'dropped': a request was garbage-collected or its handlers unsubscribed unanswered (EIO);
 * - 'unclaimed': no handler claimed a request by the end of its dispatch + unclaimedGrace (EIO);
 * - 'session': the session itself reported an error (receive failure);
 * - 'notify': a kernel notification failed (other than ENOENT);
 * - 'fd-limit': a handler answered EMFILE or ENFILE: the daemon (or the system) is out of fds.
 */
export type FuseErrorKind =
  | 'handler'
  | 'invalid-reply'
  | 'double-reply'
  | 'timeout'
  | 'no-handler'
  | 'dropped'
  | 'unclaimed'
  | 'session'
  | 'notify'
  | 'fd-limit';

/** An event on Fuse.errors$: the kernel got an errno (EIO unless said otherwise) and this explains why. */
export interface FuseErrorEvent {
  /** What happened. */
  readonly kind: FuseErrorKind;
  /** The request's op (undefined for session and notify events). */
  readonly op: OpName | undefined;
  /** The request's inode (undefined when there is no request). */
  readonly ino: number | undefined;
  /** The errno the kernel got (0 when none was sent, e.g. for a double reply). */
  readonly errno: number;
  /** The error thrown, or one describing what happened. */
  readonly cause: unknown;
}
