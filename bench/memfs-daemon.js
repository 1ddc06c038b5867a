'use strict';
// A memfs served by the rxfuse command in a child (bin/rxfuse.js memfs [args] <dir>), for the
// benchmarks: mounted when it says so, stats on SIGUSR1 (with --stats), stopped for sure.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Daemon {
  constructor(bin, dir, args = [], flags = []) {
    this.dir = dir;
    this.stderr = '';
    this.proc = spawn(process.execPath, [bin, 'memfs', ...args, dir, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (b) => { this.stderr += b; });
    this.exited = new Promise((r) => this.proc.on('exit', (code) => r(code)));
    this.mounted = new Promise((resolve, reject) => {
      let out = '';
      this.proc.stdout.on('data', (b) => {
        out += b;
        if (out.includes('mounted')) resolve();
      });
      this.exited.then((c) => reject(new Error(`memfs exited (${c}): ${this.stderr}`)));
      setTimeout(() => reject(new Error('memfs: no mount within 20 s')), 20000).unref();
    });
  }

  /** The stats line printed on SIGUSR1 (the registry's figures and process.memoryUsage()). */
  async stats() {
    const lines = () => this.stderr.split('\n').filter((l) => l.startsWith('rxfuse-stats: '));
    const before = lines().length;
    this.proc.kill('SIGUSR1');
    for (let i = 0; i < 200 && lines().length === before; i++) await sleep(50);
    const ls = lines();
    if (ls.length === before) throw new Error('memfs: no stats line');
    return JSON.parse(ls[ls.length - 1].slice('rxfuse-stats: '.length));
  }

  async stop() {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
    await Promise.race([this.exited, sleep(10000)]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    if (fs.readFileSync('/proc/self/mounts', 'utf8').includes(` ${this.dir} `)) {
      execFileSync('fusermount3', ['-u', '-z', this.dir], { stdio: 'ignore' });
    }
  }
}

module.exports = { Daemon, sleep };
