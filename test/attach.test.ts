// When handlers can be attached: before mount() (the kernel learns at INIT which ops exist), and one
// handle() per op. Through a real mount where the kernel matters; clients are async fs calls.
import { strict as assert } from 'node:assert';
import { constants as K, promises as fsp } from 'node:fs';
import { Fuse, FuseError, on, PASS } from '../lib';
import { py, withMount } from './helpers';

const ROOT = 1;

function tree(fuse: Fuse): void {
  fuse.handleAll({
    lookup: (req) => {
      if (req.parent !== ROOT || req.nameKey !== 'f') throw new FuseError('ENOENT');
      return { attr: { ino: 2, mode: K.S_IFREG | 0o644, nlink: 1, size: 2 }, attrTimeout: 0, entryTimeout: 0 };
    },
    getattr: (req) => ({ attr: req.ino === ROOT ? { ino: ROOT, mode: K.S_IFDIR | 0o755, nlink: 2 } : { ino: 2, mode: K.S_IFREG | 0o644, nlink: 1, size: 2 }, timeout: 0 }),
    read: () => Buffer.from('hi'),
  });
}

describe('attaching handlers', function () {
  this.timeout(30000);

  it('after mount(), handle() or a stream of an op not implemented at mount throws, naming the op and the fix', async function () {
    const early = { stream: undefined as unknown as Fuse['getxattr$'] };
    await withMount((fuse) => {
      tree(fuse);
      early.stream = fuse.getxattr$;  // taken before mount, subscribed after
    }, async (m) => {
      const fix = /getxattr: no handler was attached at mount\(\).*attach before mount\(\) — the kernel was told at INIT which ops exist/;
      assert.throws(() => m.fuse.handle('getxattr', () => Buffer.from('v')), fix);
      assert.throws(() => m.fuse.getxattr$, fix);
      let streamError: unknown;
      early.stream.subscribe({ error: (e: unknown) => (streamError = e) });
      assert.match(String(streamError), fix);
      assert.throws(() => m.fuse.handleAll({ statfs: () => ({}) as never }), /statfs: no handler was attached/);
      // The op stays what the kernel was told: libfuse answers ENOSYS, which the kernel turns into EOPNOTSUPP.
      const r = await py('import os, sys, errno\ntry:\n os.getxattr(sys.argv[1], "user.x")\nexcept OSError as e:\n print(errno.errorcode[e.errno])', [m.path('f')]);
      assert.equal(r.stdout.trim(), 'ENOTSUP');  // python's name of EOPNOTSUPP
    });
  });

  it('after mount(), an op rxfuse implemented at mount (open, for the registry) can still get a handler', async function () {
    const opened: number[] = [];
    await withMount(tree, async (m) => {
      assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'hi');
      m.fuse.handle('open', (req) => (opened.push(req.ino), { fh: 7 }));
      assert.equal(await fsp.readFile(m.path('f'), 'utf8'), 'hi');
    });
    assert.deepEqual(opened, [2]);
  });

  it('a second handle() for one op throws and points at on()/layers(); unsubscribing the first allows a new one', function () {
    const fuse = new Fuse();
    const first = fuse.handle('lookup', () => PASS);
    assert.throws(() => fuse.handle('lookup', () => PASS), /handle\('lookup'\): a handler is already attached; one handle\(\) per op.*on\(fuse, 'lookup', h1, h2\) or layers\(\)/);
    // handleAll is all or nothing: getattr is not left attached when lookup fails.
    assert.throws(() => fuse.handleAll({ getattr: () => ({ ino: 1, mode: K.S_IFDIR | 0o755 }), lookup: () => PASS }), /already attached/);
    fuse.handle('getattr', () => ({ ino: 1, mode: K.S_IFDIR | 0o755 }));
    first.unsubscribe();
    fuse.handle('lookup', () => PASS);
    on(fuse, 'readlink', () => PASS, () => Buffer.from('x'));  // on() composes; not a handle() per handler
    fuse.close();
  });
});
