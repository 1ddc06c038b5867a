// The rxfuse command's path arguments, checked before anything is opened or mounted: the mountpoint
// (exists, is a directory, is not a mount point already), the examples' source directories and the
// files they will write. Each failure is an Error whose message names the argument and the path, and
// says how to fix it.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A mountpoint that passed checkMountpoint(). */
export interface CheckedMountpoint {
  /** The absolute path. */
  readonly path: string;
  /** Removes the directories --mkdir created (when mounting failed); a no-op otherwise. */
  undo(): void;
}

export interface MountpointOptions {
  /** Create a missing mountpoint (and its missing parents) instead of refusing it. */
  mkdir?: boolean;
  /** Mount on top of a mount point that is already mounted (hiding it) instead of refusing it. */
  stack?: boolean;
}

/** One line of /proc/self/mountinfo: where it is mounted and what. */
export interface MountEntry {
  mountpoint: string;
  fstype: string;
  source: string;
  /** The per-mount options (rw, nosuid, noatime, relatime, ...). */
  options: string[];
}

/** mountinfo writes space, tab, newline and backslash in paths as \\ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function mounts(): MountEntry[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l !== '').map((line) => {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    return {
      mountpoint: unescape(fields[4]), fstype: fields[dash + 1] ?? '?', source: unescape(fields[dash + 2] ?? '?'),
      options: (fields[5] ?? '').split(','),
    };
  });
}

/** The mount whose mount point is `dir` (absolute, symlinks resolved), the topmost if stacked. */
export function mountAt(dir: string): MountEntry | undefined {
  return mounts().filter((m) => m.mountpoint === dir).pop();
}

/** "a regular file", "a FIFO", ... for messages (of a stat(): links are followed). */
function kindOf(st: fs.Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a directory';
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** stat() of an argument; a failure other than ENOENT becomes a message naming `what`. */
function statOf(what: string, given: string): fs.Stats | undefined {
  try {
    return fs.statSync(given);
  } catch (e) {
    switch (code(e)) {
      case 'ENOENT': return undefined;
      case 'ENOTCONN': throw new Error(`${what} ${given} is a FUSE mount whose filesystem is gone (unmount it: fusermount3 -u ${given})`);
      case 'ENOTDIR': throw new Error(`${what} ${given}: a part of the path before the last is not a directory`);
      case 'EACCES': throw new Error(`${what} ${given}: permission denied on a directory of the path (check its permissions)`);
      default: throw new Error(`${what} ${given}: ${(e as Error).message}`);
    }
  }
}

/** The directories from `dir` up to `first` (the first one mkdir created), removed deepest first. */
function removeCreated(dir: string, first: string): void {
  for (let d = dir; d.startsWith(first); d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return;  // not empty or mounted on: leave it
    }
  }
}

/**
 * Checks the mountpoint argument: it must exist (or is created with `mkdir`), be a directory, and
 * not be a mount point already (unless `stack`: a mount there would hide the one below).
 */
export function checkMountpoint(given: string, options: MountpointOptions = {}): CheckedMountpoint {
  const abs = path.resolve(given);
  const st = statOf('mountpoint', given);
  if (st === undefined) {
    if (!options.mkdir) throw new Error(`mountpoint ${given} does not exist (create it, or pass --mkdir)`);
    let first: string | undefined;
    try {
      first = fs.mkdirSync(abs, { recursive: true });
    } catch (e) {
      throw new Error(`mountpoint ${given}: cannot create it (${(e as Error).message})`);
    }
    return { path: abs, undo: () => first !== undefined && removeCreated(abs, first) };
  }
  if (!st.isDirectory()) throw new Error(`mountpoint ${given} is ${kindOf(st)}, not a directory (give a directory to mount on)`);
  const mounted = mountAt(fs.realpathSync(abs));
  if (mounted && !options.stack) {
    throw new Error(`mountpoint ${given} is already a mount point (${mounted.fstype} ${mounted.source}); a mount there would `
      + 'hide it (unmount it first, or pass --stack to mount on top of it)');
  }
  return { path: abs, undo: () => undefined };
}

/**
 * Checks a directory argument of an example (`what`: "source directory", "upper directory", ...):
 * it exists, is a directory, and can be listed (and written, if `writable`) by this process.
 */
export function checkDirectory(what: string, given: string, writable = false): void {
  const st = statOf(what, given);
  if (st === undefined) throw new Error(`${what} ${given} does not exist (give an existing directory)`);
  if (!st.isDirectory()) throw new Error(`${what} ${given} is ${kindOf(st)}, not a directory (give a directory)`);
  const need = fs.constants.R_OK | fs.constants.X_OK | (writable ? fs.constants.W_OK : 0);
  try {
    fs.accessSync(given, need);
  } catch (e) {
    const wanted = writable ? 'readable and writable' : 'readable';
    throw new Error(`${what} ${given} is not ${wanted} by this process (${code(e) ?? (e as Error).message}: check its permissions and mount)`);
  }
}

/**
 * Checks a file argument the command will write (`what`: "--out", ...): its directory exists and is
 * writable, and the path is not a directory, so that the trace is not lost at exit.
 */
export function checkOutputFile(what: string, given: string): void {
  const st = statOf(what, given);
  if (st?.isDirectory()) throw new Error(`${what} ${given} is a directory (give a file name)`);
  const dir = path.dirname(given);
  try {
    checkDirectory('directory', dir, true);
  } catch (e) {
    throw new Error(`${what} ${given}: its ${(e as Error).message}`);
  }
}
