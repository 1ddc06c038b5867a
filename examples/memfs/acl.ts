// POSIX ACLs as tmpfs keeps them: system.posix_acl_access and system.posix_acl_default in the
// kernel's xattr format (a little-endian u32 version 2, then 8-byte entries: u16 tag, u16 perm,
// u32 id), and the rules the VFS applies to them on tmpfs (posix_acl_update_mode on set,
// posix_acl_chmod on chmod, posix_acl_create on create).
//
// With FUSE_CAP_POSIX_ACL the kernel parses and validates every ACL before it sends it (so memfs
// gets the canonical form), checks who may set one, caches the ACLs it reads back with getxattr and
// enforces them itself (it forces default_permissions). What it leaves to the filesystem is what
// tmpfs's VFS does on the inode: the mode that follows an access ACL, the ACL that follows a chmod,
// the ACLs a new inode inherits, and the umask when there is no default ACL (it does not apply it
// itself: the superblock is SB_POSIXACL, and memfs asks dont_mask so that the mode arrives as given).
import { FuseError } from '../../lib';

export const ACL_ACCESS = 'system.posix_acl_access';
export const ACL_DEFAULT = 'system.posix_acl_default';

const VERSION = 2;
const HEADER = 4;
const ENTRY = 8;
export const USER_OBJ = 0x01;
export const USER = 0x02;
export const GROUP_OBJ = 0x04;
export const GROUP = 0x08;
export const MASK = 0x10;
export const OTHER = 0x20;
const UNDEFINED_ID = 0xffffffff;

export interface AclEntry {
  tag: number;
  perm: number;
  id: number;
}

export type Acl = AclEntry[];

export function isAclName(key: string): boolean {
  return key === ACL_ACCESS || key === ACL_DEFAULT;
}

/** The entries of an ACL xattr value; EINVAL when it is not one (the kernel sends only valid ones). */
export function parseAcl(value: Buffer): Acl {
  if (value.length < HEADER || (value.length - HEADER) % ENTRY !== 0 || value.readUInt32LE(0) !== VERSION) {
    throw new FuseError('EINVAL');
  }
  const acl: Acl = [];
  for (let o = HEADER; o < value.length; o += ENTRY) {
    acl.push({ tag: value.readUInt16LE(o), perm: value.readUInt16LE(o + 2), id: value.readUInt32LE(o + 4) });
  }
  return acl;
}

export function formatAcl(acl: Acl): Buffer {
  const b = Buffer.alloc(HEADER + acl.length * ENTRY);
  b.writeUInt32LE(VERSION, 0);
  acl.forEach((e, i) => {
    const o = HEADER + i * ENTRY;
    b.writeUInt16LE(e.tag, o);
    b.writeUInt16LE(e.perm, o + 2);
    b.writeUInt32LE(e.tag === USER || e.tag === GROUP ? e.id : UNDEFINED_ID, o + 4);
  });
  return b;
}

/**
 * posix_acl_equiv_mode: the permission bits an access ACL stands for (the mask, when present, in
 * place of the group bits), and whether the mode says it all (no named entries, no mask).
 */
export function aclMode(acl: Acl, mode: number): { mode: number; equivalent: boolean } {
  let bits = 0;
  let equivalent = true;
  for (const e of acl) {
    const p = e.perm & 7;
    if (e.tag === USER_OBJ) bits |= p << 6;
    else if (e.tag === GROUP_OBJ) bits |= p << 3;
    else if (e.tag === OTHER) bits |= p;
    else equivalent = false;  // named entries and the mask
  }
  // The mask stands for the group class in place of GROUP_OBJ.
  const mask = acl.find((e) => e.tag === MASK);
  if (mask) bits = (bits & ~0o070) | ((mask.perm & 7) << 3);
  return { mode: (mode & ~0o777) | bits, equivalent };
}

/** posix_acl_chmod_masq: the ACL after a chmod to `mode` (owner, mask or group, other follow the mode). */
export function chmodAcl(acl: Acl, mode: number): Acl {
  const hasMask = acl.some((e) => e.tag === MASK);
  return acl.map((e) => {
    if (e.tag === USER_OBJ) return { ...e, perm: (mode >> 6) & 7 };
    if (e.tag === MASK || (e.tag === GROUP_OBJ && !hasMask)) return { ...e, perm: (mode >> 3) & 7 };
    if (e.tag === OTHER) return { ...e, perm: mode & 7 };
    return e;
  });
}

/**
 * posix_acl_create_masq: a new inode's access ACL from its directory's default ACL and the mode it
 * was created with (the umask not applied); answers the new mode and the ACL (undefined when the
 * mode says it all).
 */
export function inheritAcl(dflt: Acl, mode: number): { mode: number; access: Acl | undefined } {
  let m = mode & 0o777;
  let equivalent = true;
  const acl = dflt.map((e) => ({ ...e }));
  let groupObj: AclEntry | undefined;
  let mask: AclEntry | undefined;
  for (const e of acl) {
    if (e.tag === USER_OBJ) {
      e.perm &= (m >> 6) & 7;
      m &= (e.perm << 6) | ~0o700;
    } else if (e.tag === OTHER) {
      e.perm &= m & 7;
      m &= e.perm | ~0o007;
    } else if (e.tag === GROUP_OBJ) groupObj = e;
    else if (e.tag === MASK) {
      mask = e;
      equivalent = false;
    } else equivalent = false;
  }
  const group = mask ?? groupObj;
  if (!group) throw new FuseError('EIO');  // a default ACL without a group entry: the kernel refuses it too
  group.perm &= (m >> 3) & 7;
  m &= (group.perm << 3) | ~0o070;
  return { mode: (mode & ~0o777) | (m & 0o777), access: equivalent ? undefined : acl };
}
