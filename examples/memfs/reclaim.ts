// Giving memory back to the system after a mass deletion.
//
// memfs drops its last reference to a freed inode at once, but the memory stays in the process until
// V8 collects: file contents are Buffers (external memory, freed only by a full GC), and a quiet
// process may not collect for a long time (measured: 200k deleted files kept every byte). So once
// `threshold` bytes' worth of inodes have been freed and frees have stopped for `quietMs`, memfs asks
// for a full collection, then hands the C heap's free pages back (malloc_trim): glibc returns only
// the top of its heap on free(), and the freed 4 KiB buffers lie below live ones.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { sys } from '../../lib';

/** A full GC: --expose-gc's function, or one obtained by setting that flag now (no command-line flag needed). */
function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export interface ReclaimOptions {
  /** Bytes freed before a collection is worth its pause (default 64 MiB). */
  threshold?: number;
  /** Milliseconds without frees before collecting (default 1000): not while a deletion runs. */
  quietMs?: number;
}

export class Reclaimer {
  private freed = 0;
  private lastFree = 0;
  private timer: NodeJS.Timeout | undefined;
  private gc: (() => void) | undefined;
  private readonly threshold: number;
  private readonly quietMs: number;
  /** Collections run so far. */
  runs = 0;

  constructor(options: ReclaimOptions = {}) {
    this.threshold = options.threshold ?? 64 * 2 ** 20;
    this.quietMs = options.quietMs ?? 1000;
    for (const [k, v] of [['threshold', this.threshold], ['quietMs', this.quietMs]] as const) {
      if (!(Number.isFinite(v) && v >= 0)) throw new TypeError(`memfs reclaim: ${k} must be a number >= 0, got ${v}`);
    }
  }

  /** `bytes` were freed (an estimate: data pages and the inode's objects). */
  freedBytes(bytes: number): void {
    this.freed += bytes;
    this.lastFree = Date.now();
    if (this.freed >= this.threshold && !this.timer) this.arm(this.quietMs);
  }

  /** Cancels a pending collection (the filesystem is going away). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.fire(), ms);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    const idle = Date.now() - this.lastFree;
    if (idle < this.quietMs) {
      this.arm(this.quietMs - idle);
      return;
    }
    this.freed = 0;
    this.runs++;
    const gc = (this.gc ??= collector());
    gc();
    // V8 frees the Buffers' memory (external) when it finishes sweeping their ArrayBuffers, which the
    // next collection completes: a second one shortly after, then the trim.
    setTimeout(() => {
      gc();
      sys.mallocTrim();
    }, 200).unref();
  }
}
