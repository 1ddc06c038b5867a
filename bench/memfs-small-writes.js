#!/usr/bin/env node
'use strict';
// npm run bench:small-writes [-- options] — small writes on memfs with the kernel's writeback cache
// off and on, against a kernel tmpfs, in one run: 4-byte appends (O_APPEND) and 4 KiB writes at
// random page offsets of a file, then fsync and close (counted: under writeback that is when the
// data reaches memfs). A timed benchmark: run it on a quiet machine, as root (tmpfs mounts).
//
//   --appends N   4-byte appends (default 100000)
//   --writes N    4 KiB random writes (default 20000)
//   --file BYTES  size of the file the random writes go to (default 64 MiB)
//   --rounds N    runs of each, the best kept (default 3)
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Daemon } = require('./memfs-daemon');

// Prints the seconds each workload took, as JSON: {"appends": s, "writes": s}.
const CLIENT = `
import os, sys, json, random, time
d, appends, writes, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
res = {}
p = os.path.join(d, 'appends')
t = time.perf_counter()
fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
for i in range(appends):
    os.write(fd, b'abcd')
os.fsync(fd); os.close(fd)
res['appends'] = time.perf_counter() - t
assert os.stat(p).st_size == 4 * appends
os.unlink(p)
p = os.path.join(d, 'random')
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, size)
rnd = random.Random(1)
buf = b'w' * 4096
pages = size // 4096
t = time.perf_counter()
for i in range(writes):
    os.pwrite(fd, buf, rnd.randrange(pages) * 4096)
os.fsync(fd); os.close(fd)
res['writes'] = time.perf_counter() - t
os.unlink(p)
print(json.dumps(res))
`;

function parse(argv) {
  const o = { appends: 100000, writes: 20000, file: 64 * 2 ** 20, rounds: 3 };
  const keys = { '--appends': 'appends', '--writes': 'writes', '--file': 'file', '--rounds': 'rounds' };
  for (let i = 0; i < argv.length; i++) {
    const k = keys[argv[i]];
    if (!k) throw new Error(`memfs-small-writes: unknown argument ${argv[i]} (takes ${Object.keys(keys).join(', ')})`);
    const v = Number(argv[++i]);
    if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`memfs-small-writes: ${argv[i - 1]} wants a positive integer, got ${argv[i]}`);
    o[k] = v;
  }
  if (o.file < 4096) throw new Error('memfs-small-writes: --file wants 4096 bytes or more');
  return o;
}

function client(dir, o) {
  const out = execFileSync('python3', ['-c', CLIENT, dir, String(o.appends), String(o.writes), String(o.file)], { timeout: 3600e3 });
  return JSON.parse(out.toString());
}

function best(dir, o) {
  const runs = Array.from({ length: o.rounds }, () => client(dir, o));
  return { appends: Math.min(...runs.map((r) => r.appends)), writes: Math.min(...runs.map((r) => r.writes)) };
}

function onTmpfs(o) {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'small-writes-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
  try {
    return best(mnt, o);
  } finally {
    execFileSync('umount', [mnt]);
    fs.rmdirSync(mnt);
  }
}

async function onMemfs(o, writeback) {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'small-writes-memfs-'));
  const d = new Daemon(path.join(__dirname, '..', 'bin', 'rxfuse.js'), mnt, [`writeback=${writeback ? 'on' : 'off'}`]);
  try {
    await d.mounted;
    return best(mnt, o);
  } finally {
    await d.stop();
    fs.rmSync(mnt, { recursive: true, force: true });
  }
}

function line(name, r, ref) {
  const cell = (k, n) => `${(r[k] * 1e3).toFixed(0).padStart(7)} ms ${(n / r[k] / 1e3).toFixed(1).padStart(7)} k/s ${(r[k] / ref[k]).toFixed(1).padStart(6)}x`;
  return `${name.padEnd(14)} ${cell('appends', ref.n.appends)}   ${cell('writes', ref.n.writes)}\n`;
}

async function main() {
  const o = parse(process.argv.slice(2));
  if (process.getuid() !== 0) throw new Error('memfs-small-writes: run as root (tmpfs mounts)');
  const tmpfs = onTmpfs(o);
  const off = await onMemfs(o, false);
  const on = await onMemfs(o, true);
  const ref = { ...tmpfs, n: { appends: o.appends, writes: o.writes } };
  process.stdout.write(`small writes, best of ${o.rounds}: ${o.appends} 4-byte appends, ${o.writes} 4 KiB random writes ` +
    `in ${o.file} bytes (each with its fsync and close); x: time against tmpfs\n`);
  process.stdout.write(`${''.padEnd(14)} ${'appends'.padEnd(33)}   writes\n`);
  process.stdout.write(line('tmpfs', tmpfs, ref));
  process.stdout.write(line('memfs', off, ref));
  process.stdout.write(line('memfs wb', on, ref));
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
