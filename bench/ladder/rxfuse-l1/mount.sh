#!/bin/bash
# benchfs on rxfuse, ablation ladder step 1 (docs/performance.md, "The ablation ladder").
exec "$(dirname "$0")/../step-mount.sh" 1 "$1"
