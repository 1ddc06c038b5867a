// The passthrough's inode table, keyed by the source's (st_dev, st_ino) so that every hard link of a
// file is one inode.
//
// What an inode keeps of its source object: a kernel file handle where the source mount has them
// (mounts.ts), so known inodes are not bounded by the fd limit, and an O_PATH fd only while it is hot
// (a bounded LRU, fdcache.ts) or open (pinned by open files and directories). Where handles do not
// work (or are turned off), the inode keeps its O_PATH fd for as long as it is known. Either way an op
// gets an O_PATH fd on exactly the object (fd()) and works relative to it: handle → fd, then *at calls.
//
// Inode numbers: the source's own st_ino where it can be (same device as the source root, a safe
// integer, not taken), so `stat` through the mount shows the source's numbers; otherwise (another
// device mounted inside the source, a collision) a number counted down from 2^53 - 1. The root is 1.
import { errno, FuseError, sys } from '../../lib';
import { FdCache } from './fdcache';
import { type Handle, HandleMounts } from './mounts';

export const ROOT = 1;

export interface Inode {
  /** The FUSE inode number. */
  readonly ino: number;
  /** The source's "st_dev:st_ino". */
  readonly key: string;
  readonly dev: number;
  /** The object's file handle; undefined: the inode keeps `fd` while it is known. */
  readonly handle: Handle | undefined;
  /** An O_PATH|O_NOFOLLOW fd on the source object (a symlink's is the symlink), or -1 (use Inodes.fd). */
  fd: number;
  /** Open files and directories of the inode: while any, its fd stays open (an unlinked file's handle is stale). */
  pins: number;
}

export interface InodesOptions {
  /** Keep kernel file handles where the source mount has them (default true). */
  fileHandles?: boolean;
  /** How many fds of handle-keeping inodes stay open (default: from the fd limit, 16..4096). */
  fdCache?: number;
}

const { EMFILE, ENFILE } = errno;

/** An fd cache of a quarter of the fd limit, 16..4096. */
export function fdCacheSize(limit: number): number {
  return Math.max(16, Math.min(4096, Math.floor(limit / 4)));
}

export class Inodes {
  private readonly byIno = new Map<number, Inode>();
  private readonly byKey = new Map<string, Inode>();
  private nextSynthetic = Number.MAX_SAFE_INTEGER;
  private readonly mounts: HandleMounts;
  private readonly cache: FdCache<Inode>;
  readonly root: Inode;

  /** Takes ownership of `rootFd`, an O_PATH handle on the source directory (kept open). */
  constructor(rootFd: number, options: InodesOptions = {}) {
    this.mounts = new HandleMounts(options.fileHandles ?? true);
    this.cache = new FdCache<Inode>(options.fdCache ?? fdCacheSize(sys.nofileLimit().soft), (i) => this.closeFd(i));
    const st = sys.fstat(rootFd);
    this.mounts.handleOf(rootFd, st);  // decides for the source's own mount
    this.root = { ino: ROOT, key: st.key, dev: st.dev, handle: undefined, fd: rootFd, pins: 0 };
    this.add(this.root);
  }

  /** Known inodes. */
  get size(): number {
    return this.byIno.size;
  }

  /** Source fds held for inodes: kept, cached and pinned inode fds, and one per handle mount. */
  get fds(): number {
    let n = this.mounts.fds;
    for (const i of this.byIno.values()) if (i.fd >= 0) n++;
    return n;
  }

  /** The inode the kernel names (ESTALE if unknown: the kernel holds no count on it). */
  get(ino: number): Inode {
    const i = this.byIno.get(ino);
    if (!i) throw new FuseError('ESTALE', `no inode ${ino}`);
    return i;
  }

  /**
   * An O_PATH fd on the inode's object. It stays open while the op runs: the cache closes the least
   * recently used first and holds more than the few fds an op takes. ESTALE when a handle's object is
   * gone from the source.
   */
  fd(inode: Inode): number {
    if (inode.fd < 0) {
      const h = inode.handle;
      if (!h) throw new FuseError('ESTALE', `inode ${inode.ino} is closed`);  // dropped, or after unmount
      inode.fd = this.opening(() => this.mounts.open(h));
    }
    if (inode.handle && inode.pins === 0) this.cache.touch(inode);
    return inode.fd;
  }

  /** An open file or directory of the inode (its fd open: just used): the fd stays open until unpin(). */
  pin(inode: Inode): void {
    if (inode.pins++ === 0) this.cache.remove(inode);
  }

  unpin(inode: Inode): void {
    if (inode.pins === 0) return;
    if (--inode.pins === 0 && inode.handle && inode.fd >= 0 && this.byIno.get(inode.ino) === inode) this.cache.touch(inode);
  }

  /**
   * Runs `open`, a call that opens an fd; when fds run short (EMFILE, ENFILE) closes the older half
   * of the cache and tries once more.
   */
  opening(open: () => number): number {
    try {
      return open();
    } catch (e) {
      if (!(e instanceof FuseError && (e.errno === EMFILE || e.errno === ENFILE)) || this.cache.size === 0) throw e;
      this.cache.shed(Math.ceil(this.cache.size / 2));
      return open();
    }
  }

  /** The known inode of a source object, by "st_dev:st_ino". */
  byKeyOf(key: string): Inode | undefined {
    return this.byKey.get(key);
  }

  /**
   * The inode of the object `fd` (a fresh O_PATH handle) refers to: the known one, or a new one.
   * `fd` becomes the inode's (hot: cached) when it has none open; else it is closed. `fresh` says
   * whether the inode is new.
   */
  intern(fd: number, st: sys.Stat): { inode: Inode; fresh: boolean } {
    const known = this.byKey.get(st.key);
    if (known) {
      if (known.fd < 0) this.adoptFd(known, fd);
      else sys.close(fd);
      return { inode: known, fresh: false };
    }
    let handle: Handle | undefined;
    try {
      handle = this.mounts.handleOf(fd, st);
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    const inode: Inode = { ino: this.number(st), key: st.key, dev: st.dev, handle, fd: -1, pins: 0 };
    this.add(inode);
    this.adoptFd(inode, fd);
    return { inode, fresh: true };
  }

  /** The kernel forgot the inode and nothing has it open: close its fd, forget its handle. */
  drop(ino: number): void {
    const i = this.byIno.get(ino);
    if (!i || ino === ROOT) return;
    this.byIno.delete(ino);
    this.byKey.delete(i.key);
    this.cache.remove(i);
    this.closeFd(i);
  }

  /** Closes every fd, the root's and the mounts' too (at unmount). */
  closeAll(): void {
    this.cache.clear();
    for (const i of this.byIno.values()) this.closeFd(i);
    this.byIno.clear();
    this.byKey.clear();
    this.mounts.closeAll();
  }

  private adoptFd(inode: Inode, fd: number): void {
    inode.fd = fd;
    if (inode.handle && inode.pins === 0) this.cache.touch(inode);
  }

  private closeFd(i: Inode): void {
    if (i.fd < 0) return;
    const fd = i.fd;
    i.fd = -1;
    sys.close(fd);
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
