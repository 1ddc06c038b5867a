// Request field getters defined from data: a getter per header field that only reads it (fields),
// a number/bigint pair per 64-bit field (wide), a flag per field read as "not 0" (flags), a
// bytes/latin1 pair per name in the slot (names). Each is defined once on a class's prototype; the
// class declares it (`declare readonly mode: number`, with its TSDoc) so its public type is unchanged.
// The hot getters (ino, fh, read/write offset and size) stay written out in their classes.
import type { U64 } from './attr';

/** What the getters read through: Request's protected field readers. */
interface FieldReader {
  f(i: number): number;
  n64(i: number, what: string): number;
  f64(i: number, x: number): U64;
  bytesAt(off: number, lenField: number): Buffer;
  latin1At(off: number, lenField: number): string;
}

type RequestClass = { prototype: object };

function define(target: RequestClass, key: string, get: (this: FieldReader) => unknown): void {
  Object.defineProperty(target.prototype, key, { get, enumerable: false, configurable: true });
}

/** Defines a getter per entry that returns header field `i` as it is. */
export function fields(target: RequestClass, map: Readonly<Record<string, number>>): void {
  for (const [key, i] of Object.entries(map)) define(target, key, function (this: FieldReader) { return this.f(i); });
}

/** Defines a getter per entry that returns whether header field `i` is not 0. */
export function flags(target: RequestClass, map: Readonly<Record<string, number>>): void {
  for (const [key, i] of Object.entries(map)) define(target, key, function (this: FieldReader) { return this.f(i) !== 0; });
}

/**
 * Defines, per entry `key: [i, x]`, the 64-bit field `i` (wide part `x`) as `key` (a number; a
 * RangeError naming `key64` beyond 2^53-1) and `key64` (exact: a bigint beyond 2^53-1).
 */
export function wide(target: RequestClass, map: Readonly<Record<string, readonly [number, number]>>): void {
  for (const [key, [i, x]] of Object.entries(map)) {
    define(target, key, function (this: FieldReader) { return this.n64(i, key); });
    define(target, `${key}64`, function (this: FieldReader) { return this.f64(i, x); });
  }
}

/**
 * Defines, per entry `key: [off, lenField]`, the name at `off` in the slot as `key` (bytes, a fresh
 * copy) and as `${key}Key` (a latin1 string: one character per byte, fit for map keys).
 */
export function names(target: RequestClass, map: Readonly<Record<string, readonly [number, number]>>): void {
  for (const [key, [off, len]] of Object.entries(map)) {
    define(target, key, function (this: FieldReader) { return this.bytesAt(off, len); });
    define(target, `${key}Key`, function (this: FieldReader) { return this.latin1At(off, len); });
  }
}
