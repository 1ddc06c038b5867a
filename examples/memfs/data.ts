// File contents: sparse, in chunks of 64 pages, with tmpfs's page states.
//
// A page is a hole (reads as zeros, costs nothing), fallocated (counted in st_blocks, still a hole
// for SEEK_DATA, as tmpfs's not-uptodate pages), or data. Bytes live in one Buffer per chunk,
// allocated on the first write and grown on demand, so a small file costs a small buffer and a file
// with a 1 TB hole costs nothing for the hole. Invariant: every byte that is not data written below
// the file size is zero (holes, fallocated pages, the tail of a truncated page), so growing a file
// or punching a hole never has to clear anything later. Offsets and sizes go to 2^63 - 1 as tmpfs's
// (offsets.ts): the work is in chunk and page indices and offsets within a chunk, all numbers.
import { FuseError, type U64 } from '../../lib';
import { at, index, indexUp, max, plus, span } from './offsets';

export const PAGE = 4096;
const CHUNK_PAGES = 64;
export const CHUNK = PAGE * CHUNK_PAGES;
const HOLE = 0;
const FALLOC = 1;
const DATA = 2;
/** Buffers grow by doubling up to this size, then take a whole chunk at once. */
const SMALL = 16384;

/** The filesystem's block budget in pages, shared by all files (statfs, ENOSPC). */
export class Space {
  used = 0;
  constructor(readonly total: number) {}
  get free(): number {
    return Math.max(0, this.total - this.used);
  }
}

/**
 * 64 pages: their bytes (allocated on the first write) and their states as bit masks, one bit per
 * page in each half (pages 0-31, 32-63): allocated (fallocated or data), and data. Plain int32
 * fields, where a Uint8Array of states cost ~250 bytes of heap per chunk (a small file has one).
 */
class Chunk {
  buf: Buffer | null = null;
  alloc0 = 0;
  alloc1 = 0;
  data0 = 0;
  data1 = 0;
  allocated = 0;

  state(i: number): number {
    const bit = 1 << (i & 31);
    const hi = i >= 32;
    if (((hi ? this.alloc1 : this.alloc0) & bit) === 0) return HOLE;
    return ((hi ? this.data1 : this.data0) & bit) === 0 ? FALLOC : DATA;
  }

  setState(i: number, state: number): void {
    const bit = 1 << (i & 31);
    const alloc = state === HOLE ? 0 : bit;
    const data = state === DATA ? bit : 0;
    if (i >= 32) {
      this.alloc1 = (this.alloc1 & ~bit) | alloc;
      this.data1 = (this.data1 & ~bit) | data;
    } else {
      this.alloc0 = (this.alloc0 & ~bit) | alloc;
      this.data0 = (this.data0 & ~bit) | data;
    }
  }
}

// Reads of holes are answered from this buffer (never written), so they cost no allocation.
const ZEROS = Buffer.alloc(1 << 20);
const EMPTY = Buffer.alloc(0);
function zeros(n: number): Buffer {
  return n <= ZEROS.length ? ZEROS.subarray(0, n) : Buffer.alloc(n);
}

function enospc(): never {
  throw new FuseError('ENOSPC');
}

export class FileData {
  size: U64 = 0;
  /** Allocated pages (data and fallocated). */
  pages = 0;
  /** Chunk 0 (all a small file has), and the others by index, in a Map made on first need. */
  private first: Chunk | undefined;
  private rest: Map<number, Chunk> | undefined;

  constructor(private readonly space: Space) {}

  /** st_blocks: 512-byte units of the pages held. */
  get blocks(): number {
    return this.pages * 8;
  }

  /**
   * The bytes at [off, off+len) clipped to the size: a view into the chunk when it lies in one.
   * Positions are relative to the start of off's chunk ci.
   */
  read(off: U64, len: number): Buffer {
    if (off >= this.size || len === 0) return EMPTY;
    const n = span(off, this.size, len);
    const ci = index(off, CHUNK);
    const rel = span(at(ci, CHUNK), off, CHUNK);
    const end = rel + n;
    if (end <= CHUNK) {
      const buf = this.at(ci)?.buf;
      if (!buf) return zeros(n);
      if (end <= buf.length) return buf.subarray(rel, end);
      const out = Buffer.alloc(n);
      if (rel < buf.length) buf.copy(out, 0, rel);
      return out;
    }
    let out: Buffer | undefined;
    for (let k = 0; k * CHUNK < end; k++) {
      const buf = this.at(ci + k)?.buf;
      if (!buf) continue;
      const base = k * CHUNK;
      const from = Math.max(rel, base) - base;
      const to = Math.min(end - base, buf.length);
      if (from >= to) continue;
      out ??= Buffer.alloc(n);
      buf.copy(out, base + from - rel, from, to);
    }
    return out ?? zeros(n);
  }

  /** Writes data at off; a short count when space runs out part-way, ENOSPC when nothing fits. */
  write(off: U64, data: Uint8Array): number {
    let n = data.length;
    if (n === 0) return 0;
    const c0 = index(off, CHUNK);
    const rel0 = span(at(c0, CHUNK), off, CHUNK);
    const p0 = c0 * CHUNK_PAGES + Math.floor(rel0 / PAGE);
    const p1 = c0 * CHUNK_PAGES + Math.ceil((rel0 + n) / PAGE);
    if (this.holesIn(p0, p1) > this.space.free) {
      n = Math.min(n, this.fitting(rel0 % PAGE, p0, p1));
      if (n <= 0) enospc();
    }
    for (let done = 0; done < n;) {
      const pos = rel0 + done;
      const ci = Math.floor(pos / CHUNK);
      const rel = pos - ci * CHUNK;
      const take = Math.min(n - done, CHUNK - rel);
      const c = this.chunk(c0 + ci);
      const buf = this.grow(c, rel + take);
      buf.set(data.subarray(done, done + take), rel);
      for (let p = Math.floor(rel / PAGE), last = Math.floor((rel + take - 1) / PAGE); p <= last; p++) this.set(c, p, DATA);
      done += take;
    }
    const end = plus(off, n);
    if (end > this.size) this.size = end;
    return n;
  }

  /**
   * truncate(2): as tmpfs, shrinking (or truncating to the same size) frees every page past the new
   * end, fallocated ones beyond EOF included, and zeroes the tail of the page the end falls in.
   * Answers whether tmpfs would move mtime and ctime: the size changed, or it shrank or stayed
   * while the file held pages.
   */
  truncate(size: U64): boolean {
    // tmpfs's shmem_truncate_range moves the times whenever the inode holds any page at all.
    const changed = size !== this.size || (size <= this.size && this.pages > 0);
    if (size <= this.size) this.zeroRange(size, Infinity);
    this.size = size;
    return changed;
  }

  /** fallocate without PUNCH_HOLE: holes become fallocated pages, fallocated pages become data. */
  allocate(off: U64, len: U64, keepSize: boolean): void {
    const end = plus(off, len);
    const p0 = index(off, PAGE);
    const p1 = indexUp(end, PAGE);
    this.checkRoom(p0, p1);
    for (let p = p0; p < p1; p++) {
      const c = this.chunk(Math.floor(p / CHUNK_PAGES));
      const i = p % CHUNK_PAGES;
      // A second fallocate of a page makes it uptodate in tmpfs: data for SEEK_DATA from then on.
      this.set(c, i, c.state(i) === HOLE ? FALLOC : DATA);
    }
    if (!keepSize && end > this.size) this.size = end;
  }

  /**
   * FALLOC_FL_ZERO_RANGE: [off, off+len) reads as zeros and its pages stay allocated (the size
   * grows unless keepSize), all or nothing: a punch then an allocate, as the range's pages would be
   * after fallocate(PUNCH_HOLE) and fallocate(0) on tmpfs.
   */
  zero(off: U64, len: U64, keepSize: boolean): void {
    this.checkRoom(index(off, PAGE), indexUp(plus(off, len), PAGE));
    this.punch(off, len);
    this.allocate(off, len, keepSize);
  }

  /** ENOSPC unless the holes in pages [p0, p1) fit the free space. */
  private checkRoom(p0: number, p1: number): void {
    if (p1 - p0 > this.space.free + this.pages) enospc();
    if (this.holesIn(p0, p1) > this.space.free) enospc();
  }

  /** FALLOC_FL_PUNCH_HOLE: zeroes [off, off+len), frees the pages wholly inside. */
  punch(off: U64, len: U64): void {
    this.zeroRange(off, plus(off, len));
  }

  /** SEEK_DATA: the first data at or after off (ENXIO at or past EOF or when only holes follow). */
  seekData(off: U64): U64 {
    if (off >= this.size) throw new FuseError('ENXIO');
    const p = index(off, PAGE);
    const first = Math.floor(p / CHUNK_PAGES);
    const keys = this.indices().filter((k) => k >= first).sort((a, b) => a - b);
    for (const k of keys) {
      const c = this.at(k)!;
      for (let i = k === first ? p - k * CHUNK_PAGES : 0; i < CHUNK_PAGES; i++) {
        if (c.state(i) !== DATA) continue;
        const pos = max(off, at(k * CHUNK_PAGES + i, PAGE));
        if (pos >= this.size) throw new FuseError('ENXIO');
        return pos;
      }
    }
    throw new FuseError('ENXIO');
  }

  /** SEEK_HOLE: the first hole at or after off; the size counts as a hole (ENXIO at or past EOF). */
  seekHole(off: U64): U64 {
    if (off >= this.size) throw new FuseError('ENXIO');
    for (let p = index(off, PAGE); ; p++) {
      const pos = at(p, PAGE);
      if (pos >= this.size) return this.size;
      const c = this.at(Math.floor(p / CHUNK_PAGES));
      if (!c || c.state(p % CHUNK_PAGES) !== DATA) return max(off, pos);
    }
  }

  /** Frees everything (the inode is gone). */
  clear(): void {
    this.space.used -= this.pages;
    this.pages = 0;
    this.size = 0;
    this.first = undefined;
    this.rest = undefined;
  }

  private at(ci: number): Chunk | undefined {
    return ci === 0 ? this.first : this.rest?.get(ci);
  }

  private chunk(ci: number): Chunk {
    let c = this.at(ci);
    if (!c) {
      c = new Chunk();
      if (ci === 0) this.first = c;
      else (this.rest ??= new Map()).set(ci, c);
    }
    return c;
  }

  private drop(ci: number): void {
    if (ci === 0) this.first = undefined;
    else this.rest?.delete(ci);
  }

  /** Indices of the chunks held, in no particular order. */
  private indices(): number[] {
    const keys = this.rest ? [...this.rest.keys()] : [];
    if (this.first) keys.push(0);
    return keys;
  }

  private grow(c: Chunk, end: number): Buffer {
    const cur = c.buf ? c.buf.length : 0;
    if (cur >= end) return c.buf!;
    let size = Math.max(64, cur * 2);
    while (size < end) size *= 2;
    if (size > SMALL) size = CHUNK;
    const buf = Buffer.alloc(size);
    if (c.buf) c.buf.copy(buf);
    c.buf = buf;
    return buf;
  }

  private set(c: Chunk, i: number, state: number): void {
    const was = c.state(i);
    if (was === HOLE && state !== HOLE) {
      c.allocated++;
      this.pages++;
      this.space.used++;
    } else if (was !== HOLE && state === HOLE) {
      c.allocated--;
      this.pages--;
      this.space.used--;
    }
    c.setState(i, state);
  }

  /** Holes among pages [p0, p1). */
  private holesIn(p0: number, p1: number): number {
    let n = 0;
    for (let p = p0; p < p1; p++) {
      const c = this.at(Math.floor(p / CHUNK_PAGES));
      if (!c || c.state(p % CHUNK_PAGES) === HOLE) n++;
    }
    return n;
  }

  /**
   * How many bytes from a write's start (at `inPage` bytes into page p0) fit in the free pages (a
   * write stops at the first page that does not).
   */
  private fitting(inPage: number, p0: number, p1: number): number {
    let free = this.space.free;
    for (let p = p0; p < p1; p++) {
      const c = this.at(Math.floor(p / CHUNK_PAGES));
      if (!c || c.state(p % CHUNK_PAGES) === HOLE) {
        if (free === 0) return (p - p0) * PAGE - inPage;
        free--;
      }
    }
    return (p1 - p0) * PAGE - inPage;
  }

  /** Zeroes [start, end) (end may be Infinity) and frees the pages wholly inside it. */
  private zeroRange(start: U64, end: U64): void {
    const c0 = index(start, CHUNK);
    const c1 = end === Infinity ? Infinity : indexUp(end, CHUNK);  // exclusive
    let hit: number[];
    if (c1 - c0 <= (this.rest?.size ?? 0) + 1) {
      hit = [];
      for (let k = c0; k < c1; k++) if (this.at(k)) hit.push(k);
    } else {
      hit = this.indices().filter((k) => k >= c0 && k < c1);
    }
    for (const k of hit) {
      const c = this.at(k)!;
      const base = at(k, CHUNK);
      const rs = span(base, start, CHUNK);
      const re = end === Infinity ? CHUNK : span(base, end, CHUNK);
      if (c.buf && rs < c.buf.length) c.buf.fill(0, rs, Math.min(re, c.buf.length));
      for (let i = Math.ceil(rs / PAGE), last = Math.floor(re / PAGE); i < last; i++) this.set(c, i, HOLE);
      if (c.allocated === 0) this.drop(k);
    }
  }
}
