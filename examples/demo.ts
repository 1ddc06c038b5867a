// demo: the showcase `npm run demo` runs. An overlay of the small tree shipped in
// examples/overlay/demo-lower (read-only) with a fresh upper directory in a temporary directory, every
// request traced: a live summary on the terminal, JSON lines and a latency histogram on disk.
//
//   rxfuse demo <mountpoint>        (npm run demo: at ./mnt; Ctrl-C unmounts)
//
// Try, in another terminal: ls -la mnt; cat mnt/hello.txt; echo hi >> mnt/hello.txt (a copy-up: the
// lower file stays as it was); rm mnt/docs/guide.txt (a whiteout in the upper); ls -la <upper>.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Fuse, trace, type Trace } from '../lib';
import type { Example } from './example';
import overlay from './overlay';

/** The lower tree: in the source checkout (tsc does not copy it to dist/). */
function lowerDir(): string {
  for (const dir of [path.join(__dirname, 'overlay', 'demo-lower'), path.join(__dirname, '..', '..', 'examples', 'overlay', 'demo-lower')]) {
    if (fs.existsSync(dir)) return dir;
  }
  throw new Error('demo: examples/overlay/demo-lower not found');
}

let running: { trace: Trace; work: string; upper: string; jsonl: string; histogram: string } | undefined;

const example: Example = {
  description: 'the showcase: an overlay of a shipped lower tree with a temporary upper, traced live',
  usage: '',
  options: overlay.options,
  setup(fuse: Fuse, args: readonly string[]) {
    if (args.length !== 0) throw new Error('usage: rxfuse demo <mountpoint>');
    const lower = lowerDir();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-demo-'));
    const upper = path.join(work, 'upper');
    fs.mkdirSync(upper);
    overlay.setup(fuse, [lower, upper]);
    const jsonl = path.join(work, 'trace.jsonl');
    const histogram = path.join(work, 'latency.html');
    const t = trace(fuse, { format: 'jsonl', out: jsonl, summary: true, histogram });
    running = { trace: t, work, upper, jsonl, histogram };
    fuse.init$.subscribe(() => {
      process.stderr.write(
        `rxfuse demo: overlay of ${lower}\n`
        + `  upper (writable): ${upper}\n`
        + `  try: ls -la ${fuse.mountpoint}; echo hi >> ${fuse.mountpoint}/hello.txt; rm ${fuse.mountpoint}/docs/guide.txt\n`
        + '  Ctrl-C unmounts.\n',
      );
    });
  },
  teardown() {
    if (!running) return;
    const r = running;
    r.trace.close();
    process.stderr.write(
      `trace written to ${r.jsonl}\n`
      + `latency histogram written to ${r.histogram}\n`
      + `upper directory kept at ${r.upper}\n`,
    );
  },
};

export default example;
