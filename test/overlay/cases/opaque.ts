// Opaque directories: a directory deleted and made again hides the lower one.
import {
  chmod, getxattr, listxattr, mkdir, readdir, readfile, rename, rmdir, stat, tree, unlink, writefile,
} from '../../diff/steps';
import type { OvArea } from '../harness';
import { ov } from './common';

export const opaque: OvArea = {
  name: 'opaque directories',
  cases: [
    ov('rmdir and mkdir of an empty lower directory: opaque', [rmdir('e'), mkdir('e').expect('ok'), readdir('e'), stat('e')]),
    ov('a lower directory emptied, removed and made again shows none of the lower', [
      unlink('d/a'), unlink('d/b'), unlink('d/sub/s'), rmdir('d/sub'), rmdir('d'), mkdir('d').expect('ok'), readdir('d').expect({ value: [['.', 'dir'], ['..', 'dir']] }),
      writefile('d/a', 'new a'), readfile('d/a').expect({ value: 'new a' }), stat('d/b').expect('ENOENT'), tree('d'),
    ]),
    ov('a new directory (no lower namesake) is not opaque', [mkdir('n').expect('ok'), mkdir('d/n').expect('ok'), readdir('d')]),
    ov('removing in an opaque directory leaves no whiteout', [rmdir('e'), mkdir('e'), writefile('e/x', 'x'), unlink('e/x').expect('ok'), mkdir('e/y'), rmdir('e/y').expect('ok'), readdir('e')]),
    ov('the opaque mark is not an xattr anybody sees', [
      rmdir('e'), mkdir('e'), listxattr('e').expect({ value: [] }), getxattr('e', 'trusted.overlay.opaque').expect('ENODATA'), getxattr('e', 'trusted.overlay.opaque').as('user').expect('ENODATA'),
    ]),
    ov('a lower file replaced by a directory', [unlink('f'), mkdir('f').expect('ok'), stat('f'), readdir('f')]),
    ov('a lower directory replaced by a file', [rmdir('e'), writefile('e', 'now a file').expect({ value: 10 }), readfile('e'), stat('e')]),
    ov('rmdir of an opaque directory leaves a whiteout again', [rmdir('e'), mkdir('e'), rmdir('e').expect('ok'), stat('e').expect('ENOENT'), readdir('.')]),
    ov('an opaque directory renamed away leaves a whiteout', [rmdir('e'), mkdir('e'), writefile('e/x', 'x'), rename('e', 'e2').expect('ok'), stat('e').expect('ENOENT'), tree('e2')]),
    ov('chmod of an opaque directory', [rmdir('e'), mkdir('e', 0o700), chmod('e', 0o711).expect('ok'), stat('e')]),
  ],
};
