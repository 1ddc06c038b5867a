// memfs: the handlers, one per op, and their wiring table. See examples/memfs.ts for the design.
import { constants as K } from 'node:fs';
import * as os from 'node:os';
import type { Subscription } from 'rxjs';
import {
  type AccessRequest, type Attr, type CreateRequest, Dirents, type Entry, FallocFlags, type FallocateRequest,
  type Fuse, FuseError, type GetattrRequest, type GetxattrRequest, type IoctlRequest, type LinkRequest, type ListxattrRequest, type LookupRequest,
  type LseekRequest, type MkdirRequest, type MknodRequest, type NegativeEntry, type OpendirRequest,
  type OpenRequest, type ReaddirplusRequest, type ReaddirRequest, type ReadlinkRequest, type ReadRequest,
  RenameFlags, type RenameRequest, type RemovexattrRequest, type Request, type RmdirRequest, SetattrValid,
  type SetattrRequest, type SetxattrRequest, type Statfs, type Statx, type StatxRequest, type SymlinkRequest, type Timespec, type TmpfileRequest, type UnlinkRequest,
  type U64, type WriteRequest,
} from '../../lib';
import { ACL_ACCESS, ACL_DEFAULT, aclMode, chmodAcl, formatAcl, inheritAcl, isAclName, parseAcl } from './acl';
import { MountAtime } from './atime';
import { clock } from './clock';
import { PAGE } from './data';
import { Directory, DOT_COOKIE, DOTDOT_COOKIE } from './dir';
import {
  checkDeletable, checkFallocate, checkMutable, checkOpen, checkSetattr, flagsIoctl, FS_NOATIME_FL, inheritedFlags,
  isFlagsIoctl,
} from './flags';
import { BOGO_DIRENT, InodeTable, type Node } from './inode';
import { Reclaimer, type ReclaimOptions } from './reclaim';
import { Xattrs, checkName as checkXattrName } from './xattrs';

export interface MemFsOptions {
  /** Bytes of data the filesystem holds (statfs f_blocks); default half of RAM, as tmpfs. */
  size?: number;
  /** Inodes (statfs f_files); default as many as pages, as tmpfs. */
  inodes?: number;
  /** Permission bits of the root directory; default 01777, as tmpfs. */
  rootMode?: number;
  /** Owner of the root directory; default the process's. */
  uid?: number;
  gid?: number;
  /** When to collect garbage and trim the heap after deletions (see reclaim.ts); false: never. */
  reclaim?: ReclaimOptions | false;
  /** Seconds the kernel may cache attributes and names (default 1). */
  attrTimeout?: number;
  entryTimeout?: number;
  /**
   * The kernel's writeback cache (memfsOptions({ writeback: true }) asks for it): writes land in the
   * page cache and reach memfs in pages, later; the kernel then owns size, mtime and ctime of open
   * regular files and sends them as setattr. Default off.
   */
  writeback?: boolean;
}

const ROOT = 1;
const NAME_MAX = 255;
const PATH_MAX = 4096;
const SEEK_DATA = 3;
const SEEK_HOLE = 4;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const RENAME_KNOWN = RenameFlags.NOREPLACE | RenameFlags.EXCHANGE | RenameFlags.WHITEOUT;
const FALLOC_KNOWN = FallocFlags.KEEP_SIZE | FallocFlags.PUNCH_HOLE | FallocFlags.ZERO_RANGE;
/** setattr bits that are a change of the inode (ctime), whatever the values. */
const CHANGES = SetattrValid.MODE | SetattrValid.UID | SetattrValid.GID | SetattrValid.ATIME | SetattrValid.MTIME
  | SetattrValid.ATIME_NOW | SetattrValid.MTIME_NOW;
/** Bytes of a readdir / readdirplus record before its name (fuse_dirent, fuse_direntplus). */
const DIRENT_BYTES = 24;
const DIRENTPLUS_BYTES = 152;

function fail(code: string): never {
  throw new FuseError(code);
}

export class MemFs {
  readonly table: InodeTable;
  private readonly attrTimeout: number;
  private readonly entryTimeout: number;
  private fuse: Fuse | undefined;
  private readonly reclaimer: Reclaimer | undefined;
  /** The mount's noatime/nodiratime/relatime/strictatime (atime.ts). */
  private readonly atime = new MountAtime(() => this.fuse?.mountpoint ?? '');

  constructor(options: MemFsOptions = {}) {
    const half = Math.floor(os.totalmem() / 2 / PAGE);
    const pages = options.size !== undefined ? Math.floor(options.size / PAGE) : half;
    this.table = new InodeTable({ pages, inodes: options.inodes ?? pages });
    this.attrTimeout = options.attrTimeout ?? 1;
    this.entryTimeout = options.entryTimeout ?? 1;
    if (options.reclaim !== false) this.reclaimer = new Reclaimer(options.reclaim);
    const root = this.table.create(K.S_IFDIR | ((options.rootMode ?? 0o1777) & 0o7777),
      options.uid ?? process.getuid?.() ?? 0, options.gid ?? process.getgid?.() ?? 0, clock(), ROOT);
    root.parent = ROOT;
  }

  /** Attaches the handlers (before mount). Inodes unlinked while known or open are freed on released$. */
  attach(fuse: Fuse): Subscription {
    this.fuse = fuse;
    const sub = fuse.inodes.released$.subscribe((ino) => {
      const bytes = this.table.free(ino);
      this.reclaimer?.freedBytes(bytes);
    });
    sub.add(() => this.reclaimer?.stop());
    sub.add(fuse.handleAll({
      lookup: (req) => this.lookup(req),
      getattr: (req) => this.getattr(req),
      statx: (req) => this.statx(req),
      setattr: (req) => this.setattr(req),
      readlink: (req) => this.readlink(req),
      mknod: (req) => this.mknod(req),
      mkdir: (req) => this.mkdir(req),
      symlink: (req) => this.symlink(req),
      create: (req) => this.create(req),
      tmpfile: (req) => this.tmpfile(req),
      link: (req) => this.link(req),
      unlink: (req) => this.unlink(req),
      rmdir: (req) => this.rmdir(req),
      rename: (req) => this.rename(req),
      open: (req) => this.open(req),
      read: (req) => this.read(req),
      write: (req) => this.write(req),
      flush: () => undefined,
      fsync: () => undefined,
      release: () => undefined,
      fallocate: (req) => this.fallocate(req),
      lseek: (req) => this.lseek(req),
      opendir: (req) => this.opendir(req),
      readdir: (req) => this.readdir(req),
      readdirplus: (req) => this.readdirplus(req),
      fsyncdir: () => undefined,
      releasedir: () => undefined,
      statfs: () => this.statfs(),
      setxattr: (req) => this.setxattr(req),
      getxattr: (req) => this.getxattr(req),
      listxattr: (req) => this.listxattr(req),
      removexattr: (req) => this.removexattr(req),
      access: (req) => this.access(req),
      ioctl: (req) => this.ioctl(req),
    }));
    return sub;
  }

  // ---- names ------------------------------------------------------------------------------------

  lookup(req: LookupRequest): Entry | NegativeEntry {
    const d = this.dirOf(req.parent);
    const key = req.nameKey;
    if (key === '.') return this.entry(d);
    if (key === '..') return this.entry(this.table.get(d.parent));
    checkName(key);
    const e = d.dir!.get(key);
    // A negative entry: every change goes through the kernel, which drops it on create.
    if (!e) return { ino: 0, entryTimeout: this.entryTimeout };
    return this.entry(this.table.get(e.ino));
  }

  mknod(req: MknodRequest): Entry {
    const n = this.make(req, req.parent, req.nameKey, req.mode);
    const type = n.type;
    if (type === K.S_IFCHR || type === K.S_IFBLK) n.rdev = req.rdev;
    return this.entry(n);
  }

  mkdir(req: MkdirRequest): Entry {
    return this.entry(this.make(req, req.parent, req.nameKey, K.S_IFDIR | (req.mode & 0o7777)));
  }

  symlink(req: SymlinkRequest): Entry {
    const target = req.target;
    if (target.length >= PATH_MAX) fail('ENAMETOOLONG');
    // tmpfs keeps targets up to 127 bytes in the inode; a longer one takes a page of the budget.
    const pages = target.length + 1 > 128 ? 1 : 0;
    if (pages > this.table.space.free) fail('ENOSPC');
    const n = this.make(req, req.parent, req.nameKey, K.S_IFLNK | 0o777, (x) => {
      x.target = target;
      x.size = target.length;
      this.table.space.used += pages;
    });
    return this.entry(n);
  }

  create(req: CreateRequest): Entry & { fh: number } {
    const n = this.make(req, req.parent, req.nameKey, K.S_IFREG | (req.mode & 0o7777));
    return { ...this.entry(n), fh: 0 };
  }

  /**
   * O_TMPFILE: a regular file in no directory, nlink 0, open; freed at its last close unless
   * linked.
   */
  tmpfile(req: TmpfileRequest): Entry & { fh: number } {
    const d = this.dirOf(req.parent);
    checkMutable(d);
    const n = this.newInode(req, d, K.S_IFREG | (req.mode & 0o7777), clock());
    n.nlink = 0;
    // Removed at once: the registry holds it while this request is in flight, and the reply's lookup
    // and open keep it; the last close and forget free it (unless link() brought it back).
    this.fuse?.inodes.markRemoved(n.ino);
    return { ...this.entry(n), fh: 0 };
  }

  link(req: LinkRequest): Entry {
    const n = this.table.get(req.ino);
    if (n.isDir) fail('EPERM');
    const d = this.dirOf(req.newParent);
    const key = req.newNameKey;
    checkName(key);
    if (d.dir!.get(key)) fail('EEXIST');
    checkMutable(d);
    checkDeletable(n);  // vfs_link: no new name for an append-only or immutable inode
    // An O_TMPFILE inode (nlink 0; the kernel refuses others with no link) still holds its inode count.
    if (n.nlink === 0) this.fuse?.inodes.unmarkRemoved(n.ino);
    else this.table.linked();
    const t = clock();
    n.nlink++;
    n.changed(t);
    this.addName(d, key, n, t);
    return this.entry(n);
  }

  unlink(req: UnlinkRequest): void {
    const d = this.dirOf(req.parent);
    const key = req.nameKey;
    const n = this.child(d, key);
    if (n.isDir) fail('EISDIR');
    removable(d, n);
    const t = clock();
    this.removeName(d, key, t);
    this.dropLink(n, t);
  }

  rmdir(req: RmdirRequest): void {
    const d = this.dirOf(req.parent);
    const key = req.nameKey;
    const n = this.child(d, key);
    if (!n.isDir) fail('ENOTDIR');
    removable(d, n);
    if (n.dir!.count > 0) fail('ENOTEMPTY');
    const t = clock();
    this.removeName(d, key, t);
    this.dropLink(n, t);
  }

  rename(req: RenameRequest): void {
    const flags = req.flags;
    if (flags & ~RENAME_KNOWN) fail('EINVAL');
    if (flags & RenameFlags.EXCHANGE && flags & (RenameFlags.NOREPLACE | RenameFlags.WHITEOUT)) fail('EINVAL');
    const sd = this.dirOf(req.parent);
    const dd = this.dirOf(req.newParent);
    const key = req.nameKey;
    const newKey = req.newNameKey;
    checkName(newKey);
    const se = sd.dir!.get(key) ?? fail('ENOENT');
    const n = this.table.get(se.ino);
    const de = dd.dir!.get(newKey);
    const m = de ? this.table.get(de.ino) : undefined;
    if (flags & RenameFlags.EXCHANGE) {
      if (!m || !de) fail('ENOENT');
      if (m === n) return;
      removable(sd, n);
      removable(dd, m);
      if ((n.isDir && this.within(dd, n)) || (m.isDir && this.within(sd, m))) fail('EINVAL');
      this.exchange(sd, key, n, dd, newKey, m);
      return;
    }
    if (m) {
      if (flags & RenameFlags.NOREPLACE) fail('EEXIST');
      if (m === n) return;  // two names of one inode: rename does nothing (POSIX)
      if (n.isDir) {
        if (!m.isDir) fail('ENOTDIR');
        if (m.dir!.count > 0) fail('ENOTEMPTY');
      } else if (m.isDir) fail('EISDIR');
    }
    if (n.isDir && this.within(dd, n)) fail('EINVAL');
    removable(sd, n);
    if (m) removable(dd, m);
    else checkMutable(dd);
    const t = clock();
    // RENAME_WHITEOUT leaves a 0:0 character device at the old name (overlayfs); made first so
    // that ENOSPC changes nothing.
    const whiteout = flags & RenameFlags.WHITEOUT
      ? this.table.create(K.S_IFCHR, req.uid, this.newGid(sd, req), t)
      : undefined;
    this.removeName(sd, key, t);
    if (whiteout) this.addName(sd, key, whiteout, t);
    if (m) {
      this.removeName(dd, newKey, t);
      this.dropLink(m, t);
    }
    this.addName(dd, newKey, n, t);
    if (n.isDir) sd.nlink--;  // its ".." left sd: addName counted it in dd
    n.changed(t);
  }

  // ---- attributes -------------------------------------------------------------------------------

  getattr(req: GetattrRequest): { attr: Attr; timeout: number } {
    return { attr: this.table.get(req.ino).attr(), timeout: this.attrTimeout };
  }

  /** getattr with the birth time (set at creation, as tmpfs) and the flags as statx attributes. */
  statx(req: StatxRequest): { attr: Statx; timeout: number } {
    return { attr: this.table.get(req.ino).statx(), timeout: this.attrTimeout };
  }

  setattr(req: SetattrRequest): { attr: Attr; timeout: number } {
    const n = this.table.get(req.ino);
    const set = req.toSet;
    checkSetattr(n, {
      metadata: (set & (SetattrValid.MODE | SetattrValid.UID | SetattrValid.GID)) !== 0,
      size: (set & SetattrValid.SIZE) !== 0,
      viaHandle: req.hasFh,
      explicitTimes: (req.atime !== undefined && req.atime !== 'now') || (req.mtime !== undefined && req.mtime !== 'now'),
      touch: req.atime === 'now' || req.mtime === 'now',
    });
    const t = clock();
    if (set & SetattrValid.SIZE) {
      if (!n.data) fail(n.isDir ? 'EISDIR' : 'EINVAL');
      // As tmpfs: ftruncate (it comes with a file handle) always moves mtime and ctime,
      // truncate(2) only when the size changes or the file holds pages.
      if (n.data.truncate(req.size64!) || req.hasFh) n.modified(t);
    }
    // Suid/sgid clearing on write, truncate and chown arrives here as a mode change: the kernel
    // does it itself because handle_killpriv is off (see memfsOptions).
    if (set & SetattrValid.MODE) {
      n.mode = (n.mode & K.S_IFMT) | (req.mode! & 0o7777);
      this.chmodAcl(n);
    }
    if (set & SetattrValid.SIZE) this.dropPrivs(n, req);
    if (set & SetattrValid.UID) n.uid = req.uidToSet!;
    if (set & SetattrValid.GID) n.gid = req.gidToSet!;
    const at = req.atime;
    if (at) n.atime = at === 'now' ? t : at;
    const mt = req.mtime;
    if (mt) n.mtime = mt === 'now' ? t : mt;
    // Any attribute set is a change, chown(-1, -1) included (it arrives with nothing to set).
    const ct = req.ctime;
    if (ct) n.ctime = ct;
    else if (set & CHANGES || (set & ~SetattrValid.FILE) === 0) n.ctime = t;
    return { attr: n.attr(), timeout: this.attrTimeout };
  }

  access(req: AccessRequest): void {
    // Only asked without default_permissions; the same check the kernel makes from the mode bits.
    const n = this.table.get(req.ino);
    const mask = req.mask & 7;
    if (mask === 0) return;
    if (req.uid === 0) {
      if (mask & 1 && !n.isDir && (n.mode & 0o111) === 0) fail('EACCES');
      return;
    }
    let bits: number;
    if (req.uid === n.uid) bits = n.mode >> 6;
    else if (inGroup(req, n.gid)) bits = n.mode >> 3;
    else bits = n.mode;
    if ((bits & mask) !== mask) fail('EACCES');
  }

  readlink(req: ReadlinkRequest): Buffer {
    const n = this.table.get(req.ino);
    if (!n.target) fail('EINVAL');
    this.accessed(n);
    return n.target;
  }

  statfs(): Statfs {
    const space = this.table.space;
    const t = this.table;
    const ffree = Math.max(0, t.maxInodes - t.usedInodes);
    return {
      bsize: PAGE, frsize: PAGE, blocks: space.total, bfree: space.free, bavail: space.free,
      files: t.maxInodes, ffree, favail: ffree, namemax: NAME_MAX,
    };
  }

  // ---- file contents ----------------------------------------------------------------------------

  open(req: OpenRequest): { fh: number } {
    const n = this.table.get(req.ino);
    if (n.isDir) fail('EISDIR');
    checkOpen(n, req.flags);
    // O_TRUNC arrives here (atomic_o_trunc): tmpfs moves mtime and ctime even for an empty file.
    if (req.flags & K.O_TRUNC && n.data) {
      n.data.truncate(0);
      n.modified();
      // The kernel skips its suid-clearing setattr for an atomic O_TRUNC open.
      this.dropPrivs(n, req);
    }
    return { fh: 0 };
  }

  read(req: ReadRequest): Buffer {
    const n = this.table.get(req.ino);
    if (!n.data) fail(n.isDir ? 'EISDIR' : 'EINVAL');
    this.accessed(n);
    return n.data.read(req.offset64, req.size);
  }

  write(req: WriteRequest): number | Promise<number> {
    const n = this.table.get(req.ino);
    if (!n.data) fail(n.isDir ? 'EISDIR' : 'EINVAL');
    const pages = n.data.pages;
    const count = n.data.write(req.offset64, req.data);
    n.modified();
    if (!req.writepage) this.dropPrivs(n, req);
    // A page written back from the kernel's cache: its attributes (st_blocks) are stale there, and
    // the kernel drops them only when told (it keeps its own size and times under writeback). Told
    // before the write is answered, so that an fsync waiting for it sees the new count.
    else if (n.data.pages !== pages && this.fuse) return this.fuse.invalidateInode(n.ino, -1).then(() => count, () => count);
    return count;
  }

  fallocate(req: FallocateRequest): void {
    const n = this.table.get(req.ino);
    if (!n.data) fail('ENODEV');
    const mode = req.mode;
    checkFallocate(n, mode, FallocFlags.KEEP_SIZE);
    if (mode & ~FALLOC_KNOWN) fail('EOPNOTSUPP');  // as tmpfs: no COLLAPSE or INSERT
    const keepSize = (mode & FallocFlags.KEEP_SIZE) !== 0;
    if (mode & FallocFlags.PUNCH_HOLE) n.data.punch(req.offset64, req.length64);
    else if (mode & FallocFlags.ZERO_RANGE) n.data.zero(req.offset64, req.length64, keepSize);
    else n.data.allocate(req.offset64, req.length64, keepSize);
    n.modified();
  }

  lseek(req: LseekRequest): U64 {
    const n = this.table.get(req.ino);
    if (!n.data) fail('EINVAL');
    if (req.whence === SEEK_DATA) return n.data.seekData(req.offset64);
    if (req.whence === SEEK_HOLE) return n.data.seekHole(req.offset64);
    fail('EINVAL');
  }

  // ---- directories ------------------------------------------------------------------------------

  opendir(req: OpendirRequest): { fh: number } {
    this.dirOf(req.ino);
    return { fh: 0 };
  }

  readdir(req: ReaddirRequest): Dirents {
    return this.listing(req.ino, req.offset, req.size, false);
  }

  readdirplus(req: ReaddirplusRequest): Dirents {
    return this.listing(req.ino, req.offset, req.size, true);
  }

  /**
   * The entries after cookie `offset`, as many as the kernel's buffer can take: work per request is
   * bounded by the buffer, not the directory.
   */
  private listing(ino: number, offset: number, size: number, plus: boolean): Dirents {
    const d = this.dirOf(ino);
    this.accessed(d);
    const list = new Dirents(plus ? 8 : 32);
    let bytes = 0;
    const add = (name: Buffer | string, n: Node, cookie: number): void => {
      if (plus) list.addEntry(name, this.entry(n), cookie);
      else list.add(name, n.ino, n.mode, cookie);
      bytes += (plus ? DIRENTPLUS_BYTES : DIRENT_BYTES) + ((name.length + 7) & ~7);
    };
    if (offset < DOT_COOKIE) add('.', d, DOT_COOKIE);
    if (offset < DOTDOT_COOKIE) add('..', this.table.get(d.parent), DOTDOT_COOKIE);
    for (const e of d.dir!.after(offset)) {
      if (bytes > size) break;
      add(Buffer.from(e.key, 'latin1'), this.table.get(e.ino), Directory.cookie(e));
    }
    return list;
  }

  // ---- xattrs -----------------------------------------------------------------------------------

  setxattr(req: SetxattrRequest): void {
    const n = this.table.get(req.ino);
    checkDeletable(n);  // xattr_permission: no xattr changes on append-only or immutable inodes
    const key = req.nameKey;
    if (isAclName(key)) this.setAcl(n, key, parseAcl(req.value), req);
    else (n.xattrs ??= new Xattrs()).set(key, req.value, req.flags);
    n.changed();
  }

  /**
   * As tmpfs (simple_set_acl): a default ACL only on directories; an access ACL sets the mode and
   * is dropped when the mode says it all; set-group-ID goes when the caller is not in the group.
   */
  private setAcl(n: Node, key: string, acl: ReturnType<typeof parseAcl>, req: Request): void {
    if (key === ACL_DEFAULT && !n.isDir) fail('EACCES');
    const xattrs = (n.xattrs ??= new Xattrs());
    if (key === ACL_ACCESS) {
      const { mode, equivalent } = aclMode(acl, n.mode);
      n.mode = this.keptSgid(mode, n, req);
      if (equivalent) {
        xattrs.drop(key);
        return;
      }
    }
    xattrs.set(key, formatAcl(acl), 0);
  }

  /** posix_acl_update_mode: set-group-ID stays only for a member of the group or a privileged caller. */
  private keptSgid(mode: number, n: Node, req: Request): number {
    return req.uid === 0 || inGroup(req, n.gid) ? mode : mode & ~S_ISGID;
  }

  /** posix_acl_chmod: the access ACL follows a new mode. */
  private chmodAcl(n: Node): void {
    const v = n.xattrs?.peek(ACL_ACCESS);
    if (v) n.xattrs!.set(ACL_ACCESS, formatAcl(chmodAcl(parseAcl(v), n.mode)), 0);
  }

  getxattr(req: GetxattrRequest): Buffer {
    const n = this.table.get(req.ino);
    const key = req.nameKey;
    if (!n.xattrs) {
      checkXattrName(key);
      fail('ENODATA');
    }
    return n.xattrs.get(key);
  }

  listxattr(req: ListxattrRequest): Buffer[] {
    // tmpfs hides trusted.* from callers without CAP_SYS_ADMIN (uid 0 stands for it here).
    return this.table.get(req.ino).xattrs?.names(req.uid === 0) ?? [];
  }

  removexattr(req: RemovexattrRequest): void {
    const n = this.table.get(req.ino);
    const key = req.nameKey;
    checkDeletable(n);
    if (isAclName(key)) {
      // As tmpfs: removing an ACL always succeeds and is a change; the mode stays.
      n.xattrs?.drop(key);
      if (key === ACL_ACCESS) n.mode = this.keptSgid(n.mode, n, req);
    } else {
      if (!n.xattrs) {
        checkXattrName(key);
        fail('ENODATA');
      }
      n.xattrs.remove(key);
    }
    n.changed();
  }

  // ---- file flags (lsattr, chattr) ------------------------------------------------------------

  async ioctl(req: IoctlRequest): Promise<Buffer | number> {
    const n = this.table.get(req.ino);
    const cmd = req.cmd;
    if (!isFlagsIoctl(cmd)) fail('ENOTTY');
    const out = flagsIoctl(n, cmd, req.inData, req.uid);
    if (out) return out;
    n.changed();  // tmpfs moves ctime on every flags change
    // The kernel keeps the attributes it cached (no FUSE op changed them): drop them before the
    // caller returns, so that a stat right after chattr sees the new ctime. Only attributes: no lock
    // the kernel holds during the ioctl (the inode's) is taken.
    await this.fuse?.invalidateInode(n.ino, -1);
    return 0;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private entry(n: Node): Entry {
    return { attr: n.attr(), attrTimeout: this.attrTimeout, entryTimeout: this.entryTimeout };
  }

  private dirOf(ino: number): Node {
    const d = this.table.get(ino);
    if (!d.dir) fail('ENOTDIR');
    return d;
  }

  private child(d: Node, key: string): Node {
    checkName(key);
    const e = d.dir!.get(key) ?? fail('ENOENT');
    return this.table.get(e.ino);
  }

  /** The group of a new inode: the directory's when it is setgid (BSD semantics), else the caller's. */
  private newGid(d: Node, req: Request): number {
    return d.mode & S_ISGID ? d.gid : req.gid;
  }

  /** A new inode named `key` in directory `parent`, owned by the caller, with the ACLs it inherits. */
  private make(req: Request, parent: number, key: string, mode: number, init?: (n: Node) => void): Node {
    const d = this.dirOf(parent);
    checkName(key);
    if (d.dir!.get(key)) fail('EEXIST');
    checkMutable(d);
    // A subdirectory of a setgid directory is setgid too (the kernel already dropped S_ISGID from
    // a file's mode when the caller is not in the group).
    if ((mode & K.S_IFMT) === K.S_IFDIR && d.mode & S_ISGID) mode |= S_ISGID;
    const t = clock();
    const n = this.newInode(req, d, mode, t);
    init?.(n);
    this.addName(d, key, n, t);
    return n;
  }

  /** A new inode in directory d (named or not), owned by the caller, with the mode and ACLs it inherits. */
  private newInode(req: Request, d: Node, mode: number, t: Timespec): Node {
    const dflt = (mode & K.S_IFMT) === K.S_IFLNK ? undefined : d.xattrs?.peek(ACL_DEFAULT);
    const inherited = dflt ? inheritAcl(parseAcl(dflt), mode) : undefined;
    // With posix_acl the kernel leaves the umask to us (dont_mask): applied only without a default ACL.
    if (inherited) mode = inherited.mode;
    else if ((mode & K.S_IFMT) !== K.S_IFLNK) mode &= ~(req.umask & 0o777);
    const n = this.table.create(mode, req.uid, this.newGid(d, req), t);
    n.flags = inheritedFlags(d);
    if (inherited?.access) (n.xattrs ??= new Xattrs()).set(ACL_ACCESS, formatAcl(inherited.access), 0);
    if (dflt && n.isDir) (n.xattrs ??= new Xattrs()).set(ACL_DEFAULT, dflt, 0);
    return n;
  }

  private addName(d: Node, key: string, n: Node, t: Timespec): void {
    d.dir!.add(key, n.ino);
    d.size += BOGO_DIRENT;
    if (n.isDir) {
      d.nlink++;
      n.parent = d.ino;
    }
    d.modified(t);
  }

  private removeName(d: Node, key: string, t: Timespec): void {
    d.dir!.remove(key);
    d.size -= BOGO_DIRENT;
    d.modified(t);
  }

  /** One name of n is gone: the last one hands the inode to the registry, which frees it when the kernel is done. */
  private dropLink(n: Node, t: Timespec): void {
    n.changed(t);
    if (n.isDir) {
      this.table.get(n.parent).nlink--;  // its ".."
      n.nlink = 0;
    } else if (--n.nlink > 0) {
      this.table.unlinked();
      return;
    }
    if (this.fuse) this.fuse.inodes.markRemoved(n.ino);
    else this.table.free(n.ino);
  }

  /** RENAME_EXCHANGE: both names stay, their inodes swap; both entries move to the front as in tmpfs. */
  private exchange(sd: Node, key: string, n: Node, dd: Node, newKey: string, m: Node): void {
    const t = clock();
    sd.dir!.add(key, m.ino);
    dd.dir!.add(newKey, n.ino);
    if (sd !== dd && n.isDir !== m.isDir) {
      const [from, to] = n.isDir ? [sd, dd] : [dd, sd];
      from.nlink--;
      to.nlink++;
    }
    if (n.isDir) n.parent = dd.ino;
    if (m.isDir) m.parent = sd.ino;
    sd.modified(t);
    dd.modified(t);
    n.changed(t);
    m.changed(t);
  }

  /** Whether directory d is n or lies below it (a directory cannot move into its own subtree). */
  private within(d: Node, n: Node): boolean {
    for (let x = d, hops = 0; hops <= this.table.count; x = this.table.get(x.parent), hops++) {
      if (x === n) return true;
      if (x.ino === ROOT) return false;
    }
    return true;  // a broken parent chain: refuse rather than loop
  }

  /** Reads, listings and readlink move atime as the mount's atime options say (atime.ts). */
  private accessed(n: Node): void {
    if (n.flags & FS_NOATIME_FL) return;
    const t = clock();
    if (this.atime.due(n, n.isDir, t)) n.atime = t;
  }

  /**
   * What tmpfs clears when a caller without CAP_FSETID (uid 0 stands for it) writes or truncates:
   * set-user-ID, and set-group-ID when group-executable or when the caller is not in the file's
   * group. The kernel sends the first two as a setattr (handle_killpriv off) except on an atomic
   * O_TRUNC open; the last it leaves to the filesystem.
   */
  private dropPrivs(n: Node, req: Request): void {
    if (req.uid === 0 || (n.mode & (S_ISUID | S_ISGID)) === 0) return;
    let mode = n.mode & ~S_ISUID;
    if (mode & S_ISGID && (mode & 0o010 || !inGroup(req, n.gid))) mode &= ~S_ISGID;
    if (mode !== n.mode) {
      n.mode = mode;
      n.changed();
    }
  }
}

function inGroup(req: Request, gid: number): boolean {
  if (req.gid === gid) return true;
  try {
    return req.getgroups().includes(gid);
  } catch {
    return false;  // the caller is gone
  }
}

/** A name of n in directory d may go: neither is immutable or append-only (the VFS's may_delete). */
function removable(d: Node, n: Node): void {
  checkDeletable(d);
  checkDeletable(n);
}

function checkName(key: string): void {
  if (key.length > NAME_MAX) fail('ENAMETOOLONG');
}
