// fallocate(FALLOC_FL_ZERO_RANGE) on memfs, differential against tmpfs. tmpfs on this kernel answers
// ZERO_RANGE with EOPNOTSUPP (shmem_fallocate takes KEEP_SIZE and PUNCH_HOLE only), so the reference
// is what tmpfs makes of the same range with PUNCH_HOLE then a plain fallocate (KEEP_SIZE as asked):
// the range reads as zeros, its pages stay allocated, the size grows unless KEEP_SIZE. Sizes,
// st_blocks, data, SEEK_DATA/SEEK_HOLE and the errors of the other modes must be the same.
import { strict as assert } from 'node:assert';
import { PY_ERRNO, sh } from './helpers';
import { memfsBesideTmpfs, pyIn } from './memfs-beside-tmpfs';

/** The cases; `zr(fd, keep, off, n)` is the zero range under test, `fa` a plain fallocate. */
const CASES = `
import os, sys, json, ctypes, hashlib, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
${PY_ERRNO}def fa(fd, mode, off, n):
    if libc.fallocate(fd, mode, off, n) < 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
def zr(fd, keep, off, n):
    if sys.argv[1] == 'emulate':
        fa(fd, 3, off, n); fa(fd, 1 if keep else 0, off, n)
    else:
        fa(fd, 16 | (1 if keep else 0), off, n)
def seeks(fd):
    return [E(os.lseek, fd, off, w) for off in (0, 4096, 8192, 12288, 20000) for w in (os.SEEK_DATA, os.SEEK_HOLE)]
def state(fd):
    s = os.fstat(fd)
    return [s.st_size, s.st_blocks, hashlib.sha1(os.pread(fd, s.st_size + 10, 0)).hexdigest(), seeks(fd)]
def fresh(name, data=b'', at=0):
    fd = os.open(name, os.O_CREAT | os.O_RDWR, 0o644)
    if data: os.pwrite(fd, data, at)
    return fd
res = {}
fd = fresh('inside', b'z' * 20000); zr(fd, True, 100, 9000); res['inside, KEEP_SIZE'] = state(fd)
fd = fresh('inside0', b'z' * 20000); zr(fd, False, 100, 9000); res['inside, no KEEP_SIZE'] = state(fd)
fd = fresh('grow', b'abc'); zr(fd, False, 2, 10000); res['past the end grows the size'] = state(fd)
fd = fresh('keep', b'abc'); zr(fd, True, 2, 10000); res['past the end with KEEP_SIZE keeps it'] = state(fd)
fd = fresh('hole', b'x', 30000); zr(fd, False, 4096, 8192); res['over a hole'] = state(fd)
fd = fresh('empty'); zr(fd, False, 0, 16384); res['an empty file'] = state(fd)
fd = fresh('twice', b'q' * 12288); zr(fd, True, 0, 8192); zr(fd, True, 4096, 8192); res['twice over'] = state(fd)
m0 = os.fstat(fd).st_mtime_ns; zr(fd, True, 0, 1); res['moves mtime'] = os.fstat(fd).st_mtime_ns > m0
fd = fresh('modes', b'm' * 8192)
res['other modes'] = [E(fa, fd, 16 | 2, 0, 4096), E(fa, fd, 8, 0, 4096), E(fa, fd, 32, 0, 4096), E(fa, fd, 16, 0, 0)]
ro = os.open('modes', os.O_RDONLY); res['read-only descriptor'] = E(fa, ro, 16, 0, 4096)
res['after'] = state(fd)
print(json.dumps(res))
`;

describe('memfs: fallocate ZERO_RANGE against tmpfs', function () {
  this.timeout(60000);
  const mounts = memfsBesideTmpfs();

  it('tmpfs itself answers ZERO_RANGE with EOPNOTSUPP (the reason for the emulated reference)', async () => {
    const r = await pyIn(mounts().tmpfs.dir, 'import os, ctypes, json\nlibc = ctypes.CDLL(None, use_errno=True)\n'
      + "fd = os.open('probe', os.O_CREAT | os.O_RDWR, 0o644)\n"
      + 'print(json.dumps({"rc": libc.fallocate(fd, 16, 0, 4096), "eopnotsupp": ctypes.get_errno() == 95}))');
    assert.deepEqual(r, { rc: -1, eopnotsupp: true });
  });

  it('memfs ZERO_RANGE leaves each file as tmpfs leaves it after PUNCH_HOLE + fallocate', async () => {
    const { memfs, tmpfs } = mounts();
    const want = await pyIn(tmpfs.dir, CASES, ['emulate']);
    const got = await pyIn(memfs.dir, CASES, ['zero']);
    assert.deepEqual(got, want);
    assert.deepEqual(want['other modes'], ['EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP', 'EINVAL']);
    assert.equal(want['moves mtime'], true);
    assert.deepEqual(memfs.errors, []);
  });

  it('the same as uid 1000, in a directory of its own', async () => {
    const { memfs, tmpfs } = mounts();
    const dirs = [`${tmpfs.dir}/u1000`, `${memfs.dir}/u1000`];
    const mk = await sh('timeout', ['10', 'install', '-d', '-o', '1000', '-g', '1000', ...dirs]);  // a child: this thread serves memfs
    assert.equal(mk.code, 0, mk.stderr);
    const want = await pyIn(dirs[0], CASES, ['emulate'], 1000);
    const got = await pyIn(dirs[1], CASES, ['zero'], 1000);
    assert.deepEqual(got, want);
    assert.deepEqual(want['other modes'], ['EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP', 'EINVAL']);
    assert.deepEqual(memfs.errors, []);
  });
});
