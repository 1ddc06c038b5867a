// Real programs on the memfs and passthrough mounts, each checking its result: git (init, commit,
// gc, fsck), tar with xattrs and hard links, cp -a, rsync -aHAX round trips (trees compared with
// test/diff/treesum.py), sqlite3 (rollback journal and WAL, integrity_check), gcc compiling and
// running a program, a FIFO with a reader and a writer, flock and fcntl locks between two processes.
// Every program is a child process with a timeout; a scratch tmpfs holds what lives off the mount.
import { strict as assert } from 'node:assert';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { mountExample, mountPassthrough, mountTmpfs, type Target } from './diff/harness';
import { PASSTHROUGH_OFF, sh } from './helpers';

const TREESUM = path.resolve(__dirname, '..', '..', 'test', 'diff', 'treesum.py');
const PYTHON = '/usr/bin/python3';

/** A tree with what copies must keep: data, modes, owners, hard links, symlinks, a FIFO, a device, xattrs, times. */
const MKTREE = String.raw`
import os, sys
d = sys.argv[1]
os.makedirs(d + '/sub/deep')
os.makedirs(d + '/empty')
def w(p, data, mode=0o644):
    with open(os.path.join(d, p), 'wb') as f:
        f.write(data)
    os.chmod(os.path.join(d, p), mode)
w('a.txt', b'hello\n')
w('big.bin', os.urandom(300000))
w('sub/b.txt', b'bee\n', 0o600)
w('sub/deep/c.sh', b'#!/bin/sh\necho c\n', 0o755)
w('setgid', b'g', 0o2755)
os.link(d + '/a.txt', d + '/sub/hard')
os.link(d + '/big.bin', d + '/sub/deep/big2')
os.symlink('sub/b.txt', d + '/link')
os.symlink('nowhere', d + '/dangling')
with open(d + '/sparse', 'wb') as f:
    f.truncate(1 << 20)
    f.seek(512 * 1024)
    f.write(b'middle')
os.mkfifo(d + '/pipe')
os.mknod(d + '/null', 0o20666, os.makedev(1, 3))
os.setxattr(d + '/a.txt', 'user.tar', b'one')
os.setxattr(d + '/sub', 'user.dir', b'two')
os.setxattr(d + '/sub/b.txt', 'trusted.t', b'three')
os.setxattr(d + '/big.bin', 'user.bin', bytes(range(256)))
os.chown(d + '/sub/b.txt', 1000, 1000)
os.chown(d + '/sub/deep', 1000, 1002)
for root, dirs, files in os.walk(d, topdown=False):
    for n in files + dirs:
        os.utime(os.path.join(root, n), ns=(1000000000 * 10**9 + 5, 981173106 * 10**9 + 7), follow_symlinks=False)
`;

/**
 * A command to run in `dir`, a directory on a mount this process serves. Never spawn a child with
 * its cwd or its executable on such a mount: libuv's spawn waits on this thread until the child has
 * exec'd, and the child's chdir or exec waits for this thread to answer the mount, a deadlock. So
 * bash starts off the mount and changes directory once spawn has returned.
 */
function inDir(dir: string, cmd: string, args: readonly string[] = []): [string, string[]] {
  return ['/bin/bash', ['-c', 'cd -- "$1" && shift && exec "$@"', 'in', dir, cmd, ...args]];
}

async function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<string> {
  const r = await sh(cmd, args, { timeout: 30000, ...opts });
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function treesum(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await run(PYTHON, [TREESUM, dir])) as Record<string, unknown>;
}

async function mktree(dir: string): Promise<Record<string, unknown>> {
  await run(PYTHON, ['-c', MKTREE, dir]);
  return treesum(dir);
}

/** Starts a process that prints `ready` once it holds something; kills it in the end. */
async function holder(cmd: string, args: string[], dir: string, ready: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(...inDir(dir, cmd, args), { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${cmd} never said ${ready}: ${err}`)), 10000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) {
        clearTimeout(t);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${cmd} exited (${code}) before saying ${ready}: ${err}`));
    });
  });
  return child;
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const FCNTL_TRY = String.raw`
import errno, fcntl, json, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
out = {}
for name, start in (('overlap', 0), ('beyond', 200)):
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, start)
        out[name] = 'ok'
    except OSError as e:
        out[name] = errno.errorcode[e.errno]
r = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack('hhqqi4x', fcntl.F_WRLCK, 0, 0, 10, 0))
t, _, start, length, pid = struct.unpack('hhqqi4x', r)
out['getlk'] = [t, start, length, pid]
print(json.dumps(out))
`;

const FCNTL_HOLD = String.raw`
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.lockf(fd, fcntl.LOCK_EX, 100, 0)
print('held', flush=True)
sys.stdin.read()
`;

function programs(name: string, mount: () => Promise<Target>): void {
  describe(`real programs on ${name}`, function () {
    let scratch: Target | undefined;
    let sut: Target | undefined;
    let n = 0;
    /** A fresh directory on the mount and one on the scratch tmpfs for each test. */
    const dirs = async (): Promise<{ m: string; s: string }> => {
      if (!sut || !scratch) throw new Error('the mounts are not there');
      const m = path.join(sut.dir, `t${n}`);
      const s = path.join(scratch.dir, `t${n++}`);
      await fsp.mkdir(m);
      await fsp.mkdir(s);
      return { m, s };
    };

    before(async function () {
      this.timeout(30000);
      scratch = await mountTmpfs('scratch');
      sut = await mount();
    });
    after(async function () {
      this.timeout(30000);
      await sut?.close();
      await scratch?.close();
    });
    afterEach(function () {
      const errors = sut?.errors.splice(0).map((e) => `${e.kind} ${e.op ?? ''}: ${String(e.cause)}`) ?? [];
      assert.deepEqual(errors, [], `${name} reported handler failures`);
    });

    it('git init, two commits, gc and fsck --full --strict', async function () {
      this.timeout(60000);
      const { m, s } = await dirs();
      const env = {
        ...process.env, HOME: s, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com',
      };
      const script = [
        'set -e', 'git init -q repo', 'cd repo', 'mkdir -p src/deep', 'for i in $(seq 1 40); do echo "line $i" > src/f$i.txt; done',
        'printf "#!/bin/sh\\necho hi\\n" > run.sh', 'chmod +x run.sh', 'ln -s src/f1.txt link', 'echo deep > src/deep/x', 'git add -A', 'git commit -qm one',
        'for i in $(seq 1 10); do echo "more $i" >> src/f$i.txt; done', 'git mv src/f40.txt src/deep/moved.txt', 'git rm -q src/f39.txt', 'git commit -qam two',
        'git gc -q', 'git fsck --full --strict', 'git status --porcelain', 'git log --oneline | wc -l', 'git show HEAD:src/deep/moved.txt',
        'git ls-files | wc -l', 'git cat-file -p HEAD^{tree} | grep -c .',
      ].join('\n');
      const out = await run(...inDir(m, 'bash', ['-c', script]), { env, timeout: 60000 });
      assert.equal(out, '2\nline 40\n42\n3\n', `git output: ${out}`);
    });

    it('tar --xattrs: create from the mount, extract onto it and onto tmpfs; the trees are the same', async function () {
      this.timeout(60000);
      const { m, s } = await dirs();
      const want = await mktree(path.join(m, 'src'));
      const opts = ['--xattrs', '--xattrs-include=*', '--numeric-owner'];
      await run('tar', [...opts, '-cpf', path.join(s, 'a.tar'), '-C', path.join(m, 'src'), '.']);
      await fsp.mkdir(path.join(m, 'dst'));
      await fsp.mkdir(path.join(s, 'dst'));
      await run('tar', [...opts, '-xpf', path.join(s, 'a.tar'), '-C', path.join(m, 'dst')]);
      await run('tar', [...opts, '-xpf', path.join(s, 'a.tar'), '-C', path.join(s, 'dst')]);
      assert.deepEqual(await treesum(path.join(m, 'dst')), want, 'extracted onto the mount');
      assert.deepEqual(await treesum(path.join(s, 'dst')), want, 'extracted onto tmpfs');
      const listing = await run('tar', ['-tvf', path.join(s, 'a.tar')]);
      assert.match(listing, /sub\/hard link to \.\/a\.txt|a\.txt link to \.\/sub\/hard/, 'the archive holds the hard link as a link');
    });

    it('tar --xattrs: a tree made on tmpfs, extracted onto the mount', async function () {
      this.timeout(60000);
      const { m, s } = await dirs();
      const want = await mktree(path.join(s, 'src'));
      const opts = ['--xattrs', '--xattrs-include=*', '--numeric-owner'];
      await run('tar', [...opts, '-cpf', path.join(s, 'b.tar'), '-C', path.join(s, 'src'), '.']);
      await run('tar', [...opts, '-xpf', path.join(s, 'b.tar'), '-C', m]);
      assert.deepEqual(await treesum(m), want);
    });

    it('cp -a onto the mount and back', async function () {
      this.timeout(60000);
      const { m, s } = await dirs();
      const want = await mktree(path.join(s, 'src'));
      await run('cp', ['-a', path.join(s, 'src'), path.join(m, 'copy')]);
      assert.deepEqual(await treesum(path.join(m, 'copy')), want, 'the copy on the mount');
      await run('cp', ['-a', path.join(m, 'copy'), path.join(s, 'back')]);
      assert.deepEqual(await treesum(path.join(s, 'back')), want, 'the copy back');
      await run('cp', ['-a', path.join(m, 'copy'), path.join(m, 'copy2')]);
      assert.deepEqual(await treesum(path.join(m, 'copy2')), want, 'a copy within the mount');
    });

    it('rsync -aHAX onto the mount and back', async function () {
      this.timeout(60000);
      const { m, s } = await dirs();
      const want = await mktree(path.join(s, 'src'));
      await run('rsync', ['-aHAX', `${path.join(s, 'src')}/`, `${path.join(m, 'rs')}/`], { timeout: 60000 });
      assert.deepEqual(await treesum(path.join(m, 'rs')), want, 'the copy on the mount');
      await run('rsync', ['-aHAX', `${path.join(m, 'rs')}/`, `${path.join(s, 'back')}/`], { timeout: 60000 });
      assert.deepEqual(await treesum(path.join(s, 'back')), want, 'the copy back');
      // An update: a changed file (and so its hard link), a new one, a removed one.
      await fsp.writeFile(path.join(s, 'src', 'a.txt'), 'changed\n');
      await fsp.writeFile(path.join(s, 'src', 'sub', 'new.txt'), 'new\n');
      await fsp.unlink(path.join(s, 'src', 'sub', 'deep', 'c.sh'));
      const out = await run('rsync', ['-aHAX', '--delete', '--itemize-changes', `${path.join(s, 'src')}/`, `${path.join(m, 'rs')}/`], { timeout: 60000 });
      assert.match(out, /a\.txt/);
      assert.deepEqual(await treesum(path.join(m, 'rs')), await treesum(path.join(s, 'src')), 'the updated copy');
    });

    it('sqlite3: a database with 20000 rows, updates, an index, VACUUM, integrity_check', async function () {
      this.timeout(60000);
      const { m } = await dirs();
      const db = path.join(m, 'test.db');
      await run('sqlite3', [db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) INSERT INTO t SELECT x, printf('row %d', x) FROM c;"]);
      await run('sqlite3', [db, "BEGIN; UPDATE t SET b = b || '!' WHERE a % 3 = 0; DELETE FROM t WHERE a % 7 = 0; COMMIT; CREATE INDEX ib ON t(b); VACUUM;"]);
      const out = await run('sqlite3', [db, "PRAGMA integrity_check; SELECT count(*), sum(a), count(*) FILTER (WHERE b LIKE '%!') FROM t;"]);
      let count = 0;
      let sum = 0;
      let bang = 0;
      for (let a = 1; a <= 20000; a++) {
        if (a % 7 === 0) continue;
        count++;
        sum += a;
        if (a % 3 === 0) bang++;
      }
      assert.equal(out, `ok\n${count}|${sum}|${bang}\n`);
    });

    it('sqlite3 in WAL mode: writes from two processes, checkpoint, integrity_check', async function () {
      this.timeout(60000);
      const { m } = await dirs();
      const db = path.join(m, 'wal.db');
      assert.equal(await run('sqlite3', [db, 'PRAGMA journal_mode=WAL; CREATE TABLE t(a INTEGER PRIMARY KEY, who TEXT);']), 'wal\n');
      const insert = (who: string): Promise<string> =>
        run('sqlite3', ['-cmd', '.timeout 10000', db, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500) INSERT INTO t(who) SELECT '${who}' FROM c;`]);
      await Promise.all([insert('one'), insert('two')]);
      const out = await run('sqlite3', [db, 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA integrity_check; SELECT who, count(*) FROM t GROUP BY who ORDER BY who;']);
      assert.equal(out, '0|0|0\nok\none|500\ntwo|500\n');
    });

    it('gcc compiles and links a program on the mount, which then runs', async function () {
      this.timeout(60000);
      const { m } = await dirs();
      await fsp.writeFile(path.join(m, 'greet.h'), '#define GREETING "hello from the mount"\n');
      await fsp.writeFile(path.join(m, 'hello.c'), '#include <stdio.h>\n#include "greet.h"\nint main(void) { printf("%s %d\\n", GREETING, 6 * 7); return 0; }\n');
      await run(...inDir(m, 'gcc', ['-Wall', '-O1', '-o', 'hello', 'hello.c']), { timeout: 60000 });
      assert.equal(await run(...inDir(m, './hello')), 'hello from the mount 42\n');
      await run(...inDir(m, 'gcc', ['-c', 'hello.c', '-o', 'hello.o']), { timeout: 60000 });
      await run(...inDir(m, 'gcc', ['hello.o', '-o', 'hello2']), { timeout: 60000 });
      assert.equal(await run(...inDir(m, './hello2')), 'hello from the mount 42\n');
      const st = await fsp.stat(path.join(m, 'hello2'));
      assert.equal(st.mode & 0o111, 0o111, 'the linker made it executable');
    });

    it('mkfifo: a reader and a writer in two processes', async function () {
      this.timeout(30000);
      const { m } = await dirs();
      await run('mkfifo', [path.join(m, 'p'), path.join(m, 'q')]);
      const reader = sh(...inDir(m, 'bash', ['-c', 'cat p; wc -c < q']), { timeout: 20000 });
      await run(...inDir(m, 'bash', ['-c', 'echo hello-fifo > p; head -c 1000000 /dev/urandom > q']), { timeout: 20000 });
      const r = await reader;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.replace(/ +/g, ''), 'hello-fifo\n1000000\n');
      const st = await fsp.stat(path.join(m, 'p'));
      assert.ok(st.isFIFO());
      assert.equal(st.size, 0);
    });

    it('flock: a second process cannot take a held lock until it is released', async function () {
      this.timeout(30000);
      const { m } = await dirs();
      const child = await holder('flock', ['-x', 'lockfile', '-c', 'echo held; read x || true'], m, 'held');
      try {
        assert.equal((await sh(...inDir(m, 'flock', ['-n', '-E', '7', 'lockfile', 'true']))).code, 7, 'exclusive lock refused');
        assert.equal((await sh(...inDir(m, 'flock', ['-s', '-n', '-E', '7', 'lockfile', 'true']))).code, 7, 'shared lock refused');
        child.stdin.end();
        assert.equal(await exited(child), 0);
        assert.equal((await sh(...inDir(m, 'flock', ['-n', '-E', '7', 'lockfile', 'true']))).code, 0, 'free once released');
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('fcntl locks: conflicts, F_GETLK names the holder, free once released', async function () {
      this.timeout(30000);
      const { m } = await dirs();
      const file = path.join(m, 'lockfile');
      const child = await holder(PYTHON, ['-c', FCNTL_HOLD, file], m, 'held');
      try {
        const held = JSON.parse(await run(PYTHON, ['-c', FCNTL_TRY, file])) as { overlap: string; beyond: string; getlk: number[] };
        assert.ok(['EAGAIN', 'EACCES'].includes(held.overlap), `overlapping lock: ${held.overlap}`);
        assert.equal(held.beyond, 'ok', 'a lock on another range');
        assert.deepEqual(held.getlk, [1, 0, 100, child.pid], 'F_GETLK: the holder\'s write lock');
        child.stdin.end();
        assert.equal(await exited(child), 0);
        const free = JSON.parse(await run(PYTHON, ['-c', FCNTL_TRY, file])) as { overlap: string; getlk: number[] };
        assert.equal(free.overlap, 'ok');
        assert.equal(free.getlk[0], 2, 'F_GETLK: unlocked');
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
}

// RXFUSE_PASSTHROUGH=off (npm run test:no-passthrough) reruns only the passthrough: memfs has none.
if (!PASSTHROUGH_OFF) programs('memfs', () => mountExample('memfs'));
programs('passthrough', mountPassthrough);
