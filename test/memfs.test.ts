// memfs on a real mount: the tricky parts of a tmpfs-like filesystem, checked through syscalls from
// a python child (as root, or as uid 1000 via setpriv for permission checks the kernel makes).
import { strict as assert } from 'node:assert';
import type { FuseOptions } from '../lib';
import { MemFs, type MemFsOptions, memfsOptions } from '../examples/memfs';
import { type MountedFixture, mountFixture, PY_ERRNO, sh } from './helpers';

const PY = '/usr/bin/python3';  // uid 1000 cannot read root's pyenv

// Helpers every client script has: E() answers a result or the errno name, st() the stat fields.
const PRELUDE = `
import os, sys, json, errno, ctypes, stat, struct, time
libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
libc.getxattr.restype = ctypes.c_ssize_t
libc.syscall.restype = ctypes.c_long
${PY_ERRNO}def C(r):
    if r < 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
    return r
def falloc(fd, mode, off, n): C(libc.fallocate(fd, mode, off, n))
def rename2(a, b, flags): C(libc.renameat2(-100, a.encode(), -100, b.encode(), flags))
def st(p):
    s = os.lstat(p)
    return dict(mode=s.st_mode, nlink=s.st_nlink, uid=s.st_uid, gid=s.st_gid, size=s.st_size, blocks=s.st_blocks,
                blksize=s.st_blksize, rdev=s.st_rdev, atime=s.st_atime_ns, mtime=s.st_mtime_ns, ctime=s.st_ctime_ns, ino=s.st_ino)
def getdents(fd, size=4096):
    buf = ctypes.create_string_buffer(size)
    n = C(libc.syscall(217, fd, buf, size))
    out, off = [], 0
    while off < n:
        ino, doff, reclen, typ = struct.unpack_from('QqHB', buf.raw, off)
        out.append((buf.raw[off + 19:off + reclen].split(b'\\0')[0].decode(), doff))
        off += reclen
    return out
def out(x): print(json.dumps(x))
`;

type Json = unknown;

/** Runs a client script in the mount (as root, or as uid/gid 1000 with groups 1000,1002); answers what it out()s. */
async function client(m: MountedFixture<MemFs>, code: string, as: 'root' | 'user' = 'root'): Promise<Json> {
  // The client changes into the mount itself: a spawn with cwd there would deadlock (libuv's
  // vfork-style spawn suspends this process, the one serving the mount, until the child execs).
  const script = `import os\nos.chdir(${JSON.stringify(m.dir)})\n${PRELUDE}${code}`;
  const r = as === 'user'
    ? await sh('setpriv', ['--reuid=1000', '--regid=1000', '--groups=1000,1002', PY, '-c', script])
    : await sh(PY, ['-c', script]);
  if (r.code !== 0) throw new Error(`client failed (${r.code}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Json;
}

function mountMemfs(options: MemFsOptions = {}, extra: FuseOptions = {}): Promise<MountedFixture<MemFs>> {
  return mountFixture('rxfuse-memfs-', new MemFs(options), { ...memfsOptions(), allowOther: true, ...extra });
}

describe('memfs', function () {
  this.timeout(30000);
  let m: MountedFixture<MemFs>;
  before(async () => {
    m = await mountMemfs();
  });
  after(async () => {
    await m?.unmount();
  });
  afterEach(() => {
    assert.deepEqual(m.errors.map((e) => `${e.kind} ${e.op}: ${String(e.cause)}`), []);
  });

  describe('sparse files', () => {
    it('a 1 TB hole costs no blocks and reads as zeros', async () => {
      const r = await client(m, `
fd = os.open('huge', os.O_CREAT | os.O_RDWR, 0o644)
before = os.statvfs('.').f_bfree
os.ftruncate(fd, 1 << 40)
os.pwrite(fd, b'x', 1 << 39)
s = os.fstat(fd)
out([s.st_size, s.st_blocks, before - os.statvfs('.').f_bfree, os.pread(fd, 6, (1 << 39) - 5).hex(), os.pread(fd, 3, (1 << 40) - 2).hex()])
`);
      assert.deepEqual(r, [2 ** 40, 8, 1, '000000000078', '0000']);
      assert.ok(m.fs.table.space.used < 16, 'only the written page is held');
    });

    it('random writes, truncates and punched holes read back like a byte-array model', async () => {
      const r = await client(m, `
import random
rnd = random.Random(7)
fd = os.open('model', os.O_CREAT | os.O_RDWR, 0o644)
model = bytearray()
bad = []
for i in range(300):
    op = rnd.random()
    if op < 0.6:
        off = rnd.randrange(0, 1 << 20); n = rnd.randrange(1, 300000)
        data = bytes([rnd.randrange(256)]) * n
        os.pwrite(fd, data, off)
        if len(model) < off + n: model.extend(bytes(off + n - len(model)))
        model[off:off + n] = data
    elif op < 0.8:
        size = rnd.randrange(0, 1 << 21)
        os.ftruncate(fd, size)
        if size < len(model): del model[size:]
        else: model.extend(bytes(size - len(model)))
    else:
        off = rnd.randrange(0, 1 << 21); n = rnd.randrange(1, 400000)
        falloc(fd, 3, off, n)
        end = min(off + n, len(model))
        if off < end: model[off:end] = bytes(end - off)
    if i % 10 == 0 or i == 299:
        got = os.pread(fd, len(model) + 10, 0)
        if got != bytes(model): bad.append(i)
out([bad, os.fstat(fd).st_size == len(model)])
`);
      assert.deepEqual(r, [[], true]);
    });

    it('reads spanning chunks with holes between them', async () => {
      const r = await client(m, `
fd = os.open('span', os.O_CREAT | os.O_RDWR, 0o644)
os.pwrite(fd, b'a' * 10, 262140)
os.pwrite(fd, b'b' * 10, 3 * 262144 - 5)
d = os.pread(fd, 4 * 262144, 0)
out([len(d), d[262140:262150].decode(), d.count(b'a'), d.count(b'b'), d[3 * 262144 - 5:].decode(), os.fstat(fd).st_blocks])
`);
      assert.deepEqual(r, [3 * 262144 + 5, 'aaaaaaaaaa', 10, 10, 'bbbbbbbbbb', 32]);
    });
  });

  describe('SEEK_DATA / SEEK_HOLE and fallocate', () => {
    it('finds data and holes page by page, ENXIO at and past EOF', async () => {
      const r = await client(m, `
fd = os.open('seek', os.O_CREAT | os.O_RDWR, 0o644)
os.pwrite(fd, b'x', 5000)
os.pwrite(fd, b'y', 300000)
os.ftruncate(fd, 400000)
sk = lambda off, w: E(os.lseek, fd, off, w)
out([sk(0, os.SEEK_DATA), sk(0, os.SEEK_HOLE), sk(4096, os.SEEK_HOLE), sk(8192, os.SEEK_DATA), sk(299000, os.SEEK_HOLE),
     sk(303104, os.SEEK_DATA), sk(303104, os.SEEK_HOLE), sk(400000, os.SEEK_DATA), sk(400000, os.SEEK_HOLE), sk(10**9, os.SEEK_HOLE)])
`);
      assert.deepEqual(r, [4096, 0, 8192, 299008, 299000, 'ENXIO', 303104, 'ENXIO', 'ENXIO', 'ENXIO']);
    });

    it('fallocate: default extends the size, KEEP_SIZE does not, fallocated pages stay holes until fallocated again', async () => {
      const r = await client(m, `
fd = os.open('fa', os.O_CREAT | os.O_RDWR, 0o644)
falloc(fd, 0, 0, 8192)
a = [os.fstat(fd).st_size, os.fstat(fd).st_blocks, E(os.lseek, fd, 0, os.SEEK_DATA)]
falloc(fd, 1, 0, 16384)
b = [os.fstat(fd).st_size, os.fstat(fd).st_blocks, E(os.lseek, fd, 0, os.SEEK_DATA), E(os.lseek, fd, 0, os.SEEK_HOLE)]
os.ftruncate(fd, 8192)
c = os.fstat(fd).st_blocks
out([a, b, c, os.pread(fd, 8192, 0) == bytes(8192)])
`);
      // The second fallocate made pages 0-1 data (uptodate in tmpfs); truncating to the same size
      // frees the KEEP_SIZE pages beyond EOF.
      assert.deepEqual(r, [[8192, 16, 'ENXIO'], [8192, 32, 0, 8192], 16, true]);
    });

    it('PUNCH_HOLE zeroes and frees whole pages; INSERT, COLLAPSE and PUNCH_HOLE without KEEP_SIZE are EOPNOTSUPP; fallocate moves mtime', async () => {
      const r = await client(m, `
fd = os.open('ph', os.O_CREAT | os.O_RDWR, 0o644)
os.write(fd, b'z' * 20000)
m0 = os.fstat(fd).st_mtime_ns
falloc(fd, 3, 100, 9000)
s = os.fstat(fd)
d = os.pread(fd, 20000, 0)
out([s.st_size, s.st_blocks, d[:100] == b'z' * 100, d[100:9100] == bytes(9000), d[9100:] == b'z' * 10900, s.st_mtime_ns > m0,
     E(falloc, fd, 32, 0, 4096), E(falloc, fd, 8, 0, 4096), E(falloc, fd, 2, 0, 4096)])
`);
      // Pages 0 and 2 are partly punched (kept), page 1 freed: 4 of 5 pages left.
      assert.deepEqual(r, [20000, 32, true, true, true, true, 'EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP']);
    });
  });

  describe('rename', () => {
    it('NOREPLACE, EXCHANGE and the rules for directories', async () => {
      const r = await client(m, `
os.mkdir('rn'); os.chdir('rn')
os.mkdir('d'); os.mkdir('d/sub'); os.mkdir('e'); os.mkdir('full'); open('full/x', 'w').close()
open('f', 'w').close(); open('g', 'w').close()
res = [E(rename2, 'f', 'g', 1), E(rename2, 'f', 'nope', 2), E(rename2, 'd', 'd/sub/x', 0), E(rename2, 'd', 'full', 0),
       E(rename2, 'd', 'f', 0), E(rename2, 'f', 'd', 0), E(rename2, 'f', 'g', 3)]
ino_f, ino_d = os.stat('f').st_ino, os.stat('d').st_ino
n0 = [os.stat('.').st_nlink, os.stat('e').st_nlink]
res.append(E(rename2, 'f', 'e/sub', 0))
res.append(E(rename2, 'd', 'e/sub', 2))
out([res, n0, [os.stat('.').st_nlink, os.stat('e').st_nlink], os.stat('e/sub').st_ino == ino_d, os.stat('d').st_ino == ino_f,
     os.stat('e/sub/sub').st_nlink, sorted(os.listdir('e/sub'))])
`);
      assert.deepEqual(r, [
        ['EEXIST', 'ENOENT', 'EINVAL', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR', 'EINVAL', 'ok', 'ok'],
        [5, 2], [4, 3], true, true, 2, ['sub'],
      ]);
    });

    it('replacing a target drops its link; the moved inode and both directories get new times', async () => {
      const r = await client(m, `
os.mkdir('rr'); os.chdir('rr'); os.mkdir('a'); os.mkdir('b')
open('a/src', 'w').close(); open('b/dst', 'w').close(); os.link('b/dst', 'keep')
time.sleep(0.01)
s0 = [st('a/src'), st('a'), st('b'), st('keep')]
os.rename('a/src', 'b/dst')
s1 = [st('b/dst'), st('a'), st('b'), st('keep')]
out([s1[0]['ino'] == s0[0]['ino'], s1[0]['ctime'] > s0[0]['ctime'], s1[0]['mtime'] == s0[0]['mtime'],
     s1[1]['mtime'] > s0[1]['mtime'], s1[2]['mtime'] > s0[2]['mtime'], s0[3]['nlink'], s1[3]['nlink'], s1[3]['ctime'] > s0[3]['ctime'],
     os.listdir('a')])
`);
      assert.deepEqual(r, [true, true, true, true, true, 2, 1, true, []]);
    });

    it('a renamed entry is listed first, as tmpfs lists newest first', async () => {
      const r = await client(m, `
os.mkdir('ord'); os.chdir('ord')
for n in 'abcde': open(n, 'w').close()
l0 = os.listdir('.')
os.rename('b', 'z'); l1 = os.listdir('.')
rename2('a', 'e', 2); l2 = os.listdir('.')
out([l0, l1, l2])
`);
      assert.deepEqual(r, [['e', 'd', 'c', 'b', 'a'], ['z', 'e', 'd', 'c', 'a'], ['e', 'a', 'z', 'd', 'c']]);
    });

    it('RENAME_WHITEOUT leaves a 0:0 character device at the old name', async () => {
      const r = await client(m, `
os.mkdir('wo'); os.chdir('wo')
open('a', 'w').close(); open('b', 'w').close()
rename2('a', 'c', 4)
s = st('a')
out([os.listdir('.'), stat.S_ISCHR(s['mode']), s['mode'] & 0o7777, s['rdev'], st('.')['nlink']])
`);
      assert.deepEqual(r, [['c', 'a', 'b'], true, 0, 0, 2]);
    });
  });

  describe('unlink and rmdir while open', () => {
    it('the data stays readable and writable through the fd and is freed after the last close', async () => {
      const before = m.fs.table.count;
      const r = await client(m, `
fd = os.open('gone', os.O_CREAT | os.O_RDWR, 0o644)
os.write(fd, b'q' * 100000)
free0 = os.statvfs('.').f_bfree
os.unlink('gone')
a = [os.fstat(fd).st_nlink, os.pread(fd, 4, 99996).decode(), E(os.stat, 'gone')]
os.pwrite(fd, b'w', 200000)
a.append(os.pread(fd, 1, 200000).decode())
os.close(fd)
out(a)
`);
      assert.deepEqual(r, [0, 'qqqq', 'ENOENT', 'w']);
      // The kernel forgets the inode after the close; the registry then fires released$.
      for (let i = 0; i < 50 && m.fs.table.count > before; i++) await new Promise((res) => setTimeout(res, 20));
      assert.equal(m.fs.table.count, before);
    });

    it('an open directory removed: fstat says nlink 0, getdents ENOENT', async () => {
      const r = await client(m, `
os.mkdir('rmd')
fd = os.open('rmd', os.O_RDONLY | os.O_DIRECTORY)
os.rmdir('rmd')
out([os.fstat(fd).st_nlink, E(getdents, fd)])
`);
      assert.deepEqual(r, [0, 'ENOENT']);
    });
  });

  describe('readdir', () => {
    it('entries removed and added during a listing: none skipped, none twice', async () => {
      const r = await client(m, `
import random
rnd = random.Random(3)
os.mkdir('big'); os.chdir('big')
names = ['f%04d' % i for i in range(2000)]
for n in names: open(n, 'w').close()
fd = os.open('.', os.O_RDONLY | os.O_DIRECTORY)
seen, removed, k = [], set(), 0
while True:
    batch = getdents(fd, 2048)
    if not batch: break
    seen += [n for n, _ in batch]
    for j in range(15):
        x = rnd.choice(names)
        if x not in removed and x not in seen:
            os.unlink(x); removed.add(x)
        open('new%05d' % k, 'w').close(); k += 1
kept = set(names) - removed
out([len(seen) - len(set(seen)), len(kept - set(seen)), len(removed) > 100, seen[:2]])
`);
      assert.deepEqual(r, [0, 0, true, ['.', '..']]);
    });

    it('seekdir to a saved cookie resumes at the same entry after the directory changed', async () => {
      const r = await client(m, `
os.mkdir('sd'); os.chdir('sd')
for i in range(50): open('e%02d' % i, 'w').close()
fd = os.open('.', os.O_RDONLY | os.O_DIRECTORY)
first = getdents(fd, 512)
cookie = first[-1][1]
rest = [n for n, _ in getdents(fd, 65536)]
os.unlink(rest[0]); open('late', 'w').close()
os.lseek(fd, cookie, 0)
again = [n for n, _ in getdents(fd, 65536)]
out([again == rest[1:], 'late' in [n for n, _ in first] + again])
`);
      assert.deepEqual(r, [true, false]);
    });
  });

  describe('xattrs', () => {
    it('create/replace flags, ENODATA, size probes and ERANGE, namespaces, descending list', async () => {
      const r = await client(m, `
open('xa', 'w').close()
os.setxattr('xa', 'user.b', b'1'); os.setxattr('xa', 'user.a', b''); os.setxattr('xa', 'trusted.t', b'x' * 300)
probe = libc.getxattr(b'xa', b'trusted.t', None, 0)
small = ctypes.create_string_buffer(10)
erange = [libc.getxattr(b'xa', b'trusted.t', small, 10), ctypes.get_errno()]
out([E(os.setxattr, 'xa', 'user.b', b'2', os.XATTR_CREATE), E(os.setxattr, 'xa', 'user.c', b'2', os.XATTR_REPLACE),
     E(os.getxattr, 'xa', 'user.none'), E(os.removexattr, 'xa', 'user.none'), E(os.setxattr, 'xa', 'user.', b'1'),
     E(os.setxattr, 'xa', 'os2.x', b'1'), E(os.setxattr, 'xa', 'user.big', b'v' * 70000), os.getxattr('xa', 'user.a').hex(),
     probe, erange, os.listxattr('xa')])
`);
      assert.deepEqual(r, ['EEXIST', 'ENODATA', 'ENODATA', 'ENODATA', 'EINVAL', 'EOPNOTSUPP', 'E2BIG', '', 300, [-1, 34],
        ['user.b', 'user.a', 'trusted.t']]);
    });

    it('trusted.* is hidden from and denied to an unprivileged user; setxattr moves ctime', async () => {
      await client(m, `
open('xu', 'w').close(); os.chmod('xu', 0o666); os.setxattr('xu', 'trusted.t', b'1'); os.setxattr('xu', 'user.u', b'1')
out(0)
`);
      const r = await client(m, `
c0 = st('xu')['ctime']
time.sleep(0.01)
a = [os.listxattr('xu'), E(os.getxattr, 'xu', 'trusted.t'), E(os.setxattr, 'xu', 'trusted.x', b'1'), E(os.setxattr, 'xu', 'user.v', b'2')]
out(a + [st('xu')['ctime'] > c0])
`, 'user');
      assert.deepEqual(r, [['user.u'], 'ENODATA', 'EPERM', 'ok', true]);
    });
  });

  describe('permissions and ownership', () => {
    it('an unprivileged write clears suid, and sgid when not in the group; a root write keeps them', async () => {
      await client(m, `
os.mkdir('perm'); os.chmod('perm', 0o777)
for n, mode in (('s1', 0o6777), ('s2', 0o2767), ('s3', 0o6777)):
    open('perm/' + n, 'w').close(); os.chmod('perm/' + n, mode)
fd = os.open('perm/s3', os.O_WRONLY); os.write(fd, b'root'); os.close(fd)
out(0)
`);
      await client(m, `
for n in ('s1', 's2'):
    fd = os.open('perm/' + n, os.O_WRONLY); os.write(fd, b'user'); os.close(fd)
out(0)
`, 'user');
      const r = await client(m, "out([oct(os.stat('perm/' + n).st_mode & 0o7777) for n in ('s1', 's2', 's3')])");
      assert.deepEqual(r, ['0o777', '0o767', '0o6777']);
    });

    it('chown clears suid; an unprivileged O_TRUNC open clears it too', async () => {
      const r = await client(m, `
open('perm/c1', 'w').close(); os.chmod('perm/c1', 0o4755); os.chown('perm/c1', 1000, 1000)
open('perm/c2', 'w').close(); os.chmod('perm/c2', 0o4777)
out([oct(os.stat('perm/c1').st_mode & 0o7777), os.stat('perm/c1').st_uid])
`);
      await client(m, "fd = os.open('perm/c2', os.O_WRONLY | os.O_TRUNC); os.close(fd); out(0)", 'user');
      const r2 = await client(m, "out(oct(os.stat('perm/c2').st_mode & 0o7777))");
      assert.deepEqual([r, r2], [['0o755', 1000], '0o777']);
    });

    it('a sticky directory: others may not remove or rename what they do not own', async () => {
      await client(m, `
os.mkdir('sticky'); os.chmod('sticky', 0o1777)
open('sticky/roots', 'w').close()
out(0)
`);
      const r = await client(m, `
open('sticky/mine', 'w').close()
out([E(os.unlink, 'sticky/roots'), E(os.rename, 'sticky/roots', 'sticky/x'), E(os.unlink, 'sticky/mine')])
`, 'user');
      assert.deepEqual(r, ['EPERM', 'EPERM', 'ok']);
    });

    it('new inodes belong to the caller, with its umask; a setgid directory hands down its group and the bit', async () => {
      await client(m, `
os.mkdir('own'); os.chmod('own', 0o777)
os.mkdir('own/sg'); os.chown('own/sg', 0, 1002); os.chmod('own/sg', 0o2777)
out(0)
`);
      const r = await client(m, `
os.umask(0o027)
open('own/f', 'w').close(); os.mkdir('own/d', 0o777); os.mkdir('own/sg/d'); open('own/sg/f', 'w').close()
out([[st(p)['uid'], st(p)['gid'], oct(st(p)['mode'] & 0o7777)] for p in ('own/f', 'own/d', 'own/sg/d', 'own/sg/f')])
`, 'user');
      assert.deepEqual(r, [[1000, 1000, '0o640'], [1000, 1000, '0o750'], [1000, 1002, '0o2750'], [1000, 1002, '0o640']]);
    });
  });

  describe('names, links, nodes', () => {
    it('ENAMETOOLONG past 255 bytes; link to a directory EPERM; directory nlink is 2 + subdirectories', async () => {
      const r = await client(m, `
os.mkdir('nm'); os.chdir('nm')
out([E(os.mkdir, 'a' * 255), E(os.mkdir, 'b' * 256), E(os.stat, 'c' * 256), E(os.link, 'a' * 255, 'l'),
     os.stat('.').st_nlink, E(os.rmdir, '.'), E(os.rmdir, 'a' * 255), os.stat('.').st_nlink])
`);
      assert.deepEqual(r, ['ok', 'ENAMETOOLONG', 'ENAMETOOLONG', 'EPERM', 3, 'EINVAL', 'ok', 2]);
    });

    it('hard links share the inode; unlink and link move its ctime and the directory mtime', async () => {
      const r = await client(m, `
os.mkdir('hl'); os.chdir('hl')
open('a', 'w').close(); s0 = st('a'); d0 = st('.')
time.sleep(0.01)
os.link('a', 'b'); s1 = st('a'); d1 = st('.')
time.sleep(0.01)
os.unlink('a'); s2 = st('b')
out([s1['nlink'], s1['ino'] == st('b')['ino'], s1['ctime'] > s0['ctime'], s1['mtime'] == s0['mtime'], d1['mtime'] > d0['mtime'],
     s2['nlink'], s2['ctime'] > s1['ctime']])
`);
      assert.deepEqual(r, [2, true, true, true, true, 1, true]);
    });

    it('symlinks, FIFOs and device nodes', async () => {
      const r = await client(m, `
os.mkdir('nodes'); os.chdir('nodes')
os.symlink('t' * 127, 'short'); os.symlink('t' * 200, 'long')
os.mkfifo('fifo'); os.mknod('chr', 0o600 | stat.S_IFCHR, os.makedev(1, 3)); os.mknod('sock', 0o600 | stat.S_IFSOCK)
pid = os.fork()
if pid == 0:
    fd = os.open('fifo', os.O_WRONLY); os.write(fd, b'through the fifo'); os._exit(0)
fd = os.open('fifo', os.O_RDONLY); got = os.read(fd, 100); os.waitpid(pid, 0)
out([os.readlink('long') == 't' * 200, st('short')['size'], st('short')['blocks'], st('long')['blocks'], got.decode(),
     stat.S_ISFIFO(st('fifo')['mode']), os.major(st('chr')['rdev']), os.minor(st('chr')['rdev']), stat.S_ISSOCK(st('sock')['mode'])])
`);
      assert.deepEqual(r, [true, 127, 0, 8, 'through the fifo', true, 1, 3, true]);
    });
  });

  describe('times', () => {
    it('utimensat with nanoseconds, UTIME_NOW and UTIME_OMIT; chmod moves only ctime; write mtime and ctime', async () => {
      const r = await client(m, `
open('tm', 'w').close()
os.utime('tm', ns=(1000000000123456789, 1100000000987654321))
a = st('tm')
os.utime('tm', ns=(5, 6))
class TS(ctypes.Structure): _fields_ = [('s', ctypes.c_long), ('ns', ctypes.c_long)]
arr = (TS * 2)(TS(0, (1 << 30) - 2), TS(0, (1 << 30) - 1))
C(libc.utimensat(-100, b'tm', arr, 0))
b = st('tm')
time.sleep(0.01)
os.chmod('tm', 0o600); c = st('tm')
time.sleep(0.01)
fd = os.open('tm', os.O_WRONLY); os.write(fd, b'x'); os.close(fd); d = st('tm')
out([a['atime'], a['mtime'], b['atime'], b['mtime'] > 10**18, c['mtime'] == b['mtime'], c['ctime'] > b['ctime'],
     d['mtime'] > c['mtime'], d['ctime'] == d['mtime'], d['atime'] == 5])
`);
      assert.deepEqual(r, [1000000000123456789, 1100000000987654321, 5, true, true, true, true, true, true]);
    });

    it('relatime: a read after a change moves atime once; O_TRUNC moves mtime even on an empty file', async () => {
      const r = await client(m, `
fd = os.open('ra', os.O_CREAT | os.O_RDWR, 0o644); os.write(fd, b'abc'); os.close(fd)
s0 = st('ra'); time.sleep(0.01)
fd = os.open('ra', os.O_RDONLY); os.read(fd, 10); os.close(fd); s1 = st('ra'); time.sleep(0.01)
fd = os.open('ra', os.O_RDONLY); os.read(fd, 10); os.close(fd); s2 = st('ra')
open('empty', 'w').close(); e0 = st('empty'); time.sleep(0.01)
fd = os.open('empty', os.O_WRONLY | os.O_TRUNC); os.close(fd); e1 = st('empty')
out([s1['atime'] > s0['atime'], s2['atime'] == s1['atime'], e1['mtime'] > e0['mtime'], e1['ctime'] > e0['ctime']])
`);
      assert.deepEqual(r, [true, true, true, true]);
    });
  });

  describe('statfs', () => {
    it('counts the blocks and inodes actually used', async () => {
      const r = await client(m, `
s0 = os.statvfs('.')
os.mkdir('sf'); open('sf/a', 'w').close(); os.link('sf/a', 'sf/b')
fd = os.open('sf/c', os.O_CREAT | os.O_WRONLY, 0o644); os.pwrite(fd, b'x' * 10000, 0); os.pwrite(fd, b'y', 10**9); os.close(fd)
s1 = os.statvfs('.')
out([s1.f_bsize, s1.f_namemax, s0.f_bfree - s1.f_bfree, s0.f_ffree - s1.f_ffree, s1.f_blocks == s0.f_blocks])
`);
      // 3 pages of c's first write + 1 far away; inodes: sf, a, its second name (as tmpfs counts), c.
      assert.deepEqual(r, [4096, 255, 4, 4, true]);
    });
  });
});

describe('memfs with a small budget and readdirplus always', function () {
  this.timeout(30000);
  let m: MountedFixture<MemFs>;
  before(async () => {
    m = await mountMemfs({ size: 256 * 1024, inodes: 20 }, { conn: { capabilities: { readdirplusAuto: false } } });
  });
  after(async () => {
    await m?.unmount();
  });
  afterEach(() => {
    assert.deepEqual(m.errors.map((e) => `${e.kind} ${e.op}: ${String(e.cause)}`), []);
  });

  it('ENOSPC: a write stops at the last page that fits, fallocate fails whole, space comes back', async () => {
    const r = await client(m, `
fd = os.open('fill', os.O_CREAT | os.O_RDWR, 0o644)
n = os.pwrite(fd, b'x' * 300000, 0)
a = [n, E(os.pwrite, fd, b'y', 400000), os.statvfs('.').f_bfree]
g = os.open('g', os.O_CREAT | os.O_RDWR, 0o644)
a.append(E(falloc, g, 0, 0, 8192)); a.append(os.fstat(g).st_size)
os.ftruncate(fd, 100000)
a.append(os.statvfs('.').f_bfree)
a.append(E(falloc, g, 0, 0, 8192)); a.append(os.fstat(g).st_blocks)
out(a)
`);
    assert.deepEqual(r, [262144, 'ENOSPC', 0, 'ENOSPC', 0, 39, 'ok', 16]);
  });

  it('ENOSPC when the inodes run out', async () => {
    const r = await client(m, `
os.mkdir('many')
res = [E(lambda i: open('many/%d' % i, 'w').close(), i) for i in range(25)]
out([res.count('ok'), res[-1]])
`);
    // 20 inodes: the root, fill, g and many are taken.
    assert.deepEqual(r, [16, 'ENOSPC']);
  });

  it('readdirplus listings: stable under changes, and the kernel learns each inode once per entry', async () => {
    const r = await client(m, `
for i in range(15):
    E(os.unlink, 'many/%d' % i)
for i in range(12): open('many/p%d' % i, 'w').close()
fd = os.open('many', os.O_RDONLY | os.O_DIRECTORY)
first = getdents(fd, 200)
os.unlink('many/p0'); open('many/q', 'w').close()
rest = []
while True:
    b = getdents(fd, 200)
    if not b: break
    rest += b
names = [n for n, _ in first + rest]
out([len(names) - len(set(names)), 'q' in names, sorted(n for n in names if n.startswith('p'))[:2], [st('many/' + n)['nlink'] for n in names if n.startswith('p')][:1]])
`);
    assert.deepEqual(r, [0, false, ['p1', 'p10'], [1]]);
    const s = m.fuse.stats();
    assert.ok(s.knownInodes > 1, 'readdirplus entries are counted');
  });
});

describe('memfs without default_permissions', function () {
  this.timeout(30000);
  let m: MountedFixture<MemFs>;
  before(async () => {
    m = await mountMemfs({}, { defaultPermissions: false });
  });
  after(async () => {
    await m?.unmount();
  });

  it('answers access() from the mode bits, owner, group and others (root: X needs an x bit)', async () => {
    await client(m, `
for n, mode, gid in (('own', 0o600, 0), ('grp', 0o640, 1002), ('oth', 0o604, 0), ('none', 0o600, 0)):
    open(n, 'w').close(); os.chmod(n, mode); os.chown(n, 1000 if n == 'own' else 0, gid)
out(0)
`);
    const user = await client(m, `
out([os.access(n, m) for n, m in (('own', os.R_OK | os.W_OK), ('own', os.X_OK), ('grp', os.R_OK), ('grp', os.W_OK),
                                  ('oth', os.R_OK), ('none', os.R_OK), ('none', os.F_OK))])
`, 'user');
    const root = await client(m, "out([os.access('none', os.R_OK | os.W_OK), os.access('none', os.X_OK), os.access('.', os.X_OK)])");
    assert.deepEqual([user, root], [[true, false, true, false, true, false, true], [true, false, true]]);
  });
});
