// The requests about names in a directory: lookup, forget, mknod, mkdir, unlink, rmdir, symlink,
// rename, link, create.
import { F, VAR_NAME, VAR_NAME2, VAR_OFFSET } from './layout';
import type { Entry, OpenResult } from './attr';
import { Request } from './request-base';
import { fields, names } from './request-fields';
import { NamedEntryRequest, NamedOkRequest, NamedRequest, shareFields } from './request-shapes';

/** lookup: answer replyEntry() with the entry `name` in `parent`, or a negative entry / ENOENT. */
export class LookupRequest extends NamedEntryRequest {
  readonly op = 'lookup';
}

/** forget: the kernel drops `nlookup` lookups of `ino` (no reply; rxfuse's registry counts them). */
export class ForgetRequest extends Request {
  readonly op = 'forget';
  /** How many lookups the kernel gives back. */
  declare readonly nlookup: number;
  _reply(): void {}
}
fields(ForgetRequest, { nlookup: F.SIZE });

/** One inode of a batch forget. */
export interface Forget {
  /** The inode. */
  ino: number;
  /** How many lookups the kernel gives back. */
  nlookup: number;
}

/** forget for many inodes at once (batch forget; no reply). */
export class ForgetMultiRequest extends Request {
  readonly op = 'forgetMulti';
  /** How many inodes this batch forgets. */
  declare readonly count: number;
  /** The (ino, nlookup) pairs of this batch. */
  get forgets(): Forget[] {
    const n = this.count;
    const s = this._s;
    const h = s.h;
    const b = s.b + VAR_OFFSET / 8;
    const out: Forget[] = new Array<Forget>(n);
    for (let i = 0; i < n; i++) out[i] = { ino: h[b + 2 * i], nlookup: h[b + 2 * i + 1] };
    return out;
  }
  _reply(): void {}
}
fields(ForgetMultiRequest, { count: F.SIZE });

/** mknod: create a file, device, FIFO or socket `name` in `parent`; answer replyEntry(). */
export class MknodRequest extends NamedEntryRequest {
  readonly op = 'mknod';
  /** The file type and permission bits (S_IFREG, S_IFCHR, ... | mode). */
  declare readonly mode: number;
  /** The device number (for S_IFCHR and S_IFBLK). */
  declare readonly rdev: number;
}
fields(MknodRequest, { mode: F.MODE, rdev: F.RDEV });

/** mkdir: create the directory `name` in `parent`; answer replyEntry(). */
export class MkdirRequest extends NamedEntryRequest {
  readonly op = 'mkdir';
  /** The permission bits (S_IFDIR is not included). */
  declare readonly mode: number;
}
fields(MkdirRequest, { mode: F.MODE });

/** unlink: remove the entry `name` from `parent`; answer replyOk(). The inode lives on while the kernel holds lookups of it (markRemoved). */
export class UnlinkRequest extends NamedOkRequest {
  readonly op = 'unlink';
}

/** rmdir: remove the empty directory `name` from `parent`; answer replyOk() or ENOTEMPTY. */
export class RmdirRequest extends NamedOkRequest {
  readonly op = 'rmdir';
}

/** symlink: create the symlink `name` in `parent` pointing to `target`; answer replyEntry(). */
export class SymlinkRequest extends NamedEntryRequest {
  readonly op = 'symlink';
  /** The link target (bytes). */
  get target(): Buffer {
    return this.bytesAt(VAR_NAME2, F.NAME2_LEN);
  }
}

/** rename: move `name` in `parent` to `newName` in `newParent`; answer replyOk(). */
export class RenameRequest extends NamedOkRequest {
  readonly op = 'rename';
  /** The destination directory. */
  declare readonly newParent: number;
  /** The destination name, as bytes (a fresh copy). */
  declare readonly newName: Buffer;
  /** The destination name as a latin1 string (lossless, fit for map keys). */
  declare readonly newNameKey: string;
  /** RenameFlags bits (RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT). */
  declare readonly flags: number;
}
fields(RenameRequest, { newParent: F.INO2, flags: F.FLAGS });
names(RenameRequest, { newName: [VAR_NAME2, F.NAME2_LEN] });

/** link: a new name `newName` in `newParent` for the inode `ino`; answer replyEntry(). */
export class LinkRequest extends Request {
  readonly op = 'link';
  /** The directory of the new name. */
  declare readonly newParent: number;
  /** The new name, as bytes (a fresh copy). */
  declare readonly newName: Buffer;
  /** The new name as a latin1 string (lossless, fit for map keys). */
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

/** create (open with O_CREAT of a missing name): create and open `name` in `parent`; answer replyCreate(). */
export class CreateRequest extends NamedRequest {
  readonly op = 'create';
  /** The file type and permission bits. */
  declare readonly mode: number;
  /** The open(2) flags. */
  declare readonly flags: number;
  /**
   * Answers with the new entry and the open file; the kernel then holds one lookup of it.
   * @throws TypeError on a negative entry (ino 0) or an invalid field.
   */
  replyCreate(r: CreateResult): void {
    this.sendCreate(r, (slot) => this._s.host.replies.replyCreate(slot));
  }
  _reply(r: CreateResult): void {
    this.replyCreate(r);
  }
}
fields(CreateRequest, { mode: F.MODE, flags: F.FLAGS });

/**
 * open(2) with O_TMPFILE in the directory `parent` (FUSE_TMPFILE, an op libfuse 3.14 does not
 * know): make an unnamed regular file (nlink 0, in no directory) and open it; answer replyCreate().
 * The kernel links it later with LINK (linkat) unless it was opened with O_EXCL. Without a handler
 * the kernel gets ENOSYS and answers EOPNOTSUPP to every O_TMPFILE open for the rest of the mount.
 */
export class TmpfileRequest extends Request {
  readonly op = 'tmpfile';
  /** The directory the file is made in (same as ino). */
  declare readonly parent: number;
  /** The file type and permission bits (S_IFREG | mode; the umask is applied unless dont_mask). */
  declare readonly mode: number;
  /** The open(2) flags (O_TMPFILE among them). */
  declare readonly flags: number;
  /**
   * Answers with the new inode and the open file, as create's reply; the kernel then holds one lookup of it.
   * @throws TypeError on a negative entry (ino 0) or an invalid field.
   */
  replyCreate(r: CreateResult): void {
    this.sendCreate(r, (slot) => this._s.host.replies.replyTmpfile(slot));
  }
  _reply(r: CreateResult): void {
    this.replyCreate(r);
  }
}
fields(TmpfileRequest, { mode: F.MODE, flags: F.FLAGS });
shareFields(TmpfileRequest, NamedRequest, ['parent']);

