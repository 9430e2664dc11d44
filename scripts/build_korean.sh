#!/usr/bin/env bash
# The Korean edition (README, "Korean edition"), after the English build
# (scripts/build_book.sh): the same sources built again with language=ko into
# book/_build/html/ko, every notebook's outputs taken from the English build's execution
# cache (book/_build/.jupyter_cache; the pass stops if a notebook is not in it and executes
# nothing), then the Korean chapter and exercise notebooks into book/_build/html/ko/notebooks
# (markdown from book/locales/ko, code unchanged). Prints the time the Korean pass took.
set -euo pipefail
cd "$(dirname "$0")/.."
export CNNBOOK_PROGRESS=0 PYTHONHASHSEED=0 CNNBOOK_WIDGETS=static
unset MPLBACKEND CNNBOOK_QUICK
start=$SECONDS
python3 scripts/i18n.py html
python3 scripts/i18n.py notebooks
echo "The Korean edition took $((SECONDS - start)) s: open book/_build/html/ko/index.html"
