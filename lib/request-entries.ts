// The requests about names in a directory: lookup, forget, mknod, mkdir, unlink, rmdir, symlink,
// rename, link, create.
import { F, VAR_NAME, VAR_NAME2, VAR_OFFSET } from './layout';
import { type Entry, type OpenResult, writeEntry, writeOpen } from './attr';
import { Effect } from './registry-effects';
import { Request } from './request-base';
import { NamedEntryRequest, NamedOkRequest, NamedRequest } from './request-shapes';

export class LookupRequest extends NamedEntryRequest {
  readonly op = 'lookup';
}

export class ForgetRequest extends Request {
  readonly op = 'forget';
  /** How many lookups the kernel gives back. */
  get nlookup(): number {
    return this.f(F.SIZE);
  }
  _reply(): void {}
}

export interface Forget {
  ino: number;
  nlookup: number;
}

export class ForgetMultiRequest extends Request {
  readonly op = 'forgetMulti';
  get count(): number {
    return this.f(F.SIZE);
  }
  /** The (ino, nlookup) pairs of this batch. */
  get forgets(): Forget[] {
    const n = this.count;
    const h = this._host.h;
    const b = this._b + VAR_OFFSET / 8;
    const out: Forget[] = new Array<Forget>(n);
    for (let i = 0; i < n; i++) out[i] = { ino: h[b + 2 * i], nlookup: h[b + 2 * i + 1] };
    return out;
  }
  _reply(): void {}
}

export class MknodRequest extends NamedEntryRequest {
  readonly op = 'mknod';
  get mode(): number {
    return this.f(F.MODE);
  }
  get rdev(): number {
    return this.f(F.RDEV);
  }
}

export class MkdirRequest extends NamedEntryRequest {
  readonly op = 'mkdir';
  get mode(): number {
    return this.f(F.MODE);
  }
}

export class UnlinkRequest extends NamedOkRequest {
  readonly op = 'unlink';
}

export class RmdirRequest extends NamedOkRequest {
  readonly op = 'rmdir';
}

export class SymlinkRequest extends NamedEntryRequest {
  readonly op = 'symlink';
  /** The link target (bytes). */
  get target(): Buffer {
    return this.bytesAt(VAR_NAME2, F.NAME2_LEN);
  }
}

export class RenameRequest extends NamedOkRequest {
  readonly op = 'rename';
  get newParent(): number {
    return this.f(F.INO2);
  }
  get newName(): Buffer {
    return this.bytesAt(VAR_NAME2, F.NAME2_LEN);
  }
  get newNameKey(): string {
    return this.latin1At(VAR_NAME2, F.NAME2_LEN);
  }
  /** RenameFlags bits (RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT). */
  get flags(): number {
    return this.f(F.FLAGS);
  }
}

export class LinkRequest extends Request {
  readonly op = 'link';
  get newParent(): number {
    return this.f(F.INO2);
  }
  get newName(): Buffer {
    return this.bytesAt(VAR_NAME, F.NAME_LEN);
  }
  get newNameKey(): string {
    return this.latin1At(VAR_NAME, F.NAME_LEN);
  }
  /** Answers with the entry of the linked inode; the kernel then holds one more lookup of it. */
  replyEntry(entry: Entry): void {
    this._entry(entry);
  }
  _reply(r: Entry): void {
    this._entry(r);
  }
}

/** create's result: the new entry and the open file's handle and flags. */
export type CreateResult = Entry & OpenResult;

export class CreateRequest extends NamedRequest {
  readonly op = 'create';
  get mode(): number {
    return this.f(F.MODE);
  }
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** Answers with the new entry and the open file; the kernel then holds one lookup of it. */
  replyCreate(r: CreateResult): void {
    const h = this._host;
    const ino = writeEntry(h.scratch, 0, r);
    if (ino === 0) throw new TypeError('create: a negative entry is not a valid reply');
    writeOpen(h.scratch, r);
    h.backing._prepare(h.scratch, r.backing, ino);
    if (!this.begin()) return;
    const res = h.native.replyCreate(this._slot);
    h.backing._replied(r.backing, res === 0);
    this.end(r, 0, res === 0 ? Effect.create : Effect.none, ino);
  }
  _reply(r: CreateResult): void {
    this.replyCreate(r);
  }
}
