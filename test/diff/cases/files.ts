// Regular files: open flags, reads and writes, sparse files and holes, truncate, fallocate.
import {
  type Area, chmod, close, creat, fallocate, fstat, fsync, ftruncate, kase, lseek, mkdir, open, read, readfile, stat,
  symlink, truncate, umask, write, writefile,
} from '../steps';

const KiB = 1024;
const MiB = 1024 * KiB;

export const files: Area = {
  name: 'files',
  cases: [
    kase('create, write, read back', [
      creat('a', 'f'), write('a', 'hello').expect({ value: 5 }), fstat('a'), close('a'), stat('f'), readfile('f').expect({ value: 'hello' }),
    ]),
    kase('O_CREAT|O_EXCL on an existing file: EEXIST', [writefile('f', 'x'), creat('a', 'f').expect('EEXIST'), open('b', 'f', ['O_RDWR', 'O_CREAT']).expect('ok')]),
    kase('O_CREAT on an existing file keeps its data and mode', [
      writefile('f', 'abc', 0o600), open('a', 'f', ['O_RDWR', 'O_CREAT'], 0o777), fstat('a'), read('a', 10).expect({ value: 'abc' }),
    ]),
    kase('O_TRUNC empties the file', [writefile('f', 'abcdef'), stat('f'), open('a', 'f', ['O_WRONLY', 'O_TRUNC']), fstat('a'), close('a'), readfile('f').expect({ value: '' })]),
    kase('O_APPEND writes at the end whatever the offset', [
      writefile('f', 'abc'), open('a', 'f', ['O_WRONLY', 'O_APPEND']), lseek('a', 0), write('a', 'def'), lseek('a', 0, 'CUR').expect({ value: 6 }),
      write('a', 'g', 0), close('a'), readfile('f').expect({ value: 'abcdefg' }),
    ]),
    kase('pwrite beyond the end fills the gap with zeros', [creat('a', 'f'), write('a', 'x', 10), fstat('a'), readfile('f').expect({ value: 'hex:0000000000000000000078' })]),
    kase('reads at and past the end are empty', [
      writefile('f', 'abc'), open('a', 'f'), read('a', 10, 3).expect({ value: '' }), read('a', 10, 1000).expect({ value: '' }), read('a', 2, 1).expect({ value: 'bc' }),
    ]),
    kase('overwrite in the middle', [writefile('f', 'hello world'), open('a', 'f', ['O_RDWR']), write('a', 'WORLD', 6), close('a'), readfile('f').expect({ value: 'hello WORLD' })]),
    kase('open of a missing file without O_CREAT: ENOENT', [open('a', 'nope').expect('ENOENT'), open('b', 'nope', ['O_WRONLY']).expect('ENOENT'), stat('nope').expect('ENOENT')]),
    kase('the umask applies to O_CREAT', [umask(0o077), creat('a', 'f', 0o666), fstat('a'), umask(0), creat('b', 'g', 0o666), fstat('b'), umask(0o022)]),
    kase('write on an O_RDONLY descriptor: EBADF', [writefile('f', 'abc'), open('a', 'f'), write('a', 'x').expect('EBADF'), readfile('f')]),
    kase('read on an O_WRONLY descriptor: EBADF', [writefile('f', 'abc'), open('a', 'f', ['O_WRONLY']), read('a', 3).expect('EBADF')]),
    kase('open a directory for writing: EISDIR', [mkdir('d'), open('a', 'd', ['O_WRONLY']).expect('EISDIR'), open('b', 'd', ['O_RDWR']).expect('EISDIR'), open('c', 'd').expect('ok')]),
    kase('O_DIRECTORY on a file: ENOTDIR', [writefile('f', 'x'), open('a', 'f', ['O_RDONLY', 'O_DIRECTORY']).expect('ENOTDIR')]),
    kase('O_CREAT on a directory: EISDIR', [mkdir('d'), open('a', 'd', ['O_WRONLY', 'O_CREAT']).expect('EISDIR')]),
    kase('1 MiB of data round-trips', [creat('a', 'f'), write('a', { rand: 1, len: MiB }).expect({ value: MiB }), fsync('a'), close('a'), stat('f'), readfile('f')]),
    kase('lseek SEEK_SET/SEEK_CUR/SEEK_END and reads from there', [
      writefile('f', { rand: 2, len: 100 }), open('a', 'f'), lseek('a', -10, 'END').expect({ value: 90 }), read('a', 4), lseek('a', 0, 'CUR').expect({ value: 94 }),
      lseek('a', -5, 'CUR'), read('a', 100), lseek('a', -1, 'SET').expect('EINVAL'), lseek('a', 200, 'SET').expect({ value: 200 }), read('a', 5).expect({ value: '' }),
    ]),
    kase('two descriptors see each other\'s writes', [
      creat('a', 'f'), open('b', 'f'), write('a', 'abc'), read('b', 10).expect({ value: 'abc' }), write('a', 'def'), read('b', 10).expect({ value: 'def' }), fstat('b'),
    ]),
    kase('create in a directory without write permission', [
      mkdir('ro', 0o555), creat('a', 'ro/f').expect({ root: 'ok', user: 'EACCES' }), stat('ro'),
    ]),
    kase('open of a 0000 file: only root', [
      writefile('f', 'secret'), chmod('f', 0o000), open('a', 'f').expect({ root: 'ok', user: 'EACCES' }), open('b', 'f', ['O_WRONLY']).expect({ root: 'ok', user: 'EACCES' }), stat('f'),
    ]),
    kase('O_NOFOLLOW on a symlink: ELOOP', [writefile('f', 'x'), symlink('f', 'l'), open('a', 'l', ['O_RDONLY', 'O_NOFOLLOW']).expect('ELOOP'), open('b', 'l').expect('ok'), read('b', 5)]),
    kase('fsync on a file and on a directory', [creat('a', 'f'), write('a', 'data'), fsync('a').expect('ok'), mkdir('d'), open('d', 'd'), fsync('d').expect('ok')]),
    kase('O_TRUNC on an O_RDONLY open truncates too', [writefile('f', 'abcdef'), open('a', 'f', ['O_RDONLY', 'O_TRUNC']), fstat('a'), readfile('f')]),
  ],
};

export const sparse: Area = {
  name: 'sparse files and holes',
  cases: [
    kase('a write far past the end leaves a hole that reads as zeros', [
      creat('a', 'f'), write('a', 'end', MiB), fstat('a'), read('a', 16, 4096).expect({ value: 'hex:00000000000000000000000000000000' }), read('a', 10, MiB - 2),
      readfile('f'),
    ]),
    kase('SEEK_DATA and SEEK_HOLE walk data and holes', [
      creat('a', 'f'), write('a', { fill: 0x61, len: 4096 }, 0), write('a', { fill: 0x62, len: 4096 }, 64 * KiB), fstat('a'),
      lseek('a', 0, 'DATA').expect({ value: 0 }), lseek('a', 0, 'HOLE').expect({ value: 4096 }), lseek('a', 4096, 'DATA').expect({ value: 65536 }),
      lseek('a', 65536, 'HOLE').expect({ value: 69632 }), lseek('a', 69632, 'DATA').expect('ENXIO'), lseek('a', 69632, 'HOLE').expect('ENXIO'),
    ]),
    kase('SEEK_HOLE in a dense file is the end of file', [
      writefile('f', { rand: 3, len: 10000 }), open('a', 'f'), lseek('a', 0, 'HOLE').expect({ value: 10000 }), lseek('a', 5000, 'DATA').expect({ value: 5000 }),
    ]),
    kase('SEEK_DATA in a trailing hole made by extending: ENXIO', [
      creat('a', 'f'), write('a', { fill: 1, len: 4096 }), ftruncate('a', MiB), lseek('a', 5000, 'DATA').expect('ENXIO'), lseek('a', 0, 'HOLE').expect({ value: 4096 }),
      lseek('a', 5000, 'HOLE').expect({ value: 5000 }), fstat('a'),
    ]),
    kase('SEEK_DATA/SEEK_HOLE on an empty file and at negative offsets: ENXIO', [
      creat('a', 'f'), lseek('a', 0, 'DATA').expect('ENXIO'), lseek('a', 0, 'HOLE').expect('ENXIO'), write('a', 'x'), lseek('a', -1, 'DATA').expect('ENXIO'),
      lseek('a', -1, 'HOLE').expect('ENXIO'),
    ]),
    kase('SEEK_DATA/SEEK_HOLE from inside a data page', [
      creat('a', 'f'), write('a', 'xyz', 8192 + 100), write('a', 'end', 5 * 4096), lseek('a', 8192 + 50, 'DATA'), lseek('a', 8192 + 50, 'HOLE'), lseek('a', 100, 'DATA'),
      lseek('a', 100, 'HOLE'),
    ]),
    kase('blocks grow with written pages only', [
      creat('a', 'f'), fstat('a'), write('a', 'x'), fstat('a'), write('a', 'y', 3 * 4096 + 7), fstat('a'), write('a', { fill: 3, len: 8192 }, 4096), fstat('a'),
    ]),
    kase('small writes in one page make one data region', [creat('a', 'f'), write('a', 'a', 100), write('a', 'b', 200), fstat('a'), lseek('a', 0, 'DATA'), lseek('a', 0, 'HOLE'), readfile('f')]),
    kase('a 1 GiB sparse file: size, no blocks, zero tail', [
      creat('a', 'f'), ftruncate('a', 1024 * MiB), fstat('a'), read('a', 10, 1024 * MiB - 5).expect({ value: 'hex:0000000000' }), lseek('a', 0, 'DATA').expect('ENXIO'),
    ]),
    kase('data written into the middle of a hole', [
      creat('a', 'f'), ftruncate('a', 100 * KiB), write('a', 'middle', 50 * KiB), lseek('a', 0, 'DATA'), lseek('a', 50 * KiB, 'HOLE'), fstat('a'), read('a', 8, 50 * KiB - 1),
    ]),
  ],
};

export const truncation: Area = {
  name: 'truncate and ftruncate',
  cases: [
    kase('truncate shrinks', [writefile('f', { rand: 4, len: 100 }), truncate('f', 10).expect('ok'), stat('f'), readfile('f')]),
    kase('truncate extends with zeros', [writefile('f', 'abc'), truncate('f', 10), stat('f'), readfile('f').expect({ value: 'hex:61626300000000000000' })]),
    kase('shrink then extend does not bring old bytes back', [writefile('f', 'abcdef'), truncate('f', 2), truncate('f', 6), readfile('f').expect({ value: 'hex:616200000000' })]),
    kase('shrink inside a page then extend: zeros after the cut', [
      writefile('f', { fill: 0x41, len: 8192 }), truncate('f', 4000), truncate('f', 8192), open('a', 'f'), read('a', 8, 3996), lseek('a', 0, 'HOLE'), fstat('a'),
    ]),
    kase('ftruncate on an O_RDONLY descriptor: EINVAL', [writefile('f', 'abc'), open('a', 'f'), ftruncate('a', 1).expect('EINVAL'), stat('f')]),
    kase('truncate of a directory: EISDIR', [mkdir('d'), truncate('d', 0).expect('EISDIR')]),
    kase('truncate to a negative length: EINVAL', [writefile('f', 'abc'), truncate('f', -1).expect('EINVAL'), open('a', 'f', ['O_RDWR']), ftruncate('a', -1).expect('EINVAL')]),
    kase('truncate needs write permission', [writefile('f', 'abc'), chmod('f', 0o444), truncate('f', 1).expect({ root: 'ok', user: 'EACCES' }), stat('f')]),
    kase('ftruncate through a descriptor opened before chmod 0444', [
      writefile('f', 'abcdef'), open('a', 'f', ['O_RDWR']), chmod('f', 0o444), ftruncate('a', 2).expect('ok'), fstat('a'), readfile('f'),
    ]),
    kase('truncate and ftruncate to the same size: times', [
      writefile('f', 'abc'), stat('f'), truncate('f', 3), stat('f'), open('a', 'f', ['O_WRONLY']), ftruncate('a', 3), stat('f'),
    ]),
    kase('truncate of a missing file: ENOENT', [truncate('nope', 0).expect('ENOENT')]),
  ],
};

export const fallocation: Area = {
  name: 'fallocate',
  cases: [
    kase('default mode extends the size and allocates zeroed blocks', [creat('a', 'f'), fallocate('a', 0, 8192).expect('ok'), fstat('a'), readfile('f'), lseek('a', 0, 'DATA')]),
    kase('KEEP_SIZE allocates past the end without changing the size', [
      writefile('f', 'abc'), open('a', 'f', ['O_RDWR']), stat('f'), fallocate('a', 0, 16384, ['KEEP_SIZE']).expect('ok'), fstat('a'), readfile('f').expect({ value: 'abc' }),
    ]),
    kase('PUNCH_HOLE without KEEP_SIZE: EOPNOTSUPP', [writefile('f', 'abcdef'), open('a', 'f', ['O_RDWR']), fallocate('a', 0, 2, ['PUNCH_HOLE']).expect('EOPNOTSUPP'), readfile('f')]),
    kase('PUNCH_HOLE zeroes whole pages and frees them', [
      creat('a', 'f'), write('a', { rand: 5, len: 16384 }), fstat('a'), fallocate('a', 4096, 4096, ['PUNCH_HOLE', 'KEEP_SIZE']).expect('ok'), fstat('a'),
      read('a', 16, 4096).expect({ value: 'hex:00000000000000000000000000000000' }), lseek('a', 0, 'HOLE').expect({ value: 4096 }), lseek('a', 4096, 'DATA').expect({ value: 8192 }),
      readfile('f'),
    ]),
    kase('PUNCH_HOLE inside a page zeroes bytes, keeps the page', [
      writefile('f', { fill: 0x61, len: 8192 }), open('a', 'f', ['O_RDWR']), fallocate('a', 100, 100, ['PUNCH_HOLE', 'KEEP_SIZE']), fstat('a'), read('a', 4, 98), read('a', 4, 198),
      readfile('f'),
    ]),
    kase('PUNCH_HOLE past the end changes nothing', [
      writefile('f', 'abc'), open('a', 'f', ['O_RDWR']), fallocate('a', 8192, 4096, ['PUNCH_HOLE', 'KEEP_SIZE']).expect('ok'), fstat('a'), readfile('f'),
    ]),
    kase('fallocate on an O_RDONLY descriptor: EBADF', [writefile('f', 'abc'), open('a', 'f'), fallocate('a', 0, 10).expect('EBADF')]),
    kase('fallocate with length 0 or a negative offset: EINVAL', [
      creat('a', 'f'), fallocate('a', 0, 0).expect('EINVAL'), fallocate('a', -1, 10).expect('EINVAL'), fstat('a'),
    ]),
    kase('default mode over existing data keeps it and extends', [writefile('f', 'hello'), open('a', 'f', ['O_RDWR']), fallocate('a', 2, 100), fstat('a'), readfile('f')]),
    kase('fallocate into a hole between data', [
      creat('a', 'f'), write('a', 'x', 0), write('a', 'y', 40960), fallocate('a', 8192, 8192), fstat('a'), lseek('a', 4096, 'DATA'), lseek('a', 8192, 'HOLE'), readfile('f'),
    ]),
  ],
};
