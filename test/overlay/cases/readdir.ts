// Merged listings: the upper's entries and the lower's, each name once, whiteouts never.
import {
  chmod, close, getdents, mkdir, opendir, readdir, rmdir, stat, tree, unlink, writefile,
} from '../../diff/steps';
import type { OvArea } from '../harness';
import { ov } from './common';

const MANY = Object.fromEntries([['.', { dir: true as const }], ...Array.from({ length: 60 }, (_, i) => [`name-${String(i).padStart(2, '0')}`, { file: `${i}` }])]);

export const readdirs: OvArea = {
  name: 'readdir',
  cases: [
    ov('the standard tree as it is', [readdir('.'), tree('.')]),
    ov('merged listing: new, copied-up and deleted names, each once', [
      writefile('new', 'n'), chmod('f', 0o600), unlink('g'), mkdir('nd'), rmdir('e'), readdir('.'), tree('.'),
    ]),
    ov('a lower-only directory', [readdir('d'), readdir('d/sub'), readdir('deep/a')]),
    ov('listing moves the atime of a directory with an upper part only', [stat('d'), readdir('d'), stat('d'), stat('.'), readdir('.'), stat('.'), chmod('e', 0o755), stat('e'), readdir('e'), stat('e')]),
    ov('a merged subdirectory after a copy-up below it', [chmod('d/a', 0o600), readdir('d'), writefile('d/new', 'x'), readdir('d'), unlink('d/b'), readdir('d')]),
    ov('the listing of an opaque directory', [writefile('e/x', 'x'), readdir('e'), rmdir('d/sub').expect('ENOTEMPTY'), unlink('d/sub/s'), rmdir('d/sub'), mkdir('d/sub'), readdir('d/sub')]),
    ov('a directory emptied of lower entries lists only . and ..', [unlink('deep/a/b/c'), readdir('deep/a/b').expect({ value: [['.', 'dir'], ['..', 'dir']] })]),
    ov('small getdents batches over a merged directory', [
      unlink('name-10'), writefile('name-20', 'changed'), writefile('added', 'a'), opendir('D', '.'), getdents('D', 128), close('D'), readdir('.'),
    ], { lower: MANY }),
    ov('a listing opened again sees the changes', [opendir('D', 'd'), getdents('D'), close('D'), writefile('d/n', 'x'), unlink('d/a'), opendir('D', 'd'), getdents('D')]),
    ov('types in a merged listing', [mkdir('nd'), writefile('nf', ''), readdir('.'), stat('dl'), readdir('dl')]),
    ov('a listing as the user, in a directory it may not read', [readdir('d/sub').as('user').expect('EACCES'), readdir('u').as('user')]),
  ],
};
