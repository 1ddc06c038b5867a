// A bounded LRU of open fds: the passthrough's hot inodes keep their O_PATH fd here, the others only
// their file handle (reopened on use). Pinned entries (open files and directories) are not in it.
export interface Cached {
  fd: number;
}

export class FdCache<T extends Cached> {
  /** Least recently used first (a Map iterates in insertion order). */
  private readonly lru = new Set<T>();

  /** `close` closes an evicted entry's fd and sets it to -1. */
  constructor(readonly capacity: number, private readonly close: (entry: T) => void) {
    if (!(Number.isInteger(capacity) && capacity >= 2)) throw new RangeError(`fd cache: capacity 2.. expected, got ${capacity}`);
  }

  get size(): number {
    return this.lru.size;
  }

  /** Makes `entry` (whose fd is open) the most recently used, evicting the least beyond capacity. */
  touch(entry: T): void {
    this.lru.delete(entry);
    this.lru.add(entry);
    if (this.lru.size > this.capacity) this.shed(this.lru.size - this.capacity);
  }

  /** Takes `entry` out (its fd stays open: the caller closes or pins it). */
  remove(entry: T): void {
    this.lru.delete(entry);
  }

  /** Closes the `count` least recently used fds (when fds run short). Returns how many. */
  shed(count: number): number {
    let n = 0;
    for (const e of this.lru) {
      if (n >= count) break;
      this.lru.delete(e);
      this.close(e);
      n++;
    }
    return n;
  }

  /** Forgets every entry (their fds are the caller's to close). */
  clear(): void {
    this.lru.clear();
  }
}
