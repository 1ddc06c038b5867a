// memfs: a complete in-memory POSIX filesystem that behaves like the kernel's tmpfs.
//   rxfuse memfs [size=BYTES[k|m|g|t]] [inodes=N] [mode=OCTAL] [writeback=on|off] <mountpoint>
//
// ## memfs: how it stores data, cookies, times, and what differs from tmpfs
//
// Built on the public API and the inode registry, and checked against a kernel tmpfs by the
// differential tests (test/diff). Defaults as tmpfs: half of RAM, as many inodes as pages, root 01777.
//
// - **Inodes** live in a Map by number; numbers are never reused. The last name of an inode gone,
//   memfs calls `fuse.inodes.markRemoved(ino)` and frees the inode on `released$`, once the kernel
//   has forgotten it and every handle is closed: data unlinked while open stays readable.
// - **Data** is sparse, in chunks of 64 pages (256 KiB): chunk 0 in a field, the others in a Map by
//   index made on first need; each page a hole, fallocated or data (bit masks), as tmpfs's pages:
//   st_blocks counts allocated pages, SEEK_DATA sees only data pages (a fallocated page turns data
//   when written or fallocated again), a truncate to the same size or below frees every page past
//   the end. A chunk's buffer is allocated on its first
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
//   changes move ctime; reads, listings and readlink move atime as the mount's atime options say
//   (noatime, nodiratime, relatime, strictatime; memfs/atime.ts reads them from mountinfo). The birth
//   time (statx) is the creation time and never moves.
// - **Permissions** are the kernel's (default_permissions): mode bits, sticky directories, chown and
//   chmod rules, the xattr namespaces' privileges. memfs gives new inodes the caller's uid and gid, or
//   a setgid directory's group (and the bit, to subdirectories). POSIX ACLs (memfs/acl.ts) are
//   enforced by the kernel; memfs keeps mode and ACL consistent, inherits default ACLs, and applies
//   the umask (sent unapplied: dont_mask) only without a default ACL. With
//   handle_killpriv off the kernel clears suid/sgid on write, truncate and chown itself, as a mode
//   setattr; memfs does the two cases it leaves out: an O_TRUNC open, and a set-group-ID file without
//   group execute written by a non-member. uid 0 stands for CAP_FSETID and CAP_SYS_ADMIN (the request
//   carries no capabilities).
//
// Differences from tmpfs, and why:
// - atime of regular files: reads served from the kernel's page cache, and reads at or past EOF,
//   never reach a FUSE filesystem, where tmpfs's VFS moves atime on them; memfs applies the mount's
//   atime policy to the reads it sees. FIFO and device times do not move with their I/O for the same reason (the
//   kernel marks FUSE inodes S_NOATIME/S_NOCMTIME and handles that I/O itself).
// - lseek SEEK_END/SEEK_DATA/SEEK_HOLE on a directory: the kernel's FUSE directories use
//   generic_file_llseek (an offset or ENXIO) where tmpfs answers EINVAL; memfs is not asked.
// - writeback=on (the kernel's writeback cache): st_blocks, SEEK_DATA/SEEK_HOLE and statfs counts
//   lag behind writes the kernel still holds, and truncate(2) to the same size moves no time (the
//   kernel owns size, mtime and ctime then); see docs/design.md, "memfs: zero range, writeback".
// - libfuse 3.14 mounts take only atime/noatime: nodiratime, relatime, strictatime by a remount.
// - Directory cookies are 53-bit numbers, where tmpfs's are small (a 32-bit getdents would see
//   EOVERFLOW). Offsets and sizes go to 2^63 - 1 as tmpfs's (largeFiles; examples/memfs/offsets.ts).
// - A memory-mapped read of a hole allocates a page in tmpfs, not in memfs (it is a read request).
// - libfuse mounts nosuid,nodev unless told -o suid,dev; tmpfs does not.
// - Each write and truncate is preceded by a getxattr("security.capability") from the kernel (its
//   privilege check); memfs answers ENODATA like any missing xattr.
import type { Fuse, FuseOptions } from '../lib';
import type { Example } from './example';
import { PAGE } from './memfs/data';
import { MemFs, type MemFsOptions } from './memfs/fs';

export { MemFs, type MemFsOptions } from './memfs/fs';

/**
 * The mount options memfs wants: the kernel checks permissions from the mode bits
 * (default_permissions), other users may enter when root mounts (allow_other), and the kernel
 * clears suid/sgid itself on write, truncate and chown with the writer's real capabilities
 * (handle_killpriv off: it then sends the mode change as a setattr). libfuse mounts nosuid,nodev
 * unless told otherwise (-o suid,dev), where tmpfs does not: that is the mount, not memfs.
 */
export function memfsOptions(options: Pick<MemFsOptions, 'writeback'> = {}): FuseOptions {
  const root = process.getuid?.() === 0;
  return {
    fsname: 'memfs',
    defaultPermissions: true,
    allowOther: root,
    // ioctlDir: lsattr/chattr on directories (libfuse refuses directory ioctls without it).
    // posixAcl: ACLs (memfs/acl.ts), enforced by the kernel; dontMask: the umask arrives unapplied, as
    // with posix_acl the kernel would apply it even when a default ACL says otherwise.
    // writebackCache: the kernel's page cache takes writes and sends them in pages (see MemFsOptions.writeback).
    conn: {
      capabilities: { handleKillpriv: false, ioctlDir: true, posixAcl: true, dontMask: true, writebackCache: options.writeback === true },
    },
    largeFiles: true,  // offsets and sizes up to 2^63 - 1, as tmpfs
  };
}

const ARGS = 'memfs takes size=BYTES[k|m|g|t], inodes=N, mode=OCTAL, writeback=on|off';

/** A whole number of at most 2^53 - 1, or undefined. */
function whole(digits: string, unit = 1): number | undefined {
  const n = Number(digits) * unit;
  return /^\d+$/.test(digits) && Number.isSafeInteger(n) ? n : undefined;
}

function size(v: string): number {
  const m = /^(\d+)([kmgt]?)$/i.exec(v);
  const unit = m ? { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'] : 1;
  const n = m ? whole(m[1], unit) : undefined;
  if (n === undefined) throw new Error(`memfs: size=${v} is not a size (bytes, or a whole number with k, m, g or t, up to 8191t: e.g. size=64m)`);
  if (n < PAGE) throw new Error(`memfs: size=${v} holds no page (memfs stores whole ${PAGE}-byte pages: give size=4k or more)`);
  return n;
}

function inodes(v: string): number {
  const n = whole(v);
  if (n === undefined) throw new Error(`memfs: inodes=${v} is not a whole number (e.g. inodes=10000)`);
  if (n < 1) throw new Error(`memfs: inodes=${v}: at least 1 is needed (the root directory is an inode)`);
  return n;
}

function mode(v: string): number {
  const n = /^[0-7]+$/.test(v) ? parseInt(v, 8) : NaN;
  if (!(n <= 0o7777)) throw new Error(`memfs: mode=${v} is not an octal mode (digits 0-7, at most 7777: e.g. mode=755 or mode=1777)`);
  return n;
}

function onOff(k: string, v: string): boolean {
  if (v !== 'on' && v !== 'off') throw new Error(`memfs: ${k}=${v}: on or off`);
  return v === 'on';
}

/** Parses the command line's key=value arguments; a bad one is an Error naming it and what it takes. */
export function parseMemfsArgs(args: readonly string[]): MemFsOptions {
  const o: MemFsOptions = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq < 0) throw new Error(`memfs: expected key=value, got ${a} (${ARGS})`);
    const [k, v] = [a.slice(0, eq), a.slice(eq + 1)];
    if (k === 'size') o.size = size(v);
    else if (k === 'inodes') o.inodes = inodes(v);
    else if (k === 'mode') o.rootMode = mode(v);
    else if (k === 'writeback') o.writeback = onOff(k, v);
    else throw new Error(`memfs: unknown argument ${a} (${ARGS})`);
  }
  return o;
}

let instance: MemFs | undefined;

const example: Example = {
  description: 'an in-memory POSIX filesystem that behaves like tmpfs',
  usage: '[size=BYTES[k|m|g|t]] [inodes=N] [mode=OCTAL] [writeback=on|off]',
  options: memfsOptions(),
  optionsFor: (args) => memfsOptions(parseMemfsArgs(args)),
  setup(fuse: Fuse, args: readonly string[]) {
    instance = new MemFs(parseMemfsArgs(args));
    instance.attach(fuse);
  },
};

export default example;
