// passthrough: mirrors a source directory, inode-based and fd-relative, like libfuse's
// passthrough_hp. `rxfuse passthrough <source-dir> <mountpoint>` (add -o allow_other for other users).
//
// Every inode the kernel knows keeps a kernel file handle on its source object (an O_PATH fd only
// while hot, or where the source has no handles; `--handles off`: always), found relative to its
// parent with O_NOFOLLOW; every op works on an O_PATH fd of the object (lib/sys.ts), never on a path,
// so a symlink in the source cannot lead the filesystem out of it. See examples/passthrough/fs.ts.
//
// Defaults, as a real passthrough: default_permissions (the kernel checks modes and ownership with
// the source's attributes, as it would on the source itself), the kernel kills set-id bits itself
// (handle_killpriv off: our writes run as the daemon, which may keep them), POSIX ACLs from the
// source's system.posix_acl_* xattrs (posix_acl; the kernel enforces them) with the caller's umask
// sent unapplied (dont_mask) and set around each create, so that the source applies it or a default
// ACL instead, and, when run as root, objects are created as the caller.
import type { Fuse } from '../lib';
import { checkDirectory } from '../lib/pathargs';
import type { Example } from './example';
import { Passthrough } from './passthrough/fs';

const example: Example = {
  description: 'mirrors a directory, fd-relative (O_PATH handles; never a path inside the source)',
  usage: '<source-dir> [--handles on|off]',
  flags: ['--handles'],
  options: {
    defaultPermissions: true,
    conn: { capabilities: { handleKillpriv: false, posixAcl: true, dontMask: true } },
    largeFiles: true,  // files of 2^53 bytes or more in the source are read and written exactly
  },
  setup(fuse: Fuse, args: readonly string[]) {
    const handles = args.length === 3 && args[1] === '--handles' ? args[2] : 'on';
    if ((args.length !== 1 && args.length !== 3) || (handles !== 'on' && handles !== 'off')) {
      throw new Error('usage: rxfuse passthrough <source-dir> <mountpoint> [--handles on|off]');
    }
    checkDirectory('source directory', args[0]);
    process.umask(0);
    new Passthrough(fuse, args[0], { fileHandles: handles === 'on' }).attach();
  },
};

export default example;
