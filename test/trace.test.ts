// The event tap and its exporters, through real mounts: text, JSON lines, the Chrome trace (parsed
// back), OpenTelemetry spans (in-memory exporter), the summary and the histogram, and the trace
// example end to end through the rxfuse command.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Subject } from 'rxjs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as otelApi from '@opentelemetry/api';
import * as sinon from 'sinon';
import {
  chromeExporter, FuseError, histogramHtml, jsonlExporter, jsonLine, jsonRecord, LatencyHistogram, liveSummary, OPS,
  otelExporter, quoteBytes, textExporter, textLine, trace, traceRecords, type TraceRecord, TraceSummary, writeHistogram,
} from '../lib';
import { parseArgs } from '../lib/cli';
import { loadOtelApi, openFlags } from '../lib/trace';
import { forceUnmount, py, sh, until, withMount } from './helpers';
import { mountTestFs, type MountedTestFs } from './fixtures/testfs';

const ROOT_DIR = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT_DIR, 'bin', 'rxfuse.js');
const { S_IFREG, S_IFDIR } = fs.constants;

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A client run: mkdir, create+write, stat, read, a failed lookup of a non-UTF-8 name, ENOTEMPTY, rename, list, unlink, rmdir. */
const CLIENT = `
import os, sys, json
m = sys.argv[1]
os.umask(0o022)
out = {'pid': os.getpid()}
def err(f):
    try:
        f()
        return 0
    except OSError as e:
        return e.errno
d = os.path.join(m, 'd')
os.mkdir(d)
fd = os.open(os.path.join(d, 'f'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b'hello')
os.close(fd)
st = os.stat(os.path.join(d, 'f'))
out['size'] = st.st_size
out['mode'] = st.st_mode
with open(os.path.join(d, 'f'), 'rb') as f:
    out['data'] = f.read().decode()
out['enoent'] = err(lambda: os.stat(os.path.join(m.encode(), b'bad\\x01\\xff')))
out['enotempty'] = err(lambda: os.rmdir(d))
os.rename(os.path.join(d, 'f'), os.path.join(d, 'g'))
out['list'] = sorted(os.listdir(d))
os.unlink(os.path.join(d, 'g'))
os.rmdir(d)
print(json.dumps(out))
`;

interface ClientResult {
  pid: number;
  size: number;
  mode: number;
  data: string;
  enoent: number;
  enotempty: number;
  list: string[];
}

async function client(dir: string): Promise<ClientResult> {
  const r = await py(CLIENT, [dir]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ClientResult;
}

/** Asserts that `lines` contain a match of each pattern, in this order; returns the matches. */
function inOrder(lines: readonly string[], patterns: readonly RegExp[]): RegExpMatchArray[] {
  const found: RegExpMatchArray[] = [];
  let i = 0;
  for (const p of patterns) {
    for (;;) {
      assert.ok(i < lines.length, `no line matching ${p} (in order) in:\n${lines.join('\n')}`);
      const m = lines[i++].match(p);
      if (m) {
        found.push(m);
        break;
      }
    }
  }
  return found;
}

const waitFor = (cond: () => boolean, ms: number, what: string): Promise<void> => until(what, cond, ms);

function isMounted(dir: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
}

function record(over: Partial<TraceRecord> & Pick<TraceRecord, 'op' | 'duration'>): TraceRecord {
  return { seq: 1, ino: 1, args: {}, pid: 42, uid: 0, gid: 0, start: 0, errno: 0, ...over };
}

describe('trace', function () {
  this.timeout(60000);

  describe('rendering (unit)', function () {
    it('quotes names safely: controls, invalid UTF-8, bidi overrides, quotes; keeps printable UTF-8', function () {
      assert.equal(quoteBytes(Buffer.from('plain.txt')), '"plain.txt"');
      assert.equal(quoteBytes(Buffer.from('caf\u00e9 \u65e5\u672c')), '"caf\u00e9 \u65e5\u672c"');
      assert.equal(quoteBytes(Buffer.from('a"b\\c\nd\te')), '"a\\"b\\\\c\\nd\\te"');
      assert.equal(quoteBytes(Buffer.from([0x62, 0x61, 0x64, 0x01, 0xff])), '"bad\\x01\\xff"');
      assert.equal(quoteBytes(Buffer.from('\x1b[31mred')), '"\\x1b[31mred"');
      assert.equal(quoteBytes(Buffer.from('x\u202eexe.txt')), '"x\\u{202e}exe.txt"');
      assert.equal(quoteBytes(Buffer.from('\u0085')), '"\\u{85}"');
    });

    it('writes names losslessly in JSON: UTF-8 as strings, anything else as base64', function () {
      const r = record({ op: 'lookup', duration: 0.01, name: Buffer.from([0x66, 0xff]), args: { newName: Buffer.from('ok') } });
      const j = JSON.parse(JSON.stringify(jsonRecord(r))) as { name: { base64: string }; args: { newName: string } };
      assert.deepEqual(Buffer.from(j.name.base64, 'base64'), Buffer.from([0x66, 0xff]));
      assert.equal(j.args.newName, 'ok');
    });

    it('writes JSON lines exactly as JSON.stringify would', function () {
      const samples: TraceRecord[] = [
        record({ op: 'lookup', duration: 0.0123456, name: Buffer.from('plain'), reply: { ino: 5, mode: 0o100644, size: 3 } }),
        record({ op: 'lookup', duration: 1, name: Buffer.from('a"b\\ \u00e9\n'), errno: 2, error: 'ENOENT', comm: 'we"ird\n' }),
        record({ op: 'rename', duration: 2.5, name: Buffer.from([0xff, 0x00]), args: { newParent: 3, newName: Buffer.from('x'), flags: 0 } }),
        record({ op: 'write', duration: 0, args: { fh: 1, offset: 2 ** 40, size: 7, writepage: true }, reply: { bytes: 7 } }),
        record({ op: 'setattr', duration: 0.5, args: { valid: 48, atime: 'now', mtime: '12.000000005' } }),
        record({ op: 'forget', duration: 0, errno: undefined, args: { nlookup: 1 } }),
      ];
      for (const r of samples) assert.equal(jsonLine(r), JSON.stringify(jsonRecord(r)));
    });

    it('renders open flags and modes as strace does', function () {
      const c = fs.constants;
      assert.equal(openFlags(c.O_WRONLY | c.O_CREAT | c.O_TRUNC), 'O_WRONLY|O_CREAT|O_TRUNC');
      assert.equal(openFlags(c.O_RDONLY), 'O_RDONLY');
      assert.equal(openFlags(c.O_RDWR | c.O_SYNC), 'O_RDWR|O_SYNC');
      const line = textLine(record({ op: 'mkdir', duration: 0.0226, name: Buffer.from('d'), args: { mode: 0o755 }, reply: { ino: 7, mode: S_IFDIR | 0o755, size: 0 } }));
      assert.match(line, /^\d\d:\d\d:\d\d\.\d{6} \?\[42\] mkdir\(1, "d", mode=0755\) = \{ino=7 mode=040755 size=0\} <0\.000023>$/);
      assert.match(textLine(record({ op: 'forget', duration: 0, pid: 0, errno: undefined, args: { nlookup: 2 } })), / kernel\[0\] forget\(1, nlookup=2\)$/);
      assert.match(textLine(record({ op: 'forgetMulti', ino: 0, duration: 0, pid: 0, errno: undefined, args: { count: 3 } })), / kernel\[0\] forgetMulti\(count=3\)$/);
      assert.match(textLine(record({ op: 'read', duration: 5, errno: undefined, error: 'unanswered' })), / = \? unanswered <0\.005000>$/);
    });
  });

  describe('summary and histogram (unit)', function () {
    it('gives percentiles by nearest rank within 1/128, exact min and max', function () {
      const h = new LatencyHistogram();
      for (let i = 1000; i >= 1; i--) h.record(i / 100);  // 0.01 .. 10 ms, in any order
      assert.equal(h.count, 1000);
      assert.equal(h.min, 0.01);
      assert.equal(h.max, 10);
      for (const [p, exact] of [[50, 5], [90, 9], [99, 9.9], [100, 10], [0.1, 0.01]] as const) {
        const v = h.percentile(p);
        assert.ok(Math.abs(v - exact) <= exact / 128, `p${p}: ${v} vs ${exact}`);
      }
      assert.ok(Math.abs(h.mean - 5.005) < 1e-9);
      const small = new LatencyHistogram();
      for (const v of [0.000050, 0.000100, 0.000127]) small.record(v);  // 50, 100, 127 ns: exact buckets
      assert.equal(small.percentile(50), 0.0001);
      assert.equal(small.percentile(1), 0.00005);
      assert.ok(Number.isNaN(new LatencyHistogram().percentile(50)));
      const big = new LatencyHistogram();
      big.record(3 * 3600 * 1000);  // 3 hours: beyond 2^32 ns
      assert.ok(Math.abs(big.percentile(50) - 3 * 3600 * 1000) <= 3 * 3600 * 1000 / 128);
    });

    it('counts per op, errors, and keeps requests without a reply out of the latencies', function () {
      const s = new TraceSummary(0);  // traced from 0 ms
      for (let i = 1; i <= 100; i++) s.add(record({ op: 'getattr', start: i, duration: i / 1000 }));
      for (let i = 0; i < 10; i++) s.add(record({ op: 'lookup', start: 50, duration: 1, errno: 2, error: 'ENOENT' }));
      s.add(record({ op: 'forget', start: 60, duration: 0, errno: undefined }));
      const stats = s.stats();
      assert.deepEqual(stats.map((x) => [x.op, x.count, x.errors]), [['getattr', 100, 0], ['lookup', 10, 10], ['forget', 1, 0], ['total', 111, 10]]);
      const g = stats[0];
      assert.ok(Math.abs(g.p50 - 0.05) <= 0.05 / 128 && Math.abs(g.p90 - 0.09) <= 0.09 / 128 && Math.abs(g.p99 - 0.099) <= 0.099 / 128);
      assert.equal(g.max, 0.1);
      assert.ok(Number.isNaN(stats[2].p50), 'forget has no latency');
      assert.equal(s.all.count, 110);
      // 111 requests traced from 0 to 500 ms (the requests came in the first 100.1 ms): 222/s, not 111/0.0991 s.
      const rates = s.stats(500);
      assert.equal(rates[3].rate, 222);
      assert.equal(rates[0].rate, 200);
      assert.match(s.headline(500), /^111 requests in 0\.500 s traced \(222\.0\/s\), 10 errors; /);
      s.end(1000);
      s.end(2000);  // the first end counts
      assert.equal(s.seconds(), 1);
      assert.equal(s.stats()[3].rate, 111);
      const table = s.table();
      assert.match(table[0], /^op\s+count\s+ops\/s\s+errors\s+p50\s+p90\s+p99\s+max$/);
      assert.match(table[1], /^getattr\s+100\s+[\d.]+\s+0\s+(49|50)\.\dµs\s+(89|90)\.\dµs\s+(98|99)\.\dµs\s+100µs$/);
    });

    it('shows a live summary: redrawn in place on a terminal, plain lines otherwise, the final table at the end', async function () {
      for (const tty of [true, false]) {
        let written = '';
        const stream = { write: (s: string) => ((written += s), true) } as unknown as NodeJS.WritableStream;
        const records = new Subject<TraceRecord>();
        liveSummary(records, { stream, tty, interval: 20 });
        for (let i = 0; i < 5; i++) records.next(record({ op: 'read', start: performance.now(), duration: 0.2 }));
        await new Promise((r) => setTimeout(r, 70));
        records.next(record({ op: 'write', start: performance.now(), duration: 0.3 }));
        await new Promise((r) => setTimeout(r, 50));
        records.complete();
        if (tty) {
          assert.match(written, /\x1b\[\d+F\x1b\[J/, 'moves back over the previous drawing');
          assert.match(written, /^rxfuse trace: 5 requests/m);
        } else {
          assert.doesNotMatch(written, /\x1b/);
          assert.match(written, /^rxfuse trace: \+5 \([\d.]+\/s\), 5 requests; read 5 p50 200µs p99 200µs$/m);
          assert.match(written, /^rxfuse trace: \+1 \([\d.]+\/s\), 6 requests; read 5 .*; write 1 /m);
        }
        assert.match(written, /^(\x1b\[\d+F\x1b\[J)?rxfuse trace summary: 6 requests in [\d.]+ s traced \([\d.]+\/s\), 0 errors;/m);
        assert.match(written, /^read\s+5\s/m);
        assert.match(written, /^total\s+6\s/m);
      }
    });

    it('the final summary divides by the time traced (subscription to stop), not by the span of the requests', async function () {
      let written = '';
      const stream = { write: (s: string) => ((written += s), true) } as unknown as NodeJS.WritableStream;
      const records = new Subject<TraceRecord>();
      const begun = performance.now();
      const live = liveSummary(records, { stream, tty: false, interval: 0 });
      for (let i = 0; i < 4; i++) records.next(record({ op: 'getattr', start: performance.now(), duration: 0.01 }));
      await new Promise((r) => setTimeout(r, 300));  // an idle mount: still traced
      live.stop();
      const traced = (performance.now() - begun) / 1000;
      const m = /^rxfuse trace summary: 4 requests in ([\d.]+) s traced \(([\d.]+)\/s\)/m.exec(written);
      assert.ok(m, written);
      const secs = Number(m[1]);
      assert.ok(secs >= 0.29 && secs <= traced + 0.001, `${secs} s traced, ${traced} s elapsed`);
      assert.equal(m[2], (4 / live.summary.seconds()).toFixed(1));
      const total = written.split('\n').find((l) => l.startsWith('total '));
      assert.equal(total?.split(/\s+/)[2], (4 / live.summary.seconds()).toFixed(1), 'the table\'s ops/s');
    });

    it('writes the latency histogram as a well-formed, self-contained SVG or HTML file', async function () {
      const s = new TraceSummary();
      for (let i = 1; i <= 500; i++) s.add(record({ op: 'getattr', start: i, duration: 0.01 + (i % 50) / 1000 }));
      for (let i = 1; i <= 50; i++) s.add(record({ op: 'read', start: i, duration: 0.5 + i / 100 }));
      const dir = tmp('rxfuse-hist-');
      try {
        const svg = path.join(dir, 'latency.svg');
        const html = path.join(dir, 'latency.html');
        writeHistogram(svg, s, { title: 'a <b> & "c"' });
        writeHistogram(html, s);
        // Parsed by an XML parser (well-formed), and nothing loaded from elsewhere.
        const check = await py(`
import sys, xml.etree.ElementTree as E
ns = {'s': 'http://www.w3.org/2000/svg', 'h': 'http://www.w3.org/1999/xhtml'}
svg = E.parse(sys.argv[1]).getroot()
assert svg.tag == '{http://www.w3.org/2000/svg}svg', svg.tag
panels = [g.get('data-op') for g in svg.iter('{http://www.w3.org/2000/svg}g')]
bars = len(svg.findall('.//s:rect', ns))
page = E.parse(sys.argv[2]).getroot()
rows = [tr.find('h:td', ns).text for tr in page.iter('{http://www.w3.org/1999/xhtml}tr') if tr.find('h:td', ns) is not None]
inner = page.findall('.//s:svg', ns)
print(panels, bars, rows, len(inner))
`, [svg, html]);
        assert.equal(check.code, 0, check.stderr);
        assert.match(check.stdout, /^\['all requests', 'getattr', 'read'\] (\d+) \['getattr', 'read', 'total'\] 1$/m);
        assert.ok(Number(/\] (\d+) \[/.exec(check.stdout)?.[1]) > 5, 'bars drawn');
        for (const f of [svg, html]) {
          const text = fs.readFileSync(f, 'utf8');
          assert.doesNotMatch(text, /href|<script|url\(|@import/);
        }
        assert.match(fs.readFileSync(svg, 'utf8'), /a &lt;b&gt; &amp; &quot;c&quot;/);
        assert.match(histogramHtml(s), /<td>getattr<\/td><td>500<\/td>/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the tap on a real mount', function () {
    let m: MountedTestFs | undefined;
    const out = tmp('rxfuse-trace-out-');

    afterEach(async function () {
      await m?.unmount();
      m = undefined;
    });
    after(function () {
      fs.rmSync(out, { recursive: true, force: true });
    });

    it('changes no reply: the client sees the same results traced and untraced', async function () {
      m = await mountTestFs();
      const plain = await client(m.dir);
      const records: TraceRecord[] = [];
      const sub = traceRecords(m.fuse).subscribe((r) => records.push(r));
      const traced = await client(m.dir);
      sub.unsubscribe();
      assert.deepEqual({ ...traced, pid: 0 }, { ...plain, pid: 0 });
      assert.deepEqual({ ...plain, pid: 0 }, {
        pid: 0, size: 5, mode: S_IFREG | 0o644, data: 'hello', enoent: 2, enotempty: 39, list: ['g'],
      });
      assert.ok(records.length > 10);
      assert.deepEqual(m.errors, []);
    });

    it('records each request: op, inode, names, arguments, errno, reply, pid and command, times', async function () {
      m = await mountTestFs();
      const records: TraceRecord[] = [];
      const sub = traceRecords(m.fuse).subscribe((r) => records.push(r));
      const t0 = performance.now();
      const res = await client(m.dir);
      const t1 = performance.now();
      sub.unsubscribe();
      const mine = records.filter((r) => r.pid === res.pid);
      assert.ok(mine.every((r) => r.comm?.startsWith('python3')), 'command name of the client');
      for (const r of records) {
        assert.ok(OPS.includes(r.op));
        assert.ok(r.start >= t0 && r.start + r.duration <= t1 + 1, `${r.op} within the client's run`);
        assert.ok(r.duration >= 0);
      }
      assert.equal(new Set(records.map((r) => r.seq)).size, records.length, 'one record per request');
      const mkdir = mine.find((r) => r.op === 'mkdir');
      assert.ok(mkdir && mkdir.ino === 1 && mkdir.name?.equals(Buffer.from('d')) && mkdir.errno === 0);
      const d = mkdir.reply?.ino as number;
      assert.ok(d > 1);
      assert.equal((mkdir.reply?.mode as number) & fs.constants.S_IFMT, S_IFDIR);
      const create = mine.find((r) => r.op === 'create');
      assert.ok(create && create.ino === d && create.name?.toString() === 'f');
      assert.equal((create.args.flags as number) & 3, fs.constants.O_WRONLY);
      const f = create.reply?.ino as number;
      const write = mine.find((r) => r.op === 'write');
      assert.ok(write && write.ino === f);
      assert.deepEqual([write.args.offset, write.args.size, write.reply?.bytes], [0, 5, 5]);
      const read = mine.find((r) => r.op === 'read' && r.ino === f);
      assert.equal(read?.reply?.bytes, 5);
      const bad = mine.find((r) => r.op === 'lookup' && r.errno !== 0 && r.name?.equals(Buffer.from([0x62, 0x61, 0x64, 0x01, 0xff])));
      assert.ok(bad, 'the failed lookup of the non-UTF-8 name');
      assert.deepEqual([bad.errno, bad.error], [2, 'ENOENT']);
      const notEmpty = mine.find((r) => r.op === 'rmdir' && r.errno !== 0);
      assert.deepEqual([notEmpty?.ino, notEmpty?.name?.toString(), notEmpty?.error], [1, 'd', 'ENOTEMPTY']);
      const rename = mine.find((r) => r.op === 'rename');
      assert.deepEqual([rename?.ino, rename?.name?.toString(), rename?.args.newParent, (rename?.args.newName as Buffer).toString(), rename?.errno],
        [d, 'f', d, 'g', 0]);
      assert.ok(mine.some((r) => (r.op === 'readdir' || r.op === 'readdirplus') && r.ino === d && typeof r.reply?.entries === 'number'));
      assert.ok(mine.some((r) => r.op === 'unlink' && r.name?.toString() === 'g' && r.errno === 0));
    });

    it('records rxfuse\'s own answers (timeout) and the requests still in flight at unmount', async function () {
      const records: TraceRecord[] = [];
      let completed = false;
      let arrived = 0;
      // The never-answered requests are held, as a slow handler holds its request: otherwise the
      // garbage collector may take them first and rxfuse answers EIO (dropped), not the timeout.
      const held: unknown[] = [];
      await withMount((fuse) => {
        fuse.handleAll({
          lookup: (req) => {
            arrived++;
            if (req.nameKey === 'slow') return new Promise(() => held.push(req));  // never answered
            throw new FuseError('ENOENT');
          },
          getattr: () => ({ ino: 1, mode: S_IFDIR | 0o755, nlink: 2 }),
        });
        fuse.errors$.subscribe(() => undefined);  // the timeout is expected
        traceRecords(fuse).subscribe({ next: (r) => records.push(r), complete: () => (completed = true) });
      }, async (mt) => {
        const c1 = sh('stat', [mt.path('slow')], { timeout: 20000 });  // answered ETIMEDOUT by rxfuse
        const r1 = await c1;
        assert.notEqual(r1.code, 0);
        const timedOut = records.find((r) => r.op === 'lookup' && r.name?.toString() === 'slow');
        assert.deepEqual([timedOut?.errno, timedOut?.error], [os.constants.errno.ETIMEDOUT, 'ETIMEDOUT']);
        assert.ok((timedOut?.duration ?? 0) >= 200);
      }, { requestTimeout: 300 });
      assert.ok(completed, 'the stream completes when the mount is gone');

      // In flight at unmount: reported then, as unanswered.
      const hung: TraceRecord[] = [];
      let waiter: ChildProcess | undefined;
      await withMount((fuse) => {
        fuse.handle('lookup', (req) => {
          arrived++;
          if (req.nameKey === 'slow') return new Promise(() => held.push(req));
          throw new FuseError('ENOENT');
        });
        traceRecords(fuse).subscribe((r) => hung.push(r));
      }, async (mt) => {
        const before = arrived;
        waiter = spawn('stat', [mt.path('slow')], { stdio: 'ignore' });
        await waitFor(() => arrived > before, 10000, 'the lookup');
        assert.equal(hung.length, 0);
      });
      waiter?.kill('SIGKILL');
      const u = hung.find((r) => r.op === 'lookup' && r.name?.toString() === 'slow');
      assert.deepEqual([u?.errno, u?.error], [undefined, 'unanswered']);
    });

    it('text: one strace-like line per request, matching what the client did', async function () {
      m = await mountTestFs();
      const file = path.join(out, 'trace.txt');
      const t = trace(m.fuse, { format: 'text', out: file });
      const res = await client(m.dir);
      await m.unmount();
      await t.done;
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      for (const l of lines) assert.match(l, /^\d\d:\d\d:\d\d\.\d{6} \S+\[\d+\] [a-zA-Z]+\(.*\)( = .* <\d+\.\d{6}>)?$/);
      const who = new RegExp(`^\\S+ python3\\S*\\[${res.pid}\\] `);
      const mine = lines.filter((l) => who.test(l)).map((l) => l.replace(who, ''));
      const [, mk] = inOrder(mine, [
        /^lookup\(1, "d"\) = -1 ENOENT </,
        /^mkdir\(1, "d", mode=0\d+\) = \{ino=(\d+) mode=040\d+ size=\d+\} </,
      ]);
      const d = mk[1];
      const [cr] = inOrder(mine, [new RegExp(`^create\\(${d}, "f", mode=0100644, flags=O_WRONLY[^)]*\\) = \\{ino=(\\d+) mode=0100644 size=0 fh=\\d+\\} <`)]);
      const f = cr[1];
      inOrder(mine, [
        new RegExp(`^write\\(${f}, fh=\\d+, offset=0, size=5\\) = \\{bytes=5\\} <`),
        new RegExp(`^read\\(${f}, fh=\\d+, offset=0, size=\\d+\\) = \\{bytes=5\\} <`),
        /^lookup\(1, "bad\\x01\\xff"\) = -1 ENOENT </,
        /^rmdir\(1, "d"\) = -1 ENOTEMPTY </,
        new RegExp(`^rename\\(${d}, "f", newParent=${d}, newName="g", flags=0\\) = 0 <`),
        new RegExp(`^readdir(plus)?\\(${d}, fh=\\d+, offset=0, size=\\d+\\) = \\{entries=\\d+\\} <`),
        new RegExp(`^unlink\\(${d}, "g"\\) = 0 <`),
        /^rmdir\(1, "d"\) = 0 </,
      ]);
    });

    it('jsonl: one parseable JSON object per request', async function () {
      m = await mountTestFs();
      const file = path.join(out, 'trace.jsonl');
      const exporter = jsonlExporter(file);
      traceRecords(m.fuse).subscribe(exporter);
      const t0 = Date.now();
      const res = await client(m.dir);
      await m.unmount();  // completes the stream: the exporter closes the file
      const objs = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(objs.length > 10);
      for (const o of objs) {
        assert.equal(typeof o.seq, 'number');
        assert.ok(OPS.includes(o.op as never));
        assert.ok((o.duration as number) >= 0);
        assert.ok(Number.isInteger(o.time) && Math.abs((o.time as number) / 1000 - t0) < 60000, 'epoch µs');
        assert.equal(typeof o.args, 'object');
      }
      const mine = objs.filter((o) => o.pid === res.pid);
      assert.ok(mine.every((o) => String(o.comm).startsWith('python3')));
      const bad = mine.find((o) => o.op === 'lookup' && o.error === 'ENOENT' && typeof o.name === 'object');
      assert.deepEqual(Buffer.from((bad?.name as { base64: string }).base64, 'base64'), Buffer.from([0x62, 0x61, 0x64, 0x01, 0xff]));
      assert.equal(bad?.errno, 2);
      const write = mine.find((o) => o.op === 'write') as { args: { offset: number; size: number }; reply: { bytes: number } };
      assert.deepEqual([write.args.offset, write.args.size, write.reply.bytes], [0, 5, 5]);
      const rename = mine.find((o) => o.op === 'rename') as { name: string; args: { newName: string } };
      assert.deepEqual([rename.name, rename.args.newName], ['f', 'g']);
    });

    it('chrome: a valid trace document, events in start order, non-overlapping per track', async function () {
      m = await mountTestFs({}, {}, (t) => {
        t.add('big', S_IFREG | 0o644, Buffer.alloc(2 << 20, 7));
        t.add('c1', S_IFDIR | 0o755);
        t.add('c2', S_IFDIR | 0o755);
      });
      const file = path.join(out, 'trace.json');
      const t = trace(m.fuse, { format: 'chrome', out: file });
      // Two clients at once, and a big read (readahead: reads of one process in flight together).
      const [a, b, cat] = await Promise.all([client(m.path('c1')), client(m.path('c2')), sh('sh', ['-c', `exec cat ${m.path('big')} > /dev/null`])]);
      assert.equal(cat.code, 0, cat.stderr);
      await m.unmount();
      await t.done;
      const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: Record<string, unknown>[]; displayTimeUnit: string };
      assert.ok(Array.isArray(doc.traceEvents));
      const meta = doc.traceEvents.filter((e) => e.ph === 'M');
      const events = doc.traceEvents.filter((e) => e.ph === 'X');
      assert.equal(meta.length + events.length, doc.traceEvents.length, 'only metadata and complete events');
      assert.ok(events.length > 20);
      let last = -Infinity;
      for (const e of events) {
        assert.ok(OPS.includes(e.name as never), String(e.name));
        assert.equal(e.cat, 'fuse');
        assert.ok(typeof e.ts === 'number' && e.ts >= last, 'ts monotonic');
        last = e.ts as number;
        assert.ok(typeof e.dur === 'number' && e.dur >= 0);
        assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid));
        assert.equal(typeof (e.args as { seq: unknown }).seq, 'number');
      }
      const seqs = events.map((e) => (e.args as { seq: number }).seq);
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'in arrival order');
      // Complete events on one track must not overlap (they would show as wrongly nested).
      const ends = new Map<string, number>();
      for (const e of events) {
        const k = `${String(e.pid)}/${String(e.tid)}`;
        assert.ok((ends.get(k) ?? -Infinity) <= (e.ts as number) + 1e-9, `overlap on track ${k}`);
        ends.set(k, (e.ts as number) + (e.dur as number));
      }
      for (const pid of [a.pid, b.pid]) {
        const name = meta.find((e) => e.name === 'process_name' && e.pid === pid);
        assert.match(String((name?.args as { name: string }).name), /^python3/);
        const names = new Set(events.filter((e) => e.pid === pid).map((e) => e.name));
        for (const op of ['lookup', 'mkdir', 'create', 'write', 'read', 'rename', 'unlink', 'rmdir']) assert.ok(names.has(op), `${op} of ${pid}`);
      }
      const failed = events.find((e) => e.name === 'rmdir' && (e.args as { error?: string }).error === 'ENOTEMPTY');
      assert.equal((failed?.args as { name: string }).name, 'd');
      const reads = events.filter((e) => e.name === 'read' && (e.args as { comm?: string }).comm === 'cat');
      assert.equal(reads.reduce((n, e) => n + ((e.args as { reply?: { bytes: number } }).reply?.bytes ?? 0), 0), 2 << 20, 'cat read the whole file');
    });

    it('chrome: the document is closed properly when the process exits with the mount still up', async function () {
      const file = path.join(out, 'exit.json');
      const dir = tmp('rxfuse-trace-exit-');
      const script = `
const { Fuse, trace } = require(${JSON.stringify(path.join(ROOT_DIR, 'dist', 'lib'))});
const hello = require(${JSON.stringify(path.join(ROOT_DIR, 'dist', 'examples', 'hello'))}).default;
const fuse = new Fuse({});
hello.setup(fuse, []);
trace(fuse, { format: 'chrome', out: process.argv[2], histogram: process.argv[2] + '.svg' });
fuse.mount(process.argv[1]).then(() => {
  require('child_process').execFile('cat', [process.argv[1] + '/hello'], { timeout: 10000 }, () => process.exit(0));
});`;
      try {
        const r = await sh(process.execPath, ['-e', script, dir, file], { timeout: 20000 });
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: { name: string; ph: string }[] };
        assert.ok(doc.traceEvents.some((e) => e.name === 'read' && e.ph === 'X'));
        assert.match(fs.readFileSync(file + '.svg', 'utf8'), /<\/svg>\n$/);
        await waitFor(() => !isMounted(dir), 10000, 'auto_unmount');
      } finally {
        await forceUnmount(undefined, dir);
      }
    });

    it('otel: one span per request through @opentelemetry/api, captured by an in-memory exporter', async function () {
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
      m = await mountTestFs();
      const records: TraceRecord[] = [];
      const tap = traceRecords(m.fuse);
      tap.subscribe((r) => records.push(r));
      tap.subscribe(otelExporter({ tracer: provider.getTracer('test') }));
      const before = Date.now();
      const res = await client(m.dir);
      // The default tracer: @opentelemetry/api's global provider.
      assert.ok(otelApi.trace.setGlobalTracerProvider(provider));
      const viaGlobal = traceRecords(m.fuse).subscribe(otelExporter());
      const stat = await sh('stat', [m.path('nothing')]);
      assert.notEqual(stat.code, 0);
      const after = Date.now();
      viaGlobal.unsubscribe();
      otelApi.trace.disable();
      await m.unmount();
      const spans = memory.getFinishedSpans();
      const testSpans = spans.filter((s) => s.instrumentationScope.name === 'test');
      assert.ok(records.length > 10);
      assert.equal(testSpans.length, records.length, 'one span per record');
      for (const s of testSpans) {
        assert.match(s.name, /^fuse\.[a-zA-Z]+$/);
        assert.equal(s.kind, otelApi.SpanKind.SERVER);
        const start = s.startTime[0] * 1000 + s.startTime[1] / 1e6;
        const end = s.endTime[0] * 1000 + s.endTime[1] / 1e6;
        assert.ok(start >= before - 5 && end <= after + 5 && end >= start, `${s.name} times: ${start} ${end} not within ${before} ${after}`);
      }
      const bad = testSpans.find((s) => s.name === 'fuse.lookup' && s.attributes['fuse.name'] === '"bad\\x01\\xff"');
      assert.ok(bad, 'the failed lookup, its name rendered safely');
      assert.deepEqual([bad.status.code, bad.status.message, bad.attributes['fuse.errno']], [otelApi.SpanStatusCode.ERROR, 'ENOENT', 2]);
      assert.equal(bad.attributes['process.pid'], res.pid);
      assert.match(String(bad.attributes['process.command']), /^python3/);
      const write = testSpans.find((s) => s.name === 'fuse.write');
      assert.deepEqual([write?.attributes['fuse.offset'], write?.attributes['fuse.size'], write?.attributes['fuse.reply.bytes']], [0, 5, 5]);
      assert.equal(write?.status.code, otelApi.SpanStatusCode.UNSET);
      const global = spans.filter((s) => s.instrumentationScope.name === 'rxfuse');
      assert.ok(global.some((s) => s.name === 'fuse.lookup' && s.attributes['fuse.name'] === 'nothing' && s.status.message === 'ENOENT'));
    });

    it('otel: a clear error when @opentelemetry/api is not installed', function () {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Module = require('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
      const real = Module._resolveFilename;
      const stub = sinon.stub(Module, '_resolveFilename').callsFake((request: string, ...rest: unknown[]) => {
        if (request === '@opentelemetry/api') throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
        return real.call(Module, request, ...rest);
      });
      const cached = Object.keys(require.cache).filter((k) => k.includes(`${path.sep}@opentelemetry${path.sep}api${path.sep}`));
      const saved = cached.map((k) => [k, require.cache[k]] as const);
      for (const k of cached) delete require.cache[k];
      try {
        assert.throws(() => loadOtelApi(), /needs @opentelemetry\/api, an optional peer dependency: npm install @opentelemetry\/api/);
        assert.throws(() => otelExporter(), /npm install @opentelemetry\/api/);
        assert.doesNotThrow(() => otelExporter({ tracer: { startSpan: () => ({ setStatus: () => undefined, end: () => undefined }) } }));
      } finally {
        stub.restore();
        for (const [k, v] of saved) require.cache[k] = v;
      }
    });

    it('several exporters on one tap see the same records', async function () {
      m = await mountTestFs();
      const file = path.join(out, 'both.jsonl');
      const text = path.join(out, 'both.txt');
      const tap = traceRecords(m.fuse);
      tap.subscribe(jsonlExporter(file));
      const exporter = textExporter(text);
      tap.subscribe(exporter);
      tap.subscribe(chromeExporter(path.join(out, 'both.json')));
      await client(m.dir);
      await m.unmount();
      const n = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
      assert.equal(fs.readFileSync(text, 'utf8').split('\n').filter(Boolean).length, n);
      const doc = JSON.parse(fs.readFileSync(path.join(out, 'both.json'), 'utf8')) as { traceEvents: { ph: string }[] };
      assert.equal(doc.traceEvents.filter((e) => e.ph === 'X').length, n);
    });
  });

  describe('the trace example (rxfuse trace)', function () {
    it('passes its --options through the command line', function () {
      const flags = (name: string): readonly string[] => (name === 'trace' ? ['--format', '--out'] : []);
      assert.deepEqual(parseArgs(['trace', '/src', 'mnt', '--format', 'jsonl', '--out=x.json', '-d'], flags), {
        example: 'trace', args: ['/src', '--format', 'jsonl', '--out', 'x.json'], mountpoint: 'mnt', options: [], debug: true, stats: false, mkdir: false, stack: false, noPassthrough: false,
      });
      assert.throws(() => parseArgs(['trace', '/src', 'mnt', '--bogus', 'x'], flags), /unknown option --bogus/);
      assert.throws(() => parseArgs(['hello', 'mnt', '--format', 'x'], flags), /unknown option --format/);
      assert.throws(() => parseArgs(['trace', '/src', 'mnt', '--out'], flags), /--out needs a value/);
    });

    /** Runs `rxfuse trace` until "mounted", lets `body` use the mount, then SIGTERM. */
    async function runTrace(args: readonly string[], body: (mnt: string) => Promise<void>): Promise<{ code: number | null; stdout: string; stderr: string; mnt: string }> {
      const mnt = tmp('rxfuse-trace-mnt-');
      // --no-passthrough: the reads and writes to trace must reach the daemon.
      const child = spawn(process.execPath, [BIN, 'trace', ...args.slice(0, 1), mnt, ...args.slice(1), '--no-passthrough'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await waitFor(() => stdout.includes('mounted ') || child.exitCode !== null, 15000, `mount (stderr: ${stderr})`);
        assert.ok(stdout.includes(`mounted ${mnt}`), stderr);
        await body(mnt);
        child.kill('SIGTERM');
        const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 15000))]);
        return { code, stdout, stderr, mnt };
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await forceUnmount(undefined, mnt);
      }
    }

    it('mirrors the source directory and writes a Chrome trace and a histogram; SIGTERM prints the summary', async function () {
      const src = tmp('rxfuse-trace-src-');
      const out = tmp('rxfuse-trace-files-');
      try {
        fs.writeFileSync(path.join(src, 'a.txt'), 'alpha\n');
        fs.mkdirSync(path.join(src, 'sub'));
        const file = path.join(out, 'trace.json');
        const svg = path.join(out, 'latency.html');
        let pid = 0;
        let idle = 0;  // seconds from "mounted" to the SIGTERM, at least
        const r = await runTrace([src, '--format', 'chrome', '--out', file, '--histogram', svg, '--interval', '0'], async (mnt) => {
          const mountedAt = performance.now();
          const c = await py(`
import os, sys, json
m = sys.argv[1]
data = open(os.path.join(m, 'a.txt')).read()
open(os.path.join(m, 'sub', 'new.txt'), 'w').write('beta')
try:
    os.stat(os.path.join(m, 'missing'))
except FileNotFoundError:
    pass
print(json.dumps({'pid': os.getpid(), 'data': data, 'list': sorted(os.listdir(m))}))
`, [mnt]);
          assert.equal(c.code, 0, c.stderr);
          const res = JSON.parse(c.stdout) as { pid: number; data: string; list: string[] };
          assert.deepEqual([res.data, res.list], ['alpha\n', ['a.txt', 'sub']]);
          pid = res.pid;
          await new Promise((r) => setTimeout(r, 1000));  // mounted and idle: still traced
          idle = (performance.now() - mountedAt) / 1000;
        });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(fs.readFileSync(path.join(src, 'sub', 'new.txt'), 'utf8'), 'beta', 'written through to the source');
        assert.ok(!isMounted(r.mnt), 'mount gone');
        // The rate is over the time traced (setup to unmount), which spans the idle second.
        const head = /^rxfuse trace summary: (\d+) requests in ([\d.]+) s traced \(([\d.]+)\/s\), [1-9]\d* errors;/m.exec(r.stderr);
        assert.ok(head, r.stderr);
        const [count, secs, rate] = [Number(head[1]), Number(head[2]), Number(head[3])];
        assert.ok(secs >= idle, `${secs} s traced, but mounted for ${idle} s`);
        assert.ok(Math.abs(rate - count / secs) <= 0.05 + count / secs * 0.001, `${rate}/s vs ${count} in ${secs} s`);
        assert.match(r.stderr, /^lookup\s+\d+\s/m);
        assert.match(r.stderr, /^total\s+\d+\s/m);
        assert.ok(r.stderr.includes(`trace written to ${file}`));
        assert.ok(r.stderr.includes(`latency histogram written to ${svg}`));
        const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: { name: string; ph: string; pid: number; args: Record<string, unknown> }[] };
        const mine = doc.traceEvents.filter((e) => e.ph === 'X' && e.pid === pid);
        for (const op of ['lookup', 'open', 'read', 'create', 'write', 'readdir']) {
          assert.ok(mine.some((e) => e.name === op || (op === 'readdir' && e.name === 'readdirplus')), `${op} in the trace`);
        }
        assert.ok(mine.some((e) => e.name === 'lookup' && e.args.name === 'missing' && e.args.error === 'ENOENT'));
        const page = await py('import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1]); print("ok")', [svg]);
        assert.equal(page.stdout.trim(), 'ok', page.stderr);
      } finally {
        fs.rmSync(src, { recursive: true, force: true });
        fs.rmSync(out, { recursive: true, force: true });
      }
    });

    it('prints text lines on stdout by default', async function () {
      const src = tmp('rxfuse-trace-src-');
      try {
        fs.writeFileSync(path.join(src, 'x'), 'x');
        const r = await runTrace([src, '--interval', '0'], async (mnt) => {
          const c = await sh('cat', [path.join(mnt, 'x')]);
          assert.equal(c.stdout, 'x');
        });
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.split('\n').filter((l) => / cat\[\d+\] /.test(l));
        inOrder(lines, [/ lookup\(1, "x"\) = \{ino=\d+ mode=0100\d+ size=1\} </, / open\(\d+, flags=O_RDONLY/, / read\(\d+, fh=\d+, offset=0, size=\d+\) = \{(bytes=1|maxBytes=\d+)\} </]);
        assert.match(r.stderr, /^rxfuse trace summary: /m);
      } finally {
        fs.rmSync(src, { recursive: true, force: true });
      }
    });
  });
});
