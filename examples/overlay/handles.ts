// Open files and directories of the overlay.
//
// A file handle is a real fd on the object that stood for the node when it was opened. A handle on
// the lower object outlives a copy-up of its node (the file opened read-only, then written through
// another descriptor): its next read finds the node has an upper object and reopens that, so every
// descriptor sees the same data afterwards, as with the kernel's overlayfs since 4.19.
//
// A directory handle keeps the merged listing made by its first readdir (and again at each rewind), with
// cookies 1, 2, 3, ... into it, as the kernel's overlayfs caches a merged directory per open file.
import { Dirents, FuseError, sys } from '../../lib';
import type { Node } from './nodes';

const { O } = sys;

export interface FileHandle {
  fd: number;
  readonly node: Node;
  /** Whether fd is on the upper object. */
  upper: boolean;
  /** The open flags (for reopening on the upper object). */
  readonly flags: number;
}

export interface DirHandle {
  readonly node: Node;
  /** The listing, made by the first readdir (at offset 0) and again at each rewind. */
  list: Dirents | undefined;
}

export class Handles {
  private readonly files = new Map<number, FileHandle>();
  private readonly dirs = new Map<number, DirHandle>();
  private next = 1;

  get size(): number {
    return this.files.size + this.dirs.size;
  }

  addFile(h: FileHandle): number {
    const fh = this.next++;
    this.files.set(fh, h);
    return fh;
  }

  file(fh: number): FileHandle {
    const h = this.files.get(fh);
    if (!h) throw new FuseError('EBADF', `no file handle ${fh}`);
    return h;
  }

  /**
   * The handle, on the node's upper object if it has one by now: a handle opened on the lower object
   * before a copy-up is moved to the copy (read-only, as it was opened).
   */
  current(fh: number): FileHandle {
    const h = this.file(fh);
    if (!h.upper && h.node.upper !== undefined) {
      const fd = sys.reopen(h.node.upper, h.flags & ~(O.TRUNC | O.CREAT | O.EXCL | O.NOCTTY));
      sys.close(h.fd);
      h.fd = fd;
      h.upper = true;
    }
    return h;
  }

  closeFile(fh: number): void {
    const h = this.files.get(fh);
    if (!h) return;
    this.files.delete(fh);
    sys.close(h.fd);
  }

  addDir(h: DirHandle): number {
    const fh = this.next++;
    this.dirs.set(fh, h);
    return fh;
  }

  dir(fh: number): DirHandle {
    const h = this.dirs.get(fh);
    if (!h) throw new FuseError('EBADF', `no directory handle ${fh}`);
    return h;
  }

  closeDir(fh: number): void {
    this.dirs.delete(fh);
  }

  closeAll(): void {
    for (const h of this.files.values()) sys.close(h.fd);
    this.files.clear();
    this.dirs.clear();
  }
}
