#!/usr/bin/env node
'use strict';
// One-command set-up, run by `npm test` and `npm run demo` (and `npm run build`, `npm pack`'s prepack):
// installs what is missing and skips what is done.
//   1. system packages fuse3, libfuse3-dev, pkg-config (apt-get when root, else a clear message)
//   2. npm ci when node_modules is missing or older than package-lock.json
//   3. the native addon (node-gyp) when missing or older than src-native/ or binding.gyp
//   4. the TypeScript build when dist/ is older than any .ts file, then the ES module wrappers
//   5. with --prebuild (prepack): the prebuilt addon and its watcher in prebuilds/<platform>-<arch>/
//   6. with --prebuild-arm64 (npm run prebuilds:arm64, before npm pack): the same for linux-arm64,
//      cross-compiled with Debian's g++-aarch64-linux-gnu against libfuse3-dev:arm64
// --build-only skips the packages only the tests need.
// Only node's built-in modules are used: this runs before npm ci.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const buildOnly = process.argv.includes('--build-only');
const prebuild = process.argv.includes('--prebuild');
const prebuildArm64 = process.argv.includes('--prebuild-arm64');
// Node's headers installed with node itself: node-gyp builds against them instead of downloading them.
const NODEDIR = fs.existsSync('/usr/include/node/node_api.h') ? '/usr' : undefined;
// node-gyp under npm (the package's install script, prebuildify) takes the same as npm_config_nodedir.
const gypEnv = NODEDIR && !process.env.npm_config_nodedir ? { ...process.env, npm_config_nodedir: NODEDIR } : process.env;
const PACKAGES = ['fuse3', 'libfuse3-dev', 'pkg-config'];
// What the tests run besides node (test/diff, test/programs.test.ts, test/odirect.test.ts): a file or command → its package.
const TEST_PACKAGES = [
  ['/usr/bin/python3', 'python3'], ['git', 'git'], ['gcc', 'gcc'], ['/usr/include/stdio.h', 'libc6-dev'], ['sqlite3', 'sqlite3'], ['setfacl', 'acl'],
  ['rsync', 'rsync'], ['tar', 'tar'], ['flock', 'util-linux'], ['/usr/sbin/mkfs.xfs', 'xfsprogs'], ['/usr/sbin/mkfs.ext4', 'e2fsprogs'],
];

function log(msg) {
  process.stderr.write(`setup: ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function ok(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

function systemPackages() {
  const have = ok('pkg-config', ['--exists', 'fuse3']) && (ok('fusermount3', ['-V']) || fs.existsSync('/usr/bin/fusermount3'));
  if (have) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !ok('apt-get', ['--version'])) {
    throw new Error(`missing system packages: install ${PACKAGES.join(' ')} (e.g. sudo apt-get install -y ${PACKAGES.join(' ')})`);
  }
  log(`installing ${PACKAGES.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], { env });
}

function testPackages() {
  const missing = TEST_PACKAGES.filter(([what]) => (what.startsWith('/') ? !fs.existsSync(what) : !ok('sh', ['-c', `command -v ${what}`]))).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !ok('apt-get', ['--version'])) {
    log(`the tests need ${missing.join(' ')} (e.g. sudo apt-get install -y ${missing.join(' ')})`);
    return;
  }
  log(`installing ${missing.join(' ')} with apt-get (for the tests)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function newest(dir, filter) {
  let t = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, filter));
    else if (filter(e.name)) t = Math.max(t, mtime(p));
  }
  return t;
}

function npmDeps() {
  const stamp = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(stamp) >= mtime(path.join(root, 'package-lock.json')) && fs.existsSync(path.join(root, 'node_modules', 'rxjs'))) return;
  log('npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund'], { env: gypEnv });
}

function nativeBuild() {
  const out = path.join(root, 'build', 'Release', 'rxfuse.node');
  const src = Math.max(newest(path.join(root, 'src-native'), () => true), mtime(path.join(root, 'binding.gyp')));
  if (mtime(out) >= src && src > 0) return;
  log('building the native addon');
  const args = [require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] }), 'rebuild'];
  // Build against the installed Node headers when they are there: no download needed.
  if (NODEDIR) args.push(`--nodedir=${NODEDIR}`);
  run(process.execPath, args);
}

function tsBuild() {
  const isTs = (n) => n.endsWith('.ts') && !n.endsWith('.d.ts');
  const src = Math.max(
    ...['lib', 'examples', 'test'].map((d) => newest(path.join(root, d), isTs)),
    mtime(path.join(root, 'tsconfig.json')),
  );
  const stamp = path.join(root, 'dist', '.built');
  if (mtime(stamp) >= src) return;
  log('compiling TypeScript');
  run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', 'tsconfig.json']);
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
}

// prebuildify --napi --strip builds the addon into prebuilds/<platform>-<arch>/rxfuse.node; the
// watcher, an executable prebuildify does not copy, goes beside it, stripped too. `cwd` is where
// node-gyp builds (its build/Release), `env` the compilers and pkg-config to use. prebuildify's
// node-gyp devdir (`--cache`; by default $TMPDIR/prebuildify, which it left behind) is
// node_modules/.cache/prebuildify.
function prebuildInto(arch, cwd, env, tools = '') {
  const dir = path.join(root, 'prebuilds', `linux-${arch}`);
  const addon = path.join(dir, 'rxfuse.node');
  const watcher = path.join(dir, 'rxfuse-watch');
  const src = Math.max(newest(path.join(root, 'src-native'), () => true), mtime(path.join(root, 'binding.gyp')));
  if (Math.min(mtime(addon), mtime(watcher)) >= src) return false;
  log(`prebuilding the addon into ${path.relative(root, dir)}`);
  const strip = `${tools}strip`;
  run(process.execPath, [require.resolve('prebuildify/bin.js', { paths: [root] }), '--napi', '--strip', `--arch=${arch}`,
    `--strip-bin=${strip}`, `--cwd=${cwd}`, `--out=${root}`, `--cache=${path.join(root, 'node_modules', '.cache', 'prebuildify')}`], { env, cwd });
  fs.copyFileSync(path.join(cwd, 'build', 'Release', 'rxfuse-watch'), watcher);
  run(strip, ['--strip-all', watcher]);
  return true;
}

// This machine's prebuild, built in the checkout: the addon goes back to build/Release (prebuildify
// moved it out) so the checkout's build stays complete.
function prebuilds() {
  const arch = process.arch;
  if (prebuildInto(arch, root, gypEnv)) {
    fs.copyFileSync(path.join(root, 'prebuilds', `linux-${arch}`, 'rxfuse.node'), path.join(root, 'build', 'Release', 'rxfuse.node'));
  }
}

function aptInstall(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
}

// linux-arm64, cross-compiled: Debian's g++-aarch64-linux-gnu, and libfuse3-dev:arm64 unpacked (not
// installed) into build/cross-arm64/sysroot for its headers and libfuse3.so; node-gyp builds in
// build/cross-arm64 (links to the sources) so the checkout's own build stays as it is.
function crossPrebuildArm64() {
  const T = 'aarch64-linux-gnu-';
  if (!ok(`${T}g++`, ['--version'])) {
    const foreign = spawnSync('dpkg', ['--print-foreign-architectures'], { encoding: 'utf8' }).stdout || '';
    if (!foreign.split('\n').includes('arm64')) run('dpkg', ['--add-architecture', 'arm64']);
    aptInstall([`g++-${T.slice(0, -1)}`]);
  }
  const stage = path.join(root, 'build', 'cross-arm64');
  const sysroot = path.join(stage, 'sysroot');
  const libdir = path.join(sysroot, 'usr', 'lib', 'aarch64-linux-gnu');
  if (!fs.existsSync(path.join(libdir, 'pkgconfig', 'fuse3.pc'))) {
    const debs = path.join(stage, 'debs');
    fs.mkdirSync(debs, { recursive: true });
    run('apt-get', ['download', 'libfuse3-dev:arm64', 'libfuse3-3:arm64'], { cwd: debs });
    for (const deb of fs.readdirSync(debs)) run('dpkg', ['-x', path.join(debs, deb), sysroot]);
    // The dev package's libfuse3.so points at /lib/...: make it point inside the sysroot.
    fs.rmSync(path.join(libdir, 'libfuse3.so'), { force: true });
    fs.symlinkSync(path.join(sysroot, 'lib', 'aarch64-linux-gnu', 'libfuse3.so.3'), path.join(libdir, 'libfuse3.so'));
  }
  for (const name of ['src-native', 'binding.gyp', 'package.json', 'node_modules']) {
    if (!fs.existsSync(path.join(stage, name))) fs.symlinkSync(path.join(root, name), path.join(stage, name));
  }
  const env = {
    ...gypEnv, CC: `${T}gcc`, CXX: `${T}g++`, LINK: `${T}g++`, AR: `${T}ar`,
    PKG_CONFIG_SYSROOT_DIR: sysroot, PKG_CONFIG_LIBDIR: path.join(libdir, 'pkgconfig'),
  };
  prebuildInto('arm64', stage, env, T);
}

try {
  if (process.platform !== 'linux') throw new Error('rxfuse runs on Linux only');
  systemPackages();
  if (!buildOnly) testPackages();
  npmDeps();
  nativeBuild();
  tsBuild();
  run(process.execPath, [path.join(__dirname, 'esm-wrappers.js')]);
  if (prebuild) prebuilds();
  if (prebuildArm64) crossPrebuildArm64();
} catch (e) {
  log(`error: ${e.message}`);
  process.exit(1);
}
