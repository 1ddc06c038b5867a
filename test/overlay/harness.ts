// The overlay differential harness: the same lower trees under the kernel's overlayfs and under
// rxfuse's overlay example, the same scripted steps on both (test/overlay/runner.py, one client
// process per side, never a synchronous call from this process into a mount), and the results and
// the resulting upper directories compared.
//
// Layout, all on one scratch tmpfs: kL kU kW kM (the kernel's lower, upper, work dir, mountpoint),
// rL rU rM (ours). Each case has its own directory cNNN in both lowers, built from the same spec.
import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Fuse, type FuseErrorEvent } from '../../lib';
import overlay from '../../examples/overlay';
import { forceUnmount, passthroughOptions, sh } from '../helpers';
import { JsonLinesChild } from '../diff/jsonlines';
import type { Data, Step } from '../diff/steps';

/** runner.py, beside this file's source (tsc does not copy it to dist/). */
const RUNNER = path.resolve(__dirname, '..', '..', '..', 'test', 'overlay', 'runner.py');
/** The system python: the runner drops privileges, and uid 1000 cannot read root's pyenv. */
/** Kernel overlayfs options: its defaults on most distributions, spelled out (no redirects, no index). */
const KERNEL_OPTIONS = 'redirect_dir=off,index=off,metacopy=off,xino=off';

/** One entry of a lower tree (see runner.py build()). */
export interface LowerEntry {
  file?: Data;
  dir?: true;
  symlink?: string;
  link?: string;
  fifo?: true;
  chr?: [number, number];
  mode?: number;
  uid?: number;
  gid?: number;
  xattrs?: Record<string, Data>;
  mtime?: number;
  /** A file's size (sparse beyond its data), and data written at offsets. */
  size?: number;
  at?: [number, Data][];
}
/** A lower tree: relative path → entry, parents first; "." is the case directory itself. */
export type LowerSpec = Record<string, LowerEntry>;

/** A difference from the kernel on purpose: fields left out of ok values of some steps, and why. */
export interface Allowance {
  drop: string[];
  steps?: number[];
  why: string;
}

export interface OvCase {
  name: string;
  /** The lower tree of the case directory. */
  lower: LowerSpec;
  /** Who runs the steps (a step may say otherwise with .as()). */
  who: 'root' | 'user';
  steps: Step[];
  allow?: Allowance[];
}

export interface OvArea {
  name: string;
  cases: OvCase[];
}

interface StepResult {
  ok?: unknown;
  err?: string;
  bug?: string;
}

/** A persistent runner.py for the mount at `base`; an answer {"error": ...} rejects. */
export class Client extends JsonLinesChild {
  constructor(readonly base: string) {
    super([RUNNER, base], `runner in ${base}`);
  }

  private async ask<T>(req: unknown, ms?: number): Promise<T> {
    const r = await this.request<T & { error?: string }>(req, ms);
    if (r && typeof r === 'object' && r.error) throw new Error(`runner: ${r.error}`);
    return r;
  }

  async runCase(dir: string, who: string, steps: readonly Step[]): Promise<StepResult[]> {
    return (await this.ask<{ results: StepResult[] }>({ cmd: 'case', dir, who, steps })).results;
  }

  async snapshot(p: string): Promise<unknown> {
    return (await this.ask<{ ok: unknown }>({ cmd: 'snapshot', path: p })).ok;
  }

  async build(dir: string, spec: LowerSpec): Promise<void> {
    await this.ask({ cmd: 'build', dir, spec });
  }

  async upper(upper: string, lower: string): Promise<unknown> {
    return (await this.ask<{ ok: unknown }>({ cmd: 'upper', upper, lower })).ok;
  }

  async hash(p: string): Promise<unknown> {
    return (await this.ask<{ ok: unknown }>({ cmd: 'hash', path: p }, 60000)).ok;
  }
}

function mounted(dir: string): Promise<boolean> {
  return fsp.readFile('/proc/self/mountinfo', 'utf8').then((m) => m.split('\n').some((l) => l.split(' ')[4] === dir));
}

/** A mount of either kind, and how to take it down for sure. */
export interface Mount {
  dir: string;
  /** Failures rxfuse reported (handler exceptions, invalid replies); always empty for the kernel's. */
  errors: FuseErrorEvent[];
  close(): Promise<void>;
}

/** The kernel's overlayfs of lower + upper (work dir `work`) at `dir`. */
export async function mountKernel(lower: string, upper: string, work: string, dir: string): Promise<Mount> {
  const r = await sh('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work},${KERNEL_OPTIONS}`, dir]);
  if (r.code !== 0) throw new Error(`mount -t overlay failed (the differential tests need it): ${r.stderr.trim()}`);
  return {
    dir,
    errors: [],
    async close() {
      if (!(await mounted(dir))) return;
      if ((await sh('umount', [dir])).code !== 0) await sh('umount', ['-l', dir]);
    },
  };
}

/**
 * rxfuse's overlay example of lower + upper at `dir`, in this process, as the CLI runs it (and
 * allow_other). The example sets the process umask to 0, as a filesystem daemon must: restore it
 * with keepUmask() around a suite.
 */
export async function mountOurs(lower: string, upper: string, dir: string): Promise<Mount> {
  const base = overlay.options ?? {};
  const fuse = new Fuse({ mountTimeout: 10000, autoUnmount: true, ...base, ...passthroughOptions(), subtype: 'rxfuse', allowOther: true });
  const errors: FuseErrorEvent[] = [];
  fuse.errors$.subscribe((e) => errors.push(e));
  try {
    await overlay.setup(fuse, [lower, upper]);
    await fuse.mount(dir);
  } catch (e) {
    await forceUnmount(fuse, dir);
    throw e;
  }
  return {
    dir,
    errors,
    async close() {
      await forceUnmount(fuse, dir).catch(() => undefined);
      if (await mounted(dir)) await sh('umount', ['-l', dir]);
    },
  };
}

/** The directory of case i: the same on both sides. */
export function caseDir(i: number): string {
  return `c${String(i).padStart(3, '0')}`;
}

const show = (v: unknown): string => JSON.stringify(v);

function without(r: StepResult, i: number, allow: readonly Allowance[] | undefined): StepResult {
  if (!allow || r.ok === null || typeof r.ok !== 'object' || Array.isArray(r.ok)) return r;
  let ok = r.ok as Record<string, unknown>;
  for (const a of allow) {
    if (a.steps && !a.steps.includes(i)) continue;
    ok = Object.fromEntries(Object.entries(ok).filter(([k]) => !a.drop.includes(k)));
  }
  return { ok };
}

function outcomeOk(o: unknown, r: StepResult): boolean {
  if (o === 'ok') return 'ok' in r;
  if (typeof o === 'string') return r.err === o;
  return 'ok' in r && isDeepStrictEqual(r.ok, (o as { value: unknown }).value);
}

/**
 * Asserts a case went the same way on both sides (after its allowances), that every expectation a
 * step states holds on both (a wrong expectation is the case's fault: the kernel is the reference),
 * and that both left the same upper directory.
 */
export function compareCase(c: OvCase, kernel: StepResult[], ours: StepResult[], kUpper: unknown, rUpper: unknown): void {
  const problems: string[] = [];
  const lines: string[] = [];
  c.steps.forEach((s, i) => {
    const a = without(kernel[i], i, c.allow);
    const b = without(ours[i], i, c.allow);
    for (const [who, r] of [['kernel', kernel[i]], ['rxfuse', ours[i]]] as const) {
      if (r?.bug) problems.push(`step ${i} is broken on ${who}: ${r.bug}`);
    }
    if (s.expected !== undefined) {
      const e = s.expected;
      const o = typeof e === 'object' && e !== null && 'root' in e ? e[c.who] : e;
      if (!outcomeOk(o, kernel[i])) problems.push(`step ${i}: the kernel answered ${show(kernel[i])}, the case expects ${show(o)} (the case is wrong)`);
      else if (!outcomeOk(o, ours[i])) problems.push(`step ${i}: rxfuse answered ${show(ours[i])}, expected ${show(o)}`);
    }
    const same = isDeepStrictEqual(a, b);
    if (!same) problems.push(`step ${i} differs`);
    lines.push(same ? `    ${i}: ${show(s)} -> ${show(a)}` : `>>> ${i}: ${show(s)}\n        kernel: ${show(a)}\n        rxfuse: ${show(b)}`);
  });
  if (!isDeepStrictEqual(kUpper, rUpper)) {
    problems.push('the upper directories differ');
    lines.push(`upper, kernel: ${show(kUpper)}\nupper, rxfuse: ${show(rUpper)}`);
  }
  if (problems.length) assert.fail(`case "${c.name}" (as ${c.who}): ${problems.join('; ')}\n${lines.join('\n')}`);
}

/** The scratch tmpfs and everything on it; stop() takes down whatever is still mounted. */
export class Scratch {
  readonly mounts: Mount[] = [];
  private constructor(readonly dir: string) {}

  static async create(): Promise<Scratch> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'rxfuse-overlay-'));
    const r = await sh('mount', ['-t', 'tmpfs', '-o', 'size=512m,mode=0755', 'rxfuse-overlay', dir]);
    if (r.code !== 0) {
      await fsp.rmdir(dir).catch(() => undefined);
      throw new Error(`mount -t tmpfs failed: ${r.stderr}`);
    }
    return new Scratch(dir);
  }

  path(...p: string[]): string {
    return path.join(this.dir, ...p);
  }

  /** Makes directories (mode 0755) on the scratch. */
  async mkdirs(...names: string[]): Promise<void> {
    for (const n of names) {
      await fsp.mkdir(this.path(n), { recursive: true });
      await fsp.chmod(this.path(n), 0o755);
    }
  }

  track(m: Mount): Mount {
    this.mounts.push(m);
    return m;
  }

  async stop(): Promise<void> {
    for (const m of this.mounts.splice(0).reverse()) await m.close().catch(() => undefined);
    if ((await sh('umount', [this.dir])).code !== 0) await sh('umount', ['-l', this.dir]);
    await fsp.rmdir(this.dir).catch(() => undefined);
  }
}

/** Restores the process umask after the suite (mountOurs sets it to 0 for the daemon). */
export function keepUmask(): void {
  let saved = 0o022;
  before(function () {
    saved = process.umask(0o022);
    process.umask(saved);
  });
  after(function () {
    process.umask(saved);
  });
}
