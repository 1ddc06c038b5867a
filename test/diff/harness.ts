// The differential harness: the same scripted syscalls on a kernel tmpfs and on a filesystem under
// test, compared step by step. The client is test/diff/runner.py in a child process (one per side
// and run identity), so nothing here touches a mount synchronously from the thread serving it.
import { strict as assert } from 'node:assert';
import { existsSync, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Fuse, type FuseErrorEvent, type FuseOptions } from '../../lib';
import type { Example } from '../../examples/example';
import { forceUnmount, passthroughOptions, sh } from '../helpers';
import { JsonLinesChild } from './jsonlines';
import { type Allowance, type Case, type Expect, type Outcome, type Result, type RunAs, type Step, tree } from './steps';

/** Where runner.py is: beside this file's source (tsc does not copy it to dist/). */
export const RUNNER = path.resolve(__dirname, '..', '..', '..', 'test', 'diff', 'runner.py');
/** The system python: the runner drops privileges, and uid 1000 cannot read root's pyenv. */

/** A persistent runner.py working in `base` as `identity`. */
export class Runner extends JsonLinesChild {
  constructor(
    readonly base: string,
    readonly identity: RunAs,
    times: boolean,
    sync = false,
  ) {
    super([RUNNER, base, identity, ...(times ? ['--times'] : []), ...(sync ? ['--sync'] : [])], `runner (${identity} in ${base})`);
  }

  /** Runs one case in a fresh directory `name`; answers each step's result. */
  async runCase(name: string, steps: readonly Step[]): Promise<Result[]> {
    const r = await this.request<{ results: Result[] }>({ cmd: 'case', name, steps });
    return r.results;
  }
}

/** A directory the cases run in, on some filesystem, and how to take it down. */
export interface Target {
  /** The name shown in reports ("tmpfs", "memfs", ...). */
  name: string;
  dir: string;
  /** Failures rxfuse reported (handler exceptions, invalid replies); empty for kernel filesystems. */
  errors: FuseErrorEvent[];
  close(): Promise<void>;
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  await fsp.chmod(dir, 0o755);
  return dir;
}

/**
 * A fresh kernel tmpfs in a temporary directory, mounted nosuid,nodev as libfuse mounts FUSE
 * filesystems, so that both sides have the same mount flags.
 */
export async function mountTmpfs(name = 'tmpfs', options = 'size=1g,mode=0755,nosuid,nodev'): Promise<Target> {
  const dir = await tempDir('rxfuse-diff-tmpfs-');
  const r = await sh('mount', ['-t', 'tmpfs', '-o', options, 'rxfuse-diff', dir]);
  if (r.code !== 0) {
    await fsp.rmdir(dir).catch(() => undefined);
    throw new Error(`mount -t tmpfs failed: ${r.stderr}`);
  }
  return {
    name,
    dir,
    errors: [],
    async close() {
      if ((await sh('umount', [dir])).code !== 0) await sh('umount', ['-l', dir]);
      await fsp.rmdir(dir).catch(() => undefined);
    },
  };
}

/** Loads a built example (dist/examples/<name>.js); a clear error when it is not there yet. */
export function loadExample(name: string): Example {
  const file = path.resolve(__dirname, '..', '..', 'examples', `${name}.js`);
  if (!existsSync(file)) throw new Error(`examples/${name}.ts is not built: no ${file}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { default?: Example };
  if (!mod.default || typeof mod.default.setup !== 'function') throw new Error(`examples/${name} has no default Example export`);
  return mod.default;
}

/**
 * Mounts an example in this process as the CLI does (its options, then ours: allow_other, so that
 * the unprivileged runs may enter the mount).
 */
export async function mountExample(name: string, args: readonly string[] = [], extra: FuseOptions = {}): Promise<Target> {
  const ex = loadExample(name);
  const dir = await tempDir(`rxfuse-diff-${name}-`);
  const base = ex.optionsFor?.(args) ?? ex.options ?? {};
  const fuse = new Fuse({
    mountTimeout: 10000,
    autoUnmount: true,
    ...base,
    fsname: base.fsname ?? name,
    subtype: base.subtype ?? 'rxfuse',
    ...passthroughOptions(),
    ...extra,
    allowOther: true,
  });
  const errors: FuseErrorEvent[] = [];
  fuse.errors$.subscribe((e) => errors.push(e));
  // An example may set the process umask for itself (passthrough: 0); other tests in this process
  // get theirs back once it is unmounted.
  const mask = process.umask(0o022);
  process.umask(mask);
  try {
    await ex.setup(fuse, args);
    await fuse.mount(dir);
  } catch (e) {
    await forceUnmount(fuse, dir);
    process.umask(mask);
    throw e;
  }
  return {
    name,
    dir,
    errors,
    async close() {
      await forceUnmount(fuse, dir);
      ex.teardown?.();
      process.umask(mask);
    },
  };
}

/** passthrough over a fresh tmpfs source; closing unmounts both. */
export async function mountPassthrough(): Promise<Target> {
  const source = await mountTmpfs('source');
  try {
    const m = await mountExample('passthrough', [source.dir]);
    return {
      ...m,
      async close() {
        await m.close();
        await source.close();
      },
    };
  } catch (e) {
    await source.close();
    throw e;
  }
}

function outcomeOk(o: Outcome, r: Result): boolean {
  if (o === 'ok') return 'ok' in r;
  if (typeof o === 'string') return r.err === o;
  return 'ok' in r && isDeepStrictEqual(r.ok, o.value);
}

function expected(e: Expect, who: RunAs): Outcome {
  if (typeof e === 'object' && e !== null && 'root' in e && 'user' in e) return e[who];
  return e as Outcome;
}

/** The result with the allowed fields left out. */
function allowed(r: Result, i: number, allow: readonly Allowance[] | undefined): Result {
  if (!allow || !('ok' in r) || typeof r.ok !== 'object' || r.ok === null || Array.isArray(r.ok)) return r;
  let ok = r.ok as Record<string, unknown>;
  for (const a of allow) {
    if (a.steps && !a.steps.includes(i)) continue;
    ok = Object.fromEntries(Object.entries(ok).filter(([k]) => !a.drop.includes(k)));
  }
  return { ok };
}

const show = (v: unknown): string => JSON.stringify(v);

/** Every step with both results, the differing ones marked; for failure messages. */
function transcript(steps: readonly Step[], a: readonly Result[], b: readonly Result[], an: string, bn: string): string {
  return steps
    .map((s, i) => {
      const same = isDeepStrictEqual(a[i], b[i]);
      const head = `${same ? '   ' : '>>>'} ${i}: ${show(s)}`;
      return same ? `${head} -> ${show(a[i])}` : `${head}\n        ${an}: ${show(a[i])}\n        ${bn}: ${show(b[i])}`;
    })
    .join('\n');
}

/**
 * Asserts that a case went the same on both sides (after its allowances) and that every stated
 * expectation holds on both.
 */
export function compareCase(c: Case, who: RunAs, ref: readonly Result[], refName: string, sut: readonly Result[], sutName: string): void {
  const a = ref.map((r, i) => allowed(r, i, c.allow));
  const b = sut.map((r, i) => allowed(r, i, c.allow));
  const problems: string[] = [];
  c.steps.forEach((s, i) => {
    for (const [name, r] of [[refName, ref[i]], [sutName, sut[i]]] as const) {
      if (r && r.bug) problems.push(`step ${i} is broken on ${name}: ${r.bug}`);
    }
    if (s.expected !== undefined) {
      const o = expected(s.expected, who);
      if (!outcomeOk(o, ref[i])) problems.push(`step ${i}: ${refName} answered ${show(ref[i])}, the case expects ${show(o)} (the case is wrong)`);
      else if (!outcomeOk(o, sut[i])) problems.push(`step ${i}: ${sutName} answered ${show(sut[i])}, expected ${show(o)}`);
    }
  });
  const diff = c.steps.findIndex((_, i) => !isDeepStrictEqual(a[i], b[i]));
  if (diff >= 0) problems.push(`step ${diff} differs (${show(c.steps[diff])})`);
  if (problems.length) {
    assert.fail(`case "${c.name}" as ${who}: ${problems.join('; ')}\n${transcript(c.steps, a, b, refName, sutName)}`);
  }
}

/** The directory name of a case: short, unique, the same on both sides. */
export function caseDir(index: number): string {
  return `c${String(index).padStart(3, '0')}`;
}

/**
 * A mocha suite: every case of every area, as root and as the unprivileged user, ref vs sut.
 * `sync`: both runners call syncfs(2) before each step (for a mount with the writeback cache).
 */
export function diffSuite(
  areas: readonly { name: string; cases: readonly Case[] }[], mountRef: () => Promise<Target>, mountSut: () => Promise<Target>, sync = false,
): void {
  let ref: Target | undefined;
  let sut: Target | undefined;
  before(async function () {
    this.timeout(30000);
    ref = await mountRef();
    sut = await mountSut();
  });
  after(async function () {
    this.timeout(30000);
    await sut?.close();
    await ref?.close();
  });
  for (const who of ['root', 'user'] as const) {
    describe(`as ${who}`, function () {
      let runners: [Runner, Runner] | undefined;
      before(function () {
        if (!ref || !sut) throw new Error('the mounts are not there');
        runners = [new Runner(ref.dir, who, true, sync), new Runner(sut.dir, who, true, sync)];
      });
      after(async function () {
        await Promise.all(runners?.map((r) => r.close()) ?? []);
      });
      let index = 0;
      for (const area of areas) {
        describe(area.name, function () {
          for (const scripted of area.cases) {
            // Every case ends with the whole tree it left, read as root.
            const c: Case = { ...scripted, steps: [...scripted.steps, tree('.').as('root')] };
            const dir = caseDir(index++);
            it(c.name, async function () {
              this.timeout(60000);
              if (!runners || !ref || !sut) throw new Error('the runners are not there');
              const seen = sut.errors.length;
              const [a, b] = await Promise.all([runners[0].runCase(dir, c.steps), runners[1].runCase(dir, c.steps)]);
              const failures = sut.errors.slice(seen).map((e) => `${e.kind} ${e.op ?? ''} ino=${e.ino ?? '-'}: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}`);
              // RXFUSE_DIFF_SHOW=<part of a case name> prints that case's transcript.
              const showCase = process.env.RXFUSE_DIFF_SHOW;
              if (showCase && c.name.includes(showCase)) process.stdout.write(`${c.name} as ${who}:\n${transcript(c.steps, a, b, ref.name, sut.name)}\n`);
              compareCase(c, who, a, ref.name, b, sut.name);
              assert.deepEqual(failures, [], `${sut.name} reported handler failures during the case`);
            });
          }
        });
      }
    });
  }
}
