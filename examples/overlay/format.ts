// The upper directory's on-disk format, as the kernel's overlayfs writes and reads it
// (Documentation/filesystems/overlayfs.rst), so that either can mount what the other left:
// - a whiteout (a deleted lower name) is a character device 0/0;
// - an opaque directory (its lower namesake is hidden) has the xattr trusted.overlay.opaque = "y";
// - the trusted.overlay.* attributes are the overlay's own: never shown through the mount (the
//   kernel also writes origin and impure there, which this overlay does not need: see
//   docs/design.md). An attribute of that name set through the mount is stored escaped, as
//   trusted.overlay.overlay.<rest>, and shown under its own name again (the kernel does so since
//   6.7, so that an overlay can hold the upper directory of another).
import { constants as K } from 'node:fs';
import { FuseError, sys } from '../../lib';

export const OVERLAY_PREFIX = Buffer.from('trusted.overlay.');
const ESCAPED_PREFIX = Buffer.from('trusted.overlay.overlay.');
export const OPAQUE = Buffer.from('trusted.overlay.opaque');
const YES = Buffer.from('y');
const TRUSTED = Buffer.from('trusted.');

const ENOENT = 2;
const ENODATA = 61;
const EOPNOTSUPP = 95;

/** A whiteout: a character device with device number 0/0. */
export function isWhiteout(st: sys.Stat): boolean {
  return (st.mode & K.S_IFMT) === K.S_IFCHR && st.rdev === 0;
}

export function isDirStat(st: sys.Stat): boolean {
  return (st.mode & K.S_IFMT) === K.S_IFDIR;
}

/** Whites out `name` in the upper directory `dirfd` (nothing there now). */
export function makeWhiteout(dirfd: number, name: Buffer): void {
  sys.mknodat(dirfd, name, K.S_IFCHR, 0);
}

/** Whether the upper directory `name` in `dirfd` is opaque. */
export function isOpaque(dirfd: number, name: Buffer): boolean {
  try {
    const v = sys.getxattr(dirfd, name, OPAQUE, 16);
    return v.equals(YES);
  } catch (e) {
    if (e instanceof FuseError && (e.errno === ENODATA || e.errno === EOPNOTSUPP || e.errno === ENOENT)) return false;
    throw e;
  }
}

/** Marks the upper directory `name` in `dirfd` (EMPTY: dirfd itself) opaque. */
export function setOpaque(dirfd: number, name: Buffer): void {
  sys.setxattr(dirfd, name, OPAQUE, YES);
}

function startsWith(name: Buffer, prefix: Buffer): boolean {
  return name.length >= prefix.length && name.subarray(0, prefix.length).equals(prefix);
}

/** The overlay's own xattrs (trusted.overlay.*, but not escaped ones): never shown, never copied up. */
export function isPrivateXattr(name: Buffer): boolean {
  return startsWith(name, OVERLAY_PREFIX) && !startsWith(name, ESCAPED_PREFIX);
}

/** The name an xattr named through the mount has on the real object: trusted.overlay.* escaped. */
export function realXattrName(name: Buffer): Buffer {
  return startsWith(name, OVERLAY_PREFIX) ? Buffer.concat([ESCAPED_PREFIX, name.subarray(OVERLAY_PREFIX.length)]) : name;
}

/** The name a real xattr shows through the mount: undefined for a private one, escaped ones unescaped. */
export function shownXattrName(name: Buffer): Buffer | undefined {
  if (startsWith(name, ESCAPED_PREFIX)) return Buffer.concat([OVERLAY_PREFIX, name.subarray(ESCAPED_PREFIX.length)]);
  return startsWith(name, OVERLAY_PREFIX) ? undefined : name;
}

export function isTrustedXattr(name: Buffer): boolean {
  return startsWith(name, TRUSTED);
}

/** stat without following, or undefined when there is nothing by that name. */
export function statAt(dirfd: number, name: Buffer): sys.Stat | undefined {
  try {
    return sys.fstatat(dirfd, name);
  } catch (e) {
    if (e instanceof FuseError && e.errno === ENOENT) return undefined;
    throw e;
  }
}
