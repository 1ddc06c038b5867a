/// <reference types="node" preserve="true" />
/**
 * fd-relative system calls: what a passthrough or overlay filesystem needs and Node's fs lacks
 * (openat with O_PATH, fstatat, mkdirat, mknodat, renameat2, linkat, xattrs, getdents64, ...), as a
 * small typed API over the addon's `sys` functions (src-native/sys.cc).
 *
 * Synchronous, on purpose. A filesystem that mirrors a local directory makes these calls inline, as
 * a single-threaded C passthrough does: each takes microseconds, less than a round trip through
 * libuv's thread pool, and a handler without an await between resolving a name and replying cannot
 * interleave with a FORGET of the same inode. The price is the same as in C: a source that blocks
 * (a hung NFS server, a FIFO opened without O_NONBLOCK) blocks the JS thread and so the mount.
 *
 * Conventions:
 * - File descriptors are numbers; every descriptor opened here is close-on-exec.
 * - Names, paths and symlink targets are bytes (Buffer or Uint8Array; a string is taken as UTF-8).
 *   Results are Buffers. A name may be a relative path, but a filesystem that must not leave a
 *   directory passes single components and opens each with O_NOFOLLOW.
 * - The EMPTY name (`EMPTY`, or '') means "the object `dirfd` itself refers to", for every call that
 *   takes (dirfd, name): the addon uses AT_EMPTY_PATH where the kernel has it and the fd's
 *   /proc/self/fd/N magic link where it has not (O_PATH descriptors have no fchmod, futimens,
 *   ftruncate, f*xattr). That link resolves to exactly the fd's inode, never through a symlink.
 * - Errors are thrown as FuseError carrying the errno, with the syscall in the message
 *   ("openat: ENOENT"): a handler that lets one propagate answers the kernel with that errno and no
 *   error event. Invalid arguments (a fd that is not an integer, a name with NUL) are TypeErrors.
 *
 * The calls live by concept in lib/sys/: fds.ts (descriptors, file handles, the fd limit),
 * metadata.ts, names.ts, data.ts, xattrs.ts, creds.ts, memory.ts, on the conventions of args.ts and
 * the addon loader addon.ts; this module is their public face (`import * as sys`, rxfuse's `sys`).
 *
 * @module
 */
export { EMPTY, type Name } from './sys/args';
export * from './sys/constants';
export * from './sys/fds';
export * from './sys/metadata';
export * from './sys/names';
export * from './sys/data';
export * from './sys/memory';
export * from './sys/xattrs';
export * from './sys/creds';
