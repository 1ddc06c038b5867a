// The ablation ladder (docs/performance.md): every step of RXFUSE_LADDER=1..6 mounts benchfs through the
// command and serves what the stat, create and readdir workloads do, correctly, so that the ladder
// cannot rot. Not timed. Steps 1-3 (FuseOptions.ladder) answer in C: no handler ever runs.
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Fuse } from '../lib';
import { errCode, forceUnmount, fuseMounts, sh, until, withMount } from './helpers';

const BIN = path.join(__dirname, '..', '..', 'bin', 'rxfuse.js');
const STEPS = [1, 2, 3, 4, 5, 6];

/** A directory's entries in the order the filesystem gives them (fsp.readdir sorts). */
async function listing(dir: string): Promise<fs.Dirent[]> {
  const out: fs.Dirent[] = [];
  for await (const d of await fsp.opendir(dir, { bufferSize: 64 })) out.push(d);
  return out;
}

/** What benchdrv's stat, readdir and create workloads check, once each, through async calls. */
async function servesBenchfs(mnt: string): Promise<void> {
  const st = await fsp.stat(path.join(mnt, 'files', 'f00042'));
  assert.ok(st.isFile());
  assert.equal(st.mode & 0o7777, 0o644);
  assert.equal(st.size, 0);
  assert.equal(st.ino, 6 + 42);
  assert.equal((await fsp.stat(mnt)).nlink, 4);
  assert.equal((await fsp.stat(path.join(mnt, 'big'))).size, 1024 ** 3);
  assert.equal(await errCode(fsp.stat(path.join(mnt, 'files', 'nope'))), 'ENOENT');

  const files = await listing(path.join(mnt, 'files'));
  assert.equal(files.length, 10000);
  assert.equal(files[0].name, 'f00000');
  assert.equal(files[9999].name, 'f09999');
  assert.ok(files.every((d, i) => d.isFile() && d.name === `f${String(i).padStart(5, '0')}`));
  assert.deepEqual((await listing(mnt)).map((d) => d.name), ['files', 'big', 'sink', 'scratch']);

  const names = ['a', 'b'];
  for (const n of names) {
    const fh = await fsp.open(path.join(mnt, 'scratch', n), fs.constants.O_CREAT | fs.constants.O_WRONLY, 0o644);
    await fh.write(Buffer.alloc(4096, 1));
    await fh.close();
  }
  const made = await fsp.stat(path.join(mnt, 'scratch', 'b'));
  assert.equal(made.size, 4096);
  assert.equal(made.mode & 0o7777, 0o644);
  assert.deepEqual((await listing(path.join(mnt, 'scratch'))).map((d) => d.name), names);
  assert.equal(await errCode(fsp.writeFile(path.join(mnt, 'files', 'new'), 'x')), 'EACCES');
  for (const n of names) await fsp.unlink(path.join(mnt, 'scratch', n));
  assert.deepEqual(await fsp.readdir(path.join(mnt, 'scratch')), []);
}

describe('the ablation ladder: every step serves benchfs', function () {
  this.timeout(60000);
  let work: string;
  let child: ChildProcess | undefined;

  beforeEach(function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-ladder-'));
  });

  afterEach(async function () {
    if (child && child.exitCode === null && child.signalCode === null && child.pid) {
      const gone = new Promise((r) => child!.once('exit', r));
      process.kill(child.pid, 'SIGKILL');
      await gone;
    }
    child = undefined;
    await forceUnmount(undefined, work);
    assert.deepEqual(fuseMounts().filter((m) => m === work), [], 'mount left behind');
  });

  /** `rxfuse benchfs --stats work` at a ladder step, mounted; stop() ends it and gives its stderr. */
  async function startBenchfs(step: number): Promise<{ stop(): Promise<string> }> {
    const proc = spawn(process.execPath, [BIN, 'benchfs', '--stats', work], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RXFUSE_LADDER: String(step) },
    });
    child = proc;
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    await until('"mounted"', () => out.includes('mounted ') || proc.exitCode !== null, 10000);
    assert.equal(out, `mounted ${work}\n`, err);
    return {
      async stop() {
        proc.kill('SIGTERM');
        assert.equal(await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 5000))]), 0, err);
        return err;
      },
    };
  }

  for (const step of STEPS) {
    it(`RXFUSE_LADDER=${step}: stat, readdir of /files and create/unlink in /scratch; registry only from step 5`, async function () {
      const served = await startBenchfs(step);
      await servesBenchfs(work);
      const err = await served.stop();
      assert.match(err, new RegExp(`benchfs-info: \\{"impl":"rxfuse","ladder":${step},`));
      // The registry's figures at exit: the lookups the kernel held are counted only where it is on.
      const stats = JSON.parse(/rxfuse-stats: (.*)/.exec(err)![1]) as { droppedLookups?: number };
      if (step >= 5) assert.ok((stats.droppedLookups ?? 0) > 0, err);
      else assert.equal(stats.droppedLookups ?? 0, 0, err);
    });
  }

  it('benchfs scratch files keep their bytes: holes and regrown sizes read as zeros, small and large files', async function () {
    const fs6 = await startBenchfs(6);
    const scratch = (n: string): string => path.join(work, 'scratch', n);
    // Small files share slabs (examples/benchfs.ts fileBytes): neighbours must not see each other's bytes.
    const small = ['s1', 's2', 's3'];
    for (const [i, n] of small.entries()) await fsp.writeFile(scratch(n), Buffer.alloc(3000 + i, 0x41 + i));
    for (const [i, n] of small.entries()) assert.deepEqual(await fsp.readFile(scratch(n)), Buffer.alloc(3000 + i, 0x41 + i));
    // A hole before a write reads as zeros, also when the file outgrows its first capacity.
    const fh = await fsp.open(scratch('holes'), 'w+');
    await fh.write(Buffer.from('tail'), 0, 4, 10000);
    const whole = Buffer.alloc(10004);
    whole.write('tail', 10000, 'latin1');
    assert.deepEqual(await fsp.readFile(scratch('holes')), whole);
    // Shrunk, then grown again by truncate: what was cut off comes back as zeros.
    await fh.write(Buffer.alloc(5000, 0xff), 0, 5000, 0);
    await fh.truncate(100);
    await fh.truncate(5000);
    const regrown = Buffer.alloc(5000);
    regrown.fill(0xff, 0, 100);
    assert.deepEqual(await fsp.readFile(scratch('holes')), regrown);
    await fh.close();
    // Beyond a slab piece (64 KiB): a Buffer of its own, grown by doubling.
    const big = Buffer.alloc(300000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
    await fsp.writeFile(scratch('large'), big);
    assert.deepEqual(await fsp.readFile(scratch('large')), big);
    assert.deepEqual(await fsp.readFile(scratch('s2')), Buffer.alloc(3001, 0x42));
    for (const n of [...small, 'holes', 'large']) await fsp.unlink(scratch(n));
    await fs6.stop();
  });

  it('a bad RXFUSE_LADDER is refused, naming it, and mounts nothing', async function () {
    const r = await sh(process.execPath, [BIN, 'benchfs', work], { env: { ...process.env, RXFUSE_LADDER: '7' }, timeout: 10000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /RXFUSE_LADDER: 1\.\.6, got 7/);
    assert.deepEqual(fuseMounts().filter((m) => m === work), []);
  });
});

describe('FuseOptions.ladder (internal, benchmark only)', function () {
  for (const step of [1, 2, 3] as const) {
    it(`ladder ${step}: answered in C with benchfs's replies; no handler runs`, async function () {
      const calls: string[] = [];
      await withMount((fuse) => {
        fuse.handleAll({
          lookup: () => {
            calls.push('lookup');
            return { attr: { ino: 99, mode: fs.constants.S_IFDIR | 0o700 } };
          },
          getattr: () => {
            calls.push('getattr');
            return { ino: 1, mode: fs.constants.S_IFDIR | 0o700 };
          },
        });
      }, async (m) => {
        const st = await fsp.stat(m.path('files', 'f09999'));
        assert.equal(st.ino, 6 + 9999);
        assert.equal(st.mode, fs.constants.S_IFREG | 0o644);
        assert.equal((await fsp.stat(m.dir)).mode, fs.constants.S_IFDIR | 0o755);
      }, { ladder: step });
      assert.deepEqual(calls, []);
    });
  }

  it('a step other than 1, 2 or 3 is a RangeError naming it', function () {
    assert.throws(() => new Fuse({ ladder: 4 as unknown as 1 }), /ladder: 1, 2 or 3, got 4/);
  });
});
