// The requests about names in a directory: lookup, forget, mknod, mkdir, unlink, rmdir, symlink,
// rename, link, create.
import { F, VAR_NAME, VAR_NAME2, VAR_OFFSET } from './layout';
import { type Entry, type OpenResult, writeEntry, writeOpen } from './attr';
import { Effect } from './registry-effects';
import { Request } from './request-base';
import { fields, names } from './request-fields';
import { NamedEntryRequest, NamedOkRequest, NamedRequest } from './request-shapes';

export class LookupRequest extends NamedEntryRequest {
  readonly op = 'lookup';
}

export class ForgetRequest extends Request {
  readonly op = 'forget';
  /** How many lookups the kernel gives back. */
  declare readonly nlookup: number;
  _reply(): void {}
}
fields(ForgetRequest, { nlookup: F.SIZE });

export interface Forget {
  ino: number;
  nlookup: number;
}

export class ForgetMultiRequest extends Request {
  readonly op = 'forgetMulti';
  declare readonly count: number;
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
fields(ForgetMultiRequest, { count: F.SIZE });

export class MknodRequest extends NamedEntryRequest {
  readonly op = 'mknod';
  declare readonly mode: number;
  declare readonly rdev: number;
}
fields(MknodRequest, { mode: F.MODE, rdev: F.RDEV });

export class MkdirRequest extends NamedEntryRequest {
  readonly op = 'mkdir';
  declare readonly mode: number;
}
fields(MkdirRequest, { mode: F.MODE });

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
  declare readonly newParent: number;
  declare readonly newName: Buffer;
  declare readonly newNameKey: string;
  /** RenameFlags bits (RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT). */
  declare readonly flags: number;
}
fields(RenameRequest, { newParent: F.INO2, flags: F.FLAGS });
names(RenameRequest, { newName: [VAR_NAME2, F.NAME2_LEN] });

export class LinkRequest extends Request {
  readonly op = 'link';
  declare readonly newParent: number;
  declare readonly newName: Buffer;
  declare readonly newNameKey: string;
  /** Answers with the entry of the linked inode; the kernel then holds one more lookup of it. */
  replyEntry(entry: Entry): void {
    this._entry(entry);
  }
  _reply(r: Entry): void {
    this._entry(r);
  }
}
fields(LinkRequest, { newParent: F.INO2 });
names(LinkRequest, { newName: [VAR_NAME, F.NAME_LEN] });

/** create's result: the new entry and the open file's handle and flags. */
export type CreateResult = Entry & OpenResult;

export class CreateRequest extends NamedRequest {
  readonly op = 'create';
  declare readonly mode: number;
  declare readonly flags: number;
  /** Answers with the new entry and the open file; the kernel then holds one lookup of it. */
  replyCreate(r: CreateResult): void {
    const h = this._host;
    const ino = writeEntry(h.scratch, 0, r);
    if (ino === 0) throw new TypeError('create: a negative entry is not a valid reply');
    writeOpen(h.scratch, r);
    if (!this.begin()) return;
    const res = h.native.replyCreate(this._slot);
    this.end(r, 0, res === 0 ? Effect.create : Effect.none, ino);
  }
  _reply(r: CreateResult): void {
    this.replyCreate(r);
  }
}
fields(CreateRequest, { mode: F.MODE, flags: F.FLAGS });
