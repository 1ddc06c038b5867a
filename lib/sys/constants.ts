// The platform's constants of the sys calls (O_*, AT_*, ...), read from the addon on first use.
import { sys } from './addon';

/** A group of the platform's constants (read from the addon on first use: values differ by arch). */
function group<K extends string>(prefix: string, names: readonly K[]): Readonly<Record<K, number>> {
  const o = {} as Record<K, number>;
  for (const n of names) {
    Object.defineProperty(o, n, {
      enumerable: true,
      get: () => {
        const v = sys().constants[prefix + n];
        if (v === undefined) throw new Error(`rxfuse: the addon has no constant ${prefix}${n}`);
        return v;
      },
    });
  }
  return Object.freeze(o);
}

/** open(2) flags (O_*), with this platform's values. */
export const O = group('O_', [
  'RDONLY', 'WRONLY', 'RDWR', 'ACCMODE', 'CREAT', 'EXCL', 'NOCTTY', 'TRUNC', 'APPEND', 'NONBLOCK', 'DSYNC', 'SYNC',
  'DIRECT', 'LARGEFILE', 'DIRECTORY', 'NOFOLLOW', 'NOATIME', 'CLOEXEC', 'PATH', 'TMPFILE',
] as const);
/** AT_* flags of the *at calls. */
export const AT = group('AT_', ['FDCWD', 'EMPTY_PATH', 'SYMLINK_NOFOLLOW', 'SYMLINK_FOLLOW', 'REMOVEDIR', 'EACCESS', 'NO_AUTOMOUNT'] as const);
/** renameat2 flags. */
export const RENAME = group('RENAME_', ['NOREPLACE', 'EXCHANGE', 'WHITEOUT'] as const);
/** fallocate modes. */
export const FALLOC_FL = group('FALLOC_FL_', ['KEEP_SIZE', 'PUNCH_HOLE', 'COLLAPSE_RANGE', 'ZERO_RANGE', 'INSERT_RANGE', 'UNSHARE_RANGE'] as const);
/** lseek whence values, SEEK_DATA and SEEK_HOLE included. */
export const SEEK = group('SEEK_', ['SET', 'CUR', 'END', 'DATA', 'HOLE'] as const);
/** setxattr flags. */
export const XATTR = group('XATTR_', ['CREATE', 'REPLACE', 'NAME_MAX', 'SIZE_MAX', 'LIST_MAX'] as const);
/** access(2) modes. */
export const ACCESS = group('', ['F_OK', 'R_OK', 'W_OK', 'X_OK'] as const);
/** Directory entry types (d_type), the same on every Linux: the file type bits of st_mode >> 12. */
export const DT = Object.freeze({
  /** The filesystem does not say (stat the entry). */
  UNKNOWN: 0,
  /** A FIFO. */
  FIFO: 1,
  /** A character device. */
  CHR: 2,
  /** A directory. */
  DIR: 4,
  /** A block device. */
  BLK: 6,
  /** A regular file. */
  REG: 8,
  /** A symbolic link. */
  LNK: 10,
  /** A socket. */
  SOCK: 12,
  /** A whiteout. */
  WHT: 14,
});
