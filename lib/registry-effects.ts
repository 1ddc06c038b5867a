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
    const inodes = this.inodes;
    if (!inodes) return;
    if (effect === Effect.entry || effect === Effect.create) inodes._entry(arg);
    if (effect === Effect.open || effect === Effect.create) inodes._open(arg);
    if (effect === Effect.release) inodes._release(arg);
    if (effect === Effect.dirents && list !== undefined) {
      // Each entry sent, but not "." and ".." nor ino 0.
      for (let i = arg; i < arg + count; i++) {
        const ino = list.inoAt(i);
        if (ino !== 0 && !list.isDotAt(i)) inodes._entry(ino);
      }
    }
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
