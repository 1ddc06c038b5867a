// Hard links: link() copies up and links in the upper directory; lower hard links are broken on
// copy-up (each name copied on its own), as the kernel's overlayfs does without index=on.
import {
  close, link, mkdir, open, readdir, readfile, stat, symlink, unlink, write, writefile, lstat, readlink,
} from '../../diff/steps';
import type { Allowance, OvArea } from '../harness';
import { LINKED, ov } from './common';

/**
 * The kernel's overlayfs shows the two names of a lower hard link with the lower's inode number, and
 * a name copied up with the copy's (a new one); rxfuse gives each name its own inode number, kept
 * through copy-up (a FUSE inode is what the kernel asks about: it cannot be one for two objects).
 */
const LOWER_LINK_INO: Allowance = { drop: ['ino', 'ctime'], why: 'lower hard links: per-name inode numbers, kept across copy-up (see docs/design.md); the ctime relation is per inode number' };

export const links: OvArea = {
  name: 'hard links',
  cases: [
    ov('link a lower file: both names one upper file', [link('f', 'f2').expect('ok'), stat('f'), stat('f2'), readdir('.')]),
    ov('a write through one name shows through the other', [link('f', 'f2'), open('w', 'f2', ['O_WRONLY']), write('w', 'J'), close('w'), readfile('f').expect({ value: 'Jello' }), stat('f')]),
    ov('link, then unlink the lower name: the link stays', [link('f', 'f2'), unlink('f').expect('ok'), stat('f2'), readfile('f2').expect({ value: 'hello' }), readdir('.')]),
    ov('link onto a whiteout', [unlink('g'), link('f', 'g').expect('ok'), stat('g'), readfile('g').expect({ value: 'hello' })]),
    ov('link an upper-only file', [writefile('n', 'x'), link('n', 'm').expect('ok'), stat('n'), stat('m')]),
    ov('link into a lower-only directory', [link('f', 'd/f').expect('ok'), stat('d/f'), readdir('d'), stat('d')]),
    ov('link a lower symlink', [link('l', 'l2').expect('ok'), lstat('l2'), readlink('l2').expect({ value: 'f' }), lstat('l')], {
      allow: [{ drop: ['atime'], steps: [3], why: 'readlink through rxfuse is readlinkat(2) on the real symlink, which moves its atime (relatime); the kernel\'s overlayfs reads the target without' }],
    }),
    ov('link onto an existing name: EEXIST; a directory: EPERM', [link('f', 'g').expect('EEXIST'), link('d', 'd2').expect('EPERM'), link('none', 'x').expect('ENOENT'), readdir('.')]),
    ov('a lower hard link: both names, the same data', [stat('h1'), stat('h2'), readfile('h2').expect({ value: 'shared' })], { lower: LINKED, allow: [LOWER_LINK_INO] }),
    ov('a lower hard link is broken by copy-up', [
      open('w', 'h1', ['O_WRONLY']), write('w', 'S'), close('w'), readfile('h1').expect({ value: 'Shared' }), readfile('h2').expect({ value: 'shared' }), stat('h1'), stat('h2'),
    ], { lower: LINKED, allow: [LOWER_LINK_INO] }),
    ov('a lower hard link: unlink one name', [unlink('h1').expect('ok'), stat('h2'), readfile('h2').expect({ value: 'shared' }), readdir('.')], { lower: LINKED, allow: [LOWER_LINK_INO] }),
    ov('a lower hard link: link() one name anew', [link('h1', 'h3').expect('ok'), stat('h1'), stat('h3'), readfile('h3')], { lower: LINKED, allow: [LOWER_LINK_INO] }),
    ov('links in a new directory, and a symlink to a link', [mkdir('n'), writefile('n/a', 'a'), link('n/a', 'n/b'), symlink('b', 'n/c'), readfile('n/c').expect({ value: 'a' }), stat('n/b')]),
  ],
};
