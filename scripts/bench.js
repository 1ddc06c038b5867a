#!/usr/bin/env node
'use strict';
// npm run bench [-- compare.sh options]: builds rxfuse, then runs shared/bench's compare.sh for
// rxfuse against every peer implementation, interleaved, and prints the table.
//   npm run bench                      # 3 interleaved repetitions of every implementation
//   npm run bench -- -n 1              # fewer repetitions
//   npm run bench -- -w stat c rxfuse  # one workload, two implementations
// shared/ is read-only, so the harness is copied to bench/.work first (peers' builds stay there
// between runs). The harness finds this checkout through RXFUSE_DIR.
const path = require('node:path');
const { run, prepareHarness, harnessEnv } = require('./bench-harness');

const work = prepareHarness();
const args = process.argv.slice(2);
process.exit(run(path.join(work, 'compare.sh'), args, { cwd: work, env: harnessEnv() }));
