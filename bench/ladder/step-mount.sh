#!/bin/bash
# step-mount.sh N MOUNTPOINT: benchfs on rxfuse at step N of the ablation ladder (RXFUSE_LADDER=N; see
# docs/performance.md, "The ablation ladder"), the project's CLI as in rxfuse/mount.sh. Node flags for
# the profiles of bench:ladder (--perf-basic-prof, --trace-deopt, --trace-gc) come in RXFUSE_NODE_FLAGS.
here="$(cd "$(dirname "$0")" && pwd)"
proj="$("$here/rxfuse/find-project.sh")" || exit 1
export RXFUSE_LADDER="$1"
# shellcheck disable=SC2086 # the flags are words
exec node ${RXFUSE_NODE_FLAGS:-} "$proj/bin/rxfuse.js" benchfs "$2"
