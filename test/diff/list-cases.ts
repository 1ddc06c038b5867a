// Prints the scripted cases by area with counts, and the allowances (differences on purpose):
//   node dist/test/diff/list-cases.js [--names]
import { NORMALISED } from './allowances';
import { areas } from './cases';
import { ALLOWED } from './lockstep';

const names = process.argv.includes('--names');
let total = 0;
for (const area of areas) {
  total += area.cases.length;
  process.stdout.write(`${area.name}: ${area.cases.length}\n`);
  if (names) for (const c of area.cases) process.stdout.write(`  - ${c.name}\n`);
}
process.stdout.write(`total: ${total} cases, each run as root and as uid/gid 1000\n`);
const allowed = areas.flatMap((a) => a.cases.filter((c) => c.allow).map((c) => ({ area: a.name, c })));
if (allowed.length) {
  process.stdout.write('\nallowed differences:\n');
  for (const { area, c } of allowed) {
    for (const a of c.allow ?? []) process.stdout.write(`  ${area} / ${c.name}: ${a.drop.join(', ')}${a.steps ? ` (steps ${a.steps.join(', ')})` : ''}: ${a.why}\n`);
  }
}
process.stdout.write('\nfor every case (runner.py):\n');
for (const n of NORMALISED) process.stdout.write(`  - ${n}\n`);
process.stdout.write('\nin the random run (lockstep.ts):\n');
for (const a of ALLOWED) process.stdout.write(`  - ${a.why}\n`);
