// Unmounting and mounting again: the same mountpoint at once, and what an unmounted Fuse leaves
// behind. The memory checks run in child processes with --expose-gc; every child mounts in its own
// temporary directory and must exit by itself with nothing left mounted.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Fuse } from '../lib';
import { forceUnmount, isMounted, sh, TEST_MOUNT_PREFIX } from './helpers';

const LIB = path.join(__dirname, '..', 'lib');

/** Runs `body` (an async function body with Fuse, dir, gc and settle in scope) in a child; its JSON output. */
async function child<T>(body: string): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), TEST_MOUNT_PREFIX));
  const code = `
    const { Fuse } = require(${JSON.stringify(LIB)});
    const dir = ${JSON.stringify(dir)};
    const settle = async () => { for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); } };
    (async () => { ${body} })().then((v) => console.log(JSON.stringify(v)), (e) => { console.error(e); process.exit(1); });`;
  try {
    const r = await sh(process.execPath, ['--expose-gc', '-e', code], { timeout: 60000 });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!isMounted(dir), 'the child left its mount');
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
  } finally {
    if (isMounted(dir)) await forceUnmount(undefined, dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ROOT_GETATTR = `fuse.handle('getattr', () => ({ attr: { ino: 1, mode: 0o40755, nlink: 2 } }));`;

describe('unmounting and mounting again', function () {
  this.timeout(120000);

  it('the same mountpoint at once, 20 times: each mount comes up and serves (the last one\'s watcher leaves the next alone)', async function () {
    // Before: the unmount watcher of the mount just unmounted woke up after the next mount was made,
    // found the same mount id and device number (both reused at once) and detached it: "closed
    // before INIT" or a mount that vanished.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), TEST_MOUNT_PREFIX));
    let fuse: Fuse | undefined;
    try {
      for (let i = 0; i < 20; i++) {
        fuse = new Fuse({ fsname: 'remount' });
        fuse.handle('getattr', () => ({ attr: { ino: 1, mode: 0o40755, nlink: 2 }, timeout: 0 }));
        await fuse.mount(dir);
        const st = await fs.promises.stat(dir);
        assert.equal(st.ino, 1, `mount ${i} serves`);
        await fuse.unmount();
        fuse = undefined;
      }
      // The last watcher had its time: nothing detached the mount made after it.
      fuse = new Fuse({ fsname: 'remount' });
      fuse.handle('getattr', () => ({ attr: { ino: 1, mode: 0o40755, nlink: 2 }, timeout: 0 }));
      await fuse.mount(dir);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(isMounted(dir), 'still mounted 300 ms later');
      assert.equal((await fs.promises.stat(dir)).ino, 1);
      await fuse.unmount();
      fuse = undefined;
    } finally {
      await forceUnmount(fuse, dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unmounted Fuse is garbage: its session and buffers are freed (30 mounts, external memory flat)', async function () {
    // Before: the native session kept its JS callbacks, which hold the Fuse, which holds the
    // session: about 5 MB of request and receive buffers per mount were never freed.
    const r = await child<{ collected: boolean; growthMB: number }>(`
      let collected = false;
      const reg = new FinalizationRegistry(() => { collected = true; });
      const once = async (watch) => {
        const fuse = new Fuse();
        ${ROOT_GETATTR}
        await fuse.mount(dir);
        await fuse.unmount();
        if (watch) reg.register(fuse, 0);
      };
      await once(true);
      await settle();
      const before = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < 30; i++) await once(false);
      await settle();
      return { collected, growthMB: (process.memoryUsage().arrayBuffers - before) / 1e6 };`);
    assert.ok(r.collected, 'the Fuse was collected after unmount');
    assert.ok(r.growthMB < 10, `array buffers grew ${r.growthMB.toFixed(1)} MB over 30 mounts`);
  });

  it('a reply function of a session that is gone throws instead of touching freed memory', async function () {
    const r = await child<{ gone: boolean; message: string }>(`
      let gone = false;
      const reg = new FinalizationRegistry(() => { gone = true; });
      let fuse = new Fuse();
      ${ROOT_GETATTR}
      await fuse.mount(dir);
      const replyErr = fuse.native.replyErr;
      reg.register(fuse.native, 0);
      await fuse.unmount();
      fuse = undefined;
      for (let i = 0; i < 100 && !gone; i++) await settle();
      await settle();
      try { replyErr(0, 5); return { gone, message: 'no error' }; } catch (e) { return { gone, message: e.message }; }`);
    assert.ok(r.gone, 'the session was collected');
    assert.equal(r.message, 'Session: the session is gone');
  });
});
