#!/usr/bin/env bash
# Re-resolve requirements-lock.txt, the exact versions the build and the tests install.
#
# requirements.txt keeps compatible ranges (what students and Colab install); the lock
# pins the whole Python stack that the book was last built and tested with. Refreshing it
# is a deliberate step, never a side effect of a build:
#   bash scripts/lock.sh                        every package to its newest allowed release
#   bash scripts/lock.sh --upgrade-package X    only X (and what X needs)
#   bash scripts/lock.sh --no-upgrade           keep every pin; add what requirements.txt
#                                               gained, drop what it lost
# then `bash scripts/build_book.sh` and `bash scripts/test.sh` in a fresh environment, and
# commit the lock only if both pass (README, "The lock").
#
# The lock is resolved for CPython 3.11 on Linux x86-64 with the CPU build of torch: run
# this there. Where the CPU wheel of torch is not on a local wheel folder, pass
# `--extra-index-url https://download.pytorch.org/whl/cpu` (it ends up nowhere in the lock).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
"$PY" - <<'PY'
import platform, sys
if not (sys.version_info[:2] == (3, 11) and sys.platform == "linux"
        and platform.machine() == "x86_64"):
    sys.exit(f"the lock is resolved on CPython 3.11, Linux x86-64; this is Python "
             f"{platform.python_version()} on {sys.platform} {platform.machine()}")
PY
"$PY" -m pip install -q --disable-pip-version-check "pip-tools>=7.4"
upgrade=(--upgrade)
for arg in "$@"; do
  case "$arg" in --upgrade-package|-P|--no-upgrade) upgrade=() ;; esac
done
"$PY" -m piptools compile --quiet --strip-extras --allow-unsafe --no-emit-index-url \
  --no-emit-find-links "${upgrade[@]}" -o requirements-lock.txt "$@" requirements.txt
echo "requirements-lock.txt written; now build and test (README, \"The lock\")."
