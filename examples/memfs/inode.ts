// Inodes: attributes, the payload of each kind (file data, directory, symlink target), xattrs,
// and the table that numbers, counts and frees them.
import { constants as K } from 'node:fs';
import { type Attr, FuseError, type Statx, type Timespec } from '../../lib';
import { clock } from './clock';
import { FileData, PAGE, Space } from './data';
import { STATX_ATTRIBUTES_MASK, statxAttributes } from './flags';
import { Directory } from './dir';
import { Xattrs } from './xattrs';

/** tmpfs's directory size: 2 entries for a new directory, BOGO_DIRENT_SIZE (20) per name. */
export const BOGO_DIRENT = 20;
/** tmpfs keeps a symlink target of up to 127 bytes in the inode; a longer one takes a page. */
const SHORT_SYMLINK = 128;

/** A whole number in int32 range as a V8 small integer (no boxed double per field), else as is. */
function small(v: number): number {
  return (v | 0) === v ? v | 0 : v;
}

export class Node {
  nlink: number;
  size = 0;
  rdev = 0;
  /** FS_*_FL flags (lsattr/chattr; see flags.ts). */
  flags = 0;
  // The four times as eight numbers, not four Timespec objects (~160 bytes of heap per inode less).
  // The birth time is set at creation and never moves, as tmpfs's i_crtime.
  private atimeSec: number;
  private atimeNsec: number;
  private mtimeSec: number;
  private mtimeNsec: number;
  private ctimeSec: number;
  private ctimeNsec: number;
  private readonly btimeSec: number;
  private readonly btimeNsec: number;
  /** Regular files. */
  data?: FileData;
  /** Directories; `parent` is the directory holding it (the root's is itself). */
  dir?: Directory;
  parent = 0;
  /** Symlinks. */
  target?: Buffer;
  xattrs?: Xattrs;

  constructor(readonly ino: number, public mode: number, public uid: number, public gid: number, t: Timespec) {
    this.nlink = this.isDir ? 2 : 1;
    this.atimeSec = this.mtimeSec = this.ctimeSec = small(t.sec);
    this.atimeNsec = this.mtimeNsec = this.ctimeNsec = small(t.nsec);
    this.btimeSec = small(t.sec);
    this.btimeNsec = small(t.nsec);
  }

  get btime(): Timespec {
    return { sec: this.btimeSec, nsec: this.btimeNsec };
  }

  get atime(): Timespec {
    return { sec: this.atimeSec, nsec: this.atimeNsec };
  }
  set atime(t: Timespec) {
    this.atimeSec = small(t.sec);
    this.atimeNsec = small(t.nsec);
  }
  get mtime(): Timespec {
    return { sec: this.mtimeSec, nsec: this.mtimeNsec };
  }
  set mtime(t: Timespec) {
    this.mtimeSec = small(t.sec);
    this.mtimeNsec = small(t.nsec);
  }
  get ctime(): Timespec {
    return { sec: this.ctimeSec, nsec: this.ctimeNsec };
  }
  set ctime(t: Timespec) {
    this.ctimeSec = small(t.sec);
    this.ctimeNsec = small(t.nsec);
  }

  get type(): number {
    return this.mode & K.S_IFMT;
  }
  get isDir(): boolean {
    return (this.mode & K.S_IFMT) === K.S_IFDIR;
  }

  /** Pages held outside file data: a long symlink target. */
  get extraPages(): number {
    return this.target && this.target.length + 1 > SHORT_SYMLINK ? 1 : 0;
  }

  attr(): Attr {
    const data = this.data;
    return {
      ino: this.ino,
      mode: this.mode,
      nlink: this.nlink,
      uid: this.uid,
      gid: this.gid,
      rdev: this.rdev,
      size: data ? data.size : this.size,
      blocks: data ? data.blocks : this.extraPages * 8,
      blksize: 4096,
      atime: this.atime,
      mtime: this.mtime,
      ctime: this.ctime,
    };
  }

  /** attr() with the birth time and the flags as statx attributes, as tmpfs answers statx. */
  statx(): Statx {
    return { ...this.attr(), btime: this.btime, attributes: statxAttributes(this.flags), attributesMask: STATX_ATTRIBUTES_MASK };
  }

  /** The change time moves (chmod, chown, link counts, xattrs, renames). */
  changed(t: Timespec = clock()): void {
    this.ctime = t;
  }

  /** Contents changed: mtime and ctime (writes, truncate, entries added or removed). */
  modified(t: Timespec = clock()): void {
    this.mtime = t;
    this.ctime = t;
  }
}

export interface TableLimits {
  /** Pages of data (statfs f_blocks). */
  pages: number;
  /** Inodes (statfs f_files); as tmpfs, each extra hard link counts as one. */
  inodes: number;
}

export class InodeTable {
  readonly space: Space;
  readonly maxInodes: number;
  /** Inodes in use, plus one per extra hard link (tmpfs's accounting). */
  usedInodes = 0;
  private readonly nodes = new Map<number, Node>();
  private nextIno = 2;

  constructor(limits: TableLimits) {
    this.space = new Space(limits.pages);
    this.maxInodes = limits.inodes;
  }

  get(ino: number): Node {
    const n = this.nodes.get(ino);
    if (!n) throw new FuseError('ENOENT');  // a stale inode number: the kernel should never send one
    return n;
  }

  /** A new inode of the given mode (type and permission bits); ENOSPC when the table is full. */
  create(mode: number, uid: number, gid: number, t: Timespec, ino?: number): Node {
    if (this.usedInodes >= this.maxInodes) throw new FuseError('ENOSPC');
    const n = new Node(ino ?? this.nextIno++, mode, uid, gid, t);
    const type = mode & K.S_IFMT;
    if (type === K.S_IFREG) n.data = new FileData(this.space);
    else if (type === K.S_IFDIR) {
      n.dir = new Directory();
      n.size = 2 * BOGO_DIRENT;
    }
    this.nodes.set(n.ino, n);
    this.usedInodes++;
    return n;
  }

  /** Claims a page for a long symlink target (ENOSPC when none is free). */
  reserve(pages: number): void {
    if (pages > this.space.free) throw new FuseError('ENOSPC');
    this.space.used += pages;
  }

  /** A name more for an existing inode. */
  linked(): void {
    if (this.usedInodes >= this.maxInodes) throw new FuseError('ENOSPC');
    this.usedInodes++;
  }

  /** A name less, for an inode that keeps other names. */
  unlinked(): void {
    this.usedInodes--;
  }

  /**
   * The inode is gone for good (no name, no lookup, nothing open): frees its data. Answers about
   * how many bytes of memory that lets go (its pages and ~1 KiB for its objects).
   */
  free(ino: number): number {
    const n = this.nodes.get(ino);
    if (!n) return 0;
    this.nodes.delete(ino);
    const pages = (n.data?.pages ?? 0) + n.extraPages;
    n.data?.clear();
    this.space.used -= n.extraPages;
    this.usedInodes--;
    return pages * PAGE + 1024;
  }

  get count(): number {
    return this.nodes.size;
  }
}
