#!/usr/bin/env bash
# The README's test command: install what is needed, lint, then run the whole test suite
# (real Prosody, SQLite and the local PostgreSQL).  Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
. scripts/env.sh
.venv/bin/ruff check .
exec .venv/bin/pytest -q -p no:cacheprovider "$@"
