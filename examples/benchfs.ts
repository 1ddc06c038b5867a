// benchfs: the benchmark filesystem of shared/bench (spec version 1), on the public API with the
// inode registry on, as users run it. `rxfuse benchfs <mountpoint>`.
//
//   /          1  dir   files, big, sink, scratch (in that order)
//   /files     2  dir   f00000 .. f09999 (ino 6 + N), empty regular files 0644
//   /big       3  file  1 GiB, byte at offset o is o mod 256, read-only
//   /sink      4  file  writes accepted and discarded, size stays 0
//   /scratch   5  dir   the only place that can be modified
import { constants } from 'node:fs';
import * as rxfuse from '../lib';
import {
  type Attr, Dirents, type Entry, errno, type Fuse, FuseError, SetattrValid, type Timespec,
} from '../lib';
import type { Example } from './example';
import { ConstantBenchFs, ladderOptions, ladderStep } from './benchfs/ladder';

const GiB = 1024 * 1024 * 1024;
// What handlers use on every request, read once: a CommonJS exports object with many names (rxfuse's
// index, node:fs's constants) is a dictionary in V8, where each read is a generic lookup
// (docs/performance.md, "Dictionary-mode objects").
const { now, O_ACCMODE } = rxfuse;
const { O_RDONLY, O_TRUNC, S_IFDIR, S_IFMT, S_IFREG } = constants;
const { ENOENT } = errno;
const ZERO_TIMEOUT = 0;

interface Node {
  ino: number;
  attr: Attr;
  /** Cached replies: an entry and an attribute reply with zero timeouts. */
  entry: Entry;
  attrReply: { attr: Attr; timeout: number };
  parent: number;
  /** Directories: name (latin1) → index in `order`; `order` keeps insertion slots (null = removed). */
  children?: Map<string, number>;
  order?: ({ name: Buffer; ino: number } | null)[];
  listing?: Dirents;
  /** Scratch files: the bytes. */
  data?: Buffer;
  size?: number;
  writable: boolean;
}

const ROOT = 1;
const FILES = 2;
const BIG = 3;
const SINK = 4;
const SCRATCH = 5;

// Scratch file bytes. Capacities up to SLAB_PIECE are pieces of shared slabs: a Buffer of its own
// costs about 8,000 instructions in V8 (the ArrayBuffer constructor, a backing store, calloc's
// zeroing, external-memory accounting), a piece of a slab a few hundred (docs/performance.md,
// "File bytes in slabs"). Node's Buffer.allocUnsafe pools the same way below 4 KiB. A piece is not
// reused: its slab is freed with the last file that holds a piece of it. Larger files get their own
// Buffer (as C's realloc). Bytes beyond a file's size are zeroed when the size grows over them.
const SLAB = 1024 * 1024;
const SLAB_PIECE = 64 * 1024;
const MIN_CAPACITY = 4096;
let slab = Buffer.allocUnsafe(0);
let slabUsed = 0;
const EMPTY = Buffer.alloc(0);

function fileBytes(capacity: number): Buffer {
  if (capacity > SLAB_PIECE) return Buffer.allocUnsafe(capacity);
  if (slabUsed + capacity > slab.length) {
    slab = Buffer.allocUnsafe(SLAB);
    slabUsed = 0;
  }
  const piece = slab.subarray(slabUsed, slabUsed + capacity);
  slabUsed += capacity;
  return piece;
}

// One preallocated pattern buffer (4 MiB + 256 bytes of 0..255): reads of big are slices of it.
const PATTERN = Buffer.alloc(4 * 1024 * 1024 + 256);
for (let i = 0; i < PATTERN.length; i++) PATTERN[i] = i & 255;

export class BenchFs {
  private readonly nodes = new Map<number, Node>();
  private nextIno: number;
  private readonly uid = process.getuid?.() ?? 0;
  private readonly gid = process.getgid?.() ?? 0;
  private readonly built: Timespec = now();
  maxReadSeen = 0;
  maxWriteSeen = 0;

  constructor(private readonly fuse: Fuse) {
    this.dir(ROOT, ROOT, false);
    this.dir(FILES, ROOT, false);
    this.file(BIG, ROOT, S_IFREG | 0o444, GiB, false);
    this.file(SINK, ROOT, S_IFREG | 0o644, 0, false);
    this.dir(SCRATCH, ROOT, true);
    for (const [name, ino] of [['files', FILES], ['big', BIG], ['sink', SINK], ['scratch', SCRATCH]] as const) {
      this.link(ROOT, Buffer.from(name), ino);
    }
    for (let n = 0; n < 10000; n++) {
      const ino = 6 + n;
      this.file(ino, FILES, S_IFREG | 0o644, 0, false);
      this.link(FILES, Buffer.from(`f${String(n).padStart(5, '0')}`), ino);
    }
    this.nextIno = 6 + 10000;
    fuse.inodes.released$.subscribe((ino) => this.nodes.delete(ino));
  }

  private make(ino: number, parent: number, mode: number, writable: boolean): Node {
    const t = this.built;
    const attr: Attr = { ino, mode, nlink: 1, uid: this.uid, gid: this.gid, size: 0, atime: t, mtime: t, ctime: t, blksize: 4096 };
    const node: Node = {
      ino, attr, parent, writable,
      entry: { attr, attrTimeout: ZERO_TIMEOUT, entryTimeout: ZERO_TIMEOUT },
      attrReply: { attr, timeout: ZERO_TIMEOUT },
    };
    this.nodes.set(ino, node);
    return node;
  }

  private dir(ino: number, parent: number, writable: boolean): Node {
    const n = this.make(ino, parent, S_IFDIR | 0o755, writable);
    n.attr.nlink = 2;
    n.children = new Map();
    n.order = [];
    return n;
  }

  private file(ino: number, parent: number, mode: number, size: number, writable: boolean): Node {
    const n = this.make(ino, parent, mode, writable);
    n.attr.size = size;
    if (writable) {
      n.data = EMPTY;  // no capacity yet: resize() gives it its own bytes
      n.size = 0;
    }
    return n;
  }

  private link(parent: number, name: Buffer, ino: number): void {
    const p = this.get(parent);
    p.children!.set(name.toString('latin1'), p.order!.length);
    p.order!.push({ name, ino });
    p.listing = undefined;
    if ((this.get(ino).attr.mode & S_IFMT) === S_IFDIR) p.attr.nlink = (p.attr.nlink ?? 2) + 1;
  }

  private get(ino: number): Node {
    const n = this.nodes.get(ino);
    if (!n) throw new FuseError('ENOENT');
    return n;
  }

  private child(parent: Node, key: string): Node | undefined {
    const i = parent.children?.get(key);
    if (i === undefined) return undefined;
    const e = parent.order![i];
    return e ? this.nodes.get(e.ino) : undefined;
  }

  private writableDir(ino: number): Node {
    const d = this.get(ino);
    if (!d.children) throw new FuseError('ENOTDIR');
    if (!d.writable) throw new FuseError('EACCES');
    return d;
  }

  private touch(n: Node): void {
    const t = now();
    n.attr.mtime = t;
    n.attr.ctime = t;
  }

  /**
   * Sets a scratch file's size: a new capacity (doubling, as C's benchfs) when it outgrows its bytes.
   * What it grows over reads as zeros, except from `writtenFrom` on (a write's range, copied next).
   */
  private resize(n: Node, size: number, writtenFrom = size): void {
    let data = n.data!;
    const old = n.size!;
    if (size > data.length) {
      let capacity = Math.max(data.length, MIN_CAPACITY);
      while (capacity < size) capacity = Math.min(capacity * 2, size + 64 * 1024 * 1024);
      const grown = fileBytes(capacity);
      if (old > 0) data.copy(grown, 0, 0, old);
      n.data = data = grown;
    }
    const zeroTo = Math.min(size, writtenFrom);
    if (zeroTo > old) data.fill(0, old, zeroTo);
    n.size = size;
    n.attr.size = size;
  }

  private unlinkName(parent: Node, key: string): void {
    const i = parent.children!.get(key)!;
    const ino = parent.order![i]!.ino;
    parent.order![i] = null;  // removed children leave gaps in the cookies
    parent.children!.delete(key);
    parent.listing = undefined;
    this.fuse.inodes.markRemoved(ino);
  }

  attach(): void {
    const fuse = this.fuse;
    fuse.handleAll({
      lookup: (req) => {
        const n = this.child(this.get(req.parent), req.nameKey);
        if (n) return n.entry;
        // Every create starts with this miss: answered with fail(), since a throw costs about as
        // much as the whole request (docs/guide.md, section 6).
        req.fail(ENOENT);
        return undefined;
      },
      getattr: (req) => this.get(req.ino).attrReply,
      setattr: (req) => {
        const n = this.get(req.ino);
        const set = req.toSet;
        if (set & SetattrValid.SIZE) {
          if (n.children) throw new FuseError('EISDIR');
          if (n.ino === SINK) {
            // accepted and ignored
          } else if (!n.data) throw new FuseError('EACCES');
          else this.resize(n, req.size!);
        }
        const a = n.attr;
        if (set & SetattrValid.MODE) a.mode = (a.mode & S_IFMT) | (req.mode! & 0o7777);
        if (set & SetattrValid.UID) a.uid = req.uidToSet;
        if (set & SetattrValid.GID) a.gid = req.gidToSet;
        const t = now();
        const at = req.atime;
        if (at) a.atime = at === 'now' ? t : at;
        const mt = req.mtime;
        if (mt) a.mtime = mt === 'now' ? t : mt;
        a.ctime = t;
        return n.attrReply;
      },
      opendir: (req) => {
        if (!this.get(req.ino).children) throw new FuseError('ENOTDIR');
        return 0;
      },
      readdir: (req) => this.listing(this.get(req.ino)),
      releasedir: () => undefined,
      open: (req) => {
        const n = this.get(req.ino);
        if (n.children) throw new FuseError('EISDIR');
        const acc = req.flags & O_ACCMODE;
        if (acc !== O_RDONLY && !n.data && n.ino !== SINK) throw new FuseError('EACCES');
        if (req.flags & O_TRUNC && n.data) {
          this.resize(n, 0);
          this.touch(n);
        }
        return 0;
      },
      read: (req) => {
        const size = req.size;
        if (size > this.maxReadSeen) this.maxReadSeen = size;
        const off = req.offset;
        if (req.ino === BIG) {
          const len = Math.max(0, Math.min(size, GiB - off));
          const start = off & 255;
          return PATTERN.subarray(start, start + len);
        }
        const n = this.get(req.ino);
        if (!n.data) return EMPTY;
        return n.data.subarray(Math.min(off, n.size!), Math.min(off + size, n.size!));
      },
      write: (req) => {
        const size = req.size;
        if (size > this.maxWriteSeen) this.maxWriteSeen = size;
        if (req.ino === SINK) return size;
        const n = this.get(req.ino);
        if (!n.data) throw new FuseError('EACCES');
        const end = req.offset + size;
        if (end > n.size!) this.resize(n, end, req.offset);
        req.data.copy(n.data!, req.offset);
        this.touch(n);
        return size;
      },
      flush: () => undefined,
      release: () => undefined,
      create: (req) => {
        const d = this.writableDir(req.parent);
        if (this.child(d, req.nameKey)) throw new FuseError('EEXIST');
        const n = this.file(this.nextIno++, d.ino, S_IFREG | (req.mode & 0o7777), 0, true);
        this.link(d.ino, req.name, n.ino);
        this.touch(d);
        // Written out, not `{ ...n.entry, fh: 0 }`: on Node 20's V8 a spread plus a property makes a
        // new hidden class at each call once warm, and every property rxfuse reads from the reply
        // then misses its inline cache (docs/performance.md, "Instructions per request").
        return { attr: n.attr, attrTimeout: ZERO_TIMEOUT, entryTimeout: ZERO_TIMEOUT, fh: 0 };
      },
      mkdir: (req) => {
        const d = this.writableDir(req.parent);
        if (this.child(d, req.nameKey)) throw new FuseError('EEXIST');
        const n = this.dir(this.nextIno++, d.ino, true);
        n.attr.mode = S_IFDIR | (req.mode & 0o7777);
        this.link(d.ino, req.name, n.ino);
        this.touch(d);
        return n.entry;
      },
      unlink: (req) => {
        const d = this.writableDir(req.parent);
        const key = req.nameKey;  // a getter that builds the string: read once
        const n = this.child(d, key);
        if (!n) throw new FuseError('ENOENT');
        if (n.children) throw new FuseError('EISDIR');
        this.unlinkName(d, key);
        n.attr.nlink = 0;
        this.touch(d);
      },
      rmdir: (req) => {
        const d = this.writableDir(req.parent);
        const n = this.child(d, req.nameKey);
        if (!n) throw new FuseError('ENOENT');
        if (!n.children) throw new FuseError('ENOTDIR');
        if (n.children.size > 0) throw new FuseError('ENOTEMPTY');
        this.unlinkName(d, req.nameKey);
        d.attr.nlink = (d.attr.nlink ?? 3) - 1;
        n.attr.nlink = 0;
        this.touch(d);
      },
    });
  }

  /** The directory's listing, rebuilt only after it changed. Cookie of insertion slot i: i + 1. */
  private listing(d: Node): Dirents {
    if (!d.children) throw new FuseError('ENOTDIR');
    if (!d.listing) {
      const l = new Dirents(d.order!.length);
      d.order!.forEach((e, i) => {
        if (e) l.add(e.name, e.ino, this.nodes.get(e.ino)?.attr.mode ?? S_IFREG, i + 1);
      });
      d.listing = l;
    }
    return d.listing;
  }
}

let instance: BenchFs | undefined;
// RXFUSE_LADDER=1..5: a step of the ablation ladder instead (benchfs/ladder.ts); unset or 6: benchfs.
const step = ladderStep(process.env.RXFUSE_LADDER);

const example: Example = {
  description: 'the benchmark filesystem of shared/bench (spec version 1)',
  usage: '',
  options: { fsname: 'benchfs', ...ladderOptions(step) },
  setup(fuse: Fuse) {
    if (step === 4 || step === 5) new ConstantBenchFs(fuse, step === 5).attach();
    if (step === 6) {
      instance = new BenchFs(fuse);
      instance.attach();
    }
    fuse.init$.subscribe((c) => {
      process.stderr.write(`benchfs-info: ${JSON.stringify({ impl: 'rxfuse', ladder: step, node: process.version, max_write: c.maxWrite, max_readahead: c.maxReadahead, want: c.want })}\n`);
    });
  },
  teardown() {
    const seen = instance ? { max_read_seen: instance.maxReadSeen, max_write_seen: instance.maxWriteSeen } : {};
    process.stderr.write(`benchfs-stats: ${JSON.stringify({ impl: 'rxfuse', ladder: step, ...seen })}\n`);
  },
};

export default example;
