// The lower trees the cases start from, and the case constructor.
import { Step } from '../../diff/steps';
import type { Allowance, LowerSpec, OvCase } from '../harness';

/**
 * The standard lower tree: files with xattrs and odd modes, a lower-only tree with a subdirectory,
 * an empty directory, symlinks, a user's directory, a public and a sticky directory, a FIFO, a large
 * and a sparse file, a deep path. Every time is old and fixed (runner.py build()).
 */
export const STD: LowerSpec = {
  '.': { dir: true },
  f: { file: 'hello' },
  g: { file: 'world', xattrs: { 'user.a': 'va', 'trusted.t': 'vt' } },
  esc: { file: 'escaped', xattrs: { 'trusted.overlay.overlay.esc': 've', 'trusted.overlay.private': 'hidden' } },
  x: { file: '#!/bin/sh\n', mode: 0o755 },
  ro: { file: 'read only', mode: 0o444 },
  suid: { file: 'suid', mode: 0o4755 },
  d: { dir: true, xattrs: { 'user.dir': 'vd' } },
  'd/a': { file: 'a' },
  'd/b': { file: 'b', xattrs: { 'user.b': 'vb' } },
  'd/sub': { dir: true, mode: 0o750 },
  'd/sub/s': { file: 's' },
  e: { dir: true },
  l: { symlink: 'f' },
  dl: { symlink: 'd' },
  dangling: { symlink: 'nowhere' },
  u: { dir: true, uid: 1000 },
  'u/mine': { file: 'mine', uid: 1000, xattrs: { 'user.m': 'vm' } },
  'u/theirs': { file: 'theirs', uid: 1001, mode: 0o664 },
  'u/sub': { dir: true, uid: 1000 },
  'u/sub/t': { file: 't', uid: 1000 },
  pub: { dir: true, mode: 0o777 },
  'pub/p': { file: 'p', uid: 1001 },
  sticky: { dir: true, mode: 0o1777 },
  'sticky/theirs': { file: 's1', uid: 1001 },
  'sticky/mine': { file: 's2', uid: 1000 },
  fifo: { fifo: true },
  big: { file: { rand: 1, len: 200000 } },
  sparse: { file: 'head', size: 1 << 20, at: [[1 << 19, 'middle']] },
  deep: { dir: true },
  'deep/a': { dir: true },
  'deep/a/b': { dir: true },
  'deep/a/b/c': { file: 'c' },
};

/** The standard tree in a case directory owned by the user (so that user runs may create at the top). */
export const STD_USER: LowerSpec = { ...STD, '.': { dir: true, uid: 1000 } };

/** A lower file with two names (a lower hard link). */
export const LINKED: LowerSpec = {
  '.': { dir: true },
  h1: { file: 'shared' },
  h2: { link: 'h1' },
  other: { file: 'other' },
};

interface Options {
  lower?: LowerSpec;
  who?: 'root' | 'user';
  allow?: Allowance[];
}

/** A case: its name, steps, and lower tree (STD) and identity (root) unless told. */
export function ov(name: string, steps: Step[], o: Options = {}): OvCase {
  const who = o.who ?? 'root';
  return { name, steps, lower: o.lower ?? (who === 'user' ? STD_USER : STD), who, ...(o.allow ? { allow: o.allow } : {}) };
}

/** rename(2) with any renameat2 flags by name (the runner knows NOREPLACE, EXCHANGE and WHITEOUT). */
export const renameWith = (src: string, dst: string, flags: string[]): Step => new Step('rename', { src, dst, flags });
