// Descriptors across copy-up: one opened before keeps working and sees the copy.
import {
  chmod, close, fchmod, fstat, open, read, readfile, rename, stat, truncate, unlink, write,
} from '../../diff/steps';
import type { OvArea } from '../harness';
import { ov } from './common';

export const openFds: OvArea = {
  name: 'open descriptors across copy-up',
  cases: [
    ov('read-only fd, then a write through another fd: the first reads the new data', [
      open('r', 'f'), read('r', 3).expect({ value: 'hel' }), open('w', 'f', ['O_WRONLY']), write('w', 'HE', 0), close('w'),
      read('r', 10, 0).expect({ value: 'HEllo' }), read('r', 10).expect({ value: 'lo' }), fstat('r'), stat('f'),
    ]),
    ov('read-only fd, then truncate by path', [open('r', 'big'), read('r', 4, 0), truncate('big', 3), read('r', 10, 0), fstat('r')]),
    ov('read-only fd, then chmod by path: the inode number stays', [open('r', 'f'), fstat('r'), chmod('f', 0o600), fstat('r'), stat('f'), read('r', 100, 0)]),
    ov('two read-only fds and a writer', [
      open('r1', 'f'), open('r2', 'f'), read('r1', 2), open('w', 'f', ['O_RDWR']), write('w', 'XYZ', 1), read('r1', 10), read('r2', 10), close('w'), read('r2', 10, 0),
    ]),
    ov('fd on a lower file kept after unlink', [open('r', 'f'), unlink('f').expect('ok'), read('r', 100).expect({ value: 'hello' }), fstat('r'), stat('f').expect('ENOENT')]),
    ov('fchmod on a lower file unlinked while open: EEXIST (its name is a whiteout)', [open('r', 'f'), unlink('f'), fchmod('r', 0o600).expect('EEXIST'), fstat('r')]),
    ov('fd on a copied-up file kept after rename', [open('r', 'f'), rename('f', 'moved').expect('ok'), read('r', 100).expect({ value: 'hello' }), fstat('r'), readfile('moved')]),
    ov('writer fd kept after unlink', [open('w', 'f', ['O_RDWR']), unlink('f'), write('w', 'J', 0), read('w', 10, 0).expect({ value: 'Jello' }), fstat('w'), readfile('f').expect('ENOENT')]),
  ],
};
