// Runs one long step sequence on two targets in lockstep batches (one persistent runner each) and
// fails at the first step whose results differ, with the seed and the steps that led there.
import { strict as assert } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import { Runner, type Target } from './harness';
import type { Result, Step } from './steps';

const BATCH = 200;
const CONTEXT = 16;
const show = (v: unknown): string => JSON.stringify(v);

/** A difference between the kernel's tmpfs and any FUSE filesystem that the filesystem cannot change. */
export interface LockstepAllowance {
  why: string;
  applies(step: Step, ref: Result, sut: Result): boolean;
}

export const ALLOWED: readonly LockstepAllowance[] = [
  {
    why:
      'lseek on a directory with SEEK_END, SEEK_DATA or SEEK_HOLE: tmpfs refuses (EINVAL); the kernel answers it for a FUSE ' +
      'directory itself (generic_file_llseek on the directory\'s size), without asking the filesystem',
    applies: (step, ref, sut) =>
      step.op === 'lseek' && ['END', 'DATA', 'HOLE'].includes(String(step.args.whence)) && ref.on === 'dir' && sut.on === 'dir' && ref.err === 'EINVAL',
  },
  {
    why: 'lseek on a directory with SEEK_CUR: directory positions are each filesystem\'s own cookies, and differ',
    applies: (step, ref, sut) => step.op === 'lseek' && step.args.whence === 'CUR' && ref.on === 'dir' && sut.on === 'dir' && 'ok' in ref && 'ok' in sut,
  },
];

/** The names a step works on: its paths (and their parents) and its descriptor slot. */
function touches(s: Step): string[] {
  const out: string[] = [];
  for (const k of ['path', 'src', 'dst', 'fd']) {
    const v = s.args[k];
    if (typeof v === 'string') out.push(v);
  }
  return out;
}

export async function lockstep(ref: Target, sut: Target, steps: readonly Step[], seed: number): Promise<void> {
  const runners = [new Runner(ref.dir, 'root', false), new Runner(sut.dir, 'root', false)];
  try {
    await Promise.all(runners.map((r) => r.request({ cmd: 'begin', name: 'random' })));
    const done: { step: Step; result: Result }[] = [];
    for (let at = 0; at < steps.length; at += BATCH) {
      const batch = steps.slice(at, at + BATCH);
      const [a, b] = await Promise.all(runners.map((r) => r.request<{ results: Result[] }>({ cmd: 'steps', steps: batch }, 60000)));
      for (let i = 0; i < batch.length; i++) {
        const ra = a.results[i];
        const rb = b.results[i];
        if (ra.bug || rb.bug || (!isDeepStrictEqual(ra, rb) && !ALLOWED.some((x) => x.applies(batch[i], ra, rb)))) {
          const line = (n: number): string => `  ${n}: ${show(done[n].step)} -> ${show(done[n].result)}`;
          // The names the failing step works on, and the path its descriptor was opened on.
          const names = new Set(touches(batch[i]));
          const fd = batch[i].args.fd;
          const opened = done.filter((d) => d.step.op === 'open' && d.step.args.fd === fd && d.result.ok !== undefined).pop();
          if (opened) names.add(String(opened.step.args.path));
          const related = done.map((_, n) => n).filter((n) => touches(done[n].step).some((x) => names.has(x))).slice(-CONTEXT);
          const last = done.map((_, n) => n).slice(-5);
          assert.fail(
            `seed ${seed} (RXFUSE_SEED=${seed} replays it), step ${at + i} of ${steps.length}: ${show(batch[i])}\n` +
              `  ${ref.name}: ${show(ra)}\n  ${sut.name}: ${show(rb)}\n` +
              `earlier steps on the same names (${ref.name} results):\n${related.map(line).join('\n')}\n` +
              `the last steps:\n${last.map(line).join('\n')}` +
              (sut.errors.length ? `\n${sut.name} reported: ${sut.errors.map((e) => `${e.kind} ${e.op ?? ''}: ${String(e.cause)}`).join('; ')}` : ''),
          );
        }
        done.push({ step: batch[i], result: ra });
      }
    }
    await Promise.all(runners.map((r) => r.request({ cmd: 'end' })));
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
}
