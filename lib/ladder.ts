// @internal, benchmark only: the ablation ladder's native steps (docs/performance.md, src-native/ladder.cc).
// A mount with FuseOptions.ladder serves benchfs from C; these are the JS calls steps 2 and 3 add.
import type { NativeSession } from './native';

/** 1: answered in C, no JS; 2: + one JS call per request; 3: + the reply made from JS through N-API. */
export type LadderStep = 1 | 2 | 3;

export function checkLadder(step: unknown): void {
  if (step !== undefined && step !== 1 && step !== 2 && step !== 3) {
    throw new RangeError(`ladder: 1, 2 or 3, got ${String(step)}`);
  }
}

/** Swaps the session's ops for the ladder's (before mount()). */
export function installLadder(session: NativeSession, step: LadderStep): void {
  const call = step === 3 ? (): void => void session.ladderReply() : (): void => undefined;
  session.setLadder(step, call);
}
