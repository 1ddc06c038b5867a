// A persistent python3 child spoken to in JSON lines: one request a line in, one answer a line out,
// in order. The differential runners (test/diff/runner.py, test/overlay/runner.py) are such children.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export class JsonLinesChild {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private stderr = '';
  private readonly waiting: { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }[] = [];
  private exited: string | undefined;

  /** Starts `python3 ...args`; `label` names it in timeouts ("runner (user in /tmp/x)"). */
  constructor(args: readonly string[], private readonly label: string) {
    this.child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => this.data(d));
    this.child.stderr.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = `runner exited (${code ?? signal}): ${this.stderr}`;
      for (const w of this.waiting.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error(this.exited));
      }
    });
    this.child.stdin.on('error', () => undefined);  // the exit handler reports it
  }

  private data(d: string): void {
    this.buffer += d;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const w = this.waiting.shift();
      if (!w) continue;
      clearTimeout(w.timer);
      try {
        w.resolve(JSON.parse(line));
      } catch (e) {
        w.reject(new Error(`runner said ${line}: ${String(e)}`));
      }
    }
  }

  /** Sends one request; answers its reply (rejects after `ms`, killing the child). */
  request<T>(req: unknown, ms = 30000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.label} timed out after ${ms} ms: ${this.stderr}`));
        this.child.kill('SIGKILL');
      }, ms);
      this.waiting.push({ resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.stdin.write(JSON.stringify(req) + '\n');
    });
  }

  /** Asks the child to quit (SIGKILL after 5 s) and waits for it to exit. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end(JSON.stringify({ cmd: 'quit' }) + '\n');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}
