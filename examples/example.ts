// The shape of an example filesystem the CLI can run: `rxfuse <name> [args] <mountpoint>`. It is
// the command's contract, so it lives in lib/cli.ts (lib never imports from examples/); the examples
// take it from here.
export type { Example } from '../lib/cli';
