#!/usr/bin/env bash
# Set up (if needed) and run every test: unit tests of utils, then every notebook of
# chapters/, exercises/ and solutions/ under nbval in quick mode.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# CNNBOOK_WIDGETS=static: sliders are pre-drawn, no live widget is created (utils/sliders.py).
export CNNBOOK_QUICK=1 CNNBOOK_PROGRESS=0 MPLBACKEND=Agg PYTHONHASHSEED=0 CNNBOOK_WIDGETS=static
python3 -m ruff check utils tests scripts
python3 scripts/strip_outputs.py --check
python3 -m pytest -q -p no:cacheprovider --nbval-lax --durations=15 \
  tests chapters exercises solutions "$@"
