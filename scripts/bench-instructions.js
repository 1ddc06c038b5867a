#!/usr/bin/env node
'use strict';
// npm run bench:instructions [-- options] [impls]: user-space instructions per request unit, counted
// by valgrind's callgrind, for C libfuse (c-poll) and the ablation ladder's steps (docs/performance.md,
// "Instructions per request"). Instruction counts do not depend on what else the machine runs, so this
// is the ladder's measurement that a noisy or shared machine can still take (the timed ladder,
// `npm run bench:ladder`, needs a quiet one). Kernel work is not counted: it is the same at every step.
//
// For each implementation: benchfs mounted under callgrind with instrumentation off, one warm-up run
// of the workload (JIT compilation and first allocations happen there), then instrumentation on for
// two runs of it, off, unmount. The figure is the main thread's count (the total of all threads is
// printed beside it). Busy-polling is off everywhere (RXFUSE_BUSY_POLL=0, C's -p loop):
// a spin's instruction count depends on timing.
//   npm run bench:instructions                         # create: c-poll and rxfuse-l1 .. rxfuse-l6
//   npm run bench:instructions -- -w stat -n 2 c-poll rxfuse-l6
//   npm run bench:instructions -- --base ../old-rxfuse rxfuse-l6   # also rxfuse-l6 of another checkout (built)
//   npm run bench:instructions -- --keep /tmp/cg rxfuse-l4   # keeps the callgrind files (callgrind_annotate)
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { root, run, prepareHarness } = require('./bench-harness');

const USAGE = 'usage: bench-instructions [-w create|stat|readdir] [-n REPS] [--base DIR] [--keep DIR] [c-poll] [rxfuse-l1 .. rxfuse-l6]';
const args = process.argv.slice(2);
let workload = 'create';
let reps = 1;
let base;
let keep;
const chosen = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-w') workload = args[++i];
  else if (a === '-n') reps = Number(args[++i]);
  else if (a === '--base') base = path.resolve(args[++i]);
  else if (a === '--keep') keep = path.resolve(args[++i]);
  else if (a === 'c-poll' || /^rxfuse-l[1-6]$/.test(a)) chosen.push(a);
  else {
    process.stderr.write(`bench-instructions: unknown argument ${a}\n${USAGE}\n`);
    process.exit(2);
  }
}
if (!['create', 'stat', 'readdir'].includes(workload) || !(Number.isInteger(reps) && reps >= 1)) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
if (base !== undefined && !fs.existsSync(path.join(base, 'bin', 'rxfuse.js'))) {
  process.stderr.write(`bench-instructions: --base ${base} is not an rxfuse checkout\n`);
  process.exit(2);
}
if (spawnSync('valgrind', ['--version']).status !== 0) {
  process.stderr.write('bench-instructions: needs valgrind (apt-get install valgrind)\n');
  process.exit(1);
}

const IMPLS = chosen.length > 0 ? chosen : ['c-poll', 'rxfuse-l1', 'rxfuse-l2', 'rxfuse-l3', 'rxfuse-l4', 'rxfuse-l5', 'rxfuse-l6'];
const work = prepareHarness();
for (const s of [path.join(work, 'c', 'setup.sh'), path.join(work, 'driver', 'build.sh')]) {
  if (run(s, []) !== 0) process.exit(1);
}
const driver = path.join(work, 'driver', 'benchdrv');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mounted = (mnt) => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === mnt);

/** The workload once on mnt: its JSON line (count = units done). */
function drive(mnt) {
  const r = spawnSync(driver, [mnt, workload], { encoding: 'utf8', timeout: 600000 });
  const line = (r.stdout || '').trim().split('\n').pop() || '';
  let j;
  try {
    j = JSON.parse(line);
  } catch {
    throw new Error(`benchdrv ${workload}: no result (${r.stderr || r.error})`);
  }
  if (!j.ok) throw new Error(`benchdrv ${workload}: failed checks: ${line}`);
  return j;
}

/** One implementation under callgrind: instructions and units of two workload runs. */
async function measure(impl, project, label) {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-instr-'));
  const out = path.join(mnt + '.callgrind');
  const cmd = impl === 'c-poll'
    ? [path.join(work, 'c', 'benchfs'), '-p', mnt]
    : [process.execPath, path.join(project, 'bin', 'rxfuse.js'), 'benchfs', mnt];
  const env = { ...process.env, RXFUSE_BUSY_POLL: '0' };
  if (impl !== 'c-poll') env.RXFUSE_LADDER = impl.slice('rxfuse-l'.length);
  const vg = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${out}`, ...cmd],
    { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  vg.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => vg.once('exit', r));
  try {
    for (let i = 0; i < 1200 && !mounted(mnt); i++) await sleep(250);
    if (!mounted(mnt)) throw new Error(`${impl}: not mounted within 300 s\n${log}`);
    drive(mnt);  // warm-up
    const control = (on) => spawnSync('callgrind_control', ['-i', on ? 'on' : 'off', String(vg.pid)], { encoding: 'utf8' });
    if (control(true).status !== 0) throw new Error('callgrind_control failed');
    const units = drive(mnt).count + drive(mnt).count;
    control(false);
    vg.kill('SIGINT');
    await Promise.race([exited, sleep(120000)]);
    const m = /Collected : (\d+)/.exec(log);
    if (!m) throw new Error(`${impl}: no callgrind total\n${log}`);
    // One file per thread (out-01 is the main thread): the main thread's count leaves out V8's
    // background compiler and GC helpers, whose share depends on timing (8 % on top of it in a stat
    // run, up to 65 % in a create run while TurboFan still compiles).
    const main = `${out}-01`;
    const totals = fs.existsSync(main) ? [...fs.readFileSync(main, 'utf8').matchAll(/^totals: (\d+)/gm)] : [];
    if (totals.length === 0) throw new Error(`${impl}: no main-thread callgrind total`);
    return { instructions: totals.reduce((n, t) => n + Number(t[1]), 0), all: Number(m[1]), units };
  } finally {
    if (vg.exitCode === null) vg.kill('SIGKILL');
    if (mounted(mnt)) spawnSync('umount', ['-l', mnt]);
    // callgrind's files, one per thread: out-01 (main), out-02, ...
    const files = fs.readdirSync(path.dirname(out)).filter((f) => f.startsWith(`${path.basename(out)}-`));
    for (const f of files) {
      const from = path.join(path.dirname(out), f);
      if (keep !== undefined) {
        fs.mkdirSync(keep, { recursive: true });
        fs.renameSync(from, path.join(keep, `${label.replace(/[^\w-]+/g, '_')}.${workload}.callgrind${f.slice(path.basename(out).length)}`));
      }
      fs.rmSync(from, { force: true });
    }
    fs.rmSync(out, { force: true });  // the empty file callgrind makes before it separates the threads
    fs.rmSync(mnt, { recursive: true, force: true });
  }
}

(async () => {
  const runs = [];
  for (const impl of IMPLS) {
    runs.push({ label: impl, impl, project: root });
    if (base !== undefined && impl !== 'c-poll') runs.push({ label: `${impl} (base)`, impl, project: base });
  }
  const results = new Map(runs.map((r) => [r.label, []]));
  for (let rep = 1; rep <= reps; rep++) {
    for (const r of runs) {
      const m = await measure(r.impl, r.project, `${r.label}.${rep}`);
      results.get(r.label).push(m.instructions / m.units);
      process.stderr.write(`${r.label} rep ${rep}: ${m.instructions} instructions on the main thread (${m.all} in all threads), ${m.units} units\n`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ref = results.has('c-poll') ? median(results.get('c-poll')) : undefined;
  const unit = { create: 'file (create, write 4 KiB, close, unlink)', stat: 'stat', readdir: 'entry' }[workload];
  console.log(`\nUser-space instructions of the main thread per ${unit}, ${workload} workload, median of ${reps}:\n`);
  console.log(`| implementation | instructions | ×c-poll |\n|---|---|---|`);
  for (const [label, xs] of results) {
    const v = median(xs);
    console.log(`| ${label} | ${Math.round(v).toLocaleString('en-US')} | ${ref ? (v / ref).toFixed(2) : '–'} |`);
  }
})().catch((e) => {
  process.stderr.write(`bench-instructions: ${e.stack || e}\n`);
  process.exit(1);
});
