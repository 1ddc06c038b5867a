// File flags (lsattr/chattr) as tmpfs keeps them: FS_IOC_GETFLAGS/SETFLAGS and
// FS_IOC_FSGETXATTR/FSSETXATTR, the flags tmpfs supports (append-only, immutable, nodump, noatime),
// and the rules the VFS applies to them.
//
// The kernel routes these ioctls to a FUSE filesystem through its fileattr operations: it opens the
// inode (FUSE_OPEN O_RDONLY, or OPENDIR for a directory), sends FUSE_IOCTL with the command and a
// 4-byte flags word (28-byte struct fsxattr for the FS* pair), then releases. chattr first reads the
// flags, so a change is a GETFLAGS and a SETFLAGS. The VFS checks ownership and CAP_LINUX_IMMUTABLE
// itself before asking; memfs checks again (uid 0 stands for the capability). What the VFS cannot
// do for FUSE is enforce the flags: it tests S_IMMUTABLE/S_APPEND in the inode's i_flags, which FUSE
// never sets. So memfs refuses what those tests refuse (`mutable`, `deletable`, `openable`, ...).
import { constants as K } from 'node:fs';
import { FuseError, O_ACCMODE } from '../../lib';

export const FS_IMMUTABLE_FL = 0x10;
export const FS_APPEND_FL = 0x20;
export const FS_NODUMP_FL = 0x40;
export const FS_NOATIME_FL = 0x80;
/** tmpfs's SHMEM_FL_USER_MODIFIABLE: every other flag is EOPNOTSUPP. */
const MODIFIABLE = FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL;
/** What a new inode takes from its directory (tmpfs's SHMEM_FL_INHERITED). */
const INHERITED = FS_NODUMP_FL | FS_NOATIME_FL;
/** Flags only a caller with CAP_LINUX_IMMUTABLE may set or clear. */
const PRIVILEGED = FS_IMMUTABLE_FL | FS_APPEND_FL;

// statx's attribute bits for these flags (STATX_ATTR_*), and the ones tmpfs reports as supported.
const STATX_ATTR_IMMUTABLE = 0x10;
const STATX_ATTR_APPEND = 0x20;
const STATX_ATTR_NODUMP = 0x40;
export const STATX_ATTRIBUTES_MASK = STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND | STATX_ATTR_NODUMP;

/** statx attributes of an inode's flags, as tmpfs's shmem_getattr gives them. */
export function statxAttributes(flags: number): number {
  return (flags & FS_IMMUTABLE_FL ? STATX_ATTR_IMMUTABLE : 0) | (flags & FS_APPEND_FL ? STATX_ATTR_APPEND : 0) |
    (flags & FS_NODUMP_FL ? STATX_ATTR_NODUMP : 0);
}

// Commands, as the kernel sends them (_IOR('f', 1, long) and friends on 64-bit; the 32-bit ones too).
export const FS_IOC_GETFLAGS = 0x80086601;
export const FS_IOC_SETFLAGS = 0x40086602;
const FS_IOC32_GETFLAGS = 0x80046601;
const FS_IOC32_SETFLAGS = 0x40046602;
export const FS_IOC_FSGETXATTR = 0x801c581f;
export const FS_IOC_FSSETXATTR = 0x401c5820;
/** struct fsxattr: xflags, extsize, nextents, projid, cowextsize, 8 bytes of padding. */
const FSXATTR_BYTES = 28;

// FS_XFLAG_* bits of struct fsxattr that map to the flags above; every other one maps to a flag
// tmpfs refuses, or to none.
const XFLAGS: readonly (readonly [number, number])[] = [
  [0x8, FS_IMMUTABLE_FL], [0x10, FS_APPEND_FL], [0x80, FS_NODUMP_FL], [0x40, FS_NOATIME_FL],
];

/** The part of an inode this file reads and changes. */
export interface Flagged {
  flags: number;
  uid: number;
  mode: number;
}

function eperm(): never {
  throw new FuseError('EPERM');
}

export function inheritedFlags(dir: Flagged): number {
  return dir.flags & INHERITED;
}

/** Contents, attributes and xattrs may change: not immutable. */
export function checkMutable(n: Flagged): void {
  if (n.flags & FS_IMMUTABLE_FL) eperm();
}

/** Neither immutable nor append-only: the inode may lose a name, a directory an entry, an xattr change. */
export function checkDeletable(n: Flagged): void {
  if (n.flags & (FS_IMMUTABLE_FL | FS_APPEND_FL)) eperm();
}

/** An open: no writing an immutable file; an append-only one only with O_APPEND and without O_TRUNC. */
export function checkOpen(n: Flagged, flags: number): void {
  const writing = (flags & O_ACCMODE) !== K.O_RDONLY;
  if (n.flags & FS_IMMUTABLE_FL && (writing || flags & K.O_TRUNC)) eperm();
  if (n.flags & FS_APPEND_FL && ((writing && !(flags & K.O_APPEND)) || flags & K.O_TRUNC)) eperm();
}

/**
 * A setattr: nothing on an immutable inode but an ftruncate through a descriptor opened before (the
 * VFS checks only truncate(2)), and on an append-only one no mode, owner, size or explicit times
 * (touching to now is allowed). An empty setattr (chown -1 -1) passes, as in tmpfs.
 */
export function checkSetattr(n: Flagged,
  what: { metadata: boolean; size: boolean; viaHandle: boolean; explicitTimes: boolean; touch: boolean }): void {
  const truncate = what.size && !what.viaHandle;
  if (n.flags & FS_IMMUTABLE_FL && (what.metadata || truncate || what.explicitTimes || what.touch)) eperm();
  if (n.flags & FS_APPEND_FL && (what.metadata || what.size || what.explicitTimes)) eperm();
}

/** fallocate: nothing on an immutable file, only plain allocation (KEEP_SIZE at most) on an append-only one. */
export function checkFallocate(n: Flagged, mode: number, keepSize: number): void {
  checkMutable(n);
  if (n.flags & FS_APPEND_FL && mode & ~keepSize) eperm();
}

/** The ioctl commands memfs answers (anything else: ENOTTY). */
export function isFlagsIoctl(cmd: number): boolean {
  switch (cmd >>> 0) {
    case FS_IOC_GETFLAGS: case FS_IOC32_GETFLAGS: case FS_IOC_SETFLAGS: case FS_IOC32_SETFLAGS:
    case FS_IOC_FSGETXATTR: case FS_IOC_FSSETXATTR:
      return true;
    default:
      return false;
  }
}

/**
 * Answers one of the flags ioctls: the output bytes for a get, or undefined after a set (which
 * changed n.flags; the caller moves ctime). `uid` is the caller's.
 */
export function flagsIoctl(n: Flagged, cmd: number, input: Buffer, uid: number): Buffer | undefined {
  switch (cmd >>> 0) {
    case FS_IOC_GETFLAGS:
    case FS_IOC32_GETFLAGS: {
      const out = Buffer.alloc(4);
      out.writeUInt32LE(n.flags >>> 0);
      return out;
    }
    case FS_IOC_SETFLAGS:
    case FS_IOC32_SETFLAGS:
      if (input.length < 4) throw new FuseError('EINVAL');
      setFlags(n, input.readUInt32LE(0), uid);
      return undefined;
    case FS_IOC_FSGETXATTR: {
      const out = Buffer.alloc(FSXATTR_BYTES);
      let x = 0;
      for (const [xf, f] of XFLAGS) if (n.flags & f) x |= xf;
      out.writeUInt32LE(x >>> 0, 0);
      return out;
    }
    case FS_IOC_FSSETXATTR: {
      if (input.length < FSXATTR_BYTES) throw new FuseError('EINVAL');
      const x = input.readUInt32LE(0);
      let flags = 0;
      let known = 0;
      for (const [xf, f] of XFLAGS) {
        known |= xf;
        if (x & xf) flags |= f;
      }
      // An XFS flag (sync, dax, projinherit included), extsize, projid or cowextsize: tmpfs has none.
      if (x & ~known || input.readUInt32LE(4) || input.readUInt32LE(12) || input.readUInt32LE(16)) {
        throw new FuseError('EOPNOTSUPP');
      }
      setFlags(n, flags, uid);
      return undefined;
    }
    default:
      throw new FuseError('ENOTTY');
  }
}

/** FS_IOC_SETFLAGS: owner or root; immutable and append-only changed by root only; tmpfs's flags only. */
function setFlags(n: Flagged, flags: number, uid: number): void {
  if (uid !== 0 && uid !== n.uid) eperm();
  if ((flags ^ n.flags) & PRIVILEGED && uid !== 0) eperm();
  if (flags & ~MODIFIABLE) throw new FuseError('EOPNOTSUPP');
  n.flags = flags;
}
