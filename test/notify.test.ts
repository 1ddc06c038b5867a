// Kernel cache notifications (invalidateInode, invalidateEntry, notifyDelete, notifyStore,
// notifyRetrieve) through real mounts: each test first shows that the kernel answers from its cache
// (the handler is not called), then that the notification changed that cache.
// Client calls never run synchronously on this thread, which serves the filesystem.
import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { errno, FuseError, type FuseOptions } from '../lib';
import { type CacheFs, type MountedCacheFs, ROOT, withCacheFs } from './fixtures/cachefs';
import { errCode } from './helpers';

/** Rejects when p has not settled within ms (a deadlock shows as a failure, not a hang). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Mounts a CacheFs (entry and attribute timeouts 60 s, keepCache), runs body, checks errors$, unmounts. */
// Read-only mounts where a test counts getattr: on a writable mount every read also drops the
// cached atime (fuse_invalidate_atime), so the next stat asks getattr.
const RO: FuseOptions = { readOnly: true };
function withFs(setup: (t: CacheFs) => void, body: (m: MountedCacheFs) => Promise<void>, allowErrors = false, options: FuseOptions = {}): Promise<void> {
  return withCacheFs({}, options, setup, async (m) => {
    await body(m);
    if (!allowErrors) assert.deepEqual(m.errors.map((e) => `${e.kind} ${String(e.cause)}`), [], 'errors$');
  });
}

const fill = (c: string, n: number): Buffer => Buffer.alloc(n, c);

describe('notifications: kernel caches change for real', function () {
  this.timeout(30000);

  it('invalidateEntry: a cached name is looked up again (and a changed mapping becomes visible)', async function () {
    let d = 0;
    let f = 0;
    await withFs((t) => {
      d = t.add(ROOT, 'd').ino;
      f = t.add(d, 'f', 'one').ino;
    }, async ({ fuse, fs: t, path }) => {
      assert.equal((await fsp.stat(path('d', 'f'))).ino, f);
      assert.equal(t.count('lookup', (e) => e.name === 'f'), 1);
      // Cached for 60 s: the kernel does not ask again, even when the filesystem changed.
      const g = t.add(d, 'f', 'two, longer').ino;
      const st = await fsp.stat(path('d', 'f'));
      assert.equal(st.ino, f, 'the cached mapping');
      assert.equal(t.count('lookup', (e) => e.name === 'f'), 1, 'no lookup while cached');

      assert.equal(await fuse.invalidateEntry(d, 'f'), true);
      const st2 = await fsp.stat(path('d', 'f'));
      assert.equal(t.count('lookup', (e) => e.name === 'f'), 2, 'looked up again after invalidateEntry');
      assert.equal(st2.ino, g, 'the new mapping');
      assert.equal(st2.size, 11);
      assert.equal(t.count('lookup', (e) => e.name === 'd'), 1, 'the parent stays cached');

      // Bytes work as names too; a name the kernel never cached: ENOENT, benign → false.
      assert.equal(await fuse.invalidateEntry(d, Buffer.from('f')), true);
      assert.equal(await fuse.invalidateEntry(d, 'never-looked-up'), false);
    });
  });

  it('invalidateInode: cached pages are dropped and read again (whole file, then one range)', async function () {
    let f = 0;
    await withFs((t) => {
      f = t.add(ROOT, 'f', fill('A', 8192)).ino;
    }, async ({ fuse, fs: t, path }) => {
      assert.deepEqual(await fsp.readFile(path('f')), fill('A', 8192));
      assert.ok(t.count('read') >= 1, 'the first read reaches the filesystem');
      t.clear();
      t.nodes.get(f)!.data = fill('B', 8192);  // same size and mtime: nothing for the kernel to notice
      assert.deepEqual(await fsp.readFile(path('f')), fill('A', 8192), 'served from the page cache');
      assert.equal(t.count('read'), 0, 'no read while cached (keepCache)');
      assert.equal(t.count('getattr'), 0, 'no getattr while cached');

      assert.equal(await fuse.invalidateInode(f), true);
      assert.deepEqual(await fsp.readFile(path('f')), fill('B', 8192), 'the new content after invalidateInode');
      assert.ok(t.count('read') >= 1, 'read again');
      assert.ok(t.count('getattr') >= 1, 'attributes dropped too');

      // Only the second page: the first stays cached.
      t.clear();
      t.nodes.get(f)!.data = fill('C', 8192);
      assert.equal(await fuse.invalidateInode(f, 4096, 4096), true);
      assert.deepEqual(await fsp.readFile(path('f')), Buffer.concat([fill('B', 4096), fill('C', 4096)]));
      const reads = t.ops('read');
      assert.ok(reads.length >= 1 && reads.every((r) => r.offset! >= 4096), `only the dropped range is read: ${JSON.stringify(reads)}`);
    }, false, RO);
  });

  it('invalidateInode with offset -1 drops the attributes only: getattr is asked, pages stay', async function () {
    let f = 0;
    await withFs((t) => {
      f = t.add(ROOT, 'f', fill('A', 8192)).ino;
    }, async ({ fuse, fs: t, path }) => {
      await fsp.readFile(path('f'));
      t.clear();
      t.nodes.get(f)!.data = fill('B', 8192);
      await fsp.stat(path('f'));
      assert.equal(t.count('getattr'), 0, 'attributes cached');

      assert.equal(await fuse.invalidateInode(f, -1), true);
      const st = await fsp.stat(path('f'));
      assert.equal(st.size, 8192);
      assert.equal(t.count('getattr'), 1, 'getattr after invalidating the attributes');
      assert.deepEqual(await fsp.readFile(path('f')), fill('A', 8192), 'the pages are still the cached ones');
      assert.equal(t.count('read'), 0, 'no read');
    }, false, RO);
  });

  it('notifyStore: stored bytes are read from the page cache without a read request', async function () {
    let f = 0;
    await withFs((t) => {
      f = t.add(ROOT, 'f', fill('A', 8192)).ino;
    }, async ({ fuse, fs: t, path }) => {
      // Not in the kernel's inode cache yet: ENOENT → false.
      assert.equal(await fuse.notifyStore(f, 0, fill('S', 8192)), false);
      await fsp.stat(path('f'));
      assert.equal(await fuse.notifyStore(f, 0, fill('S', 8192)), true);
      assert.deepEqual(await fsp.readFile(path('f')), fill('S', 8192), 'the stored bytes');
      assert.equal(t.count('read'), 0, 'no read request');

      // Into the middle of a cached page.
      assert.equal(await fuse.notifyStore(f, 100, Buffer.from('xyz')), true);
      const b = await fsp.readFile(path('f'));
      assert.equal(b.subarray(98, 105).toString(), 'SSxyzSS');
      assert.equal(t.count('read'), 0, 'still no read request');
      assert.equal(t.nodes.get(f)!.data.toString('latin1', 0, 8), 'AAAAAAAA', 'the filesystem itself is untouched');
    });
  });

  it('notifyStore past the end extends the kernel\'s cached size', async function () {
    let f = 0;
    await withFs((t) => {
      f = t.add(ROOT, 'f', fill('A', 4096)).ino;
    }, async ({ fuse, fs: t, path }) => {
      const fh = await fsp.open(path('f'), 'r');
      try {
        await fh.read(Buffer.alloc(4096), 0, 4096, 0);
        assert.equal(await fuse.notifyStore(f, 4096, fill('E', 4096)), true);
        // The filesystem agrees that the file grew (as a filesystem storing its own writes would).
        t.nodes.get(f)!.data = Buffer.concat([fill('A', 4096), fill('E', 4096)]);
        t.clear();
        const buf = Buffer.alloc(8192);
        const { bytesRead } = await fh.read(buf, 0, 8192, 0);
        assert.equal(bytesRead, 8192);
        assert.deepEqual(buf, Buffer.concat([fill('A', 4096), fill('E', 4096)]));
        assert.equal(t.count('read'), 0, 'both pages from the cache');
      } finally {
        await fh.close();
      }
    });
  });

  it('notifyRetrieve: returns what the page cache holds; nothing for an uncached range', async function () {
    const content = Buffer.alloc(8192);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7) & 0xff;
    let f = 0;
    await withFs((t) => {
      f = t.add(ROOT, 'f', content).ino;
    }, async ({ fuse, path }) => {
      await fsp.stat(path('f'));
      assert.equal((await fuse.notifyRetrieve(f, 0, 8192)).length, 0, 'nothing cached yet');

      assert.deepEqual(await fsp.readFile(path('f')), content);
      assert.deepEqual(await fuse.notifyRetrieve(f, 0, 8192), content, 'the whole cached file');
      assert.deepEqual(await fuse.notifyRetrieve(f, 100, 50), content.subarray(100, 150), 'a range');
      assert.deepEqual(await fuse.notifyRetrieve(f, 8000, 4096), content.subarray(8000), 'clipped at the cached size');
      assert.equal((await fuse.notifyRetrieve(f, 20000, 10)).length, 0, 'past the end');

      // What notifyStore put there, and nothing once the pages are dropped.
      assert.equal(await fuse.notifyStore(f, 4096, fill('Q', 4096)), true);
      assert.deepEqual(await fuse.notifyRetrieve(f, 4096, 4096), fill('Q', 4096));
      assert.equal(await fuse.invalidateInode(f), true);
      assert.equal((await fuse.notifyRetrieve(f, 0, 8192)).length, 0, 'dropped');

      // Several at once, settled each with its own bytes.
      await fsp.readFile(path('f'));
      const all = await Promise.all([0, 1, 2, 3].map((i) => fuse.notifyRetrieve(f, i * 1000, 10)));
      all.forEach((b, i) => assert.deepEqual(b, content.subarray(i * 1000, i * 1000 + 10)));
    });
  });

  it('notifyRetrieve of an inode the kernel does not hold: an empty Buffer, like an uncached range', async function () {
    await withFs(() => {}, async ({ fuse }) => {
      assert.equal((await fuse.notifyRetrieve(424242, 0, 4096)).length, 0);
    });
  });

  it('notifyDelete: a cached name disappears for clients; an open file sees nlink 0', async function () {
    let d = 0;
    let f = 0;
    let g = 0;
    await withFs((t) => {
      d = t.add(ROOT, 'd').ino;
      f = t.add(d, 'f', 'data').ino;
      g = t.add(d, 'g', 'other').ino;
    }, async ({ fuse, fs: t, path }) => {
      const fh = await fsp.open(path('d', 'f'), 'r');
      try {
        assert.equal((await fh.stat()).nlink, 1);
        t.remove(d, 'f');  // gone in the filesystem, but the kernel does not know
        await fsp.stat(path('d', 'f'));
        assert.equal(t.count('lookup', (e) => e.name === 'f'), 1, 'served from the dentry cache');

        assert.equal(await fuse.notifyDelete(d, f, 'f'), true);
        assert.equal(await errCode(fsp.stat(path('d', 'f'))), 'ENOENT');
        assert.equal(t.count('lookup', (e) => e.name === 'f'), 2, 'looked up again');
        assert.equal((await fh.stat()).nlink, 0, 'the open file is unlinked');

        // The child's inode must match: another ino is ENOENT → false, and the child is not
        // unlinked (the kernel still drops the cached name, as invalidateEntry would).
        await fsp.stat(path('d', 'g'));
        assert.equal(await fuse.notifyDelete(d, g + 1000, 'g'), false);
        const st = await fsp.stat(path('d', 'g'));
        assert.equal(st.nlink, 1);
        assert.equal(st.ino, g);
        assert.equal(t.count('lookup', (e) => e.name === 'g'), 2);
      } finally {
        await fh.close();
      }
    });
  });

  it('from inside handlers: fired before the reply, awaited after, never deadlocks', async function () {
    let d = 0;
    let f = 0;
    let fromLookup: Promise<boolean> | undefined;
    let fromRead: Promise<boolean> | undefined;
    await withFs((t) => {
      d = t.add(ROOT, 'd').ino;
      t.add(d, 'a', 'a');
      t.add(d, 'b', 'b');
      f = t.add(d, 'file', fill('R', 4096)).ino;
    }, async ({ fuse, fs: t, path }) => {
      await fsp.stat(path('d', 'b'));
      assert.equal(t.count('lookup', (e) => e.name === 'b'), 1);
      // The in-flight lookup of d/a holds d's lock, which inval_entry needs: the kernel can only
      // act on it after the reply, so it is not awaited inside the handler.
      t.onLookup = (_req, parent, name) => {
        if (parent === d && name === 'a') fromLookup = fuse.invalidateEntry(d, 'b');
      };
      await within(fsp.stat(path('d', 'a')), 5000, 'stat d/a');
      assert.ok(fromLookup, 'the handler fired the notification');
      assert.equal(await within(fromLookup, 5000, 'invalidateEntry from a lookup handler'), true);
      t.onLookup = undefined;
      await fsp.stat(path('d', 'b'));
      assert.equal(t.count('lookup', (e) => e.name === 'b'), 2, 'b was really invalidated');

      // A lookup that answers later: the notification, fired at its start, waits in the kernel
      // for d's lock until the reply, while the JS thread goes on (the timer that replies runs).
      let replied = 0;
      let settled = 0;
      let delayed: Promise<boolean> | undefined;
      t.onLookup = (_req, parent, name) => {
        if (parent !== d || name !== 'a2') return;
        delayed = fuse.invalidateEntry(d, 'b');
        void delayed.then(() => { settled = performance.now(); });
        return new Promise<void>((r) => setTimeout(() => { replied = performance.now(); r(); }, 300));
      };
      t.add(d, 'a2', 'a2');
      await fsp.stat(path('d', 'b'));
      await within(fsp.stat(path('d', 'a2')), 5000, 'stat d/a2');
      assert.ok(delayed);
      assert.equal(await within(delayed, 5000, 'invalidateEntry during a slow lookup'), true);
      assert.ok(replied > 0 && settled >= replied, `the kernel held the notification until the reply (${settled} >= ${replied})`);
      t.onLookup = undefined;
      await fsp.stat(path('d', 'b'));
      assert.equal(t.count('lookup', (e) => e.name === 'b'), 3, 'b invalidated again');

      // A read holds the page lock that inval_inode waits for.
      t.onRead = (req) => {
        if (req.ino === f && !fromRead) fromRead = fuse.invalidateInode(f);
      };
      assert.deepEqual(await within(fsp.readFile(path('d', 'file')), 5000, 'readFile'), fill('R', 4096));
      assert.ok(fromRead, 'the read handler fired the notification');
      assert.equal(await within(fromRead, 5000, 'invalidateInode from a read handler'), true);
    });
  });

  it('not-cached inodes resolve false without errors; after unmount every notification rejects', async function () {
    let fuseRef: MountedCacheFs['fuse'] | undefined;
    await withFs(() => {}, async ({ fuse }) => {
      fuseRef = fuse;
      assert.equal(await fuse.invalidateInode(777777), false);
      assert.equal(await fuse.invalidateInode(777777, -1), false);
      assert.equal(await fuse.invalidateEntry(777777, 'x'), false);
      assert.equal(await fuse.notifyDelete(777777, 777778, 'x'), false);
      assert.equal(await fuse.notifyStore(777777, 0, Buffer.from('x')), false);
      await assert.rejects(fuse.invalidateInode(-1), TypeError);
      await assert.rejects(fuse.invalidateInode(1, -2), TypeError);
      await assert.rejects(fuse.notifyStore(1, 0, 'x' as unknown as Buffer), TypeError);
    });
    const fuse = fuseRef!;
    assert.equal(fuse.closed, true);
    for (const p of [fuse.invalidateInode(ROOT), fuse.invalidateEntry(ROOT, 'x'), fuse.notifyDelete(ROOT, 2, 'x'),
      fuse.notifyStore(ROOT, 0, Buffer.from('x')), fuse.notifyRetrieve(ROOT, 0, 1)]) {
      await assert.rejects(p, (e: unknown) => e instanceof FuseError && e.code === 'ENOTCONN');
    }
  });

  it('errors other than ENOENT reject with FuseError and are reported on errors$ (kind notify)', async function () {
    let d = 0;
    await withFs((t) => {
      d = t.add(ROOT, 'd').ino;
      t.add(d, 'x', 'x');
    }, async ({ fuse, errors, path }) => {
      // A name longer than the kernel takes (FUSE_NAME_MAX).
      const long = 'n'.repeat(5000);
      await assert.rejects(fuse.invalidateEntry(ROOT, long), (e: unknown) => e instanceof FuseError && e.code === 'ENAMETOOLONG');
      // Deleting a cached directory with a child in use (an open file).
      const fh = await fsp.open(path('d', 'x'), 'r');
      try {
        await assert.rejects(fuse.notifyDelete(ROOT, d, 'd'), (e: unknown) => e instanceof FuseError && e.code === 'ENOTEMPTY');
      } finally {
        await fh.close();
      }
      assert.deepEqual(errors.map((e) => [e.kind, e.op, e.ino, e.errno]), [
        ['notify', undefined, ROOT, errno.ENAMETOOLONG],
        ['notify', undefined, ROOT, errno.ENOTEMPTY],
      ]);
      // The directory is still there for clients.
      assert.equal((await fsp.stat(path('d', 'x'))).size, 1);
    }, true);
  });
});
