// A compact hash table from inode number to a 32-bit count: open addressing with linear probing over
// a Float64Array of keys and a Uint32Array of counts, deletion by backward shift (no tombstones).
// 12 bytes a slot, at most 3/4 full: about 16 to 32 bytes per inode, with no object per entry.

const EMPTY = 0;  // inode 0 is never a valid inode number

function hash(ino: number): number {
  const lo = ino >>> 0;
  const hi = (ino / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class InoCountTable {
  private keys: Float64Array;
  private counts: Uint32Array;
  private mask: number;
  private n = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.counts = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  /** Number of inodes with a non-zero count. */
  get size(): number {
    return this.n;
  }

  /** Bytes the table's arrays take. */
  get bytes(): number {
    return this.keys.byteLength + this.counts.byteLength;
  }

  get(ino: number): number {
    const keys = this.keys;
    let i = hash(ino) & this.mask;
    for (;;) {
      const k = keys[i];
      if (k === ino) return this.counts[i];
      if (k === EMPTY) return 0;
      i = (i + 1) & this.mask;
    }
  }

  /** Adds n (> 0) to ino's count; returns the new count. */
  add(ino: number, n: number): number {
    const keys = this.keys;
    let i = hash(ino) & this.mask;
    for (;;) {
      const k = keys[i];
      if (k === ino) return (this.counts[i] += n);
      if (k === EMPTY) break;
      i = (i + 1) & this.mask;
    }
    keys[i] = ino;
    this.counts[i] = n;
    if (++this.n * 4 > keys.length * 3) this.resize(keys.length * 2);
    return n;
  }

  /**
   * Subtracts up to n from ino's count, never below zero; removes the inode at zero. Returns how
   * much was actually subtracted (less than n when the count was smaller, 0 for an unknown inode).
   */
  sub(ino: number, n: number): number {
    const keys = this.keys;
    let i = hash(ino) & this.mask;
    for (;;) {
      const k = keys[i];
      if (k === ino) break;
      if (k === EMPTY) return 0;
      i = (i + 1) & this.mask;
    }
    const c = this.counts[i];
    if (c > n) {
      this.counts[i] = c - n;
      return n;
    }
    this.deleteAt(i);
    return c;
  }

  /** Calls fn for every (ino, count). */
  forEach(fn: (ino: number, count: number) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) fn(keys[i], this.counts[i]);
  }

  clear(): void {
    this.keys.fill(0);
    this.counts.fill(0);
    this.n = 0;
  }

  private deleteAt(i: number): void {
    const keys = this.keys;
    const counts = this.counts;
    const mask = this.mask;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j];
      if (k === EMPTY) break;
      const home = hash(k) & mask;
      // Move k back into the hole if its home position is not cyclically within (hole, j].
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        keys[hole] = k;
        counts[hole] = counts[j];
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    counts[hole] = 0;
    this.n--;
  }

  private resize(cap: number): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    this.keys = new Float64Array(cap);
    this.counts = new Uint32Array(cap);
    this.mask = cap - 1;
    this.n = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== EMPTY) this.add(oldKeys[i], oldCounts[i]);
  }
}
