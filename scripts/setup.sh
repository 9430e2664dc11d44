#!/usr/bin/env bash
# Install everything the book needs on a fresh machine (idempotent; quick when done).
#
# The build and the tests install the exact versions of requirements-lock.txt (the whole
# Python stack, resolved by pip-compile from requirements.txt; see README, "The lock"), so
# that a new release of some package cannot break the book between two builds. The lock
# was resolved for CPython 3.11 on Linux x86-64; on any other Python this script says so
# and installs the compatible ranges of requirements.txt instead (as students and Colab
# do). CNNBOOK_UNLOCKED=1 asks for the ranges on purpose.
#
# torch goes first: installed on its own, pinned, and kept if a torch 2.x is already there
# (on a GPU machine, install the build for your CUDA version before running this).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
LOCK=requirements-lock.txt
pip_install() { "$PY" -m pip install -q --disable-pip-version-check "$@"; }

locked_platform=$("$PY" - <<'PY'
import platform, sys
print("yes" if sys.version_info[:2] == (3, 11) and sys.platform == "linux"
      and platform.machine() == "x86_64" else "no")
PY
)
use_lock=yes
if [ "${CNNBOOK_UNLOCKED:-0}" = 1 ]; then
  use_lock=no
elif [ "$locked_platform" != yes ]; then
  use_lock=no
  echo "note: $LOCK was resolved for CPython 3.11 on Linux x86-64; this is" \
    "$("$PY" -c 'import platform; print(platform.python_version(), platform.system(), platform.machine())')," \
    "so the compatible ranges of requirements.txt are installed instead." >&2
fi

if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.') else 1)" 2>/dev/null; then
  pip_install "torch==2.13.0"
fi
if [ "$use_lock" = yes ]; then
  # Every pin of the lock except torch's, which was dealt with above (the lock records the
  # CPU build it was resolved with; a CUDA build of the same release serves as well).
  pins=$(mktemp)
  trap 'rm -f "$pins"' EXIT
  grep -v '^torch==' "$LOCK" >"$pins"
  pip_install -r "$pins"
else
  pip_install -r requirements.txt
fi
pip_install --no-deps -e .

# Fashion-MNIST ships as a Debian package; without it the loader downloads the files.
if [ ! -d /usr/share/datasets/fashion-mnist ] && command -v apt-get >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  { $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null 2>&1 \
         && $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1; }; } \
    || echo "note: could not install dataset-fashion-mnist; the loader will try other sources"
fi
