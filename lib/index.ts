/// <reference types="node" preserve="true" />
/**
 * rxfuse: a low-level, inode-based FUSE binding on libfuse3 with typed RxJS request streams.
 *
 * @module
 */
export { Fuse, type FuseOptions, type ConnOptions, type FuseStats } from './fuse';
export type { InodeRegistry, RegistryStats, RegistryAnomaly, DroppedLookup } from './registry';
export type { ConnInfo } from './native';
export { answer, PASS, type Pass, type Handler, type HandlerResult, type ResultOf } from './handle';
export * from './request';
export { Dirents } from './dirents';
export {
  type Attr, type U64, type Entry, type NegativeEntry, type AttrResult, type OpenResult, type Statfs, type Lock,
  type Timespec, timespec, now, DEFAULT_TIMEOUT, type Statx, type StatxResult, StatxMask,
} from './attr';
export { FuseError, ReplyError, errno, errnoName, type FuseErrorEvent, type FuseErrorKind } from './errors';
export { OPS, type OpName, STICKY_ENOSYS } from './op-table';
export { Capability, type CapabilityName, capabilityNames } from './caps';
export {
  type Handlers, type Otherwise, type LayersOptions, type Replacement, type RequestOutcome, type Errno,
  answerUnhandled, otherwise, fallThrough, on, layers, mapReply, catchErrno, readOnly, readOnlyLayer, isMutating,
  opensForWriting, MUTATING_OPS, serializeByInode, outcomes, claim,
} from './compose';
export {
  Operations, operationsHandlers, mountOperations, readdirReply, ReaddirToken, ROOT_INODE, type Awaitable,
  type EntryAttributes, type FileInfo, type RequestContext, type SetattrFields, type AttrChanges,
} from './class-adapter';
export * as sys from './sys';
export {
  trace, traceRecords, type Trace, type TraceOptions, type TraceFormat, type TapOptions, type TraceRecord, type TraceValue,
  type TraceFields, type TraceOutput, type TraceExporter, textExporter, textLine, jsonlExporter, chromeExporter,
  type ChromeOptions, otelExporter, spanAttributes, type OtelOptions, type OtelTracerLike, type OtelSpanLike, type OtelAttribute,
  type OtelHrTime, TraceSummary,
  liveSummary, type LiveSummary, type SummaryOptions, type OpStats, LatencyHistogram, type LatencyBucket, histogramSvg,
  histogramHtml, writeHistogram, type HistogramOptions, quoteBytes, jsonRecord, jsonLine,
} from './trace';
