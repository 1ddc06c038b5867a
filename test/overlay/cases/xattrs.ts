// Extended attributes: lower ones shown as they are, changes copy up, the overlay's own hidden.
import {
  chmod, fgetxattr, getxattr, readdir, lgetxattr, listxattr, llistxattr, lsetxattr, open, removexattr, setxattr, stat,
} from '../../diff/steps';
import type { OvArea } from '../harness';
import { ov } from './common';

export const xattrs: OvArea = {
  name: 'xattrs',
  cases: [
    ov('lower xattrs as they are', [getxattr('g', 'user.a').expect({ value: 'va' }), getxattr('g', 'trusted.t').expect({ value: 'vt' }), listxattr('g'), listxattr('f').expect({ value: [] })]),
    ov('size probe and ERANGE on a lower attribute', [getxattr('g', 'user.a', 0).expect({ value: 2 }), getxattr('g', 'user.a', 1).expect('ERANGE'), listxattr('g', 0), listxattr('g', 3).expect('ERANGE')]),
    ov('XATTR_CREATE of an existing lower attribute: EEXIST', [setxattr('g', 'user.a', 'x', 'CREATE').expect('EEXIST'), getxattr('g', 'user.a').expect({ value: 'va' })]),
    ov('XATTR_REPLACE of a missing attribute: ENODATA', [setxattr('f', 'user.none', 'x', 'REPLACE').expect('ENODATA'), listxattr('f')]),
    ov('XATTR_REPLACE of a lower attribute', [setxattr('g', 'user.a', 'replaced', 'REPLACE').expect('ok'), getxattr('g', 'user.a').expect({ value: 'replaced' })]),
    ov('trusted.overlay.* set through the overlay is stored escaped', [
      setxattr('f', 'trusted.overlay.opaque', 'y').expect('ok'), getxattr('f', 'trusted.overlay.opaque').expect({ value: 'y' }),
      listxattr('f').expect({ value: ['trusted.overlay.opaque'] }), getxattr('f', 'trusted.overlay.origin').expect('ENODATA'),
      removexattr('f', 'trusted.overlay.opaque').expect('ok'), listxattr('f').expect({ value: [] }), setxattr('f', 'trusted.overlay.x', 'kept'),
    ]),
    ov('an escaped opaque mark does not make a directory opaque', [
      setxattr('d', 'trusted.overlay.opaque', 'y').expect('ok'), readdir('d'), listxattr('d'), getxattr('d', 'trusted.overlay.opaque').expect({ value: 'y' }),
    ]),
    ov('escaped lower xattrs show under their own name; private ones never; copy-up keeps the escaped', [
      listxattr('esc').expect({ value: ['trusted.overlay.esc'] }), getxattr('esc', 'trusted.overlay.esc').expect({ value: 've' }),
      getxattr('esc', 'trusted.overlay.private').expect('ENODATA'), chmod('esc', 0o600), listxattr('esc').expect({ value: ['trusted.overlay.esc'] }), listxattr('esc').as('user'),
    ]),
    ov('trusted.* as the user: hidden, not settable', [
      listxattr('g').as('user').expect({ value: ['user.a'] }), getxattr('g', 'trusted.t').as('user').expect('ENODATA'),
      setxattr('u/mine', 'trusted.x', 'v').as('user').expect('EPERM'), setxattr('g', 'trusted.x', 'v').expect('ok'), listxattr('g').as('user'),
    ]),
    ov('an xattr on a lower directory copies it up', [setxattr('d', 'user.n', 'vn').expect('ok'), listxattr('d').expect({ value: ['user.dir', 'user.n'] }), stat('d')]),
    ov('user.* on a symlink: EPERM; lgetxattr of a lower symlink', [lsetxattr('l', 'user.a', 'v').expect('EPERM'), lgetxattr('l', 'user.a').expect('ENODATA'), llistxattr('l').expect({ value: [] })]),
    ov('setxattr through a symlink lands on its target', [setxattr('l', 'user.via', 'link').expect('ok'), getxattr('f', 'user.via').expect({ value: 'link' }), llistxattr('l')]),
    ov('fgetxattr on a descriptor opened before a copy-up', [open('r', 'g'), setxattr('g', 'user.a', 'new'), fgetxattr('r', 'user.a').expect({ value: 'new' })]),
    ov('a binary value copied up', [setxattr('f', 'user.bin', { hex: '00ff00' }), open('w', 'f', ['O_WRONLY']), getxattr('f', 'user.bin').expect({ value: 'hex:00ff00' })]),
  ],
};
