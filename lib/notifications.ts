// Notifications to the kernel (invalidate, delete, store, retrieve): off the request path, safe to
// call from inside a handler. Fuse's notification methods delegate here.
import { errno, errnoName, FuseError, type FuseErrorEvent } from './errors';
import type { NativeSession } from './native';

/** Notification kinds, as in src-native/notify.cc. */
const enum Notify { INVAL_INODE = 0, INVAL_ENTRY, DELETE, STORE, RETRIEVE }

/** What notifications need from their mount. */
export interface NotifyTarget {
  readonly mounted: boolean;
  readonly native: NativeSession;
  emitError(ev: FuseErrorEvent): void;
}

function bytesOf(name: Uint8Array | string): Uint8Array {
  return typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
}

export class Notifications {
  constructor(private readonly target: NotifyTarget) {}

  invalidateInode(ino: number, offset: number, length: number): Promise<boolean> {
    return this.notify(Notify.INVAL_INODE, 'invalidateInode', ino, 0, offset, length);
  }

  invalidateEntry(parent: number, name: Uint8Array | string): Promise<boolean> {
    return this.notify(Notify.INVAL_ENTRY, 'invalidateEntry', parent, 0, 0, 0, bytesOf(name));
  }

  notifyDelete(parent: number, child: number, name: Uint8Array | string): Promise<boolean> {
    return this.notify(Notify.DELETE, 'notifyDelete', parent, child, 0, 0, bytesOf(name));
  }

  notifyStore(ino: number, offset: number, data: Uint8Array): Promise<boolean> {
    if (!(data instanceof Uint8Array)) return Promise.reject(new TypeError('notifyStore: Buffer expected'));
    return this.notify(Notify.STORE, 'notifyStore', ino, 0, offset, data.length, undefined, data);
  }

  async notifyRetrieve(ino: number, offset: number, size: number): Promise<Buffer> {
    const r = await this.notifyRaw(Notify.RETRIEVE, 'notifyRetrieve', ino, 0, offset, size);
    if (r === -errno.ENOENT) return Buffer.alloc(0);
    if (typeof r === 'number') throw this.notifyError('notifyRetrieve', ino, r);
    return r;
  }

  private async notify(kind: Notify, what: string, ino: number, ino2: number, off: number, len: number,
    name?: Uint8Array, data?: Uint8Array): Promise<boolean> {
    const r = await this.notifyRaw(kind, what, ino, ino2, off, len, name, data);
    if (r === 0) return true;
    if (r === -errno.ENOENT) return false;
    throw this.notifyError(what, ino, r as number);
  }

  private notifyRaw(kind: Notify, what: string, ino: number, ino2: number, off: number, len: number,
    name?: Uint8Array, data?: Uint8Array): Promise<number | Buffer> {
    for (const [k, v] of [['ino', ino], ['ino2', ino2], ['length', len]] as const) {
      if (!(Number.isSafeInteger(v) && v >= 0)) return Promise.reject(new TypeError(`${what}: invalid ${k} ${v}`));
    }
    if (!(Number.isSafeInteger(off) && off >= -1)) return Promise.reject(new TypeError(`${what}: invalid offset ${off}`));
    if (!this.target.mounted) return Promise.reject(new FuseError(errno.ENOTCONN, `${what}: not mounted`));
    return this.target.native.notify(kind, ino, ino2, off, len, name, data);
  }

  private notifyError(what: string, ino: number, r: number): FuseError {
    const e = new FuseError(-r, `${what}(${ino}): ${errnoName(-r)}`);
    this.target.emitError({ kind: 'notify', op: undefined, ino, errno: -r, cause: e });
    return e;
  }
}
