#!/usr/bin/env node
'use strict';
// npm run bench:passthrough: sequential read and write MB/s (dd, 1 MiB and 4 KiB blocks) of one file
// through the passthrough example with kernel passthrough, without it (--no-passthrough), with it and
// no xattrs (--xattrs off: no GETXATTR round trip per write), and on the source directory (a tmpfs)
// directly. 3 interleaved repetitions, medians. As root (passthrough needs
// CAP_SYS_ADMIN; the tmpfs source is mounted here). RXFUSE_BENCH_MIB sets the file size (default 1024).
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const CLI = path.join(root, 'bin', 'rxfuse.js');
const MIB = Number(process.env.RXFUSE_BENCH_MIB || 1024);
const REPS = 3;
const BLOCKS = [['1M', 1 << 20], ['4K', 4096]];

function must(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

/** MB/s of one dd run (decimal MB, as dd prints). */
function dd(args, bytes) {
  const t = process.hrtime.bigint();
  must('dd', [...args, 'status=none']);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  return bytes / 1e6 / s;
}

/** The passthrough example serving `src` on a new mountpoint, in a child process. */
async function serve(src, extra) {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-bench-pt-'));
  const child = spawn(process.execPath, [CLI, 'passthrough', src, mnt, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  const end = Date.now() + 15000;
  while (!out.includes('mounted ')) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`passthrough ${extra.join(' ')} did not mount`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { dir: mnt, child };
}

async function stop(s) {
  if (s.child.exitCode === null) {
    s.child.kill('SIGTERM');
    await new Promise((r) => { s.child.once('exit', r); setTimeout(r, 5000); });
  }
  spawnSync('fusermount3', ['-u', '-z', s.dir], { stdio: 'ignore' });
  fs.rmSync(s.dir, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-bench-src-'));
  must('mount', ['-t', 'tmpfs', '-o', `size=${MIB * 3 + 64}m`, 'rxfuse-bench', src]);
  const servers = [];
  try {
    must('dd', ['if=/dev/urandom', `of=${path.join(src, 'data')}`, 'bs=1M', `count=${MIB}`, 'status=none']);
    const on = await serve(src, []);
    servers.push(on);
    const off = await serve(src, ['--no-passthrough']);
    servers.push(off);
    const bare = await serve(src, ['--xattrs', 'off']);
    servers.push(bare);
    const targets = [['passthrough', on.dir], ['no passthrough', off.dir], ['passthrough, --xattrs off', bare.dir], ['source directly', src]];
    const bytes = MIB << 20;
    const results = new Map();
    const add = (k, v) => results.set(k, [...(results.get(k) ?? []), v]);
    for (let rep = 0; rep < REPS; rep++) {
      for (const [bs, n] of BLOCKS) {
        for (const [name, dir] of targets) {
          add(`${name}|read|${bs}`, dd([`if=${path.join(dir, 'data')}`, 'of=/dev/null', `bs=${bs}`], bytes));
          const out = path.join(dir, 'w');
          add(`${name}|write|${bs}`, dd(['if=/dev/zero', `of=${out}`, `bs=${bs}`, `count=${bytes / n}`, 'conv=fsync'], bytes));
          fs.rmSync(out, { force: true });  // through the mount that wrote it (served by a child process)
        }
      }
    }
    const head = ['', ...targets.map(([t]) => t), 'passthrough / direct', '--xattrs off / direct'];
    const rows = [];
    for (const op of ['read', 'write']) {
      for (const [bs] of BLOCKS) {
        const m = targets.map(([t]) => median(results.get(`${t}|${op}|${bs}`)));
        rows.push([`${op} ${bs}`, ...m.map((v) => v.toFixed(0)), (m[0] / m[3]).toFixed(2), (m[2] / m[3]).toFixed(2)]);
      }
    }
    process.stdout.write(`sequential MB/s, ${MIB} MiB file on tmpfs, median of ${REPS} interleaved runs\n`);
    for (const r of [head, ...rows]) process.stdout.write(`| ${r.join(' | ')} |\n`);
  } finally {
    for (const s of servers) await stop(s);
    spawnSync('umount', [src], { stdio: 'ignore' });
    fs.rmSync(src, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:passthrough: ${e.stack || e}\n`);
  process.exit(1);
});
