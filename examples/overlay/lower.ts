// The lower layer: what only the lower directory has, read-only. It gets the requests the upper
// layer declined: names the upper directory does not have, and nodes without an upper object.
// Nothing here can change the lower directory: its handles are O_PATH and its files are opened for
// reading only (a request to write never reaches it: the upper layer copies up first).
import {
  type FdSlice, FuseError, type Handlers, opensForWriting, PASS, sys,
} from '../../lib';
import { realXattrName } from './format';
import type { Overlay } from './fs';
import { component, listing, reopenNoatime, shownNames, TIMEOUT } from './shared';

const { O, EMPTY } = sys;

export function lowerLayer(ov: Overlay): Handlers {
  const { view, handles } = ov;
  return {
    lookup: (req) => {
      const dir = ov.node(req.parent);
      const name = component(req.name);
      const st = view.lowerAt(dir, name);
      if (!st) return PASS;
      ov.replyEntry(req, view.lowerNode(dir, name, st));
    },

    getattr: (req) => {
      const node = ov.node(req.ino);
      return node.lower === undefined ? PASS : { attr: view.attr(node), timeout: TIMEOUT };
    },

    readlink: (req) => {
      const node = ov.node(req.ino);
      return node.lower === undefined ? PASS : sys.readlinkat(node.lower);
    },

    open: (req) => {
      const node = ov.node(req.ino);
      if (node.lower === undefined) return PASS;
      if (opensForWriting(req.flags)) throw new FuseError('EROFS', 'the lower layer is read-only');
      const fd = reopenNoatime(node.lower, req.flags & ~O.NOCTTY);
      const fh = handles.addFile({ fd, node, upper: false, flags: req.flags });
      ov.life.replyOpen(req, node.ino, fh, () => handles.closeFile(fh), ov.passthroughLower ? fd : undefined);
    },

    read: (req): FdSlice => ({ fd: handles.current(req.fh).fd, offset: req.offset, length: req.size }),

    lseek: (req) => sys.lseek(handles.current(req.fh).fd, req.offset, req.whence),

    /** Nothing to flush or sync on a file opened for reading (the kernel's overlayfs neither syncs a lower file). */
    flush: () => undefined,
    fsync: () => undefined,

    release: (req) => handles.closeFile(req.fh),

    opendir: (req) => {
      const node = ov.node(req.ino);
      if (node.lower === undefined) return PASS;
      const fh = handles.addDir({ node, list: undefined });
      ov.life.replyOpen(req, node.ino, fh, () => handles.closeDir(fh));
    },

    readdir: (req) => {
      const h = handles.dir(req.fh);
      if (req.offset === 0 || !h.list) h.list = listing(ov, h.node);
      req.replyDirents(h.list);
    },

    releasedir: (req) => handles.closeDir(req.fh),

    getxattr: (req) => {
      const node = ov.node(req.ino);
      if (node.lower === undefined) return PASS;
      return sys.getxattr(node.lower, EMPTY, realXattrName(req.name));
    },

    listxattr: (req) => {
      const node = ov.node(req.ino);
      return node.lower === undefined ? PASS : shownNames(node.lower, req.uid);
    },
  };
}
