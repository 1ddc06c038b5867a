// Kernel file handles for the passthrough's inodes, per source mount.
//
// A file handle (name_to_handle_at) names an inode without holding an fd; open_by_handle_at opens it
// again, given an fd on the same mount. So the passthrough keeps one fd per source mount instead of
// one per known inode. Whether handles work is decided per mount, at run time, the first time an
// object of that mount is seen: the filesystem must export handles (not EOPNOTSUPP) and the daemon
// must hold CAP_DAC_READ_SEARCH (not EPERM). Where they do not, the inode keeps its O_PATH fd.
//
// The mount fd is the mount's first directory seen, reopened O_RDONLY|O_DIRECTORY (open_by_handle_at
// does not take an O_PATH fd). Mounts are told apart by the unique mount id where the kernel has one
// (6.12+: never reused), else by the plain id.
import { errno, FuseError, sys } from '../../lib';

const { AT, O } = sys;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/** A source mount whose handles open. */
export interface HandleMount {
  /** An fd on the mount (O_RDONLY directory), for open_by_handle_at. */
  readonly fd: number;
}

/** The handle of a source object, valid on `mount`. */
export interface Handle {
  readonly handle: Buffer;
  readonly mount: HandleMount;
}

function errnoOf(e: unknown): number {
  return e instanceof FuseError ? e.errno : 0;
}

export class HandleMounts {
  /** mount id → its mount, or null: handles do not open there (EPERM, EOPNOTSUPP, ...). */
  private readonly mounts = new Map<string, HandleMount | null>();

  /** `enabled` false: no handles at all (every inode keeps its O_PATH fd). */
  constructor(private readonly enabled: boolean) {}

  /** Mount fds held. */
  get fds(): number {
    let n = 0;
    for (const m of this.mounts.values()) if (m) n++;
    return n;
  }

  /**
   * The handle of the object `fd` (an O_PATH fd) refers to, or undefined where handles do not work
   * (then the caller keeps `fd`). Errors other than "no handles here" are thrown (EMFILE, say).
   */
  handleOf(fd: number, st: sys.Stat): Handle | undefined {
    if (!this.enabled) return undefined;
    let h: sys.FileHandle;
    try {
      h = sys.nameToHandleAt(fd, sys.EMPTY, AT.EMPTY_PATH);
    } catch (e) {
      if (unsupported(errnoOf(e))) return undefined;
      throw e;
    }
    const key = `${h.unique ? 'u' : 'm'}${h.mountId}`;
    let mount = this.mounts.get(key);
    if (mount === undefined) {
      if ((st.mode & S_IFMT) !== S_IFDIR) return undefined;  // decided at the mount's first directory
      mount = this.probe(fd, h.handle);
      this.mounts.set(key, mount);
    }
    return mount ? { handle: h.handle, mount } : undefined;
  }

  /** Opens a handle again: an O_PATH fd (ESTALE when the object is gone from the source). */
  open(h: Handle): number {
    return sys.openByHandleAt(h.mount.fd, h.handle, O.PATH | O.NOFOLLOW);
  }

  closeAll(): void {
    for (const m of this.mounts.values()) if (m) sys.close(m.fd);
    this.mounts.clear();
  }

  /** A mount fd from the directory `fd`, if its own handle opens through it; else null. */
  private probe(fd: number, handle: Buffer): HandleMount | null {
    let mountFd: number;
    try {
      mountFd = sys.openat(fd, sys.EMPTY, O.RDONLY | O.DIRECTORY);
    } catch (e) {
      if (unsupported(errnoOf(e))) return null;
      throw e;
    }
    try {
      sys.close(sys.openByHandleAt(mountFd, handle, O.PATH | O.NOFOLLOW));
      return { fd: mountFd };
    } catch (e) {
      sys.close(mountFd);
      if (unsupported(errnoOf(e))) return null;
      throw e;
    }
  }
}

const { EPERM, EACCES, EINVAL, ENOSYS, EOPNOTSUPP } = errno;

/** The errnos that say "no file handles here" (not a passing shortage). */
function unsupported(n: number): boolean {
  return n === EOPNOTSUPP || n === EPERM || n === EACCES || n === ENOSYS || n === EINVAL;
}
