// INIT negotiation (conn options, capabilities, -o options) and the kernel's entry/attribute
// caches with real timing, through real mounts. Each test checks what the kernel then does (request
// sizes, which requests arrive), not only the negotiated numbers.
// Client calls never run synchronously on this thread, which serves the filesystem.
import { strict as assert } from 'node:assert';
import { constants as K, promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Capability, type CapabilityName, capabilityNames, type ConnInfo, errno, Fuse, type FuseOptions } from '../lib';
import { CacheFs, type CacheFsOptions, type MountedCacheFs, ROOT, withCacheFs } from './fixtures/cachefs';
import { errCode, forceUnmount, sh } from './helpers';

const MiB = 1 << 20;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Mounts a CacheFs with file 'f' (size bytes) and runs body; checks errors$ and unmounts. */
function withFile(size: number, options: FuseOptions, body: (m: MountedCacheFs, f: number) => Promise<void>, fsOpts: CacheFsOptions = {}): Promise<void> {
  let f = 0;
  return withCacheFs(fsOpts, options, (t) => {
    f = t.add(ROOT, 'f', Buffer.alloc(size, 1)).ino;
  }, async (m) => {
    await body(m, f);
    assert.deepEqual(m.errors.map((e) => `${e.kind} ${String(e.cause)}`), [], 'errors$');
  });
}

/** One pwrite(2) of `len` bytes at 0 (fs.promises.writeFile would cut it into 512 KiB chunks). */
async function pwrite(p: string, len: number): Promise<void> {
  const fh = await fsp.open(p, 'r+');
  try {
    const { bytesWritten } = await fh.write(Buffer.alloc(len, 7), 0, len, 0);
    assert.equal(bytesWritten, len);
  } finally {
    await fh.close();
  }
}

/** Reads the whole file sequentially with small read(2) calls: READ sizes then follow readahead. */
async function readSmall(p: string, size: number, chunk = 4096): Promise<void> {
  const fh = await fsp.open(p, 'r');
  try {
    const b = Buffer.alloc(chunk);
    for (let off = 0; off < size; off += chunk) await fh.read(b, 0, chunk, off);
  } finally {
    await fh.close();
  }
}

const sizes = (m: MountedCacheFs, op: 'read' | 'write'): number[] => m.fs.ops(op).map((e) => e.size!);
const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);

describe('init: negotiated connection', function () {
  this.timeout(30000);

  it('maxWrite 1 MiB: a 1 MiB write arrives as one WRITE of 1048576 bytes', async function () {
    await withFile(MiB, { conn: { maxWrite: MiB } }, async (m) => {
      assert.equal(m.conn.maxWrite, MiB);
      await pwrite(m.path('f'), MiB);
      assert.deepEqual(sizes(m, 'write'), [MiB]);
      assert.deepEqual(m.fs.nodes.get(2)!.data, Buffer.alloc(MiB, 7));
    });
  });

  it('maxWrite 64 KiB: writes are at most 65536 bytes', async function () {
    await withFile(MiB, { conn: { maxWrite: 65536 } }, async (m) => {
      assert.equal(m.conn.maxWrite, 65536);
      await pwrite(m.path('f'), MiB);
      const w = sizes(m, 'write');
      assert.equal(Math.max(...w), 65536);
      assert.equal(sum(w), MiB);
      assert.equal(w.length, 16);
    });
  });

  it('maxWrite beyond a receive buffer (4 MiB) is clamped to 1 MiB; the mount keeps working', async function () {
    await withFile(MiB, { conn: { maxWrite: 4 * MiB } }, async (m) => {
      assert.equal(m.conn.maxWrite, MiB);
      await pwrite(m.path('f'), MiB);
      assert.deepEqual(sizes(m, 'write'), [MiB]);
    });
  });

  it('maxReadahead 16 KiB limits the READs of a sequential reader (default: larger)', async function () {
    const size = 2 * MiB;
    await withFile(size, { conn: { maxReadahead: 16384 } }, async (m) => {
      assert.equal(m.conn.maxReadahead, 16384);
      await readSmall(m.path('f'), size);
      const r = sizes(m, 'read');
      assert.equal(sum(r), size);
      assert.ok(Math.max(...r) <= 16384, `READ sizes ${Math.max(...r)} <= 16384`);
    });
    // The same reader on a default mount: readahead grows past 16 KiB.
    await withFile(size, {}, async (m) => {
      assert.ok(m.conn.maxReadahead > 16384, `default maxReadahead ${m.conn.maxReadahead}`);
      await readSmall(m.path('f'), size);
      assert.ok(Math.max(...sizes(m, 'read')) > 16384, 'default READs exceed 16 KiB');
    });
  });

  it('max_read: the -o option alone, conn.maxRead alone, or both alike limit READs; different values fail the mount', async function () {
    const size = 2 * MiB;
    for (const options of [{ options: ['max_read=65536'] }, { conn: { maxRead: 65536 } }, { options: ['ro,max_read=65536'], conn: { maxRead: 65536 } }] as FuseOptions[]) {
      await withFile(size, options, async (m) => {
        assert.equal(m.conn.maxRead, 65536, JSON.stringify(options));
        await fsp.readFile(m.path('f'));
        const r = sizes(m, 'read');
        assert.equal(sum(r), size);
        assert.equal(Math.max(...r), 65536, `${JSON.stringify(options)}: READ sizes`);
      });
    }
    // Without a limit, big read(2) calls get bigger READs.
    await withFile(size, {}, async (m) => {
      assert.equal(m.conn.maxRead, 0);
      await fsp.readFile(m.path('f'));
      assert.ok(Math.max(...sizes(m, 'read')) > 65536);
    });
    // libfuse refuses INIT when init() and the mount option disagree: mount() rejects, nothing stays mounted.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-init-'));
    const fuse = new Fuse({ mountTimeout: 10000, options: ['max_read=65536'], conn: { maxRead: 32768 } });
    new CacheFs().attach(fuse);
    const events: string[] = [];
    fuse.errors$.subscribe((e) => events.push(`${e.kind} ${e.errno}`));
    try {
      await assert.rejects(fuse.mount(dir), /closed before INIT/);
      assert.equal(fuse.closed, true);
      assert.deepEqual(events, [`session ${errno.EPROTO}`]);
    } finally {
      await forceUnmount(fuse, dir);
    }
  });

  it('conn values and capability wishes: mount() value, fuse.conn and init$ agree; wishes show in want', async function () {
    const wish: Partial<Record<CapabilityName, boolean>> = {
      writebackCache: true, readdirplus: true, readdirplusAuto: true, parallelDirops: true, posixAcl: true,
      exportSupport: true, flockLocks: true, posixLocks: true, noOpenSupport: true, cacheSymlinks: true,
      explicitInvalData: true, asyncRead: false, atomicOTrunc: false,
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-init-'));
    const fuse = new Fuse({
      mountTimeout: 10000,
      conn: { maxBackground: 20, congestionThreshold: 15, timeGran: 1000, capabilities: wish },
    });
    new CacheFs().attach(fuse);
    const fromInit: ConnInfo[] = [];
    fuse.init$.subscribe((c) => fromInit.push(c));
    assert.equal(fuse.conn, null, 'no conn before mount');
    try {
      const c = await fuse.mount(dir);
      assert.deepEqual(fuse.conn, c);
      assert.deepEqual(fromInit, [c]);
      assert.equal(c.protoMajor, 7);
      assert.ok(c.protoMinor >= 31, `proto 7.${c.protoMinor}`);
      assert.equal(c.maxBackground, 20);
      assert.equal(c.congestionThreshold, 15);
      assert.equal(c.timeGran, 1000);
      for (const [name, on] of Object.entries(wish) as [CapabilityName, boolean][]) {
        const bit = Capability[name];
        if (on && (c.capable & bit)) assert.ok(c.want & bit, `${name} wished and offered: in want`);
        if (!on) assert.equal(c.want & bit, 0, `${name} switched off`);
      }
      assert.equal(c.want & ~c.capable, 0, 'nothing wanted that the kernel does not offer');
      this.test!.title += ` [capable: ${capabilityNames(c.capable).join(' ')}; want: ${capabilityNames(c.want).join(' ')}]`;
    } finally {
      await forceUnmount(fuse, dir);
    }
    // The defaults: asyncRead and atomicOTrunc on (libfuse's defaults when offered), writebackCache off.
    await withFile(0, {}, async (m) => {
      const c = m.conn;
      for (const name of ['asyncRead', 'atomicOTrunc'] as const) {
        if (c.capable & Capability[name]) assert.ok(c.want & Capability[name], `${name} on by default`);
      }
      assert.equal(c.want & Capability.writebackCache, 0, 'writebackCache off by default');
    });
  });

  it('atomicOTrunc decides how the kernel truncates at open: O_TRUNC in open, or a setattr', async function () {
    const O_TRUNC = K.O_TRUNC;
    await withFile(100, {}, async (m) => {
      assert.ok(m.conn.want & Capability.atomicOTrunc);
      await (await fsp.open(m.path('f'), 'w')).close();
      const opens = m.fs.ops('open');
      assert.equal(opens.length, 1);
      assert.ok(opens[0].flags! & O_TRUNC, 'O_TRUNC reaches open');
      assert.equal(m.fs.count('setattr'), 0, 'no setattr');
      assert.equal(m.fs.nodes.get(2)!.data.length, 100, 'truncating is the filesystem\'s job at open (this one ignores it)');
    });
    await withFile(100, { conn: { capabilities: { atomicOTrunc: false } } }, async (m) => {
      assert.equal(m.conn.want & Capability.atomicOTrunc, 0);
      await (await fsp.open(m.path('f'), 'w')).close();
      const opens = m.fs.ops('open');
      assert.equal(opens.length, 1);
      assert.equal(opens[0].flags! & O_TRUNC, 0, 'no O_TRUNC in open');
      const sa = m.fs.ops('setattr');
      assert.equal(sa.length, 1, 'the kernel truncates with setattr');
      assert.equal(sa[0].size, 0);
      assert.equal(m.fs.nodes.get(2)!.data.length, 0);
    });
  });

  it('timeGran: the kernel rounds timestamps it sends in setattr to the granularity', async function () {
    const t = 1_700_000_000.5;  // seconds, exact in binary
    await withFile(10, { conn: { timeGran: 1_000_000_000 } }, async (m) => {
      await fsp.utimes(m.path('f'), t, t);
      const sa = m.fs.ops('setattr');
      assert.equal(sa.length, 1);
      assert.deepEqual(sa[0].mtime, { sec: 1_700_000_000, nsec: 0 }, 'rounded to whole seconds');
    });
    await withFile(10, {}, async (m) => {
      assert.equal(m.conn.timeGran, 1);
      await fsp.utimes(m.path('f'), t, t);
      assert.deepEqual(m.fs.ops('setattr')[0].mtime, { sec: 1_700_000_000, nsec: 500_000_000 }, 'nanoseconds kept by default');
    });
  });
});

describe('init: cache timeouts against the kernel (real time)', function () {
  this.timeout(30000);

  /** Waits until `ms` after `since` (performance.now() time). */
  async function until(since: number, ms: number): Promise<void> {
    const left = since + ms - performance.now();
    if (left > 0) await sleep(left);
  }

  it('entryTimeout 1 s: no lookup again within 0.3 s, a lookup after 1.5 s', async function () {
    await withFile(5, {}, async (m) => {
      await fsp.stat(m.path('f'));
      const first = m.fs.ops('lookup', (e) => e.name === 'f');
      assert.equal(first.length, 1);
      await fsp.stat(m.path('f'));
      const elapsed = performance.now() - first[0].at!;
      assert.ok(elapsed < 300, `second stat within 0.3 s (${elapsed.toFixed(0)} ms)`);
      assert.equal(m.fs.count('lookup', (e) => e.name === 'f'), 1, 'cached name: no lookup');
      await until(first[0].at!, 1500);
      await fsp.stat(m.path('f'));
      assert.equal(m.fs.count('lookup', (e) => e.name === 'f'), 2, 'looked up again after the timeout');
      assert.equal(m.fs.count('getattr'), 0, 'attributes still cached (60 s)');
    }, { entryTimeout: 1, attrTimeout: 60 });
  });

  it('attrTimeout 1 s: no getattr within 0.3 s, a getattr after 1.5 s', async function () {
    await withFile(5, {}, async (m) => {
      await fsp.stat(m.path('f'));
      const at = m.fs.ops('lookup', (e) => e.name === 'f')[0].at!;
      await fsp.stat(m.path('f'));
      const elapsed = performance.now() - at;
      assert.ok(elapsed < 300, `second stat within 0.3 s (${elapsed.toFixed(0)} ms)`);
      assert.equal(m.fs.count('getattr'), 0, 'attributes from the lookup reply');
      await until(at, 1500);
      const st = await fsp.stat(m.path('f'));
      assert.equal(st.size, 5);
      assert.equal(m.fs.count('getattr'), 1, 'getattr after the timeout');
      // The getattr reply's own timeout (1 s) starts now.
      const g = m.fs.ops('getattr')[0].at!;
      await fsp.stat(m.path('f'));
      assert.ok(performance.now() - g < 300);
      assert.equal(m.fs.count('getattr'), 1);
      await until(g, 1500);
      await fsp.stat(m.path('f'));
      assert.equal(m.fs.count('getattr'), 2);
      assert.equal(m.fs.count('lookup', (e) => e.name === 'f'), 1, 'the name stays cached (60 s)');
    }, { entryTimeout: 60, attrTimeout: 1 });
  });

  it('negative entries: { ino: 0, entryTimeout: 1 } caches the absence for 1 s', async function () {
    await withFile(5, {}, async (m) => {
      assert.equal(await errCode(fsp.stat(m.path('missing'))), 'ENOENT');
      const first = m.fs.ops('lookup', (e) => e.name === 'missing');
      assert.equal(first.length, 1);
      assert.equal(await errCode(fsp.stat(m.path('missing'))), 'ENOENT');
      assert.ok(performance.now() - first[0].at! < 300);
      assert.equal(m.fs.count('lookup', (e) => e.name === 'missing'), 1, 'the negative entry is cached');
      await until(first[0].at!, 1500);
      assert.equal(await errCode(fsp.stat(m.path('missing'))), 'ENOENT');
      assert.equal(m.fs.count('lookup', (e) => e.name === 'missing'), 2, 'looked up again after the timeout');
    }, { negativeTimeout: 1 });
    // An ENOENT error reply is not cached: every stat asks.
    await withFile(5, {}, async (m) => {
      for (let i = 0; i < 3; i++) assert.equal(await errCode(fsp.stat(m.path('missing'))), 'ENOENT');
      assert.equal(m.fs.count('lookup', (e) => e.name === 'missing'), 3);
    });
  });
});

describe('init: request context', function () {
  this.timeout(30000);

  it('req.getgroups() gives the supplementary groups of the requesting process', async function () {
    await withFile(5, {}, async (m) => {
      const r = await sh('setpriv', ['--groups', '5,6', '--reuid', '0', '--regid', '0', '--', 'stat', m.path('g1')]);
      assert.notEqual(r.code, 0, 'g1 does not exist');
      const r2 = await sh('setpriv', ['--groups', '7,1000,65534', '--reuid', '0', '--regid', '0', '--', 'stat', m.path('g2')]);
      assert.notEqual(r2.code, 0);
      await errCode(fsp.stat(m.path('g3')));  // from this process (a libuv worker thread)
      const groups = (name: string): number[] => {
        const l = m.fs.ops('lookup', (e) => e.name === name);
        assert.equal(l.length, 1, name);
        return [...l[0].groups!].sort((a, b) => a - b);
      };
      assert.deepEqual(groups('g1'), [5, 6]);
      assert.deepEqual(groups('g2'), [7, 1000, 65534]);
      // This process's supplementary groups as the kernel has them (process.getgroups() adds the egid).
      const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('Groups:'))!;
      const own = line.slice(7).trim().split(/\s+/).filter(Boolean).map(Number).sort((a, b) => a - b);
      assert.deepEqual(groups('g3'), own);
    }, { recordGroups: true });
  });
});
