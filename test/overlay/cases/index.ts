// Every area of the overlay's differential cases.
import type { OvArea } from '../harness';
import { copyUp } from './copyup';
import { files } from './files';
import { links } from './links';
import { openFds } from './openfds';
import { opaque } from './opaque';
import { perms } from './perms';
import { readdirs } from './readdir';
import { renames } from './rename';
import { whiteouts } from './whiteouts';
import { xattrs } from './xattrs';

export const areas: OvArea[] = [copyUp, openFds, whiteouts, opaque, renames, readdirs, links, xattrs, perms, files];
