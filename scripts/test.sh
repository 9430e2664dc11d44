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
# Each notebook runs once: the chapters with sliders under the book build's own executor
# (tests/test_build_execution.py, which fails on any failing cell just as nbval does), the
# exercise sets' instructor and student notebooks (solutions/ex*.ipynb, exercises/ex*.ipynb)
# under otter, which runs every cell and then the hidden tests too (tests/test_exercises.py:
# full marks for the solutions, zero for the untouched notebooks, no cell raising in either,
# in quick mode), every other notebook under nbval. Arguments, if any, go to pytest and
# select freely.
ignore=()
if [ $# = 0 ]; then
  mapfile -t ignore < <(python3 -c 'import sys; sys.path.insert(0, "scripts")
import build_check
for nb in build_check.slider_chapters():
    print("--ignore=" + nb.relative_to(build_check.ROOT).as_posix())')
  for nb in solutions/ex*.ipynb exercises/ex*.ipynb; do ignore+=("--ignore=$nb"); done
fi
# Two workers, one per core, each notebook whole in one worker (--dist loadfile: its cells
# share a kernel), one thread each (two workers of two threads on two cores fight over them).
# CNNBOOK_TEST_WORKERS=0 runs everything in this process, as before.
workers=${CNNBOOK_TEST_WORKERS:-2}
parallel=()
if [ "$workers" != 0 ]; then
  # --no-loadscope-reorder: keep the order of tests/conftest.py (the longest work first).
  parallel=(-n "$workers" --dist loadfile --no-loadscope-reorder)
  export OMP_NUM_THREADS=1
fi
python3 -m pytest -q -p no:cacheprovider --nbval-lax --durations=15 "${parallel[@]}" \
  "${ignore[@]}" tests chapters exercises solutions "$@"
