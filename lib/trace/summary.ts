// The summary of a trace: per-op counts, errors, rates and latency percentiles; and its live view,
// redrawn in place on a terminal, or written as one plain line per interval elsewhere (a log, a pipe).
import { performance } from 'node:perf_hooks';
import type { Observable, Subscription } from 'rxjs';
import type { OpName } from '../op-table';
import { human } from './format';
import { LatencyHistogram } from './latency';
import type { TraceRecord } from './record';

/** One op's figures (latencies in ms; requests without a reply count but have no latency). */
export interface OpStats {
  /** The op, or 'total' for all of them. */
  readonly op: OpName | 'total';
  /** Requests seen. */
  readonly count: number;
  /** Requests answered with an errno (or unanswered at unmount). */
  readonly errors: number;
  /** Requests per second over the time traced (see TraceSummary.seconds). */
  readonly rate: number;
  /** Mean latency in ms (NaN when none was answered). */
  readonly mean: number;
  /** Median latency in ms. */
  readonly p50: number;
  /** 90th percentile latency in ms. */
  readonly p90: number;
  /** 99th percentile latency in ms. */
  readonly p99: number;
  /** Largest latency in ms. */
  readonly max: number;
}

interface OpCounts {
  count: number;
  errors: number;
  latency: LatencyHistogram;
}

/** Per-op counts, errors, rates and latency percentiles of trace records (add() each record). */
export class TraceSummary {
  private readonly ops = new Map<OpName, OpCounts>();
  /** Every answered request's latency. */
  readonly all = new LatencyHistogram();
  /** Records added. */
  count = 0;
  /** Records with an error (an errno, or unanswered). */
  errors = 0;
  /** When tracing ended (ms, performance.now() clock), once end() was called. */
  ended: number | undefined;

  /** `since`: when tracing began (ms, performance.now() clock; default now), the start of the rates' window. */
  constructor(
    /** When tracing began (ms, performance.now() clock). */
    readonly since: number = performance.now(),
  ) {}

  /** Tracing has ended (at `at`, default now): the window closes there. Only the first call counts. */
  end(at: number = performance.now()): void {
    this.ended ??= at;
  }

  /** Counts one record (its latency when it was answered). */
  add(r: TraceRecord): void {
    let o = this.ops.get(r.op);
    if (o === undefined) {
      o = { count: 0, errors: 0, latency: new LatencyHistogram() };
      this.ops.set(r.op, o);
    }
    o.count++;
    this.count++;
    if (r.error !== undefined) {
      o.errors++;
      this.errors++;
    }
    if (r.errno !== undefined) {
      o.latency.record(r.duration);
      this.all.record(r.duration);
    }
  }

  /** The latency histogram of one op (undefined if none was seen). */
  latency(op: OpName): LatencyHistogram | undefined {
    return this.ops.get(op)?.latency;
  }

  /**
   * Seconds traced: from `since` to `until` (ms, performance.now() clock), else to end(), else to now.
   * The rates divide by it, so an idle mount lowers them, as a reader of "requests per second" expects.
   */
  seconds(until?: number): number {
    return Math.max(0, ((until ?? this.ended ?? performance.now()) - this.since) / 1000);
  }

  /** Per-op figures, most frequent first, then the total. */
  stats(until?: number): OpStats[] {
    const secs = this.seconds(until);
    const row = (op: OpName | 'total', count: number, errors: number, h: LatencyHistogram): OpStats => ({
      op, count, errors, rate: secs > 0 ? count / secs : 0, mean: h.mean,
      p50: h.percentile(50), p90: h.percentile(90), p99: h.percentile(99), max: h.count ? h.max : NaN,
    });
    const rows = [...this.ops].map(([op, o]) => row(op, o.count, o.errors, o.latency));
    rows.sort((a, b) => b.count - a.count || a.op.localeCompare(b.op));
    rows.push(row('total', this.count, this.errors, this.all));
    return rows;
  }

  /** The figures as a text table. `rates` replaces the ops/s column (e.g. recent rates in the live view). */
  table(until?: number, rates?: ReadonlyMap<string, number>): string[] {
    const head = ['op', 'count', 'ops/s', 'errors', 'p50', 'p90', 'p99', 'max'];
    const rows = this.stats(until).map((s) => [
      s.op, String(s.count), (rates?.get(s.op) ?? s.rate).toFixed(1), String(s.errors),
      human(s.p50), human(s.p90), human(s.p99), human(s.max),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return [line(head), ...rows.map(line)];
  }

  /** A short summary line: "1234 requests in 2.0 s traced (617.0/s), 3 errors; p50 12.0µs p99 80.1µs max 1.20ms". */
  headline(until?: number): string {
    const secs = this.seconds(until);
    const a = this.all;
    return `${this.count} requests in ${secs.toFixed(secs < 10 ? 3 : 1)} s traced (${(secs > 0 ? this.count / secs : 0).toFixed(1)}/s), `
      + `${this.errors} errors; p50 ${human(a.percentile(50))} p99 ${human(a.percentile(99))} max ${human(a.count ? a.max : NaN)}`;
  }
}

/** Options of liveSummary. */
export interface SummaryOptions {
  /** Where the live view goes (default process.stderr). */
  stream?: NodeJS.WritableStream & {
    /** Whether the stream is a terminal. */
    isTTY?: boolean;
  };
  /** Redraw in place (default: whether the stream is a terminal). */
  tty?: boolean;
  /** ms between refreshes (default 1000 on a terminal, 10000 otherwise; 0: only the final summary). */
  interval?: number;
  /** Print the final summary on stop() (default true). */
  final?: boolean;
}

/** A live summary: `summary` holds the figures; stop() ends the view and prints the final table once. */
export interface LiveSummary {
  /** The figures so far. */
  readonly summary: TraceSummary;
  /** Ends the view (and its timer) and prints the final summary once; idempotent. */
  stop(): void;
}

/**
 * Keeps a TraceSummary of `records` and shows it while they come: a table redrawn in place on a
 * terminal (per-op counts, recent ops/s, p50/p90/p99/max), else one line per interval. Stops (and
 * prints the final summary) when the records complete or on stop().
 */
export function liveSummary(records: Observable<TraceRecord>, options: SummaryOptions = {}): LiveSummary {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? stream.isTTY === true;
  const interval = options.interval ?? (tty ? 1000 : 10000);
  const summary = new TraceSummary();
  let drawn = 0;  // lines of the last redraw, to move back over
  let lastAt = performance.now();
  let lastCount = 0;
  const lastCounts = new Map<string, number>();
  let stopped = false;

  const refresh = (): void => {
    const now = performance.now();
    const secs = (now - lastAt) / 1000;
    const rates = new Map<string, number>();
    for (const s of summary.stats()) {
      rates.set(s.op, secs > 0 ? (s.count - (lastCounts.get(s.op) ?? 0)) / secs : 0);
      lastCounts.set(s.op, s.count);
    }
    const recent = summary.count - lastCount;
    lastCount = summary.count;
    lastAt = now;
    if (tty) {
      const lines = [`rxfuse trace: ${summary.count} requests, ${(rates.get('total') ?? 0).toFixed(1)}/s now`, ...summary.table(now, rates)];
      // Back to the first line of the previous drawing, clear to the end of the screen, draw.
      stream.write((drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '') + lines.join('\n') + '\n');
      drawn = lines.length;
    } else {
      const top = summary.stats().filter((s) => s.op !== 'total').slice(0, 4)
        .map((s) => `${s.op} ${s.count} p50 ${human(s.p50)} p99 ${human(s.p99)}`).join('; ');
      stream.write(`rxfuse trace: +${recent} (${(secs > 0 ? recent / secs : 0).toFixed(1)}/s), ${summary.count} requests${top ? '; ' + top : ''}\n`);
    }
  };

  const timer = interval > 0 ? setInterval(refresh, interval) : undefined;
  timer?.unref();
  let sub: Subscription | undefined;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (timer) clearInterval(timer);
    sub?.unsubscribe();
    summary.end();
    if (options.final ?? true) {
      const lines = [`rxfuse trace summary: ${summary.headline()}`, ...summary.table()];
      stream.write((tty && drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '') + lines.join('\n') + '\n');
    }
  };

  sub = records.subscribe({ next: (r) => summary.add(r), complete: stop, error: stop });
  return { summary, stop };
}
