// The request class of each op as a factory, indexed by native op code: how dispatch makes a
// request. Its own module: request.ts's exports object re-exports every request class through
// getters, which puts it in V8's dictionary mode, and a hot read of a binding from it is a generic
// property lookup per request (docs/performance.md, "Dictionary-mode objects").
import { OPS, type OpName } from './op-table';
import type { Request, RequestHost } from './request-base';
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
