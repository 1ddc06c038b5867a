// The overlay's inode table. A node is one object of the merged view: its upper object, its lower
// object, or both (a merged directory), each held by an O_PATH handle.
//
// Identity. A node is found again by the key of what it has: "u:dev:ino" of its upper object (so
// every hard link of an upper file is one node), else "l:dev:ino" of its lower object. A lower
// file with several links is the exception: the kernel's overlayfs (without index=on) breaks such
// links on copy-up, each name becoming its own upper file, and a FUSE request names an inode, not
// the name it was opened by; so each name of such a file is its own node, keyed by "p:parent:name".
//
// Numbers. A node is numbered once, when first found, and keeps its number through copy-up (the
// kernel keeps st_ino too: the copy-up origin's). The number is its first object's own st_ino (the
// lower's when it has one) when free, so the numbers stat shows are those the kernel's overlayfs
// shows on one filesystem; a number counted down from 2^53 - 1 otherwise. The root is 1.
import { constants as K } from 'node:fs';
import { FuseError, sys } from '../../lib';

export const ROOT = 1;

export class Node {
  /** O_PATH handle on the upper object (set by copy-up or when found in the upper layer). */
  upper: number | undefined;
  /** O_PATH handle on the lower object: of a lower-only node, or the lower half of a merged directory. */
  lower: number | undefined;
  /** The keys the node is found by. */
  readonly keys: string[] = [];
  /** Set when the kernel forgot the node and its handles are closed. */
  dropped = false;

  constructor(
    readonly ino: number,
    /** The file type bits (S_IFMT) of the node: they never change. */
    readonly type: number,
    /**
     * Where the node is in the merged view: the directory and name it was found by. Only needed to
     * copy it up, that is while it has no upper object; lower objects never move (a rename copies
     * up first, and directories with a lower part cannot be renamed), so this stays right.
     */
    public parent: Node | undefined,
    public name: Buffer,
  ) {}

  get isDir(): boolean {
    return this.type === K.S_IFDIR;
  }

  /** A directory with both halves: its listing merges the lower's entries into the upper's. */
  get merged(): boolean {
    return this.upper !== undefined && this.lower !== undefined;
  }
}

export function upperKey(st: sys.Stat): string {
  return `u:${st.key}`;
}

/** The key of a lower object as found at `name` in `parent` (see the header on lower hard links). */
export function lowerKey(st: sys.Stat, parent: Node, name: Buffer): string {
  return st.nlink > 1 && (st.mode & K.S_IFMT) !== K.S_IFDIR ? `p:${parent.ino}:${name.toString('latin1')}` : `l:${st.key}`;
}

export class Nodes {
  private readonly byIno = new Map<number, Node>();
  private readonly byKey = new Map<string, Node>();
  private nextSynthetic = Number.MAX_SAFE_INTEGER;
  readonly root: Node;

  /** Takes ownership of the two O_PATH handles on the layers' root directories. */
  constructor(upperRoot: number, lowerRoot: number) {
    this.root = new Node(ROOT, K.S_IFDIR, undefined, Buffer.alloc(0));
    this.root.upper = upperRoot;
    this.root.lower = lowerRoot;
    this.byIno.set(ROOT, this.root);
    this.key(this.root, upperKey(sys.fstat(upperRoot)));
  }

  get size(): number {
    return this.byIno.size;
  }

  /** The node the kernel names (ESTALE if unknown: the kernel holds no count on it). */
  get(ino: number): Node {
    const n = this.byIno.get(ino);
    if (!n) throw new FuseError('ESTALE', `no inode ${ino}`);
    return n;
  }

  find(key: string): Node | undefined {
    return this.byKey.get(key);
  }

  /** A new node; `first` is the stat of the object it was found by (its number's source). */
  create(type: number, parent: Node, name: Buffer, first: sys.Stat): Node {
    const node = new Node(this.number(first), type, parent, name);
    this.byIno.set(node.ino, node);
    return node;
  }

  /** Makes `node` found by `key` from now on. */
  key(node: Node, key: string): void {
    if (node.keys.includes(key)) return;
    node.keys.push(key);
    this.byKey.set(key, node);
  }

  /** Stops finding `node` by `key` (its lower object after copy-up). */
  unkey(node: Node, key: string): void {
    const i = node.keys.indexOf(key);
    if (i >= 0) node.keys.splice(i, 1);
    if (this.byKey.get(key) === node) this.byKey.delete(key);
  }

  /** The kernel forgot the node and nothing has it open: close its handles. */
  drop(ino: number): void {
    const n = this.byIno.get(ino);
    if (!n || ino === ROOT) return;
    this.byIno.delete(ino);
    for (const k of n.keys) if (this.byKey.get(k) === n) this.byKey.delete(k);
    close(n);
  }

  /** Closes every handle, the root's too (at unmount). */
  closeAll(): void {
    for (const n of this.byIno.values()) close(n);
    this.byIno.clear();
    this.byKey.clear();
  }

  private number(st: sys.Stat): number {
    const n = st.ino;
    if (typeof n === 'number' && n > ROOT && !this.byIno.has(n)) return n;
    while (this.byIno.has(this.nextSynthetic)) this.nextSynthetic--;
    return this.nextSynthetic--;
  }
}

function close(n: Node): void {
  if (n.upper !== undefined) sys.close(n.upper);
  if (n.lower !== undefined) sys.close(n.lower);
  n.upper = undefined;
  n.lower = undefined;
  n.dropped = true;
}
