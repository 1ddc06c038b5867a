// hello: one read-only file, the smallest complete filesystem (libfuse's hello_ll, on rxfuse).
import { constants } from 'node:fs';
import { type Attr, Dirents, type Fuse, FuseError, now, O_ACCMODE } from '../lib';
import type { Example } from './example';

const ROOT = 1;
const HELLO = 2;
const NAME = 'hello';
const CONTENT = Buffer.from('Hello World!\n');

function attrs(): Map<number, Attr> {
  const t = now();
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return new Map<number, Attr>([
    [ROOT, { ino: ROOT, mode: constants.S_IFDIR | 0o755, nlink: 2, uid, gid, atime: t, mtime: t, ctime: t }],
    [HELLO, { ino: HELLO, mode: constants.S_IFREG | 0o444, nlink: 1, size: CONTENT.length, uid, gid, atime: t, mtime: t, ctime: t }],
  ]);
}

const example: Example = {
  description: 'one read-only file, "hello"',
  usage: '',
  setup(fuse: Fuse) {
    const attr = attrs();
    const listing = new Dirents().add('.', ROOT, constants.S_IFDIR).add('..', ROOT, constants.S_IFDIR).add(NAME, HELLO, constants.S_IFREG);
    const get = (ino: number): Attr => {
      const a = attr.get(ino);
      if (!a) throw new FuseError('ENOENT');
      return a;
    };
    fuse.handleAll({
      lookup: (req) => {
        if (req.parent !== ROOT || req.nameKey !== NAME) throw new FuseError('ENOENT');
        return { attr: get(HELLO) };
      },
      getattr: (req) => get(req.ino),
      opendir: (req) => {
        if (req.ino !== ROOT) throw new FuseError('ENOTDIR');
      },
      readdir: () => listing,
      open: (req) => {
        if (req.ino !== HELLO) throw new FuseError('EISDIR');
        if ((req.flags & O_ACCMODE) !== constants.O_RDONLY) throw new FuseError('EACCES');
        return { keepCache: true };
      },
      read: (req) => CONTENT.subarray(req.offset, req.offset + req.size),
    });
  },
};

export default example;
