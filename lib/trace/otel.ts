// OpenTelemetry spans, one per request, through @opentelemetry/api: an optional peer dependency,
// loaded only when this exporter is used without a tracer of the caller's. Spans go wherever the
// application's tracer provider sends them (the SDK and its exporters are the application's choice).
import { epochMs, jsonBytes, quoteBytes } from './format';
import type { TraceRecord, TraceValue } from './record';
import type { TraceExporter } from './text';

type Attribute = string | number | boolean;
type HrTime = [number, number];

/** The part of an OpenTelemetry Span the exporter uses (an @opentelemetry/api Span fits). */
export interface OtelSpanLike {
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: HrTime): void;
}

/** The part of an OpenTelemetry Tracer the exporter uses (an @opentelemetry/api Tracer fits). */
export interface OtelTracerLike {
  startSpan(name: string, options?: { kind?: number; attributes?: Record<string, Attribute>; startTime?: HrTime }): OtelSpanLike;
}

export interface OtelOptions {
  /** The tracer to use; default: trace.getTracer(tracerName) of @opentelemetry/api. */
  tracer?: OtelTracerLike;
  /** Default "rxfuse". */
  tracerName?: string;
}

// Values fixed by the OpenTelemetry specification (SpanKind.SERVER, SpanStatusCode.ERROR).
const SPAN_KIND_SERVER = 1;
const STATUS_ERROR = 2;

interface OtelApi {
  trace: { getTracer(name: string, version?: string): OtelTracerLike };
}

/** Loads @opentelemetry/api, with a clear message when it is not installed. */
export function loadOtelApi(): OtelApi {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@opentelemetry/api') as OtelApi;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new Error('rxfuse: OpenTelemetry export needs @opentelemetry/api, an optional peer dependency: npm install @opentelemetry/api');
    }
    throw e;
  }
}

function hrTime(ms: number): HrTime {
  let sec = Math.floor(ms / 1000);
  let ns = Math.round((ms - sec * 1000) * 1e6);
  if (ns >= 1e9) {
    sec += 1;
    ns -= 1e9;
  }
  return [sec, ns];
}

function attribute(v: TraceValue): Attribute {
  if (!(v instanceof Uint8Array)) return v;
  const j = jsonBytes(v);
  return typeof j === 'string' ? j : quoteBytes(v);
}

/** The attributes of a request's span: fuse.op, fuse.ino, fuse.name, fuse.<argument>, fuse.reply.<field>, ... */
export function spanAttributes(r: TraceRecord): Record<string, Attribute> {
  const a: Record<string, Attribute> = { 'fuse.op': r.op, 'fuse.seq': r.seq, 'fuse.ino': r.ino };
  if (r.name !== undefined) a['fuse.name'] = attribute(r.name);
  for (const k of Object.keys(r.args)) a[`fuse.${k}`] = attribute(r.args[k]);
  if (r.errno !== undefined) a['fuse.errno'] = r.errno;
  if (r.error !== undefined) a['fuse.error'] = r.error;
  if (r.reply !== undefined) for (const k of Object.keys(r.reply)) a[`fuse.reply.${k}`] = attribute(r.reply[k]);
  a['process.pid'] = r.pid;
  if (r.comm !== undefined) a['process.command'] = r.comm;
  a['fuse.uid'] = r.uid;
  a['fuse.gid'] = r.gid;
  return a;
}

/** Ends one span per record ("fuse.<op>", kind SERVER, status ERROR with the errno's name on failure). */
export function otelExporter(options: OtelOptions = {}): TraceExporter {
  const tracer = options.tracer ?? loadOtelApi().trace.getTracer(options.tracerName ?? 'rxfuse');
  let closed = false;
  const close = (): void => {
    closed = true;
  };
  return {
    next: (r) => {
      if (closed) return;
      const start = epochMs(r);
      const span = tracer.startSpan(`fuse.${r.op}`, { kind: SPAN_KIND_SERVER, attributes: spanAttributes(r), startTime: hrTime(start) });
      if ((r.errno !== undefined && r.errno !== 0) || r.error !== undefined) span.setStatus({ code: STATUS_ERROR, message: r.error });
      span.end(hrTime(start + r.duration));
    },
    error: close,
    complete: close,
    close,
  };
}
