// The step language of the differential tests: one builder per syscall the runner (runner.py) knows.
// A step is a plain JSON object; `.as(who)` runs it as another user, `.expect(x)` states what the
// kernel's tmpfs answers, so that a case that went wrong (a typo, a bad assumption) fails even
// where both sides agree.
export type Who = 'root' | 'user' | 'other';
/** The identity of a run: every case runs once as root, once as uid/gid 1000 (groups 1000, 1002). */
export type RunAs = 'root' | 'user';
/** Bytes: text, hex, `len` copies of a byte, or `len` pseudo-random bytes from a seed. */
export type Data = string | { hex: string } | { fill: number; len: number } | { rand: number; len: number };
/** 'ok', an errno name, or { value } (the exact ok value); or one of those per run identity. */
export type Outcome = 'ok' | string | { value: unknown };
export type Expect = Outcome | { root: Outcome; user: Outcome };

export class Step {
  who?: Who;
  expected?: Expect;
  constructor(
    readonly op: string,
    readonly args: Record<string, unknown> = {},
  ) {}
  /** Runs the step as another user (the run's own identity otherwise). */
  as(who: Who): this {
    this.who = who;
    return this;
  }
  /** What tmpfs answers (checked on both sides). */
  expect(e: Expect): this {
    this.expected = e;
    return this;
  }
  /** The step as the runner reads it. */
  toJSON(): Record<string, unknown> {
    return { op: this.op, ...this.args, ...(this.who ? { as: this.who } : {}) };
  }
}

/** One step's answer from the runner. */
export interface Result {
  ok?: unknown;
  err?: string;
  bug?: string;
  /** 'dir' for lseek on a directory descriptor. */
  on?: string;
}

/** A difference tmpfs and the filesystem under test may have on purpose, and why. */
export interface Allowance {
  /** Fields left out of ok values of these steps (all steps when absent), e.g. ['atime']. */
  drop: string[];
  steps?: number[];
  why: string;
}

export interface Case {
  name: string;
  steps: Step[];
  allow?: Allowance[];
}

export interface Area {
  name: string;
  cases: Case[];
}

const s = (op: string, args: Record<string, unknown> = {}): Step => new Step(op, args);

export const mkdir = (path: string, mode = 0o755) => s('mkdir', { path, mode });
export const rmdir = (path: string) => s('rmdir', { path });
export const unlink = (path: string) => s('unlink', { path });
/** open(2): `flags` are O_* names; the descriptor is kept under the name `fd`. */
export const open = (fd: string, path: string, flags: string[] = ['O_RDONLY'], mode = 0o644) => s('open', { fd, path, flags, mode });
export const creat = (fd: string, path: string, mode = 0o644) => open(fd, path, ['O_RDWR', 'O_CREAT', 'O_EXCL'], mode);
export const close = (fd: string) => s('close', { fd });
export const write = (fd: string, data: Data, off?: number) => s('write', off === undefined ? { fd, data } : { fd, data, off });
export const read = (fd: string, size: number, off?: number) => s('read', off === undefined ? { fd, size } : { fd, size, off });
export const readfile = (path: string) => s('readfile', { path });
export const writefile = (path: string, data: Data, mode = 0o644) => s('writefile', { path, data, mode });
export const lseek = (fd: string, off: number, whence: 'SET' | 'CUR' | 'END' | 'DATA' | 'HOLE' = 'SET') => s('lseek', { fd, off, whence });
export const truncate = (path: string, len: number) => s('truncate', { path, len });
export const ftruncate = (fd: string, len: number) => s('ftruncate', { fd, len });
export const fallocate = (fd: string, off: number, len: number, mode: ('KEEP_SIZE' | 'PUNCH_HOLE')[] = []) => s('fallocate', { fd, off, len, mode });
export const fsync = (fd: string) => s('fsync', { fd });
export const stat = (path: string) => s('stat', { path });
export const lstat = (path: string) => s('lstat', { path });
export const fstat = (fd: string) => s('fstat', { fd });
export const access = (path: string, mode: string) => s('access', { path, mode });
export const chmod = (path: string, mode: number) => s('chmod', { path, mode });
export const fchmod = (fd: string, mode: number) => s('fchmod', { fd, mode });
export const chown = (path: string, uid: number, gid: number) => s('chown', { path, uid, gid });
export const lchown = (path: string, uid: number, gid: number) => s('lchown', { path, uid, gid });
export const fchown = (fd: string, uid: number, gid: number) => s('fchown', { fd, uid, gid });
export type Time = [number, number] | 'now' | 'omit';
export const utimens = (path: string, atime: Time, mtime: Time, nofollow = false) => s('utimens', { path, atime, mtime, nofollow });
export const futimens = (fd: string, atime: Time, mtime: Time) => s('utimens', { fd, atime, mtime });
/** utimensat(path, NULL): both times to now. */
export const touch = (path: string) => s('utimens', { path, null: true });
export const link = (src: string, dst: string) => s('link', { src, dst });
/** linkat(2) of open descriptor `fd` (an O_TMPFILE's) to `dst`: through /proc/self/fd (AT_SYMLINK_FOLLOW) or AT_EMPTY_PATH. */
export const flink = (fd: string, dst: string, how: 'proc' | 'empty' = 'proc') => s('flink', { fd, dst, how });
export const symlink = (target: string, path: string) => s('symlink', { target, path });
export const readlink = (path: string) => s('readlink', { path });
export const rename = (src: string, dst: string, flags: ('NOREPLACE' | 'EXCHANGE')[] = []) => s('rename', { src, dst, flags });
export const mknod = (path: string, mode: number, major = 0, minor = 0) => s('mknod', { path, mode, major, minor });
export const mkfifo = (path: string, mode = 0o644) => s('mkfifo', { path, mode });
export const umask = (mask: number) => s('umask', { mask });
export const setxattr = (path: string, name: string, value: Data, flags?: 'CREATE' | 'REPLACE') => s('setxattr', { path, name, value, ...(flags ? { flags } : {}) });
export const lsetxattr = (path: string, name: string, value: Data, flags?: 'CREATE' | 'REPLACE') => s('setxattr', { path, name, value, nofollow: true, ...(flags ? { flags } : {}) });
export const fsetxattr = (fd: string, name: string, value: Data, flags?: 'CREATE' | 'REPLACE') => s('setxattr', { fd, name, value, ...(flags ? { flags } : {}) });
/** getxattr with a buffer of `size` bytes (0: the size probe, answering the value's length). */
export const getxattr = (path: string, name: string, size = 65536) => s('getxattr', { path, name, size });
export const lgetxattr = (path: string, name: string, size = 65536) => s('getxattr', { path, name, size, nofollow: true });
export const fgetxattr = (fd: string, name: string, size = 65536) => s('getxattr', { fd, name, size });
export const listxattr = (path: string, size = 65536) => s('listxattr', { path, size });
export const llistxattr = (path: string, size = 65536) => s('listxattr', { path, size, nofollow: true });
export const flistxattr = (fd: string, size = 65536) => s('listxattr', { fd, size });
export const removexattr = (path: string, name: string) => s('removexattr', { path, name });
export const lremovexattr = (path: string, name: string) => s('removexattr', { path, name, nofollow: true });
/** The entries of a directory as sorted [name, d_type] pairs ("." and ".." included). */
export const readdir = (path: string) => s('readdir', { path });
export const opendir = (fd: string, path: string) => s('open', { fd, path, flags: ['O_RDONLY', 'O_DIRECTORY'] });
/** `calls` getdents64 calls of `buf` bytes on an open directory; the sorted names they gave. */
export const getdents = (fd: string, buf = 32768, calls = 1000) => s('getdents', { fd, buf, calls });
/**
 * Reads a directory in getdents batches of `buf` bytes, running one mutation after each batch;
 * answers stability properties (nothing that existed throughout missed, repeated or invented; with
 * seekAfter, a re-read from the position saved after that batch neither misses nor repeats).
 */
export const dirscan = (path: string, mutations: Step[], buf = 64, seekAfter?: number) =>
  s('dirscan', { path, mutations, buf, ...(seekAfter ? { seek_after: seekAfter } : {}) });
export const statfs = (path = '.') => s('statfs', { path });
/** Every entry below a directory: [path, type, permission bits, nlink, inode label, size | target]. */
export const tree = (path = '.') => s('tree', { path });
/** Steps relative to an open directory descriptor (openat/mkdirat/unlinkat/fstatat). */
export const at = (dirfd: string, step: Step): Step => {
  step.args['dirfd'] = dirfd;
  return step;
};

/** A case: a name and its steps. */
export const kase = (name: string, steps: Step[], allow?: Allowance[]): Case => (allow ? { name, steps, allow } : { name, steps });

/** The ids the runner uses. */
export const ROOT = 0;
export const USER = 1000;
export const OTHER = 1001;
/** A supplementary group of USER (not of OTHER). */
export const GROUP = 1002;

/** Creates `n` empty files <dir>/<prefix>000 .. in one step (set-up for directory tests). */
export const populate = (path: string, n: number, prefix = 'f') => s('populate', { path, n, prefix });
/** A directory everyone may write in (the case directory is writable by its owner only). */
export const pub = (name = 'pub', mode = 0o777): Step[] => [mkdir(name), chmod(name, mode)];
/** A directory root owns, with `mode` (e.g. 0o1777: sticky, and owned by neither test user). */
export const shared = (name: string, mode: number): Step[] => [mkdir(name).as('root'), chmod(name, mode).as('root')];
