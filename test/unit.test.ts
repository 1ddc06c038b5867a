// Units without the kernel: directory listings, the command line, errno mapping, and a request's
// decoding and exactly-once reply against a fake host.
import { strict as assert } from 'node:assert';
import { constants } from 'node:os';
import * as sinon from 'sinon';
import { BackingFiles, BmapRequest, Dirents, errno, errnoName, FuseError, GetattrRequest, type LookupRequest, ReplyError } from '../lib';
import { parseArgs } from '../lib/cli';
import { runHandler } from '../lib/handle';
import { F, SLOT_BYTES, VAR_NAME } from '../lib/layout';
import { OP_CODE } from '../lib/op-table';
import type { NativeReplies, NativeSession } from '../lib/native';
import { type RequestHost, SLOT_F64 } from '../lib/request';
import { REQUEST_BY_CODE } from '../lib/request-factories';
import { RequestState } from '../lib/request-state';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

describe('unit', function () {
  describe('Dirents', function () {
    it('numbers cookies 1, 2, 3, ... by default and keeps explicit cookies', function () {
      const d = new Dirents().add('.', 1, S_IFDIR).add('..', 1, S_IFDIR).add('a', 2, S_IFREG);
      assert.equal(d.length, 3);
      assert.equal(d.lastOff, 3);
      d.add('b', 3, S_IFREG, 10).add('c', 4, S_IFREG);
      assert.equal(d.lastOff, 11);
      assert.equal(d.length, 5);
      assert.deepEqual([0, 1, 2, 3, 4].map((i) => d.inoAt(i)), [1, 1, 2, 3, 4]);
      assert.deepEqual([0, 1, 2, 3, 4].map((i) => d.isDotAt(i)), [true, true, false, false, false]);
      assert.equal(new Dirents().lastOff, 0);
    });

    it('rejects cookies that do not increase strictly, or are not safe integers', function () {
      const d = new Dirents().add('a', 2, S_IFREG, 5);
      assert.throws(() => d.add('b', 3, S_IFREG, 5), TypeError);
      assert.throws(() => d.add('b', 3, S_IFREG, 4), TypeError);
      assert.throws(() => d.add('b', 3, S_IFREG, 5.5), TypeError);
      assert.throws(() => d.add('b', 3, S_IFREG, 2 ** 53), TypeError);
      assert.equal(d.length, 1);  // nothing added by the failed calls
      d.add('b', 3, S_IFREG, 6);
      assert.equal(d.lastOff, 6);
    });

    it('indexAfter finds where a listing resumes', function () {
      const d = new Dirents();
      for (const [i, off] of [10, 20, 30, 40].entries()) d.add(`n${i}`, 100 + i, S_IFREG, off);
      assert.equal(d.indexAfter(0), 0);
      assert.equal(d.indexAfter(9), 0);
      assert.equal(d.indexAfter(10), 1);
      assert.equal(d.indexAfter(15), 1);
      assert.equal(d.indexAfter(30), 3);
      assert.equal(d.indexAfter(40), 4);
      assert.equal(d.indexAfter(1e9), 4);
      assert.equal(new Dirents().indexAfter(0), 0);
    });

    it('validates names: no "/", no NUL, 1..1024 bytes; bytes and UTF-8 strings both work', function () {
      const d = new Dirents();
      assert.throws(() => d.add('a/b', 2, S_IFREG), /NUL or "\/"/);
      assert.throws(() => d.add('a\0b', 2, S_IFREG), /NUL or "\/"/);
      assert.throws(() => d.add(Buffer.from([0x61, 0x2f]), 2, S_IFREG), TypeError);
      assert.throws(() => d.add('', 2, S_IFREG), /length 0/);
      assert.throws(() => d.add('x'.repeat(1025), 2, S_IFREG), /length 1025/);
      assert.throws(() => d.add('ok', -1, S_IFREG), /invalid ino/);
      assert.throws(() => d.addEntry('bad/name', { attr: { ino: 2, mode: S_IFREG } }), TypeError);
      assert.equal(d.length, 0);
      assert.equal(d.lastOff, 0);
      d.add('x'.repeat(1024), 2, S_IFREG).add(Buffer.from([0xff, 0x01]), 3, S_IFREG).add('é', 4, S_IFREG);
      assert.equal(d.length, 3);
    });

    it('a failed add or addEntry (invalid ino or attributes) leaves the list as it was', function () {
      const d = new Dirents().addEntry('a', { attr: { ino: 2, mode: S_IFREG } });
      assert.throws(() => d.add('b', -1, S_IFREG), /invalid ino/);
      assert.throws(() => d.add('b', 1.5, S_IFREG), /invalid ino/);
      assert.throws(() => d.addEntry('b', { attr: { ino: 0, mode: S_IFREG } }), /invalid ino/);
      assert.throws(() => d.addEntry('b', { attr: { ino: 3, mode: S_IFREG, size: -1 } }), /invalid size/);
      assert.equal(d.length, 1);
      assert.equal(d.lastOff, 1);
      assert.equal(d.hasAttributes, true);
      d.addEntry('b', { attr: { ino: 3, mode: S_IFREG } });
      assert.equal(d.length, 2);
      assert.equal(d.lastOff, 2);  // the failed calls used up no cookie
      assert.equal(d.inoAt(1), 3);
    });

    it('grows past its initial capacity', function () {
      const d = new Dirents(1);
      for (let i = 0; i < 500; i++) d.add(`file-${i}-${'y'.repeat(i % 50)}`, i + 2, S_IFREG);
      assert.equal(d.length, 500);
      assert.equal(d.lastOff, 500);
      assert.equal(d.inoAt(499), 501);
      assert.equal(d.indexAfter(250), 250);
    });

    it('hasAttributes only when every entry came from addEntry', function () {
      assert.equal(new Dirents().hasAttributes, true);
      const full = new Dirents().addEntry('a', { attr: { ino: 2, mode: S_IFREG } }).addEntry('b', { attr: { ino: 3, mode: S_IFDIR } });
      assert.equal(full.hasAttributes, true);
      assert.equal(full.inoAt(1), 3);
      const mixed = new Dirents().addEntry('a', { attr: { ino: 2, mode: S_IFREG } }).add('b', 3, S_IFREG);
      assert.equal(mixed.hasAttributes, false);
      assert.equal(new Dirents().add('a', 2, S_IFREG).hasAttributes, false);
    });
  });

  describe('parseArgs (the rxfuse command line)', function () {
    it('takes the example, its arguments and the mountpoint', function () {
      assert.deepEqual(parseArgs(['hello', '/mnt/x']), { example: 'hello', args: [], mountpoint: '/mnt/x', options: [], debug: false, stats: false, mkdir: false, stack: false, noPassthrough: false });
      assert.deepEqual(parseArgs(['mirror', '/src', 'extra', 'mnt']), {
        example: 'mirror', args: ['/src', 'extra'], mountpoint: 'mnt', options: [], debug: false, stats: false, mkdir: false, stack: false, noPassthrough: false,
      });
      assert.equal(parseArgs(['hello', 'mnt', '--stats']).stats, true);
      assert.deepEqual([parseArgs(['hello', 'mnt', '--mkdir']).mkdir, parseArgs(['--stack', 'hello', 'mnt']).stack], [true, true]);
      assert.equal(parseArgs(['passthrough', '/src', 'mnt', '--no-passthrough']).noPassthrough, true);
    });

    it('collects -o options (separate or attached, comma lists, repeated) and --debug / -d', function () {
      const a = parseArgs(['-o', 'ro,allow_other', 'hello', '-oauto_unmount', 'mnt', '-o', 'fsname=x,,', '--debug']);
      assert.deepEqual(a.options, ['ro', 'allow_other', 'auto_unmount', 'fsname=x']);
      assert.equal(a.debug, true);
      assert.equal(a.example, 'hello');
      assert.equal(a.mountpoint, 'mnt');
      assert.equal(parseArgs(['hello', 'mnt', '-d']).debug, true);
      assert.deepEqual(parseArgs(['hello', '-', 'mnt']).args, ['-']);  // "-" is a positional argument
    });

    it('rejects unknown options, a missing -o value and too few arguments', function () {
      assert.throws(() => parseArgs(['hello', 'mnt', '--bogus']), /unknown option --bogus/);
      assert.throws(() => parseArgs(['hello', 'mnt', '-x']), /unknown option -x/);
      assert.throws(() => parseArgs(['hello', 'mnt', '-o']), /-o needs a value/);
      assert.throws(() => parseArgs(['hello']), /an example and a mountpoint/);
      assert.throws(() => parseArgs([]), /an example and a mountpoint/);
    });
  });

  describe('FuseError and errno', function () {
    it('maps errno names and numbers both ways', function () {
      const e = new FuseError('ENOENT');
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'FuseError');
      assert.equal(e.errno, constants.errno.ENOENT);
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.message, 'ENOENT');
      const n = new FuseError(constants.errno.EACCES, 'nope');
      assert.equal(n.code, 'EACCES');
      assert.equal(n.message, 'nope');
      assert.equal(errno.EIO, constants.errno.EIO);
      assert.equal(errnoName(constants.errno.ETIMEDOUT), 'ETIMEDOUT');
      assert.equal(errnoName(987654), 'errno 987654');
    });

    it('refuses unknown names and non-positive or fractional numbers', function () {
      assert.throws(() => new FuseError('ENOTANERRNO'), TypeError);
      assert.throws(() => new FuseError(0), TypeError);
      assert.throws(() => new FuseError(-2), TypeError);
      assert.throws(() => new FuseError(2.5), TypeError);
    });
  });

  describe('requests against a fake host', function () {
    const SLOT = 3;
    const GEN = 7;

    function fakeHost(): { host: RequestHost; native: Record<string, sinon.SinonSpy>; report: sinon.SinonSpy; settled: sinon.SinonSpy } {
      const h = new Float64Array(SLOT_F64 * 4);
      const native = {
        replyBmap: sinon.fake.returns(0),
        replyErr: sinon.fake.returns(0),
        replyAttr: sinon.fake.returns(0),
      };
      const report = sinon.fake();
      const settled = sinon.fake();
      const host = {
        h,
        bytes: Buffer.from(h.buffer),
        scratch: new Float64Array(256),
        native: native as unknown as NativeSession,
        replies: native as unknown as NativeReplies,
        backing: new BackingFiles(() => undefined),
        closed: false,
        recvBuffer: () => Buffer.alloc(0),
        settled,
        claimed: sinon.fake(),
        unclaimed: sinon.fake(),
        truncatesOnOpen: true,
        report,
        registryEffect: sinon.fake(),
        signal: () => new AbortController().signal,
        pollHandle: () => ({ notify: () => false }),
      } satisfies RequestHost;
      return { host, native, report, settled };
    }

    function fill(h: Float64Array, op: number, fields: Partial<Record<F, number>>): void {
      const b = SLOT * SLOT_F64;
      h[b + F.OP] = op;
      h[b + F.GEN] = GEN;
      for (const [k, v] of Object.entries(fields)) h[b + Number(k)] = v as number;
    }

    it('nameKey is the name\'s bytes as latin1, short (built in JS) and long, every byte value', function () {
      const { host } = fakeHost();
      for (let len = 1; len <= 40; len++) {
        const name = Buffer.from(Array.from({ length: len }, (_, i) => (i * 37 + len * 11 + 0x61) & 0xff));
        fill(host.h, OP_CODE.lookup, { [F.NAME_LEN]: len });
        name.copy(host.bytes, SLOT * SLOT_BYTES + VAR_NAME);
        const req = REQUEST_BY_CODE[OP_CODE.lookup](new RequestState(host, SLOT, GEN)) as LookupRequest;
        assert.equal(req.nameKey, name.toString('latin1'), `length ${len}`);
        assert.deepEqual(Buffer.from(req.nameKey, 'latin1'), name);
      }
    });

    it('every op code\'s factory makes a request of that op', function () {
      const { host } = fakeHost();
      for (const [op, code] of Object.entries(OP_CODE)) {
        fill(host.h, code, {});
        assert.equal(REQUEST_BY_CODE[code](new RequestState(host, SLOT, GEN)).op, op, `code ${code}`);
      }
      assert.equal(REQUEST_BY_CODE.length, Object.keys(OP_CODE).length + 1);
    });

    it('BmapRequest decodes its slot, replies once through native, and refuses a second reply', function () {
      const { host, native, report, settled } = fakeHost();
      fill(host.h, OP_CODE.bmap, { [F.INO]: 42, [F.ARG]: 4096, [F.OFF]: 12345, [F.UID]: 1000, [F.PID]: 77 });
      const req = REQUEST_BY_CODE[OP_CODE.bmap](new RequestState(host, SLOT, GEN)) as BmapRequest;
      assert.ok(req instanceof BmapRequest);
      assert.equal(req.op, 'bmap');
      assert.equal(req.ino, 42);
      assert.equal(req.blocksize, 4096);
      assert.equal(req.index, 12345);
      assert.equal(req.uid, 1000);
      assert.equal(req.pid, 77);
      assert.equal(req.answered, false);

      // Invalid values are refused before anything is sent; the request stays answerable.
      assert.throws(() => req.replyBmap(-1), TypeError);
      assert.throws(() => req.replyBmap(1.5), TypeError);
      assert.equal(native.replyBmap.callCount, 0);
      assert.equal(req.answered, false);

      req.replyBmap(99);
      assert.equal(native.replyBmap.callCount, 1);
      assert.deepEqual(native.replyBmap.firstCall.args, [SLOT, 99]);
      assert.ok(settled.calledOnceWithExactly(SLOT));
      assert.equal(req.answered, true);
      assert.equal(report.callCount, 0);

      assert.throws(() => req.replyBmap(100), ReplyError);
      assert.throws(() => req.fail('EIO'), ReplyError);
      assert.equal(native.replyBmap.callCount, 1);
      assert.equal(native.replyErr.callCount, 0);
      assert.equal(report.callCount, 2);
      assert.equal(report.firstCall.args[0], 'double-reply');
      assert.equal(report.firstCall.args[1], req);
      assert.ok(report.firstCall.args[3] instanceof ReplyError);

      // Once the slot is reused (new generation) the old request's fields are gone.
      host.h[SLOT * SLOT_F64 + F.GEN] = GEN + 1;
      assert.throws(() => req.index, ReplyError);
    });

    it('a handler result becomes the reply: bmap via _reply, a returned number', function () {
      const { host, native } = fakeHost();
      fill(host.h, OP_CODE.bmap, { [F.INO]: 5, [F.ARG]: 512, [F.OFF]: 3 });
      const req = new BmapRequest(new RequestState(host, SLOT, GEN));
      runHandler(req, (r) => r.index * 8, () => assert.fail('declined'));
      assert.ok(native.replyBmap.calledOnceWithExactly(SLOT, 24));
    });

    it('handler errors map to errnos: FuseError → its errno quietly, other errors → EIO and a report', function () {
      for (const [thrown, expectErr, expectKind] of [
        [new FuseError('ENOENT'), constants.errno.ENOENT, undefined],
        [new FuseError(constants.errno.EROFS), constants.errno.EROFS, undefined],
        [new Error('boom'), constants.errno.EIO, 'handler'],
        ['a string', constants.errno.EIO, 'handler'],
      ] as const) {
        const { host, native, report } = fakeHost();
        fill(host.h, OP_CODE.getattr, { [F.INO]: 9 });
        const req = new GetattrRequest(new RequestState(host, SLOT, GEN));
        runHandler(req, () => {
          throw thrown;
        }, () => assert.fail('declined'));
        assert.ok(native.replyErr.calledOnceWithExactly(SLOT, expectErr), `${String(thrown)}: ${native.replyErr.args}`);
        assert.equal(native.replyAttr.callCount, 0);
        if (expectKind === undefined) {
          assert.equal(report.callCount, 0);
        } else {
          assert.equal(report.callCount, 1);
          assert.deepEqual(report.firstCall.args, [expectKind, req, constants.errno.EIO, thrown]);
        }
      }
    });

    it('an invalid result is reported as "invalid-reply" and answered EIO', function () {
      const { host, native, report } = fakeHost();
      fill(host.h, OP_CODE.getattr, { [F.INO]: 9 });
      const req = new GetattrRequest(new RequestState(host, SLOT, GEN));
      runHandler(req, () => ({ ino: -1, mode: 'x' }) as never, () => assert.fail('declined'));
      assert.equal(native.replyAttr.callCount, 0);
      assert.ok(native.replyErr.calledOnceWithExactly(SLOT, constants.errno.EIO));
      assert.equal(report.callCount, 1);
      assert.equal(report.firstCall.args[0], 'invalid-reply');
      assert.ok(report.firstCall.args[3] instanceof TypeError);
    });

    it('fail() takes errno names and numbers and refuses non-errnos', function () {
      const { host, native } = fakeHost();
      fill(host.h, OP_CODE.getattr, { [F.INO]: 9 });
      const req = new GetattrRequest(new RequestState(host, SLOT, GEN));
      assert.throws(() => req.fail('NOPE'), TypeError);
      assert.throws(() => req.fail(0), TypeError);
      assert.equal(native.replyErr.callCount, 0);
      req.fail('EINTR');
      assert.ok(native.replyErr.calledOnceWithExactly(SLOT, constants.errno.EINTR));
    });
  });
});
