// memfs's clock (examples/memfs/clock.ts) against steps of the wall clock, which tmpfs follows at
// once. Each case runs in a child node process with Date.now replaced there, so that a stepped clock
// (the module's "never backwards" state) cannot leak into the memfs mounts of other tests. No kernel.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const CLOCK = path.join(__dirname, '..', 'examples', 'memfs', 'clock.js');

/** Runs `body` in a child with `clock` and `ms(t)` in scope and `real()` the true Date.now; returns what it prints. */
function child<T>(body: string): T {
  const script = `
const { clock } = require(${JSON.stringify(CLOCK)});
const real = Date.now.bind(Date);
const ms = (t) => t.sec * 1000 + t.nsec / 1e6;
${body}`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10000 })) as T;
}

describe('memfs clock (no mount)', function () {
  it('follows the wall clock with nanosecond steps and never goes backwards', function () {
    const r = child<{ ordered: boolean; off: number; nsecOk: boolean }>(`
let ordered = true, prev = clock(), nsecOk = true;
for (let i = 0; i < 10000; i++) {
  const t = clock();
  if (ms(t) < ms(prev)) ordered = false;
  if (!(Number.isInteger(t.nsec) && t.nsec >= 0 && t.nsec < 1e9)) nsecOk = false;
  prev = t;
}
console.log(JSON.stringify({ ordered, off: ms(clock()) - real(), nsecOk }));`);
    assert.ok(r.ordered && r.nsecOk);
    assert.ok(Math.abs(r.off) <= 3, `within the drift bound of Date.now(): ${r.off} ms`);
  });

  it('follows a step of the wall clock forward at once', function () {
    const off = child<number>(`
clock();
Date.now = () => real() + 5000;
console.log(JSON.stringify(ms(clock()) - real()));`);
    assert.ok(Math.abs(off - 5000) <= 3, `expected ~5000 ms ahead, got ${off}`);
  });

  it('holds still through a step back until the wall clock passes the last time given', function () {
    const r = child<{ held: number; after: number }>(`
const before = clock();
Date.now = () => real() - 5000;
const during = clock();
Date.now = real;
const after = clock();
console.log(JSON.stringify({ held: ms(during) - ms(before), after: ms(after) - real() }));`);
    assert.ok(r.held >= 0 && r.held <= 3, `not earlier than a time already given: ${r.held}`);
    assert.ok(Math.abs(r.after) <= 3, `back on the wall clock: ${r.after}`);
  });
});
