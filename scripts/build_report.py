"""Say which notebook and which cell made a book build fail.

myst-nb writes one ``reports/<page>.err.log`` per notebook whose execution failed (a cell
that raised, or a cell that ran past the build's cell timeout). This script turns those
logs into one line per failure: the notebook, the number and id of the failing cell, and
what happened, followed by the cell's first lines.

Usage: python scripts/build_report.py [HTML_DIR]   (default book/_build/html)
Exit status 1 when there is a failure to report, 0 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREVIEW = re.compile(r"Here is a preview of the cell contents:\n-+\n(.*?)\n-+", re.S)
TIMEOUT = re.compile(r"timed out while it was being executed, after (\d+) seconds")
# nbclient's CellExecutionError prints the cell's source between two dashed lines too.
FAILED_CELL = re.compile(r"An error occurred while executing the following cell:\n-+\n(.*?)\n-+",
                         re.S)


def find_cell(notebook: Path, preview: str) -> tuple[int, str] | None:
    """The index and id of the code cell whose source starts like ``preview``."""
    lines = [line for line in preview.strip().splitlines() if line.strip() not in ("", "...")]
    if not lines or not notebook.is_file():
        return None
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and all(line in source for line in lines[:3]):
            return i, cell.get("id", "?")
    return None


def describe(log: Path, reports: Path, source_root: Path = ROOT) -> str:
    """One failure, in words: notebook, cell, what happened, the cell's first lines."""
    text = log.read_text(encoding="utf-8", errors="replace")
    page = log.relative_to(reports).as_posix().removesuffix(".err.log")
    notebook = source_root / (page + ".ipynb")
    timeout = TIMEOUT.search(text)
    preview = PREVIEW.search(text) or FAILED_CELL.search(text)
    if timeout:
        what = f"cell ran past the build's {timeout.group(1)} s cell timeout (hung or too slow)"
    else:
        last = [line for line in text.strip().splitlines() if line.strip()]
        what = "cell raised " + (last[-1].strip() if last else "an error")
    where = "cell ?"
    if preview:
        found = find_cell(notebook, preview.group(1))
        if found:
            where = f"cell {found[0]} (id {found[1]})"
    first = "\n".join("    " + line for line in (preview.group(1) if preview else "")
                      .strip().splitlines()[:4])
    return f"FAILED {page}.ipynb, {where}: {what}\n{first}".rstrip()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    html = Path(args[0]) if args else ROOT / "book" / "_build" / "html"
    source_root = Path(args[1]) if len(args) > 1 else ROOT
    reports = html / "reports"
    logs = sorted(reports.rglob("*.err.log")) if reports.is_dir() else []
    for log in logs:
        print(describe(log, reports, source_root))
    return 1 if logs else 0


if __name__ == "__main__":
    sys.exit(main())
