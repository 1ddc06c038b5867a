// Mirror of src-native/layout.h: the one marshalling point between native code and TypeScript.
// checkLayout() compares the geometry, the op names (by position) and every named index (by name)
// with what the addon exports, so a mismatch fails at load time, naming what differs, instead of
// corrupting requests.

export const SLOT_BYTES = 8192;
export const HEADER_FIELDS = 64;
export const VAR_OFFSET = HEADER_FIELDS * 8;
export const VAR_NAME = VAR_OFFSET;
export const VAR_NAME2 = VAR_NAME + 1024 + 16;
export const FORGET_PAIRS_MAX = (SLOT_BYTES - VAR_OFFSET) / 16;

/** Request header fields (float64 index within a slot). */
export const enum F {
  OP = 0, GEN, SEQ, UID, GID, PID, UMASK, INO, FH, FLAGS, OFF, SIZE, MODE, RDEV, INO2, FH2, OFF2,
  ARG, ARG2, ARG3, NAME_LEN, NAME2_LEN, DATA_BUF, DATA_OFF, DATA_LEN, INTERRUPTED,
  LOCK_OWNER_HI, LOCK_OWNER_LO, ATIME_S, ATIME_NS, MTIME_S, MTIME_NS, CTIME_S, CTIME_NS,
  ATTR_UID, ATTR_GID, OFF_X, SIZE_X, OFF2_X, FIELD_COUNT,
}

/**
 * @internal The request header fields of F as an object: a const enum leaves nothing at run time,
 * and tools outside the TypeScript build (bench/dispatch.js) fill slots by these names.
 */
export const REQUEST_FIELDS = {
  OP: F.OP, GEN: F.GEN, INO: F.INO, OFF: F.OFF, SIZE: F.SIZE, NAME_LEN: F.NAME_LEN,
} as const;

/** Reply scratch fields (float64 index). */
export const enum S {
  ENTRY_INO = 0, ENTRY_GEN, ATTR_TIMEOUT, ENTRY_TIMEOUT, STAT,
  FI = STAT + 20, STATFS = FI + 8, LOCK = STATFS + 12, CONN = LOCK + 4, STATX = CONN + 24, FIELD_COUNT = STATX + 8,
}

/** Stat block fields, relative to S.STAT (or to an entry block's stat part). */
export const enum ST {
  MODE = 0, NLINK, UID, GID, RDEV, SIZE, BLOCKS, BLKSIZE, ATIME_S, ATIME_NS, MTIME_S, MTIME_NS,
  CTIME_S, CTIME_NS, INO, INO_X, SIZE_X, BLOCKS_X, FIELD_COUNT,
}

/** File info of an open or create reply, relative to S.FI. */
export const enum FI {
  FH = 0, DIRECT_IO, KEEP_CACHE, NONSEEKABLE, CACHE_READDIR, NOFLUSH, BACKING_ID, FIELD_COUNT,
}

/** statfs reply (struct statvfs), relative to S.STATFS. */
export const enum SF {
  BSIZE = 0, FRSIZE, BLOCKS, BFREE, BAVAIL, FILES, FFREE, FAVAIL, FSID, FLAG, NAMEMAX, FIELD_COUNT,
}

/** getlk reply (struct flock), relative to S.LOCK. */
export const enum LK {
  TYPE = 0, START, LEN, PID, FIELD_COUNT,
}

/** Connection settings, relative to S.CONN. */
export const enum C {
  PROTO_MAJOR = 0, PROTO_MINOR, MAX_WRITE, MAX_READ, MAX_READAHEAD, CAPABLE, WANT, MAX_BACKGROUND,
  CONGESTION, TIME_GRAN, WANT_SET, WANT_CLEAR, PASSTHROUGH, FIELD_COUNT,
}

/** statx reply extras, relative to S.STATX (the rest is the stat block and S.ATTR_TIMEOUT). */
export const enum SX {
  MASK = 0, ATTRIBUTES, ATTRIBUTES_MASK, BTIME_S, BTIME_NS, FIELD_COUNT,
}

/**
 * Packed directory record fields (float64), followed by the name and at least one NUL padded to 8
 * bytes, then (entries with attributes) an entry block of ENTRY_FIELDS. INO is NaN when only the
 * entry block's stat holds d_ino exactly.
 */
export const enum D {
  OFF = 0, NAMELEN, INO, MODE, FIELD_COUNT, ENTRY_FIELDS = S.STAT + ST.FIELD_COUNT,
}

/**
 * Every named index above, by group, as the addon exports them (layout.h's X-macro lists). The
 * `satisfies` clauses make the compiler check that each group lists every member of its enum.
 */
const FIELDS = {
  F: {
    OP: F.OP, GEN: F.GEN, SEQ: F.SEQ, UID: F.UID, GID: F.GID, PID: F.PID, UMASK: F.UMASK, INO: F.INO, FH: F.FH,
    FLAGS: F.FLAGS, OFF: F.OFF, SIZE: F.SIZE, MODE: F.MODE, RDEV: F.RDEV, INO2: F.INO2, FH2: F.FH2, OFF2: F.OFF2,
    ARG: F.ARG, ARG2: F.ARG2, ARG3: F.ARG3, NAME_LEN: F.NAME_LEN, NAME2_LEN: F.NAME2_LEN, DATA_BUF: F.DATA_BUF,
    DATA_OFF: F.DATA_OFF, DATA_LEN: F.DATA_LEN, INTERRUPTED: F.INTERRUPTED, LOCK_OWNER_HI: F.LOCK_OWNER_HI,
    LOCK_OWNER_LO: F.LOCK_OWNER_LO, ATIME_S: F.ATIME_S, ATIME_NS: F.ATIME_NS, MTIME_S: F.MTIME_S,
    MTIME_NS: F.MTIME_NS, CTIME_S: F.CTIME_S, CTIME_NS: F.CTIME_NS, ATTR_UID: F.ATTR_UID, ATTR_GID: F.ATTR_GID,
    OFF_X: F.OFF_X, SIZE_X: F.SIZE_X, OFF2_X: F.OFF2_X, FIELD_COUNT: F.FIELD_COUNT,
  } satisfies Record<keyof typeof F, number>,
  S: {
    ENTRY_INO: S.ENTRY_INO, ENTRY_GEN: S.ENTRY_GEN, ATTR_TIMEOUT: S.ATTR_TIMEOUT, ENTRY_TIMEOUT: S.ENTRY_TIMEOUT,
    STAT: S.STAT, FI: S.FI, STATFS: S.STATFS, LOCK: S.LOCK, CONN: S.CONN, STATX: S.STATX, FIELD_COUNT: S.FIELD_COUNT,
  } satisfies Record<keyof typeof S, number>,
  ST: {
    MODE: ST.MODE, NLINK: ST.NLINK, UID: ST.UID, GID: ST.GID, RDEV: ST.RDEV, SIZE: ST.SIZE, BLOCKS: ST.BLOCKS,
    BLKSIZE: ST.BLKSIZE, ATIME_S: ST.ATIME_S, ATIME_NS: ST.ATIME_NS, MTIME_S: ST.MTIME_S, MTIME_NS: ST.MTIME_NS,
    CTIME_S: ST.CTIME_S, CTIME_NS: ST.CTIME_NS, INO: ST.INO, INO_X: ST.INO_X, SIZE_X: ST.SIZE_X,
    BLOCKS_X: ST.BLOCKS_X, FIELD_COUNT: ST.FIELD_COUNT,
  } satisfies Record<keyof typeof ST, number>,
  FI: {
    FH: FI.FH, DIRECT_IO: FI.DIRECT_IO, KEEP_CACHE: FI.KEEP_CACHE, NONSEEKABLE: FI.NONSEEKABLE,
    CACHE_READDIR: FI.CACHE_READDIR, NOFLUSH: FI.NOFLUSH, BACKING_ID: FI.BACKING_ID, FIELD_COUNT: FI.FIELD_COUNT,
  } satisfies Record<keyof typeof FI, number>,
  SF: {
    BSIZE: SF.BSIZE, FRSIZE: SF.FRSIZE, BLOCKS: SF.BLOCKS, BFREE: SF.BFREE, BAVAIL: SF.BAVAIL, FILES: SF.FILES,
    FFREE: SF.FFREE, FAVAIL: SF.FAVAIL, FSID: SF.FSID, FLAG: SF.FLAG, NAMEMAX: SF.NAMEMAX, FIELD_COUNT: SF.FIELD_COUNT,
  } satisfies Record<keyof typeof SF, number>,
  LK: {
    TYPE: LK.TYPE, START: LK.START, LEN: LK.LEN, PID: LK.PID, FIELD_COUNT: LK.FIELD_COUNT,
  } satisfies Record<keyof typeof LK, number>,
  C: {
    PROTO_MAJOR: C.PROTO_MAJOR, PROTO_MINOR: C.PROTO_MINOR, MAX_WRITE: C.MAX_WRITE, MAX_READ: C.MAX_READ,
    MAX_READAHEAD: C.MAX_READAHEAD, CAPABLE: C.CAPABLE, WANT: C.WANT, MAX_BACKGROUND: C.MAX_BACKGROUND,
    CONGESTION: C.CONGESTION, TIME_GRAN: C.TIME_GRAN, WANT_SET: C.WANT_SET, WANT_CLEAR: C.WANT_CLEAR,
    PASSTHROUGH: C.PASSTHROUGH, FIELD_COUNT: C.FIELD_COUNT,
  } satisfies Record<keyof typeof C, number>,
  SX: {
    MASK: SX.MASK, ATTRIBUTES: SX.ATTRIBUTES, ATTRIBUTES_MASK: SX.ATTRIBUTES_MASK, BTIME_S: SX.BTIME_S,
    BTIME_NS: SX.BTIME_NS, FIELD_COUNT: SX.FIELD_COUNT,
  } satisfies Record<keyof typeof SX, number>,
  D: {
    OFF: D.OFF, NAMELEN: D.NAMELEN, INO: D.INO, MODE: D.MODE, FIELD_COUNT: D.FIELD_COUNT,
    ENTRY_FIELDS: D.ENTRY_FIELDS,
  } satisfies Record<keyof typeof D, number>,
};

/** What the addon exports as `layout` (src-native/addon.cc). */
export interface NativeLayout {
  SLOT_BYTES: number; HEADER_FIELDS: number; VAR_OFFSET: number; VAR_NAME: number; VAR_NAME2: number;
  FORGET_PAIRS_MAX: number; RECV_BYTES: number;
  /** Op names in op-code order (src-native/op_table.def): ops[i] is op code i + 1. */
  ops: readonly string[];
  /** Named indices by group (F, S, ST, FI, SF, LK, C, SX, D): name -> index. */
  fields: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Throws, naming every difference, unless the addon's layout is this one: the geometry, the op
 * names by position (`ops` is lib/op-table.ts OPS) and every named index by name.
 */
export function checkLayout(native: NativeLayout, ops: readonly string[]): void {
  const problems: string[] = [];
  const differ = (what: string, addon: unknown, lib: unknown): void => {
    if (addon !== lib) problems.push(`${what}: addon ${String(addon ?? '(none)')}, lib ${String(lib ?? '(none)')}`);
  };
  const geometry = { SLOT_BYTES, HEADER_FIELDS, VAR_OFFSET, VAR_NAME, VAR_NAME2, FORGET_PAIRS_MAX };
  for (const [name, v] of Object.entries(geometry)) differ(name, (native as unknown as Record<string, number>)[name], v);
  const nativeOps = native.ops ?? [];
  for (let i = 0; i < Math.max(ops.length, nativeOps.length); i++) differ(`op ${i + 1}`, nativeOps[i], ops[i]);
  for (const [group, mine] of Object.entries(FIELDS)) {
    const theirs: Readonly<Record<string, number>> = native.fields?.[group] ?? {};
    const lib: Readonly<Record<string, number>> = mine;
    for (const name of new Set([...Object.keys(lib), ...Object.keys(theirs)])) differ(`${group}.${name}`, theirs[name], lib[name]);
  }
  if (problems.length > 0) {
    throw new Error(`rxfuse: native layout mismatch (rebuild the addon): ${problems.join('; ')}`);
  }
}
