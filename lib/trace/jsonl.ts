// The JSON lines exporter: one JSON object per request and line (the fields of jsonRecord: time in
// epoch µs, duration in µs; names that are not UTF-8 written as {"base64": "..."}).
import { jsonLine } from './format';
import type { TraceOutput } from './sink';
import { lineExporter, type TraceExporter } from './text';

/** Writes one JSON object per record and line to `out` (a path, "-" for stdout, or a stream); see jsonRecord. */
export function jsonlExporter(out: TraceOutput): TraceExporter {
  return lineExporter(out, jsonLine);
}
