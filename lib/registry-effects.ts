// What requests and replies do to a mount's inode registry: lookups given by entry replies and
// taken back by FORGET, opens and releases. Nothing when the mount keeps no registry.
import type { Dirents } from './dirents';
import { F, VAR_OFFSET } from './layout';
import type { InodeRegistry } from './registry';

/** What an answered request does to the inode registry (complete()'s `effect`, RegistryEffects.apply). */
export const Effect = {
  /** Nothing (most ops; a reply the kernel refused). */
  none: 0,
  /** An accepted entry reply: one more lookup of `arg` (the inode). */
  entry: 1,
  /** An accepted open or opendir reply: one more open of `arg`. */
  open: 2,
  /** An accepted create reply: one more lookup and one more open of `arg`. */
  create: 3,
  /** A release or releasedir was answered: one open of `arg` less. */
  release: 4,
  /** An accepted readdirplus reply: one more lookup of each entry of `list` sent, from index `arg`. */
  dirents: 5,
} as const;
export type Effect = (typeof Effect)[keyof typeof Effect];

export class RegistryEffects {
  /** `inodes`: the mount's registry, undefined when it keeps none (registry: false). */
  constructor(private readonly inodes: InodeRegistry | undefined) {}

  /**
   * What an answered request does (complete()): `arg` the inode, or for Effect.dirents the index of
   * the first entry of `list` sent and `count` how many.
   */
  apply(effect: Effect, arg: number, list: Dirents | undefined, count: number): void {
    if (!this.inodes) return;
    switch (effect) {
      case Effect.entry:
        this.entry(arg);
        break;
      case Effect.open:
        this.opened(arg);
        break;
      case Effect.create:
        this.entry(arg);
        this.opened(arg);
        break;
      case Effect.release:
        this.released(arg);
        break;
      case Effect.dirents:
        if (list !== undefined) this.dirents(list, arg, count);
        break;
    }
  }

  /** The kernel accepted an entry reply: it holds one more lookup of ino. */
  private entry(ino: number): void {
    if (this.inodes) this.inodes._entry(ino);
  }

  /** The same for each entry of a readdirplus reply (not "." and "..", not ino 0). */
  private dirents(list: Dirents, start: number, count: number): void {
    const inodes = this.inodes;
    if (!inodes) return;
    for (let i = start; i < start + count; i++) {
      const ino = list.inoAt(i);
      if (ino !== 0 && !list.isDotAt(i)) inodes._entry(ino);
    }
  }

  /** An open, opendir or create reply was accepted. */
  private opened(ino: number): void {
    if (this.inodes) this.inodes._open(ino);
  }

  /** A release or releasedir was answered. */
  private released(ino: number): void {
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
