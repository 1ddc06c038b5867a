// overlay: a union of a read-only lower directory and a writable upper directory with the semantics
// of the kernel's overlayfs (Documentation/filesystems/overlayfs.rst), built from two fall-through
// layers (lib/compose layers()): the upper layer answers what the upper directory has and every
// change, and declines the rest to the lower layer.
//
//   rxfuse overlay <lower> <upper> <mountpoint>      (add -o allow_other for other users)
//
// - Lookups prefer the upper directory; a directory in both is merged (listed without duplicates).
// - Copy-up on the first change: open for writing or O_TRUNC, truncate, chmod, chown, utimens, an
//   xattr change, link (mode, owner, times and xattrs kept; parent directories copied up first).
// - Deleting a lower name leaves a whiteout (a character device 0/0); a directory deleted and made
//   again is opaque (trusted.overlay.opaque = "y"), stored as the kernel stores them, so the kernel
//   can mount the same upper directory (with a work directory of its own) and the other way round.
// - Files and upper-only directories can be renamed; a directory with a lower part cannot (EXDEV),
//   as with the kernel's default redirect_dir=off.
// - A node keeps its inode number through copy-up, and descriptors opened before keep working.
// - The lower directory is never changed: it is only ever opened O_PATH or for reading.
//
// As the kernel's overlayfs, it checks permissions on the merged view (default_permissions), lets the
// kernel kill set-id bits on writes, and makes new objects as their caller.
import type { Fuse } from '../lib';
import { checkDirectory } from '../lib/pathargs';
import type { Example } from './example';
import { Overlay } from './overlay/fs';

let fs: Overlay | undefined;

const example: Example = {
  description: 'the kernel overlayfs\'s union of a read-only lower and a writable upper directory, as two layers',
  usage: '<lower> <upper>',
  options: {
    fsname: 'overlay',
    defaultPermissions: true,
    conn: { capabilities: { handleKillpriv: false } },
  },
  setup(fuse: Fuse, args: readonly string[]) {
    if (args.length !== 2) throw new Error('usage: rxfuse overlay <lower> <upper> <mountpoint>');
    checkDirectory('lower directory', args[0]);
    checkDirectory('upper directory', args[1], true);
    process.umask(0);  // the kernel applied the caller's umask already
    fs = new Overlay(fuse, args[0], args[1]);
    fs.attach();
    // For tests: on SIGUSR2, "overlay-fds: N" (descriptors the filesystem holds) on stderr.
    process.on('SIGUSR2', () => process.stderr.write(`overlay-fds: ${fs?.openFds ?? 0}\n`));
  },
};

export default example;
