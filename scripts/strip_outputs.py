"""Strip outputs, execution counts and volatile metadata from notebooks (in place).

Usage: python scripts/strip_outputs.py [NOTEBOOK ...]   (default: every tracked folder)
Also gives every cell a stable id, so diffs stay small, and brings a chapter's setup cell
(the first cell, starting "# Setup: in Colab,") to its current text. ``--check`` only
reports.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FOLDERS = ("chapters", "exercises", "solutions")
SETUP_MARK = "# Setup: in Colab,"
SETUP_CELL = (
    "# Setup: in Colab, fetch the book's code first (elsewhere this does nothing).\n"
    "import subprocess, sys\n"
    'if "google.colab" in sys.modules:\n'
    '    subprocess.run([sys.executable, "-m", "pip", "install", "-q",\n'
    '                    "git+https://github.com/cnnbook/cnn-book.git"], check=True)'
)
"""The first cell of every chapter (plain Python, so every tool can read it)."""
KEEP_CELL_META = {"tags", "deletable", "editable", "nbgrader", "otter"}


def clean(nb: dict) -> dict:
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, nb.get("nbformat_minor", 5))
    meta = nb.get("metadata", {})
    nb["metadata"] = {k: v for k, v in meta.items() if k in ("kernelspec", "language_info",
                                                             "otter", "jupytext")}
    nb["metadata"].setdefault("kernelspec", {"display_name": "Python 3", "language": "python",
                                             "name": "python3"})
    cells = nb.get("cells", [])
    if cells and cells[0].get("cell_type") == "code" and \
            "".join(cells[0].get("source", "")).startswith(SETUP_MARK):
        cells[0]["source"] = SETUP_CELL
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        cid = cell.get("id")
        if not cid or cid in seen:
            cid = f"c{i:03d}"
        seen.add(cid)
        cell["id"] = cid
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items()
                            if k in KEEP_CELL_META}
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--check", action="store_true", help="only list notebooks that need it")
    args = ap.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    paths = [Path(p) for p in args.paths] or sorted(
        p for f in FOLDERS for p in (root / f).glob("*.ipynb"))
    dirty = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = json.dumps(clean(json.loads(text)), indent=1, ensure_ascii=False) + "\n"
        if new != text:
            dirty.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in dirty:
        print(("needs stripping: " if args.check else "stripped: ") + str(path))
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
