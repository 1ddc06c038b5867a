// Timestamps with nanoseconds, and the relatime rule tmpfs applies to atime.
import type { Timespec } from '../../lib';

// The wall clock at an anchor plus the monotonic clock since then: nanosecond steps (as tmpfs's
// fine-grained timestamps) without a bigint per call. Re-anchored every minute so that the wall
// clock's adjustments are followed; never goes backwards.
const REANCHOR_SEC = 60;
let anchorSec = 0;
let anchorNsec = 0;
let anchorHr: [number, number] = [0, 0];
let lastSec = 0;
let lastNsec = 0;

function anchor(): void {
  const ms = Date.now();
  anchorSec = Math.floor(ms / 1000);
  anchorNsec = (ms - anchorSec * 1000) * 1e6;
  anchorHr = process.hrtime();
}
anchor();

export function clock(): Timespec {
  let d = process.hrtime(anchorHr);
  if (d[0] >= REANCHOR_SEC) {
    anchor();
    d = process.hrtime(anchorHr);
  }
  let sec = anchorSec + d[0];
  let nsec = anchorNsec + d[1];
  if (nsec >= 1e9) {
    sec += 1;
    nsec -= 1e9;
  }
  if (sec < lastSec || (sec === lastSec && nsec < lastNsec)) {
    sec = lastSec;
    nsec = lastNsec;
  }
  lastSec = sec;
  lastNsec = nsec;
  return { sec, nsec };
}

/** a < b: -1, a = b: 0, a > b: 1. */
export function cmp(a: Timespec, b: Timespec): number {
  if (a.sec !== b.sec) return a.sec < b.sec ? -1 : 1;
  return a.nsec === b.nsec ? 0 : a.nsec < b.nsec ? -1 : 1;
}

/** relatime (the kernel's relatime_need_update): atime moves when it is not newer than mtime or ctime, or a day old. */
export function atimeDue(t: { atime: Timespec; mtime: Timespec; ctime: Timespec }, now: Timespec): boolean {
  if (cmp(t.mtime, t.atime) >= 0 || cmp(t.ctime, t.atime) >= 0) return true;
  return now.sec - t.atime.sec >= 24 * 60 * 60;
}
