// The inode registry: the kernel's lookup count of every inode, open counts, and deferred removal.
//
// The kernel holds a "lookup count" on every inode it learnt of through an entry reply (lookup,
// create, mknod, mkdir, symlink, link, each readdirplus entry) and gives them back with FORGET. A
// filesystem may free an inode only when that count is zero, no file handle is open on it and it has
// no links left. The registry keeps those counts for the filesystem, exactly: they change at the
// moment an entry reply is accepted by the kernel and at the moment a FORGET is dispatched.
//
// The ordering rule: everything here runs on the JS thread, synchronously with the reply or the
// FORGET that changes a count, so a count change and a filesystem's own state change for the same
// inode never interleave. `released$` fires when a removed inode is neither known to the kernel nor
// open, and only while no entry-producing request (lookup, create, ...) is in flight: a handler that
// resolved a name before an await may still reply with that inode, and a release is held back until
// every such reply is in. An entry reply for a held-back inode makes it known again and cancels its
// release; it is released once the kernel forgets it again.
import { Observable, Subject } from 'rxjs';
import { InoCountTable } from './inotable';

/** The root directory's inode number (pyfuse3.ROOT_INODE). */
export const ROOT_INODE = 1;
/** @deprecated The same as ROOT_INODE. */
export const ROOT_INO = ROOT_INODE;

/** The registry's counts (`fuse.inodes.stats`, part of `fuse.stats()`). */
export interface RegistryStats {
  /** Inodes the kernel holds a lookup count on (the root included). */
  knownInodes: number;
  /** The sum of all lookup counts. */
  lookups: number;
  /** Open file and directory handles. */
  openHandles: number;
  /** Inodes marked removed and not yet released. */
  pendingRemovals: number;
  /** Entry-producing requests in flight (lookup, create, ...). */
  entryRequestsInFlight: number;
  /** Inodes released so far. */
  released: number;
  /** Bytes the lookup-count table takes. */
  tableBytes: number;
}

/** Something the kernel did that does not add up (reported, never thrown). */
export interface RegistryAnomaly {
  /** A forget of an unknown inode, a forget of more lookups than it had, a release of an inode with no open handle. */
  kind: 'forget-unknown' | 'forget-excess' | 'release-unknown';
  /** The inode. */
  ino: number;
  /** The count the kernel gave back. */
  n: number;
  /** The count the registry had. */
  had: number;
}

/** One inode the kernel still held at unmount (it sends no FORGET then). */
export interface DroppedLookup {
  /** The inode. */
  ino: number;
  /** Its lookup count at unmount. */
  lookups: number;
}

/**
 * The kernel's lookup counts and open handles per inode, kept from the replies and forgets
 * (`fuse.inodes`): tells a filesystem when an unlinked inode's data may be freed (markRemoved,
 * released$). It never throws on what the kernel does; anomalies$ reports what does not add up.
 */
export class InodeRegistry {
  private readonly lookups = new InoCountTable();
  private total = 0;
  private readonly opens = new Map<number, number>();
  private openTotal = 0;
  private readonly removed = new Set<number>();
  private readonly heldBack = new Set<number>();
  private entryInFlight = 0;
  private releasedCount = 0;
  private readonly releasedSubject = new Subject<number>();
  private readonly anomalySubject = new Subject<RegistryAnomaly>();
  private readonly droppedSubject = new Subject<readonly DroppedLookup[]>();

  /**
   * A removed inode (or, with releaseForgotten, any inode) is no longer known to the kernel nor
   * open: free its data now.
   */
  readonly released$: Observable<number> = this.releasedSubject.asObservable();
  /** Forgets or releases for inodes the registry did not know (a bug somewhere, never thrown). */
  readonly anomalies$: Observable<RegistryAnomaly> = this.anomalySubject.asObservable();
  /** At unmount: the counts the kernel still held, dropped (the kernel sends no FORGET then). */
  readonly dropped$: Observable<readonly DroppedLookup[]> = this.droppedSubject.asObservable();

  /**
   * Release every inode, not only removed ones, once the kernel forgets it and no handle is open:
   * for filesystems that keep per-inode state (an fd, a cache) only while the kernel knows the inode,
   * such as a passthrough or an overlay. The root is never released.
   */
  releaseForgotten = false;

  /** @internal Each Fuse creates its own (`fuse.inodes`). */
  constructor() {
    this.lookups.add(ROOT_INODE, 1);  // the kernel holds the root from mount to unmount
    this.total = 1;
  }

  /** The kernel's lookup count of ino (the root counts 1 while mounted). */
  lookupCount(ino: number): number {
    return this.lookups.get(ino);
  }

  /** Open handles (open, create, opendir not yet released) on ino. */
  openCount(ino: number): number {
    return this.opens.get(ino) ?? 0;
  }

  /** Whether the kernel holds a lookup count on ino. */
  isKnown(ino: number): boolean {
    return this.lookups.get(ino) > 0;
  }

  /** Whether ino was marked removed (markRemoved) and is not yet released. */
  isRemoved(ino: number): boolean {
    return this.removed.has(ino);
  }

  /** How many inodes the kernel holds a lookup count on (the root included). */
  get knownInodes(): number {
    return this.lookups.size;
  }

  /** The counts now (a fresh object). */
  get stats(): RegistryStats {
    return {
      knownInodes: this.lookups.size,
      lookups: this.total,
      openHandles: this.openTotal,
      pendingRemovals: this.removed.size,
      entryRequestsInFlight: this.entryInFlight,
      released: this.releasedCount,
      tableBytes: this.lookups.bytes,
    };
  }

  /**
   * The filesystem says ino's last link is gone (unlink, rmdir, rename over it). The inode is kept
   * until the kernel forgets it and every handle on it is released; then released$ fires. Calling it
   * for an inode the kernel no longer holds and nobody has open releases it at once.
   */
  markRemoved(ino: number): void {
    if (ino === ROOT_INODE) throw new RangeError('the root inode cannot be removed');
    this.removed.add(ino);
    this.maybeRelease(ino);
  }

  /** Takes back markRemoved (e.g. a link() brought the inode back before it was released). */
  unmarkRemoved(ino: number): void {
    this.removed.delete(ino);
    this.heldBack.delete(ino);
  }

  /** @internal the kernel accepted an entry reply for ino. */
  _entry(ino: number): void {
    this.lookups.add(ino, 1);
    this.total++;
  }

  /** @internal FORGET: the kernel gives back n lookups of ino. */
  _forget(ino: number, n: number): void {
    const had = this.lookups.get(ino);
    const taken = this.lookups.sub(ino, n);
    this.total -= taken;
    if (taken < n) this.anomalySubject.next({ kind: had === 0 ? 'forget-unknown' : 'forget-excess', ino, n, had });
    if (taken > 0 && had === taken) this.maybeRelease(ino);
  }

  /** @internal an open, create or opendir reply was accepted. */
  _open(ino: number): void {
    this.opens.set(ino, (this.opens.get(ino) ?? 0) + 1);
    this.openTotal++;
  }

  /** @internal a release or releasedir was answered. */
  _release(ino: number): void {
    const c = this.opens.get(ino);
    if (c === undefined) {
      this.anomalySubject.next({ kind: 'release-unknown', ino, n: 1, had: 0 });
      return;
    }
    this.openTotal--;
    if (c > 1) {
      this.opens.set(ino, c - 1);
      return;
    }
    this.opens.delete(ino);
    this.maybeRelease(ino);
  }

  /** @internal an entry-producing request is now in flight (answered after its dispatch). */
  _entryStarted(): void {
    this.entryInFlight++;
  }

  /** @internal ... and is answered. */
  _entryFinished(): void {
    if (--this.entryInFlight === 0 && this.heldBack.size > 0) {
      const held = [...this.heldBack];
      this.heldBack.clear();
      for (const ino of held) this.maybeRelease(ino);
    }
  }

  /** @internal the session is gone: report and drop what the kernel held. */
  _unmounted(): void {
    const dropped: DroppedLookup[] = [];
    this.lookups.forEach((ino, lookups) => dropped.push({ ino, lookups }));
    this.lookups.clear();
    this.total = 0;
    this.entryInFlight = 0;
    this.droppedSubject.next(dropped);
    // With the kernel gone, removed inodes are released now.
    for (const ino of [...this.removed]) {
      if (!this.opens.has(ino)) this.release(ino);
    }
    this.droppedSubject.complete();
  }

  private maybeRelease(ino: number): void {
    if (!(this.removed.has(ino) || (this.releaseForgotten && ino !== ROOT_INODE)) || this.lookups.get(ino) > 0 || this.opens.has(ino)) return;
    if (this.entryInFlight > 0) {
      this.heldBack.add(ino);
      return;
    }
    this.release(ino);
  }

  private release(ino: number): void {
    this.removed.delete(ino);
    this.releasedCount++;
    this.releasedSubject.next(ino);
  }
}
