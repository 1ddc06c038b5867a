#!/usr/bin/env node
'use strict';
// npm run bench [-- compare.sh options]: builds rxfuse, then runs shared/bench's compare.sh for
// rxfuse against every peer implementation, interleaved, and prints the table.
//   npm run bench                      # 3 interleaved repetitions of every implementation
//   npm run bench -- -n 1              # fewer repetitions
//   npm run bench -- -w stat c rxfuse  # one workload, two implementations
// shared/ is read-only, so the harness is copied to bench/.work first (peers' builds stay there
// between runs). The harness finds this checkout through RXFUSE_DIR.
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

if (!fs.existsSync(path.join(source, 'compare.sh'))) {
  process.stderr.write(`bench: no benchmark harness at ${source} (set RXFUSE_BENCH_DIR)\n`);
  process.exit(1);
}
if (run(process.execPath, [path.join(__dirname, 'setup.js')], { cwd: root }) !== 0) process.exit(1);
fs.mkdirSync(work, { recursive: true });
// Refresh the copy (sources only; what the peers built beside them stays).
if (run('cp', ['-a', '--no-preserve=mode', `${source}/.`, work]) !== 0) process.exit(1);
run('chmod', ['-R', 'u+w', work]);
for (const f of fs.readdirSync(work, { recursive: true })) {
  if (String(f).endsWith('.sh')) fs.chmodSync(path.join(work, String(f)), 0o755);
}
const args = process.argv.slice(2);
process.exit(run(path.join(work, 'compare.sh'), args, { cwd: work, env: { ...process.env, RXFUSE_DIR: root } }));
