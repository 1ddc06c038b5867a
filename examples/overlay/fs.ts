// The overlay filesystem: the merged view (view.ts) shared by two fall-through layers, the upper
// layer on top (upper.ts: everything the upper directory has, and every change, copying up first)
// and the lower layer below it (lower.ts: read-only access to what only the lower directory has).
// A request the upper layer declines (PASS) goes on to the lower layer; one both decline gets the
// default answer of lib/compose (ENOENT for a lookup).
import type { Subscription } from 'rxjs';
import { type Entry, type Fuse, FuseError, layers } from '../../lib';
import { FdInodeLifecycle } from '../fdbacked/lifecycle';
import { Handles } from './handles';
import { lowerLayer } from './lower';
import type { Node } from './nodes';
import { TIMEOUT } from './shared';
import { upperLayer } from './upper';
import { View } from './view';

export class Overlay {
  readonly view: View;
  readonly handles = new Handles();
  /** The nodes' lifecycle (../fdbacked/lifecycle.ts, shared with the passthrough). */
  readonly life: FdInodeLifecycle;

  /**
   * Upper files pass through to the upper file where the kernel grants passthrough. `passthroughLower`
   * (default false): lower files opened read-only too, at two costs the kernel imposes: reads then
   * update the lower file's atime (the kernel opens the backing file without O_NOATIME), and a node
   * whose lower file is open that way cannot be copied up meanwhile (one backing file per inode while
   * open): ETXTBSY, as for writing a running executable, where the kernel's overlayfs copies up.
   */
  constructor(readonly fuse: Fuse, lower: string, upper: string, readonly passthroughLower = false) {
    this.view = new View(lower, upper);
    this.view.copyUpGuard = (node) => {
      if (fuse.backing.has(node.ino)) {
        throw new FuseError('ETXTBSY', `inode ${node.ino}: its lower file is open through kernel passthrough; no copy-up until it is closed`);
      }
    };
    this.life = new FdInodeLifecycle(fuse, TIMEOUT, { release: (ino) => this.view.nodes.drop(ino), closeAll: () => this.closeAll() });
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

  /**
   * Settles a node a request touched (see FdInodeLifecycle.settle): released now when the kernel does
   * not know it and nothing has it open. A node dropped already is not settled again.
   */
  settle(node: Node | undefined): void {
    if (node && !node.dropped) this.life.settle(node.ino);
  }

  replyEntry(req: { replyEntry(e: Entry): void }, node: Node): void {
    this.life.replyEntry(req, this.view.attr(node));
  }

  private closeAll(): void {
    this.handles.closeAll();
    this.view.nodes.closeAll();
  }
}
