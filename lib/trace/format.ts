// Rendering shared by the exporters: names (bytes) as safe text or lossless JSON, times, durations.
import { isUtf8 } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import type { TraceFields, TraceRecord, TraceValue } from './record';

const HEX = '0123456789abcdef';

function hexByte(b: number): string {
  return '\\x' + HEX[b >> 4] + HEX[b & 15];
}

/**
 * Bytes as a double-quoted string that is safe on a terminal and in a log: valid UTF-8 is kept
 * except control characters (C0, DEL, C1), bidirectional and invisible format characters, quotes and
 * backslashes, which are escaped; bytes that are not UTF-8 show as \xHH.
 */
export function quoteBytes(b: Uint8Array): string {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  if (plainAscii(buf)) return '"' + buf.toString('latin1') + '"';
  let out = '"';
  if (isUtf8(buf)) {
    for (const ch of buf.toString('utf8')) {
      const c = ch.codePointAt(0) as number;
      if (c === 0x22 || c === 0x5c) out += '\\' + ch;
      else if (c === 0x0a) out += '\\n';
      else if (c === 0x09) out += '\\t';
      else if (c < 0x20 || c === 0x7f) out += hexByte(c);
      else if ((c >= 0x80 && c < 0xa0) || isFormatChar(c)) out += `\\u{${c.toString(16)}}`;
      else out += ch;
    }
  } else {
    for (const c of buf) {
      if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c);
      else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
      else out += hexByte(c);
    }
  }
  return out + '"';
}

/** Printable ASCII without quote or backslash: the same text quoted, in JSON and in text (the usual name). */
function plainAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** Characters that change how the text around them shows (bidi overrides, zero-width, BOM). */
function isFormatChar(c: number): boolean {
  return (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff
    || c === 0x2028 || c === 0x2029;
}

/** A byte string as JSON: the string itself when it is valid UTF-8, else {"base64": ...} (lossless both ways). */
export function jsonBytes(b: Uint8Array): string | {
  /** The bytes in base64. */
  base64: string;
} {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  return isUtf8(buf) ? buf.toString('utf8') : { base64: buf.toString('base64') };
}

/** jsonBytes as JSON text. */
export function jsonBytesText(b: Uint8Array): string {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  if (plainAscii(buf)) return '"' + buf.toString('latin1') + '"';
  return JSON.stringify(jsonBytes(buf));
}

/** A value for a JSON document: Buffers through jsonBytes. */
export function jsonValue(v: TraceValue): string | number | boolean | { base64: string } {
  return v instanceof Uint8Array ? jsonBytes(v) : v;
}

export function jsonFields(f: TraceFields): Record<string, string | number | boolean | { base64: string }> {
  const out: Record<string, string | number | boolean | { base64: string }> = {};
  for (const k of Object.keys(f)) out[k] = jsonValue(f[k]);
  return out;
}

// performance.now() → epoch ms. performance.timeOrigin + now is off the system clock by ms (at
// start already, and the two clocks drift apart), so the offset is taken from Date.now(): at the
// instant its integer ms ticks over, for sub-ms alignment; re-checked each second, re-taken on drift.
let offset = NaN;
let checked = -Infinity;

function anchor(): number {
  const t0 = Date.now();
  const limit = performance.now() + 2;
  let p: number;
  let t: number;
  do {
    p = performance.now();
    t = Date.now();
  } while (t === t0 && p < limit);
  return t - p;
}

/** Wall-clock epoch ms of a record's start (performance.now() clock → Date clock). */
export function epochMs(r: Pick<TraceRecord, 'start'>): number {
  // Records are rendered soon after they start: their start stands for "now" in the check.
  if (!(r.start - checked < 1000 && r.start >= checked)) {
    const now = performance.now();
    checked = r.start;
    const d = Date.now() - (offset + now);  // in (-1, 0] while aligned: Date.now() floors
    if (!(d > -1.5 && d < 0.5)) offset = anchor();
  }
  return offset + r.start;
}

let clockSecond = NaN;
let clockPrefix = '';

/** Local time of day with µs, as strace -tt prints it: 13:45:01.123456. */
export function clock(r: Pick<TraceRecord, 'start'>): string {
  const ms = epochMs(r);
  const sec = Math.floor(ms / 1000);
  if (sec !== clockSecond) {  // one Date per second of trace, not per line
    const d = new Date(sec * 1000);
    const p = (n: number): string => String(n).padStart(2, '0');
    clockSecond = sec;
    clockPrefix = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.`;
  }
  return clockPrefix + String(Math.floor((ms - sec * 1000) * 1000)).padStart(6, '0');
}

/** A latency in ms as a short human figure: 850ns, 12.3µs, 4.56ms, 1.20s. */
export function human(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 0.001) return `${Math.round(ms * 1e6)}ns`;
  if (ms < 1) return `${(ms * 1000).toPrecision(3)}µs`;
  if (ms < 1000) return `${ms.toPrecision(3)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** epoch µs (an integer) and the duration in µs with ns decimals, as the JSON documents give them. */
function times(r: TraceRecord): [number, number] {
  return [Math.round(epochMs(r) * 1000), Math.round(r.duration * 1e6) / 1000];
}

/**
 * A record as a plain JSON-able object: seq, op, ino, name, args, pid, comm, uid, gid, time (epoch
 * µs), duration (µs), errno, error, reply; names through jsonBytes.
 */
export function jsonRecord(r: TraceRecord): Record<string, unknown> {
  const o: Record<string, unknown> = { seq: r.seq, op: r.op, ino: r.ino };
  if (r.name !== undefined) o.name = jsonBytes(r.name);
  o.args = jsonFields(r.args);
  o.pid = r.pid;
  if (r.comm !== undefined) o.comm = r.comm;
  o.uid = r.uid;
  o.gid = r.gid;
  [o.time, o.duration] = times(r);
  if (r.errno !== undefined) o.errno = r.errno;
  if (r.error !== undefined) o.error = r.error;
  if (r.reply !== undefined) o.reply = jsonFields(r.reply);
  return o;
}

/** A number as JSON text (null when not finite, as JSON.stringify writes it). */
export function num(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}

/** Fields as JSON text (Buffers through jsonBytes). */
export function fieldsText(f: TraceFields): string {
  let s = '{';
  // for..in rather than Object.keys: no array per call (records' fields are own, plain objects).
  for (const k in f) {
    const v = f[k];
    const t = typeof v === 'number' ? num(v) : typeof v === 'boolean' ? String(v) : typeof v === 'string' ? JSON.stringify(v) : jsonBytesText(v);
    s += (s.length > 1 ? ',"' : '"') + k + '":' + t;
  }
  return s + '}';
}

let lastComm = '';
let lastCommText = '""';

/** A command name as JSON text; the last one kept (a busy client sends request after request). */
function commText(comm: string): string {
  if (comm !== lastComm) {
    lastComm = comm;
    lastCommText = JSON.stringify(comm);
  }
  return lastCommText;
}

/** JSON.stringify(jsonRecord(r)), written out directly: the JSON lines exporter's hot path. */
export function jsonLine(r: TraceRecord): string {
  let s = `{"seq":${num(r.seq)},"op":"${r.op}","ino":${num(r.ino)}`;
  if (r.name !== undefined) s += ',"name":' + jsonBytesText(r.name);
  s += ',"args":' + fieldsText(r.args) + ',"pid":' + num(r.pid);
  if (r.comm !== undefined) s += ',"comm":' + commText(r.comm);
  // As times() computes them, without its array.
  s += `,"uid":${num(r.uid)},"gid":${num(r.gid)},"time":${num(Math.round(epochMs(r) * 1000))},"duration":${num(Math.round(r.duration * 1e6) / 1000)}`;
  if (r.errno !== undefined) s += ',"errno":' + num(r.errno);
  if (r.error !== undefined) s += ',"error":' + JSON.stringify(r.error);
  if (r.reply !== undefined) s += ',"reply":' + fieldsText(r.reply);
  return s + '}';
}
