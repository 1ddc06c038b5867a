// The requests about open files and directories: open, read, write, flush, release, fsync, opendir,
// readdir(plus), releasedir, fsyncdir, locks, ioctl, poll, flock, fallocate, copy_file_range, lseek.
import { F } from './layout';
import { type Lock, type OpenResult, type U64, unsigned, writeLock, writeOpen } from './attr';
import { Effect } from './registry-effects';
import { Dirents } from './dirents';
import { alignedCopy } from './sys';
import { begin, bytes, end, okOff, type PollHandle, Request } from './request-base';
import { fields, flags, wide } from './request-fields';
import { FileOkRequest, FileRequest, shareFields } from './request-shapes';
/** The field read and write take their offset from. */
const OFFSET_FIELD = F.OFF;
/** The smallest logical block size: O_DIRECT takes only writes of whole blocks. */
const DIRECT_BLOCK = 512;

abstract class OpenLike extends Request {
  /** open(2) flags (O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_APPEND, ...; O_CREAT and O_EXCL are handled by the kernel). */
  declare readonly flags: number;
  /** Answers with a file handle and the file-info flags (direct_io, keep_cache, ...). */
  replyOpen(r?: OpenResult | number): void {
    const s = this._s;
    const h = s.host;
    writeOpen(h.scratch, r);
    const ino = this.f(F.INO);
    const backing = typeof r === 'object' ? r.backing : undefined;
    h.backing._prepare(h.scratch, backing, ino);
    if (!begin(this, s)) return;
    const res = h.replies.replyOpen(s.slot);
    h.backing._replied(backing, res === 0);
    end(this, s, r, 0, res === 0 ? Effect.open : Effect.none, ino);
  }
  _reply(r: OpenResult | number | undefined): void {
    this.replyOpen(r);
  }
}
fields(OpenLike, { flags: F.FLAGS });

/** open: answer replyOpen() with a file handle (or none); O_TRUNC arrives in `flags` when the kernel delegates it (atomic_o_trunc). */
export class OpenRequest extends OpenLike {
  readonly op = 'open';
}

/** A slice of an open file descriptor, for replying to read without copying through JS. */
export interface FdSlice {
  /** The descriptor to read from. */
  fd: number;
  /** Where to read in it, in bytes. */
  offset: U64;
  /** How many bytes to read (at most the request's `size`). */
  length: number;
}

/** read and write: an offset, a size and the open flags. */
abstract class ReadWriteRequest extends FileRequest {
  /** The file offset in bytes. @throws RangeError beyond 2^53-1 (read offset64 then). */
  get offset(): number {
    return this.n64(OFFSET_FIELD, 'offset');
  }
  /** The offset, exact: a bigint beyond 2^53-1 (reaches handlers on `largeFiles` mounts only). */
  get offset64(): U64 {
    return this.f64(OFFSET_FIELD, F.OFF_X);
  }
  /** The most bytes to return (read), the bytes to write (write). */
  get size(): number {
    return this.f(F.SIZE);
  }
  /** The open file's open(2) flags (O_APPEND, O_DIRECT, ...). */
  declare readonly flags: number;
}
fields(ReadWriteRequest, { flags: F.FLAGS });

/** read: answer replyData() with at most `size` bytes, or replyFd() to let libfuse read them from a descriptor. */
export class ReadRequest extends ReadWriteRequest {
  readonly op = 'read';
  /** Answers with data (at most `size` bytes; fewer means end of file). The bytes are sent from the given buffer. */
  replyData(data: Uint8Array): void {
    bytes(data, 'read');
    const s = this._s;
    if (!begin(this, s)) return;
    s.host.replies.replyBuf(s.slot, data);
    end(this, s, data);
  }
  /**
   * Answers with `length` bytes at `offset` (bytes) of `fd`, read by libfuse straight from the
   * descriptor (no copy through JS); fewer at end of file.
   * @throws TypeError when fd or length is not an unsigned integer or offset not a valid offset.
   */
  replyFd(fd: number, offset: U64, length: number): void {
    unsigned(fd, 'fd');
    okOff(offset, 'offset');
    unsigned(length, 'length');
    const s = this._s;
    if (!begin(this, s)) return;
    s.host.replies.replyFd(s.slot, fd, offset, length);
    end(this, s, length);
  }
  _reply(r: Uint8Array | FdSlice): void {
    if (r instanceof Uint8Array) this.replyData(r);
    else if (r !== null && typeof r === 'object' && typeof r.fd === 'number') this.replyFd(r.fd, r.offset, r.length);
    else throw new TypeError('read: Buffer or {fd, offset, length} expected');
  }
}

/** write: answer replyWrite() with the number of bytes written. Writes to one inode reach handlers in order (serializeWrites, the default). */
export class WriteRequest extends ReadWriteRequest {
  readonly op = 'write';
  /** True for a delayed write from the page cache (writeback): uid/gid/pid are not the writer's. */
  declare readonly writepage: boolean;
  /** @internal The payload, copied out of the receive buffer while the write waited its turn. */
  _copy: Buffer | undefined;
  /**
   * The bytes to write: a view into a reused receive buffer, valid until this request is answered.
   * Copy it (Buffer.from(data)) to keep it longer.
   */
  get data(): Buffer {
    if (this._copy) {
      this.f(F.GEN);  // throws once answered, as for the view
      return this._copy;
    }
    return this.payload();
  }
  /**
   * @internal Copies the payload and frees its receive buffer (for a write that waits its turn).
   * A payload of whole 512-byte blocks, the only kind O_DIRECT takes, keeps the receive buffer's
   * alignment in its copy (see "O_DIRECT and aligned payloads" in docs/design.md).
   */
  _detach(): void {
    if (this._copy || this.f(F.DATA_BUF) < 0) return;
    const data = this.data;
    this._copy = data.length % DIRECT_BLOCK === 0 ? alignedCopy(data) : Buffer.from(data);
    const s = this._s;
    s.host.native.detachPayload(s.slot);
  }
  /** Answers with the number of bytes written. @throws TypeError when `count` is not an unsigned integer. */
  replyWrite(count: number): void {
    unsigned(count, 'write count');
    const s = this._s;
    if (!begin(this, s)) return;
    s.host.replies.replyWrite(s.slot, count);
    end(this, s, count);
  }
  _reply(r: number): void {
    this.replyWrite(r);
  }
}
flags(WriteRequest, { writepage: F.ARG2 });

/** flush: sent on each close(2) of a descriptor of the open file; answer replyOk(). */
export class FlushRequest extends FileOkRequest {
  readonly op = 'flush';
}

/** release: the last descriptor of an open file is gone; answer replyOk() (the errno is not seen by any caller). */
export class ReleaseRequest extends FileOkRequest {
  readonly op = 'release';
  /** The open(2) flags the file was opened with. */
  declare readonly flags: number;
  /** Set when the release also flushes. */
  declare readonly flush: boolean;
  /** Set when flock locks of lockOwner are to be released. */
  declare readonly flockRelease: boolean;
}
fields(ReleaseRequest, { flags: F.FLAGS });
flags(ReleaseRequest, { flush: F.ARG2, flockRelease: F.ARG3 });

/** fsync: write the file's data (and metadata unless `datasync`) to stable storage; answer replyOk(). */
export class FsyncRequest extends FileOkRequest {
  readonly op = 'fsync';
  /** Only the data, not the metadata, needs syncing (fdatasync). */
  declare readonly datasync: boolean;
}
flags(FsyncRequest, { datasync: F.ARG });

/** opendir: answer replyOpen() with a directory handle (or none). */
export class OpendirRequest extends OpenLike {
  readonly op = 'opendir';
}

abstract class ReaddirLike extends FileRequest {
  protected abstract readonly plus: boolean;
  /** The cookie to continue after (0: from the start). */
  declare readonly offset: number;
  /** The kernel's buffer size in bytes. */
  declare readonly size: number;
  /**
   * Answers with the entries of `list` whose cookie is greater than `offset` (or from index
   * `from`), as many as fit in `size` bytes. Returns how many were sent (0: end of directory).
   * @throws TypeError when `list` is not a Dirents, or (readdirplus) its entries lack attributes.
   */
  replyDirents(list: Dirents, from?: number): number {
    if (!(list instanceof Dirents)) throw new TypeError(`${this.op}: Dirents expected`);
    if (this.plus && !list.hasAttributes) throw new TypeError('readdirplus: entries need attributes (Dirents.addEntry)');
    const start = from ?? list.indexAfter(this.f(OFFSET_FIELD));
    const s = this._s;
    if (!begin(this, s)) return 0;
    const n = s.host.replies.replyDirents(s.slot, list._records, list._positions, start, list.length, this.plus);
    end(this, s, n > 0 ? n : 0, 0, n > 0 && this.plus ? Effect.dirents : Effect.none, start, list);
    return n < 0 ? 0 : n;
  }
  _reply(r: Dirents): void {
    this.replyDirents(r);
  }
}
fields(ReaddirLike, { offset: OFFSET_FIELD, size: F.SIZE });

/** readdir: answer replyDirents() with a Dirents list; `offset` is the cookie of the last entry the caller got. */
export class ReaddirRequest extends ReaddirLike {
  readonly op = 'readdir';
  protected readonly plus = false;
}

/** readdirplus: as readdir, with attributes per entry (Dirents.addEntry); each entry sent counts as a lookup. */
export class ReaddirplusRequest extends ReaddirLike {
  readonly op = 'readdirplus';
  protected readonly plus = true;
}

/** releasedir: the directory handle is closed; answer replyOk(). */
export class ReleasedirRequest extends FileOkRequest {
  readonly op = 'releasedir';
}

/** fsyncdir: sync the directory's contents; answer replyOk(). */
export class FsyncdirRequest extends FileOkRequest {
  readonly op = 'fsyncdir';
  /** Only the data, not the metadata, needs syncing. */
  declare readonly datasync: boolean;
}
flags(FsyncdirRequest, { datasync: F.ARG });

abstract class LockRequest extends FileRequest {
  /** The lock asked about or asked for (F_RDLCK, F_WRLCK, F_UNLCK; len 0 = to the end of the file). */
  get lock(): Lock {
    return { type: this.f(F.ARG), start: this.f(F.OFF), len: this.f(F.SIZE), pid: this.f(F.ARG3) };
  }
}

/** getlk (F_GETLK): answer replyLock() with a conflicting lock or F_UNLCK. Without a handler the kernel tests locks locally. */
export class GetlkRequest extends LockRequest {
  readonly op = 'getlk';
  /** Answers with the conflicting lock, or one of type F_UNLCK when there is none. */
  replyLock(l: Lock): void {
    this._scratch(writeLock, 'replyLock', l);
  }
  _reply(r: Lock): void {
    this.replyLock(r);
  }
}

/** setlk (F_SETLK/F_SETLKW): take or release a POSIX lock; answer replyOk() or an errno (EAGAIN on conflict). */
export class SetlkRequest extends FileOkRequest {
  readonly op = 'setlk';
  /** The lock asked for (F_RDLCK, F_WRLCK, F_UNLCK; len 0 = to the end of the file). */
  declare readonly lock: Lock;
  /** Set for F_SETLKW: wait for the lock rather than fail with EAGAIN. */
  declare readonly sleep: boolean;
}
shareFields(SetlkRequest, LockRequest, ['lock']);
flags(SetlkRequest, { sleep: F.ARG2 });

/** ioctl results: the return value and the output bytes (at most outSize). */
export interface IoctlResult {
  /** ioctl(2)'s return value (default 0). */
  result?: number;
  /** The output bytes (at most the request's outSize). */
  data?: Uint8Array;
}

/** ioctl: answer replyIoctl() with a result and the output bytes. */
export class IoctlRequest extends FileRequest {
  readonly op = 'ioctl';
  /** The command (32 bits, as the kernel passes it). */
  declare readonly cmd: number;
  /** The caller's argument (a pointer value in its address space). */
  declare readonly arg: number;
  /** FUSE_IOCTL_* flags. */
  declare readonly flags: number;
  /** The input bytes the kernel copied in for a _IOC_WRITE command (a fresh copy). */
  get inData(): Buffer {
    return Buffer.from(this.payload());
  }
  /** How many output bytes the caller expects (_IOC_READ commands). */
  declare readonly outSize: number;
  /**
   * Answers with ioctl(2)'s return value and the output bytes.
   * @throws TypeError when `result` is not an integer or `data` is longer than outSize.
   */
  replyIoctl(result: number, data?: Uint8Array): void {
    if (!Number.isInteger(result)) throw new TypeError(`ioctl: invalid result ${result}`);
    if (data !== undefined) {
      bytes(data, 'ioctl');
      if (data.length > this.outSize) throw new TypeError(`ioctl: ${data.length} output bytes, caller expects ${this.outSize}`);
    }
    const s = this._s;
    if (!begin(this, s)) return;
    s.host.replies.replyIoctl(s.slot, result, data);
    end(this, s, result);
  }
  _reply(r: IoctlResult | Uint8Array | number | undefined): void {
    if (r === undefined || typeof r === 'number') this.replyIoctl(r ?? 0);
    else if (r instanceof Uint8Array) this.replyIoctl(0, r);
    else this.replyIoctl(r.result ?? 0, r.data);
  }
}
fields(IoctlRequest, { cmd: F.ARG, arg: F.ARG2, flags: F.ARG3, outSize: F.SIZE });

/** poll: answer replyPoll() with the ready events; keep `handle` to notify readiness later. */
export class PollRequest extends FileRequest {
  readonly op = 'poll';
  /** The events the caller waits for (POLLIN, POLLOUT, ...). */
  declare readonly events: number;
  /** Present when the kernel wants a notification once readiness changes. */
  get handle(): PollHandle | undefined {
    const id = this.f(F.ARG);
    return id ? this._s.host.pollHandle(id) : undefined;
  }
  /** Answers with the events that are ready now. @throws TypeError when `revents` is not an unsigned integer. */
  replyPoll(revents: number): void {
    if (!(Number.isInteger(revents) && revents >= 0)) throw new TypeError(`poll: invalid revents ${revents}`);
    this._num('replyPoll', revents);
  }
  _reply(r: number): void {
    this.replyPoll(r);
  }
}
fields(PollRequest, { events: F.ARG2 });

/** flock: take or release a BSD lock (the lock owner is lockOwner); answer replyOk() or an errno (EWOULDBLOCK). */
export class FlockRequest extends FileOkRequest {
  readonly op = 'flock';
  /** LOCK_SH, LOCK_EX or LOCK_UN, possibly with LOCK_NB. */
  declare readonly operation: number;
}
fields(FlockRequest, { operation: F.ARG });

/** fallocate: allocate, punch or zero a byte range; answer replyOk(). */
export class FallocateRequest extends FileOkRequest {
  readonly op = 'fallocate';
  /** FallocFlags bits (0: allocate and extend the size). */
  declare readonly mode: number;
  /** The range's start in bytes. @throws RangeError beyond 2^53-1 (read offset64). */
  declare readonly offset: number;
  /** The range's length in bytes. @throws RangeError beyond 2^53-1 (read length64). */
  declare readonly length: number;
  /** Exact: a bigint beyond 2^53-1 (`largeFiles` mounts only). */
  declare readonly offset64: U64;
  /** Exact: a bigint beyond 2^53-1 (`largeFiles` mounts only). */
  declare readonly length64: U64;
}
fields(FallocateRequest, { mode: F.ARG });
wide(FallocateRequest, { offset: [F.OFF, F.OFF_X], length: [F.SIZE, F.SIZE_X] });

/** copy_file_range: copy `length` bytes from (ino, fh) to (inoOut, fhOut); answer replyWrite() with the count. */
export class CopyFileRangeRequest extends FileRequest {
  readonly op = 'copyFileRange';
  /** Where to read in the source (ino, fh), in bytes. @throws RangeError beyond 2^53-1 (read offsetIn64). */
  declare readonly offsetIn: number;
  /** Exact: a bigint beyond 2^53-1 (`largeFiles` mounts only); so are offsetOut64 and length64. */
  declare readonly offsetIn64: U64;
  /** The destination inode. */
  declare readonly inoOut: number;
  /** The destination file handle. */
  declare readonly fhOut: number;
  /** Where to write in the destination, in bytes. @throws RangeError beyond 2^53-1 (read offsetOut64). */
  declare readonly offsetOut: number;
  /** How many bytes to copy. @throws RangeError beyond 2^53-1 (read length64). */
  declare readonly length: number;
  /** Exact: a bigint beyond 2^53-1. */
  declare readonly offsetOut64: U64;
  /** Exact: a bigint beyond 2^53-1. */
  declare readonly length64: U64;
  /** copy_file_range(2) flags (0 today). */
  declare readonly flags: number;
  /** Answers with the number of bytes copied. @throws TypeError when `count` is not an unsigned integer. */
  replyWrite(count: number): void {
    this._num('replyWrite', unsigned(count, 'copy count'));
  }
  _reply(r: number): void {
    this.replyWrite(r);
  }
}
fields(CopyFileRangeRequest, { inoOut: F.INO2, fhOut: F.FH2, flags: F.FLAGS });
wide(CopyFileRangeRequest, { offsetIn: [F.OFF, F.OFF_X], offsetOut: [F.OFF2, F.OFF2_X], length: [F.SIZE, F.SIZE_X] });

/** lseek with SEEK_DATA or SEEK_HOLE: answer replyLseek() with the offset found. */
export class LseekRequest extends FileRequest {
  readonly op = 'lseek';
  /** Where to start looking, in bytes. @throws RangeError beyond 2^53-1 (read offset64). */
  declare readonly offset: number;
  /** The offset, exact: a bigint beyond 2^53-1 (`largeFiles` mounts only). */
  declare readonly offset64: U64;
  /** SEEK_DATA (3) or SEEK_HOLE (4); the kernel handles SEEK_SET/CUR/END itself. */
  declare readonly whence: number;
  /** Answers with the offset found, in bytes (ENXIO when there is none: fail('ENXIO')). @throws TypeError on an invalid offset. */
  replyLseek(offset: U64): void {
    this._num('replyLseek', okOff(offset, 'lseek offset'));
  }
  _reply(r: U64): void {
    this.replyLseek(r);
  }
}
fields(LseekRequest, { whence: F.ARG });
wide(LseekRequest, { offset: [F.OFF, F.OFF_X] });
