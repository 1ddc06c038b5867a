// The JSON lines exporter: one JSON object per request and line (the fields of jsonRecord: time in
// epoch µs, duration in µs; names that are not UTF-8 written as {"base64": "..."}).
import { jsonLine } from './format';
import { type TraceOutput, TraceSink } from './sink';
import type { TraceExporter } from './text';

export function jsonlExporter(out: TraceOutput): TraceExporter {
  const sink = new TraceSink(out);
  return {
    next: (r) => sink.write(jsonLine(r) + '\n'),
    error: () => sink.close(),
    complete: () => sink.close(),
    close: () => sink.close(),
  };
}
