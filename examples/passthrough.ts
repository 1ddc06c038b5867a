// passthrough: mirrors a source directory, inode-based and fd-relative, like libfuse's
// passthrough_hp. `rxfuse passthrough <source-dir> <mountpoint>` (add -o allow_other for other users;
// `--xattrs off` serves no extended attributes, which spares small writes a round trip each).
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
  usage: '<source-dir> [--handles on|off] [--xattrs on|off]',
  flags: ['--handles', '--xattrs'],
  options: {
    defaultPermissions: true,
    conn: { capabilities: { handleKillpriv: false, posixAcl: true, dontMask: true } },
    largeFiles: true,  // files of 2^53 bytes or more in the source are read and written exactly
  },
  setup(fuse: Fuse, args: readonly string[]) {
    const usage = 'usage: rxfuse passthrough <source-dir> <mountpoint> [--handles on|off] [--xattrs on|off]';
    const set: Record<string, string> = { '--handles': 'on', '--xattrs': 'on' };
    if (args.length % 2 !== 1) throw new Error(usage);
    for (let i = 1; i < args.length; i += 2) {
      if (!(args[i] in set) || (args[i + 1] !== 'on' && args[i + 1] !== 'off')) throw new Error(usage);
      set[args[i]] = args[i + 1];
    }
    checkDirectory('source directory', args[0]);
    process.umask(0);
    new Passthrough(fuse, args[0], { fileHandles: set['--handles'] === 'on', xattrs: set['--xattrs'] === 'on' }).attach();
  },
};

export default example;
