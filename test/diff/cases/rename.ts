// rename(2) and renameat2 with RENAME_NOREPLACE and RENAME_EXCHANGE.
import {
  type Area, chmod, kase, shared, lstat, mkdir, open, pub, read, readdir, readfile, readlink, rename, stat, symlink, tree, writefile,
} from '../steps';

export const renames: Area = {
  name: 'rename',
  cases: [
    kase('rename a file to a new name', [writefile('a', 'A'), stat('a'), rename('a', 'b').expect('ok'), stat('a').expect('ENOENT'), stat('b'), readfile('b').expect({ value: 'A' })]),
    kase('rename over an existing file replaces it', [writefile('a', 'A'), writefile('b', 'B'), stat('b'), rename('a', 'b').expect('ok'), readfile('b').expect({ value: 'A' }), stat('b'), readdir('.')]),
    kase('rename a directory with its contents', [mkdir('d'), writefile('d/f', 'x'), mkdir('d/sub'), rename('d', 'e').expect('ok'), tree('.'), stat('e/sub/..')]),
    kase('rename a directory over an empty directory', [mkdir('a'), writefile('a/f', 'x'), mkdir('b'), rename('a', 'b').expect('ok'), tree('.'), stat('.')]),
    kase('rename a directory over a non-empty one: ENOTEMPTY', [mkdir('a'), mkdir('b'), writefile('b/f', 'x'), rename('a', 'b').expect('ENOTEMPTY'), tree('.')]),
    kase('rename a file over a directory: EISDIR', [writefile('f', 'x'), mkdir('d'), rename('f', 'd').expect('EISDIR'), tree('.')]),
    kase('rename a directory over a file: ENOTDIR', [writefile('f', 'x'), mkdir('d'), rename('d', 'f').expect('ENOTDIR'), tree('.')]),
    kase('rename a directory into its own subdirectory: EINVAL', [mkdir('d'), mkdir('d/e'), rename('d', 'd/e/x').expect('EINVAL'), rename('d', 'd/x').expect('EINVAL'), tree('.')]),
    kase('moving a directory moves a link from one parent to the other', [
      mkdir('p'), mkdir('q'), mkdir('p/d'), stat('p'), stat('q'), rename('p/d', 'q/d'), stat('p'), stat('q'), stat('q/d/..'),
    ]),
    kase('RENAME_NOREPLACE to a free name', [writefile('a', 'A'), rename('a', 'b', ['NOREPLACE']).expect('ok'), readdir('.')]),
    kase('RENAME_NOREPLACE onto an existing name: EEXIST', [
      writefile('a', 'A'), writefile('b', 'B'), rename('a', 'b', ['NOREPLACE']).expect('EEXIST'), readfile('b').expect({ value: 'B' }), mkdir('d'), rename('a', 'd', ['NOREPLACE']).expect('EEXIST'),
    ]),
    kase('RENAME_EXCHANGE swaps two files', [
      writefile('a', 'A'), writefile('b', 'B'), stat('a'), stat('b'), rename('a', 'b', ['EXCHANGE']).expect('ok'), readfile('a').expect({ value: 'B' }), readfile('b').expect({ value: 'A' }),
      stat('a'), stat('b'),
    ]),
    kase('RENAME_EXCHANGE of a file and a directory in different parents', [
      mkdir('p'), mkdir('q'), writefile('p/f', 'x'), mkdir('q/d'), writefile('q/d/in', 'y'), stat('p'), stat('q'), rename('p/f', 'q/d', ['EXCHANGE']).expect('ok'),
      tree('.'), stat('p'), stat('q'), stat('p/f/..'),
    ]),
    kase('RENAME_EXCHANGE with a missing side: ENOENT', [writefile('a', 'A'), rename('a', 'none', ['EXCHANGE']).expect('ENOENT'), rename('none', 'a', ['EXCHANGE']).expect('ENOENT'), readdir('.')]),
    kase('RENAME_NOREPLACE and RENAME_EXCHANGE together: EINVAL', [writefile('a', 'A'), writefile('b', 'B'), rename('a', 'b', ['NOREPLACE', 'EXCHANGE']).expect('EINVAL')]),
    kase('rename to the same name does nothing', [writefile('a', 'A'), stat('a'), rename('a', 'a').expect('ok'), stat('a'), mkdir('d'), rename('d', 'd').expect('ok'), rename('d', 'd', ['EXCHANGE']).expect('ok')]),
    kase('rename of a missing source: ENOENT', [rename('none', 'b').expect('ENOENT'), rename('none', 'b', ['NOREPLACE']).expect('ENOENT'), readdir('.')]),
    kase('in a sticky directory only the owner renames', [
      ...shared('pub', 0o1777), writefile('pub/theirs', 'x').as('other'), rename('pub/theirs', 'pub/moved').expect({ root: 'ok', user: 'EPERM' }), writefile('pub/mine', 'y'),
      rename('pub/mine', 'pub/mine2').expect('ok'), writefile('pub/t2', 'z').as('other'), rename('pub/mine2', 'pub/t2').expect({ root: 'ok', user: 'EPERM' }), readdir('pub'),
    ]),
    kase('rename changes the moved inode\'s ctime and both directories\' mtime', [
      mkdir('p'), mkdir('q'), writefile('p/f', 'x'), stat('p/f'), stat('p'), stat('q'), rename('p/f', 'q/g'), stat('q/g'), stat('p'), stat('q'),
    ]),
    kase('moving another user\'s directory to another parent needs write permission on it', [
      ...pub(), mkdir('pub/a').as('other'), mkdir('pub/b').as('other'), chmod('pub/b', 0o777).as('other'), mkdir('pub/a/d').as('other'), chmod('pub/a', 0o777).as('other'),
      rename('pub/a/d', 'pub/a/e').expect('ok'), rename('pub/a/e', 'pub/b/e').expect({ root: 'ok', user: 'EACCES' }), tree('pub'),
    ]),
    kase('rename of a symlink moves the link, not its target', [writefile('f', 'x'), symlink('f', 'l'), rename('l', 'm'), lstat('m'), readlink('m').expect({ value: 'f' }), stat('f'), readdir('.')]),
    kase('RENAME_EXCHANGE of a directory with its own subdirectory: EINVAL', [mkdir('a'), mkdir('a/b'), rename('a', 'a/b', ['EXCHANGE']).expect('EINVAL'), rename('a/b', 'a', ['EXCHANGE']).expect('EINVAL'), tree('.')]),
    kase('rename with a trailing slash on a file: ENOTDIR', [writefile('f', 'x'), rename('f/', 'g').expect('ENOTDIR'), rename('f', 'g/').expect('ENOTDIR'), mkdir('d'), rename('d/', 'e/').expect('ok'), readdir('.')]),
    kase('rename over an open file: the old data stays readable', [
      writefile('a', 'new'), writefile('b', 'old'), open('r', 'b'), rename('a', 'b'), read('r', 10).expect({ value: 'old' }), readfile('b').expect({ value: 'new' }),
    ]),
    kase('rename into a directory without write permission', [mkdir('d', 0o555), writefile('f', 'x'), rename('f', 'd/f').expect({ root: 'ok', user: 'EACCES' }), tree('.')]),
    kase('rename a file over a symlink replaces the symlink', [writefile('f', 'F'), symlink('f', 'l'), writefile('g', 'G'), rename('g', 'l').expect('ok'), lstat('l'), readfile('f').expect({ value: 'F' }), tree('.')]),
    kase('RENAME_EXCHANGE of two directories swaps their contents', [
      mkdir('a'), mkdir('b'), writefile('a/x', '1'), writefile('b/y', '2'), mkdir('a/sub'), rename('a', 'b', ['EXCHANGE']), tree('.'), stat('a'), stat('b'),
    ]),
  ],
};
