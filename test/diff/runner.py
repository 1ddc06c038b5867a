#!/usr/bin/python3
# The client side of the differential tests: runs scripted syscalls under a root directory and
# prints normalised JSON results, so that two filesystems can be compared line by line.
#
#   runner.py <base-dir> <root|user> [--times]
#
# It starts as root, makes <base-dir>/<identity> (owned by that identity), then reads JSON requests
# on stdin, one a line, and answers each with one JSON line:
#   {"cmd": "case", "name": N, "steps": [...]}  fresh directory N, run the steps, clean up
#   {"cmd": "begin", "name": N} / {"cmd": "steps", "steps": [...]} / {"cmd": "end"}  the same, in parts
#
# Each step is {"op": ..., args..., "as": "root"|"user"|"other"} (default: the run's identity) and
# answers {"ok": value} or {"err": "ENOENT"}. The process keeps saved uid 0 (setresuid(u, u, 0)) so a
# step can act as another user; permission checks use the effective ids and capabilities, which are
# dropped for real whenever the effective uid is not 0.
#
# Normalisation, so that two filesystems give equal results:
#  - inode numbers become labels "i0", "i1", ... in order of first observation in the case; every
#    inode observed is pinned with an O_PATH descriptor until the case ends, so its number cannot be
#    reused by a new inode meanwhile;
#  - times set explicitly (more than an hour away from now) are given exactly, "sec.nsec"; other times
#    as their relation to the previous observation of the same inode's same time: "new" (first seen,
#    after the case began), "old" (before), "same", "later", "earlier". With --times a mutating step
#    waits until GAP seconds passed since the previous one and the kernel's coarse clock moved on
#    (syscalls.Pacer), so each change is visible at the filesystems' granularity (tmpfs: a 4 ms
#    jiffy; JS clocks: 1 ms). Without --times, recent times are "recent" and there is no wait;
#  - statfs gives the block size and name length, and the change of every count since the previous
#    statfs of the case, once the counts settled (see op_statfs);
#  - directory sizes are left out (tmpfs counts 20 bytes an entry; any filesystem may differ);
#  - times the kernel changes on tmpfs but need not tell a FUSE filesystem about are "unknown" from
#    then on (see Case.untimed): a regular file's atime after a read through a descriptor (page
#    cache) or an empty read, a FIFO's times after I/O through it. Reads of whole files just opened
#    (readfile) keep atime checked.
import ctypes
import json
import os
import resource
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from syscalls import (  # noqa: E402
    AT_FDCWD, AT_SYMLINK_NOFOLLOW, FALLOC, GAP, HOUR_NS, IDENTITIES, RENAME, SEEK, Pacer,
    UTIME_NOW, UTIME_OMIT, XATTR, Fail, become, case_start, check, data_of, errname, getdents, kind, libc, next_tick, show,
)

OBSERVERS = {'stat', 'lstat', 'fstat', 'statfs', 'getxattr', 'listxattr', 'access'}
SETTLE_READS = 4
SETTLE_GAP = 0.02


class Case:
    def __init__(self, run, name):
        self.run = run
        self.name = name
        self.fds = {}
        self.pins = {}
        self.labels = {}
        self.times = {}
        self.statfs_prev = None
        self.unknown = {}
        self.pace = Pacer()
        become(run.identity)
        os.chdir(run.home)
        os.mkdir(name)
        os.chmod(name, 0o755)
        os.chdir(name)
        self.t0 = case_start('.')
        if run.times:
            time.sleep(GAP)

    def close(self):
        for fd in list(self.fds.values()) + list(self.pins.values()):
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds.clear()
        self.pins.clear()
        become(self.run.identity)
        os.umask(0o022)
        os.chdir(self.run.home)

    # -- normalisation --

    def label(self, ino, path=None, fd=None, follow=False):
        if ino not in self.labels:
            self.labels[ino] = 'i%d' % len(self.labels)
        if ino not in self.pins:
            try:
                if fd is not None:
                    pin = os.open('/proc/self/fd/%d' % fd, os.O_PATH)
                else:
                    pin = os.open(path, os.O_PATH | (0 if follow else os.O_NOFOLLOW))
                if os.fstat(pin).st_ino == ino:
                    self.pins[ino] = pin
                else:
                    os.close(pin)
            except OSError:
                pass
        return self.labels[ino]

    def when(self, label, field, ns):
        if abs(ns - time.time_ns()) > HOUR_NS:
            return '%d.%09d' % divmod(ns, 10**9)
        if not self.run.times:
            return 'recent'
        key = (label, field)
        prev = self.times.get(key)
        self.times[key] = ns
        if prev is None:
            return 'new' if ns >= self.t0 else 'old'
        return 'same' if ns == prev else 'later' if ns > prev else 'earlier'

    def stat(self, st, path=None, fd=None, follow=False, times=True):
        k = kind(st.st_mode)
        lab = self.label(st.st_ino, path, fd, follow)
        r = {'ino': lab, 'mode': oct(st.st_mode), 'nlink': st.st_nlink, 'uid': st.st_uid, 'gid': st.st_gid}
        if k != 'dir':
            r['size'] = st.st_size
        if k == 'reg':
            r['blocks'] = st.st_blocks
        if k in ('chr', 'blk'):
            r['rdev'] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
        if times:
            unknown = self.unknown.get(st.st_ino, ())
            for f, ns in (('a', st.st_atime_ns), ('m', st.st_mtime_ns), ('c', st.st_ctime_ns)):
                r[f + 'time'] = 'unknown' if f in unknown else self.when(lab, f, ns)
        return r

    # -- helpers --

    def fd(self, s, key='fd'):
        name = s[key]
        if name not in self.fds:
            raise Fail('EBADF')
        return self.fds[name]

    # -- ops --

    def op_mkdir(self, s):
        os.mkdir(s['path'], s.get('mode', 0o755), dir_fd=self.fds.get(s.get('dirfd')))

    def op_rmdir(self, s):
        os.rmdir(s['path'])

    def op_unlink(self, s):
        os.unlink(s['path'], dir_fd=self.fds.get(s.get('dirfd')))

    def op_open(self, s):
        flags = 0
        for f in s.get('flags', ['O_RDONLY']):
            flags |= getattr(os, f)
        fd = os.open(s['path'], flags, s.get('mode', 0o644), dir_fd=self.fds.get(s.get('dirfd')))
        old = self.fds.get(s['fd'])
        if old is not None:
            os.close(old)
        self.fds[s['fd']] = fd

    def op_close(self, s):
        fd = self.fd(s)
        del self.fds[s['fd']]
        os.close(fd)

    def op_write(self, s):
        b = data_of(s['data'])
        fd = self.fd(s)
        self.untimed(fd, 'mc', 'fifo')
        if 'off' in s:
            return os.pwrite(fd, b, s['off'])
        return os.write(fd, b)

    def untimed(self, fd, fields, why):
        """Marks times of the inode behind fd "unknown" from now on, on both sides, where the kernel
        changes them on tmpfs but need not tell a FUSE filesystem: why='read', any read of a regular
        file through a descriptor (the kernel may answer it from its page cache, or from its cached
        size at the end of the file, without a READ); why='eof', an empty read of a regular file
        that was just opened (no READ past the cached size); why='fifo', I/O through a FIFO (the
        kernel's pipe code stamps the inode without a SETATTR)."""
        st = os.fstat(fd)
        if why == 'fifo' and not stat.S_ISFIFO(st.st_mode):
            return
        if why in ('read', 'eof') and not stat.S_ISREG(st.st_mode):
            return
        self.unknown.setdefault(st.st_ino, set()).update(fields)

    def op_read(self, s):
        fd = self.fd(s)
        data = os.pread(fd, s['size'], s['off']) if 'off' in s else os.read(fd, s['size'])
        self.untimed(fd, 'a', 'read')
        self.untimed(fd, 'a', 'fifo')
        return show(data)

    def op_readfile(self, s):
        fd = os.open(s['path'], os.O_RDONLY | os.O_NONBLOCK)  # never waits on a FIFO
        try:
            chunks = []
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                chunks.append(b)
            data = b''.join(chunks)
            if not data:
                self.untimed(fd, 'a', 'eof')
            self.untimed(fd, 'a', 'fifo')
            return show(data)
        finally:
            os.close(fd)

    def op_writefile(self, s):
        fd = os.open(s['path'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, s.get('mode', 0o644))
        try:
            return os.write(fd, data_of(s['data']))
        finally:
            os.close(fd)

    def op_populate(self, s):
        """Creates `n` files <path>/<prefix>000.. (a setup step for directory tests)."""
        for i in range(s['n']):
            fd = os.open(os.path.join(s['path'], '%s%03d' % (s.get('prefix', 'f'), i)), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.close(fd)

    def op_lseek(self, s):
        return check(libc.lseek(self.fd(s), s['off'], SEEK[s.get('whence', 'SET')]))

    def op_truncate(self, s):
        os.truncate(s['path'], s['len'])

    def op_ftruncate(self, s):
        os.ftruncate(self.fd(s), s['len'])

    def op_fallocate(self, s):
        mode = 0
        for f in s.get('mode', []):
            mode |= FALLOC[f]
        check(libc.fallocate(self.fd(s), mode, s['off'], s['len']))

    def op_fsync(self, s):
        os.fsync(self.fd(s))

    def op_stat(self, s):
        return self.stat(os.stat(s['path'], dir_fd=self.fds.get(s.get('dirfd'))), path=s['path'], follow=True)

    def op_lstat(self, s):
        return self.stat(os.lstat(s['path'], dir_fd=self.fds.get(s.get('dirfd'))), path=s['path'])

    def op_fstat(self, s):
        fd = self.fd(s)
        return self.stat(os.fstat(fd), fd=fd)

    def op_access(self, s):
        mode = 0
        for c in s.get('mode', 'F'):
            mode |= {'F': os.F_OK, 'R': os.R_OK, 'W': os.W_OK, 'X': os.X_OK}[c]
        check(libc.access(s['path'].encode(), mode))

    def op_chmod(self, s):
        os.chmod(s['path'], s['mode'])

    def op_fchmod(self, s):
        os.fchmod(self.fd(s), s['mode'])

    def op_chown(self, s):
        os.chown(s['path'], s.get('uid', -1), s.get('gid', -1))

    def op_lchown(self, s):
        os.lchown(s['path'], s.get('uid', -1), s.get('gid', -1))

    def op_fchown(self, s):
        os.fchown(self.fd(s), s.get('uid', -1), s.get('gid', -1))

    def op_utimens(self, s):
        def ts(v):
            if v == 'now':
                return (0, UTIME_NOW)
            if v == 'omit':
                return (0, UTIME_OMIT)
            return (v[0], v[1])
        if s.get('null'):
            tp = None
        else:
            arr = (ctypes.c_long * 4)(*ts(s['atime']), *ts(s['mtime']))
            tp = arr
        if 'fd' in s:
            check(libc.futimens(self.fd(s), tp))
        else:
            flags = AT_SYMLINK_NOFOLLOW if s.get('nofollow') else 0
            check(libc.utimensat(AT_FDCWD, s['path'].encode(), tp, flags))

    def op_link(self, s):
        os.link(s['src'], s['dst'], follow_symlinks=False)

    def op_flink(self, s):
        """linkat(2) of an open descriptor (an O_TMPFILE's): how='proc' links /proc/self/fd/N with
        AT_SYMLINK_FOLLOW, how='empty' the descriptor itself with AT_EMPTY_PATH."""
        fd, dst = self.fd(s), s['dst'].encode()
        if s.get('how', 'proc') == 'proc':
            check(libc.linkat(AT_FDCWD, b'/proc/self/fd/%d' % fd, AT_FDCWD, dst, 0x400))
        else:
            check(libc.linkat(fd, b'', AT_FDCWD, dst, 0x1000))

    def op_symlink(self, s):
        os.symlink(s['target'], s['path'])

    def op_readlink(self, s):
        return os.readlink(s['path'])

    def op_rename(self, s):
        flags = 0
        for f in s.get('flags', []):
            flags |= RENAME[f]
        check(libc.renameat2(AT_FDCWD, s['src'].encode(), AT_FDCWD, s['dst'].encode(), flags))

    def op_mknod(self, s):
        os.mknod(s['path'], s['mode'], os.makedev(s.get('major', 0), s.get('minor', 0)))

    def op_mkfifo(self, s):
        os.mkfifo(s['path'], s.get('mode', 0o644))

    def op_umask(self, s):
        return oct(os.umask(s['mask']))

    def op_setxattr(self, s):
        flags = XATTR.get(s.get('flags'), 0)
        value = data_of(s.get('value', ''))
        target = self.fd(s) if 'fd' in s else s['path']
        follow = not s.get('nofollow', False)
        if 'fd' in s:
            os.setxattr(target, s['name'], value, flags)
        else:
            os.setxattr(target, s['name'], value, flags, follow_symlinks=follow)

    def op_getxattr(self, s):
        name = s['name'].encode()
        size = s.get('size', 65536)
        buf = ctypes.create_string_buffer(max(size, 1))
        if 'fd' in s:
            n = libc.fgetxattr(self.fd(s), name, buf if size else None, size)
        else:
            fn = libc.lgetxattr if s.get('nofollow') else libc.getxattr
            n = fn(s['path'].encode(), name, buf if size else None, size)
        n = check(n)
        if size == 0:
            return n
        return show(buf.raw[:n])

    def op_listxattr(self, s):
        size = s.get('size', 65536)
        buf = ctypes.create_string_buffer(max(size, 1))
        if 'fd' in s:
            n = libc.flistxattr(self.fd(s), buf if size else None, size)
        else:
            fn = libc.llistxattr if s.get('nofollow') else libc.listxattr
            n = fn(s['path'].encode(), buf if size else None, size)
        n = check(n)
        if size == 0:
            return n
        names = [x.decode() for x in buf.raw[:n].split(b'\0') if x]
        return sorted(names)

    def op_removexattr(self, s):
        if 'fd' in s:
            os.removexattr(self.fd(s), s['name'])
        else:
            os.removexattr(s['path'], s['name'], follow_symlinks=not s.get('nofollow', False))

    def op_readdir(self, s):
        fd = os.open(s['path'], os.O_RDONLY | os.O_DIRECTORY)
        try:
            entries = []
            while True:
                got = getdents(fd, 32768)
                if not got:
                    break
                entries += got
        finally:
            os.close(fd)
        names = [e[0] for e in entries]
        out = sorted([e[0], e[2]] for e in entries)
        if len(set(names)) != len(names):
            out.append(['!duplicates', sorted(n for n in set(names) if names.count(n) > 1)])
        return out

    def op_opendir(self, s):
        fd = os.open(s['path'], os.O_RDONLY | os.O_DIRECTORY)
        old = self.fds.get(s['fd'])
        if old is not None:
            os.close(old)
        self.fds[s['fd']] = fd

    def op_getdents(self, s):
        """Reads up to `calls` getdents64 batches of `buf` bytes; answers the sorted names seen."""
        fd = self.fd(s)
        seen = []
        for _ in range(s.get('calls', 1)):
            got = getdents(fd, s.get('buf', 32768))
            if not got:
                break
            seen += [e[0] for e in got]
        return sorted(seen)

    def op_dirscan(self, s):
        """Reads directory `path` in small getdents batches while `mutations` change it (one after
        each batch), then answers the stability properties: no entry that existed throughout missed or
        repeated, nothing invented; and, when `seek_after` = k, that re-reading from the position after
        batch k (saved like telldir, restored like seekdir) neither misses nor repeats such entries."""
        path = s['path']
        before = set(os.listdir(path)) | {'.', '..'}
        mutations = s.get('mutations', [])
        touched = set()
        created = set()

        def here(p):
            return os.path.basename(p) if os.path.dirname(p) == path else None
        for m in mutations:
            op = m['op']
            if op == 'rename':
                for n in (here(m['src']), here(m['dst'])):
                    if n:
                        touched.add(n)
                if here(m['dst']):
                    created.add(here(m['dst']))
            elif op == 'link':
                if here(m['dst']):
                    touched.add(here(m['dst']))
                    created.add(here(m['dst']))
            elif here(m.get('path', '')):
                touched.add(here(m['path']))
                if op in ('writefile', 'mkdir', 'symlink', 'mknod', 'mkfifo', 'open'):
                    created.add(here(m['path']))
        stable = before - touched
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            order = []
            types = {}
            batch = 0
            pos = None
            upto = None
            failed = []
            while True:
                got = getdents(fd, s.get('buf', 64))
                if not got:
                    break
                for name, off, t in got:
                    order.append(name)
                    types.setdefault(name, t)
                batch += 1
                if s.get('seek_after') == batch:
                    pos = libc.lseek(fd, 0, 1)
                    upto = len(order)
                if batch <= len(mutations):
                    r = self.do(mutations[batch - 1])
                    if 'ok' not in r:
                        failed.append([batch - 1, r])
            reread = []
            if pos is not None:
                check(libc.lseek(fd, pos, 0))
                while True:
                    got = getdents(fd, s.get('buf', 64))
                    if not got:
                        break
                    reread += [g[0] for g in got]
        finally:
            os.close(fd)
        now = set(os.listdir(path)) | {'.', '..'}
        out = {
            'missing': sorted(stable - set(order)),
            'repeated': sorted(n for n in set(order) if order.count(n) > 1 and n in stable | created),
            'invented': sorted(set(order) - before - created),
            'mutations_left': max(0, len(mutations) - batch),
            'mutations_failed': failed,
        }
        bad_types = []
        for name, t in types.items():
            if name in stable and name not in ('.', '..'):
                want = kind(os.lstat(os.path.join(path, name)).st_mode)
                if t != want:
                    bad_types.append([name, t, want])
        out['bad_types'] = sorted(bad_types)
        if pos is not None:
            first = [n for n in order[:upto] if n in stable]
            rest = [n for n in order[upto:] if n in stable]
            out['reread_missing'] = sorted(set(rest) - set(reread))
            out['reread_repeated'] = sorted(set(first) & set(reread))
            out['reread_invented'] = sorted(set(reread) - before - created)
        out['final_missing'] = sorted((stable) - now)
        return out

    def op_statfs(self, s):
        # A FUSE filesystem learns of a close (RELEASE) and of an inode the kernel dropped (FORGET)
        # asynchronously, after close() and unlink() returned; tmpfs frees at once. So the counts
        # are read until they stay the same for SETTLE_READS reads SETTLE_GAP apart (at most 2 s).
        def counts():
            v = os.statvfs(s['path'])
            return v, {'blocks': v.f_blocks, 'bfree': v.f_bfree, 'bavail': v.f_bavail, 'files': v.f_files,
                       'ffree': v.f_ffree}
        v, cur = counts()
        same = 1
        deadline = time.monotonic() + 2
        while same < SETTLE_READS and time.monotonic() < deadline:
            time.sleep(SETTLE_GAP)
            v, nxt = counts()
            same = same + 1 if nxt == cur else 1
            cur = nxt
        r = {'bsize': v.f_bsize, 'frsize': v.f_frsize, 'namemax': v.f_namemax}
        if self.statfs_prev is not None:
            for k, val in cur.items():
                r['d' + k] = val - self.statfs_prev[k]
        self.statfs_prev = cur
        return r

    def op_tree(self, s):
        """Every entry under `path` (not following symlinks): type, permission bits, links, size or
        target, inode label; in sorted order of relative paths."""
        out = []
        root = s.get('path', '.')

        def walk(rel):
            full = os.path.join(root, rel) if rel else root
            for name in sorted(os.listdir(full)):
                r = os.path.join(rel, name) if rel else name
                p = os.path.join(root, r)
                st = os.lstat(p)
                k = kind(st.st_mode)
                item = [r, k, oct(stat.S_IMODE(st.st_mode)), st.st_nlink, self.label(st.st_ino, p)]
                if k == 'lnk':
                    item.append(os.readlink(p))
                elif k == 'reg':
                    item.append(st.st_size)
                out.append(item)
                if k == 'dir':
                    walk(r)
        walk('')
        return out

    def do(self, s):
        """Runs one step as its identity and answers {"ok": value} or {"err": name}."""
        op = s['op']
        fn = getattr(self, 'op_' + op, None)
        if fn is None:
            return {'bug': 'unknown op %r' % op}
        if self.run.times and op not in OBSERVERS:
            self.pace.before_mutation()
        who = s.get('as')
        if who is not None and who != self.run.identity:
            become(who)
        try:
            r = {'ok': fn(s)}
        except Fail as e:
            r = {'err': e.code}
        except OSError as e:
            r = {'err': errname(e.errno)}
        except Exception as e:  # a bad step: reported, never equal to a real result
            r = {'bug': '%s: %s' % (type(e).__name__, e)}
        finally:
            if who is not None and who != self.run.identity:
                become(self.run.identity)
            if op not in OBSERVERS:
                self.pace.after_mutation()
        if op == 'lseek' and s.get('fd') in self.fds and stat.S_ISDIR(os.fstat(self.fds[s['fd']]).st_mode):
            r['on'] = 'dir'  # lseek on a directory: see ALLOWED in lockstep.ts
        return r


class Run:
    def __init__(self, base, identity, times):
        self.identity = identity
        self.times = times
        self.home = os.path.join(base, identity)
        uid, gid, _ = IDENTITIES[identity]
        os.makedirs(self.home, exist_ok=True)
        os.chown(self.home, uid, gid)
        os.chmod(self.home, 0o755)
        os.umask(0o022)


def synced(fd, case, step):
    # syncfs starts the writeback of every file; the kernel may end a FUSE page's writeback before
    # the filesystem answered its WRITE, and fsync waits for those answers (close does it too).
    next_tick()
    if libc.syncfs(fd) < 0:
        return {'bug': 'syncfs: ' + os.strerror(ctypes.get_errno())}
    for f in case.fds.values():
        try:
            os.fsync(f)
        except OSError:
            pass  # a FIFO, socket or O_PATH descriptor
    return case.do(step)


def main():
    base, identity = sys.argv[1], sys.argv[2]
    times = '--times' in sys.argv[3:]
    # --sync: syncfs(2) and fsync(2) of the open descriptors before each step, so that the filesystem
    # has every write the kernel held in its page cache (writeback cache) and its times (the
    # kernel's SETATTR) when the step looks.
    sync = '--sync' in sys.argv[3:]
    syncfd = os.open(base, os.O_RDONLY | os.O_DIRECTORY) if sync else -1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    run = Run(base, identity, times)
    become(identity)
    os.chdir(run.home)
    case = None
    out = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        cmd = req['cmd']
        if cmd == 'case':
            c = Case(run, req['name'])
            try:
                res = [c.do(s) for s in req['steps']] if syncfd < 0 else [synced(syncfd, c, s) for s in req['steps']]
            finally:
                c.close()
            reply = {'results': res}
        elif cmd == 'begin':
            case = Case(run, req['name'])
            reply = {'ok': True}
        elif cmd == 'steps':
            reply = {'results': [case.do(s) for s in req['steps']]}
        elif cmd == 'end':
            case.close()
            case = None
            reply = {'ok': True}
        elif cmd == 'quit':
            break
        else:
            reply = {'error': 'unknown command %r' % cmd}
        out.write(json.dumps(reply) + '\n')
        out.flush()


if __name__ == '__main__':
    main()
