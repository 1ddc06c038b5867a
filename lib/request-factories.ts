// The request class of each op as a factory, indexed by native op code: how dispatch makes a
// request. Its own module: request.ts's exports object re-exports every request class through
// getters, which puts it in V8's dictionary mode, and a hot read of a binding from it is a generic
// property lookup per request (docs/performance.md, "Dictionary-mode objects").
import { OPS, type OpName } from './op-table';
import type { Request } from './request-base';
import type { RequestState } from './request-state';
import {
  CreateRequest, TmpfileRequest, ForgetMultiRequest, ForgetRequest, LinkRequest, LookupRequest, MkdirRequest,
  MknodRequest, RenameRequest, RmdirRequest, SymlinkRequest, UnlinkRequest,
} from './request-entries';
import {
  CopyFileRangeRequest, FallocateRequest, FlockRequest, FlushRequest, FsyncdirRequest, FsyncRequest,
  GetlkRequest, IoctlRequest, LseekRequest, OpendirRequest, OpenRequest, PollRequest,
  ReaddirplusRequest, ReaddirRequest, ReadRequest, ReleasedirRequest, ReleaseRequest, SetlkRequest, WriteRequest,
} from './request-files';
import {
  AccessRequest, BmapRequest, GetattrRequest, GetxattrRequest, ListxattrRequest, ReadlinkRequest,
  RemovexattrRequest, SetattrRequest, SetxattrRequest, StatfsRequest, StatxRequest,
} from './request-inodes';

/** Makes a request of one op class over its slot. @internal */
export type RequestFactory = (s: RequestState) => Request;

// One arrow per op, each its own function literal: its `new` site sees one class only, so V8 inlines
// the constructor chain and the field stores into it. The generic `new CLASSES[code](...)` it
// replaces saw every class (a megamorphic construct through the generic stub, with the default
// constructors' argument forwarding: ~1,000 instructions per request; docs/performance.md).
const FACTORIES: Record<OpName, RequestFactory> = {
  lookup: (s) => new LookupRequest(s),
  forget: (s) => new ForgetRequest(s),
  getattr: (s) => new GetattrRequest(s),
  setattr: (s) => new SetattrRequest(s),
  readlink: (s) => new ReadlinkRequest(s),
  mknod: (s) => new MknodRequest(s),
  mkdir: (s) => new MkdirRequest(s),
  unlink: (s) => new UnlinkRequest(s),
  rmdir: (s) => new RmdirRequest(s),
  symlink: (s) => new SymlinkRequest(s),
  rename: (s) => new RenameRequest(s),
  link: (s) => new LinkRequest(s),
  open: (s) => new OpenRequest(s),
  read: (s) => new ReadRequest(s),
  write: (s) => new WriteRequest(s),
  flush: (s) => new FlushRequest(s),
  release: (s) => new ReleaseRequest(s),
  fsync: (s) => new FsyncRequest(s),
  opendir: (s) => new OpendirRequest(s),
  readdir: (s) => new ReaddirRequest(s),
  releasedir: (s) => new ReleasedirRequest(s),
  fsyncdir: (s) => new FsyncdirRequest(s),
  statfs: (s) => new StatfsRequest(s),
  setxattr: (s) => new SetxattrRequest(s),
  getxattr: (s) => new GetxattrRequest(s),
  listxattr: (s) => new ListxattrRequest(s),
  removexattr: (s) => new RemovexattrRequest(s),
  access: (s) => new AccessRequest(s),
  create: (s) => new CreateRequest(s),
  getlk: (s) => new GetlkRequest(s),
  setlk: (s) => new SetlkRequest(s),
  bmap: (s) => new BmapRequest(s),
  ioctl: (s) => new IoctlRequest(s),
  poll: (s) => new PollRequest(s),
  forgetMulti: (s) => new ForgetMultiRequest(s),
  flock: (s) => new FlockRequest(s),
  fallocate: (s) => new FallocateRequest(s),
  readdirplus: (s) => new ReaddirplusRequest(s),
  copyFileRange: (s) => new CopyFileRangeRequest(s),
  lseek: (s) => new LseekRequest(s),
  statx: (s) => new StatxRequest(s),
  tmpfile: (s) => new TmpfileRequest(s),
};

/** Request factories indexed by native op code (0 is unused). @internal */
export const REQUEST_BY_CODE: readonly RequestFactory[] = [FACTORIES.lookup, ...OPS.map((op) => FACTORIES[op])];
