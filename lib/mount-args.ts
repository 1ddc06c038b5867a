// libfuse's command line and the INIT wishes, from a mount's FuseOptions.
import { Capability, type CapabilityName } from './caps';
import type { FuseOptions } from './fuse-options';
import { C, S } from './layout';

/** The busy-poll in µs (validated): busyPoll, default 20, false for 0. */
export function spinMicroseconds(o: FuseOptions): number {
  const spin = o.busyPoll === false ? 0 : o.busyPoll ?? 20;
  if (!(typeof spin === 'number' && Number.isFinite(spin) && spin >= 0 && spin <= 10000)) {
    throw new RangeError(`busyPoll: 0..10000 µs or false, got ${String(spin)}`);
  }
  return spin;
}

/** libfuse's arguments: -o with the mount options, -d for debug. */
export function libfuseArgs(o: FuseOptions): string[] {
  const opts = [`fsname=${o.fsname ?? 'rxfuse'}`];
  if (o.subtype) opts.push(`subtype=${o.subtype}`);
  if (o.allowOther) opts.push('allow_other');
  if (o.defaultPermissions) opts.push('default_permissions');
  if (o.readOnly) opts.push('ro');
  for (const x of o.options ?? []) {
    if (typeof x !== 'string' || x === '' || /\s/.test(x)) throw new TypeError(`bad -o option ${JSON.stringify(x)}`);
    // auto_unmount is rxfuse's own watcher (autoUnmount()), not fusermount3's: not for libfuse.
    const rest = x.split(',').filter((part) => part !== 'auto_unmount').join(',');
    if (rest !== '') opts.push(rest);
  }
  // libfuse wants max_read both as a mount option and in init(), and fails INIT when they differ
  // (writeConnWishes takes a -o max_read=N for init()).
  const maxRead = o.conn?.maxRead;
  if (maxRead !== undefined && maxReadOption(o) === undefined) opts.push(`max_read=${maxRead}`);
  const args = ['-o', opts.join(',')];
  if (o.debug) args.push('-d');
  return args;
}

/** Whether a watcher detaches the mount when this process dies: autoUnmount, or -o auto_unmount. */
export function autoUnmount(o: FuseOptions): boolean {
  return (o.autoUnmount ?? true) || (o.options ?? []).some((x) => String(x).split(',').includes('auto_unmount'));
}

/** A max_read=N among the -o options (libfuse fails INIT unless init() sets the same value). */
function maxReadOption(o: FuseOptions): number | undefined {
  let r: number | undefined;
  for (const x of o.options ?? []) {
    for (const part of String(x).split(',')) {
      const m = /^max_read=(\d+)$/.exec(part);
      if (m) r = Number(m[1]);
    }
  }
  return r;
}

/** Writes the INIT wishes into the scratch area; `answersOpen`: an open handler is attached. */
export function writeConnWishes(s: Float64Array, o: FuseOptions, answersOpen: boolean): void {
  const c = o.conn ?? {};
  const v = (x: number | undefined, what: string): number => {
    if (x === undefined) return -1;
    if (!(Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) throw new RangeError(`conn.${what}: ${x}`);
    return x;
  };
  s.fill(-1, S.CONN, S.CONN + C.FIELD_COUNT);
  s[S.CONN + C.MAX_WRITE] = v(c.maxWrite, 'maxWrite');
  s[S.CONN + C.MAX_READ] = v(c.maxRead ?? maxReadOption(o), 'maxRead');
  s[S.CONN + C.MAX_READAHEAD] = v(c.maxReadahead, 'maxReadahead');
  s[S.CONN + C.MAX_BACKGROUND] = v(c.maxBackground, 'maxBackground');
  s[S.CONN + C.CONGESTION] = v(c.congestionThreshold, 'congestionThreshold');
  s[S.CONN + C.TIME_GRAN] = v(c.timeGran, 'timeGran');
  let set = 0;
  let clear = 0;
  for (const [name, on] of Object.entries(c.capabilities ?? {})) {
    const bit = Capability[name as CapabilityName];
    if (bit === undefined) throw new TypeError(`unknown capability ${name}`);
    if (on) set |= bit;
    else clear |= bit;
  }
  // atomic_o_trunc hands O_TRUNC to open: only when the filesystem answers open itself (the ladder's
  // native steps do, as benchfs). Otherwise rxfuse answers the open and the kernel sends the
  // truncation as a setattr (size 0).
  if (!answersOpen && o.ladder === undefined) {
    if ((set & Capability.atomicOTrunc) !== 0) {
      throw new Error('conn.capabilities.atomicOTrunc: needs an open handler attached before mount() (the kernel then ' +
        'leaves O_TRUNC to open); without one rxfuse answers opens itself and the truncation would be lost');
    }
    clear |= Capability.atomicOTrunc;
  }
  s[S.CONN + C.WANT_SET] = set >>> 0;
  s[S.CONN + C.WANT_CLEAR] = clear >>> 0;
  s[S.CONN + C.PASSTHROUGH] = o.passthrough === false ? 0 : 1;
}
