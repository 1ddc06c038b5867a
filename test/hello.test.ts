// The hello example through a real mount, its client calls in a child process.
import { strict as assert } from 'node:assert';
import { constants } from 'node:fs';
import type { Fuse } from '../lib';
import hello from '../examples/hello';
import { sh, withMount } from './helpers';

const CLIENT = `
const fs = require('fs');
const dir = process.argv[1];
const out = {};
const tryIt = (k, f) => { try { out[k] = f(); } catch (e) { out[k] = e.code; } };
tryIt('readdir', () => fs.readdirSync(dir));
tryIt('stat', () => { const s = fs.statSync(dir + '/hello'); return { mode: s.mode, size: s.size, nlink: s.nlink }; });
tryIt('rootMode', () => fs.statSync(dir).mode);
tryIt('read', () => fs.readFileSync(dir + '/hello', 'utf8'));
tryIt('missing', () => fs.statSync(dir + '/nope'));
tryIt('write', () => fs.writeFileSync(dir + '/hello', 'x'));
tryIt('create', () => fs.writeFileSync(dir + '/new', 'x'));
process.stdout.write(JSON.stringify(out));
`;

describe('hello example', function () {
  it('lists, stats and reads through a real mount; ENOENT and EACCES where due', async function () {
    const seen: string[] = [];
    await withMount(
      (fuse: Fuse) => {
        hello.setup(fuse, []);
        fuse.lookup$.subscribe((r) => seen.push(`lookup:${r.nameKey}`));
      },
      async (m) => {
        const r = await sh(process.execPath, ['-e', CLIENT, m.dir]);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout) as Record<string, unknown>;
        assert.deepEqual(out.readdir, ['hello']);
        assert.deepEqual(out.stat, { mode: constants.S_IFREG | 0o444, size: 13, nlink: 1 });
        assert.equal(out.rootMode, constants.S_IFDIR | 0o755);
        assert.equal(out.read, 'Hello World!\n');
        assert.equal(out.missing, 'ENOENT');
        assert.equal(out.write, 'EACCES');
        assert.equal(out.create, 'ENOSYS');  // no create/mknod handler: the kernel reports ENOSYS
      },
    );
    assert.ok(seen.includes('lookup:hello'));
    assert.ok(seen.includes('lookup:nope'));
  });
});
