// Numbers beyond 2^53 (docs/design.md): sizes, offsets and st_ino carried exactly, on the reply side
// (attr encoding, unit and through a mount) and on the request side (largeFiles mounts): passthrough
// shows and reads huge source files, memfs takes sizes up to 2^63 - 1 as tmpfs does (held to a
// tmpfs twin directory in /dev/shm). Clients are python children; big values travel as strings.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants as K } from 'node:fs';
import { type Attr, type FuseErrorEvent, type U64 } from '../lib';
import { writeStat } from '../lib/attr';
import { S, ST } from '../lib/layout';
import { MemFs, memfsOptions } from '../examples/memfs';
import { Passthrough } from '../examples/passthrough/fs';
import * as sys from '../lib/sys';
import { mountFixture, py, withMount } from './helpers';

const PRELUDE = `
import os, sys, json, errno, ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
def E(f, *a):
    try:
        r = f(*a)
        return 'ok' if r is None else r
    except OSError as e:
        return errno.errorcode[e.errno]
def falloc(fd, mode, off, n):
    if libc.fallocate(fd, mode, off, n) < 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
def out(v):
    print(json.dumps(v), flush=True)
d = sys.argv[1]
`;

async function pyJson<T>(code: string, dir: string): Promise<T> {
  const r = await py(PRELUDE + code, [dir]);
  assert.equal(r.code, 0, `python failed (${r.code}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

// Truncates, writes, reads, seeks and fallocates at offsets beyond 2^53 in `d` (big values as strings).
const BEYOND = `
r = []
for name, size in (('a', 2**53 - 1), ('b', 2**53), ('c', 2**62 + 1), ('d', 2**63 - 1)):
    p = os.path.join(d, name)
    open(p, 'w').close()
    r.append(E(os.truncate, p, size))
    s = os.stat(p); r.append([name, str(s.st_size), s.st_blocks])
fd = os.open(os.path.join(d, 'w'), os.O_CREAT | os.O_RDWR, 0o644)
r.append(E(os.pwrite, fd, b'abc', 2**62))
s = os.fstat(fd); r.append([str(s.st_size), s.st_blocks])
r.append(os.pread(fd, 5, 2**62 - 1).hex())
r.append(str(E(os.lseek, fd, 0, os.SEEK_DATA)))
r.append(str(E(os.lseek, fd, 2**62, os.SEEK_HOLE)))
r.append(E(falloc, fd, 1, 2**60, 4096)); r.append(os.fstat(fd).st_blocks)
r.append(E(falloc, fd, 1 | 2, 2**60, 4096)); r.append(os.fstat(fd).st_blocks)
r.append(E(falloc, fd, 0, 2**63 - 4096, 8192))
r.append(E(os.pwrite, fd, b'x', 2**63 - 1))
r.append(E(os.ftruncate, fd, 2**60 + 1)); r.append(str(os.fstat(fd).st_size))
r.append(os.pread(fd, 4, 2**60 - 2).hex())
os.close(fd)
out(r)`;

/** A fresh directory on tmpfs (/dev/shm): the twin the mounts are held to, or a passthrough source. */
function tmpfsDir(prefix: string): string {
  return fs.mkdtempSync(path.join('/dev/shm', prefix));
}

describe('numbers beyond 2^53', function () {
  this.timeout(60000);

  describe('attr encoding (no kernel)', function () {
    const scratch = new Float64Array(S.FIELD_COUNT);
    const wide = new BigUint64Array(scratch.buffer);
    /** A stat field as native code reads it (layout.h GetU64). */
    const field = (i: number, x: number): U64 => (Number.isNaN(scratch[S.STAT + i]) ? wide[S.STAT + x] : scratch[S.STAT + i]);
    const enc = (a: Partial<Attr>): void => writeStat(scratch, S.STAT, { ino: 5, mode: K.S_IFREG, ...a });

    it('size and blocks: numbers up to 2^53-1 as they are, bigints up to 2^63-1 exactly', function () {
      for (const v of [0, 2 ** 53 - 1, 2n ** 53n - 1n, 2n ** 53n, 2n ** 62n + 1n, 2n ** 63n - 1n]) {
        enc({ size: v, blocks: v });
        assert.equal(field(ST.SIZE, ST.SIZE_X), typeof v === 'bigint' && v < 2n ** 53n ? Number(v) : v);
        assert.equal(field(ST.BLOCKS, ST.BLOCKS_X), typeof v === 'bigint' && v < 2n ** 53n ? Number(v) : v);
        assert.equal(typeof scratch[S.STAT + ST.SIZE], 'number');
      }
    });

    it('st_ino: ino by default, stIno up to 2^64-1 exactly', function () {
      enc({ ino: 2 ** 53 - 1 });
      assert.equal(field(ST.INO, ST.INO_X), 2 ** 53 - 1);
      for (const v of [2n ** 53n, 2n ** 62n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n]) {
        enc({ stIno: v });
        assert.equal(field(ST.INO, ST.INO_X), v);
      }
    });

    it('refuses inexact numbers, out-of-range bigints and negatives with a clear TypeError', function () {
      assert.throws(() => enc({ size: 2 ** 53 }), /invalid size: 9007199254740992 \(not exact beyond 2\^53-1: give a bigint\)/);
      assert.throws(() => enc({ size: 2 ** 62 + 1 }), /invalid size: 4611686018427388000 \(not exact/);
      assert.throws(() => enc({ size: 2n ** 63n }), /invalid size: 9223372036854775808/);
      assert.throws(() => enc({ blocks: -1n }), /invalid blocks: -1/);
      assert.throws(() => enc({ stIno: 2n ** 64n }), /invalid stIno/);
      assert.throws(() => enc({ stIno: 0n }), /invalid stIno: 0/);
      assert.throws(() => enc({ ino: 2 ** 53 }), /invalid ino/);
    });
  });

  it('sys (no FUSE, on tmpfs): stat, pwrite, pread, lseek, fallocate, truncate and copyFileRange are exact beyond 2^53', function () {
    const dir = tmpfsDir('rxfuse-bignum-sys-');
    const fds: number[] = [];
    try {
      const fd = sys.openat(sys.AT.FDCWD, path.join(dir, 'f'), sys.O.RDWR | sys.O.CREAT, 0o644);
      fds.push(fd);
      const fd2 = sys.openat(sys.AT.FDCWD, path.join(dir, 'g'), sys.O.RDWR | sys.O.CREAT, 0o644);
      fds.push(fd2);
      const at = 2n ** 62n + 1n;
      assert.equal(sys.pwrite(fd, Buffer.from('abc'), at), 3);  // Node's writeSync would write at 0
      let st = sys.fstat(fd);
      assert.deepEqual([st.size, st.blocks], [at + 3n, 8]);
      const b = Buffer.alloc(3);
      assert.equal(sys.pread(fd, b, at), 3);
      assert.equal(b.toString(), 'abc');
      assert.equal(sys.lseek(fd, 0, sys.SEEK.DATA), 2n ** 62n);
      assert.equal(sys.lseek(fd, at, sys.SEEK.HOLE), at + 3n);
      sys.fallocate(fd, sys.FALLOC_FL.KEEP_SIZE, 2n ** 60n, 4096);
      assert.equal(sys.fstat(fd).blocks, 16);
      assert.equal(sys.copyFileRange(fd, at, fd2, 2n ** 61n, 3), 3);
      st = sys.fstat(fd2);
      assert.equal(st.size, 2n ** 61n + 3n);
      sys.ftruncate(fd, 2n ** 63n - 1n);
      assert.equal(sys.fstat(fd).size, 2n ** 63n - 1n);
      sys.truncate(sys.AT.FDCWD, path.join(dir, 'g'), 2 ** 53 - 1);
      assert.equal(sys.fstatat(sys.AT.FDCWD, path.join(dir, 'g')).size, 2 ** 53 - 1);
      assert.equal(typeof sys.fstat(fd).ino, 'number');
      assert.throws(() => sys.ftruncate(fd, 2n ** 63n), /ftruncate size: invalid value 9223372036854775808/);
      assert.throws(() => sys.ftruncate(fd, 2 ** 53), /ftruncate size: invalid value/);
    } finally {
      for (const fd of fds) sys.close(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a filesystem\'s bigint size, blocks and stIno reach stat(2) exactly (entry and getattr replies)', async function () {
    const big: Attr = { ino: 2, stIno: 2n ** 64n - 1n, mode: K.S_IFREG | 0o644, size: 2n ** 63n - 1n, blocks: 2n ** 62n + 1n };
    const errors: FuseErrorEvent[] = [];
    const r = await withMount((fuse) => {
      fuse.errors$.subscribe((e) => errors.push(e));
      fuse.handle('lookup', (req) => (req.nameKey === 'big' ? { attr: big, attrTimeout: 0 } : { ino: 0, entryTimeout: 0 }));
      fuse.handle('getattr', (req) => ({ attr: req.ino === 1 ? { ino: 1, mode: K.S_IFDIR | 0o755 } : big, timeout: 0 }));
    }, async (m) => pyJson<string[]>(`
s = os.stat(os.path.join(d, 'big')); t = os.stat(os.path.join(d, 'big'))
out([str(s.st_ino), str(s.st_size), str(s.st_blocks), str(t.st_ino), str(t.st_size)])`, m.dir));
    assert.deepEqual(r, ['18446744073709551615', '9223372036854775807', '4611686018427387905', '18446744073709551615', '9223372036854775807']);
    assert.deepEqual(errors, []);
  });

  it('without largeFiles a read beyond 2^53 is end of file as before; with it, the number getter names offset64', async function () {
    const script = `
fd = os.open(os.path.join(d, 'f'), os.O_RDONLY)
r = E(os.pread, fd, 4, 2**60)
out([os.pread(fd, 4, 0).hex(), r.hex() if isinstance(r, bytes) else r])`;
    const run = async (largeFiles: boolean): Promise<[unknown, string[]]> => {
      const errors: string[] = [];
      const r = await withMount((fuse) => {
        fuse.errors$.subscribe((e) => errors.push(e.cause instanceof Error ? e.cause.message : String(e.cause)));
        const attr: Attr = { ino: 2, mode: K.S_IFREG | 0o644, size: 2n ** 62n };
        fuse.handle('lookup', (req) => (req.nameKey === 'f' ? { attr, attrTimeout: 0 } : { ino: 0, entryTimeout: 0 }));
        fuse.handle('getattr', (req) => ({ attr: req.ino === 1 ? { ino: 1, mode: K.S_IFDIR | 0o755 } : attr, timeout: 0 }));
        fuse.handle('open', () => ({ directIo: true }));
        fuse.handle('read', (req) => Buffer.alloc(Math.min(req.size, 4), req.offset === 0 ? 1 : 2));
      }, (m) => pyJson<unknown>(script, m.dir), { largeFiles });
      return [r, errors];
    };
    assert.deepEqual(await run(false), [['01010101', ''], []]);
    assert.deepEqual(await run(true), [['01010101', 'EIO'], ['read: offset is beyond 2^53-1, read offset64']]);
  });

  describe('passthrough of a tmpfs source', function () {
    let src: string;
    let twin: string;
    beforeEach(function () {
      src = tmpfsDir('rxfuse-bignum-src-');
      twin = tmpfsDir('rxfuse-bignum-twin-');
    });
    afterEach(function () {
      fs.rmSync(src, { recursive: true, force: true });
      fs.rmSync(twin, { recursive: true, force: true });
    });

    async function mounted<T>(body: (dir: string) => Promise<T>): Promise<T> {
      const errors: FuseErrorEvent[] = [];
      const r = await withMount((fuse) => {
        fuse.errors$.subscribe((e) => errors.push(e));
        new Passthrough(fuse, src).attach();
      }, (m) => body(m.dir), { defaultPermissions: true, largeFiles: true });
      assert.deepEqual(errors.map((e) => `${e.kind} ${e.op ?? ''}: ${String(e.cause)}`), []);
      return r;
    }

    it('shows files of 2^53 bytes and more that the source has, and reads them at offsets beyond 2^53', async function () {
      await pyJson(`
for name, size in (('b', 2**53), ('c', 2**62 + 1), ('d', 2**63 - 1)):
    p = os.path.join(d, name); open(p, 'w').close(); os.truncate(p, size)
fd = os.open(os.path.join(d, 'd'), os.O_RDWR); os.pwrite(fd, b'far', 2**60); os.close(fd)
out(0)`, src);
      const r = await mounted((dir) => pyJson<unknown[]>(`
r = [str(os.stat(os.path.join(d, n)).st_size) for n in ('b', 'c', 'd')]
fd = os.open(os.path.join(d, 'd'), os.O_RDONLY)
r += [os.pread(fd, 5, 2**60 - 1).hex(), str(os.lseek(fd, 2**59, os.SEEK_DATA)), os.pread(fd, 3, 2**63 - 4).hex()]
os.close(fd)
out(r)`, dir));
      assert.deepEqual(r, ['9007199254740992', '4611686018427387905', '9223372036854775807', '0066617200',
        String(2n ** 60n), '000000']);
    });

    it('truncates, writes, seeks and fallocates beyond 2^53 as the source filesystem does itself', async function () {
      const viaMount = await mounted((dir) => pyJson<unknown[]>(BEYOND, dir));
      const direct = await pyJson<unknown[]>(BEYOND, twin);
      assert.deepEqual(viaMount, direct);
      assert.deepEqual(viaMount.slice(0, 8), ['ok', ['a', '9007199254740991', 0], 'ok', ['b', '9007199254740992', 0],
        'ok', ['c', '4611686018427387905', 0], 'ok', ['d', '9223372036854775807', 0]]);
      const hugeSource = await pyJson<string>(`out(str(os.stat(os.path.join(d, 'w')).st_size))`, src);
      assert.equal(hugeSource, String(2n ** 60n + 1n));
    });
  });

  describe('memfs', function () {
    let twin: string;
    beforeEach(function () {
      twin = tmpfsDir('rxfuse-bignum-twin-');
    });
    afterEach(function () {
      fs.rmSync(twin, { recursive: true, force: true });
    });

    it('takes sizes and offsets up to 2^63-1 as tmpfs: truncate, pwrite, pread, SEEK_DATA/HOLE, fallocate', async function () {
      const m = await mountFixture('rxfuse-bignum-memfs-', new MemFs(), { ...memfsOptions(), allowOther: true });
      try {
        const viaMount = await pyJson<unknown[]>(BEYOND, m.dir);
        const direct = await pyJson<unknown[]>(BEYOND, twin);
        assert.deepEqual(viaMount, direct);
        assert.deepEqual(viaMount.slice(8, 14), [3, [String(2n ** 62n + 3n), 8], '00616263', String(2n ** 62n),
          String(2n ** 62n + 3n), 'ok']);
        assert.deepEqual(m.errors, []);
      } finally {
        await m.unmount();
      }
    });
  });
});
