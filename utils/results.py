"""Results that chapters record in full mode and the comparison chapter reads."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from .config import QUICK
from .download import atomic_write_bytes

RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"


def results_dir() -> Path:
    """Folder of the recorded results: ``$CNNBOOK_RESULTS``, else ``results/`` of the
    repository, else (the book's package installed without the repository, as in Colab)
    the copy installed with it as the package ``cnnbook_results``."""
    if os.environ.get("CNNBOOK_RESULTS"):
        return Path(os.environ["CNNBOOK_RESULTS"])
    if RESULTS_DIR.is_dir():
        return RESULTS_DIR
    spec = importlib.util.find_spec("cnnbook_results")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return RESULTS_DIR


def record_result(name: str, *, force: bool = False, **metrics: Any) -> Path | None:
    """Write ``results/<name>.json`` with ``metrics`` (full mode only, unless ``force``).

    Quick-mode runs never overwrite the results of a full run.
    """
    if QUICK and not force:
        return None
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"result name {name!r} must be letters, digits, '-' and '_'")
    data = json.dumps({"name": name, **metrics}, indent=2, sort_keys=True, default=float)
    return atomic_write_bytes(results_dir() / f"{name}.json", (data + "\n").encode())


def load_results() -> dict[str, dict[str, Any]]:
    """All recorded results, by name."""
    out: dict[str, dict[str, Any]] = {}
    folder = results_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            out[path.stem] = json.loads(path.read_text())
    return out
