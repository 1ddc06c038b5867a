// Loads the addon and types its surface. Only lib/ talks to it.
import * as path from 'node:path';
import { loadAddon, rebuildCommand } from './addon-load';
import { checkLayout, type NativeLayout } from './layout';
import { OPS } from './op-table';

/** The connection as negotiated at INIT (fuse_conn_info): sizes in bytes. */
export interface ConnInfo {
  /** The FUSE protocol's major version (7). */
  protoMajor: number;
  /** The FUSE protocol's minor version the kernel speaks. */
  protoMinor: number;
  /** The largest write request, in bytes. */
  maxWrite: number;
  /** The largest read request, in bytes. */
  maxRead: number;
  /** The most bytes the kernel reads ahead. */
  maxReadahead: number;
  /** FUSE_CAP_* bits the kernel offers. */
  capable: number;
  /** FUSE_CAP_* bits in use. */
  want: number;
  /** The most background requests the kernel keeps pending. */
  maxBackground: number;
  /** Pending background requests at which the kernel considers the filesystem congested. */
  congestionThreshold: number;
  /** Timestamp granularity in nanoseconds. */
  timeGran: number;
  /** Kernel passthrough is granted: open and create replies may carry a backing file. */
  passthrough: boolean;
}

/** The session's passthrough state and counters. */
export interface PassthroughStats {
  /** The kernel offered FUSE_PASSTHROUGH at INIT. */
  offered: boolean;
  /** rxfuse asked for it and the kernel agreed: open and create replies can carry backing files. */
  granted: boolean;
  /** The kernel refused BACKING_OPEN with EPERM: passthrough is off for the rest of the mount. */
  refused: boolean;
  /** Backing ids open now, opened and closed so far. */
  live: number;
  /** Backing ids registered (BACKING_OPEN) since mount. */
  opened: number;
  /** Backing ids closed (BACKING_CLOSE) since mount. */
  closed: number;
  /** Replies libfuse spliced through the splice_send hook. */
  spliceSends: number;
}

export type NativeEvent =
  | ['init']
  | ['closed']
  | ['interrupt', number, number]
  | ['error', string, number];

/**
 * The session's reply functions (src-native/direct_calls.cc): own functions of the session object
 * that need no receiver. Requests call them through replyFunctions()'s copy.
 */
export interface NativeReplies {
  replyErr(slot: number, err: number): number;
  replyEntry(slot: number): number;
  replyCreate(slot: number): number;
  replyAttr(slot: number): number;
  replyReadlink(slot: number, target: Uint8Array): number;
  replyOpen(slot: number): number;
  replyWrite(slot: number, count: number): number;
  replyBuf(slot: number, data: Uint8Array): number;
  replyFd(slot: number, fd: number, offset: number | bigint, length: number): number;
  replyStatfs(slot: number): number;
  replyXattr(slot: number, size: number): number;
  replyLock(slot: number): number;
  replyBmap(slot: number, idx: number): number;
  replyIoctl(slot: number, result: number, data: Uint8Array | undefined): number;
  replyPoll(slot: number, revents: number): number;
  replyLseek(slot: number, offset: number | bigint): number;
  replyDirents(slot: number, records: Uint8Array, positions: Uint32Array, start: number, count: number, plus: boolean): number;
  /** A raw op (src-native/raw_ops.cc): the statx reply from the scratch. */
  replyStatx(slot: number): number;
  /** A raw op: the tmpfile reply (create's: entry + open file) from the scratch. */
  replyTmpfile(slot: number): number;
}

/**
 * A plain object holding the session's reply functions. The session object itself is a wrapped
 * native object whose properties V8 keeps in dictionary mode, so every `native.replyX` read on a
 * request's path was a generic property lookup (a LoadIC call, ~150 instructions); this object has
 * one fixed shape and its reads are inlined (docs/performance.md, "Dictionary-mode objects").
 */
export function replyFunctions(s: NativeReplies): NativeReplies {
  const r: NativeReplies = {
    replyErr: s.replyErr, replyEntry: s.replyEntry, replyCreate: s.replyCreate, replyAttr: s.replyAttr,
    replyReadlink: s.replyReadlink, replyOpen: s.replyOpen, replyWrite: s.replyWrite, replyBuf: s.replyBuf,
    replyFd: s.replyFd, replyStatfs: s.replyStatfs, replyXattr: s.replyXattr, replyLock: s.replyLock,
    replyBmap: s.replyBmap, replyIoctl: s.replyIoctl, replyPoll: s.replyPoll, replyLseek: s.replyLseek,
    replyDirents: s.replyDirents, replyStatx: s.replyStatx, replyTmpfile: s.replyTmpfile,
  };
  // The list is written three times (C++ kDirectMethods, NativeReplies, this literal): an addon
  // built from other sources would otherwise show as `undefined` at the reply's first call.
  const missing = Object.keys(r).filter((k) => typeof r[k as keyof NativeReplies] !== 'function');
  if (missing.length > 0) {
    throw new Error(`rxfuse: the native addon has no ${missing.join(', ')}: it does not match lib/ (rebuild it: ${rebuildCommand()})`);
  }
  return r;
}

export interface NativeSession extends NativeReplies {
  mount(): number;
  close(): boolean;
  ref(): void;
  unref(): void;
  setLoop(budget: number, spinMicroseconds: number, adaptive: boolean): void;
  loopStats(): { spins: number; spinHits: number; spinning: boolean };
  conn(): ConnInfo | null;
  busySlots(): number;
  /** Unpins the receive buffer holding a request's payload (JS has copied it). */
  detachPayload(slot: number): void;
  getgroups(slot: number): number[] | number;
  pollNotify(id: number): number;
  pollDestroy(id: number): void;
  /** 0 or -errno; a Buffer for a retrieve. */
  notify(kind: number, ino: number, ino2: number, off: number, len: number, name?: Uint8Array, data?: Uint8Array): Promise<number | Buffer>;
  /** A backing id (> 0) or -errno. */
  backingOpen(fd: number): number;
  /** 0 or -errno. */
  backingClose(id: number): number;
  passthroughStats(): PassthroughStats;
  /** @internal The ablation ladder (lib/ladder.ts): before mount() only. */
  setLadder(step: number, call: (n: number) => void): void;
  /** @internal Step 3: answers the request of the ladder's JS call natively. */
  ladderReply(): boolean;
}

export interface NativeSessionCtor {
  new (
    mountpoint: string,
    args: string[],
    implementedOps: number[],
    slots: ArrayBuffer,
    recvBuffers: Buffer[],
    scratch: Float64Array,
    dispatch: (slot: number) => void,
    onEvent: (...e: NativeEvent) => void,
    /** The unmount watcher program to start per mount (watcherPath()), or '' for none. */
    watcher: string,
    /** Offsets and sizes beyond 2^53 reach JS (FuseOptions.largeFiles); else answered natively. */
    largeFiles: boolean,
  ): NativeSession;
}

interface Addon {
  Session: NativeSessionCtor;
  layout: NativeLayout;
  fuseVersion: number;
}

let addon: Addon | undefined;
let addonDir = '';

export function native(): Addon {
  if (!addon) {
    const loaded = loadAddon();
    const a = loaded.exports as Addon;
    checkLayout(a.layout, OPS);
    addon = a;
    addonDir = loaded.dir;
  }
  return addon;
}

/** rxfuse-watch (src-native/unmount_watcher.cc), beside the addon that was loaded: detaches a mount once its process is gone. */
export function watcherPath(): string {
  native();
  return path.join(addonDir, 'rxfuse-watch');
}
