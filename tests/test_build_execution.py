"""Notebooks executed the way the book build executes them (myst-nb's cached executor).

The tests' nbval run and the build's executor are different clients: chapter 9 passed
one and hung in the other. These tests build small books with ``scripts/build_check.py``:
a hang must fail within the cell timeout naming the notebook and the cell, a failing
assert must name its cell, and every chapter with a slider must execute under the build's
executor (quick mode) and leave pre-drawn sliders, no live widget, in its page.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_check.py"


def notebook(folder: Path, name: str, *cells: str) -> Path:
    """A notebook of code cells (after a title) written into ``folder``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"),
                *[nbformat.v4.new_code_cell(c) for c in cells]]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def run_check(*args: str) -> tuple[int, str, float]:
    start = time.monotonic()
    out = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                         text=True, timeout=1800, check=False)
    return out.returncode, out.stdout + out.stderr, time.monotonic() - start


def test_a_hang_fails_fast_and_names_the_cell(tmp_path):
    nb = notebook(tmp_path, "hangs", "x = 1", "import time\n\ntime.sleep(3600)  # never returns")
    status, out, seconds = run_check(str(nb), "--root", str(tmp_path), "--timeout", "5")
    assert status == 1, out
    assert seconds < 120, f"the hang took {seconds:.0f} s to fail"
    assert "FAILED hangs.ipynb, cell 2" in out and "5 s cell timeout" in out, out
    assert "time.sleep(3600)" in out


def test_a_failing_assert_names_the_cell(tmp_path):
    nb = notebook(tmp_path, "wrong", "a = 2 + 2", "assert a == 5, 'arithmetic'", "b = 1")
    status, out, _ = run_check(str(nb), "--root", str(tmp_path), "--timeout", "60")
    assert status == 1, out
    assert "FAILED wrong.ipynb, cell 2" in out and "AssertionError" in out, out


def test_a_slider_is_predrawn_in_the_page(tmp_path):
    nb = notebook(tmp_path, "slides",
                  "import matplotlib.pyplot as plt\nfrom utils.plot import Range, slider",
                  "def f(a=1):\n    plt.plot([0, a])\n    plt.show()\n    return a\n\n"
                  "assert slider(f, a=Range(0, 3)) == 1")
    status, out, _ = run_check(str(nb), "--root", str(tmp_path), "--timeout", "120",
                               "--keep", str(tmp_path / "out"))
    assert status == 0, out
    page = (tmp_path / "out" / "_build" / "html" / "slides.html").read_text()
    assert page.count('class="cnnbook-slider"') == 1 and "widget-view+json" not in page


def test_slider_chapters_run_under_the_build_executor():
    """Every chapter with a slider, executed by myst-nb as the build does (quick mode)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_check

    chapters = build_check.slider_chapters()
    assert len(chapters) >= 10, chapters
    status, out, _ = run_check()
    print(out)
    if status != 0:
        pytest.fail(out)
