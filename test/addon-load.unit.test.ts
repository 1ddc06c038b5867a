// lib/addon-load.ts without FUSE: where the addon is found, and the Error for each way loading fails
// (no build at all, a file that does not load, libfuse3.so.3 missing, only libfuse3.so.4 there) names
// what to install and the command that rebuilds, for a checkout and for an installed package.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addonLoadError, loadAddon, PACKAGE_ROOT, rebuildCommand } from '../lib/addon-load';
import { type NativeReplies, replyFunctions } from '../lib/native';

describe('addon loading (unit)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-addon-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A package root with package.json (and `files`) under tmp/`at`. */
  function packageAt(at: string, files: Record<string, string> = {}): string {
    const root = path.join(tmp, at);
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), '{"name":"rxfuse"}');
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), text);
    }
    return root;
  }

  it('loads the checkout\'s addon, from build/Release (a source build wins over a prebuild)', () => {
    const loaded = loadAddon(PACKAGE_ROOT);
    assert.equal(loaded.dir, path.join(PACKAGE_ROOT, 'build', 'Release'));
    assert.equal(typeof (loaded.exports as { Session?: unknown }).Session, 'function');
  });

  it('no prebuild and no build: names the build packages and the command, not a bare module-not-found', () => {
    const installed = packageAt('app/node_modules/rxfuse');
    assert.throws(() => loadAddon(installed), (e: Error) => {
      assert.match(e.message, /^rxfuse: no native addon for linux-/);
      assert.match(e.message, /apt-get install libfuse3-dev pkg-config, then run: npm rebuild rxfuse/);
      return true;
    });
    const checkout = packageAt('rxfuse-clone');
    assert.throws(() => loadAddon(checkout), /libfuse3-dev pkg-config, then run: npm run build/);
  });

  it('an addon file that does not load: the same advice, with the loader\'s reason', () => {
    const root = packageAt('app/node_modules/rxfuse', { 'build/Release/rxfuse.node': 'not an ELF file' });
    assert.throws(() => loadAddon(root), (e: Error) => {
      assert.match(e.message, /^rxfuse: the native addon does not load; build it from source: apt-get install libfuse3-dev pkg-config/);
      assert.match(e.message, /npm rebuild rxfuse \(.*rxfuse\.node/);
      assert.ok(e.cause instanceof Error);
      return true;
    });
  });

  it('libfuse3.so.3 missing: the runtime package; with only libfuse3.so.4 (libfuse >= 3.17): a source build', () => {
    const root = path.join(tmp, 'node_modules', 'rxfuse');
    const dlopen = new Error(`${root}/prebuilds/linux-x64/rxfuse.node: libfuse3.so.3: cannot open shared object file: No such file or directory`);
    const none = addonLoadError(dlopen, root, true, () => false);
    assert.match(none.message, /libfuse3\.so\.3, the libfuse3 runtime, is missing: apt-get install fuse3/);
    const probed: string[] = [];
    const v4 = addonLoadError(dlopen, root, true, (so) => (probed.push(so), so === 'libfuse3.so.4'));
    assert.deepEqual(probed, ['libfuse3.so.4']);
    assert.match(v4.message, /links libfuse3\.so\.3 .* has libfuse3\.so\.4 \(libfuse >= 3\.17\); build it from source: apt-get install libfuse3-dev pkg-config, then run: npm rebuild rxfuse/);
  });

  it('the rebuild command follows where the package is', () => {
    assert.equal(rebuildCommand('/home/u/app/node_modules/rxfuse'),
      'npm rebuild rxfuse (with ignore-scripts set: npm rebuild rxfuse --ignore-scripts=false)');
    assert.equal(rebuildCommand('/home/u/src/rxfuse'), 'npm run build');
  });
});

describe('the addon\'s reply functions (unit)', () => {
  const names = ['replyErr', 'replyEntry', 'replyCreate', 'replyAttr', 'replyReadlink', 'replyOpen', 'replyWrite',
    'replyBuf', 'replyFd', 'replyStatfs', 'replyXattr', 'replyLock', 'replyBmap', 'replyIoctl', 'replyPoll',
    'replyLseek', 'replyDirents', 'replyStatx', 'replyTmpfile'];
  const session = (omit: string[]): NativeReplies =>
    Object.fromEntries(names.filter((n) => !omit.includes(n)).map((n) => [n, () => 0])) as unknown as NativeReplies;

  it('copies every reply function of a matching addon', () => {
    const r = replyFunctions(session([]));
    assert.deepEqual(Object.keys(r).sort(), [...names].sort());
  });

  it('an addon built from other sources (a reply missing) is refused at once, naming what is missing and the rebuild', () => {
    assert.throws(() => replyFunctions(session(['replyStatx', 'replyTmpfile'])),
      /native addon has no replyStatx, replyTmpfile: it does not match lib\/ \(rebuild it: npm run build\)/);
  });
});
