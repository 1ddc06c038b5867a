# What the differential runners (test/diff/runner.py, test/overlay/runner.py) share: libc calls
# Python's os module lacks (renameat2, fallocate, getdents64, utimensat with UTIME_*, the xattr size
# probes), their constants, the test identities and how to become one, and the normalisation of
# errnos, file kinds and data.
import ctypes
import errno
import hashlib
import os
import stat
import time

CLOCK_REALTIME_COARSE = 5  # <linux/time.h>; Python's time module does not name it

libc = ctypes.CDLL(None, use_errno=True)
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
libc.syscall.restype = ctypes.c_long
for fn in ('getxattr', 'lgetxattr', 'listxattr', 'llistxattr', 'fgetxattr', 'flistxattr'):
    getattr(libc, fn).restype = ctypes.c_ssize_t
libc.lseek.restype = ctypes.c_long
libc.lseek.argtypes = [ctypes.c_int, ctypes.c_long, ctypes.c_int]
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]

AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW = 0x100
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
SYS_getdents64 = 217
SEEK = {'SET': 0, 'CUR': 1, 'END': 2, 'DATA': 3, 'HOLE': 4}
FALLOC = {'KEEP_SIZE': 1, 'PUNCH_HOLE': 2}
RENAME = {'NOREPLACE': 1, 'EXCHANGE': 2, 'WHITEOUT': 4}
XATTR = {'CREATE': 1, 'REPLACE': 2}
DT = {0: 'unknown', 1: 'fifo', 2: 'chr', 4: 'dir', 6: 'blk', 8: 'reg', 10: 'lnk', 12: 'sock'}
GAP = 0.006
HOUR_NS = 3600 * 10**9

IDENTITIES = {
    'root': (0, 0, []),
    'user': (1000, 1000, [1000, 1002]),
    'other': (1001, 1001, [1001]),
}


class Fail(Exception):
    def __init__(self, code):
        self.code = code


def errname(n):
    # ENOTSUP and EOPNOTSUPP are one number on Linux; Python names it ENOTSUP.
    return 'EOPNOTSUPP' if n == errno.EOPNOTSUPP else errno.errorcode.get(n, str(n))


def check(r):
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def become(name):
    uid, gid, groups = IDENTITIES[name]
    os.setresuid(0, 0, 0)
    os.setgroups(groups)
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, 0)


def kind(mode):
    for test, name in ((stat.S_ISREG, 'reg'), (stat.S_ISDIR, 'dir'), (stat.S_ISLNK, 'lnk'), (stat.S_ISFIFO, 'fifo'),
                       (stat.S_ISCHR, 'chr'), (stat.S_ISBLK, 'blk'), (stat.S_ISSOCK, 'sock')):
        if test(mode):
            return name
    return 'unknown'


def data_of(spec):
    if isinstance(spec, str):
        return spec.encode()
    if 'hex' in spec:
        return bytes.fromhex(spec['hex'])
    if 'fill' in spec:
        return bytes([spec['fill']]) * spec['len']
    if 'rand' in spec:
        out = bytearray()
        h = hashlib.sha256(str(spec['rand']).encode()).digest()
        while len(out) < spec['len']:
            out += h
            h = hashlib.sha256(h).digest()
        return bytes(out[:spec['len']])
    raise ValueError('bad data spec %r' % (spec,))


def show(b):
    """Bytes as a short comparable string: the text when short and printable, else length and hash."""
    if len(b) <= 64:
        if all(32 <= c < 127 for c in b):
            return b.decode()
        return 'hex:' + b.hex()
    return 'len=%d zeros=%d sha=%s' % (len(b), b.count(0), hashlib.sha256(b).hexdigest()[:16])


def getdents(fd, size):
    """One getdents64 call: [(name, d_off, type)], empty at the end of the directory."""
    buf = ctypes.create_string_buffer(size)
    n = check(libc.syscall(SYS_getdents64, fd, buf, size))
    out = []
    i = 0
    raw = buf.raw
    while i < n:
        off = int.from_bytes(raw[i + 8:i + 16], 'little', signed=True)
        reclen = int.from_bytes(raw[i + 16:i + 18], 'little')
        t = raw[i + 18]
        name = raw[i + 19:i + reclen].split(b'\0', 1)[0].decode('utf-8', 'surrogateescape')
        out.append((name, off, DT.get(t, str(t))))
        i += reclen
    return out


def coarse():
    return time.clock_gettime_ns(CLOCK_REALTIME_COARSE)


def coarse_past(t, limit=None):
    """Waits until the kernel's coarse clock reads later than `t` (at most `limit` seconds when given)
    and returns its reading."""
    deadline = None if limit is None else time.monotonic() + limit
    while coarse() <= t and (deadline is None or time.monotonic() < deadline):
        time.sleep(0.0005)
    return coarse()


def case_start(path):
    """When a case begins, on the kernel's coarse clock (the one that stamps files; it can lag
    time_ns() by a tick or more): the first reading later than every time of `path`, the case's
    directory made just before. So the directory's times read "old" and every time the kernel stamps
    during the case reads "new" (at or after this reading)."""
    st = os.stat(path)
    return coarse_past(max(st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns), 0.1)


class Pacer:
    """Spaces a case's mutating steps so that each change shows in the times it stamps. Waiting GAP
    seconds of monotonic time is not enough by itself: the kernel stamps tmpfs's times from its coarse
    clock, which only moves when a tick's timekeeping update runs, and on a loaded virtual machine that
    update can come late, so a step GAP after the previous one could still get the previous one's time
    ("same" where the FUSE side, stamped from its own clock, says "later"). So a mutating step also
    waits until the coarse clock moved past its reading taken after the previous mutation ended: the
    first update after that reading is later than every time the kernel handed out before it,
    fine-grained ones included (multigrain timestamps, Linux 6.13). The wait is bounded (0.5 s)."""

    def __init__(self):
        self.last_end = 0.0
        self.last_coarse = 0

    def before_mutation(self):
        wait = self.last_end + GAP - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        coarse_past(self.last_coarse, 0.5)

    def after_mutation(self):
        self.last_end = time.monotonic()
        self.last_coarse = coarse()


def next_tick():
    """Waits for the kernel's coarse clock to move (one jiffy, 4 ms here). Under the writeback cache
    the kernel stamps mtime and ctime itself, from that clock: FUSE has no multigrain timestamps,
    tmpfs has (Linux 6.13), so two changes within one tick are "later" on tmpfs and "same" on FUSE.
    A step that starts on a fresh tick sees its change as later on both. Bounded (0.5 s), as a clock
    stepped back would otherwise hold it until it passed its old reading."""
    coarse_past(coarse(), 0.5)
