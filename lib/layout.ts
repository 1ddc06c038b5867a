// Mirror of src-native/layout.h: the one marshalling point between native code and TypeScript.
// checkLayout() compares these with the constants the addon exports, so a mismatch fails at load
// time instead of corrupting requests.

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
  FI = STAT + 20, STATFS = FI + 8, LOCK = STATFS + 12, CONN = LOCK + 4, FIELD_COUNT = CONN + 24,
}

/** Stat block fields, relative to S.STAT (or to an entry block's stat part). */
export const enum ST {
  MODE = 0, NLINK, UID, GID, RDEV, SIZE, BLOCKS, BLKSIZE, ATIME_S, ATIME_NS, MTIME_S, MTIME_NS,
  CTIME_S, CTIME_NS, INO, INO_X, SIZE_X, BLOCKS_X, FIELD_COUNT,
}

/** Connection settings, relative to S.CONN. */
export const enum C {
  PROTO_MAJOR = 0, PROTO_MINOR, MAX_WRITE, MAX_READ, MAX_READAHEAD, CAPABLE, WANT, MAX_BACKGROUND,
  CONGESTION, TIME_GRAN, WANT_SET, WANT_CLEAR, FIELD_COUNT,
}

/** Packed directory record fields (float64), followed by the name padded to 8 bytes. */
export const enum D {
  OFF = 0, NAMELEN, ENTRY, FIELD_COUNT = ENTRY + 4 + ST.FIELD_COUNT,
}

export interface NativeLayout {
  SLOT_BYTES: number; HEADER_FIELDS: number; VAR_OFFSET: number; VAR_NAME: number; VAR_NAME2: number;
  FORGET_PAIRS_MAX: number; OP_COUNT: number; F_FIELD_COUNT: number; S_FIELD_COUNT: number; S_STAT: number;
  S_FI: number; S_STATFS: number; S_LOCK: number; S_CONN: number; ST_FIELD_COUNT: number; C_FIELD_COUNT: number;
  D_FIELD_COUNT: number; F_ATTR_GID: number; RECV_BYTES: number;
}

export function checkLayout(native: NativeLayout, opCount: number): void {
  const mine: Partial<NativeLayout> = {
    SLOT_BYTES, HEADER_FIELDS, VAR_OFFSET, VAR_NAME, VAR_NAME2, FORGET_PAIRS_MAX, OP_COUNT: opCount,
    F_FIELD_COUNT: F.FIELD_COUNT, S_FIELD_COUNT: S.FIELD_COUNT, S_STAT: S.STAT, S_FI: S.FI,
    S_STATFS: S.STATFS, S_LOCK: S.LOCK, S_CONN: S.CONN, ST_FIELD_COUNT: ST.FIELD_COUNT,
    C_FIELD_COUNT: C.FIELD_COUNT, D_FIELD_COUNT: D.FIELD_COUNT, F_ATTR_GID: F.ATTR_GID,
  };
  for (const [k, v] of Object.entries(mine)) {
    const n = (native as unknown as Record<string, number>)[k];
    if (n !== v) throw new Error(`rxfuse: native layout mismatch for ${k}: addon ${n}, lib ${v} (rebuild the addon)`);
  }
}
