// O_TMPFILE (FUSE_TMPFILE, opcode 51, which libfuse 3.14 does not know) through real mounts: memfs
// against a kernel tmpfs, as root and as uid 1000 (python3 children), the freeing of an unlinked
// tmpfile at its last close, and a tiny filesystem without a handler (EOPNOTSUPP) and with one that
// throws (EIO, errors$).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { type FuseErrorEvent, traceRecords, type TraceRecord } from '../lib';
import { memfsBesideTmpfs, pyIn } from './memfs-beside-tmpfs';
import { sh, withMount } from './helpers';
import { Passthrough } from '../examples/passthrough/fs';
import * as fs from 'node:fs';

/** The cases, run in a directory of each mount; `plink` is linkat(AT_FDCWD, /proc/self/fd/N, AT_SYMLINK_FOLLOW). */
const CASES = `
import os, sys, json, ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
def E(f, *a):
    try: return f(*a)
    except OSError as e: return errno.errorcode[e.errno]
def C(r): return 0 if r == 0 else errno.errorcode[ctypes.get_errno()]
def plink(fd, name): return C(libc.linkat(-100, b'/proc/self/fd/%d' % fd, -100, name, 0x400))
def elink(fd, name): return C(libc.linkat(fd, b'', -100, name, 0x1000))  # AT_EMPTY_PATH
os.umask(0o022)
res = {}
fd = os.open('.', os.O_TMPFILE | os.O_RDWR, 0o666)
os.write(fd, b'hello tmpfile')
s = os.fstat(fd)
res['fresh: nlink, mode, size, data, listing'] = [s.st_nlink, oct(s.st_mode), s.st_size, os.pread(fd, 100, 0).decode(), sorted(os.listdir('.'))]
res['linkat /proc/self/fd'] = plink(fd, b'named')
s = os.fstat(fd)
res['linked'] = [s.st_nlink, sorted(os.listdir('.')), E(lambda: open('named').read()), os.stat('named').st_uid == os.getuid()]
res['a second link'] = [plink(fd, b'named2'), E(lambda: os.stat('named').st_nlink)]
os.close(fd)
fd = os.open('.', os.O_TMPFILE | os.O_WRONLY | os.O_EXCL, 0o600)
res['O_EXCL refuses linking'] = [plink(fd, b'excl'), elink(fd, b'excl'), sorted(os.listdir('.'))]
os.close(fd)
fd = os.open('.', os.O_TMPFILE | os.O_RDWR, 0o600)
os.write(fd, b'x' * 5000)
res['AT_EMPTY_PATH'] = elink(fd, b'empty')
res['after AT_EMPTY_PATH'] = [os.fstat(fd).st_nlink, sorted(os.listdir('.')), E(lambda: os.stat('empty').st_size)]
os.close(fd)
res['O_TMPFILE without write access'] = E(os.open, '.', os.O_TMPFILE | os.O_RDONLY, 0o600)
print(json.dumps(res))
`;

/** CASES in a fresh 0777 directory `sub` of `dir`, as `uid` (0: root). */
async function casesAs(dir: string, sub: string, uid: number): Promise<Record<string, unknown>> {
  // A child makes it: a synchronous call here would deadlock on the mount this thread serves.
  const mk = await sh('timeout', ['10', 'mkdir', '-m', '777', path.join(dir, sub)]);
  if (mk.code !== 0) throw new Error(mk.stderr);
  const r = await sh('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, `--groups=${uid}`, 'timeout', '20', '/usr/bin/python3', '-c',
    `import os\nos.chdir(${JSON.stringify(path.join(dir, sub))})\n${CASES}`]);
  if (r.code !== 0) throw new Error(`client failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('O_TMPFILE (FUSE_TMPFILE on libfuse 3.14)', function () {
  this.timeout(60000);

  describe('memfs against tmpfs', function () {
    const mounts = memfsBesideTmpfs();

    it('as root: open, write, read, fstat (nlink 0), linkat via /proc and AT_EMPTY_PATH, O_EXCL as tmpfs', async () => {
      const { memfs, tmpfs } = mounts();
      const want = await casesAs(tmpfs.dir, 'root', 0);
      const got = await casesAs(memfs.dir, 'root', 0);
      assert.deepEqual(got, want);
      assert.deepEqual(want['fresh: nlink, mode, size, data, listing'], [0, '0o100644', 13, 'hello tmpfile', []]);
      assert.equal(want['linkat /proc/self/fd'], 0);
      assert.deepEqual(want['O_EXCL refuses linking'], ['ENOENT', 'ENOENT', ['named', 'named2']]);
      assert.equal(want['AT_EMPTY_PATH'], 0);
      assert.deepEqual(memfs.errors, []);
    });

    it('as uid 1000: the same as tmpfs (the file is the caller\'s; linkat via /proc works)', async () => {
      const { memfs, tmpfs } = mounts();
      const want = await casesAs(tmpfs.dir, 'user', 1000);
      const got = await casesAs(memfs.dir, 'user', 1000);
      assert.deepEqual(got, want);
      assert.equal(want['linkat /proc/self/fd'], 0);
      assert.deepEqual(memfs.errors, []);
    });

    it('an unlinked tmpfile is freed at its last close: statfs blocks and inodes come back', async () => {
      const { memfs } = mounts();
      const r = await pyIn(memfs.dir, `
import os, json, time
def counts():
    s = os.statvfs('.'); return [s.f_bfree, s.f_ffree]
before = counts()
fd = os.open('.', os.O_TMPFILE | os.O_RDWR, 0o600)
os.write(fd, b'y' * (1 << 20))
during = counts()
os.close(fd)
after = counts()
for i in range(100):
    if after == before: break
    time.sleep(0.05); after = counts()
print(json.dumps(dict(before=before, during=during, after=after)))`);
      const [b, d, a] = [r.before, r.during, r.after] as number[][];
      assert.ok(b[0] - d[0] >= 256, `1 MiB of blocks taken while open: ${b[0]} → ${d[0]}`);
      assert.equal(b[1] - d[1], 1, 'one inode taken while open');
      assert.deepEqual(a, b, 'all back after the last close');
      assert.equal(memfs.fs.table.get(1).nlink >= 2, true);
      assert.deepEqual(memfs.errors, []);
    });
  });

  // As uid 1000 the passthrough switches to the caller's groups (getgroups() of a raw request).
  it('passthrough: the same as tmpfs as root and as uid 1000 (opened in the source as the caller)', async () => {
    const src = fs.mkdtempSync('/dev/shm/rxfuse-tmpfile-src-');
    const twin = fs.mkdtempSync('/dev/shm/rxfuse-tmpfile-twin-');
    fs.chmodSync(src, 0o755);
    fs.chmodSync(twin, 0o755);
    const errors: FuseErrorEvent[] = [];
    try {
      await withMount((fuse) => {
        new Passthrough(fuse, src).attach();
        fuse.errors$.subscribe((e) => errors.push(e));
      }, async (m) => {
        for (const [sub, uid] of [['root', 0], ['user', 1000]] as const) {
          const want = await casesAs(twin, sub, uid);
          assert.deepEqual(await casesAs(m.dir, sub, uid), want, `uid ${uid}`);
          assert.equal(want['linkat /proc/self/fd'], 0);
        }
      }, { allowOther: true });
      assert.deepEqual(errors, []);
    } finally {
      fs.rmSync(src, { recursive: true, force: true });
      fs.rmSync(twin, { recursive: true, force: true });
    }
  });

  describe('a filesystem with only the root', function () {
    const ROOT = { ino: 1, mode: 0o40777, nlink: 2 };
    const probe = `
try:
    fd = os.open('.', os.O_TMPFILE | os.O_RDWR, 0o600); print(json.dumps('opened'))
except OSError as e:
    print(json.dumps(errno.errorcode[e.errno]))`;

    it('without a tmpfile handler, open(O_TMPFILE) gets EOPNOTSUPP', async () => {
      await withMount((fuse) => {
        fuse.handle('getattr', () => ({ attr: ROOT, timeout: 0 }));
      }, async (m) => {
        const r = await sh('timeout', ['20', '/usr/bin/python3', '-c', `import os, json, errno\nos.chdir(${JSON.stringify(m.dir)})\n${probe}`]);
        assert.equal(r.stdout.trim(), '"ENOTSUP"', r.stderr);  // errno 95, EOPNOTSUPP's other name
      });
    });

    it('getgroups() of a tmpfile request (an op libfuse does not know) gives the caller\'s groups', async () => {
      const seen: unknown[] = [];
      await withMount((fuse) => {
        fuse.handle('getattr', () => ({ attr: ROOT, timeout: 0 }));
        fuse.handle('tmpfile', (req) => {
          seen.push([req.uid, req.gid, req.getgroups()]);
          req.fail('EROFS');
        });
      }, async (m) => {
        const r = await sh('setpriv', ['--reuid=1000', '--regid=1000', '--groups=1000,5,7', 'timeout', '20', '/usr/bin/python3', '-c',
          `import os, json, errno\nos.chdir(${JSON.stringify(m.dir)})\n${probe}`]);
        assert.equal(r.stdout.trim(), '"EROFS"', r.stderr);
      }, { allowOther: true });
      assert.deepEqual(seen, [[1000, 1000, [5, 7, 1000]]]);  // as /proc lists them
    });

    it('a tmpfile handler that throws answers EIO and reports on errors$; the trace records the request', async () => {
      const errors: FuseErrorEvent[] = [];
      const records: TraceRecord[] = [];
      await withMount((fuse) => {
        fuse.handle('getattr', () => ({ attr: ROOT, timeout: 0 }));
        fuse.handle('tmpfile', () => {
          throw new Error('tmpfile broke');
        });
        fuse.errors$.subscribe((e) => errors.push(e));
        traceRecords(fuse).subscribe((r) => records.push(r));
      }, async (m) => {
        const r = await sh('timeout', ['20', '/usr/bin/python3', '-c', `import os, json, errno\nos.chdir(${JSON.stringify(m.dir)})\n${probe}`]);
        assert.equal(r.stdout.trim(), '"EIO"', r.stderr);
      });
      assert.equal(errors.length, 1);
      assert.equal(errors[0].op, 'tmpfile');
      const t = records.find((x) => x.op === 'tmpfile');
      assert.ok(t, 'a trace record of the tmpfile request');
      assert.equal(t.ino, 1);
    });
  });
});
