// The code blocks of a Markdown file as the docs test runs them: programs made of one block, or of a
// named block and the parts that continue it, each with the checks declared above its blocks.
//
// Annotations are HTML comments on their own lines directly above a block (blank lines between them
// are allowed):
//   <!-- program: NAME -->          the block starts program NAME (later parts continue it)
//   <!-- snippet: part of NAME -->  the block is appended to program NAME and runs as part of it
//   <!-- check: COMMAND -->         COMMAND runs in bash, in the mountpoint, while the program is mounted
// A block with neither program nor snippet is a whole program of its own.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One program to compile and run: the lines of its blocks, where each came from, its checks. */
export interface DocProgram {
  /** A file name: `<doc>-<name>` or `<doc>-L<line>`. */
  readonly name: string;
  /** "ts" (compiled by tsc) or "js" (run as an ES module). */
  readonly lang: 'ts' | 'js';
  /** The Markdown file and the line of its first block, for messages. */
  readonly where: string;
  readonly lines: string[];
  /** For each of `lines`: "<doc>:<line>". */
  readonly origins: string[];
  readonly checks: string[];
}

const FENCE_OPEN = /^```(\S*)\s*$/;
const RUNNABLE: Readonly<Record<string, 'ts' | 'js'>> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };
const ANNOTATION = /^<!--\s*([a-z]+):\s*(.*?)\s*-->$/;
const PART_OF = /^part of ([\w-]+)$/;

interface Pending {
  program?: string;
  partOf?: string;
  checks: string[];
}

function annotate(p: Pending, key: string, value: string, where: string): void {
  if (!['program', 'snippet', 'check'].includes(key)) {
    throw new Error(`${where}: unknown annotation "${key}" (program, snippet or check)`);
  } else if (key === 'check') {
    p.checks.push(value);
  } else if (key === 'program') {
    if (!/^[\w-]+$/.test(value)) throw new Error(`${where}: program names are letters, digits, - and _: ${value}`);
    p.program = value;
  } else {
    const m = PART_OF.exec(value);
    if (!m) throw new Error(`${where}: expected "<!-- snippet: part of NAME -->", got "${value}"`);
    p.partOf = m[1];
  }
}

/** Reads the runnable blocks of `file` into programs, in document order. Bad annotations throw. */
export function docPrograms(file: string): DocProgram[] {
  const doc = path.basename(file, '.md');
  const text = fs.readFileSync(file, 'utf8').split('\n');
  const programs: DocProgram[] = [];
  const byName = new Map<string, DocProgram>();
  let pending: Pending = { checks: [] };
  for (let i = 0; i < text.length; i++) {
    const line = text[i].trim();
    const where = `${path.basename(file)}:${i + 1}`;
    const note = ANNOTATION.exec(line);
    if (note) {
      annotate(pending, note[1], note[2], where);
      continue;
    }
    const fence = FENCE_OPEN.exec(line);
    if (!fence) {
      if (line !== '') pending = { checks: [] };
      continue;
    }
    let end = i + 1;
    while (end < text.length && text[end].trim() !== '```') end++;
    if (end === text.length) throw new Error(`${where}: code block not closed`);
    const lang = RUNNABLE[fence[1]];
    if (lang) {
      const body = text.slice(i + 1, end);
      const origins = body.map((_, k) => `${path.basename(file)}:${i + 2 + k}`);
      if (pending.partOf) {
        if (pending.program) throw new Error(`${where}: a block is a program or a part of one, not both`);
        const prog = byName.get(pending.partOf);
        if (!prog) throw new Error(`${where}: part of ${pending.partOf}, but no earlier block is <!-- program: ${pending.partOf} -->`);
        if (prog.lang !== lang) throw new Error(`${where}: a ${lang} part of the ${prog.lang} program ${prog.name}`);
        prog.lines.push(...body);
        prog.origins.push(...origins);
        prog.checks.push(...pending.checks);
      } else {
        const name = `${doc}-${pending.program ?? `L${i + 1}`}`;
        if (byName.has(pending.program ?? name)) throw new Error(`${where}: a second program named ${pending.program}`);
        const prog: DocProgram = { name, lang, where, lines: body, origins, checks: [...pending.checks] };
        programs.push(prog);
        byName.set(pending.program ?? name, prog);
      }
    } else if (pending.checks.length || pending.program || pending.partOf) {
      throw new Error(`${where}: annotations above a \`\`\`${fence[1]} block, which is not run`);
    }
    pending = { checks: [] };
    i = end;
  }
  return programs;
}
