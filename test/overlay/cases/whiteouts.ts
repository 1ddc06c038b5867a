// Whiteouts: removing a lower name leaves a character device 0/0 in the upper directory.
import {
  creat, lstat, mkdir, mkfifo, mknod, readdir, readfile, rmdir, stat, symlink, tree, unlink, writefile, close,
} from '../../diff/steps';
import type { OvArea } from '../harness';
import { ov } from './common';

export const whiteouts: OvArea = {
  name: 'whiteouts',
  cases: [
    ov('unlink a lower file leaves a whiteout', [unlink('f').expect('ok'), stat('f').expect('ENOENT'), readdir('.'), unlink('f').expect('ENOENT')]),
    ov('unlink a copied-up file leaves a whiteout', [writefile('f', 'new'), unlink('f').expect('ok'), stat('f').expect('ENOENT')]),
    ov('unlink an upper-only file leaves nothing', [writefile('n', 'new'), unlink('n').expect('ok'), readdir('.')]),
    ov('a file made over a whiteout replaces it', [unlink('f'), writefile('f', 'again').expect({ value: 5 }), readfile('f').expect({ value: 'again' }), stat('f')]),
    ov('create with O_EXCL over a whiteout', [unlink('g'), creat('c', 'g', 0o600), close('c'), stat('g'), readfile('g').expect({ value: '' })]),
    ov('unlink a lower symlink', [unlink('l').expect('ok'), lstat('l').expect('ENOENT'), readfile('f').expect({ value: 'hello' })]),
    ov('unlink a lower FIFO', [unlink('fifo').expect('ok'), readdir('.')]),
    ov('rmdir an empty lower directory leaves a whiteout', [rmdir('e').expect('ok'), stat('e').expect('ENOENT'), rmdir('e').expect('ENOENT')]),
    ov('rmdir a lower directory with entries: ENOTEMPTY', [rmdir('d').expect('ENOTEMPTY'), rmdir('d/sub').expect('ENOTEMPTY'), tree('d')]),
    ov('emptying a merged directory, then rmdir', [
      unlink('d/a'), unlink('d/b'), unlink('d/sub/s'), rmdir('d/sub').expect('ok'), readdir('d').expect({ value: [['.', 'dir'], ['..', 'dir']] }), rmdir('d').expect('ok'), stat('d').expect('ENOENT'),
    ]),
    ov('a directory with an upper-only file: ENOTEMPTY until it is gone', [writefile('e/n', 'x'), rmdir('e').expect('ENOTEMPTY'), unlink('e/n'), rmdir('e').expect('ok')]),
    ov('unlink deep in lower-only directories copies the parents up', [unlink('deep/a/b/c').expect('ok'), stat('deep/a/b'), tree('deep')]),
    ov('mknod of a character device 0/0 (the whiteout format): EPERM', [mknod('w', 0o20644, 0, 0).expect('EPERM'), unlink('f'), mknod('f', 0o20644, 0, 0).expect('EPERM'), readdir('.')]),
    ov('mknod of another character device, and a FIFO over a whiteout', [mknod('null', 0o20644, 1, 3).expect('ok'), stat('null'), unlink('f'), mkfifo('f').expect('ok'), stat('f')]),
    ov('a symlink made over a whiteout', [unlink('f'), symlink('g', 'f').expect('ok'), readfile('f').expect({ value: 'world' })]),
    ov('a whiteout in a directory made later', [mkdir('n'), writefile('n/a', 'x'), unlink('n/a'), readdir('n'), rmdir('n').expect('ok')]),
  ],
};
