// The fields and reply shapes requests share: success-only replies, entry names, file handles,
// attribute replies. Each op's class (request-*.ts) extends the class of its reply shape; a field
// group another shape also has is defined once and shared (shareFields).
import { F, VAR_NAME } from './layout';
import { type AttrResult, type Entry, type NegativeEntry, writeAttrResult } from './attr';
import { Request } from './request-base';

/**
 * Puts the getters `keys` of `source`'s prototype on `target`'s (which declares them): one
 * definition of a field for request classes of different reply shapes.
 */
export function shareFields(target: { prototype: object }, source: { prototype: object }, keys: readonly string[]): void {
  for (const k of keys) {
    const d = Object.getOwnPropertyDescriptor(source.prototype, k);
    if (!d) throw new TypeError(`shareFields: no ${k}`);
    Object.defineProperty(target.prototype, k, d);
  }
}

/** Ops answered with 0 (success) or an errno. */
export abstract class OkRequest extends Request {
  /** Answers success. */
  replyOk(): void {
    this._ok();
  }
  _reply(): void {
    this._ok();
  }
}

/** Requests naming an entry in a directory: `parent` and `name`. */
export abstract class NamedRequest extends Request {
  /** The directory (same as ino). */
  get parent(): number {
    return this.f(F.INO);
  }
  /** The entry name, as bytes (a fresh copy). */
  get name(): Buffer {
    return this.bytesAt(VAR_NAME, F.NAME_LEN);
  }
  /** The entry name as a latin1 string: one character per byte, lossless, fit for map keys. */
  get nameKey(): string {
    return this.latin1At(VAR_NAME, F.NAME_LEN);
  }
}

export abstract class NamedEntryRequest extends NamedRequest {
  /** Answers with an entry; the kernel then holds one more lookup of its inode. */
  replyEntry(entry: Entry | NegativeEntry): void {
    this._entry(entry);
  }
  _reply(r: Entry | NegativeEntry): void {
    this._entry(r);
  }
}

/** Requests naming an entry, answered with success: NamedRequest's fields. */
export abstract class NamedOkRequest extends OkRequest {
  /** The directory (same as ino). */
  declare readonly parent: number;
  /** The entry name, as bytes (a fresh copy). */
  declare readonly name: Buffer;
  /** The entry name as a latin1 string: one character per byte, lossless, fit for map keys. */
  declare readonly nameKey: string;
}
shareFields(NamedOkRequest, NamedRequest, ['parent', 'name', 'nameKey']);

/** Requests that carry a file handle. */
export abstract class FileRequest extends Request {
  /** The file handle from open/create/opendir (-1 when the kernel sent none). */
  get fh(): number {
    return this.f(F.FH);
  }
  /** The lock owner (an opaque 64-bit id). */
  get lockOwner(): bigint {
    return (BigInt(this.f(F.LOCK_OWNER_HI)) << 32n) | BigInt(this.f(F.LOCK_OWNER_LO));
  }
}

/** Requests with a file handle, answered with success: FileRequest's fields. */
export abstract class FileOkRequest extends OkRequest {
  /** The file handle from open/create/opendir (-1 when the kernel sent none). */
  declare readonly fh: number;
  /** The lock owner (an opaque 64-bit id). */
  declare readonly lockOwner: bigint;
}
shareFields(FileOkRequest, FileRequest, ['fh', 'lockOwner']);

export abstract class FileAttrRequest extends FileRequest {
  /** Whether the kernel asks about an open file (fstat/ftruncate): fh is then valid. */
  get hasFh(): boolean {
    return this.f(F.FH) >= 0;
  }
  /** Answers with attributes, optionally with their cache timeout. */
  replyAttr(attr: AttrResult): void {
    this._scratch(writeAttrResult, 'replyAttr', attr);
  }
  _reply(r: AttrResult): void {
    this.replyAttr(r);
  }
}
