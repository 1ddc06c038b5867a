// The shape of an example filesystem the CLI can run: `rxfuse <name> [args] <mountpoint>`.
import type { Fuse, FuseOptions } from '../lib';

export interface Example {
  /** One line for `rxfuse --help`. */
  readonly description: string;
  /** The example's own arguments, e.g. "<source-dir>" (empty when it has none). */
  readonly usage: string;
  /** Mount options the example wants by default (the command line adds to them). */
  readonly options?: FuseOptions;
  /** Attaches the handlers; called before mount with the example's arguments. */
  setup(fuse: Fuse, args: readonly string[]): void | Promise<void>;
  /** Called once the mount is closed, before the command exits (e.g. to print figures). */
  teardown?(): void;
}
