// O_TMPFILE (FUSE_TMPFILE, which libfuse 3.14 does not know): an unnamed file in a directory, its
// mode under the umask and under a default ACL, linking it in through /proc/self/fd and
// AT_EMPTY_PATH, O_EXCL, and the kernel's refusals (no write access to the directory, O_RDONLY).
import { acl } from './acl';
import {
  type Area, close, fchmod, fchown, flink, fstat, getxattr, GROUP, kase, mkdir, open, pub, read, readdir, readfile, setxattr, stat,
  umask, unlink, write, OTHER,
} from '../steps';

const TMP = ['O_TMPFILE', 'O_RDWR'];
const DEFAULT_ACL = acl('u:7', `U:6:${OTHER}`, 'g:5', 'm:7', 'o:5');

export const tmpfiles: Area = {
  name: 'tmpfiles',
  cases: [
    kase('an O_TMPFILE is unnamed (nlink 0, not listed), readable and writable', [
      umask(0o022), open('t', '.', TMP, 0o666).expect('ok'), write('t', 'hello tmpfile'), fstat('t'), read('t', 100, 0), readdir('.'), close('t'),
      readdir('.'),
    ]),
    kase('linked in through /proc/self/fd: named, nlink 1, then a second name', [
      open('t', '.', TMP, 0o640), write('t', 'data'), flink('t', 'named').expect('ok'), fstat('t'), stat('named'), readfile('named'),
      readdir('.'), flink('t', 'named2').expect('ok'), stat('named'), close('t'), unlink('named'), readfile('named2'),
    ]),
    kase('linked in with AT_EMPTY_PATH by the process that opened it', [
      open('t', '.', TMP, 0o600), write('t', { fill: 0x61, len: 5000 }), flink('t', 'empty', 'empty').expect('ok'),
      fstat('t'), readdir('.'), close('t'),
    ]),
    kase('O_EXCL: never linked', [
      open('t', '.', [...TMP, 'O_EXCL'], 0o600), flink('t', 'x').expect('ENOENT'), flink('t', 'y', 'empty').expect('ENOENT'), readdir('.'), close('t'),
    ]),
    kase('in a subdirectory, linked into another directory', [
      mkdir('a'), mkdir('b'), open('t', 'a', TMP, 0o644), write('t', 'moved'), flink('t', 'b/f').expect('ok'), readdir('a'), readdir('b'),
      readfile('b/f'), stat('a'), stat('b'), close('t'),
    ]),
    kase('the umask applies to its mode; fchmod and fchown on the open tmpfile', [
      umask(0o027), open('t', '.', TMP, 0o666), fstat('t'), fchmod('t', 0o604).expect('ok'), fstat('t'),
      fchown('t', -1, GROUP).expect({ root: 'ok', user: 'ok' }), fstat('t'), flink('t', 'f'), stat('f'), close('t'),
    ]),
    kase('under a default ACL: the inherited access ACL, no umask', [
      umask(0o077), mkdir('d'), setxattr('d', 'system.posix_acl_default', DEFAULT_ACL).expect('ok'), open('t', 'd', TMP, 0o666).expect('ok'),
      fstat('t'), flink('t', 'd/f').expect('ok'), stat('d/f'), getxattr('d/f', 'system.posix_acl_access'), close('t'),
    ]),
    kase('refused: O_RDONLY, no write access to the directory, a file as the directory', [
      open('r', '.', ['O_TMPFILE', 'O_RDONLY'], 0o600).expect('EINVAL'), ...pub('ro', 0o755), open('t', 'ro', TMP, 0o600).as('other').expect('EACCES'),
      open('w', 'f', ['O_WRONLY', 'O_CREAT'], 0o644), close('w'), open('t', 'f', TMP, 0o600).expect('ENOTDIR'),
    ]),
    kase('another user\'s tmpfile in a shared directory is its own (uid and gid)', [
      ...pub(), open('t', 'pub', TMP, 0o600).as('other'), fstat('t').as('other'), flink('t', 'pub/o').as('other').expect('ok'), stat('pub/o'),
      readfile('pub/o').expect({ root: 'ok', user: 'EACCES' }), close('t'), readdir('pub'),
    ]),
  ],
};
