// The passthrough's inode table: one O_PATH handle per inode the kernel knows, keyed by the source's
// (st_dev, st_ino) so that every hard link of a file is one inode.
//
// Inode numbers: the source's own st_ino where it can be (same device as the source root, a safe
// integer, not taken), so `stat` through the mount shows the source's numbers; otherwise (another
// device mounted inside the source, a collision) a number counted down from 2^53 - 1. The root is 1.
import { FuseError, sys } from '../../lib';

export const ROOT = 1;

export interface Inode {
  /** The FUSE inode number. */
  readonly ino: number;
  /** O_PATH|O_NOFOLLOW handle on the source object (a symlink's handle is the symlink). */
  readonly fd: number;
  /** The source's "st_dev:st_ino". */
  readonly key: string;
  readonly dev: number;
}

export class Inodes {
  private readonly byIno = new Map<number, Inode>();
  private readonly byKey = new Map<string, Inode>();
  private nextSynthetic = Number.MAX_SAFE_INTEGER;
  readonly root: Inode;

  /** Takes ownership of `rootFd`, an O_PATH handle on the source directory. */
  constructor(rootFd: number) {
    const st = sys.fstat(rootFd);
    this.root = { ino: ROOT, fd: rootFd, key: st.key, dev: st.dev };
    this.add(this.root);
  }

  get size(): number {
    return this.byIno.size;
  }

  /** The inode the kernel names (ESTALE if unknown: the kernel holds no count on it). */
  get(ino: number): Inode {
    const i = this.byIno.get(ino);
    if (!i) throw new FuseError('ESTALE', `no inode ${ino}`);
    return i;
  }

  /** The known inode of a source object, by "st_dev:st_ino". */
  byKeyOf(key: string): Inode | undefined {
    return this.byKey.get(key);
  }

  /**
   * The inode of the object `fd` (a fresh O_PATH handle) refers to: the known one, and `fd` is closed,
   * or a new one that owns `fd`. `fresh` says which.
   */
  intern(fd: number, st: sys.Stat): { inode: Inode; fresh: boolean } {
    const known = this.byKey.get(st.key);
    if (known) {
      sys.close(fd);
      return { inode: known, fresh: false };
    }
    const inode: Inode = { ino: this.number(st), fd, key: st.key, dev: st.dev };
    this.add(inode);
    return { inode, fresh: true };
  }

  /** The kernel forgot the inode and nothing has it open: close its handle. */
  drop(ino: number): void {
    const i = this.byIno.get(ino);
    if (!i || ino === ROOT) return;
    this.byIno.delete(ino);
    this.byKey.delete(i.key);
    sys.close(i.fd);
  }

  /** Closes every handle, the root's too (at unmount). */
  closeAll(): void {
    for (const i of this.byIno.values()) sys.close(i.fd);
    this.byIno.clear();
    this.byKey.clear();
  }

  private add(i: Inode): void {
    this.byIno.set(i.ino, i);
    this.byKey.set(i.key, i);
  }

  private number(st: sys.Stat): number {
    const n = st.ino;
    if (st.dev === this.root.dev && typeof n === 'number' && n > ROOT && !this.byIno.has(n)) return n;
    while (this.byIno.has(this.nextSynthetic)) this.nextSynthetic--;
    return this.nextSynthetic--;
  }
}
