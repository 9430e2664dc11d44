#!/usr/bin/env bash
# Install everything the book needs on a fresh machine (idempotent; quick when done).
# torch goes first and pinned: an unpinned install pulls the multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
pip_install() { "$PY" -m pip install -q --disable-pip-version-check "$@"; }

if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.') else 1)" 2>/dev/null; then
  pip_install "torch==2.13.0"
fi
pip_install -r requirements.txt
pip_install --no-deps -e .

# Fashion-MNIST ships as a Debian package; without it the loader downloads the files.
if [ ! -d /usr/share/datasets/fashion-mnist ] && command -v apt-get >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  { $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null 2>&1 \
         && $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1; }; } \
    || echo "note: could not install dataset-fashion-mnist; the loader will try other sources"
fi
