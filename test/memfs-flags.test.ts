// memfs's file flags (lsattr/chattr: FS_IOC_GETFLAGS/SETFLAGS, FS_IOC_FSGETXATTR/FSSETXATTR) and
// their enforcement, side by side with a kernel tmpfs: every client script runs in both mounts, as
// root or as uid 1000, and the two must answer alike (plus a few absolute expectations).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemFs, memfsOptions } from '../examples/memfs';
import { type MountedFixture, mountFixture, PY_ERRNO, sh } from './helpers';

const PY = '/usr/bin/python3';  // uid 1000 cannot read root's pyenv

const PRELUDE = `
import os, sys, json, errno, fcntl, struct, time
GET, SET, FSGET, FSSET = 0x80086601, 0x40086602, 0x801c581f, 0x401c5820
A, I, D, NOATIME, SYNC = 0x20, 0x10, 0x40, 0x80, 0x8
${PY_ERRNO}def fd_of(p):
    return os.open(p, os.O_RDONLY | (os.O_DIRECTORY if os.path.isdir(p) else 0))
def getf(p):
    fd = fd_of(p)
    try: return struct.unpack('<I', fcntl.ioctl(fd, GET, b'\\0' * 8)[:4])[0]
    finally: os.close(fd)
def setf(p, f):
    fd = fd_of(p)
    try: fcntl.ioctl(fd, SET, struct.pack('<Q', f))
    finally: os.close(fd)
def fsget(p):
    fd = fd_of(p)
    try: return struct.unpack('<5I', fcntl.ioctl(fd, FSGET, b'\\0' * 28)[:20])
    finally: os.close(fd)
def fsset(p, xflags, projid=0):
    fd = fd_of(p)
    try: fcntl.ioctl(fd, FSSET, struct.pack('<5I8x', xflags, 0, 0, projid, 0))
    finally: os.close(fd)
def write(p, flags, data=b'x'):
    fd = os.open(p, flags)
    try: os.write(fd, data)
    finally: os.close(fd)
def touch(p):
    os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
def out(x): print(json.dumps(x))
`;

type Json = unknown;

describe('memfs file flags (lsattr/chattr), against tmpfs', function () {
  this.timeout(60000);
  let m: MountedFixture<MemFs> | undefined;
  let tmpfs: string | undefined;
  let seq = 0;

  before(async () => {
    m = await mountFixture('rxfuse-memfs-flags-', new MemFs(), { ...memfsOptions(), allowOther: true });
    tmpfs = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-tmpfs-flags-'));
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=1777', 'tmpfs', tmpfs], { timeout: 10000 });
    if (r.status !== 0) throw new Error(`mount tmpfs: ${r.stderr}`);
  });
  after(async () => {
    await m?.unmount();
    if (tmpfs) {
      spawnSync('umount', ['-l', tmpfs], { timeout: 10000 });
      fs.rmdirSync(tmpfs);
    }
  });
  afterEach(() => {
    assert.deepEqual(m!.errors.map((e) => `${e.kind} ${e.op}: ${String(e.cause)}`), []);
  });

  /** Runs the script in a fresh directory of each mount (root's, or uid 1000's with `as: 'user'`); answers both results. */
  async function both(code: string, as: 'root' | 'user' = 'root'): Promise<{ memfs: Json; tmpfs: Json }> {
    const name = `case${++seq}`;
    const run = async (root: string): Promise<Json> => {
      const dir = path.join(root, name);
      // Made by a child: a mkdir on the thread serving the mount would deadlock.
      const mk = await sh('sh', ['-c', `mkdir -m 0777 "$1"`, 'sh', dir]);
      assert.equal(mk.code, 0, mk.stderr);
      const script = `import os\nos.chdir(${JSON.stringify(dir)})\n${PRELUDE}${code}`;
      const r = as === 'user'
        ? await sh('setpriv', ['--reuid=1000', '--regid=1000', '--groups=1000', PY, '-c', script])
        : await sh(PY, ['-c', script]);
      if (r.code !== 0) throw new Error(`client failed (${r.code}) in ${root}: ${r.stderr}`);
      const lines = r.stdout.trim().split('\n');
      return JSON.parse(lines[lines.length - 1]) as Json;
    };
    return { memfs: await run(m!.dir), tmpfs: await run(tmpfs!) };
  }

  /** Runs a shell command line in a fresh directory of each mount; answers both outputs. */
  async function shBoth(line: string): Promise<{ memfs: string; tmpfs: string }> {
    const name = `case${++seq}`;
    const run = async (root: string): Promise<string> => {
      const r = await sh('sh', ['-c', `mkdir "$1" && cd "$1" && { ${line}; } 2>&1`, 'sh', path.join(root, name)]);
      return r.stdout;
    };
    return { memfs: await run(m!.dir), tmpfs: await run(tmpfs!) };
  }

  it('lsattr and chattr +a +i +d +A, -a -i on files and directories read as on tmpfs', async () => {
    const r = await shBoth(`touch f; mkdir d; lsattr f; lsattr -d d;
      chattr +a f; lsattr f; chattr +i f; lsattr f; chattr -a -i f; lsattr f;
      chattr +d +A d; lsattr -d d; chattr +i d; lsattr -d d; chattr -i -d -A d; lsattr -d d;
      chattr +s f; echo "s: $?"; chattr +c f; echo "c: $?"; lsattr f`);
    assert.equal(r.memfs, r.tmpfs);
    assert.match(r.memfs, /^-----a-+ f$/m);
    assert.match(r.memfs, /^----ia-+ f$/m);
    assert.match(r.memfs, /^------dA-+ d$/m);
    assert.match(r.memfs, /s: 1/);
  });

  it('an immutable file refuses writes, truncation, attribute and xattr changes, links, unlink and rename', async () => {
    const r = await both(`
touch('f'); write('f', os.O_WRONLY, b'hello'); os.setxattr('f', 'user.a', b'1')
held = os.open('f', os.O_RDONLY)
heldw = os.open('f', os.O_WRONLY)
setf('f', I)
res = dict(flags=getf('f'),
  wr=E(write, 'f', os.O_WRONLY), app=E(write, 'f', os.O_WRONLY | os.O_APPEND), trunc=E(os.open, 'f', os.O_RDONLY | os.O_TRUNC),
  truncate=E(os.truncate, 'f', 0), chmod=E(os.chmod, 'f', 0o600), chown=E(os.chown, 'f', 1000, -1), chown_none=E(os.chown, 'f', -1, -1),
  utime=E(os.utime, 'f', (1, 1)), touch=E(os.utime, 'f', None), setx=E(os.setxattr, 'f', 'user.b', b'2'), rmx=E(os.removexattr, 'f', 'user.a'),
  getx=os.getxattr('f', 'user.a').decode(), link=E(os.link, 'f', 'g'), unlink=E(os.unlink, 'f'), rename=E(os.rename, 'f', 'h'),
  falloc=E(os.posix_fallocate, held, 0, 8192), read=os.pread(held, 5, 0).decode(), size=os.stat('f').st_size,
  held_write=E(os.pwrite, heldw, b'H', 0), held_ftruncate=E(os.ftruncate, heldw, 3), held_fchmod=E(os.fchmod, heldw, 0o600))
setf('f', 0)
res['after'] = [getf('f'), E(write, 'f', os.O_WRONLY), E(os.unlink, 'f')]
out(res)
`);
    assert.deepEqual(r.memfs, r.tmpfs);
    const x = r.memfs as Record<string, unknown>;
    assert.equal(x.flags, 0x10);
    for (const k of ['wr', 'app', 'trunc', 'truncate', 'chmod', 'chown', 'utime', 'touch', 'setx', 'rmx', 'link', 'unlink', 'rename']) {
      assert.equal(x[k], 'EPERM', k);
    }
    assert.deepEqual(x.after, [0, 'ok', 'ok']);
    // The VFS checks the flag at open and truncate(2): a descriptor opened before may still write and ftruncate.
    assert.deepEqual([x.held_write, x.held_ftruncate, x.held_fchmod], [1, 'ok', 'EPERM']);
  });

  it('an append-only file takes O_APPEND writes only, and refuses truncation, unlink, rename and attribute changes', async () => {
    const r = await both(`
touch('f'); write('f', os.O_WRONLY, b'hello')
setf('f', A)
res = dict(flags=getf('f'),
  wr=E(write, 'f', os.O_WRONLY), rdwr=E(write, 'f', os.O_RDWR), app=E(write, 'f', os.O_WRONLY | os.O_APPEND, b'!'),
  apptrunc=E(os.open, 'f', os.O_WRONLY | os.O_APPEND | os.O_TRUNC), rd=E(lambda: os.close(os.open('f', os.O_RDONLY))),
  truncate=E(os.truncate, 'f', 0), chmod=E(os.chmod, 'f', 0o600), utime=E(os.utime, 'f', (1, 1)), touch=E(os.utime, 'f', None),
  setx=E(os.setxattr, 'f', 'user.b', b'2'), link=E(os.link, 'f', 'g'), unlink=E(os.unlink, 'f'), rename=E(os.rename, 'f', 'h'),
  data=open('f', 'rb').read().decode())
fd = os.open('f', os.O_WRONLY | os.O_APPEND)
res['ftruncate'] = E(os.ftruncate, fd, 0)
res['punch'] = E(os.posix_fallocate, fd, 0, 4096)
os.close(fd)
setf('f', 0)
res['after'] = [getf('f'), E(os.unlink, 'f')]
out(res)
`);
    assert.deepEqual(r.memfs, r.tmpfs);
    const x = r.memfs as Record<string, unknown>;
    assert.equal(x.flags, 0x20);
    for (const k of ['wr', 'rdwr', 'apptrunc', 'truncate', 'chmod', 'utime', 'setx', 'link', 'unlink', 'rename', 'ftruncate']) {
      assert.equal(x[k], 'EPERM', k);
    }
    assert.equal(x.app, 'ok');
    assert.equal(x.touch, 'ok');
    assert.equal(x.data, 'hello!');
  });

  it('immutable and append-only directories: no new names in the first, no removed names in either', async () => {
    const r = await both(`
os.mkdir('i'); touch('i/old'); os.mkdir('i/sub'); os.mkdir('a'); touch('a/old'); os.mkdir('a/sub'); touch('x')
setf('i', I); setf('a', A)
res = {}
for d in ('i', 'a'):
    res[d] = dict(create=E(touch, d + '/new'), mkdir=E(os.mkdir, d + '/newd'), symlink=E(os.symlink, 't', d + '/sl'),
      link=E(os.link, 'x', d + '/lx'), unlink=E(os.unlink, d + '/old'), rmdir=E(os.rmdir, d + '/sub'),
      out=E(os.rename, d + '/old', 'moved'), into=E(os.rename, 'x', d + '/x2'), write=E(write, d + '/old', os.O_WRONLY),
      chmod=E(os.chmod, d, 0o700), list=sorted(os.listdir(d)))
for d in ('i', 'a'): setf(d, 0)
touch('x'); res['again'] = [E(touch, 'i/new2'), E(os.unlink, 'a/old')]
out(res)
`);
    assert.deepEqual(r.memfs, r.tmpfs);
    const x = r.memfs as Record<string, Record<string, unknown>>;
    assert.equal(x.i.create, 'EPERM');
    assert.equal(x.i.unlink, 'EPERM');
    assert.equal(x.a.create, 'ok');
    assert.equal(x.a.unlink, 'EPERM');
    assert.equal(x.a.into, 'ok');
    assert.equal(x.a.out, 'EPERM');
  });

  it('as uid 1000: its own files take +d but not +a or +i; others\' files take nothing; unknown flags are EOPNOTSUPP', async () => {
    const r = await both(`
touch('mine')
res = dict(get=getf('mine'), nodump=E(setf, 'mine', D), after=getf('mine'), append=E(setf, 'mine', D | A), immutable=E(setf, 'mine', I),
  sync=E(setf, 'mine', D | SYNC), others=E(setf, '..', 0), get_others=E(getf, '..'))
out(res)
`, 'user');
    assert.deepEqual(r.memfs, r.tmpfs);
    assert.deepEqual(r.memfs, { get: 0, nodump: 'ok', after: 0x40, append: 'EPERM', immutable: 'EPERM', sync: 'EOPNOTSUPP', others: 'EPERM', get_others: 0 });
  });

  it('new inodes inherit nodump and noatime; SETFLAGS moves ctime; FSGETXATTR and FSSETXATTR map the same flags', async () => {
    const r = await both(`
os.mkdir('d'); setf('d', D | NOATIME)
touch('d/f'); os.mkdir('d/s')
c0 = os.stat('d/f').st_ctime_ns
inherited = getf('d/f')
time.sleep(0.01)
setf('d/f', inherited | A)
res = dict(inherited=inherited, f=getf('d/f'), s=getf('d/s'), ctime_moved=os.stat('d/f').st_ctime_ns > c0,
  fsget=fsget('d/f'), fsset=E(fsset, 'd/f', 0x80), fsget2=fsget('d/f'), projid=E(fsset, 'd/f', 0, 7), sync=E(fsset, 'd/f', 0x20))
setf('d/f', 0)
os.mkdir('n'); setf('n', NOATIME); touch('n/x'); a0 = os.stat('n').st_atime_ns
time.sleep(0.01); os.listdir('n'); res['listing_moved_atime'] = os.stat('n').st_atime_ns != a0
out(res)
`);
    assert.deepEqual(r.memfs, r.tmpfs);
    const x = r.memfs as Record<string, unknown>;
    assert.equal(x.listing_moved_atime, false);
    assert.equal(x.inherited, 0x40 | 0x80);
    assert.equal(x.f, 0x20 | 0x40 | 0x80);
    assert.equal(x.s, 0x40 | 0x80);
    assert.equal(x.ctime_moved, true);
  });
});
