// The harness checked against itself: every case on two fresh kernel tmpfs mounts must agree, and
// every expectation a case states must hold there. Not part of the suite (it tests no rxfuse code);
// run it after changing cases or runner.py:  npx mocha dist/test/diff/selfcheck.js
import { areas } from './cases';
import { diffSuite, mountTmpfs, type Target } from './harness';
import { lockstep } from './lockstep';
import { prologue, randomSteps } from './random';

describe('diff harness: tmpfs vs tmpfs', function () {
  diffSuite(areas, () => mountTmpfs('tmpfs'), () => mountTmpfs('tmpfs2'));
});

describe('diff harness: random operations, tmpfs vs tmpfs', function () {
  let ref: Target | undefined;
  let sut: Target | undefined;
  before(async function () {
    ref = await mountTmpfs('tmpfs');
    sut = await mountTmpfs('tmpfs2');
  });
  after(async function () {
    await sut?.close();
    await ref?.close();
  });
  const seed = process.env.RXFUSE_SEED ? Number(process.env.RXFUSE_SEED) : 1;
  it(`20000 random operations agree (seed ${seed})`, async function () {
    this.timeout(120000);
    if (!ref || !sut) throw new Error('no mounts');
    await lockstep(ref, sut, [...prologue(), ...randomSteps(seed, 20000)], seed);
  });
});
