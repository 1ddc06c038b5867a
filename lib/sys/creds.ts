// Acting as the caller: the calling thread's filesystem ids and groups.
import { sys } from './addon';
import { check, num } from './args';

/** Credentials of a caller: the ids and supplementary groups new objects are made with (asUser). */
export interface Creds {
  /** The user id (fsuid). */
  uid: number;
  /** The group id (fsgid). */
  gid: number;
  /** The supplementary groups. */
  groups: readonly number[];
}

/**
 * Runs `fn` with the calling thread's filesystem uid, gid and supplementary groups set to `creds`
 * (setfsuid, setfsgid and the per-thread setgroups syscall), and restores them afterwards, also when
 * fn throws. Objects created meanwhile belong to the caller, with the source filesystem's own rules
 * (a setgid directory's group, its own permission checks). Linux credentials are per thread, so
 * libuv's workers are not affected; fn must be synchronous.
 *
 * Switching needs root (CAP_SETUID/CAP_SETGID): in a process that is not root, or when the caller
 * is this process's own user, fn just runs.
 */
export function asUser<T>(creds: Creds, fn: () => T): T {
  const euid = process.geteuid?.() ?? -1;
  if (euid !== 0 || (creds.uid === euid && creds.gid === process.getegid?.())) return fn();
  num(creds.uid, 'asUser uid');
  num(creds.gid, 'asUser gid');
  check(sys().credsPush(creds.uid, creds.gid, [...creds.groups]), 'setfsuid');
  try {
    return fn();
  } finally {
    sys().credsPop();
  }
}
