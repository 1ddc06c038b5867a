#!/usr/bin/env node
'use strict';
// The JS cost of one request, without the kernel: benchfs's handlers behind a Fuse whose native
// session is a stub (replies return 0 at once). Feeds LOOKUP+GETATTR pairs (the stat workload) and
// READDIR requests through the real dispatch and prints nanoseconds per request.
//   node bench/dispatch.js [--seconds 2]
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const { Fuse } = require(path.join(dist, 'lib'));
const { OP_CODE } = require(path.join(dist, 'lib', 'ops'));
const { BenchFs } = require(path.join(dist, 'examples', 'benchfs'));

const F = { OP: 0, GEN: 1, SEQ: 2, INO: 7, FH: 8, OFF: 10, SIZE: 11, NAME_LEN: 20 };
const SLOT_F64 = 1024;
const VAR_NAME = 512;

function stubNative() {
  const ok = () => 0;
  return new Proxy({ replyDirents: (_s, _r, _p, start, count) => count - start > 0 ? Math.min(count - start, 100) : 0 }, {
    get: (t, k) => (k in t ? t[k] : ok),
  });
}

function setup() {
  const fuse = new Fuse({});
  const fs = new BenchFs(fuse);
  fs.attach();
  fuse.native = stubNative();
  return fuse;
}

function run(name, seconds, step) {
  const fuse = setup();
  const dispatch = fuse.dispatch;
  const h = fuse.h;
  let gen = 1;
  let n = 0;
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const t0 = process.hrtime.bigint();
  let t = t0;
  while (t < end) {
    for (let i = 0; i < 1000; i++) n += step(fuse, dispatch, h, (gen++) % 128, gen);
    t = process.hrtime.bigint();
  }
  const ns = Number(t - t0) / n;
  console.log(`${name.padEnd(10)} ${ns.toFixed(0).padStart(6)} ns/request  (${n} requests)`);
  return ns;
}

const LOOKUP = OP_CODE.lookup;
const GETATTR = OP_CODE.getattr;
const READDIR = OP_CODE.readdir;
const names = [];
for (let i = 0; i < 10000; i++) names.push(Buffer.from(`f${String(i).padStart(5, '0')}`));

function stat(fuse, dispatch, h, slot, gen) {
  const b = slot * SLOT_F64;
  const k = gen % 10000;
  h[b + F.OP] = LOOKUP; h[b + F.GEN] = gen; h[b + F.INO] = 2; h[b + F.NAME_LEN] = 6;
  names[k].copy(fuse.bytes, slot * 8192 + VAR_NAME);
  dispatch(slot);
  h[b + F.OP] = GETATTR; h[b + F.GEN] = gen + 0.5; h[b + F.INO] = 6 + k;
  dispatch(slot);
  return 2;
}

function readdir(fuse, dispatch, h, slot, gen) {
  const b = slot * SLOT_F64;
  h[b + F.OP] = READDIR; h[b + F.GEN] = gen; h[b + F.INO] = 2; h[b + F.OFF] = (gen * 100) % 10000; h[b + F.SIZE] = 4096;
  dispatch(slot);
  return 1;
}

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 2;
for (let r = 0; r < 3; r++) {
  run('stat', seconds, stat);
  run('readdir', seconds, readdir);
}
