// Byte offsets and sizes up to 2^63 - 1, as tmpfs has them, exact: a number below 2^53, a bigint
// beyond (always so: `norm`), as rxfuse delivers them (U64). Page and chunk indices stay numbers
// (an offset below 2^63 has a page index below 2^51), so memfs computes in indices and converts
// at the edges with these.
import type { U64 } from '../../lib';

/** The canonical form: a number while it is below 2^53 (so === compares, and the hot path stays numbers). */
export function norm(v: U64): U64 {
  return typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** floor(off / unit), exact. */
export function index(off: U64, unit: number): number {
  return typeof off === 'number' ? Math.floor(off / unit) : Number(off / BigInt(unit));
}

/** ceil(off / unit), exact. */
export function indexUp(off: U64, unit: number): number {
  return typeof off === 'number' ? Math.ceil(off / unit) : Number((off + BigInt(unit - 1)) / BigInt(unit));
}

/** i * unit + rel, exact. */
export function at(i: number, unit: number, rel = 0): U64 {
  const v = i * unit + rel;
  return Number.isSafeInteger(v) ? v : BigInt(i) * BigInt(unit) + BigInt(rel);
}

/** off + n, exact. */
export function plus(off: U64, n: U64): U64 {
  if (typeof off === 'number' && typeof n === 'number') {
    const v = off + n;
    if (Number.isSafeInteger(v)) return v;
  }
  return norm(BigInt(off) + BigInt(n));
}

/** to - from, clipped to [0, cap]: a number. */
export function span(from: U64, to: U64, cap: number): number {
  if (to <= from) return 0;
  const d = typeof from === 'number' && typeof to === 'number' ? to - from : Number(BigInt(to) - BigInt(from));
  return Math.min(d, cap);
}

/** The larger of two offsets. */
export function max(a: U64, b: U64): U64 {
  return a >= b ? a : b;
}
