"""``scripts/exercises.py`` loaded once as the module ``exercises_script``, shared by the
tests that use it (tests/ is on pytest's path)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def exercises_script() -> ModuleType:
    """The exercise tooling script as a module (loaded on first use, then reused)."""
    if "exercises_script" not in sys.modules:
        spec = importlib.util.spec_from_file_location("exercises_script",
                                                      ROOT / "scripts" / "exercises.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["exercises_script"] = module
        spec.loader.exec_module(module)
    return sys.modules["exercises_script"]
