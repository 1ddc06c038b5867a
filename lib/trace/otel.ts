// OpenTelemetry spans, one per request, through @opentelemetry/api: an optional peer dependency,
// loaded only when this exporter is used without a tracer of the caller's. Spans go wherever the
// application's tracer provider sends them (the SDK and its exporters are the application's choice).
import { epochMs, jsonBytes, quoteBytes } from './format';
import type { TraceRecord, TraceValue } from './record';
import type { TraceExporter } from './text';

/** A span attribute value (as @opentelemetry/api's AttributeValue, scalars only). */
export type OtelAttribute = string | number | boolean;
/** A time as OpenTelemetry takes it: [seconds, nanoseconds] since the epoch. */
export type OtelHrTime = [number, number];

/** The part of an OpenTelemetry Span the exporter uses (an @opentelemetry/api Span fits). */
export interface OtelSpanLike {
  /** Sets the span's status (code 2: ERROR, with the errno's name as message). */
  setStatus(status: {
    /** The SpanStatusCode. */
    code: number;
    /** The status description. */
    message?: string;
  }): unknown;
  /** Ends the span at `endTime`. */
  end(endTime?: OtelHrTime): void;
}

/** The part of an OpenTelemetry Tracer the exporter uses (an @opentelemetry/api Tracer fits). */
export interface OtelTracerLike {
  /** Starts a span ("fuse.<op>", kind SERVER, the request's attributes, its arrival time). */
  startSpan(name: string, options?: {
    /** The SpanKind (1: SERVER). */
    kind?: number;
    /** The span's attributes (spanAttributes). */
    attributes?: Record<string, OtelAttribute>;
    /** When the request arrived. */
    startTime?: OtelHrTime;
  }): OtelSpanLike;
}

/** Options of otelExporter. */
export interface OtelOptions {
  /** The tracer to use; default: trace.getTracer(tracerName) of @opentelemetry/api. */
  tracer?: OtelTracerLike;
  /** Default "rxfuse". */
  tracerName?: string;
}

// Values fixed by the OpenTelemetry specification (SpanKind.SERVER, SpanStatusCode.ERROR).
const SPAN_KIND_SERVER = 1;
const STATUS_ERROR = 2;

/** The part of @opentelemetry/api the exporter uses. */
export interface OtelApi {
  /** The global tracer provider's access point. */
  trace: {
    /** A tracer of the registered provider (a no-op one when none is registered). */
    getTracer(name: string, version?: string): OtelTracerLike;
  };
}

/**
 * Loads @opentelemetry/api.
 * @throws Error naming `npm install @opentelemetry/api` when it is not installed.
 */
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

function hrTime(ms: number): OtelHrTime {
  let sec = Math.floor(ms / 1000);
  let ns = Math.round((ms - sec * 1000) * 1e6);
  if (ns >= 1e9) {
    sec += 1;
    ns -= 1e9;
  }
  return [sec, ns];
}

function attribute(v: TraceValue): OtelAttribute {
  if (!(v instanceof Uint8Array)) return v;
  const j = jsonBytes(v);
  return typeof j === 'string' ? j : quoteBytes(v);
}

/** The attributes of a request's span: fuse.op, fuse.ino, fuse.name, fuse.<argument>, fuse.reply.<field>, ... */
export function spanAttributes(r: TraceRecord): Record<string, OtelAttribute> {
  const a: Record<string, OtelAttribute> = { 'fuse.op': r.op, 'fuse.seq': r.seq, 'fuse.ino': r.ino };
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
