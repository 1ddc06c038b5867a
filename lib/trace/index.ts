/// <reference types="node" preserve="true" />
/**
 * Tracing a mount: the tap (traceRecords), the exporters, the summary and the histogram, and trace(),
 * which wires them for the common case.
 *
 * @module
 */
import { Observable, share, type Subscription } from 'rxjs';
import type { Fuse } from '../fuse';
import { chromeExporter } from './chrome';
import { type HistogramOptions, writeHistogram } from './histogram';
import { jsonlExporter } from './jsonl';
import { type OtelOptions, otelExporter } from './otel';
import type { TraceRecord } from './record';
import type { TraceOutput } from './sink';
import { type LiveSummary, liveSummary, type SummaryOptions, TraceSummary } from './summary';
import { type TapOptions, traceRecords } from './tap';
import { textExporter, type TraceExporter } from './text';

export { traceRecords, type TapOptions } from './tap';
export type { TraceRecord, TraceValue, TraceFields } from './record';
export { CommCache } from './comm';
export { quoteBytes, jsonBytes, jsonRecord, jsonLine, human } from './format';
export type { TraceOutput } from './sink';
export { textExporter, textLine, openFlags, type TraceExporter } from './text';
export { jsonlExporter } from './jsonl';
export { chromeExporter, type ChromeOptions } from './chrome';
export {
  otelExporter, spanAttributes, loadOtelApi, type OtelOptions, type OtelTracerLike, type OtelSpanLike, type OtelAttribute,
  type OtelHrTime, type OtelApi,
} from './otel';
export { TraceSummary, liveSummary, type LiveSummary, type SummaryOptions, type OpStats } from './summary';
export { LatencyHistogram, type LatencyBucket } from './latency';
export { histogramSvg, histogramHtml, writeHistogram, type HistogramOptions } from './histogram';

/** The exporter trace() uses: text lines, JSON lines, a Chrome trace (JSON), OpenTelemetry spans, or none. */
export type TraceFormat = 'text' | 'jsonl' | 'chrome' | 'otel' | 'none';

/** Options of trace(): the tap's (comm, maxHeld), the exporter's, the summary's and the histogram's. */
export interface TraceOptions extends Omit<TapOptions, 'order'> {
  /** Default "text". "chrome" gets its records in arrival order; "none": only summary/histogram. */
  format?: TraceFormat;
  /** Where text, jsonl and chrome go: a path, "-" (stdout, the default) or a stream. */
  out?: TraceOutput;
  /** Options of the otel exporter. */
  otel?: OtelOptions;
  /** A live summary (true: on stderr with the defaults); its final table is printed on close. */
  summary?: boolean | SummaryOptions;
  /** Write the latency histogram to this file (.svg, or .html) on close. */
  histogram?: string;
  /** Options of the histogram file. */
  histogramOptions?: HistogramOptions;
}

/** A running trace of a mount (see trace()). */
export interface Trace {
  /** The records, shared by the exporter and the summary (subscribe for more). */
  readonly records: Observable<TraceRecord>;
  /** The figures so far (kept whether or not the live view is on). */
  readonly summary: TraceSummary;
  /** Resolves once the trace is finished: files closed, histogram written. */
  readonly done: Promise<void>;
  /** Finishes now (the mount going away does it too, and so does process exit). Idempotent. */
  close(): void;
}

function exporterFor(options: TraceOptions): TraceExporter | undefined {
  const out = options.out ?? '-';
  switch (options.format ?? 'text') {
    case 'text': return textExporter(out);
    case 'jsonl': return jsonlExporter(out);
    case 'chrome': return chromeExporter(out);
    case 'otel': return otelExporter(options.otel);
    case 'none': return undefined;
    default: throw new TypeError(`trace: unknown format ${String(options.format)}`);
  }
}

/**
 * Traces every request of `fuse` until it is unmounted or close() is called: records to the
 * exporter of `format`, a live summary if asked, the latency histogram file at the end.
 *
 *   trace(fuse, { format: 'chrome', out: 'trace.json', summary: true, histogram: 'latency.svg' });
 */
export function trace(fuse: Fuse, options: TraceOptions = {}): Trace {
  const order = options.format === 'chrome' ? 'start' : 'reply';
  const records = traceRecords(fuse, { comm: options.comm, maxHeld: options.maxHeld, order }).pipe(share());
  const exporter = exporterFor(options);
  const subs: Subscription[] = [];
  if (exporter) subs.push(records.subscribe(exporter));
  let live: LiveSummary | undefined;
  let summary: TraceSummary;
  if (options.summary) {
    live = liveSummary(records, options.summary === true ? {} : options.summary);
    summary = live.summary;
  } else {
    const s = new TraceSummary();
    subs.push(records.subscribe((r) => s.add(r)));
    summary = s;
  }
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    process.off('exit', close);
    for (const s of subs) s.unsubscribe();
    summary.end();
    exporter?.close();
    live?.stop();
    if (options.histogram) writeHistogram(options.histogram, summary, { title: fuse.mountpoint || undefined, ...options.histogramOptions });
    resolveDone();
  };
  // Subscribed last: the exporter and the summary finish first when the mount goes away.
  subs.push(records.subscribe({ complete: close, error: close }));
  process.on('exit', close);
  return { records, summary, done, close };
}
