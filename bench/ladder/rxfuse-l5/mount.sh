#!/bin/bash
# benchfs on rxfuse, ablation ladder step 5 (docs/performance.md, "The ablation ladder").
exec "$(dirname "$0")/../step-mount.sh" 5 "$1"
