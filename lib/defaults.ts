// What rxfuse answers on a filesystem's behalf when no handler takes a request it must answer
// (see docs/design.md, "What rxfuse answers for you"): the answer must never change what the
// kernel asked for.
import { constants } from 'node:fs';
import { errno } from './errors';
import type { OpenRequest, Request } from './request';

/**
 * Answers success (fh 0 for the opens), as the kernel treats these ops' ENOSYS — except an open
 * with O_TRUNC while the kernel delegates truncation to open (atomic_o_trunc): success would skip
 * the truncation, so it gets EIO and a "no-handler" report instead.
 */
export function answerSuccess(req: Request): void {
  const host = req._s.host;
  if (req.op === 'open' && host.truncatesOnOpen && ((req as OpenRequest).flags & constants.O_TRUNC) !== 0) {
    const cause = new Error('open with O_TRUNC: no handler took it, and answering success would skip the truncation ' +
      'the kernel left to open (atomic_o_trunc)');
    host.report('no-handler', req, errno.EIO, cause);
    req.fail(errno.EIO);
    return;
  }
  req._reply(undefined);
}

/**
 * The kernel's DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM): what it reports for a
 * file whose filesystem has no poll (fs/fuse/file.c, fuse_file_poll on ENOSYS): always ready.
 */
export const ALWAYS_READY = 0x1 | 0x4 | 0x40 | 0x100;
