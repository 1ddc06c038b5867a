// The shape of an example filesystem the CLI can run: `rxfuse <name> [args] <mountpoint>`.
import type { Fuse, FuseOptions } from '../lib';

export interface Example {
  /** One line for `rxfuse --help`. */
  readonly description: string;
  /** The example's own arguments, e.g. "<source-dir>" (empty when it has none). */
  readonly usage: string;
  /**
   * The `--options` the example takes, each with a value (e.g. ["--format", "--out"]): given after
   * the example's name, the command line passes them on at the end of its args as "--x", "value".
   */
  readonly flags?: readonly string[];
  /** Mount options the example wants by default (the command line adds to them). */
  readonly options?: FuseOptions;
  /** Attaches the handlers; called before mount with the example's arguments. */
  setup(fuse: Fuse, args: readonly string[]): void | Promise<void>;
  /** Called once the mount is closed, before the command exits (e.g. to print figures). */
  teardown?(): void;
}
