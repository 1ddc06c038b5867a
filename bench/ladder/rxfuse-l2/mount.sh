#!/bin/bash
# benchfs on rxfuse, ablation ladder step 2 (docs/performance.md, "The ablation ladder").
exec "$(dirname "$0")/../step-mount.sh" 2 "$1"
