// Directory listings as a compact packed description that native code encodes into the kernel's
// readdir/readdirplus format. Build one per directory and keep it while the directory is unchanged:
// a readdir reply is then a binary search and one native call, whatever the directory's size.
import { D, S, ST } from './layout';
import { type Entry, writeEntry } from './attr';

const HEADER_BYTES = D.FIELD_COUNT * 8;

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
    const b = this.push(name, off);
    const f = this.f64;
    f.fill(0, b + D.ENTRY, b + D.FIELD_COUNT);
    f[b + D.ENTRY + S.ENTRY_INO] = ino;
    f[b + D.ENTRY + S.STAT + ST.MODE] = mode;
    f[b + D.ENTRY + S.STAT + ST.INO] = ino;
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
    const b = this.push(name, off);
    try {
      writeEntry(this.f64, b + D.ENTRY, entry);
    } catch (e) {
      this.n = n;  // invalid attributes: take the half-written entry back out
      this.used = used;
      throw e;
    }
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

  /** The inode number of entry i (for the lookup-count bookkeeping of readdirplus). */
  inoAt(i: number): number {
    return this.f64[this.positions[i] / 8 + D.ENTRY + S.ENTRY_INO];
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

  private push(name: Uint8Array | string, off: number | undefined): number {
    const nb = typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
    const len = nb.length;
    if (len === 0 || len > 1024) throw new TypeError(`Dirents: name length ${len} out of range 1..1024`);
    if (nb.includes(0) || nb.includes(0x2f)) throw new TypeError('Dirents: name contains NUL or "/"');
    const cookie = off ?? this.lastOff + 1;
    if (!(Number.isSafeInteger(cookie) && cookie > this.lastOff)) {
      throw new TypeError(`Dirents: cookie ${cookie} must be a safe integer greater than ${this.lastOff}`);
    }
    const size = HEADER_BYTES + ((len + 7) & ~7);
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
