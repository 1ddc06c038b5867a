// `rxfuse passthrough <src> <mnt> [opts]` as a child process, for tests of the command users run.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { forceUnmount, PASSTHROUGH_OFF, until } from './helpers';

const CLI = path.join(__dirname, '..', '..', 'bin', 'rxfuse.js');

/** The passthrough command, running in a child process until stop(). */
export class PassthroughServer {
  private out = '';
  private errText = '';
  private exited = false;
  private constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (b: Buffer) => (this.out += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (this.errText += b.toString()));
    proc.on('exit', () => (this.exited = true));
  }

  /** `wrapper`: a command that runs node with the rest of the line, e.g. ['prlimit', '--nofile=256', '--']. */
  static async start(src: string, mnt: string, opts: string[], wrapper: string[] = []): Promise<PassthroughServer> {
    const argv = [process.execPath, CLI, 'passthrough', src, mnt, ...opts, ...(PASSTHROUGH_OFF ? ['--no-passthrough'] : [])];
    const cmd = [...wrapper, ...argv];
    const s = new PassthroughServer(spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }));
    try {
      await until('the mount', () => s.out.includes('mounted ') || s.exited, 15000, undefined, 50);
    } catch (e) {
      await s.stop(mnt);
      throw e;
    }
    if (s.exited) throw new Error(`passthrough exited: ${s.errText}`);
    return s;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** What the server wrote on stderr so far. */
  get stderr(): string {
    return this.errText;
  }

  /** Lines the CLI printed for errors$ events (handler failures, invalid replies, ...). */
  failures(): string[] {
    return this.errText.split('\n').filter((l) => l.startsWith('rxfuse:'));
  }

  /** Source fds the server holds right now. */
  fdCount(): number {
    return fs.readdirSync(`/proc/${this.pid}/fd`).length;
  }

  async stop(mnt: string): Promise<void> {
    if (!this.exited) {
      this.proc.kill('SIGTERM');
      await until('the server to exit', () => this.exited, 5000, undefined, 50).catch(() => this.proc.kill('SIGKILL'));
    }
    await forceUnmount(undefined, mnt);
  }
}
