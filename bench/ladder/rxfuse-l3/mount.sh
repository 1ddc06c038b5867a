#!/bin/bash
# benchfs on rxfuse, ablation ladder step 3 (docs/performance.md, "The ablation ladder").
exec "$(dirname "$0")/../step-mount.sh" 3 "$1"
