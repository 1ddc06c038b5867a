// A memfs mount and a kernel tmpfs side by side for one mocha suite, and a python client that runs
// the same script in either and answers the JSON it prints: for differential tests of one feature.
import type { MemFsOptions } from '../examples/memfs';
import { MemFs, memfsOptions } from '../examples/memfs';
import { mountTmpfs, type Target } from './diff/harness';
import { type MountedFixture, mountFixture, sh } from './helpers';

const PY = '/usr/bin/python3';

export interface Pair {
  memfs: MountedFixture<MemFs>;
  tmpfs: Target;
}

/** Mounts both before the suite and unmounts both after it; the getter answers them in between. */
export function memfsBesideTmpfs(options: MemFsOptions = {}): () => Pair {
  let m: MountedFixture<MemFs> | undefined;
  let t: Target | undefined;
  before(async function () {
    this.timeout(30000);
    t = await mountTmpfs();
    m = await mountFixture('rxfuse-memfs-pair-', new MemFs(options), { ...memfsOptions(options), allowOther: true });
  });
  after(async function () {
    this.timeout(30000);
    await m?.unmount();
    await t?.close();
  });
  return () => {
    if (!m || !t) throw new Error('the mounts are not there');
    return { memfs: m, tmpfs: t };
  };
}

/** Runs a python script in `dir` with `args`, as root or as `uid` (gid and groups the same); answers the JSON it printed. */
export async function pyIn(dir: string, script: string, args: readonly string[] = [], uid = 0): Promise<Record<string, unknown>> {
  const py = [PY, '-c', `import os\nos.chdir(${JSON.stringify(dir)})\n${script}`, ...args];
  const r = uid === 0 ? await sh(py[0], py.slice(1)) : await sh('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, `--groups=${uid}`, ...py]);
  if (r.code !== 0) throw new Error(`client failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
