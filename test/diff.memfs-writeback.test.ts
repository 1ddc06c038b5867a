// The scripted differential cases (test/diff/cases), memfs with the kernel's writeback cache
// (writeback=on) against tmpfs: the same cases as diff.memfs.test.ts, with a syncfs(2) and an fsync(2) of each open descriptor before each
// step on both sides. Without it, what the kernel still holds in its page cache is not in memfs yet:
// st_blocks, SEEK_DATA/SEEK_HOLE and statfs counts (answered by memfs) lag behind. Two differences
// are allowed, each the kernel's (docs/design.md, "memfs: zero range, writeback, O_TMPFILE").
import { areas } from './diff/cases';
import { diffSuite, mountExample, mountTmpfs } from './diff/harness';
import type { Allowance, Area } from './diff/steps';

/** What the writeback cache changes that memfs cannot, by case name. */
export const WRITEBACK_ALLOWED: Readonly<Record<string, Allowance>> = {
  'truncate and ftruncate to the same size: times': {
    drop: ['mtime', 'ctime'],
    why: 'under writeback the kernel owns mtime and ctime of a regular file and ignores the filesystem\'s; truncate(2) to the ' +
      'same size sends no time, where tmpfs moves both when the file holds pages',
  },
  'reads update atime as relatime does': {
    drop: ['atime'],
    why: 'the data just written is in the page cache (writeback keeps partial pages), so the read never reaches memfs',
  },
};

export function withWritebackAllowances(list: readonly Area[]): Area[] {
  return list.map((a) => ({
    ...a,
    cases: a.cases.map((c) => (WRITEBACK_ALLOWED[c.name] ? { ...c, allow: [...(c.allow ?? []), WRITEBACK_ALLOWED[c.name]] } : c)),
  }));
}

describe('diff: memfs writeback=on vs tmpfs', function () {
  diffSuite(withWritebackAllowances(areas), () => mountTmpfs('tmpfs'), () => mountExample('memfs', ['writeback=on']), true);
});
