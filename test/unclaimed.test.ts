// Requests an RxJS operator drops are answered promptly (unclaimedGrace), and pipelines that hold
// requests on purpose claim them (req.claim(), the claim() operator). Through real mounts; clients
// are async fs calls, never sync calls on this thread.
import { strict as assert } from 'node:assert';
import { constants as K, promises as fsp } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { delay, filter, from, map, mergeMap } from 'rxjs';
import {
  answer, claim, type Entry, errno, Fuse, FuseError, type FuseErrorEvent, type LookupRequest, PASS,
} from '../lib';
import { F } from '../lib/layout';
import { OP_CODE } from '../lib/op-table';
import { SLOT_F64 } from '../lib/request';
import { errCode, withMount } from './helpers';

const ROOT = 1;

const entry = (ino: number): Entry => ({ attr: { ino, mode: K.S_IFREG | 0o644, nlink: 1 }, attrTimeout: 0, entryTimeout: 0 });

/** Every name but the missing ones is a file; nothing cached, so each stat sends a lookup. */
function lookup(req: LookupRequest): Entry {
  if (req.parent !== ROOT || req.nameKey.startsWith('missing')) throw new FuseError('ENOENT');
  return entry(100 + req.nameKey.charCodeAt(0));
}

function base(fuse: Fuse): FuseErrorEvent[] {
  const list: FuseErrorEvent[] = [];
  fuse.errors$.subscribe((e) => list.push(e));
  fuse.handle('getattr', (req) => ({ attr: req.ino === ROOT ? { ino: ROOT, mode: K.S_IFDIR | 0o755, nlink: 2 } : entry(req.ino).attr, timeout: 0 }));
  return list;
}

/** How long an async stat takes and its outcome ('ok' or the errno code). */
async function timedStat(p: string): Promise<{ ms: number; result: string }> {
  const t0 = performance.now();
  const result = await fsp.stat(p).then(() => 'ok', (e: NodeJS.ErrnoException) => e.code ?? String(e));
  return { ms: performance.now() - t0, result };
}

describe('unclaimed requests', function () {
  this.timeout(30000);

  it('a request a filter drops is answered EIO within a second, with an "unclaimed" event naming the op', async function () {
    let errors: FuseErrorEvent[] = [];
    await withMount((fuse) => {
      errors = base(fuse);
      fuse.lookup$.pipe(filter((req) => req.nameKey !== 'dropped'), answer(lookup)).subscribe();
    }, async (m) => {
      assert.equal((await timedStat(m.path('kept'))).result, 'ok');
      const r = await timedStat(m.path('dropped'));
      assert.equal(r.result, 'EIO');
      assert.ok(r.ms < 1000, `answered after ${r.ms} ms`);
      assert.equal((await timedStat(m.path('kept'))).result, 'ok', 'the mount goes on serving');
      assert.equal(m.fuse.inFlight, 0);
    });
    assert.deepEqual(errors.map((e) => [e.kind, e.op, e.errno]), [['unclaimed', 'lookup', errno.EIO]]);
    assert.match(String(errors[0].cause), /claim/);
  });

  it('a claim()ed pipeline holding requests 1.5 s (delay) answers them', async function () {
    let errors: FuseErrorEvent[] = [];
    await withMount((fuse) => {
      errors = base(fuse);
      fuse.lookup$.pipe(claim(), delay(1500), answer(lookup)).subscribe();
    }, async (m) => {
      const r = await timedStat(m.path('slow'));
      assert.equal(r.result, 'ok');
      assert.ok(r.ms >= 1400, `held ${r.ms} ms`);
      assert.equal(await errCode(fsp.stat(m.path('missing'))), 'ENOENT');
    });
    assert.deepEqual(errors, []);
  });

  it('req.claim() in a raw subscriber lets it answer later; a request no one claims still gets EIO', async function () {
    let errors: FuseErrorEvent[] = [];
    await withMount((fuse) => {
      errors = base(fuse);
      fuse.lookup$.subscribe((req) => {
        if (req.nameKey === 'forgotten') return;  // neither claimed nor answered
        req.claim();
        setTimeout(() => req.replyEntry(lookup(req)), 600);
      });
    }, async (m) => {
      assert.equal((await timedStat(m.path('held'))).result, 'ok');
      assert.equal((await timedStat(m.path('forgotten'))).result, 'EIO');
    }, { unclaimedGrace: 100 });
    assert.deepEqual(errors.map((e) => e.kind), ['unclaimed']);
  });

  it('an unclaimed mergeMap that answers within the grace works, unreported', async function () {
    let errors: FuseErrorEvent[] = [];
    await withMount((fuse) => {
      errors = base(fuse);
      fuse.lookup$.pipe(
        mergeMap((req) => from(new Promise((r) => setTimeout(r, 20))).pipe(map(() => req))),
        answer(lookup),
      ).subscribe();
    }, async (m) => {
      assert.equal((await timedStat(m.path('a'))).result, 'ok');
      assert.equal(await errCode(fsp.stat(m.path('missing'))), 'ENOENT');
    });
    assert.deepEqual(errors, []);
  });

  it('a request a handler declines later (async PASS) and an operator then drops is answered too', async function () {
    let errors: FuseErrorEvent[] = [];
    await withMount((fuse) => {
      errors = base(fuse);
      fuse.lookup$.pipe(
        answer(async (req) => (req.nameKey === 'passed' ? PASS : lookup(req))),
        filter(() => false),
      ).subscribe();
    }, async (m) => {
      assert.equal((await timedStat(m.path('a'))).result, 'ok');
      const r = await timedStat(m.path('passed'));
      assert.equal(r.result, 'EIO');
      assert.ok(r.ms < 1000, `answered after ${r.ms} ms`);
    });
    assert.deepEqual(errors.map((e) => [e.kind, e.op]), [['unclaimed', 'lookup']]);
  });

  it('unclaimedGrace is checked: 0..1000 ms', function () {
    assert.throws(() => new Fuse({ unclaimedGrace: 1001 }), /unclaimedGrace: 0\.\.1000 ms, got 1001/);
    assert.throws(() => new Fuse({ unclaimedGrace: -1 }), RangeError);
    assert.throws(() => new Fuse({ unclaimedGrace: Number.NaN }), RangeError);
  });

  describe('unit: the per-inode write queue (stub native session, no kernel)', function () {
    it('a queued write is not swept while it waits; emitted after its turn and dropped, it gets EIO', async function () {
      const fuse = new Fuse({ unclaimedGrace: 50 });
      const replies: string[] = [];
      const ok = (): number => 0;
      fuse.replies = fuse.native = new Proxy({
        replyErr: (slot: number, err: number) => (replies.push(`${slot}:err ${err}`), 0),
        replyWrite: (slot: number, n: number) => (replies.push(`${slot}:wrote ${n}`), 0),
      }, { get: (t: Record<string, unknown>, k: string) => t[k] ?? ok }) as unknown as Fuse['native'];
      const events: FuseErrorEvent[] = [];
      fuse.errors$.subscribe((e) => events.push(e));
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      fuse.write$.pipe(filter((req) => req.offset === 0), answer(async (req) => (await gate, req.size))).subscribe();
      const dispatch = (fuse as unknown as { dispatch(slot: number): void }).dispatch;
      const write = (slot: number, offset: number): void => {
        const b = slot * SLOT_F64;
        fuse.h.fill(0, b, b + SLOT_F64);
        Object.assign(fuse.h, { [b + F.OP]: OP_CODE.write, [b + F.GEN]: 1, [b + F.INO]: 5, [b + F.OFF]: offset, [b + F.SIZE]: 4, [b + F.DATA_BUF]: -1 });
        dispatch(slot);
      };
      write(0, 0);    // claimed by answer(), held at the gate
      write(1, 100);  // same inode: waits in the queue (rxfuse holds it)
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(replies, [], 'nothing swept while the first write is handled and the second waits');
      open();
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(replies, ['0:wrote 4', `1:err ${errno.EIO}`]);
      assert.deepEqual(events.map((e) => [e.kind, e.op]), [['unclaimed', 'write']]);
      assert.equal(fuse.inFlight, 0);
    });
  });
});
