// passthrough: mirrors a source directory, inode-based and fd-relative, like libfuse's
// passthrough_hp. `rxfuse passthrough <source-dir> <mountpoint>` (add -o allow_other for other users).
//
// Every inode the kernel knows holds an O_PATH handle on its source object, opened relative to its
// parent's handle with O_NOFOLLOW; every op works on those handles (lib/sys.ts), never on a path, so
// a symlink in the source cannot lead the filesystem out of it. See examples/passthrough/fs.ts.
//
// Defaults, as a real passthrough: default_permissions (the kernel checks modes and ownership with
// the source's attributes, as it would on the source itself), the kernel kills set-id bits itself
// (handle_killpriv off: our writes run as the daemon, which may keep them), umask 0 (the kernel
// applied the caller's umask already), and, when run as root, objects are created as the caller.
import type { Fuse } from '../lib';
import type { Example } from './example';
import { Passthrough } from './passthrough/fs';

const example: Example = {
  description: 'mirrors a directory, fd-relative (O_PATH handles; never a path inside the source)',
  usage: '<source-dir>',
  options: {
    defaultPermissions: true,
    conn: { capabilities: { handleKillpriv: false } },
    largeFiles: true,  // files of 2^53 bytes or more in the source are read and written exactly
  },
  setup(fuse: Fuse, args: readonly string[]) {
    if (args.length !== 1) throw new Error('usage: rxfuse passthrough <source-dir> <mountpoint>');
    process.umask(0);
    new Passthrough(fuse, args[0]).attach();
  },
};

export default example;
