// POSIX ACLs through their xattrs (system.posix_acl_access/default, the kernel's binary format): the
// mode an access ACL sets, chmod and the mask, inheritance from a default ACL with and without the
// umask, and the kernel's enforcement for a named user ("other", uid 1001) and a named group.
import {
  type Area, access, chmod, chown, getxattr, kase, listxattr, mkdir, mkfifo, open, pub, readfile, removexattr, setxattr, stat,
  symlink, umask, writefile, OTHER, GROUP, USER,
} from '../steps';

const ACCESS = 'system.posix_acl_access';
const DEFAULT = 'system.posix_acl_default';
const TAGS = { u: 0x01, U: 0x02, g: 0x04, G: 0x08, m: 0x10, o: 0x20 } as const;

/** An ACL xattr value from entries "tag:perm[:id]" (tags: u owner, U user, g group, G group, m mask, o other; perm octal). */
export function acl(...entries: string[]): { hex: string } {
  const b = Buffer.alloc(4 + 8 * entries.length);
  b.writeUInt32LE(2, 0);
  entries.forEach((e, i) => {
    const [tag, perm, id] = e.split(':');
    b.writeUInt16LE(TAGS[tag as keyof typeof TAGS], 4 + 8 * i);
    b.writeUInt16LE(Number(perm), 6 + 8 * i);
    b.writeUInt32LE(id === undefined ? 0xffffffff : Number(id), 8 + 8 * i);
  });
  return { hex: b.toString('hex') };
}

const NAMED = acl('u:6', `U:6:${OTHER}`, 'g:4', `G:4:${GROUP}`, 'm:6', 'o:0');

export const acls: Area = {
  name: 'acls',
  cases: [
    kase('an access ACL with named entries is kept and sets the mode (the mask as the group bits)', [
      writefile('f', 'x'), setxattr('f', ACCESS, NAMED).expect('ok'), getxattr('f', ACCESS).expect({ value: `hex:${NAMED.hex}` }), stat('f'), listxattr('f'),
    ]),
    kase('an access ACL equal to a mode sets the mode and is no xattr', [
      writefile('f', 'x'), setxattr('f', ACCESS, acl('u:7', 'g:5', 'o:1')).expect('ok'), getxattr('f', ACCESS).expect('ENODATA'), listxattr('f').expect({ value: [] }), stat('f'),
    ]),
    kase('removing an access ACL keeps the mode; removing a missing one succeeds', [
      writefile('f', 'x'), setxattr('f', ACCESS, NAMED), removexattr('f', ACCESS).expect('ok'), stat('f'), removexattr('f', ACCESS).expect('ok'), removexattr('f', DEFAULT),
    ]),
    kase('chmod moves the mask and leaves the group entry', [writefile('f', 'x'), setxattr('f', ACCESS, NAMED), chmod('f', 0o751), getxattr('f', ACCESS), stat('f')]),
    kase('a default ACL only on directories', [
      writefile('f', 'x'), setxattr('f', DEFAULT, NAMED).expect('EACCES'), mkdir('d'), setxattr('d', DEFAULT, NAMED).expect('ok'), getxattr('d', DEFAULT), listxattr('d'),
    ]),
    kase('inheritance: files, directories, FIFOs and symlinks under a default ACL, the umask not applied', [
      umask(0o077), mkdir('d', 0o700), setxattr('d', DEFAULT, NAMED), writefile('d/f', 'x', 0o666), mkdir('d/s', 0o777), mkfifo('d/p', 0o640), symlink('f', 'd/l'),
      stat('d/f'), stat('d/s'), stat('d/p'), getxattr('d/f', ACCESS), getxattr('d/s', ACCESS), getxattr('d/s', DEFAULT), getxattr('d/p', ACCESS), listxattr('d/f'),
      mkdir('d/s/t', 0o750), stat('d/s/t'), getxattr('d/s/t', DEFAULT),
    ]),
    kase('inheritance of a default ACL equal to a mode: no access ACL, the umask still not applied', [
      umask(0o077), mkdir('d'), setxattr('d', DEFAULT, acl('u:7', 'g:5', 'o:5')), writefile('d/f', 'x', 0o666), mkdir('d/s', 0o777), stat('d/f'), stat('d/s'),
      listxattr('d/f'), getxattr('d/s', DEFAULT),
    ]),
    kase('without a default ACL the umask applies', [umask(0o027), writefile('f', 'x', 0o666), mkdir('s', 0o777), stat('f'), stat('s')]),
    kase('a named user entry grants what the mode refuses, and the mask limits it', [
      ...pub(), writefile('pub/f', 'secret', 0o600).as('root'), setxattr('pub/f', ACCESS, acl('u:6', `U:4:${OTHER}`, 'g:0', 'm:4', 'o:0')).as('root'),
      readfile('pub/f').as('other').expect('ok'), open('w', 'pub/f', ['O_WRONLY']).as('other').expect('EACCES'), access('pub/f', 'R').as('other'),
      readfile('pub/f').expect({ root: 'ok', user: 'EACCES' }), chmod('pub/f', 0o600).as('root'), readfile('pub/f').as('other').expect('EACCES'),
    ]),
    kase('a named group entry grants access to its members', [
      ...pub(), writefile('pub/f', 'group', 0o600).as('root'), setxattr('pub/f', ACCESS, acl('u:6', 'g:0', `G:4:${GROUP}`, 'm:4', 'o:0')).as('root'),
      readfile('pub/f').expect('ok'), readfile('pub/f').as('other').expect('EACCES'),
    ]),
    kase('an access ACL set by an owner outside the file\'s group clears set-group-ID; removing one too', [
      writefile('f', 'x').as('root'), chown('f', USER, 1003).as('root'), chmod('f', 0o2770).as('root'), setxattr('f', ACCESS, NAMED).as('user').expect('ok'), stat('f'),
      chmod('f', 0o2770).as('root'), removexattr('f', ACCESS).as('user').expect('ok'), stat('f'),
    ]),
    kase('only the owner sets an ACL', [
      ...pub(), writefile('pub/o', 'x').as('other'), setxattr('pub/o', ACCESS, NAMED).expect({ root: 'ok', user: 'EPERM' }), stat('pub/o'),
    ]),
  ],
};
