#!/usr/bin/env node
'use strict';
// npm run bench:memfs-memory [-- options] — memfs's memory per inode and per stored byte, and what it
// hands back after deletion, side by side with a kernel tmpfs doing the same workload. A memory
// benchmark, not a timed one. Run as root (mounts, drop_caches).
//
//   --files N       files of 4 KiB to create (default 200000)
//   --size BYTES    bytes per file (default 4096)
//   --bin PATH      an rxfuse.js to measure (repeatable, e.g. an old build next to this one;
//                   default this checkout's bin/rxfuse.js)
//   --no-tmpfs      skip the tmpfs reference
//
// memfs runs in a child (the CLI with --stats): its RSS and peak (VmRSS, VmHWM from
// /proc/<pid>/status) and the JS heap (process.memoryUsage() in the SIGUSR1 stats line) are read
// after mounting, after creating the files, and after deleting them all, once the kernel has
// forgotten the inodes (echo 2 > drop_caches) and memfs has freed them (pendingRemovals 0).
// tmpfs's cost is the growth of Shmem and of its slab caches (shmem_inode_cache, dentry, xarray
// nodes) over the same workload.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Daemon, sleep } = require('./memfs-daemon');

const CLIENT = `
import os, sys
op, d, n, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
buf = b'x' * size
if op == 'create':
    os.mkdir(d)
    for i in range(n):
        fd = os.open('%s/f%d' % (d, i), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, buf)
        os.close(fd)
else:
    for i in range(n):
        os.unlink('%s/f%d' % (d, i))
    os.rmdir(d)
`;

function parse(argv) {
  const o = { files: 200000, size: 4096, bins: [], tmpfs: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--files') o.files = Number(argv[++i]);
    else if (a === '--size') o.size = Number(argv[++i]);
    else if (a === '--bin') o.bins.push(path.resolve(argv[++i]));
    else if (a === '--no-tmpfs') o.tmpfs = false;
    else throw new Error(`memfs-memory: unknown argument ${a}`);
  }
  if (!Number.isInteger(o.files) || o.files <= 0) throw new Error('memfs-memory: --files wants a positive integer');
  if (!Number.isInteger(o.size) || o.size < 0) throw new Error('memfs-memory: --size wants an integer >= 0');
  if (o.bins.length === 0) o.bins.push(path.join(__dirname, '..', 'bin', 'rxfuse.js'));
  return o;
}

function client(op, dir, o) {
  execFileSync('python3', ['-c', CLIENT, op, dir, String(o.files), String(o.size)], { stdio: 'inherit', timeout: 3600e3 });
}

function dropCaches() {
  execFileSync('sync');
  fs.writeFileSync('/proc/sys/vm/drop_caches', '2');
}

/** VmRSS and VmHWM of a process, in bytes. */
function status(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)[1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

function meminfo() {
  const s = fs.readFileSync('/proc/meminfo', 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)[1]) * 1024;
  return { shmem: kb('Shmem'), slab: kb('Slab') };
}

/** Bytes held by the slab caches tmpfs's inodes, names and page index live in. */
function slabs() {
  const want = ['shmem_inode_cache', 'dentry', 'radix_tree_node', 'xarray_node', 'fuse_inode'];
  const out = {};
  for (const l of fs.readFileSync('/proc/slabinfo', 'utf8').split('\n')) {
    const f = l.split(/\s+/);
    if (want.includes(f[0])) out[f[0]] = Number(f[1]) * Number(f[3]);  // active objects * object size
  }
  return out;
}

/** RSS and peak of the memfs child, its JS heap and its registry's figures. */
async function sample(d) {
  const st = await d.stats();
  return { ...status(d.proc.pid), heap: st.memory?.heapUsed, external: st.memory?.external, stats: st };
}

async function measureMemfs(bin, o) {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'memfs-memory-'));
  const d = new Daemon(bin, mnt, [], ['--stats']);
  try {
    await d.mounted;
    await sleep(500);
    const base = await sample(d);
    client('create', path.join(mnt, 'd'), o);
    const full = await sample(d);
    client('delete', path.join(mnt, 'd'), o);
    dropCaches();
    for (let i = 0; i < 600; i++) {
      const st = await d.stats();
      if (st.pendingRemovals === 0) break;
      dropCaches();
      await sleep(100);
    }
    const deleted = await sample(d);
    // V8 gives memory back after a GC; this is what the process holds 10 s later.
    await sleep(10000);
    const later = await sample(d);
    return { base, full, deleted, later };
  } finally {
    await d.stop();
    fs.rmSync(mnt, { recursive: true, force: true });
  }
}

function measureTmpfs(o) {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'tmpfs-memory-'));
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
  try {
    dropCaches();
    const m0 = meminfo();
    const s0 = slabs();
    client('create', path.join(mnt, 'd'), o);
    const m1 = meminfo();
    const s1 = slabs();
    client('delete', path.join(mnt, 'd'), o);
    dropCaches();
    const m2 = meminfo();
    const sum = (s) => (s.shmem_inode_cache ?? 0) + (s.dentry ?? 0) + (s.radix_tree_node ?? 0) + (s.xarray_node ?? 0);
    return {
      full: m1.shmem - m0.shmem + sum(s1) - sum(s0),
      shmem: m1.shmem - m0.shmem,
      slabs: Object.fromEntries(Object.keys(s1).map((k) => [k, s1[k] - (s0[k] ?? 0)])),
      after: m2.shmem - m0.shmem + (m2.slab - m0.slab),
    };
  } finally {
    execFileSync('umount', [mnt]);
    fs.rmdirSync(mnt);
  }
}

const MB = (b) => (b === undefined ? 'n/a' : `${(b / 2 ** 20).toFixed(1)} MB`);

function report(label, grown, o) {
  const stored = o.files * o.size;
  const perInode = (grown - stored) / o.files;
  return `${label}: ${MB(grown)} for ${o.files} files (${MB(stored)} stored): ` +
    `${Math.round(perInode)} bytes per inode beyond the data, ${(grown / stored).toFixed(2)} bytes per stored byte`;
}

async function main() {
  const o = parse(process.argv.slice(2));
  if (process.getuid() !== 0) throw new Error('memfs-memory: run as root');
  process.stdout.write(`memfs memory: ${o.files} files of ${o.size} bytes\n`);
  for (const bin of o.bins) {
    const r = await measureMemfs(bin, o);
    const grown = r.full.rss - r.base.rss;
    process.stdout.write(`\n${bin}\n`);
    process.stdout.write(`  mounted:   RSS ${MB(r.base.rss)}, heap ${MB(r.base.heap)}\n`);
    process.stdout.write(`  created:   RSS ${MB(r.full.rss)} (peak ${MB(r.full.hwm)}), heap ${MB(r.full.heap)}, external ${MB(r.full.external)}\n`);
    process.stdout.write(`  deleted:   RSS ${MB(r.deleted.rss)}, heap ${MB(r.deleted.heap)}, external ${MB(r.deleted.external)}, ` +
      `pendingRemovals ${r.deleted.stats.pendingRemovals}, knownInodes ${r.deleted.stats.knownInodes}\n`);
    process.stdout.write(`  10 s on:   RSS ${MB(r.later.rss)} (peak ${MB(r.later.hwm)}), heap ${MB(r.later.heap)}, external ${MB(r.later.external)}\n`);
    process.stdout.write(`  ${report('memfs', grown, o)}; ${MB(r.later.rss - r.base.rss)} kept after deletion\n`);
  }
  if (o.tmpfs) {
    const t = measureTmpfs(o);
    process.stdout.write(`\ntmpfs (Shmem ${MB(t.shmem)}; slabs ${Object.entries(t.slabs).map(([k, v]) => `${k} ${MB(v)}`).join(', ')})\n`);
    process.stdout.write(`  ${report('tmpfs', t.full, o)}; ${MB(t.after)} kept after deletion (Shmem + Slab, machine-wide)\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
