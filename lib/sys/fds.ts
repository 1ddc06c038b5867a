// Descriptors: opening (also an O_PATH handle's object again), duplicating and closing fds; kernel
// file handles, which name an inode without holding an fd; the fd limit.
import { sys } from './addon';
import { bytes, check, EMPTY, fdArg, type Name, num } from './args';
import { O } from './constants';

/**
 * openat(2): opens `name` relative to `dirfd` (AT.FDCWD: the working directory). O_CLOEXEC is always
 * added. The empty name reopens the object `dirfd` refers to (also an O_PATH fd) with new flags,
 * through /proc/self/fd/N. Returns the new fd.
 */
export function openat(dirfd: number, name: Name, flags: number, mode = 0): number {
  return check(sys().openat(fdArg(dirfd, 'openat'), bytes(name, 'openat'), (flags | O.CLOEXEC) >>> 0, mode), 'openat');
}

/**
 * An O_PATH handle on `name` in `dirfd`, not following a final symlink: the handle of a symlink is
 * the symlink itself. The building block of a filesystem that must never leave its source directory.
 */
export function openPath(dirfd: number, name: Name): number {
  return openat(dirfd, name, O.PATH | O.NOFOLLOW);
}

/** Reopens the object `fd` refers to (an O_PATH handle, say) with `flags` (ELOOP for a symlink). */
export function reopen(fd: number, flags: number): number {
  return openat(fd, EMPTY, flags & ~(O.CREAT | O.EXCL | O.NOFOLLOW));
}

/** close(2). */
export function close(fd: number): void {
  check(sys().close(fdArg(fd, 'close')), 'close');
}

/** dup(2) (close-on-exec). close(dup(fd)) is how a passthrough passes a flush on to the source. */
export function dup(fd: number): number {
  return check(sys().dup(fdArg(fd, 'dup')), 'dup');
}

// ---- kernel file handles and the fd limit --------------------------------------------------------

/** A kernel file handle: names an inode without holding it open (see nameToHandleAt). */
export interface FileHandle {
  /** The handle's type (4 bytes, host order) and its bytes: what openByHandleAt takes. */
  handle: Buffer;
  /** The mount it is valid on: the unique 64-bit id where the kernel has one (6.12+), else the plain one. */
  mountId: number;
  /** Whether mountId is the unique id (never reused), not the plain one (reused after an unmount). */
  unique: boolean;
}

const HANDLE_MAX = 4 + 128;  // the type, then MAX_HANDLE_SZ bytes
const handleOut = Buffer.alloc(HANDLE_MAX);
const mountIdOut = new Float64Array(2);

/**
 * name_to_handle_at(2): the file handle of `name` in `dirfd`; the EMPTY name with AT.EMPTY_PATH in
 * `flags` gives the handle of the object `dirfd` itself refers to (an O_PATH fd, a symlink's too).
 * EOPNOTSUPP: the filesystem has no handles.
 */
export function nameToHandleAt(dirfd: number, name: Name, flags = 0): FileHandle {
  const n = check(sys().nameToHandleAt(fdArg(dirfd, 'nameToHandleAt'), bytes(name, 'nameToHandleAt'), num(flags, 'nameToHandleAt'), handleOut, mountIdOut), 'nameToHandleAt');
  return { handle: Buffer.from(handleOut.subarray(0, n)), mountId: mountIdOut[0], unique: mountIdOut[1] === 1 };
}

/**
 * open_by_handle_at(2): opens the inode `handle` names (O_CLOEXEC added; O.PATH gives a handle fd,
 * a symlink's included). `mountFd` is any fd on the handle's mount. Needs CAP_DAC_READ_SEARCH (EPERM
 * without); ESTALE when the inode is gone (deleted in the source).
 */
export function openByHandleAt(mountFd: number, handle: Uint8Array, flags: number): number {
  if (!(handle instanceof Uint8Array) || handle.length < 4 || handle.length > HANDLE_MAX) {
    throw new TypeError('openByHandleAt: a handle from nameToHandleAt expected');
  }
  return check(sys().openByHandleAt(fdArg(mountFd, 'openByHandleAt'), handle, (flags | O.CLOEXEC) >>> 0), 'openByHandleAt');
}

/** RLIMIT_NOFILE: the soft and hard limits on open fds (Infinity: unlimited). */
export interface NofileLimit {
  /** The limit in force (the most descriptors the process may hold). */
  soft: number;
  /** The ceiling the soft limit may be raised to. */
  hard: number;
}

const limitOut = new Float64Array(2);

function nofile(raise: boolean): NofileLimit {
  check(sys().nofileLimit(raise ? 1 : 0, limitOut), raise ? 'setrlimit' : 'getrlimit');
  const v = (x: number): number => (x < 0 ? Infinity : x);
  return { soft: v(limitOut[0]), hard: v(limitOut[1]) };
}

/** getrlimit(RLIMIT_NOFILE). */
export function nofileLimit(): NofileLimit {
  return nofile(false);
}

/** Raises the soft RLIMIT_NOFILE to the hard one (as a server should at start); returns the limits. */
export function raiseNofileLimit(): NofileLimit {
  return nofile(true);
}
