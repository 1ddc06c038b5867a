// The scripted differential cases (test/diff/cases) through passthrough against the kernel's tmpfs
// directly: passthrough mirrors a fresh tmpfs, and every case runs through the mount and on another
// fresh tmpfs, as root and as uid/gid 1000; the normalised results must be the same.
import { areas } from './diff/cases';
import { diffSuite, mountPassthrough, mountTmpfs } from './diff/harness';

describe('diff: passthrough vs tmpfs', function () {
  diffSuite(areas, () => mountTmpfs('tmpfs'), mountPassthrough);
});
