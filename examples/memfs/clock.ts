// Timestamps with nanoseconds, and the relatime rule tmpfs applies to atime.
import type { Timespec } from '../../lib';

// The wall clock at an anchor plus the monotonic clock since then: nanosecond steps (as tmpfs's
// fine-grained timestamps) without a bigint per call. Re-anchored whenever the wall clock (Date.now)
// and the anchored time part by more than 2 ms, so a step of the wall clock (NTP, a resumed VM) is
// followed at once, as tmpfs follows it; never goes backwards (a step back holds the time still until
// the wall clock passes it).
const DRIFT_MS = 2;
let anchorSec = 0;
let anchorNsec = 0;
let anchorHr: [number, number] = [0, 0];
let lastSec = 0;
let lastNsec = 0;

function anchor(ms: number): void {
  anchorSec = Math.floor(ms / 1000);
  anchorNsec = (ms - anchorSec * 1000) * 1e6;
  anchorHr = process.hrtime();
}
anchor(Date.now());

export function clock(): Timespec {
  const wall = Date.now();
  let d = process.hrtime(anchorHr);
  if (Math.abs((anchorSec + d[0]) * 1000 + (anchorNsec + d[1]) / 1e6 - wall) > DRIFT_MS) {
    anchor(wall);
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
