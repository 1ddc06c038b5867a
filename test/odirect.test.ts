// O_DIRECT through the passthrough over real block filesystems: an XFS and an ext4 image on loop
// devices. The source file is opened O_DIRECT (the kernel passes the flag on), so the source takes
// pwrite() only from memory aligned to its logical block size: the payload in our receive buffer.
// Clients are python3 children with mmap'd (page-aligned) buffers.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type FuseErrorEvent, sys, WriteRequest } from '../lib';
import { F } from '../lib/layout';
import { type RequestHost, SLOT_F64 } from '../lib/request';
import { RequestState } from '../lib/request-state';
import { Passthrough } from '../examples/passthrough/fs';
import { forceUnmount, isMounted, py, until, withMount } from './helpers';

const { O_DIRECT } = fs.constants;

/** A filesystem image on a loop device, mounted on `dir`; detach() undoes all of it, lazily if busy. */
class LoopImage {
  private constructor(readonly base: string, readonly dev: string, readonly dir: string) {}

  /** A reason to skip (a string) when mkfs or loop devices are missing: the only reasons to skip. */
  static make(type: 'xfs' | 'ext4'): LoopImage | string {
    const mkfs = ['/usr/sbin/mkfs.' + type, '/sbin/mkfs.' + type].find((p) => fs.existsSync(p));
    if (!mkfs) return `mkfs.${type} is not installed (apt-get install ${type === 'xfs' ? 'xfsprogs' : 'e2fsprogs'})`;
    if (!fs.existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control)';
    const base = fs.mkdtempSync(path.join(os.tmpdir(), `rxfuse-odirect-${type}-`));
    const img = path.join(base, 'image');
    const dir = path.join(base, 'src');
    fs.mkdirSync(dir);
    fs.writeFileSync(img, '');
    fs.truncateSync(img, 320 << 20);  // sparse; mkfs.xfs wants at least 300 MiB
    const run = (cmd: string, args: string[]): string => {
      const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000 });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
      return r.stdout.trim();
    };
    try {
      run(mkfs, type === 'xfs' ? ['-q', '-f', img] : ['-q', '-F', img]);
    } catch (e) {
      fs.rmSync(base, { recursive: true, force: true });
      throw e;
    }
    const attach = spawnSync('losetup', ['--find', '--show', img], { encoding: 'utf8', timeout: 30000 });
    if (attach.status !== 0) {
      fs.rmSync(base, { recursive: true, force: true });
      return `no free loop device: ${attach.stderr.trim()}`;
    }
    const image = new LoopImage(base, attach.stdout.trim(), dir);
    try {
      run('mount', [image.dev, dir]);
      fs.chmodSync(dir, 0o777);
    } catch (e) {
      image.detach();
      throw e;
    }
    return image;
  }

  detach(): void {
    if (isMounted(this.dir)) spawnSync('umount', [this.dir], { stdio: 'ignore', timeout: 30000 });
    if (isMounted(this.dir)) spawnSync('umount', ['-l', this.dir], { stdio: 'ignore', timeout: 30000 });
    // Detaching a still-busy device (a lazy unmount) marks it autoclear: gone with its last user.
    spawnSync('losetup', ['-d', this.dev], { stdio: 'ignore', timeout: 30000 });
    fs.rmSync(this.base, { recursive: true, force: true });
  }

  /** Whether the loop device still holds our image (its backing file, "(deleted)" once removed). */
  attached(): boolean {
    try {
      const backing = fs.readFileSync(`/sys/block/${path.basename(this.dev)}/loop/backing_file`, 'utf8');
      return backing.startsWith(path.join(this.base, 'image'));
    } catch {
      return false;  // no loop/ directory: the device is detached
    }
  }
}

/**
 * The client: O_DIRECT writes from page-aligned buffers (each a distinct pattern) at aligned
 * offsets, the results of each, then O_DIRECT reads of the whole file in `readSize` chunks.
 * Prints JSON: { writes: [bytes or errno name], read: hex sha256, readBytes }.
 */
const CLIENT = `
import os, sys, json, mmap, errno, hashlib
path, plan, read_size = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
def pattern(n, seed):
    b = hashlib.sha256(str(seed).encode()).digest()
    return (b * (n // len(b) + 1))[:n]
res = {'writes': []}
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_DIRECT, 0o644) if plan else -1
for i, (off, n) in enumerate(plan):
    m = mmap.mmap(-1, max(n, 1))
    m.write(pattern(n, i))
    try:
        res['writes'].append(os.pwrite(fd, memoryview(m)[:n], off))
    except OSError as e:
        res['writes'].append(errno.errorcode[e.errno])
    m.close()
if plan: os.close(fd)
fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
m = mmap.mmap(-1, read_size)
h = hashlib.sha256()
off = 0
while True:
    n = os.preadv(fd, [m], off)
    h.update(m[:n])
    off += n
    if n < read_size: break
os.close(fd)
res['read'] = h.hexdigest()
res['readBytes'] = off
print(json.dumps(res))
`;

interface ClientResult {
  writes: (number | string)[];
  read: string;
  readBytes: number;
}

async function client(file: string, plan: [number, number][], readSize: number): Promise<ClientResult> {
  const r = await py(CLIENT, [file, JSON.stringify(plan), String(readSize)]);
  assert.equal(r.code, 0, `client failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ClientResult;
}

/** What the file should hold after `plan` (the client's patterns, zeros in between). */
function expected(plan: [number, number][]): Buffer {
  const size = Math.max(...plan.map(([off, n]) => off + n));
  const out = Buffer.alloc(size);
  plan.forEach(([off, n], i) => {
    const b = createHash('sha256').update(String(i)).digest();
    for (let k = 0; k < n; k++) out[off + k] = b[k % b.length];
  });
  return out;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** libfuse's own passthrough_ll, as Debian ships it in libfuse3-dev's examples. */
const LIBFUSE_PASSTHROUGH_LL = '/usr/share/doc/libfuse3-dev/examples/passthrough_ll.c';

/** Runs `body` with libfuse's passthrough_ll (compiled into `base`) mounting `src`; always unmounts. */
async function withLibfusePassthrough(base: string, src: string, body: (dir: string) => Promise<void>): Promise<void> {
  const exe = path.join(base, 'passthrough_ll');
  const cc = spawnSync('sh', ['-c', `gcc -O2 -o ${exe} ${LIBFUSE_PASSTHROUGH_LL} $(pkg-config --cflags --libs fuse3)`],
    { encoding: 'utf8', timeout: 60000 });
  assert.equal(cc.status, 0, `compiling passthrough_ll: ${cc.stderr}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-odirect-ll-'));
  const child = spawn(exe, ['-f', '-o', `source=${src}`, dir], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    await until('passthrough_ll to mount', () => isMounted(dir) || exited, 10000);
    assert.ok(!exited, 'passthrough_ll exited before mounting');
    await body(dir);
  } finally {
    await forceUnmount(undefined, dir);
    if (!exited) {
      child.kill('SIGTERM');
      await until('passthrough_ll to exit', () => exited, 5000).catch(() => child.kill('SIGKILL'));
    }
  }
}

const KiB = 1024;
const MiB = 1024 * KiB;

for (const type of ['xfs', 'ext4'] as const) {
  describe(`O_DIRECT through the passthrough over a real ${type} image (loop device)`, function () {
    this.timeout(120000);
    let image: LoopImage | undefined;

    beforeEach(function () {
      const made = LoopImage.make(type);
      if (typeof made === 'string') {
        console.log(`      skipped: ${made}`);
        this.skip();
      }
      image = made as LoopImage;
      assert.ok(image.attached(), 'the attachment probe sees the image');
    });

    afterEach(function () {
      const img = image;
      image = undefined;
      if (!img) return;
      img.detach();
      assert.equal(img.attached(), false, 'the loop device is detached');
    });

    /** Runs `body` with the passthrough of the image mounted; collects the source fds' flags of writes. */
    async function throughMount(
      body: (dir: string) => Promise<void>, spliceWrite?: boolean,
    ): Promise<{ writeFlags: number[]; writeSizes: number[] }> {
      const errors: FuseErrorEvent[] = [];
      const writeFlags: number[] = [];
      const writeSizes: number[] = [];
      await withMount((fuse) => {
        new Passthrough(fuse, image!.dir).attach();
        fuse.errors$.subscribe((e) => errors.push(e));
        fuse.observe({
          request(r) {
            if (r.op !== 'write') return;
            const req = r as WriteRequest;
            const info = fs.readFileSync(`/proc/self/fdinfo/${req.fh}`, 'utf8');
            writeFlags.push(parseInt(/^flags:\s*([0-7]+)/m.exec(info)![1], 8));
            writeSizes.push(req.size);
          },
          reply() {},
        });
        // passthrough off: these tests are about writes that reach the daemon's write handler.
      }, async ({ dir }) => body(dir), { defaultPermissions: true, passthrough: false, conn: { capabilities: { handleKillpriv: false, ...(spliceWrite === undefined ? {} : { spliceWrite }) } } });
      assert.deepEqual(errors, []);
      return { writeFlags, writeSizes };
    }

    it('O_DIRECT writes of 4 KiB, 40 KiB and 1 MiB at aligned offsets land byte-exact; O_DIRECT reads return them', async function () {
      // Mixed sizes, each at a page-aligned offset, one over another, and one beyond max_write (split).
      const plan: [number, number][] = [[0, 4 * KiB], [4 * KiB, 40 * KiB], [44 * KiB, MiB], [2 * MiB, 2 * MiB], [8 * KiB, 4 * KiB]];
      const want = expected(plan);
      const { writeFlags, writeSizes } = await throughMount(async (dir) => {
        for (const readSize of [4 * KiB, 40 * KiB, MiB]) {
          const r = await client(path.join(dir, `f${readSize}`), plan, readSize);
          assert.deepEqual(r.writes, plan.map(([, n]) => n), 'every O_DIRECT write succeeded in full');
          assert.equal(r.readBytes, want.length);
          assert.equal(r.read, sha(want), 'O_DIRECT reads through the mount return what was written');
          const onSource = fs.readFileSync(path.join(image!.dir, `f${readSize}`));
          assert.equal(onSource.length, want.length);
          assert.ok(onSource.equals(want), 'the source file holds exactly what was written');
        }
      });
      // The writes went to source fds opened O_DIRECT (not a flag quietly dropped), as the kernel sent them.
      assert.ok(writeFlags.length >= 3 * plan.length);
      for (const f of writeFlags) assert.ok(f & O_DIRECT, `source fd flags 0${f.toString(8)} have O_DIRECT`);
      assert.ok(writeSizes.includes(4 * KiB) && writeSizes.includes(40 * KiB) && writeSizes.includes(MiB));
      assert.ok(Math.max(...writeSizes) <= MiB, 'a 2 MiB write arrives as max_write (1 MiB) pieces');
    });

    it('O_DIRECT writes the source refuses fail as on the source itself (a size not a multiple of the block size)', async function () {
      const plan: [number, number][] = [[0, 4 * KiB], [512, 512], [4 * KiB, 100]];
      const direct = await client(path.join(image!.dir, 'direct'), plan, 4 * KiB);
      await throughMount(async (dir) => {
        const via = await client(path.join(dir, 'via'), plan, 4 * KiB);
        assert.deepEqual(via.writes, direct.writes, 'the same result for each write as on the source directly');
        assert.equal(via.read, direct.read);
      });
      assert.equal(direct.writes[0], 4 * KiB);
      assert.ok(fs.readFileSync(path.join(image!.dir, 'via')).equals(fs.readFileSync(path.join(image!.dir, 'direct'))));
    });

    for (const spliceWrite of [false, true]) {
      it(`O_DIRECT reads of a file written on the source, its size no multiple of a block (replyFd, spliceWrite ${spliceWrite})`, async function () {
        const size = 3 * MiB + 100;
        const data = Buffer.alloc(size);
        for (let i = 0; i < size; i += 32) createHash('sha256').update(String(i)).digest().copy(data, i);
        fs.writeFileSync(path.join(image!.dir, 'r'), data);
        await throughMount(async (dir) => {
          for (const readSize of [4 * KiB, 40 * KiB, MiB]) {
            const r = await client(path.join(dir, 'r'), [], readSize);
            assert.deepEqual([r.readBytes, r.read], [size, sha(data)], `read in ${readSize}-byte O_DIRECT chunks`);
          }
        }, spliceWrite);
      });
    }

    it("where libfuse's own passthrough_ll fails these O_DIRECT writes (EINVAL), ours writes them", async function () {
      if (!fs.existsSync(LIBFUSE_PASSTHROUGH_LL)) {
        console.log(`      skipped: ${LIBFUSE_PASSTHROUGH_LL} is not installed (libfuse3-dev)`);
        this.skip();
      }
      const plan: [number, number][] = [[0, 4 * KiB], [4 * KiB, 40 * KiB], [44 * KiB, MiB]];
      let libfuse: ClientResult | undefined;
      await withLibfusePassthrough(image!.base, image!.dir, async (dir) => {
        libfuse = await client(path.join(dir, 'libfuse'), plan, 4 * KiB);
      });
      assert.deepEqual(libfuse!.writes, ['EINVAL', 'EINVAL', 'EINVAL'], 'libfuse 3.14 passthrough_ll (unaligned payloads)');
      await throughMount(async (dir) => {
        const ours = await client(path.join(dir, 'ours'), plan, 4 * KiB);
        assert.deepEqual(ours.writes, [4 * KiB, 40 * KiB, MiB]);
        assert.equal(ours.read, sha(expected(plan)));
      });
    });

    /** Writes `data` at 0 to a new file of the image opened O_DIRECT, in this process: bytes or errno. */
    function directPwrite(name: string, data: Buffer): number | string {
      const fd = fs.openSync(path.join(image!.dir, name), fs.constants.O_WRONLY | fs.constants.O_CREAT | O_DIRECT, 0o644);
      try {
        return sys.pwrite(fd, data, 0);
      } catch (e) {
        return (e as { code?: string }).code ?? String(e);
      } finally {
        fs.closeSync(fd);
      }
    }

    it('sys.alignedCopy gives a copy an O_DIRECT file takes; the same bytes 8 bytes off are refused', function () {
      const data = createHash('sha256').update('x').digest().subarray(0, 8);
      const block = Buffer.alloc(40 * KiB, data);
      const copy = sys.alignedCopy(block);
      assert.ok(copy.equals(block));
      assert.equal(directPwrite('aligned', copy), 40 * KiB);
      assert.ok(fs.readFileSync(path.join(image!.dir, 'aligned')).equals(block));
      const off = sys.alignedCopy(Buffer.concat([Buffer.alloc(8), block])).subarray(8);
      assert.equal(directPwrite('unaligned', off), 'EINVAL');
      assert.throws(() => sys.alignedCopy('x' as unknown as Uint8Array), /alignedCopy: Buffer or Uint8Array expected/);
    });

    it('a write that waited its turn (payload copied out of the receive buffer) stays writable to an O_DIRECT file', function () {
      // The copy _detach() makes when a write queues behind another write of its inode (lib/fuse.ts
      // dispatch), here from a payload at an odd place of a receive buffer (a minimal request host).
      const slot = 0;
      const gen = 1;
      const h = new Float64Array(SLOT_F64);
      const recv = Buffer.allocUnsafeSlow(MiB + 8 * KiB);
      const payload = createHash('sha256').update('queued').digest();
      const data = recv.subarray(100, 100 + 4 * KiB).fill(payload);
      Object.assign(h, { [F.GEN]: gen, [F.DATA_BUF]: 0, [F.DATA_OFF]: 100, [F.DATA_LEN]: data.length });
      const host = { h, recvBuffer: () => recv, native: { detachPayload: () => {} } } as unknown as RequestHost;
      const req = new WriteRequest(new RequestState(host, slot, gen));
      req._detach();
      recv.fill(0);  // the receive buffer is reused: the copy must not depend on it
      assert.equal(directPwrite('queued', req.data), 4 * KiB);
      assert.ok(fs.readFileSync(path.join(image!.dir, 'queued')).equals(Buffer.alloc(4 * KiB, payload)));
    });
  });
}
