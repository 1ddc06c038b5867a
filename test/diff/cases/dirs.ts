// Directories: mkdir/rmdir and their errors, listings, readdir stability while the directory
// changes, and path resolution errors (ENAMETOOLONG, ELOOP, ENOTDIR).
import {
  type Area, chmod, close, creat, getdents, kase, link, lseek, lstat, mkdir, mkfifo, mknod, open, opendir, populate,
  readdir, readfile, rename, rmdir, stat, type Step, symlink, tree, unlink, dirscan, writefile, access,
} from '../steps';

/** What dirscan answers when nothing went wrong. */
function stable(seek = false): { value: Record<string, unknown> } {
  const v: Record<string, unknown> = { missing: [], repeated: [], invented: [], mutations_left: 0, mutations_failed: [], bad_types: [] };
  if (seek) Object.assign(v, { reread_missing: [], reread_repeated: [], reread_invented: [] });
  v.final_missing = [];
  return { value: v };
}

const n3 = (i: number): string => String(i).padStart(3, '0');
const range = (n: number, f: (i: number) => Step): Step[] => Array.from({ length: n }, (_, i) => f(i));

export const dirs: Area = {
  name: 'directories',
  cases: [
    kase('mkdir: nlink 2, the parent gains a link', [stat('.'), mkdir('d').expect('ok'), stat('d'), stat('.'), mkdir('d/e'), stat('d'), stat('.')]),
    kase('mkdir of an existing name: EEXIST', [mkdir('d'), mkdir('d').expect('EEXIST'), writefile('f', 'x'), mkdir('f').expect('EEXIST'), symlink('nowhere', 'l'), mkdir('l').expect('EEXIST')]),
    kase('rmdir of a non-empty directory: ENOTEMPTY', [mkdir('d'), writefile('d/f', 'x'), rmdir('d').expect('ENOTEMPTY'), unlink('d/f'), rmdir('d').expect('ok'), stat('d').expect('ENOENT')]),
    kase('rmdir of a directory holding only a subdirectory: ENOTEMPTY', [mkdir('d'), mkdir('d/e'), rmdir('d').expect('ENOTEMPTY'), rmdir('d/e'), rmdir('d').expect('ok')]),
    kase('rmdir of a file: ENOTDIR', [writefile('f', 'x'), rmdir('f').expect('ENOTDIR'), stat('f')]),
    kase('unlink of a directory: EISDIR', [mkdir('d'), unlink('d').expect('EISDIR'), stat('d')]),
    kase('rmdir of "." and "..": EINVAL and ENOTEMPTY', [mkdir('d'), rmdir('d/.').expect('EINVAL'), rmdir('d/..').expect('ENOTEMPTY'), rmdir('.').expect('EINVAL'), stat('d')]),
    kase('mkdir in a missing parent: ENOENT', [mkdir('no/d').expect('ENOENT'), mkdir('no/d/e').expect('ENOENT')]),
    kase('mkdir under a file: ENOTDIR', [writefile('f', 'x'), mkdir('f/d').expect('ENOTDIR'), creat('a', 'f/g').expect('ENOTDIR')]),
    kase('rmdir: the parent loses a link, its times change', [mkdir('d'), mkdir('d/e'), stat('d'), rmdir('d/e'), stat('d'), stat('.')]),
    kase('a nested tree', [
      mkdir('a'), mkdir('a/b'), mkdir('a/b/c'), writefile('a/f', 'one'), writefile('a/b/g', 'two'), symlink('../f', 'a/b/l'), writefile('a/b/c/h', 'three'), tree('.'),
      readfile('a/b/l').expect({ value: 'one' }),
    ]),
    kase('readdir lists "." and ".." and every type', [
      writefile('f', 'x'), mkdir('d'), symlink('f', 'l'), mkfifo('p'), mknod('s', 0o140644), readdir('.'), readdir('d'),
    ]),
    kase('mkdir mode: the umask applies, the sticky bit stays', [mkdir('d', 0o1777), stat('d'), mkdir('e', 0o700), stat('e'), mkdir('g', 0o2775), stat('g')]),
    kase('trailing slashes: rmdir "d/" works, unlink "f/" is ENOTDIR', [
      mkdir('d'), rmdir('d/').expect('ok'), writefile('f', 'x'), unlink('f/').expect('ENOTDIR'), stat('f/').expect('ENOTDIR'), stat('f'), mkdir('e/').expect('ok'), stat('e/'),
    ]),
    kase('names with unusual bytes', [
      writefile('with\nnewline', '1'), writefile('sp ace', '2'), mkdir('ünïcødé'), writefile('back\\slash', '3'), writefile('\udcff\udcfe', '4'), writefile('-dash', '5'),
      writefile('.hidden', '6'), readdir('.'), stat('\udcff\udcfe'), readfile('with\nnewline').expect({ value: '1' }), rename('sp ace', 'ünïcødé/sp ace'), readdir('ünïcødé'),
    ]),
    kase('a directory without search permission cannot be traversed (except by root)', [
      mkdir('d'), writefile('d/f', 'x'), chmod('d', 0o600), stat('d/f').expect({ root: 'ok', user: 'EACCES' }), readdir('d').expect('ok'),
      open('a', 'd/f').expect({ root: 'ok', user: 'EACCES' }),
    ]),
    kase('a directory without read permission cannot be listed, but names in it resolve', [
      mkdir('d'), writefile('d/f', 'x'), chmod('d', 0o300), readdir('d').expect({ root: 'ok', user: 'EACCES' }), stat('d/f').expect('ok'), readfile('d/f').expect({ value: 'x' }),
    ]),
    kase('a directory without write permission refuses new and removed entries', [
      mkdir('d'), writefile('d/f', 'x'), chmod('d', 0o555), unlink('d/f').expect({ root: 'ok', user: 'EACCES' }), mkdir('d/e').expect({ root: 'ok', user: 'EACCES' }),
      symlink('x', 'd/l').expect({ root: 'ok', user: 'EACCES' }), rename('d/e', 'd/g'), readdir('d'),
    ]),
    kase('a hundred entries list once each', [mkdir('d'), populate('d', 100), readdir('d'), stat('d')]),
    kase('access() on directories', [mkdir('d', 0o751), access('d', 'R'), access('d', 'W'), access('d', 'X'), chmod('d', 0o000), access('d', 'X').expect({ root: 'ok', user: 'EACCES' }), access('d', 'R')]),
  ],
};

export const readdirs: Area = {
  name: 'readdir while the directory changes',
  cases: [
    kase('entries created during a listing: nothing that was there is missed or repeated', [
      mkdir('d'), populate('d', 40), dirscan('d', range(10, (i) => writefile(`d/n${n3(i)}`, 'x'))).expect(stable()),
    ]),
    kase('entries removed during a listing: the others are all listed once', [
      mkdir('d'), populate('d', 40), dirscan('d', range(10, (i) => unlink(`d/f${n3(i * 3 + 1)}`))).expect(stable()),
    ]),
    kase('entries renamed within the directory during a listing', [
      mkdir('d'), populate('d', 40), dirscan('d', range(10, (i) => rename(`d/f${n3(i * 4)}`, `d/r${n3(i)}`))).expect(stable()),
    ]),
    kase('a saved position survives removals (telldir/seekdir)', [
      mkdir('d'), populate('d', 40), dirscan('d', range(10, (i) => unlink(`d/f${n3(i * 4 + 2)}`)), 64, 4).expect(stable(true)),
    ]),
    kase('a saved position survives creations (telldir/seekdir)', [
      mkdir('d'), populate('d', 40), dirscan('d', range(10, (i) => writefile(`d/n${n3(i)}`, 'y')), 64, 6).expect(stable(true)),
    ]),
    kase('creations, removals and renames mixed, with a saved position', [
      mkdir('d'), populate('d', 60),
      dirscan('d', range(18, (i) => (i % 3 === 0 ? writefile(`d/n${n3(i)}`, 'z') : i % 3 === 1 ? unlink(`d/f${n3(i * 3)}`) : rename(`d/f${n3(i * 3 + 1)}`, `d/r${n3(i)}`))), 64, 3)
        .expect(stable(true)),
    ]),
    kase('entries moved in from another directory during a listing', [
      mkdir('d'), mkdir('e'), populate('d', 30), populate('e', 10, 'm'), dirscan('d', range(10, (i) => rename(`e/m${n3(i)}`, `d/m${n3(i)}`))).expect(stable()),
      readdir('e'),
    ]),
    kase('two hundred entries in tiny batches: each once', [mkdir('d'), populate('d', 200), dirscan('d', [], 64).expect(stable())]),
    kase('rewinding an open directory shows its current entries', [
      mkdir('d'), populate('d', 5), opendir('r', 'd'), getdents('r'), writefile('d/new', 'x'), unlink('d/f002'), lseek('r', 0), getdents('r'),
    ]),
    kase('getdents on a removed directory: ENOENT', [mkdir('d'), opendir('r', 'd'), rmdir('d'), getdents('r').expect('ENOENT'), close('r')]),
  ],
};

const N255 = 'n'.repeat(255);
const N256 = 'n'.repeat(256);

export const names: Area = {
  name: 'names and path resolution',
  cases: [
    kase('a 255-byte name works; 256 bytes: ENAMETOOLONG', [
      writefile(N255, 'ok').expect('ok'), stat(N255), readdir('.'), creat('a', N256).expect('ENAMETOOLONG'), mkdir(N256).expect('ENAMETOOLONG'),
    ]),
    kase('stat, unlink, rmdir of a 256-byte name: ENAMETOOLONG', [
      stat(N256).expect('ENAMETOOLONG'), lstat(N256).expect('ENAMETOOLONG'), unlink(N256).expect('ENAMETOOLONG'), rmdir(N256).expect('ENAMETOOLONG'),
    ]),
    kase('rename, link, symlink, mknod to a 256-byte name: ENAMETOOLONG', [
      writefile('f', 'x'), rename('f', N256).expect('ENAMETOOLONG'), link('f', N256).expect('ENAMETOOLONG'), symlink('f', N256).expect('ENAMETOOLONG'),
      mkfifo(N256).expect('ENAMETOOLONG'), stat('f'),
    ]),
    kase('255-byte names for a directory, a symlink and a link', [
      mkdir(N255), writefile(`${N255}/${N255}`, 'deep'), symlink(`${N255}/${N255}`, 'l'), readfile('l').expect({ value: 'deep' }), link(`${N255}/${N255}`, `${N255}/x`), tree('.'),
    ]),
    kase('a path longer than PATH_MAX: ENAMETOOLONG', [stat('d/'.repeat(2100)).expect('ENAMETOOLONG'), mkdir('x/'.repeat(2100)).expect('ENAMETOOLONG')]),
    kase('a symlink to itself: ELOOP, also as a directory', [symlink('l', 'l'), stat('l').expect('ELOOP'), stat('l/x').expect('ELOOP'), lstat('l'), creat('a', 'l/f').expect('ELOOP')]),
    kase('a file used as a directory: ENOTDIR', [
      writefile('f', 'x'), stat('f/x').expect('ENOTDIR'), creat('a', 'f/x').expect('ENOTDIR'), mkdir('f/d').expect('ENOTDIR'), unlink('f/x').expect('ENOTDIR'),
      rename('f/x', 'y').expect('ENOTDIR'),
    ]),
    kase('"." and ".." in paths', [mkdir('d'), writefile('d/f', 'x'), stat('d/./f'), stat('d/../d/f'), readfile('./d/.././d/f').expect({ value: 'x' }), readdir('d/..'), stat('d/f/..').expect('ENOTDIR')]),
    kase('a missing middle component: ENOENT', [mkdir('a'), stat('a/b/c').expect('ENOENT'), creat('x', 'a/b/c').expect('ENOENT'), mkdir('a/b/c').expect('ENOENT')]),
    kase('names differing only in case are different', [writefile('Name', '1'), writefile('name', '2'), writefile('NAME', '3'), readdir('.'), readfile('name').expect({ value: '2' })]),
  ],
};
