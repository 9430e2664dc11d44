"""Strip outputs, execution counts and volatile metadata from notebooks (in place).

Usage: python scripts/strip_outputs.py [NOTEBOOK ...]   (default: every tracked folder)
Also gives every cell a stable id, so diffs stay small, and brings the generated cells to
their current text: a notebook's setup cell (the first cell, starting "# Setup: in Colab,",
tagged ``remove-cell`` so the HTML book hides it) and an exercise notebook's otter cell
(starting "# Otter-grader checks your answers"). Both are written from the repository
address in ``book/_config.yml`` (``repository.url`` and ``repository.branch``): the student
edition that Colab installs from (see README, "Publishing"). ``--check`` only reports.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "book" / "_config.yml"
FOLDERS = ("chapters", "exercises", "solutions")
SETUP_MARK = "# Setup: in Colab,"
OTTER_MARK = "# Otter-grader checks your answers"
HIDE_TAG = "remove-cell"
"""The tag that keeps the setup cell out of the HTML book (it stays in the notebook)."""


class Repository(NamedTuple):
    """The public repository of the book's student edition, as ``book/_config.yml`` says."""

    url: str
    """``https://github.com/OWNER/NAME``: launch buttons, Colab installs and docs use it."""
    branch: str

    @property
    def slug(self) -> str:
        """``OWNER/NAME``."""
        return self.url.removeprefix("https://github.com/")

    @property
    def name(self) -> str:
        """The repository's name (the folder a clone makes)."""
        return self.slug.split("/")[1]


def repository(config: Path = CONFIG) -> Repository:
    """Read ``repository.url`` and ``repository.branch`` from the book's configuration."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    repo = data.get("repository") or {}
    url, branch = str(repo.get("url", "")), str(repo.get("branch", "main"))
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url) or url.endswith(".git"):
        raise ValueError(f"{config}: repository.url must be https://github.com/OWNER/NAME "
                         f"(no .git, no trailing slash), not {url!r}")
    if not re.fullmatch(r"[\w./-]+", branch):
        raise ValueError(f"{config}: repository.branch {branch!r} is not a branch name")
    return Repository(url, branch)


def setup_cell(repo: Repository) -> str:
    """The first cell of every notebook: in Colab, install the book's package."""
    return (
        "# Setup: in Colab, fetch the book's code first (elsewhere this does nothing).\n"
        "import subprocess, sys\n"
        'if "google.colab" in sys.modules:\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q",\n'
        f'                    "git+{repo.url}.git@{repo.branch}"], check=True)'
    )


def otter_cell(name: str, repo: Repository) -> str:
    """An exercise notebook's otter cell: in Colab, fetch the public tests of set ``name``
    with a shallow clone of the student edition (which holds no solutions)."""
    return (
        '# Otter-grader checks your answers: `grader.check("q1")` runs the public tests of'
        " question 1.\n"
        "import os\n\n"
        f'TESTS = "tests/{name}"\n'
        'if "google.colab" in sys.modules:  # Colab sees only this notebook: fetch its public'
        " tests too\n"
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "otter-grader"],'
        " check=True)\n"
        f'    if not os.path.isdir("{repo.name}"):  # the student edition: public tests only\n'
        f'        subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch",'
        f' "{repo.branch}",\n'
        f'                        "{repo.url}.git"], check=True)\n'
        f'    TESTS = "{repo.name}/exercises/" + TESTS\n'
        "import otter\n\n"
        "grader = otter.Notebook(tests_dir=TESTS)"
    )


SETUP_CELL = setup_cell(repository())
"""The first cell of every notebook (plain Python, so every tool can read it)."""
KEEP_CELL_META = {"tags", "deletable", "editable", "nbgrader", "otter"}


def _source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def exercise_name(nb: dict) -> str | None:
    """The exercise set a notebook belongs to: otter's ``assignment_name`` in a student
    notebook, the ``name:`` of the ``# ASSIGNMENT CONFIG`` cell in an instructor notebook."""
    name = nb.get("metadata", {}).get("otter", {}).get("assignment_name")
    if name:
        return str(name)
    for cell in nb.get("cells", []):
        source = _source(cell)
        if cell.get("cell_type") == "raw" and source.lstrip().startswith("# ASSIGNMENT CONFIG"):
            match = re.search(r"^name:\s*(\S+)\s*$", source, re.MULTILINE)
            return match[1] if match else None
    return None


def set_generated_cells(nb: dict, repo: Repository) -> None:
    """Write the setup cell (tagged ``remove-cell``) and, in an exercise notebook, the otter
    cell from the repository address ``repo``."""
    cells = nb.get("cells", [])
    if cells and cells[0].get("cell_type") == "code" and _source(cells[0]).startswith(SETUP_MARK):
        cells[0]["source"] = setup_cell(repo).splitlines(keepends=True)
        tags = cells[0].setdefault("metadata", {}).setdefault("tags", [])
        if HIDE_TAG not in tags:
            tags.append(HIDE_TAG)
    name = exercise_name(nb)
    for cell in cells:
        if cell.get("cell_type") == "code" and _source(cell).startswith(OTTER_MARK):
            if name is None:
                raise ValueError("an otter cell in a notebook with no exercise name "
                                 "(no otter metadata, no # ASSIGNMENT CONFIG cell)")
            cell["source"] = otter_cell(name, repo).splitlines(keepends=True)


def clean(nb: dict, repo: Repository | None = None) -> dict:
    """Normalise a notebook in place and return it: no outputs, stable ids, kept metadata
    only, generated cells up to date (``repo``: default, ``book/_config.yml``'s)."""
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, nb.get("nbformat_minor", 5))
    meta = nb.get("metadata", {})
    nb["metadata"] = {k: v for k, v in meta.items() if k in ("kernelspec", "language_info",
                                                             "otter", "jupytext")}
    nb["metadata"].setdefault("kernelspec", {"display_name": "Python 3", "language": "python",
                                             "name": "python3"})
    set_generated_cells(nb, repo or repository())
    cells = nb.get("cells", [])
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
    repo = repository()
    paths = [Path(p) for p in args.paths] or sorted(
        p for f in FOLDERS for p in (ROOT / f).glob("*.ipynb"))
    dirty = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = json.dumps(clean(json.loads(text), repo), indent=1, ensure_ascii=False) + "\n"
        if new != text:
            dirty.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in dirty:
        print(("needs stripping: " if args.check else "stripped: ") + str(path))
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
