// Test helpers: real mounts in temporary directories that are always unmounted, and client calls
// that never run synchronously on the thread serving the filesystem.
import { strict as assert } from 'node:assert';
import { execFile, type ExecFileOptions } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ConnInfo, Fuse, type FuseErrorEvent, type FuseOptions } from '../lib';

/**
 * RXFUSE_PASSTHROUGH=off runs the example filesystems' tests without kernel passthrough (the default
 * asks for it; npm test runs a subset both ways). The options to add to such a mount.
 */
export const PASSTHROUGH_OFF = process.env.RXFUSE_PASSTHROUGH === 'off';
export function passthroughOptions(): FuseOptions {
  return PASSTHROUGH_OFF ? { passthrough: false } : {};
}

/** A mounted test filesystem; `path(p)` resolves inside the mount. */
export interface Mounted {
  fuse: Fuse;
  dir: string;
  path(...p: string[]): string;
}

/** Whether something is mounted on `dir` (any filesystem type). */
export function isMounted(dir: string): boolean {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').some((l) => l.split(' ')[4] === dir);
}

/** Unmounts for sure: the session's own unmount, then fusermount3 -u, then a lazy unmount. */
export async function forceUnmount(fuse: Fuse | undefined, dir: string): Promise<void> {
  if (fuse && !fuse.closed) {
    await Promise.race([fuse.unmount(), new Promise((r) => setTimeout(r, 5000))]);
  }
  if (isMounted(dir)) spawnSync('fusermount3', ['-u', '-z', dir], { stdio: 'ignore', timeout: 5000 });
  if (isMounted(dir)) spawnSync('umount', ['-l', dir], { stdio: 'ignore', timeout: 5000 });
  try {
    fs.rmdirSync(dir);
  } catch {
    // still busy or already gone
  }
}

/**
 * Mounts a filesystem set up by `setup`, runs `body` and always unmounts, even when body throws.
 * autoUnmount is on unless the options say otherwise, so a crashed test run leaves no mount.
 */
/** The temp-dir prefix of this process's test mounts (its pid in it: concurrent runs do not see each other's). */
export const TEST_MOUNT_PREFIX = `rxfuse-test-${process.pid}-`;

export async function withMount<T>(
  setup: (fuse: Fuse) => void,
  body: (m: Mounted) => Promise<T>,
  options: FuseOptions = {},
): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), TEST_MOUNT_PREFIX));
  const fuse = new Fuse({ mountTimeout: 10000, ...options });
  setup(fuse);
  try {
    await fuse.mount(dir);
    return await body({ fuse, dir, path: (...p: string[]) => path.join(dir, ...p) });
  } finally {
    await forceUnmount(fuse, dir);
  }
}

/**
 * Polls `pred` every `every` ms (running `step`, if given, between polls) until it holds; throws
 * "timed out waiting for <what>" after `ms`.
 */
export async function until(
  what: string, pred: () => boolean | Promise<boolean>, ms = 5000, step?: () => Promise<unknown>, every = 10,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    if (step) await step();
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Runs a command asynchronously with a timeout; resolves with its output and exit code.
 * Never give it a `cwd` (or an executable) on a mount this process serves: spawning blocks this
 * process until the child has started, and the child's chdir/exec needs this process to answer the
 * mount — a deadlock. Use `bash -c 'cd DIR && exec …'` instead.
 */
export function sh(
  cmd: string,
  args: readonly string[],
  opts: ExecFileOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 15000, encoding: 'utf8', ...opts }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Runs a small Python snippet (for syscalls Node has no call for: ioctl, poll, fcntl locks). */
export function py(code: string, args: readonly string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return sh('python3', ['-c', code, ...args]);
}

/** Runs python3 with `prelude` + `code`; it must exit 0, and its last output line is JSON (parsed). */
export async function pyJsonWith<T>(prelude: string, code: string, args: readonly string[]): Promise<T> {
  const r = await py(prelude + code, args);
  assert.equal(r.code, 0, `python failed (${r.code}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Resolves the errno code of a failed promise (e.g. 'ENOENT'), or throws if it succeeded. */
export async function errCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
  throw new Error('expected the call to fail');
}

export function fuseMounts(): string[] {
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => / fuse(\.[^ ]*)? /.test(l))
    .map((l) => l.split(' ')[1]);
}

/** A test filesystem mounted by mountFixture(). */
export interface MountedFixture<T> {
  fuse: Fuse;
  fs: T;
  dir: string;
  conn: ConnInfo;
  /** Failures rxfuse reported (handler exceptions other than FuseError, invalid replies, ...). */
  errors: FuseErrorEvent[];
  path(...p: string[]): string;
  /** Unmounts for sure and removes the directory (call it in a finally or after hook). */
  unmount(): Promise<void>;
}

/** Mounts a fixture filesystem (its handlers attached by `attach`) in a fresh temporary directory. */
export async function mountFixture<T extends { attach(fuse: Fuse): void }>(
  prefix: string,
  fixture: T,
  options: FuseOptions = {},
  setup?: (t: T) => void,
): Promise<MountedFixture<T>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const fuse = new Fuse({ mountTimeout: 10000, ...options });
  setup?.(fixture);
  fixture.attach(fuse);
  const errors: FuseErrorEvent[] = [];
  fuse.errors$.subscribe((e) => errors.push(e));
  let conn: ConnInfo;
  try {
    conn = await fuse.mount(dir);
  } catch (e) {
    await forceUnmount(fuse, dir);
    throw e;
  }
  return { fuse, fs: fixture, dir, conn, errors, path: (...p: string[]) => path.join(dir, ...p), unmount: () => forceUnmount(fuse, dir) };
}

/** mulberry32: a small seeded PRNG, so that a failure can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bytes of a file truncated or extended (with zeros) to `size`, as truncate(2) does. */
export function resized(data: Buffer, size: number): Buffer {
  const d = Buffer.alloc(size);
  data.copy(d, 0, 0, Math.min(size, data.length));
  return d;
}

/**
 * Python for client scripts: E(f, *args) calls f and answers its result ('ok' for None) or the
 * errno's name (the script imports os and errno).
 */
export const PY_ERRNO = `
def E(f, *a):
    try:
        r = f(*a)
        return 'ok' if r is None else r
    except OSError as e:
        return 'EOPNOTSUPP' if e.errno == errno.EOPNOTSUPP else errno.errorcode.get(e.errno, str(e.errno))
`;
