#!/usr/bin/env node
'use strict';
// The rxfuse command (see lib/cli.ts). Needs the build: npm run build.
let cli;
try {
  cli = require('../dist/lib/cli.js');
} catch (e) {
  process.stderr.write(`rxfuse: not built yet (run: npm run build): ${e.message}\n`);
  process.exit(1);
}
cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`rxfuse: ${e && e.message ? e.message : e}\n`);
    process.exit(1);
  },
);
