// rename(2): files move (copied up first; the old name whited out when the lower has it); directories
// with a lower part do not (EXDEV, the kernel's default without redirect_dir); upper-only ones do.
import {
  chmod, lstat, mkdir, readdir, readfile, readlink, rename, rmdir, stat, tree, unlink, writefile, link,
} from '../../diff/steps';
import type { OvArea } from '../harness';
import { ov, renameWith } from './common';

export const renames: OvArea = {
  name: 'rename',
  cases: [
    ov('rename a lower file in its directory', [stat('f'), rename('f', 'f2').expect('ok'), stat('f').expect('ENOENT'), stat('f2'), readfile('f2').expect({ value: 'hello' }), readdir('.')]),
    ov('rename a lower file into a lower-only directory', [rename('f', 'd/f').expect('ok'), readdir('d'), stat('d'), readfile('d/f')]),
    ov('rename a lower file out of a lower-only directory', [stat('d/a'), rename('d/a', 'a').expect('ok'), stat('a'), readdir('d')]),
    ov('rename an upper-only file leaves no whiteout', [writefile('n', 'x'), rename('n', 'm').expect('ok'), readdir('.')]),
    ov('rename over a lower file', [rename('f', 'g').expect('ok'), readfile('g').expect({ value: 'hello' }), stat('f').expect('ENOENT'), stat('g')]),
    ov('rename onto a whiteout', [unlink('g'), rename('f', 'g').expect('ok'), readfile('g').expect({ value: 'hello' }), readdir('.')]),
    ov('rename an upper-only file onto a whiteout', [unlink('g'), writefile('n', 'x'), rename('n', 'g').expect('ok'), readdir('.')]),
    ov('rename a lower directory: EXDEV', [rename('d', 'd2').expect('EXDEV'), rename('e', 'd/e').expect('EXDEV'), readdir('.')]),
    ov('rename a copied-up (merged) directory: EXDEV', [chmod('d', 0o700), rename('d', 'd2').expect('EXDEV'), rename('d/sub', 'sub').expect('EXDEV')]),
    ov('rename an upper-only directory', [mkdir('n'), writefile('n/x', 'x'), rename('n', 'm').expect('ok'), tree('m'), readdir('.')]),
    ov('rename an upper-only directory into an upper-only directory', [mkdir('p'), mkdir('q'), mkdir('p/n'), rename('p/n', 'q/n').expect('ok'), tree('.')]),
    ov('rename an upper-only directory onto a whiteout of a lower directory', [rmdir('e'), mkdir('n'), writefile('n/x', 'x'), rename('n', 'e').expect('ok'), tree('e'), readdir('.')]),
    ov('rename an upper-only directory over an empty lower directory', [mkdir('n'), writefile('n/x', 'x'), rename('n', 'e').expect('ok'), readdir('e')]),
    ov('rename an upper-only directory over a merged one emptied of its lower entries', [
      unlink('d/sub/s'), rmdir('d/sub'), unlink('d/a'), unlink('d/b'), mkdir('n'), rename('n', 'd').expect('ok'), readdir('d'),
    ]),
    ov('rename over a non-empty merged directory: ENOTEMPTY', [mkdir('n'), rename('n', 'd').expect('ENOTEMPTY'), rename('n', 'e').expect('ok')]),
    ov('rename a file onto a directory: EISDIR; a directory onto a file: ENOTDIR', [rename('f', 'e').expect('EISDIR'), mkdir('n'), rename('n', 'f').expect('ENOTDIR')]),
    ov('RENAME_NOREPLACE onto a lower name: EEXIST', [rename('f', 'g', ['NOREPLACE']).expect('EEXIST'), rename('f', 'new', ['NOREPLACE']).expect('ok'), readdir('.')]),
    ov('RENAME_EXCHANGE of two lower files', [rename('f', 'g', ['EXCHANGE']).expect('ok'), readfile('f').expect({ value: 'world' }), readfile('g').expect({ value: 'hello' }), stat('f'), stat('g')]),
    ov('RENAME_EXCHANGE of a file and a lower directory: EXDEV', [rename('f', 'e', ['EXCHANGE']).expect('EXDEV'), rename('e', 'f', ['EXCHANGE']).expect('EXDEV')]),
    ov('RENAME_EXCHANGE of a lower file and an upper-only directory', [mkdir('n'), rename('f', 'n', ['EXCHANGE']).expect('ok'), stat('f'), readfile('n'), readdir('.')]),
    ov('RENAME_EXCHANGE with a missing name: ENOENT', [rename('f', 'none', ['EXCHANGE']).expect('ENOENT')]),
    ov('RENAME_WHITEOUT from a caller: EINVAL', [renameWith('f', 'g', ['WHITEOUT']).expect('EINVAL'), readdir('.')]),
    ov('rename a lower symlink', [rename('l', 'l2').expect('ok'), readlink('l2').expect({ value: 'f' }), lstat('l2')]),
    ov('rename a link onto another link of the same file does nothing', [link('f', 'f2'), rename('f', 'f2').expect('ok'), readdir('.'), stat('f')]),
  ],
};
