// Directory entries: a Map by name for lookups, and a sequence for listings with stable cookies.
//
// Every entry gets a sequence number when it is added; the listing goes newest first (the order
// tmpfs lists in) and an entry's cookie is TOP - seq, so cookies grow along the listing. A listing
// resumes after a cookie by binary search, so entries added or removed meanwhile never make another
// entry be skipped or listed twice: new entries sort before every cookie already handed out, and a
// removed entry only leaves a gap. A rename gives the entry a new sequence number, as tmpfs moves
// the renamed dentry to the front.

/** Cookies of "." and ".."; entries have cookies from TOP - 1 downwards, far above these. */
export const DOT_COOKIE = 1;
export const DOTDOT_COOKIE = 2;
const TOP = Number.MAX_SAFE_INTEGER;

export interface DirEntry {
  /** The name as a latin1 string (one character per byte): the only copy of it memfs keeps. */
  readonly key: string;
  ino: number;
  readonly seq: number;
  removed: boolean;
}

export class Directory {
  private readonly byName = new Map<string, DirEntry>();
  /** Entries in ascending seq (oldest first); removed ones stay until compaction. */
  private order: DirEntry[] = [];
  private dead = 0;
  private nextSeq = 1;

  get count(): number {
    return this.byName.size;
  }

  get(key: string): DirEntry | undefined {
    return this.byName.get(key);
  }

  /** Adds name → ino as the newest entry (replacing an entry of the same name, if any). */
  add(key: string, ino: number): DirEntry {
    this.remove(key);
    const e: DirEntry = { key, ino, seq: this.nextSeq++, removed: false };
    this.byName.set(key, e);
    this.order.push(e);
    return e;
  }

  remove(key: string): DirEntry | undefined {
    const e = this.byName.get(key);
    if (!e) return undefined;
    this.byName.delete(key);
    e.removed = true;
    if (++this.dead > 32 && this.dead > this.byName.size) {
      this.order = this.order.filter((x) => !x.removed);
      this.dead = 0;
    }
    return e;
  }

  static cookie(e: DirEntry): number {
    return TOP - e.seq;
  }

  /** The live entries whose cookie is greater than `cookie`, in listing order (newest first). */
  *after(cookie: number): Generator<DirEntry> {
    // Entries with cookie > c are those with seq < TOP - c: find the last such index.
    const limit = cookie <= DOTDOT_COOKIE ? Infinity : TOP - cookie;
    const order = this.order;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order[mid].seq < limit) lo = mid + 1;
      else hi = mid;
    }
    // Consumed synchronously by one readdir reply: nothing changes the directory meanwhile.
    for (let i = lo - 1; i >= 0; i--) {
      const e = order[i];
      if (!e.removed) yield e;
    }
  }
}
