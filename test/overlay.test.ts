// The overlay example against the kernel's overlayfs: every scripted case (test/overlay/cases) runs
// on both, on identical lower trees, and must give the same results and leave the same upper
// directory (whiteouts, opaque marks, contents, owners, modes, xattrs). Then each side mounts the
// upper directory the other left, and the merged views must be the same; and the lower directories
// must be exactly as they were built.
import { strict as assert } from 'node:assert';
import { close, open, readfile, stat, truncate, write } from './diff/steps';
import { areas } from './overlay/cases';
import { ov, STD } from './overlay/cases/common';
import {
  caseDir, Client, compareCase, keepUmask, type Mount, mountKernel, mountOurs, type OvCase, Scratch,
} from './overlay/harness';

const cases: OvCase[] = areas.flatMap((a) => a.cases);

/**
 * A snapshot for comparing merged views across mounts: the link labels left out for cases whose
 * lower has hard links (the kernel shows such names with one inode number, rxfuse with one each).
 */
function comparable(c: OvCase, snap: unknown): unknown {
  if (!c.allow?.some((a) => a.drop.includes('ino')) || !Array.isArray(snap)) return snap;
  return snap.map((e: Record<string, unknown>) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'link')));
}
const dirOf = new Map<OvCase, string>(cases.map((c, i) => [c, caseDir(i)]));

describe('overlay: rxfuse against the kernel overlayfs', function () {
  keepUmask();
  let s: Scratch | undefined;
  let tool: Client | undefined;
  let kernel: Client | undefined;
  let ours: Client | undefined;
  let oursMount: Mount | undefined;
  let kernelMount: Mount | undefined;
  const lowerHashes: unknown[] = [];

  before(async function () {
    this.timeout(60000);
    s = await Scratch.create();
    await s.mkdirs('kL', 'kU', 'kW', 'kM', 'rL', 'rU', 'rM', 'kW2', 'kM2', 'rM2');
    tool = new Client(s.dir);
    for (const [c, dir] of dirOf) {
      await tool.build(s.path('kL', dir), c.lower);
      await tool.build(s.path('rL', dir), c.lower);
    }
    lowerHashes.push(await tool.hash(s.path('kL')), await tool.hash(s.path('rL')));
    kernelMount = s.track(await mountKernel(s.path('kL'), s.path('kU'), s.path('kW'), s.path('kM')));
    oursMount = s.track(await mountOurs(s.path('rL'), s.path('rU'), s.path('rM')));
    kernel = new Client(s.path('kM'));
    ours = new Client(s.path('rM'));
  });

  after(async function () {
    this.timeout(30000);
    await Promise.all([tool, kernel, ours].map((c) => c?.close()));
    await s?.stop();
  });

  for (const area of areas) {
    describe(area.name, function () {
      for (const c of area.cases) {
        it(c.name, async function () {
          this.timeout(30000);
          if (!s || !kernel || !ours || !oursMount) throw new Error('the mounts are not there');
          const dir = dirOf.get(c) as string;
          const seen = oursMount.errors.length;
          const [k, r] = await Promise.all([kernel.runCase(dir, c.who, c.steps), ours.runCase(dir, c.who, c.steps)]);
          const [ku, ru] = await Promise.all([
            kernel.upper(s.path('kU', dir), s.path('kL', dir)), ours.upper(s.path('rU', dir), s.path('rL', dir)),
          ]);
          compareCase(c, k, r, ku, ru);
          const failures = oursMount.errors.slice(seen).map((e) => `${e.kind} ${e.op ?? ''}: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}`);
          assert.deepEqual(failures, [], 'rxfuse reported handler failures during the case');
        });
      }
    });
  }

  describe('the kernel mounts the upper directory rxfuse left', function () {
    const seen = new Map<OvCase, unknown>();
    let remounted: Client | undefined;
    before(async function () {
      this.timeout(60000);
      if (!s || !ours || !oursMount) throw new Error('the mounts are not there');
      for (const [c, dir] of dirOf) seen.set(c, await ours.snapshot(dir));
      await ours.close();
      await oursMount.close();
      s.track(await mountKernel(s.path('rL'), s.path('rU'), s.path('kW2'), s.path('kM2')));
      remounted = new Client(s.path('kM2'));
    });
    after(async function () {
      await remounted?.close();
    });
    for (const c of cases) {
      it(c.name, async function () {
        if (!remounted) throw new Error('not mounted');
        assert.deepEqual(comparable(c, await remounted.snapshot(dirOf.get(c) as string)), comparable(c, seen.get(c)), 'the kernel shows another merged view');
      });
    }
  });

  describe('rxfuse mounts the upper directory the kernel left', function () {
    const seen = new Map<OvCase, unknown>();
    let remounted: Client | undefined;
    before(async function () {
      this.timeout(60000);
      if (!s || !kernel || !kernelMount) throw new Error('the mounts are not there');
      for (const [c, dir] of dirOf) seen.set(c, await kernel.snapshot(dir));
      await kernel.close();
      await kernelMount.close();
      s.track(await mountOurs(s.path('kL'), s.path('kU'), s.path('rM2')));
      remounted = new Client(s.path('rM2'));
    });
    after(async function () {
      await remounted?.close();
    });
    for (const c of cases) {
      it(c.name, async function () {
        if (!remounted) throw new Error('not mounted');
        assert.deepEqual(comparable(c, await remounted.snapshot(dirOf.get(c) as string)), comparable(c, seen.get(c)), 'rxfuse shows another merged view');
      });
    }
  });

  describe('the lower directories', function () {
    it('are exactly as built: names, data, modes, owners, xattrs, mtimes, ctimes, inode numbers', async function () {
      this.timeout(30000);
      if (!s || !tool) throw new Error('no scratch');
      assert.deepEqual([await tool.hash(s.path('kL')), await tool.hash(s.path('rL'))], lowerHashes);
    });
  });
});

describe('overlay: copy-up across filesystems, rxfuse against the kernel overlayfs', function () {
  // The lower on one tmpfs, the upper on another: copy_file_range(2) cannot cross them (EXDEV), so
  // copy-up copies through a buffer.
  const c = ov('copy-up of large and sparse files from another filesystem', [
    open('w', 'big', ['O_RDWR']), write('w', 'X', 150000), close('w'), readfile('big'), stat('big'), truncate('sparse', 600000), readfile('sparse'),
    open('w', 'f', ['O_WRONLY', 'O_APPEND']), write('w', '!'), close('w'), readfile('f').expect({ value: 'hello!' }),
  ], { lower: STD, allow: [{ drop: ['blocks'], why: 'copy-up keeps holes exactly; the kernel copies 1 MiB chunks' }] });
  keepUmask();
  const scratch: Scratch[] = [];
  const clients: Client[] = [];
  after(async function () {
    this.timeout(30000);
    await Promise.all(clients.map((x) => x.close()));
    for (const x of scratch.reverse()) await x.stop();
  });
  it(c.name, async function () {
    this.timeout(60000);
    const lowers = await Scratch.create();
    scratch.push(lowers);
    const uppers = await Scratch.create();
    scratch.push(uppers);
    await uppers.mkdirs('kU', 'kW', 'kM', 'rU', 'rM');
    const tool = new Client(lowers.dir);
    clients.push(tool);
    await tool.build(lowers.path('kL', 'c'), c.lower);
    await tool.build(lowers.path('rL', 'c'), c.lower);
    uppers.track(await mountKernel(lowers.path('kL'), uppers.path('kU'), uppers.path('kW'), uppers.path('kM')));
    const mount = uppers.track(await mountOurs(lowers.path('rL'), uppers.path('rU'), uppers.path('rM')));
    const kernel = new Client(uppers.path('kM'));
    const ours = new Client(uppers.path('rM'));
    clients.push(kernel, ours);
    const [k, r] = await Promise.all([kernel.runCase('c', c.who, c.steps), ours.runCase('c', c.who, c.steps)]);
    const [ku, ru] = await Promise.all([kernel.upper(uppers.path('kU', 'c'), lowers.path('kL', 'c')), ours.upper(uppers.path('rU', 'c'), lowers.path('rL', 'c'))]);
    compareCase(c, k, r, ku, ru);
    assert.deepEqual(mount.errors, []);
  });
});
