// The passthrough filesystem: every op works on the source through an O_PATH fd of the inode it names
// (inodes.ts: from its kernel file handle, or kept), with fd-relative calls (lib/sys.ts) and
// single-component names opened with O_NOFOLLOW. No
// path string is ever resolved inside the source, so a symlink there is only ever read (readlink)
// and followed by the client, in the client's own view; no op of this filesystem follows it.
//
// Lifetimes (../fdbacked/lifecycle.ts, shared with the overlay). An inode is made by the first entry
// reply naming it (lookup, create, mknod, mkdir, symlink, link, readdirplus) and its handle and fd let
// go when the registry releases it (`releaseForgotten`): once the kernel has forgotten it and nothing
// has it open (the source keeps the file; we only hold a handle). Open files and directories are
// source fds used as file handles.
import { readFileSync } from 'node:fs';
import {
  type AccessRequest, type Attr, type CopyFileRangeRequest, type CreateRequest, Dirents, type Entry, type TmpfileRequest,
  type FallocateRequest, type FdSlice, type FlushRequest, type FsyncdirRequest, type FsyncRequest, type Fuse, FuseError,
  type GetattrRequest, type GetxattrRequest, type LinkRequest, type ListxattrRequest, type LookupRequest,
  type LseekRequest, type MkdirRequest, type MknodRequest, type OpendirRequest, type OpenRequest,
  type ReaddirplusRequest, type ReaddirRequest, type ReadlinkRequest, type ReadRequest, type ReleasedirRequest,
  type ReleaseRequest, type RemovexattrRequest, type RenameRequest, type Request, type RmdirRequest,
  SetattrValid, type SetattrRequest, type SetxattrRequest, type StatfsRequest, type Statx, type StatxRequest,
  type SymlinkRequest, sys,
  type U64, type UnlinkRequest, type WriteRequest,
} from '../../lib';
import { asCreator, component, creds } from '../fdbacked/caller';
import { attrOf, FdInodeLifecycle, statxOf } from '../fdbacked/lifecycle';
import { DirHandle } from './dirs';
import { type Inode, Inodes, type InodesOptions, ROOT } from './inodes';

const { AT, O, SEEK, EMPTY } = sys;
const SELF = Buffer.from('.');

/** Seconds the kernel may cache names and attributes (libfuse's passthrough default). */
const TIMEOUT = 1;
const ENOENT = 2;
const DOT = 0x2e;

interface Found {
  inode: Inode;
  st: sys.Stat;
}

function isDot(name: Buffer): boolean {
  return name.length === 1 && name[0] === DOT;
}

function isDotDot(name: Buffer): boolean {
  return name.length === 2 && name[0] === DOT && name[1] === DOT;
}

const TRUSTED = Buffer.from('trusted.');
const CAP_SYS_ADMIN = 21n;

function isTrusted(name: Buffer): boolean {
  return name.length > TRUSTED.length && name.subarray(0, TRUSTED.length).equals(TRUSTED);
}

/** Whether the caller holds CAP_SYS_ADMIN (its effective set in /proc; uid 0 when unreadable). */
function sysAdmin(req: Request): boolean {
  try {
    const m = req.pid > 0 ? /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${req.pid}/status`, 'latin1')) : null;
    if (m) return ((BigInt(`0x${m[1]}`) >> CAP_SYS_ADMIN) & 1n) === 1n;
  } catch {
    // the caller is gone, or in another pid namespace
  }
  return req.uid === 0;
}

/** Passthrough's options: the inode table's, and whether xattrs are served. */
export interface PassthroughOptions extends InodesOptions {
  /**
   * Serve extended attributes (and so POSIX ACLs) from the source; default true. Off, the four xattr
   * ops are left to libfuse, whose ENOSYS makes the kernel stop asking: it then also stops sending the
   * GETXATTR of security.capability that precedes every write(2) (file_remove_privs), the round trip
   * that caps small writes through kernel passthrough (docs/design.md, "Kernel passthrough").
   */
  xattrs?: boolean;
}

export class Passthrough {
  readonly inodes: Inodes;
  private readonly life: FdInodeLifecycle;
  private readonly dirs = new Map<number, DirHandle>();
  /** Open files: source fd → its inode (pinned while open). */
  private readonly files = new Map<number, Inode>();

  private readonly xattrs: boolean;

  /** Opens the source directory: the one path ever resolved, the administrator's argument. */
  constructor(private readonly fuse: Fuse, source: string, options: PassthroughOptions = {}) {
    this.inodes = new Inodes(sys.openat(AT.FDCWD, source, O.PATH | O.DIRECTORY), options);
    this.xattrs = options.xattrs !== false;
    this.life = new FdInodeLifecycle(fuse, TIMEOUT, { release: (ino) => this.inodes.drop(ino), closeAll: () => this.closeAll() });
  }

  /** The wiring table. */
  attach(): void {
    if (this.xattrs) {
      this.fuse.handleAll({ setxattr: this.setxattr, getxattr: this.getxattr, listxattr: this.listxattr, removexattr: this.removexattr });
    }
    this.fuse.handleAll({
      lookup: this.lookup, getattr: this.getattr, setattr: this.setattr, readlink: this.readlink,
      mknod: this.mknod, mkdir: this.mkdir, unlink: this.unlink, rmdir: this.rmdir, symlink: this.symlink,
      rename: this.rename, link: this.link, open: this.open, read: this.read, write: this.write,
      flush: this.flush, release: this.release, fsync: this.fsync, opendir: this.opendir,
      readdir: this.readdir, readdirplus: this.readdirplus, releasedir: this.releasedir,
      fsyncdir: this.fsyncdir, statfs: this.statfs, access: this.access, create: this.create, tmpfile: this.tmpfile,
      fallocate: this.fallocate, lseek: this.lseek, copyFileRange: this.copyFileRange, statx: this.statx,
    });
  }

  /** Source fds held: inode and mount fds, open files, open directories (for tests). */
  get openFds(): number {
    return this.inodes.fds + this.files.size + this.dirs.size;
  }

  /** An O_PATH fd on the object of the inode the kernel names. */
  private fdOf(ino: number): number {
    return this.inodes.fd(this.inodes.get(ino));
  }

  // ---- entries ---------------------------------------------------------------------------------

  /** Opens `name` in `parent` (O_PATH, not following a symlink) and finds or makes its inode. */
  private find(parent: Inode, name: Buffer): Found {
    if (isDot(name) || (isDotDot(name) && parent.ino === ROOT)) return { inode: parent, st: sys.fstat(this.inodes.fd(parent)) };
    return this.adopt(this.inodes.opening(() => sys.openPath(this.inodes.fd(parent), name)));
  }

  /** The inode of a fresh O_PATH handle (closed if the inode is known already). */
  private adopt(fd: number): Found {
    let st: sys.Stat;
    try {
      st = sys.fstat(fd);
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    return { inode: this.inodes.intern(fd, st).inode, st };
  }

  private replyEntry(req: { replyEntry(e: Entry): void }, f: Found): void {
    this.life.replyEntry(req, attrOf(f.inode.ino, f.st));
  }


  /** Creates an object as the caller, then answers with its entry. */
  private make(req: MknodRequest | MkdirRequest | SymlinkRequest, create: (dirfd: number, name: Buffer) => void): void {
    const parent = this.inodes.get(req.parent);
    const name = component(req.name);
    asCreator(req, () => create(this.inodes.fd(parent), name));
    this.replyEntry(req, this.find(parent, name));
  }

  private readonly lookup = (req: LookupRequest): void => {
    this.replyEntry(req, this.find(this.inodes.get(req.parent), component(req.name)));
  };

  private readonly mknod = (req: MknodRequest): void => {
    this.make(req, (dirfd, name) => sys.mknodat(dirfd, name, req.mode, req.rdev));
  };

  private readonly mkdir = (req: MkdirRequest): void => {
    this.make(req, (dirfd, name) => sys.mkdirat(dirfd, name, req.mode));
  };

  private readonly symlink = (req: SymlinkRequest): void => {
    const target = req.target;
    this.make(req, (dirfd, name) => sys.symlinkat(target, dirfd, name));
  };

  private readonly link = (req: LinkRequest): void => {
    const inode = this.inodes.get(req.ino);
    const parent = this.inodes.get(req.newParent);
    const name = component(req.newName);
    sys.linkat(this.inodes.fd(inode), EMPTY, this.inodes.fd(parent), name);
    this.replyEntry(req, this.find(parent, name));
  };

  private readonly unlink = (req: UnlinkRequest): void => {
    sys.unlinkat(this.fdOf(req.parent), component(req.name));
  };

  private readonly rmdir = (req: RmdirRequest): void => {
    sys.unlinkat(this.fdOf(req.parent), component(req.name), AT.REMOVEDIR);
  };

  private readonly rename = (req: RenameRequest): void => {
    sys.renameat2(this.fdOf(req.parent), component(req.name), this.fdOf(req.newParent), component(req.newName), req.flags);
  };

  // ---- attributes --------------------------------------------------------------------------------

  private attrReply(inode: Inode): { attr: Attr; timeout: number } {
    return { attr: attrOf(inode.ino, sys.fstat(this.inodes.fd(inode))), timeout: TIMEOUT };
  }

  private readonly getattr = (req: GetattrRequest): { attr: Attr; timeout: number } => this.attrReply(this.inodes.get(req.ino));

  /** The source's statx, birth time included; the caller's open file when the kernel names one. */
  private readonly statx = (req: StatxRequest): { attr: Statx; timeout: number } => {
    const inode = this.inodes.get(req.ino);
    const fd = req.hasFh ? req.fh : this.inodes.fd(inode);
    return { attr: statxOf(inode.ino, sys.statx(fd, EMPTY, AT.SYMLINK_NOFOLLOW, req.mask)), timeout: TIMEOUT };
  };

  /** Owner first (chown clears set-id bits), then mode, size, times: the result is what was asked. */
  private readonly setattr = (req: SetattrRequest): { attr: Attr; timeout: number } => {
    const inode = this.inodes.get(req.ino);
    const fd = req.hasFh ? req.fh : this.inodes.fd(inode);  // the caller's open file, else the inode's handle
    const set = req.toSet;
    if (set & (SetattrValid.UID | SetattrValid.GID)) sys.fchownat(fd, EMPTY, req.uidToSet ?? -1, req.gidToSet ?? -1);
    const mode = req.mode;
    if (mode !== undefined) sys.fchmodat(fd, EMPTY, mode);
    const size = req.size64;
    if (size !== undefined) {
      if (req.hasFh) sys.ftruncate(fd, size);
      else sys.truncate(fd, EMPTY, size);
    }
    const atime = req.atime;
    const mtime = req.mtime;
    if (atime !== undefined || mtime !== undefined) sys.utimensat(fd, EMPTY, atime, mtime);
    return this.attrReply(inode);
  };

  private readonly readlink = (req: ReadlinkRequest): Buffer => sys.readlinkat(this.fdOf(req.ino));

  private readonly access = (req: AccessRequest): void => {
    const inode = this.inodes.get(req.ino);
    sys.asUser(creds(req), () => sys.faccessat(this.inodes.fd(inode), EMPTY, req.mask, AT.EACCESS));
  };

  private readonly statfs = (req: StatfsRequest): sys.Statvfs => sys.fstatvfs(this.fdOf(req.ino));

  // ---- extended attributes (the inode's own, through /proc/self/fd: a symlink's are the symlink's) --

  private readonly setxattr = (req: SetxattrRequest): void => {
    const fd = this.fdOf(req.ino);
    asAclSetter(req, () => sys.setxattr(fd, EMPTY, req.name, req.value, req.flags));
  };

  /** A size probe (size 0) asks the source's size; else the source answers ERANGE for a short buffer. */
  private readonly getxattr = (req: GetxattrRequest): Buffer | void => {
    const fd = this.fdOf(req.ino);
    if (req.size === 0) return req.replyXattrSize(sys.getxattrSize(fd, EMPTY, req.name));
    return sys.getxattr(fd, EMPTY, req.name, req.size);
  };

  /**
   * The names, trusted.* left out for a caller without CAP_SYS_ADMIN: a local filesystem's list
   * hides them (the kernel checks only get and set), and ours runs as root. The reply answers the
   * size probe and ERANGE for the list the caller may see.
   */
  private readonly listxattr = (req: ListxattrRequest): Buffer[] => {
    const names = sys.listxattr(this.fdOf(req.ino), EMPTY);
    return names.some(isTrusted) && !sysAdmin(req) ? names.filter((n) => !isTrusted(n)) : names;
  };

  private readonly removexattr = (req: RemovexattrRequest): void => {
    const fd = this.fdOf(req.ino);
    asAclSetter(req, () => sys.removexattr(fd, EMPTY, req.name));
  };

  // ---- files -------------------------------------------------------------------------------------

  /** Answers an open with `fh`; closes it when the kernel did not take the reply (no release will come). */
  private readonly open = (req: OpenRequest): void => {
    const inode = this.inodes.get(req.ino);
    const fd = sys.reopen(this.inodes.fd(inode), req.flags & ~O.NOCTTY);
    this.addFile(fd, inode);
    this.life.replyOpen(req, inode.ino, fd, () => this.closeFile(fd), fd);
  };

  /** create: opened as the caller, O_NOFOLLOW (a symlink put there meanwhile is not followed). */
  private readonly create = (req: CreateRequest): void => {
    const parent = this.inodes.get(req.parent);
    const name = component(req.name);
    const flags = (req.flags | O.CREAT | O.NOFOLLOW) & ~O.NOCTTY;
    this.replyOpened(req, asCreator(req, () => sys.openat(this.inodes.fd(parent), name, flags, req.mode & 0o7777)));
  };

  /** O_TMPFILE in the source directory, as the caller; linked later by link (linkat AT_EMPTY_PATH). */
  private readonly tmpfile = (req: TmpfileRequest): void => {
    const parent = this.inodes.get(req.parent);
    this.replyOpened(req, asCreator(req, () => sys.openat(this.inodes.fd(parent), SELF, req.flags & ~O.NOCTTY, req.mode & 0o7777)));
  };

  /** Answers a create or tmpfile with the file just opened as `fd` (closed when the answer fails). */
  private replyOpened(req: CreateRequest | TmpfileRequest, fd: number): void {
    let f: Found;
    try {
      f = this.adopt(sys.openat(fd, EMPTY, O.PATH));  // an inode known already takes it when its fd was let go
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    this.life.replyCreate(req, attrOf(f.inode.ino, f.st), fd, () => sys.close(fd), () => this.addFile(fd, f.inode), fd);
  }

  /** The data goes from the source fd to the kernel in libfuse (no copy through JS). */
  private readonly read = (req: ReadRequest): FdSlice => ({
    fd: req.fh, offset: req.offset64, length: req.size,
  });

  /** Written from the receive buffer the kernel's data is in (no copy). */
  private readonly write = (req: WriteRequest): number => sys.pwrite(req.fh, req.data, req.offset64);

  /** close(dup(fd)): the source sees a close (NFS flushes then), the file stays open. */
  private readonly flush = (req: FlushRequest): void => sys.close(sys.dup(req.fh));

  private readonly release = (req: ReleaseRequest): void => this.closeFile(req.fh);

  private readonly fsync = (req: FsyncRequest): void => sys.fsync(req.fh, req.datasync);

  private readonly fallocate = (req: FallocateRequest): void => sys.fallocate(req.fh, req.mode, req.offset64, req.length64);

  private readonly lseek = (req: LseekRequest): U64 => sys.lseek(req.fh, req.offset64, req.whence);

  private readonly copyFileRange = (req: CopyFileRangeRequest): number =>
    sys.copyFileRange(req.fh, req.offsetIn64, req.fhOut, req.offsetOut64, req.length64, req.flags);

  private addFile(fd: number, inode: Inode): void {
    this.files.set(fd, inode);
    this.inodes.pin(inode);
  }

  private closeFile(fd: number): void {
    const inode = this.files.get(fd);
    if (!inode) return;
    this.files.delete(fd);
    this.inodes.unpin(inode);
    sys.close(fd);
  }

  // ---- directories -------------------------------------------------------------------------------

  private readonly opendir = (req: OpendirRequest): void => {
    const inode = this.inodes.get(req.ino);
    const fd = sys.openat(this.inodes.fd(inode), '.', O.RDONLY | O.DIRECTORY);
    this.dirs.set(fd, new DirHandle(fd, inode));
    this.inodes.pin(inode);
    this.life.replyOpen(req, inode.ino, fd, () => this.closeDir(fd));
  };

  private readonly readdir = (req: ReaddirRequest): void => this.list(req, false);

  private readonly readdirplus = (req: ReaddirplusRequest): void => this.list(req, true);

  private readonly releasedir = (req: ReleasedirRequest): void => this.closeDir(req.fh);

  private readonly fsyncdir = (req: FsyncdirRequest): void => sys.fsync(req.fh, req.datasync);

  private dir(fh: number): DirHandle {
    const h = this.dirs.get(fh);
    if (!h) throw new FuseError('EBADF', `no directory handle ${fh}`);
    return h;
  }

  private closeDir(fd: number): void {
    const h = this.dirs.get(fd);
    if (!h) return;
    this.dirs.delete(fd);
    this.inodes.unpin(h.inode);
    sys.close(fd);
  }

  /**
   * One readdir(plus) reply: the source entries from the cookie's position, as many as the kernel's
   * buffer takes (a readdirplus entry is about five times a plain one, so about a fifth is read).
   * readdirplus looks every entry up; the inodes of entries that did not fit are released again.
   */
  private list(req: ReaddirRequest | ReaddirplusRequest, plus: boolean): void {
    const h = this.dir(req.fh);
    const offset = req.offset;
    if (offset === 0) h.restart();
    const pos = h.position(offset);
    if (pos === undefined) throw new FuseError('EINVAL', `unknown directory offset ${offset}`);
    sys.lseek(h.fd, pos, SEEK.SET);
    const list = new Dirents();
    const cookies: number[] = [];
    const looked: Inode[] = [];
    try {
      for (const e of sys.getdents(h.fd, plus ? req.size >> 2 : req.size)) {
        const cookie = h.cookie(e.off);
        if (!plus) {
          list.add(e.name, this.direntIno(h.inode, e), e.type << 12, cookie);
        } else if (isDot(e.name) || isDotDot(e.name)) {
          list.addEntry(e.name, { attr: { ino: this.direntIno(h.inode, e), mode: e.type << 12 } }, cookie);
        } else {
          let f: Found;
          try {
            f = this.find(h.inode, e.name);
          } catch (err) {
            if (err instanceof FuseError && err.errno === ENOENT) continue;  // gone since getdents
            if (list.length === 0) throw err;
            break;  // send what we have; the next readdir tries again from here
          }
          looked.push(f.inode);
          list.addEntry(e.name, this.life.entry(attrOf(f.inode.ino, f.st)), cookie);
        }
        cookies.push(cookie);
      }
      const sent = req.replyDirents(list, 0);
      // Entries that did not fit are read again next time: their cookies are never named.
      if (sent < cookies.length) h.truncate(sent > 0 ? cookies[sent - 1] : cookies[0] - 1);
    } finally {
      for (const i of looked) this.life.settle(i.ino);
    }
  }

  /** A d_ino for the listing: the inode's number when known, else the source's (informative only). */
  private direntIno(dir: Inode, e: sys.DirEntry): number {
    if (isDot(e.name)) return dir.ino;
    if (isDotDot(e.name) && dir.ino === ROOT) return ROOT;
    const known = this.inodes.byKeyOf(`${dir.dev}:${e.ino}`);
    if (known) return known.ino;
    return Number.isSafeInteger(e.ino) && e.ino > ROOT ? e.ino : dir.ino;
  }

  private closeAll(): void {
    for (const fd of this.files.keys()) sys.close(fd);
    for (const fd of this.dirs.keys()) sys.close(fd);
    this.files.clear();
    this.dirs.clear();
    this.inodes.closeAll();
  }
}

/**
 * Runs an xattr change as the caller when it is a POSIX ACL, so that the source's filesystem clears
 * set-group-ID for a caller outside the file's group (posix_acl_update_mode) as it would for the
 * caller; other names as the daemon (the kernel checked them).
 */
function asAclSetter(req: SetxattrRequest | RemovexattrRequest, change: () => void): void {
  const key = req.nameKey;
  if (key === 'system.posix_acl_access' || key === 'system.posix_acl_default') sys.asUser(creds(req), change);
  else change();
}
