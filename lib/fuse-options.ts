// What a mount can be given: FuseOptions (new Fuse(options)) and the INIT wishes in it (ConnOptions).
import type { CapabilityName } from './caps';

/**
 * Connection settings negotiated at INIT. Unset values keep libfuse's defaults. Each number is an
 * unsigned 32-bit integer: another value, or an unknown capability name, makes mount() reject
 * (RangeError, TypeError).
 */
export interface ConnOptions {
  /** The largest write request, in bytes. */
  maxWrite?: number;
  /** The largest read request, in bytes. */
  maxRead?: number;
  /** The most bytes the kernel reads ahead. */
  maxReadahead?: number;
  /** The most background requests (readahead, writeback) the kernel keeps pending. */
  maxBackground?: number;
  /** Pending background requests at which the kernel considers the filesystem congested. */
  congestionThreshold?: number;
  /** Timestamp granularity in nanoseconds (the kernel takes a power of 10, 1 to 10^9). */
  timeGran?: number;
  /** Capabilities to ask for (true) or to switch off (false), when the kernel offers them. */
  capabilities?: Partial<Record<CapabilityName, boolean>>;
}

/** What a mount is given (new Fuse(options)); everything is optional. */
export interface FuseOptions {
  /** The filesystem name shown in /proc/mounts (default "rxfuse"). */
  fsname?: string;
  /** Mount type suffix: the mount shows as fuse.<subtype>. */
  subtype?: string;
  /** Let other users access the mount (-o allow_other; needs user_allow_other in /etc/fuse.conf unless root). */
  allowOther?: boolean;
  /** Let the kernel check permissions from the mode bits (default false). */
  defaultPermissions?: boolean;
  /**
   * Unmount when the process dies, even by SIGKILL (a watcher process, rxfuse-watch, detaches the
   * mount once the process is gone). Default true; `-o auto_unmount` means the same.
   */
  autoUnmount?: boolean;
  /** Mount read-only (-o ro): the kernel refuses writes with EROFS. */
  readOnly?: boolean;
  /** More -o options, passed to libfuse as they are. */
  options?: readonly string[];
  /** libfuse's debug output on stderr. */
  debug?: boolean;
  /** Requests in flight at most (slots); the kernel waits beyond that. Default 128. */
  maxInFlight?: number;
  /** Receive buffers (about 1 MiB each); writes in flight at once at most. Default 4. */
  writeBuffers?: number;
  /** Answer ETIMEDOUT (and report) a request unanswered after this many ms. Default 0: never. */
  requestTimeout?: number;
  /**
   * A request neither answered nor claimed (Request.claim, the claim() operator; answer() and
   * handle() claim what they receive) when its dispatch returns is answered EIO this many ms later
   * and reported on errors$ (kind "unclaimed"): an operator dropped it. 0..1000, default 200.
   */
  unclaimedGrace?: number;
  /** Fail mount() when the kernel's INIT has not come after this many ms. Default 10000. */
  mountTimeout?: number;
  /** Connection settings and capabilities wished for at INIT. */
  conn?: ConnOptions;
  /**
   * Keep the kernel's lookup counts and open counts in `fuse.inodes` (default true). FORGET is then
   * always implemented, whether or not the filesystem subscribes to it.
   */
  registry?: boolean;
  /**
   * Hand writes (and setattr with a size) of one inode to handlers one at a time, in kernel order,
   * even when handlers await (default true). Other inodes, and reads, are not held back.
   */
  serializeWrites?: boolean;
  /**
   * Busy-poll: after the session fd ran dry, keep watching it this many microseconds before
   * sleeping in the event loop (default 20; 0 or false: off). It trades CPU (up to a core while
   * requests keep coming) for latency; see docs/performance.md for the measurements.
   */
  busyPoll?: number | false;
  /** Pause the busy-poll when spins mostly wait in vain or no core is idle (default true). */
  busyPollAdaptive?: boolean;
  /**
   * Offsets and sizes beyond 2^53-1 reach handlers, exact in the `*64` getters (`offset64`, `size64`,
   * ...: a bigint there). Default false: rxfuse answers them itself (read: end of file; write,
   * truncate, fallocate, copy_file_range: EFBIG; lseek: ENXIO). See docs/design.md, "Numbers beyond 2^53".
   */
  largeFiles?: boolean;
  /**
   * Ask for kernel passthrough when the kernel offers it (default true): open and create replies
   * carrying a backing file (`fuse.backing.open`) then hand that file's reads and writes to the
   * kernel. Never granted together with the writeback cache. See docs/design.md, "Kernel passthrough".
   */
  passthrough?: boolean;
  /**
   * @internal Benchmark only: the ablation ladder's native steps (1, 2 or 3; see docs/performance.md).
   * The mount then serves benchfs from C, ignoring every handler. Not for filesystems.
   */
  ladder?: 1 | 2 | 3;
}
