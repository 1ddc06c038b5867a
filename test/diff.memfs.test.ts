// The scripted differential cases (test/diff/cases), memfs against the kernel's tmpfs: every case
// runs on a fresh tmpfs and on a memfs mount, as root and as uid/gid 1000, and the normalised
// results must be the same (test/diff/harness.ts). `node dist/test/diff/list-cases.js` lists them.
import { areas } from './diff/cases';
import { diffSuite, mountExample, mountTmpfs } from './diff/harness';

describe('diff: memfs vs tmpfs', function () {
  diffSuite(areas, () => mountTmpfs('tmpfs'), () => mountExample('memfs'));
});
