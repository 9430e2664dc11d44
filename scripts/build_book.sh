#!/usr/bin/env bash
# Set up (if needed) and build the HTML book into book/_build/html, executing every
# notebook in full mode. Executed notebooks are cached: a rebuild after one edit re-runs
# only that notebook. Any failing cell or warning fails the build; a cell that runs past
# the cell timeout of book/_config.yml (execute.timeout) fails it too, and the script then
# names the notebook and the cell (scripts/build_report.py).
#   bash scripts/build_book.sh        the HTML book
#   bash scripts/build_book.sh pdf    the HTML book, then the PDF from the same executions
set -euo pipefail
cd "$(dirname "$0")/.."
want_pdf=no
if [ "${1:-}" = pdf ]; then
  want_pdf=yes
  shift
fi
bash scripts/setup.sh
# MathJax served from the book itself, so formulas render with no network.
if [ ! -f book/_static/mathjax/tex-chtml.js ]; then
  tmp=$(mktemp -d)
  npm install --silent --prefix "$tmp" mathjax@3 >/dev/null
  mkdir -p book/_static/mathjax
  cp -r "$tmp/node_modules/mathjax/es5/." book/_static/mathjax/
  rm -rf "$tmp"
fi
# The ipywidgets embedding scripts too (sliders in the pages render without a CDN).
if [ ! -f book/_static/widgets/embed-amd.js ]; then
  tmp=$(mktemp -d)
  npm install --silent --prefix "$tmp" requirejs@2.3.4 @jupyter-widgets/html-manager@1.0.6 \
    >/dev/null
  mkdir -p book/_static/widgets
  cp "$tmp/node_modules/requirejs/require.js" book/_static/widgets/
  find "$tmp/node_modules/@jupyter-widgets/html-manager/dist" -maxdepth 1 -type f \
    ! -name '*.map' -exec cp {} book/_static/widgets/ \;
  rm -rf "$tmp"
fi
unset CNNBOOK_QUICK
# Chapters 25 and 28 read the results the other chapters record (results/*.json): run them
# again on every build, so that a re-run chapter never leaves a stale comparison behind.
# The cache knows only a notebook's code: after changing utils/, name the chapters that
# depend on it, e.g. CNNBOOK_RERUN="21_resnet 22_resnet_family" (or "all").
python3 - <<'PY'
import os
from pathlib import Path

cache = Path("book/_build/.jupyter_cache")
rerun = {"25_comparison", "28_training_at_scale", *os.environ.get("CNNBOOK_RERUN", "").split()}
if cache.is_dir():
    from jupyter_cache import get_cache

    db = get_cache(cache)
    for record in db.list_cache_records():
        if "all" in rerun or Path(record.uri).stem in rerun:
            db.remove_cache(record.pk)
# Sphinx re-reads (and so re-executes) only files that changed since the last build.
for notebook in Path("chapters").glob("*.ipynb"):
    if "all" in rerun or notebook.stem in rerun:
        notebook.touch()
PY
# No MPLBACKEND here: the kernels must keep their inline backend, or no figure is saved.
unset MPLBACKEND
# No live widget while a program executes the notebooks: sliders are pre-drawn into the
# pages (utils/sliders.py; a live `interact` under the notebook client can deadlock).
export CNNBOOK_PROGRESS=0 PYTHONHASHSEED=0 CNNBOOK_WIDGETS=static
rm -rf book/_build/html/reports  # failure logs of an earlier build
status=0
jupyter-book build . --config book/_config.yml --toc book/_toc.yml \
  --path-output book -W -n --keep-going "$@" || status=$?
python3 scripts/notebook_times.py || true
if [ "$status" != 0 ]; then
  python3 scripts/build_report.py book/_build/html || true
  echo "The build failed (exit status $status); see the lines above." >&2
  exit "$status"
fi
# The lecture slides (book/slides.yml) from the executed chapters, into html/slides.
python3 scripts/build_slides.py
# The Korean edition: the same pages in Korean from book/locales/ko, executing nothing.
bash scripts/build_korean.sh
echo "Open book/_build/html/index.html"
if [ "$want_pdf" = yes ]; then
  bash scripts/build_pdf.sh
fi
