// The requests about an inode's attributes and extended attributes: getattr, setattr, readlink,
// statfs, the xattr ops, access, bmap, statx.
import { F } from './layout';
import { type Statfs, type StatxResult, type Timespec, type U64, unsigned, writeStatfs, writeStatxResult } from './attr';
import { errno } from './errors';
import { begin, bytes, end, Request } from './request-base';
import { fields } from './request-fields';
import { SetattrValid } from './request-flags';
import { FileAttrRequest, FileRequest, NamedRequest, OkRequest, shareFields } from './request-shapes';

const E = errno;

/** getattr: answer replyAttr() with the inode's attributes. */
export class GetattrRequest extends FileAttrRequest {
  readonly op = 'getattr';
}

/**
 * setattr (chmod, chown, truncate, utimensat): change the attributes `toSet` names and answer
 * replyAttr() with the result. Each field is undefined when unchanged.
 */
export class SetattrRequest extends FileAttrRequest {
  readonly op = 'setattr';
  /** Which attributes to change: a mask of SetattrValid bits. */
  declare readonly toSet: number;
  private has(bit: number): boolean {
    return (this.f(F.ARG) & bit) !== 0;
  }
  /** New permission bits and type (when MODE is set), else undefined. */
  get mode(): number | undefined {
    return this.has(SetattrValid.MODE) ? this.f(F.MODE) : undefined;
  }
  /** The new owner (when UID is set), else undefined. */
  get uidToSet(): number | undefined {
    return this.has(SetattrValid.UID) ? this.f(F.ATTR_UID) : undefined;
  }
  /** The new group (when GID is set), else undefined. */
  get gidToSet(): number | undefined {
    return this.has(SetattrValid.GID) ? this.f(F.ATTR_GID) : undefined;
  }
  /** New size in bytes (truncate) when SIZE is set, else undefined. @throws RangeError beyond 2^53-1 (read size64). */
  get size(): number | undefined {
    return this.has(SetattrValid.SIZE) ? this.n64(F.SIZE, 'size') : undefined;
  }
  /** The new size, exact: a bigint beyond 2^53-1 (`largeFiles` mounts only). */
  get size64(): U64 | undefined {
    return this.has(SetattrValid.SIZE) ? this.f64(F.SIZE, F.SIZE_X) : undefined;
  }
  /** New atime: a Timespec, 'now' (ATIME_NOW), or undefined when unchanged. */
  get atime(): Timespec | 'now' | undefined {
    if (this.has(SetattrValid.ATIME_NOW)) return 'now';
    return this.has(SetattrValid.ATIME) ? { sec: this.f(F.ATIME_S), nsec: this.f(F.ATIME_NS) } : undefined;
  }
  /** New mtime: a Timespec, 'now' (MTIME_NOW), or undefined when unchanged. */
  get mtime(): Timespec | 'now' | undefined {
    if (this.has(SetattrValid.MTIME_NOW)) return 'now';
    return this.has(SetattrValid.MTIME) ? { sec: this.f(F.MTIME_S), nsec: this.f(F.MTIME_NS) } : undefined;
  }
  /** New ctime (when CTIME is set), else undefined. */
  get ctime(): Timespec | undefined {
    return this.has(SetattrValid.CTIME) ? { sec: this.f(F.CTIME_S), nsec: this.f(F.CTIME_NS) } : undefined;
  }
}
fields(SetattrRequest, { toSet: F.ARG });

/** readlink: answer replyReadlink() with the symlink's target. */
export class ReadlinkRequest extends Request {
  readonly op = 'readlink';
  /** Answers with the link target (bytes, no NUL). @throws TypeError when it is not bytes or contains NUL. */
  replyReadlink(target: Uint8Array): void {
    bytes(target, 'readlink');
    if (target.includes(0)) throw new TypeError('readlink: target contains NUL');
    const s = this._s;
    if (!begin(this, s)) return;
    s.host.replies.replyReadlink(s.slot, target);
    end(this, s, target);
  }
  _reply(r: Uint8Array): void {
    this.replyReadlink(r);
  }
}

/** statfs: answer replyStatfs() with the filesystem's figures. */
export class StatfsRequest extends Request {
  readonly op = 'statfs';
  /** Answers with the filesystem's figures. @throws TypeError on a field that is not an unsigned integer. */
  replyStatfs(s: Statfs): void {
    this._scratch(writeStatfs, 'replyStatfs', s);
  }
  _reply(r: Statfs): void {
    this.replyStatfs(r);
  }
}

/** setxattr: set the attribute `name` to `value`; answer replyOk() or an errno (EEXIST, ENODATA with flags, ENOTSUP). */
export class SetxattrRequest extends OkRequest {
  readonly op = 'setxattr';
  /** The attribute name, as bytes (a fresh copy). */
  declare readonly name: Buffer;
  /** The attribute name as a latin1 string (lossless, fit for map keys). */
  declare readonly nameKey: string;
  /** The value (a fresh copy). */
  get value(): Buffer {
    return Buffer.from(this.payload());
  }
  /** XattrFlags: CREATE (fail if it exists), REPLACE (fail if it does not). */
  declare readonly flags: number;
}
shareFields(SetxattrRequest, NamedRequest, ['name', 'nameKey']);
fields(SetxattrRequest, { flags: F.FLAGS });

/** Answers an xattr-style request with bytes, handling the kernel's size probe and ERANGE. */
function replySized(req: GetxattrRequest | ListxattrRequest, value: Uint8Array): void {
  const size = req.size;
  if (size === 0) return req.replyXattrSize(value.length);
  if (value.length > size) return req.fail(E.ERANGE);
  req.replyBuf(value);
}

abstract class XattrReadRequest extends Request {
  /** The caller's buffer size; 0 asks only for the size needed. */
  declare readonly size: number;
  /** Answers a size probe (size 0) with the size needed, in bytes. @throws TypeError when `n` is not an unsigned integer. */
  replyXattrSize(n: number): void {
    this._num('replyXattr', unsigned(n, 'xattr size'));
  }
  /** Answers with raw bytes (they must fit `size`). */
  replyBuf(data: Uint8Array): void {
    bytes(data, this.op);
    const s = this._s;
    if (!begin(this, s)) return;
    s.host.replies.replyBuf(s.slot, data);
    end(this, s, data);
  }
}
fields(XattrReadRequest, { size: F.SIZE });

/** getxattr: answer replyValue() with the value (ENODATA when there is none). */
export class GetxattrRequest extends XattrReadRequest {
  readonly op = 'getxattr';
  /** The attribute name, as bytes (a fresh copy). */
  declare readonly name: Buffer;
  /** The attribute name as a latin1 string (lossless, fit for map keys). */
  declare readonly nameKey: string;
  /** Answers with the value: the size probe and ERANGE are handled here. */
  replyValue(value: Uint8Array): void {
    replySized(this, bytes(value, 'getxattr'));
  }
  _reply(r: Uint8Array): void {
    this.replyValue(r);
  }
}
shareFields(GetxattrRequest, NamedRequest, ['name', 'nameKey']);

/** listxattr: answer replyNames() with the attribute names. */
export class ListxattrRequest extends XattrReadRequest {
  readonly op = 'listxattr';
  /**
   * Answers with the attribute names: packing, the size probe and ERANGE are handled here.
   * @throws TypeError on a name that is not bytes, is empty or contains NUL.
   */
  replyNames(names: readonly Uint8Array[]): void {
    const parts: Uint8Array[] = [];
    for (const n of names) {
      bytes(n, 'listxattr name');
      if (n.length === 0 || n.includes(0)) throw new TypeError('listxattr: empty name or name with NUL');
      parts.push(n, ZERO);
    }
    replySized(this, Buffer.concat(parts));
  }
  _reply(r: readonly Uint8Array[]): void {
    if (!Array.isArray(r)) throw new TypeError('listxattr: array of names expected');
    this.replyNames(r);
  }
}
const ZERO = new Uint8Array(1);

/** removexattr: remove the attribute `name`; answer replyOk() or ENODATA. */
export class RemovexattrRequest extends OkRequest {
  readonly op = 'removexattr';
  /** The attribute name, as bytes (a fresh copy). */
  declare readonly name: Buffer;
  /** The attribute name as a latin1 string (lossless, fit for map keys). */
  declare readonly nameKey: string;
}
shareFields(RemovexattrRequest, NamedRequest, ['name', 'nameKey']);

/** access (access(2); not sent with defaultPermissions): answer replyOk() or EACCES. */
export class AccessRequest extends OkRequest {
  readonly op = 'access';
  /** R_OK | W_OK | X_OK bits, or F_OK (0). */
  declare readonly mask: number;
}
fields(AccessRequest, { mask: F.ARG });

/** bmap (block devices, fuseblk mounts): answer replyBmap() with the device block. */
export class BmapRequest extends Request {
  readonly op = 'bmap';
  /** The block size in bytes. */
  declare readonly blocksize: number;
  /** The block index within the file. */
  declare readonly index: number;
  /** Answers with the block index within the device. @throws TypeError when it is not an unsigned integer. */
  replyBmap(idx: number): void {
    this._num('replyBmap', unsigned(idx, 'bmap index'));
  }
  _reply(r: number): void {
    this.replyBmap(r);
  }
}
fields(BmapRequest, { blocksize: F.ARG, index: F.OFF });

/**
 * statx(2) asking for more than getattr gives (the kernel asks when the caller wants the birth
 * time). Without a handler the kernel gets ENOSYS and uses getattr for the rest of the mount.
 */
export class StatxRequest extends FileRequest {
  readonly op = 'statx';
  /** Whether the kernel asks about an open file: fh is then valid. */
  declare readonly hasFh: boolean;
  /** The caller's AT_STATX_* sync flags (AT_STATX_FORCE_SYNC, AT_STATX_DONT_SYNC). */
  declare readonly flags: number;
  /** The StatxMask bits asked for. */
  declare readonly mask: number;
  /** Answers with the attributes, the birth time and the statx bits, optionally with a cache timeout (s). */
  replyStatx(sx: StatxResult, timeout?: number): void {
    const r = timeout === undefined || sx === null || typeof sx !== 'object' ? sx : { attr: 'attr' in sx ? sx.attr : sx, timeout };
    const s = this._s;
    writeStatxResult(s.host.scratch, r);
    if (!begin(this, s)) return;
    s.host.replies.replyStatx(s.slot);
    end(this, s, r);
  }
  _reply(r: StatxResult): void {
    this.replyStatx(r);
  }
}
shareFields(StatxRequest, FileAttrRequest, ['hasFh']);
fields(StatxRequest, { flags: F.FLAGS, mask: F.ARG });
