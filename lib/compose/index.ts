/// <reference types="node" preserve="true" />
/**
 * Operators and helpers for composing handlers: layers that fall through, replies changed on the
 * way, a read-only guard, per-inode serialization, and a tap on every request's outcome.
 *
 * @module
 */
export {
  type Handlers, type Otherwise, type LayersOptions, answerUnhandled, otherwise, fallThrough, on, layers,
} from './layers';
export { mapReply, catchErrno, type Replacement } from './replies';
export { readOnly, readOnlyLayer, isMutating, opensForWriting, MUTATING_OPS } from './readonly';
export { serializeByInode } from './serialize';
export { claim } from './claim';
export { outcomes, type RequestOutcome } from './outcomes';
export type { Errno } from './result';
