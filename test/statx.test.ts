// FUSE_STATX (opcode 52), which libfuse 3.14 does not know, through real mounts: rxfuse takes it
// before libfuse (src-native/raw_ops.cc) when a statx handler is attached. Every client is a python3
// or coreutils child process; python calls statx(2) through ctypes (Python 3.11's os.stat uses
// newfstatat, which never asks for the birth time, so the kernel answers it with getattr).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type Attr, Fuse, type FuseErrorEvent, FuseError, type Handler, layers, Operations, operationsHandlers, PASS, type Statx,
  StatxMask, type StatxRequest, traceRecords, type TraceRecord,
} from '../lib';
import { MemFs, memfsOptions } from '../examples/memfs';
import { Passthrough } from '../examples/passthrough/fs';
import { forceUnmount, type MountedFixture, mountFixture, pyJsonWith, sh, until, withMount } from './helpers';

// statx(path, mask, flags) → the fields; AT_STATX_FORCE_SYNC makes the kernel ask the filesystem.
const PRELUDE = `
import os, sys, json, ctypes, struct, signal, errno, time
libc = ctypes.CDLL(None, use_errno=True)
libc.statx.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
FORCE_SYNC, NOFOLLOW = 0x2000, 0x100
def statx(p, mask=0xfff, flags=FORCE_SYNC | NOFOLLOW):
    b = ctypes.create_string_buffer(256)
    if libc.statx(-100, os.fsencode(p), flags, mask, b) < 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
    b = b.raw
    m, blksize, attributes, nlink, uid, gid, mode = struct.unpack_from('IIQIIIH', b, 0)
    ino, size, blocks = struct.unpack_from('QQQ', b, 32)
    ts = lambda o: (lambda s, ns: '%d.%09d' % (s, ns))(*struct.unpack_from('qI', b, o))  # exact, as text
    return dict(mask=m, nlink=nlink, uid=uid, gid=gid, mode=mode, ino=ino, size=size, blocks=blocks,
                atime=ts(64), btime=ts(80), ctime=ts(96), mtime=ts(112))
def attempt(f, *a):
    try:
        return f(*a)
    except OSError as e:
        return errno.errorcode[e.errno]
def out(v): print(json.dumps(v), flush=True)
d = sys.argv[1]
`;

function pyJson<T>(code: string, dir: string): Promise<T> {
  return pyJsonWith<T>(PRELUDE, code, [dir]);
}

/** statx's fields; times as "sec.nsec" (exact: nanoseconds since 1970 exceed 2^53). */
interface Sx {
  mask: number; nlink: number; uid: number; gid: number; mode: number; ino: number; size: number; blocks: number;
  atime: string; btime: string; ctime: string; mtime: string;
}

/** A "sec.nsec" time as nanoseconds, to compare. */
function ns(t: string): bigint {
  const [sec, nsec] = t.split('.');
  return BigInt(sec) * 1000000000n + BigInt(nsec);
}

/** The same script on a fresh file in `dir`: btime at creation, and after a write and a chmod. */
const BIRTH = `
p = os.path.join(d, 'f')
fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o644); os.close(fd)
a = statx(p)
time.sleep(0.02)
with open(p, 'ab') as f: f.write(b'hello')
os.chmod(p, 0o600)
b = statx(p)
out(dict(created=a, later=b, stat=os.stat(p).st_size))`;

/** A tiny filesystem: the root and one file, with getattr; `statx` when given. */
const FILE_INO = 2;
const FILE_ATTR: Attr = { ino: FILE_INO, mode: 0o100644, size: 5, mtime: { sec: 1000, nsec: 0 } };
const ROOT_ATTR: Attr = { ino: 1, mode: 0o40755, nlink: 2 };
function tiny(fuse: Fuse, statx?: Handler<StatxRequest>): { getattrs: number } {
  const seen = { getattrs: 0 };
  fuse.handle('lookup', (req) => {
    if (req.parent !== 1 || req.nameKey !== 'f') throw new FuseError('ENOENT');
    return { attr: FILE_ATTR, attrTimeout: 0, entryTimeout: 0 };
  });
  fuse.handle('getattr', (req) => {
    seen.getattrs++;
    return { attr: req.ino === 1 ? ROOT_ATTR : FILE_ATTR, timeout: 0 };
  });
  if (statx) fuse.handle('statx', statx);
  return seen;
}
const BTIME = { sec: 777, nsec: 123456789 };
const BTIME_TEXT = '777.123456789';

describe('statx (FUSE_STATX on libfuse 3.14)', function () {
  this.timeout(30000);

  describe('memfs', function () {
    let m: MountedFixture<MemFs> | undefined;
    let twin: string;
    beforeEach(async function () {
      m = await mountFixture('rxfuse-statx-memfs-', new MemFs(), memfsOptions());
      twin = fs.mkdtempSync('/dev/shm/rxfuse-statx-twin-');  // tmpfs
    });
    afterEach(async function () {
      await m?.unmount();
      assert.deepEqual(m?.errors, []);
      m = undefined;
      fs.rmSync(twin, { recursive: true, force: true });
    });

    it('keeps the birth time as tmpfs does: the creation time, unchanged by writes and chmod', async function () {
      for (const dir of [m!.dir, twin]) {
        const r = await pyJson<{ created: Sx; later: Sx; stat: number }>(BIRTH, dir);
        assert.ok(r.created.mask & StatxMask.BTIME, `${dir}: STATX_BTIME in the mask`);
        assert.equal(r.created.btime, r.created.mtime, `${dir}: born when created`);
        assert.equal(r.created.btime, r.created.ctime);
        assert.equal(r.later.btime, r.created.btime, `${dir}: the birth time does not move`);
        assert.ok(ns(r.later.mtime) > ns(r.later.btime) && ns(r.later.ctime) > ns(r.later.btime));
        assert.equal(r.later.size, 5);
        assert.equal(r.stat, 5);
      }
      // The reply memfs gave is its inode's creation time (never a sync call on the mount this thread serves).
      const r = await pyJson<Sx>(`out(statx(os.path.join(d, 'f')))`, m!.dir);
      const node = m!.fs.table.get(r.ino);
      assert.equal(r.btime, `${node.btime.sec}.${String(node.btime.nsec).padStart(9, '0')}`);
    });

    it('stat -c %w and %W show the birth time (they showed "-" and 0 before)', async function () {
      const made = await pyJson<Sx>(`
p = os.path.join(d, 'g'); open(p, 'w').close(); out(statx(p))`, m!.dir);
      const r = await sh('stat', ['-c', '%W|%w', m!.path('g')]);
      assert.equal(r.code, 0, r.stderr);
      const [secs, human] = r.stdout.trim().split('|');
      const [sec, nsec] = made.btime.split('.');
      assert.equal(secs, sec);
      assert.ok(human.includes(`.${nsec} `), human);
    });

    it('python sees the same st_size, mode, ino, nlink, uid and times through statx and os.stat', async function () {
      const r = await pyJson<{ sx: Sx; st: Record<string, number> }>(`
p = os.path.join(d, 'h')
with open(p, 'wb') as f: f.write(b'x' * 10000)
os.link(p, os.path.join(d, 'h2'))
s = os.stat(p)
out(dict(sx=statx(p), st=dict(size=s.st_size, mode=s.st_mode, ino=s.st_ino, nlink=s.st_nlink, uid=s.st_uid,
    gid=s.st_gid, blocks=s.st_blocks, mtime='%d.%09d' % divmod(s.st_mtime_ns, 10**9), ctime='%d.%09d' % divmod(s.st_ctime_ns, 10**9))))`, m!.dir);
      for (const k of ['size', 'mode', 'ino', 'nlink', 'uid', 'gid', 'blocks', 'mtime', 'ctime'] as const) {
        assert.equal(r.sx[k], r.st[k], k);
      }
      assert.equal(r.sx.size, 10000);
      assert.equal(r.sx.nlink, 2);
    });
  });

  it('without a statx handler: the kernel gets ENOSYS from libfuse, stat falls back to getattr, no birth time', async function () {
    const seen: string[] = [];
    let counts = { getattrs: 0 };
    await withMount((fuse) => {
      counts = tiny(fuse);
      fuse.observe({ request: (req) => seen.push(req.op) });
    }, async (m) => {
      for (let i = 0; i < 2; i++) {
        const r = await sh('stat', ['-c', '%s|%w', m.path('f')]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), '5|-');
      }
    });
    assert.ok(!seen.includes('statx'), 'no statx reached JS');
    assert.ok(counts.getattrs >= 2, `getattr answered (${counts.getattrs})`);
  });

  it('with a handler: each statx is answered with the reply given (mask, btime, timeout), not sticky', async function () {
    let calls = 0;
    const masks: number[] = [];
    await withMount((fuse) => {
      tiny(fuse, (req) => {
        calls++;
        masks.push(req.mask);
        req.replyStatx({ ...FILE_ATTR, btime: BTIME }, 0);
      });
    }, async (m) => {
      for (let i = 0; i < 3; i++) {
        const r = await pyJson<Sx>(`out(statx(os.path.join(d, 'f')))`, m.dir);
        assert.equal(r.btime, BTIME_TEXT);
        assert.equal(r.size, 5);
        assert.equal(r.mtime, '1000.000000000');
      }
    });
    assert.equal(calls, 3);
    assert.ok(masks.every((x) => (x & (StatxMask.BASIC_STATS | StatxMask.BTIME)) === 0xfff), String(masks));
  });

  it('a handler that throws or replies badly: the caller gets EIO, errors$ names statx, and the next statx is still asked', async function () {
    const errors: FuseErrorEvent[] = [];
    let calls = 0;
    await withMount((fuse) => {
      fuse.errors$.subscribe((e) => errors.push(e));
      tiny(fuse, () => {
        calls++;
        if (calls === 1) throw new Error('statx broke');
        if (calls === 2) return { ...FILE_ATTR, btime: { sec: 1, nsec: 1e9 } };
        return { ...FILE_ATTR, btime: BTIME };
      });
    }, async (m) => {
      const r = await pyJson<unknown[]>(`p = os.path.join(d, 'f'); out([attempt(statx, p), attempt(statx, p), statx(p)['btime']])`, m.dir);
      assert.deepEqual(r, ['EIO', 'EIO', BTIME_TEXT]);
    });
    assert.equal(calls, 3);
    assert.deepEqual(errors.map((e) => [e.kind, e.op, e.errno, String(e.cause)]), [
      ['handler', 'statx', 5, 'Error: statx broke'],
      ['invalid-reply', 'statx', 5, 'TypeError: invalid btime: [object Object]'],
    ]);
  });

  it('an interrupted statx: the handler hears FUSE_INTERRUPT (req.signal), its EINTR reaches the caller, nothing is left', async function () {
    let fuse: Fuse | undefined;
    const interrupted: boolean[] = [];
    await withMount((f) => {
      fuse = f;
      tiny(f, (req) => {
        if (req.ino !== FILE_INO) return { ...ROOT_ATTR, btime: BTIME };
        return new Promise<never>((_, reject) => req.signal.addEventListener('abort', () => {
          interrupted.push(req.interrupted);
          reject(new FuseError('EINTR'));
        }));
      });
    }, async (m) => {
      // SIGALRM with a handler: the kernel interrupts the request and waits for its answer.
      const r = await pyJson<unknown[]>(`
signal.signal(signal.SIGALRM, lambda *a: None)
signal.setitimer(signal.ITIMER_REAL, 0.3)
t = time.time()
res = attempt(statx, os.path.join(d, 'f'))
out([res, round(time.time() - t)])`, m.dir);
      assert.deepEqual(r, ['EINTR', 0]);
      await until('the statx finished', () => fuse!.stats().inFlight === 0 && fuse!.stats().busySlots === 0, 2000);
      const again = await pyJson<string>(`out(statx(d)['btime'])`, m.dir);
      assert.equal(again, BTIME_TEXT);
    });
    assert.deepEqual(interrupted, [true]);
  });

  it('a statx never answered: requestTimeout answers ETIMEDOUT, reports it, and frees its slot', async function () {
    const errors: FuseErrorEvent[] = [];
    let fuse: Fuse | undefined;
    await withMount((f) => {
      fuse = f;
      f.errors$.subscribe((e) => errors.push(e));
      tiny(f, () => new Promise<never>(() => undefined));
    }, async (m) => {
      const r = await pyJson<string>(`out(attempt(statx, os.path.join(d, 'f')))`, m.dir);
      assert.equal(r, 'ETIMEDOUT');
      assert.equal(fuse!.stats().inFlight, 0);
      assert.equal(fuse!.stats().busySlots, 0);
    }, { requestTimeout: 300 });
    assert.deepEqual(errors.map((e) => [e.kind, e.op]), [['timeout', 'statx']]);
  });

  it('a statx in flight at unmount is answered (EIO), the caller does not hang and no mount is left', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-statx-unmount-'));
    const fuse = new Fuse({ mountTimeout: 10000 });
    let arrived = false;
    tiny(fuse, () => {
      arrived = true;
      return new Promise<never>(() => undefined);
    });
    try {
      await fuse.mount(dir);
      const client = pyJson<string>(`out(attempt(statx, os.path.join(d, 'f')))`, dir);
      await until('the statx arrived', () => arrived, 5000);
      await fuse.unmount();
      assert.ok(['EIO', 'ENOTCONN', 'ECONNABORTED'].includes(await client));
    } finally {
      await forceUnmount(fuse, dir);
    }
    assert.ok(!fs.readFileSync('/proc/mounts', 'utf8').includes(dir));
  });

  it('the trace tap records statx: the mask asked for and the birth time answered', async function () {
    const records: TraceRecord[] = [];
    await withMount((fuse) => {
      tiny(fuse, () => ({ attr: { ...FILE_ATTR, btime: BTIME }, timeout: 0 }));
      traceRecords(fuse).subscribe((r) => records.push(r));
    }, async (m) => {
      await pyJson<Sx>(`out(statx(os.path.join(d, 'f')))`, m.dir);
    });
    const sx = records.filter((r) => r.op === 'statx');
    assert.equal(sx.length, 1);
    assert.equal(sx[0].ino, FILE_INO);
    assert.equal(sx[0].args?.mask, 0xfff);
    assert.equal(sx[0].errno, 0);
    assert.equal(sx[0].reply?.btime, '777.123456789');
  });

  it('Operations.statx is wired when overridden', async function () {
    class Fs extends Operations {
      override getattr(inode: number): Attr {
        return inode === 1 ? ROOT_ATTR : FILE_ATTR;
      }
      override lookup(parent: number, name: Buffer): Attr {
        if (name.toString() !== 'f') throw new FuseError('ENOENT');
        return FILE_ATTR;
      }
      override statx(inode: number, mask: number): Statx {
        assert.equal(mask & StatxMask.BTIME, StatxMask.BTIME);
        return { ...(inode === 1 ? ROOT_ATTR : FILE_ATTR), btime: BTIME };
      }
    }
    await withMount((fuse) => fuse.handleAll(operationsHandlers(new Fs())), async (m) => {
      const r = await sh('stat', ['-c', '%W', m.path('f')]);
      assert.equal(r.stdout.trim(), '777');
    });
  });

  it('a statx every layer declines is answered ENOSYS: stat falls back to getattr and still works', async function () {
    await withMount((fuse) => {
      tiny(fuse);
      layers(fuse, [{ statx: () => PASS }]);
    }, async (m) => {
      const r = await sh('stat', ['-c', '%s|%w', m.path('f')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), '5|-');
    });
  });

  describe('passthrough', function () {
    let src: string;
    beforeEach(function () {
      src = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-statx-src-'));
    });
    afterEach(function () {
      fs.rmSync(src, { recursive: true, force: true });
    });

    it("takes statx from the source: the birth time is the source file's", async function () {
      const source = await pyJson<Sx>(`
p = os.path.join(d, 'f')
with open(p, 'wb') as f: f.write(b'abc')
time.sleep(0.02)
os.utime(p, (1, 2))
out(statx(p))`, src);
      assert.ok(source.mask & StatxMask.BTIME, 'the source (/tmp) keeps birth times');
      const errors: FuseErrorEvent[] = [];
      await withMount((fuse) => {
        fuse.errors$.subscribe((e) => errors.push(e));
        new Passthrough(fuse, src).attach();
      }, async (m) => {
        const sx = await pyJson<Sx>(`out(statx(os.path.join(d, 'f')))`, m.dir);
        assert.equal(sx.btime, source.btime);
        assert.equal(sx.mtime, '2.000000000');
        assert.equal(sx.size, 3);
        const st = await sh('stat', ['-c', '%W', m.path('f')]);
        assert.equal(st.stdout.trim(), source.btime.split('.')[0]);
      }, { defaultPermissions: true, largeFiles: true });
      assert.deepEqual(errors, []);
    });
  });
});
