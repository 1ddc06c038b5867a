// Every scripted case of the differential tests, by area.
import type { Area } from '../steps';
import { acls } from './acl';
import { dirs, names, readdirs } from './dirs';
import { fallocation, files, sparse, truncation } from './files';
import { hardlinks, special, symlinks } from './links';
import { perms } from './perms';
import { renames } from './rename';
import { statfss, times, unlinked } from './times';
import { tmpfiles } from './tmpfile';
import { xattrs } from './xattr';

export const areas: readonly Area[] = [
  files, sparse, truncation, fallocation, dirs, readdirs, names, symlinks, hardlinks, special, xattrs, acls, tmpfiles, renames, perms, times, statfss, unlinked,
];
