// The rxfuse command's argument checks, the command run as a child process: a bad mountpoint, example
// option or source directory is an error that names it and says how to fix it (exit 1), and leaves
// no mount and no directory behind; --mkdir and --stack ask for what is refused by default.
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forceUnmount, fuseMounts, sh, until } from './helpers';

const BIN = path.join(__dirname, '..', '..', 'bin', 'rxfuse.js');

/** How many mounts there are at `dir` (more than one when stacked). */
function mountsAt(dir: string): number {
  return fuseMounts().filter((m) => m === dir).length;
}

/** A command that should fail at once: given 10 s (an old rxfuse that mounted is stopped by SIGTERM). */
function run(args: readonly string[], runAs: readonly string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, ...pre] = runAs.length > 0 ? [...runAs, process.execPath] : [process.execPath];
  return sh(cmd, [...pre, BIN, ...args], { timeout: 10000 });
}

interface Served {
  proc: ChildProcess;
  stderr(): string;
  /** SIGTERM; resolves with the exit code (the command unmounts and exits 0). */
  stop(): Promise<number | null>;
}

describe('the rxfuse command: argument checks', function () {
  this.timeout(60000);  // up to a dozen runs of the command a test
  let work: string;
  const children: ChildProcess[] = [];
  const mountpoints: string[] = [];

  /** Runs the command until it prints "mounted <dir>". */
  async function serve(args: readonly string[], mountpoint: string): Promise<Served> {
    mountpoints.push(mountpoint);
    const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(proc);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    await until(`"mounted" from rxfuse ${args.join(' ')}`, () => out.includes('mounted ') || proc.exitCode !== null, 10000);
    assert.equal(out, `mounted ${mountpoint}\n`, err);
    const stop = async (): Promise<number | null> => {
      proc.kill('SIGTERM');
      return Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    };
    return { proc, stderr: () => err, stop };
  }

  beforeEach(function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-cli-'));
    fs.chmodSync(work, 0o755);  // for the run as nobody
  });

  afterEach(async function () {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null && c.pid) {
        const gone = new Promise((r) => c.once('exit', r));
        process.kill(c.pid, 'SIGKILL');
        await gone;
      }
    }
    for (const d of mountpoints.splice(0)) {
      for (let i = 0; i < 3 && mountsAt(d) > 0; i++) await forceUnmount(undefined, d);  // stacked: one each
    }
    const left = fuseMounts().filter((m) => m.startsWith(work + '/'));
    if (left.length === 0) fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(left, [], 'mounts left behind');
  });

  it('a missing mountpoint is an error naming it, and is not created; --mkdir creates it', async function () {
    const mnt = path.join(work, 'missing', 'mnt');
    const r = await run(['hello', mnt]);
    assert.equal(r.stderr, `rxfuse: mountpoint ${mnt} does not exist (create it, or pass --mkdir)\n`);
    assert.equal(r.code, 1);
    assert.ok(!fs.existsSync(path.join(work, 'missing')), 'created');
    const c = await serve(['hello', '--mkdir', mnt], mnt);
    assert.equal(await fsp.readFile(path.join(mnt, 'hello'), 'utf8'), 'Hello World!\n');
    assert.equal(await c.stop(), 0, c.stderr());
    assert.equal(mountsAt(mnt), 0);
  });

  it('--mkdir: a failed mount or a bad argument removes the directories it made, and only those', async function () {
    const made = path.join(work, 'a');
    const bogus = await run(['hello', '--mkdir', path.join(made, 'b'), '-o', 'bogus']);
    assert.equal(bogus.code, 1);
    assert.match(bogus.stderr, /unknown option\(s\): `-o bogus'/);
    assert.ok(!fs.existsSync(made), 'left a/b behind');
    const kept = path.join(work, 'kept');
    fs.mkdirSync(kept);
    const bad = await run(['memfs', 'mode=abc', '--mkdir', path.join(kept, 'new')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^rxfuse: memfs: mode=abc /);
    assert.deepEqual(fs.readdirSync(kept), []);
  });

  it('a file as mountpoint, or a path through a file, is named and said not to be a directory', async function () {
    const file = path.join(work, 'f');
    fs.writeFileSync(file, 'x');
    const r = await run(['hello', file]);
    assert.equal(r.stderr, `rxfuse: mountpoint ${file} is a regular file, not a directory (give a directory to mount on)\n`);
    assert.equal(r.code, 1);
    const under = await run(['hello', path.join(file, 'sub')]);
    assert.equal(under.stderr, `rxfuse: mountpoint ${path.join(file, 'sub')}: a part of the path before the last is not a directory\n`);
    assert.equal(under.code, 1);
    assert.equal(fs.readFileSync(file, 'utf8'), 'x');
  });

  it('refuses to mount over a mount point (by its path or a symlink to it); --stack mounts on top', async function () {
    const mnt = path.join(work, 'm');
    fs.mkdirSync(mnt);
    const link = path.join(work, 'link');
    fs.symlinkSync(mnt, link);
    const first = await serve(['hello', mnt], mnt);
    for (const given of [mnt, link]) {
      const r = await run(['memfs', given]);
      assert.equal(r.stderr, `rxfuse: mountpoint ${given} is already a mount point (fuse.rxfuse hello); a mount there would `
        + 'hide it (unmount it first, or pass --stack to mount on top of it)\n');
      assert.equal(r.code, 1);
      assert.equal(mountsAt(mnt), 1);
      assert.deepEqual(await fsp.readdir(mnt), ['hello']);
    }
    const top = await serve(['memfs', '--stack', mnt], mnt);
    assert.equal(mountsAt(mnt), 2);
    assert.deepEqual(await fsp.readdir(mnt), [], 'memfs on top');
    assert.equal(await top.stop(), 0, top.stderr());
    assert.equal(mountsAt(mnt), 1);
    assert.deepEqual(await fsp.readdir(mnt), ['hello'], 'hello again');
    assert.equal(await first.stop(), 0, first.stderr());
    assert.equal(mountsAt(mnt), 0);
  });

  it('a dead FUSE mount as mountpoint is named as one, with the command that removes it', async function () {
    const mnt = path.join(work, 'dead');
    fs.mkdirSync(mnt);
    mountpoints.push(mnt);
    // A session without auto_unmount, killed: the mount stays, and every access to it is ENOTCONN.
    const lib = path.join(__dirname, '..', 'lib');
    const proc = spawn(process.execPath, ['-e', `
      const { Fuse } = require(${JSON.stringify(lib)});
      new Fuse({ autoUnmount: false }).mount(process.argv[1]).then(() => console.log('mounted'));
    `, mnt], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(proc);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until('the mount', () => out.includes('mounted') || proc.exitCode !== null, 10000);
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await gone;
    assert.equal(mountsAt(mnt), 1);
    const r = await run(['hello', mnt]);
    assert.equal(r.stderr, `rxfuse: mountpoint ${mnt} is a FUSE mount whose filesystem is gone (unmount it: fusermount3 -u ${mnt})\n`);
    assert.equal(r.code, 1);
    assert.equal(mountsAt(mnt), 1, 'still the dead one only');
  });

  it('memfs: a bad size=, inodes=, mode= or writeback= is refused naming it and what it takes; good ones are applied', async function () {
    const mnt = path.join(work, 'm');
    fs.mkdirSync(mnt);
    // Each message begins "rxfuse: memfs: <the argument> ..." and says what is wrong and what it takes.
    const bad: [string, string][] = [
      ['mode=999', 'is not an octal mode (digits 0-7, at most 7777: e.g. mode=755 or mode=1777)'],
      ['mode=abc', 'is not an octal mode'],
      ['mode=17777', 'is not an octal mode'],
      ['inodes=0', ': at least 1 is needed (the root directory is an inode)'],
      ['inodes=-1', 'is not a whole number (e.g. inodes=10000)'],
      ['inodes=1.5', 'is not a whole number'],
      ['size=5', 'holds no page (memfs stores whole 4096-byte pages: give size=4k or more)'],
      ['size=1x', 'is not a size (bytes, or a whole number with k, m, g or t'],
      ['size=8192t', 'is not a size'],
      ['writeback=yes', 'writeback=yes: on or off'],
      ['colour=red', '(memfs takes size=BYTES[k|m|g|t], inodes=N, mode=OCTAL, writeback=on|off)'],
    ];
    for (const [arg, why] of bad) {
      const r = await run(['memfs', arg, mnt]);
      assert.ok(r.stderr.startsWith(`rxfuse: memfs: ${arg.startsWith('colour') ? 'unknown argument ' : ''}${arg}`), r.stderr);
      assert.ok(r.stderr.includes(why), `${arg}: ${r.stderr}`);
      assert.equal(r.code, 1, arg);
      assert.equal(mountsAt(mnt), 0, arg);
    }
    const c = await serve(['memfs', 'mode=750', 'inodes=3', 'size=1m', 'writeback=on', mnt], mnt);
    const st = await fsp.stat(mnt);
    assert.equal(st.mode & 0o7777, 0o750);
    const sf = await fsp.statfs(mnt);
    assert.deepEqual([sf.files, sf.blocks * sf.bsize], [3, 1024 * 1024]);
    assert.equal(await c.stop(), 0, c.stderr());
  });

  it('passthrough, trace and overlay name a missing, non-directory or unreadable source directory', async function () {
    const mnt = path.join(work, 'm');
    fs.mkdirSync(mnt);
    const missing = path.join(work, 'nope');
    const file = path.join(work, 'f');
    fs.writeFileSync(file, 'x');
    const closed = path.join(work, 'closed');
    fs.mkdirSync(closed, 0o700);
    const cases: [string[], string, string[]?][] = [
      [['passthrough', missing], `source directory ${missing} does not exist (give an existing directory)`],
      [['trace', missing], `source directory ${missing} does not exist (give an existing directory)`],
      [['passthrough', file], `source directory ${file} is a regular file, not a directory (give a directory)`],
      [['overlay', missing, work], `lower directory ${missing} does not exist (give an existing directory)`],
      [['overlay', work, file], `upper directory ${file} is a regular file, not a directory (give a directory)`],
      // Unprivileged: the directory is root's, mode 0700.
      [['passthrough', closed], `source directory ${closed} is not readable by this process (EACCES: check its permissions and mount)`,
        ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']],
    ];
    for (const [args, message, runAs] of cases) {
      const r = await run([...args, mnt], runAs);
      assert.equal(r.stderr, `rxfuse: ${message}\n`, args.join(' '));
      assert.equal(r.code, 1);
      assert.equal(mountsAt(mnt), 0);
    }
  });

  it('passthrough: --handles and --xattrs take on or off; --xattrs off serves no xattrs', async function () {
    const mnt = path.join(work, 'm');
    const src = path.join(work, 'src');
    fs.mkdirSync(mnt);
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'f'), 'x');
    const usage = 'usage: rxfuse passthrough <source-dir> <mountpoint> [--handles on|off] [--xattrs on|off]';
    const bad: [string[], string][] = [
      [['--xattrs', 'maybe'], usage], [['--handles', 'yes'], usage], [['--handles'], '--handles needs a value'], [['--colour', 'on'], 'unknown option --colour'],
    ];
    for (const [args, message] of bad) {
      const r = await run(['passthrough', src, mnt, ...args]);
      assert.equal(r.stderr, `rxfuse: ${message}\n`, args.join(' '));
      assert.equal(r.code, 1);
      assert.equal(mountsAt(mnt), 0);
    }
    const c = await serve(['passthrough', src, mnt, '--handles', 'off', '--xattrs', 'off'], mnt);
    const x = await sh('/usr/bin/python3', ['-c', `import os, sys, errno
try: os.listxattr(sys.argv[1]); print('ok')
except OSError as e: print(errno.errorcode[e.errno])
print(open(sys.argv[1]).read())`, path.join(mnt, 'f')]);
    assert.deepEqual(x.stdout.trim().split('\n'), ['ENOTSUP', 'x'], x.stderr);
    assert.equal(await c.stop(), 0, c.stderr());
  });

  it('trace: an --out or --histogram file that could not be written is refused before mounting', async function () {
    const mnt = path.join(work, 'm');
    fs.mkdirSync(mnt);
    const src = path.join(work, 'src');
    fs.mkdirSync(src);
    const missing = path.join(work, 'nope');
    const cases: [string[], string][] = [
      [['--out', path.join(missing, 't.json')], `--out ${path.join(missing, 't.json')}: its directory ${missing} does not exist (give an existing directory)`],
      [['--out', src], `--out ${src} is a directory (give a file name)`],
      [['--histogram', path.join(missing, 'h.svg')], `--histogram ${path.join(missing, 'h.svg')}: its directory ${missing} does not exist (give an existing directory)`],
      [['--histogram', path.join(work, 'h.txt')], `--histogram ${path.join(work, 'h.txt')}: give a .svg or .html file name`],
    ];
    for (const [flags, message] of cases) {
      const r = await run(['trace', src, mnt, ...flags]);
      assert.equal(r.stderr, `rxfuse: ${message}\n`, flags.join(' '));
      assert.equal(r.code, 1);
      assert.equal(mountsAt(mnt), 0);
    }
  });
});
