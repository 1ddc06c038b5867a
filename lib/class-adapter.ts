// The Operations adapter, for filesystems ported from Python's llfuse and pyfuse3: a class with one
// async method per op taking plain arguments (inode numbers, names as bytes, file handles) and
// returning plain results, errors thrown as FuseError(errno) as pyfuse3 raises FUSEError. Only the
// methods a subclass overrides are wired: the other ops are left unimplemented, and libfuse answers
// them ENOSYS without entering JS (see docs/porting.md).
import { constants as K } from 'node:fs';
import {
  type Attr, DEFAULT_TIMEOUT, type Entry, type NegativeEntry, now, type OpenResult, type Statfs, type StatxResult, type Timespec,
} from './attr';
import { Dirents } from './dirents';
import { errno as E, FuseError } from './errors';
import { Fuse, type FuseOptions } from './fuse';
import type { Handlers } from './compose/layers';
import { OP_FACTS } from './op-table';
import type { CreateResult, Request, SetattrRequest } from './request';

export { ROOT_INODE } from './registry';

/** A value or a Promise of it: Operations methods may be async or not. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * What pyfuse3 calls EntryAttributes: an Entry (attributes with generation and cache timeouts), or
 * bare attributes (default timeouts, 1 s).
 */
export type EntryAttributes = Entry | Attr;

/** What pyfuse3 calls FileInfo: the file handle and the open flags (directIo, keepCache, ...). */
export type FileInfo = OpenResult;

/** The caller of a request (pyfuse3's RequestContext); the request itself is passed. */
export interface RequestContext {
  /** The caller's effective user id. */
  readonly uid: number;
  /** The caller's effective group id. */
  readonly gid: number;
  /** The calling thread's id. */
  readonly pid: number;
  /** The caller's umask (mknod, mkdir, create; 0 elsewhere). */
  readonly umask: number;
  /** Aborts when the kernel interrupts the request (the caller got a signal). */
  readonly signal: AbortSignal;
  /** Supplementary groups of the caller (pyfuse3.get_sup_groups). */
  getgroups(): number[];
}

/** Which attributes setattr changes (pyfuse3's SetattrFields). */
export interface SetattrFields {
  /** Change the mode (chmod). */
  readonly updateMode: boolean;
  /** Change the owner (chown). */
  readonly updateUid: boolean;
  /** Change the group (chown). */
  readonly updateGid: boolean;
  /** Change the size (truncate). */
  readonly updateSize: boolean;
  /** Change the atime. */
  readonly updateAtime: boolean;
  /** Change the mtime. */
  readonly updateMtime: boolean;
  /** Change the ctime. */
  readonly updateCtime: boolean;
}

/**
 * The new values of setattr: only the fields being changed are present. A time set to "now" by
 * the kernel (utimensat with UTIME_NOW) is given as the current time, as pyfuse3 does.
 */
export interface AttrChanges {
  /** New permission bits. */
  readonly mode?: number;
  /** New owner. */
  readonly uid?: number;
  /** New group. */
  readonly gid?: number;
  /** New size in bytes. */
  readonly size?: number;
  /** New access time. */
  readonly atime?: Timespec;
  /** New modification time. */
  readonly mtime?: Timespec;
  /** New status change time. */
  readonly ctime?: Timespec;
}

// Bytes one entry takes in the kernel's buffer (struct fuse_dirent / fuse_direntplus + name,
// 8-aligned), as fuse_add_direntry(_plus) count them: how a token knows when the buffer is full.
const DIRENT_HEADER = 24;
const DIRENTPLUS_HEADER = 128 + DIRENT_HEADER;

/**
 * The token readdir receives; entries are added with readdirReply (pyfuse3.readdir_reply). It is
 * valid until readdir returns (or its Promise settles).
 */
export class ReaddirToken {
  /** @internal */ readonly _list = new Dirents();
  /** @internal */ _open = true;
  private used = 0;
  private full = false;

  /** @internal */
  constructor(
    /** The kernel's buffer size in bytes. */
    readonly size: number,
    /** True for readdirplus: entries carry full attributes and the kernel learns of their inodes. */
    readonly plus: boolean,
  ) {}

  /** @internal */
  _add(name: Uint8Array | string, attr: EntryAttributes, nextId: number): boolean {
    if (!this._open) throw new Error('readdirReply: the token is used up (readdir has returned)');
    if (this.full) return false;
    const len = typeof name === 'string' ? Buffer.byteLength(name) : name.length;
    const need = ((this.plus ? DIRENTPLUS_HEADER : DIRENT_HEADER) + len + 7) & ~7;
    if (this.used + need > this.size) {
      this.full = true;
      return false;
    }
    const entry = toEntry(attr);
    if (this.plus) this._list.addEntry(name, entry, nextId);
    else this._list.add(name, entry.attr.ino, entry.attr.mode, nextId);
    this.used += need;
    return true;
  }
}

/**
 * Adds an entry to a readdir reply (pyfuse3.readdir_reply): its name (bytes), attributes, and the
 * id that a later readdir receives as `startId` to continue after it. Returns false, adding nothing,
 * when the kernel's buffer is full: readdir should then return. Ids must increase within one call
 * (they are the listing's cookies). In readdirplus the kernel learns of each inode added, and the
 * mount's inode registry counts the lookups: there is no lookup count to keep by hand.
 */
export function readdirReply(token: ReaddirToken, name: Uint8Array | string, attr: EntryAttributes, nextId: number): boolean {
  return token._add(name, attr, nextId);
}

function enosys(): never {
  throw new FuseError(E.ENOSYS);
}

/**
 * The base class of a filesystem in the style of llfuse/pyfuse3: override the methods of the ops
 * it implements (async or not). Names, link targets and xattr names and values are Buffers; throw
 * `new FuseError('ENOENT')` to answer an errno. Every method gets the caller as `ctx` last (also
 * those that have none in pyfuse3: they may ignore it). Methods not overridden are not wired, so
 * the kernel gets ENOSYS from libfuse without a call into JS. Mount with mountOperations().
 */
export class Operations {
  /**
   * Called once before the mount starts (pyfuse3: init()), with the Fuse: keep it for
   * notifications (fuse.invalidateInode, …) and the inode registry (fuse.inodes).
   */
  init(_fuse: Fuse): void {}

  /**
   * The entry `name` in directory `parentInode`. Throw ENOENT when there is none, or return a
   * negative entry `{ ino: 0, entryTimeout }` for the kernel to remember that for a while. The
   * kernel then holds one more lookup of the inode (counted in fuse.inodes).
   */
  lookup(parentInode: number, name: Buffer, ctx: RequestContext): Awaitable<EntryAttributes | NegativeEntry> {
    return enosys();
  }

  /**
   * The kernel forgets inodes: [inode, nlookup] pairs (pyfuse3's inode_list). The inode registry
   * already keeps these counts (fuse.inodes, released$); override only to keep your own.
   */
  forget(inodeList: [inode: number, nlookup: number][]): Awaitable<void> {
    return enosys();
  }

  /** The attributes of `inode` (its entryTimeout is ignored; attrTimeout is the cache time). */
  getattr(inode: number, ctx: RequestContext): Awaitable<EntryAttributes> {
    return enosys();
  }

  /**
   * Changes the attributes in `fields` to the values in `attr`; `fh` is the open file's handle
   * for ftruncate/fchmod…, null for path-based calls. Returns all the attributes after the change.
   */
  setattr(inode: number, attr: AttrChanges, fields: SetattrFields, fh: number | null, ctx: RequestContext): Awaitable<EntryAttributes> {
    return enosys();
  }

  /** The target of symbolic link `inode`. */
  readlink(inode: number, ctx: RequestContext): Awaitable<Uint8Array> {
    return enosys();
  }

  /** Creates a file of any type (`mode` has the type bits, `rdev` the device for devices). */
  mknod(parentInode: number, name: Buffer, mode: number, rdev: number, ctx: RequestContext): Awaitable<EntryAttributes> {
    return enosys();
  }

  /** Creates a directory (`mode` includes S_IFDIR, as in pyfuse3). */
  mkdir(parentInode: number, name: Buffer, mode: number, ctx: RequestContext): Awaitable<EntryAttributes> {
    return enosys();
  }

  /**
   * Removes the entry `name` (not a directory). The inode may still be open or known to the
   * kernel: call fuse.inodes.markRemoved(ino) on its last link and free it on released$.
   */
  unlink(parentInode: number, name: Buffer, ctx: RequestContext): Awaitable<void> {
    return enosys();
  }

  /** Removes the empty directory `name` (throw ENOTEMPTY otherwise). */
  rmdir(parentInode: number, name: Buffer, ctx: RequestContext): Awaitable<void> {
    return enosys();
  }

  /** Creates a symbolic link `name` to `target`. */
  symlink(parentInode: number, name: Buffer, target: Buffer, ctx: RequestContext): Awaitable<EntryAttributes> {
    return enosys();
  }

  /** Renames; `flags` are RenameFlags (NOREPLACE, EXCHANGE; throw EINVAL for those not supported). */
  rename(parentInodeOld: number, nameOld: Buffer, parentInodeNew: number, nameNew: Buffer, flags: number, ctx: RequestContext): Awaitable<void> {
    return enosys();
  }

  /** Creates a hard link `newName` in `newParentInode` to `inode`. */
  link(inode: number, newParentInode: number, newName: Buffer, ctx: RequestContext): Awaitable<EntryAttributes> {
    return enosys();
  }

  /** Opens `inode` with open(2) `flags`; returns the file handle, or a FileInfo with it. */
  open(inode: number, flags: number, ctx: RequestContext): Awaitable<FileInfo | number> {
    return enosys();
  }

  /** Up to `size` bytes at `off` (fewer only at the end of the file). */
  read(fh: number, off: number, size: number, ctx: RequestContext): Awaitable<Uint8Array> {
    return enosys();
  }

  /**
   * Writes `buf` at `off`; returns the count written (all of it, unless direct_io). `buf` is a
   * view of a receive buffer valid until the method returns: copy it to keep it.
   */
  write(fh: number, off: number, buf: Buffer, ctx: RequestContext): Awaitable<number> {
    return enosys();
  }

  /** close(2) of a file descriptor of `fh` (may come several times per open). */
  flush(fh: number, ctx: RequestContext): Awaitable<void> {
    return enosys();
  }

  /** The last descriptor of `fh` is closed. */
  release(fh: number, ctx: RequestContext): Awaitable<void> {
    return enosys();
  }

  /** fsync(2) (`datasync`: fdatasync). */
  fsync(fh: number, datasync: boolean, ctx: RequestContext): Awaitable<void> {
    return enosys();
  }

  /** Opens directory `inode`; returns the handle readdir and releasedir get. */
  opendir(inode: number, ctx: RequestContext): Awaitable<FileInfo | number> {
    return enosys();
  }

  /**
   * Lists directory `fh` from after the entry whose id is `startId` (0: from the start), adding
   * entries with readdirReply(token, name, attr, nextId) until it returns false. Serves both
   * READDIR and READDIRPLUS (token.plus).
   */
  readdir(fh: number, startId: number, token: ReaddirToken): Awaitable<void> {
    return enosys();
  }

  /** Directory handle `fh` is closed. */
  releasedir(fh: number, ctx: RequestContext): Awaitable<void> {
    return enosys();
  }

  /** fsync(2) of a directory. */
  fsyncdir(fh: number, datasync: boolean, ctx: RequestContext): Awaitable<void> {
    return enosys();
  }

  /** Filesystem statistics (pyfuse3's StatvfsData, fields without the f_ prefix). */
  statfs(ctx: RequestContext): Awaitable<Statfs> {
    return enosys();
  }

  /** Sets xattr `name` to `value`; `flags` are XattrFlags (CREATE, REPLACE), after ctx. */
  setxattr(inode: number, name: Buffer, value: Buffer, ctx: RequestContext, flags: number): Awaitable<void> {
    return enosys();
  }

  /** The value of xattr `name` (throw ENODATA, pyfuse3's ENOATTR, when absent). Size probes and ERANGE are handled. */
  getxattr(inode: number, name: Buffer, ctx: RequestContext): Awaitable<Uint8Array> {
    return enosys();
  }

  /** The names of the xattrs of `inode`. */
  listxattr(inode: number, ctx: RequestContext): Awaitable<readonly Uint8Array[]> {
    return enosys();
  }

  /** Removes xattr `name` (throw ENODATA when absent). */
  removexattr(inode: number, name: Buffer, ctx: RequestContext): Awaitable<void> {
    return enosys();
  }

  /** Whether the caller may access `inode` with `mode` (R_OK | W_OK | X_OK, or F_OK); false answers EACCES. */
  access(inode: number, mode: number, ctx: RequestContext): Awaitable<boolean> {
    return enosys();
  }

  /** Creates and opens a regular file: returns [file handle or FileInfo, attributes]. */
  create(parentInode: number, name: Buffer, mode: number, flags: number, ctx: RequestContext): Awaitable<[FileInfo | number, EntryAttributes]> {
    return enosys();
  }

  /**
   * statx(2) beyond getattr (the kernel asks when the caller wants the birth time): the attributes
   * with `btime` (and optionally the statx mask and attribute bits). `mask` lists the StatxMask
   * bits asked for; `fh` is the open file's handle, or null.
   */
  statx(inode: number, mask: number, fh: number | null, ctx: RequestContext): Awaitable<StatxResult> {
    return enosys();
  }

  /**
   * open(2) with O_TMPFILE in `parentInode`: makes an unnamed regular file (nlink 0, in no
   * directory) and opens it; returns [file handle or FileInfo, attributes], as create does.
   */
  tmpfile(parentInode: number, mode: number, flags: number, ctx: RequestContext): Awaitable<[FileInfo | number, EntryAttributes]> {
    return enosys();
  }
}

/** The methods that map to ops (all but init). */
type Method = Exclude<keyof Operations, 'init'>;


function toEntry(e: EntryAttributes): Entry {
  return 'attr' in e ? e : { attr: e };
}

function entryOrNegative(e: EntryAttributes | NegativeEntry): Entry | NegativeEntry {
  if ('attr' in e) return e.attr.ino === 0 ? { ino: 0, entryTimeout: e.entryTimeout ?? DEFAULT_TIMEOUT } : e;
  return 'mode' in e ? { attr: e } : e;
}

function attrResult(e: EntryAttributes): { attr: Attr; timeout?: number } {
  return 'attr' in e ? { attr: e.attr, timeout: e.attrTimeout } : { attr: e };
}

function fileInfo(fi: FileInfo | number): OpenResult {
  return typeof fi === 'number' ? { fh: fi } : fi;
}

function setattrArgs(req: SetattrRequest): [AttrChanges, SetattrFields] {
  const time = (t: Timespec | 'now' | undefined): Timespec | undefined => (t === 'now' ? now() : t);
  const attr: AttrChanges = {
    mode: req.mode, uid: req.uidToSet, gid: req.gidToSet, size: req.size,
    atime: time(req.atime), mtime: time(req.mtime), ctime: req.ctime,
  };
  const fields: SetattrFields = {
    updateMode: attr.mode !== undefined, updateUid: attr.uid !== undefined, updateGid: attr.gid !== undefined,
    updateSize: attr.size !== undefined, updateAtime: attr.atime !== undefined, updateMtime: attr.mtime !== undefined,
    updateCtime: attr.ctime !== undefined,
  };
  return [attr, fields];
}

/** Runs readdir with a fresh token and replies with what it added. */
async function listing(ops: Operations, req: Request & { fh: number; offset: number; size: number; replyDirents(l: Dirents, from?: number): number }, plus: boolean): Promise<void> {
  const token = new ReaddirToken(req.size, plus);
  try {
    await ops.readdir(req.fh, req.offset, token);
  } finally {
    token._open = false;
  }
  req.replyDirents(token._list, 0);
}

/**
 * The handler table of an Operations object: one small handler per overridden method (READDIR and
 * READDIRPLUS both for readdir, FORGET and batch FORGET both for forget). Attach it with
 * fuse.handleAll(), or use it as a layer (layers()).
 */
export function operationsHandlers(ops: Operations): Handlers {
  const base = Operations.prototype;
  const has = (m: Method): boolean => typeof ops[m] === 'function' && ops[m] !== base[m];
  const all: Handlers = {
    lookup: async (req) => entryOrNegative(await ops.lookup(req.parent, req.name, req)),
    forget: (req) => ops.forget([[req.ino, req.nlookup]]),
    forgetMulti: (req) => ops.forget(req.forgets.map((f): [number, number] => [f.ino, f.nlookup])),
    getattr: async (req) => attrResult(await ops.getattr(req.ino, req)),
    setattr: async (req) => {
      const [attr, fields] = setattrArgs(req);
      return attrResult(await ops.setattr(req.ino, attr, fields, req.hasFh ? req.fh : null, req));
    },
    readlink: (req) => ops.readlink(req.ino, req),
    mknod: async (req) => toEntry(await ops.mknod(req.parent, req.name, req.mode, req.rdev, req)),
    mkdir: async (req) => toEntry(await ops.mkdir(req.parent, req.name, (req.mode & ~K.S_IFMT) | K.S_IFDIR, req)),
    unlink: (req) => ops.unlink(req.parent, req.name, req),
    rmdir: (req) => ops.rmdir(req.parent, req.name, req),
    symlink: async (req) => toEntry(await ops.symlink(req.parent, req.name, req.target, req)),
    rename: (req) => ops.rename(req.parent, req.name, req.newParent, req.newName, req.flags, req),
    link: async (req) => toEntry(await ops.link(req.ino, req.newParent, req.newName, req)),
    open: async (req) => fileInfo(await ops.open(req.ino, req.flags, req)),
    read: (req) => ops.read(req.fh, req.offset, req.size, req),
    write: (req) => ops.write(req.fh, req.offset, req.data, req),
    flush: (req) => ops.flush(req.fh, req),
    release: (req) => ops.release(req.fh, req),
    fsync: (req) => ops.fsync(req.fh, req.datasync, req),
    opendir: async (req) => fileInfo(await ops.opendir(req.ino, req)),
    readdir: (req) => listing(ops, req, false),
    readdirplus: (req) => listing(ops, req, true),
    releasedir: (req) => ops.releasedir(req.fh, req),
    fsyncdir: (req) => ops.fsyncdir(req.fh, req.datasync, req),
    statfs: (req) => ops.statfs(req),
    setxattr: (req) => ops.setxattr(req.ino, req.name, req.value, req, req.flags),
    getxattr: (req) => ops.getxattr(req.ino, req.name, req),
    listxattr: (req) => ops.listxattr(req.ino, req),
    removexattr: (req) => ops.removexattr(req.ino, req.name, req),
    access: async (req) => {
      if (!(await ops.access(req.ino, req.mask, req))) throw new FuseError(E.EACCES);
    },
    create: async (req): Promise<CreateResult> => {
      const [fi, attrs] = await ops.create(req.parent, req.name, req.mode, req.flags, req);
      return { ...toEntry(attrs), ...fileInfo(fi) };
    },
    statx: (req) => ops.statx(req.ino, req.mask, req.hasFh ? req.fh : null, req),
    tmpfile: async (req): Promise<CreateResult> => {
      const [fi, attrs] = await ops.tmpfile(req.parent, req.mode, req.flags, req);
      return { ...toEntry(attrs), ...fileInfo(fi) };
    },
  };
  const table: Handlers = {};
  for (const op of Object.keys(all) as (keyof Handlers)[]) {
    if (has((OP_FACTS[op].method ?? op) as Method)) (table as Record<string, unknown>)[op] = all[op];
  }
  return table;
}

/**
 * Mounts an Operations filesystem (pyfuse3.init + main): wires the overridden methods, calls
 * ops.init(fuse), mounts, and resolves with the Fuse once the kernel's INIT is done. Unmount with
 * fuse.unmount().
 */
export async function mountOperations(ops: Operations, mountpoint: string, options: FuseOptions = {}): Promise<Fuse> {
  const fuse = new Fuse(options);
  fuse.handleAll(operationsHandlers(ops));
  ops.init(fuse);
  await fuse.mount(mountpoint);
  return fuse;
}
