// Every TypeScript and JavaScript block of README.md and docs/guide.md, compiled and run as a user
// would: TypeScript under `strict` with module nodenext (one tsc run for all), importing 'rxfuse'
// from a scratch project whose node_modules/rxfuse is this repository. Each program is run as
// `node <program>.js <mountpoint>` (its cwd holds the mountpoint as ./mnt); one that mounts gets the
// checks declared above its blocks (test/docs-blocks.ts) run on the mount, then SIGINT, and must exit
// 0 with nothing left mounted.
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type DocProgram, docPrograms } from './docs-blocks';
import { isMounted, sh, until } from './helpers';

const REPO = path.resolve(__dirname, '..', '..');
const DOCS = ['README.md', 'docs/guide.md'].map((f) => path.join(REPO, f));
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const MOUNT_MS = 15000;
const EXIT_MS = 10000;
const CHECK_MS = 15000;

// A user's settings: no `types`, no skipLibCheck (rxfuse's declarations are checked too).
const TSCONFIG = {
  compilerOptions: {
    strict: true, module: 'nodenext', target: 'ES2022', rootDir: 'src', outDir: 'out',
    noUnusedLocals: true, noEmitOnError: false,
  },
  include: ['src/**/*.ts'],
};

/** A scratch project as a user's: package.json (ESM), tsconfig, node_modules linking rxfuse and its peers. */
function scratchProject(programs: readonly DocProgram[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-docs-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, '@types'), { recursive: true });
  fs.symlinkSync(REPO, path.join(modules, 'rxfuse'));
  fs.symlinkSync(path.join(REPO, 'node_modules', 'rxjs'), path.join(modules, 'rxjs'));
  fs.symlinkSync(path.join(REPO, 'node_modules', '@types', 'node'), path.join(modules, '@types', 'node'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.mkdirSync(path.join(dir, 'out'));
  for (const p of programs) {
    const file = p.lang === 'ts' ? path.join(dir, 'src', `${p.name}.ts`) : path.join(dir, 'out', `${p.name}.js`);
    fs.writeFileSync(file, p.lines.join('\n') + '\n');
  }
  return dir;
}

/** tsc's diagnostics by program name, each with its Markdown line; those in no program under "". */
function compile(dir: string, programs: readonly DocProgram[]): Map<string, string[]> {
  const r = spawnSync(process.execPath, [TSC, '-p', '.', '--pretty', 'false'], { cwd: dir, encoding: 'utf8', timeout: 120000 });
  if (r.error) throw r.error;
  const byName = new Map(programs.map((p) => [p.name, p]));
  const found = new Map<string, string[]>();
  let key = '';
  for (const line of r.stdout.split('\n').filter((l) => l.trim() !== '')) {
    // "src/<program>.ts(line,col): error TS…", continued on indented lines.
    const m = /^src\/([\w-]+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
    const prog = m ? byName.get(m[1]) : undefined;
    if (!/^\s/.test(line)) key = prog ? prog.name : '';
    const text = prog && m ? `${prog.origins[Number(m[2]) - 1]}:${m[3]}: ${m[4]}` : line;
    found.set(key, [...(found.get(key) ?? []), text]);
  }
  if (r.status !== 0 && found.size === 0) found.set('', [`tsc exited ${r.status}: ${r.stderr}`]);
  return found;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exited(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Runs a compiled program on a fresh mountpoint: checks while mounted, then SIGINT; exit 0, no mount left. */
async function run(scratch: string, prog: DocProgram): Promise<void> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-docs-run-'));
  const mnt = path.join(fs.realpathSync(cwd), 'mnt');
  fs.mkdirSync(mnt);
  const child = spawn(process.execPath, [path.join(scratch, 'out', `${prog.name}.js`), mnt], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = exited(child);
  const said = (): string => `${prog.where} (${prog.name}) said:\n${output}`;
  try {
    await until(`${prog.where} to mount or exit`, () => isMounted(mnt) || child.exitCode !== null || child.signalCode !== null, MOUNT_MS);
    if (!isMounted(mnt)) {
      const e = await exit;
      assert.deepEqual(e, { code: 0, signal: null }, `${prog.where} exited before mounting. ${said()}`);
      assert.equal(prog.checks.length, 0, `${prog.where} has checks but never mounted. ${said()}`);
      return;
    }
    for (const check of prog.checks) {
      const r = await sh('bash', ['-c', `set -euo pipefail; cd "$1"; ${check}`, 'check', mnt], { timeout: CHECK_MS });
      assert.equal(r.code, 0, `check failed (${r.code}): ${check}\n${r.stdout}${r.stderr}\n${said()}`);
    }
    child.kill('SIGINT');
    const e = await withTimeout(exit, EXIT_MS, `${prog.where} to exit on SIGINT`);
    assert.deepEqual(e, { code: 0, signal: null }, `${prog.where} did not exit 0 on SIGINT. ${said()}`);
    assert.equal(isMounted(mnt), false, `${prog.where} left ${mnt} mounted`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await withTimeout(exit, EXIT_MS, 'the killed program to exit').catch(() => undefined);
    }
    if (isMounted(mnt)) spawnSync('fusermount3', ['-u', '-z', mnt], { stdio: 'ignore', timeout: 5000 });
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

describe('docs: every code block of README.md and docs/guide.md compiles and runs', function () {
  const programs = DOCS.flatMap((f) => docPrograms(f));
  let scratch = '';
  let diagnostics = new Map<string, string[]>();

  before(function () {
    this.timeout(150000);
    scratch = scratchProject(programs);
    diagnostics = compile(scratch, programs);
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('finds the blocks (README and guide)', () => {
    assert.ok(programs.some((p) => p.where.startsWith('README.md')), 'no program in README.md');
    assert.ok(programs.filter((p) => p.where.startsWith('guide.md')).length >= 3, 'fewer than 3 programs in docs/guide.md');
  });

  for (const prog of programs) {
    const checks = prog.checks.length === 1 ? ', 1 check' : prog.checks.length ? `, ${prog.checks.length} checks` : '';
    it(`${prog.where} (${prog.name}): compiles under strict and runs${checks}`, async function () {
      this.timeout(MOUNT_MS + EXIT_MS + CHECK_MS * (prog.checks.length + 1));
      const errors = [...(diagnostics.get('') ?? []), ...(diagnostics.get(prog.name) ?? [])];
      if (errors.length) assert.fail(`tsc:\n${errors.join('\n')}`);
      await run(scratch, prog);
    });
  }
});
