// Small pieces both layers use: the cache timeout, the caller's credentials, name checks, and the
// reply forms of a merged listing and of an xattr list.
import { Dirents, FuseError, type Request, sys } from '../../lib';
import { isTrustedXattr, shownXattrName } from './format';
import type { Node } from './nodes';
import type { View } from './view';

/**
 * Seconds the kernel may cache names and attributes: none. A copy-up changes a node's ctime and
 * where its attributes come from without any request the kernel would see as a change.
 */
export const TIMEOUT = 0;

const IS_ROOT_PROCESS = process.geteuid?.() === 0;
const SLASH = 0x2f;
const DOT = 0x2e;

/** The caller's credentials, for objects it creates (its groups only when we can switch to them). */
export function creds(req: Request): sys.Creds {
  const uid = req.uid;
  const gid = req.gid;
  const switching = IS_ROOT_PROCESS && !(uid === 0 && gid === 0);
  return { uid, gid, groups: switching ? req.getgroups() : [] };
}

/**
 * A name from the kernel is one component; anything else never reaches a layer. "." and ".." are
 * not looked up in a layer (the kernel resolves them itself; in the upper root ".." would leave it).
 */
export function component(name: Buffer): Buffer {
  if (name.length === 0 || name.includes(SLASH)) throw new FuseError('EINVAL', 'not a single name');
  if (name[0] === DOT && (name.length === 1 || (name.length === 2 && name[1] === DOT))) throw new FuseError('ENOENT', 'dot names are the kernel\'s');
  return name;
}

/**
 * A directory node's merged listing as a reply list (cookies 1, 2, ...), for a readdir: reading the
 * upper directory moves its atime as the kernel's overlayfs does (the lower's never).
 */
export function listing(ov: { view: View }, dir: Node): Dirents {
  const list = new Dirents();
  for (const e of ov.view.listing(dir, dir.parent?.ino ?? dir.ino, true)) list.add(e.name, e.ino, e.type << 12);
  return list;
}

/**
 * The xattr names a real object shows through the mount: not the overlay's own, escaped ones under
 * their own names, trusted.* only to root (the daemon lists as root; the kernel lists them only to
 * CAP_SYS_ADMIN).
 */
export function shownNames(fd: number, uid: number): Buffer[] {
  const out: Buffer[] = [];
  for (const n of sys.listxattr(fd, sys.EMPTY)) {
    const shown = shownXattrName(n);
    if (shown && (uid === 0 || !isTrustedXattr(shown))) out.push(shown);
  }
  return out;
}

/**
 * Reopens a lower object for reading with O_NOATIME, so that reading through the overlay never
 * changes the lower directory, not even an atime (the kernel's overlayfs opens lower files so too).
 * O_NOATIME needs ownership or CAP_FOWNER: without, plainly.
 */
export function reopenNoatime(fd: number, flags: number): number {
  try {
    return sys.reopen(fd, flags | sys.O.NOATIME);
  } catch (e) {
    if (e instanceof FuseError && e.errno === EPERM) return sys.reopen(fd, flags);
    throw e;
  }
}

const EPERM = 1;
