// Copy-up, by each trigger: what the merged view shows and what the upper directory holds after.
import {
  chmod, chown, close, fchmod, fsetxattr, fstat, futimens, getxattr, lchown, link, listxattr, lstat, open, read, readfile,
  readlink, removexattr, setxattr, stat, touch, tree, truncate, utimens, write,
} from '../../diff/steps';
import type { OvArea } from '../harness';
import { ov } from './common';

export const copyUp: OvArea = {
  name: 'copy-up',
  cases: [
    ov('open O_RDONLY does not copy up', [stat('f'), open('r', 'f'), read('r', 100).expect({ value: 'hello' }), close('r'), stat('f')]),
    ov('open O_WRONLY copies up (same inode, data, mode)', [stat('f'), open('w', 'f', ['O_WRONLY']), close('w'), stat('f'), readfile('f').expect({ value: 'hello' })]),
    ov('open O_RDWR and write: the copy gets the write', [
      open('w', 'f', ['O_RDWR']), write('w', 'HE', 0).expect({ value: 2 }), read('w', 100, 0).expect({ value: 'HEllo' }), close('w'), stat('f'),
    ]),
    ov('open O_WRONLY|O_TRUNC copies up an empty file', [stat('f'), open('w', 'f', ['O_WRONLY', 'O_TRUNC']), fstat('w'), close('w'), readfile('f').expect({ value: '' })]),
    ov('truncate copies up', [stat('f'), truncate('f', 2).expect('ok'), stat('f'), readfile('f').expect({ value: 'he' })]),
    ov('truncate extends with zeros', [truncate('f', 10).expect('ok'), readfile('f').expect({ value: 'hex:68656c6c6f0000000000' }), stat('f')]),
    ov('chmod copies up', [stat('f'), chmod('f', 0o600).expect('ok'), stat('f'), readfile('f')]),
    ov('chown copies up', [chown('f', 1000, 1002).expect('ok'), stat('f')]),
    ov('utimens copies up with the times asked', [stat('f'), utimens('f', [1000, 5], [2000, 6]).expect('ok'), stat('f')]),
    ov('utimensat(NULL) copies up with both times now', [stat('f'), touch('f').expect('ok'), stat('f')]),
    ov('setxattr copies up, keeping the lower xattrs', [setxattr('g', 'user.new', 'vn').expect('ok'), listxattr('g').expect({ value: ['trusted.t', 'user.a', 'user.new'] }), getxattr('g', 'user.a').expect({ value: 'va' })]),
    ov('removexattr of an existing attribute copies up', [removexattr('g', 'user.a').expect('ok'), listxattr('g').expect({ value: ['trusted.t'] })]),
    ov('removexattr of a missing attribute: ENODATA, no copy-up', [removexattr('f', 'user.none').expect('ENODATA'), removexattr('g', 'user.none').expect('ENODATA'), stat('f')]),
    ov('link copies up the file', [stat('f'), link('f', 'f2').expect('ok'), stat('f'), stat('f2'), readfile('f2').expect({ value: 'hello' })]),
    ov('copy-up keeps owner, mode and xattrs', [open('w', 'u/theirs', ['O_WRONLY']), close('w'), stat('u/theirs'), open('w', 'g', ['O_WRONLY', 'O_APPEND']), close('w'), stat('g'), listxattr('g')]),
    ov('copy-up of a set-uid file keeps the bit', [stat('suid'), chown('suid', 0, 1002), stat('suid'), open('w', 'suid', ['O_WRONLY']), close('w'), stat('suid')]),
    ov('copy-up of a file deep down copies its parents, keeping their times', [
      stat('deep'), stat('deep/a'), stat('deep/a/b'), open('w', 'deep/a/b/c', ['O_WRONLY']), write('w', 'C'), close('w'), stat('deep'), stat('deep/a'), stat('deep/a/b'), tree('deep'),
    ]),
    ov('copy-up of a directory (chmod) copies nothing below it', [stat('d'), chmod('d', 0o700).expect('ok'), stat('d'), stat('d/a'), tree('d')]),
    ov('copy-up of a directory keeps its xattrs', [chown('d', 1000, 1000), stat('d'), listxattr('d').expect({ value: ['user.dir'] })]),
    ov('copy-up of a symlink (lchown)', [lstat('l'), lchown('l', 1000, 1000).expect('ok'), lstat('l'), readlink('l').expect({ value: 'f' }), stat('l')]),
    ov('utimens of a symlink itself copies the symlink up', [lstat('l'), utimens('l', [1000, 0], [3000, 0], true).expect('ok'), lstat('l'), stat('f')]),
    ov('copy-up of a FIFO (chmod)', [stat('fifo'), chmod('fifo', 0o600).expect('ok'), stat('fifo')]),
    ov('copy-up of a large file', [open('w', 'big', ['O_RDWR']), write('w', 'X', 150000), close('w'), readfile('big'), stat('big')]),
    ov('copy-up of a sparse file', [stat('sparse'), open('w', 'sparse', ['O_WRONLY']), write('w', 'H', 0), close('w'), stat('sparse'), readfile('sparse')], {
      allow: [{ drop: ['blocks'], steps: [4], why: 'copy-up keeps every hole (SEEK_DATA/SEEK_HOLE); the kernel copies 1 MiB chunks and allocates the holes inside a chunk with data' }],
    }),
    ov('chmod through a descriptor opened read-only before', [open('r', 'f'), fchmod('r', 0o640).expect('ok'), fstat('r'), stat('f'), read('r', 100, 0).expect({ value: 'hello' })]),
    ov('futimens and fsetxattr through a read-only descriptor', [
      open('r', 'g'), futimens('r', [1000, 1], [2000, 2]).expect('ok'), fsetxattr('r', 'user.z', 'vz').expect('ok'), fstat('r'), listxattr('g'),
    ]),
  ],
};
