// The API reference (issue 12): `npm run docs` builds it with TypeDoc from the TSDoc comments of the
// public entry points (typedoc.json), and the build fails on any warning: an undocumented export, a
// type a public signature references but the package does not export, a broken {@link}. Here it is
// checked without writing HTML (--emit none), and the config is shown to catch an undocumented export.
import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sh } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const TYPEDOC = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

/** Runs TypeDoc with the options file `options` (default: the project's typedoc.json), emitting nothing. */
function typedoc(options = path.join(ROOT, 'typedoc.json')): Promise<{ code: number; stdout: string; stderr: string }> {
  return sh(process.execPath, [TYPEDOC, '--options', options, '--emit', 'none'],
    { cwd: ROOT, timeout: 100000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
}

describe('API reference (typedoc.json)', function () {
  this.timeout(120000);

  it('builds without a warning: every public export documented, every referenced type exported, every link resolved', async () => {
    const r = await typedoc();
    const output = r.stdout + r.stderr;
    assert.doesNotMatch(output, /warning|error/i, output);
    assert.equal(r.code, 0, output);
  });

  it('fails on an undocumented export (the validation the first test relies on is on)', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'rxfuse-apidocs-'));
    try {
      await fsp.writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { strict: true, module: 'commonjs', target: 'ES2022', types: [] }, files: ['entry.ts'],
      }));
      await fsp.writeFile(path.join(dir, 'entry.ts'), '/** Documented. */\nexport const documented = 1;\nexport function undocumented(): number {\n  return 2;\n}\n');
      // The project's options (extends), on a one-file project with one undocumented export.
      await fsp.writeFile(path.join(dir, 'typedoc.json'), JSON.stringify({
        extends: [path.join(ROOT, 'typedoc.json')], tsconfig: path.join(dir, 'tsconfig.json'),
        entryPoints: [path.join(dir, 'entry.ts')], intentionallyNotDocumented: [],
      }));
      const r = await typedoc(path.join(dir, 'typedoc.json'));
      const output = r.stdout + r.stderr;
      assert.notEqual(r.code, 0, output);
      assert.match(output, /undocumented \(CallSignature\).*does not have any documentation/, output);
      assert.doesNotMatch(output, /\bdocumented \(/, output);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
