// The merged view: which object a name stands for, a node's attributes, and a directory's merged
// listing. Both layers read it; only the upper layer changes it (through copyup.ts and its ops).
//
// A name in a directory node is looked up in the upper directory first: a whiteout there hides the
// name, a non-directory hides the lower, a directory merges with a lower directory of the same name
// unless it is opaque. A name the upper does not have is looked up in the lower directory, which a
// directory node only has while it is merged (or lower-only): an opaque or upper-only directory
// shows nothing of the lower.
import { constants as K } from 'node:fs';
import { type Attr, FuseError, sys } from '../../lib';
import { attrOf } from '../fdbacked/lifecycle';
import { isDirStat, isOpaque, isWhiteout, statAt } from './format';
import { lowerKey, type Node, Nodes, upperKey } from './nodes';
import { reopenNoatime } from './shared';

const { O, DT } = sys;

/** What the upper layer has at a name: nothing, a whiteout, or an object. */
export const WHITEOUT = Symbol('whiteout');
export type UpperAt = sys.Stat | typeof WHITEOUT | undefined;

/** One entry of a merged listing. */
export interface Listed {
  name: Buffer;
  /** d_ino: the node's number when the name's node is known, else the object's own st_ino. */
  ino: number;
  /** d_type. */
  type: number;
}

const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

function isDots(name: Buffer): boolean {
  return name.equals(DOT) || name.equals(DOTDOT);
}

export class View {
  readonly nodes: Nodes;
  /** Called before a node is copied up; throws to refuse (a lower file held open through kernel passthrough). */
  copyUpGuard: ((node: Node) => void) | undefined;

  /** Opens the two layers' root directories: the only paths ever resolved. */
  constructor(lowerDir: string, upperDir: string) {
    const upper = sys.openat(sys.AT.FDCWD, upperDir, O.PATH | O.DIRECTORY);
    let lower: number;
    try {
      lower = sys.openat(sys.AT.FDCWD, lowerDir, O.PATH | O.DIRECTORY);
    } catch (e) {
      sys.close(upper);
      throw e;
    }
    this.nodes = new Nodes(upper, lower);
  }

  // ---- names ---------------------------------------------------------------------------------

  /** The upper layer at `name` in `dir`: an object, a whiteout, or nothing (also when dir has no upper). */
  upperAt(dir: Node, name: Buffer): UpperAt {
    if (dir.upper === undefined) return undefined;
    const st = statAt(dir.upper, name);
    if (st && isWhiteout(st)) return WHITEOUT;
    return st;
  }

  /** The lower layer at `name` in `dir`, when dir shows its lower (merged or lower-only). */
  lowerAt(dir: Node, name: Buffer): sys.Stat | undefined {
    if (dir.lower === undefined) return undefined;
    const st = statAt(dir.lower, name);
    return st && !isWhiteout(st) ? st : undefined;
  }

  /** Whether the lower layer has `name` in `dir`: removing it then needs a whiteout. */
  lowerPositive(dir: Node, name: Buffer): boolean {
    return this.lowerAt(dir, name) !== undefined;
  }

  /** The node of an upper object at `name` in `dir` (found or made; merged with a lower directory). */
  upperNode(dir: Node, name: Buffer, st: sys.Stat): Node {
    const known = this.nodes.find(upperKey(st));
    if (known) {
      if (known.isDir) {
        known.parent = dir;
        known.name = name;
      }
      return known;
    }
    const fd = sys.openPath(dir.upper as number, name);
    let lfd: number | undefined;
    let lst: sys.Stat | undefined;
    try {
      if (isDirStat(st) && dir.lower !== undefined && !isOpaque(dir.upper as number, name)) {
        lst = this.lowerAt(dir, name);
        if (lst && isDirStat(lst)) lfd = sys.openPath(dir.lower, name);
        else lst = undefined;
      }
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    const node = this.nodes.create(st.mode & K.S_IFMT, dir, name, lst ?? st);
    node.upper = fd;
    node.lower = lfd;
    this.nodes.key(node, upperKey(st));
    return node;
  }

  /** The node of a lower object at `name` in `dir` (found or made). */
  lowerNode(dir: Node, name: Buffer, st: sys.Stat): Node {
    const key = lowerKey(st, dir, name);
    const known = this.nodes.find(key);
    if (known) return known;
    const fd = sys.openPath(dir.lower as number, name);
    const node = this.nodes.create(st.mode & K.S_IFMT, dir, name, st);
    node.lower = fd;
    this.nodes.key(node, key);
    return node;
  }

  /** The node `name` in `dir` stands for in the merged view, or undefined. */
  find(dir: Node, name: Buffer): Node | undefined {
    const u = this.upperAt(dir, name);
    if (u === WHITEOUT) return undefined;
    if (u) return this.upperNode(dir, name, u);
    const l = this.lowerAt(dir, name);
    return l ? this.lowerNode(dir, name, l) : undefined;
  }

  /** As find(), ENOENT when there is nothing. */
  get(dir: Node, name: Buffer): Node {
    const n = this.find(dir, name);
    if (!n) throw new FuseError('ENOENT');
    return n;
  }

  /** The node gained its upper object `fd` (copy-up): found by it from now on; a file forgets its lower. */
  attachUpper(node: Node, fd: number): void {
    node.upper = fd;
    for (const k of [...node.keys]) if (!k.startsWith('u:')) this.nodes.unkey(node, k);
    this.nodes.key(node, upperKey(sys.fstat(fd)));
    if (!node.isDir && node.lower !== undefined) {
      sys.close(node.lower);
      node.lower = undefined;
    }
  }

  // ---- attributes ----------------------------------------------------------------------------

  /** The object that stands for the node: its upper one when it has one. */
  real(node: Node): number {
    const fd = node.upper ?? node.lower;
    if (fd === undefined) throw new FuseError('ESTALE', `inode ${node.ino} is gone`);
    return fd;
  }

  /**
   * The node's attributes: its real object's, with the node's number. A merged directory says
   * nlink 1, as the kernel's overlayfs does (counting the subdirectories of both layers is not worth it).
   */
  attr(node: Node): Attr {
    const st = sys.fstat(this.real(node));
    return { ...attrOf(node.ino, st), nlink: node.merged ? 1 : st.nlink };
  }

  // ---- listings ------------------------------------------------------------------------------

  /**
   * The merged listing of a directory node: "." and "..", the upper's entries but whiteouts, then the
   * lower's entries the upper has no entry (or whiteout) for.
   */
  listing(dir: Node, parentIno: number, touch = false): Listed[] {
    const out: Listed[] = [
      { name: DOT, ino: dir.ino, type: DT.DIR },
      { name: DOTDOT, ino: parentIno, type: DT.DIR },
    ];
    const seen = new Set<string>();
    if (dir.upper !== undefined) this.addLayer(out, seen, dir.upper, 'u', touch);
    if (dir.lower !== undefined) this.addLayer(out, seen, dir.lower, 'l', false);
    return out;
  }

  /** Whether a directory node is empty in the merged view (whiteouts do not count). */
  isEmpty(dir: Node): boolean {
    return this.listing(dir, dir.ino).length === 2;
  }

  /** Adds one layer's entries that no layer above named (a whiteout names without showing). */
  private addLayer(out: Listed[], seen: Set<string>, dirFd: number, layer: 'u' | 'l', touch: boolean): void {
    const dev = sys.fstat(dirFd).key.split(':')[0];
    for (const e of readAll(dirFd, touch)) {
      if (isDots(e.name)) continue;
      const key = e.name.toString('latin1');
      if (seen.has(key)) continue;
      seen.add(key);
      let type = e.type;
      if (type === DT.CHR || type === DT.UNKNOWN) {
        const st = statAt(dirFd, e.name);
        if (!st || isWhiteout(st)) continue;
        type = (st.mode & K.S_IFMT) >> 12;
      }
      const known = this.nodes.find(`${layer}:${dev}:${e.ino}`);
      const ino = known ? known.ino : Number.isSafeInteger(e.ino) && e.ino > 0 ? e.ino : 1;
      out.push({ name: e.name, ino, type });
    }
  }
}

/**
 * Every entry of the directory an O_PATH handle refers to; its atime moves (by the filesystem's rules,
 * relatime) only when `touch`.
 */
export function readAll(pathFd: number, touch = false): sys.DirEntry[] {
  const fd = touch ? sys.reopen(pathFd, O.RDONLY | O.DIRECTORY) : reopenNoatime(pathFd, O.RDONLY | O.DIRECTORY);
  try {
    const all: sys.DirEntry[] = [];
    for (;;) {
      const got = sys.getdents(fd, 65536);
      if (got.length === 0) return all;
      all.push(...got);
    }
  } finally {
    sys.close(fd);
  }
}
