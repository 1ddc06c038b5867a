// Typed requests: one class per op (request-entries.ts, request-files.ts, request-inodes.ts) on the
// shared base (request-base.ts) and shapes (request-shapes.ts); here the per-op maps.
import type { AttrResult, Entry, Lock, NegativeEntry, OpenResult, Statfs, StatxResult, U64 } from './attr';
import type { Dirents } from './dirents';
import type {
  CreateResult, CreateRequest, TmpfileRequest, ForgetMultiRequest, ForgetRequest, LinkRequest, LookupRequest, MkdirRequest,
  MknodRequest, RenameRequest, RmdirRequest, SymlinkRequest, UnlinkRequest,
} from './request-entries';
import type {
  CopyFileRangeRequest, FallocateRequest, FdSlice, FlockRequest, FlushRequest, FsyncdirRequest, FsyncRequest,
  GetlkRequest, IoctlRequest, IoctlResult, LseekRequest, OpendirRequest, OpenRequest, PollRequest,
  ReaddirplusRequest, ReaddirRequest, ReadRequest, ReleasedirRequest, ReleaseRequest, SetlkRequest, WriteRequest,
} from './request-files';
import type {
  AccessRequest, BmapRequest, GetattrRequest, GetxattrRequest, ListxattrRequest, ReadlinkRequest,
  RemovexattrRequest, SetattrRequest, SetxattrRequest, StatfsRequest, StatxRequest,
} from './request-inodes';

export {
  type Bytes, type PollHandle, Request, type RequestHost, type RequestObserver, type RequestObserverHook,
} from './request-base';
export { SLOT_F64 } from './request-state';
export * from './request-flags';
export * from './request-entries';
export * from './request-files';
export * from './request-inodes';

/** The request class of each op, by op name (the keys of OPS). */
export interface RequestMap {
  /** Look up a name in a directory (any path walk). */
  lookup: LookupRequest;
  /** The kernel drops lookups of an inode (no reply). */
  forget: ForgetRequest;
  /** stat(2) and friends. */
  getattr: GetattrRequest;
  /** chmod, chown, truncate, utimensat. */
  setattr: SetattrRequest;
  /** readlink(2). */
  readlink: ReadlinkRequest;
  /** mknod(2); also create without a create handler. */
  mknod: MknodRequest;
  /** mkdir(2). */
  mkdir: MkdirRequest;
  /** unlink(2). */
  unlink: UnlinkRequest;
  /** rmdir(2). */
  rmdir: RmdirRequest;
  /** symlink(2). */
  symlink: SymlinkRequest;
  /** rename(2), renameat2(2). */
  rename: RenameRequest;
  /** link(2). */
  link: LinkRequest;
  /** open(2) of an existing file. */
  open: OpenRequest;
  /** read(2) (or page-cache fill). */
  read: ReadRequest;
  /** write(2) (or page-cache writeback). */
  write: WriteRequest;
  /** close(2) of a descriptor. */
  flush: FlushRequest;
  /** The last descriptor of an open file is closed. */
  release: ReleaseRequest;
  /** fsync(2), fdatasync(2). */
  fsync: FsyncRequest;
  /** opendir(3). */
  opendir: OpendirRequest;
  /** getdents(2). */
  readdir: ReaddirRequest;
  /** closedir(3). */
  releasedir: ReleasedirRequest;
  /** fsync(2) of a directory. */
  fsyncdir: FsyncdirRequest;
  /** statfs(2). */
  statfs: StatfsRequest;
  /** setxattr(2). */
  setxattr: SetxattrRequest;
  /** getxattr(2). */
  getxattr: GetxattrRequest;
  /** listxattr(2). */
  listxattr: ListxattrRequest;
  /** removexattr(2). */
  removexattr: RemovexattrRequest;
  /** access(2). */
  access: AccessRequest;
  /** open(2) with O_CREAT of a missing name. */
  create: CreateRequest;
  /** fcntl(F_GETLK). */
  getlk: GetlkRequest;
  /** fcntl(F_SETLK, F_SETLKW). */
  setlk: SetlkRequest;
  /** FIBMAP (fuseblk). */
  bmap: BmapRequest;
  /** ioctl(2). */
  ioctl: IoctlRequest;
  /** poll(2), select(2), epoll. */
  poll: PollRequest;
  /** A batch of forgets (no reply). */
  forgetMulti: ForgetMultiRequest;
  /** flock(2). */
  flock: FlockRequest;
  /** fallocate(2). */
  fallocate: FallocateRequest;
  /** getdents(2) with attributes (readdirplus). */
  readdirplus: ReaddirplusRequest;
  /** copy_file_range(2). */
  copyFileRange: CopyFileRangeRequest;
  /** lseek(2) with SEEK_DATA or SEEK_HOLE. */
  lseek: LseekRequest;
  /** statx(2) asking for the birth time (an op libfuse 3.14 does not know; see StatxRequest). */
  statx: StatxRequest;
  /** open(2) with O_TMPFILE (an op libfuse 3.14 does not know; see TmpfileRequest). */
  tmpfile: TmpfileRequest;
}

/** What a handler of each op may return (or resolve to, or emit first), by op name: the reply it becomes. */
export interface ResultMap {
  /** Becomes replyEntry. */
  lookup: Entry | NegativeEntry;
  /** Nothing: forget gets no reply. */
  forget: void;
  /** Becomes replyAttr. */
  getattr: AttrResult;
  /** Becomes replyAttr. */
  setattr: AttrResult;
  /** Becomes replyReadlink. */
  readlink: Uint8Array;
  /** Becomes replyEntry. */
  mknod: Entry;
  /** Becomes replyEntry. */
  mkdir: Entry;
  /** Becomes replyOk. */
  unlink: void;
  /** Becomes replyOk. */
  rmdir: void;
  /** Becomes replyEntry. */
  symlink: Entry;
  /** Becomes replyOk. */
  rename: void;
  /** Becomes replyEntry. */
  link: Entry;
  /** Becomes replyOpen (a number: the fh; nothing: fh 0). */
  open: OpenResult | number | void;
  /** Becomes replyData, or replyFd for an FdSlice. */
  read: Uint8Array | FdSlice;
  /** Becomes replyWrite (bytes written). */
  write: number;
  /** Becomes replyOk. */
  flush: void;
  /** Becomes replyOk. */
  release: void;
  /** Becomes replyOk. */
  fsync: void;
  /** Becomes replyOpen (a number: the fh; nothing: fh 0). */
  opendir: OpenResult | number | void;
  /** Becomes replyDirents. */
  readdir: Dirents;
  /** Becomes replyOk. */
  releasedir: void;
  /** Becomes replyOk. */
  fsyncdir: void;
  /** Becomes replyStatfs. */
  statfs: Statfs;
  /** Becomes replyOk. */
  setxattr: void;
  /** Becomes replyValue. */
  getxattr: Uint8Array;
  /** Becomes replyNames. */
  listxattr: readonly Uint8Array[];
  /** Becomes replyOk. */
  removexattr: void;
  /** Becomes replyOk. */
  access: void;
  /** Becomes replyCreate. */
  create: CreateResult;
  /** Becomes replyLock. */
  getlk: Lock;
  /** Becomes replyOk. */
  setlk: void;
  /** Becomes replyBmap. */
  bmap: number;
  /** Becomes replyIoctl (a number: the result; bytes: the output). */
  ioctl: IoctlResult | Uint8Array | number | void;
  /** Becomes replyPoll (the ready events). */
  poll: number;
  /** Nothing: forget gets no reply. */
  forgetMulti: void;
  /** Becomes replyOk. */
  flock: void;
  /** Becomes replyOk. */
  fallocate: void;
  /** Becomes replyDirents. */
  readdirplus: Dirents;
  /** Becomes replyWrite (bytes copied). */
  copyFileRange: number;
  /** Becomes replyLseek (the offset found). */
  lseek: U64;
  /** replyStatx. */
  statx: StatxResult;
  /** Becomes replyCreate (as create). */
  tmpfile: CreateResult;
}
