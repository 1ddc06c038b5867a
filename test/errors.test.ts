// Failures on real mounts: what the kernel's client gets, what errors$ reports, and that the mount
// keeps serving afterwards.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { constants, promises as fsp } from 'node:fs';
import { type Attr, errno, Fuse, type FuseErrorEvent, FuseError, type GetattrRequest, ReplyError, type ReadRequest } from '../lib';
import { errCode, until, withMount } from './helpers';

const ROOT = 1;
const FILE_MODE = constants.S_IFREG | 0o644;

/** Any name in the root is a file whose inode number is 100 + its first letter's code. */
function inoOf(name: string): number {
  return 100 + name.charCodeAt(0);
}

function fileAttr(ino: number, size = 0): Attr {
  return { ino, mode: FILE_MODE, nlink: 1, size };
}

/** A root directory where every name exists, nothing cached: each stat sends lookup and getattr. */
function names(fuse: Fuse): void {
  fuse.handle('lookup', (req) => {
    if (req.parent !== ROOT) throw new FuseError('ENOENT');
    const name = req.nameKey;
    if (name.startsWith('missing')) throw new FuseError('ENOENT');
    return { attr: fileAttr(inoOf(name)), entryTimeout: 0, attrTimeout: 0 };
  });
}

function collect(fuse: Fuse): FuseErrorEvent[] {
  const events: FuseErrorEvent[] = [];
  fuse.errors$.subscribe((e) => events.push(e));
  return events;
}

const waitFor = (cond: () => boolean, ms: number, what: string): Promise<void> => until(what, cond, ms);

describe('errors', function () {
  this.timeout(20000);

  describe('handler failures', function () {
    it('a thrown Error answers EIO, reports kind "handler", and the mount keeps serving', async function () {
      const boom = new Error('boom');
      let calls = 0;
      let events: FuseErrorEvent[] = [];
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          fuse.handle('getattr', (req) => {
            calls++;
            if (calls === 1) throw boom;
            return { attr: fileAttr(req.ino, 7), timeout: 0 };
          });
        },
        async (m) => {
          assert.equal(await errCode(fsp.stat(m.path('a'))), 'EIO');
          assert.equal(events.length, 1);
          const e = events[0];
          assert.equal(e.kind, 'handler');
          assert.equal(e.op, 'getattr');
          assert.equal(e.ino, inoOf('a'));
          assert.equal(e.errno, errno.EIO);
          assert.equal(e.cause, boom);
          const st = await fsp.stat(m.path('a'));
          assert.equal(st.size, 7);
          assert.equal(st.ino, inoOf('a'));
          assert.equal(events.length, 1);
          assert.equal(calls, 2);
        },
      );
    });

    it('a rejected Promise answers EIO, reports kind "handler", and the mount keeps serving', async function () {
      const boom = new Error('async boom');
      let calls = 0;
      let events: FuseErrorEvent[] = [];
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          fuse.handle('getattr', async (req) => {
            calls++;
            await new Promise((r) => setTimeout(r, 20));
            if (calls === 1) throw boom;
            return { attr: fileAttr(req.ino, 9), timeout: 0 };
          });
        },
        async (m) => {
          assert.equal(await errCode(fsp.stat(m.path('b'))), 'EIO');
          assert.equal(events.length, 1);
          assert.deepEqual(
            { kind: events[0].kind, op: events[0].op, ino: events[0].ino, errno: events[0].errno },
            { kind: 'handler', op: 'getattr', ino: inoOf('b'), errno: errno.EIO },
          );
          assert.equal(events[0].cause, boom);
          assert.equal((await fsp.stat(m.path('b'))).size, 9);
          assert.equal(events.length, 1);
        },
      );
    });

    it('a thrown or rejected FuseError answers its errno and reports nothing', async function () {
      let events: FuseErrorEvent[] = [];
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          fuse.handle('getattr', (req) => {
            if (req.ino === inoOf('e')) throw new FuseError('ENOENT');
            if (req.ino === inoOf('r')) return Promise.reject(new FuseError('EACCES'));
            return { attr: fileAttr(req.ino), timeout: 0 };
          });
        },
        async (m) => {
          assert.equal(await errCode(fsp.stat(m.path('e'))), 'ENOENT');
          assert.equal(await errCode(fsp.stat(m.path('r'))), 'EACCES');
          assert.equal(await errCode(fsp.stat(m.path('missing'))), 'ENOENT');  // from lookup
          assert.deepEqual(events, []);
          assert.equal((await fsp.stat(m.path('ok'))).ino, inoOf('ok'));
        },
      );
    });

    it('EMFILE and ENFILE answers report kind "fd-limit", thrown or answered with req.fail()', async function () {
      let events: FuseErrorEvent[] = [];
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          fuse.handle('getattr', (req) => {
            if (req.ino === inoOf('t')) throw new FuseError('EMFILE', 'openat: EMFILE');
            if (req.ino === inoOf('f')) {
              req.fail('ENFILE');
              return;
            }
            return { attr: fileAttr(req.ino), timeout: 0 };
          });
        },
        async (m) => {
          assert.equal(await errCode(fsp.stat(m.path('t'))), 'EMFILE');
          assert.equal(await errCode(fsp.stat(m.path('f'))), 'ENFILE');
          await waitFor(() => events.length >= 2, 2000, 'two fd-limit reports');
          assert.deepEqual(events.map((e) => [e.kind, e.op, e.errno]), [['fd-limit', 'getattr', errno.EMFILE], ['fd-limit', 'getattr', errno.ENFILE]]);
          assert.equal((events[0].cause as Error).message, 'openat: EMFILE');
          assert.equal((await fsp.stat(m.path('ok'))).ino, inoOf('ok'));
        },
      );
    });

    it('an invalid reply value answers EIO and reports kind "invalid-reply"', async function () {
      let events: FuseErrorEvent[] = [];
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          fuse.handle('getattr', (req) => {
            if (req.ino === inoOf('x')) return { ino: -1, mode: 'x' } as unknown as Attr;
            return { attr: fileAttr(req.ino, 3), timeout: 0 };
          });
        },
        async (m) => {
          assert.equal(await errCode(fsp.stat(m.path('x'))), 'EIO');
          assert.equal(events.length, 1);
          assert.equal(events[0].kind, 'invalid-reply');
          assert.equal(events[0].op, 'getattr');
          assert.equal(events[0].ino, inoOf('x'));
          assert.equal(events[0].errno, errno.EIO);
          assert.ok(events[0].cause instanceof TypeError, String(events[0].cause));
          assert.equal((await fsp.stat(m.path('y'))).size, 3);
        },
      );
    });

    it('a second reply throws ReplyError, reports kind "double-reply", and the first reply stands', async function () {
      let events: FuseErrorEvent[] = [];
      const thrown: unknown[] = [];
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          fuse.handle('getattr', (req) => {
            req.replyAttr({ attr: fileAttr(req.ino, 111), timeout: 0 });
            try {
              req.replyAttr({ attr: fileAttr(req.ino, 222), timeout: 0 });
            } catch (e) {
              thrown.push(e);
              throw e;  // escapes the handler: rxfuse must not turn it into a second (EIO) answer
            }
            throw new Error('the second reply did not throw');
          });
        },
        async (m) => {
          const st = await fsp.stat(m.path('d'));
          assert.equal(st.size, 111);
          assert.equal(thrown.length, 1);
          assert.ok(thrown[0] instanceof ReplyError, String(thrown[0]));
          assert.equal(events.length, 1);
          assert.equal(events[0].kind, 'double-reply');
          assert.equal(events[0].op, 'getattr');
          assert.equal(events[0].cause, thrown[0]);
          // The mount is fine: the next stat is answered the same way.
          assert.equal((await fsp.stat(m.path('d'))).size, 111);
        },
      );
    });
  });

  describe('requests left unanswered', function () {
    it('requestTimeout answers ETIMEDOUT and reports kind "timeout"', async function () {
      let events: FuseErrorEvent[] = [];
      const held: GetattrRequest[] = [];  // keeps the requests reachable: otherwise GC would drop them
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          fuse.handle('getattr', (req) => {
            if (req.ino !== inoOf('t')) return { attr: fileAttr(req.ino, 5), timeout: 0 };
            held.push(req);
            return new Promise<never>(() => {});
          });
        },
        async (m) => {
          const t0 = Date.now();
          assert.equal(await errCode(fsp.stat(m.path('t'))), 'ETIMEDOUT');
          const elapsed = Date.now() - t0;
          assert.ok(elapsed >= 280, `answered after ${elapsed} ms, before the 300 ms timeout`);
          assert.ok(elapsed < 5000, `answered after ${elapsed} ms`);
          assert.equal(held.length, 1);
          assert.ok(held[0].answered);
          assert.equal(events.length, 1);
          assert.equal(events[0].kind, 'timeout');
          assert.equal(events[0].op, 'getattr');
          assert.equal(events[0].ino, inoOf('t'));
          assert.equal(events[0].errno, errno.ETIMEDOUT);
          assert.equal(m.fuse.inFlight, 0);
          // A late reply from the handler is refused (rxfuse answered already) and reported.
          assert.throws(() => held[0].replyAttr(fileAttr(inoOf('t'))), ReplyError);
          assert.equal(events.length, 2);
          assert.equal(events[1].kind, 'double-reply');
          assert.equal((await fsp.stat(m.path('u'))).size, 5);
        },
        { requestTimeout: 300 },
      );
    });

    it('a request for an op whose handler unsubscribed gets EIO and reports kind "no-handler"', async function () {
      let events: FuseErrorEvent[] = [];
      let sub: { unsubscribe(): void } | undefined;
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          sub = fuse.handle('getattr', (req) => ({ attr: fileAttr(req.ino, 4), timeout: 0 }));
        },
        async (m) => {
          assert.equal((await fsp.stat(m.path('n'))).size, 4);
          sub!.unsubscribe();
          assert.equal(await errCode(fsp.stat(m.path('n'))), 'EIO');
          assert.equal(events.length, 1);
          assert.equal(events[0].kind, 'no-handler');
          assert.equal(events[0].op, 'getattr');
          assert.equal(events[0].ino, inoOf('n'));
          assert.equal(events[0].errno, errno.EIO);
          // Other ops still work: lookup of a missing name is still ENOENT from its handler.
          assert.equal(await errCode(fsp.stat(m.path('missing-1'))), 'ENOENT');
        },
      );
    });

    it('requests waiting when the last handler unsubscribes get EIO and report kind "dropped"', async function () {
      let events: FuseErrorEvent[] = [];
      let sub: { unsubscribe(): void } | undefined;
      const held: GetattrRequest[] = [];
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          sub = fuse.handle('getattr', (req) => {
            held.push(req);
            return new Promise<never>(() => {});
          });
        },
        async (m) => {
          const a = errCode(fsp.stat(m.path('p')));
          const b = errCode(fsp.stat(m.path('q')));
          await waitFor(() => held.length === 2, 5000, 'two getattr requests');
          assert.equal(m.fuse.inFlight, 2);
          assert.equal(events.length, 0);
          sub!.unsubscribe();
          assert.deepEqual(await Promise.all([a, b]), ['EIO', 'EIO']);
          assert.equal(m.fuse.inFlight, 0);
          assert.deepEqual(events.map((e) => e.kind), ['dropped', 'dropped']);
          assert.deepEqual(events.map((e) => e.ino).sort(), [inoOf('p'), inoOf('q')].sort());
          assert.ok(events.every((e) => e.op === 'getattr' && e.errno === errno.EIO));
          assert.ok(held.every((r) => r.answered));
          // And later requests of the op are no-handler failures, not hangs.
          assert.equal(await errCode(fsp.stat(m.path('p'))), 'EIO');
          assert.equal(events[2].kind, 'no-handler');
        },
      );
    });
  });

  describe('interrupts', function () {
    const CONTENT = Buffer.from('interruptible\n');

    /** A file "f" whose reads wait until interrupted (then answer EINTR); getattr always works. */
    function slowReads(fuse: Fuse, seen: ReadRequest[], outcomes: string[]): void {
      names(fuse);
      fuse.handleAll({
        getattr: (req) => ({ attr: fileAttr(req.ino, CONTENT.length), timeout: 0 }),
        open: () => ({ directIo: true }),  // reads go to the filesystem, not through readahead
        read: (req) =>
          new Promise<Buffer>((resolve, reject) => {
            seen.push(req);
            const signal = req.signal;
            const timer = setTimeout(() => {
              outcomes.push('no-interrupt');
              resolve(CONTENT.subarray(req.offset, req.offset + req.size));
            }, 8000);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              outcomes.push(`aborted interrupted=${req.interrupted}`);
              req.fail('EINTR');
              reject(signal.reason);  // already answered: only the first reply counts
            }, { once: true });
          }),
      });
    }

    async function interruptReader(signal: NodeJS.Signals, argv: string[]): Promise<void> {
      const seen: ReadRequest[] = [];
      const outcomes: string[] = [];
      let events: FuseErrorEvent[] = [];
      await withMount(
        (fuse) => {
          slowReads(fuse, seen, outcomes);
          events = collect(fuse);
        },
        async (m) => {
          const child = spawn(argv[0], [...argv.slice(1), m.path('f')], { stdio: ['ignore', 'pipe', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          const exited = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve) =>
            child.on('exit', (code, sig) => resolve({ code, sig })),
          );
          try {
            await waitFor(() => seen.length > 0, 5000, 'the read request');
            await new Promise((r) => setTimeout(r, 100));  // the reader is blocked in read(2) now
            assert.deepEqual(outcomes, []);
            child.kill(signal);
            const t0 = Date.now();
            await waitFor(() => outcomes.length > 0, 6000, 'the handler to see an abort');
            assert.equal(outcomes[0], 'aborted interrupted=true');
            assert.ok(Date.now() - t0 < 3000);
            const ex = await exited;
            assert.ok(ex.code !== 0, `reader exited normally (stderr: ${stderr})`);
          } finally {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          }
          assert.equal(m.fuse.inFlight, 0);
          assert.deepEqual(events, []);  // EINTR is an answer, not a failure
          // The mount still serves.
          const st = await fsp.stat(m.path('f'));
          assert.equal(st.size, CONTENT.length);
        },
      );
    }

    it('SIGKILL of a reader blocked in read(2): the handler sees req.signal abort and answers EINTR', async function () {
      await interruptReader('SIGKILL', ['cat']);
    });

    it('SIGTERM of a reader with default signal handling (cat): the handler sees the interrupt', async function () {
      await interruptReader('SIGTERM', ['cat']);
    });

    it('SIGINT of a Python reader (KeyboardInterrupt): the handler sees req.signal abort and answers EINTR', async function () {
      await interruptReader('SIGINT', ['python3', '-c', 'import os, sys\nfd = os.open(sys.argv[1], os.O_RDONLY)\nos.read(fd, 100)']);
    });

    it('a handled signal interrupts too: EINTR reaches the reader, which retries and gets the data', async function () {
      const seen: ReadRequest[] = [];
      const outcomes: string[] = [];
      let events: FuseErrorEvent[] = [];
      await withMount(
        (fuse) => {
          names(fuse);
          events = collect(fuse);
          fuse.handleAll({
            getattr: (req) => ({ attr: fileAttr(req.ino, CONTENT.length), timeout: 0 }),
            open: () => ({ directIo: true }),
            read: (req) => {
              seen.push(req);
              if (seen.length > 1) return CONTENT.subarray(req.offset, req.offset + req.size);
              return new Promise<Buffer>((_resolve, reject) => {
                req.signal.addEventListener('abort', () => {
                  outcomes.push(`aborted interrupted=${req.interrupted}`);
                  reject(new FuseError('EINTR'));
                }, { once: true });
              });
            },
          });
        },
        async (m) => {
          // The Python reader counts SIGUSR1 in a handler; os.read retries after EINTR (PEP 475).
          const script = [
            'import os, sys, signal',
            'hits = []',
            'signal.signal(signal.SIGUSR1, lambda *a: hits.append(1))',
            'fd = os.open(sys.argv[1], os.O_RDONLY)',
            'data = os.read(fd, 100)',
            'sys.stdout.write("%d %s" % (len(hits), data.decode()))',
          ].join('\n');
          const child = spawn('python3', ['-c', script, m.path('f')], { stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
          try {
            await waitFor(() => seen.length > 0, 5000, 'the read request');
            await new Promise((r) => setTimeout(r, 100));
            child.kill('SIGUSR1');
            assert.equal(await exited, 0, stderr);
          } finally {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          }
          assert.deepEqual(outcomes, ['aborted interrupted=true']);
          assert.equal(seen.length, 2);  // the interrupted read, then Python's retry
          assert.equal(stdout, `1 ${CONTENT.toString()}`);
          assert.deepEqual(events, []);
        },
      );
    });
  });
});
