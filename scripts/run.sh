#!/usr/bin/env bash
# One command: set up (first time) and launch handbook on the bundled guide (or on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/handbook "$@"
