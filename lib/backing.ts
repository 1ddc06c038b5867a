// Backing files for kernel passthrough (docs/design.md, "Kernel passthrough"): an open or create
// reply that carries one hands the file's reads and writes to the kernel. One backing file per inode
// at a time (the kernel's rule): a second open of the inode gets the same one. It is closed when no
// reply is about to carry it and the last open carrying it is released, and at unmount.
import { errno } from './errors';
import { FI, S } from './layout';
import type { NativeSession, PassthroughStats } from './native';

/** A backing file registered with the kernel, for one inode: give it to its open or create reply as `backing`. */
export interface Backing {
  /** The inode whose open files it backs. */
  readonly ino: number;
  /** The kernel's backing id. */
  readonly id: number;
}

interface Entry {
  readonly id: number;
  /** Handed out by open() and not yet in a reply (or dropped). */
  pending: number;
  /** Accepted replies carrying it and not yet released. */
  opens: number;
}

/** What `fuse.backing.stats` reports. */
export interface BackingStats extends PassthroughStats {
  /** BACKING_OPEN failures other than EPERM (served through read/write instead), by errno. */
  failed: number;
}

/**
 * The mount's backing files (`fuse.backing`): `open(ino, fd)` registers a file the kernel then reads
 * and writes itself for the open or create reply that carries it; `stats` counts them. See the
 * guide's "Kernel passthrough".
 */
export class BackingFiles {
  private readonly byIno = new Map<number, Entry>();
  /** Handles from open() not yet in a reply nor dropped: each counts once in its entry's `pending`. */
  private readonly unused = new WeakSet<Backing>();
  private failed = 0;

  /**
   * @internal Each Fuse creates its own (`fuse.backing`).
   * `session`: the mounted native session, undefined before mount and after unmount. `openCount`:
   * the registry's open count of an inode (undefined without a registry).
   */
  constructor(
    private readonly session: () => NativeSession | undefined,
    private readonly openCount?: (ino: number) => number,
  ) {}

  /** Whether replies can pass files through now: granted at INIT and not refused by the kernel since. */
  get available(): boolean {
    const n = this.session();
    return n !== undefined && n.passthroughStats().granted;
  }

  /**
   * Registers `fd` (an open regular file; the caller keeps it and may close it after the reply) as
   * the backing file of `ino`, or gives the one `ino` has already. undefined when passthrough is not
   * granted (old kernel, not privileged, writeback cache, `passthrough: false`), while ino has opens
   * served through read and write (the kernel allows no mix; known from the registry), or when the
   * kernel refuses this file (not a regular file; on a stacked filesystem: ELOOP): then serve that
   * open through read and write handlers, as without passthrough. A handle that no reply will
   * carry: drop() it.
   */
  open(ino: number, fd: number): Backing | undefined {
    if (!(Number.isSafeInteger(ino) && ino > 0)) throw new TypeError(`backing.open: bad inode ${String(ino)}`);
    if (!(Number.isInteger(fd) && fd >= 0)) throw new TypeError(`backing.open: bad fd ${String(fd)}`);
    let e = this.byIno.get(ino);
    if (e === undefined) {
      const n = this.session();
      if (n === undefined || !n.passthroughStats().granted) return undefined;
      // Opens of ino served through read/write are live: the kernel would fail a passthrough open
      // of the same inode (EIO), so this one is served as they are.
      if (this.openCount !== undefined && this.openCount(ino) > 0) return undefined;
      const id = n.backingOpen(fd);
      if (id <= 0) {
        if (id !== -errno.EPERM) this.failed++;  // EPERM turned passthrough off for the mount: not this file's fault
        return undefined;
      }
      e = { id, pending: 0, opens: 0 };
      this.byIno.set(ino, e);
    }
    e.pending++;
    const handle: Backing = Object.freeze({ ino, id: e.id });
    this.unused.add(handle);
    return handle;
  }

  /** Whether ino has a backing file now (opens of it pass through, or are about to). */
  has(ino: number): boolean {
    return this.byIno.has(ino);
  }

  /** Gives back a handle from open() that no reply will carry. */
  drop(b: Backing): void {
    const e = this.take(b);
    if (e !== undefined) this.maybeClose(b.ino, e);
  }

  /** Backing ids open now and so far, and the session's passthrough state. */
  get stats(): BackingStats {
    const n = this.session();
    const s: PassthroughStats = n?.passthroughStats() ??
      { offered: false, granted: false, refused: false, live: 0, opened: 0, closed: 0, spliceSends: 0 };
    return { ...s, failed: this.failed };
  }

  /**
   * @internal Writes the backing id of an open or create reply of `ino` into the scratch (0: none)
   * and drops what passthrough does not allow beside it (keep_cache). Throws for a handle of another
   * inode or one already closed.
   */
  _prepare(s: Float64Array, b: Backing | undefined, ino: number): void {
    s[S.FI + FI.BACKING_ID] = 0;
    if (b === undefined) return;
    if (b === null || typeof b !== 'object' || b.ino !== ino) {
      throw new TypeError(`backing: a handle of inode ${String((b as Backing | null)?.ino)} given to a reply for inode ${ino}`);
    }
    if (!this.unused.has(b)) throw new TypeError(`backing: the handle of inode ${ino} (id ${b.id}) was used or dropped already`);
    s[S.FI + FI.BACKING_ID] = b.id;
    s[S.FI + FI.KEEP_CACHE] = 0;
  }

  /** @internal A reply carrying b was sent; `accepted`: the kernel took it (an open to release later). */
  _replied(b: Backing | undefined, accepted: boolean): void {
    if (b === undefined) return;
    const e = this.take(b);
    if (e === undefined) return;
    if (accepted) e.opens++;
    this.maybeClose(b.ino, e);
  }

  /** @internal A release of ino was answered. */
  _released(ino: number): void {
    const e = this.byIno.get(ino);
    if (e === undefined || e.opens === 0) return;
    e.opens--;
    this.maybeClose(ino, e);
  }

  /** @internal The session is gone; it closed the ids it held. */
  _unmounted(): void {
    this.byIno.clear();
  }

  /** Uses up an unused handle: its entry, one pending less. */
  private take(b: Backing): Entry | undefined {
    if (!this.unused.delete(b)) return undefined;
    const e = this.byIno.get(b.ino);
    if (e !== undefined) e.pending--;
    return e;
  }

  private maybeClose(ino: number, e: Entry): void {
    if (e.pending > 0 || e.opens > 0) return;
    this.byIno.delete(ino);
    this.session()?.backingClose(e.id);
  }
}
