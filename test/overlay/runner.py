#!/usr/bin/python3
# The client side of the overlay differential tests: runs scripted syscalls in a case directory of
# an overlay mount (the kernel's, or rxfuse's) and answers normalised JSON, so that the two can be
# compared; and, as root outside the mounts, builds lower trees, describes upper directories and
# hashes trees.
#
#   runner.py <mount-dir>        then one JSON request a line on stdin, one JSON answer a line out:
#   {"cmd": "case", "dir": D, "who": "root"|"user", "steps": [...]}  run the steps in <mount>/D
#   {"cmd": "snapshot", "path": P}         the merged view below P (as root), with contents and xattrs
#   {"cmd": "build", "dir": P, "spec": S}  makes the lower tree S at P (see build())
#   {"cmd": "upper", "upper": U, "lower": L}  describes the upper directory U (L: its lower twin)
#   {"cmd": "hash", "path": P}             a digest of everything below P but atimes
#
# Steps use the op language of test/diff/steps.ts ({"op": "stat", "path": ...}); each answers
# {"ok": value} or {"err": "ENOENT"}. Normalisation: inode numbers become labels i0, i1, ... in order
# of first observation in the case (each observed inode is pinned with an O_PATH descriptor until
# the case ends); times more than an hour away are exact "sec.nsec", others their relation to the
# previous observation of the same time of the same inode (new, old, same, later, earlier); a
# mutating step waits GAP seconds and a tick of the kernel's coarse clock after the previous one
# (syscalls.Pacer) so that each change shows.
import ctypes
import hashlib
import json
import os
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'diff'))
from syscalls import (  # noqa: E402
    AT_FDCWD, AT_SYMLINK_NOFOLLOW, FALLOC, GAP, HOUR_NS, Pacer, RENAME, SEEK, UTIME_NOW,
    UTIME_OMIT, XATTR, Fail, become, case_start, check, data_of, errname, getdents, kind, libc, show,
)

OBSERVERS = {'stat', 'lstat', 'fstat', 'getxattr', 'listxattr', 'access', 'readdir', 'tree', 'snapshot', 'readlink',
             'read', 'readfile', 'getdents', 'statfs'}
OVERLAY_XATTR = 'trusted.overlay.'
ESCAPED_XATTR = 'trusted.overlay.overlay.'
KEPT_OVERLAY_XATTRS = {'trusted.overlay.opaque'}


def xattrs_of(path, hide_overlay=True):
    """Sorted [name, value] of a path's xattrs (not following a symlink)."""
    out = []
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return out
    for n in sorted(names):
        if hide_overlay and n.startswith(OVERLAY_XATTR) and n not in KEPT_OVERLAY_XATTRS and not n.startswith(ESCAPED_XATTR):
            continue
        try:
            out.append([n, show(os.getxattr(path, n, follow_symlinks=False))])
        except OSError as e:
            out.append([n, '!' + errname(e.errno)])
    return out


def content(path):
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        chunks = []
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            chunks.append(b)
        return b''.join(chunks)
    finally:
        os.close(fd)


class Case:
    def __init__(self, base, name, who):
        self.base = base
        self.who = who
        self.fds = {}
        self.pins = {}
        self.labels = {}
        self.times = {}
        self.pace = Pacer()
        become(who)
        os.umask(0o022)
        os.chdir(os.path.join(base, name))
        self.t0 = case_start('.')
        time.sleep(GAP)

    def close(self):
        for fd in list(self.fds.values()) + list(self.pins.values()):
            try:
                os.close(fd)
            except OSError:
                pass
        become('root')
        os.umask(0o022)
        os.chdir(self.base)

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
        key = (label, field)
        prev = self.times.get(key)
        self.times[key] = ns
        if prev is None:
            return 'new' if ns >= self.t0 else 'old'
        return 'same' if ns == prev else 'later' if ns > prev else 'earlier'

    def stat(self, st, path=None, fd=None, follow=False):
        k = kind(st.st_mode)
        lab = self.label(st.st_ino, path, fd, follow)
        r = {'ino': lab, 'mode': oct(st.st_mode), 'nlink': st.st_nlink, 'uid': st.st_uid, 'gid': st.st_gid}
        if k != 'dir':
            r['size'] = st.st_size
        if k == 'reg':
            r['blocks'] = st.st_blocks
        if k in ('chr', 'blk'):
            r['rdev'] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
        r['atime'] = self.when(lab, 'a', st.st_atime_ns)
        r['mtime'] = self.when(lab, 'm', st.st_mtime_ns)
        r['ctime'] = self.when(lab, 'c', st.st_ctime_ns)
        return r

    def fd(self, s, key='fd'):
        name = s[key]
        if name not in self.fds:
            raise Fail('EBADF')
        return self.fds[name]

    # -- ops (the language of test/diff/steps.ts) --

    def op_mkdir(self, s):
        os.mkdir(s['path'], s.get('mode', 0o755))

    def op_rmdir(self, s):
        os.rmdir(s['path'])

    def op_unlink(self, s):
        os.unlink(s['path'])

    def op_open(self, s):
        flags = 0
        for f in s.get('flags', ['O_RDONLY']):
            flags |= getattr(os, f)
        fd = os.open(s['path'], flags, s.get('mode', 0o644))
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
        if 'off' in s:
            return os.pwrite(self.fd(s), b, s['off'])
        return os.write(self.fd(s), b)

    def op_read(self, s):
        if 'off' in s:
            return show(os.pread(self.fd(s), s['size'], s['off']))
        return show(os.read(self.fd(s), s['size']))

    def op_readfile(self, s):
        fd = os.open(s['path'], os.O_RDONLY | os.O_NONBLOCK)
        try:
            chunks = []
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                chunks.append(b)
            return show(b''.join(chunks))
        finally:
            os.close(fd)

    def op_writefile(self, s):
        fd = os.open(s['path'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, s.get('mode', 0o644))
        try:
            return os.write(fd, data_of(s['data']))
        finally:
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
        return self.stat(os.stat(s['path']), path=s['path'], follow=True)

    def op_lstat(self, s):
        return self.stat(os.lstat(s['path']), path=s['path'])

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
        tp = None if s.get('null') else (ctypes.c_long * 4)(*ts(s['atime']), *ts(s['mtime']))
        if 'fd' in s:
            check(libc.futimens(self.fd(s), tp))
        else:
            check(libc.utimensat(AT_FDCWD, s['path'].encode(), tp, AT_SYMLINK_NOFOLLOW if s.get('nofollow') else 0))

    def op_link(self, s):
        os.link(s['src'], s['dst'], follow_symlinks=False)

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
        if 'fd' in s:
            os.setxattr(self.fd(s), s['name'], value, flags)
        else:
            os.setxattr(s['path'], s['name'], value, flags, follow_symlinks=not s.get('nofollow', False))

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
        return n if size == 0 else show(buf.raw[:n])

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
        return sorted(x.decode() for x in buf.raw[:n].split(b'\0') if x)

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

    def op_getdents(self, s):
        fd = self.fd(s)
        seen = []
        for _ in range(s.get('calls', 1)):
            got = getdents(fd, s.get('buf', 32768))
            if not got:
                break
            seen += [e[0] for e in got]
        return sorted(seen)

    def op_statfs(self, s):
        v = os.statvfs(s.get('path', '.'))
        return {'bsize': v.f_bsize, 'namemax': v.f_namemax}

    def op_tree(self, s):
        """Every entry below `path` (not following symlinks): type, permission bits, links, inode label,
        and size or target; in sorted order of relative paths."""
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

    def op_snapshot(self, s):
        return snapshot(s.get('path', '.'))

    def do(self, s):
        op = s['op']
        fn = getattr(self, 'op_' + op, None)
        if fn is None:
            return {'bug': 'unknown op %r' % op}
        if op not in OBSERVERS:
            self.pace.before_mutation()
        who = s.get('as')
        if who is not None and who != self.who:
            become(who)
        try:
            return {'ok': fn(s)}
        except Fail as e:
            return {'err': e.code}
        except OSError as e:
            return {'err': errname(e.errno)}
        except Exception as e:  # a bad step: reported, never equal to a real result
            return {'bug': '%s: %s' % (type(e).__name__, e)}
        finally:
            if who is not None and who != self.who:
                become(self.who)
            if op not in OBSERVERS:
                self.pace.after_mutation()


def snapshot(root):
    """The view below `root`: every entry with its type, mode, owner, links, size and data or target,
    xattrs (the overlay's own left out) and exact mtime; hard links as shared labels among files that
    have more than one."""
    out = []
    labels = {}

    def walk(rel):
        full = os.path.join(root, rel) if rel else root
        for name in sorted(os.listdir(full)):
            r = os.path.join(rel, name) if rel else name
            p = os.path.join(root, r)
            st = os.lstat(p)
            k = kind(st.st_mode)
            item = {'path': r, 'kind': k, 'mode': oct(stat.S_IMODE(st.st_mode)), 'uid': st.st_uid, 'gid': st.st_gid,
                    'mtime': st.st_mtime_ns}
            if k != 'dir':
                item['nlink'] = st.st_nlink
            if k == 'reg':
                item['data'] = show(content(p))
                if st.st_nlink > 1:
                    item['link'] = labels.setdefault(st.st_ino, 'h%d' % len(labels))
            elif k == 'lnk':
                item['target'] = os.readlink(p)
            elif k in ('chr', 'blk'):
                item['rdev'] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
            x = xattrs_of(p)
            if x:
                item['xattrs'] = x
            out.append(item)
            if k == 'dir':
                walk(r)
    walk('')
    return out


def describe_upper(upper, lower):
    """The upper directory as the overlay left it: each entry with its type, mode, owner, data or target
    or device numbers (a whiteout is chr [0, 0]), opaque mark and other xattrs (escaped ones kept; origin,
    impure and the kernel's other own ones left out), links among files, and whether its mtime is its lower twin's."""
    if not os.path.lexists(upper):
        return None
    out = []
    labels = {}

    def entry(rel):
        p = os.path.join(upper, rel) if rel else upper
        st = os.lstat(p)
        k = kind(st.st_mode)
        item = {'path': rel or '.', 'kind': k, 'mode': oct(stat.S_IMODE(st.st_mode)), 'uid': st.st_uid, 'gid': st.st_gid}
        whiteout = k == 'chr' and st.st_rdev == 0
        if whiteout:
            item['kind'] = 'whiteout'
        elif k == 'reg':
            item['data'] = show(content(p))
            if st.st_nlink > 1:
                item['link'] = labels.setdefault(st.st_ino, 'h%d' % len(labels))
        elif k == 'lnk':
            item['target'] = os.readlink(p)
        elif k in ('chr', 'blk'):
            item['rdev'] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
        if not whiteout:
            twin = os.path.join(lower, rel) if rel else lower
            try:
                lst = os.lstat(twin)
                item['mtime'] = 'lower' if lst.st_mtime_ns == st.st_mtime_ns else 'changed'
            except OSError:
                item['mtime'] = 'new'
        x = xattrs_of(p)
        if x:
            item['xattrs'] = x
        out.append(item)
        if k == 'dir':
            for name in sorted(os.listdir(p)):
                entry(os.path.join(rel, name) if rel else name)
    entry('')
    return out


def tree_hash(root):
    """A digest of everything below root but atimes: names, types, modes, owners, sizes, data, targets,
    devices, xattrs, mtimes, ctimes and inode numbers."""
    h = hashlib.sha256()
    count = 0

    def walk(p, rel):
        nonlocal count
        st = os.lstat(p)
        count += 1
        h.update(repr((rel, st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_nlink, st.st_ino, st.st_rdev,
                       st.st_mtime_ns, st.st_ctime_ns, xattrs_of(p, hide_overlay=False))).encode())
        k = kind(st.st_mode)
        if k == 'reg':
            fd = os.open(p, os.O_RDONLY | os.O_NOATIME)
            try:
                while True:
                    b = os.read(fd, 1 << 20)
                    if not b:
                        break
                    h.update(b)
            finally:
                os.close(fd)
        elif k == 'lnk':
            h.update(os.readlink(p).encode())
        elif k == 'dir':
            for name in sorted(os.listdir(p)):
                walk(os.path.join(p, name), rel + '/' + name)
    walk(root, '')
    return {'sha': h.hexdigest(), 'entries': count}


def build(top, spec):
    """Makes a lower tree at `top` from spec: {path: entry}, parents before children, where an entry is
    {"file": data} | {"dir": true} | {"symlink": target} | {"link": other path} | {"fifo": true} |
    {"chr": [major, minor]}, with optional mode, uid, gid, xattrs {name: data} and mtime (seconds;
    atime the same). Every entry without an mtime gets a fixed old one; "." is `top` itself."""
    os.makedirs(top, exist_ok=True)
    made = []
    for path, e in spec.items():
        p = top if path == '.' else os.path.join(top, path)
        if 'dir' in e:
            if path != '.':
                os.mkdir(p)
        elif 'file' in e:
            with open(p, 'wb') as f:
                f.write(data_of(e['file']))
                if 'size' in e:
                    f.truncate(e['size'])
                for off, d in e.get('at', []):
                    f.seek(off)
                    f.write(data_of(d))
        elif 'symlink' in e:
            os.symlink(e['symlink'], p)
        elif 'link' in e:
            os.link(os.path.join(top, e['link']), p)
            continue
        elif 'fifo' in e:
            os.mkfifo(p)
        elif 'chr' in e:
            os.mknod(p, stat.S_IFCHR | 0o644, os.makedev(*e['chr']))
        else:
            raise ValueError('bad entry %r' % (e,))
        for n, v in e.get('xattrs', {}).items():
            os.setxattr(p, n, data_of(v), follow_symlinks=False)
        os.lchown(p, e.get('uid', 0), e.get('gid', e.get('uid', 0)))
        if 'symlink' not in e:
            os.chmod(p, e.get('mode', 0o755 if 'dir' in e else 0o644))
        made.append((p, e.get('mtime')))
    # times last, children before parents (making a child changes its parent's mtime)
    for i, (p, mtime) in enumerate(reversed(made)):
        t = (mtime if mtime is not None else 1500000000 + len(made) - i) * 10**9 + 123456789
        os.utime(p, ns=(t, t), follow_symlinks=False)


def main():
    base = sys.argv[1]
    os.chdir(base)
    out = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        cmd = req['cmd']
        become('root')
        try:
            if cmd == 'case':
                c = Case(base, req['dir'], req.get('who', 'root'))
                try:
                    reply = {'results': [c.do(s) for s in req['steps']]}
                finally:
                    c.close()
            elif cmd == 'snapshot':
                reply = {'ok': snapshot(req['path'])}
            elif cmd == 'build':
                build(req['dir'], req['spec'])
                reply = {'ok': True}
            elif cmd == 'upper':
                reply = {'ok': describe_upper(req['upper'], req['lower'])}
            elif cmd == 'hash':
                reply = {'ok': tree_hash(req['path'])}
            elif cmd == 'quit':
                break
            else:
                reply = {'error': 'unknown command %r' % cmd}
        except Exception as e:
            reply = {'error': '%s: %s' % (type(e).__name__, e)}
        out.write(json.dumps(reply) + '\n')
        out.flush()


if __name__ == '__main__':
    main()
