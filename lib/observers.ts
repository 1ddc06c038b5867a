// Fuse.observe(): the observers of a mount and the one hook requests call, present only while
// something observes (one check per request and reply).
import { Subscription } from 'rxjs';
import type { FuseErrorKind } from './errors';
import type { Request, RequestObserver, RequestObserverHook } from './request';

export class Observers {
  private list: readonly RequestObserver[] = [];

  /**
   * `report` gets an observer's exception; `setHook` the fan-out while there are observers,
   * undefined once the last one is gone.
   */
  constructor(
    private readonly report: (kind: FuseErrorKind, req: Request, err: number, cause: unknown) => void,
    private readonly setHook: (hook: RequestObserverHook | undefined) => void,
  ) {}

  add(observer: RequestObserver): Subscription {
    this.list = [...this.list, observer];  // copied on change: safe to (un)subscribe from a callback
    this.setHook(this.fanOut);
    return new Subscription(() => {
      this.list = this.list.filter((o) => o !== observer);
      if (this.list.length === 0) this.setHook(undefined);
    });
  }

  private readonly fanOut: RequestObserverHook = {
    request: (req) => {
      for (const o of this.list) {
        try {
          o.request?.(req);
        } catch (e) {
          this.report('handler', req, 0, e);
        }
      }
    },
    reply: (req, err, value) => {
      for (const o of this.list) {
        try {
          o.reply?.(req, err, value);
        } catch (e) {
          this.report('handler', req, 0, e);
        }
      }
    },
  };
}
