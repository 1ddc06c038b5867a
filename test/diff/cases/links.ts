// Symlinks, hard links, FIFOs and device nodes.
import {
  type Area, chmod, chown, close, creat, fstat, GROUP, kase, lchown, link, lstat, mkdir, mkfifo, mknod, open, pub, read,
  readdir, readfile, readlink, rename, stat, symlink, tree, truncate, unlink, utimens, write, writefile, OTHER,
} from '../steps';

const chain = (n: number) => Array.from({ length: n }, (_, i) => symlink(i === n - 1 ? 'f' : `l${i + 1}`, `l${i}`));

export const symlinks: Area = {
  name: 'symlinks',
  cases: [
    kase('symlink and readlink; lstat size is the target length', [
      symlink('target-file', 'l').expect('ok'), readlink('l').expect({ value: 'target-file' }), lstat('l'), stat('l').expect('ENOENT'),
    ]),
    kase('stat follows, lstat does not', [writefile('f', 'data'), symlink('f', 'l'), stat('l'), lstat('l'), readfile('l').expect({ value: 'data' })]),
    kase('a dangling symlink', [symlink('nowhere', 'l'), stat('l').expect('ENOENT'), lstat('l').expect('ok'), open('a', 'l').expect('ENOENT'), readdir('.')]),
    kase('a loop of two symlinks: ELOOP', [symlink('b', 'a'), symlink('a', 'b'), stat('a').expect('ELOOP'), open('x', 'b').expect('ELOOP'), lstat('a'), readlink('b')]),
    kase('40 symlinks in a chain resolve, 41 do not', [
      writefile('f', 'end'), ...chain(40), readfile('l0').expect({ value: 'end' }), symlink('l0', 'm'), stat('m').expect('ELOOP'), stat('l1'),
    ]),
    kase('a symlink to a directory is traversed', [
      mkdir('d'), writefile('d/f', 'in d'), symlink('d', 'l'), readfile('l/f').expect({ value: 'in d' }), lstat('l'), lstat('l/'), stat('l/.'), readdir('l'),
    ]),
    kase('symlink over an existing name: EEXIST', [writefile('f', 'x'), symlink('y', 'f').expect('EEXIST'), mkdir('d'), symlink('y', 'd').expect('EEXIST'), readfile('f')]),
    kase('targets of 4095 bytes work, 4096 bytes: ENAMETOOLONG', [
      symlink('t'.repeat(4095), 'long').expect('ok'), lstat('long'), readlink('long'), symlink('t'.repeat(4096), 'toolong').expect('ENAMETOOLONG'),
    ]),
    kase('lchown changes the link, not the target', [
      writefile('f', 'x'), symlink('f', 'l'), lchown('l', -1, GROUP).expect('ok'), lstat('l'), stat('l'), lchown('l', OTHER, -1).expect({ root: 'ok', user: 'EPERM' }), lstat('l'),
    ]),
    kase('chmod through a symlink changes the target', [writefile('f', 'x'), symlink('f', 'l'), chmod('l', 0o600).expect('ok'), lstat('l'), stat('f')]),
    kase('readlink of a file or a directory: EINVAL', [writefile('f', 'x'), readlink('f').expect('EINVAL'), mkdir('d'), readlink('d').expect('EINVAL'), readlink('none').expect('ENOENT')]),
    kase('relative targets resolve from the link\'s directory', [
      mkdir('a'), mkdir('b'), writefile('b/f', 'bee'), symlink('../b/f', 'a/l'), readfile('a/l').expect({ value: 'bee' }), rename('a/l', 'l'), stat('l').expect('ENOENT'),
    ]),
    kase('a target with odd bytes is kept exactly', [symlink('a b/\n/\udcff/../ü', 'l'), readlink('l'), lstat('l')]),
    kase('O_CREAT through a dangling symlink creates the target; O_EXCL refuses', [
      symlink('newfile', 'l'), open('a', 'l', ['O_WRONLY', 'O_CREAT'], 0o640).expect('ok'), stat('newfile'), unlink('newfile'), creat('b', 'l').expect('EEXIST'), stat('newfile').expect('ENOENT'),
    ]),
    kase('link() to a symlink links the symlink itself', [writefile('f', 'x'), symlink('f', 'l'), link('l', 'l2').expect('ok'), lstat('l2'), lstat('l'), readlink('l2')]),
    kase('unlinking a symlink keeps its target', [writefile('f', 'x'), symlink('f', 'l'), unlink('l').expect('ok'), stat('f'), lstat('l').expect('ENOENT')]),
    kase('a symlink to a file used as a directory: ENOTDIR', [writefile('f', 'x'), symlink('f', 'l'), stat('l/x').expect('ENOTDIR'), creat('a', 'l/x').expect('ENOTDIR')]),
    kase('an absolute-looking target is never resolved by lstat or readlink', [symlink('/etc/passwd', 'abs'), lstat('abs'), readlink('abs').expect({ value: '/etc/passwd' })]),
  ],
};

export const hardlinks: Area = {
  name: 'hard links',
  cases: [
    kase('link shares the inode; nlink is 2', [writefile('f', 'x'), stat('f'), link('f', 'g').expect('ok'), stat('f'), stat('g'), readdir('.')]),
    kase('a write through one name shows through the other', [writefile('f', 'abc'), link('f', 'g'), open('a', 'g', ['O_WRONLY', 'O_APPEND']), write('a', 'def'), readfile('f').expect({ value: 'abcdef' }), stat('f')]),
    kase('unlinking one name keeps the other', [writefile('f', 'x'), link('f', 'g'), unlink('f'), stat('g'), readfile('g').expect({ value: 'x' })]),
    kase('link to a directory: EPERM', [mkdir('d'), link('d', 'e').expect('EPERM'), stat('d')]),
    kase('link onto an existing name: EEXIST', [writefile('f', 'x'), writefile('g', 'y'), link('f', 'g').expect('EEXIST'), readfile('g').expect({ value: 'y' })]),
    kase('links across directories', [mkdir('d'), mkdir('e'), writefile('d/f', 'x'), link('d/f', 'e/g'), link('d/f', 'h'), tree('.'), unlink('d/f'), tree('.')]),
    kase('link changes the inode\'s ctime and the directory\'s mtime', [mkdir('d'), writefile('f', 'x'), stat('f'), stat('d'), link('f', 'd/g'), stat('f'), stat('d')]),
    kase('rename between two links of one inode does nothing', [writefile('f', 'x'), link('f', 'g'), rename('f', 'g').expect('ok'), readdir('.'), stat('f'), stat('g')]),
    kase('link of a missing source: ENOENT', [link('none', 'g').expect('ENOENT'), readdir('.')]),
    kase('link into a directory without write permission', [mkdir('d', 0o555), writefile('f', 'x'), link('f', 'd/g').expect({ root: 'ok', user: 'EACCES' })]),
    kase('many links: nlink counts them', [
      writefile('f', 'x'), link('f', 'g1'), link('f', 'g2'), link('f', 'g3'), link('f', 'g4'), stat('f'), unlink('g1'), unlink('g3'), unlink('f'), stat('g2'), tree('.'),
    ]),
    kase('linking another user\'s file without access (protected_hardlinks)', [
      ...pub(), writefile('pub/theirs', 'x', 0o600).as('other'), link('pub/theirs', 'pub/mine').expect({ root: 'ok', user: 'EPERM' }), stat('pub/theirs'),
    ]),
    kase('a link keeps the data after the first name is truncated', [writefile('f', 'abcdef'), link('f', 'g'), truncate('f', 2), readfile('g').expect({ value: 'ab' })]),
  ],
};

export const special: Area = {
  name: 'FIFOs and device nodes',
  cases: [
    kase('mkfifo and stat', [mkfifo('p', 0o640).expect('ok'), stat('p'), readdir('.')]),
    kase('a character device (root only)', [mknod('c', 0o20644, 1, 3).expect({ root: 'ok', user: 'EPERM' }), stat('c'), readdir('.')]),
    kase('a block device (root only)', [mknod('b', 0o60600, 8, 1).expect({ root: 'ok', user: 'EPERM' }), stat('b')]),
    kase('mknod of a regular file and a socket', [mknod('r', 0o100640).expect('ok'), stat('r'), mknod('s', 0o140644).expect('ok'), stat('s'), readdir('.')]),
    kase('a FIFO without a reader: O_RDONLY|O_NONBLOCK opens, O_WRONLY|O_NONBLOCK is ENXIO', [
      mkfifo('p'), open('w', 'p', ['O_WRONLY', 'O_NONBLOCK']).expect('ENXIO'), open('r', 'p', ['O_RDONLY', 'O_NONBLOCK']).expect('ok'), fstat('r'),
    ]),
    kase('data through a FIFO; its size stays 0', [
      mkfifo('p'), open('r', 'p', ['O_RDONLY', 'O_NONBLOCK']), open('w', 'p', ['O_WRONLY']), write('w', 'through the pipe'), stat('p'), read('r', 100).expect({ value: 'through the pipe' }),
      close('w'), read('r', 100).expect({ value: '' }),
    ]),
    kase('a device node cannot be opened on a nodev mount', [mknod('c', 0o20666, 1, 3), open('a', 'c').expect({ root: 'EACCES', user: 'ENOENT' })]),
    kase('mknod or mkfifo over an existing name: EEXIST', [writefile('f', 'x'), mkfifo('f').expect('EEXIST'), mknod('f', 0o100644).expect('EEXIST'), mknod('f', 0o140644).expect('EEXIST')]),
    kase('truncate of a FIFO: EINVAL', [mkfifo('p'), truncate('p', 0).expect('EINVAL')]),
    kase('chmod, chown and utimens on a FIFO', [
      mkfifo('p'), chmod('p', 0o600).expect('ok'), chown('p', -1, GROUP), utimens('p', [1000, 1], [2000, 2]), stat('p'),
    ]),
    kase('hard links and renames of FIFOs and sockets', [mkfifo('p'), mknod('s', 0o140600), link('p', 'p2'), rename('s', 's2'), tree('.'), lstat('p2')]),
    kase('mknod with a bad type: EINVAL', [mknod('x', 0o170644).expect('EINVAL'), readdir('.')]),
    kase('a FIFO opened read-write never blocks', [mkfifo('p'), open('rw', 'p', ['O_RDWR']).expect('ok'), write('rw', 'x'), read('rw', 1).expect({ value: 'x' }), creat('f', 'g')]),
  ],
};
