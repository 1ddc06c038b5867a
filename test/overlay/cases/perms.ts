// Permissions, as an unprivileged user (uid 1000, groups 1000 and 1002): checked on the merged view;
// a denied change copies nothing up; what the user makes is the user's.
import {
  access, chmod, chown, mkdir, open, readfile, rename, rmdir, setxattr, stat, truncate, unlink, write, writefile,
} from '../../diff/steps';
import type { OvArea } from '../harness';
import { ov } from './common';

const user = { who: 'user' as const };

export const perms: OvArea = {
  name: 'permissions (as uid 1000)',
  cases: [
    ov('reading lower files; writing a root file: EACCES, no copy-up', [readfile('f').expect({ value: 'hello' }), open('w', 'f', ['O_WRONLY']).expect('EACCES'), truncate('f', 0).expect('EACCES'), stat('f')], user),
    ov('writing an own lower file copies it up, still the user\'s', [open('w', 'u/mine', ['O_WRONLY']), write('w', 'M'), stat('u/mine'), readfile('u/mine').expect({ value: 'Mine' })], user),
    ov('group write through a supplementary group', [chown('u/theirs', 1001, 1002).as('root'), open('w', 'u/theirs', ['O_WRONLY']).expect('ok'), stat('u/theirs')], user),
    ov('new files and directories belong to the user', [writefile('u/new', 'n'), mkdir('u/nd'), writefile('new', 'top'), stat('u/new'), stat('u/nd'), stat('new')], user),
    ov('creating in a root directory: EACCES', [writefile('d/new', 'x').expect('EACCES'), mkdir('d/nd').expect('EACCES'), stat('d')], user),
    ov('chmod of another\'s file: EPERM, no copy-up; of one\'s own: copy-up', [chmod('f', 0o600).expect('EPERM'), chmod('u/mine', 0o600).expect('ok'), stat('u/mine'), stat('f')], user),
    ov('chown to another user: EPERM; to an own group: ok', [chown('u/mine', 1001, -1).expect('EPERM'), chown('u/mine', -1, 1002).expect('ok'), stat('u/mine')], user),
    ov('a sticky directory: only one\'s own names go', [unlink('sticky/theirs').expect('EPERM'), unlink('sticky/mine').expect('ok'), rename('sticky/theirs', 'sticky/x').expect('EPERM'), stat('sticky/theirs')], user),
    ov('a public directory: another\'s file may go (the whiteout is the overlay\'s)', [unlink('pub/p').expect('ok'), writefile('pub/p', 'mine'), stat('pub/p')], user),
    ov('a directory the user may not search: EACCES', [stat('d/sub/s').expect('EACCES'), access('d/sub', 'X').expect('EACCES'), access('d', 'RX').expect('ok')], user),
    ov('read-only file: EACCES to write, also for the owner once chmod', [open('w', 'ro', ['O_WRONLY']).expect('EACCES'), chmod('u/mine', 0o444), open('w', 'u/mine', ['O_WRONLY']).expect('EACCES')], user),
    ov('removing, making again and renaming in one\'s own directory', [
      unlink('u/mine'), rmdir('u/sub').expect('ENOTEMPTY'), unlink('u/sub/t'), rmdir('u/sub'), mkdir('u/sub').expect('ok'), stat('u/sub'), rename('u/theirs', 'u/moved').expect('ok'), stat('u/moved'),
    ], user),
    ov('setxattr user.* on one\'s own file copies up; on another\'s: EACCES', [setxattr('u/mine', 'user.x', 'v').expect('ok'), setxattr('f', 'user.x', 'v').expect('EACCES'), stat('u/mine')], user),
    ov('truncate one\'s own file', [truncate('u/mine', 1).expect('ok'), readfile('u/mine').expect({ value: 'm' })], user),
    ov('another user cannot write the user\'s new file', [writefile('u/new', 'n', 0o644), open('w', 'u/new', ['O_WRONLY']).as('other').expect('EACCES'), readfile('u/new').as('other')], user),
  ],
};
