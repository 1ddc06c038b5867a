// Data: a file's size and contents (truncate, fallocate, lseek, pread, pwrite, copy_file_range, fsync).
import * as fs from 'node:fs';
import type { U64 } from '../attr';
import { sys } from './addon';
import { bytes, check, fdArg, fromNode, type Name, num, off } from './args';

/**
 * Sets the size of `name` in `dirfd` (a final symlink is not followed: ELOOP), or with the empty
 * name of the object `dirfd` refers to (O_PATH handles through /proc).
 */
export function truncate(dirfd: number, name: Name, size: U64): void {
  check(sys().truncate(fdArg(dirfd, 'truncate'), bytes(name, 'truncate'), off(size, 'truncate size')), 'truncate');
}

/** ftruncate(2) of a fd open for writing. */
export function ftruncate(fd: number, size: U64): void {
  check(sys().ftruncate(fdArg(fd, 'ftruncate'), off(size, 'ftruncate size')), 'ftruncate');
}

/** fallocate(2); mode: FALLOC_FL bits (0: allocate and extend). */
export function fallocate(fd: number, mode: number, offset: U64, length: U64): void {
  check(sys().fallocate(fdArg(fd, 'fallocate'), mode, off(offset, 'fallocate offset'), off(length, 'fallocate length')), 'fallocate');
}

/**
 * lseek(2), SEEK.DATA and SEEK.HOLE included (ENXIO past the last data). Offsets are exact: a bigint
 * reaches a position beyond 2^53-1 (a file's, or a directory's DirEntry.off), and such a result is one.
 */
export function lseek(fd: number, offset: U64, whence: number): U64 {
  if (typeof offset === 'number') num(offset, 'lseek offset', -Number.MAX_SAFE_INTEGER);
  const r = sys().lseek(fdArg(fd, 'lseek'), offset, whence);
  return typeof r === 'bigint' ? r : check(r, 'lseek');
}

/** copy_file_range(2): bytes copied (0 at the end of the input). A null offset uses the fd's position. */
export function copyFileRange(fdIn: number, offIn: U64 | null, fdOut: number, offOut: U64 | null, length: U64, flags = 0): number {
  return check(sys().copyFileRange(fdArg(fdIn, 'copyFileRange'), offIn === null ? -1 : off(offIn, 'copyFileRange offIn'),
    fdArg(fdOut, 'copyFileRange'), offOut === null ? -1 : off(offOut, 'copyFileRange offOut'),
    off(length, 'copyFileRange length'), flags), 'copyFileRange');
}

/** pread(2) with Node's fs: bytes read into buf. */
export function pread(fd: number, buf: Uint8Array, offset: U64, length = buf.length): number {
  try {
    return fs.readSync(fd, buf, 0, length, offset);  // a bigint position is honoured here
  } catch (e) {
    throw fromNode(e, 'pread');
  }
}

/**
 * pwrite(2) with Node's fs, from the caller's buffer (no copy): bytes written. A bigint offset goes
 * through the addon (fs.writeSync would ignore it and write at the file position).
 */
export function pwrite(fd: number, buf: Uint8Array, offset: U64, length = buf.length): number {
  if (typeof offset === 'bigint') {
    const part = length === buf.length ? buf : buf.subarray(0, length);
    return check(sys().pwrite(fdArg(fd, 'pwrite'), part, off(offset, 'pwrite offset') as bigint), 'pwrite');
  }
  try {
    return fs.writeSync(fd, buf, 0, length, offset);
  } catch (e) {
    throw fromNode(e, 'pwrite');
  }
}

/** fsync(2), or fdatasync(2) when `datasync`. */
export function fsync(fd: number, datasync = false): void {
  try {
    if (datasync) fs.fdatasyncSync(fd);
    else fs.fsyncSync(fd);
  } catch (e) {
    throw fromNode(e, datasync ? 'fdatasync' : 'fsync');
  }
}
