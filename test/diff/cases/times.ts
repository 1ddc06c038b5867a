// Times (utimens with nanoseconds, UTIME_NOW/UTIME_OMIT, which ops change which time), statfs
// block and inode accounting, and files and directories removed while open.
import {
  type Area, at, chmod, chown, close, creat, fallocate, fchmod, fgetxattr, fsetxattr, fstat, ftruncate, futimens, getdents,
  GROUP, kase, link, lseek, lstat, mkdir, open, opendir, read, readdir, readfile, readlink, rmdir, stat, statfs, symlink, touch,
  truncate, unlink, utimens, write, writefile,
} from '../steps';

const KiB = 1024;

export const times: Area = {
  name: 'times',
  cases: [
    kase('a new file has three new times; its directory\'s mtime and ctime move', [stat('.'), creat('a', 'f'), stat('f'), stat('.')]),
    kase('utimens with nanoseconds', [
      writefile('f', 'x'), utimens('f', [1000000000, 123456789], [1500000000, 987654321]).expect('ok'), stat('f'), utimens('f', [1, 1], [2, 999999999]), stat('f'),
    ]),
    kase('UTIME_OMIT keeps a time', [
      writefile('f', 'x'), utimens('f', [1000000000, 1], [1000000000, 2]), utimens('f', [1234567, 5], 'omit'), stat('f'), utimens('f', 'omit', [7654321, 6]), stat('f'),
    ]),
    kase('UTIME_NOW for one time, an explicit value for the other', [
      writefile('f', 'x'), stat('f'), utimens('f', 'now', [1000000000, 42]), stat('f'), utimens('f', [1000000000, 43], 'now'), stat('f'),
    ]),
    kase('utimensat(NULL) sets both times to now', [writefile('f', 'x'), utimens('f', [1000, 0], [2000, 0]), stat('f'), touch('f').expect('ok'), stat('f')]),
    kase('both UTIME_OMIT changes nothing', [writefile('f', 'x'), utimens('f', [1000, 0], [2000, 0]), stat('f'), utimens('f', 'omit', 'omit').expect('ok'), stat('f')]),
    kase('futimens on a descriptor', [creat('a', 'f'), futimens('a', [1100000000, 500], [1200000000, 600]).expect('ok'), fstat('a'), futimens('a', 'omit', 'now'), fstat('a')]),
    kase('utimens of a symlink itself', [
      writefile('f', 'x'), symlink('f', 'l'), stat('f'), utimens('l', [1000000000, 7], [1000000001, 8], true).expect('ok'), lstat('l'), stat('f'),
    ]),
    kase('times before 1970', [writefile('f', 'x'), utimens('f', [-1, 500000000], [-31536000, 0]).expect('ok'), stat('f')]),
    kase('times far in the future', [writefile('f', 'x'), utimens('f', [8589934592, 5], [4102444800, 999999999]).expect('ok'), stat('f')]),
    kase('nanoseconds out of range: EINVAL', [writefile('f', 'x'), utimens('f', [0, 1000000000], [0, 0]).expect('EINVAL'), utimens('f', [0, 0], [0, -5]).expect('EINVAL'), stat('f')]),
    kase('reads update atime as relatime does', [writefile('f', 'abc'), stat('f'), readfile('f'), stat('f'), readfile('f'), stat('f')]),
    kase('a write updates mtime and ctime, not atime', [creat('a', 'f'), fstat('a'), write('a', 'x'), fstat('a'), write('a', 'y'), stat('f')]),
    kase('chmod, chown and link change ctime only', [writefile('f', 'x'), stat('f'), chmod('f', 0o600), stat('f'), chown('f', -1, GROUP), stat('f'), link('f', 'g'), stat('f')]),
    kase('listing a directory updates its atime', [mkdir('d'), writefile('d/f', 'x'), stat('d'), readdir('d'), stat('d'), readdir('d'), stat('d')]),
    kase('an explicit old atime is moved by the next read', [writefile('f', 'x'), utimens('f', [1000, 0], 'omit'), stat('f'), readfile('f'), stat('f')]),
    kase('an explicit old mtime is moved by the next write', [writefile('f', 'x'), utimens('f', 'omit', [1000, 0]), open('a', 'f', ['O_WRONLY']), write('a', 'y'), stat('f')]),
    kase('unlink changes the directory\'s times and the inode\'s ctime', [writefile('f', 'x'), link('f', 'g'), stat('f'), stat('.'), unlink('g'), stat('f'), stat('.')]),
    kase('readlink and a symlink\'s times', [symlink('target', 'l'), lstat('l'), readlink('l'), lstat('l')]),
    kase('times of a directory', [mkdir('d'), utimens('d', [1000000000, 1], [1000000000, 2]).expect('ok'), stat('d'), writefile('d/f', 'x'), stat('d')]),
    kase('utimens of a missing file: ENOENT', [utimens('none', [1, 1], [1, 1]).expect('ENOENT'), touch('none').expect('ENOENT')]),
    kase('explicit times in the past still set ctime to now', [writefile('f', 'x'), stat('f'), utimens('f', [1000, 0], [1000, 0]), stat('f')]),
    kase('truncate and ftruncate change mtime and ctime', [writefile('f', 'abc'), stat('f'), truncate('f', 1), stat('f'), open('a', 'f', ['O_RDWR']), ftruncate('a', 5), stat('f')]),
  ],
};

export const statfss: Area = {
  name: 'statfs',
  cases: [
    kase('block size and name length', [statfs('.').expect('ok'), mkdir('d'), statfs('d')]),
    kase('data consumes blocks, unlink frees them', [statfs(), writefile('f', { rand: 8, len: 64 * KiB }), statfs(), unlink('f'), statfs()]),
    kase('files and directories consume inodes', [statfs(), writefile('a', 'x'), writefile('b', 'y'), mkdir('d'), statfs(), unlink('a'), rmdir('d'), statfs()]),
    kase('a sparse write consumes only its page', [statfs(), creat('a', 'f'), write('a', 'x', 1024 * KiB), statfs(), ftruncate('a', 4096 * KiB), statfs()]),
    kase('fallocate consumes blocks, punching a hole frees them', [
      statfs(), creat('a', 'f'), fallocate('a', 0, 64 * KiB), statfs(), fallocate('a', 16 * KiB, 16 * KiB, ['PUNCH_HOLE', 'KEEP_SIZE']), statfs(),
    ]),
    kase('truncate frees blocks', [writefile('f', { fill: 9, len: 64 * KiB }), statfs(), truncate('f', 4096), statfs(), truncate('f', 0), statfs()]),
    kase('an unlinked open file keeps its blocks until closed', [
      creat('a', 'f'), write('a', { fill: 1, len: 64 * KiB }), statfs(), unlink('f'), statfs(), close('a'), statfs(),
    ]),
    kase('hard links and symlinks', [statfs(), writefile('f', 'x'), statfs(), link('f', 'g'), statfs(), symlink('f', 's'), statfs(), symlink('t'.repeat(200), 'long'), statfs()]),
  ],
};

export const unlinked: Area = {
  name: 'unlink and rmdir while open',
  cases: [
    kase('an unlinked open file: reads, writes, nlink 0', [
      writefile('f', 'abc'), open('a', 'f', ['O_RDWR']), unlink('f').expect('ok'), fstat('a'), read('a', 3, 0).expect({ value: 'abc' }), write('a', 'def', 3), fstat('a'),
      read('a', 10, 0).expect({ value: 'abcdef' }), stat('f').expect('ENOENT'), readdir('.'),
    ]),
    kase('an unlinked file: ftruncate, fchmod, fsetxattr, futimens', [
      writefile('f', 'abcdef'), open('a', 'f', ['O_RDWR']), unlink('f'), ftruncate('a', 2).expect('ok'), fchmod('a', 0o600).expect('ok'),
      fsetxattr('a', 'user.x', 'gone').expect('ok'), fgetxattr('a', 'user.x').expect({ value: 'gone' }), futimens('a', [1000000000, 3], [1000000000, 4]).expect('ok'), fstat('a'),
      read('a', 10, 0),
    ]),
    kase('unlink and re-create a name: two inodes', [
      writefile('f', 'old'), open('a', 'f'), unlink('f'), writefile('f', 'new'), read('a', 10).expect({ value: 'old' }), readfile('f').expect({ value: 'new' }), fstat('a'), stat('f'),
    ]),
    kase('rmdir while open: getdents ENOENT, nlink 0, nothing can be created in it', [
      mkdir('d'), opendir('r', 'd'), rmdir('d').expect('ok'), fstat('r'), getdents('r').expect('ENOENT'), at('r', creat('x', 'x')).expect('ENOENT'), at('r', mkdir('y')).expect('ENOENT'),
    ]),
    kase('one name of a hard-linked file unlinked while open', [
      writefile('f', 'abc'), link('f', 'g'), open('a', 'f', ['O_RDWR']), unlink('f'), fstat('a'), write('a', 'XY', 0), readfile('g').expect({ value: 'XYc' }),
    ]),
    kase('an unlinked file keeps growing', [creat('a', 'f'), unlink('f'), write('a', { rand: 9, len: 100 * KiB }), fstat('a'), lseek('a', 0, 'END').expect({ value: 100 * KiB }), read('a', 100, 50 * KiB)]),
    kase('two descriptors on an unlinked file', [writefile('f', 'shared'), open('a', 'f'), open('b', 'f', ['O_RDWR']), unlink('f'), close('a'), read('b', 10).expect({ value: 'shared' }), fstat('b')]),
    kase('a removed directory: fstat and fchmod through its descriptor', [mkdir('d'), opendir('r', 'd'), rmdir('d'), fchmod('r', 0o700), fstat('r'), readdir('.')]),
    kase('an unlinked file\'s name can be reused for a directory', [writefile('f', 'x'), open('a', 'f'), unlink('f'), mkdir('f').expect('ok'), stat('f'), fstat('a'), read('a', 5).expect({ value: 'x' })]),
  ],
};
