// What rxfuse answers on a filesystem's behalf (docs/design.md, "What rxfuse answers for you"),
// through real mounts: an open nobody handles must never lose the O_TRUNC the kernel asked for.
// Clients are child processes (sh) or async fs calls, never sync calls on this thread.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { constants as K, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type Attr, Capability, errno, Fuse, FuseError, type FuseErrorEvent, type Handlers, layers, PASS,
} from '../lib';
import { errCode, forceUnmount, TEST_MOUNT_PREFIX, fuseMounts, py, sh, withMount } from './helpers';

const ROOT = 1;
const FILE = 2;

/** One file "f" in the root, written the way the README writes a filesystem: no open handler. */
class OneFile {
  data = Buffer.from('hello world\n');
  readonly setattrSizes: number[] = [];

  attr(ino: number): Attr {
    return ino === ROOT
      ? { ino, mode: K.S_IFDIR | 0o755, nlink: 2 }
      : { ino, mode: K.S_IFREG | 0o644, nlink: 1, size: this.data.length };
  }

  handlers(): Handlers {
    return {
      lookup: (req) => {
        if (req.parent !== ROOT || req.nameKey !== 'f') throw new FuseError('ENOENT');
        return { attr: this.attr(FILE), attrTimeout: 0, entryTimeout: 0 };
      },
      getattr: (req) => ({ attr: this.attr(req.ino), timeout: 0 }),
      setattr: (req) => {
        const size = req.size;
        if (size !== undefined) {
          this.setattrSizes.push(size);
          const d = Buffer.alloc(size);
          this.data.copy(d, 0, 0, Math.min(size, this.data.length));
          this.data = d;
        }
        return { attr: this.attr(req.ino), timeout: 0 };
      },
      read: (req) => this.data.subarray(req.offset, req.offset + req.size),
      write: (req) => {
        const end = req.offset + req.data.length;
        if (end > this.data.length) this.data = Buffer.concat([this.data, Buffer.alloc(end - this.data.length)]);
        req.data.copy(this.data, req.offset);
        return req.data.length;
      },
    };
  }
}

function errorsOf(fuse: Fuse): FuseErrorEvent[] {
  const list: FuseErrorEvent[] = [];
  fuse.errors$.subscribe((e) => list.push(e));
  return list;
}

const printfOver = (path: string): Promise<{ code: number; stderr: string }> => sh('sh', ['-c', 'printf "over\\n" > "$1"', 'sh', path]);

describe('what rxfuse answers for you', function () {
  this.timeout(30000);

  describe('O_TRUNC without an open handler', function () {
    it('printf over > f truncates: atomic_o_trunc is not negotiated and the kernel sends setattr size 0', async function () {
      const fs1 = new OneFile();
      let errors: FuseErrorEvent[] = [];
      await withMount((fuse) => {
        errors = errorsOf(fuse);
        fuse.handleAll(fs1.handlers());
      }, async (m) => {
        const r = await printfOver(m.path('f'));
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'over\n');
        assert.deepEqual(fs1.setattrSizes, [0]);
        assert.equal(m.fuse.conn!.want & Capability.atomicOTrunc, 0, 'atomic_o_trunc not negotiated');
      });
      assert.deepEqual(errors, []);
    });

    it('with an open handler the kernel keeps leaving O_TRUNC to open', async function () {
      const fs1 = new OneFile();
      const flags: number[] = [];
      await withMount((fuse) => {
        fuse.handleAll({
          ...fs1.handlers(),
          open: (req) => {
            flags.push(req.flags);
            if (req.flags & K.O_TRUNC) fs1.data = Buffer.alloc(0);
            return { fh: 1 };
          },
        });
      }, async (m) => {
        assert.notEqual(m.fuse.conn!.want & Capability.atomicOTrunc, 0, 'atomic_o_trunc negotiated');
        assert.equal((await printfOver(m.path('f'))).code, 0);
        assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'over\n');
        assert.ok(flags.some((f) => (f & K.O_TRUNC) !== 0), 'the open carried O_TRUNC');
        assert.deepEqual(fs1.setattrSizes, [], 'no setattr: the open truncated');
      });
    });

    it('mount() refuses capabilities.atomicOTrunc without an open handler, naming the fix', async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), TEST_MOUNT_PREFIX));
      const fuse = new Fuse({ conn: { capabilities: { atomicOTrunc: true } } });
      fuse.handleAll(new OneFile().handlers());
      try {
        await assert.rejects(async () => fuse.mount(dir), /atomicOTrunc: needs an open handler attached before mount\(\)/);
        assert.ok(!fuseMounts().includes(dir), 'nothing mounted');
      } finally {
        await forceUnmount(fuse.mounted ? fuse : undefined, dir);
      }
    });

    it('an open handler unsubscribed after mount: rxfuse answers opens, but an O_TRUNC one EIO (atomic_o_trunc is on)', async function () {
      const fs1 = new OneFile();
      let errors: FuseErrorEvent[] = [];
      await withMount((fuse) => {
        errors = errorsOf(fuse);
        fuse.handleAll(fs1.handlers());
        const open = fuse.handle('open', () => ({ fh: 1 }));
        fuse.init$.subscribe(() => open.unsubscribe());
      }, async (m) => {
        assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'hello world\n');
        assert.notEqual((await printfOver(m.path('f'))).code, 0);
        assert.equal(fs1.data.toString(), 'hello world\n', 'not written over');
      });
      assert.deepEqual(errors.map((e) => [e.kind, e.op, e.errno]), [['no-handler', 'open', errno.EIO]]);
    });

    it('layers: an open every layer declines is answered success, but with O_TRUNC EIO and a report', async function () {
      const fs1 = new OneFile();
      let errors: FuseErrorEvent[] = [];
      await withMount((fuse) => {
        errors = errorsOf(fuse);
        layers(fuse, [{ open: () => PASS }, fs1.handlers()]);
      }, async (m) => {
        assert.notEqual(m.fuse.conn!.want & Capability.atomicOTrunc, 0, 'an open handler is attached');
        assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'hello world\n', 'a declined open without O_TRUNC succeeds');
        const r = await printfOver(m.path('f'));
        assert.notEqual(r.code, 0, 'the shell reports the failed open');
        assert.equal(await errCode(fsp.truncate(m.path('f'), 0).then(() => fsp.open(m.path('f'), K.O_WRONLY | K.O_TRUNC))), 'EIO');
        assert.equal(fs1.data.toString(), '', 'only the explicit truncate ran');
      });
      const reports = errors.filter((e) => e.kind === 'no-handler' && e.op === 'open');
      assert.ok(reports.length >= 2, JSON.stringify(errors.map((e) => e.kind)));
      assert.equal(reports[0].errno, errno.EIO);
      assert.match(String(reports[0].cause), /O_TRUNC.*atomic_o_trunc/);
    });
  });

  describe('layers: what every layer declined', function () {
    it('a declined poll is always ready (POLLIN|POLLOUT), as the kernel reads an absent poll, not POLLERR', async function () {
      const fs1 = new OneFile();
      let polls = 0;
      await withMount((fuse) => {
        layers(fuse, [{ poll: () => (polls++, PASS) }, fs1.handlers()]);
      }, async (m) => {
        const r = await py(`import os, sys, select
fd = os.open(sys.argv[1], os.O_RDONLY)
p = select.poll()
p.register(fd, select.POLLIN | select.POLLOUT)
ev = p.poll(2000)
print(ev[0][1] if ev else 0)`, [m.path('f')]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(Number(r.stdout.trim()), 0x1 | 0x4, 'POLLIN | POLLOUT, no POLLERR');
      });
      assert.ok(polls >= 1, 'the poll reached the layers');
    });
  });
});
