// The inode registry and its count table, without the kernel.
import { strict as assert } from 'node:assert';
import { Dirents, Fuse } from '../lib';
import { InoCountTable } from '../lib/inotable';
import { F } from '../lib/layout';
import type { NativeReplies, NativeSession } from '../lib/native';
import { OP_CODE } from '../lib/op-table';
import { SLOT_F64 } from '../lib/request';
import { type DroppedLookup, InodeRegistry, type RegistryAnomaly, ROOT_INO } from '../lib/registry';
import { prng } from './helpers';


function watch(reg: InodeRegistry): { released: number[]; anomalies: RegistryAnomaly[]; dropped: (readonly DroppedLookup[])[] } {
  const out = { released: [] as number[], anomalies: [] as RegistryAnomaly[], dropped: [] as (readonly DroppedLookup[])[] };
  reg.released$.subscribe((i) => out.released.push(i));
  reg.anomalies$.subscribe((a) => out.anomalies.push(a));
  reg.dropped$.subscribe((d) => out.dropped.push(d));
  return out;
}

describe('registry (unit)', function () {
  describe('InoCountTable', function () {
    for (const seed of [1, 0xdecafbad]) {
      it(`agrees with a Map over 100k random add/sub/get (seed ${seed}), inode numbers up to 2^53-1`, function () {
        const rnd = prng(seed);
        // A pool of inode numbers: small, just above 2^32, around 2^52 and just below 2^53.
        const pool: number[] = [];
        for (let i = 1; i <= 800; i++) pool.push(i);
        for (let i = 0; i < 800; i++) pool.push(2 ** 32 + i * 7);
        for (let i = 0; i < 800; i++) pool.push(2 ** 52 + i * 4096);
        for (let i = 1; i <= 800; i++) pool.push(Number.MAX_SAFE_INTEGER - i * 3);
        for (let i = 0; i < 800; i++) pool.push(Math.floor(rnd() * (Number.MAX_SAFE_INTEGER - 1)) + 1);
        const t = new InoCountTable(4);  // small start: many resizes
        const m = new Map<number, number>();
        let peakSize = 0;
        for (let op = 0; op < 100_000; op++) {
          // Phases that grow and shrink the table, so deletions (backward shifts) and resizes mix.
          const growing = Math.floor(op / 20_000) % 2 === 0;
          const ino = pool[Math.floor(rnd() * pool.length)];
          const r = rnd();
          if (r < (growing ? 0.5 : 0.25)) {
            const n = 1 + Math.floor(rnd() * 3);
            const want = (m.get(ino) ?? 0) + n;
            m.set(ino, want);
            assert.equal(t.add(ino, n), want, `add(${ino}, ${n}) at op ${op}`);
          } else if (r < 0.85) {
            const n = 1 + Math.floor(rnd() * 3);
            const had = m.get(ino) ?? 0;
            const taken = Math.min(had, n);
            if (had - taken === 0) m.delete(ino);
            else m.set(ino, had - taken);
            assert.equal(t.sub(ino, n), taken, `sub(${ino}, ${n}) at op ${op} (had ${had})`);
          } else {
            assert.equal(t.get(ino), m.get(ino) ?? 0, `get(${ino}) at op ${op}`);
          }
          assert.equal(t.size, m.size, `size at op ${op}`);
          peakSize = Math.max(peakSize, t.size);
          if (op % 5000 === 0) {
            for (const p of pool) assert.equal(t.get(p), m.get(p) ?? 0, `get(${p}) in the sweep at op ${op}`);
          }
        }
        assert.ok(peakSize > 1000, `the table grew (peak ${peakSize})`);
        // Every entry, and only those, with its count (never 0 or negative: no entry at zero).
        const seen = new Map<number, number>();
        t.forEach((ino, c) => {
          assert.ok(c > 0, `count of ${ino} is ${c}`);
          assert.equal(seen.has(ino), false, `${ino} listed twice`);
          seen.set(ino, c);
        });
        assert.deepEqual([...seen.entries()].sort((a, b) => a[0] - b[0]), [...m.entries()].sort((a, b) => a[0] - b[0]));
        for (const p of pool) assert.equal(t.get(p), m.get(p) ?? 0);
        // 12 bytes a slot, a power of two slots, at most 3/4 full.
        const slots = t.bytes / 12;
        assert.ok(Number.isInteger(Math.log2(slots)), `slots ${slots}`);
        assert.ok(t.size * 4 <= slots * 3, `load: ${t.size} in ${slots}`);
        t.clear();
        assert.equal(t.size, 0);
        for (const p of pool) assert.equal(t.get(p), 0);
      });
    }

    it('sub never goes below zero and reports what it took; an unknown inode takes nothing', function () {
      const t = new InoCountTable();
      assert.equal(t.sub(5, 1), 0);
      assert.equal(t.add(5, 2), 2);
      assert.equal(t.sub(5, 5), 2);
      assert.equal(t.get(5), 0);
      assert.equal(t.size, 0);
      assert.equal(t.sub(5, 1), 0);
      assert.equal(t.get(5), 0);
      const big = 2 ** 53 - 1;
      t.add(big, 1);
      t.add(big - 1, 1);
      assert.equal(t.get(big), 1);
      assert.equal(t.get(big - 1), 1);
      assert.equal(t.size, 2);
    });

    it('bytes grow with the table: about 16 to 32 bytes an inode once large', function () {
      const t = new InoCountTable(16);
      const before = t.bytes;
      for (let i = 1; i <= 100_000; i++) t.add(i * 2 ** 20 + 1, 1);
      assert.equal(t.size, 100_000);
      assert.ok(t.bytes > before);
      const per = t.bytes / t.size;
      assert.ok(per >= 16 && per <= 32, `${per} bytes an inode`);
    });
  });

  describe('InodeRegistry', function () {
    it('starts with the root known once', function () {
      const r = new InodeRegistry();
      assert.equal(r.lookupCount(ROOT_INO), 1);
      assert.equal(r.isKnown(ROOT_INO), true);
      assert.deepEqual(
        { ...r.stats, tableBytes: 0 },
        { knownInodes: 1, lookups: 1, openHandles: 0, pendingRemovals: 0, entryRequestsInFlight: 0, released: 0, tableBytes: 0 },
      );
      assert.throws(() => r.markRemoved(ROOT_INO), RangeError);
    });

    it('entries and forgets: counts and totals follow, never negative; unknown and excess forgets are reported, not thrown', function () {
      const r = new InodeRegistry();
      const w = watch(r);
      r._entry(7);
      r._entry(7);
      r._entry(2 ** 40);
      assert.equal(r.lookupCount(7), 2);
      assert.equal(r.stats.lookups, 4);
      assert.equal(r.knownInodes, 3);
      r._forget(7, 1);
      assert.equal(r.lookupCount(7), 1);
      assert.deepEqual(w.anomalies, []);

      assert.doesNotThrow(() => r._forget(99, 3));
      assert.deepEqual(w.anomalies, [{ kind: 'forget-unknown', ino: 99, n: 3, had: 0 }]);
      assert.equal(r.lookupCount(99), 0);

      assert.doesNotThrow(() => r._forget(7, 5));
      assert.deepEqual(w.anomalies[1], { kind: 'forget-excess', ino: 7, n: 5, had: 1 });
      assert.equal(r.lookupCount(7), 0);
      assert.equal(r.isKnown(7), false);
      assert.equal(r.stats.lookups, 2, 'only what was held is taken off the total');
      assert.equal(r.knownInodes, 2);

      r._forget(2 ** 40, 1);
      assert.equal(r.stats.lookups, 1);
      assert.equal(r.knownInodes, 1);
      assert.equal(w.anomalies.length, 2);
      assert.deepEqual(w.released, [], 'nothing removed, nothing released');
    });

    it('random entries/forgets/opens/releases against a model: never negative, totals consistent', function () {
      const rnd = prng(42);
      const r = new InodeRegistry();
      const w = watch(r);
      const model = new Map<number, number>([[1, 1]]);
      const opens = new Map<number, number>();
      let unknown = 0;
      let excess = 0;
      for (let i = 0; i < 20_000; i++) {
        const ino = 2 + Math.floor(rnd() * 50);
        const x = rnd();
        if (x < 0.4) {
          r._entry(ino);
          model.set(ino, (model.get(ino) ?? 0) + 1);
        } else if (x < 0.7) {
          const n = 1 + Math.floor(rnd() * 3);
          const had = model.get(ino) ?? 0;
          if (had === 0) unknown++;
          else if (had < n) excess++;
          if (had <= n) model.delete(ino);
          else model.set(ino, had - n);
          r._forget(ino, n);
        } else if (x < 0.85) {
          r._open(ino);
          opens.set(ino, (opens.get(ino) ?? 0) + 1);
        } else if ((opens.get(ino) ?? 0) > 0) {
          r._release(ino);
          opens.set(ino, opens.get(ino)! - 1);
        }
        assert.ok(r.lookupCount(ino) >= 0 && r.openCount(ino) >= 0);
        assert.equal(r.lookupCount(ino), model.get(ino) ?? 0);
        assert.equal(r.openCount(ino), opens.get(ino) ?? 0);
      }
      assert.equal(r.stats.lookups, [...model.values()].reduce((a, b) => a + b, 0));
      assert.equal(r.knownInodes, model.size);
      assert.equal(r.stats.openHandles, [...opens.values()].reduce((a, b) => a + b, 0));
      assert.equal(w.anomalies.filter((a) => a.kind === 'forget-unknown').length, unknown);
      assert.equal(w.anomalies.filter((a) => a.kind === 'forget-excess').length, excess);
      assert.ok(unknown > 0 && excess > 0);
    });

    it('a release without an open is reported (release-unknown), not counted', function () {
      const r = new InodeRegistry();
      const w = watch(r);
      r._release(5);
      assert.deepEqual(w.anomalies, [{ kind: 'release-unknown', ino: 5, n: 1, had: 0 }]);
      assert.equal(r.stats.openHandles, 0);
      assert.equal(r.openCount(5), 0);
    });

    it('markRemoved releases only when the kernel holds no lookup and no handle is open', function () {
      const r = new InodeRegistry();
      const w = watch(r);
      r._entry(5);
      r._entry(5);
      r._open(5);
      r._open(5);
      r.markRemoved(5);
      assert.equal(r.isRemoved(5), true);
      assert.equal(r.stats.pendingRemovals, 1);
      r._forget(5, 1);
      r._release(5);
      assert.deepEqual(w.released, []);
      r._forget(5, 1);  // lookups 0, one open left
      assert.deepEqual(w.released, []);
      r._release(5);  // the last handle
      assert.deepEqual(w.released, [5]);
      assert.equal(r.isRemoved(5), false);
      assert.equal(r.stats.pendingRemovals, 0);
      assert.equal(r.stats.released, 1);

      // Opens going first, the last forget releases.
      r._entry(6);
      r._open(6);
      r.markRemoved(6);
      r._release(6);
      assert.deepEqual(w.released, [5]);
      r._forget(6, 1);
      assert.deepEqual(w.released, [5, 6]);

      // Neither known nor open: at once.
      r.markRemoved(8);
      assert.deepEqual(w.released, [5, 6, 8]);

      // unmarkRemoved (a link brought it back): no release at the last forget.
      r._entry(9);
      r.markRemoved(9);
      r.unmarkRemoved(9);
      r._forget(9, 1);
      assert.deepEqual(w.released, [5, 6, 8]);
      assert.equal(r.stats.pendingRemovals, 0);
      assert.deepEqual(w.anomalies, []);
    });

    it('releaseForgotten: every inode is released once forgotten and closed (never the root), no markRemoved needed', function () {
      const reg = new InodeRegistry();
      reg.releaseForgotten = true;
      const w = watch(reg);
      reg._entry(7);
      reg._entry(7);
      reg._open(7);
      reg._forget(7, 2);
      assert.deepEqual(w.released, [], 'still open');
      reg._release(7);
      assert.deepEqual(w.released, [7]);
      reg._entry(8);
      reg._forget(8, 1);
      assert.deepEqual(w.released, [7, 8]);
      reg._forget(ROOT_INO, 1);
      assert.deepEqual(w.released, [7, 8], 'the root is never released');
      assert.equal(reg.stats.pendingRemovals, 0);
    });

    it('a release is held back while an entry-producing request is in flight, and fires when the last one is answered', function () {
      const r = new InodeRegistry();
      const w = watch(r);
      r._entry(5);
      r.markRemoved(5);
      r._entryStarted();
      r._entryStarted();
      r._forget(5, 1);
      assert.deepEqual(w.released, [], 'held back: a request in flight may still reply with 5');
      assert.equal(r.stats.entryRequestsInFlight, 2);
      assert.equal(r.stats.pendingRemovals, 1);
      r._entryFinished();
      assert.deepEqual(w.released, [], 'one request still in flight');
      r._entryFinished();
      assert.deepEqual(w.released, [5]);
      assert.equal(r.stats.entryRequestsInFlight, 0);
      assert.equal(r.stats.pendingRemovals, 0);

      // markRemoved itself, while a request is in flight, is held back too.
      r._entryStarted();
      r.markRemoved(11);
      assert.deepEqual(w.released, [5]);
      r._entryFinished();
      assert.deepEqual(w.released, [5, 11]);
    });

    it('an entry for a held-back inode cancels its release until the kernel forgets it again', function () {
      const r = new InodeRegistry();
      const w = watch(r);
      r._entry(5);
      r.markRemoved(5);
      r._entryStarted();
      r._forget(5, 1);
      // The request in flight replies with inode 5 (the kernel accepted it) and is then answered.
      r._entry(5);
      r._entryFinished();
      assert.deepEqual(w.released, [], 'known again: not released');
      assert.equal(r.lookupCount(5), 1);
      assert.equal(r.isRemoved(5), true);
      assert.equal(r.stats.pendingRemovals, 1);
      r._forget(5, 1);
      assert.deepEqual(w.released, [5]);
      assert.deepEqual(w.anomalies, []);
    });

    it('dropped$ at unmount lists the counts the kernel still held, the root included, then completes', function () {
      const r = new InodeRegistry();
      const w = watch(r);
      let completed = false;
      r.dropped$.subscribe({ complete: () => (completed = true) });
      r._entry(3);
      r._entry(3);
      r._entry(2 ** 45);
      r._entry(4);
      r._forget(4, 1);
      r._entry(6);
      r._open(6);
      r.markRemoved(6);
      r._forget(6, 1);  // open: not released
      r._entry(7);
      r.markRemoved(7);  // known: not released
      r._unmounted();
      assert.equal(w.dropped.length, 1);
      const got = [...w.dropped[0]].sort((a, b) => a.ino - b.ino);
      assert.deepEqual(got, [{ ino: 1, lookups: 1 }, { ino: 3, lookups: 2 }, { ino: 7, lookups: 1 }, { ino: 2 ** 45, lookups: 1 }]);
      assert.ok(completed);
      assert.equal(r.knownInodes, 0);
      assert.equal(r.stats.lookups, 0);
      assert.deepEqual(w.released, [7], 'with the kernel gone, removed inodes not open are released');
    });
  });

  describe('Fuse wiring (no kernel: a fake native session, requests dispatched by hand)', function () {
    /** A Fuse whose lookups wait for a gate; dispatch(slot) feeds it a lookup as the native side would. */
    function rig(): { fuse: Fuse; dispatch: (slot: number, gen: number) => void; gate: (ino: number) => void; replies: number[] } {
      const fuse = new Fuse();
      const replies: number[] = [];
      let open: ((ino: number) => void) | undefined;
      fuse.handle('lookup', () => new Promise<{ attr: { ino: number; mode: number } } | never>((resolve) => {
        open = (ino) => resolve({ attr: { ino, mode: 0o100644 } });
      }));
      const fake = { replyEntry: (slot: number) => (replies.push(fuse.scratch[0]), void slot, 0), replyErr: () => 0 };
      Object.assign(fuse as unknown as { native: NativeSession; replies: NativeReplies }, { native: fake, replies: fake });
      const dispatch = (slot: number, gen: number): void => {
        const b = slot * SLOT_F64;
        fuse.h[b + F.OP] = OP_CODE.lookup;
        fuse.h[b + F.GEN] = gen;
        fuse.h[b + F.INO] = 1;
        (fuse as unknown as { dispatch: (slot: number) => void }).dispatch(slot);
      };
      return { fuse, dispatch, gate: (ino) => open!(ino), replies };
    }

    const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

    it('a lookup in flight replying with a removed, forgotten inode: no release, the inode is known again', async function () {
      const { fuse, dispatch, gate, replies } = rig();
      const released: number[] = [];
      fuse.inodes.released$.subscribe((i) => released.push(i));
      fuse.inodes._entry(5);
      fuse.inodes.markRemoved(5);
      dispatch(0, 1);
      assert.equal(fuse.inodes.stats.entryRequestsInFlight, 1);
      fuse.inodes._forget(5, 1);  // the kernel forgets 5 while the lookup is in flight
      assert.deepEqual(released, [], 'held back');
      gate(5);  // ... and the lookup answers with 5
      await tick();
      assert.deepEqual(replies, [5]);
      assert.equal(fuse.inodes.stats.entryRequestsInFlight, 0);
      assert.equal(fuse.inodes.lookupCount(5), 1, 'the kernel holds 5 again');
      assert.deepEqual(released, [], 'released$ must not fire for an inode the kernel was just given');
      assert.equal(fuse.inodes.isRemoved(5), true);
      fuse.inodes._forget(5, 1);
      assert.deepEqual(released, [5]);
    });

    for (const op of ['create', 'readdirplus'] as const) {
      it(`the same with a ${op} in flight that answers with the inode`, async function () {
        const fuse = new Fuse();
        let open: (() => void) | undefined;
        const gate = new Promise<void>((r) => (open = r));
        const entry = { attr: { ino: 5, mode: 0o100644 }, entryTimeout: 1, attrTimeout: 1 };
        if (op === 'create') fuse.handle('create', async () => (await gate, { ...entry, fh: 1 }));
        else fuse.handle('readdirplus', async () => (await gate, new Dirents().addEntry('.', { attr: { ino: 1, mode: 0o40755 } }).addEntry('x', entry)));
        const fake = {
          replyCreate: () => 0,
          replyDirents: (_s: number, _r: unknown, _p: unknown, start: number, count: number) => count - start,
          replyErr: () => 0,
        };
        Object.assign(fuse as unknown as { native: NativeSession; replies: NativeReplies }, { native: fake, replies: fake });
        const released: number[] = [];
        fuse.inodes.released$.subscribe((i) => released.push(i));
        fuse.inodes._entry(5);
        fuse.inodes.markRemoved(5);
        fuse.h[F.OP] = OP_CODE[op];
        fuse.h[F.GEN] = 1;
        fuse.h[F.INO] = 1;
        (fuse as unknown as { dispatch: (slot: number) => void }).dispatch(0);
        assert.equal(fuse.inodes.stats.entryRequestsInFlight, 1);
        fuse.inodes._forget(5, 1);
        assert.deepEqual(released, []);
        open!();
        await tick();
        assert.equal(fuse.inodes.stats.entryRequestsInFlight, 0);
        assert.equal(fuse.inodes.lookupCount(5), 1, 'the kernel holds 5 again');
        assert.equal(fuse.inodes.lookupCount(1), 1, '"." not counted');
        assert.deepEqual(released, [], 'released$ must not fire for an inode the kernel was just given');
        fuse.inodes._forget(5, 1);
        if (op === 'create') {
          assert.equal(fuse.inodes.openCount(5), 1, 'create opened it too');
          assert.deepEqual(released, [], 'still open');
          fuse.inodes._release(5);
        }
        assert.deepEqual(released, [5]);
      });
    }

    it('the held-back release fires once the lookup in flight answers with another inode', async function () {
      const { fuse, dispatch, gate } = rig();
      const released: number[] = [];
      fuse.inodes.released$.subscribe((i) => released.push(i));
      fuse.inodes._entry(5);
      fuse.inodes.markRemoved(5);
      dispatch(0, 1);
      fuse.inodes._forget(5, 1);
      assert.deepEqual(released, []);
      gate(6);
      await tick();
      assert.deepEqual(released, [5]);
      assert.equal(fuse.inodes.lookupCount(6), 1);
    });
  });
});
