// Request kinds, numbered as in src-native/layout.h, and every per-op fact the TS side needs: one
// row per op in OP_FACTS. The sets and maps below (and the trace's and Operations' tables) derive
// from it; to add an op, add it to OPS and give it a row (see docs/design.md, "Which ops are implemented").

/** Every op rxfuse implements, by name, in the native op-code order (the `<op>$` streams of Fuse). */
export const OPS = [
  'lookup', 'forget', 'getattr', 'setattr', 'readlink', 'mknod', 'mkdir', 'unlink', 'rmdir', 'symlink',
  'rename', 'link', 'open', 'read', 'write', 'flush', 'release', 'fsync', 'opendir', 'readdir',
  'releasedir', 'fsyncdir', 'statfs', 'setxattr', 'getxattr', 'listxattr', 'removexattr', 'access',
  'create', 'getlk', 'setlk', 'bmap', 'ioctl', 'poll', 'forgetMulti', 'flock', 'fallocate',
  'readdirplus', 'copyFileRange', 'lseek',
  // Ops libfuse 3.14 does not know (src-native/raw_ops.cc), after libfuse's.
  'statx', 'tmpfile',
] as const;

/** An op's name: one of OPS ('lookup', 'read', 'copyFileRange', ...). */
export type OpName = (typeof OPS)[number];

/** What rxfuse knows about one op; an absent flag is false. */
export interface OpFacts {
  /** No reply: the request is only valid while its subscribers run synchronously (forget). */
  readonly noReply?: boolean;
  /** An ENOSYS answer makes the kernel stop sending the op for the rest of the mount. */
  readonly stickyEnosys?: boolean;
  /** Its reply hands the kernel entries (lookups the registry counts). */
  readonly entry?: boolean;
  /** The registry sees it even without a handler (answered as the kernel treats an absent op). */
  readonly registry?: boolean;
  /** It always changes the filesystem (open and create are judged by their flags, see readOnly()). */
  readonly mutating?: boolean;
  /** Its request carries an entry or xattr name (`name`; the trace's record.name). */
  readonly named?: boolean;
  /** The Operations method that serves it, when not the method of its own name. */
  readonly method?: string;
}

/** The per-op facts, one row per op. */
export const OP_FACTS: { readonly [K in OpName]: OpFacts } = {
  lookup: { entry: true, named: true },
  forget: { noReply: true, registry: true },
  getattr: {},
  setattr: { mutating: true },
  readlink: {},
  mknod: { entry: true, mutating: true, named: true },
  mkdir: { entry: true, mutating: true, named: true },
  unlink: { mutating: true, named: true },
  rmdir: { mutating: true, named: true },
  symlink: { entry: true, mutating: true, named: true },
  rename: { stickyEnosys: true, mutating: true, named: true },
  link: { entry: true, mutating: true },
  open: { stickyEnosys: true, registry: true },
  read: {},
  write: { mutating: true },
  flush: { stickyEnosys: true },
  release: { registry: true },
  fsync: { stickyEnosys: true },
  opendir: { stickyEnosys: true, registry: true },
  readdir: {},
  releasedir: { registry: true },
  fsyncdir: { stickyEnosys: true },
  statfs: {},
  setxattr: { stickyEnosys: true, mutating: true, named: true },
  getxattr: { stickyEnosys: true, named: true },
  listxattr: { stickyEnosys: true },
  removexattr: { stickyEnosys: true, mutating: true, named: true },
  access: { stickyEnosys: true },
  create: { stickyEnosys: true, entry: true, mutating: true, named: true },
  getlk: {},
  setlk: {},
  bmap: { stickyEnosys: true },
  ioctl: {},
  poll: { stickyEnosys: true },
  forgetMulti: { noReply: true, registry: true, method: 'forget' },
  flock: {},
  fallocate: { stickyEnosys: true, mutating: true },
  readdirplus: { entry: true, method: 'readdir' },
  copyFileRange: { stickyEnosys: true, mutating: true },
  lseek: { stickyEnosys: true },
  statx: { stickyEnosys: true },
  tmpfile: { stickyEnosys: true, entry: true, mutating: true },
};

/** The ops with a fact set, in OPS order. */
export function opsWhere(fact: keyof OpFacts): ReadonlySet<OpName> {
  return new Set<OpName>(OPS.filter((op) => OP_FACTS[op][fact] !== undefined && OP_FACTS[op][fact] !== false));
}

/** Native op code of each op (1-based, as in layout.h). */
export const OP_CODE: Readonly<Record<OpName, number>> = Object.freeze(
  Object.fromEntries(OPS.map((name, i) => [name, i + 1])) as Record<OpName, number>,
);

export const OP_COUNT = OPS.length + 1;

/** Ops with no reply: the request is only valid while its subscribers run synchronously. */
export const NO_REPLY_OPS: ReadonlySet<OpName> = opsWhere('noReply');

/**
 * Ops for which an ENOSYS answer makes the kernel stop sending the request for the rest of the
 * mount (see docs/design.md). Attach a handler before mounting if the op may ever be needed.
 */
export const STICKY_ENOSYS: ReadonlySet<OpName> = opsWhere('stickyEnosys');

/** Entry-producing ops (the registry holds releases back while one is in flight). */
export const ENTRY_OPS: ReadonlySet<OpName> = opsWhere('entry');

/**
 * Ops the registry needs to see even when the filesystem has no handler for them. Without a
 * handler they are answered as the kernel treats an absent op: success (fh 0 for open and opendir;
 * see answerSuccess for the open with O_TRUNC).
 */
export const REGISTRY_OPS: ReadonlySet<OpName> = opsWhere('registry');

/** Ops that always change the filesystem (open and create are judged by their flags). */
export const MUTATING_OPS: ReadonlySet<OpName> = opsWhere('mutating');

/** Ops whose request carries an entry or xattr name. */
export const NAMED_OPS: ReadonlySet<OpName> = opsWhere('named');
