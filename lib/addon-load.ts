// Finds and loads the native addon: a prebuild shipped in prebuilds/<platform>-<arch>/ or a source
// build in build/Release (node-gyp-build's order: a source build wins), and turns every way that can
// fail into an Error that says what to install and what to run. The unmount watcher executable is
// found beside the addon that was loaded.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package root: dist/lib/.. /.. */
export const PACKAGE_ROOT = path.join(__dirname, '..', '..');

/** The Debian/Ubuntu packages a source build needs. */
export const BUILD_PACKAGES = 'libfuse3-dev pkg-config';

export interface LoadedAddon {
  exports: unknown;
  /** The directory the addon file was loaded from (its rxfuse-watch is there too). */
  dir: string;
}

/**
 * What rebuilds the addon: inside node_modules an npm rebuild (which runs the package's install script
 * even where npm 11 blocked it at install, but not under ignore-scripts=true: then the flag overrides
 * it), in a checkout of rxfuse the build script.
 */
export function rebuildCommand(root: string = PACKAGE_ROOT): string {
  return root.split(path.sep).includes('node_modules')
    ? 'npm rebuild rxfuse (with ignore-scripts set: npm rebuild rxfuse --ignore-scripts=false)'
    : 'npm run build';
}

function buildAdvice(root: string): string {
  return `build it from source: apt-get install ${BUILD_PACKAGES}, then run: ${rebuildCommand(root)}`;
}

/** Where a libfuse3 shared object of this major could be. */
function hasLibrary(soname: string): boolean {
  const dirs = ['/lib', '/usr/lib', '/lib64', '/usr/lib64', '/usr/local/lib', `/usr/lib/${process.arch === 'x64' ? 'x86_64' : 'aarch64'}-linux-gnu`];
  return dirs.some((d) => fs.existsSync(path.join(d, soname)));
}

/**
 * The Error for an addon that did not load. `resolved` is false when no addon file was found at all,
 * `probe` tells whether a shared library is installed (injectable for tests).
 */
export function addonLoadError(
  cause: Error, root: string, resolved: boolean, probe: (soname: string) => boolean = hasLibrary,
): Error {
  let what: string;
  if (!resolved) {
    what = `no native addon for ${process.platform}-${process.arch} (no prebuild in ${path.join(root, 'prebuilds')}, ` +
      `no build in ${path.join(root, 'build', 'Release')}: were install scripts skipped?); ${buildAdvice(root)}`;
  } else if (/libfuse3\.so\.3/.test(cause.message)) {
    what = probe('libfuse3.so.4')
      ? `the prebuilt addon links libfuse3.so.3 (libfuse 3.x before 3.17) and this system has libfuse3.so.4 (libfuse >= 3.17); ${buildAdvice(root)}`
      : 'libfuse3.so.3, the libfuse3 runtime, is missing: apt-get install fuse3 (it brings libfuse3-3)';
  } else {
    what = `the native addon does not load; ${buildAdvice(root)}`;
  }
  return new Error(`rxfuse: ${what} (${cause.message.split('\n')[0]})`, { cause });
}

/** Loads the addon from `root` (the package root), or throws addonLoadError's Error. */
export function loadAddon(root: string = PACKAGE_ROOT): LoadedAddon {
  let file: string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    file = (require('node-gyp-build') as { resolve(dir: string): string }).resolve(root);
  } catch (e) {
    throw addonLoadError(e as Error, root, false);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { exports: require(file) as unknown, dir: path.dirname(file) };
  } catch (e) {
    throw addonLoadError(e as Error, root, true);
  }
}
