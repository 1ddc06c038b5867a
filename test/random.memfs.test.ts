// Random operations, memfs against the kernel's tmpfs, step by step: a seeded sequence of 20,000
// syscalls over 300 paths with eight descriptor slots (some steps as uid 1000) runs on both through
// one persistent runner each, in lockstep batches, and every result must be the same.
//   RXFUSE_SEED=<n>  replays a seed (the test title and any failure show it)
//   RXFUSE_OPS=<n>   the number of operations (default 20000)
import { strict as assert } from 'node:assert';
import { mountExample, mountTmpfs, type Target } from './diff/harness';
import { lockstep } from './diff/lockstep';
import { prologue, randomSteps } from './diff/random';

const SEED = process.env.RXFUSE_SEED ? Number(process.env.RXFUSE_SEED) : Math.floor(Math.random() * 2 ** 31);
const OPS = process.env.RXFUSE_OPS ? Number(process.env.RXFUSE_OPS) : 20000;

describe('random operations: memfs vs tmpfs', function () {
  let ref: Target | undefined;
  let sut: Target | undefined;

  before(async function () {
    this.timeout(30000);
    ref = await mountTmpfs('tmpfs');
    sut = await mountExample('memfs');
  });
  after(async function () {
    this.timeout(30000);
    await sut?.close();
    await ref?.close();
  });

  it(`${OPS} random operations give the same results (seed ${SEED}; RXFUSE_SEED=${SEED} replays it)`, async function () {
    this.timeout(150000);
    if (!ref || !sut) throw new Error('the mounts are not there');
    await lockstep(ref, sut, [...prologue(), ...randomSteps(SEED, OPS)], SEED);
    assert.deepEqual(sut.errors.map((e) => `${e.kind} ${e.op ?? ''}: ${String(e.cause)}`), [], `memfs reported handler failures (seed ${SEED})`);
  });
});
