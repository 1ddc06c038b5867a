// The requesting caller as an fd-backed filesystem (passthrough, overlay) acts for it: the credentials
// objects it creates are made with, and the one-component check every name from the kernel passes.
import { FuseError, type Request, sys } from '../../lib';

const IS_ROOT_PROCESS = process.geteuid?.() === 0;
const SLASH = 0x2f;

/** The caller's credentials, for objects it creates (its groups only when we can switch to them). */
export function creds(req: Request): sys.Creds {
  const uid = req.uid;
  const gid = req.gid;
  const switching = IS_ROOT_PROCESS && !(uid === 0 && gid === 0);
  return { uid, gid, groups: switching ? req.getgroups() : [] };
}

/**
 * Runs `create` as the caller and with its umask (dont_mask: the kernel sends modes unmasked), so
 * that the source's own filesystem applies the umask, or a default ACL instead, as it would for the
 * caller. The umask is the process's: set and restored around the synchronous call.
 */
export function asCreator<T>(req: Request, create: () => T): T {
  const old = process.umask(req.umask & 0o777);
  try {
    return sys.asUser(creds(req), create);
  } finally {
    process.umask(old);
  }
}

/** A name from the kernel is one component; anything else never reaches the source. */
export function component(name: Buffer): Buffer {
  if (name.length === 0 || name.includes(SLASH)) throw new FuseError('EINVAL', 'not a single name');
  return name;
}
