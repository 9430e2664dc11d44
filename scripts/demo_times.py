"""Measure how long the in-class demo cells of a chapter take to run.

Usage::

    python scripts/demo_times.py chapters/02_filters.ipynb=79bbb12e,4c4d2d8f [more ...]
    python scripts/demo_times.py --quick chapters/21_resnet.ipynb=c013,c019

Each argument names a notebook and the ids of its demo cells. The notebook is executed
with nbclient (``record_timing=True``) up to its last named cell (the cells after it are
not run), in full mode unless ``--quick`` is given, with ``CNNBOOK_WIDGETS=static`` and
``MPLBACKEND=Agg`` as in the tests (a slider cell therefore draws all its frames). For
every named cell it prints the seconds of all the code cells before it ("before": what
*Run All Above Selected Cell* costs) and of the cell itself, then the date and the machine.
Run it through ``heavy``; the instructors' semester plan (book/instructor/plan.md) quotes
its output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _seconds(cell: nbformat.NotebookNode) -> float:
    """Wall-clock seconds of one executed code cell, from nbclient's timing metadata."""
    timing = cell.get("metadata", {}).get("execution", {})
    start = timing.get("iopub.execute_input") or timing.get("shell.execute_request")
    end = timing.get("shell.execute_reply")
    if not (start and end):
        return float("nan")
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def time_cells(path: Path, ids: list[str], quick: bool,
               timeout: int = 3600) -> list[tuple[str, float, float]]:
    """Execute ``path`` up to the last of ``ids``; return (id, before, cell) seconds per id."""
    nb = nbformat.read(path, as_version=4)
    order = [c.get("id") for c in nb.cells]
    missing = [i for i in ids if i not in order]
    if missing:
        raise SystemExit(f"{path}: no cell with id {', '.join(missing)}")
    last = max(order.index(i) for i in ids)
    nb.cells = nb.cells[: last + 1]
    os.environ["CNNBOOK_WIDGETS"] = "static"
    os.environ["MPLBACKEND"] = "Agg"
    if quick:
        os.environ["CNNBOOK_QUICK"] = "1"
    else:
        os.environ.pop("CNNBOOK_QUICK", None)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    rows = []
    for i in ids:
        k = order.index(i)
        before = sum(_seconds(c) for c in nb.cells[:k] if c.cell_type == "code")
        rows.append((i, before, _seconds(nb.cells[k])))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="+", help="NOTEBOOK=ID,ID,...")
    parser.add_argument("--quick", action="store_true", help="run in quick mode (CNNBOOK_QUICK=1)")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    for spec in args.specs:
        name, _, cells = spec.partition("=")
        path = (ROOT / name).resolve()
        t0 = time.perf_counter()
        rows = time_cells(path, [c for c in cells.split(",") if c], args.quick)
        total = time.perf_counter() - t0
        print(f"{path.relative_to(ROOT)} ({mode} mode, {total:.0f} s with start-up)")
        print(f"{'cell':<22}{'before (s)':>12}{'cell (s)':>10}")
        for cid, before, own in rows:
            print(f"{cid:<22}{before:>12.1f}{own:>10.1f}")
        sys.stdout.flush()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print(f"measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} "
          f"CPU cores ({cpu}), torch threads as the notebook sets them")


if __name__ == "__main__":
    main()
