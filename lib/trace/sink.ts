// Where an exporter writes: a file (by path or fd) or a stream. Text is gathered into chunks and
// written synchronously (a chunk when it is full, the rest every `flushMs` and at close), so the
// file is complete even when the process exits right after the mount is gone (the rxfuse command
// exits from its teardown) — and on process exit, whatever happens, the exporter gets to finish it.
// Never write a trace into the mount it traces: each write would be traced again.
import * as fs from 'node:fs';

/** A file path ("-" for stdout), a file descriptor, or a writable stream (process.stdout, ...). */
export type TraceOutput = string | number | NodeJS.WritableStream;

const CHUNK = 64 * 1024;

export class TraceSink {
  private fd = -1;
  private owned = false;
  private stream: NodeJS.WritableStream | undefined;
  private parts: string[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly onExit = (): void => (this.exitHook ? this.exitHook() : this.close());
  /** Called once on process exit if the sink is still open (the exporter writes its end there). */
  exitHook: (() => void) | undefined;
  /** A path when the sink writes to a named file (for messages). */
  readonly path: string | undefined;

  constructor(out: TraceOutput, flushMs = 200) {
    if (out === '-') out = process.stdout;
    if (typeof out === 'string') {
      this.fd = fs.openSync(out, 'w', 0o644);
      this.owned = true;
      this.path = out;
    } else if (typeof out === 'number') {
      this.fd = out;
    } else {
      this.stream = out;
    }
    if (flushMs > 0) {
      this.timer = setInterval(() => this.flush(), flushMs);
      this.timer.unref();
    }
    process.on('exit', this.onExit);
  }

  write(s: string): void {
    if (this.closed) return;
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const data = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.stream) {
      this.stream.write(data);
      return;
    }
    const buf = Buffer.from(data, 'utf8');
    for (let off = 0; off < buf.length;) off += fs.writeSync(this.fd, buf, off, buf.length - off);
  }

  /** Flushes and closes the file (if the sink opened it); streams other than stdout/stderr are ended. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    process.off('exit', this.onExit);
    if (this.owned) fs.closeSync(this.fd);
    else if (this.stream && this.stream !== process.stdout && this.stream !== process.stderr) this.stream.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
