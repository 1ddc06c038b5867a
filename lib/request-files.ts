// The requests about open files and directories: open, read, write, flush, release, fsync, opendir,
// readdir(plus), releasedir, fsyncdir, locks, ioctl, poll, flock, fallocate, copy_file_range, lseek.
import { F } from './layout';
import { type Lock, type OpenResult, type U64, unsigned, writeLock, writeOpen } from './attr';
import { Effect } from './registry-effects';
import { Dirents } from './dirents';
import { alignedCopy } from './sys';
import { bytes, okOff, type PollHandle, Request } from './request-base';
import { FileOkRequest, FileRequest, shareFields } from './request-shapes';
/** The field read and write take their offset from. */
const OFFSET_FIELD = F.OFF;
/** The smallest logical block size: O_DIRECT takes only writes of whole blocks. */
const DIRECT_BLOCK = 512;

abstract class OpenLike extends Request {
  /** open(2) flags (O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_APPEND, ...; O_CREAT and O_EXCL are handled by the kernel). */
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** Answers with a file handle and the file-info flags (direct_io, keep_cache, ...). */
  replyOpen(r?: OpenResult | number): void {
    const h = this._host;
    writeOpen(h.scratch, r);
    const ino = this.f(F.INO);
    const backing = typeof r === 'object' ? r.backing : undefined;
    h.backing._prepare(h.scratch, backing, ino);
    if (!this.begin()) return;
    const res = h.native.replyOpen(this._slot);
    h.backing._replied(backing, res === 0);
    this.end(r, 0, res === 0 ? Effect.open : Effect.none, ino);
  }
  _reply(r: OpenResult | number | undefined): void {
    this.replyOpen(r);
  }
}

export class OpenRequest extends OpenLike {
  readonly op = 'open';
}

/** A slice of an open file descriptor, for replying to read without copying through JS. */
export interface FdSlice {
  fd: number;
  offset: U64;
  length: number;
}

/** read and write: an offset, a size and the open flags. */
abstract class ReadWriteRequest extends FileRequest {
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
  get flags(): number {
    return this.f(F.FLAGS);
  }
}

export class ReadRequest extends ReadWriteRequest {
  readonly op = 'read';
  /** Answers with data (at most `size` bytes; fewer means end of file). The bytes are sent from the given buffer. */
  replyData(data: Uint8Array): void {
    bytes(data, 'read');
    if (!this.begin()) return;
    this._host.native.replyBuf(this._slot, data);
    this.end(data);
  }
  /** Answers with bytes read by libfuse straight from a file descriptor (no copy through JS). */
  replyFd(fd: number, offset: U64, length: number): void {
    unsigned(fd, 'fd');
    okOff(offset, 'offset');
    unsigned(length, 'length');
    if (!this.begin()) return;
    this._host.native.replyFd(this._slot, fd, offset, length);
    this.end(length);
  }
  _reply(r: Uint8Array | FdSlice): void {
    if (r instanceof Uint8Array) this.replyData(r);
    else if (r !== null && typeof r === 'object' && typeof r.fd === 'number') this.replyFd(r.fd, r.offset, r.length);
    else throw new TypeError('read: Buffer or {fd, offset, length} expected');
  }
}

export class WriteRequest extends ReadWriteRequest {
  readonly op = 'write';
  /** True for a delayed write from the page cache (writeback): uid/gid/pid are not the writer's. */
  get writepage(): boolean {
    return this.f(F.ARG2) !== 0;
  }
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
    this._host.native.detachPayload(this._slot);
  }
  /** Answers with the number of bytes written. */
  replyWrite(count: number): void {
    unsigned(count, 'write count');
    if (!this.begin()) return;
    this._host.native.replyWrite(this._slot, count);
    this.end(count);
  }
  _reply(r: number): void {
    this.replyWrite(r);
  }
}

export class FlushRequest extends FileOkRequest {
  readonly op = 'flush';
}

export class ReleaseRequest extends FileOkRequest {
  readonly op = 'release';
  protected override end(value?: unknown, err = 0): void {
    super.end(value, err, Effect.release, this.f(F.INO));
  }
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** Set when the release also flushes. */
  get flush(): boolean {
    return this.f(F.ARG2) !== 0;
  }
  /** Set when flock locks of lockOwner are to be released. */
  get flockRelease(): boolean {
    return this.f(F.ARG3) !== 0;
  }
}

export class FsyncRequest extends FileOkRequest {
  readonly op = 'fsync';
  /** Only the data, not the metadata, needs syncing (fdatasync). */
  get datasync(): boolean {
    return this.f(F.ARG) !== 0;
  }
}

export class OpendirRequest extends OpenLike {
  readonly op = 'opendir';
}

abstract class ReaddirLike extends FileRequest {
  protected abstract readonly plus: boolean;
  /** The cookie to continue after (0: from the start). */
  get offset(): number {
    return this.f(OFFSET_FIELD);
  }
  /** The kernel's buffer size in bytes. */
  get size(): number {
    return this.f(F.SIZE);
  }
  /**
   * Answers with the entries of `list` whose cookie is greater than `offset`, as many as fit.
   * Returns how many were sent.
   */
  replyDirents(list: Dirents, from?: number): number {
    if (!(list instanceof Dirents)) throw new TypeError(`${this.op}: Dirents expected`);
    if (this.plus && !list.hasAttributes) throw new TypeError('readdirplus: entries need attributes (Dirents.addEntry)');
    const start = from ?? list.indexAfter(this.f(OFFSET_FIELD));
    if (!this.begin()) return 0;
    const n = this._host.native.replyDirents(this._slot, list._records, list._positions, start, list.length, this.plus);
    this.end(n > 0 ? n : 0, 0, n > 0 && this.plus ? Effect.dirents : Effect.none, start, list);
    return n < 0 ? 0 : n;
  }
  _reply(r: Dirents): void {
    this.replyDirents(r);
  }
}

export class ReaddirRequest extends ReaddirLike {
  readonly op = 'readdir';
  protected readonly plus = false;
}

export class ReaddirplusRequest extends ReaddirLike {
  readonly op = 'readdirplus';
  protected readonly plus = true;
}

export class ReleasedirRequest extends FileOkRequest {
  readonly op = 'releasedir';
  protected override end(value?: unknown, err = 0): void {
    super.end(value, err, Effect.release, this.f(F.INO));
  }
}

export class FsyncdirRequest extends FileOkRequest {
  readonly op = 'fsyncdir';
  get datasync(): boolean {
    return this.f(F.ARG) !== 0;
  }
}

abstract class LockRequest extends FileRequest {
  /** The lock asked about or asked for (F_RDLCK, F_WRLCK, F_UNLCK; len 0 = to the end of the file). */
  get lock(): Lock {
    return { type: this.f(F.ARG), start: this.f(F.OFF), len: this.f(F.SIZE), pid: this.f(F.ARG3) };
  }
}

export class GetlkRequest extends LockRequest {
  readonly op = 'getlk';
  /** Answers with the conflicting lock, or one of type F_UNLCK when there is none. */
  replyLock(l: Lock): void {
    writeLock(this._host.scratch, l);
    if (!this.begin()) return;
    this._host.native.replyLock(this._slot);
    this.end(l);
  }
  _reply(r: Lock): void {
    this.replyLock(r);
  }
}

export class SetlkRequest extends FileOkRequest {
  readonly op = 'setlk';
  /** The lock asked for (F_RDLCK, F_WRLCK, F_UNLCK; len 0 = to the end of the file). */
  declare readonly lock: Lock;
  /** Set for F_SETLKW: wait for the lock rather than fail with EAGAIN. */
  get sleep(): boolean {
    return this.f(F.ARG2) !== 0;
  }
}
shareFields(SetlkRequest, LockRequest, ['lock']);

/** ioctl results: the return value and the output bytes (at most outSize). */
export interface IoctlResult {
  result?: number;
  data?: Uint8Array;
}

export class IoctlRequest extends FileRequest {
  readonly op = 'ioctl';
  /** The command (32 bits, as the kernel passes it). */
  get cmd(): number {
    return this.f(F.ARG);
  }
  /** The caller's argument (a pointer value in its address space). */
  get arg(): number {
    return this.f(F.ARG2);
  }
  /** FUSE_IOCTL_* flags. */
  get flags(): number {
    return this.f(F.ARG3);
  }
  /** The input bytes the kernel copied in for a _IOC_WRITE command (a fresh copy). */
  get inData(): Buffer {
    return Buffer.from(this.payload());
  }
  /** How many output bytes the caller expects (_IOC_READ commands). */
  get outSize(): number {
    return this.f(F.SIZE);
  }
  replyIoctl(result: number, data?: Uint8Array): void {
    if (!Number.isInteger(result)) throw new TypeError(`ioctl: invalid result ${result}`);
    if (data !== undefined) {
      bytes(data, 'ioctl');
      if (data.length > this.outSize) throw new TypeError(`ioctl: ${data.length} output bytes, caller expects ${this.outSize}`);
    }
    if (!this.begin()) return;
    this._host.native.replyIoctl(this._slot, result, data);
    this.end(result);
  }
  _reply(r: IoctlResult | Uint8Array | number | undefined): void {
    if (r === undefined || typeof r === 'number') this.replyIoctl(r ?? 0);
    else if (r instanceof Uint8Array) this.replyIoctl(0, r);
    else this.replyIoctl(r.result ?? 0, r.data);
  }
}

export class PollRequest extends FileRequest {
  readonly op = 'poll';
  /** The events the caller waits for (POLLIN, POLLOUT, ...). */
  get events(): number {
    return this.f(F.ARG2);
  }
  /** Present when the kernel wants a notification once readiness changes. */
  get handle(): PollHandle | undefined {
    const id = this.f(F.ARG);
    return id ? this._host.pollHandle(id) : undefined;
  }
  /** Answers with the events that are ready now. */
  replyPoll(revents: number): void {
    if (!(Number.isInteger(revents) && revents >= 0)) throw new TypeError(`poll: invalid revents ${revents}`);
    this._num('replyPoll', revents);
  }
  _reply(r: number): void {
    this.replyPoll(r);
  }
}

export class FlockRequest extends FileOkRequest {
  readonly op = 'flock';
  /** LOCK_SH, LOCK_EX or LOCK_UN, possibly with LOCK_NB. */
  get operation(): number {
    return this.f(F.ARG);
  }
}

export class FallocateRequest extends FileOkRequest {
  readonly op = 'fallocate';
  get mode(): number {
    return this.f(F.ARG);
  }
  get offset(): number {
    return this.n64(F.OFF, 'offset');
  }
  get length(): number {
    return this.n64(F.SIZE, 'length');
  }
  /** Exact: a bigint beyond 2^53-1 (`largeFiles` mounts only). */
  get offset64(): U64 {
    return this.f64(F.OFF, F.OFF_X);
  }
  get length64(): U64 {
    return this.f64(F.SIZE, F.SIZE_X);
  }
}

export class CopyFileRangeRequest extends FileRequest {
  readonly op = 'copyFileRange';
  get offsetIn(): number {
    return this.n64(F.OFF, 'offsetIn');
  }
  /** Exact: a bigint beyond 2^53-1 (`largeFiles` mounts only); so are offsetOut64 and length64. */
  get offsetIn64(): U64 {
    return this.f64(F.OFF, F.OFF_X);
  }
  get inoOut(): number {
    return this.f(F.INO2);
  }
  get fhOut(): number {
    return this.f(F.FH2);
  }
  get offsetOut(): number {
    return this.n64(F.OFF2, 'offsetOut');
  }
  get length(): number {
    return this.n64(F.SIZE, 'length');
  }
  get offsetOut64(): U64 {
    return this.f64(F.OFF2, F.OFF2_X);
  }
  get length64(): U64 {
    return this.f64(F.SIZE, F.SIZE_X);
  }
  get flags(): number {
    return this.f(F.FLAGS);
  }
  /** Answers with the number of bytes copied. */
  replyWrite(count: number): void {
    this._num('replyWrite', unsigned(count, 'copy count'));
  }
  _reply(r: number): void {
    this.replyWrite(r);
  }
}

export class LseekRequest extends FileRequest {
  readonly op = 'lseek';
  get offset(): number {
    return this.n64(F.OFF, 'offset');
  }
  /** The offset, exact: a bigint beyond 2^53-1 (`largeFiles` mounts only). */
  get offset64(): U64 {
    return this.f64(F.OFF, F.OFF_X);
  }
  /** SEEK_DATA (3) or SEEK_HOLE (4); the kernel handles SEEK_SET/CUR/END itself. */
  get whence(): number {
    return this.f(F.ARG);
  }
  replyLseek(offset: U64): void {
    okOff(offset, 'lseek offset');
    if (!this.begin()) return;
    this._host.native.replyLseek(this._slot, offset);
    this.end(offset);
  }
  _reply(r: U64): void {
    this.replyLseek(r);
  }
}
