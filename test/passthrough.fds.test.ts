// The passthrough under a low fd limit (issue 10 item 6): `rxfuse passthrough` runs as a child under
// `prlimit --nofile=S:H`, clients are python3 / coreutils children. With kernel file handles the
// known inodes are not bounded by fds; with them off (--handles off) each inode keeps an O_PATH fd,
// and running out answers EMFILE and is reported on errors$ (the CLI prints it on stderr).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FdCache } from '../examples/passthrough/fdcache';
import { fdCacheSize } from '../examples/passthrough/inodes';
import { py, sh, until } from './helpers';
import { PassthroughServer } from './passthrough-server';

const LIMIT = 256;

/** The passthrough command under `prlimit --nofile=<nofile>`, with --stats. */
function start(src: string, mnt: string, nofile: string, extra: string[] = []): Promise<PassthroughServer> {
  return PassthroughServer.start(src, mnt, ['--stats', ...extra], ['prlimit', `--nofile=${nofile}`, '--']);
}

/** The "Max open files" soft and hard limits of the server process. */
function nofile(s: PassthroughServer): [number, number] {
  const line = fs.readFileSync(`/proc/${s.pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'))!;
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/).map(Number);
  return [soft, hard];
}

/** The inodes the kernel holds (the registry's figures, --stats on SIGUSR1). */
async function knownInodes(s: PassthroughServer): Promise<number> {
  const before = s.stderr.length;
  s.proc.kill('SIGUSR1');
  await until('the stats line', () => s.stderr.slice(before).includes('rxfuse-stats: '), 5000);
  const line = s.stderr.slice(before).split('\n').find((l) => l.startsWith('rxfuse-stats: '))!;
  return (JSON.parse(line.slice('rxfuse-stats: '.length)) as { knownInodes: number }).knownInodes;
}

/** Creates `count` files in `dir` (through the mount) and stats each, holding nothing open; prints the errnos. */
const CREATE = `
import os, sys, json, errno
d, count = sys.argv[1], int(sys.argv[2])
errs = {}
made = 0
for i in range(count):
    p = os.path.join(d, 'f%05d' % i)
    try:
        os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)); os.lstat(p); made += 1
    except OSError as e:
        errs[errno.errorcode[e.errno]] = errs.get(errno.errorcode[e.errno], 0) + 1
print(json.dumps({'made': made, 'errors': errs}))
`;

async function create(dir: string, count: number): Promise<{ made: number; errors: Record<string, number> }> {
  const r = await py(CREATE, [dir, String(count)]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { made: number; errors: Record<string, number> };
}

describe('passthrough example under a low fd limit (RLIMIT_NOFILE 256)', function () {
  this.timeout(120000);
  let base: string;
  let src: string;
  let mnt: string;
  let server: PassthroughServer | undefined;

  beforeEach(function () {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-ptfd-'));
    src = path.join(base, 'src');
    mnt = path.join(base, 'mnt');
    fs.mkdirSync(src);
    fs.mkdirSync(mnt);
  });

  afterEach(async function () {
    await server?.stop(mnt);
    server = undefined;
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('file handles: 3000 files created and stat-ed through the mount, all known at once, find -ls over them without an error', async function () {
    server = await start(src, mnt, `${LIMIT}:${LIMIT}`);
    const r = await create(mnt, 3000);
    assert.deepEqual(r, { made: 3000, errors: {} });
    assert.ok((await knownInodes(server)) >= 3001, 'the kernel holds every file at once');
    assert.ok(server.fdCount() < LIMIT, `the server holds ${server.fdCount()} fds`);
    const find = await sh('find', [mnt, '-ls'], { maxBuffer: 64 << 20, timeout: 60000 });
    assert.equal(find.stderr, '');
    assert.equal(find.code, 0);
    assert.equal(find.stdout.trim().split('\n').length, 3001);
    assert.deepEqual(server.failures(), []);
  });

  it('a stale handle (deleted in the source, its fd evicted) answers ESTALE; a file open through the mount and deleted in the source still answers fstat', async function () {
    server = await start(src, mnt, `${LIMIT}:${LIMIT}`);
    for (const f of ['gone', 'open']) fs.writeFileSync(path.join(src, f), f);
    const r = await py(`
import os, sys, json, errno, time
d, src = sys.argv[1], sys.argv[2]
gone = os.open(os.path.join(d, 'gone'), os.O_PATH)
kept = os.open(os.path.join(d, 'open'), os.O_RDONLY)
os.unlink(os.path.join(src, 'gone')); os.unlink(os.path.join(src, 'open'))
for i in range(300):
    p = os.path.join(d, 'x%03d' % i); os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)); os.lstat(p)
time.sleep(1.2)  # past the attribute timeout: fstat asks the daemon
res = {}
try:
    os.fstat(gone); res['gone'] = 'ok'
except OSError as e:
    res['gone'] = errno.errorcode[e.errno]
st = os.fstat(kept); res['open'] = [st.st_nlink, st.st_size]
print(json.dumps(res))
`, [mnt, src]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { gone: 'ESTALE', open: [0, 4] });
    assert.deepEqual(server.failures(), []);
  });

  it('--handles off (the O_PATH fallback): works within the limit; beyond it answers EMFILE and reports it on errors$', async function () {
    server = await start(src, mnt, `${LIMIT}:${LIMIT}`, ['--handles', 'off']);
    const few = await create(mnt, 100);
    assert.deepEqual(few, { made: 100, errors: {} });
    const find = await sh('find', [mnt, '-ls']);
    assert.equal(find.code, 0, find.stderr);
    assert.equal(server.failures().length, 0);
    const many = await create(mnt, 600);
    assert.ok(many.made < 600 && (many.errors.EMFILE ?? 0) > 0, JSON.stringify(many));
    await until('the report', () => server!.failures().some((l) => l.startsWith('rxfuse: fd-limit ') && l.includes('EMFILE')));
  });

  it('the soft fd limit is raised to the hard one at start', async function () {
    server = await start(src, mnt, `${LIMIT}:4096`);
    assert.deepEqual(nofile(server), [4096, 4096]);
  });
});

describe('passthrough fd cache (unit)', function () {
  it('closes the least recently used beyond its capacity, never the two most recent; shed() closes the oldest', function () {
    const closed: number[] = [];
    const cache = new FdCache<{ fd: number }>(3, (e) => {
      closed.push(e.fd);
      e.fd = -1;
    });
    const e = [1, 2, 3, 4, 5].map((fd) => ({ fd }));
    cache.touch(e[0]);
    cache.touch(e[1]);
    cache.touch(e[2]);
    cache.touch(e[0]);  // 0 is the most recent now: 1 goes first
    cache.touch(e[3]);
    assert.deepEqual(closed, [2]);
    cache.remove(e[2]);  // pinned: out of the cache, left open
    cache.touch(e[4]);
    assert.deepEqual(closed, [2]);
    assert.equal(cache.size, 3);
    assert.equal(cache.shed(2), 2);
    assert.deepEqual(closed, [2, 1, 4]);
    assert.equal(e[2].fd, 3);
    assert.throws(() => new FdCache(1, () => undefined), RangeError);
  });

  it('is sized a quarter of the fd limit, 16..4096', function () {
    assert.equal(fdCacheSize(256), 64);
    assert.equal(fdCacheSize(20), 16);
    assert.equal(fdCacheSize(1048576), 4096);
    assert.equal(fdCacheSize(Infinity), 4096);
  });
});
