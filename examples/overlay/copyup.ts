// Copy-up: before anything changes a node that has no upper object, its lower object is copied to
// the upper directory, its parent directories first, the way the kernel's overlayfs does it: the
// data (holes kept), the xattrs (but the overlay's own; escaped ones are the user's), the owner, the mode and the atime and mtime;
// and the parent's atime and mtime are put back, so that copying up is not a change anybody sees
// (only ctimes move). Done as the daemon (root): the caller's rights were checked by the kernel on
// the merged view already, and a copy-up must work also for files the caller may only write.
import { constants as K } from 'node:fs';
import { FuseError, sys } from '../../lib';
import { isPrivateXattr } from './format';
import { reopenNoatime } from './shared';
import type { Node } from './nodes';
import type { View } from './view';

const { O, AT, SEEK, EMPTY } = sys;
const ENXIO = 6;
const EXDEV = 18;
const EINVAL = 22;
const ENOSYS = 38;
const EOPNOTSUPP = 95;
const CHUNK = 1 << 20;

/** Gives the node an upper object (copying it and its parents up); answers its O_PATH handle. */
export function copyUp(view: View, node: Node): number {
  if (node.upper !== undefined) return node.upper;
  if (node.dropped || node.lower === undefined) throw new FuseError('ESTALE', `inode ${node.ino} is gone`);
  view.copyUpGuard?.(node);
  const parent = node.parent;
  if (!parent) throw new FuseError('EIO', 'the root has no upper directory');
  const pfd = copyUp(view, parent);
  const lfd = node.lower;
  const st = sys.fstat(lfd);
  const before = sys.fstat(pfd);
  const name = node.name;
  createCopy(lfd, st, pfd, name);
  let fd: number | undefined;
  try {
    fd = sys.openPath(pfd, name);
    copyAttributes(lfd, st, fd);
  } catch (e) {
    if (fd !== undefined) sys.close(fd);
    try {
      sys.unlinkat(pfd, name, node.isDir ? AT.REMOVEDIR : 0);
    } catch {
      // leave it: the error that matters is the first one
    }
    throw e;
  }
  sys.utimensat(pfd, EMPTY, before.atime, before.mtime);
  view.attachUpper(node, fd);
  return fd;
}

/** The new object at `name` in `pfd`, with its data: private (0600/0700) until its attributes are set. */
function createCopy(lfd: number, st: sys.Stat, pfd: number, name: Buffer): void {
  const type = st.mode & K.S_IFMT;
  if (type === K.S_IFDIR) {
    sys.mkdirat(pfd, name, 0o700);
  } else if (type === K.S_IFLNK) {
    sys.symlinkat(sys.readlinkat(lfd), pfd, name);
  } else if (type === K.S_IFREG) {
    const out = sys.openat(pfd, name, O.WRONLY | O.CREAT | O.EXCL | O.NOFOLLOW, 0o600);
    try {
      const inp = reopenNoatime(lfd, O.RDONLY);
      try {
        if (typeof st.size === 'bigint') throw new FuseError('EFBIG', 'copy-up of a file of 2^53 bytes or more');
        copyData(inp, out, st.size);
      } finally {
        sys.close(inp);
      }
    } catch (e) {
      sys.close(out);
      sys.unlinkat(pfd, name);
      throw e;
    }
    sys.close(out);
  } else {
    sys.mknodat(pfd, name, type | 0o600, st.rdev);
  }
}

/** Copies the data segments (SEEK_DATA / SEEK_HOLE), so a sparse file stays sparse. */
function copyData(inp: number, out: number, size: number): void {
  let off = 0;
  while (off < size) {
    let data: number;
    let hole: number;
    try {
      data = Number(sys.lseek(inp, off, SEEK.DATA));  // below size, so exact
      hole = Number(sys.lseek(inp, data, SEEK.HOLE));
    } catch (e) {
      if (e instanceof FuseError && e.errno === ENXIO) break;  // only a hole is left
      if (!(e instanceof FuseError && e.errno === EINVAL)) throw e;
      data = off;  // no SEEK_DATA here: copy everything
      hole = size;
    }
    copyRange(inp, out, data, hole);
    off = hole;
  }
  sys.ftruncate(out, size);
}

/** Copies [from, to) in the kernel (copy_file_range), or through a buffer across filesystems that cannot. */
function copyRange(inp: number, out: number, from: number, to: number): void {
  let pos = from;
  try {
    while (pos < to) {
      const n = sys.copyFileRange(inp, pos, out, pos, to - pos);
      if (n === 0) return;  // the lower file shrank: nobody may change it, but never loop
      pos += n;
    }
    return;
  } catch (e) {
    if (!(e instanceof FuseError && (e.errno === EXDEV || e.errno === EINVAL || e.errno === EOPNOTSUPP || e.errno === ENOSYS))) throw e;
  }
  const buf = Buffer.allocUnsafe(Math.min(to - pos, CHUNK));
  while (pos < to) {
    const n = sys.pread(inp, buf, pos, Math.min(buf.length, to - pos));
    if (n === 0) return;
    for (let w = 0; w < n;) w += sys.pwrite(out, buf.subarray(w, n), pos + w);
    pos += n;
  }
}

/** xattrs, owner, mode, times: in that order, as chown clears set-id bits and every change moves ctime only. */
function copyAttributes(lfd: number, st: sys.Stat, fd: number): void {
  for (const name of sys.listxattr(lfd, EMPTY)) {
    if (isPrivateXattr(name)) continue;
    try {
      sys.setxattr(fd, EMPTY, name, sys.getxattr(lfd, EMPTY, name));
    } catch (e) {
      if (!(e instanceof FuseError && e.errno === EOPNOTSUPP)) throw e;  // the upper cannot hold it: as the kernel, go on
    }
  }
  sys.fchownat(fd, EMPTY, st.uid, st.gid);
  if ((st.mode & K.S_IFMT) !== K.S_IFLNK) sys.fchmodat(fd, EMPTY, st.mode & 0o7777);
  sys.utimensat(fd, EMPTY, st.atime, st.mtime);
}
