// The rxfuse command: runs an example filesystem in the foreground.
//   rxfuse <example> [args] <mountpoint> [-o opt,opt] [--debug] [--stats] [--mkdir] [--stack] [--no-passthrough]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Fuse, type FuseOptions } from './fuse';
import { checkMountpoint } from './pathargs';
import * as sys from './sys';

// The shape of an example filesystem the command can run: `rxfuse <name> [args] <mountpoint>`. The
// examples implement it (examples/example.ts re-exports it for them); lib never imports from examples/.
export interface Example {
  /** One line for `rxfuse --help`. */
  readonly description: string;
  /** The example's own arguments, e.g. "<source-dir>" (empty when it has none). */
  readonly usage: string;
  /**
   * The `--options` the example takes, each with a value (e.g. ["--format", "--out"]): given after
   * the example's name, the command line passes them on at the end of its args as "--x", "value".
   */
  readonly flags?: readonly string[];
  /** Mount options the example wants by default (the command line adds to them). */
  readonly options?: FuseOptions;
  /** Mount options that depend on the example's arguments (used instead of `options` when given). */
  optionsFor?(args: readonly string[]): FuseOptions;
  /** Attaches the handlers; called before mount with the example's arguments. */
  setup(fuse: Fuse, args: readonly string[]): void | Promise<void>;
  /** Called once the mount is closed, before the command exits (e.g. to print figures). */
  teardown?(): void;
}

// The examples: dist/examples beside dist/lib, from a checkout as from an installed package.
const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');

function examples(): string[] {
  try {
    return fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.js') && f !== 'example.js').map((f) => f.slice(0, -3)).sort();
  } catch {
    return [];
  }
}

function usage(): string {
  const lines = [
    'usage: rxfuse <example> [args] <mountpoint> [-o opt[,opt...]] [--debug] [--stats] [--mkdir] [--stack] [--no-passthrough]',
    '',
    '  -o opt,...  mount options for libfuse (allow_other, default_permissions, ro, ...)',
    '  --debug     libfuse debug output on stderr',
    '  --mkdir     create the mountpoint if it does not exist (removed again if mounting fails)',
    '  --stack     mount even if the mountpoint is already a mount point (the new mount hides it)',
    '  --no-passthrough  do not ask for kernel passthrough (file I/O then reaches the read/write handlers)',
    '  --stats     print "rxfuse-stats: {...}" (registry figures, process.memoryUsage()) on stderr on SIGUSR1 and at exit',
    '',
    'examples:',
  ];
  for (const name of examples()) {
    const ex = load(name);
    lines.push(`  ${name}${ex.usage ? ' ' + ex.usage : ''}  ${ex.description}`);
  }
  return lines.join('\n');
}

function load(name: string): Example {
  if (!/^[a-z0-9-]+$/.test(name) || !examples().includes(name)) {
    throw new Error(`unknown example "${name}" (have: ${examples().join(', ')})`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(EXAMPLES_DIR, name)) as { default: Example };
  return mod.default;
}

export interface CliArgs {
  example: string;
  args: string[];
  mountpoint: string;
  options: string[];
  debug: boolean;
  stats: boolean;
  /** Create a missing mountpoint. */
  mkdir: boolean;
  /** Mount on top of an existing mount. */
  stack: boolean;
  /** Do not ask for kernel passthrough (FuseOptions.passthrough false). */
  noPassthrough: boolean;
}

/**
 * `exampleFlags(name)`: the `--options` the example takes, each with a value (Example.flags). Given
 * after the example's name, as `--x value` or `--x=value`, they are passed on at the end of its args.
 */
export function parseArgs(argv: readonly string[], exampleFlags?: (example: string) => readonly string[]): CliArgs {
  const positional: string[] = [];
  const passed: string[] = [];
  const options: string[] = [];
  let debug = false;
  let stats = false;
  let mkdir = false;
  let stack = false;
  let noPassthrough = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o') {
      const v = argv[++i];
      if (v === undefined) throw new Error('-o needs a value');
      options.push(...v.split(',').filter((x) => x !== ''));
    } else if (a.startsWith('-o') && a.length > 2) {
      options.push(...a.slice(2).split(',').filter((x) => x !== ''));
    } else if (a === '--debug' || a === '-d') {
      debug = true;
    } else if (a === '--stats') {
      stats = true;
    } else if (a === '--mkdir') {
      mkdir = true;
    } else if (a === '--stack') {
      stack = true;
    } else if (a === '--no-passthrough') {
      noPassthrough = true;
    } else if (a.startsWith('--') && positional.length > 0 && exampleFlags?.(positional[0]).includes(a.split('=')[0])) {
      const eq = a.indexOf('=');
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      passed.push(eq >= 0 ? a.slice(0, eq) : a, v);
    } else if (a.startsWith('-') && a !== '-') {
      throw new Error(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  if (positional.length < 2) throw new Error('an example and a mountpoint are needed');
  const args = [...positional.slice(1, -1), ...passed];
  return { example: positional[0], args, mountpoint: positional[positional.length - 1], options, debug, stats, mkdir, stack, noPassthrough };
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage() + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  const cli = parseArgs(argv, (name) => load(name).flags ?? []);
  sys.raiseNofileLimit();  // a server's fds: soft limit up to the hard one (filesystems size caches from it)
  const ex = load(cli.example);
  const base: FuseOptions = ex.optionsFor?.(cli.args) ?? ex.options ?? {};
  // RXFUSE_BUSY_POLL=µs (0: off) and RXFUSE_BUSY_POLL_ADAPTIVE=0 (spin whatever the policy says)
  // override the busy-poll, for benchmark variants.
  const envSpin = process.env.RXFUSE_BUSY_POLL;
  const envAdaptive = process.env.RXFUSE_BUSY_POLL_ADAPTIVE;
  const fuse = new Fuse({
    autoUnmount: true,
    ...base,
    ...(envSpin !== undefined && envSpin !== '' ? { busyPoll: Number(envSpin) } : {}),
    ...(envAdaptive === '0' ? { busyPollAdaptive: false } : {}),
    fsname: base.fsname ?? cli.example,
    subtype: base.subtype ?? 'rxfuse',
    options: [...(base.options ?? []), ...cli.options],
    debug: cli.debug || base.debug,
    ...(cli.noPassthrough ? { passthrough: false } : {}),
  });
  fuse.errors$.subscribe((e) => {
    process.stderr.write(`rxfuse: ${e.kind} ${e.op ?? ''} ino=${e.ino ?? '-'} errno=${e.errno}: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}\n`);
  });
  // Checked (and made, with --mkdir) before the example opens anything; removed again if the mount fails.
  const mountpoint = checkMountpoint(cli.mountpoint, { mkdir: cli.mkdir, stack: cli.stack });
  try {
    await ex.setup(fuse, cli.args);
  } catch (e) {
    mountpoint.undo();
    throw e;
  }
  const closed = new Promise<void>((resolve) => fuse.closed$.subscribe({ complete: resolve }));
  const stop = (): void => {
    fuse.close();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // --stats: the registry's figures on SIGUSR1 and once more at exit (then with the lookups the
  // kernel still held when the session closed, which it never forgets).
  let dropped: { inodes: number; lookups: number } | undefined;
  const printStats = (): void => {
    const line = { ...fuse.stats(), memory: process.memoryUsage(), ...(dropped ? { droppedInodes: dropped.inodes, droppedLookups: dropped.lookups } : {}) };
    process.stderr.write(`rxfuse-stats: ${JSON.stringify(line)}\n`);
  };
  if (cli.stats) {
    process.on('SIGUSR1', printStats);
    fuse.inodes.dropped$.subscribe((list) => {
      dropped = { inodes: list.length, lookups: list.reduce((n, d) => n + d.lookups, 0) };
    });
  }
  try {
    await fuse.mount(mountpoint.path);
  } catch (e) {
    mountpoint.undo();
    throw e;
  }
  process.stdout.write(`mounted ${fuse.mountpoint}\n`);
  await closed;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (cli.stats) {
    process.off('SIGUSR1', printStats);
    printStats();
  }
  ex.teardown?.();
  return 0;
}
