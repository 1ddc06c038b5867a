// Permissions and ownership: mode bits as the kernel checks them (default_permissions), chmod and
// chown rules, sticky and setgid directories, setuid/setgid cleared on write, truncate and chown.
import {
  type Area, access, chmod, chown, creat, fchmod, fchown, fstat, GROUP, kase, mkdir, mkfifo, mknod, open, OTHER, pub, rmdir,
  shared, stat, symlink, lstat, touch, truncate, umask, unlink, utimens, write, writefile,
} from '../steps';

export const perms: Area = {
  name: 'permissions and ownership',
  cases: [
    kase('chmod changes the mode and ctime', [writefile('f', 'x'), stat('f'), chmod('f', 0o600).expect('ok'), stat('f'), chmod('f', 0o7777), stat('f')]),
    kase('chmod of another user\'s file: root only', [...pub(), writefile('pub/o', 'x').as('other'), chmod('pub/o', 0o777).expect({ root: 'ok', user: 'EPERM' }), stat('pub/o')]),
    kase('access() follows owner, group and other bits', [
      ...pub(), writefile('pub/o', 'x').as('other'), chown('pub/o', -1, GROUP).as('root'), chmod('pub/o', 0o640).as('root'),
      access('pub/o', 'R').expect('ok'), access('pub/o', 'W').expect({ root: 'ok', user: 'EACCES' }), access('pub/o', 'X').expect('EACCES'), access('pub/o', 'F').expect('ok'),
    ]),
    kase('owner bits win over group bits', [
      writefile('f', 'x'), chown('f', -1, GROUP), chmod('f', 0o070), open('a', 'f').expect({ root: 'ok', user: 'EACCES' }), access('f', 'R').expect({ root: 'ok', user: 'EACCES' }),
    ]),
    kase('group bits apply through a supplementary group', [
      ...pub(), writefile('pub/g', 'x').as('other'), chown('pub/g', -1, GROUP).as('root'), chmod('pub/g', 0o060).as('root'), open('a', 'pub/g', ['O_RDWR']).expect('ok'),
      open('b', 'pub/g').as('other').expect('EACCES'),
    ]),
    kase('other bits apply to everyone else', [
      ...pub(), writefile('pub/x', 'x').as('other'), chmod('pub/x', 0o604).as('other'), open('a', 'pub/x').expect('ok'), open('b', 'pub/x', ['O_WRONLY']).expect({ root: 'ok', user: 'EACCES' }),
    ]),
    kase('chown to another user: root only', [writefile('f', 'x'), chown('f', OTHER, -1).expect({ root: 'ok', user: 'EPERM' }), stat('f')]),
    kase('chgrp by the owner: to one of their groups only', [
      writefile('f', 'x'), chown('f', -1, GROUP).expect('ok'), stat('f'), chown('f', -1, OTHER).expect({ root: 'ok', user: 'EPERM' }), stat('f'), chown('f', -1, -1).expect('ok'),
    ]),
    kase('chown clears setuid, and setgid with group execute', [writefile('f', 'x'), chmod('f', 0o6755), stat('f'), chown('f', -1, GROUP), stat('f')]),
    kase('chown keeps setgid without group execute', [writefile('f', 'x'), chmod('f', 0o2644), chown('f', -1, GROUP), stat('f'), chmod('f', 0o4644), chown('f', -1, GROUP), stat('f')]),
    kase('chown of a directory keeps its setgid bit', [mkdir('d'), chmod('d', 0o2755), chown('d', -1, GROUP).expect('ok'), stat('d')]),
    kase('a write by a non-root user clears setuid and setgid', [
      writefile('f', 'x'), chmod('f', 0o6777), open('a', 'f', ['O_WRONLY']), write('a', 'y').expect({ value: 1 }), fstat('a'), stat('f'),
    ]),
    kase('a write to another user\'s setuid file clears the bits', [
      ...pub(), writefile('pub/s', 'x').as('other'), chmod('pub/s', 0o6777).as('other'), open('a', 'pub/s', ['O_WRONLY']), write('a', 'y'), stat('pub/s'),
    ]),
    kase('setgid without group execute survives a write', [writefile('f', 'x'), chmod('f', 0o2666), open('a', 'f', ['O_WRONLY']), write('a', 'y'), stat('f')]),
    kase('truncate by a non-root user clears setuid', [writefile('f', 'abc'), chmod('f', 0o4755), truncate('f', 1).expect('ok'), stat('f'), chmod('f', 0o2775), truncate('f', 0), stat('f')]),
    kase('chmod +s on a file of a group one is not in drops setgid', [
      writefile('f', 'x'), chown('f', -1, OTHER).as('root'), chmod('f', 0o2755).expect('ok'), stat('f'), chmod('f', 0o4755), stat('f'),
    ]),
    kase('a setgid directory: new entries take its group, subdirectories keep the bit', [
      mkdir('sg'), chown('sg', -1, GROUP), chmod('sg', 0o2777), writefile('sg/f', 'x'), mkdir('sg/d'), mkfifo('sg/p'), symlink('f', 'sg/l'), stat('sg/f'), stat('sg/d'), stat('sg/p'),
      lstat('sg/l'),
    ]),
    kase('a setgid directory: a non-member creating a setgid file loses the bit', [
      ...shared('sg', 0o777), chown('sg', -1, GROUP).as('root'), chmod('sg', 0o2777).as('root'), open('a', 'sg/x', ['O_WRONLY', 'O_CREAT'], 0o2755).as('other'), stat('sg/x'),
      open('b', 'sg/y', ['O_WRONLY', 'O_CREAT'], 0o2755).as('user'), stat('sg/y'), mkdir('sg/od', 0o2755).as('other'), stat('sg/od'),
    ]),
    kase('a sticky directory: only the file\'s owner removes it', [
      ...shared('st', 0o1777), writefile('st/o', 'x').as('other'), unlink('st/o').expect({ root: 'ok', user: 'EPERM' }), writefile('st/mine', 'y'), unlink('st/mine').expect('ok'),
    ]),
    kase('a sticky directory: its owner removes anyone\'s files', [mkdir('sd'), chmod('sd', 0o1777), writefile('sd/o', 'x').as('other'), unlink('sd/o').expect('ok'), stat('sd')]),
    kase('a sticky directory: rmdir of another user\'s directory', [
      ...shared('st', 0o1777), mkdir('st/od').as('other'), rmdir('st/od').expect({ root: 'ok', user: 'EPERM' }), mkdir('st/mine'), rmdir('st/mine').expect('ok'),
    ]),
    kase('chmod sets sticky and setgid on directories', [mkdir('d'), chmod('d', 0o3755), stat('d'), chmod('d', 0o1777), stat('d'), chmod('d', 0o755), stat('d')]),
    kase('the umask applies to mkdir, mknod and mkfifo; symlinks are 0777', [
      umask(0o027), mkdir('d', 0o777), mkfifo('p', 0o666), mknod('s', 0o140666), symlink('d', 'l'), creat('a', 'f', 0o777), stat('d'), stat('p'), stat('s'), lstat('l'), stat('f'),
    ]),
    kase('O_TRUNC needs write permission', [writefile('f', 'abc'), chmod('f', 0o444), open('a', 'f', ['O_RDONLY', 'O_TRUNC']).expect({ root: 'ok', user: 'EACCES' }), stat('f')]),
    kase('utimens: "now" needs write permission, explicit times need ownership', [
      ...pub(), writefile('pub/o', 'x').as('other'), chmod('pub/o', 0o666).as('other'), touch('pub/o').expect('ok'), utimens('pub/o', 'now', 'now').expect('ok'),
      utimens('pub/o', [1000, 0], [2000, 0]).expect({ root: 'ok', user: 'EPERM' }), utimens('pub/o', 'omit', 'now').expect({ root: 'ok', user: 'EPERM' }),
      chmod('pub/o', 0o644).as('other'), touch('pub/o').expect({ root: 'ok', user: 'EACCES' }), stat('pub/o'),
    ]),
    kase('execute permission: root needs one x bit', [
      writefile('f', 'x'), chmod('f', 0o644), access('f', 'X').expect('EACCES'), chmod('f', 0o744), access('f', 'X').expect('ok'), chmod('f', 0o474),
      access('f', 'X').expect({ root: 'ok', user: 'EACCES' }),
    ]),
    kase('fchmod and fchown on a descriptor', [writefile('f', 'x'), open('r', 'f'), fchmod('r', 0o640).expect('ok'), fchown('r', -1, GROUP).expect('ok'), fstat('r'), fchown('r', OTHER, -1)]),
    kase('access() W on a read-only file', [writefile('f', 'x'), chmod('f', 0o444), access('f', 'W').expect({ root: 'ok', user: 'EACCES' }), access('f', 'F'), access('f', 'RW').expect({ root: 'ok', user: 'EACCES' })]),
    kase('a file in another user\'s private directory', [
      ...shared('priv', 0o700), writefile('priv/f', 'x').as('root'), stat('priv/f').expect({ root: 'ok', user: 'EACCES' }), unlink('priv/f').expect({ root: 'ok', user: 'EACCES' }),
    ]),
    kase('chown -1 -1 changes nothing but ctime; clears nothing', [writefile('f', 'x'), chmod('f', 0o6755), stat('f'), chown('f', -1, -1).expect('ok'), stat('f')]),
    kase('chown of a symlink\'s target through the symlink', [writefile('f', 'x'), symlink('f', 'l'), chown('l', -1, GROUP).expect('ok'), stat('f'), lstat('l')]),
    kase('new entries belong to the user and group that created them', [
      ...pub(), writefile('pub/r', 'x').as('root'), mkdir('pub/rd').as('root'), stat('pub/r'), stat('pub/rd'), writefile('pub/u', 'y').as('user'), stat('pub/u'),
    ]),
  ],
};
