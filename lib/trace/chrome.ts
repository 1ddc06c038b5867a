// The Chrome trace event format (JSON Object Format), which Perfetto (ui.perfetto.dev) and
// chrome://tracing open: one complete event ("ph": "X", ts and dur in µs) per request, on the track of
// the requesting process. The document is streamed and closed properly when the mount goes away, when
// close() is called, or on process exit.
//
// Tracks: pid is the requesting process, named by its command in a metadata event. Requests of one
// thread overlap at times (readahead, writeback): complete events on one track must nest, so an
// overlapping request goes on a further "lane" of that process (a synthetic tid).
// Feed it records in arrival order (traceRecords(fuse, { order: 'start' })) for monotonic ts.
import { fieldsText, jsonBytesText, num } from './format';
import type { TraceRecord } from './record';
import { type TraceOutput, TraceSink } from './sink';
import type { TraceExporter } from './text';

/** Options of chromeExporter. */
export interface ChromeOptions {
  /** Written as the document's "otherData" (shown by the viewers as trace metadata). */
  metadata?: Readonly<Record<string, string>>;
}

/** Lane tids beyond a process's own: far above any pid. */
const LANE_TID_BASE = 1 << 30;

interface Process {
  /** End (ms) of the last event on each lane; lane 0 is tid = pid. */
  lanes: number[];
  tids: number[];
}

/**
 * Writes the records as a Chrome trace (JSON; chrome://tracing, Perfetto) to `out`: one complete
 * event per request, on a lane of its process. Records should arrive in start order (TapOptions.order).
 */
export function chromeExporter(out: TraceOutput, options: ChromeOptions = {}): TraceExporter {
  const sink = new TraceSink(out);
  const processes = new Map<number, Process>();
  let nextLaneTid = LANE_TID_BASE;
  let first = true;
  let finished = false;

  const line = (json: string): void => {
    sink.write((first ? '\n' : ',\n') + json);
    first = false;
  };
  const event = (e: object): void => line(JSON.stringify(e));

  sink.write(JSON.stringify({ displayTimeUnit: 'ns', otherData: { tool: 'rxfuse trace', ...options.metadata } }).slice(0, -1) + ',"traceEvents":[');

  const track = (r: TraceRecord): number => {
    let p = processes.get(r.pid);
    if (p === undefined) {
      p = { lanes: [], tids: [] };
      processes.set(r.pid, p);
      const name = r.pid === 0 ? 'kernel' : r.comm ?? `pid ${r.pid}`;
      event({ name: 'process_name', ph: 'M', pid: r.pid, tid: r.pid, args: { name } });
    }
    const end = r.start + r.duration;
    for (let i = 0; i < p.lanes.length; i++) {
      if (p.lanes[i] <= r.start) {
        p.lanes[i] = end;
        return p.tids[i];
      }
    }
    const tid = p.lanes.length === 0 ? r.pid : nextLaneTid++;
    p.lanes.push(end);
    p.tids.push(tid);
    if (tid !== r.pid) event({ name: 'thread_name', ph: 'M', pid: r.pid, tid, args: { name: `overlapping requests ${p.tids.length - 1}` } });
    return tid;
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    sink.write('\n]}\n');
    sink.close();
  };
  sink.exitHook = finish;

  return {
    next: (r) => {
      if (finished) return;
      // µs with ns decimals; the end rounded as the start is, so that back-to-back events never overlap.
      const ts = Math.round(r.start * 1e6);
      const dur = Math.max(0, Math.round((r.start + r.duration) * 1e6) - ts);
      const tid = track(r);
      // Written out directly (this is per request): {"name", "cat", "ph", "ts", "dur", "pid", "tid", "args"}.
      let args = `{"seq":${num(r.seq)},"ino":${num(r.ino)}`;
      if (r.name !== undefined) args += ',"name":' + jsonBytesText(r.name);
      const more = fieldsText(r.args);
      if (more.length > 2) args += ',' + more.slice(1, -1);
      if (r.errno !== undefined) args += ',"errno":' + num(r.errno);
      if (r.error !== undefined) args += ',"error":' + JSON.stringify(r.error);
      if (r.reply !== undefined) args += ',"reply":' + fieldsText(r.reply);
      if (r.comm !== undefined) args += ',"comm":' + JSON.stringify(r.comm);
      args += `,"uid":${num(r.uid)}}`;
      line(`{"name":"${r.op}","cat":"fuse","ph":"X","ts":${num(ts / 1e3)},"dur":${num(dur / 1e3)},"pid":${num(r.pid)},"tid":${tid},"args":${args}}`);
    },
    error: finish,
    complete: finish,
    close: finish,
  };
}
