"""Publishing: one repository address, read from book/_config.yml by every notebook's
generated cells and named by the docs; and a student edition that leaks nothing.

The leak test collects, on its own, every line of a reference solution (between otter's
``# BEGIN SOLUTION`` / ``# END SOLUTION`` comments, or before ``# SOLUTION``), every line
of a hidden test, and every line of the answer keys (the other notebooks under
``solutions/``, less their quotations of the exercises), and looks for each in every file
of a freshly built student edition (notebooks also as their decoded cell text). Trivial
lines (code shorter than 8 characters, prose shorter than 40, or punctuation only) and
lines students see anyway (the visible parts of the instructor notebooks, the chapters,
``utils``, ``book/`` and the scripts the edition carries) are not secrets.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{name}_script",
                                                  ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


so = _load("strip_outputs")
se = _load("student_edition")
REPO = so.repository()
NOTEBOOKS = sorted(p for d in ("chapters", "exercises", "solutions")
                   for p in (ROOT / d).glob("*.ipynb"))
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "exercises" / "README.md",
        *sorted((ROOT / "book").rglob("*.md"))]
THIRD_PARTY: set[str] = set()
"""Other GitHub repositories the notebooks and docs may name (OWNER/NAME)."""


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell: dict) -> str:
    return "".join(cell.get("source", ""))


# --------------------------------------------------------------------------- one address


def test_the_config_names_one_github_repository(tmp_path: Path) -> None:
    assert REPO.url == f"https://github.com/{REPO.slug}" and REPO.branch
    bad = tmp_path / "_config.yml"
    bad.write_text("repository:\n  url: https://github.com/someone/thing.git\n")
    with pytest.raises(ValueError, match="repository.url must be"):
        so.repository(bad)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_generated_cells_agree_with_the_config(path: Path) -> None:
    cells = _cells(path)
    setup = cells[0]
    assert setup["cell_type"] == "code" and _src(setup) == so.setup_cell(REPO), \
        "the first cell must be the setup cell: run python scripts/strip_outputs.py"
    assert so.HIDE_TAG in setup.get("metadata", {}).get("tags", []), \
        f"the setup cell needs the {so.HIDE_TAG} tag (python scripts/strip_outputs.py)"
    assert f"git+{REPO.url}.git@{REPO.branch}" in _src(setup)
    otter = [c for c in cells if _src(c).startswith(so.OTTER_MARK)]
    if path.parent.name == "chapters":
        assert not otter
        return
    name = so.exercise_name({"metadata": json.loads(path.read_text())["metadata"],
                             "cells": cells})
    assert name == path.stem
    assert len(otter) == 1 and _src(otter[0]) == so.otter_cell(name, REPO), (
        "the otter cell is generated: python scripts/strip_outputs.py, then "
        "python scripts/exercises.py generate")
    assert f'"--branch", "{REPO.branch}"' in _src(otter[0]) and f"{REPO.url}.git" in \
        _src(otter[0])


def test_strip_outputs_writes_the_cells_from_a_given_address() -> None:
    other = so.Repository("https://github.com/someone/course", "student")
    nb = {"metadata": {"otter": {"assignment_name": "ex09_demo"}}, "cells": [
        {"cell_type": "code", "source": "# Setup: in Colab, old text", "metadata": {}},
        {"cell_type": "code", "source": so.OTTER_MARK + ": old text", "metadata": {}}]}
    so.clean(nb, other)
    setup, otter = (_src(c) for c in nb["cells"])
    assert "git+https://github.com/someone/course.git@student" in setup
    assert nb["cells"][0]["metadata"]["tags"] == [so.HIDE_TAG]
    assert '"--branch", "student"' in otter and "https://github.com/someone/course.git" in otter
    assert 'TESTS = "course/exercises/" + TESTS' in otter and "tests/ex09_demo" in otter


def _addresses(text: str) -> list[str]:
    """OWNER/NAME of every GitHub repository a text links to (Colab links included)."""
    found = re.findall(r"github\.com/([\w.-]+/[\w.-]+)", text)
    return [a.removesuffix(".git") for a in found]


@pytest.mark.parametrize("path", NOTEBOOKS + DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebooks_and_docs_name_only_the_configured_repository(path: Path) -> None:
    text = "\n".join(_src(c) for c in _cells(path)) if path.suffix == ".ipynb" \
        else path.read_text(encoding="utf-8")
    wrong = sorted({a for a in _addresses(text) if a != REPO.slug and a not in THIRD_PARTY})
    assert not wrong, (f"{path.name} names {wrong}; the book's repository is {REPO.slug} "
                       "(book/_config.yml repository.url)")
    colab = re.findall(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/([\w.-]+)/",
                       text)
    assert all(repo in (REPO.slug, *THIRD_PARTY) and branch == REPO.branch
               for repo, branch in colab), colab


# --------------------------------------------------------------------------- the edition


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("student") / "edition"
    se.build(out, book_url="https://example.org/book/")
    return out


@functools.cache
def _secrets() -> dict[str, str]:
    """Solution, hidden-test and answer-key lines of solutions/ (this test's own reading)."""
    secret: dict[str, str] = {}
    visible: list[str] = []
    for path in sorted((ROOT / "solutions").rglob("*.ipynb")):
        if path.parent.name == "solutions":
            continue
        for cell in _cells(path):
            for line in _src(cell).splitlines():
                line = line.strip()
                if cell["cell_type"] == "code" or (len(line) >= 40 and line[0] != ">"):
                    secret[line] = f"answer-key, {path.name}"
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        for cell in _cells(path):
            lines = _src(cell).splitlines()
            if cell["cell_type"] != "code":
                visible.extend(lines)
                continue
            if lines and lines[0].strip() == "# HIDDEN":
                secret.update((ln.strip(), f"hidden test, {path.name}") for ln in lines)
                continue
            inside = False
            for line in lines:
                if line.strip() == "# BEGIN SOLUTION":
                    inside = True
                elif line.strip() == "# END SOLUTION":
                    inside = False
                elif inside or line.rstrip().endswith("# SOLUTION"):
                    stripped = line.split("# SOLUTION")[0].strip()
                    secret[stripped] = f"solution, {path.name}"
                else:
                    visible.append(line)
    seen = "\n".join(visible) + "\n" + se._public_text(ROOT)
    return {s: w for s, w in secret.items()
            if len(s) >= 8 and re.search(r"\w", s) and s not in seen}


def _tree_text(tree: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".ipynb":
            text += "\n" + "\n".join(_src(c) for c in json.loads(text)["cells"])
        texts[path.relative_to(tree).as_posix()] = text
    return texts


def test_the_secrets_are_many_and_come_from_every_set() -> None:
    secrets = _secrets()
    assert len(secrets) >= 300, len(secrets)
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        kinds = {w.split(",")[0] for w in secrets.values() if w.endswith(f" {path.name}")}
        assert kinds == {"solution", "hidden test"}, (path.name, kinds)
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        assert f"answer-key, {path.name}" in secrets.values(), path
    assert set(secrets) <= set(se.secrets(ROOT)), "the script misses secrets this test finds"


def test_the_student_edition_holds_the_public_tree_only(edition: Path) -> None:
    files = {p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file()}
    expected = {"README.md", "pyproject.toml", "requirements.txt", "book/_config.yml",
                "book/_toc.yml", "utils/__init__.py", "scripts/setup.sh",
                "scripts/build_book.sh", "exercises/README.md"}
    expected |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "chapters").glob("*.ipynb")}
    expected |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").glob("ex*.ipynb")}
    expected |= {p.relative_to(ROOT).as_posix()
                 for p in (ROOT / "exercises" / "tests").glob("*/*.py")}
    assert expected <= files, sorted(expected - files)
    # The Korean copies the Korean pages' launch buttons open: the same code cells.
    for english in [*(ROOT / "chapters").glob("*.ipynb"), *(ROOT / "exercises").glob("ex*.ipynb")]:
        korean = edition / se.KOREAN / english.relative_to(ROOT)
        assert korean.is_file(), korean
        code = [[c["source"] for c in json.loads(p.read_text())["cells"]
                 if c["cell_type"] == "code"] for p in (english, korean)]
        assert code[0] == code[1], korean
    for test in (ROOT / "exercises" / "tests").glob("*/*.py"):
        assert (edition / se.KOREAN / test.relative_to(ROOT)).is_file(), test
    first = json.loads((edition / se.KOREAN / "chapters" / "01_why_cnns.ipynb").read_text())
    title = next(c for c in first["cells"] if c["cell_type"] == "markdown")
    assert re.search("[\uac00-\ud7a3]", "".join(title["source"])), title
    tops = {f.split("/")[0] for f in files}
    for absent in ("solutions", "tests", ".github", ".ci", "CONTRIBUTING.md"):
        assert absent not in tops, absent
    assert not any(f in files for f in se.INSTRUCTOR_SCRIPTS)
    assert not any(f == x or f.startswith(x + "/") for f in files for x in se.INSTRUCTOR_ONLY)
    toc = (edition / "book" / "_toc.yml").read_text()
    for page in re.findall(r"file: (\S+)", toc):
        assert any((edition / f"{page}{ext}").is_file() for ext in (".md", ".ipynb")), page
    assert "https://example.org/book/" in (edition / "README.md").read_text()
    assert "## For instructors" not in (edition / "exercises" / "README.md").read_text()
    for script in edition.glob("scripts/*"):
        for name in re.findall(r"scripts/[\w.-]+\.(?:sh|py)\b", script.read_text()):
            assert (edition / name).is_file(), f"{script.name} needs {name}, not carried"


def test_the_student_edition_leaks_nothing(edition: Path) -> None:
    secrets = _secrets()
    leaks = [f"{rel}: {where}: {line}" for rel, text in _tree_text(edition).items()
             for line, where in secrets.items() if line in text]
    assert not leaks, "the student edition leaks:\n" + "\n".join(leaks[:20])
    assert se.find_leaks(edition) == []


def test_the_leak_check_finds_planted_leaks(edition: Path, tmp_path: Path) -> None:
    tree = tmp_path / "leaky"
    shutil.copytree(edition, tree)
    secrets = _secrets()
    solution = next(s for s, w in secrets.items() if w.startswith("solution"))
    hidden = next(s for s, w in secrets.items() if w.startswith("hidden"))
    answers = [s for s, w in secrets.items() if w.startswith("answer-key")]
    notebook = next(tree.glob("exercises/ex*.ipynb"))
    nb = json.loads(notebook.read_text())
    nb["cells"][-1]["source"] = ["x = 1\n", f"    {solution}\n"]
    notebook.write_text(json.dumps(nb, indent=1))
    public_test = next(tree.glob("exercises/tests/*/q1.py"))
    public_test.write_text(public_test.read_text() + f"\n# {hidden}\n")
    (tree / "book" / "page.html").write_text(
        "<pre>" + solution.replace('"', "&quot;").replace("<", "&lt;") + "</pre>")
    shutil.copy(next((ROOT / "solutions").glob("*.ipynb")), tree / "exercises" / "copy.ipynb")
    (tree / "solutions").mkdir()
    (tree / "solutions" / "notes.txt").write_text("answers\n")
    planted = ["book/page.html", "exercises/copy.ipynb", "solutions/notes.txt"]
    if answers:  # an answer of the key, quoted on a page
        (tree / "book" / "hints.md").write_text(f"Hint:\n\n{answers[-1]}\n")
        planted.append("book/hints.md")
    leaks = se.find_leaks(tree)
    for rel in (notebook.relative_to(tree).as_posix(), public_test.relative_to(tree).as_posix(),
                *planted):
        assert any(leak.startswith(f"{rel}: ") for leak in leaks), (rel, leaks[:10])
    cli = subprocess.run([sys.executable, str(ROOT / "scripts" / "student_edition.py"),
                          "--check", str(tree)], capture_output=True, text=True, timeout=300)
    assert cli.returncode == 1 and "leak(s) found" in cli.stdout


def test_build_wants_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        se.build(tmp_path)


def test_where_prints_the_repository_to_publish_to() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "student_edition.py"),
                          "--where"], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == [REPO.slug, REPO.branch]
