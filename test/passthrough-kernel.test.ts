// Kernel passthrough (docs/design.md, "Kernel passthrough") through real mounts: the passthrough
// example over a tmpfs source. Granted, a passed-through file's data never reaches a read or write
// handler and is byte-exact (each client script runs on the mount and on a twin directory on the
// tmpfs directly, and both must give the same results and the same bytes); backing ids are closed
// at the last release and at unmount; and where passthrough is not granted (writeback cache,
// `passthrough: false`, no CAP_SYS_ADMIN in the initial user namespace) the same filesystem serves
// the same data through its read and write handlers, without an error.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Capability, Fuse, type FuseErrorEvent, type FuseOptions } from '../lib';
import { Overlay } from '../examples/overlay/fs';
import { Passthrough, type PassthroughOptions } from '../examples/passthrough/fs';
import { mountTmpfs, type Target } from './diff/harness';
import { forceUnmount, pyJsonWith, sh, until } from './helpers';

interface PtMount {
  fuse: Fuse;
  dir: string;
  src: Target;
  /** READ and WRITE requests that reached the daemon. */
  io: { read: number; write: number };
  errors: FuseErrorEvent[];
  close(): Promise<void>;
}

async function mountPt(options: FuseOptions = {}, pt: PassthroughOptions = {}): Promise<PtMount> {
  const src = await mountTmpfs('source', 'size=3g,mode=0755,nosuid,nodev');  // room for the 1 GiB file and its copy
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-ptk-'));
  const fuse = new Fuse({ mountTimeout: 10000, autoUnmount: true, largeFiles: true, ...options });
  const io = { read: 0, write: 0 };
  const errors: FuseErrorEvent[] = [];
  fuse.observe({
    request(r) {
      if (r.op === 'read') io.read++;
      else if (r.op === 'write') io.write++;
    },
    reply() {},
  });
  fuse.errors$.subscribe((e) => errors.push(e));
  new Passthrough(fuse, src.dir, pt).attach();
  try {
    await fuse.mount(dir);
  } catch (e) {
    await forceUnmount(fuse, dir);
    await src.close();
    throw e;
  }
  return {
    fuse, dir, src, io, errors,
    async close() {
      await forceUnmount(fuse, dir);
      await src.close();
    },
  };
}

/** 100 write(2)s of 4 KiB to a passed-through file, from a client process: the requests the daemon saw meanwhile, by op. */
async function writesAndRequests(m: PtMount): Promise<Record<string, number>> {
  const f = path.join(m.dir, 'w');
  assert.equal((await sh('dd', ['if=/dev/zero', `of=${f}`, 'bs=4k', 'count=1', 'status=none'])).code, 0);
  const ops: Record<string, number> = {};
  const sub = m.fuse.observe({ request(r) { ops[r.op] = (ops[r.op] ?? 0) + 1; }, reply() {} });
  try {
    const r = await sh('/usr/bin/python3', ['-c', `import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
for i in range(100): os.pwrite(fd, b'x' * 4096, i * 4096)
os.close(fd)`, f]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    sub.unsubscribe();
  }
  return ops;
}

/** File I/O in a client process: random 4 KiB, shared mmap writes, truncate while open, O_APPEND with two fds. */
const CLIENT = `
import os, sys, json, mmap, hashlib, random
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
out = {}
def h(p):
    with open(p, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()
p = os.path.join(d, 'rand'); fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, 4 << 20)
rng = random.Random(7); reads = []
for i in range(400):
    off = rng.randrange(0, 1024) * 4096
    if rng.random() < 0.6: os.pwrite(fd, rng.randbytes(4096), off)
    else: reads.append(hashlib.sha256(os.pread(fd, 4096, off)).hexdigest()[:12])
os.close(fd); out['rand'] = [h(p), hashlib.sha256(''.join(reads).encode()).hexdigest()]
p = os.path.join(d, 'mm'); fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644); os.ftruncate(fd, 1 << 20)
m = mmap.mmap(fd, 1 << 20, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
for i in range(0, 1 << 20, 8192): m[i:i + 5] = b'mmap!'
m.flush(); m.close()
out['mm_pread'] = hashlib.sha256(os.pread(fd, 1 << 20, 0)).hexdigest(); os.close(fd); out['mm'] = h(p)
p = os.path.join(d, 'tr'); fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b'x' * 10000); os.ftruncate(fd, 3000)
out['tr1'] = [os.fstat(fd).st_size, os.stat(p).st_size, len(os.pread(fd, 20000, 0))]
os.truncate(p, 50000)
out['tr2'] = [os.fstat(fd).st_size, os.pread(fd, 10, 2995).hex(), len(os.pread(fd, 100000, 0))]
os.pwrite(fd, b'end', 60000); out['tr3'] = [os.fstat(fd).st_size, os.stat(p).st_size]; os.close(fd); out['tr'] = h(p)
p = os.path.join(d, 'ap'); a = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644); b = os.open(p, os.O_RDWR)
os.write(a, b'one\\n'); os.write(b, b'TWO'); os.write(a, b'three\\n'); os.lseek(b, 0, 0)
out['ap_b'] = os.read(b, 100).decode(); out['ap_size'] = [os.fstat(a).st_size, os.stat(p).st_size]
os.close(a); os.close(b); out['ap'] = h(p)
print(json.dumps(out))
`;

type ClientResult = Record<string, unknown>;

function client(dir: string): Promise<ClientResult> {
  return pyJsonWith<ClientResult>('', CLIENT, [dir]);
}

/** Runs the client on the mount (in `sub`) and on a twin directory on the source tmpfs; both must agree, and so must the bytes the source got. */
async function sameAsTmpfs(m: PtMount, sub: string): Promise<void> {
  const through = await client(path.join(m.dir, sub));
  const direct = await client(path.join(m.src.dir, `${sub}-twin`));
  assert.deepEqual(through, direct);
  for (const f of ['rand', 'mm', 'tr', 'ap']) {
    assert.ok(fs.readFileSync(path.join(m.src.dir, sub, f)).equals(fs.readFileSync(path.join(m.src.dir, `${sub}-twin`, f))), `${f} in the source`);
  }
}

async function sha256(file: string): Promise<string> {
  const r = await sh('sha256sum', [file], { timeout: 120000 });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split(' ')[0];
}

/** A python client that opens `files` (as "path:flags") and holds them until its stdin closes. */
function holder(files: string[]): { opened: Promise<void>; done(): Promise<void> } {
  const child = spawn('python3', ['-c', `
import os, sys
fds = [os.open(p, int(f)) for p, f in (a.rsplit(':', 1) for a in sys.argv[1:])]
print('open', flush=True)
sys.stdin.read()
`, ...files], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const opened = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
  return {
    opened,
    async done() {
      child.stdin.end();
      await exited;
      clearTimeout(timer);
    },
  };
}

describe('kernel passthrough (passthrough example over tmpfs)', function () {
  this.timeout(120000);
  let m: PtMount | undefined;

  afterEach(async function () {
    await m?.close();
    m = undefined;
  });

  describe('granted', function () {
    beforeEach(async function () {
      m = await mountPt();
      if (!m.fuse.backing.stats.offered) this.skip();  // a kernel before 6.9 or without CONFIG_FUSE_PASSTHROUGH
    });

    it('conn.passthrough is true and the session says why', function () {
      assert.equal(m!.fuse.conn?.passthrough, true);
      const s = m!.fuse.backing.stats;
      assert.deepEqual([s.offered, s.granted, s.refused], [true, true, false]);
    });

    it('1 GiB sequentially, read and written: byte-exact, and no READ or WRITE reaches the daemon', async function () {
      this.timeout(180000);
      const big = path.join(m!.src.dir, 'big');
      assert.equal((await sh('dd', ['if=/dev/urandom', `of=${big}`, 'bs=1M', 'count=1024', 'status=none'], { timeout: 120000 })).code, 0);
      const want = await sha256(big);
      assert.equal(await sha256(path.join(m!.dir, 'big')), want, 'read through the mount');
      const copy = await sh('dd', [`if=${big}`, `of=${path.join(m!.dir, 'copy')}`, 'bs=1M', 'status=none'], { timeout: 120000 });
      assert.equal(copy.code, 0, copy.stderr);
      assert.equal(await sha256(path.join(m!.src.dir, 'copy')), want, 'written through the mount');
      assert.equal((await fs.promises.stat(path.join(m!.dir, 'copy'))).size, 1 << 30, 'getattr reports the backing file\'s size');
      assert.deepEqual(m!.io, { read: 0, write: 0 });
      assert.ok(m!.fuse.backing.stats.opened >= 2, 'the files were passed through');
      assert.deepEqual(m!.errors, []);
    });

    it('random 4 KiB, shared mmap writes, truncate while open, O_APPEND and two fds: as on tmpfs, with no READ or WRITE', async function () {
      await sameAsTmpfs(m!, 'w');
      assert.deepEqual(m!.io, { read: 0, write: 0 });
      assert.deepEqual(m!.errors, []);
    });

    it('one backing id per inode, shared by its opens, closed after the last release', async function () {
      fs.writeFileSync(path.join(m!.src.dir, 'a'), 'a');
      fs.writeFileSync(path.join(m!.src.dir, 'b'), 'b');
      const a = path.join(m!.dir, 'a');
      const h = holder([`${a}:${fs.constants.O_RDONLY}`, `${a}:${fs.constants.O_RDWR}`, `${path.join(m!.dir, 'b')}:${fs.constants.O_RDONLY}`]);
      await h.opened;
      let s = m!.fuse.backing.stats;
      assert.deepEqual([s.live, s.opened, s.closed], [2, 2, 0], 'two inodes, two ids: the second open of a reuses its id');
      await h.done();
      await until('the ids closed', () => m!.fuse.backing.stats.live === 0);
      s = m!.fuse.backing.stats;
      assert.deepEqual([s.live, s.opened, s.closed], [0, 2, 2], 'closed by the kernel (BACKING_CLOSE succeeded)');
    });

    it('ids still open at unmount are closed by the unmount', async function () {
      fs.writeFileSync(path.join(m!.src.dir, 'a'), 'a');
      const h = holder([`${path.join(m!.dir, 'a')}:${fs.constants.O_RDONLY}`]);
      await h.opened;
      assert.equal(m!.fuse.backing.stats.live, 1);
      const native = m!.fuse.native;
      await m!.fuse.unmount();
      const s = native.passthroughStats();
      assert.deepEqual([s.live, s.opened, s.closed], [0, 1, 1]);
      await h.done();
    });

    it('every write(2) costs one GETXATTR of security.capability (the kernel\'s file_remove_privs)', async function () {
      const ops = await writesAndRequests(m!);
      assert.equal(ops.getxattr, 100);
      assert.equal(ops.write, undefined);
    });

    it('--xattrs off: no GETXATTR (nor WRITE) during the writes; xattrs answer EOPNOTSUPP', async function () {
      await m!.close();
      m = await mountPt({}, { xattrs: false });
      const ops = await writesAndRequests(m);
      assert.equal(ops.getxattr, undefined, 'libfuse answered the first GETXATTR ENOSYS; the kernel asks no more');
      assert.equal(ops.write, undefined);
      assert.ok((ops.open ?? 0) >= 1, 'the open reached the daemon');
      const x = await sh('/usr/bin/python3', ['-c', `import os, sys, errno
for f in (lambda: os.setxattr(sys.argv[1], 'user.a', b'1'), lambda: os.getxattr(sys.argv[1], 'user.a'), lambda: os.listxattr(sys.argv[1])):
    try: f(); print('ok')
    except OSError as e: print(errno.errorcode[e.errno])`, path.join(m.dir, 'w')]);
      assert.deepEqual(x.stdout.trim().split('\n'), ['ENOTSUP', 'ENOTSUP', 'ENOTSUP'], x.stderr);
      assert.ok(m.fuse.backing.stats.opened >= 1, 'passed through');
    });

    it('trace records say which opens pass through', async function () {
      fs.writeFileSync(path.join(m!.src.dir, 'a'), 'a');
      const seen: unknown[] = [];
      const sub = m!.fuse.observe({ request() {}, reply(req, _err, value) {
        if (req.op === 'open') seen.push((value as { backing?: unknown }).backing !== undefined);
      } });
      assert.equal((await sh('cat', [path.join(m!.dir, 'a')])).stdout, 'a');
      sub.unsubscribe();
      assert.deepEqual(seen, [true]);
    });
  });

  describe('overlay, lower files passed through too (new Overlay(..., true))', function () {
    it('a held lower file refuses copy-up (ETXTBSY); once closed, copy-up switches to the upper file', async function () {
      const layers = await mountTmpfs('layers');
      const lower = path.join(layers.dir, 'lower');
      const upper = path.join(layers.dir, 'upper');
      fs.mkdirSync(lower);
      fs.mkdirSync(upper);
      fs.writeFileSync(path.join(lower, 'f'), 'lower');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-ptk-ov-'));
      const fuse = new Fuse({ mountTimeout: 10000, autoUnmount: true, defaultPermissions: true });
      const io = { read: 0, write: 0 };
      fuse.observe({ request(r) { if (r.op === 'read' || r.op === 'write') io[r.op]++; }, reply() {} });
      new Overlay(fuse, lower, upper, true).attach();
      try {
        await fuse.mount(dir);
        if (!fuse.conn?.passthrough) this.skip();
        const f = path.join(dir, 'f');
        const h = holder([`${f}:${fs.constants.O_RDONLY}`]);
        await h.opened;
        assert.equal(fuse.backing.stats.live, 1, 'the lower file is passed through');
        const chmod = await pyJsonWith<string>('import os, sys, json, errno\n', `
try:
    os.chmod(sys.argv[1], 0o600); print(json.dumps('ok'))
except OSError as e:
    print(json.dumps(errno.errorcode[e.errno]))
`, [f]);
        assert.equal(chmod, 'ETXTBSY', 'no copy-up while the lower file is the backing file');
        assert.equal(fs.existsSync(path.join(upper, 'f')), false);
        await h.done();
        await until('the lower id closed', () => fuse.backing.stats.live === 0);
        const w = await pyJsonWith<string>('import os, sys, json\n', `
fd = os.open(sys.argv[1], os.O_RDWR); os.pwrite(fd, b'UP', 0); os.close(fd)
print(json.dumps(open(sys.argv[1]).read()))
`, [f]);
        assert.equal(w, 'UPwer');
        assert.equal(fs.readFileSync(path.join(upper, 'f'), 'utf8'), 'UPwer', 'written to the upper copy');
        assert.equal(fs.readFileSync(path.join(lower, 'f'), 'utf8'), 'lower', 'the lower file unchanged');
        assert.deepEqual(io, { read: 0, write: 0 }, 'lower read and upper write both passed through');
        assert.deepEqual([fuse.backing.stats.opened, fuse.backing.stats.closed], [3, 3]);
      } finally {
        await forceUnmount(fuse, dir);
        await layers.close();
      }
    });
  });

  describe('not granted: the same filesystem through its read and write handlers', function () {
    it('with the writeback cache: conn.passthrough false, data exact', async function () {
      m = await mountPt({ conn: { capabilities: { writebackCache: true } } });
      assert.ok(((m.fuse.conn?.want ?? 0) & Capability.writebackCache) !== 0, 'writeback cache negotiated');
      assert.equal(m.fuse.conn?.passthrough, false);
      await sameAsTmpfs(m, 'w');
      assert.ok(m.io.read > 0 && m.io.write > 0, JSON.stringify(m.io));
      assert.equal(m.fuse.backing.stats.opened, 0);
      assert.deepEqual(m.errors, []);
    });

    it('with passthrough: false: conn.passthrough false, data exact', async function () {
      m = await mountPt({ passthrough: false });
      assert.equal(m.fuse.conn?.passthrough, false);
      await sameAsTmpfs(m, 'w');
      assert.ok(m.io.read > 0 && m.io.write > 0, JSON.stringify(m.io));
      assert.deepEqual(m.errors, []);
    });

    it('libfuse still splices replyFd data through the splice_send hook', async function () {
      m = await mountPt({ passthrough: false, conn: { capabilities: { spliceWrite: true } } });
      assert.ok(((m.fuse.conn?.want ?? 0) & Capability.spliceWrite) !== 0, 'splice write offered with the hooks');
      fs.writeFileSync(path.join(m.src.dir, 'f'), Buffer.alloc(1 << 20, 7));
      assert.equal(await sha256(path.join(m.dir, 'f')), await sha256(path.join(m.src.dir, 'f')));
      assert.ok(m.fuse.backing.stats.spliceSends > 0, 'replies spliced');
    });

    it('without CAP_SYS_ADMIN in the initial user namespace: EPERM at the first BACKING_OPEN, then read/write', async function () {
      // The daemon as root of a user namespace of its own (mounting FUSE there needs no privilege): the
      // kernel offers passthrough at INIT and refuses BACKING_OPEN.
      const src = await mountTmpfs('source', 'size=3g,mode=0755,nosuid,nodev');  // room for the 1 GiB file and its copy
      try {
        fs.writeFileSync(path.join(src.dir, 'f'), 'unprivileged\n');
        const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-ptk-ns-'));
        const script = `
const { Fuse } = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
const { Passthrough } = require(${JSON.stringify(path.join(__dirname, '..', 'examples', 'passthrough', 'fs'))});
const { execFile } = require('node:child_process');
(async () => {
  const [src, mnt] = process.argv.slice(1);
  const fuse = new Fuse({ autoUnmount: false });
  const io = { read: 0, write: 0 };
  fuse.observe({ request(r) { if (r.op === 'read' || r.op === 'write') io[r.op]++; }, reply() {} });
  const errors = [];
  fuse.errors$.subscribe((e) => errors.push(String(e.cause)));
  new Passthrough(fuse, src).attach();
  const c = await fuse.mount(mnt);
  const py = 'import sys; p = sys.argv[1]; open(p, "a").write("more\\\\n"); print(open(p).read(), end="")';
  const data = await new Promise((res) => execFile('python3', ['-c', py, mnt + '/f'], (e, o, se) => res(o + se)));
  console.log(JSON.stringify({ offeredAtInit: c.passthrough, now: fuse.conn.passthrough, stats: fuse.backing.stats, io, data, errors }));
  await fuse.unmount();
})().catch((e) => { console.error(e); process.exit(1); });
`;
        const r = await sh('unshare', ['--user', '--map-root-user', '--mount', '--propagation', 'private', process.execPath, '-e', script, src.dir, mnt], { timeout: 30000 });
        fs.rmdirSync(mnt);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
          offeredAtInit: boolean; now: boolean; stats: { refused: boolean; opened: number }; io: { read: number; write: number }; data: string; errors: string[];
        };
        assert.equal(out.offeredAtInit, true, 'granted at INIT');
        assert.deepEqual([out.now, out.stats.refused, out.stats.opened], [false, true, 0], `refused at the first BACKING_OPEN: conn says so (${r.stdout})`);
        assert.equal(out.data, 'unprivileged\nmore\n');
        assert.ok(out.io.read > 0 && out.io.write > 0, JSON.stringify(out.io));
        assert.deepEqual(out.errors, []);
        assert.equal(fs.readFileSync(path.join(src.dir, 'f'), 'utf8'), 'unprivileged\nmore\n');
      } finally {
        await src.close();
      }
    });
  });
});
