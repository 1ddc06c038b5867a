// The Operations adapter (lib/class-adapter.ts) through real mounts of two ports of pyfuse3 examples:
// hello.py (six methods: the rest must stay unimplemented) and tmpfs.py (an in-memory filesystem
// with nearly every method). Clients are python3 child processes or async fs calls.
import { strict as assert } from 'node:assert';
import { constants as K, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type Fuse, FuseError, type FuseErrorEvent, type FuseOptions, mountOperations, Operations, operationsHandlers,
  type OpName, type ReaddirToken, type RequestContext,
} from '../lib';
import { HelloFs, STAMP } from './fixtures/opshello';
import { TmpFs } from './fixtures/opstmpfs';
import { errCode, forceUnmount, pyJsonWith, until as pollUntil } from './helpers';

const PRELUDE = `
import os, sys, json, errno, stat, ctypes
libc = ctypes.CDLL(None, use_errno=True)
def out(v):
    print(json.dumps(v), flush=True)
def renameat2(a, b, flags):
    if libc.renameat2(-100, a.encode(), -100, b.encode(), flags) != 0:
        raise OSError(ctypes.get_errno(), 'renameat2')
def getxattr_into(p, name, size):
    buf = ctypes.create_string_buffer(size)
    if libc.getxattr(p.encode(), name.encode(), buf, size) < 0:
        raise OSError(ctypes.get_errno(), 'getxattr')
def attempt(f):
    try:
        r = f()
        return r.decode() if isinstance(r, bytes) else (r if isinstance(r, (int, str, list)) else 'ok')
    except OSError as e:
        return errno.errorcode[e.errno]
`;

function pyJson<T = Record<string, unknown>>(code: string, ...args: string[]): Promise<T> {
  return pyJsonWith<T>(PRELUDE, code, args);
}

interface Mounted {
  fuse: Fuse;
  dir: string;
  errors: FuseErrorEvent[];
  /** Ops that reached JS (Fuse.observe), with how many times. */
  seen: Map<OpName, number>;
  path(...p: string[]): string;
}

/** Mounts an Operations object with mountOperations, runs body, always unmounts. */
async function withOps<T>(ops: Operations, body: (m: Mounted) => Promise<T>, options: FuseOptions = {}): Promise<T> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'rxfuse-opsadapter-'));
  let fuse: Fuse | undefined;
  try {
    fuse = await mountOperations(ops, dir, { mountTimeout: 10000, ...options });
    const f = fuse;
    const errors: FuseErrorEvent[] = [];
    f.errors$.subscribe((e) => errors.push(e));
    const seen = new Map<OpName, number>();
    f.observe({ request: (req) => seen.set(req.op, (seen.get(req.op) ?? 0) + 1) });
    return await body({ fuse: f, dir, errors, seen, path: (...p: string[]) => path.join(dir, ...p) });
  } finally {
    await forceUnmount(fuse, dir);
  }
}

const until = (what: string, pred: () => boolean, ms = 3000): Promise<void> => pollUntil(what, pred, ms);

describe('Operations adapter', function () {
  describe('hello (pyfuse3 examples/hello.py)', function () {
    it('wires only the overridden methods (readdir serves READDIR and READDIRPLUS)', function () {
      assert.deepEqual(Object.keys(operationsHandlers(new HelloFs())).sort(), ['getattr', 'lookup', 'open', 'opendir', 'read', 'readdir', 'readdirplus']);
      assert.deepEqual(Object.keys(operationsHandlers(new Operations())), []);
      assert.deepEqual(Object.keys(operationsHandlers(new TmpFs())).sort(), [
        'access', 'create', 'getattr', 'getxattr', 'link', 'listxattr', 'lookup', 'mkdir', 'mknod', 'open', 'opendir', 'read',
        'readdir', 'readdirplus', 'readlink', 'release', 'removexattr', 'rename', 'rmdir', 'setattr', 'setxattr', 'statfs',
        'symlink', 'unlink', 'write',
      ]);
    });

    it('serves its file; ops it does not implement are answered by libfuse without entering JS', async function () {
      const hello = new HelloFs();
      await withOps(hello, async (m) => {
        assert.equal(hello.fuse, m.fuse, 'init() got the Fuse');
        assert.deepEqual(await fsp.readdir(m.dir), ['message']);
        assert.equal(await fsp.readFile(m.path('message'), 'utf8'), 'hello world\n');
        const st = await fsp.stat(m.path('message'));
        assert.equal(st.mode, K.S_IFREG | 0o644);
        assert.equal(st.mtimeMs, STAMP.sec * 1000 + STAMP.nsec / 1e6);
        assert.equal(await errCode(fsp.open(m.path('message'), 'r+')), 'EACCES');
        assert.equal(await errCode(fsp.stat(m.path('nope'))), 'ENOENT');
        const x = await pyJson(`
d = sys.argv[1]
out({
  'getxattr': attempt(lambda: os.getxattr(d + '/message', 'user.x')),
  'mkdir': attempt(lambda: os.mkdir(d + '/sub')),
  'unlink': attempt(lambda: os.unlink(d + '/message')),
  'statvfs': attempt(lambda: os.statvfs(d)),
})`, m.dir);
        assert.deepEqual(x, { getxattr: 'ENOTSUP', mkdir: 'ENOSYS', unlink: 'ENOSYS', statvfs: 'ok' });
        for (const op of ['getxattr', 'mkdir', 'unlink', 'statfs'] as const) assert.equal(m.seen.get(op), undefined, `${op} reached JS`);
        assert.ok((m.seen.get('lookup') ?? 0) > 0 && (m.seen.get('read') ?? 0) > 0);
        assert.deepEqual(m.errors, []);
      });
    });
  });

  describe('tmpfs (pyfuse3 examples/tmpfs.py, in memory)', function () {
    it('files: create, write, read, truncate, chmod, chown, utimes, statfs, access', async function () {
      const fs = new TmpFs();
      await withOps(fs, async (m) => {
        await fsp.writeFile(m.path('f'), 'hello world');
        assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'hello world');
        await fsp.appendFile(m.path('f'), '!');
        const x = await pyJson(`
p = sys.argv[1]
fd = os.open(p, os.O_RDWR)
os.pwrite(fd, b'Z', 20)  # past the end: a hole of zeros
os.close(fd)
with open(p, 'rb') as f: data = f.read()
os.truncate(p, 5)
os.chmod(p, 0o600)
os.chown(p, 123, 456)
os.utime(p, ns=(1000000000123, 2000000000456))
st = os.stat(p)
vfs = os.statvfs(os.path.dirname(p))
out({'data': list(data), 'size': st.st_size, 'mode': st.st_mode, 'uid': st.st_uid, 'gid': st.st_gid,
     'atime_ns': st.st_atime_ns, 'mtime_ns': st.st_mtime_ns, 'after': open(p, 'rb').read().decode(),
     'bsize': vfs.f_bsize, 'bfree': vfs.f_bfree, 'access': os.access(p, os.W_OK)})`, m.path('f'));
        assert.deepEqual(x, {
          data: [...Buffer.from('hello world!'), 0, 0, 0, 0, 0, 0, 0, 0, 0x5a], size: 5, mode: K.S_IFREG | 0o600, uid: 123, gid: 456,
          atime_ns: 1000000000123, mtime_ns: 2000000000456, after: 'hello', bsize: 512, bfree: 1024, access: true,
        });
        assert.ok((m.seen.get('access') ?? 0) > 0, 'access(2) reached the access method');
        assert.deepEqual(m.errors, []);
      });
    });

    it('names: mkdir, readdir, symlink, readlink, link, rename (over an existing target), unlink, rmdir, mknod', async function () {
      const fs = new TmpFs();
      await withOps(fs, async (m) => {
        const x = await pyJson(`
d = sys.argv[1]
os.mkdir(d + '/dir', 0o750)
open(d + '/dir/a', 'w').write('A')
open(d + '/dir/b', 'w').write('B')
os.symlink('dir/a', d + '/sym')
os.link(d + '/dir/a', d + '/hard')
r = {}
r['listing'] = sorted(os.listdir(d + '/dir'))
r['root'] = sorted(os.listdir(d))
r['readlink'] = os.readlink(d + '/sym')
r['via_sym'] = open(d + '/sym').read()
r['nlink'] = os.stat(d + '/hard').st_nlink
r['same_ino'] = os.stat(d + '/hard').st_ino == os.stat(d + '/dir/a').st_ino
os.rename(d + '/dir/b', d + '/dir/a')   # replaces a (which still has its other link, hard)
r['replaced'] = open(d + '/dir/a').read()
r['hard_kept'] = open(d + '/hard').read()
r['after_rename'] = sorted(os.listdir(d + '/dir'))
r['rmdir_full'] = attempt(lambda: os.rmdir(d + '/dir'))
r['unlink_dir'] = attempt(lambda: os.unlink(d + '/dir'))
r['rmdir_file'] = attempt(lambda: os.rmdir(d + '/hard'))
r['noreplace'] = attempt(lambda: renameat2(d + '/hard', d + '/x', 1))  # RENAME_NOREPLACE: the port says EINVAL
os.mkfifo(d + '/fifo', 0o640)
r['fifo'] = stat.S_ISFIFO(os.stat(d + '/fifo').st_mode)
os.unlink(d + '/dir/a')
os.rmdir(d + '/dir')
r['final'] = sorted(os.listdir(d))
out(r)`, m.dir);
        assert.deepEqual(x, {
          listing: ['a', 'b'], root: ['dir', 'hard', 'sym'], readlink: 'dir/a', via_sym: 'A', nlink: 2, same_ino: true,
          replaced: 'B', hard_kept: 'A', after_rename: ['a'], rmdir_full: 'ENOTEMPTY', unlink_dir: 'EISDIR', rmdir_file: 'ENOTDIR',
          noreplace: 'EINVAL', fifo: true, final: ['fifo', 'hard', 'sym'],
        });
        assert.deepEqual(m.errors, []);
      });
    });

    it('an unlinked file stays readable and writable through its open descriptor until release', async function () {
      const fs = new TmpFs();
      await withOps(fs, async (m) => {
        const x = await pyJson(`
p = sys.argv[1]
open(p, 'w').write('keep me')
fd = os.open(p, os.O_RDWR)
os.unlink(p)
gone = attempt(lambda: os.stat(p))
os.pwrite(fd, b'!', 7)
data = os.pread(fd, 100, 0).decode()
os.close(fd)
out({'gone': gone, 'data': data})`, m.path('u'));
        assert.deepEqual(x, { gone: 'ENOENT', data: 'keep me!' });
        await until('release', () => fs.inodeOpenCount.size === 0);
        assert.equal([...fs.inodes.keys()].length, 1, 'the unlinked inode was dropped after the release');
      });
    });

    it('xattrs: set (with CREATE/REPLACE), get (with the size probe), list, remove', async function () {
      const fs = new TmpFs();
      await withOps(fs, async (m) => {
        await fsp.writeFile(m.path('x'), '');
        const x = await pyJson(`
p = sys.argv[1]
r = {}
os.setxattr(p, 'user.one', b'1')
os.setxattr(p, 'user.two', b'22' * 100)
r['create_existing'] = attempt(lambda: os.setxattr(p, 'user.one', b'x', os.XATTR_CREATE))
r['replace_missing'] = attempt(lambda: os.setxattr(p, 'user.nope', b'x', os.XATTR_REPLACE))
r['one'] = os.getxattr(p, 'user.one').decode()
r['two_len'] = len(os.getxattr(p, 'user.two'))
r['erange'] = attempt(lambda: getxattr_into(p, 'user.two', 4))
r['list'] = sorted(os.listxattr(p))
os.removexattr(p, 'user.one')
r['removed'] = attempt(lambda: os.getxattr(p, 'user.one'))
r['remove_missing'] = attempt(lambda: os.removexattr(p, 'user.one'))
r['list_after'] = os.listxattr(p)
out(r)`, m.path('x'));
        assert.deepEqual(x, {
          create_existing: 'EEXIST', replace_missing: 'ENODATA', one: '1', two_len: 200, erange: 'ERANGE',
          list: ['user.one', 'user.two'], removed: 'ENODATA', remove_missing: 'ENODATA', list_after: ['user.two'],
        });
        assert.deepEqual(m.errors, []);
      });
    });

    it('readdir with tokens: a directory larger than one reply is listed once, resuming at the ids given', async function () {
      const fs = new TmpFs();
      const calls: { startId: number; plus: boolean; lastId: number }[] = [];
      const readdir = fs.readdir.bind(fs);
      // Spy on the ids: wrap the port's readdir, recording what it was asked for and what it added.
      fs.readdir = async (fh: number, startId: number, token: ReaddirToken): Promise<void> => {
        const call = { startId, plus: token.plus, lastId: 0 };
        calls.push(call);
        await readdir(fh, startId, token);
        call.lastId = token._list.lastOff;
      };
      await withOps(fs, async (m) => {
        await fsp.mkdir(m.path('big'));
        const names: string[] = [];
        for (let i = 0; i < 1500; i++) names.push(`${String(i).padStart(4, '0')}-${'n'.repeat(90)}`);
        const made = await pyJson<{ n: number }>(`
d = sys.argv[1]
for n in sys.argv[2:]:
    open(d + '/' + n, 'w').close()
out({'n': len(sys.argv) - 2})`, m.path('big'), ...names);
        assert.equal(made.n, names.length);
        calls.length = 0;
        const listed = await fsp.readdir(m.path('big'));
        assert.equal(listed.length, names.length);
        assert.equal(new Set(listed).size, names.length, 'an entry listed twice');
        assert.deepEqual([...listed].sort(), [...names].sort());
        assert.ok(calls.length >= 3, `${calls.length} readdir calls for ${names.length} entries`);
        // Each call resumes at an id a previous call gave (an entry's rowid), never elsewhere.
        const big = fs.contents.get('1/big')!.inode;
        const ids = new Set(names.map((n) => fs.contents.get(`${big}/${n}`)!.rowid));
        assert.equal(calls[0].startId, 0);
        assert.ok(calls.slice(1).every((c) => ids.has(c.startId)), `start ids ${calls.map((c) => c.startId)}`);
        assert.ok(calls.slice(0, -1).every((c) => c.lastId > c.startId), 'a call added nothing before the end');
        assert.ok(calls.some((c) => c.plus), 'READDIRPLUS reached readdir');
        assert.deepEqual(m.errors, []);
      });
    });

    it('errors: FuseError answers its errno; any other exception answers EIO and is reported', async function () {
      class Faulty extends TmpFs {
        override async getxattr(inode: number, name: Buffer, ctx: RequestContext): Promise<Buffer> {
          if (name.toString() === 'user.bug') throw new TypeError('a bug in the port');
          if (name.toString() === 'user.perm') throw new FuseError('EPERM');
          return super.getxattr(inode, name, ctx);
        }
      }
      await withOps(new Faulty(), async (m) => {
        await fsp.writeFile(m.path('f'), 'x');
        const x = await pyJson(`
p = sys.argv[1]
out({n: attempt(lambda n=n: os.getxattr(p, n)) for n in ['user.bug', 'user.perm', 'user.none']})`, m.path('f'));
        assert.deepEqual(x, { 'user.bug': 'EIO', 'user.perm': 'EPERM', 'user.none': 'ENODATA' });
        assert.deepEqual(m.errors.map((e) => [e.kind, e.op, String(e.cause)]), [['handler', 'getxattr', 'TypeError: a bug in the port']]);
        assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'x', 'the mount keeps serving');
      });
    });

    it('forget: the kernel\'s forgets reach an overridden forget() as [inode, nlookup] pairs', async function () {
      const forgotten: [number, number][] = [];
      class Counting extends TmpFs {
        override forget(inodeList: [number, number][]): void {
          forgotten.push(...inodeList);
        }
      }
      const fs = new Counting();
      await withOps(fs, async (m) => {
        await fsp.writeFile(m.path('f'), 'x');
        const ino = (await fsp.stat(m.path('f'))).ino;
        assert.ok(m.fuse.inodes.lookupCount(ino) >= 1);
        // Drop the kernel's dentry: with nothing else holding the inode, it is evicted and forgotten.
        await m.fuse.invalidateEntry(1, 'f');
        await until('forget', () => forgotten.some(([i]) => i === ino));
        const n = forgotten.filter(([i]) => i === ino).reduce((s, [, k]) => s + k, 0);
        assert.ok(n >= 1);
        assert.equal(m.fuse.inodes.lookupCount(ino), 0, 'the registry and forget() agree');
      });
    });
  });
});
