#!/bin/bash
# The rxfuse checkout, installed and built (rxfuse/setup.sh).
exec "$(dirname "$0")/../rxfuse/setup.sh"
