// Extended attributes.
import { sys } from './addon';
import { bytes, check, fdArg, type Name, num } from './args';

// The empty name reaches the object `dirfd` refers to through /proc/self/fd/N (O_PATH handles have
// no f*xattr); another name is taken relative to dirfd without following its final symlink.

/** The size of an attribute's value (ENODATA when it has none). */
export function getxattrSize(dirfd: number, name: Name, attr: Name): number {
  return check(sys().getxattr(fdArg(dirfd, 'getxattr'), bytes(name, 'getxattr'), bytes(attr, 'getxattr'), null), 'getxattr');
}

/**
 * getxattr(2): the value of `attr`. With `maxSize`, at most that many bytes (ERANGE when the value is
 * longer, as the syscall answers a caller's buffer); without, whatever its size.
 */
export function getxattr(dirfd: number, name: Name, attr: Name, maxSize?: number): Buffer {
  const fd = fdArg(dirfd, 'getxattr');
  const path = bytes(name, 'getxattr');
  const a = bytes(attr, 'getxattr');
  for (;;) {
    const size = maxSize ?? check(sys().getxattr(fd, path, a, null), 'getxattr');
    if (size === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(num(size, 'getxattr size'));
    const r = sys().getxattr(fd, path, a, out);
    if (r === -ERANGE && maxSize === undefined) continue;  // grew since the size probe
    return out.subarray(0, check(r, 'getxattr'));
  }
}

const ERANGE = 34;

/** setxattr(2); flags: XATTR.CREATE (EEXIST if it exists), XATTR.REPLACE (ENODATA if not). */
export function setxattr(dirfd: number, name: Name, attr: Name, value: Uint8Array, flags = 0): void {
  if (!(value instanceof Uint8Array)) throw new TypeError('setxattr: value: Buffer or Uint8Array expected');
  check(sys().setxattr(fdArg(dirfd, 'setxattr'), bytes(name, 'setxattr'), bytes(attr, 'setxattr'), value, flags), 'setxattr');
}

/** The size of the NUL-separated list of attribute names. */
export function listxattrSize(dirfd: number, name: Name): number {
  return check(sys().listxattr(fdArg(dirfd, 'listxattr'), bytes(name, 'listxattr'), null), 'listxattr');
}

/**
 * listxattr(2): the attribute names. With `maxSize`, ERANGE when the packed list (names + NULs)
 * is longer, as the syscall answers a caller's buffer.
 */
export function listxattr(dirfd: number, name: Name, maxSize?: number): Buffer[] {
  const fd = fdArg(dirfd, 'listxattr');
  const path = bytes(name, 'listxattr');
  for (;;) {
    const size = maxSize ?? check(sys().listxattr(fd, path, null), 'listxattr');
    if (size === 0) return [];
    const out = Buffer.allocUnsafe(num(size, 'listxattr size'));
    const r = sys().listxattr(fd, path, out);
    if (r === -ERANGE && maxSize === undefined) continue;
    const n = check(r, 'listxattr');
    const names: Buffer[] = [];
    for (let p = 0; p < n;) {
      let e = out.indexOf(0, p);
      if (e < 0 || e > n) e = n;
      if (e > p) names.push(Buffer.from(out.subarray(p, e)));
      p = e + 1;
    }
    return names;
  }
}

/** removexattr(2). */
export function removexattr(dirfd: number, name: Name, attr: Name): void {
  check(sys().removexattr(fdArg(dirfd, 'removexattr'), bytes(name, 'removexattr'), bytes(attr, 'removexattr')), 'removexattr');
}
