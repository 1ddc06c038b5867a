// What requests and replies do to a mount's inode registry: lookups given by entry replies and
// taken back by FORGET, opens and releases. Nothing when the mount keeps no registry.
import type { Dirents } from './dirents';
import { F, VAR_OFFSET } from './layout';
import type { InodeRegistry } from './registry';

export class RegistryEffects {
  /** `inodes`: the mount's registry, undefined when it keeps none (registry: false). */
  constructor(private readonly inodes: InodeRegistry | undefined) {}

  /** The kernel accepted an entry reply: it holds one more lookup of ino. */
  entry(ino: number): void {
    if (this.inodes) this.inodes._entry(ino);
  }

  /** The same for each entry of a readdirplus reply (not "." and "..", not ino 0). */
  dirents(list: Dirents, start: number, count: number): void {
    const inodes = this.inodes;
    if (!inodes) return;
    for (let i = start; i < start + count; i++) {
      const ino = list.inoAt(i);
      if (ino !== 0 && !list.isDotAt(i)) inodes._entry(ino);
    }
  }

  /** An open, opendir or create reply was accepted. */
  opened(ino: number): void {
    if (this.inodes) this.inodes._open(ino);
  }

  /** A release or releasedir was answered. */
  released(ino: number): void {
    if (this.inodes) this.inodes._release(ino);
  }

  /** A FORGET (multi: a batch FORGET) in the slot whose header starts at h[b]. */
  forget(h: Float64Array, b: number, multi: boolean): void {
    const inodes = this.inodes;
    if (!inodes) return;
    if (!multi) {
      inodes._forget(h[b + F.INO], h[b + F.SIZE]);
      return;
    }
    const n = h[b + F.SIZE];
    const pairs = b + VAR_OFFSET / 8;
    for (let i = 0; i < n; i++) inodes._forget(h[pairs + 2 * i], h[pairs + 2 * i + 1]);
  }
}
