#!/usr/bin/env bash
# One command: set up (first time) and run the checks: ruff, mypy, then the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check src tests benchmarks packaging
.venv/bin/mypy
.venv/bin/python scripts/import_cycles.py
.venv/bin/pytest -q "$@"
