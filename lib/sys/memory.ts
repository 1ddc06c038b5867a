// Memory: buffers aligned for O_DIRECT, and handing the C heap's free pages back to the system.
import { sys } from './addon';

/** What O_DIRECT copies are aligned to: every device's logical block size (512 B, 4 KiB) divides it. */
const DIRECT_ALIGN = 4096;

/**
 * A copy of `data` that starts on a 4096-byte boundary, as pwrite(2) to a file opened O_DIRECT
 * needs (an ordinary Buffer starts anywhere). It keeps up to 4 KiB more memory alive than `data`.
 */
export function alignedCopy(data: Uint8Array): Buffer {
  if (!(data instanceof Uint8Array)) throw new TypeError('alignedCopy: Buffer or Uint8Array expected');
  const room = Buffer.allocUnsafeSlow(data.length + DIRECT_ALIGN);  // off the V8 heap: never moves
  const gap = sys().alignGap(room, DIRECT_ALIGN);
  const copy = room.subarray(gap, gap + data.length);
  copy.set(data);
  return copy;
}

/**
 * Hands the C heap's free pages back to the system (glibc's malloc_trim(0)): after a GC has freed
 * many Buffers, their memory otherwise stays in the process. Whether any was returned.
 */
export function mallocTrim(): boolean {
  return sys().mallocTrim() === 1;
}
