// trace: the passthrough mirror of a directory, with every request traced.
//   rxfuse trace <source-dir> <mountpoint> [--format text|jsonl|chrome] [--out file]
//                [--histogram file.svg|file.html] [--interval seconds]
// text and jsonl go to stdout unless --out says otherwise; chrome goes to rxfuse-trace.json by
// default (open it in ui.perfetto.dev or chrome://tracing). A live summary runs on stderr (redrawn on
// a terminal, a line per interval otherwise); the final summary is printed when the mount goes away.
// The filesystem is examples/passthrough's; the tracing is lib/trace, usable on any rxfuse mount.
import * as path from 'node:path';
import { type Fuse, trace, type Trace, type TraceFormat } from '../lib';
import { checkOutputFile } from '../lib/pathargs';
import type { Example } from './example';
import passthrough from './passthrough';

const FORMATS: readonly TraceFormat[] = ['text', 'jsonl', 'chrome'];
const USAGE = 'usage: rxfuse trace <source-dir> <mountpoint> [--format text|jsonl|chrome] [--out file] '
  + '[--histogram file.svg|file.html] [--interval seconds]';

interface Settings {
  source: string;
  format: TraceFormat;
  out: string;
  histogram?: string;
  interval?: number;
}

/** The example's args: the source directory, then the flags the command line passed on. */
function parse(args: readonly string[]): Settings {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--')) flags.set(args[i], args[++i]);
    else positional.push(args[i]);
  }
  if (positional.length !== 1) throw new Error(USAGE);
  const format = (flags.get('--format') ?? 'text') as TraceFormat;
  if (!FORMATS.includes(format)) throw new Error(`--format: one of ${FORMATS.join(', ')}\n${USAGE}`);
  const seconds = flags.get('--interval');
  const interval = seconds === undefined ? undefined : Number(seconds);
  if (interval !== undefined && !(interval >= 0)) throw new Error(`--interval: seconds, got ${seconds}`);
  const out = flags.get('--out') ?? (format === 'chrome' ? 'rxfuse-trace.json' : '-');
  if (out !== '-') checkOutputFile('--out', out);
  const histogram = flags.get('--histogram');
  if (histogram !== undefined) {
    if (!/\.(svg|html?)$/i.test(histogram)) throw new Error(`--histogram ${histogram}: give a .svg or .html file name`);
    checkOutputFile('--histogram', histogram);
  }
  return { source: positional[0], format, out, histogram, interval };
}

let running: { trace: Trace; settings: Settings } | undefined;

const example: Example = {
  description: 'mirrors a directory (as passthrough) and traces every request: text, JSON lines or a Chrome trace',
  usage: '<source-dir> [--format text|jsonl|chrome] [--out file] [--histogram file.svg|.html] [--interval s]',
  flags: ['--format', '--out', '--histogram', '--interval'],
  options: passthrough.options,
  async setup(fuse: Fuse, args: readonly string[]) {
    const settings = parse(args);
    await passthrough.setup(fuse, [settings.source]);
    // Opened now, before the mount: a trace file under the mountpoint would go to the directory
    // beneath it, never through the mount (which would trace its own writes).
    const t = trace(fuse, {
      format: settings.format,
      out: settings.out,
      summary: {
        interval: settings.interval === undefined ? undefined : settings.interval * 1000,
        // Trace lines on the same terminal would be erased by the redraw: plain lines then.
        tty: settings.out === '-' && process.stdout.isTTY ? false : undefined,
      },
      histogram: settings.histogram,
    });
    running = { trace: t, settings };
  },
  teardown() {
    if (!running) return;
    const { trace: t, settings } = running;
    t.close();
    if (settings.out !== '-') process.stderr.write(`trace written to ${path.resolve(settings.out)}\n`);
    if (settings.histogram) process.stderr.write(`latency histogram written to ${path.resolve(settings.histogram)}\n`);
    passthrough.teardown?.();
  },
};

export default example;
