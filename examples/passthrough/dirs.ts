// Open directories of the passthrough: a source directory fd per opendir, read with getdents64.
//
// Cookies. The kernel continues a listing at the offset of the last entry it took. Source positions
// (d_off) can use all 64 bits (ext4's hash positions do), more than a JS number holds exactly, so
// each handle numbers the entries it hands out 1, 2, 3, ... and keeps the d_off of each: cookie k
// resumes at the source position after entry k. A listing restarted at offset 0 starts the
// numbering again, so a handle read over and over does not grow.
import type { Inode } from './inodes';

export class DirHandle {
  /** positions[k - 1]: the source position after the entry handed out with cookie k. */
  private positions = new BigInt64Array(64);
  private count = 0;

  constructor(readonly fd: number, readonly inode: Inode) {}

  /** Forgets the cookies handed out (a listing starts again at 0). */
  restart(): void {
    this.count = 0;
  }

  /** The cookie for an entry whose following position is `off`. */
  cookie(off: bigint): number {
    if (this.count === this.positions.length) {
      const grown = new BigInt64Array(this.count * 2);
      grown.set(this.positions);
      this.positions = grown;
    }
    this.positions[this.count++] = off;
    return this.count;
  }

  /** Takes back the cookies after `last` (entries read but not sent: the kernel never names them). */
  truncate(last: number): void {
    if (last < this.count) this.count = last;
  }

  /** The source position where the listing resumes after `cookie` (undefined for an unknown cookie). */
  position(cookie: number): bigint | undefined {
    if (cookie === 0) return 0n;
    return Number.isSafeInteger(cookie) && cookie >= 1 && cookie <= this.count ? this.positions[cookie - 1] : undefined;
  }
}
