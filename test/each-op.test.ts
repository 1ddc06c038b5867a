// Every op the kernel sends to a FUSE mount, through a real mount of test/fixtures/testfs: the
// client runs real syscalls (node's fs.promises, python3 for what Node has no call for, and
// coreutils/util-linux) and each test asserts both what the client saw and what the handler got.
// Client calls never run synchronously on this thread, which serves the filesystem.
import { strict as assert } from 'node:assert';
import { constants as K, existsSync, promises as fsp } from 'node:fs';
import { Capability, OPS, type OpName } from '../lib';
import {
  F_UNLCK, F_WRLCK, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, IOCTL_ADD, IOCTL_GET, IOCTL_SET, LOCK_EX, LOCK_NB,
  LOCK_SH, LOCK_UN, type LogEntry, mountTestFs, type MountedTestFs, POLLIN, POLLOUT, ROOT, SEEK_DATA, SEEK_HOLE, STATFS,
  TESTFS_BTIME,
} from './fixtures/testfs';
import { errCode, pyJsonWith, sh, until as pollUntil } from './helpers';

const PRELUDE = `
import os, sys, json, fcntl, struct, select, errno, time, ctypes
libc = ctypes.CDLL(None, use_errno=True)
def out(v):
    print(json.dumps(v), flush=True)
def attempt(f):
    try:
        return f()
    except OSError as e:
        return errno.errorcode[e.errno]
`;

/** Runs python3 with the prelude; its last output line is JSON. */
function pyJson<T = Record<string, unknown>>(code: string, ...args: string[]): Promise<T> {
  return pyJsonWith<T>(PRELUDE, code, args);
}

const until = (what: string, pred: () => boolean, ms = 3000): Promise<void> => pollUntil(what, pred, ms);

/** Every op that reached a handler, over all mounts of this file. */
const seenOps = new Set<OpName>();

/** Mounts a TestFs for one describe block; unmounts after it, checks errors$ after each test. */
function useMount(fsOpts: Parameters<typeof mountTestFs>[0] = {}, options: Parameters<typeof mountTestFs>[1] = {}): () => MountedTestFs {
  let m: MountedTestFs | undefined;
  before(async function () {
    m = await mountTestFs(fsOpts, options);
  });
  beforeEach(function () {
    m?.fs.clear();
  });
  afterEach(function () {
    if (!m) return;
    for (const op of m.fs.seen) seenOps.add(op);
    const errors = m.errors.splice(0).map((e) => `${e.kind} ${e.op}: ${String(e.cause)}`);
    assert.deepEqual(errors, [], 'rxfuse reported handler failures');
  });
  after(async function () {
    if (m) await m.unmount();
  });
  return () => {
    if (!m) throw new Error('not mounted');
    return m;
  };
}

const one = (list: LogEntry[], what: string): LogEntry => {
  assert.equal(list.length, 1, `${what}: expected one request, got ${JSON.stringify(list, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
  return list[0];
};

describe('ops: names and attributes (lookup, getattr, setattr, mkdir, rmdir, create, unlink, mknod, symlink, readlink, link, rename, statfs, access)', function () {
  const M = useMount();

  it('lookup and getattr: stat walks the path through lookup and reads attributes with getattr', async function () {
    const { fs: t, path } = M();
    const d = t.add('/d', K.S_IFDIR | 0o755);
    const f = t.add('/d/f', K.S_IFREG | 0o640, 'hello');
    const st = await fsp.stat(path('d', 'f'));
    assert.equal(st.ino, f.ino);
    assert.equal(st.size, 5);
    assert.equal(st.mode, K.S_IFREG | 0o640);
    assert.equal(st.nlink, 1);
    const l1 = one(t.ops('lookup', (e) => e.name === 'd'), 'lookup d');
    assert.equal(l1.parent, ROOT);
    // The caller's thread id: a libuv worker thread of this process.
    assert.ok(existsSync(`/proc/${process.pid}/task/${l1.pid as number}`), `pid ${l1.pid as number} is a thread of this process`);
    const l2 = one(t.ops('lookup', (e) => e.name === 'f'), 'lookup f');
    assert.equal(l2.parent, d.ino);
    const g = t.ops('getattr', (e) => e.ino === f.ino);
    assert.ok(g.length >= 1, 'getattr of the file');
    assert.equal(g[0].hasFh, false);

    assert.equal(await errCode(fsp.stat(path('d', 'nope'))), 'ENOENT');
    one(t.ops('lookup', (e) => e.name === 'nope' && e.parent === d.ino), 'lookup nope');
  });

  it('setattr: chmod, chown, truncate, utimes, touch, and ftruncate with the open file handle', async function () {
    const { fs: t, path } = M();
    const f = t.add('/s', K.S_IFREG | 0o644, 'hello');
    const p = path('s');

    await fsp.chmod(p, 0o600);
    let e = one(t.ops('setattr'), 'chmod');
    assert.equal((e.toSet as number) & 1, 1);
    assert.equal((e.mode as number) & 0o7777, 0o600);
    assert.equal((await fsp.stat(p)).mode, K.S_IFREG | 0o600);

    t.clear();
    await fsp.chown(p, 123, 456);
    e = one(t.ops('setattr'), 'chown');
    assert.equal(e.uidToSet, 123);
    assert.equal(e.gidToSet, 456);
    const st = await fsp.stat(p);
    assert.deepEqual([st.uid, st.gid], [123, 456]);

    t.clear();
    await pyJson(`os.truncate(sys.argv[1], 2); out(1)`, p);  // truncate(2) by path (node's opens the file)
    e = one(t.ops('setattr'), 'truncate');
    assert.equal(e.size, 2);
    assert.equal(e.hasFh, false);
    assert.equal(await fsp.readFile(p, 'utf8'), 'he');

    t.clear();
    await fsp.utimes(p, 1000, 2000.5);
    e = one(t.ops('setattr'), 'utimes');
    assert.deepEqual(e.atime, { sec: 1000, nsec: 0 });
    assert.deepEqual(e.mtime, { sec: 2000, nsec: 500000000 });
    const st2 = await fsp.stat(p);
    assert.equal(st2.atimeMs, 1000000);
    assert.equal(st2.mtimeMs, 2000500);

    t.clear();
    await pyJson(`os.utime(sys.argv[1], None); out(1)`, p);  // utimensat(NULL): both times to now
    e = one(t.ops('setattr'), 'touch');
    assert.equal(e.atime, 'now');
    assert.equal(e.mtime, 'now');
    assert.ok(f.mtime.sec >= Math.floor(Date.now() / 1000) - 5);

    t.clear();
    const fh = await fsp.open(p, 'r+');
    try {
      await fh.truncate(1);
    } finally {
      await fh.close();
    }
    const open = one(t.ops('open'), 'open');
    e = one(t.ops('setattr'), 'ftruncate');
    assert.equal(e.size, 1);
    assert.equal(e.hasFh, true);
    assert.equal(e.fh, open.fh);
    assert.equal(f.data.toString(), 'h');
  });

  it('mkdir and rmdir (ENOTEMPTY comes from the filesystem)', async function () {
    const { fs: t, path } = M();
    await fsp.mkdir(path('nd'), 0o750);
    const mk = one(t.ops('mkdir'), 'mkdir');
    assert.equal(mk.parent, ROOT);
    assert.equal(mk.name, 'nd');
    assert.equal((mk.mode as number) & 0o777, 0o750 & ~process.umask());
    const st = await fsp.stat(path('nd'));
    assert.ok(st.isDirectory());
    assert.equal(st.ino, t.resolve('nd').ino);
    assert.equal(st.mode & 0o777, 0o750 & ~process.umask());

    t.add('/nd/x', K.S_IFREG | 0o644);
    assert.equal(await errCode(fsp.rmdir(path('nd'))), 'ENOTEMPTY');
    one(t.ops('rmdir'), 'rmdir (refused)');
    await fsp.unlink(path('nd', 'x'));
    t.clear();
    await fsp.rmdir(path('nd'));
    const rm = one(t.ops('rmdir'), 'rmdir');
    assert.equal(rm.name, 'nd');
    assert.equal(await errCode(fsp.stat(path('nd'))), 'ENOENT');
  });

  it('create (open with O_CREAT) and unlink', async function () {
    const { fs: t, path } = M();
    await fsp.writeFile(path('c'), 'abc', { flag: 'wx', mode: 0o640 });
    const c = one(t.ops('create'), 'create');
    assert.equal(c.parent, ROOT);
    assert.equal(c.name, 'c');
    assert.equal((c.mode as number) & 0o777, 0o640 & ~process.umask());
    assert.equal((c.flags as number) & 3, K.O_WRONLY);
    assert.equal(t.ops('mknod').length, 0);
    const w = one(t.ops('write'), 'write');
    assert.equal(w.fh, c.fh);
    assert.equal(t.resolve('c').data.toString(), 'abc');
    assert.equal(await errCode(fsp.writeFile(path('c'), 'x', { flag: 'wx' })), 'EEXIST');

    t.clear();
    await fsp.unlink(path('c'));
    assert.equal(one(t.ops('unlink'), 'unlink').name, 'c');
    assert.equal(await errCode(fsp.stat(path('c'))), 'ENOENT');
    assert.equal(await errCode(fsp.unlink(path('c'))), 'ENOENT');
  });

  it('mknod: a FIFO, a character device and a regular file (python os.mknod)', async function () {
    const { fs: t, path } = M();
    const r = await pyJson<{ rdev: number }>(
      `os.mknod(sys.argv[1], 0o644 | 0o010000)
os.mknod(sys.argv[2], 0o600 | 0o020000, os.makedev(1, 3))
os.mknod(sys.argv[3], 0o600 | 0o100000)
out({'rdev': os.makedev(1, 3)})`,
      path('fifo'), path('chr'), path('reg'),
    );
    const mk = t.ops('mknod');
    assert.deepEqual(mk.map((e) => [e.name, (e.mode as number) & K.S_IFMT]), [
      ['fifo', K.S_IFIFO], ['chr', K.S_IFCHR], ['reg', K.S_IFREG],
    ]);
    assert.equal(mk[1].rdev, r.rdev);
    assert.equal(t.ops('create').length, 0);
    const fifo = await fsp.stat(path('fifo'));
    assert.ok(fifo.isFIFO());
    assert.equal(fifo.mode & 0o777, 0o644 & ~0o022);
    const chr = await fsp.stat(path('chr'));
    assert.ok(chr.isCharacterDevice());
    assert.equal(chr.rdev, r.rdev);
    assert.ok((await fsp.stat(path('reg'))).isFile());
  });

  it('symlink and readlink', async function () {
    const { fs: t, path } = M();
    await fsp.symlink('some/target', path('ln'));
    const s = one(t.ops('symlink'), 'symlink');
    assert.equal(s.name, 'ln');
    assert.equal(s.target, 'some/target');
    assert.equal(await fsp.readlink(path('ln')), 'some/target');
    const rl = one(t.ops('readlink'), 'readlink');
    assert.equal(rl.ino, t.resolve('ln').ino);
    const st = await fsp.lstat(path('ln'));
    assert.ok(st.isSymbolicLink());
    assert.equal(st.size, 'some/target'.length);
  });

  it('link: a second name for the same inode', async function () {
    const { fs: t, path } = M();
    const f = t.add('/orig', K.S_IFREG | 0o644, 'linked');
    await fsp.link(path('orig'), path('alias'));
    const l = one(t.ops('link'), 'link');
    assert.equal(l.ino, f.ino);
    assert.equal(l.newParent, ROOT);
    assert.equal(l.newName, 'alias');
    const st = await fsp.stat(path('alias'));
    assert.equal(st.ino, f.ino);
    assert.equal(st.nlink, 2);
    await fsp.unlink(path('orig'));
    assert.equal(await fsp.readFile(path('alias'), 'utf8'), 'linked');
    assert.equal((await fsp.stat(path('alias'))).nlink, 1);
  });

  it('rename: plain, RENAME_NOREPLACE and RENAME_EXCHANGE (renameat2 through python ctypes)', async function () {
    const { fs: t, path } = M();
    const renameat2 = (a: string, b: string, flags: number) =>
      pyJson<{ r: number; err: string | null }>(
        `r = libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), int(sys.argv[3]))
out({'r': r, 'err': errno.errorcode[ctypes.get_errno()] if r else None})`,
        a, b, String(flags),
      );
    const a = t.add('/ra', K.S_IFREG | 0o644, 'A');
    const b = t.add('/rb', K.S_IFREG | 0o644, 'B');
    t.add('/rdir', K.S_IFDIR | 0o755);

    await fsp.rename(path('ra'), path('rdir', 'moved'));
    let e = one(t.ops('rename'), 'rename');
    assert.deepEqual([e.parent, e.name, e.newParent, e.newName, e.flags], [ROOT, 'ra', t.resolve('rdir').ino, 'moved', 0]);
    assert.equal((await fsp.stat(path('rdir', 'moved'))).ino, a.ino);
    assert.equal(await errCode(fsp.stat(path('ra'))), 'ENOENT');

    t.clear();
    assert.deepEqual(await renameat2(path('rdir', 'moved'), path('ra'), 1), { r: 0, err: null });
    e = one(t.ops('rename'), 'rename NOREPLACE');
    assert.equal(e.flags, 1);
    assert.equal((await fsp.stat(path('ra'))).ino, a.ino);

    t.clear();
    // The kernel itself refuses NOREPLACE onto a name it knows: no request.
    assert.deepEqual(await renameat2(path('ra'), path('rb'), 1), { r: -1, err: 'EEXIST' });
    assert.equal(t.ops('rename').length, 0);

    t.clear();
    assert.deepEqual(await renameat2(path('ra'), path('rb'), 2), { r: 0, err: null });
    e = one(t.ops('rename'), 'rename EXCHANGE');
    assert.deepEqual([e.name, e.newName, e.flags], ['ra', 'rb', 2]);
    assert.equal((await fsp.stat(path('ra'))).ino, b.ino);
    assert.equal((await fsp.stat(path('rb'))).ino, a.ino);
    assert.equal(await fsp.readFile(path('ra'), 'utf8'), 'B');
    assert.equal(await fsp.readFile(path('rb'), 'utf8'), 'A');

    t.clear();
    // Replacing a file: the old target's inode loses its name.
    await fsp.rename(path('ra'), path('rb'));
    one(t.ops('rename'), 'rename over');
    assert.equal((await fsp.stat(path('rb'))).ino, b.ino);
    assert.equal(a.nlink, 0);
  });

  it('statfs: statfs(2) and statvfs report what the handler returned', async function () {
    const { fs: t, dir } = M();
    const s = await fsp.statfs(dir);
    assert.deepEqual(
      { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree },
      { bsize: STATFS.bsize, blocks: STATFS.blocks, bfree: STATFS.bfree, bavail: STATFS.bavail, files: STATFS.files, ffree: STATFS.ffree },
    );
    const v = await pyJson<number[]>(`s = os.statvfs(sys.argv[1]); out([s.f_frsize, s.f_blocks, s.f_namemax])`, dir);
    assert.deepEqual(v, [STATFS.frsize, STATFS.blocks, STATFS.namemax]);
    assert.equal(t.ops('statfs').length, 2);
    assert.equal(t.ops('statfs')[0].ino, ROOT);
  });

  it('access: sent without default_permissions, and its answer is what access(2) returns', async function () {
    const { fs: t, path } = M();
    const f = t.add('/acc', K.S_IFREG | 0o644);
    t.add('/exe', K.S_IFREG | 0o755);
    await fsp.access(path('acc'), K.R_OK | K.W_OK);
    const a = one(t.ops('access'), 'access rw');
    assert.equal(a.ino, f.ino);
    assert.equal(a.mask, K.R_OK | K.W_OK);

    t.clear();
    // Root: the kernel would allow this; the filesystem refuses (no x bit), and that stands.
    assert.equal(await errCode(fsp.access(path('acc'), K.X_OK)), 'EACCES');
    assert.equal(one(t.ops('access'), 'access x').mask, K.X_OK);

    t.clear();
    await fsp.access(path('exe'), K.X_OK);
    assert.equal(one(t.ops('access'), 'access x ok').mask, K.X_OK);

    t.clear();
    await fsp.access(path('acc'));  // F_OK
    assert.equal(one(t.ops('access'), 'access F_OK').mask, K.F_OK);
  });
});

describe('ops: file data (open, read, write, flush, release, fsync, fallocate, copyFileRange, lseek, ioctl, poll)', function () {
  const M = useMount();

  it('open, read, write, flush and release, with the handle from open', async function () {
    const { fs: t, path } = M();
    const f = t.add('/io', K.S_IFREG | 0o644, 'hello world');
    const fh = await fsp.open(path('io'), 'r+');
    let fhNo: unknown;
    try {
      const o = one(t.ops('open'), 'open');
      fhNo = o.fh;
      assert.equal((o.flags as number) & 3, K.O_RDWR);
      const buf = Buffer.alloc(5);
      const r = await fh.read(buf, 0, 5, 6);
      assert.equal(r.bytesRead, 5);
      assert.equal(buf.toString(), 'world');
      const rd = t.ops('read');
      assert.ok(rd.length >= 1);
      assert.equal(rd[0].fh, fhNo);
      assert.ok((rd[0].offset as number) <= 6 && (rd[0].offset as number) + (rd[0].size as number) >= 11);

      const w = await fh.write(Buffer.from('HELLO'), 0, 5, 0);
      assert.equal(w.bytesWritten, 5);
      const wr = one(t.ops('write'), 'write');
      assert.deepEqual([wr.fh, wr.offset, wr.size, (wr.data as Buffer).toString(), wr.writepage], [fhNo, 0, 5, 'HELLO', false]);
      await fh.write(Buffer.from('!'), 0, 1, 11);
      assert.equal(f.data.toString(), 'HELLO world!');
      assert.equal(t.ops('flush').length, 0);
    } finally {
      await fh.close();
    }
    const fl = one(t.ops('flush'), 'flush');
    assert.equal(fl.fh, fhNo);
    await until('release', () => t.ops('release').length > 0);
    const rel = one(t.ops('release'), 'release');
    assert.equal(rel.fh, fhNo);
    assert.equal((rel.flags as number) & 3, K.O_RDWR);
    assert.equal(await fsp.readFile(path('io'), 'utf8'), 'HELLO world!');
  });

  it('fsync and fdatasync', async function () {
    const { fs: t, path } = M();
    t.add('/sync', K.S_IFREG | 0o644, 'x');
    const fh = await fsp.open(path('sync'), 'r+');
    try {
      await fh.write('yz', 1);
      await fh.sync();
      await fh.datasync();
    } finally {
      await fh.close();
    }
    const fhNo = one(t.ops('open'), 'open').fh;
    assert.deepEqual(t.ops('fsync').map((e) => [e.fh, e.datasync]), [[fhNo, false], [fhNo, true]]);
  });

  it('getattr with the open file handle (lseek SEEK_END refreshes the size of an open file)', async function () {
    const { fs: t, path } = M();
    const f = t.add('/ga', K.S_IFREG | 0o644, '0123456789');
    const r = await pyJson<{ end: number; pid: number }>(
      `fd = os.open(sys.argv[1], os.O_RDONLY)
end = os.lseek(fd, 0, os.SEEK_END)
os.close(fd)
out({'end': end, 'pid': os.getpid()})`,
      path('ga'),
    );
    assert.equal(r.end, 10);
    const open = one(t.ops('open', (e) => e.pid === r.pid), 'open');
    const g = t.ops('getattr', (e) => e.pid === r.pid && e.ino === f.ino && e.hasFh === true);
    assert.ok(g.length >= 1, `getattr with fh: ${JSON.stringify(t.ops('getattr'))}`);
    assert.equal(g[0].fh, open.fh);
  });

  it('fallocate: allocate, keep-size and punch-hole (posix_fallocate and the fallocate command)', async function () {
    const { fs: t, path } = M();
    const f = t.add('/fa', K.S_IFREG | 0o644);
    await pyJson(`fd = os.open(sys.argv[1], os.O_RDWR)
os.posix_fallocate(fd, 0, 10000)
os.close(fd)
out(1)`, path('fa'));
    let e = one(t.ops('fallocate'), 'posix_fallocate');
    assert.deepEqual([e.mode, e.offset, e.length], [0, 0, 10000]);
    assert.equal((await fsp.stat(path('fa'))).size, 10000);

    t.clear();
    let r = await sh('fallocate', ['-n', '-l', '20000', path('fa')]);
    assert.equal(r.code, 0, r.stderr);
    e = one(t.ops('fallocate'), 'keep size');
    assert.deepEqual([e.mode, e.offset, e.length], [FALLOC_FL_KEEP_SIZE, 0, 20000]);
    assert.equal((await fsp.stat(path('fa'))).size, 10000);

    f.data.fill(0x78);
    t.clear();
    r = await sh('fallocate', ['-p', '-o', '4096', '-l', '4096', path('fa')]);
    assert.equal(r.code, 0, r.stderr);
    e = one(t.ops('fallocate'), 'punch hole');
    assert.deepEqual([e.mode, e.offset, e.length], [FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 4096]);
    const data = await fsp.readFile(path('fa'));
    assert.equal(data.length, 10000);
    assert.ok(data.subarray(4096, 8192).every((x) => x === 0));
    assert.ok(data.subarray(0, 4096).every((x) => x === 0x78) && data.subarray(8192).every((x) => x === 0x78));

    t.clear();
    // A mode the filesystem does not support: its EOPNOTSUPP reaches the caller.
    r = await sh('fallocate', ['-z', '-o', '0', '-l', '4096', path('fa')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not supported/i);
    assert.equal(t.ops('fallocate').length, 1);
  });

  it('copyFileRange: os.copy_file_range between two files of the mount', async function () {
    const { fs: t, path } = M();
    const src = t.add('/src', K.S_IFREG | 0o644, 'abcdefghij');
    const dst = t.add('/dst', K.S_IFREG | 0o644, 'XY');
    const r = await pyJson<{ n: number; pid: number }>(
      `fi = os.open(sys.argv[1], os.O_RDONLY)
fo = os.open(sys.argv[2], os.O_WRONLY)
n = os.copy_file_range(fi, fo, 5, 2, 1)
out({'n': n, 'pid': os.getpid()})`,
      path('src'), path('dst'),
    );
    assert.equal(r.n, 5);
    const c = one(t.ops('copyFileRange'), 'copy_file_range');
    const opens = t.ops('open', (e) => e.pid === r.pid);
    const fhOf = (ino: number) => opens.find((o) => o.ino === ino)?.fh;
    assert.deepEqual(
      [c.ino, c.fhIn, c.offsetIn, c.inoOut, c.fhOut, c.offsetOut, c.length, c.flags],
      [src.ino, fhOf(src.ino), 2, dst.ino, fhOf(dst.ino), 1, 5, 0],
    );
    assert.equal(await fsp.readFile(path('dst'), 'latin1'), 'Xcdefg');
  });

  it('lseek: SEEK_DATA and SEEK_HOLE are answered by the filesystem', async function () {
    const { fs: t, path } = M();
    // zeros | data | zeros | 10 bytes of data: the kernel alone would say "all data".
    const content = Buffer.alloc(3 * 4096 + 10);
    content.fill(0x61, 4096, 8192);
    content.fill(0x62, 12288);
    t.add('/sparse', K.S_IFREG | 0o644, content);
    const r = await pyJson<unknown[]>(
      `fd = os.open(sys.argv[1], os.O_RDONLY)
out([attempt(lambda: os.lseek(fd, 0, os.SEEK_DATA)), attempt(lambda: os.lseek(fd, 4096, os.SEEK_HOLE)),
     attempt(lambda: os.lseek(fd, 8192, os.SEEK_DATA)), attempt(lambda: os.lseek(fd, 12288, os.SEEK_HOLE)),
     attempt(lambda: os.lseek(fd, 0, os.SEEK_HOLE)), attempt(lambda: os.lseek(fd, 20000, os.SEEK_DATA))])`,
      path('sparse'),
    );
    assert.deepEqual(r, [4096, 8192, 12288, 12298, 0, 'ENXIO']);
    const ls = t.ops('lseek');
    assert.deepEqual(ls.map((e) => [e.whence, e.offset]), [
      [SEEK_DATA, 0], [SEEK_HOLE, 4096], [SEEK_DATA, 8192], [SEEK_HOLE, 12288], [SEEK_HOLE, 0], [SEEK_DATA, 20000],
    ]);
  });

  it('ioctl: _IOR, _IOW and _IOWR commands move data both ways; unknown ones get ENOTTY', async function () {
    const { fs: t, path } = M();
    const f = t.add('/dev-like', K.S_IFREG | 0o644, 'twelve bytes');
    const r = await pyJson<{ r1: number; b1: string; r2: number; r3: number; b3: string; e4: string }>(
      `fd = os.open(sys.argv[1], os.O_RDWR)
b1 = bytearray(8)
r1 = fcntl.ioctl(fd, int(sys.argv[2]), b1, True)
r2 = fcntl.ioctl(fd, int(sys.argv[3]), struct.pack('<I', 1000))
r2 = r2 if isinstance(r2, int) else 0
b3 = bytearray(struct.pack('<I', 234))
r3 = fcntl.ioctl(fd, int(sys.argv[4]), b3, True)
e4 = attempt(lambda: fcntl.ioctl(fd, int(sys.argv[5]), 0))
out({'r1': r1, 'b1': b1.hex(), 'r2': r2, 'r3': r3, 'b3': b3.hex(), 'e4': e4})`,
      path('dev-like'), String(IOCTL_GET), String(IOCTL_SET), String(IOCTL_ADD), String(0x7a09),
    );
    const expect1 = Buffer.alloc(8);
    expect1.writeUInt32LE(f.ino, 0);
    expect1.writeUInt32LE(12, 4);
    assert.equal(r.r1, 7);
    assert.equal(r.b1, expect1.toString('hex'));
    assert.equal(r.r3, 0);
    assert.equal(Buffer.from(r.b3, 'hex').readUInt32LE(0), 1234);
    assert.equal(r.e4, 'ENOTTY');
    assert.equal(f.ioctlValue, 1000);
    const io = t.ops('ioctl');
    assert.deepEqual(io.map((e) => [e.cmd, (e.inData as Buffer).toString('hex'), e.outSize]), [
      [IOCTL_GET, '', 8], [IOCTL_SET, 'e8030000', 0], [IOCTL_ADD, 'ea000000', 4], [0x7a09, '', 0],
    ]);
    const open = one(t.ops('open'), 'open');
    assert.ok(io.every((e) => e.fh === open.fh));
  });

  it('poll: ready events come back to poll(2)', async function () {
    const { fs: t, path } = M();
    const f = t.add('/pollable', K.S_IFREG | 0o644);
    f.pollReady = POLLIN | POLLOUT;
    const r = await pyJson<{ ev: number[][]; fd: number }>(
      `fd = os.open(sys.argv[1], os.O_RDONLY)
p = select.poll()
p.register(fd, select.POLLIN | select.POLLOUT)
out({'ev': p.poll(2000), 'fd': fd})`,
      path('pollable'),
    );
    assert.deepEqual(r.ev, [[r.fd, POLLIN | POLLOUT]]);
    const e = t.ops('poll', (x) => x.ino === f.ino)[0];
    assert.ok(e, 'poll request');
    assert.equal((e.events as number) & (POLLIN | POLLOUT), POLLIN | POLLOUT);
    assert.equal(e.fh, one(t.ops('open'), 'open').fh);
  });

  it('poll: a waiting poll(2) wakes when the filesystem notifies through the poll handle', async function () {
    const { fs: t, path } = M();
    const f = t.add('/later', K.S_IFREG | 0o644);
    const client = pyJson<{ ev: number[][]; fd: number; dt: number }>(
      `fd = os.open(sys.argv[1], os.O_RDONLY)
p = select.poll()
p.register(fd, select.POLLIN)
t0 = time.time()
ev = p.poll(8000)
out({'ev': ev, 'fd': fd, 'dt': time.time() - t0})`,
      path('later'),
    );
    await until('a poll with a handle', () => t.pollHandles.has(f.ino), 5000);
    const first = t.ops('poll', (x) => x.ino === f.ino);
    assert.equal(first.length, 1);
    assert.equal(first[0].hasHandle, true);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(t.setReady(f.ino, POLLIN), true);
    const r = await client;
    assert.deepEqual(r.ev, [[r.fd, POLLIN]]);
    assert.ok(r.dt < 6, `woke after ${r.dt} s`);
    assert.ok(t.ops('poll', (x) => x.ino === f.ino).length >= 2, 'polled again after the notification');
  });
});

describe('ops: directories (opendir, readdir, releasedir, fsyncdir)', function () {
  const M = useMount({ omit: ['readdirplus'] });

  it('opendir, readdir in several batches resumed at the kernel offset, releasedir', async function () {
    const { fs: t, path } = M();
    const big = t.add('/big', K.S_IFDIR | 0o755);
    const names: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const n = `entry-with-a-rather-long-name-to-fill-the-buffer-${String(i).padStart(4, '0')}`;
      names.push(n);
      t.add(`/big/${n}`, K.S_IFREG | 0o644);
    }
    const list = await fsp.readdir(path('big'));
    assert.deepEqual([...list].sort(), names);
    const od = one(t.ops('opendir', (e) => e.ino === big.ino), 'opendir');
    const rd = t.ops('readdir', (e) => e.ino === big.ino);
    assert.ok(rd.length >= 3, `${rd.length} readdir requests`);
    assert.ok(rd.every((e) => e.fh === od.fh));
    assert.equal(rd[0].offset, 0);
    assert.ok(rd.slice(1).every((e) => (e.offset as number) > 0));
    assert.equal(rd.reduce((s, e) => s + (e.sent as number), 0), 1002);
    assert.equal(rd[rd.length - 1].sent, 0);
    assert.equal(t.ops('readdirplus').length, 0);
    await until('releasedir', () => t.ops('releasedir').length > 0);
    assert.equal(one(t.ops('releasedir'), 'releasedir').fh, od.fh);
  });

  it('readdir entry types come from the modes the filesystem gave', async function () {
    const { fs: t, path } = M();
    t.add('/typed', K.S_IFDIR | 0o755);
    t.add('/typed/file', K.S_IFREG | 0o644);
    t.add('/typed/sub', K.S_IFDIR | 0o755);
    t.add('/typed/link', K.S_IFLNK | 0o777, '', 'file');
    const d = await fsp.readdir(path('typed'), { withFileTypes: true });
    const kinds = Object.fromEntries(d.map((x) => [x.name, x.isFile() ? 'f' : x.isDirectory() ? 'd' : x.isSymbolicLink() ? 'l' : '?']));
    assert.deepEqual(kinds, { file: 'f', sub: 'd', link: 'l' });
    assert.ok(t.ops('readdir').length >= 1);
    assert.equal(t.ops('lookup').filter((e) => e.parent === t.resolve('typed').ino).length, 0, 'types without lookups');
  });

  it('fsyncdir: fsync and fdatasync on an open directory', async function () {
    const { fs: t, path } = M();
    const d = t.add('/syncd', K.S_IFDIR | 0o755);
    const fh = await fsp.open(path('syncd'), 'r');
    try {
      await fh.sync();
      await fh.datasync();
    } finally {
      await fh.close();
    }
    const od = one(t.ops('opendir', (e) => e.ino === d.ino), 'opendir');
    assert.equal(t.ops('open').length, 0);
    assert.deepEqual(t.ops('fsyncdir').map((e) => [e.ino, e.fh, e.datasync]), [[d.ino, od.fh, false], [d.ino, od.fh, true]]);
    await until('releasedir', () => t.ops('releasedir').length > 0);
    assert.equal(one(t.ops('releasedir'), 'releasedir').fh, od.fh);
  });
});

describe('ops: readdirplus (readdirplus on, readdirplusAuto off)', function () {
  const M = useMount({ attrTimeout: 60, entryTimeout: 60 }, { conn: { capabilities: { readdirplus: true, readdirplusAuto: false } } });

  it('the kernel offers it and the mount uses it without the auto heuristics', function () {
    const { conn } = M();
    assert.ok(conn.capable & Capability.readdirplus, 'kernel offers readdirplus');
    assert.ok(conn.want & Capability.readdirplus);
    assert.equal(conn.want & Capability.readdirplusAuto, 0);
  });

  it('lists with readdirplus, and the kernel then stats the entries from those attributes', async function () {
    const { fs: t, path } = M();
    const p = t.add('/plus', K.S_IFDIR | 0o755);
    const inos: number[] = [];
    for (let i = 0; i < 10; i++) inos.push(t.add(`/plus/f${i}`, K.S_IFREG | 0o644, 'x'.repeat(i)).ino);
    const list = await fsp.readdir(path('plus'));
    assert.deepEqual([...list].sort(), inos.map((_, i) => `f${i}`));
    assert.equal(t.ops('readdir').length, 0);
    const rp = t.ops('readdirplus', (e) => e.ino === p.ino);
    assert.ok(rp.length >= 1);
    assert.equal(rp[0].offset, 0);
    assert.deepEqual(rp.flatMap((e) => e.inos as number[]).sort((a, b) => a - b), inos);
    await until('releasedir', () => t.ops('releasedir').length > 0);

    t.clear();
    for (let i = 0; i < 10; i++) {
      const st = await fsp.stat(path('plus', `f${i}`));
      assert.equal(st.ino, inos[i]);
      assert.equal(st.size, i);
    }
    // Names and attributes came with the listing: no lookup or getattr was needed.
    assert.deepEqual(t.log.filter((e) => e.op === 'lookup' || e.op === 'getattr').map((e) => `${e.op} ${e.ino}`), []);
  });
});

describe('ops: extended attributes (setxattr, getxattr, listxattr, removexattr)', function () {
  const M = useMount();

  it('set with CREATE/REPLACE flags, get with size probe and ERANGE, list, remove', async function () {
    const { fs: t, path } = M();
    const f = t.add('/x', K.S_IFREG | 0o644);
    const r = await pyJson<Record<string, unknown>>(
      `p = sys.argv[1]
bp = p.encode()
res = {}
res['set'] = attempt(lambda: os.setxattr(p, 'user.a', b'hello'))
res['create'] = attempt(lambda: os.setxattr(p, 'user.a', b'x', os.XATTR_CREATE))
res['replace'] = attempt(lambda: os.setxattr(p, 'user.b', b'x', os.XATTR_REPLACE))
res['set2'] = attempt(lambda: os.setxattr(p, 'user.long', b'0123456789' * 30))
res['get'] = os.getxattr(p, 'user.a').decode()
res['getlong'] = len(os.getxattr(p, 'user.long'))
res['probe'] = libc.getxattr(bp, b'user.a', None, ctypes.c_size_t(0))
small = ctypes.create_string_buffer(2)
n = libc.getxattr(bp, b'user.a', small, ctypes.c_size_t(2))
res['small'] = [n, errno.errorcode[ctypes.get_errno()] if n < 0 else None]
res['missing'] = attempt(lambda: os.getxattr(p, 'user.none'))
res['list'] = sorted(os.listxattr(p))
res['listprobe'] = libc.listxattr(bp, None, ctypes.c_size_t(0))
small = ctypes.create_string_buffer(3)
n = libc.listxattr(bp, small, ctypes.c_size_t(3))
res['listsmall'] = [n, errno.errorcode[ctypes.get_errno()] if n < 0 else None]
res['remove'] = attempt(lambda: os.removexattr(p, 'user.a'))
res['removeagain'] = attempt(lambda: os.removexattr(p, 'user.a'))
res['after'] = os.listxattr(p)
out(res)`,
      path('x'),
    );
    assert.deepEqual(r, {
      set: null, create: 'EEXIST', replace: 'ENODATA', set2: null, get: 'hello', getlong: 300, probe: 5,
      small: [-1, 'ERANGE'], missing: 'ENODATA', list: ['user.a', 'user.long'], listprobe: 17,
      listsmall: [-1, 'ERANGE'], remove: null, removeagain: 'ENODATA', after: ['user.long'],
    });
    const sets = t.ops('setxattr');
    assert.deepEqual(sets.map((e) => [e.ino, e.name, (e.value as Buffer).length, e.flags]), [
      [f.ino, 'user.a', 5, 0], [f.ino, 'user.a', 1, 1], [f.ino, 'user.b', 1, 2], [f.ino, 'user.long', 300, 0],
    ]);
    assert.equal((sets[0].value as Buffer).toString(), 'hello');
    const gets = t.ops('getxattr', (e) => (e.name as string).startsWith('user.'));
    assert.ok(gets.some((e) => e.name === 'user.a' && e.size === 0), 'size probe');
    assert.ok(gets.some((e) => e.name === 'user.a' && e.size === 2), 'too small');
    assert.ok(gets.some((e) => e.name === 'user.none'));
    const lists = t.ops('listxattr');
    assert.ok(lists.some((e) => e.size === 0) && lists.some((e) => e.size === 3) && lists.some((e) => (e.size as number) > 17));
    assert.deepEqual(t.ops('removexattr').map((e) => e.name), ['user.a', 'user.a']);
    assert.deepEqual([...f.xattrs.keys()], ['user.long']);
  });
});

describe('ops: locks (getlk, setlk, flock)', function () {
  const M = useMount();

  it('setlk and getlk: a POSIX lock one process holds is what another one sees, and close releases it', async function () {
    const { fs: t, path } = M();
    const f = t.add('/locked', K.S_IFREG | 0o644, 'x'.repeat(300));
    const r = await pyJson<{ parent: number; child: Record<string, unknown> }>(
      `p = sys.argv[1]
fd = os.open(p, os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 100, 10)
rd, wr = os.pipe()
pid = os.fork()
if pid == 0:
    c = os.open(p, os.O_RDWR)
    q = fcntl.fcntl(c, fcntl.F_GETLK, struct.pack('hhqqi4x', fcntl.F_WRLCK, 0, 0, 0, 0))
    t, wh, st, ln, lp = struct.unpack('hhqqi4x', q)
    res = {'getlk': [t, st, ln, lp], 'pid': os.getpid()}
    res['overlap'] = attempt(lambda: fcntl.lockf(c, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 50))
    res['apart'] = attempt(lambda: fcntl.lockf(c, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 200))
    os.write(wr, json.dumps(res).encode())
    os._exit(0)
os.waitpid(pid, 0)
out({'parent': os.getpid(), 'child': json.loads(os.read(rd, 65536))})`,
      path('locked'),
    );
    const { parent, child } = r;
    assert.deepEqual(child.getlk, [F_WRLCK, 10, 100, parent]);
    assert.equal(child.overlap, 'EAGAIN');
    assert.equal(child.apart, null);

    const set = one(t.ops('setlk', (e) => e.pid === parent), 'parent setlk');
    assert.deepEqual([set.ino, set.lock, set.sleep], [f.ino, { type: F_WRLCK, start: 10, len: 100, pid: parent }, false]);
    const get = one(t.ops('getlk', (e) => e.pid === child.pid), 'child getlk');
    assert.deepEqual(get.lock, { type: F_WRLCK, start: 0, len: 0, pid: 0 });  // the kernel sends no pid with F_GETLK
    assert.equal(get.pid, child.pid);
    assert.notEqual(get.lockOwner, set.lockOwner);
    const childSets = t.ops('setlk', (e) => e.pid === child.pid);
    assert.deepEqual(childSets.map((e) => e.lock), [
      { type: F_WRLCK, start: 50, len: 10, pid: child.pid }, { type: F_WRLCK, start: 200, len: 10, pid: child.pid },
    ]);
    // The parent closed without unlocking: its flush carries the lock owner, and the lock is gone.
    assert.ok(t.ops('flush', (e) => e.lockOwner === set.lockOwner).length >= 1);
    const after = await pyJson<number[]>(
      `fd = os.open(sys.argv[1], os.O_RDWR)
q = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack('hhqqi4x', fcntl.F_WRLCK, 0, 0, 0, 0))
t, wh, st, ln, lp = struct.unpack('hhqqi4x', q)
out([t, st, ln])`,
      path('locked'),
    );
    assert.deepEqual(after, [F_UNLCK, 0, 0]);
  });

  it('flock: exclusive locks between open file descriptions, released with the file (python and flock(1))', async function () {
    const { fs: t, path } = M();
    const f = t.add('/flocked', K.S_IFREG | 0o644);
    const r = await pyJson<{ second: unknown; retry: unknown; pid: number }>(
      `p = sys.argv[1]
fd1 = os.open(p, os.O_RDWR)
fd2 = os.open(p, os.O_RDWR)
fcntl.flock(fd1, fcntl.LOCK_EX)
second = attempt(lambda: fcntl.flock(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB))
fcntl.flock(fd1, fcntl.LOCK_UN)
retry = attempt(lambda: fcntl.flock(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB))
os.close(fd1)
os.close(fd2)
out({'second': second, 'retry': retry, 'pid': os.getpid()})`,
      path('flocked'),
    );
    assert.equal(r.second, 'EAGAIN');
    assert.equal(r.retry, null);
    const fl = t.ops('flock', (e) => e.pid === r.pid);
    assert.deepEqual(fl.map((e) => e.operation), [LOCK_EX, LOCK_EX | LOCK_NB, LOCK_UN, LOCK_EX | LOCK_NB]);
    assert.equal(fl[0].lockOwner, fl[2].lockOwner);
    assert.equal(fl[1].lockOwner, fl[3].lockOwner);
    assert.notEqual(fl[0].lockOwner, fl[1].lockOwner);
    assert.ok(t.ops('setlk').length === 0 && t.ops('getlk').length === 0, 'flock is not sent as a POSIX lock');
    // fd2 was closed holding its lock: release says so, with fd2's owner.
    await until('release of the lock holder', () => t.ops('release', (e) => e.lockOwner === fl[1].lockOwner).length > 0);
    assert.equal(t.ops('release', (e) => e.lockOwner === fl[1].lockOwner)[0].flockRelease, true);

    // flock(1): free now; and refused while another process holds the lock.
    t.clear();
    let c = await sh('flock', ['-n', '-E', '42', path('flocked'), 'true']);
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(t.ops('flock').map((e) => (e.operation as number) & ~LOCK_NB).filter((x) => x === LOCK_EX), [LOCK_EX]);
    // A holder keeps a shared lock until the test creates a marker file (outside the mount).
    const marker = path('..', `${path('').split('/').pop()!}.done`);
    const holder = pyJson(`fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_SH)
end = time.time() + 10
while not os.path.exists(sys.argv[2]) and time.time() < end:
    time.sleep(0.01)
out(1)`, path('flocked'), marker);
    try {
      await until('the holder has its lock', () => t.ops('flock', (e) => e.operation === LOCK_SH).length > 0, 5000);
      c = await sh('flock', ['-n', '-E', '42', path('flocked'), 'true']);
      assert.equal(c.code, 42, 'flock(1) reports the conflict');
      c = await sh('flock', ['-n', '-s', '-E', '42', path('flocked'), 'true']);
      assert.equal(c.code, 0, 'a shared lock is compatible');
    } finally {
      await fsp.writeFile(marker, '');
      await holder;
      await fsp.unlink(marker);
    }
    assert.equal(f.ino, t.ops('flock')[0].ino);
  });
});

describe('ops: forget and forgetMulti', function () {
  const M = useMount({ entryTimeout: 60, attrTimeout: 60 });

  const forgotten = (t: MountedTestFs['fs'], ino: number): number =>
    t.ops('forget', (e) => e.ino === ino).reduce((s, e) => s + (e.nlookup as number), 0) +
    t.ops('forgetMulti').reduce((s, e) => s + (e.forgets as { ino: number; nlookup: number }[]).filter((x) => x.ino === ino).reduce((a, x) => a + x.nlookup, 0), 0);

  it('forget: an unlinked inode is forgotten with all its lookups once its last reference goes', async function () {
    const { fs: t, path } = M();
    await fsp.writeFile(path('gone'), 'bye');  // create: one lookup
    const ino = t.resolve('gone').ino;
    await fsp.link(path('gone'), path('gone2'));  // link: another one
    await fsp.unlink(path('gone2'));
    const held = t.lookups.get(ino);
    assert.equal(held, 2);
    await fsp.unlink(path('gone'));
    await until('forget', () => forgotten(t, ino) > 0);
    const fg = one(t.ops('forget', (e) => e.ino === ino), 'forget');
    assert.equal(fg.nlookup, held);
    assert.equal(t.ops('forgetMulti').length, 0, 'a single forget is not batched');
    assert.equal(t.lookups.has(ino), false);
    assert.equal(t.nodes.has(ino), false, 'the inode is freed');
  });

  it('forgetMulti: dropping the caches gives back the lookups of many inodes in batches', async function () {
    const { fs: t, path } = M();
    t.add('/many', K.S_IFDIR | 0o755);
    const inos: number[] = [];
    for (let i = 0; i < 40; i++) inos.push(t.add(`/many/n${i}`, K.S_IFREG | 0o644).ino);
    for (let i = 0; i < 40; i++) await fsp.stat(path('many', `n${i}`));
    const held = new Map(inos.map((ino) => [ino, t.lookups.get(ino) ?? 0]));
    assert.ok([...held.values()].every((n) => n >= 1));
    // The kernel batches only the forgets queued when the server reads: an idle server reads each
    // one as it comes (FUSE_FORGET). So this thread, the server, sleeps while another process
    // drops the caches (evicting inodes waits for nothing from the server), then reads the batch.
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    const end = Date.now() + 8000;
    while (inos.some((ino) => forgotten(t, ino) < held.get(ino)!) && Date.now() < end) {
      const dropped = sh('sh', ['-c', 'echo 2 > /proc/sys/vm/drop_caches']);
      Atomics.wait(sleeper, 0, 0, 500);
      assert.equal((await dropped).code, 0);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const ino of inos) assert.equal(forgotten(t, ino), held.get(ino), `forgotten lookups of ${ino}`);
    const batches = t.ops('forgetMulti');
    assert.ok(batches.some((e) => (e.forgets as unknown[]).length > 1), `batched: ${batches.length} batches, ${t.ops('forget').length} single forgets`);
    assert.ok(inos.every((ino) => !t.lookups.has(ino)));
  });
});

describe('ops: statx (libfuse 3.14 does not know it: rxfuse answers it, src-native/raw_ops.cc)', function () {
  const M = useMount({ statx: true });

  it("statx: Node's fs.stat and stat -c %W ask for the birth time and get the handler's", async function () {
    const { fs: t, path } = M();
    const f = t.add('/x', K.S_IFREG | 0o640, 'hello');
    // In a child: libuv stops calling statx for the rest of a process once one statx failed with
    // EPERM, EINVAL, ENOSYS or EOPNOTSUPP (earlier tests in this process may have made it so), and
    // then gives the ctime as the birth time.
    const node = await sh(process.execPath, ['-e', 'const s = require("fs").statSync(process.argv[1]); console.log(s.size, s.birthtimeMs)', path('x')]);
    assert.equal(node.code, 0, node.stderr);
    assert.equal(node.stdout.trim(), `5 ${TESTFS_BTIME(f.ino).sec * 1000 + 7}`);
    const r = await sh('stat', ['-c', '%W', path('x')]);
    assert.equal(r.stdout.trim(), String(TESTFS_BTIME(f.ino).sec));
    const sx = t.ops('statx', (e) => e.ino === f.ino);
    assert.ok(sx.length >= 2, `statx of the file: ${JSON.stringify(sx)}`);
    assert.equal((sx[0].mask as number) & 0xfff, 0xfff);
    assert.equal(sx[0].hasFh, false);
    assert.deepEqual(t.ops('getattr', (e) => e.ino === f.ino), []);
  });
});

describe('ops: tmpfile (libfuse 3.14 does not know it: rxfuse answers it, src-native/raw_ops.cc)', function () {
  const M = useMount();

  it('tmpfile: O_TMPFILE makes an unnamed file that linkat then names', async function () {
    const { fs: t, path } = M();
    const d = t.add('/t', K.S_IFDIR | 0o755);
    const r = await pyJson<{ nlink: number; mode: number; data: string; linked: number }>(`
os.umask(0o022)
fd = os.open(sys.argv[1], os.O_TMPFILE | os.O_RDWR, 0o666)
os.write(fd, b'unnamed')
st = os.fstat(fd)
libc.linkat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
if libc.linkat(-100, b'/proc/self/fd/%d' % fd, -100, os.fsencode(sys.argv[1] + '/named'), 0x400) != 0:
    raise OSError(ctypes.get_errno(), 'linkat')
data = open(sys.argv[1] + '/named', 'rb').read().decode()
out(dict(nlink=st.st_nlink, mode=st.st_mode, data=data, linked=os.stat(sys.argv[1] + '/named').st_nlink))`, path('t'));
    assert.deepEqual(r, { nlink: 0, mode: K.S_IFREG | 0o644, data: 'unnamed', linked: 1 });
    const e = one(t.ops('tmpfile'), 'tmpfile');
    assert.equal(e.parent, d.ino);
    assert.equal((e.mode as number) & 0o777, 0o644);  // umasked by the kernel (no dont_mask)
    assert.equal((e.flags as number) & 3, K.O_RDWR);  // O_ACCMODE
    one(t.ops('link', (x) => x.newName === 'named'), 'link');
  });
});

describe('ops: coverage', function () {
  it('every op the kernel sends reached a handler in the tests above (bmap: not on a fuse mount)', function () {
    const missing = OPS.filter((op) => op !== 'bmap' && !seenOps.has(op));
    assert.deepEqual(missing, []);
  });
});
