// memfs follows its mount's atime options (noatime, nodiratime, relatime, strictatime, and a change
// by `mount -o remount`), side by side with a kernel tmpfs mounted with the same option: the same
// client script runs on both (as root and as uid 1000) and must see atime move on the same accesses.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { MemFs, memfsOptions } from '../examples/memfs';
import { mountTmpfs, type Target } from './diff/harness';
import { type MountedFixture, mountFixture, sh } from './helpers';

const PY = '/usr/bin/python3';  // uid 1000 cannot read root's pyenv

// Which accesses move atime: a file and a directory whose atime is older than their mtime (relatime
// moves it), or newer than mtime and ctime but less than a day old (only strictatime moves it), and
// a second read right after a first; the same for a symlink read by readlink.
const SCRIPT = `
import os, sys, json, time
os.chdir(sys.argv[1])
def at(p): return os.lstat(p).st_atime_ns
def rd(p):
    with open(p, 'rb') as f: f.read()
def ls(p): os.listdir(p)
def rl(p): os.readlink(p)
with open('f', 'wb') as f: f.write(b'data')
os.mkdir('d'); open('d/x', 'w').close(); os.symlink('f', 'l')
future = int(time.time()) + 3600
res = {}
def case(name, p, access, atime):
    st = os.lstat(p)
    os.utime(p, ns=(atime * 10**9, st.st_mtime_ns), follow_symlinks=False)
    before = at(p); access(p); res[name] = at(p) != before
case('file_old', 'f', rd, 1000)
case('file_new', 'f', rd, future)
case('dir_old', 'd', ls, 1000)
case('dir_new', 'd', ls, future)
case('link_old', 'l', rl, 1000)
case('link_new', 'l', rl, future)
rd('f'); a = at('f'); c = time.clock_gettime_ns(5)  # CLOCK_REALTIME_COARSE, tmpfs's clock
time.sleep(0.01)
end = time.monotonic() + 1
while time.clock_gettime_ns(5) <= c and time.monotonic() < end: time.sleep(0.001)  # tickless idle can hold it still
rd('f'); res['file_again'] = at('f') != a
print(json.dumps(res))
`;

type Moves = Record<'file_old' | 'file_new' | 'dir_old' | 'dir_new' | 'link_old' | 'link_new' | 'file_again', boolean>;

const EXPECTED: Record<string, Moves> = {
  noatime: { file_old: false, file_new: false, dir_old: false, dir_new: false, link_old: false, link_new: false, file_again: false },
  nodiratime: { file_old: true, file_new: false, dir_old: false, dir_new: false, link_old: true, link_new: false, file_again: false },
  relatime: { file_old: true, file_new: false, dir_old: true, dir_new: false, link_old: true, link_new: false, file_again: false },
  strictatime: { file_old: true, file_new: true, dir_old: true, dir_new: true, link_old: true, link_new: true, file_again: true },
};

/** mount -i -o remount,<option>: in a child, never synchronously (mount stats the mountpoint: memfs must be free to answer). */
async function remount(dir: string, option: string): Promise<void> {
  const r = await sh('mount', ['-i', '-o', `remount,${option}`, dir]);  // -i: no mount.fuse helper
  assert.equal(r.code, 0, `remount ${dir} ${option}: ${r.stderr}`);
}

let seq = 0;

/** Runs SCRIPT in a fresh directory of `root`, as root or as uid 1000. */
async function moves(root: string, as: 'root' | 'user'): Promise<Moves> {
  const dir = path.join(root, `case${++seq}`);
  const mk = await sh('mkdir', ['-m', '0777', dir]);  // a child: mkdir on the serving thread would deadlock
  assert.equal(mk.code, 0, mk.stderr);
  const r = as === 'user'
    ? await sh('setpriv', ['--reuid=1000', '--regid=1000', '--groups=1000', PY, '-c', SCRIPT, dir])
    : await sh(PY, ['-c', SCRIPT, dir]);
  assert.equal(r.code, 0, `client in ${root}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Moves;
}

describe('memfs atime mount options, against tmpfs', function () {
  this.timeout(60000);
  let m: MountedFixture<MemFs> | undefined;
  let tmpfs: Target | undefined;

  afterEach(async () => {
    const errors = m?.errors.map((e) => `${e.kind} ${e.op}: ${String(e.cause)}`) ?? [];
    await m?.unmount();
    m = undefined;
    await tmpfs?.close();
    tmpfs = undefined;
    assert.deepEqual(errors, []);
  });

  /**
   * memfs and tmpfs mounted with `option`. libfuse 3.14 takes only atime and noatime as mount options
   * (it refuses nodiratime, relatime and strictatime): those are set on the FUSE mount by a remount.
   */
  async function mountBoth(option: string): Promise<void> {
    const options = option === 'noatime' ? [option] : [];
    m = await mountFixture('rxfuse-memfs-atime-', new MemFs(), { ...memfsOptions(), allowOther: true, options });
    if (option !== 'noatime' && option !== 'relatime') await remount(m.dir, option);
    tmpfs = await mountTmpfs('tmpfs', `mode=1777,${option}`);
  }

  for (const option of Object.keys(EXPECTED)) {
    it(`-o ${option}: atime moves on the same reads and listings as on tmpfs, as root and as uid 1000`, async () => {
      await mountBoth(option);
      for (const as of ['root', 'user'] as const) {
        const memfs = await moves(m!.dir, as);
        assert.deepEqual(memfs, await moves(tmpfs!.dir, as), `memfs vs tmpfs as ${as}`);
        assert.deepEqual(memfs, EXPECTED[option], `as ${as}`);
      }
    });
  }

  it('mount -o remount,noatime, then strictatime, relatime and nodiratime are followed', async () => {
    await mountBoth('relatime');
    // nodiratime last: mount(8) keeps it through later remounts (it merges the options mountinfo shows).
    for (const option of ['noatime', 'strictatime', 'relatime', 'nodiratime']) {
      await remount(m!.dir, option);
      await remount(tmpfs!.dir, option);
      await new Promise((r) => setTimeout(r, 150));  // memfs re-reads mountinfo at most every 100 ms
      const memfs = await moves(m!.dir, 'root');
      assert.deepEqual(memfs, await moves(tmpfs!.dir, 'root'), `after remount,${option}`);
      // A remount without strictatime is relatime again (the kernel's default).
      assert.deepEqual(memfs, EXPECTED[option], `after remount,${option}`);
    }
  });
});
