#!/usr/bin/env bash
# Run notebooks as a Colab student would get them: a fresh Python 3.12 environment (Colab's)
# with torch and Jupyter's kernel already there, plus only what a notebook's set-up cell
# installs (the book's package with the dependencies of pyproject.toml; for the exercises
# also otter-grader). The notebooks run from a copy outside the repository, so `utils` comes
# from the installed package, as in Colab, and every cell must pass in quick mode.
#
#   bash scripts/colab_like.sh                  every chapter and exercise notebook
#   bash scripts/colab_like.sh chapters/26_transfer_learning.ipynb ...
#
# PYTHON312 names the interpreter (default: python3.12 on the PATH, or pyenv's 3.12);
# COLAB_ENV the environment's folder (default: a new temporary one, removed afterwards).
# Torch for Python 3.12 comes from PyPI (the CUDA build, about 3 GB with its libraries,
# as in Colab); set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu for the CPU
# build where that index is reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

py=""
for candidate in ${PYTHON312:-} python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12; do
  if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
    py=$candidate
    break
  fi
done
if [ -z "$py" ]; then
  echo "no Python 3.12 found: install one (Colab runs 3.12) or set PYTHON312" >&2
  exit 2
fi

work=$(mktemp -d)
env_dir=${COLAB_ENV:-$work/env}
trap 'rm -rf "$work"' EXIT
"$py" -m venv "$env_dir"
pip_install() { "$env_dir/bin/python" -m pip install -q --disable-pip-version-check "$@"; }
echo "== the platform: Python $("$env_dir/bin/python" -V 2>&1 | cut -d' ' -f2), torch, Jupyter"
pip_install "torch==2.13.0" ipykernel nbval pytest
echo "== what the set-up cells install: the book's package (pyproject.toml), otter-grader"
# From a copy, so that the build leaves nothing behind in the repository.
mkdir -p "$work/pkg"
cp -r "$repo/pyproject.toml" "$repo/README.md" "$repo/utils" "$repo/results" "$work/pkg/"
pip_install "$work/pkg"
pip_install otter-grader

# The notebooks, alone, as a student opens them (exercises keep their public tests).
if [ $# = 0 ]; then
  set -- chapters/*.ipynb exercises/*.ipynb
fi
mkdir -p "$work/run"
for nb in "$@"; do
  mkdir -p "$work/run/$(dirname "$nb")"
  cp "$nb" "$work/run/$nb"
done
[ -d exercises/tests ] && cp -r exercises/tests "$work/run/exercises/tests"

echo "== running $# notebooks in quick mode"
cd "$work/run"
export CNNBOOK_QUICK=1 CNNBOOK_PROGRESS=0 MPLBACKEND=Agg PYTHONHASHSEED=0
export CNNBOOK_WIDGETS=static
"$env_dir/bin/python" -m pytest -q -p no:cacheprovider --nbval-lax --durations=5 "$@"
