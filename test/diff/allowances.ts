// The differences between the kernel's tmpfs and a FUSE filesystem the comparison allows on purpose,
// each with its reason. They are applied in runner.py (normalisation, for every case and the random
// run) and in lockstep.ts (ALLOWED, the random run); list-cases.js prints them.
export const NORMALISED: readonly string[] = [
  'directory st_size is not compared: tmpfs counts 20 bytes an entry, a filesystem may count otherwise (POSIX leaves it open)',
  'inode numbers are compared as identities ("same inode as before"), not values; every inode observed is pinned by an O_PATH ' +
    'descriptor until the case ends, so a number cannot be reused meanwhile',
  'times are compared as relations to their previous observation (new/old/same/later), exactly when set explicitly',
  'statfs counts are compared as changes, read once they settle: a FUSE filesystem learns of close (RELEASE) and of dropped inodes ' +
    '(FORGET) after close() and unlink() returned, tmpfs frees at once',
  "a regular file's atime after a read through a descriptor is not compared (\"unknown\"): the kernel answers such reads from its " +
    'page cache, or from its cached size at the end of the file, without a READ, so the filesystem cannot know; whole reads of a file just ' +
    'opened (readfile steps) are compared, unless the file is empty',
  "a FIFO's times after I/O through it are not compared: the kernel's pipe code stamps the inode without telling the filesystem",
  'the tmpfs is mounted nosuid,nodev, as libfuse mounts FUSE filesystems (opening a device node is EACCES on both)',
];
