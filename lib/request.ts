// Typed requests: one class per op (request-entries.ts, request-files.ts, request-inodes.ts) on the
// shared base (request-base.ts) and shapes (request-shapes.ts); here the per-op maps.
import type { AttrResult, Entry, Lock, NegativeEntry, OpenResult, Statfs, StatxResult, U64 } from './attr';
import type { Dirents } from './dirents';
import { OPS, type OpName } from './op-table';
import type { Request, RequestHost } from './request-base';
import {
  type CreateResult, CreateRequest, ForgetMultiRequest, ForgetRequest, LinkRequest, LookupRequest, MkdirRequest,
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

/** The request class of each op. */
export interface RequestMap {
  lookup: LookupRequest; forget: ForgetRequest; getattr: GetattrRequest; setattr: SetattrRequest;
  readlink: ReadlinkRequest; mknod: MknodRequest; mkdir: MkdirRequest; unlink: UnlinkRequest;
  rmdir: RmdirRequest; symlink: SymlinkRequest; rename: RenameRequest; link: LinkRequest; open: OpenRequest;
  read: ReadRequest; write: WriteRequest; flush: FlushRequest; release: ReleaseRequest; fsync: FsyncRequest;
  opendir: OpendirRequest; readdir: ReaddirRequest; releasedir: ReleasedirRequest; fsyncdir: FsyncdirRequest;
  statfs: StatfsRequest; setxattr: SetxattrRequest; getxattr: GetxattrRequest; listxattr: ListxattrRequest;
  removexattr: RemovexattrRequest; access: AccessRequest; create: CreateRequest; getlk: GetlkRequest;
  setlk: SetlkRequest; bmap: BmapRequest; ioctl: IoctlRequest; poll: PollRequest; forgetMulti: ForgetMultiRequest;
  flock: FlockRequest; fallocate: FallocateRequest; readdirplus: ReaddirplusRequest;
  copyFileRange: CopyFileRangeRequest; lseek: LseekRequest; statx: StatxRequest;
}

/** What a handler of each op may return (or resolve to, or emit first). */
export interface ResultMap {
  lookup: Entry | NegativeEntry; forget: void; getattr: AttrResult; setattr: AttrResult; readlink: Uint8Array;
  mknod: Entry; mkdir: Entry; unlink: void; rmdir: void; symlink: Entry; rename: void; link: Entry;
  open: OpenResult | number | void; read: Uint8Array | FdSlice; write: number; flush: void; release: void;
  fsync: void; opendir: OpenResult | number | void; readdir: Dirents; releasedir: void; fsyncdir: void;
  statfs: Statfs; setxattr: void; getxattr: Uint8Array; listxattr: readonly Uint8Array[]; removexattr: void;
  access: void; create: CreateResult; getlk: Lock; setlk: void; bmap: number;
  ioctl: IoctlResult | Uint8Array | number | void; poll: number; forgetMulti: void; flock: void;
  fallocate: void; readdirplus: Dirents; copyFileRange: number; lseek: U64; statx: StatxResult;
}

type Ctor = new (host: RequestHost, slot: number, gen: number) => Request;

const CLASSES: Record<OpName, Ctor> = {
  lookup: LookupRequest, forget: ForgetRequest, getattr: GetattrRequest, setattr: SetattrRequest,
  readlink: ReadlinkRequest, mknod: MknodRequest, mkdir: MkdirRequest, unlink: UnlinkRequest,
  rmdir: RmdirRequest, symlink: SymlinkRequest, rename: RenameRequest, link: LinkRequest, open: OpenRequest,
  read: ReadRequest, write: WriteRequest, flush: FlushRequest, release: ReleaseRequest, fsync: FsyncRequest,
  opendir: OpendirRequest, readdir: ReaddirRequest, releasedir: ReleasedirRequest, fsyncdir: FsyncdirRequest,
  statfs: StatfsRequest, setxattr: SetxattrRequest, getxattr: GetxattrRequest, listxattr: ListxattrRequest,
  removexattr: RemovexattrRequest, access: AccessRequest, create: CreateRequest, getlk: GetlkRequest,
  setlk: SetlkRequest, bmap: BmapRequest, ioctl: IoctlRequest, poll: PollRequest, forgetMulti: ForgetMultiRequest,
  flock: FlockRequest, fallocate: FallocateRequest, readdirplus: ReaddirplusRequest,
  copyFileRange: CopyFileRangeRequest, lseek: LseekRequest, statx: StatxRequest,
};

/** Request constructors indexed by native op code. @internal */
export const REQUEST_BY_CODE: readonly Ctor[] = [CLASSES.lookup, ...OPS.map((op) => CLASSES[op])];

