#!/usr/bin/python3
# Prints a JSON digest of a directory tree, for comparing copies made by real programs (tar, cp -a,
# rsync): per relative path its type, permission bits, owner, size, content hash or symlink target,
# xattrs (every namespace but system.), mtime in seconds (regular files and directories), and for
# hard-linked files the first path of their inode in sorted order.
#   treesum.py <dir>
import hashlib
import json
import os
import stat
import sys


def digest(root):
    out = {}
    first = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            e = {'mode': oct(st.st_mode), 'uid': st.st_uid, 'gid': st.st_gid}
            if stat.S_ISLNK(st.st_mode):
                e['target'] = os.readlink(p)
            else:
                e['xattrs'] = {n: os.getxattr(p, n).hex() for n in sorted(os.listxattr(p)) if not n.startswith('system.')}
                e['mtime'] = int(st.st_mtime)
            if stat.S_ISREG(st.st_mode):
                e['size'] = st.st_size
                with open(p, 'rb') as f:
                    e['sha'] = hashlib.sha256(f.read()).hexdigest()[:16]
                if st.st_nlink > 1:
                    e['links'] = st.st_nlink
                    e['same_as'] = first.setdefault((st.st_dev, st.st_ino), rel)
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                e['rdev'] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
            out[rel] = e
    return out


if __name__ == '__main__':
    json.dump(digest(sys.argv[1]), sys.stdout, sort_keys=True)
