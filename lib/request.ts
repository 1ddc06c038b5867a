// Typed requests: one class per op (request-entries.ts, request-files.ts, request-inodes.ts) on the
// shared base (request-base.ts) and shapes (request-shapes.ts); here the per-op maps.
import type { AttrResult, Entry, Lock, NegativeEntry, OpenResult, Statfs, StatxResult, U64 } from './attr';
import type { Dirents } from './dirents';
import { OPS, type OpName } from './op-table';
import type { Request, RequestHost } from './request-base';
import {
  type CreateResult, CreateRequest, TmpfileRequest, ForgetMultiRequest, ForgetRequest, LinkRequest, LookupRequest, MkdirRequest,
  MknodRequest, RenameRequest, RmdirRequest, SymlinkRequest, UnlinkRequest,
} from './request-entries';
import {
  CopyFileRangeRequest, FallocateRequest, type FdSlice, FlockRequest, FlushRequest, FsyncdirRequest, FsyncRequest,
  GetlkRequest, IoctlRequest, type IoctlResult, LseekRequest, OpendirRequest, OpenRequest, PollRequest,
  ReaddirplusRequest, ReaddirRequest, ReadRequest, ReleasedirRequest, ReleaseRequest, SetlkRequest, WriteRequest,
} from './request-files';
import {
  AccessRequest, BmapRequest, GetattrRequest, GetxattrRequest, ListxattrRequest, ReadlinkRequest,
  RemovexattrRequest, SetattrRequest, SetxattrRequest, StatfsRequest, StatxRequest,
} from './request-inodes';

export {
  type Bytes, type PollHandle, Request, type RequestHost, type RequestObserver, type RequestObserverHook, SLOT_F64,
} from './request-base';
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

/** Makes a request of one op class over its slot. @internal */
export type RequestFactory = (host: RequestHost, slot: number, gen: number) => Request;

// One arrow per op, each its own function literal: its `new` site sees one class only, so V8 inlines
// the constructor chain and the field stores into it. The generic `new CLASSES[code](...)` it
// replaces saw every class (a megamorphic construct through the generic stub, with the default
// constructors' argument forwarding: ~1,000 instructions per request; docs/performance.md).
const FACTORIES: Record<OpName, RequestFactory> = {
  lookup: (h, s, g) => new LookupRequest(h, s, g),
  forget: (h, s, g) => new ForgetRequest(h, s, g),
  getattr: (h, s, g) => new GetattrRequest(h, s, g),
  setattr: (h, s, g) => new SetattrRequest(h, s, g),
  readlink: (h, s, g) => new ReadlinkRequest(h, s, g),
  mknod: (h, s, g) => new MknodRequest(h, s, g),
  mkdir: (h, s, g) => new MkdirRequest(h, s, g),
  unlink: (h, s, g) => new UnlinkRequest(h, s, g),
  rmdir: (h, s, g) => new RmdirRequest(h, s, g),
  symlink: (h, s, g) => new SymlinkRequest(h, s, g),
  rename: (h, s, g) => new RenameRequest(h, s, g),
  link: (h, s, g) => new LinkRequest(h, s, g),
  open: (h, s, g) => new OpenRequest(h, s, g),
  read: (h, s, g) => new ReadRequest(h, s, g),
  write: (h, s, g) => new WriteRequest(h, s, g),
  flush: (h, s, g) => new FlushRequest(h, s, g),
  release: (h, s, g) => new ReleaseRequest(h, s, g),
  fsync: (h, s, g) => new FsyncRequest(h, s, g),
  opendir: (h, s, g) => new OpendirRequest(h, s, g),
  readdir: (h, s, g) => new ReaddirRequest(h, s, g),
  releasedir: (h, s, g) => new ReleasedirRequest(h, s, g),
  fsyncdir: (h, s, g) => new FsyncdirRequest(h, s, g),
  statfs: (h, s, g) => new StatfsRequest(h, s, g),
  setxattr: (h, s, g) => new SetxattrRequest(h, s, g),
  getxattr: (h, s, g) => new GetxattrRequest(h, s, g),
  listxattr: (h, s, g) => new ListxattrRequest(h, s, g),
  removexattr: (h, s, g) => new RemovexattrRequest(h, s, g),
  access: (h, s, g) => new AccessRequest(h, s, g),
  create: (h, s, g) => new CreateRequest(h, s, g),
  getlk: (h, s, g) => new GetlkRequest(h, s, g),
  setlk: (h, s, g) => new SetlkRequest(h, s, g),
  bmap: (h, s, g) => new BmapRequest(h, s, g),
  ioctl: (h, s, g) => new IoctlRequest(h, s, g),
  poll: (h, s, g) => new PollRequest(h, s, g),
  forgetMulti: (h, s, g) => new ForgetMultiRequest(h, s, g),
  flock: (h, s, g) => new FlockRequest(h, s, g),
  fallocate: (h, s, g) => new FallocateRequest(h, s, g),
  readdirplus: (h, s, g) => new ReaddirplusRequest(h, s, g),
  copyFileRange: (h, s, g) => new CopyFileRangeRequest(h, s, g),
  lseek: (h, s, g) => new LseekRequest(h, s, g),
  statx: (h, s, g) => new StatxRequest(h, s, g),
  tmpfile: (h, s, g) => new TmpfileRequest(h, s, g),
};

/** Request factories indexed by native op code (0 is unused). @internal */
export const REQUEST_BY_CODE: readonly RequestFactory[] = [FACTORIES.lookup, ...OPS.map((op) => FACTORIES[op])];
