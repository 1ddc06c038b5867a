// Small pieces both layers use: the cache timeout, the name check, and the reply forms of a merged
// listing and of an xattr list. The caller's credentials are the fd-backed examples' (../fdbacked/caller.ts).
import { Dirents, FuseError, sys } from '../../lib';
import { component as oneComponent } from '../fdbacked/caller';
import { isTrustedXattr, shownXattrName } from './format';
import type { Node } from './nodes';
import type { View } from './view';

/**
 * Seconds the kernel may cache names and attributes: none. A copy-up changes a node's ctime and
 * where its attributes come from without any request the kernel would see as a change.
 */
export const TIMEOUT = 0;

const DOT = 0x2e;

/**
 * A name from the kernel is one component; anything else never reaches a layer. "." and ".." are
 * not looked up in a layer (the kernel resolves them itself; in the upper root ".." would leave it).
 */
export function component(name: Buffer): Buffer {
  oneComponent(name);
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
