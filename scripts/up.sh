#!/usr/bin/env bash
# The README's main command: install what is needed, then run the whole stack in the
# foreground (Ctrl-C stops it).  Extra arguments go to `damrongdham up`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
. scripts/env.sh
exec .venv/bin/damrongdham up "$@"
