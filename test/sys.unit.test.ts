// lib/sys.ts against a temporary directory, without FUSE: each wrapper makes the syscall it names,
// fd-relative forms on O_PATH handles act on the handle's own object (a symlink's handle: the
// symlink, never its target), errors are FuseErrors with the errno and the syscall's name, and bad
// arguments are TypeErrors, never a crash.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FuseError, sys } from '../lib';
import { native } from '../lib/native';

const { AT, O, RENAME, FALLOC_FL, SEEK, XATTR, ACCESS, DT, EMPTY } = sys;

function fails(fn: () => unknown, code: string, call?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FuseError, `expected a FuseError, got ${String(e)}`);
    assert.equal(e.errno, os.constants.errno[code as keyof typeof os.constants.errno], `${e.code}, expected ${code}`);
    if (call) assert.equal(e.message, `${call}: ${e.code}`);
    return true;
  });
}

describe('sys: fd-relative syscalls (no FUSE)', function () {
  let base: string;
  let dir: number;
  const fds: number[] = [];
  const track = (fd: number): number => {
    fds.push(fd);
    return fd;
  };
  const p = (...names: string[]): string => path.join(base, ...names);

  beforeEach(function () {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-sys-'));
    dir = track(sys.openat(AT.FDCWD, base, O.PATH | O.DIRECTORY));
  });

  afterEach(function () {
    for (const fd of fds.splice(0)) {
      try {
        sys.close(fd);
      } catch {
        // closed by the test
      }
    }
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('fstatat describes a file as lstat does, with exact times and an identity key shared by hard links', function () {
    fs.writeFileSync(p('f'), 'hello');
    fs.linkSync(p('f'), p('g'));
    fs.chmodSync(p('f'), 0o640);
    const st = sys.fstatat(dir, 'f');
    const ref = fs.lstatSync(p('f'), { bigint: true });
    assert.equal(st.ino, Number(ref.ino));
    assert.equal(st.dev, Number(ref.dev));
    assert.equal(st.mode, Number(ref.mode));
    assert.equal(st.nlink, 2);
    assert.equal(st.size, 5);
    assert.equal(st.uid, Number(ref.uid));
    assert.equal(st.blksize, Number(ref.blksize));
    assert.equal(st.blocks, Number(ref.blocks));
    assert.equal(BigInt(st.mtime.sec) * 1000000000n + BigInt(st.mtime.nsec), ref.mtimeNs);
    assert.equal(BigInt(st.ctime.sec) * 1000000000n + BigInt(st.ctime.nsec), ref.ctimeNs);
    assert.equal(st.key, `${ref.dev}:${ref.ino}`);
    assert.equal(sys.fstatat(dir, 'g').key, st.key);
    fs.writeFileSync(p('h'), '');
    assert.notEqual(sys.fstatat(dir, 'h').key, st.key);
  });

  it('statx gives fstatat\'s fields plus the birth time, the mask and the attribute bits; on a handle and by name', function () {
    fs.writeFileSync(p('f'), 'hello');
    const ref = fs.lstatSync(p('f'), { bigint: true });
    const h = track(sys.openPath(dir, 'f'));
    for (const sx of [sys.statx(dir, 'f'), sys.statx(h, EMPTY)]) {
      const st = sys.fstatat(dir, 'f');
      assert.deepEqual({ ...sx, btime: undefined, mask: 0, attributes: 0, attributesMask: 0 }, { ...st, btime: undefined, mask: 0, attributes: 0, attributesMask: 0 });
      assert.ok(sx.mask & 0x800, 'this source (/tmp) has birth times');
      assert.equal(BigInt(sx.btime!.sec) * 1000000000n + BigInt(sx.btime!.nsec), ref.birthtimeNs);
      assert.equal(typeof sx.attributesMask, 'number');
    }
    assert.equal(sys.statx(dir, 'f', AT.SYMLINK_NOFOLLOW, 0x1).size, 5);  // the kernel may give more than asked
    fails(() => sys.statx(dir, 'missing'), 'ENOENT', 'statx');
    assert.throws(() => sys.statx(dir, 'f', 0, -1), TypeError);
  });

  it('a symlink is described, not followed, unless asked; its O_PATH handle is the symlink', function () {
    fs.writeFileSync(p('target'), 'x'.repeat(10));
    fs.symlinkSync('target', p('link'));
    assert.equal(sys.fstatat(dir, 'link').mode & fs.constants.S_IFMT, fs.constants.S_IFLNK);
    assert.equal(sys.fstatat(dir, 'link', 0).size, 10);
    const h = track(sys.openPath(dir, 'link'));
    assert.equal(sys.fstat(h).mode & fs.constants.S_IFMT, fs.constants.S_IFLNK);
    assert.deepEqual(sys.readlinkat(h), Buffer.from('target'));
    assert.deepEqual(sys.readlinkat(dir, 'link'), Buffer.from('target'));
  });

  it('errors are FuseErrors carrying the errno and the syscall name', function () {
    fails(() => sys.openat(dir, 'missing', O.RDONLY), 'ENOENT', 'openat');
    fails(() => sys.fstatat(dir, 'missing'), 'ENOENT', 'fstatat');
    fails(() => sys.mkdirat(dir, '.', 0o755), 'EEXIST', 'mkdirat');
    fails(() => sys.unlinkat(dir, 'missing'), 'ENOENT', 'unlinkat');
    fails(() => sys.openat(dir, Buffer.from('a\0b'), O.RDONLY), 'EINVAL');
    fails(() => sys.fstatat(dir, 'x'.repeat(256)), 'ENAMETOOLONG');
    const fd = sys.dup(dir);
    sys.close(fd);
    fails(() => sys.close(fd), 'EBADF', 'close');
    const ro = track(sys.openat(dir, '.', O.RDONLY | O.DIRECTORY));
    fails(() => sys.pwrite(ro, Buffer.from('x'), 0), 'EBADF', 'pwrite');
  });

  it('invalid arguments are TypeErrors from TS and from the addon, for every native function', function () {
    assert.throws(() => sys.openat(-5, 'x', 0), TypeError);
    assert.throws(() => sys.fstatat(1.5, 'x'), TypeError);
    assert.throws(() => sys.mkdirat(dir, 42 as unknown as string, 0o755), TypeError);
    assert.throws(() => sys.ftruncate(dir, -1), TypeError);
    assert.throws(() => sys.utimensat(dir, EMPTY, { sec: 1, nsec: 1e9 }, 'omit'), TypeError);
    const raw = (native() as unknown as { sys: Record<string, unknown> }).sys;
    const garbage: unknown[][] = [[], ['x'], [{}, {}, {}, {}, {}, {}, {}], [-7, null, -1, 'a', 2 ** 60, NaN, Infinity], [1.5, new Uint16Array(2), 1, 1]];
    let checked = 0;
    for (const [name, fn] of Object.entries(raw)) {
      if (typeof fn !== 'function' || name === 'credsPop' || name === 'mallocTrim') continue;  // no arguments to check
      for (const args of garbage) {
        assert.throws(() => (fn as (...a: unknown[]) => unknown)(...args), TypeError, `${name}(${args.map(String).join(', ')})`);
      }
      checked++;
    }
    assert.ok(checked >= 27, `checked ${checked} functions`);
  });

  it('platform constants come from the addon and agree with Node where Node has them', function () {
    const k = fs.constants;
    assert.equal(O.NOFOLLOW, k.O_NOFOLLOW);
    assert.equal(O.DIRECTORY, k.O_DIRECTORY);
    assert.equal(O.CREAT, k.O_CREAT);
    assert.equal(O.APPEND, k.O_APPEND);
    assert.equal(ACCESS.W_OK, k.W_OK);
    assert.ok(O.PATH > 0 && (O.PATH & (O.PATH - 1)) === 0, 'O_PATH is one bit');
    assert.equal(SEEK.DATA, 3);
    assert.equal(SEEK.HOLE, 4);
    assert.equal(RENAME.NOREPLACE, 1);
    assert.equal(AT.FDCWD, -100);
  });

  it('mkdirat, mknodat (a FIFO), symlinkat with non-UTF-8 target bytes, unlinkat with AT_REMOVEDIR', function () {
    sys.mkdirat(dir, 'd', 0o750);
    assert.equal(fs.statSync(p('d')).mode & 0o7777, 0o750 & ~process.umask());
    sys.mknodat(dir, 'fifo', fs.constants.S_IFIFO | 0o640);
    assert.ok(fs.lstatSync(p('fifo')).isFIFO());
    const target = Buffer.from([0xff, 0xfe, 0x2f, 0x61, 0x80]);
    sys.symlinkat(target, dir, Buffer.from([0xe9, 0x6c]));
    assert.deepEqual(sys.readlinkat(dir, Buffer.from([0xe9, 0x6c])), target);
    fails(() => sys.unlinkat(dir, 'd'), 'EISDIR');
    sys.unlinkat(dir, 'd', AT.REMOVEDIR);
    sys.unlinkat(dir, 'fifo');
    assert.ok(!fs.existsSync(p('d')) && !fs.existsSync(p('fifo')));
    const long = Buffer.alloc(5000, 0x61);
    sys.symlinkat(long.subarray(0, 4095), dir, 'longlink');
    assert.equal(sys.readlinkat(dir, 'longlink').length, 4095);
  });

  it('renameat2: plain, NOREPLACE refuses, EXCHANGE swaps, WHITEOUT leaves a 0/0 character device', function () {
    fs.writeFileSync(p('a'), 'A');
    fs.writeFileSync(p('b'), 'B');
    fails(() => sys.renameat2(dir, 'a', dir, 'b', RENAME.NOREPLACE), 'EEXIST', 'renameat2');
    sys.renameat2(dir, 'a', dir, 'b', RENAME.EXCHANGE);
    assert.equal(fs.readFileSync(p('a'), 'utf8'), 'B');
    assert.equal(fs.readFileSync(p('b'), 'utf8'), 'A');
    sys.renameat2(dir, 'a', dir, 'c');
    assert.ok(!fs.existsSync(p('a')));
    sys.renameat2(dir, 'c', dir, 'w', RENAME.WHITEOUT);
    const wh = fs.lstatSync(p('c'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
  });

  it('linkat from an O_PATH handle links the object itself, also a symlink (never its target)', function () {
    fs.writeFileSync(p('f'), 'data');
    const h = track(sys.openPath(dir, 'f'));
    sys.linkat(h, EMPTY, dir, 'f2');
    assert.equal(fs.statSync(p('f')).nlink, 2);
    fs.symlinkSync('f', p('l'));
    const lh = track(sys.openPath(dir, 'l'));
    sys.linkat(lh, EMPTY, dir, 'l2');
    assert.ok(fs.lstatSync(p('l2')).isSymbolicLink());
    assert.equal(fs.lstatSync(p('l')).nlink, 2);
    assert.equal(fs.statSync(p('f')).nlink, 2);
    sys.linkat(dir, 'f', dir, 'f3');
    assert.equal(fs.statSync(p('f')).nlink, 3);
  });

  it('chmod, chown and utimens through a symlink handle change the symlink; the target stays as it was', function () {
    fs.mkdirSync(p('outside'));
    fs.writeFileSync(p('outside', 't'), 'secret');
    fs.utimesSync(p('outside', 't'), 1000, 1000);
    const targetMode = fs.statSync(p('outside', 't')).mode;
    fs.symlinkSync('outside/t', p('l'));
    const lh = track(sys.openPath(dir, 'l'));
    fails(() => sys.fchmodat(lh, EMPTY, 0o600), 'EOPNOTSUPP', 'fchmodat');
    sys.fchownat(lh, EMPTY, 4321, 8765);
    sys.utimensat(lh, EMPTY, { sec: 5000, nsec: 123 }, { sec: 6000, nsec: 456789 });
    const l = fs.lstatSync(p('l'), { bigint: true });
    assert.equal(l.uid, 4321n);
    assert.equal(l.gid, 8765n);
    assert.equal(l.mtimeNs, 6000000456789n);
    assert.equal(l.atimeNs, 5000000000123n);
    const t = fs.statSync(p('outside', 't'));
    assert.equal(t.uid, 0);
    assert.equal(t.mode, targetMode);
    assert.equal(t.mtimeMs, 1000000);
  });

  it('chmod, chown, utimens (ns, now, omit) and truncate on an O_PATH handle of a file', function () {
    fs.writeFileSync(p('f'), 'abcdef');
    const h = track(sys.openPath(dir, 'f'));
    sys.fchmodat(h, EMPTY, 0o4710);
    assert.equal(fs.statSync(p('f')).mode & 0o7777, 0o4710);
    sys.fchownat(h, EMPTY, 11, -1);
    assert.equal(fs.statSync(p('f')).uid, 11);
    assert.equal(fs.statSync(p('f')).gid, 0);
    sys.utimensat(h, EMPTY, { sec: 100, nsec: 1 }, { sec: 200, nsec: 999999999 });
    let s = fs.statSync(p('f'), { bigint: true });
    assert.equal(s.atimeNs, 100000000001n);
    assert.equal(s.mtimeNs, 200999999999n);
    const before = Date.now();
    sys.utimensat(h, EMPTY, 'omit', 'now');
    s = fs.statSync(p('f'), { bigint: true });
    assert.equal(s.atimeNs, 100000000001n);
    assert.ok(Number(s.mtimeNs / 1000000n) >= before - 1000);
    sys.truncate(h, EMPTY, 2);
    assert.equal(fs.readFileSync(p('f'), 'utf8'), 'ab');
    sys.truncate(dir, 'f', 4);
    assert.deepEqual(fs.readFileSync(p('f')), Buffer.from('ab\0\0'));
    fs.symlinkSync('f', p('l'));
    fails(() => sys.truncate(dir, 'l', 0), 'ELOOP');
    const w = track(sys.reopen(h, O.WRONLY));
    sys.ftruncate(w, 1);
    assert.equal(fs.statSync(p('f')).size, 1);
  });

  it('reopen turns an O_PATH handle into an open file, refuses a symlink, and O_NOFOLLOW creation refuses one', function () {
    fs.writeFileSync(p('f'), 'content');
    const h = track(sys.openPath(dir, 'f'));
    const r = track(sys.reopen(h, O.RDONLY));
    const buf = Buffer.alloc(16);
    assert.equal(sys.pread(r, buf, 2), 5);
    assert.equal(buf.subarray(0, 5).toString(), 'ntent');
    fs.symlinkSync(p('nothere'), p('l'));
    const lh = track(sys.openPath(dir, 'l'));
    fails(() => sys.reopen(lh, O.RDONLY), 'ELOOP');
    fails(() => sys.openat(dir, 'l', O.CREAT | O.WRONLY | O.NOFOLLOW, 0o644), 'ELOOP');
    assert.ok(!fs.existsSync(p('nothere')));
    const w = track(sys.openat(dir, 'new', O.CREAT | O.EXCL | O.RDWR, 0o600));
    assert.equal(sys.pwrite(w, Buffer.from('xyz'), 10), 3);
    sys.fsync(w);
    sys.fsync(w, true);
    assert.equal(fs.statSync(p('new')).size, 13);
    const info = fs.readFileSync(`/proc/self/fdinfo/${w}`, 'utf8');
    assert.ok((parseInt(/flags:\s+(\d+)/.exec(info)![1], 8) & O.CLOEXEC) !== 0, 'opened close-on-exec');
  });

  it('fallocate PUNCH_HOLE and KEEP_SIZE, lseek SEEK_DATA/SEEK_HOLE, copyFileRange', function () {
    const w = track(sys.openat(dir, 'sparse', O.CREAT | O.RDWR, 0o644));
    sys.pwrite(w, Buffer.alloc(1 << 20, 1), 0);
    sys.fsync(w);
    sys.fallocate(w, FALLOC_FL.PUNCH_HOLE | FALLOC_FL.KEEP_SIZE, 0, 512 * 1024);
    assert.equal(fs.statSync(p('sparse')).size, 1 << 20);
    assert.equal(sys.lseek(w, 0, SEEK.DATA), 512 * 1024);
    assert.equal(sys.lseek(w, 0, SEEK.HOLE), 0);
    assert.equal(sys.lseek(w, 512 * 1024, SEEK.HOLE), 1 << 20);
    fails(() => sys.lseek(w, 1 << 20, SEEK.DATA), 'ENXIO', 'lseek');
    sys.fallocate(w, FALLOC_FL.KEEP_SIZE, 1 << 20, 4096);
    assert.equal(fs.statSync(p('sparse')).size, 1 << 20);
    sys.fallocate(w, 0, 1 << 20, 4096);
    assert.equal(fs.statSync(p('sparse')).size, (1 << 20) + 4096);
    const out = track(sys.openat(dir, 'copy', O.CREAT | O.RDWR, 0o644));
    let copied = 0;
    while (copied < 4096) copied += sys.copyFileRange(w, 512 * 1024 + copied, out, 100 + copied, 4096 - copied);
    const got = fs.readFileSync(p('copy'));
    assert.equal(got.length, 4196);
    assert.ok(got.subarray(100).every((b) => b === 1));
    assert.ok(got.subarray(0, 100).every((b) => b === 0));
  });

  it('xattrs on a handle: set/get/list/remove, size probes, ERANGE, CREATE and REPLACE', function () {
    fs.writeFileSync(p('f'), '');
    const h = track(sys.openPath(dir, 'f'));
    const value = Buffer.from([0, 1, 2, 255, 0]);
    sys.setxattr(h, EMPTY, 'user.bin', value);
    sys.setxattr(h, EMPTY, Buffer.from('user.\xe9', 'latin1'), Buffer.alloc(0));
    assert.deepEqual(sys.getxattr(h, EMPTY, 'user.bin'), value);
    assert.equal(sys.getxattrSize(h, EMPTY, 'user.bin'), 5);
    assert.deepEqual(sys.getxattr(h, EMPTY, Buffer.from('user.\xe9', 'latin1')), Buffer.alloc(0));
    fails(() => sys.getxattr(h, EMPTY, 'user.bin', 4), 'ERANGE', 'getxattr');
    assert.deepEqual(sys.getxattr(h, EMPTY, 'user.bin', 5), value);
    const names = sys.listxattr(h, EMPTY).map((n) => n.toString('latin1')).sort();
    assert.deepEqual(names, ['user.bin', 'user.\xe9']);
    assert.equal(sys.listxattrSize(h, EMPTY), 'user.bin\0user.\xe9\0'.length);
    fails(() => sys.listxattr(h, EMPTY, 3), 'ERANGE', 'listxattr');
    fails(() => sys.setxattr(h, EMPTY, 'user.bin', value, XATTR.CREATE), 'EEXIST');
    fails(() => sys.setxattr(h, EMPTY, 'user.none', value, XATTR.REPLACE), 'ENODATA');
    sys.removexattr(h, EMPTY, 'user.bin');
    fails(() => sys.getxattr(h, EMPTY, 'user.bin'), 'ENODATA', 'getxattr');
    // relative to a directory handle, by name; an absolute path with AT_FDCWD
    sys.setxattr(dir, 'f', 'user.rel', Buffer.from('r'));
    assert.deepEqual(sys.getxattr(AT.FDCWD, p('f'), 'user.rel'), Buffer.from('r'));
  });

  it('xattrs of a symlink handle, or of a symlink by name, are the symlink\'s (trusted.*), never the target\'s', function () {
    fs.writeFileSync(p('t'), '');
    fs.symlinkSync('t', p('l'));
    const lh = track(sys.openPath(dir, 'l'));
    sys.setxattr(lh, EMPTY, 'trusted.a', Buffer.from('1'));
    sys.setxattr(dir, 'l', 'trusted.b', Buffer.from('2'));
    assert.deepEqual(sys.listxattr(lh, EMPTY).map(String).sort(), ['trusted.a', 'trusted.b']);
    assert.deepEqual(sys.listxattr(dir, 't'), []);
    fails(() => sys.getxattr(dir, 't', 'trusted.a'), 'ENODATA');
  });

  it('getdents lists names with types; each entry\'s d_off resumes right after it', function () {
    const names = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const n = `file-${i}-${'x'.repeat(i % 40)}`;
      fs.writeFileSync(p(n), '');
      names.add(n);
    }
    fs.mkdirSync(p('sub'));
    fs.symlinkSync('sub', p('lnk'));
    names.add('sub').add('lnk');
    const d = track(sys.openat(dir, '.', O.RDONLY | O.DIRECTORY));
    const all: sys.DirEntry[] = [];
    for (let batch = sys.getdents(d, 600); batch.length > 0; batch = sys.getdents(d, 600)) all.push(...batch);
    const seen = all.map((e) => e.name.toString());
    assert.deepEqual(new Set(seen), new Set([...names, '.', '..']));
    assert.equal(seen.length, names.size + 2);
    const byName = new Map(all.map((e) => [e.name.toString(), e]));
    assert.equal(byName.get('sub')!.type, DT.DIR);
    assert.equal(byName.get('lnk')!.type, DT.LNK);
    assert.equal(byName.get('file-1-x')!.type, DT.REG);
    assert.equal(byName.get('file-1-x')!.ino, fs.statSync(p('file-1-x')).ino);
    assert.equal(typeof all[0].off, 'bigint');
    for (const k of [0, 57, 150, all.length - 2]) {
      sys.lseek(d, all[k].off, SEEK.SET);
      assert.equal(sys.getdents(d, 600)[0].name.toString(), seen[k + 1], `resume after entry ${k}`);
    }
    sys.lseek(d, all[all.length - 1].off, SEEK.SET);
    assert.deepEqual(sys.getdents(d), []);
    fails(() => sys.getdents(dir), 'EBADF', 'getdents');
  });

  it('fstatvfs matches statfs; faccessat checks the real ids by default', function () {
    const v = sys.fstatvfs(dir);
    const ref = fs.statfsSync(base);
    assert.equal(v.bsize, ref.bsize);
    assert.equal(v.blocks, ref.blocks);
    assert.equal(v.files, ref.files);
    assert.equal(v.namemax, 255);
    fs.writeFileSync(p('x'), '');
    fs.chmodSync(p('x'), 0o600);
    sys.faccessat(dir, 'x', ACCESS.R_OK | ACCESS.W_OK);
    fails(() => sys.faccessat(dir, 'missing', ACCESS.F_OK), 'ENOENT', 'faccessat');
  });

  describe('asUser (needs root)', function () {
    before(function () {
      if (process.geteuid?.() !== 0) this.skip();
    });

    it('creates objects owned by the caller; a setgid directory gives its group; ids come back afterwards', function () {
      fs.chmodSync(base, 0o777);
      sys.asUser({ uid: 65534, gid: 65534, groups: [] }, () => {
        sys.mkdirat(dir, 'd', 0o755);
        sys.close(sys.openat(dir, 'f', O.CREAT | O.WRONLY, 0o640));
        sys.symlinkat('f', dir, 'l');
      });
      for (const n of ['d', 'f', 'l']) {
        const s = fs.lstatSync(p(n));
        assert.deepEqual([s.uid, s.gid], [65534, 65534], n);
      }
      fs.mkdirSync(p('sg'));
      fs.chownSync(p('sg'), 0, 4242);
      fs.chmodSync(p('sg'), 0o2777);
      const sg = track(sys.openPath(dir, 'sg'));
      sys.asUser({ uid: 65534, gid: 65534, groups: [] }, () => sys.mkdirat(sg, 'in', 0o755));
      const s = fs.statSync(p('sg', 'in'));
      assert.deepEqual([s.uid, s.gid, s.mode & 0o2000], [65534, 4242, 0o2000]);
      sys.mkdirat(dir, 'mine', 0o755);
      assert.equal(fs.statSync(p('mine')).uid, 0);
    });

    it('the source checks permissions as the caller, with its supplementary groups; a throw restores the ids', function () {
      fs.mkdirSync(p('closed'), 0o755);
      const closed = track(sys.openPath(dir, 'closed'));
      const user = { uid: 65534, gid: 65534, groups: [] };
      fails(() => sys.asUser(user, () => sys.mkdirat(closed, 'x', 0o755)), 'EACCES', 'mkdirat');
      sys.mkdirat(closed, 'x', 0o755);  // root again
      fs.mkdirSync(p('group'));
      fs.chownSync(p('group'), 0, 4242);
      fs.chmodSync(p('group'), 0o770);
      const group = track(sys.openPath(dir, 'group'));
      fails(() => sys.asUser(user, () => sys.mkdirat(group, 'y', 0o755)), 'EACCES');
      sys.asUser({ ...user, groups: [4242] }, () => sys.mkdirat(group, 'y', 0o755));
      assert.equal(fs.statSync(p('group', 'y')).uid, 65534);
      fs.writeFileSync(p('secret'), '');
      fs.chmodSync(p('secret'), 0o600);
      const sh = track(sys.openPath(dir, 'secret'));
      fails(() => sys.asUser(user, () => sys.faccessat(sh, EMPTY, ACCESS.R_OK, AT.EACCESS)), 'EACCES', 'faccessat');
      sys.faccessat(sh, EMPTY, ACCESS.R_OK, AT.EACCESS);
      assert.throws(() => sys.asUser(user, () => {
        throw new Error('boom');
      }), /boom/);
      sys.mkdirat(closed, 'z', 0o755);
      assert.equal(fs.statSync(p('closed', 'z')).uid, 0);
    });
  });
});

describe('sys: kernel file handles and the fd limit (no FUSE)', function () {
  let base: string;
  let mountFd: number;

  beforeEach(function () {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-sysfh-'));
    mountFd = sys.openat(AT.FDCWD, base, O.RDONLY | O.DIRECTORY);
  });

  afterEach(function () {
    sys.close(mountFd);
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('a handle reopens exactly its object (a symlink as the symlink) and is stale once the object is deleted', function () {
    fs.writeFileSync(path.join(base, 'f'), 'x');
    fs.symlinkSync('f', path.join(base, 'l'));
    for (const name of ['f', 'l']) {
      const fd = sys.openPath(mountFd, name);
      const h = sys.nameToHandleAt(fd, EMPTY, AT.EMPTY_PATH);
      assert.ok(h.handle.length > 4 && Number.isSafeInteger(h.mountId) && h.mountId > 0);
      assert.deepEqual(sys.nameToHandleAt(mountFd, name, 0), h, 'by name (a final symlink not followed) or by fd: one handle');
      const again = sys.openByHandleAt(mountFd, h.handle, O.PATH | O.NOFOLLOW);
      assert.equal(sys.fstat(again).key, sys.fstat(fd).key);
      sys.close(again);
      sys.close(fd);
    }
    const h = sys.nameToHandleAt(mountFd, 'f');
    fs.unlinkSync(path.join(base, 'f'));
    fails(() => sys.openByHandleAt(mountFd, h.handle, O.PATH), 'ESTALE', 'openByHandleAt');
    const pathFd = sys.openat(AT.FDCWD, base, O.PATH | O.DIRECTORY);
    fails(() => sys.openByHandleAt(pathFd, sys.nameToHandleAt(mountFd, 'l').handle, O.PATH), 'EBADF');  // an O_PATH mount fd
    sys.close(pathFd);
    assert.throws(() => sys.openByHandleAt(mountFd, Buffer.alloc(3), O.PATH), TypeError);
    assert.throws(() => sys.openByHandleAt(mountFd, Buffer.alloc(4 + 129), O.PATH), TypeError);
    fails(() => sys.openByHandleAt(mountFd, Buffer.alloc(12), O.PATH), 'ESTALE');  // garbage bytes: no crash
    fails(() => sys.nameToHandleAt(mountFd, 'missing'), 'ENOENT', 'nameToHandleAt');
    fails(() => sys.nameToHandleAt(mountFd, EMPTY, 0x4000000), 'EINVAL');
  });

  it('nofileLimit reads RLIMIT_NOFILE; raiseNofileLimit leaves soft = hard', function () {
    const before = sys.nofileLimit();
    assert.ok(before.soft > 0 && before.soft <= before.hard);
    const after = sys.raiseNofileLimit();
    assert.equal(after.soft, after.hard);
    assert.deepEqual(sys.nofileLimit(), after);
  });
});
