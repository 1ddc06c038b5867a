// memfs gives memory back after a mass deletion: its file contents are Buffers, freed only when V8
// collects, and a quiet process may not collect for a long time (see examples/memfs/reclaim.ts).
// The figures per inode and per stored byte are a benchmark's: npm run bench:memfs-memory.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { MemFs, memfsOptions } from '../examples/memfs';
import { type MountedFixture, mountFixture, sh, until } from './helpers';

const MB = 2 ** 20;

describe('memfs memory after deletion', function () {
  this.timeout(60000);
  let m: MountedFixture<MemFs> | undefined;

  afterEach(async () => {
    await m?.unmount();
    m = undefined;
  });

  it('48 MB of files deleted: the Buffers are collected and the external memory goes back within seconds', async () => {
    m = await mountFixture('rxfuse-memfs-memory-', new MemFs({ reclaim: { threshold: 8 * MB, quietMs: 300 } }), memfsOptions());
    const before = process.memoryUsage().external;
    const dir = m.path('d');
    const create = await sh('python3', ['-c', `
import os, sys
d = sys.argv[1]; os.mkdir(d); buf = b'x' * (128 << 10)
for i in range(384):
    with open('%s/f%d' % (d, i), 'wb') as f: f.write(buf)
`, dir], { timeout: 30000 });
    assert.equal(create.code, 0, create.stderr);
    const full = process.memoryUsage().external;
    assert.ok(full - before >= 45 * MB, `external grew by ${((full - before) / MB).toFixed(1)} MB`);
    const del = await sh('rm', ['-rf', dir], { timeout: 30000 });
    assert.equal(del.code, 0, del.stderr);
    // The kernel forgets unlinked inodes once their dentries go; drop_caches makes sure.
    fs.writeFileSync('/proc/sys/vm/drop_caches', '2');
    await until('the inodes freed', () => m!.fuse.inodes.stats.pendingRemovals === 0 && m!.fs.table.count === 1, 10000);
    await until('the external memory given back', () => process.memoryUsage().external - before < 8 * MB, 10000, async () => {
      await new Promise((r) => setTimeout(r, 100));
    });
    assert.deepEqual(m.errors, []);
  });

  it('bad reclaim options are a TypeError', () => {
    assert.throws(() => new MemFs({ reclaim: { threshold: -1 } }), /threshold must be a number >= 0/);
    assert.throws(() => new MemFs({ reclaim: { quietMs: NaN } }), /quietMs must be a number >= 0/);
  });
});
