// memfs: a complete in-memory POSIX filesystem that behaves like the kernel's tmpfs.
//   rxfuse memfs [size=BYTES[k|m|g]] [inodes=N] [mode=OCTAL] <mountpoint>
//
// ## memfs: how it stores data, cookies, times, and what differs from tmpfs
//
// Built on the public API and the inode registry, and checked against a kernel tmpfs by the
// differential tests (test/diff). Defaults as tmpfs: half of RAM, as many inodes as pages, root 01777.
//
// - **Inodes** live in a Map by number; numbers are never reused. The last name of an inode gone,
//   memfs calls `fuse.inodes.markRemoved(ino)` and frees the inode on `released$`, once the kernel
//   has forgotten it and every handle is closed: data unlinked while open stays readable.
// - **Data** is sparse, in chunks of 64 pages (256 KiB) kept in a Map by chunk index, each page a
//   hole, fallocated or data, as tmpfs's pages: st_blocks counts allocated pages, SEEK_DATA sees only
//   data pages (a fallocated page turns data when written or fallocated again), a truncate to the
//   same size or below frees every page past the end. A chunk's buffer is allocated on its first
//   write and grows by doubling to 16 KiB, then to the whole chunk, so small files stay small and a
//   1 TB hole costs nothing. Reads inside one chunk are answered with a view of its buffer, holes
//   from a shared zero buffer. A page budget gives statfs its counts and ENOSPC (a write stops at the
//   last page that fits; fallocate is all or nothing).
// - **Directories** keep a Map by name and an array in creation order. Listings go newest first,
//   as tmpfs lists on this kernel, and an entry's cookie is 2^53 - 1 - its sequence number ("." is
//   1, ".." 2): a listing resumes by binary search, so entries added meanwhile sort before the
//   position and removed ones leave gaps; nothing is skipped or listed twice. A rename gives the
//   entry a new sequence number (tmpfs moves the dentry to the front). Removed entries are compacted
//   away in amortized O(1); a readdir reply is built only for what fits the kernel's buffer.
// - **Times** are wall-clock at start plus the monotonic clock, to the nanosecond. As tmpfs: creating,
//   linking, unlinking and renaming move the directories' mtime and ctime and the inode's ctime;
//   write and fallocate move mtime and ctime; ftruncate always, truncate(2) only when the size changes
//   or the file holds pages; every setattr moves ctime (chown(-1, -1) arrives with nothing to set); xattr
//   changes move ctime; reads, listings and readlink move atime under relatime.
// - **Permissions** are the kernel's (default_permissions): mode bits, sticky directories, chown and
//   chmod rules, the xattr namespaces' privileges. memfs gives new inodes the caller's uid and gid, or
//   a setgid directory's group (and the bit, to subdirectories); modes arrive umasked. With
//   handle_killpriv off the kernel clears suid/sgid on write, truncate and chown itself, as a mode
//   setattr; memfs does the two cases it leaves out: an O_TRUNC open, and a set-group-ID file without
//   group execute written by a non-member. uid 0 stands for CAP_FSETID and CAP_SYS_ADMIN (the request
//   carries no capabilities).
//
// Differences from tmpfs, and why:
// - atime of regular files: reads served from the kernel's page cache, and reads at or past EOF,
//   never reach a FUSE filesystem, where tmpfs's VFS moves atime on them; memfs applies relatime to
//   the reads it sees. FIFO and device times do not move with their I/O for the same reason (the
//   kernel marks FUSE inodes S_NOATIME/S_NOCMTIME and handles that I/O itself).
// - lseek SEEK_END/SEEK_DATA/SEEK_HOLE on a directory: the kernel's FUSE directories use
//   generic_file_llseek (an offset or ENXIO) where tmpfs answers EINVAL; memfs is not asked.
// - No O_TMPFILE and no POSIX ACLs (system.posix_acl_*: EOPNOTSUPP): rxfuse has no tmpfile op, and
//   ACLs would need the posix_acl capability and ACL parsing and inheritance in memfs.
// - Directory cookies are 53-bit numbers, where tmpfs's are small (a 32-bit getdents would see
//   EOVERFLOW). Offsets and sizes go to 2^63 - 1 as tmpfs's (largeFiles; examples/memfs/offsets.ts).
// - A memory-mapped read of a hole allocates a page in tmpfs, not in memfs (it is a read request).
// - libfuse mounts nosuid,nodev unless told -o suid,dev; tmpfs does not.
// - Each write and truncate is preceded by a getxattr("security.capability") from the kernel (its
//   privilege check); memfs answers ENODATA like any missing xattr.
import type { Fuse, FuseOptions } from '../lib';
import type { Example } from './example';
import { MemFs, type MemFsOptions } from './memfs/fs';

export { MemFs, type MemFsOptions } from './memfs/fs';

/**
 * The mount options memfs wants: the kernel checks permissions from the mode bits
 * (default_permissions), other users may enter when root mounts (allow_other), and the kernel
 * clears suid/sgid itself on write, truncate and chown with the writer's real capabilities
 * (handle_killpriv off: it then sends the mode change as a setattr). libfuse mounts nosuid,nodev
 * unless told otherwise (-o suid,dev), where tmpfs does not: that is the mount, not memfs.
 */
export function memfsOptions(): FuseOptions {
  const root = process.getuid?.() === 0;
  return {
    fsname: 'memfs',
    defaultPermissions: true,
    allowOther: root,
    conn: { capabilities: { handleKillpriv: false } },
    largeFiles: true,  // offsets and sizes up to 2^63 - 1, as tmpfs
  };
}

function bytes(v: string): number {
  const m = /^(\d+)([kmgt]?)$/i.exec(v);
  if (!m) throw new Error(`memfs: bad size ${v}`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Number(m[1]) * unit;
}

/** Parses the command line's key=value arguments. */
export function parseMemfsArgs(args: readonly string[]): MemFsOptions {
  const o: MemFsOptions = {};
  for (const a of args) {
    const [k, v] = a.split('=', 2);
    if (v === undefined) throw new Error(`memfs: expected key=value, got ${a}`);
    if (k === 'size') o.size = bytes(v);
    else if (k === 'inodes') o.inodes = Number(v);
    else if (k === 'mode') o.rootMode = parseInt(v, 8);
    else throw new Error(`memfs: unknown argument ${k}`);
  }
  return o;
}

let instance: MemFs | undefined;

const example: Example = {
  description: 'an in-memory POSIX filesystem that behaves like tmpfs',
  usage: '[size=BYTES[k|m|g]] [inodes=N] [mode=OCTAL]',
  options: memfsOptions(),
  setup(fuse: Fuse, args: readonly string[]) {
    instance = new MemFs(parseMemfsArgs(args));
    instance.attach(fuse);
  },
};

export default example;
