// Plain file work through the overlay: new names, data, symlinks, modes, statfs.
import {
  close, creat, fallocate, fstat, fsync, ftruncate, lseek, mkdir, mkfifo, open, read, readfile, readlink, stat, statfs, symlink,
  tree, umask, write, writefile,
} from '../../diff/steps';
import type { OvArea } from '../harness';
import { ov } from './common';

export const files: OvArea = {
  name: 'files',
  cases: [
    ov('create, write, read back', [creat('c', 'n', 0o640), write('c', 'data'), fsync('c'), close('c'), readfile('n').expect({ value: 'data' }), stat('n')]),
    ov('nested new directories', [mkdir('a'), mkdir('a/b'), writefile('a/b/c', 'c'), tree('a'), stat('a/b')]),
    ov('symlinks: lower, new, through a lower symlink to a directory', [
      readlink('l').expect({ value: 'f' }), readfile('l').expect({ value: 'hello' }), symlink('d/a', 'n').expect('ok'), readfile('n').expect({ value: 'a' }), readfile('dl/a'), stat('dangling').expect('ENOENT'),
    ]),
    ov('O_APPEND to a lower file', [open('a', 'f', ['O_WRONLY', 'O_APPEND']), write('a', 'more'), close('a'), readfile('f').expect({ value: 'hellomore' })]),
    ov('ftruncate and fallocate on a copied-up file', [open('w', 'f', ['O_RDWR']), ftruncate('w', 3), fallocate('w', 0, 8192), fstat('w'), read('w', 10, 0)]),
    ov('lseek SEEK_END on a lower file', [open('r', 'big'), lseek('r', 0, 'END').expect({ value: 200000 }), lseek('r', 10, 'SET')]),
    ov('umask applies to new objects', [umask(0o077), writefile('n', 'x', 0o666), mkdir('nd', 0o777), stat('n'), stat('nd')]),
    ov('a FIFO made new', [mkfifo('p', 0o600).expect('ok'), stat('p')]),
    ov('statfs', [statfs('.')]),
    ov('writing a new file over the old contents of a lower one', [writefile('big', 'small').expect({ value: 5 }), stat('big'), readfile('big')]),
  ],
};
