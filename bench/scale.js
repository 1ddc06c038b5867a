#!/usr/bin/env node
'use strict';
// npm run bench:scale — the project's own scale benchmark:
//   1. lookup-count registry memory per known inode, with 1,000,000 inodes known to the kernel
//      (one readdirplus listing of a directory of 1,000,000 files: each entry is a lookup);
//   2. the cost per entry of stat and of readdir in a directory of 100,000 entries against 10,000.
// Client calls run in a python3 child process; run as root.
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Fuse, FuseError, Dirents } = require('../dist/lib');

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const DIRS = [['d10k', 10000], ['d100k', 100000], ['d1m', 1000000]];

function py(code, args) {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', code, ...args], { maxBuffer: 1 << 20, timeout: 600000 }, (e, out, err) => (e ? reject(new Error(`${e.message}\n${err}`)) : resolve(out.trim())));
  });
}

async function main() {
  const fuse = new Fuse({ conn: { capabilities: { readdirplus: true, readdirplusAuto: false } } });
  const t = { sec: 1, nsec: 0 };
  const dirAttr = (ino) => ({ ino, mode: S_IFDIR | 0o755, nlink: 2, atime: t, mtime: t, ctime: t });
  const fileAttr = (ino) => ({ ino, mode: S_IFREG | 0o644, nlink: 1, size: 0, atime: t, mtime: t, ctime: t });
  const dirs = new Map();  // ino -> { names: Map(nameKey -> ino), listing }
  const rootNames = new Map();
  let next = 100;
  const t0 = process.hrtime.bigint();
  for (const [name, n] of DIRS) {
    const ino = next++;
    rootNames.set(name, ino);
    const names = new Map();
    const listing = new Dirents(n);
    const base = next;
    next += n;
    for (let i = 0; i < n; i++) {
      const f = `f${String(i).padStart(7, '0')}`;
      names.set(f, base + i);
      listing.addEntry(f, { attr: fileAttr(base + i), attrTimeout: 600, entryTimeout: 600 });
    }
    dirs.set(ino, { names, listing, base, n });
  }
  const build = Number(process.hrtime.bigint() - t0) / 1e6;
  const zero = { attrTimeout: 0, entryTimeout: 0 };
  fuse.handleAll({
    lookup: (req) => {
      const names = req.parent === 1 ? rootNames : dirs.get(req.parent)?.names;
      const ino = names?.get(req.nameKey);
      if (ino === undefined) throw new FuseError('ENOENT');
      return { attr: dirs.has(ino) ? dirAttr(ino) : fileAttr(ino), ...zero };
    },
    getattr: (req) => ({ attr: req.ino === 1 || dirs.has(req.ino) ? dirAttr(req.ino) : fileAttr(req.ino), timeout: 0 }),
    readdirplus: (req) => {
      const d = dirs.get(req.ino);
      if (!d) {
        const l = new Dirents();
        for (const [n, ino] of rootNames) l.addEntry(n, { attr: dirAttr(ino), ...zero });
        return l;
      }
      return d.listing;
    },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-scale-'));
  await fuse.mount(dir);
  const result = { node: process.version, listingBuildMs: Math.round(build) };
  try {
    // 2. stat and readdir cost per entry, 10k against 100k (stat: 10,000 names of each directory,
    //    every stat a LOOKUP + GETATTR with zero timeouts; readdir: the whole listing, per entry).
    const code = `
import os, sys, time, random
d = sys.argv[1]; n = int(sys.argv[2])
random.seed(1)
names = ['f%07d' % random.randrange(n) for _ in range(10000)]
for x in names[:1000]: os.stat(os.path.join(d, x))
t = time.perf_counter()
for x in names: os.stat(os.path.join(d, x))
st = (time.perf_counter() - t) / len(names)
best = 1e9
for _ in range(3):
    t = time.perf_counter(); k = 0
    with os.scandir(d) as it:
        for e in it: k += 1
    best = min(best, (time.perf_counter() - t) / k)
print(st * 1e6, best * 1e6, k)`;
    for (const [name, n] of DIRS.slice(0, 2)) {
      const [statUs, readdirUs, count] = (await py(code, [path.join(dir, name), String(n)])).split(' ').map(Number);
      result[name] = { entries: count, statMicros: +statUs.toFixed(2), readdirMicrosPerEntry: +readdirUs.toFixed(3) };
    }
    // 1. registry memory with 1,000,000 inodes known to the kernel: one listing of d1m with
    //    readdirplus makes every entry a lookup the kernel holds (entry timeout 600 s).
    global.gc?.();
    const heapBefore = process.memoryUsage();
    await py(`import os,sys\nk=0\nwith os.scandir(sys.argv[1]) as it:\n    for e in it: k+=1\nprint(k)`, [path.join(dir, 'd1m')]);
    const s = fuse.stats();
    global.gc?.();
    const heapAfter = process.memoryUsage();
    result.registry = {
      knownInodes: s.knownInodes,
      lookups: s.lookups,
      tableBytes: s.tableBytes,
      bytesPerKnownInode: +(s.tableBytes / s.knownInodes).toFixed(1),
      processMemoryDeltaBytesPerInode: +(((heapAfter.rss - heapBefore.rss) / s.knownInodes)).toFixed(1),
    };
  } finally {
    await fuse.unmount();
    fs.rmdirSync(dir);
  }
  const r10 = result.d10k;
  const r100 = result.d100k;
  result.ratio100kTo10k = {
    stat: +(r100.statMicros / r10.statMicros).toFixed(2),
    readdir: +(r100.readdirMicrosPerEntry / r10.readdirMicrosPerEntry).toFixed(2),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(`scale: ${e.stack ?? e}\n`);
  process.exit(1);
});
