// What a request is in its mount apart from its op: the host, its slot and generation, and whether it
// was claimed and answered. One class for every op, held by each Request (`_s`): the code every
// request runs through (dispatch, settling a handler's result, a reply's begin and complete(), the
// field readers) is shared by all request classes, one hidden class per op, so a read of such a field
// on the request itself is megamorphic there (a stub-cache probe, ~100 instructions); here it is one
// megamorphic read of `_s`, then plain loads (docs/performance.md, "One state object per request").
import { F, SLOT_BYTES } from './layout';
import { OP_CODE } from './op-table';
import type { RequestHost } from './request-base';

/** Float64 words per request slot. @internal */
export const SLOT_F64 = SLOT_BYTES / 8;

const RELEASE = OP_CODE.release;
const RELEASEDIR = OP_CODE.releasedir;

/** Whether any reply to a request of op `code` releases its inode in the registry: release, releasedir. @internal */
export function releasesInode(code: number): boolean {
  return code === RELEASE || code === RELEASEDIR;
}

/** @internal */
export class RequestState {
  /** The mount's request headers (host.h). */
  readonly h: Float64Array;
  /** The slot's first word in `h`. */
  readonly b: number;
  /** Answered (complete()): the one mark of it a request has. */
  done = false;
  /** Answered by rxfuse on the handler's behalf (timeout, dropped, unclaimed). */
  byRxfuse = false;
  /** A handler (or an explicit claim()) has taken the request. */
  claimed = false;
  /** A release or releasedir: any reply to it releases its inode in the registry (end()). */
  readonly releases: boolean;

  constructor(readonly host: RequestHost, readonly slot: number, readonly gen: number) {
    this.h = host.h;
    this.b = slot * SLOT_F64;
    this.releases = releasesInode(this.h[this.b + F.OP]);
  }

  /** Request.answered: answered, or in flight when the mount closed (the session answered it). */
  get answered(): boolean {
    return this.done || this.host.closed;
  }
}
