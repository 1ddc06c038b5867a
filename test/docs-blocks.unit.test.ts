// docPrograms (test/docs-blocks.ts): how the docs test reads the code blocks of a Markdown file.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { docPrograms } from './docs-blocks';

describe('docs-blocks: the runnable blocks of a Markdown file', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxfuse-docs-blocks-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const read = (md: string): ReturnType<typeof docPrograms> => {
    const file = path.join(dir, 'doc.md');
    fs.writeFileSync(file, md);
    return docPrograms(file);
  };

  it('makes a program of each unmarked ts/typescript/js block, skips sh, keeps the checks above a block', () => {
    const progs = read([
      '# t', '', '<!-- check: cat a -->', '', '<!-- check: ls -->', '```ts', 'const a = 1;', '```',
      'text', '```sh', 'echo no', '```', '```typescript', 'let b;', '```', '```js', 'c();', '```',
    ].join('\n'));
    assert.deepEqual(progs.map((p) => [p.name, p.lang, p.where, p.lines, p.checks]), [
      ['doc-L6', 'ts', 'doc.md:6', ['const a = 1;'], ['cat a', 'ls']],
      ['doc-L13', 'ts', 'doc.md:13', ['let b;'], []],
      ['doc-L16', 'js', 'doc.md:16', ['c();'], []],
    ]);
  });

  it('appends "part of NAME" blocks to the program, with their checks and Markdown lines', () => {
    const progs = read([
      '<!-- program: fs -->', '```ts', 'one();', '```', 'prose', '```ts', 'alone();', '```',
      '<!-- check: cat x -->', '<!-- snippet: part of fs -->', '```ts', 'two();', 'three();', '```',
    ].join('\n'));
    assert.equal(progs.length, 2);
    assert.deepEqual(progs[0].lines, ['one();', 'two();', 'three();']);
    assert.deepEqual(progs[0].origins, ['doc.md:3', 'doc.md:12', 'doc.md:13']);
    assert.deepEqual(progs[0].checks, ['cat x']);
    assert.equal(progs[0].name, 'doc-fs');
  });

  it('a text line between an annotation and its block drops the annotation', () => {
    const progs = read(['<!-- check: cat a -->', 'prose', '```ts', 'x();', '```'].join('\n'));
    assert.deepEqual(progs[0].checks, []);
  });

  it('refuses what would silently not run: a part of an unknown program, annotations on sh, typos, an open block', () => {
    assert.throws(() => read(['<!-- snippet: part of nope -->', '```ts', 'x();', '```'].join('\n')), /doc\.md:2: part of nope, but no earlier block/);
    assert.throws(() => read(['<!-- check: ls -->', '```sh', 'ls', '```'].join('\n')), /doc\.md:2: annotations above a ```sh block/);
    assert.throws(() => read(['<!-- snippet: prt of x -->', '```ts', '```'].join('\n')), /expected "<!-- snippet: part of NAME -->"/);
    assert.throws(() => read(['```ts', 'x();'].join('\n')), /doc\.md:1: code block not closed/);
    assert.throws(() => read(['<!-- chek: ls -->', '```ts', '```'].join('\n')), /doc\.md:1: unknown annotation "chek"/);
    assert.throws(() => read(['<!-- program: a -->', '```ts', '```', '<!-- program: a -->', '```ts', '```'].join('\n')), /a second program named a/);
  });
});
