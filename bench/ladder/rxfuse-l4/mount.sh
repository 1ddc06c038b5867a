#!/bin/bash
# benchfs on rxfuse, ablation ladder step 4 (docs/performance.md, "The ablation ladder").
exec "$(dirname "$0")/../step-mount.sh" 4 "$1"
