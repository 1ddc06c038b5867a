// examples/memfs/acl.ts and atime.ts without a mount: the ACL xattr format (and its refusal of what
// is not one), the mode and ACL rules, and the atime policy a mountinfo options field stands for.
import { strict as assert } from 'node:assert';
import { FuseError } from '../lib';
import { aclMode, chmodAcl, formatAcl, GROUP, GROUP_OBJ, inheritAcl, MASK, OTHER, parseAcl, USER, USER_OBJ } from '../examples/memfs/acl';
import { policyOf } from '../examples/memfs/atime';

const NAMED = [
  { tag: USER_OBJ, perm: 6, id: 0xffffffff }, { tag: USER, perm: 7, id: 1001 }, { tag: GROUP_OBJ, perm: 5, id: 0xffffffff },
  { tag: GROUP, perm: 4, id: 1002 }, { tag: MASK, perm: 6, id: 0xffffffff }, { tag: OTHER, perm: 0, id: 0xffffffff },
];

function errno(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof FuseError ? e.code : String(e);
  }
  return 'ok';
}

describe('memfs ACL and atime rules (no mount)', () => {
  it('parses and formats the kernel xattr format (version 2, 8-byte entries); anything else is EINVAL', () => {
    const b = formatAcl(NAMED);
    assert.equal(b.length, 4 + 8 * NAMED.length);
    assert.equal(b.readUInt32LE(0), 2);
    assert.deepEqual(parseAcl(b), NAMED);
    assert.equal(errno(() => parseAcl(Buffer.alloc(3))), 'EINVAL');
    assert.equal(errno(() => parseAcl(Buffer.concat([b, Buffer.alloc(1)]))), 'EINVAL');
    const v1 = Buffer.from(b);
    v1.writeUInt32LE(1, 0);
    assert.equal(errno(() => parseAcl(v1)), 'EINVAL');
  });

  it('an ACL\'s mode takes the mask as group bits; only owner, group and other entries make it equivalent', () => {
    assert.deepEqual(aclMode(NAMED, 0o102777), { mode: 0o102660, equivalent: false });
    assert.deepEqual(aclMode([NAMED[0], NAMED[2], NAMED[5]], 0o100000), { mode: 0o100650, equivalent: true });
  });

  it('chmod moves the mask (the group entry without one); inheritance masks the mode and the entries', () => {
    const after = chmodAcl(NAMED, 0o751);
    assert.deepEqual(after.map((e) => e.perm), [7, 7, 5, 4, 5, 1]);
    const { mode, access } = inheritAcl(NAMED, 0o100644);
    assert.equal(mode, 0o100640);
    assert.deepEqual(access!.map((e) => e.perm), [6, 7, 5, 4, 4, 0]);
    assert.equal(errno(() => inheritAcl([NAMED[0], NAMED[5]], 0o644)), 'EIO');
  });

  it('mountinfo options: noatime, relatime, neither (strictatime), nodiratime beside either', () => {
    assert.deepEqual(policyOf(['rw', 'nosuid', 'noatime']), { mode: 'noatime', nodiratime: false });
    assert.deepEqual(policyOf(['rw', 'nodiratime', 'relatime']), { mode: 'relatime', nodiratime: true });
    assert.deepEqual(policyOf(['rw', 'nodev']), { mode: 'strictatime', nodiratime: false });
  });
});
