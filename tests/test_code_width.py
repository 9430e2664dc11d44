"""Chapter code fits the book's code column: 100 characters a line (book/_static/book.css
shows 100 columns from 1280-pixel screens up; scripts/check_html.py measures the pages)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
LIMIT = 100


def long_lines(path: Path, limit: int = LIMIT) -> list[str]:
    """``cell N: line`` for every code line longer than ``limit`` characters."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [f"cell {i}: {line[:50]}... ({len(line)} characters)"
            for i, cell in enumerate(cells) if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).splitlines() if len(line) > limit]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_code_lines_fit_the_column(path):
    assert long_lines(path) == []


def test_the_check_finds_a_long_line(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": ["x = 1\n", "y = " + "1 + " * 30 + "1"]}]}
    (tmp_path / "wide.ipynb").write_text(json.dumps(nb))
    (found,) = long_lines(tmp_path / "wide.ipynb")
    assert found.startswith("cell 0: y = 1 + ") and found.endswith("(125 characters)")
