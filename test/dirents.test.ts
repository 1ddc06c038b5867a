// Dirents' packed records through a real mount: what getdents64 and stat(2) see of names of every
// length (the NUL-terminated name goes to libfuse in place), d_ino (exact beyond 2^53 when an
// entry's stIno says so), d_type, cookies across many READDIR requests, a record taken back after a
// failed addEntry, and readdirplus attributes read from behind the name.
import { strict as assert } from 'node:assert';
import { constants as K } from 'node:fs';
import { Dirents, type Entry, FuseError } from '../lib';
import { py, withMount } from './helpers';

// getdents64 with a small buffer, so the listing takes many calls: [name hex, d_ino, d_type] each.
const LIST = `
import ctypes, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
buf = ctypes.create_string_buffer(int(sys.argv[2]))
out = []
while True:
    n = libc.syscall(217, fd, buf, len(buf))
    if n < 0: raise OSError(ctypes.get_errno(), 'getdents64')
    if n == 0: break
    raw = buf.raw; i = 0
    while i < n:
        reclen = int.from_bytes(raw[i + 16:i + 18], 'little')
        name = raw[i + 19:i + reclen].split(b'\\0', 1)[0]
        out.append([name.hex(), str(int.from_bytes(raw[i:i + 8], 'little')), raw[i + 18]])
        i += reclen
os.close(fd)
print(json.dumps(out))
`;

async function list(dir: string, bufsize: number): Promise<[string, string, number][]> {
  const r = await py(LIST, [dir, String(bufsize)]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as [string, string, number][];
}

const DT: Record<number, number> = { [K.S_IFDIR]: 4, [K.S_IFREG]: 8, [K.S_IFLNK]: 10, [K.S_IFIFO]: 1, [K.S_IFSOCK]: 12 };
const hex = (s: string | Uint8Array): string => Buffer.from(s).toString('hex');

describe('Dirents records through a mount', function () {
  this.timeout(20000);

  it('plain readdir: names of every length, d_ino (exact beyond 2^53) and d_type, resumed over many requests', async function () {
    const d = new Dirents(4);
    const want: [string, string, number][] = [];
    const add = (name: string | Uint8Array, ino: number, type: number): void => {
      d.add(name, ino, type);
      want.push([hex(name), String(ino), DT[type]]);
    };
    add('.', 1, K.S_IFDIR);
    add('..', 1, K.S_IFDIR);
    const big: Entry = { attr: { ino: 2, stIno: 2n ** 64n - 1n, mode: K.S_IFREG | 0o644 } };
    d.addEntry('big', big);
    want.push([hex('big'), '18446744073709551615', 8]);
    // A failed addEntry leaves its bytes behind it; the shorter name written over them must still end.
    assert.throws(() => d.addEntry('x'.repeat(300), { attr: { ino: 3, mode: -1 } }), TypeError);
    add('a', 3, K.S_IFLNK);
    for (let len = 1; len <= 17; len++) add('n'.repeat(len) + `${len}`.padStart(2, '0'), 100 + len, K.S_IFREG);
    add('7'.repeat(255), 5, K.S_IFIFO);
    add(Buffer.from([0xff, 0xfe, 0x80]), 6, K.S_IFSOCK);
    for (let i = 0; i < 3000; i++) add(`file-${i}`, 1000 + i, i % 2 ? K.S_IFREG : K.S_IFDIR);
    const got = await withMount((fuse) => {
      fuse.handle('getattr', (req) => ({ attr: { ino: req.ino, mode: K.S_IFDIR | 0o755 }, timeout: 0 }));
      fuse.handle('lookup', () => {
        throw new FuseError('ENOENT');
      });
      fuse.handle('readdir', () => d);
    }, async (m) => [await list(m.dir, 600), await list(m.dir, 32768)]);
    assert.deepEqual(got[0], want);
    assert.deepEqual(got[1], want);
    assert.equal(d.inoAt(2), 2, 'an entry with attributes: its node id');
    assert.equal(d.inoAt(3), 3, 'a plain entry: its d_ino');
  });

  it('readdirplus: attributes read from behind names of every length reach stat(2) without a lookup', async function () {
    const d = new Dirents();
    const names: string[] = [];
    for (let len = 1; len <= 20; len++) names.push('e'.repeat(len));
    names.push('z'.repeat(255));
    names.forEach((name, i) => d.addEntry(name, {
      attr: { ino: 10 + i, mode: K.S_IFREG | 0o600, size: 1000 + i, uid: 7, gid: 8 }, attrTimeout: 60, entryTimeout: 60,
    }));
    const lookups: string[] = [];
    const r = await withMount((fuse) => {
      fuse.handle('getattr', (req) => ({ attr: { ino: req.ino, mode: K.S_IFDIR | 0o755 }, timeout: 0 }));
      fuse.handle('lookup', (req) => {
        lookups.push(req.nameKey);
        throw new FuseError('ENOENT');
      });
      fuse.handle('readdirplus', () => d);
    }, async (m) => py(`
import json, os, sys
names = sorted(os.listdir(sys.argv[1]))
print(json.dumps([[n, os.stat(os.path.join(sys.argv[1], n)).st_size, os.stat(os.path.join(sys.argv[1], n)).st_uid] for n in names]))
`, [m.dir]), { conn: { capabilities: { readdirplus: true, readdirplusAuto: false } } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), names.map((n, i) => [n, 1000 + i, 7]).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    assert.deepEqual(lookups, []);
  });
});
