// Per-inode write order (serializeWrites): writes, and setattr with a size, of one inode reach
// handlers one at a time, in kernel order; other inodes and reads are not held back.
import type { Request } from './request';

/** The requests of one inode that wait for their turn; `active` is the slot being handled. */
interface InodeQueue {
  active: number;
  waiting: Request[];
}

/** What the queues need from their mount. */
export interface QueuedMount {
  isClosed(): boolean;
  /** Whether the request in slot is still in flight (tracked). */
  inFlight(slot: number): boolean;
  /** Hands a request to its op's subscribers. */
  emit(req: Request): void;
  /** Every handler declined the request after its dispatch. */
  unclaimed(slot: number, gen: number): void;
}

export class WriteQueues {
  private readonly queues = new Map<number, InodeQueue>();

  constructor(private readonly mount: QueuedMount) {}

  /** Queues req when another write of ino is being handled (returns true); else makes it the active one. */
  wait(ino: number, req: Request): boolean {
    const q = this.queues.get(ino);
    if (q) {
      q.waiting.push(req);
      return true;
    }
    this.queues.set(ino, { active: req._s.slot, waiting: [] });
    return false;
  }

  /** The write of ino in slot left the tracker: the next one goes on in a microtask. */
  done(ino: number, slot: number): void {
    const q = this.queues.get(ino);
    if (q && q.active === slot) {
      q.active = -1;
      queueMicrotask(() => this.advance(ino));
    }
  }

  /** The active write of ino is answered: hand the next waiting one to the handlers. */
  advance(ino: number): void {
    const q = this.queues.get(ino);
    const m = this.mount;
    if (!q || q.active !== -1 && m.inFlight(q.active)) return;
    for (;;) {
      const next = q.waiting.shift();
      if (!next) {
        this.queues.delete(ino);
        return;
      }
      if (next.answered || m.isClosed()) continue;
      q.active = next._s.slot;
      m.emit(next);
      if (!next.answered) {
        const s = next._s;
        if (!s.claimed) m.unclaimed(s.slot, s.gen);
        return;  // async: done() advances again
      }
      // Answered during its dispatch: done() ran and scheduled a redundant advance; go on here.
    }
  }

  clear(): void {
    this.queues.clear();
  }
}
