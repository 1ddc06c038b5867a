// The package as a user installs it: the tarball installed with the project's npm into a scratch
// project in a temporary directory, then used there: require, ES module import, a strict TypeScript
// filesystem (module nodenext, no `types` setting) type-checked by the repo's tsc, compiled and
// mounted, every example through `npx rxfuse`, the addon loaded from the prebuild (the install
// compiled nothing); then, with prebuilds/ removed, the first use's message and the source build it
// names, after which the filesystem mounts again.
//
// The tarball is packed from this working tree, not from a fresh clone (a clone's npm ci and two
// native builds would take the test past its three minutes): prepack's build is run first (it
// skips what is up to date), then `npm pack --ignore-scripts`. That is the tarball a clean clone
// packs because the `files` allowlist takes only tracked files and the build's outputs, which the
// first test checks file by file (a stray untracked file, a test, a script or a tarball fails it).
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forceUnmount, fuseMounts, sh, until } from './helpers';

const REPO = path.join(__dirname, '..', '..');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
/** node-gyp builds against the headers installed with node (no download) where they are. */
const NPM_ENV: NodeJS.ProcessEnv = fs.existsSync('/usr/include/node/node_api.h')
  ? { ...process.env, npm_config_nodedir: '/usr', npm_config_update_notifier: 'false' }
  : { ...process.env, npm_config_update_notifier: 'false' };

/** The scratch project's filesystem: strict TypeScript, ESM, one file "greeting" read from memory. */
const SCRATCH_FS = `import { Dirents, Fuse, FuseError, type Attr } from 'rxfuse';
import { MUTATING_OPS } from 'rxfuse/compose';
import { constants as c } from 'node:fs';

const mountpoint = process.argv[2];
if (mountpoint === undefined) throw new Error('usage: node fs.js <mountpoint>');
const text: Buffer = Buffer.from('served by the scratch project\\n');
const root: Attr = { ino: 1, mode: c.S_IFDIR | 0o755, nlink: 2 };
const file: Attr = { ino: 2, mode: c.S_IFREG | 0o444, size: text.length };
const fuse = new Fuse({ fsname: 'scratch', mountTimeout: 10000 });
fuse.handleAll({
  lookup: (req) => {
    if (req.parent === 1 && req.nameKey === 'greeting') return { attr: file };
    throw new FuseError('ENOENT');
  },
  getattr: (req) => (req.ino === 1 ? root : file),
  readdir: () => new Dirents().add('greeting', 2, c.S_IFREG),
  read: (req) => text.subarray(req.offset, req.offset + req.size),
});
if (!MUTATING_OPS.has('write')) throw new Error('rxfuse/compose: write is not a mutating op');
await fuse.mount(mountpoint);
process.once('SIGINT', () => void fuse.unmount().then(() => process.exit(0)));
process.stdout.write('mounted\\n');
`;

/** The executables of the processes whose command line names `dir` (the unmount watcher of a mount there). */
function watchersOf(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir)) found.push(fs.readlinkSync(`/proc/${pid}/exe`));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

interface Served {
  proc: ChildProcess;
  output(): string;
}

describe('the package: packed, installed into a scratch project, used there', function () {
  this.timeout(60000);
  let work: string;
  let app: string;
  let tarball: string;
  const children: ChildProcess[] = [];
  const mountpoints: string[] = [];

  /** Runs a command to its end (a child process, never blocking this thread); its stdout; fails on a non-zero exit. */
  async function run(cmd: string, args: readonly string[], cwd: string, timeout: number): Promise<string> {
    const r = await sh(cmd, args, { cwd, timeout, env: NPM_ENV, maxBuffer: 16 << 20 });
    assert.equal(r.code, 0, `${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** Starts a server in its own process group (SIGINT to the group, as a terminal's ^C) until it prints "mounted". */
  async function serve(cmd: string, args: readonly string[], mountpoint: string): Promise<Served> {
    fs.mkdirSync(mountpoint, { recursive: true });
    mountpoints.push(mountpoint);
    // TMPDIR: what a server keeps on purpose (the demo's trace, histogram and upper directory) stays
    // inside this test's work directory, which after() removes.
    const proc = spawn(cmd, args, { cwd: app, env: { ...NPM_ENV, TMPDIR: work }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(proc);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await until(`"mounted" from ${cmd} ${args.join(' ')}`, () => out.includes('mounted') || proc.exitCode !== null, 20000);
    assert.ok(fuseMounts().includes(mountpoint), `not mounted by ${cmd} ${args.join(' ')}:\n${out}`);
    return { proc, output: () => out };
  }

  /** ^C to the server's process group (npx, and the rxfuse it runs): the server unmounts and exits. */
  async function interrupt(s: Served, mountpoint: string): Promise<void> {
    const exited = new Promise<string>((r) => {
      if (s.proc.exitCode !== null || s.proc.signalCode !== null) r(`${s.proc.exitCode ?? s.proc.signalCode}`);
      else s.proc.once('exit', (code, signal) => r(`${code ?? signal}`));
    });
    process.kill(-s.proc.pid!, 'SIGINT');
    const how = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 10000))]);
    // node exits 0 once unmounted; npx itself dies of the SIGINT its group got, after its child.
    assert.ok(how === '0' || how === 'SIGINT', `exit after SIGINT: ${how}:\n${s.output()}`);
    await until(`${mountpoint} unmounted after SIGINT`, () => !fuseMounts().includes(mountpoint), 10000);
  }

  before(async function () {
    this.timeout(420000);  // prepack's build when stale (a native build, ~1 min), the install
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-package-'));
    app = path.join(work, 'app');
    fs.mkdirSync(app);
    await run(process.execPath, [path.join(REPO, 'scripts', 'setup.js'), '--build-only', '--prebuild'], REPO, 300000);
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO, 60000);
    const [info] = JSON.parse(packed) as { filename: string }[];
    tarball = path.join(work, info.filename);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module' }));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app, 180000);
  });

  afterEach(async function () {
    for (const c of children.splice(0)) {
      const gone = c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined;
      try {
        process.kill(-c.pid!, 'SIGKILL');  // the group: npx's child too
      } catch {
        // the group is gone
      }
      await gone;
    }
    for (const d of mountpoints.splice(0)) await forceUnmount(undefined, d);
  });

  after(function () {
    const left = fuseMounts().filter((m) => m.startsWith(work + '/'));
    if (left.length === 0) fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(left, [], 'mounts left behind');
  });

  it('the tarball holds the build, the prebuild and tracked files only: no tests, scripts, source maps or tarballs', async function () {
    const listed = (await run('tar', ['tzf', tarball], work, 10000)).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const tracked = new Set((await run('git', ['ls-files'], REPO, 10000)).trim().split('\n'));
    const built = (f: string): boolean => /^dist\/(lib|examples)\/.*\.(js|mjs|d\.ts|d\.mts)$/.test(f);
    const prebuilt = (f: string): boolean => /^prebuilds\/linux-(x64|arm64)\/(rxfuse\.node|rxfuse-watch)$/.test(f);
    assert.deepEqual(listed.filter((f) => !tracked.has(f) && !built(f) && !prebuilt(f)), []);
    assert.deepEqual(listed.filter((f) => /^(test|scripts|bench|dist\/test|lib|\.ci)\/|\.map$|\.tgz$|\.py$/.test(f)), []);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'binding.gyp', 'bin/rxfuse.js', 'dist/lib/index.js',
      'dist/lib/index.d.ts', 'dist/lib/index.mjs', 'dist/lib/index.d.mts', 'prebuilds/linux-x64/rxfuse.node',
      'prebuilds/linux-x64/rxfuse-watch', 'src-native/addon.cc', 'dist/examples/hello.js', 'examples/overlay/demo-lower/hello.txt']) {
      assert.ok(listed.includes(f), `${f} missing from the tarball`);
    }
    // Each built file comes from a tracked source (or is an ES module wrapper of one).
    for (const f of listed.filter(built)) {
      const src = f.replace(/^dist\//, '').replace(/\.(d\.ts|js|d\.mts|mjs)$/, '.ts');
      assert.ok(tracked.has(src), `${f} has no tracked source ${src}`);
    }
  });

  it('installs without compiling anything: no build/, the addon and the watcher from the prebuild', async function () {
    const pkg = path.join(app, 'node_modules', 'rxfuse');
    assert.ok(!fs.existsSync(path.join(pkg, 'build')), 'the install compiled the addon');
    const out = await run(process.execPath, ['-e', `process.stdout.write(require('node-gyp-build').resolve(${JSON.stringify(pkg)}))`], pkg, 10000);
    assert.equal(out, path.join(pkg, 'prebuilds', 'linux-x64', 'rxfuse.node'));
    // Each prebuild (linux-arm64 too, when `npm run prebuilds:arm64` made one): the right machine, libfuse3.so.3.
    const machines: Record<string, RegExp> = { x64: /X86-64/, arm64: /AArch64/ };
    for (const arch of fs.readdirSync(path.join(pkg, 'prebuilds')).map((d) => d.replace(/^linux-/, ''))) {
      for (const file of ['rxfuse.node', 'rxfuse-watch']) {
        const elf = await run('readelf', ['-h', '-d', path.join(pkg, 'prebuilds', `linux-${arch}`, file)], work, 10000);
        assert.match(elf, machines[arch], `${arch}/${file}`);
        if (file === 'rxfuse.node') assert.match(elf, /NEEDED.*\[libfuse3\.so\.3\]/);
      }
    }
  });

  it('require and ES module import: rxfuse, rxfuse/sys, rxfuse/compose, rxfuse/trace, rxfuse/package.json', async function () {
    fs.writeFileSync(path.join(app, 'check.cjs'), `const r = require('rxfuse');
const out = [typeof r.Fuse, typeof r.sys.openat, typeof require('rxfuse/sys').openat, typeof require('rxfuse/compose').readOnly,
  typeof require('rxfuse/trace').trace, require('rxfuse/package.json').version, require('rxfuse/sys') === r.sys];
console.log(JSON.stringify(out));`);
    fs.writeFileSync(path.join(app, 'check.mjs'), `import { Fuse, sys } from 'rxfuse';
import * as s from 'rxfuse/sys';
import { readOnly } from 'rxfuse/compose';
import { trace } from 'rxfuse/trace';
import { createRequire } from 'node:module';
const cjs = createRequire(import.meta.url)('rxfuse');
console.log(JSON.stringify([typeof Fuse, typeof sys.openat, typeof s.openat, typeof readOnly, typeof trace, Fuse === cjs.Fuse]));`);
    const expected = ['function', 'function', 'function', 'function', 'function'];
    assert.deepEqual(JSON.parse(await run(process.execPath, ['check.cjs'], app, 10000)), [...expected, PKG.version, true]);
    assert.deepEqual(JSON.parse(await run(process.execPath, ['check.mjs'], app, 10000)), [...expected, true]);
  });

  it('a strict TypeScript filesystem (module nodenext, no types setting) compiles with the repo\'s tsc, mounts and serves reads', async function () {
    this.timeout(90000);
    fs.writeFileSync(path.join(app, 'fs.ts'), SCRATCH_FS);
    const options = { strict: true, module: 'nodenext', target: 'es2022', outDir: 'out', skipLibCheck: false };
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['fs.ts'] }));
    // And with `types: []` (no @types package included by itself): Node's types come from rxfuse's declarations.
    fs.writeFileSync(path.join(app, 'tsconfig.notypes.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { types: [] } }));
    await run(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.notypes.json'], app, 60000);
    await run(process.execPath, [TSC, '-p', 'tsconfig.json'], app, 60000);
    const mnt = path.join(work, 'mnt-fs');
    const served = await serve(process.execPath, ['out/fs.js', mnt], mnt);
    assert.deepEqual(await fsp.readdir(mnt), ['greeting']);
    assert.equal(await fsp.readFile(path.join(mnt, 'greeting'), 'utf8'), 'served by the scratch project\n');
    const prebuilt = path.join(app, 'node_modules', 'rxfuse', 'prebuilds', 'linux-x64', 'rxfuse-watch');
    assert.ok(watchersOf(mnt).includes(prebuilt), `no watcher from the prebuild: ${watchersOf(mnt).join(', ')}`);
    await interrupt(served, mnt);
  });

  it('npx rxfuse: every example mounts from the installed package and unmounts on ^C', async function () {
    this.timeout(120000);
    const src = path.join(work, 'src');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'a.txt'), 'a\n');
    const upper = path.join(work, 'upper');
    fs.mkdirSync(upper);
    const usage = await sh('npx', ['--no', 'rxfuse'], { cwd: app, env: NPM_ENV, timeout: 30000 });
    const listed = [...usage.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]);
    const runs: Record<string, { args: string[]; shows: string }> = {
      hello: { args: [], shows: 'hello' },
      memfs: { args: [], shows: '' },
      passthrough: { args: [src], shows: 'a.txt' },
      overlay: { args: [src, upper], shows: 'a.txt' },
      trace: { args: [src, '--out', path.join(work, 'trace.txt')], shows: 'a.txt' },
      benchfs: { args: [], shows: '' },
      demo: { args: [], shows: 'hello.txt' },
    };
    assert.deepEqual(listed.sort(), Object.keys(runs).sort(), usage.stdout + usage.stderr);
    for (const [name, { args, shows }] of Object.entries(runs)) {
      const mnt = path.join(work, `mnt-${name}`);
      const served = await serve('npx', ['--no', 'rxfuse', name, ...args, mnt], mnt);
      const ls = await sh('ls', [mnt], { timeout: 10000 });
      assert.equal(ls.code, 0, `ls ${name}: ${ls.stderr}`);
      if (shows) assert.ok(ls.stdout.split('\n').includes(shows), `${name} lists ${JSON.stringify(ls.stdout)}`);
      if (name === 'hello') assert.equal(await fsp.readFile(path.join(mnt, 'hello'), 'utf8'), 'Hello World!\n');
      await interrupt(served, mnt);
      if (name === 'demo') assert.ok(served.output().includes(`trace written to ${path.join(work, 'rxfuse-demo-')}`), served.output());
    }
  });

  // Mounts the scratch filesystem compiled by the TypeScript test above (mocha runs the tests in order).
  it('with prebuilds/ removed: the first use names libfuse3-dev pkg-config and npm rebuild rxfuse; that command builds it and it mounts again', async function () {
    this.timeout(300000);  // a source build of the addon
    const pkg = path.join(app, 'node_modules', 'rxfuse');
    fs.rmSync(path.join(pkg, 'prebuilds'), { recursive: true });
    const first = await sh(process.execPath, ['-e', "const { Fuse } = require('rxfuse'); new Fuse()"], { cwd: app, timeout: 10000 });
    assert.notEqual(first.code, 0);
    assert.match(first.stderr, /Error: rxfuse: no native addon for linux-x64 .*apt-get install libfuse3-dev pkg-config, then run: npm rebuild rxfuse/);
    assert.doesNotMatch(first.stderr, /Cannot find module/);
    const cli = await sh('npx', ['--no', 'rxfuse', 'hello', path.join(work, 'never')], { cwd: app, env: NPM_ENV, timeout: 30000 });
    assert.match(cli.stderr, /^rxfuse: no native addon .*npm rebuild rxfuse/m);
    assert.doesNotMatch(cli.stderr, /npm run build/);
    // A package whose dist/ is damaged: the command says to reinstall, not to build (no build script in node_modules).
    const cliJs = path.join(pkg, 'dist', 'lib', 'cli.js');
    fs.renameSync(cliJs, `${cliJs}.away`);
    try {
      const broken = await sh('npx', ['--no', 'rxfuse', 'hello', path.join(work, 'never')], { cwd: app, env: NPM_ENV, timeout: 30000 });
      assert.match(broken.stderr, /^rxfuse: cannot load .*cli\.js; reinstall it: npm install rxfuse/m);
      assert.doesNotMatch(broken.stderr, /npm run build/);
    } finally {
      fs.renameSync(`${cliJs}.away`, cliJs);
    }

    await run('npm', ['rebuild', 'rxfuse'], app, 280000);
    assert.ok(fs.existsSync(path.join(pkg, 'build', 'Release', 'rxfuse.node')));
    assert.ok(fs.existsSync(path.join(pkg, 'build', 'Release', 'rxfuse-watch')));
    const mnt = path.join(work, 'mnt-rebuilt');
    const served = await serve(process.execPath, ['out/fs.js', mnt], mnt);
    assert.equal(await fsp.readFile(path.join(mnt, 'greeting'), 'utf8'), 'served by the scratch project\n');
    assert.ok(watchersOf(mnt).includes(path.join(pkg, 'build', 'Release', 'rxfuse-watch')), watchersOf(mnt).join(', '));
    await interrupt(served, mnt);
  });
});
