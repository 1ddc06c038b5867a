// Names: making, reading, removing, moving and listing directory entries.
import { sys } from './addon';
import { bytes, check, EMPTY, fdArg, type Name, num, TWO32 } from './args';

/** One entry of a directory read with getdents(). */
export interface DirEntry {
  /** The entry's name (bytes). */
  name: Buffer;
  /** d_ino (exact below 2^53). */
  ino: number;
  /** d_type: one of DT (DT.UNKNOWN when the filesystem does not say). */
  type: number;
  /** d_off: the position to lseek() to in order to continue after this entry (all 64 bits). */
  off: bigint;
}

/** mkdirat(2). */
export function mkdirat(dirfd: number, name: Name, mode: number): void {
  check(sys().mkdirat(fdArg(dirfd, 'mkdirat'), bytes(name, 'mkdirat'), mode & 0o7777), 'mkdirat');
}

/** mknodat(2): `mode` includes the file type (S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK, S_IFREG). */
export function mknodat(dirfd: number, name: Name, mode: number, rdev = 0): void {
  check(sys().mknodat(fdArg(dirfd, 'mknodat'), bytes(name, 'mknodat'), mode, num(rdev, 'mknodat rdev')), 'mknodat');
}

/** symlinkat(2): the target bytes are stored as they are, never resolved. */
export function symlinkat(target: Name, dirfd: number, name: Name): void {
  check(sys().symlinkat(bytes(target, 'symlinkat'), fdArg(dirfd, 'symlinkat'), bytes(name, 'symlinkat')), 'symlinkat');
}

/** readlinkat(2): the target as bytes. The empty name reads the symlink an O_PATH handle refers to. */
export function readlinkat(dirfd: number, name: Name = EMPTY): Buffer {
  const path = bytes(name, 'readlinkat');
  for (let size = 4096; ; size *= 4) {
    const out = Buffer.allocUnsafe(size);
    const n = check(sys().readlinkat(fdArg(dirfd, 'readlinkat'), path, out), 'readlinkat');
    if (n < size) return out.subarray(0, n);
  }
}

/** unlinkat(2); AT.REMOVEDIR removes a directory. */
export function unlinkat(dirfd: number, name: Name, flags = 0): void {
  check(sys().unlinkat(fdArg(dirfd, 'unlinkat'), bytes(name, 'unlinkat'), flags), 'unlinkat');
}

/** renameat2(2); flags: RENAME.NOREPLACE, RENAME.EXCHANGE, RENAME.WHITEOUT. */
export function renameat2(olddirfd: number, oldname: Name, newdirfd: number, newname: Name, flags = 0): void {
  check(sys().renameat2(fdArg(olddirfd, 'renameat2'), bytes(oldname, 'renameat2'), fdArg(newdirfd, 'renameat2'),
    bytes(newname, 'renameat2'), flags), 'renameat2');
}

/**
 * linkat(2). The empty oldname links the object `olddirfd` refers to (an O_PATH handle, also of a
 * symlink: the link is to the symlink), through /proc/self/fd/N and AT_SYMLINK_FOLLOW.
 */
export function linkat(olddirfd: number, oldname: Name, newdirfd: number, newname: Name, flags = 0): void {
  check(sys().linkat(fdArg(olddirfd, 'linkat'), bytes(oldname, 'linkat'), fdArg(newdirfd, 'linkat'),
    bytes(newname, 'linkat'), flags), 'linkat');
}

let direntBuf = Buffer.allocUnsafe(65536);

/**
 * getdents64(2): the next entries of the directory open as `fd` (not an O_PATH handle), at most
 * about `maxBytes` of kernel records (at least one entry); [] at the end. "." and ".." included.
 * Each entry's `off` is where to lseek() to continue after it; stable on Linux filesystems.
 */
export function getdents(fd: number, maxBytes = 32768): DirEntry[] {
  const size = Math.max(512, Math.min(maxBytes, 1 << 20));
  if (direntBuf.length < size) direntBuf = Buffer.allocUnsafe(size);
  const buf = direntBuf.subarray(0, size);
  const n = check(sys().getdents(fdArg(fd, 'getdents'), buf), 'getdents');
  const out: DirEntry[] = [];
  for (let p = 0; p < n;) {
    const reclen = buf.readUInt16LE(p + 16);
    const nameEnd = buf.indexOf(0, p + 19);
    out.push({
      ino: buf.readUInt32LE(p + 4) * TWO32 + buf.readUInt32LE(p),
      off: buf.readBigInt64LE(p + 8),
      type: buf[p + 18],
      name: Buffer.from(buf.subarray(p + 19, nameEnd < 0 || nameEnd > p + reclen ? p + reclen : nameEnd)),
    });
    p += reclen;
  }
  return out;
}
