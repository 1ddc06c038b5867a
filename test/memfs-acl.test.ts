// memfs's POSIX ACLs (system.posix_acl_access/default, enforced by the kernel), side by side with a
// kernel tmpfs: each shell script runs in a fresh directory of both mounts, as root or as uid 1000,
// and the outputs must be equal (plus a few absolute expectations, so that two equal failures fail).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { MemFs, memfsOptions } from '../examples/memfs';
import { mountTmpfs, type Target } from './diff/harness';
import { type MountedFixture, mountFixture, sh } from './helpers';

/** Runs `sh -c` as uid `uid` (groups = [uid]) in `dir`; stderr joins stdout. */
function shAs(uid: number, dir: string, line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const body = `cd "$1" && { ${line}; } 2>&1`;
  return uid === 0
    ? sh('sh', ['-c', body, 'sh', dir])
    : sh('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, `--groups=${uid}`, 'sh', '-c', body, 'sh', dir]);
}

const LIST = `python3 -c 'import os, sys; print(sys.argv[1], sorted(os.listxattr(sys.argv[1])))'`;

describe('memfs POSIX ACLs, against tmpfs', function () {
  this.timeout(60000);
  let m: MountedFixture<MemFs> | undefined;
  let tmpfs: Target | undefined;
  let seq = 0;

  before(async function () {
    if (spawnSync('sh', ['-c', 'command -v setfacl']).status !== 0) this.skip();  // scripts/setup.js installs acl
    m = await mountFixture('rxfuse-memfs-acl-', new MemFs(), { ...memfsOptions(), allowOther: true });
    tmpfs = await mountTmpfs('tmpfs', 'mode=1777');
  });
  after(async () => {
    await m?.unmount();
    await tmpfs?.close();
  });
  afterEach(() => {
    if (m) assert.deepEqual(m.errors.map((e) => `${e.kind} ${e.op}: ${String(e.cause)}`), []);
  });

  /**
   * Runs the steps in a fresh directory (mode 0777, made by root) of each mount, each step as its
   * uid; answers the joined outputs.
   */
  async function both(...steps: [number, string][]): Promise<{ memfs: string; tmpfs: string }> {
    const name = `case${++seq}`;
    const run = async (root: string): Promise<string> => {
      const dir = path.join(root, name);
      const mk = await sh('mkdir', ['-m', '0777', dir]);  // a child: mkdir on the serving thread would deadlock
      assert.equal(mk.code, 0, mk.stderr);
      let out = '';
      for (const [uid, line] of steps) out += `[${uid}]\n${(await shAs(uid, dir, `umask 022; ${line}`)).stdout}`;
      return out;
    };
    return { memfs: await run(m!.dir), tmpfs: await run(tmpfs!.dir) };
  }

  it('setfacl/getfacl round trips; an ACL equal to a mode is no xattr but the mode', async () => {
    const r = await both([0, `touch f; setfacl -m u:1001:rw,g:1002:r f; getfacl -c f; stat -c '%A' f; ${LIST} f;
      setfacl -m m::r f; getfacl -c f; stat -c '%A' f;
      setfacl -x u:1001,g:1002 f; getfacl -c f; ${LIST} f;
      setfacl -m u:1001:r f; setfacl -b f; ${LIST} f; stat -c '%A' f;
      setfacl -m u::rwx,g::r-x,o::- f; ${LIST} f; stat -c '%A' f;
      setfacl -d -m u:1001:r f; echo "default on a file: $?"`]);
    assert.equal(r.memfs, r.tmpfs);
    assert.match(r.memfs, /^user:1001:rw-$/m);
    assert.match(r.memfs, /^f \['system.posix_acl_access'\]$/m);
    assert.match(r.memfs, /^user:1001:rw-\s+#effective:r--$/m);
    assert.match(r.memfs, /^-rwxr-x---$/m);
    assert.match(r.memfs, /default on a file: 1/);
  });

  it('chmod moves the mask (not the group entry) of an access ACL; without a mask the group entry', async () => {
    const r = await both([0, `touch f; setfacl -m u:1001:rwx,g::rw f; getfacl -c f; chmod 640 f; getfacl -c f; stat -c '%A' f;
      touch g; chmod 750 g; getfacl -c g; chmod 604 g; getfacl -c g`]);
    assert.equal(r.memfs, r.tmpfs);
    assert.match(r.memfs, /^mask::r--$/m);
    assert.match(r.memfs, /^group::rw-\s+#effective:r--$/m);
  });

  it('new files, directories, FIFOs and symlinks inherit a default ACL, and then the umask does not apply', async () => {
    const r = await both([0, `mkdir d; setfacl -d -m u:1001:rwx,g::rx,o::- d; getfacl -c d; umask 077;
      touch d/f; mkdir d/s; mkfifo d/p; ln -s f d/l; mkdir d/s/t;
      getfacl -c d/f d/s d/p d/s/t; stat -c '%n %A' d/f d/s d/p d/s/t; ${LIST} d/f; ${LIST} d/s;
      setfacl -d -m u::rw,g::r,o::r d; touch d/plain; stat -c '%n %A' d/plain; ${LIST} d/plain;
      mkdir e; umask 027; touch e/f; mkdir e/s; stat -c '%n %A' e/f e/s`]);
    assert.equal(r.memfs, r.tmpfs);
    assert.match(r.memfs, /^d\/f -rw-rw----$/m);  // 666 & the default ACL, not 666 & ~077
    assert.match(r.memfs, /^default:user:1001:rwx$/m);
    assert.match(r.memfs, /^e\/f -rw-r-----$/m);
  });

  it('an ACL granting a second user access really grants it, and taking it back refuses again', async () => {
    const r = await both(
      [0, 'echo secret > f; chmod 600 f; mkdir d; chmod 700 d; echo in > d/g; setfacl -m u:1001:r f; setfacl -m u:1001:x d'],
      [1001, 'cat f; echo "cat: $?"; echo x >> f; echo "append: $?"; cat d/g; echo "cat d/g: $?"; ls d; echo "ls d: $?"'],
      [1000, 'cat f; echo "other user: $?"'],
      [0, 'setfacl -x u:1001 f; setfacl -m m::- d'],
      [1001, 'cat f; echo "cat after: $?"; cat d/g; echo "cat d/g after: $?"'],
    );
    assert.equal(r.memfs, r.tmpfs);
    assert.match(r.memfs, /^secret\ncat: 0$/m);
    assert.match(r.memfs, /append: [12]/);
    assert.match(r.memfs, /cat d\/g: 0/);
    assert.match(r.memfs, /ls d: [12]/);
    assert.match(r.memfs, /other user: 1/);
    assert.match(r.memfs, /cat after: 1/);
    assert.match(r.memfs, /cat d\/g after: 1/);
  });

  it('as an unprivileged owner: ACLs on its own files, EPERM on others\', a default ACL its files inherit', async () => {
    const r = await both(
      [0, 'touch root_f'],
      [1000, `setfacl -m u:1001:r root_f; echo "not owner: $?"; touch f; setfacl -m u:1001:rw,g:1002:r f; getfacl -c f;
        mkdir d; setfacl -d -m g:1002:rwx d; touch d/f; getfacl -c d/f; chmod 2770 d; chgrp 1000 d; setfacl -m u:1001:rwx d; stat -c '%A' d`],
      [1001, 'touch d/g; echo "1001 creates: $?"; stat -c "%n %u %g %A" d/g'],
    );
    assert.equal(r.memfs, r.tmpfs);
    assert.match(r.memfs, /not owner: 1/);
    assert.match(r.memfs, /1001 creates: 0/);
  });
});
