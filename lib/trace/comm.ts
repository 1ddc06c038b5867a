// Command names of requesting processes: /proc/<pid>/comm, read once per pid and kept a while.
// A stat loop of one process then costs one small read a second, not one per request (the read is
// a few µs: open, read, close). The entry expires so that a pid reused, or a process that exec()s,
// shows its new name after at most `ttl` ms.
import * as fs from 'node:fs';

/** Command names of pids (/proc/<pid>/comm), read once per pid and kept `ttl` ms, at most `size` pids (LRU). */
export class CommCache {
  private readonly names = new Map<number, { comm: string | undefined; at: number }>();
  /** The pid of the last get(): already the most recent, nothing to move (a loop of one process). */
  private last = 0;

  /** `size` pids at most (least recently used go first); names kept `ttl` ms. */
  constructor(
    /** The most pids kept. */
    readonly size = 256,
    /** How long a name is kept, in ms. */
    readonly ttl = 1000,
  ) {}

  /** The command name of pid at time `now` (ms), or undefined (pid 0, or the process is gone). */
  get(pid: number, now: number): string | undefined {
    if (pid <= 0) return undefined;
    const names = this.names;
    const e = names.get(pid);
    if (e !== undefined && now - e.at < this.ttl) {
      // Most recently used last: Map keeps insertion order, so the first key is the eviction victim.
      if (pid !== this.last) {
        names.delete(pid);
        names.set(pid, e);
        this.last = pid;
      }
      return e.comm;
    }
    const comm = readComm(pid);
    names.delete(pid);
    names.set(pid, { comm, at: now });
    this.last = pid;
    if (names.size > this.size) names.delete(names.keys().next().value as number);
    return comm;
  }

  /** Forgets every name. */
  clear(): void {
    this.names.clear();
    this.last = 0;
  }
}

/** /proc/<pid>/comm without its newline; undefined when the process is gone. */
export function readComm(pid: number): string | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/comm`, 'utf8');
    return s.endsWith('\n') ? s.slice(0, -1) : s;
  } catch {
    return undefined;
  }
}
