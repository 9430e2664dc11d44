"""Run-mode switches shared by every notebook.

Quick mode (``CNNBOOK_QUICK=1``) is what the tests use: every cell still runs, on a
small subset of the data and for a few steps. It only shrinks the work; the full
build (variable unset) computes exactly what the book shows.
"""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")

QUICK: bool = os.environ.get("CNNBOOK_QUICK", "").strip().lower() not in ("", "0", "false", "no")
"""True when the notebooks run in quick (test) mode."""


def pick(full: T, quick: T) -> T:
    """Return ``quick`` in quick mode and ``full`` otherwise.

    >>> pick(full=12, quick=1) in (1, 12)
    True
    """
    return quick if QUICK else full


def full_only(flag: bool = True) -> bool:
    """True in full mode: guards asserts on accuracy targets that only full training reaches."""
    return flag and not QUICK
