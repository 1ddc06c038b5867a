// The upper layer: everything the upper directory has, and every change. A change to a node that has
// only a lower object copies it up first (copyup.ts): open for writing (or O_TRUNC), truncate, chmod,
// chown, utimens, an xattr change, and link. Removing a name the lower layer has leaves a whiteout;
// a directory made where a whiteout was is opaque. Requests about what the upper directory does not
// have are declined (PASS) and go on to the lower layer.
//
// Objects are created as the caller (its fsuid, fsgid and groups), as the kernel's overlayfs makes
// them; whiteouts, opaque marks and copy-ups are the daemon's own doing, as they are the kernel's.
import { constants as K } from 'node:fs';
import {
  type FdSlice, FuseError, type Handlers, opensForWriting, PASS, type Request, SetattrValid, sys,
} from '../../lib';
import { copyUp } from './copyup';
import { isOpaque, isWhiteout, makeWhiteout, realXattrName, setOpaque, statAt } from './format';
import type { Overlay } from './fs';
import type { Node } from './nodes';
import { creds } from '../fdbacked/caller';
import { component, listing, shownNames, TIMEOUT } from './shared';
import { readAll, WHITEOUT } from './view';

const { O, AT, RENAME, EMPTY } = sys;

/** Removes the whiteouts left in an upper directory that is empty in the merged view. */
function clearWhiteouts(dirFd: number): void {
  for (const e of readAll(dirFd)) {
    if (e.type !== sys.DT.CHR && e.type !== sys.DT.UNKNOWN) continue;
    const st = statAt(dirFd, e.name);
    if (st && isWhiteout(st)) sys.unlinkat(dirFd, e.name);
  }
}

export function upperLayer(ov: Overlay): Handlers {
  const { view, handles } = ov;

  /**
   * Makes `name` in `dir` (free in the merged view) as the caller with `create`, in the upper
   * directory, over the whiteout there if there is one; a directory made over a whiteout is opaque
   * (the lower namesake it replaces must not show through). Answers the new node.
   */
  const make = (req: Request, dir: Node, name: Buffer, create: (pfd: number) => void, isDir: boolean): Node => {
    const pfd = copyUp(view, dir);
    const overWhiteout = view.upperAt(dir, name) === WHITEOUT;
    if (overWhiteout) sys.unlinkat(pfd, name);
    try {
      sys.asUser(creds(req), () => create(pfd));
    } catch (e) {
      if (overWhiteout) makeWhiteout(pfd, name);
      throw e;
    }
    if (overWhiteout && isDir) setOpaque(pfd, name);
    return view.upperNode(dir, name, sys.fstatat(pfd, name));
  };

  /** Removes `name` (node `node`) from `dir`: from the upper directory, and whites it out if the lower has it. */
  const remove = (dir: Node, name: Buffer, node: Node): void => {
    const pfd = copyUp(view, dir);
    const positive = view.lowerPositive(dir, name);
    const inUpper = view.upperAt(dir, name);
    if (inUpper !== undefined && inUpper !== WHITEOUT) {
      if (node.isDir && node.upper !== undefined) clearWhiteouts(node.upper);
      sys.unlinkat(pfd, name, node.isDir ? AT.REMOVEDIR : 0);
    }
    if (positive) makeWhiteout(pfd, name);
  };

  return {
    lookup: (req) => {
      const dir = ov.node(req.parent);
      const name = component(req.name);
      const st = view.upperAt(dir, name);
      if (st === WHITEOUT) throw new FuseError('ENOENT');
      if (st === undefined) return PASS;
      ov.replyEntry(req, view.upperNode(dir, name, st));
    },

    getattr: (req) => {
      const node = ov.node(req.ino);
      return node.upper === undefined ? PASS : { attr: view.attr(node), timeout: TIMEOUT };
    },

    /** Owner first (chown clears set-id bits), then mode, size, times: the result is what was asked. */
    setattr: (req) => {
      const node = ov.node(req.ino);
      const fd = copyUp(view, node);
      const set = req.toSet;
      if (set & (SetattrValid.UID | SetattrValid.GID)) sys.fchownat(fd, EMPTY, req.uidToSet ?? -1, req.gidToSet ?? -1);
      const mode = req.mode;
      if (mode !== undefined) sys.fchmodat(fd, EMPTY, mode);
      const size = req.size;
      if (size !== undefined) {
        const h = req.hasFh ? handles.current(req.fh) : undefined;
        if (h && h.upper && (h.flags & O.ACCMODE) !== O.RDONLY) sys.ftruncate(h.fd, size);
        else sys.truncate(fd, EMPTY, size);
      }
      const atime = req.atime;
      const mtime = req.mtime;
      if (atime !== undefined || mtime !== undefined) sys.utimensat(fd, EMPTY, atime, mtime);
      return { attr: view.attr(node), timeout: TIMEOUT };
    },

    readlink: (req) => {
      const node = ov.node(req.ino);
      return node.upper === undefined ? PASS : sys.readlinkat(node.upper);
    },

    mknod: (req) => {
      // A character device 0/0 is the whiteout format: the kernel's overlayfs refuses to make one.
      if ((req.mode & K.S_IFMT) === K.S_IFCHR && req.rdev === 0) throw new FuseError('EPERM');
      const dir = ov.node(req.parent);
      const name = component(req.name);
      ov.replyEntry(req, make(req, dir, name, (pfd) => sys.mknodat(pfd, name, req.mode, req.rdev), false));
    },

    mkdir: (req) => {
      const dir = ov.node(req.parent);
      const name = component(req.name);
      ov.replyEntry(req, make(req, dir, name, (pfd) => sys.mkdirat(pfd, name, req.mode), true));
    },

    symlink: (req) => {
      const dir = ov.node(req.parent);
      const name = component(req.name);
      const target = req.target;
      ov.replyEntry(req, make(req, dir, name, (pfd) => sys.symlinkat(target, pfd, name), false));
    },

    create: (req) => {
      const dir = ov.node(req.parent);
      const name = component(req.name);
      const flags = (req.flags | O.CREAT | O.NOFOLLOW) & ~O.NOCTTY;
      let fd = -1;
      const node = make(req, dir, name, (pfd) => {
        fd = sys.openat(pfd, name, flags, req.mode & 0o7777);
      }, false);
      const fh = handles.addFile({ fd, node, upper: true, flags: req.flags });
      ov.life.replyCreate(req, view.attr(node), fh, () => handles.closeFile(fh), undefined, fd);
    },

    unlink: (req) => {
      const dir = ov.node(req.parent);
      const name = component(req.name);
      const node = view.get(dir, name);
      try {
        remove(dir, name, node);
      } finally {
        ov.settle(node);
      }
    },

    rmdir: (req) => {
      const dir = ov.node(req.parent);
      const name = component(req.name);
      const node = view.get(dir, name);
      try {
        if (!node.isDir) throw new FuseError('ENOTDIR');
        if (!view.isEmpty(node)) throw new FuseError('ENOTEMPTY');
        remove(dir, name, node);
      } finally {
        ov.settle(node);
      }
    },

    rename: (req) => {
      const flags = req.flags;
      if (flags & ~(RENAME.NOREPLACE | RENAME.EXCHANGE)) throw new FuseError('EINVAL');
      const exchange = (flags & RENAME.EXCHANGE) !== 0;
      const odir = ov.node(req.parent);
      const oname = component(req.name);
      const ndir = ov.node(req.newParent);
      const nname = component(req.newName);
      const old = view.get(odir, oname);
      const target = view.find(ndir, nname);
      try {
        if (exchange && !target) throw new FuseError('ENOENT');
        if ((flags & RENAME.NOREPLACE) && target) throw new FuseError('EEXIST');
        if (old === target) return;  // two links of one upper file: nothing to do
        // Without redirect_dir, a directory with a lower part cannot move (the kernel's default).
        if (old.isDir && old.lower !== undefined) throw new FuseError('EXDEV');
        if (exchange && target?.isDir && target.lower !== undefined) throw new FuseError('EXDEV');
        if (!exchange && target?.isDir && !view.isEmpty(target)) throw new FuseError('ENOTEMPTY');
        const opfd = copyUp(view, odir);
        copyUp(view, old);
        const npfd = copyUp(view, ndir);
        if (exchange && target) copyUp(view, target);
        // Whiteouts: the old name is whited out when the lower has it; a whiteout at the new name
        // is exchanged rather than replaced by a directory (rename cannot put a directory over a file).
        const oldPositive = view.lowerPositive(odir, oname);
        const newWhiteout = view.upperAt(ndir, nname) === WHITEOUT;
        let how = exchange ? RENAME.EXCHANGE : 0;
        let cleanup = false;
        if (!exchange) {
          if (oldPositive) how = newWhiteout ? RENAME.EXCHANGE : RENAME.WHITEOUT;
          else if (old.isDir && newWhiteout) {
            how = RENAME.EXCHANGE;
            cleanup = true;
          }
          if (target?.isDir && target.upper !== undefined && !newWhiteout) clearWhiteouts(target.upper);
        }
        // A directory moved into a merged directory is made opaque: a lower namesake there must not show through.
        if (old.isDir && ndir.lower !== undefined && !isOpaque(opfd, oname)) setOpaque(opfd, oname);
        if (exchange && target?.isDir && odir.lower !== undefined && !isOpaque(npfd, nname)) setOpaque(npfd, nname);
        sys.renameat2(opfd, oname, npfd, nname, how);
        if (cleanup) sys.unlinkat(opfd, oname);
        old.parent = ndir;
        old.name = nname;
        if (exchange && target) {
          target.parent = odir;
          target.name = oname;
        }
      } finally {
        ov.settle(old);
        ov.settle(target);
      }
    },

    link: (req) => {
      const node = ov.node(req.ino);
      const dir = ov.node(req.newParent);
      const name = component(req.newName);
      const fd = copyUp(view, node);
      const pfd = copyUp(view, dir);
      const overWhiteout = view.upperAt(dir, name) === WHITEOUT;
      if (overWhiteout) sys.unlinkat(pfd, name);
      try {
        sys.linkat(fd, EMPTY, pfd, name);
      } catch (e) {
        if (overWhiteout) makeWhiteout(pfd, name);
        throw e;
      }
      ov.replyEntry(req, view.upperNode(dir, name, sys.fstatat(pfd, name)));
    },

    open: (req) => {
      const node = ov.node(req.ino);
      const writing = opensForWriting(req.flags);
      if (!writing && node.upper === undefined) return PASS;
      const real = writing ? copyUp(view, node) : (node.upper as number);
      const fd = sys.reopen(real, req.flags & ~O.NOCTTY);
      const fh = handles.addFile({ fd, node, upper: true, flags: req.flags });
      ov.life.replyOpen(req, node.ino, fh, () => handles.closeFile(fh), fd);
    },

    read: (req): FdSlice | typeof PASS => {
      const h = handles.current(req.fh);
      return h.upper ? { fd: h.fd, offset: req.offset, length: req.size } : PASS;
    },

    write: (req) => {
      const h = handles.file(req.fh);
      if (!h.upper) throw new FuseError('EBADF', 'not open for writing');
      return sys.pwrite(h.fd, req.data, req.offset);
    },

    /** close(dup(fd)): the upper filesystem sees a close, the file stays open. */
    flush: (req) => {
      const h = handles.file(req.fh);
      if (!h.upper) return PASS;
      sys.close(sys.dup(h.fd));
    },

    release: (req) => {
      if (!handles.file(req.fh).upper) return PASS;
      handles.closeFile(req.fh);
    },

    fsync: (req) => {
      const h = handles.file(req.fh);
      if (!h.upper) return PASS;
      sys.fsync(h.fd, req.datasync);
    },

    fallocate: (req) => {
      const h = handles.file(req.fh);
      if (!h.upper) throw new FuseError('EBADF', 'not open for writing');
      sys.fallocate(h.fd, req.mode, req.offset, req.length);
    },

    lseek: (req) => {
      const h = handles.current(req.fh);
      return h.upper ? sys.lseek(h.fd, req.offset, req.whence) : PASS;
    },

    opendir: (req) => {
      const node = ov.node(req.ino);
      if (node.upper === undefined) return PASS;
      const fh = handles.addDir({ node, list: undefined });
      ov.life.replyOpen(req, node.ino, fh, () => handles.closeDir(fh));
    },

    readdir: (req) => {
      const h = handles.dir(req.fh);
      if (h.node.upper === undefined) return PASS;
      if (req.offset === 0 || !h.list) h.list = listing(ov, h.node);
      req.replyDirents(h.list);
    },

    releasedir: (req) => {
      if (handles.dir(req.fh).node.upper === undefined) return PASS;
      handles.closeDir(req.fh);
    },

    statfs: () => sys.fstatvfs(view.nodes.root.upper as number),

    getxattr: (req) => {
      const node = ov.node(req.ino);
      return node.upper === undefined ? PASS : sys.getxattr(node.upper, EMPTY, realXattrName(req.name));
    },

    listxattr: (req) => {
      const node = ov.node(req.ino);
      return node.upper === undefined ? PASS : shownNames(node.upper, req.uid);
    },

    setxattr: (req) => {
      const node = ov.node(req.ino);
      sys.setxattr(copyUp(view, node), EMPTY, realXattrName(req.name), req.value, req.flags);
    },

    /** Removing an attribute the lower object does not have is ENODATA without a copy-up, as in the kernel. */
    removexattr: (req) => {
      const node = ov.node(req.ino);
      const name = realXattrName(req.name);
      if (node.upper === undefined && node.lower !== undefined) sys.getxattrSize(node.lower, EMPTY, name);
      sys.removexattr(copyUp(view, node), EMPTY, name);
    },
  };
}
