// The human exporter: one strace-like line per request.
//   13:45:01.123456 cat[4242] lookup(1, "hello") = {ino=2 mode=0100444 size=13} <0.000021>
//   13:45:01.123502 cat[4242] lookup(1, "nope") = -1 ENOENT <0.000009>
import { constants as c } from 'node:fs';
import type { Observer } from 'rxjs';
import { clock, quoteBytes } from './format';
import type { TraceFields, TraceRecord, TraceValue } from './record';
import { type TraceOutput, TraceSink } from './sink';

/** An exporter: an Observer of records (subscribe it to a tap) that can also be closed by hand. */
export interface TraceExporter extends Observer<TraceRecord> {
  /** Writes one record. */
  next: (record: TraceRecord) => void;
  /** The records failed: finishes the output as close() does. */
  error: (err: unknown) => void;
  /** The records are complete: finishes the output as close() does. */
  complete: () => void;
  /** Finishes the output (flushes, writes any trailer, closes the file). Idempotent. */
  close(): void;
}

const O_LARGEFILE = process.arch === 'arm64' || process.arch === 'arm' ? 0o400000 : 0o100000;
const OPEN_FLAGS: readonly [number, string][] = [
  [c.O_CREAT, 'O_CREAT'], [c.O_EXCL, 'O_EXCL'], [c.O_NOCTTY, 'O_NOCTTY'], [c.O_TRUNC, 'O_TRUNC'],
  [c.O_APPEND, 'O_APPEND'], [c.O_NONBLOCK, 'O_NONBLOCK'], [c.O_SYNC, 'O_SYNC'], [c.O_DSYNC, 'O_DSYNC'],
  [c.O_DIRECT, 'O_DIRECT'], [O_LARGEFILE, 'O_LARGEFILE'], [c.O_DIRECTORY, 'O_DIRECTORY'],
  [c.O_NOFOLLOW, 'O_NOFOLLOW'], [c.O_NOATIME, 'O_NOATIME'],
];
const ACCMODE = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'];

/** open(2) flags as strace shows them: O_WRONLY|O_CREAT|O_TRUNC. */
export function openFlags(flags: number): string {
  const parts = [ACCMODE[flags & 3]];
  let rest = flags & ~3;
  for (const [bit, name] of OPEN_FLAGS) {
    // O_SYNC includes O_DSYNC's bit: test whole masks, most bits first in the table order above.
    if (bit !== 0 && (rest & bit) === bit) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push('0x' + rest.toString(16));
  return parts.join('|');
}

const SETATTR_BITS = ['MODE', 'UID', 'GID', 'SIZE', 'ATIME', 'MTIME', '6', 'ATIME_NOW', 'MTIME_NOW', 'FORCE', 'CTIME',
  'KILL_SUID', 'KILL_SGID', 'FILE', 'KILL_PRIV', 'OPEN', 'TIMES_SET', 'TOUCH'];

function setattrValid(mask: number): string {
  const parts: string[] = [];
  for (let i = 0; i < SETATTR_BITS.length; i++) if (mask & (1 << i)) parts.push(SETATTR_BITS[i]);
  return parts.join('|') || '0';
}

const OPEN_OPS = new Set(['open', 'opendir', 'create', 'release']);

function value(op: string, key: string, v: TraceValue): string {
  if (v instanceof Uint8Array) return quoteBytes(v);
  if (typeof v !== 'number') return String(v);
  if (key === 'mode') return '0' + v.toString(8);
  if (key === 'flags' && OPEN_OPS.has(op)) return openFlags(v);
  if (key === 'valid') return setattrValid(v);
  if (key === 'cmd') return '0x' + v.toString(16);
  return String(v);
}

function fields(op: string, f: TraceFields): string[] {
  return Object.keys(f).map((k) => `${k}=${value(op, k, f[k])}`);
}

/** The result part: {ino=2 size=13}, 0, -1 ENOENT, ? unanswered, or nothing for forget. */
function result(r: TraceRecord): string {
  if (r.errno === undefined) return r.error === undefined ? '' : ` = ? ${r.error}`;
  if (r.errno !== 0) return ` = -1 ${r.error ?? r.errno}`;
  if (r.reply === undefined) return ' = 0';
  return ` = {${fields(r.op, r.reply).join(' ')}}`;
}

/** One record as one line of text (no newline). */
export function textLine(r: TraceRecord): string {
  const args = r.op === 'forgetMulti' ? [] : [String(r.ino)];  // a batch: its inodes are not one
  if (r.name !== undefined) args.push(quoteBytes(r.name));
  args.push(...fields(r.op, r.args));
  const who = `${r.pid === 0 ? 'kernel' : r.comm ?? '?'}[${r.pid}]`;
  const took = r.errno === undefined && r.error === undefined ? '' : ` <${(r.duration / 1000).toFixed(6)}>`;
  return `${clock(r)} ${who} ${r.op}(${args.join(', ')})${result(r)}${took}`;
}

/** An exporter that writes one `line` per record to `out` (the text and JSON lines exporters). */
export function lineExporter(out: TraceOutput, line: (r: TraceRecord) => string): TraceExporter {
  const sink = new TraceSink(out);
  return {
    next: (r) => sink.write(line(r) + '\n'),
    error: () => sink.close(),
    complete: () => sink.close(),
    close: () => sink.close(),
  };
}

/** Writes one textLine per record. */
export function textExporter(out: TraceOutput): TraceExporter {
  return lineExporter(out, textLine);
}
