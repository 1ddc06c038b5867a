// The composition operators (lib/compose) through real mounts: on, fallThrough, otherwise,
// layers, mapReply, catchErrno, readOnly/readOnlyLayer, serializeByInode, outcomes and
// Fuse.observe. Clients are python3 child processes or async fs calls, never sync calls on this
// thread (which serves the filesystems). A few units at the end need no kernel.
import { strict as assert } from 'node:assert';
import { constants as K, promises as fsp } from 'node:fs';
import { of, Subscription } from 'rxjs';
import {
  answer, type AttrResult, catchErrno, type Entry, errno, fallThrough, type Fuse, FuseError, type FuseErrorEvent, type GetxattrRequest, type Handlers,
  isMutating, layers, mapReply, on, otherwise, outcomes, PASS, readOnly, readOnlyLayer, type Request,
  type RequestOutcome, serializeByInode,
} from '../lib';
import { TestFs } from './fixtures/testfs';
import { dir, file, link, ROOT, TreeLayer } from './fixtures/treelayer';
import { errCode, py, withMount } from './helpers';

const PRELUDE = `
import os, sys, json, errno, threading
def out(v):
    print(json.dumps(v), flush=True)
def attempt(f):
    try:
        r = f()
        return r.decode() if isinstance(r, bytes) else 'ok'
    except OSError as e:
        return errno.errorcode[e.errno]
`;

/** Runs python3 with the prelude; its last output line is JSON. */
async function pyJson<T = Record<string, string>>(code: string, ...args: string[]): Promise<T> {
  const r = await py(PRELUDE + code, args);
  assert.equal(r.code, 0, `python failed (${r.code}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const entry = (ino: number, mode = K.S_IFREG | 0o644): Entry => ({ attr: { ino, mode }, attrTimeout: 0, entryTimeout: 0 });

/** Collects errors$ during a mount. */
function errorsOf(fuse: Fuse): FuseErrorEvent[] {
  const list: FuseErrorEvent[] = [];
  fuse.errors$.subscribe((e) => list.push(e));
  return list;
}

/** The handler table a fixture passes to fuse.handleAll (to use it as a layer). */
function tableOf(t: TestFs): Handlers {
  let table: Handlers = {};
  const capture = { handleAll: (h: Handlers) => ((table = h), new Subscription()) };
  t.attach(capture as unknown as Fuse);
  return table;
}

describe('operators', function () {
  describe('on: attaching handlers to an op', function () {
    it('one handler answers; several are tried in order; a request all decline gets ENOENT (lookup) or ENOSYS', async function () {
      const t = new TreeLayer('t', 100, { '/f': file('hello') });
      const h = t.handlers();
      const seen: string[] = [];
      let errors: FuseErrorEvent[] = [];
      await withMount((fuse) => {
        errors = errorsOf(fuse);
        on(fuse, 'lookup',
          (req) => (seen.push(`first ${req.nameKey}`), PASS),
          h.lookup!,
          (req) => (seen.push(`last ${req.nameKey}`), req.nameKey === 'magic' ? entry(7) : PASS));
        on(fuse, 'getattr', h.getattr!);
        on(fuse, 'open', h.open!);
        on(fuse, 'read', h.read!);
      }, async (m) => {
        assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'hello');
        assert.ok(seen.includes('first f') && !seen.includes('last f'), `the tree answered f: ${seen}`);
        assert.equal(await errCode(fsp.stat(m.path('nope'))), 'ENOENT');
        assert.ok(seen.includes('first nope') && seen.includes('last nope'));
        // The last handler answers the lookup; the getattr of inode 7 is declined by the only one.
        assert.equal(await errCode(fsp.stat(m.path('magic'))), 'ENOSYS');
        assert.ok(seen.includes('last magic'));
      });
      assert.deepEqual(errors, []);  // declines are answers, not failures
    });
  });

  describe('fallThrough: one handler made of several', function () {
    it('tries synchronous, async and Observable handlers in turn; a throw answers; all declining is PASS', async function () {
      let errors: FuseErrorEvent[] = [];
      const tried: string[] = [];
      await withMount((fuse) => {
        errors = errorsOf(fuse);
        fuse.handle('lookup', fallThrough(
          (req) => (tried.push(`sync ${req.nameKey}`), req.nameKey === 'a' ? entry(10) : PASS),
          async (req) => {
            tried.push(`async ${req.nameKey}`);
            await delay(5);
            return req.nameKey === 'b' ? entry(11) : PASS;
          },
          (req) => of(req.nameKey === 'c' ? entry(12) : PASS),
          (req) => {
            if (req.nameKey === 'bad') throw new FuseError('EACCES');
            return PASS;
          },
        ));
        fuse.handle('getattr', (req) => ({ attr: { ino: req.ino, mode: req.ino === ROOT ? K.S_IFDIR | 0o755 : K.S_IFREG | 0o644 }, timeout: 0 }));
      }, async (m) => {
        assert.equal((await fsp.stat(m.path('a'))).ino, 10);
        assert.equal((await fsp.stat(m.path('b'))).ino, 11);
        assert.equal((await fsp.stat(m.path('c'))).ino, 12);
        assert.equal(await errCode(fsp.stat(m.path('bad'))), 'EACCES');
        // Declined by every part: fuse.handle's last resort (EIO and a no-handler report).
        assert.equal(await errCode(fsp.stat(m.path('none'))), 'EIO');
        assert.ok(!tried.includes('async a'), 'a was answered by the first handler');
        assert.ok(tried.includes('sync b') && tried.includes('async b'));
      });
      assert.deepEqual(errors.map((e) => [e.kind, e.op]), [['no-handler', 'lookup']]);
    });
  });

  describe('otherwise: the answer to what every layer declined', function () {
    it('a fixed errno, an errno chosen per request, or the default', async function () {
      const t = new TreeLayer('t', 100, { '/f': file('x') });
      const h = t.handlers();
      await withMount((fuse) => {
        fuse.lookup$.pipe(
          answer(h.lookup!),
          answer((req) => (req.nameKey === 'x42' ? entry(42) : req.nameKey === 'x43' ? entry(43) : PASS)),
          otherwise('EACCES'),
        ).subscribe();
        fuse.getattr$.pipe(answer(h.getattr!), otherwise((req) => (req.ino === 42 ? errno.EPERM : undefined))).subscribe();
      }, async (m) => {
        assert.equal((await fsp.stat(m.path('f'))).size, 1);
        assert.equal(await errCode(fsp.stat(m.path('nope'))), 'EACCES');
        assert.equal(await errCode(fsp.stat(m.path('x42'))), 'EPERM');
        assert.equal(await errCode(fsp.stat(m.path('x43'))), 'ENOSYS');
      });
    });
  });

  describe('layers: a stack of partial handler tables', function () {
    const upper = (): TreeLayer => new TreeLayer('upper', 1000, {
      '/a': file('upper a', { 'user.k': 'from upper' }), '/u': file('only upper'), '/d': dir(), '/d/x': file('ux'),
    });
    const lower = (): TreeLayer => new TreeLayer('lower', 2000, {
      '/a': file('lower a'), '/l': file('only lower'), '/s': link('target'), '/d': dir(), '/d/y': file('ly'),
    });

    it('the first layer that has a name or inode answers; the others are not asked; what all decline gets the default', async function () {
      const up = upper();
      const low = lower();
      const seenOps = new Set<string>();
      await withMount((fuse) => {
        layers(fuse, [up.handlers(), low.handlers(['getxattr'])]);
        fuse.observe({ request: (req) => seenOps.add(req.op) });
      }, async (m) => {
        assert.equal(await fsp.readFile(m.path('a'), 'utf8'), 'upper a');
        assert.equal((await fsp.stat(m.path('a'))).ino, 1000);
        assert.equal(await fsp.readFile(m.path('u'), 'utf8'), 'only upper');
        assert.equal(await fsp.readFile(m.path('l'), 'utf8'), 'only lower');
        assert.equal((await fsp.stat(m.path('l'))).ino, 2001);
        assert.equal(await fsp.readlink(m.path('s')), 'target');
        assert.equal(await errCode(fsp.stat(m.path('nope'))), 'ENOENT');
        // A directory comes from the first layer that has it (merging is a union filesystem's work).
        assert.equal(await fsp.readFile(m.path('d', 'x'), 'utf8'), 'ux');
        assert.equal(await errCode(fsp.stat(m.path('d', 'y'))), 'ENOENT');
        assert.deepEqual((await fsp.readdir(m.path())).sort(), ['a', 'd', 'u']);
        const x = await pyJson(`out({
  'upper': attempt(lambda: os.getxattr(sys.argv[1], 'user.k')),
  'nodata': attempt(lambda: os.getxattr(sys.argv[1], 'user.none')),
  'lower': attempt(lambda: os.getxattr(sys.argv[2], 'user.k')),
  'mkdir': attempt(lambda: os.mkdir(sys.argv[3])),
})`, m.path('a'), m.path('l'), m.path('newdir'));
        // The lower layer has no getxattr: the upper one passes the lower's inode, nobody answers,
        // and the default for an op whose ENOSYS would be sticky is EOPNOTSUPP.
        assert.deepEqual(x, { upper: 'from upper', nodata: 'ENODATA', lower: 'ENOTSUP', mkdir: 'ENOSYS' });
      });
      assert.ok(!low.calls.some((c) => c.op === 'lookup' && c.name === 'a'), 'the lower layer was asked for a name the upper has');
      assert.ok(low.calls.some((c) => c.op === 'read' && c.ino === 2001));
      assert.ok(up.calls.some((c) => c.op === 'read' && c.ino === 2001), 'the upper layer saw (and passed) the read of a lower inode');
      // No layer handles mkdir: it stayed unimplemented, answered by libfuse without entering JS.
      assert.ok(!seenOps.has('mkdir'));
    });

    it('options.otherwise replaces the default answer', async function () {
      await withMount((fuse) => {
        layers(fuse, [upper().handlers(), lower().handlers(['getxattr'])], { otherwise: 'ENODATA' });
      }, async (m) => {
        const x = await pyJson(`out({'lower': attempt(lambda: os.getxattr(sys.argv[1], 'user.k'))})`, m.path('l'));
        assert.deepEqual(x, { lower: 'ENODATA' });
        assert.equal(await errCode(fsp.stat(m.path('nope'))), 'ENODATA');
      });
    });
  });

  describe('mapReply: changing a result on its way to the reply', function () {
    const noWrite = (r: AttrResult): AttrResult =>
      ('attr' in r ? { ...r, attr: { ...r.attr, mode: r.attr.mode & ~0o222 } } : { ...r, mode: r.mode & ~0o222 });

    it('maps synchronous and async results (getattr, lookup); PASS and other layers are untouched', async function () {
      const up = new TreeLayer('upper', 1000, { '/a': file('a'), '/b': file('b') });
      const low = new TreeLayer('lower', 2000, { '/l': file('l') });
      const uh = up.handlers();
      const mapped: number[] = [];
      await withMount((fuse) => {
        layers(fuse, [
          {
            getattr: mapReply(uh.getattr!, (r, req) => (mapped.push(req.ino), noWrite(r))),
            // An async projection; a long attribute timeout so that stat uses the lookup's attributes.
            lookup: mapReply(uh.lookup!, async (e) => {
              await delay(5);
              return 'attr' in e && e.attr.ino === 1001 ? { ...e, attr: { ...e.attr, uid: 4242 }, attrTimeout: 60 } : e;
            }),
            open: uh.open, read: uh.read,
          },
          low.handlers(),
        ]);
      }, async (m) => {
        assert.equal((await fsp.stat(m.path('a'))).mode, K.S_IFREG | 0o444);
        assert.equal((await fsp.stat(m.path('l'))).mode, K.S_IFREG | 0o644);  // answered below, unmapped
        const b = await fsp.stat(m.path('b'));
        assert.equal(b.uid, 4242);
        assert.equal(await fsp.readFile(m.path('a'), 'utf8'), 'a');
      });
      assert.ok(mapped.includes(1000));
      assert.ok(!mapped.includes(2001), 'the projection saw a request its handler passed');
    });
  });

  describe('catchErrno: replacing errors', function () {
    it('maps listed errnos to another errno or a result; others, and bugs, go through; Node system errors count', async function () {
      let errors: FuseErrorEvent[] = [];
      const caught: string[] = [];
      const base = async (req: GetxattrRequest): Promise<Buffer> => {
        switch (req.nameKey) {
          case 'user.enoent': throw new FuseError('ENOENT');
          case 'user.nodata': throw new FuseError('ENODATA');
          case 'user.eperm': throw new FuseError('EPERM');
          case 'user.bug': throw new Error('a bug');
          case 'user.fs': return fsp.readFile('/nonexistent-rxfuse/x');  // rejects with a Node ENOENT
          case 'user.any': throw new FuseError('E2BIG');
          default: return Buffer.from('value');
        }
      };
      await withMount((fuse) => {
        errors = errorsOf(fuse);
        fuse.handle('getattr', (req) => ({ attr: { ino: req.ino, mode: req.ino === ROOT ? K.S_IFDIR | 0o755 : K.S_IFREG | 0o644 }, timeout: 0 }));
        fuse.handle('lookup', (req) => (req.nameKey === 'f' ? entry(5) : PASS));
        fuse.handle('getxattr', catchErrno(
          catchErrno(
            catchErrno(base, 'ENODATA', () => Buffer.from('default')),
            ['ENOENT', errno.EBADMSG], 'EACCES',
          ),
          (err) => {
            caught.push(err.code);
            throw err.errno === errno.E2BIG ? new FuseError('ENOTSUP') : err;
          },
        ));
      }, async (m) => {
        const x = await pyJson(`
p = sys.argv[1]
out({n: attempt(lambda n=n: os.getxattr(p, 'user.' + n)) for n in ['ok', 'enoent', 'nodata', 'eperm', 'bug', 'fs', 'any']})`, m.path('f'));
        assert.deepEqual(x, { ok: 'value', enoent: 'EACCES', nodata: 'default', eperm: 'EPERM', bug: 'EIO', fs: 'EACCES', any: 'ENOTSUP' });
      });
      assert.deepEqual(caught.sort(), ['E2BIG', 'EACCES', 'EACCES', 'EPERM']);
      assert.deepEqual(errors.map((e) => [e.kind, e.op, String(e.cause)]), [['handler', 'getxattr', 'Error: a bug']]);
    });

    it('PASS as the replacement: an errno of one layer falls through to the next', async function () {
      const up = new TreeLayer('upper', 1000, { '/a': file('a') });
      const low = new TreeLayer('lower', 2000, { '/a': file('lower a', { 'user.k': 'lower value' }) });
      await withMount((fuse) => {
        // The upper layer answers ENODATA for its own inode's missing xattr; the layer below gets it.
        const getxattr = catchErrno(up.handlers().getxattr!, 'ENODATA', () => PASS);
        layers(fuse, [{ ...up.handlers(), getxattr }, { getxattr: (req) => low.nodes.get(2000)!.xattrs.get(req.nameKey) ?? PASS }]);
      }, async (m) => {
        const x = await pyJson(`out({'k': attempt(lambda: os.getxattr(sys.argv[1], 'user.k')), 'none': attempt(lambda: os.getxattr(sys.argv[1], 'user.none'))})`, m.path('a'));
        assert.deepEqual(x, { k: 'lower value', none: 'ENOTSUP' });
      });
    });
  });

  describe('readOnly and readOnlyLayer: EROFS for every change', function () {
    const MUTATIONS = `
d = sys.argv[1]
out({
  'mkdir': attempt(lambda: os.mkdir(d + '/newdir')),
  'create': attempt(lambda: os.open(d + '/newfile', os.O_CREAT | os.O_WRONLY, 0o644)),
  'open_wronly': attempt(lambda: os.open(d + '/f', os.O_WRONLY)),
  'open_rdwr': attempt(lambda: os.open(d + '/f', os.O_RDWR)),
  'open_trunc': attempt(lambda: os.open(d + '/f', os.O_RDONLY | os.O_TRUNC)),
  'truncate': attempt(lambda: os.truncate(d + '/f', 0)),
  'chmod': attempt(lambda: os.chmod(d + '/f', 0o600)),
  'chown': attempt(lambda: os.chown(d + '/f', 1, 1)),
  'utime': attempt(lambda: os.utime(d + '/f', (1, 1))),
  'unlink': attempt(lambda: os.unlink(d + '/f')),
  'rmdir': attempt(lambda: os.rmdir(d + '/sub')),
  'rename': attempt(lambda: os.rename(d + '/f', d + '/g')),
  'link': attempt(lambda: os.link(d + '/f', d + '/h')),
  'symlink': attempt(lambda: os.symlink('x', d + '/s2')),
  'mknod': attempt(lambda: os.mkfifo(d + '/fifo')),
  'setxattr': attempt(lambda: os.setxattr(d + '/f', 'user.a', b'1')),
  'removexattr': attempt(lambda: os.removexattr(d + '/f', 'user.x')),
  'read': attempt(lambda: open(d + '/f', 'rb').read()),
  'getxattr': attempt(lambda: os.getxattr(d + '/f', 'user.x')),
  'readdir': ','.join(sorted(os.listdir(d))),
  'readlink': os.readlink(d + '/sl'),
})`;
    const EXPECTED = {
      mkdir: 'EROFS', create: 'EROFS', open_wronly: 'EROFS', open_rdwr: 'EROFS', open_trunc: 'EROFS', truncate: 'EROFS',
      chmod: 'EROFS', chown: 'EROFS', utime: 'EROFS', unlink: 'EROFS', rmdir: 'EROFS', rename: 'EROFS', link: 'EROFS',
      symlink: 'EROFS', mknod: 'EROFS', setxattr: 'EROFS', removexattr: 'EROFS',
      read: 'content', getxattr: 'xv', readdir: 'f,sl,sub', readlink: 'f',
    };
    const populate = (t: TestFs): void => {
      t.add('/f', K.S_IFREG | 0o644, 'content').xattrs.set('user.x', Buffer.from('xv'));
      t.add('/sub', K.S_IFDIR | 0o755);
      t.add('/sl', K.S_IFLNK | 0o777, '', 'f');
    };

    it('readOnlyLayer on top of a full filesystem: every change is EROFS and never reaches it; reads work', async function () {
      const t = new TestFs();
      populate(t);
      await withMount((fuse) => {
        layers(fuse, [readOnlyLayer(), tableOf(t)]);
      }, async (m) => {
        assert.deepEqual(await pyJson(MUTATIONS, m.dir), EXPECTED);
      });
      const reached = [...t.seen].filter((op) => isMutating({ op, flags: 0 } as unknown as Request));
      assert.deepEqual(reached, []);
      assert.ok(t.seen.has('open') && t.seen.has('read') && t.seen.has('getxattr'));
      assert.ok(t.ops('open').every((e) => ((e.flags as number) & 3) === K.O_RDONLY));
    });

    it('write, fallocate and copy_file_range on descriptors opened for writing (by a layer above) are EROFS too', async function () {
      const t = new TestFs();
      populate(t);
      t.add('/g', K.S_IFREG | 0o644, 'gg');
      await withMount((fuse) => {
        layers(fuse, [{ open: () => ({ fh: 99 }) }, readOnlyLayer(), tableOf(t)]);
      }, async (m) => {
        const x = await pyJson(`
d = sys.argv[1]
w = os.open(d + '/f', os.O_WRONLY)
r = os.open(d + '/g', os.O_RDONLY)
out({
  'write': attempt(lambda: os.write(w, b'x')),
  'fallocate': attempt(lambda: os.posix_fallocate(w, 0, 4096)),
  'copy_file_range': attempt(lambda: os.copy_file_range(r, w, 2)),
})`, m.dir);
        assert.deepEqual(x, { write: 'EROFS', fallocate: 'EROFS', copy_file_range: 'EROFS' });
      });
      assert.ok(!t.seen.has('write') && !t.seen.has('fallocate') && !t.seen.has('copyFileRange'));
      assert.equal(t.resolve('f').data.toString(), 'content');
    });

    it('opens no layer handles are answered as by an absent handler: readable, and EROFS for writing', async function () {
      const tree = new TreeLayer('t', 100, { '/f': file('no open handler') });
      await withMount((fuse) => {
        layers(fuse, [readOnlyLayer(), tree.handlers(['open'])]);
      }, async (m) => {
        assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'no open handler');
        assert.equal(await errCode(fsp.open(m.path('f'), 'r+')), 'EROFS');
        assert.equal(await errCode(fsp.mkdir(m.path('d'))), 'EROFS');  // no layer below has mkdir
      });
    });

    it('readOnly(): the operator on one op\'s stream', async function () {
      const t = new TreeLayer('t', 100, { '/f': file('data') });
      const h = t.handlers();
      const opened: number[] = [];
      let mkdirs = 0;
      await withMount((fuse) => {
        on(fuse, 'lookup', h.lookup!);
        on(fuse, 'getattr', h.getattr!);
        on(fuse, 'read', h.read!);
        fuse.open$.pipe(readOnly(), answer((req) => (opened.push(req.flags & 3), { fh: 1 }))).subscribe();
        fuse.mkdir$.pipe(readOnly(), answer(() => (mkdirs++, entry(50, K.S_IFDIR | 0o755)))).subscribe();
      }, async (m) => {
        assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'data');
        assert.equal(await errCode(fsp.open(m.path('f'), 'r+')), 'EROFS');
        assert.equal(await errCode(fsp.mkdir(m.path('d'))), 'EROFS');
      });
      assert.deepEqual(opened, [K.O_RDONLY]);
      assert.equal(mkdirs, 0);
    });
  });

  describe('serializeByInode: one request of an inode at a time', function () {
    interface Run {
      ino: number;
      seq: number;
      start: number;
      end: number;
    }
    /** Six concurrent getxattr calls (the kernel takes no inode lock for them), three per file. */
    async function concurrentGetxattrs(serialize: boolean): Promise<Run[]> {
      const runs: Run[] = [];
      const getxattr = async (req: GetxattrRequest): Promise<Buffer> => {
        const r: Run = { ino: req.ino, seq: req.seq, start: performance.now(), end: 0 };
        runs.push(r);
        await delay(150);
        r.end = performance.now();
        return Buffer.from('v');
      };
      await withMount((fuse) => {
        fuse.handle('lookup', (req) => (req.nameKey === 'a' ? entry(10) : req.nameKey === 'b' ? entry(11) : PASS));
        fuse.handle('getattr', (req) => ({ attr: { ino: req.ino, mode: req.ino === ROOT ? K.S_IFDIR | 0o755 : K.S_IFREG | 0o644 }, timeout: 60 }));
        fuse.handle('getxattr', serialize ? serializeByInode(getxattr) : getxattr);
      }, async (m) => {
        const x = await pyJson<{ results: string[] }>(`
ps = [sys.argv[1]] * 3 + [sys.argv[2]] * 3
os.stat(ps[0]); os.stat(ps[3])  # lookups first: the getxattrs then start together
results = [None] * 6
def g(i):
    results[i] = attempt(lambda: os.getxattr(ps[i], 'user.k'))
ts = [threading.Thread(target=g, args=(i,)) for i in range(6)]
for t in ts: t.start()
for t in ts: t.join()
out({'results': results})`, m.path('a'), m.path('b'));
        assert.deepEqual(x.results, ['v', 'v', 'v', 'v', 'v', 'v']);
      });
      return runs;
    }
    const overlaps = (x: Run, y: Run): boolean => x.start < y.end && y.start < x.end;

    it('serialized: never two of one inode at once, in arrival order; two inodes at once', async function () {
      const runs = await concurrentGetxattrs(true);
      assert.equal(runs.length, 6);
      for (const ino of [10, 11]) {
        const mine = runs.filter((r) => r.ino === ino);
        assert.equal(mine.length, 3);
        for (let i = 1; i < mine.length; i++) {
          assert.ok(mine[i].start >= mine[i - 1].end, `inode ${ino}: a request started before the previous one ended`);
          assert.ok(mine[i].seq > mine[i - 1].seq, `inode ${ino}: not in arrival order`);
        }
      }
      const a = runs.filter((r) => r.ino === 10);
      const b = runs.filter((r) => r.ino === 11);
      assert.ok(a.some((x) => b.some((y) => overlaps(x, y))), 'the two inodes never ran concurrently');
    });

    it('control: without it, the kernel sends requests of one inode concurrently', async function () {
      const runs = await concurrentGetxattrs(false);
      const a = runs.filter((r) => r.ino === 10);
      assert.ok(a.some((x) => a.some((y) => x !== y && overlaps(x, y))), 'no concurrency to serialize: the test above proves nothing');
    });
  });

  describe('outcomes and Fuse.observe: a tap on every request', function () {
    interface Seen {
      op: string;
      ino: number;
      errno: number;
      duration: number;
      value: unknown;
    }

    it('reports each request with its errno, reply value and duration; ops without a handler stay unimplemented', async function () {
      const t = new TreeLayer('t', 100, { '/f': file('hello'), '/slow': file('s'), '/hang': file('h') });
      const h = t.handlers();
      const seen: Seen[] = [];
      let completed = false;
      let sub: Subscription | undefined;
      let errors: FuseErrorEvent[] = [];
      await withMount((fuse) => {
        errors = errorsOf(fuse);
        sub = outcomes(fuse).subscribe({
          next: (o: RequestOutcome) => seen.push({ op: o.op, ino: o.req.ino, errno: o.errno, duration: o.duration, value: o.value }),
          complete: () => (completed = true),
        });
        on(fuse, 'lookup', h.lookup!);
        on(fuse, 'getattr', async (req) => {
          if (req.ino === 101) await delay(60);
          const n = t.nodes.get(req.ino);
          return n ? { attr: t.attr(n), timeout: 0 } : PASS;
        });
        on(fuse, 'open', h.open!);
        on(fuse, 'read', h.read!);
        on(fuse, 'getxattr', (req) => (req.nameKey === 'user.hang' ? new Promise<never>(() => {}) : h.getxattr!(req)));
      }, async (m) => {
        const x = await pyJson(`
d = sys.argv[1]
out({
  'read': attempt(lambda: open(d + '/f', 'rb').read()),
  'nope': attempt(lambda: os.stat(d + '/nope')),
  'slow': attempt(lambda: os.stat(d + '/slow')),
  'xattr': attempt(lambda: os.getxattr(d + '/f', 'user.none')),
  'statvfs': attempt(lambda: os.statvfs(d)),
  'hang': attempt(lambda: os.getxattr(d + '/hang', 'user.hang')),
})`, m.dir);
        assert.deepEqual(x, { read: 'hello', nope: 'ENOENT', slow: 'ok', xattr: 'ENODATA', statvfs: 'ok', hang: 'ETIMEDOUT' });
        const lookupF = seen.find((s) => s.op === 'lookup' && s.errno === 0 && (s.value as Entry).attr.ino === 100);
        assert.ok(lookupF, 'the lookup of f with its entry');
        assert.ok(seen.some((s) => s.op === 'lookup' && s.errno === errno.ENOENT));
        const slow = seen.filter((s) => s.op === 'getattr' && s.ino === 101);
        assert.ok(slow.length > 0 && slow.every((s) => s.duration >= 55), `slow getattr durations ${slow.map((s) => s.duration)}`);
        const read = seen.find((s) => s.op === 'read' && s.ino === 100);
        assert.equal(Buffer.from(read!.value as Uint8Array).toString(), 'hello');
        assert.ok(seen.some((s) => s.op === 'getxattr' && s.errno === errno.ENODATA && s.value === undefined));
        // Answered by rxfuse on the handler's behalf, and still reported.
        assert.ok(seen.some((s) => s.op === 'getxattr' && s.ino === 102 && s.errno === errno.ETIMEDOUT));
        assert.ok(!seen.some((s) => s.op === 'statfs'), 'statfs has no handler: libfuse answered it');
        const n = seen.length;
        sub!.unsubscribe();
        await fsp.stat(m.path('f'));
        assert.equal(seen.length, n, 'events after unsubscribing');
      }, { requestTimeout: 300 });
      assert.equal(completed, false);  // unsubscribed before the unmount
      assert.deepEqual(errors.map((e) => e.kind), ['timeout']);
    });

    it('completes at unmount; an observer sees arrivals before handlers, and one that throws is reported without harm', async function () {
      const order: string[] = [];
      let completed = false;
      let errors: FuseErrorEvent[] = [];
      await withMount((fuse) => {
        errors = errorsOf(fuse);
        outcomes(fuse).subscribe({ complete: () => (completed = true) });
        fuse.observe({
          request: (req) => {
            order.push(`arrive ${req.op}`);
            if (req.op === 'getattr') throw new Error('observer bug');
          },
          reply: (req, err) => order.push(`reply ${req.op} ${err}`),
        });
        fuse.handle('getattr', (req) => (order.push('handle getattr'), { attr: { ino: req.ino, mode: K.S_IFDIR | 0o755 }, timeout: 0 }));
      }, async (m) => {
        await fsp.stat(m.dir);
        const i = order.indexOf('arrive getattr');
        assert.deepEqual(order.slice(i, i + 3), ['arrive getattr', 'handle getattr', 'reply getattr 0']);
      });
      assert.equal(completed, true);
      assert.ok(errors.length >= 1 && errors.every((e) => e.kind === 'handler' && String(e.cause) === 'Error: observer bug'));
    });
  });

  describe('units (no kernel)', function () {
    const fake = (ino: number): Request => ({ ino, answered: false } as unknown as Request);

    it('fallThrough keeps synchronous handlers synchronous, and declines when all decline', function () {
      const h = fallThrough<Request>(() => PASS, () => 42 as never);
      assert.equal(h(fake(1)), 42);
      assert.equal(fallThrough<Request>(() => PASS, () => PASS)(fake(1)), PASS);
    });

    it('serializeByInode frees an inode after a synchronous throw or a PASS, and skips a request answered while it waited', async function () {
      const calls: number[] = [];
      let release!: () => void;
      const h = serializeByInode<Request>((req) => {
        calls.push(req.ino);
        if (calls.length === 1) return new Promise<never>((_, reject) => (release = () => reject(new FuseError('EIO'))));
        if (calls.length === 2) throw new FuseError('EPERM');
        return PASS;
      }, () => 0);
      const first = h(fake(1)) as Promise<unknown>;
      const answered = { ino: 2, answered: true } as unknown as Request;
      const second = h(answered) as Promise<unknown>;
      const third = h(fake(3)) as Promise<unknown>;
      const fourth = h(fake(4)) as Promise<unknown>;
      assert.deepEqual(calls, [1]);  // the others wait behind the first
      release();
      await assert.rejects(first, FuseError);
      assert.equal(await second, undefined);  // skipped: answered while it waited
      await assert.rejects(third, (e: FuseError) => e.code === 'EPERM');
      assert.equal(await fourth, PASS);
      assert.deepEqual(calls, [1, 3, 4]);
      assert.equal(h(fake(5)), PASS);  // nothing left waiting: runs at once, synchronously
    });

    it('isMutating: the mutating ops, and opens for writing or truncating', function () {
      const r = (op: string, flags = 0): Request => ({ op, flags } as unknown as Request);
      assert.equal(isMutating(r('write')), true);
      assert.equal(isMutating(r('copyFileRange')), true);
      assert.equal(isMutating(r('read')), false);
      assert.equal(isMutating(r('open', K.O_RDONLY)), false);
      assert.equal(isMutating(r('open', K.O_RDONLY | K.O_TRUNC)), true);
      assert.equal(isMutating(r('open', K.O_WRONLY)), true);
      assert.equal(isMutating(r('open', K.O_RDWR | K.O_APPEND)), true);
      assert.equal(isMutating(r('opendir')), false);
    });
  });
});
