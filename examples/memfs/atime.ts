// The mount's atime policy (noatime, nodiratime, relatime, strictatime), as the VFS applies it on
// tmpfs (atime_needs_update), learned from the mount's options in /proc/self/mountinfo.
//
// The kernel does nothing with these flags on a FUSE mount: it marks FUSE inodes S_NOATIME, so
// touch_atime() stops before it looks at the mount, and no request carries them. After each read and
// readdir it only drops the atime it cached (fuse_invalidate_atime), so the next stat asks memfs.
// So memfs reads the options of its own mount (the topmost at its mountpoint) itself: on the first
// access, and again when the last reading is older than REFRESH_MS, which follows a
// `mount -o remount,noatime` within that time. Re-reading on use costs no timer, fd or thread while
// the filesystem is idle, and at most one read of mountinfo per REFRESH_MS while it is busy; watching
// the file for POLLPRI would need a poller in the native loop for what is a rare change.
// A bind mount of memfs elsewhere with other flags is not seen: requests do not say which mount
// they came through.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Timespec } from '../../lib';
import { mountAt } from '../../lib/pathargs';
import { atimeDue } from './clock';

export type AtimeMode = 'noatime' | 'relatime' | 'strictatime';

export interface AtimePolicy {
  mode: AtimeMode;
  /** Directories' atime never moves. */
  nodiratime: boolean;
}

/** The kernel's default (relatime) for a mount not found (not mounted yet). */
export const DEFAULT_POLICY: AtimePolicy = Object.freeze({ mode: 'relatime', nodiratime: false });

/** The policy a mount's per-mount options stand for (mountinfo lists noatime, relatime, or neither for strictatime). */
export function policyOf(options: readonly string[]): AtimePolicy {
  const mode: AtimeMode = options.includes('noatime') ? 'noatime' : options.includes('relatime') ? 'relatime' : 'strictatime';
  return { mode, nodiratime: options.includes('nodiratime') };
}

const REFRESH_MS = 100;

type Times = { atime: Timespec; mtime: Timespec; ctime: Timespec };

/** The atime policy of the FUSE mount at a mountpoint, re-read at most every REFRESH_MS. */
export class MountAtime {
  private policy: AtimePolicy = DEFAULT_POLICY;
  private readAt = -Infinity;

  /** `mountpoint`: the mount's absolute path ('' while not mounted). */
  constructor(private readonly mountpoint: () => string) {}

  /** Whether an access at `now` moves the atime of an inode with these times (atime_needs_update). */
  due(t: Times, isDir: boolean, now: Timespec): boolean {
    const p = this.current();
    if (p.mode === 'noatime' || (isDir && p.nodiratime)) return false;
    if (p.mode === 'relatime') return atimeDue(t, now);
    return t.atime.sec !== now.sec || t.atime.nsec !== now.nsec;
  }

  private current(): AtimePolicy {
    const ms = performance.now();
    if (ms - this.readAt < REFRESH_MS) return this.policy;
    this.readAt = ms;
    try {
      const dir = this.canonical();
      const entry = dir ? mountAt(dir) : undefined;
      this.policy = entry?.fstype.startsWith('fuse') ? policyOf(entry.options) : DEFAULT_POLICY;
    } catch {
      // mountinfo or the parent directory unreadable: keep what we had
    }
    return this.policy;
  }

  /**
   * The mountpoint as mountinfo shows it (symlinks resolved): only its parent is resolved, as a
   * stat of the mountpoint itself would ask this very filesystem, on the thread that serves it.
   */
  private canonical(): string {
    const dir = this.mountpoint();
    if (dir === '' || dir === '/') return dir;
    return path.join(fs.realpathSync(path.dirname(dir)), path.basename(dir));
  }
}
