// Directory listings as a compact packed description that native code encodes into the kernel's
// readdir/readdirplus format. Build one per directory and keep it while the directory is unchanged:
// a readdir reply is then a binary search and one native call, whatever the directory's size.
// A record is its fields (cookie, name length, d_ino, mode), the name with a NUL (native code hands it
// to libfuse in place), and only for addEntry the attributes: plain readdir reads ~40 bytes an entry.
import { D, S, ST } from './layout';
import { type Entry, writeEntry } from './attr';

const HEADER_BYTES = D.FIELD_COUNT * 8;

/** A name's bytes in a record: the name and at least one NUL, padded to 8. */
function nameBytes(len: number): number {
  return (len + 8) & ~7;
}

/**
 * An ordered list of directory entries. Each entry has a cookie `off`: the offset the kernel sends
 * back to continue the listing after that entry. Cookies must increase strictly; by default they
 * are 1, 2, 3, ... in the order of add().
 */
export class Dirents {
  private bytes: Uint8Array;
  private f64: Float64Array;
  private used = 0;
  private positions: Uint32Array;
  private offs: Float64Array;
  private n = 0;
  /** Whether entries carry full attributes (made with addEntry), as readdirplus needs. */
  private plusCapable = true;

  constructor(capacity = 16) {
    const cap = Math.max(1, capacity);
    const buf = new ArrayBuffer(cap * (HEADER_BYTES + 32));
    this.bytes = new Uint8Array(buf);
    this.f64 = new Float64Array(buf);
    this.positions = new Uint32Array(cap);
    this.offs = new Float64Array(cap);
  }

  /** How many entries the list holds. */
  get length(): number {
    return this.n;
  }

  /** The cookie of the last entry (0 when empty). */
  get lastOff(): number {
    return this.n ? this.offs[this.n - 1] : 0;
  }

  /**
   * Adds an entry for readdir: its name (bytes; a string is UTF-8 encoded), inode number and mode
   * (only the type bits are used), and its cookie `off` (default: the last one + 1), which a later
   * readdir gets as its offset to continue after it.
   * @throws TypeError on an invalid ino or mode, a name that is empty, longer than 1024 bytes or
   * contains NUL or "/", or a cookie that is not a safe integer greater than the last.
   */
  add(name: Uint8Array | string, ino: number, mode: number, off?: number): this {
    if (!(Number.isSafeInteger(ino) && ino >= 0)) throw new TypeError(`Dirents.add: invalid ino ${ino}`);
    if (!(Number.isInteger(mode) && mode >= 0 && mode <= 0xffffffff)) throw new TypeError(`Dirents.add: invalid mode ${mode}`);
    const b = this.push(name, off, 0);
    this.f64[b + D.INO] = ino;
    this.f64[b + D.MODE] = mode;
    this.plusCapable = false;
    return this;
  }

  /**
   * Adds an entry with full attributes, usable for readdirplus as well as readdir; `off` as for add().
   * @throws TypeError as add(), or on invalid attributes (nothing is added then).
   */
  addEntry(name: Uint8Array | string, entry: Entry, off?: number): this {
    const n = this.n;
    const used = this.used;
    const b = this.push(name, off, D.ENTRY_FIELDS);
    const f = this.f64;
    const e = this.entryAt(b);
    try {
      writeEntry(f, e, entry);
    } catch (err) {
      this.n = n;  // invalid attributes: take the half-written entry back out
      this.used = used;
      throw err;
    }
    f[b + D.INO] = f[e + S.STAT + ST.INO];  // NaN beyond 2^53: native code reads the exact value there
    f[b + D.MODE] = f[e + S.STAT + ST.MODE];
    return this;
  }

  /** True when every entry has attributes (addEntry), so a readdirplus reply can use the list. */
  get hasAttributes(): boolean {
    return this.plusCapable;
  }

  /** Index of the first entry whose cookie is greater than `offset` (where a listing resumes). */
  indexAfter(offset: number): number {
    let lo = 0;
    let hi = this.n;
    const offs = this.offs;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (offs[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The inode number of entry i: its entry's node id when it has attributes (what readdirplus's
   * lookup-count bookkeeping counts), else its d_ino.
   */
  inoAt(i: number): number {
    const b = this.positions[i] / 8;
    const e = this.entryAt(b);
    const end = i + 1 < this.n ? this.positions[i + 1] / 8 : this.used / 8;
    return e < end ? this.f64[e + S.ENTRY_INO] : this.f64[b + D.INO];
  }

  /** True when entry i is "." or "..". */
  isDotAt(i: number): boolean {
    const p = this.positions[i];
    const len = this.f64[p / 8 + D.NAMELEN];
    const c = this.bytes;
    const at = p + HEADER_BYTES;
    return (len === 1 && c[at] === 0x2e) || (len === 2 && c[at] === 0x2e && c[at + 1] === 0x2e);
  }

  /** @internal packed records, positions and count for the native encoder. */
  get _records(): Uint8Array {
    return this.bytes;
  }
  /** @internal */
  get _positions(): Uint32Array {
    return this.positions;
  }

  /** Where the entry block of the record at float64 index b starts (after its padded name). */
  private entryAt(b: number): number {
    return b + D.FIELD_COUNT + (nameBytes(this.f64[b + D.NAMELEN]) >> 3);
  }

  /** Appends a record with room for `extra` float64 after the name; returns its float64 index. */
  private push(name: Uint8Array | string, off: number | undefined, extra: number): number {
    const nb = typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
    const len = nb.length;
    if (len === 0 || len > 1024) throw new TypeError(`Dirents: name length ${len} out of range 1..1024`);
    if (nb.includes(0) || nb.includes(0x2f)) throw new TypeError('Dirents: name contains NUL or "/"');
    const cookie = off ?? this.lastOff + 1;
    if (!(Number.isSafeInteger(cookie) && cookie > this.lastOff)) {
      throw new TypeError(`Dirents: cookie ${cookie} must be a safe integer greater than ${this.lastOff}`);
    }
    const padded = nameBytes(len);
    const size = HEADER_BYTES + padded + extra * 8;
    if (this.used + size > this.bytes.length) this.grow(this.used + size);
    if (this.n === this.positions.length) {
      const p = new Uint32Array(this.n * 2);
      p.set(this.positions);
      this.positions = p;
      const o = new Float64Array(this.n * 2);
      o.set(this.offs);
      this.offs = o;
    }
    const at = this.used;
    const b = at / 8;
    this.f64[b + D.OFF] = cookie;
    this.f64[b + D.NAMELEN] = len;
    this.bytes.set(nb, at + HEADER_BYTES);
    this.bytes.fill(0, at + HEADER_BYTES + len, at + HEADER_BYTES + padded);  // a taken-back record may have left bytes
    this.positions[this.n] = at;
    this.offs[this.n] = cookie;
    this.n++;
    this.used += size;
    return b;
  }

  private grow(min: number): void {
    const buf = new ArrayBuffer(Math.max(min, this.bytes.length * 2));
    const bytes = new Uint8Array(buf);
    bytes.set(this.bytes.subarray(0, this.used));
    this.bytes = bytes;
    this.f64 = new Float64Array(buf);
  }
}
