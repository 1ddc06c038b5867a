#!/usr/bin/env node
'use strict';
// The JS cost of one request, without the kernel: benchfs's handlers on a Fuse mounted through its
// public mount(), with the addon's Session replaced by a stub that answers every reply at once.
// The stub is handed what the real Session is handed (the slots ArrayBuffer and the dispatch
// callback), and requests are written into a slot with the layout names of the build
// (dist/lib/layout: SLOT_BYTES, VAR_NAME, REQUEST_FIELDS; op codes from dist/lib/op-table), as
// src-native/decoders.cc writes them.
// Feeds LOOKUP+GETATTR pairs (the stat workload) and READDIR requests and prints ns per request.
//   node bench/dispatch.js [--seconds 2] [--runs 3]
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const { Fuse } = require(path.join(dist, 'lib'));
const { OP_CODE } = require(path.join(dist, 'lib', 'op-table'));
const { SLOT_BYTES, VAR_NAME, REQUEST_FIELDS: F } = require(path.join(dist, 'lib', 'layout'));
const { native } = require(path.join(dist, 'lib', 'native'));
const { BenchFs } = require(path.join(dist, 'examples', 'benchfs'));

const SLOT_F64 = SLOT_BYTES / Float64Array.BYTES_PER_ELEMENT;
const ROOT_INO = 1;                    // FUSE_ROOT_ID
const FILES_DIR = Buffer.from('files'); // benchfs: /files holds f00000 .. f09999 (shared/bench spec 1)
const FILE_COUNT = 10000;
const READDIR_SIZE = 4096;             // the kernel's readdir buffer: one page
const DIRENT_BYTES = 32;               // struct fuse_dirent (24) + a 6-byte name padded to 8
const DIRENTS_PER_REPLY = READDIR_SIZE / DIRENT_BYTES;
const REQUESTS_PER_CLOCK_READ = 1000;
const { lookup: LOOKUP, getattr: GETATTR, readdir: READDIR } = OP_CODE;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? NaN : Number(process.argv[i + 1]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** The addon's Session, minus the kernel: mount() succeeds, INIT comes at once, replies return 0. */
function stubSession(captured) {
  return class StubSession {
    constructor(_mountpoint, _args, _implemented, slots, _recv, _scratch, dispatch, onEvent) {
      Object.assign(captured, { slots, dispatch, onEvent });
      const base = {
        mount: () => { queueMicrotask(() => onEvent('init')); return 0; },
        close: () => { onEvent('closed'); return true; },
        conn: () => ({ protoMajor: 7, protoMinor: 31, maxWrite: 0, maxRead: 0, maxReadahead: 0, capable: 0, want: 0, maxBackground: 0, congestionThreshold: 0, timeGran: 1 }),
        loopStats: () => ({ spins: 0, spinHits: 0, spinning: false }),
        replyDirents: (_slot, _records, _positions, start, count) => Math.min(count - start, DIRENTS_PER_REPLY),
      };
      return new Proxy(base, { get: (t, k) => (k in t ? t[k] : () => 0) });
    }
  };
}

/** A mounted benchfs on the stub; resolves to what feeding requests needs. */
async function setup() {
  const addon = native();
  const real = addon.Session;
  const captured = {};
  addon.Session = stubSession(captured);
  const fuse = new Fuse({});
  try {
    new BenchFs(fuse).attach();
    await fuse.mount(path.join(__dirname, 'no-mount-made-here'));
  } finally {
    addon.Session = real;
  }
  const h = new Float64Array(captured.slots);
  const bytes = Buffer.from(captured.slots);
  const slots = captured.slots.byteLength / SLOT_BYTES;
  let gen = 0;
  /** Writes one request's header (and name) into a slot and dispatches it, as decoders.cc does. */
  const feed = (slot, op, ino, name, offset, size) => {
    const b = slot * SLOT_F64;
    h[b + F.OP] = op;
    h[b + F.GEN] = ++gen;
    h[b + F.INO] = ino;
    if (name) {
      h[b + F.NAME_LEN] = name.length;
      name.copy(bytes, slot * SLOT_BYTES + VAR_NAME);
    }
    if (size !== undefined) { h[b + F.OFF] = offset; h[b + F.SIZE] = size; }
    captured.dispatch(slot);
  };
  // The inode numbers come from benchfs's own lookup replies, seen through observe().
  const inos = new Map();
  const seen = fuse.observe({ reply: (req, errno, entry) => { if (errno === 0 && req.op === 'lookup') inos.set(req.nameKey, entry.attr.ino); } });
  const names = [];
  for (let i = 0; i < FILE_COUNT; i++) names.push(Buffer.from(`f${String(i).padStart(5, '0')}`));
  feed(0, LOOKUP, ROOT_INO, FILES_DIR);
  const dir = inos.get(FILES_DIR.toString('latin1'));
  for (const n of names) feed(0, LOOKUP, dir, n);
  seen.unsubscribe();
  const files = names.map((n) => inos.get(n.toString('latin1')));
  if (dir === undefined || files.includes(undefined)) throw new Error('dispatch: benchfs did not answer the set-up lookups');
  return { fuse, feed, slots, dir, names, files };
}

async function run(label, seconds, step) {
  const rig = await setup();
  let i = 0;
  let n = 0;
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const t0 = process.hrtime.bigint();
  let t = t0;
  while (t < end) {
    for (let k = 0; k < REQUESTS_PER_CLOCK_READ; k++) n += step(rig, i++);
    t = process.hrtime.bigint();
  }
  await rig.fuse.unmount();
  const ns = Number(t - t0) / n;
  console.log(`${label.padEnd(10)} ${ns.toFixed(0).padStart(6)} ns/request  (${n} requests)`);
  return ns;
}

function stat({ feed, slots, dir, names, files }, i) {
  const k = i % FILE_COUNT;
  feed(i % slots, LOOKUP, dir, names[k]);
  feed(i % slots, GETATTR, files[k]);
  return 2;
}

function readdir({ feed, slots, dir }, i) {
  feed(i % slots, READDIR, dir, undefined, (i * DIRENTS_PER_REPLY) % FILE_COUNT, READDIR_SIZE);
  return 1;
}

(async () => {
  const seconds = arg('--seconds', 2);
  const runs = arg('--runs', 3);
  for (let r = 0; r < runs; r++) {
    await run('stat', seconds, stat);
    await run('readdir', seconds, readdir);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
