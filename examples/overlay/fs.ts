// The overlay filesystem: the merged view (view.ts) shared by two fall-through layers, the upper
// layer on top (upper.ts: everything the upper directory has, and every change, copying up first)
// and the lower layer below it (lower.ts: read-only access to what only the lower directory has).
// A request the upper layer declines (PASS) goes on to the lower layer; one both decline gets the
// default answer of lib/operators (ENOENT for a lookup).
import type { Subscription } from 'rxjs';
import { type Entry, type Fuse, layers, type OpendirRequest, type OpenRequest } from '../../lib';
import { Handles } from './handles';
import { lowerLayer } from './lower';
import { type Node, ROOT } from './nodes';
import { TIMEOUT } from './shared';
import { upperLayer } from './upper';
import { View } from './view';

export class Overlay {
  readonly view: View;
  readonly handles = new Handles();

  constructor(readonly fuse: Fuse, lower: string, upper: string) {
    this.view = new View(lower, upper);
    fuse.inodes.released$.subscribe((ino) => this.view.nodes.drop(ino));
    fuse.closed$.subscribe(() => this.closeAll());
  }

  /** The wiring: the upper layer over the lower one. */
  attach(): Subscription {
    return layers(this.fuse, [upperLayer(this), lowerLayer(this)]);
  }

  /** Open descriptors: node handles (upper and lower) and open files (for tests and --stats). */
  get openFds(): number {
    return this.view.nodes.size + this.handles.size;
  }

  node(ino: number): Node {
    return this.view.nodes.get(ino);
  }

  entry(node: Node): Entry {
    return { attr: this.view.attr(node), attrTimeout: TIMEOUT, entryTimeout: TIMEOUT };
  }

  /**
   * Hands the node to the registry: released$ fires once the kernel forgot it and nothing has it
   * open (at once when the kernel never learnt of it), and its handles are closed then.
   */
  settle(node: Node | undefined): void {
    if (node && node.ino !== ROOT && !node.dropped) this.fuse.inodes.markRemoved(node.ino);
  }

  replyEntry(req: { replyEntry(e: Entry): void }, node: Node): void {
    try {
      req.replyEntry(this.entry(node));
    } finally {
      this.settle(node);  // after the reply: the kernel's count is in by then
    }
  }

  /** Answers an open with a handle; closes it when the kernel did not take the reply (no release comes). */
  replyOpen(req: OpenRequest | OpendirRequest, ino: number, fh: number, close: () => void): void {
    const before = this.fuse.inodes.openCount(ino);
    try {
      req.replyOpen({ fh });
    } finally {
      if (this.fuse.inodes.openCount(ino) === before) close();
    }
  }

  private closeAll(): void {
    this.handles.closeAll();
    this.view.nodes.closeAll();
  }
}
