#!/usr/bin/env python
"""The student edition: the public tree that students, Colab and the book's links use.

    python scripts/student_edition.py OUT              # write the tree into OUT (new or empty)
    python scripts/student_edition.py --check DIR      # exit 1 when DIR leaks an answer
    python scripts/student_edition.py --where          # print "OWNER/NAME BRANCH" to publish to

The tree holds the book (``book/``, ``chapters/``, ``results/``), the student notebooks of
``exercises/`` with their public tests, the Korean copies of the chapter and exercise
notebooks (``ko/``, opened by the Korean pages' launch buttons), the ``utils`` package
with ``pyproject.toml`` and the requirements, the scripts that set up and build the book,
a README of its own, and the student part of ``exercises/README.md``. It holds no
``solutions/`` (reference solutions, hidden tests, answer keys), no instructor page
(``INSTRUCTOR_ONLY``, also taken out of its ``book/_toc.yml``), no autograder, no unit
tests and no instructor tooling. The files come from the working tree (tracked and
untracked files that git does not ignore); it is published to the repository
``repository.url`` of ``book/_config.yml`` (README, "Publishing").

``--check`` (and every build) looks for leaks: files under a ``solutions/`` folder,
otter's marker comments, and every line under ``solutions/`` that students may not see:
the reference solutions and hidden tests of the otter notebooks, and every line of the
other files there (answer keys; a notebook's quotations of the exercise excepted). Trivial
lines (code shorter than 8 characters, prose shorter than 40, punctuation only) do not
count, nor lines that students see anyway: the visible parts of the instructor notebooks,
and the chapters, ``utils``, ``book/`` pages and scripts that the edition carries on
purpose.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType

import yaml

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_DIRS = ("book", "chapters", "results", "utils")
"""Folders copied whole (less what git ignores and INSTRUCTOR_ONLY)."""
INSTRUCTOR_ONLY = ("book/instructor", "book/slides.yml")
"""Instructor pages and files inside PUBLIC_DIRS: left out, and out of the table of
contents of the edition."""
PUBLIC_FILES = (".gitignore", "LICENSE", "LICENSE.md", "LICENSE.txt", "pyproject.toml",
                "requirements.txt", "requirements-lock.txt")
STUDENT_SCRIPTS = ("scripts/setup.sh", "scripts/build_book.sh")
"""Scripts students run; the scripts these name are added too, less INSTRUCTOR_SCRIPTS."""
INSTRUCTOR_SCRIPTS = ("scripts/exercises.py", "scripts/student_edition.py")
INSTRUCTOR_HEADING = "## For instructors"
"""Where the student part of ``exercises/README.md`` ends."""
MARKERS = ("# BEGIN SOLUTION", "# END SOLUTION", "# HIDDEN", "# BEGIN TESTS",
           "# ASSIGNMENT CONFIG", "BEGIN QUESTION")
"""otter's instructor-notebook markers: none may appear in the student edition."""
MIN_SECRET = 8
"""Code lines shorter than this (stripped) are too common to count as secrets."""
MIN_PROSE = 40
"""Prose lines (markdown) shorter than this, such as the end of a paragraph, neither."""
SUBSTRING_LIMIT = 4_000_000
"""Files up to this size are searched for secrets anywhere in a line, larger ones by line."""
ANCHOR = MIN_SECRET
"""Length of the prefix by which :func:`find_leaks` first looks a secret line up."""


def _strip_outputs() -> ModuleType:
    """``scripts/strip_outputs.py``, which reads the repository address."""
    spec = importlib.util.spec_from_file_location("strip_outputs", ROOT / "scripts" /
                                                  "strip_outputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- the tree


def candidate_files(root: Path = ROOT) -> list[str]:
    """Every file of the working tree that git does not ignore (relative POSIX paths)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], cwd=root, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise RuntimeError(f"{root} is not a git working tree (git ls-files failed: {e}); "
                           "the student edition is built from one") from e
    names = sorted({n for n in out.stdout.decode().split("\0") if n})
    return [n for n in names if (root / n).is_file()]


def _script_closure(files: set[str], root: Path) -> set[str]:
    """STUDENT_SCRIPTS and every script of ``scripts/`` that they name, recursively."""
    chosen: set[str] = set()
    todo = [s for s in STUDENT_SCRIPTS if s in files]
    while todo:
        script = todo.pop()
        if script in chosen:
            continue
        chosen.add(script)
        text = (root / script).read_text(encoding="utf-8", errors="replace")
        for name in re.findall(r"scripts/[\w.-]+\.(?:sh|py)\b", text):
            if name in files and name not in INSTRUCTOR_SCRIPTS:
                todo.append(name)
    return chosen


def is_public(rel: str) -> bool:
    """Whether a repository file goes into the student edition as it is (scripts and the
    READMEs are chosen elsewhere)."""
    parts = rel.split("/")
    if any(rel == x or rel.startswith(x + "/") for x in INSTRUCTOR_ONLY):
        return False
    if parts[0] in PUBLIC_DIRS:
        return "__pycache__" not in parts and ".ipynb_checkpoints" not in parts
    if rel in PUBLIC_FILES:
        return True
    if parts[0] == "exercises":
        notebook = len(parts) == 2 and rel.endswith(".ipynb")
        public_test = len(parts) == 4 and parts[1] == "tests" and rel.endswith(".py")
        return notebook or public_test
    return False


def student_readme(title: str, repo_url: str, branch: str, book_url: str | None) -> str:
    """The README of the student edition."""
    colab = (f"https://colab.research.google.com/github/{repo_url.removeprefix('https://github.com/')}"
             f"/blob/{branch}/chapters/01_why_cnns.ipynb")
    read = f"Read it online at <{book_url}>." if book_url else \
        "Build it with `bash scripts/build_book.sh` (into `book/_build/html`)."
    return f"""# {title} (student edition)

A course book on convolutional neural networks in which every chapter is a Jupyter
notebook that computes, and checks, every number it states.
{read}

| folder | what is in it |
| --- | --- |
| `chapters/` | one notebook per chapter |
| `exercises/` | graded exercise notebooks and their public tests (`exercises/README.md`) |
| `utils/` | the Python package the notebooks import |
| `book/` | the book's configuration and its other pages |
| `results/` | numbers recorded by the chapters (read by chapters 25 and 28) |

**In Colab:** open a notebook from the book's rocket button, or e.g.
<{colab}>.
Its first cell installs this repository's `utils` package.

**Locally** (Python 3.10+): `bash scripts/setup.sh` installs PyTorch and the requirements,
then `jupyter lab chapters/01_why_cnns.ipynb`. `CNNBOOK_QUICK=1` runs every notebook on a
small subset of the data.

This repository is generated from the authors' repository by `scripts/student_edition.py`
on every change; edits made here are overwritten.
"""


def _student_exercises_readme(text: str) -> str:
    """The student part of ``exercises/README.md``: up to the instructors' section, less
    the paragraphs about ``solutions/``."""
    head = text.split(f"\n{INSTRUCTOR_HEADING}", 1)[0].rstrip()
    kept = [p for p in head.split("\n\n") if "solutions/" not in p]
    return "\n\n".join(kept) + ("\n\nInstructors grade the handed-in notebooks with hidden "
                                 "tests that this repository does not hold.\n")


def _prune_toc(entries: list, tree: Path) -> list:
    """The table-of-contents entries whose page is in ``tree`` (parts left empty go)."""
    kept = []
    for entry in entries:
        entry = dict(entry)
        page = entry.get("file")
        if page and not any((tree / f"{page}{ext}").is_file() for ext in ("", ".md",
                                                                         ".ipynb")):
            continue
        for key in ("parts", "chapters", "sections"):
            if key in entry:
                entry[key] = _prune_toc(entry[key], tree)
                if not entry[key]:
                    del entry[key]
        if page or any(k in entry for k in ("parts", "chapters", "sections", "url", "glob")):
            kept.append(entry)
    return kept


def prune_toc(tree: Path) -> bool:
    """Drop from ``tree/book/_toc.yml`` the pages the edition does not carry (instructor
    pages); True when it changed."""
    path = tree / "book" / "_toc.yml"
    if not path.is_file():
        return False
    toc = yaml.safe_load(path.read_text(encoding="utf-8"))
    pruned = _prune_toc([toc], tree)[0]
    if pruned == toc:
        return False
    note = "# The student edition's table of contents (scripts/student_edition.py).\n"
    path.write_text(note + yaml.safe_dump(pruned, sort_keys=False, allow_unicode=True))
    return True


def build(out: Path, root: Path = ROOT, book_url: str | None = None) -> list[str]:
    """Write the student edition into ``out`` (absent or empty) and return its files.

    Raises ``ValueError`` when ``out`` holds files or the result leaks (see ``find_leaks``).
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty: give a new or an empty folder")
    files = candidate_files(root)
    chosen = sorted({f for f in files if is_public(f)} | _script_closure(set(files), root))
    for rel in chosen:
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dest)
    config = _strip_outputs()
    repo = config.repository(root / "book" / "_config.yml")
    title = str(yaml.safe_load((root / "book" / "_config.yml").read_text())["title"])
    (out / "README.md").write_text(student_readme(title, repo.url, repo.branch, book_url))
    prune_toc(out)
    written = [*chosen, "README.md", *korean_notebooks(out, root)]
    readme = root / "exercises" / "README.md"
    if readme.is_file():
        (out / "exercises" / "README.md").write_text(
            _student_exercises_readme(readme.read_text(encoding="utf-8")))
        written.append("exercises/README.md")
    leaks = find_leaks(out, root)
    if leaks:
        raise ValueError("the student edition would leak answers:\n" + "\n".join(leaks[:20]))
    return sorted(written)


KOREAN = "ko"
"""Folder of the Korean chapter and exercise notebooks in the edition (``ko/chapters``,
``ko/exercises``): the Korean pages' launch buttons open them (scripts/i18n.py)."""


def korean_notebooks(out: Path, root: Path = ROOT) -> list[str]:
    """Write the Korean copies of the chapter and student exercise notebooks into
    ``out/ko`` (markdown from book/locales/ko, code unchanged); returns their paths."""
    spec = importlib.util.spec_from_file_location("i18n", root / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    i18n = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(i18n)
    i18n.notebooks(out / KOREAN, root)
    written = [p.relative_to(out).as_posix() for p in sorted((out / KOREAN).rglob("*.ipynb"))]
    # The public tests beside the Korean exercise notebooks too, which read them from
    # tests/<set> next to themselves when run locally (Colab fetches them from the clone).
    tests = out / "exercises" / "tests"
    if tests.is_dir():
        shutil.copytree(tests, out / KOREAN / "exercises" / "tests")
        written += [p.relative_to(out).as_posix()
                    for p in sorted((out / KOREAN / "exercises" / "tests").rglob("*"))
                    if p.is_file()]
    return written


# --------------------------------------------------------------------------- leaks


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def _raw_marker(cell: dict) -> str:
    """``BEGIN SOLUTION`` etc. for otter's raw marker cells, else ``""``."""
    if cell.get("cell_type") != "raw" or not _source(cell).strip():
        return ""
    return _source(cell).strip().splitlines()[0].strip("# ").upper()


def split_instructor_notebook(path: Path) -> tuple[list[str], list[str], list[str]]:
    """(solution lines, hidden-test lines, visible lines) of an otter instructor notebook.

    Solution lines are those between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` comments,
    the code before ``# SOLUTION`` on a line, and any non-code cell inside a solution block;
    hidden-test lines are every line of a test cell that starts with ``# HIDDEN``; the
    rest is what a student notebook shows.
    """
    solution: list[str] = []
    hidden: list[str] = []
    visible: list[str] = []
    block = ""
    for cell in _cells(path):
        marker = _raw_marker(cell)
        if marker.startswith(("BEGIN SOLUTION", "BEGIN TESTS")):
            block = marker.split()[1]
            continue
        if marker.startswith(("END SOLUTION", "END TESTS")):
            block = ""
            continue
        if cell.get("cell_type") == "raw":
            continue
        lines = _source(cell).splitlines()
        if block == "TESTS":
            (hidden if lines and lines[0].strip() == "# HIDDEN" else visible).extend(lines)
        elif block == "SOLUTION" and cell.get("cell_type") != "code":
            solution.extend(lines)
        else:
            inside = False
            for line in lines:
                stripped = line.strip()
                if stripped.endswith("# BEGIN SOLUTION"):
                    inside = True
                elif stripped.endswith("# END SOLUTION"):
                    inside = False
                elif inside:
                    solution.append(line)
                elif stripped.endswith("# SOLUTION"):
                    solution.append(stripped.removesuffix("# SOLUTION"))
                else:
                    visible.append(line)
    return solution, hidden, visible


def _texts(path: Path) -> Iterator[str]:
    """A file's text, and for notebooks and HTML pages also the text a reader sees."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    yield text
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(text).get("cells", [])
        except (ValueError, AttributeError):
            return
        for cell in cells:
            yield _source(cell)
            for output in cell.get("outputs", []):
                yield json.dumps(output, ensure_ascii=False).replace("\\n", "\n")
    elif path.suffix in (".html", ".htm", ".json", ".js"):
        yield html.unescape(re.sub(r"<[^>]+>", "", text))
        yield text.replace('\\"', '"').replace("\\n", "\n")


def _public_text(root: Path) -> str:
    """What students may see on purpose: the chapters, ``utils``, the ``book/`` pages and the
    scripts the edition carries."""
    paths = [p for folder, pattern in (("chapters", "*.ipynb"), ("utils", "*.py"),
                                       ("book", "*.md"))
             for p in sorted((root / folder).rglob(pattern))]
    paths += [root / s for s in sorted(_script_closure(set(candidate_files(root)), root))]
    return "\n".join(text for path in paths for text in _texts(path))


def answer_key_lines(path: Path) -> tuple[list[str], list[str]]:
    """(code lines, prose lines) of an answer key (a file under ``solutions/`` that is not
    an otter notebook): all its lines, less a notebook's quotations of the exercise
    (markdown lines starting with ``>``)."""
    if path.suffix == ".py":
        return path.read_text(encoding="utf-8", errors="replace").splitlines(), []
    if path.suffix != ".ipynb":
        return [], path.read_text(encoding="utf-8", errors="replace").splitlines()
    code: list[str] = []
    prose: list[str] = []
    for cell in _cells(path):
        lines = _source(cell).splitlines()
        if cell.get("cell_type") == "code":
            code += lines
        else:
            prose += [ln for ln in lines if not ln.lstrip().startswith(">")]
    return code, prose


def _is_otter_notebook(path: Path) -> bool:
    return path.suffix == ".ipynb" and any(_raw_marker(c).startswith("ASSIGNMENT CONFIG")
                                           for c in _cells(path))


def secrets(root: Path = ROOT) -> dict[str, str]:
    """Every non-trivial line of ``solutions/`` that students may not see, mapped to where
    it comes from: reference solutions and hidden tests of the otter notebooks, and every
    line of the other files there (answer keys)."""
    files = sorted(p for p in (root / "solutions").rglob("*") if p.is_file()
                   and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts)
    kinds: dict[Path, list[tuple[str, int, list[str]]]] = {}
    visible: list[str] = []
    for path in files:
        if _is_otter_notebook(path):
            solution, hidden, shown = split_instructor_notebook(path)
            kinds[path] = [("solution", MIN_SECRET, solution),
                           ("hidden test", MIN_SECRET, hidden)]
            visible += shown
        elif path.suffix in (".ipynb", ".md", ".py", ".txt"):
            code, prose = answer_key_lines(path)
            kinds[path] = [("answer-key", MIN_SECRET, code), ("answer-key", MIN_PROSE, prose)]
    public = "\n".join([_public_text(root), *visible])
    found: dict[str, str] = {}
    for path, groups in kinds.items():
        where = path.relative_to(root).as_posix()
        for kind, shortest, lines in groups:
            for line in lines:
                s = line.strip()
                if len(s) >= shortest and re.search(r"\w", s) and s not in public:
                    found.setdefault(s, f"{kind} line of {where}")
    return found


def _files(tree: Path) -> Iterable[Path]:
    return sorted(p for p in tree.rglob("*") if p.is_file() and ".git" not in
                  p.relative_to(tree).parts)


def find_leaks(tree: Path, root: Path = ROOT) -> list[str]:
    """Why ``tree`` is not fit for students: one line per leak (empty when it leaks nothing).

    Looks at every file: its path (``solutions/``, autograder zips), otter's markers, and
    every line of ``secrets(root)``.
    """
    found = secrets(root)
    if not found:
        raise RuntimeError(f"no solution or hidden-test line found in {root / 'solutions'}: "
                           "the leak check would prove nothing")
    leaks: list[str] = []
    for path in _files(Path(tree)):
        rel = path.relative_to(tree).as_posix()
        if "solutions" in rel.split("/") or "autograder" in path.name or path.suffix == ".zip":
            leaks.append(f"{rel}: an instructor file")
            continue
        if b"\0" in path.read_bytes()[:8192]:
            continue  # a binary file (an image, a font): no text to leak
        texts = list(_texts(path))
        lines = {line.strip() for text in texts for line in text.splitlines()}
        small = path.stat().st_size <= SUBSTRING_LIMIT
        for marker in MARKERS:
            if any(marker in text for text in texts):
                leaks.append(f"{rel}: otter marker {marker!r}")
        whole = "\n".join(texts) if small else ""
        # A secret line can be inside `whole` only if its first and last ANCHOR characters
        # are: the set of all such pieces of `whole` rules out nearly every line at once
        # (the built HTML book took 6 minutes line by line).
        pieces = {whole[i:i + ANCHOR] for i in range(len(whole) - ANCHOR + 1)}
        for line, origin in found.items():
            if line in lines or ((len(line) < ANCHOR or (line[:ANCHOR] in pieces
                                                          and line[-ANCHOR:] in pieces))
                                 and line in whole):
                leaks.append(f"{rel}: {origin}: {line}")
    return leaks


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, help="folder to write (new or empty)")
    parser.add_argument("--book-url", help="address of the published book, for the README")
    parser.add_argument("--check", type=Path, metavar="DIR",
                        help="only look for leaks in DIR (a built edition or HTML book)")
    parser.add_argument("--where", action="store_true",
                        help='print "OWNER/NAME BRANCH" of the student edition and exit')
    args = parser.parse_args(argv)
    if args.where:
        repo = _strip_outputs().repository()
        print(repo.slug, repo.branch)
        return 0
    if args.check:
        leaks = find_leaks(args.check)
        for leak in leaks:
            print(leak)
        print(f"{args.check}: {len(leaks)} leak(s) found" if leaks else
              f"{args.check}: no solution line, hidden test or instructor file found")
        return 1 if leaks else 0
    if args.out is None:
        parser.error("give the folder to write, --check DIR or --where")
    try:
        files = build(args.out, book_url=args.book_url)
    except (ValueError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"wrote the student edition ({len(files)} files) into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
