// The lifecycle of an fd-backed inode, shared by the passthrough and the overlay: an inode that holds
// source fds (or a file handle) exists while the kernel knows it or has it open, and no longer.
//
// It is made by the first entry reply naming it (lookup, create, mknod, mkdir, symlink, link,
// readdirplus). The registry runs with `releaseForgotten`: released$ fires once the kernel has
// forgotten an inode and nothing has it open, and the filesystem closes its fds then. An inode the
// kernel never took (the entry reply failed, a readdirplus entry that did not fit) is `settle`d after
// the reply: handed to markRemoved, which releases it at once (after the entry requests in flight).
// The source keeps its files either way; we only let go of our fds.
import {
  type Attr, type Backing, type CreateRequest, type Entry, type Fuse, type OpendirRequest, type OpenRequest, ROOT_INODE, type Statx,
  type sys, type TmpfileRequest,
} from '../../lib';

/** The attributes of a source object as the inode `ino`. */
export function attrOf(ino: number, st: sys.Stat): Attr {
  return {
    ino, mode: st.mode, nlink: st.nlink, uid: st.uid, gid: st.gid, rdev: st.rdev, size: st.size,
    blocks: st.blocks, blksize: st.blksize, atime: st.atime, mtime: st.mtime, ctime: st.ctime,
  };
}

/** A statx reply from the source's statx: attrOf's fields, the birth time and the statx bits as the source gave them. */
export function statxOf(ino: number, sx: sys.Statx): Statx {
  return { ...attrOf(ino, sx), mask: sx.mask, btime: sx.btime, attributes: sx.attributes, attributesMask: sx.attributesMask };
}

export interface InodeOwner {
  /** The kernel forgot the inode and nothing has it open: close its fds. */
  release(ino: number): void;
  /** The mount is gone: close every fd. */
  closeAll(): void;
}

export class FdInodeLifecycle {
  /** `timeout`: the seconds the kernel may cache names and attributes. */
  constructor(private readonly fuse: Fuse, private readonly timeout: number, owner: InodeOwner) {
    fuse.inodes.releaseForgotten = true;
    fuse.inodes.released$.subscribe((ino) => owner.release(ino));
    fuse.closed$.subscribe(() => owner.closeAll());
  }

  entry(attr: Attr): Entry {
    return { attr, attrTimeout: this.timeout, entryTimeout: this.timeout };
  }

  /**
   * After a reply that may have named `ino`: if the kernel does not know it (the reply did not get
   * through) and nothing has it open, it is released (released$, once no entry request is in flight).
   */
  settle(ino: number): void {
    const reg = this.fuse.inodes;
    if (ino !== ROOT_INODE && !reg.isKnown(ino) && reg.openCount(ino) === 0) reg.markRemoved(ino);
  }

  replyEntry(req: { replyEntry(e: Entry): void }, attr: Attr): void {
    try {
      req.replyEntry(this.entry(attr));
    } finally {
      this.settle(attr.ino);  // after the reply: the kernel's count is in by then
    }
  }

  /**
   * Answers an open with a handle; closes it when the kernel did not take the reply (no release comes).
   * `backingFd`: pass the file through to it where the kernel grants passthrough (fuse.backing).
   */
  replyOpen(req: OpenRequest | OpendirRequest, ino: number, fh: number, close: () => void, backingFd?: number): void {
    const backing = backingFd === undefined ? undefined : this.fuse.backing.open(ino, backingFd);
    this.taking(ino, () => req.replyOpen({ fh, backing }), close, undefined, backing);
  }

  /**
   * Answers a create with the new inode's entry and open handle `fh`: `keep` when the kernel took
   * it, else `close` (no release comes).
   */
  replyCreate(req: CreateRequest | TmpfileRequest, attr: Attr, fh: number, close: () => void, keep?: () => void, backingFd?: number): void {
    const backing = backingFd === undefined ? undefined : this.fuse.backing.open(attr.ino, backingFd);
    try {
      this.taking(attr.ino, () => req.replyCreate({ ...this.entry(attr), fh, backing }), close, keep, backing);
    } finally {
      this.settle(attr.ino);
    }
  }

  /**
   * Runs `reply`; then `close` when the open count of `ino` did not grow (the kernel did not take it),
   * else `keep`. A backing handle the reply did not carry (it threw first) is given back.
   */
  private taking(ino: number, reply: () => void, close: () => void, keep?: () => void, backing?: Backing): void {
    const before = this.fuse.inodes.openCount(ino);
    try {
      reply();
    } finally {
      if (backing !== undefined) this.fuse.backing.drop(backing);
      if (this.fuse.inodes.openCount(ino) === before) close();
      else keep?.();
    }
  }
}
