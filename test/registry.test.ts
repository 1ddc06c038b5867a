// The inode registry through real mounts: the kernel's lookup counts (entry replies up, FORGET
// down), open counts, deferred removal, the forget/lookup race, dropped$ at unmount, and the
// CLI's --stats. The filesystem is test/fixtures/regfs.ts, which keeps its own book of the entry
// replies it sent and the forgets it saw, to compare with `fuse.inodes`.
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import { constants as K } from 'node:fs';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Fuse, FuseOptions } from '../lib';
import type { DroppedLookup } from '../lib/registry';
import { ROOT, RegFs } from './fixtures/regfs';
import { forceUnmount, fuseMounts, type Mounted, sh, TEST_MOUNT_PREFIX, until as pollUntil, withMount } from './helpers';

const PLUS: FuseOptions = { conn: { capabilities: { readdirplus: true, readdirplusAuto: false } } };

const until = (what: string, pred: () => boolean, ms = 5000, step?: () => Promise<unknown>): Promise<void> =>
  pollUntil(what, pred, ms, step, 25);

async function dropCaches(): Promise<void> {
  const r = await sh('sh', ['-c', 'echo 3 > /proc/sys/vm/drop_caches']);
  assert.equal(r.code, 0, r.stderr);
}

/** The registry agrees with the fixture's book: per inode, in total, and in known inodes. */
function assertAgrees(f: RegFs, fuse: Fuse, where: string): void {
  const held = f.heldInodes();
  for (const ino of new Set([...f.sent.keys(), ...f.forgot.keys()])) {
    assert.equal(fuse.inodes.lookupCount(ino), Math.max(0, f.held(ino)), `${where}: lookup count of ${ino}`);
  }
  const s = fuse.stats();
  assert.equal(s.lookups, [...held.values()].reduce((a, b) => a + b, 0), `${where}: total lookups`);
  assert.equal(s.knownInodes, held.size, `${where}: known inodes`);
  for (const [ino, n] of held) assert.ok(n > 0, `${where}: the fixture saw more forgets than entries for ${ino}`);
}

/** A child process we started and stop for sure. */
class Child {
  readonly proc: ChildProcess;
  private out = '';
  private err = '';
  readonly exited: Promise<number | null>;
  constructor(cmd: string, args: string[]) {
    this.proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((r) => this.proc.on('exit', (code) => r(code)));
  }
  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }
  async line(prefix: string, ms = 5000): Promise<string> {
    await until(`child output "${prefix}" (stdout: ${JSON.stringify(this.out)}, stderr: ${JSON.stringify(this.err)})`,
      () => this.out.split('\n').some((l) => l.startsWith(prefix)), ms);
    return this.out.split('\n').find((l) => l.startsWith(prefix))!;
  }
  send(s: string): void {
    this.proc.stdin!.write(s);
  }
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

/** withMount, then a check that this mount is gone (other test runs may have mounts of their own). */
async function mounted(f: RegFs, body: (m: Mounted & { fuse: Fuse }) => Promise<void>, options: FuseOptions = PLUS, setup?: (fuse: Fuse) => void): Promise<void> {
  let dir = '';
  await withMount((fuse) => {
    f.attach(fuse);
    setup?.(fuse);
  }, async (m) => {
    dir = m.dir;
    await body(m);
  }, options);
  assert.ok(dir !== '' && !fuseMounts().includes(dir), `${dir} unmounted`);
}

describe('registry: lookup counts through a real mount', function () {

  it('+1 for each accepted entry reply: mkdir, create, mknod, symlink, link, lookup and each readdirplus entry', async function () {
    const f = new RegFs({ entryTimeout: 60, attrTimeout: 60 });
    const pre = f.add('pre', K.S_IFREG | 0o644, 'x');
    await mounted(f, async ({ fuse, path: p }) => {
      const count = (ino: number): number => fuse.inodes.lookupCount(ino);
      const ino = (name: string): number => f.resolve(name).ino;

      await fsp.mkdir(p('d'));
      assert.equal(count(ino('d')), 1, 'mkdir');
      await fsp.writeFile(p('f'), 'data');  // lookup (ENOENT, no entry) + create
      assert.equal(f.ops('create').length, 1);
      assert.equal(count(ino('f')), 1, 'create');
      const r = await sh('mkfifo', [p('fifo')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(f.ops('mknod').length, 1);
      assert.equal(count(ino('fifo')), 1, 'mknod');
      await fsp.symlink('target', p('s'));
      assert.equal(count(ino('s')), 1, 'symlink');
      await fsp.link(p('f'), p('g'));
      assert.equal(f.ops('link').length, 1);
      assert.equal(count(ino('f')), 2, 'link: one more of the same inode');
      await fsp.stat(p('pre'));
      assert.equal(count(pre.ino), 1, 'lookup');
      await fsp.stat(p('pre'));  // cached for 60 s: no lookup, no change
      assert.equal(f.ops('lookup', (e) => e.name === 'pre').length, 1);
      assert.equal(count(pre.ino), 1);
      assertAgrees(f, fuse, 'after the creations');

      // readdirplus: each entry but "." and ".." counts, a hard-linked inode once per name.
      const before = new Map(['d', 'f', 'fifo', 's', 'pre'].map((n) => [n, count(ino(n))]));
      const names = await fsp.readdir(p());
      assert.deepEqual(names.sort(), ['d', 'f', 'fifo', 'g', 'pre', 's']);
      assert.ok(f.ops('readdirplus').length >= 1, 'the listing came by readdirplus');
      assert.equal(count(ROOT), 1, '"." is not counted');
      for (const [n, c] of before) assert.equal(count(ino(n)), c + (n === 'f' ? 2 : 1), `readdirplus entry ${n}`);
      // In a subdirectory, ".." (the root) is not counted either.
      await fsp.writeFile(p('d', 'inner'), '');
      const inner = ino('d/inner');
      assert.equal(count(inner), 1);
      await fsp.readdir(p('d'));
      assert.equal(count(inner), 2);
      assert.equal(count(ROOT), 1);
      assertAgrees(f, fuse, 'after the listings');
      assert.deepEqual(f.anomalies, []);
      assert.deepEqual(f.errors, []);
    });
  });

  it('forget and forgetMulti give back: after drop_caches only the root is known; an open file stays known', async function () {
    this.timeout(60000);
    const f = new RegFs({ entryTimeout: 60, attrTimeout: 60 });
    const files: string[] = [];
    for (let i = 0; i < 5; i++) {
      f.add(`t${i}`, K.S_IFDIR | 0o755);
      for (let j = 0; j < 4; j++) {
        f.add(`t${i}/sub${j}`, K.S_IFDIR | 0o755);
        f.add(`t${i}/sub${j}/a`, K.S_IFREG | 0o644, `a${i}${j}`);
        files.push(`t${i}/sub${j}/a`);
      }
      f.add(`t${i}/file`, K.S_IFREG | 0o644, 'x');
      files.push(`t${i}/file`);
    }
    const total = f.nodes.size - 1;
    assert.ok(total >= 50, `${total} nodes`);
    await mounted(f, async ({ fuse, dir, path: p }) => {
      const walk = await sh('find', [dir]);
      assert.equal(walk.code, 0, walk.stderr);
      assert.equal(walk.stdout.trim().split('\n').length, total + 1);
      for (const n of f.nodes.keys()) assert.ok(fuse.inodes.isKnown(n), `inode ${n} known after the walk`);
      assertAgrees(f, fuse, 'after the walk');
      assert.ok(fuse.stats().lookups > total);

      await until('only the root known', () => fuse.stats().knownInodes === 1, 10000, dropCaches);
      assert.equal(fuse.stats().lookups, 1);
      assert.equal(fuse.inodes.lookupCount(ROOT), 1);
      assertAgrees(f, fuse, 'after drop_caches');
      assert.ok(f.ops('forget').length + f.ops('forgetMulti').length > 0);
      for (const n of f.nodes.keys()) if (n !== ROOT) assert.equal(fuse.inodes.isKnown(n), false, `inode ${n} forgotten`);

      // A file held open by a child process keeps its inode (and its directories) known.
      const held = f.resolve('t2/sub1/a');
      const child = new Child('sh', ['-c', 'exec 3<"$0"; echo ready; read x', p('t2/sub1/a')]);
      try {
        await child.line('ready');
        await fsp.readdir(p('t3'));  // more known inodes, for drop_caches to forget
        assert.ok(fuse.stats().knownInodes > 4);
        const path3 = [ROOT, f.resolve('t2').ino, f.resolve('t2/sub1').ino, held.ino];
        await until('only the open file and its directories known', () => fuse.stats().knownInodes === path3.length, 10000, dropCaches);
        for (const n of path3) assert.ok(fuse.inodes.isKnown(n), `inode ${n} still known`);
        assert.equal(fuse.inodes.openCount(held.ino), 1);
        assertAgrees(f, fuse, 'with the file open');
        child.send('\n');
        assert.equal(await child.exited, 0);
      } finally {
        child.kill();
      }
      await until('the release', () => fuse.stats().openHandles === 0);
      await until('only the root known again', () => fuse.stats().knownInodes === 1, 10000, dropCaches);
      assertAgrees(f, fuse, 'at the end');
      assert.deepEqual(f.anomalies, []);
      assert.deepEqual(f.errors, []);
    });
  });

  it('open counts: open, create and opendir up, release and releasedir down', async function () {
    const f = new RegFs({ entryTimeout: 60, attrTimeout: 60 });
    const a = f.add('a', K.S_IFREG | 0o644, 'aaa');
    const d = f.add('d', K.S_IFDIR | 0o755);
    await mounted(f, async ({ fuse, path: p }) => {
      assert.equal(fuse.stats().openHandles, 0);
      const open = new Set<{ close(): Promise<void> }>();  // closed for sure, before the unmount
      const close = async (h: { close(): Promise<void> }): Promise<void> => {
        open.delete(h);
        await h.close();
      };
      try {
        const h1 = await fsp.open(p('a'), 'r');
        open.add(h1);
        const h2 = await fsp.open(p('a'), 'r+');
        open.add(h2);
        assert.equal(fuse.inodes.openCount(a.ino), 2);
        const h3 = await fsp.open(p('new'), 'wx');  // create
        open.add(h3);
        const created = f.resolve('new').ino;
        assert.equal(f.ops('create').length, 1);
        assert.equal(fuse.inodes.openCount(created), 1);
        assert.equal(fuse.inodes.lookupCount(created), 1);
        const dh = await fsp.opendir(p('d'));
        open.add(dh);
        assert.equal(fuse.inodes.openCount(d.ino), 1);
        assert.equal(fuse.stats().openHandles, 4);
        await close(h1);
        await until('one release', () => fuse.inodes.openCount(a.ino) === 1);
        assert.equal(fuse.stats().openHandles, 3);
        await close(h2);
        await close(h3);
        await close(dh);
        await until('every handle released', () => fuse.stats().openHandles === 0);
        assert.equal(fuse.inodes.openCount(a.ino), 0);
        assert.equal(fuse.inodes.openCount(d.ino), 0);
        assert.equal(fuse.inodes.openCount(created), 0);
        assert.equal(f.ops('release').length, 3);
        assert.equal(f.ops('releasedir').length, 1);
        assert.equal(f.ops('open').length + f.ops('create').length, 3);
        assert.deepEqual(f.anomalies, []);
      } finally {
        for (const h of open) await h.close().catch(() => undefined);
      }
    });
  });

  it('write after unlink, read back through the open fd; released$ only after the close and the forget', async function () {
    this.timeout(60000);
    const f = new RegFs({ entryTimeout: 60, attrTimeout: 60 });
    const node = f.add('victim', K.S_IFREG | 0o644, 'before');
    const ino = node.ino;
    await mounted(f, async ({ fuse, path: p }) => {
      const script = [
        'import os, sys',
        'fd = os.open(sys.argv[1], os.O_RDWR)',
        'print("open", flush=True)',
        'sys.stdin.readline()',
        'os.write(fd, b"written after unlink")',
        'os.lseek(fd, 0, 0)',
        'print("read " + os.read(fd, 100).decode(), flush=True)',
        'sys.stdin.readline()',
        'os.close(fd)',
        'print("closed", flush=True)',
      ].join('\n');
      const child = new Child('python3', ['-c', script, p('victim')]);
      try {
        await child.line('open');
        assert.equal(fuse.inodes.openCount(ino), 1);
        await fsp.unlink(p('victim'));
        assert.equal(fuse.inodes.isRemoved(ino), true);
        assert.equal(fuse.stats().pendingRemovals, 1);
        assert.deepEqual(f.released, []);
        child.send('\n');
        assert.equal(await child.line('read '), 'read written after unlink');
        assert.equal(f.nodes.get(ino)?.data.toString(), 'written after unlink', 'the data reached the (removed) inode');
        // Known and open: dropping the caches does not release it.
        await dropCaches();
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(f.released, [], 'released while open');
        assert.equal(fuse.stats().pendingRemovals, 1);
        assert.ok(f.nodes.has(ino));
        child.send('\n');
        await child.line('closed');
        assert.equal(await child.exited, 0);
      } finally {
        child.kill();
      }
      await until('released$ for the unlinked inode', () => f.released.includes(ino), 10000, dropCaches);
      assert.deepEqual(f.released, [ino]);
      const rel = f.ops('released')[0].seq;
      const release = f.ops('release', (e) => e.ino === ino);
      assert.equal(release.length, 1);
      assert.ok(release[0].seq < rel, 'release before released$');
      assert.ok(f.releasedByForget(ino), 'released$ fired while the FORGET was dispatched');
      assert.equal(fuse.inodes.isKnown(ino), false);
      assert.equal(fuse.stats().pendingRemovals, 0);
      assert.equal(fuse.stats().released, 1);
      assert.equal(f.nodes.has(ino), false, 'the data is freed in released$');
      assert.deepEqual(f.anomalies, []);
    });
  });

  describe('the race: a forget to zero while a lookup that may answer with the same inode is in flight', function () {
    // Inode X has two names: "f", whose dentry the kernel caches (60 s), and "g", never looked up
    // yet. A lookup of "g" resolves X and waits; meanwhile drop_caches drops the unused dentry of
    // "f", and with it X: FORGET(X) to zero arrives while the lookup is in flight. Then the lookup
    // answers X, and the kernel holds X again (a new inode, count 1).
    async function setUp(fuse: Fuse, f: RegFs, p: (...s: string[]) => string): Promise<{ x: number; stat: Promise<{ code: number; stderr: string }>; release: (recheck?: boolean) => void; lookupSeq: number }> {
      const x = f.resolve('f').ino;
      await fsp.stat(p('f'));
      assert.equal(fuse.inodes.lookupCount(x), 1);
      const hold = f.holdLookup('g');
      const stat = sh('stat', [p('g')]);
      assert.equal(await hold.reached, x, 'the held lookup resolved X');
      const lookupSeq = f.ops('lookup', (e) => e.name === 'g')[0].seq;
      assert.equal(fuse.stats().entryRequestsInFlight, 1);
      return { x, stat, release: hold.release, lookupSeq };
    }

    it('the count ends at what the kernel holds (1), then 0 after the next drop_caches; no anomaly', async function () {
      this.timeout(60000);
      const f = new RegFs({ entryTimeout: 60, attrTimeout: 60 });
      const n = f.add('f', K.S_IFREG | 0o644, 'x');
      f.addLink('g', n.ino);
      await mounted(f, async ({ fuse, path: p }) => {
        const { x, stat, release, lookupSeq } = await setUp(fuse, f, p);
        await until('FORGET of X during the lookup', () => f.forgetSeq(x, lookupSeq) !== undefined, 10000, dropCaches);
        assert.equal(fuse.inodes.lookupCount(x), 0);
        assert.equal(fuse.inodes.isKnown(x), false);
        release();
        const r = await stat;
        assert.equal(r.code, 0, r.stderr);
        const reply = f.ops('lookup-reply', (e) => e.name === 'g')[0];
        assert.ok(f.forgetSeq(x, lookupSeq)! < reply.seq, 'order: lookup, forget to zero, lookup reply');
        assert.equal(fuse.inodes.lookupCount(x), 1, 'the kernel holds X again');
        assertAgrees(f, fuse, 'after the race');
        await until('X forgotten again', () => !fuse.inodes.isKnown(x), 10000, dropCaches);
        assert.equal(f.held(x), 0);
        assertAgrees(f, fuse, 'at the end');
        assert.deepEqual(f.anomalies, []);
        assert.deepEqual(f.errors, []);
      });
    });

    it('removed meanwhile: no released$ while the lookup is in flight, none when it answers X, one after the next forget', async function () {
      this.timeout(60000);
      const f = new RegFs({ entryTimeout: 60, attrTimeout: 60 });
      const n = f.add('f', K.S_IFREG | 0o644, 'x');
      f.addLink('g', n.ino);
      await mounted(f, async ({ fuse, path: p }) => {
        const { x, stat, release, lookupSeq } = await setUp(fuse, f, p);
        // Both names go on the storage side (the held lookup keeps the directory locked for clients).
        f.removeName(ROOT, 'f');
        f.removeName(ROOT, 'g');
        assert.equal(fuse.inodes.isRemoved(x), true);
        await until('FORGET of X during the lookup', () => f.forgetSeq(x, lookupSeq) !== undefined, 10000, dropCaches);
        assert.equal(fuse.inodes.lookupCount(x), 0);
        assert.deepEqual(f.released, [], 'held back while the lookup is in flight');
        assert.equal(fuse.stats().pendingRemovals, 1);
        release();  // answers X, resolved before the wait
        const r = await stat;
        assert.deepEqual(f.released, [], 'not released: the kernel was just given X');
        assert.equal(r.code, 0, r.stderr);
        assert.equal(fuse.inodes.lookupCount(x), 1, 'the kernel holds X again');
        assert.ok(f.nodes.has(x));
        assert.equal(fuse.stats().pendingRemovals, 1);
        assertAgrees(f, fuse, 'after the race');
        await until('released$ after the next forget', () => f.released.includes(x), 10000, dropCaches);
        assert.deepEqual(f.released, [x]);
        assert.ok(f.releasedByForget(x), 'released$ fired while the FORGET was dispatched');
        assert.ok(f.ops('lookup-reply')[0].seq < f.ops('released')[0].seq);
        assert.equal(f.nodes.has(x), false);
        assert.equal(fuse.stats().pendingRemovals, 0);
        assert.deepEqual(f.anomalies, []);
        assert.deepEqual(f.errors, []);
      });
    });

    it('removed meanwhile, and the lookup then answers ENOENT: released$ right after that answer', async function () {
      this.timeout(60000);
      const f = new RegFs({ entryTimeout: 60, attrTimeout: 60 });
      const n = f.add('f', K.S_IFREG | 0o644, 'x');
      f.addLink('g', n.ino);
      await mounted(f, async ({ fuse, path: p }) => {
        const { x, stat, release, lookupSeq } = await setUp(fuse, f, p);
        f.removeName(ROOT, 'f');
        f.removeName(ROOT, 'g');
        await until('FORGET of X during the lookup', () => f.forgetSeq(x, lookupSeq) !== undefined, 10000, dropCaches);
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(f.released, [], 'held back while the lookup is in flight');
        release(true);  // looks "g" up again: gone
        const r = await stat;
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /No such file/);
        assert.deepEqual(f.released, [x]);
        const reply = f.ops('lookup-reply')[0];
        assert.equal(reply.ino, 0);
        assert.ok(reply.seq < f.ops('released')[0].seq);
        assert.equal(fuse.inodes.isKnown(x), false);
        assert.equal(f.nodes.has(x), false);
        assert.deepEqual(f.anomalies, []);
      });
    });
  });

  it('a synchronous handler that marks the inode it answers with removed: released$ only after the forget', async function () {
    this.timeout(30000);
    const released: number[] = [];
    const FILE = 2;
    const attr = (ino: number) => (ino === ROOT
      ? { ino, mode: K.S_IFDIR | 0o755, nlink: 2 }
      : { ino, mode: K.S_IFREG | 0o644, nlink: 0 });  // an unlinked file (as O_TMPFILE's)
    await withMount((fuse) => {
      fuse.inodes.released$.subscribe((ino) => released.push(ino));
      fuse.handle('getattr', (req) => ({ attr: attr(req.ino), timeout: 0 }));
      fuse.handle('lookup', (req) => {
        if (req.parent !== ROOT || req.nameKey !== 't') return { ino: 0, entryTimeout: 0 };
        fuse.inodes.markRemoved(FILE);  // the kernel holds no lookup of it yet: the reply gives one
        return { attr: attr(FILE), attrTimeout: 0, entryTimeout: 0 };
      });
    }, async (m) => {
      const r = await sh('stat', ['-c', '%i', path.join(m.dir, 't')]);
      assert.equal(r.stdout.trim(), String(FILE), r.stderr);
      assert.equal(released.length, 0, 'not released while the kernel holds the lookup just given');
      assert.equal(m.fuse.inodes.lookupCount(FILE), 1);
      await until('released$ after the forget', () => released.includes(FILE), 10000, dropCaches);
      assert.deepEqual(released, [FILE]);
    });
  });

  it('dropped$ at unmount reports the counts the kernel still held, the root included', async function () {
    const f = new RegFs({ entryTimeout: 60, attrTimeout: 60 });
    const a = f.add('a', K.S_IFREG | 0o644);
    const b = f.add('b', K.S_IFREG | 0o644);
    let dropped: (readonly DroppedLookup[])[] = [];
    let expected = new Map<number, number>();
    await mounted(f, async ({ fuse, path: p }) => {
      await fsp.stat(p('a'));
      await fsp.readdir(p());
      assert.equal(fuse.inodes.lookupCount(a.ino), 2);
      assert.equal(fuse.inodes.lookupCount(b.ino), 1);
      await fuse.unmount();
      assert.equal(fuse.stats().knownInodes, 0);
      assert.equal(fuse.stats().lookups, 0);
    }, PLUS, (fuse) => fuse.inodes.dropped$.subscribe((d) => {
      expected = f.heldInodes();  // the fixture's book at that moment
      dropped.push(d);
    }));
    assert.equal(dropped.length, 1);
    const got = [...dropped[0]].sort((x, y) => x.ino - y.ino);
    assert.deepEqual(got, [{ ino: ROOT, lookups: 1 }, { ino: a.ino, lookups: 2 }, { ino: b.ino, lookups: 1 }]);
    assert.deepEqual(got, [...expected.entries()].sort((x, y) => x[0] - y[0]).map(([ino, lookups]) => ({ ino, lookups })));
    dropped = [];
  });
});

describe('registry: the CLI --stats', function () {
  let dir = '';
  let child: Child | undefined;
  afterEach(async function () {
    child?.kill();
    if (child) await child.exited;
    await forceUnmount(undefined, dir);
    child = undefined;
  });

  it('SIGUSR1 prints one rxfuse-stats line; SIGTERM exits 0 with a final one', async function () {
    this.timeout(30000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), TEST_MOUNT_PREFIX));
    const bin = path.join(__dirname, '..', '..', 'bin', 'rxfuse.js');
    child = new Child(process.execPath, [bin, 'hello', dir, '--stats']);
    await child.line('mounted');
    const r = await sh('cat', [path.join(dir, 'hello')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Hello World!\n');
    const statLines = (): string[] => child!.stderr.split('\n').filter((l) => l.startsWith('rxfuse-stats: '));
    const parse = (l: string): Record<string, number> => JSON.parse(l.slice('rxfuse-stats: '.length)) as Record<string, number>;
    // The release of cat's file is asynchronous: ask until it shows.
    let last: Record<string, number> | undefined;
    await until('a stats line with no open handle', () => {
      const ls = statLines();
      last = ls.length ? parse(ls[ls.length - 1]) : undefined;
      return last?.openHandles === 0;
    }, 10000, async () => {
      const before = statLines().length;
      child!.proc.kill('SIGUSR1');
      await until('one more stats line', () => statLines().length === before + 1);
    });
    assert.ok(last!.knownInodes >= 2, `knownInodes ${last!.knownInodes}: the root and hello`);
    assert.ok(last!.lookups >= last!.knownInodes);
    assert.equal(last!.pendingRemovals, 0);
    assert.equal(last!.entryRequestsInFlight, 0);
    assert.equal(last!.droppedInodes, undefined);
    for (const k of ['knownInodes', 'lookups', 'openHandles', 'pendingRemovals', 'inFlight', 'tableBytes']) {
      assert.equal(typeof last![k], 'number', k);
    }
    // process.memoryUsage(), for memory benchmarks (bench/memfs-memory.js)
    const mem = last!.memory as unknown as Record<string, number>;
    assert.ok(mem.rss > 0 && mem.heapUsed > 0 && mem.external >= 0, JSON.stringify(mem));
    const n = statLines().length;
    child.proc.kill('SIGTERM');
    assert.equal(await child.exited, 0);
    const lines = statLines();
    assert.equal(lines.length, n + 1, 'one final line');
    const final = parse(lines[lines.length - 1]);
    assert.ok(final.droppedInodes >= 2, `droppedInodes ${final.droppedInodes}`);
    assert.ok(final.droppedLookups >= final.droppedInodes);
    assert.equal(final.knownInodes, 0);
    assert.ok(!fuseMounts().includes(dir));
  });
});
