// examples/passthrough through real mounts: `rxfuse passthrough <src> <mnt> -o allow_other` runs as
// a child process (the command users run) and every client is a python3 or coreutils child process.
// Most tests run one script twice, on a directory through the mount and on a twin directory of the
// source used directly, and require the same results: return values, errnos, stat fields, listings,
// contents, xattrs. The source is ext4 (/tmp), so directory offsets are 64-bit hashes.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FuseErrorEvent } from '../lib';
import { Passthrough } from '../examples/passthrough/fs';
import { py, sh, until as pollUntil, withMount } from './helpers';
import { PassthroughServer } from './passthrough-server';

const PRELUDE = `
import os, sys, json, stat, errno, hashlib, ctypes, socket, random
libc = ctypes.CDLL(None, use_errno=True)
def out(v):
    print(json.dumps(v), flush=True)
def attempt(f, *a, **kw):
    try:
        r = f(*a, **kw)
        return 'ok' if r is None else r
    except OSError as e:
        return errno.errorcode[e.errno]
def lst(p):
    s = os.lstat(p)
    return dict(mode=s.st_mode, nlink=s.st_nlink, uid=s.st_uid, gid=s.st_gid, size=s.st_size, ino=s.st_ino,
                rdev=s.st_rdev, blocks=s.st_blocks, mtime=s.st_mtime_ns, ctime=s.st_ctime_ns)
def drop(groups=()):
    os.setgroups(list(groups)); os.setgid(65534); os.setuid(65534)
def sha(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        while True:
            b = f.read(1 << 20)
            if not b: break
            h.update(b)
    return h.hexdigest()
def tree(root, exact=True):
    root = os.fsencode(root); res = {}
    for dp, dns, fns in os.walk(root):
        for n in [None] + dns + fns:
            p = dp if n is None else os.path.join(dp, n)
            d = lst(p)
            if not exact:
                for k in ('ino', 'mtime', 'ctime', 'blocks'): del d[k]
            if stat.S_ISLNK(d['mode']): d['target'] = os.readlink(p).decode('latin1')
            elif stat.S_ISREG(d['mode']): d['sha'] = sha(p)
            elif stat.S_ISDIR(d['mode']): d['list'] = sorted(x.decode('latin1') for x in os.listdir(p))
            res[os.path.relpath(p, root).decode('latin1')] = d
    return res
def xattrs(p):
    return {n: os.getxattr(p, n, follow_symlinks=False).hex() for n in sorted(os.listxattr(p, follow_symlinks=False))}
AT_FDCWD = -100
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
def renameat2(a, b, flags):
    if libc.renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), flags) < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
def fallocate(fd, mode, off, length):
    if libc.fallocate(fd, mode, off, length) < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
def lchmod(p, mode):
    # fchmodat2 (kernel 6.6) with AT_SYMLINK_NOFOLLOW: glibc's fchmodat would answer without a syscall
    if libc.syscall(452, AT_FDCWD, os.fsencode(p), mode, 0x100) < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
class Timespec(ctypes.Structure):
    _fields_ = [('sec', ctypes.c_long), ('nsec', ctypes.c_long)]
def utimens(p, a, m):
    # utimensat with UTIME_OMIT ('omit') and UTIME_NOW ('now') for either time
    t = (Timespec * 2)()
    for i, v in enumerate((a, m)):
        t[i] = Timespec(0, (1 << 30) - 2) if v == 'omit' else Timespec(0, (1 << 30) - 1) if v == 'now' else Timespec(v // 10**9, v % 10**9)
    if libc.utimensat(AT_FDCWD, os.fsencode(p), t, 0) < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
d = sys.argv[1] if len(sys.argv) > 1 else None
`;

interface Py {
  code: number;
  stdout: string;
  stderr: string;
}

async function pyJson<T = unknown>(code: string, ...args: string[]): Promise<T> {
  const r: Py = await py(PRELUDE + code, args);
  assert.equal(r.code, 0, `python failed (${r.code}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

const until = (what: string, pred: () => boolean | Promise<boolean>, ms = 10000): Promise<void> => pollUntil(what, pred, ms, undefined, 50);

describe('passthrough example: a source directory mirrored through a real mount', function () {
  this.timeout(60000);
  let base: string;
  let src: string;
  let mnt: string;
  let server: PassthroughServer | undefined;
  let n = 0;
  /** This test's directory: through the mount, and its twin in the source used directly. */
  let m: string;
  let direct: string;

  before(async function () {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-pt-'));
    fs.chmodSync(base, 0o755);
    src = path.join(base, 'a', 'src');
    mnt = path.join(base, 'b', 'c', 'mnt');
    fs.mkdirSync(src, { recursive: true });
    fs.mkdirSync(mnt, { recursive: true });
    for (const d of [path.join(base, 'a'), path.join(base, 'b'), path.join(base, 'b', 'c'), src]) fs.chmodSync(d, 0o755);
    server = await PassthroughServer.start(src, mnt, ['-o', 'allow_other']);
  });

  after(async function () {
    await server?.stop(mnt);
    fs.rmSync(base, { recursive: true, force: true });
  });

  beforeEach(async function () {
    n++;
    for (const d of [`t${n}`, `t${n}-direct`]) await fsp.mkdir(path.join(src, d), { mode: 0o755 });
    await fsp.chmod(path.join(src, `t${n}`), 0o777);
    await fsp.chmod(path.join(src, `t${n}-direct`), 0o777);
    m = path.join(mnt, `t${n}`);
    direct = path.join(src, `t${n}-direct`);
  });

  afterEach(function () {
    assert.deepEqual(server?.failures(), [], 'the server reported handler failures');
  });

  /** The source directory behind `m`. */
  const source = (): string => path.join(src, `t${n}`);

  /** Runs `setup` (as root, on the source) for both twins, then `action` on each; returns both results. */
  async function twins<T>(setup: string, action: string): Promise<[T, T]> {
    await pyJson(setup + '\nout(0)', source());
    await pyJson(setup + '\nout(0)', direct);
    const viaMount = await pyJson<T>(action, m);
    const onSource = await pyJson<T>(action, direct);
    return [viaMount, onSource];
  }

  /** The trees of both twins' source directories, without inode numbers and times. */
  async function sameShape(): Promise<void> {
    const a = await pyJson<Record<string, unknown>>('out(tree(d, exact=False))', source());
    const b = await pyJson<Record<string, unknown>>('out(tree(d, exact=False))', direct);
    delete a['.'];
    delete b['.'];
    assert.deepEqual(a, b);
  }

  describe('contents and attributes', function () {
    it('lists and stats every kind of file exactly as the source, inode numbers and nanosecond times included', async function () {
      await pyJson(`
os.chdir(d)
open('plain', 'w').write('hello\\n')
open('empty', 'w').close()
for name, mode in (('secret', 0o600), ('suid', 0o4755), ('ro', 0o444)):
    open(name, 'w').write(name)
    os.chmod(name, mode)
os.chown('secret', 1234, 5678)
os.mkdir('dir', 0o700); open('dir/inner', 'w').write('x' * 5000)
os.symlink('/etc', 'abs'); os.symlink('../..', 'up'); os.symlink('nowhere', 'dangling')
os.symlink(b'\\xff\\xfe-target', b'binary-link')
os.link('plain', 'hard')
os.mkfifo('fifo', 0o640)
os.mknod('null', 0o600 | stat.S_IFCHR, os.makedev(1, 3))
s = socket.socket(socket.AF_UNIX); s.bind('sock'); s.close()
open(b'\\xe9t\\xe9 \\n name', 'w').write('latin1')
f = open('sparse', 'wb'); f.seek(10 << 20); f.write(b'end'); f.close()
os.utime('plain', ns=(1, 123456789))
out(0)`, source());
      const viaMount = await pyJson<Record<string, Record<string, unknown>>>('out(tree(d))', m);
      const onSource = await pyJson<Record<string, Record<string, unknown>>>('out(tree(d))', source());
      assert.ok(Object.keys(viaMount).length >= 17);
      assert.deepEqual(viaMount, onSource);
      assert.equal(viaMount['plain'].ino, viaMount['hard'].ino);
      assert.equal(viaMount['binary-link'].target, '\xff\xfe-target');
    });

    it('hard links are one inode: one number through the mount, nlink counts both, a write through one shows through the other', async function () {
      const r = await pyJson<{ ino: number[]; nlink: number[]; text: string; src: number }>(`
open(d + '/a', 'w').write('one')
os.link(d + '/a', d + '/b')
os.mkdir(d + '/sub'); os.link(d + '/a', d + '/sub/c')
with open(d + '/sub/c', 'r+') as f: f.write('ONE')
out(dict(ino=[os.stat(d + p).st_ino for p in ('/a', '/b', '/sub/c')], nlink=[os.stat(d + p).st_nlink for p in ('/a', '/b', '/sub/c')],
         text=open(d + '/b').read(), src=os.stat(sys.argv[2] + '/a').st_ino))`, m, source());
      assert.equal(new Set(r.ino).size, 1);
      assert.deepEqual(r.nlink, [3, 3, 3]);
      assert.equal(r.text, 'ONE');
      assert.equal(r.ino[0], r.src);
      assert.equal(fs.readFileSync(path.join(source(), 'sub', 'c'), 'utf8'), 'ONE');
    });

    it('files created and written through the mount are in the source, with the caller\'s umask and mode', async function () {
      const [a, b] = await twins<unknown>('', `
os.umask(0o027)
fd = os.open(d + '/new', os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o666)
os.write(fd, b'abc'); os.close(fd)
fd = os.open(d + '/new', os.O_WRONLY | os.O_APPEND); os.write(fd, b'def'); os.close(fd)
excl = attempt(os.open, d + '/new', os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
fd = os.open(d + '/new', os.O_RDWR | os.O_TRUNC); os.pwrite(fd, b'xyz', 5); os.fsync(fd); os.fdatasync(fd); os.close(fd)
os.mkdir(d + '/dir', 0o777)
s = lst(d + '/new')
out(dict(excl=excl, data=open(d + '/new', 'rb').read().hex(), mode=oct(s['mode']), dir=oct(lst(d + '/dir')['mode']), uid=s['uid']))`);
      assert.deepEqual(a, b);
      assert.deepEqual(a, { excl: 'EEXIST', data: '00000000007879' + '7a', mode: '0o100640', dir: '0o40750', uid: 0 });
      await sameShape();
    });

    it('mkdir, rmdir, unlink and their errors (ENOTEMPTY, EEXIST, ENOENT, ENOTDIR, EISDIR, ENAMETOOLONG) as on the source', async function () {
      const [a, b] = await twins<unknown[]>(`
os.mkdir(d + '/full'); open(d + '/full/f', 'w').close(); open(d + '/file', 'w').close(); os.mkdir(d + '/empty')`, `
out([attempt(os.rmdir, d + '/full'), attempt(os.mkdir, d + '/file'), attempt(os.rmdir, d + '/missing'),
     attempt(os.mkdir, d + '/file/x'), attempt(os.unlink, d + '/empty'), attempt(os.rmdir, d + '/file'),
     attempt(open, d + '/' + 'n' * 256, 'w'), attempt(os.mkdir, d + '/' + 'n' * 255), attempt(os.unlink, d + '/full/f'),
     attempt(os.rmdir, d + '/full'), attempt(os.rmdir, d + '/empty'), attempt(os.rmdir, d + '/' + 'n' * 255),
     attempt(os.unlink, d + '/file'), sorted(os.listdir(d))])`);
      assert.deepEqual(a, b);
      assert.deepEqual(a.slice(0, 6), ['ENOTEMPTY', 'EEXIST', 'ENOENT', 'ENOTDIR', 'EISDIR', 'ENOTDIR']);
      assert.deepEqual(a[a.length - 1], []);
    });

    it('rename: replace, RENAME_NOREPLACE, RENAME_EXCHANGE, across directories, a directory over an empty one', async function () {
      const [a, b] = await twins<unknown[]>(`
os.mkdir(d + '/x'); os.mkdir(d + '/y'); os.mkdir(d + '/y/empty'); os.mkdir(d + '/full'); open(d + '/full/f', 'w').close()
for n in ('a', 'b', 'c'): open(d + '/' + n, 'w').write(n)`, `
r = [attempt(os.rename, d + '/a', d + '/b'), attempt(renameat2, d + '/b', d + '/c', 1), attempt(renameat2, d + '/b', d + '/c', 2),
     attempt(os.rename, d + '/c', d + '/x/c2'), attempt(os.rename, d + '/x', d + '/y/empty'), attempt(os.rename, d + '/y', d + '/full'),
     attempt(renameat2, d + '/full', d + '/y', 2), attempt(os.rename, d + '/missing', d + '/z')]
out(r + [tree(d, exact=False)])`);
      assert.deepEqual(a, b);
      assert.deepEqual(a.slice(0, 8), ['ok', 'EEXIST', 'ok', 'ok', 'ok', 'ENOTEMPTY', 'ok', 'ENOENT']);
    });

    it('link, symlink (non-UTF-8 target), mkfifo and mknod of a device, as on the source', async function () {
      const [a, b] = await twins<unknown[]>(`open(d + '/f', 'w').write('f')`, `
r = [attempt(os.link, d + '/f', d + '/f2'), attempt(os.link, d + '/f', d + '/f2'), attempt(os.symlink, b'\\x80\\xff/../x', os.fsencode(d) + b'/s'),
     attempt(os.link, d + '/s', d + '/s2', follow_symlinks=False), attempt(os.mkfifo, d + '/p', 0o620),
     attempt(os.mknod, d + '/zero', 0o640 | stat.S_IFCHR, os.makedev(1, 5)), attempt(os.mknod, d + '/reg', 0o600 | stat.S_IFREG),
     attempt(os.symlink, 'x', d + '/f'), attempt(os.link, d, d + '/dirlink')]
out(r + [tree(d, exact=False), os.readlink(os.fsencode(d) + b'/s2').hex()])`);
      assert.deepEqual(a, b);
      assert.deepEqual(a.slice(0, 9), ['ok', 'EEXIST', 'ok', 'ok', 'ok', 'ok', 'ok', 'EEXIST', 'EPERM']);
    });

    it('chmod, chown, utimens with nanoseconds and UTIME_OMIT, truncate and ftruncate land in the source', async function () {
      const [a, b] = await twins<unknown[]>(`open(d + '/f', 'w').write('0123456789'); os.symlink('f', d + '/l')`, `
os.chmod(d + '/f', 0o2751); os.chown(d + '/f', 42, 43)
os.utime(d + '/f', ns=(1000000000123, 2000000000456))
utimens(d + '/f', 'omit', 3000000000789)
t1 = os.stat(d + '/f')
utimens(d + '/f', 5000000000001, 'omit')
t2 = os.stat(d + '/f')
utimens(d + '/f', 'now', 'omit')
t3 = os.stat(d + '/f')
os.truncate(d + '/f', 4)
fd = os.open(d + '/f', os.O_RDWR); os.ftruncate(fd, 6); os.fchmod(fd, 0o640); os.fchown(fd, 44, -1); os.close(fd)
s = os.stat(d + '/f')
out([oct(s.st_mode), s.st_uid, s.st_gid, s.st_size, [t1.st_atime_ns, t1.st_mtime_ns], [t2.st_atime_ns, t2.st_mtime_ns],
     t3.st_mtime_ns, t3.st_atime_ns > t2.st_atime_ns, open(d + '/f', 'rb').read().hex(),
     attempt(lchmod, d + '/l', 0o600), attempt(os.truncate, d + '/missing', 0)])`);
      assert.deepEqual(a, b);
      assert.deepEqual(a.slice(0, 9), ['0o100640', 44, 43, 6, [1000000000123, 3000000000789], [5000000000001, 3000000000789], 3000000000789, true, '303132330000']);
    });

    it('8 MiB written through the mount, and written in the source, read back with equal checksums', async function () {
      const r = await pyJson<string[]>(`
rnd = random.Random(7)
data = bytes(rnd.getrandbits(8) for _ in range(1 << 20)) * 8
with open(d + '/viam', 'wb') as f:
    for i in range(0, len(data), 300000): f.write(data[i:i + 300000])
with open(sys.argv[2] + '/vias', 'wb') as f: f.write(data[::-1])
fd = os.open(d + '/vias', os.O_RDONLY)
chunks = [os.pread(fd, 70001, off) == data[::-1][off:off + 70001] for off in (0, 1, 4095, 131072, 3333333, len(data) - 5)]
os.close(fd)
out([hashlib.sha256(data).hexdigest(), sha(sys.argv[2] + '/viam'), sha(d + '/viam'),
     hashlib.sha256(data[::-1]).hexdigest(), sha(d + '/vias'), str(all(chunks))])`, m, source());
      assert.equal(r[0], r[1]);
      assert.equal(r[0], r[2]);
      assert.equal(r[3], r[4]);
      assert.equal(r[5], 'True');
    });

    it('xattrs: set, get, list and remove through the mount and in the source; size probe, ERANGE, CREATE, REPLACE', async function () {
      const [a, b] = await twins<unknown[]>(`open(d + '/f', 'w').close(); os.setxattr(d + '/f', 'user.pre', b'\\x00\\x01')`, `
f = d + '/f'
r = [attempt(os.setxattr, f, 'user.a', b'value'), attempt(os.setxattr, f, 'user.a', b'v', os.XATTR_CREATE),
     attempt(os.setxattr, f, 'user.none', b'v', os.XATTR_REPLACE), attempt(os.setxattr, f, 'user.e', b''),
     attempt(os.setxattr, f, 'trusted.t', b'T' * 3000), xattrs(f), attempt(os.getxattr, f, 'user.missing'),
     attempt(os.removexattr, f, 'user.a'), attempt(os.removexattr, f, 'user.a')]
buf = ctypes.create_string_buffer(64)
r.append(libc.getxattr(os.fsencode(f), b'user.pre', None, 0))
r.append([libc.getxattr(os.fsencode(f), b'trusted.t', buf, 64), errno.errorcode[ctypes.get_errno()]])
r.append(libc.listxattr(os.fsencode(f), None, 0))
r.append([libc.listxattr(os.fsencode(f), buf, 3), errno.errorcode[ctypes.get_errno()]])
out(r + [xattrs(f)])`);
      assert.deepEqual(a, b);
      assert.deepEqual(a.slice(0, 5), ['ok', 'EEXIST', 'ENODATA', 'ok', 'ok']);
      assert.deepEqual(a.slice(9, 13), [2, [-1, 'ERANGE'], 'user.pre\0user.e\0trusted.t\0'.length, [-1, 'ERANGE']]);
      const inSource = await pyJson<Record<string, string>>(`out(xattrs(d + '/f'))`, source());
      assert.deepEqual(inSource, (a[a.length - 1] as Record<string, string>));
    });

    it('fallocate (default, KEEP_SIZE, PUNCH_HOLE) and SEEK_DATA/SEEK_HOLE report the source\'s holes', async function () {
      const [a, b] = await twins<unknown[]>('', `
fd = os.open(d + '/s', os.O_CREAT | os.O_RDWR, 0o644)
os.pwrite(fd, b'x' * 8192, 1 << 20); os.pwrite(fd, b'y' * 4096, 0); os.fsync(fd)
r = [os.lseek(fd, 0, os.SEEK_DATA), os.lseek(fd, 0, os.SEEK_HOLE), os.lseek(fd, 4096, os.SEEK_DATA), os.lseek(fd, (1 << 20) + 10, os.SEEK_HOLE),
     attempt(os.lseek, fd, (1 << 20) + 8192, os.SEEK_DATA)]
fallocate(fd, 1 | 2, (1 << 20), 4096)
r += [os.lseek(fd, 4096, os.SEEK_DATA), os.fstat(fd).st_size, os.pread(fd, 4, 1 << 20).hex()]
fallocate(fd, 1, 4 << 20, 65536); r.append(os.fstat(fd).st_size)
fallocate(fd, 0, 4 << 20, 65536); r.append(os.fstat(fd).st_size)
os.posix_fallocate(fd, 8 << 20, 4096); r.append(os.fstat(fd).st_size)
r.append(attempt(fallocate, fd, 0x40, 0, 4096))
os.close(fd)
out(r)`);
      assert.deepEqual(a, b);
      assert.deepEqual(a.slice(0, 5), [0, 4096, (1 << 20), (1 << 20) + 8192, 'ENXIO']);
      assert.deepEqual(a.slice(5, 8), [(1 << 20) + 4096, (1 << 20) + 8192, '00000000']);
    });

    it('copy_file_range and statfs go to the source', async function () {
      const r = await pyJson<{ copied: number; same: boolean; vfs: number[][] }>(`
open(d + '/in', 'wb').write(bytes(range(256)) * 1000)
i = os.open(d + '/in', os.O_RDONLY); o = os.open(d + '/out', os.O_CREAT | os.O_WRONLY, 0o644)
n = 0
while n < 200000:
    k = os.copy_file_range(i, o, 200000 - n, 1000 + n, n)
    if k == 0: break
    n += k
os.close(i); os.close(o)
a, b = os.statvfs(d), os.statvfs(sys.argv[2])
out(dict(copied=n, same=open(sys.argv[2] + '/out', 'rb').read() == (bytes(range(256)) * 1000)[1000:201000],
         vfs=[[a.f_bsize, a.f_frsize, a.f_blocks, a.f_files, a.f_namemax], [b.f_bsize, b.f_frsize, b.f_blocks, b.f_files, b.f_namemax]]))`, m, source());
      assert.equal(r.copied, 200000);
      assert.ok(r.same);
      assert.deepEqual(r.vfs[0], r.vfs[1]);
    });

    it('a file unlinked while open stays readable and writable through its fd', async function () {
      const r = await pyJson<unknown[]>(`
fd = os.open(d + '/f', os.O_CREAT | os.O_RDWR, 0o600)
os.write(fd, b'before'); os.unlink(d + '/f')
gone = os.path.exists(sys.argv[2] + '/f')
os.pwrite(fd, b'AFTER', 6); st = os.fstat(fd)
out([gone, os.pread(fd, 100, 0).decode(), st.st_nlink, st.st_size, attempt(os.stat, d + '/f')])`, m, source());
      assert.deepEqual(r, [false, 'beforeAFTER', 0, 11, 'ENOENT']);
    });
  });

  describe('directories', function () {
    it('2000 entries with non-UTF-8 names list completely, over many readdir requests, plain and plus', async function () {
      await pyJson(`
for i in range(2000): open(os.fsencode(d) + b'/f%04d-\\xe9' % i + b'x' * (i % 50), 'w').close()
out(0)`, source());
      const viaMount = await pyJson<string[]>('out(sorted(x.hex() for x in os.listdir(os.fsencode(d))))', m);
      const onSource = await pyJson<string[]>('out(sorted(x.hex() for x in os.listdir(os.fsencode(d))))', source());
      assert.equal(viaMount.length, 2000);
      assert.deepEqual(viaMount, onSource);
      const ls = await sh('ls', ['-f', '-i', m]);
      const lsSrc = await sh('ls', ['-f', '-i', source()]);
      assert.equal(ls.code, 0, ls.stderr);
      const lines = (s: string): string[] => s.trim().split('\n').map((l) => l.trim()).filter((l) => !/ \.\.?$/.test(l)).sort();
      assert.deepEqual(lines(ls.stdout), lines(lsSrc.stdout));
      const long = await sh('ls', ['-l', '--time-style=full-iso', m]);
      const longSrc = await sh('ls', ['-l', '--time-style=full-iso', source()]);
      assert.equal(long.stdout.split('\n').length, 2002);
      assert.deepEqual(long.stdout.split('\n').slice(1), longSrc.stdout.split('\n').slice(1));
    });

    it('entries removed during a listing: none listed twice, none of the others skipped', async function () {
      await pyJson(`
for i in range(600): open(d + '/e%03d' % i, 'w').close()
out(0)`, source());
      const r = await pyJson<{ seen: number; dup: number; left: string[] }>(`
seen = []
with os.scandir(d) as it:
    for e in it:
        seen.append(e.name)
        if len(seen) % 2 == 0: os.unlink(e.path)
left = sorted(os.listdir(d))
out(dict(seen=len(seen), dup=len(seen) - len(set(seen)), left=left))`, m);
      assert.equal(r.dup, 0);
      assert.equal(r.seen, 600);
      assert.equal(r.left.length, 300);
    });

    it('telldir/seekdir resume at the same entry, also after new entries were added', async function () {
      await pyJson(`
for i in range(400): open(d + '/s%03d' % i, 'w').close()
out(0)`, source());
      const r = await pyJson<{ first: string[]; again: string[]; changed: string[]; rest: number }>(`
class Dirent(ctypes.Structure):
    _fields_ = [('d_ino', ctypes.c_uint64), ('d_off', ctypes.c_int64), ('d_reclen', ctypes.c_ushort), ('d_type', ctypes.c_ubyte), ('d_name', ctypes.c_char * 256)]
libc.opendir.restype = ctypes.c_void_p; libc.readdir.restype = ctypes.POINTER(Dirent); libc.readdir.argtypes = [ctypes.c_void_p]
libc.telldir.restype = ctypes.c_long; libc.telldir.argtypes = [ctypes.c_void_p]; libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
libc.closedir.argtypes = [ctypes.c_void_p]
def names(dp, k):
    res = []
    for _ in range(k):
        e = libc.readdir(dp)
        if not e: break
        res.append(e.contents.d_name.decode())
    return res
dp = libc.opendir(os.fsencode(d))
names(dp, 150)
pos = libc.telldir(dp)
first = names(dp, 100)
libc.seekdir(dp, pos)
again = names(dp, 100)
for i in range(50): open(sys.argv[2] + '/new%02d' % i, 'w').close()
libc.seekdir(dp, pos)
changed = names(dp, 100)
rest = len(names(dp, 10000))
libc.closedir(dp)
out(dict(first=first, again=again, changed=changed, rest=rest))`, m, source());
      assert.equal(r.first.length, 100);
      assert.deepEqual(r.again, r.first);
      // New names may show up in the source's hash order; every old one is where it was.
      const old = r.changed.filter((x) => !x.startsWith('new'));
      assert.deepEqual(old, r.first.slice(0, old.length));
      assert.ok(old.length >= 50, `${old.length} old names after the seek`);
      assert.ok(r.rest + r.changed.length >= 250 && r.rest + r.changed.length <= 300, `rest of the listing: ${r.rest}`);
    });
  });

  describe('symlinks never lead out of the source', function () {
    it('links to /etc and ../.. read back as stored; the client resolves them in its own view of the mount', async function () {
      fs.writeFileSync(path.join(base, 'a', 'marker'), 'source side');
      fs.writeFileSync(path.join(base, 'b', 'c', 'marker'), 'client side');
      await fsp.symlink('/etc', path.join(source(), 'etc'));
      await fsp.symlink('../..', path.join(source(), 'up'));
      const r = await pyJson<unknown[]>(`
out([os.readlink(d + '/etc'), os.readlink(d + '/up'), stat.S_ISLNK(os.lstat(d + '/up').st_mode),
     open(d + '/up/marker').read(), os.path.realpath(d + '/up'), os.path.exists(d + '/etc/hostname') == os.path.exists('/etc/hostname')])`, m);
      assert.deepEqual(r, ['/etc', '../..', true, 'client side', path.join(base, 'b', 'c'), true]);
    });

    it('operations on a symlink through the mount change the link, never the target outside the source', async function () {
      const outside = path.join(base, `outside${n}`);
      fs.mkdirSync(outside);
      fs.writeFileSync(path.join(outside, 't'), 'untouched');
      fs.utimesSync(path.join(outside, 't'), 1000, 1000);
      await fsp.symlink(path.join(outside, 't'), path.join(source(), 'l'));
      await fsp.symlink(outside, path.join(source(), 'dl'));
      const before = await pyJson<unknown>(`out([lst(d + '/t'), xattrs(d + '/t'), sorted(os.listdir(d))])`, outside);
      const r = await pyJson<unknown[]>(`
l = d + '/l'
r = [attempt(os.chown, l, 4242, 4343, follow_symlinks=False), attempt(os.utime, l, ns=(5, 6), follow_symlinks=False),
     attempt(os.setxattr, l, 'trusted.mine', b'link', follow_symlinks=False), attempt(lchmod, l, 0o600),
     attempt(os.link, l, d + '/l2', follow_symlinks=False), attempt(os.rename, d + '/l2', d + '/l3'), attempt(os.unlink, d + '/l3'),
     attempt(os.rename, d + '/dl', d + '/dl2'), attempt(os.unlink, d + '/dl2')]
s = os.lstat(l)
out(r + [s.st_uid, s.st_gid, s.st_mtime_ns, os.getxattr(l, 'trusted.mine', follow_symlinks=False).decode(), os.readlink(l)])`, m);
      assert.deepEqual(r, ['ok', 'ok', 'ok', 'ENOTSUP', 'ok', 'ok', 'ok', 'ok', 'ok', 4242, 4343, 6, 'link', path.join(outside, 't')]);
      const after = await pyJson<unknown>(`out([lst(d + '/t'), xattrs(d + '/t'), sorted(os.listdir(d))])`, outside);
      assert.deepEqual(after, before);
      const inSource = fs.lstatSync(path.join(source(), 'l'));
      assert.deepEqual([inSource.uid, inSource.gid, inSource.isSymbolicLink()], [4242, 4343, true]);
    });
  });

  describe('an unprivileged caller (uid 65534) meets the source\'s permissions', function () {
    const SETUP = `
os.umask(0)
open(d + '/secret', 'w').write('s'); os.chmod(d + '/secret', 0o600)
open(d + '/readonly', 'w').write('r'); os.chmod(d + '/readonly', 0o644)
open(d + '/shared', 'w').write('w'); os.chmod(d + '/shared', 0o666)
os.mkdir(d + '/closed', 0o755); os.mkdir(d + '/private', 0o700); open(d + '/private/x', 'w').close()
os.mkdir(d + '/open', 0o777)
os.mkdir(d + '/sticky', 0o777); os.chmod(d + '/sticky', 0o1777); open(d + '/sticky/roots', 'w').close(); os.chmod(d + '/sticky/roots', 0o666)
os.mkdir(d + '/sgid'); os.chown(d + '/sgid', 0, 4242); os.chmod(d + '/sgid', 0o2777)
os.mkdir(d + '/group'); os.chown(d + '/group', 0, 4343); os.chmod(d + '/group', 0o770)
open(d + '/setid', 'w').write('x'); os.chmod(d + '/setid', 0o6777)
os.setxattr(d + '/shared', 'trusted.t', b'hidden'); os.setxattr(d + '/shared', 'user.u', b'seen')`;

    it('reads, writes, creations, removals and attribute changes fail and succeed as on the source', async function () {
      const [a, b] = await twins<unknown[]>(SETUP, `
drop([4343])
r = [attempt(lambda: open(d + '/secret').read()), attempt(lambda: open(d + '/readonly', 'a').write('x')),
     attempt(lambda: open(d + '/readonly').read()), attempt(lambda: open(d + '/shared', 'a').write('x')),
     attempt(os.mkdir, d + '/closed/x'), attempt(os.listdir, d + '/private'), attempt(os.stat, d + '/private/x'),
     attempt(os.unlink, d + '/sticky/roots'), attempt(os.rename, d + '/sticky/roots', d + '/sticky/moved'),
     attempt(os.chmod, d + '/readonly', 0o777), attempt(os.chown, d + '/shared', 65534, -1),
     attempt(os.utime, d + '/shared', ns=(1, 2)), attempt(os.utime, d + '/shared', None),
     attempt(os.mkdir, d + '/open/mine', 0o755), attempt(lambda: open(d + '/open/file', 'w').write('m')),
     attempt(os.mkdir, d + '/sgid/in', 0o755), attempt(os.symlink, 'x', d + '/sgid/ln'), attempt(os.mkfifo, d + '/open/fifo'),
     attempt(os.mkdir, d + '/group/g'), attempt(os.chown, d + '/open/file', -1, 4343), attempt(os.chown, d + '/open/file', -1, 0),
     attempt(os.setxattr, d + '/shared', 'user.x', b'1'), attempt(os.setxattr, d + '/readonly', 'user.x', b'1'),
     attempt(os.setxattr, d + '/open/file', 'trusted.x', b'1'), attempt(os.access, d + '/secret', os.R_OK),
     attempt(os.access, d + '/shared', os.W_OK), sorted(os.listxattr(d + '/shared')),
     libc.listxattr(os.fsencode(d + '/shared'), None, 0), attempt(os.getxattr, d + '/shared', 'trusted.t')]
out(r)`);
      assert.deepEqual(a, b);
      assert.deepEqual(a.slice(0, 5), ['EACCES', 'EACCES', 'r', 1, 'EACCES']);
      assert.equal(a[7], 'EPERM');
      assert.deepEqual(a.slice(-3), [['user.u', 'user.x'], 'user.u\0user.x\0'.length, 'ENODATA']);
      await sameShape();
      const made = fs.statSync(path.join(source(), 'open', 'mine'));
      assert.deepEqual([made.uid, made.gid], [65534, 65534]);
      const sg = fs.statSync(path.join(source(), 'sgid', 'in'));
      assert.deepEqual([sg.uid, sg.gid, sg.mode & 0o2000], [65534, 4242, 0o2000]);
      assert.equal(fs.statSync(path.join(source(), 'group', 'g')).uid, 65534);
    });

    it('a write, a truncate and a chown by the caller clear set-id bits as on the source', async function () {
      const [a, b] = await twins<unknown[]>(SETUP + `
for n in ('w', 't', 'c'): open(d + '/' + n, 'w').write('x'); os.chmod(d + '/' + n, 0o6777)
os.chown(d + '/c', 65534, 65534); os.chmod(d + '/c', 0o6775)`, `
drop()
with open(d + '/w', 'r+') as f: f.write('y')
os.truncate(d + '/t', 0)
os.chown(d + '/c', -1, 65534)
out([oct(os.stat(d + '/' + n).st_mode) for n in ('w', 't', 'c')])`);
      assert.deepEqual(a, b);
      assert.equal(a[0], '0o100777');
    });
  });

  describe('inode handles', function () {
    it('the handles of forgotten inodes are closed: the server\'s fd count comes back down after drop_caches', async function () {
      await pyJson(`
for i in range(300): open(d + '/h%03d' % i, 'w').close()
os.mkdir(d + '/sub'); [open(d + '/sub/x%02d' % i, 'w').close() for i in range(50)]
out(0)`, source());
      const drop = async (): Promise<void> => {
        const r = await sh('sh', ['-c', 'echo 2 > /proc/sys/vm/drop_caches']);
        assert.equal(r.code, 0, r.stderr);
      };
      await drop();
      await until('a quiet fd count', async () => {
        const a = server!.fdCount();
        await new Promise((r) => setTimeout(r, 200));
        return server!.fdCount() === a;
      });
      const baseline = server!.fdCount();
      const r = await sh('find', [m, '-printf', '%i %n\\n']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.split('\n').length >= 352);
      const busy = server!.fdCount();
      assert.ok(busy >= baseline + 340, `find made the server open a handle per inode: ${baseline} -> ${busy}`);
      await drop();
      await until('the handles to be closed', async () => {
        if (server!.fdCount() <= baseline + 2) return true;
        await drop();
        return false;
      });
    });

    it('an inode looked up again after being forgotten is the same file with the same number', async function () {
      await fsp.writeFile(path.join(source(), 'f'), 'same');
      const ino1 = (await fsp.stat(path.join(m, 'f'))).ino;
      const r = await sh('sh', ['-c', 'echo 2 > /proc/sys/vm/drop_caches']);
      assert.equal(r.code, 0);
      const st = await fsp.stat(path.join(m, 'f'));
      assert.equal(st.ino, ino1);
      assert.equal(st.ino, fs.statSync(path.join(source(), 'f')).ino);
      assert.equal(await fsp.readFile(path.join(m, 'f'), 'utf8'), 'same');
    });
  });
});

describe('passthrough example in process: its handles against the registry', function () {
  this.timeout(60000);
  let src: string;

  beforeEach(function () {
    src = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-pt-src-'));
  });

  afterEach(function () {
    fs.rmSync(src, { recursive: true, force: true });
  });

  it('one handle per inode the kernel holds: readdirplus entries that did not fit hold none; all closed at unmount', async function () {
    for (let i = 0; i < 1500; i++) fs.writeFileSync(path.join(src, `entry-${String(i).padStart(4, '0')}-${'n'.repeat(60)}`), '');
    const fdsBefore = fs.readdirSync('/proc/self/fd').length;
    let pt: Passthrough | undefined;
    let plus = 0;
    const errors: FuseErrorEvent[] = [];
    await withMount((fuse) => {
      pt = new Passthrough(fuse, src);
      pt.attach();
      fuse.readdirplus$.subscribe(() => plus++);
      fuse.errors$.subscribe((e) => errors.push(e));
    }, async ({ fuse, dir }) => {
      const ls = await sh('ls', ['-f', dir]);
      assert.equal(ls.code, 0, ls.stderr);
      assert.equal(ls.stdout.trim().split('\n').length, 1502);
      assert.ok(plus > 10, `listed in ${plus} readdirplus requests`);
      assert.equal(fuse.inodes.knownInodes, 1501);
      assert.equal(pt!.inodes.size, fuse.inodes.knownInodes, 'a handle per inode the kernel holds, no more');
      await until('the kernel to forget them', async () => {
        await sh('sh', ['-c', 'echo 2 > /proc/sys/vm/drop_caches']);
        return pt!.inodes.size === 1;
      });
      assert.equal(fuse.inodes.knownInodes, 1);
    }, { defaultPermissions: true, conn: { capabilities: { readdirplus: true, readdirplusAuto: false, handleKillpriv: false } } });
    assert.deepEqual(errors, []);
    assert.equal(pt!.openFds, 0);
    assert.equal(fs.readdirSync('/proc/self/fd').length, fdsBefore, 'every source fd closed at unmount');
  });

  it('without default_permissions, access() is answered with the caller\'s credentials', async function () {
    fs.writeFileSync(path.join(src, 'secret'), '');
    fs.chmodSync(path.join(src, 'secret'), 0o600);
    fs.writeFileSync(path.join(src, 'shared'), '');
    fs.chmodSync(path.join(src, 'shared'), 0o666);
    fs.chmodSync(src, 0o755);
    let accesses = 0;
    await withMount((fuse) => {
      new Passthrough(fuse, src).attach();
      fuse.access$.subscribe(() => accesses++);
    }, async ({ dir }) => {
      const code = `
import os, sys, json
d = sys.argv[1]
r = [os.access(d + '/secret', os.R_OK), os.access(d + '/shared', os.W_OK)]
os.setgroups([]); os.setgid(65534); os.setuid(65534)
r += [os.access(d + '/secret', os.R_OK), os.access(d + '/shared', os.W_OK), os.access(d + '/shared', os.X_OK)]
print(json.dumps(r))`;
      const r = await py(code, [dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), [true, true, false, true, false]);
      assert.ok(accesses >= 5, `${accesses} ACCESS requests`);
    }, { allowOther: true });
  });
});
