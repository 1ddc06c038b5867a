// memfs with the kernel's writeback cache (writeback=on), against tmpfs: what the cache changes in
// the kernel (it takes writes into its page cache, owns size, mtime and ctime, computes O_APPEND
// offsets itself, writes mmap'ed pages back later) must leave the same files and stat results.
import { strict as assert } from 'node:assert';
import { Capability } from '../lib';
import { memfsBesideTmpfs, pyIn } from './memfs-beside-tmpfs';

const SCRIPT = `
import os, json, mmap, hashlib, time
def st(p):
    s = os.stat(p)
    return [s.st_size, s.st_blocks]
res = {}
a = os.open('app', os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)
b = os.open('app', os.O_WRONLY | os.O_APPEND)
for i in range(1000):
    os.write(a if i % 2 else b, b'%04d' % i)
res['appends, before close'] = os.fstat(a).st_size
os.close(a); os.close(b)
res['appends'] = [st('app'), hashlib.sha1(open('app', 'rb').read()).hexdigest()]
fd = os.open('mm', os.O_CREAT | os.O_RDWR, 0o644)
os.ftruncate(fd, 3 * 4096)
m0 = os.fstat(fd).st_mtime_ns
time.sleep(0.01)
end = time.monotonic() + 1  # the kernel stamps the mmap write from its coarse clock, which tickless idle can hold still
while time.clock_gettime_ns(5) <= m0 and time.monotonic() < end: time.sleep(0.001)
mm = mmap.mmap(fd, 3 * 4096)
mm[5000:5005] = b'hello'
mm[0:3] = b'abc'
mm.flush()
mm.close()
os.fsync(fd)
res['mmap'] = [os.fstat(fd).st_mtime_ns > m0, st('mm'), os.pread(fd, 5, 5000).decode(), os.pread(fd, 4, 0).hex()]
os.close(fd)
fd = os.open('grow', os.O_CREAT | os.O_RDWR, 0o644)
os.pwrite(fd, b'x' * 10, 100000)
os.ftruncate(fd, 50)
os.pwrite(fd, b'y', 60)
os.fsync(fd)
res['write, truncate, write'] = [st('grow'), os.pread(fd, 100, 0).hex()]
os.close(fd)
sv = os.statvfs('.')
res['statfs'] = [sv.f_bsize, sv.f_frsize, sv.f_namemax]
print(json.dumps(res))
`;

describe('memfs writeback=on against tmpfs', function () {
  this.timeout(60000);
  const mounts = memfsBesideTmpfs({ writeback: true });

  it('the kernel grants the writeback cache', () => {
    assert.ok(mounts().memfs.conn.want & Capability.writebackCache, 'writebackCache wanted');
  });

  it('O_APPEND from two descriptors, mmap writes and a truncate between writes end as on tmpfs', async () => {
    const { memfs, tmpfs } = mounts();
    const want = await pyIn(tmpfs.dir, SCRIPT);
    const got = await pyIn(memfs.dir, SCRIPT);
    assert.deepEqual(got, want);
    assert.deepEqual(memfs.errors, []);
  });
});
