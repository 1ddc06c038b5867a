#!/usr/bin/env node
'use strict';
// The rxfuse command (see lib/cli.ts), from a checkout (after npm run build) or an installed package.
const path = require('node:path');

let cli;
try {
  cli = require('../dist/lib/cli.js');
} catch (e) {
  // An installed package ships dist/; only a checkout can be unbuilt.
  const installed = __dirname.split(path.sep).includes('node_modules');
  const fix = installed ? 'reinstall it: npm install rxfuse' : 'build it: npm run build';
  process.stderr.write(`rxfuse: cannot load ${path.join(__dirname, '..', 'dist', 'lib', 'cli.js')}; ${fix} (${e.message.split('\n')[0]})\n`);
  process.exit(1);
}
cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    const msg = String(e && e.message ? e.message : e);
    process.stderr.write(`${msg.startsWith('rxfuse: ') ? '' : 'rxfuse: '}${msg}\n`);
    process.exit(1);
  },
);
