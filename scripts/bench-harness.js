'use strict';
// The shared benchmark harness (shared/bench), copied to bench/.work: shared/ is read-only, and the
// peers' builds stay in the copy between runs. Used by bench.js and bench-ladder.js.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const source = process.env.RXFUSE_BENCH_DIR || path.join(root, '..', 'shared', 'bench');
// Outside build/: node-gyp rebuild wipes build/, and the peers' builds are kept here between runs.
const work = path.join(root, 'bench', '.work');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** Builds rxfuse and refreshes bench/.work from the harness (sources only); exits on failure. */
function prepareHarness() {
  if (!fs.existsSync(path.join(source, 'compare.sh'))) {
    process.stderr.write(`bench: no benchmark harness at ${source} (set RXFUSE_BENCH_DIR)\n`);
    process.exit(1);
  }
  if (run(process.execPath, [path.join(__dirname, 'setup.js')], { cwd: root }) !== 0) process.exit(1);
  copyInto(source, work);
  return work;
}

/** Copies a folder's contents into dir, writable, with every .sh executable. */
function copyInto(from, dir) {
  fs.mkdirSync(dir, { recursive: true });
  if (run('cp', ['-a', '--no-preserve=mode', `${from}/.`, dir]) !== 0) process.exit(1);
  run('chmod', ['-R', 'u+w', dir]);
  for (const f of fs.readdirSync(dir, { recursive: true })) {
    if (String(f).endsWith('.sh')) fs.chmodSync(path.join(dir, String(f)), 0o755);
  }
}

/** The environment the harness runs in: it finds this checkout through RXFUSE_DIR. */
function harnessEnv(extra = {}) {
  return { ...process.env, RXFUSE_DIR: root, ...extra };
}

module.exports = { root, work, run, prepareHarness, copyInto, harnessEnv };
