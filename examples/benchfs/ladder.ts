// The ablation ladder (docs/performance.md, "The ablation ladder"): benchfs variants that walk from a
// native answer to today's rxfuse one step at a time, chosen with RXFUSE_LADDER=n (unset or 6: today's
// benchfs). Steps 1-3 are served in C (FuseOptions.ladder, src-native/ladder.cc); step 4 is the real
// dispatch with Request objects and the handlers below, which answer with precomputed replies and
// keep only the state the workloads check (scratch names and sizes); step 5 is step 4 with the
// inode registry; step 6 is examples/benchfs.ts as users run it.
import { constants as K } from 'node:fs';
import { type Attr, Dirents, type Entry, type Fuse, type FuseOptions, FuseError, now } from '../../lib';

export type LadderStep = 1 | 2 | 3 | 4 | 5 | 6;

/** RXFUSE_LADDER's step; a bad value is an error that names it. */
export function ladderStep(value: string | undefined): LadderStep {
  if (value === undefined || value === '') return 6;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1 && n <= 6)) throw new RangeError(`RXFUSE_LADDER: 1..6, got ${value}`);
  return n as LadderStep;
}

/** The mount options a step adds to benchfs's own. */
export function ladderOptions(step: LadderStep): FuseOptions {
  if (step <= 3) return { ladder: step as 1 | 2 | 3, registry: false };
  return step === 4 ? { registry: false } : {};
}

const FILES = 2;
const SCRATCH = 5;
const FIRST_FILE = 6;
const FILE_COUNT = 10000;
const ZERO = { attrTimeout: 0, entryTimeout: 0 };

interface Reply {
  entry: Entry;
  attr: { attr: Attr; timeout: number };
}

/** Steps 4 and 5: benchfs's replies, precomputed; a lookup is one Map get. */
export class ConstantBenchFs {
  private readonly uid = process.getuid?.() ?? 0;
  private readonly gid = process.getgid?.() ?? 0;
  private readonly built = now();
  private readonly byIno = new Map<number, Reply>();
  private readonly names = new Map<number, Map<string, Reply>>();
  private readonly listings = new Map<number, Dirents>();
  private readonly scratch: ({ name: Buffer; ino: number } | null)[] = [];
  private readonly scratchSlot = new Map<number, number>();  // ino → index in scratch
  private nextIno = FIRST_FILE + FILE_COUNT;

  constructor(private readonly fuse: Fuse, private readonly registry: boolean) {
    this.node(1, K.S_IFDIR | 0o755, 0, 4);
    const root = new Dirents();
    const top: [string, number, number, number][] = [
      ['files', FILES, K.S_IFDIR | 0o755, 0], ['big', 3, K.S_IFREG | 0o444, 1024 ** 3],
      ['sink', 4, K.S_IFREG | 0o644, 0], ['scratch', SCRATCH, K.S_IFDIR | 0o755, 0],
    ];
    for (const [name, ino, mode, size] of top) {
      this.name(1, name, this.node(ino, mode, size, mode & K.S_IFDIR ? 2 : 1));
      root.add(name, ino, mode & K.S_IFMT);
    }
    this.listings.set(1, root);
    const files = new Dirents(FILE_COUNT);
    for (let n = 0; n < FILE_COUNT; n++) {
      const name = `f${String(n).padStart(5, '0')}`;
      this.name(FILES, name, this.node(FIRST_FILE + n, K.S_IFREG | 0o644, 0, 1));
      files.add(name, FIRST_FILE + n, K.S_IFREG, n + 1);
    }
    this.listings.set(FILES, files);
    this.names.set(SCRATCH, new Map());
  }

  private node(ino: number, mode: number, size: number, nlink: number): Reply {
    const t = this.built;
    const attr: Attr = { ino, mode, nlink, uid: this.uid, gid: this.gid, size, atime: t, mtime: t, ctime: t, blksize: 4096 };
    const r: Reply = { entry: { attr, ...ZERO }, attr: { attr, timeout: 0 } };
    this.byIno.set(ino, r);
    return r;
  }

  private name(parent: number, name: string, r: Reply): void {
    let m = this.names.get(parent);
    if (!m) this.names.set(parent, (m = new Map()));
    m.set(name, r);
  }

  private reply(ino: number): Reply {
    const r = this.byIno.get(ino);
    if (!r) throw new FuseError('ENOENT');
    return r;
  }

  private scratchListing(): Dirents {
    let l = this.listings.get(SCRATCH);
    if (!l) {
      l = new Dirents(this.scratch.length);
      this.scratch.forEach((e, i) => {
        if (e) l!.add(e.name, e.ino, K.S_IFREG, i + 1);
      });
      this.listings.set(SCRATCH, l);
    }
    return l;
  }

  attach(): void {
    const scratchNames = this.names.get(SCRATCH)!;
    this.fuse.handleAll({
      lookup: (req) => {
        const r = this.names.get(req.parent)?.get(req.nameKey);
        if (!r) throw new FuseError('ENOENT');
        return r.entry;
      },
      getattr: (req) => this.reply(req.ino).attr,
      setattr: (req) => this.reply(req.ino).attr,
      opendir: () => 0,
      readdir: (req) => (req.ino === SCRATCH ? this.scratchListing() : this.listings.get(req.ino) ?? new Dirents()),
      releasedir: () => undefined,
      open: () => 0,
      read: () => EMPTY,
      write: (req) => {
        const a = this.reply(req.ino).entry.attr;
        if (req.ino !== 4) a.size = Math.max(Number(a.size ?? 0), req.offset + req.size);
        return req.size;
      },
      flush: () => undefined,
      release: () => undefined,
      create: (req) => {
        if (req.parent !== SCRATCH) throw new FuseError('EACCES');
        if (scratchNames.has(req.nameKey)) throw new FuseError('EEXIST');
        const r = this.node(this.nextIno++, K.S_IFREG | (req.mode & 0o7777), 0, 1);
        scratchNames.set(req.nameKey, r);
        this.scratchSlot.set(r.entry.attr.ino, this.scratch.length);
        this.scratch.push({ name: req.name, ino: r.entry.attr.ino });
        this.listings.delete(SCRATCH);
        return { attr: r.entry.attr, attrTimeout: 0, entryTimeout: 0, fh: 0 };  // no spread: see benchfs.ts
      },
      unlink: (req) => {
        const r = req.parent === SCRATCH ? scratchNames.get(req.nameKey) : undefined;
        if (!r) throw new FuseError(req.parent === SCRATCH ? 'ENOENT' : 'EACCES');
        const ino = r.entry.attr.ino;
        scratchNames.delete(req.nameKey);
        this.scratch[this.scratchSlot.get(ino)!] = null;
        this.scratchSlot.delete(ino);
        this.listings.delete(SCRATCH);
        this.byIno.delete(ino);
        if (this.registry) this.fuse.inodes.markRemoved(ino);
      },
    });
  }
}

const EMPTY = Buffer.alloc(0);
