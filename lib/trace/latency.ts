// A latency histogram with fixed memory and 1/128 relative precision (log-linear buckets, as
// HdrHistogram): a long trace keeps counts, not samples. Values are recorded in whole nanoseconds;
// below 128 ns each nanosecond has its own bucket, above, each power of two has 64 buckets.

const SUB = 64;
const EXACT = 2 * SUB;

function indexOf(ns: number): number {
  if (ns < EXACT) return ns;
  let e = ns < 0x100000000 ? 31 - Math.clz32(ns) : Math.floor(Math.log2(ns));
  if (2 ** e > ns) e--;
  else if (2 ** (e + 1) <= ns) e++;
  const m = Math.floor(ns / 2 ** (e - 6));  // 64 .. 127
  return EXACT + (e - 7) * SUB + (m - SUB);
}

/** [low, high) in ns of bucket i. */
function boundsOf(i: number): [number, number] {
  if (i < EXACT) return [i, i + 1];
  const k = i - EXACT;
  const e = 7 + Math.floor(k / SUB);
  const m = SUB + (k % SUB);
  const w = 2 ** (e - 6);
  return [m * w, (m + 1) * w];
}

/** One bucket: latencies in [low, high) ms, `count` of them. */
export interface LatencyBucket {
  /** Lower bound in ms (included). */
  readonly low: number;
  /** Upper bound in ms (excluded). */
  readonly high: number;
  /** Latencies in the bucket. */
  readonly count: number;
}

/**
 * A latency histogram with fixed memory and 1/128 relative precision (log-linear buckets, as
 * HdrHistogram): values in ms, kept in whole nanoseconds.
 */
export class LatencyHistogram {
  private counts = new Float64Array(EXACT + 16 * SUB);
  private top = -1;
  /** Values recorded. */
  count = 0;
  /** Their sum, in ms. */
  sum = 0;
  /** Smallest value, in ms (exact; Infinity when empty). */
  min = Infinity;
  /** Largest value, in ms (exact; 0 when empty). */
  max = 0;

  /** Records one latency in ms (negative values count as 0). */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const i = indexOf(Math.round(v * 1e6));
    if (i >= this.counts.length) {
      const grown = new Float64Array(Math.max(i + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[i]++;
    if (i > this.top) this.top = i;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** The mean in ms (NaN when empty). */
  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /**
   * The p-th percentile (0 < p ≤ 100) in ms, by nearest rank: the value at rank ceil(p/100 · count),
   * within 1/128 of it (the middle of its bucket), never outside [min, max]. NaN when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i <= this.top; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const [lo, hi] = boundsOf(i);
        const mid = i < EXACT ? lo : (lo + hi) / 2;
        return Math.min(this.max, Math.max(this.min, mid / 1e6));
      }
    }
    return this.max;
  }

  /** The non-empty buckets, lowest first, bounds in ms. */
  buckets(): LatencyBucket[] {
    const out: LatencyBucket[] = [];
    for (let i = 0; i <= this.top; i++) {
      const n = this.counts[i];
      if (n === 0) continue;
      const [lo, hi] = boundsOf(i);
      out.push({ low: lo / 1e6, high: hi / 1e6, count: n });
    }
    return out;
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i <= other.top; i++) {
      const n = other.counts[i];
      if (n === 0) continue;
      if (i >= this.counts.length) {
        const grown = new Float64Array(Math.max(i + 1, this.counts.length * 2));
        grown.set(this.counts);
        this.counts = grown;
      }
      this.counts[i] += n;
    }
    this.top = Math.max(this.top, other.top);
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }
}
