#!/usr/bin/env node
'use strict';
// npm run bench:ladder [-- compare.sh options]: the ablation ladder (docs/performance.md, "The ablation
// ladder"). Copies shared/bench to bench/.work with the step folders of bench/ladder (rxfuse-l1 ..
// rxfuse-l6: RXFUSE_LADDER=1..6), then, as root on a quiet machine:
//   1. compare.sh -n 3 -w stat -w create -w readdir c-spin rxfuse-l1 ... rxfuse-l6 (interleaved);
//   2. per step and workload, one more run under perf stat (the filesystem process), with its CPU;
//   3. perf record -g of the costliest step (most CPU per created file), node --perf-basic-prof;
//   4. per step, a create run with node --trace-deopt --trace-gc: deopts, scavenges, mark-compacts
//      (minus those of a mount that served nothing);
// and prints a Markdown table for docs/performance.md (also results/ladder-*/ladder.md).
//   npm run bench:ladder -- -n 1                      # one repetition in step 1
//   npm run bench:ladder -- -n 1 -r 1 c-spin rxfuse-l3  # only these (a smoke test of the script)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root, run, prepareHarness, copyInto, harnessEnv } = require('./bench-harness');

const ALL_STEPS = [1, 2, 3, 4, 5, 6].map((n) => `rxfuse-l${n}`);
// compare.sh's options pass through; names after them choose the implementations.
const WITH_VALUE = new Set(['-n', '--reps', '-r', '--rounds', '-w', '--pin']);
const options = [];
const chosen = [];
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (WITH_VALUE.has(a)) options.push(a, process.argv[++i]);
  else if (a.startsWith('-')) options.push(a);
  else chosen.push(a);
}
const IMPLS = chosen.length > 0 ? chosen : ['c-spin', ...ALL_STEPS];
const STEPS = IMPLS.filter((i) => ALL_STEPS.includes(i));
const WORKLOADS = ['stat', 'create', 'readdir'];
const ADDS = {
  'c-spin': 'C, libfuse 3.14, 20 µs busy-poll',
  'rxfuse-l1': "rxfuse's receive loop, answered in C",
  'rxfuse-l2': '+ one JS call per request',
  'rxfuse-l3': '+ the reply made from JS through N-API',
  'rxfuse-l4': '+ Request objects and dispatch',
  'rxfuse-l5': '+ the registry',
  'rxfuse-l6': "+ benchfs's handlers (rxfuse today)",
};

const work = prepareHarness();
copyInto(path.join(root, 'bench', 'ladder'), work);
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const out = path.join(work, 'results', `ladder-${stamp}`);
const prof = path.join(out, 'profiles');
fs.mkdirSync(prof, { recursive: true });

// 1. Throughput, interleaved.
const compareArgs = ['-n', '3', ...WORKLOADS.flatMap((w) => ['-w', w]), ...options, '-o', out, ...IMPLS];
if (run(path.join(work, 'compare.sh'), compareArgs, { cwd: work, env: harnessEnv() }) !== 0) process.exit(1);

/** run.sh IMPL with --exec CMD; returns its stderr (also echoed). */
function runExec(impl, cmd, env = {}, keepLog = false) {
  const args = ['--no-setup', ...(keepLog ? ['--keep-log'] : []), '--exec', cmd, impl];
  const r = spawnSync(path.join(work, 'run.sh'), args, { cwd: work, env: harnessEnv(env), stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.error) throw r.error;
  process.stderr.write(r.stderr);
  if (r.status !== 0) process.stderr.write(`bench:ladder: ${impl} (${cmd}) exited ${r.status}\n`);
  return r.stderr;
}

const profile = (base, workload, mode) => `${path.join(work, 'profile.sh')} ${base} ${workload} ${mode}`;

/** The perf stat CSV: event → count, null where the VM has no such counter. */
function perfCounts(file) {
  const counts = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(',');
    if (f.length < 3 || line.startsWith('#')) continue;
    counts[f[2]] = /^[0-9.]+$/.test(f[0]) ? Number(f[0]) : null;
  }
  return counts;
}

/** perf, installed (Debian: linux-perf) if missing and possible; false: CPU only, no counters or profile. */
function ensurePerf() {
  const has = () => !spawnSync('perf', ['--version'], { stdio: 'ignore' }).error;
  if (!has()) run('apt-get', ['install', '-y', 'linux-perf']);
  if (has()) return true;
  process.stderr.write('bench:ladder: no perf (apt-get install linux-perf failed): CPU figures only\n');
  return false;
}
const hasPerf = ensurePerf();

// 2. perf stat and CPU per step and workload.
const costs = {};
for (const impl of IMPLS) {
  for (const w of WORKLOADS) {
    const base = path.join(prof, `${impl}-${w}`);
    runExec(impl, profile(base, w, hasPerf ? 'stat' : 'plain'));
    try {
      const drv = JSON.parse(fs.readFileSync(`${base}.drv.json`, 'utf8'));
      const [ticks, wall, hz] = fs.readFileSync(`${base}.cpu`, 'utf8').trim().split(' ').map(Number);
      const ops = drv.count * (w === 'create' ? 1 : 1 + 1 / drv.rounds);  // stat, readdir: + the warm-up round
      const perf = hasPerf ? perfCounts(`${base}.perf.csv`) : {};
      // task-clock (ms, all threads) is finer than the 10 ms ticks of /proc.
      const cpuS = perf['task-clock'] != null ? perf['task-clock'] / 1000 : ticks / hz;
      (costs[impl] ??= {})[w] = { ok: drv.ok, ops, cpuS, wall, perf };
    } catch (e) {
      process.stderr.write(`bench:ladder: no profile of ${impl} ${w}: ${e.message}\n`);
    }
  }
}

// 3. perf record -g of the step that spends the most CPU per created file.
const perCreate = (impl) => (costs[impl]?.create ? costs[impl].create.cpuS / costs[impl].create.ops : 0);
const costliest = hasPerf ? STEPS.reduce((a, b) => (perCreate(b) > perCreate(a) ? b : a), STEPS[0]) : undefined;
const recBase = path.join(prof, `${costliest}-create-record`);
if (costliest) runExec(costliest, profile(recBase, 'create', 'record'), { RXFUSE_NODE_FLAGS: '--perf-basic-prof' });
const report = (sort) => {
  const r = spawnSync('perf', ['report', '-i', `${recBase}.perf.data`, '--stdio', '--sort', sort, '--no-children', '-g', 'none', '-q', '--percent-limit', '1'], { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').replace(/^\s+|\s+$/gm, '');
};
const byDso = costliest ? report('dso') : '';
if (costliest) {
  fs.writeFileSync(`${recBase}.symbols.txt`, report('dso,sym') + '\n');
  const pid = fs.readFileSync(`${recBase}.cpu`, 'utf8').trim().split(' ')[3];
  fs.rmSync(`/tmp/perf-${pid}.map`, { force: true });  // node's JIT symbols, read by perf report above
}

// 4. Deopts and GCs over a create run, minus those of a mount that served nothing.
function traceCounts(log) {
  const text = fs.readFileSync(log, 'utf8');
  const count = (re) => (text.match(re) ?? []).length;
  return {
    deopts: count(/\[bailout \(kind: deopt|\[deoptimizing \(DEOPT/g),
    scavenges: count(/ms: Scavenge/g),
    markCompacts: count(/ms: Mark-Compact/g),
  };
}
function tracedRun(impl, cmd) {
  const stderr = runExec(impl, cmd, { RXFUSE_NODE_FLAGS: '--trace-deopt --trace-gc' }, true);
  const log = /filesystem log kept: (\S+)/.exec(stderr)?.[1];
  if (!log) return undefined;
  const c = traceCounts(log);
  fs.rmSync(path.dirname(log), { recursive: true, force: true });
  return c;
}
const traces = {};
for (const impl of STEPS) {
  const idle = tracedRun(impl, 'true');
  const busy = tracedRun(impl, profile(path.join(prof, `${impl}-create-trace`), 'create', 'plain'));
  if (idle && busy) traces[impl] = Object.fromEntries(Object.keys(busy).map((k) => [k, busy[k] - idle[k]]));
}

// The tables.
const raw = fs.readFileSync(path.join(out, 'raw.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const runsOf = (impl, w) => raw.filter((r) => r.impl === impl && r.workload === w && r.ok);
const rate = (impl, w) => median(runsOf(impl, w).map((r) => r.value));
const busy = (impl, w) => median(runsOf(impl, w).map((r) => r.fs_cpu_s / r.drv_wall_s));
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '–');
const ratio = (impl, w) => fmt(rate(impl, w) / rate('c-spin', w), 2);
const perOp = (impl, w, ev, scale = 1) => {
  const c = costs[impl]?.[w];
  const v = c?.perf[ev];
  return c && v != null ? (v / c.ops) * scale : NaN;
};
const cpuUs = (impl, w, scale = 1) => (costs[impl]?.[w] ? (costs[impl][w].cpuS / costs[impl][w].ops) * 1e6 * scale : NaN);
const hw = IMPLS.some((i) => perOp(i, 'create', 'cycles') > 0);

const lines = [];
const p = (s = '') => lines.push(s);
p(`Ablation ladder, ${new Date().toISOString().slice(0, 10)}: compare.sh ${(options.includes('-n') || options.includes('--reps') ? options : ['-n', '3', ...options]).join(' ')}, medians, ratio to c-spin; filesystem CPU in cores busy (fs CPU / driver wall time). Raw data: ${path.relative(root, out)}.`);
p();
p('| step | what it adds | stat/s | ×c-spin | create/s | ×c-spin | readdir entries/s | ×c-spin | CPU stat | CPU create |');
p('|---|---|---|---|---|---|---|---|---|---|');
for (const impl of IMPLS) {
  p(`| ${impl} | ${ADDS[impl]} | ${fmt(rate(impl, 'stat'))} | ${ratio(impl, 'stat')} | ${fmt(rate(impl, 'create'))} | ${ratio(impl, 'create')} | ` +
    `${fmt(rate(impl, 'readdir') / 1e6, 2)} M | ${ratio(impl, 'readdir')} | ${fmt(busy(impl, 'stat'), 2)} | ${fmt(busy(impl, 'create'), 2)} |`);
}
p();
p(`Per request, one more run of each under \`perf stat -p\` (filesystem process, CPU from its task-clock; stat: per stat, LOOKUP + GETATTR; create: per file, created, written, closed and unlinked; readdir: per 1000 entries)${hw ? '' : '. This VM has no hardware counters (cycles and instructions: not supported), so those columns are empty; task-clock stands for them'}:`);
p();
p('| step | CPU µs/stat | ctx sw/stat | faults/stat | CPU µs/create | ctx sw/create | migr/create | faults/create | CPU µs/1k entries | cycles/create | instr/create | IPC create |');
p('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const impl of IMPLS) {
  const ipc = perOp(impl, 'create', 'instructions') / perOp(impl, 'create', 'cycles');
  p(`| ${impl} | ${fmt(cpuUs(impl, 'stat'), 1)} | ${fmt(perOp(impl, 'stat', 'context-switches'), 2)} | ${fmt(perOp(impl, 'stat', 'page-faults'), 3)} | ` +
    `${fmt(cpuUs(impl, 'create'), 1)} | ${fmt(perOp(impl, 'create', 'context-switches'), 2)} | ${fmt(perOp(impl, 'create', 'cpu-migrations'), 3)} | ` +
    `${fmt(perOp(impl, 'create', 'page-faults'), 3)} | ${fmt(cpuUs(impl, 'readdir', 1000), 1)} | ${fmt(perOp(impl, 'create', 'cycles'))} | ` +
    `${fmt(perOp(impl, 'create', 'instructions'))} | ${fmt(ipc, 2)} |`);
}
p();
p('V8 over one create run (5,000 files; `--trace-deopt --trace-gc`, minus an idle mount):');
p();
p('| step | deopts | scavenges | mark-compacts |');
p('|---|---|---|---|');
for (const impl of STEPS) {
  const t = traces[impl];
  p(`| ${impl} | ${t ? t.deopts : '–'} | ${t ? t.scavenges : '–'} | ${t ? t.markCompacts : '–'} |`);
}
p();
p(`\`perf record -g\` of the costliest step, ${costliest} (${fmt(perCreate(costliest) * 1e6, 1)} µs CPU per file), during a create run, node \`--perf-basic-prof\`; samples by DSO (≥ 1%; symbols: ${path.relative(root, `${recBase}.symbols.txt`)}):`);
p();
p('```');
p(byDso || '(no samples)');
p('```');
const md = lines.join('\n') + '\n';
fs.writeFileSync(path.join(out, 'ladder.md'), md);
process.stdout.write('\n' + md);
process.stderr.write(`bench:ladder: ${path.join(out, 'ladder.md')}\n`);
