// Extended attributes: user. and trusted. namespaces, create/replace flags, size probes and ERANGE,
// the kernel's permission rules for each namespace and file type.
import {
  type Area, chmod, fgetxattr, flistxattr, fsetxattr, getxattr, kase, lgetxattr, link, listxattr, llistxattr, lsetxattr, mkdir,
  mkfifo, open, pub, removexattr, rename, setxattr, stat, symlink, writefile,
} from '../steps';

export const xattrs: Area = {
  name: 'xattrs',
  cases: [
    kase('set, get and list a user. attribute', [
      writefile('f', 'x'), setxattr('f', 'user.a', 'v1').expect('ok'), getxattr('f', 'user.a').expect({ value: 'v1' }), listxattr('f').expect({ value: ['user.a'] }),
    ]),
    kase('XATTR_CREATE on an existing name: EEXIST', [
      writefile('f', 'x'), setxattr('f', 'user.a', 'one'), setxattr('f', 'user.a', 'two', 'CREATE').expect('EEXIST'), getxattr('f', 'user.a').expect({ value: 'one' }),
      setxattr('f', 'user.b', 'new', 'CREATE').expect('ok'),
    ]),
    kase('XATTR_REPLACE on a missing name: ENODATA', [writefile('f', 'x'), setxattr('f', 'user.a', 'v', 'REPLACE').expect('ENODATA'), listxattr('f').expect({ value: [] })]),
    kase('XATTR_REPLACE changes an existing value', [
      writefile('f', 'x'), setxattr('f', 'user.a', 'one'), setxattr('f', 'user.a', 'second', 'REPLACE').expect('ok'), getxattr('f', 'user.a').expect({ value: 'second' }),
    ]),
    kase('a size probe answers the value\'s length', [writefile('f', 'x'), setxattr('f', 'user.a', 'hello'), getxattr('f', 'user.a', 0).expect({ value: 5 })]),
    kase('a buffer too small: ERANGE; the exact size works', [
      writefile('f', 'x'), setxattr('f', 'user.a', 'hello'), getxattr('f', 'user.a', 2).expect('ERANGE'), getxattr('f', 'user.a', 4).expect('ERANGE'),
      getxattr('f', 'user.a', 5).expect({ value: 'hello' }),
    ]),
    kase('listxattr: size probe, ERANGE, exact size', [
      writefile('f', 'x'), setxattr('f', 'user.a', '1'), setxattr('f', 'user.bb', '2'), listxattr('f', 0).expect({ value: 15 }), listxattr('f', 14).expect('ERANGE'),
      listxattr('f', 15).expect({ value: ['user.a', 'user.bb'] }),
    ]),
    kase('removexattr; removing a missing one: ENODATA', [
      writefile('f', 'x'), setxattr('f', 'user.a', 'v'), removexattr('f', 'user.a').expect('ok'), getxattr('f', 'user.a').expect('ENODATA'),
      removexattr('f', 'user.a').expect('ENODATA'), listxattr('f', 0).expect({ value: 0 }),
    ]),
    kase('an empty value', [writefile('f', 'x'), setxattr('f', 'user.e', ''), getxattr('f', 'user.e').expect({ value: '' }), getxattr('f', 'user.e', 0).expect({ value: 0 }), listxattr('f')]),
    kase('a binary value with NUL bytes', [
      writefile('f', 'x'), setxattr('f', 'user.bin', { hex: '00ff00fe0001' }), getxattr('f', 'user.bin').expect({ value: 'hex:00ff00fe0001' }), getxattr('f', 'user.bin', 0),
    ]),
    kase('a 60000-byte value; over 64 KiB: E2BIG', [
      writefile('f', 'x'), setxattr('f', 'user.big', { rand: 7, len: 60000 }).expect('ok'), getxattr('f', 'user.big', 0).expect({ value: 60000 }), getxattr('f', 'user.big'),
      setxattr('f', 'user.huge', { fill: 1, len: 65537 }).expect('E2BIG'),
    ]),
    kase('trusted.: root only; hidden from others\' lists', [
      writefile('f', 'x'), setxattr('f', 'user.u', 'uu'), setxattr('f', 'trusted.t', 'tt').expect({ root: 'ok', user: 'EPERM' }), setxattr('f', 'trusted.t', 'tt').as('root'),
      getxattr('f', 'trusted.t').expect({ root: { value: 'tt' }, user: 'ENODATA' }), listxattr('f'), listxattr('f', 0),
    ]),
    kase('user. on a symlink: EPERM; lgetxattr answers ENODATA', [
      writefile('f', 'x'), symlink('f', 'l'), lsetxattr('l', 'user.a', 'v').expect('EPERM'), lgetxattr('l', 'user.a').expect('ENODATA'), llistxattr('l').expect({ value: [] }),
      setxattr('l', 'user.a', 'through').expect('ok'), getxattr('f', 'user.a').expect({ value: 'through' }),
    ]),
    kase('trusted. on a symlink (root)', [writefile('f', 'x'), symlink('f', 'l'), lsetxattr('l', 'trusted.t', 'v').expect({ root: 'ok', user: 'EPERM' }), llistxattr('l'), lgetxattr('l', 'trusted.t')]),
    kase('user. on a FIFO: EPERM', [mkfifo('p'), setxattr('p', 'user.a', 'v').expect('EPERM'), getxattr('p', 'user.a').expect('ENODATA'), listxattr('p')]),
    kase('setting needs write permission, getting needs read permission', [
      ...pub(), writefile('pub/o', 'x').as('other'), setxattr('pub/o', 'user.a', 'v').as('other'), setxattr('pub/o', 'user.b', 'w').expect({ root: 'ok', user: 'EACCES' }),
      getxattr('pub/o', 'user.a').expect({ value: 'v' }), writefile('pub/secret', 'x', 0o600).as('other'), setxattr('pub/secret', 'user.s', 's').as('other'),
      getxattr('pub/secret', 'user.s').expect({ root: { value: 's' }, user: 'EACCES' }), listxattr('pub/secret'),
    ]),
    kase('removexattr needs write permission', [
      ...pub(), writefile('pub/o', 'x').as('other'), setxattr('pub/o', 'user.a', 'v').as('other'), removexattr('pub/o', 'user.a').expect({ root: 'ok', user: 'EACCES' }), listxattr('pub/o'),
    ]),
    kase('xattrs on a directory', [mkdir('d'), setxattr('d', 'user.dir', 'yes').expect('ok'), getxattr('d', 'user.dir').expect({ value: 'yes' }), listxattr('d')]),
    kase('an unknown namespace: EOPNOTSUPP', [writefile('f', 'x'), setxattr('f', 'foo.bar', 'v').expect('EOPNOTSUPP'), getxattr('f', 'foo.bar').expect('EOPNOTSUPP'), listxattr('f')]),
    kase('the bare prefix "user.": EINVAL', [writefile('f', 'x'), setxattr('f', 'user.', 'v').expect('EINVAL'), getxattr('f', 'user.').expect('EINVAL')]),
    kase('names of 255 bytes work; 256 bytes: ERANGE', [
      writefile('f', 'x'), setxattr('f', `user.${'a'.repeat(250)}`, 'v').expect('ok'), listxattr('f'), setxattr('f', `user.${'a'.repeat(251)}`, 'v').expect('ERANGE'),
      getxattr('f', `user.${'a'.repeat(251)}`).expect('ERANGE'),
    ]),
    kase('xattrs belong to the inode: they follow renames and links', [
      writefile('f', 'x'), setxattr('f', 'user.a', 'v'), rename('f', 'g'), link('g', 'h'), getxattr('h', 'user.a').expect({ value: 'v' }), setxattr('h', 'user.b', 'w'), listxattr('g'),
    ]),
    kase('fsetxattr, fgetxattr, flistxattr on a descriptor', [
      writefile('f', 'x'), open('r', 'f'), fsetxattr('r', 'user.fd', 'via fd').expect('ok'), fgetxattr('r', 'user.fd').expect({ value: 'via fd' }), flistxattr('r'), fgetxattr('r', 'user.fd', 1).expect('ERANGE'),
    ]),
    kase('setxattr changes ctime, not mtime', [writefile('f', 'x'), stat('f'), setxattr('f', 'user.a', 'v'), stat('f'), removexattr('f', 'user.a'), stat('f')]),
    kase('twenty attributes are all listed', [writefile('f', 'x'), ...Array.from({ length: 20 }, (_, i) => setxattr('f', `user.k${i}`, `v${i}`)), listxattr('f'), listxattr('f', 0)]),
    kase('a value replaced by a shorter one', [writefile('f', 'x'), setxattr('f', 'user.a', 'a longer value'), setxattr('f', 'user.a', 's'), getxattr('f', 'user.a', 0).expect({ value: 1 }), getxattr('f', 'user.a')]),
    kase('getxattr of a missing name or file', [writefile('f', 'x'), getxattr('f', 'user.none').expect('ENODATA'), getxattr('none', 'user.a').expect('ENOENT'), listxattr('none').expect('ENOENT')]),
    kase('user. xattrs on a sticky directory: its owner only; on a writable file: anyone', [
      ...pub(), mkdir('pub/sd').as('other'), chmod('pub/sd', 0o1777).as('other'), setxattr('pub/sd', 'user.a', 'v').expect({ root: 'ok', user: 'EPERM' }),
      writefile('pub/o', 'x').as('other'), chmod('pub/o', 0o666).as('other'), setxattr('pub/o', 'user.a', 'v').expect('ok'), listxattr('pub/sd'), stat('pub/o'),
    ]),
  ],
};
