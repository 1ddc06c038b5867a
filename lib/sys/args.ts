// The argument and result conventions every sys call shares: names as bytes, fds, integers and
// offsets checked (a TypeError), a -errno result or a Node fs error turned into a FuseError.
import { isOffset, type U64 } from '../attr';
import { errnoName, FuseError } from '../errors';

/** A name or path: bytes, or a string taken as UTF-8. */
export type Name = Uint8Array | string;

/** The empty name: the object the fd itself refers to. */
export const EMPTY: Buffer = Buffer.alloc(0);

export const TWO32 = 4294967296;

export function bytes(n: Name, what: string): Uint8Array {
  if (typeof n === 'string') return Buffer.from(n, 'utf8');
  if (n instanceof Uint8Array) return n;
  throw new TypeError(`${what}: Buffer, Uint8Array or string expected`);
}

export function fdArg(fd: number, what: string): number {
  if (!(Number.isInteger(fd) && (fd >= 0 || fd === -100))) throw new TypeError(`${what}: invalid file descriptor ${String(fd)}`);
  return fd;
}

export function num(v: number, what: string, min = 0): number {
  if (!(Number.isSafeInteger(v) && v >= min)) throw new TypeError(`${what}: invalid value ${String(v)}`);
  return v;
}

/** An offset or size: a safe integer, or a bigint up to 2^63-1 (beyond 2^53-1 a number is not exact). */
export function off(v: U64, what: string): U64 {
  if (!isOffset(v)) throw new TypeError(`${what}: invalid value ${String(v)}`);
  return v;
}

/** Throws the FuseError of a -errno result; returns a non-negative result. */
export function check(r: number, call: string): number {
  if (r < 0) throw new FuseError(-r, `${call}: ${errnoName(-r)}`);
  return r;
}

/** Turns an error of Node's fs (a SystemError with a negative errno) into a FuseError. */
export function fromNode(e: unknown, call: string): unknown {
  const n = (e as NodeJS.ErrnoException | null)?.errno;
  if (typeof n === 'number' && n < 0) return new FuseError(-n, `${call}: ${errnoName(-n)}`);
  return e;
}
