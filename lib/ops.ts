// Request kinds, numbered as in src-native/layout.h.

export const OPS = [
  'lookup', 'forget', 'getattr', 'setattr', 'readlink', 'mknod', 'mkdir', 'unlink', 'rmdir', 'symlink',
  'rename', 'link', 'open', 'read', 'write', 'flush', 'release', 'fsync', 'opendir', 'readdir',
  'releasedir', 'fsyncdir', 'statfs', 'setxattr', 'getxattr', 'listxattr', 'removexattr', 'access',
  'create', 'getlk', 'setlk', 'bmap', 'ioctl', 'poll', 'forgetMulti', 'flock', 'fallocate',
  'readdirplus', 'copyFileRange', 'lseek',
] as const;

export type OpName = (typeof OPS)[number];

/** Native op code of each op (1-based, as in layout.h). */
export const OP_CODE: Readonly<Record<OpName, number>> = Object.freeze(
  Object.fromEntries(OPS.map((name, i) => [name, i + 1])) as Record<OpName, number>,
);

export const OP_COUNT = OPS.length + 1;

/** Ops with no reply: the request is only valid while its subscribers run synchronously. */
export const NO_REPLY_OPS: ReadonlySet<OpName> = new Set<OpName>(['forget', 'forgetMulti']);

/**
 * Ops for which an ENOSYS answer makes the kernel stop sending the request for the rest of the
 * mount (see docs/design.md). Attach a handler before mounting if the op may ever be needed.
 */
export const STICKY_ENOSYS: ReadonlySet<OpName> = new Set<OpName>([
  'rename', 'setxattr', 'getxattr', 'listxattr', 'removexattr', 'flush', 'fsync', 'fsyncdir', 'open',
  'opendir', 'access', 'create', 'bmap', 'poll', 'fallocate', 'lseek', 'copyFileRange',
]);
