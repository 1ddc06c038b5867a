// lib/layout.ts checkLayout against the addon's exported layout, without FUSE: the real one passes;
// a doctored copy (as a build with two ops or two fields swapped in src-native would export)
// refuses to load, naming what differs.
import { strict as assert } from 'node:assert';
import { checkLayout, type NativeLayout } from '../lib/layout';
import { native } from '../lib/native';
import { OPS } from '../lib/op-table';

type Fields = Record<string, Record<string, number>>;

/** A deep copy of the addon's layout, changed by `edit`. */
function doctored(edit: (l: { ops: string[]; fields: Fields } & Record<string, unknown>) => void): NativeLayout {
  const copy = JSON.parse(JSON.stringify(native().layout)) as { ops: string[]; fields: Fields } & Record<string, unknown>;
  edit(copy);
  return copy as unknown as NativeLayout;
}

function refuses(layout: NativeLayout, ...named: RegExp[]): void {
  assert.throws(() => checkLayout(layout, OPS), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^rxfuse: native layout mismatch/);
    for (const re of named) assert.match(e.message, re);
    return true;
  });
}

function swap<T>(a: T[] | Record<string, T>, i: number | string, j: number | string): void {
  const r = a as Record<string | number, T>;
  [r[i], r[j]] = [r[j], r[i]];
}

describe('layout: checked by name at load (no FUSE)', function () {
  it('the addon this lib loads has its layout', function () {
    checkLayout(native().layout, OPS);
    assert.deepEqual([...native().layout.ops], [...OPS]);
    for (const group of ['F', 'S', 'ST', 'FI', 'SF', 'LK', 'C', 'SX', 'D']) {
      assert.ok(Object.keys(native().layout.fields[group] ?? {}).length > 1, `group ${group} exported`);
    }
  });

  it('two ops swapped: refuses, naming both', function () {
    const l = doctored((c) => swap(c.ops, 2, 3));  // getattr <-> setattr
    refuses(l, /op 3: addon setattr, lib getattr/, /op 4: addon getattr, lib setattr/);
  });

  it('an op missing or added: refuses, naming it', function () {
    refuses(doctored((c) => c.ops.pop()), /op 42: addon \(none\), lib tmpfile/);
    refuses(doctored((c) => c.ops.push('fsyncall')), /op 43: addon fsyncall, lib \(none\)/);
  });

  it('two slot fields swapped: refuses, naming both', function () {
    refuses(doctored((c) => swap(c.fields.F, 'INO', 'FH')), /F\.INO: addon 8, lib 7/, /F\.FH: addon 7, lib 8/);
  });

  it('two scratch fields or sub-fields swapped: refuses, naming both', function () {
    refuses(doctored((c) => swap(c.fields.S, 'FI', 'STATFS')), /S\.FI: addon 32, lib 24/, /S\.STATFS: addon 24, lib 32/);
    refuses(doctored((c) => swap(c.fields.FI, 'KEEP_CACHE', 'NOFLUSH')), /FI\.KEEP_CACHE/, /FI\.NOFLUSH/);
    refuses(doctored((c) => swap(c.fields.SF, 'BFREE', 'BAVAIL')), /SF\.BFREE/, /SF\.BAVAIL/);
    refuses(doctored((c) => swap(c.fields.LK, 'START', 'LEN')), /LK\.START/, /LK\.LEN/);
    refuses(doctored((c) => swap(c.fields.ST, 'SIZE', 'BLOCKS')), /ST\.SIZE/, /ST\.BLOCKS/);
    refuses(doctored((c) => swap(c.fields.C, 'MAX_READ', 'MAX_WRITE')), /C\.MAX_READ/, /C\.MAX_WRITE/);
    refuses(doctored((c) => swap(c.fields.D, 'OFF', 'NAMELEN')), /D\.OFF/, /D\.NAMELEN/);
  });

  it('a field renamed or missing: refuses, naming it', function () {
    refuses(
      doctored((c) => {
        c.fields.F.ARG4 = c.fields.F.ARG3;
        delete c.fields.F.ARG3;
      }),
      /F\.ARG3: addon \(none\), lib 19/,
      /F\.ARG4: addon 19, lib \(none\)/,
    );
    refuses(doctored((c) => delete c.fields.LK), /LK\.TYPE: addon \(none\), lib 0/);
  });

  it('the geometry differs: refuses, naming it', function () {
    refuses(doctored((c) => (c.SLOT_BYTES = 4096)), /SLOT_BYTES: addon 4096, lib 8192/);
  });
});
