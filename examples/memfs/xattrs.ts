// Extended attributes as tmpfs keeps them: the user., trusted. and security. namespaces, listed in
// descending name order (tmpfs's rbtree order), trusted.* hidden from unprivileged callers.
// The kernel checks the rest before asking: value sizes (E2BIG), name lengths (ERANGE), who may
// touch trusted.* and security.*, user.* only on files and directories.
import { FuseError, XattrFlags } from '../../lib';
import { ACL_ACCESS, ACL_DEFAULT, isAclName } from './acl';

const NAMESPACES = ['user.', 'trusted.', 'security.'];

/** EOPNOTSUPP outside the namespaces tmpfs supports, EINVAL for a bare prefix ("user."). */
export function checkName(key: string): void {
  if (isAclName(key)) return;  // POSIX ACLs (acl.ts): system.* has no other names
  for (const ns of NAMESPACES) {
    if (key.startsWith(ns)) {
      if (key.length === ns.length) throw new FuseError('EINVAL');
      return;
    }
  }
  throw new FuseError('EOPNOTSUPP');
}

export class Xattrs {
  private readonly map = new Map<string, Buffer>();

  get size(): number {
    return this.map.size;
  }

  get(key: string): Buffer {
    checkName(key);
    const v = this.map.get(key);
    if (!v) throw new FuseError('ENODATA');
    return v;
  }

  set(key: string, value: Buffer, flags: number): void {
    checkName(key);
    const had = this.map.has(key);
    if (flags & XattrFlags.CREATE && had) throw new FuseError('EEXIST');
    if (flags & XattrFlags.REPLACE && !had) throw new FuseError('ENODATA');
    this.map.set(key, value);
  }

  remove(key: string): void {
    checkName(key);
    if (!this.map.delete(key)) throw new FuseError('ENODATA');
  }

  /** The value, or undefined (no checks: for memfs's own use). */
  peek(key: string): Buffer | undefined {
    return this.map.get(key);
  }

  /** Removes a value if there is one (no checks: for memfs's own use). */
  drop(key: string): void {
    this.map.delete(key);
  }

  /** The names: the ACLs first (as posix_acl_listxattr), then descending; trusted.* only for a privileged caller. */
  names(privileged: boolean): Buffer[] {
    const keys = [...this.map.keys()].filter((k) => !isAclName(k) && (privileged || !k.startsWith('trusted.')));
    keys.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));  // latin1 keys: code-unit order is byte order
    const acls = [ACL_ACCESS, ACL_DEFAULT].filter((k) => this.map.has(k));
    return [...acls, ...keys].map((k) => Buffer.from(k, 'latin1'));
  }
}
