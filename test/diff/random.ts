// A seeded generator of random syscall sequences for the lockstep comparison of two filesystems:
// a few hundred paths in a small tree, eight descriptor slots, most ops of the step language, some
// as an unprivileged user. The same seed gives the same sequence.
import { prng } from '../helpers';
import {
  chmod, close, fallocate, fstat, fsync, ftruncate, getxattr, link, listxattr, lseek, lstat, mkdir, mkfifo, open,
  read, readdir, readfile, readlink, removexattr, rename, rmdir, setxattr, stat, type Step, symlink, truncate, umask, unlink,
  utimens, write,
} from './steps';

export const DIRS = ['.', 'a', 'b', 'a/c', 'b/d'];
export const NAMES = Array.from({ length: 60 }, (_, i) => `n${String(i).padStart(2, '0')}`);
export const PATHS = DIRS.flatMap((d) => NAMES.map((n) => (d === '.' ? n : `${d}/${n}`)));
const SLOTS = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7'];
const FLAGS: string[][] = [
  ['O_RDONLY'], ['O_WRONLY', 'O_CREAT'], ['O_RDWR', 'O_CREAT'], ['O_RDWR', 'O_CREAT'], ['O_RDWR', 'O_CREAT', 'O_TRUNC'], ['O_WRONLY', 'O_APPEND', 'O_CREAT'],
  ['O_RDWR', 'O_CREAT', 'O_EXCL'], ['O_RDONLY', 'O_DIRECTORY'], ['O_RDWR'], ['O_WRONLY', 'O_TRUNC'], ['O_RDONLY', 'O_NOFOLLOW'],
];
const MODES = [0o644, 0o644, 0o666, 0o600, 0o755, 0o777, 0o777, 0o700, 0o444, 0o4755, 0o2755, 0o1777, 0o000];
const XNAMES = ['user.a', 'user.b', 'user.long.name', 'trusted.t'];

/** The set-up steps of a random run: a tree every user may write in. */
export function prologue(): Step[] {
  return [umask(0), chmod('.', 0o777), ...DIRS.slice(1).map((d) => mkdir(d, 0o777))];
}

/** `count` random steps from `seed`. */
export function randomSteps(seed: number, count: number): Step[] {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)];
  const path = (): string => (rnd() < 0.04 ? pick(DIRS.slice(1)) : pick(PATHS));
  const dir = (): string => pick(DIRS);
  const slot = (): string => pick(SLOTS);
  const size = (): number => (rnd() < 0.1 ? int(70000) : rnd() < 0.5 ? int(5000) : int(100));
  const off = (): number | undefined => (rnd() < 0.5 ? undefined : rnd() < 0.3 ? int(200000) : int(10000));
  const time = (): [number, number] => [int(2 ** 31), int(1e9)];
  const target = (): string => (rnd() < 0.5 ? pick(NAMES) : rnd() < 0.5 ? `../${pick(NAMES)}` : pick(PATHS));
  let dataSeed = seed * 1000;
  const ops: [number, () => Step][] = [
    [18, () => open(slot(), path(), [...pick(FLAGS), 'O_NONBLOCK'], pick(MODES))],
    [3, () => close(slot())],
    [12, () => write(slot(), { rand: dataSeed++, len: size() }, off())],
    [8, () => read(slot(), size(), off())],
    [4, () => lseek(slot(), int(100000) - 1000, pick(['SET', 'CUR', 'END', 'DATA', 'HOLE'] as const))],
    [3, () => ftruncate(slot(), int(300000))],
    [3, () => truncate(path(), pick([0, int(100), int(10000), int(300000)]))],
    [3, () => fallocate(slot(), int(100000), 1 + int(50000), pick([[], ['KEEP_SIZE'], ['PUNCH_HOLE', 'KEEP_SIZE']] as ('KEEP_SIZE' | 'PUNCH_HOLE')[][]))],
    [4, () => fstat(slot())],
    [5, () => stat(path())],
    [3, () => lstat(path())],
    [4, () => mkdir(path(), pick(MODES))],
    [3, () => rmdir(path())],
    [6, () => unlink(path())],
    [5, () => rename(path(), path(), pick([[], [], ['NOREPLACE'], ['EXCHANGE']] as ('NOREPLACE' | 'EXCHANGE')[][]))],
    [3, () => link(path(), path())],
    [3, () => symlink(target(), path())],
    [2, () => readlink(path())],
    [3, () => chmod(path(), pick(MODES))],
    [3, () => setxattr(path(), pick(XNAMES), { rand: dataSeed++, len: int(300) }, pick([undefined, 'CREATE', 'REPLACE'] as const))],
    [2, () => getxattr(path(), pick(XNAMES), pick([0, 10, 65536]))],
    [2, () => listxattr(path(), pick([0, 65536]))],
    [1, () => removexattr(path(), pick(XNAMES))],
    [3, () => readdir(dir())],
    [2, () => utimens(path(), rnd() < 0.2 ? 'omit' : time(), rnd() < 0.2 ? 'omit' : time(), rnd() < 0.3)],
    [1, () => mkfifo(path(), pick(MODES))],
    [1, () => fsync(slot())],
    [2, () => readfile(path())],
  ];
  const total = ops.reduce((n, [w]) => n + w, 0);
  const steps: Step[] = [];
  for (let i = 0; i < count; i++) {
    let r = int(total);
    let make = ops[0][1];
    for (const [w, f] of ops) {
      if (r < w) {
        make = f;
        break;
      }
      r -= w;
    }
    const step = make();
    if (rnd() < 0.15) step.as('user');
    steps.push(step);
  }
  return steps;
}
