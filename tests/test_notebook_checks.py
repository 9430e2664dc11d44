"""The notebook tests can fail: a wrong asserted number or a broken cell fails nbval.

Also checks the repository's notebook conventions (setup cell, no outputs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from strip_outputs import SETUP_CELL  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _run_nbval(tmp_path: Path, cells: list[str]) -> subprocess.CompletedProcess[str]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    env = {**os.environ, "CNNBOOK_QUICK": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--nbval-lax", str(path)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)


def test_nbval_fails_on_a_wrong_number_and_a_broken_cell(tmp_path):
    good = _run_nbval(tmp_path, ["from utils.shapes import conv_output_size",
                                 "assert conv_output_size(7, 3, stride=2) == 3"])
    assert good.returncode == 0, good.stdout + good.stderr
    wrong = _run_nbval(tmp_path, ["from utils.shapes import conv_output_size",
                                  "assert conv_output_size(7, 3, stride=2) == 4"])
    assert wrong.returncode != 0 and "AssertionError" in wrong.stdout
    broken = _run_nbval(tmp_path, ["x = 1", "y = undefined_name + x", "z = 2"])
    assert broken.returncode != 0 and "NameError" in broken.stdout


NOTEBOOKS = sorted(p for d in ("chapters", "exercises", "solutions")
                   for p in (ROOT / d).glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_conventions(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code), \
        "commit notebooks without outputs: python scripts/strip_outputs.py"
    if path.parent.name == "chapters":
        assert "".join(code[0]["source"]) == SETUP_CELL, \
            "the first cell must be the setup cell (python scripts/strip_outputs.py sets it)"
        titles = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
        assert titles and "".join(titles[0]["source"]).startswith("# "), "a chapter needs a title"
