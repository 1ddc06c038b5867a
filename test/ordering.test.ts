// Per-inode write ordering through real mounts: writes (and setattr with a size) of one inode reach
// the handler one at a time, in the order rxfuse received them from the kernel, even when the
// handler awaits; other inodes and reads are not held back. Clients are python3 child processes
// (plain pwrite, fsync, ftruncate, and Linux AIO with O_DIRECT, which makes the kernel send several
// writes of one inode at once); nothing here runs a syscall on the thread serving the mount.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { type Fuse, type FuseErrorEvent, type FuseOptions, capabilityNames } from '../lib';
import { OrderFs, type OrderRec, prng, replay } from './fixtures/orderfs';
import { fuseMounts, type Mounted, sh, TEST_MOUNT_PREFIX, until, withMount } from './helpers';

/** Linux AIO through ctypes: submit(fd, [(offset, bytes)]) queues all writes at once, wait(n) reaps n. */
const AIO = `
import os, sys, ctypes, json, time, hashlib
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_io_setup, SYS_io_getevents, SYS_io_submit = 206, 208, 209
class IOCB(ctypes.Structure):
    _fields_ = [('data', ctypes.c_uint64), ('key', ctypes.c_uint32), ('rw_flags', ctypes.c_int32),
                ('opcode', ctypes.c_uint16), ('reqprio', ctypes.c_int16), ('fildes', ctypes.c_uint32),
                ('buf', ctypes.c_uint64), ('nbytes', ctypes.c_uint64), ('offset', ctypes.c_int64),
                ('reserved2', ctypes.c_uint64), ('flags', ctypes.c_uint32), ('resfd', ctypes.c_uint32)]
class EV(ctypes.Structure):
    _fields_ = [('data', ctypes.c_uint64), ('obj', ctypes.c_uint64), ('res', ctypes.c_int64), ('res2', ctypes.c_int64)]
def check(r, what):
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, what + ': ' + os.strerror(e))
    return r
ctx = ctypes.c_ulong(0)
check(libc.syscall(ctypes.c_long(SYS_io_setup), ctypes.c_long(256), ctypes.byref(ctx)), 'io_setup')
def submit(fd, writes):
    n = len(writes)
    bufs = [ctypes.create_string_buffer(b, len(b)) for (_, b) in writes]
    iocbs = (IOCB * n)()
    ptrs = (ctypes.POINTER(IOCB) * n)()
    for i, (off, b) in enumerate(writes):
        iocbs[i].opcode = 1  # IOCB_CMD_PWRITE
        iocbs[i].fildes = fd
        iocbs[i].buf = ctypes.addressof(bufs[i])
        iocbs[i].nbytes = len(b)
        iocbs[i].offset = off
        iocbs[i].data = i
        ptrs[i] = ctypes.pointer(iocbs[i])
    r = check(libc.syscall(ctypes.c_long(SYS_io_submit), ctx, ctypes.c_long(n), ptrs), 'io_submit')
    assert r == n, (r, n)
    return (bufs, iocbs, ptrs)  # keep alive until reaped
def wait(n):
    events = (EV * n)()
    got = 0
    while got < n:
        got += check(libc.syscall(ctypes.c_long(SYS_io_getevents), ctx, ctypes.c_long(1), ctypes.c_long(n - got),
                                  ctypes.byref(events, got * ctypes.sizeof(EV)), None), 'io_getevents')
    return [events[i].res for i in range(n)]
`;

async function python(code: string, args: readonly string[], timeout = 60000): Promise<string> {
  const r = await sh('python3', ['-c', AIO + code, ...args], { timeout, maxBuffer: 64 << 20 });
  assert.equal(r.code, 0, `python failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** sha256 and length of a file read with O_DIRECT (straight from the filesystem, not the page cache). */
async function directRead(file: string): Promise<{ sha: string; len: number }> {
  const out = await python(`
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECT)
h = hashlib.sha256(); n = 0
while True:
    b = os.read(fd, 1 << 20)
    if not b: break
    h.update(b); n += len(b)
os.close(fd)
print(json.dumps({'sha': h.hexdigest(), 'len': n}))
`, [file]);
  return JSON.parse(out.trim()) as { sha: string; len: number };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');


/** A promise rejecting after ms, to bound a wait. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Mounts t, runs body, unmounts; fails on any error rxfuse reported meanwhile. */
async function mountOrderFs(t: OrderFs, options: FuseOptions, body: (m: Mounted & { fuse: Fuse }) => Promise<void>): Promise<void> {
  const errors: FuseErrorEvent[] = [];
  await withMount(
    (fuse) => {
      t.attach(fuse);
      fuse.errors$.subscribe((e) => errors.push(e));
    },
    body,
    { mountTimeout: 10000, ...options },
  );
  assert.deepEqual(errors.map((e) => `${e.kind} ${e.op}: ${String(e.cause)}`), [], 'rxfuse reported errors');
}

/** The records of one inode, in arrival order. */
const recsOf = (t: OrderFs, ino: number): OrderRec[] => t.log.filter((r) => r.ino === ino);

/** Handler executions of one inode never overlap, and they came in the order rxfuse received them. */
function assertSerialized(t: OrderFs, ino: number): void {
  const recs = recsOf(t, ino);
  assert.ok(recs.length > 0, 'no writes reached the handler');
  assert.equal(t.maxRunning.get(ino), 1, `handlers of inode ${ino} ran ${t.maxRunning.get(ino)} at once`);
  for (let i = 1; i < recs.length; i++) {
    assert.ok(recs[i].start >= recs[i - 1].end,
      `#${recs[i].seq} started at ${recs[i].start.toFixed(3)} before #${recs[i - 1].seq} ended at ${recs[i - 1].end.toFixed(3)}`);
    assert.ok(recs[i].kseq > recs[i - 1].kseq, `request ${recs[i].kseq} handled after ${recs[i - 1].kseq}: not in kernel order`);
  }
}

/** Pairs (a finished before b started) broken: how often a later arrival was applied before an earlier one. */
function applyInversions(recs: readonly OrderRec[]): number {
  const byEnd = [...recs].sort((a, b) => a.end - b.end);
  let n = 0;
  for (let i = 1; i < byEnd.length; i++) if (byEnd[i].seq < byEnd[i - 1].seq) n++;
  return n;
}

function firstDiff(a: Buffer, b: Buffer): string {
  if (a.length !== b.length) return `length ${a.length} != ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `byte ${i}: ${a[i]} != ${b[i]}`;
  return 'equal';
}

function assertBytes(actual: Buffer, expected: Buffer, what: string): void {
  assert.ok(actual.equals(expected), `${what}: ${firstDiff(actual, expected)}`);
}

// ---- workload 1: concurrent writers, AIO bursts to one inode, no writeback cache -----------------

const W1 = { writers: 4, rounds: 6, burst: 8, shared: 8192, privBase: 8192, privSize: 16384, seqBase: 73728, seqSize: 4096, fileSize: 94208 };

/**
 * Each writer, per round: a burst of overlapping O_DIRECT AIO writes over its own region (queued
 * together: the kernel sends them all at once, in submission order, and the last submitted must
 * win), then a buffered pwrite of its round's byte over the shared range, then three overlapping
 * sequential pwrites over its own small region (the last wins again).
 */
const WRITER1 = `
path, w, R, B = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
fd = os.open(path, os.O_RDWR)
dfd = os.open(path, os.O_RDWR | os.O_DIRECT)
for rnd in range(R):
    writes = [(${W1.privBase} + w * ${W1.privSize} + ((rnd * B + i) * 1536) % 8192, bytes([1 + ((w * R + rnd) * B + i) % 127]) * 8192) for i in range(B)]
    keep = submit(dfd, writes)
    assert wait(B) == [8192] * B
    assert os.pwrite(fd, bytes([0x80 + w * 16 + rnd]) * ${W1.shared}, 0) == ${W1.shared}
    base = ${W1.seqBase} + w * ${W1.seqSize}
    os.pwrite(fd, bytes([0x40 + rnd]) * 4096, base)
    os.pwrite(fd, bytes([0x50 + rnd]) * 2000, base + 1000)
    os.pwrite(fd, bytes([0x60 + rnd]) * 100, base + 1500 + rnd)
os.close(dfd)
os.close(fd)
print('ok')
`;

/** The image the writers' programs require, except the shared range (whichever writer came last). */
function expected1(): Buffer {
  const { writers, rounds: R, burst: B } = W1;
  const d = Buffer.alloc(W1.fileSize);
  for (let w = 0; w < writers; w++) {
    for (let rnd = 0; rnd < R; rnd++) {
      for (let i = 0; i < B; i++) {
        const off = W1.privBase + w * W1.privSize + (((rnd * B + i) * 1536) % 8192);
        d.fill(1 + (((w * R + rnd) * B + i) % 127), off, off + 8192);
      }
      const base = W1.seqBase + w * W1.seqSize;
      d.fill(0x40 + rnd, base, base + 4096);
      d.fill(0x50 + rnd, base + 1000, base + 3000);
      d.fill(0x60 + rnd, base + 1500 + rnd, base + 1600 + rnd);
    }
  }
  return d;
}

async function runWorkload1(m: Mounted): Promise<void> {
  const outs = await Promise.all(
    Array.from({ length: W1.writers }, (_, w) => python(WRITER1, [m.path('f'), String(w), String(W1.rounds), String(W1.burst)])),
  );
  assert.deepEqual(outs.map((o) => o.trim()), outs.map(() => 'ok'));
}

// ---- workload 2: buffered writers through the writeback cache ----------------------------------

const W2 = { writers: 4, rounds: 20, stripes: 64, stripe: 1000 };

/**
 * Writer w owns bytes [k*8192 + w*1000, +1000) of every 8192-byte stripe k: writers never write the
 * same byte but share the first page of each stripe; the second stays clean, so that writeback sends
 * one request per dirty page, many at once. Per round each writer rewrites a shifting sub-range of
 * its part of each stripe (overlapping the previous rounds': the last round covering a byte wins),
 * with fsyncs in between.
 */
const WRITER2 = `
path, w, R, S = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
fd = os.open(path, os.O_RDWR)
for rnd in range(R):
    lo, hi = (rnd * 37) % 200, 1000 - (rnd * 53) % 200
    for k in range(S):
        os.pwrite(fd, bytes([1 + w * 40 + rnd]) * (hi - lo), k * 8192 + w * 1000 + lo)
    if rnd % 5 == 4:
        os.fsync(fd)
os.fsync(fd)
os.close(fd)
print('ok')
`;

function expected2(): Buffer {
  const { writers, rounds: R, stripes: S } = W2;
  let size = 0;
  for (let w = 0; w < writers; w++) {
    for (let rnd = 0; rnd < R; rnd++) size = Math.max(size, (S - 1) * 8192 + w * 1000 + 1000 - ((rnd * 53) % 200));
  }
  const d = Buffer.alloc(size);
  for (let w = 0; w < writers; w++) {
    for (let rnd = 0; rnd < R; rnd++) {
      const lo = (rnd * 37) % 200;
      const hi = 1000 - ((rnd * 53) % 200);
      for (let k = 0; k < S; k++) d.fill(1 + w * 40 + rnd, k * 8192 + w * 1000 + lo, k * 8192 + w * 1000 + hi);
    }
  }
  return d;
}

async function runWorkload2(m: Mounted): Promise<void> {
  const outs = await Promise.all(
    Array.from({ length: W2.writers }, (_, w) => python(WRITER2, [m.path('f'), String(w), String(W2.rounds), String(W2.stripes)])),
  );
  assert.deepEqual(outs.map((o) => o.trim()), outs.map(() => 'ok'));
}

describe('ordering: writes of one inode are handled one at a time, in kernel order', function () {
  this.timeout(90000);

  afterEach(function () {
    const left = fuseMounts().filter((p) => p.includes(TEST_MOUNT_PREFIX));
    assert.deepEqual(left, [], 'mounts left behind');
  });

  it('concurrent writers and AIO bursts on one file, handler awaiting a random delay: one handler at a time, kernel order, every byte right', async function () {
    const t = new OrderFs();
    const ino = t.add('f', W1.fileSize);
    const rand = prng(0x5eed1);
    t.delay = () => rand() * 5;
    await mountOrderFs(t, {}, async (m) => {
      assert.ok(capabilityNames(m.fuse.conn!.want).includes('asyncDio'), 'async direct I/O not negotiated');
      await runWorkload1(m);
      const recs = recsOf(t, ino);
      assert.equal(recs.filter((r) => r.size === 8192 && r.offset >= W1.privBase && r.offset < W1.seqBase).length,
        W1.writers * W1.rounds * W1.burst, 'every AIO write reached the handler once, unsplit');
      assertSerialized(t, ino);
      // The kernel really had several writes of this inode outstanding at once (the bursts).
      const most = Math.max(...recs.map((r) => r.inFlight ?? 0));
      assert.ok(most >= 2, `never more than ${most} request in flight: the kernel did not overlap writes`);

      // The shared range: every writer's last pwrite covered it; the last to arrive must be what is left.
      const stored = t.data(ino);
      const lastShared = recs.filter((r) => r.offset === 0 && r.size === W1.shared).at(-1)!;
      const v = lastShared.data![0];
      assert.ok(Array.from({ length: W1.writers }, (_, w) => 0x80 + w * 16 + W1.rounds - 1).includes(v),
        `the shared range's last write carries ${v}, not a writer's last round`);
      const want = expected1();
      want.fill(v, 0, W1.shared);
      assertBytes(stored, want, 'stored bytes vs the writers\' programs');
      assertBytes(stored, replay(Buffer.alloc(W1.fileSize), recs), 'stored bytes vs the arrivals replayed in order');
      // Read back through the mount: page cache (readFile) and straight from the handler (O_DIRECT).
      assertBytes(await fsp.readFile(m.path('f')), want, 'read back through the mount');
      assert.deepEqual(await directRead(m.path('f')), { sha: sha(want), len: want.length }, 'O_DIRECT read back');
    });
  });

  it('control: with serializeWrites false the same workload reaches the handler several at a time', async function () {
    const t = new OrderFs();
    const ino = t.add('f', W1.fileSize);
    const rand = prng(0x5eed1);
    t.delay = () => rand() * 5;
    await mountOrderFs(t, { serializeWrites: false }, async (m) => {
      await runWorkload1(m);
      const recs = recsOf(t, ino);
      const inv = applyInversions(recs);
      const wrong = !t.data(ino).equals(replay(Buffer.alloc(W1.fileSize), recs));
      // Shown for the record: the handler's own result then depends on its random delays.
      this.test!.title += ` [max ${t.maxRunning.get(ino)} at once, ${inv} applied out of order, stored bytes ${wrong ? 'differ from' : 'happen to match'} kernel order]`;
      assert.ok(t.maxRunning.get(ino)! > 1, 'the kernel never overlapped writes: the ordering tests above prove nothing');
      assert.ok(inv > 0, 'no write was applied out of arrival order');
    });
  });

  it('writeback cache: negotiated; page-cache writeback to one inode is handled one at a time and the file is byte-for-byte right', async function () {
    const t = new OrderFs();
    const ino = t.add('f', 0);
    const rand = prng(0x5eed2);
    t.delay = () => rand() * 5;
    await mountOrderFs(t, { conn: { capabilities: { writebackCache: true } } }, async (m) => {
      assert.ok(capabilityNames(m.fuse.conn!.want).includes('writebackCache'), `writeback cache not negotiated: ${capabilityNames(m.fuse.conn!.want).join(',')}`);
      await runWorkload2(m);
      const recs = recsOf(t, ino);
      assert.ok(recs.some((r) => r.writepage), 'no write came from the page cache (writepage)');
      assertSerialized(t, ino);
      const most = Math.max(...recs.map((r) => r.inFlight ?? 0));
      assert.ok(most >= 2, `never more than ${most} request in flight: the kernel did not overlap writes`);
      const want = expected2();
      const stored = t.data(ino);
      assertBytes(stored, want, 'stored bytes vs the writers\' programs');
      assertBytes(stored, replay(Buffer.alloc(0), recs), 'stored bytes vs the arrivals replayed in order');
      assertBytes(await fsp.readFile(m.path('f')), want, 'read back through the mount (page cache)');
      assert.deepEqual(await directRead(m.path('f')), { sha: sha(want), len: want.length }, 'O_DIRECT read back');
    });
  });

  it('control: writeback cache with serializeWrites false: the handler sees overlapping writes of one inode', async function () {
    const t = new OrderFs();
    const ino = t.add('f', 0);
    const rand = prng(0x5eed2);
    t.delay = () => rand() * 5;
    await mountOrderFs(t, { serializeWrites: false, conn: { capabilities: { writebackCache: true } } }, async (m) => {
      assert.ok(capabilityNames(m.fuse.conn!.want).includes('writebackCache'));
      await runWorkload2(m);
      const recs = recsOf(t, ino);
      const inv = applyInversions(recs);
      const right = t.data(ino).equals(expected2());
      this.test!.title += ` [max ${t.maxRunning.get(ino)} at once, ${inv} applied out of order, content ${right ? 'still right' : 'WRONG'}]`;
      assert.ok(t.maxRunning.get(ino)! > 1, 'the kernel never overlapped writeback writes');
      assert.ok(inv > 0, 'no write was applied out of arrival order');
    });
  });

  it('mixed synchronous and asynchronous replies (some writes answered inside the handler call): order and content hold, nothing stalls', async function () {
    const t = new OrderFs();
    const ino = t.add('f', W1.fileSize);
    const rand = prng(0x5eed3);
    t.delay = () => rand() * 3;
    t.syncReply = (r) => r.seq % 3 !== 1;  // runs of synchronous replies, between asynchronous ones
    await mountOrderFs(t, {}, async (m) => {
      await runWorkload1(m);
      const recs = recsOf(t, ino);
      assertSerialized(t, ino);
      const stored = t.data(ino);
      const v = recs.filter((r) => r.offset === 0 && r.size === W1.shared).at(-1)!.data![0];
      const want = expected1();
      want.fill(v, 0, W1.shared);
      assertBytes(stored, want, 'stored bytes vs the writers\' programs');
      assertBytes(stored, replay(Buffer.alloc(W1.fileSize), recs), 'stored bytes vs the arrivals replayed in order');
      assert.equal(m.fuse.inFlight, 0, 'requests left in flight');
    });
  });

  it('different inodes are handled concurrently (50 ms handler delay)', async function () {
    const t = new OrderFs();
    const a = t.add('a', 0);
    const b = t.add('b', 0);
    t.delay = () => 50;
    await mountOrderFs(t, {}, async (m) => {
      const code = `
fd = os.open(sys.argv[1], os.O_RDWR)
for i in range(6):
    assert os.pwrite(fd, bytes([int(sys.argv[2]) + i]) * 4096, i * 4096) == 4096
os.close(fd)
print('ok')
`;
      await Promise.all([python(code, [m.path('a'), '10']), python(code, [m.path('b'), '20'])]);
      assertSerialized(t, a);
      assertSerialized(t, b);
      const ra = recsOf(t, a);
      const rb = recsOf(t, b);
      const overlapping = ra.filter((x) => rb.some((y) => x.start < y.end && y.start < x.end)).length;
      assert.ok(t.maxRunningAll >= 2, `only ${t.maxRunningAll} handler ran at once over both files`);
      assert.ok(overlapping >= 3, `only ${overlapping} of ${ra.length} writes to a overlapped a write to b`);
      for (const [ino, base] of [[a, 10], [b, 20]]) {
        const want = Buffer.concat(Array.from({ length: 6 }, (_, i) => Buffer.alloc(4096, base + i)));
        assertBytes(t.data(ino), want, `file ${ino}`);
      }
    });
  });

  it('reads are not held back: a read of a file completes while a write to it is held in the handler', async function () {
    const t = new OrderFs();
    const ino = t.add('f', Buffer.alloc(8192, 7));
    t.directIo = true;  // reads reach the handler
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    t.delay = (r) => (r.op === 'write' && r.offset === 0 ? gate : 0);
    await mountOrderFs(t, {}, async (m) => {
      const writer = python(`
fd = os.open(sys.argv[1], os.O_RDWR)
assert os.pwrite(fd, b'w' * 4096, 0) == 4096
os.close(fd)
print('ok')
`, [m.path('f')]);
      try {
        await until('the write to reach the handler', () => t.log.length === 1);
        // The read runs in a child process: were it held back, nothing here would wait on it but
        // the bounded race below, and the gate opens in the finally either way.
        const reader = python(`
fd = os.open(sys.argv[1], os.O_RDONLY)
print(os.pread(fd, 8192, 0).hex())
os.close(fd)
`, [m.path('f')], 15000);
        const got = Buffer.from((await within(reader, 5000, 'read while the write is held')).trim(), 'hex');
        assertBytes(got, Buffer.alloc(8192, 7), 'read while the write is held: old content');
        assert.equal(t.log[0].end, 0, 'the write was not held during the read');
        assert.ok(t.others.some((r) => r.op === 'read' && r.ino === ino), 'the read did not reach the handler');
      } finally {
        release();
      }
      assert.equal((await writer).trim(), 'ok');
      assertBytes(t.data(ino), Buffer.concat([Buffer.alloc(4096, 'w'), Buffer.alloc(4096, 7)]), 'content after the write');
    });
  });

  it('writes queued behind a held write (more than there are receive buffers) hold back neither reads nor other inodes', async function () {
    const t = new OrderFs();
    const a = t.add('a', Buffer.alloc(65536, 7));
    const b = t.add('b', 0);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    t.delay = (r) => (r.ino === a ? gate : 0);
    // More than the 4 receive buffers (writeBuffers' default), fewer than the kernel's max_background
    // (12): beyond that the kernel itself holds back the O_DIRECT read (an async request too).
    const queued = 8;
    await mountOrderFs(t, {}, async (m) => {
      const writer = python(`
fd = os.open(sys.argv[1], os.O_RDWR | os.O_DIRECT)
keep = submit(fd, [(4096 * i, bytes([100 + i]) * 4096) for i in range(${queued})])
assert wait(${queued}) == [4096] * ${queued}
os.close(fd)
print('ok')
`, [m.path('a')]);
      try {
        await until('the first write to reach the handler', () => t.log.length === 1);
        await until('the kernel to send the other writes', () => m.fuse.inFlight >= 4);
        const reader = python(`
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECT)
print(os.pread(fd, 8192, 0).hex())
`, [m.path('a')], 10000);
        const other = python(`
fd = os.open(sys.argv[1], os.O_RDWR)
assert os.pwrite(fd, b'b' * 5000, 0) == 5000
os.close(fd)
print('ok')
`, [m.path('b')], 10000);
        const [r, o] = await within(Promise.all([reader, other]), 8000, 'read of a and write to b while writes to a are queued');
        assertBytes(Buffer.from(r.trim(), 'hex'), Buffer.alloc(8192, 7), 'read of a: the old content');
        assert.equal(o.trim(), 'ok');
        assertBytes(t.data(b), Buffer.alloc(5000, 'b'), 'file b');
        assert.equal(recsOf(t, a).length, 1, 'the queued writes of a reached the handler while the first was held');
        assert.equal(m.fuse.inFlight, queued, 'every write of a received and waiting');
      } finally {
        release();
      }
      assert.equal((await writer).trim(), 'ok');
      assertSerialized(t, a);
      assertBytes(t.data(a), Buffer.concat([...Array.from({ length: queued }, (_, i) => Buffer.alloc(4096, 100 + i)), Buffer.alloc(65536 - queued * 4096, 7)]), 'file a');
    });
  });

  it('setattr with a size waits for an earlier write of the same inode (AIO write, then ftruncate while it is in flight)', async function () {
    const t = new OrderFs();
    const ino = t.add('f', Buffer.alloc(65536, 1));
    t.delay = (r) => (r.op === 'write' ? 200 : 0);
    await mountOrderFs(t, {}, async (m) => {
      const out = await python(`
fd = os.open(sys.argv[1], os.O_RDWR | os.O_DIRECT)
keep = submit(fd, [(8192, b'x' * 8192)])
t0 = time.monotonic()
os.ftruncate(fd, 10000)
t1 = time.monotonic()
res = wait(1)
print(json.dumps({'res': res, 'truncateMs': (t1 - t0) * 1000, 'size': os.fstat(fd).st_size}))
os.close(fd)
`, [m.path('f')]);
      const r = JSON.parse(out.trim()) as { res: number[]; truncateMs: number; size: number };
      assert.deepEqual(r.res, [8192]);
      const recs = recsOf(t, ino);
      assert.deepEqual(recs.map((x) => x.op), ['write', 'setattr']);
      const [w, s] = recs;
      // The kernel sent the truncate while the write was in flight (else this test proves nothing) ...
      assert.ok(s.kseq > w.kseq, 'setattr received after the write');
      assert.ok(w.inFlightAtEnd! >= 2, 'the setattr was not waiting when the write was answered');
      // ... and the setattr handler started only after the write handler had finished.
      assert.ok(s.start >= w.end, `setattr started at ${s.start.toFixed(1)}, before the write ended at ${w.end.toFixed(1)}`);
      assert.ok(r.truncateMs >= 150, `ftruncate returned after ${r.truncateMs.toFixed(1)} ms: it did not wait for the write`);
      const want = Buffer.concat([Buffer.alloc(8192, 1), Buffer.alloc(10000 - 8192, 'x')]);
      assertBytes(t.data(ino), want, 'stored bytes: write, then truncate to 10000');
      assert.equal(r.size, 10000);
      assert.equal((await fsp.stat(m.path('f'))).size, 10000);
      assertBytes(await fsp.readFile(m.path('f')), want, 'read back through the mount');
    });
  });
});
