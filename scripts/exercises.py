#!/usr/bin/env python
"""Graded exercises: build the student notebooks and grade submissions with otter-grader.

The instructor notebooks in ``solutions/`` are in Otter Assign format: questions, reference
solutions, public tests and hidden tests. From them this script writes the student
notebooks ``exercises/<name>.ipynb`` (solutions replaced by ``...``, hidden tests removed)
and their public tests ``exercises/tests/<name>/<question>.py``, and grades a folder of
submissions into a CSV score table::

    python scripts/exercises.py generate                 # solutions/ -> exercises/
    python scripts/exercises.py check                    # exit 1 when exercises/ is stale
    python scripts/exercises.py points                   # how points are split (and checked)
    python scripts/exercises.py autograder ex01_shapes -o dist/
    python scripts/exercises.py grade ex01_shapes submissions/ -o scores.csv

Each submission is graded by ``otter run`` (no Docker) in a process of its own, with time
limits per test case (a function that never returns fails that test), per cell (a cell that
runs too long is interrupted and grading goes on with the next cell) and per submission
(past it the process and its kernel are killed and the submission scores zero), so a
submission that raises, loops forever, deletes variables or kills its kernel is graded
without stopping the others.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import importlib.util
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
PUBLIC_TESTS = EXERCISES / "tests"

CELL_TIMEOUT = 300
"""Default seconds one cell of a submission may run before it is interrupted."""
SUBMISSION_TIMEOUT = 1800
"""Default seconds the grading of one submission may take before it is killed."""
TEST_TIMEOUT = 60
"""Default seconds one test case may run (a student's function that never returns fails
its tests instead of holding up the whole submission)."""

_QUESTION_RE = re.compile(r"^\s*#\s*BEGIN\s+QUESTION\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------- discovery


def exercise_names(folder: Path = SOLUTIONS) -> list[str]:
    """Names of the exercise sets: the stems of ``solutions/ex*.ipynb``, sorted."""
    return sorted(p.stem for p in folder.glob("ex*.ipynb"))


def _check_name(name: str, folder: Path = SOLUTIONS) -> Path:
    path = folder / f"{name}.ipynb"
    if not path.is_file():
        known = ", ".join(exercise_names(folder)) or "none"
        raise ValueError(f"no instructor notebook {path}; known exercise sets: {known}")
    return path


def questions(name: str, folder: Path = SOLUTIONS) -> dict[str, float]:
    """The graded questions of an exercise set and their points, read from its
    ``# BEGIN QUESTION`` cells (in notebook order)."""
    nb = nbformat.read(_check_name(name, folder), as_version=4)
    out: dict[str, float] = {}
    for cell in nb.cells:
        lines = cell.source.splitlines()
        if cell.cell_type == "raw" and lines and _QUESTION_RE.match(lines[0]):
            config = yaml.safe_load("\n".join(lines[1:])) or {}
            out[str(config["name"])] = float(config.get("points", 1))
    return out


# --------------------------------------------------------------------------- points


PUBLIC_SHARE = 0.1
"""The public tests of a question share this fraction of its points (they check the form of
the answer: students see them); the hidden tests carry the rest."""

_TESTS_RE = re.compile(r"^\s*#\s*(BEGIN|END)\s+(TESTS|QUESTION)\s*$", re.IGNORECASE)
_CONFIG_BEGIN_RE = re.compile(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG',
                              re.IGNORECASE)  # as otter.assign.tests_manager reads it
_CONFIG_END_RE = re.compile(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', re.IGNORECASE)
OWN_WORK_CHECK = "assert_own_work"
"""The helper (``utils.grading``) that every test of a "write it yourself" question calls."""


class PointsError(ValueError):
    """An instructor notebook breaks the rule for points or for "write it" questions."""


@dataclass
class TestPoints:
    """One test case of a question, as otter will score it."""

    question: str
    test: str
    """The name of the test function."""
    hidden: bool
    points: float | None
    """Points stated in the cell's ``# BEGIN TEST CONFIG`` block (None: not stated)."""
    own_work: bool
    """Whether the test calls ``assert_own_work``."""
    cell: int
    """Index of the test cell in the instructor notebook."""


def _test_config(source: str) -> tuple[dict[str, object], int]:
    """The ``# BEGIN TEST CONFIG`` block of a test cell (as otter reads it) and the index of
    the line where the test proper starts."""
    lines = source.splitlines()
    if not lines or not _CONFIG_BEGIN_RE.match(lines[0]):
        return {}, 0
    end = next((i for i, line in enumerate(lines) if i and _CONFIG_END_RE.match(line)), None)
    if end is None:
        raise PointsError(f"a test cell opens a TEST CONFIG block but never closes it:\n{source}")
    config = yaml.safe_load("\n".join(lines[1:end])) or {}
    if not isinstance(config, dict):
        raise PointsError(f"a TEST CONFIG block is not a mapping:\n{source}")
    return config, end + 1


def _question_tests(nb: nbformat.NotebookNode) -> tuple[dict[str, float], list[TestPoints]]:
    """The points of every question and its test cases, read from an instructor notebook."""
    totals: dict[str, float] = {}
    tests: list[TestPoints] = []
    question: str | None = None
    in_tests = False
    for i, cell in enumerate(nb.cells):
        lines = cell.source.splitlines()
        if cell.cell_type == "raw" and lines and _QUESTION_RE.match(lines[0]):
            config = yaml.safe_load("\n".join(lines[1:])) or {}
            question = str(config["name"])
            points = config.get("points", 1)
            if isinstance(points, bool) or not isinstance(points, (int, float)):
                raise PointsError(f"question {question}: state its points as one number "
                                  f"(scripts/exercises.py splits them), not {points!r}")
            totals[question] = float(points)
            continue
        match = _TESTS_RE.match(lines[0]) if cell.cell_type == "raw" and lines else None
        if match:
            if match[2].upper() == "TESTS":
                in_tests = match[1].upper() == "BEGIN"
            else:
                question = None if match[1].upper() == "END" else question
            continue
        if not (in_tests and question and cell.cell_type == "code" and cell.source.strip()):
            continue
        config, start = _test_config(cell.source)
        body = "\n".join(cell.source.splitlines()[start:])
        first = cell.source.lstrip().splitlines()[0]
        hidden = first.startswith("#") and re.search(r"\bhidden\b", first, re.IGNORECASE)
        hidden = bool(config.get("hidden", hidden))
        points = config.get("points")
        if points is not None and (isinstance(points, bool)
                                   or not isinstance(points, (int, float)) or points < 0):
            raise PointsError(f"question {question}: a test's points must be a number >= 0, "
                              f"not {points!r}")
        name = re.search(r"^def\s+(\w+)", body, re.MULTILINE)
        tests.append(TestPoints(question, name[1] if name else f"cell {i}", hidden,
                                None if points is None else float(points),
                                f"{OWN_WORK_CHECK}(" in body, i))
    return totals, tests


def point_split(name: str, solutions: Path = SOLUTIONS) -> dict[str, list[tuple[str, bool, float]]]:
    """How each question's points are split among its tests: question -> [(test, hidden,
    points)], following the rule of :data:`PUBLIC_SHARE`. Raises :class:`PointsError` when
    the notebook breaks it:

    - every question has at least one hidden test;
    - the public tests together carry at most ``PUBLIC_SHARE`` of the question's points
      (by default they share exactly that; a public test may state less in a
      ``# BEGIN TEST CONFIG`` block with ``points:``);
    - the hidden tests carry the rest (evenly, unless they state their points, which must
      then add up);
    - when one test of a question calls ``assert_own_work`` (a "write it yourself"
      question), every test of that question does, so that an answer that is the book's
      own implementation scores nothing, public tests included.
    """
    nb = nbformat.read(_check_name(name, solutions), as_version=4)
    return _split(name, nb)


def _split(name: str, nb: nbformat.NotebookNode) -> dict[str, list[tuple[str, bool, float]]]:
    totals, tests = _question_tests(nb)
    out: dict[str, list[tuple[str, bool, float]]] = {}
    for q, total in totals.items():
        where = f"{name}, question {q}"
        mine = [t for t in tests if t.question == q]
        public = [t for t in mine if not t.hidden]
        hidden = [t for t in mine if t.hidden]
        if not hidden:
            raise PointsError(f"{where}: no hidden test; the hidden tests carry "
                              f"{1 - PUBLIC_SHARE:.0%} of the points")
        budget = PUBLIC_SHARE * total
        stated = sum(t.points or 0.0 for t in public)
        if stated > budget + 1e-9:
            raise PointsError(f"{where}: the public tests state {stated:g} points, more than "
                              f"{PUBLIC_SHARE:.0%} of {total:g}")
        open_public = [t for t in public if t.points is None]
        each = (budget - stated) / len(open_public) if open_public else 0.0
        each = float(int(each * 1e6)) / 1e6  # floored, so that the share never exceeds 10%
        pub_points = {id(t): t.points if t.points is not None else each for t in public}
        rest = total - sum(pub_points.values())
        stated_hidden = sum(t.points or 0.0 for t in hidden)
        open_hidden = [t for t in hidden if t.points is None]
        if stated_hidden > rest + 1e-9 or (not open_hidden and abs(stated_hidden - rest) > 1e-6):
            raise PointsError(f"{where}: the hidden tests state {stated_hidden:g} points; "
                              f"they must carry the {rest:g} the public tests leave")
        hid_each = (rest - stated_hidden) / len(open_hidden) if open_hidden else 0.0
        own = [t.own_work for t in mine]
        if any(own) and not all(own):
            missing = ", ".join(t.test for t in mine if not t.own_work)
            raise PointsError(f"{where}: some tests call {OWN_WORK_CHECK} and {missing} does "
                              "not; in a 'write it yourself' question every test must call it")
        out[q] = [(t.test, t.hidden, pub_points[id(t)] if not t.hidden
                   else (t.points if t.points is not None else hid_each)) for t in mine]
    return out


def with_points(name: str, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of an instructor notebook in which every public test cell states its points
    (``# BEGIN TEST CONFIG``), so that ``otter assign`` gives the public tests their
    :data:`PUBLIC_SHARE` and the hidden tests the rest. Validates the notebook first."""
    split = _split(name, nb)
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    _, tests = _question_tests(nb)
    for t in tests:
        if t.hidden or t.points is not None:
            continue
        points = next(p for test, hidden, p in split[t.question] if test == t.test and not hidden)
        cell = nb.cells[t.cell]
        config, start = _test_config(cell.source)
        config.update(points=points, hidden=False)
        body = "\n".join(cell.source.splitlines()[start:])
        cell.source = ('""" # BEGIN TEST CONFIG\n' + yaml.safe_dump(config, sort_keys=True)
                       + '""" # END TEST CONFIG\n' + body)
    return nb


def own_work_questions(name: str, solutions: Path = SOLUTIONS
                       ) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """The "write it yourself" questions of a set: question -> [(answer name, forbidden
    names)] for every distinct ``assert_own_work(answer, forbidden=...)`` call in its tests
    (literal arguments; a call whose arguments are not literals is listed with no forbidden
    names)."""
    import ast

    nb = nbformat.read(_check_name(name, solutions), as_version=4)
    _, tests = _question_tests(nb)
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for t in tests:
        if not t.own_work:
            continue
        _, start = _test_config(nb.cells[t.cell].source)
        tree = ast.parse("\n".join(nb.cells[t.cell].source.splitlines()[start:]))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                    node.func, "attr", None)) == OWN_WORK_CHECK and node.args
                    and isinstance(node.args[0], ast.Name)):
                continue
            forbidden_node = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "forbidden"), None)
            try:
                forbidden = tuple(ast.literal_eval(forbidden_node)) if forbidden_node else ()
            except ValueError:
                forbidden = ()
            entry = (node.args[0].id, tuple(str(f) for f in forbidden))
            if entry not in out.setdefault(t.question, []):
                out[t.question].append(entry)
    return out


# --------------------------------------------------------------------------- otter assign


@dataclass
class Assigned:
    """What ``otter assign`` made of one instructor notebook."""

    name: str
    student_notebook: Path
    public_tests: Path
    """Folder of the public test files (one ``<question>.py`` each)."""
    autograder_zip: Path
    """The autograder configuration that ``otter run`` grades with (holds hidden tests)."""
    solved_notebook: Path
    """The student notebook with the reference solutions filled in (a full-marks submission)."""


@contextlib.contextmanager
def _quiet_otter() -> Iterator[None]:
    """Silence otter's INFO logging and its prints while it works."""
    loggers = [logging.getLogger(n) for n in ("otter", "traitlets", "nbconvert")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def assign(name: str, out_dir: Path, solutions: Path = SOLUTIONS) -> Assigned:
    """Run ``otter assign`` on ``solutions/<name>.ipynb`` into ``out_dir/<name>``, with the
    points of every question split by :func:`with_points` (public tests 10%, hidden 90%).

    The reference solutions are not run here (``nbval`` and the grading tests run them).
    """
    from otter.assign import main as otter_assign

    master = _check_name(name, solutions)
    result = Path(out_dir).resolve() / name
    if result.exists():
        shutil.rmtree(result)
    planned = with_points(name, nbformat.read(master, as_version=4))
    with tempfile.TemporaryDirectory() as tmp, _quiet_otter():
        # otter assign reads the notebook with every public test's points stated; files the
        # notebook names (ASSIGNMENT CONFIG `files`) are found next to it, as in solutions/.
        for entry in master.parent.iterdir():
            if entry.suffix != ".ipynb":
                (Path(tmp) / entry.name).symlink_to(entry)
        staged = Path(tmp) / master.name
        nbformat.write(planned, staged)
        otter_assign(str(staged), str(result), no_pdfs=True, no_run_tests=True)
    zips = sorted((result / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise RuntimeError(f"otter assign made {len(zips)} autograder zips in {result}")
    return Assigned(name, result / "student" / f"{name}.ipynb", result / "student" / "tests",
                    zips[0], result / "autograder" / f"{name}.ipynb")


@functools.cache
def _strip_outputs_module() -> ModuleType:
    """The book's notebook normaliser, ``scripts/strip_outputs.py``."""
    path = ROOT / "scripts" / "strip_outputs.py"
    spec = importlib.util.spec_from_file_location("strip_outputs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """A notebook as the book stores it: numbered cell ids, no outputs, and the normal form
    of ``scripts/strip_outputs.py`` (so its ``--check`` passes). That writes the setup cell
    and the otter cell (which fetches the public tests in Colab) from the repository address
    of ``book/_config.yml``."""
    data = json.loads(nbformat.writes(nb))
    for i, cell in enumerate(data["cells"]):
        cell["id"] = f"c{i:03d}"
    data = _strip_outputs_module().clean(data)
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _student_files(assigned: Assigned) -> dict[str, str]:
    """Relative path -> text of every file the student view of one set consists of."""
    nb = nbformat.read(assigned.student_notebook, as_version=4)
    files = {f"{assigned.name}.ipynb": notebook_text(nb)}
    for test in sorted(assigned.public_tests.glob("*.py")):
        files[f"tests/{assigned.name}/{test.name}"] = test.read_text()
    return files


def _current_files(name: str, exercises: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    nb = exercises / f"{name}.ipynb"
    if nb.is_file():
        files[nb.name] = nb.read_text()
    for test in sorted((exercises / "tests" / name).glob("*.py")):
        files[f"tests/{name}/{test.name}"] = test.read_text()
    return files


def _cells(text: str) -> list[tuple[str, str]]:
    nb = nbformat.reads(text, as_version=4)
    return [(c.cell_type, c.source) for c in nb.cells]


def generate(names: list[str] | None = None, solutions: Path = SOLUTIONS,
             exercises: Path = EXERCISES) -> list[Path]:
    """Write the student notebooks and public tests of ``names`` (default: all sets, and
    then the student files of sets that no longer exist are removed)."""
    written: list[Path] = []
    if not names:
        known = exercise_names(solutions)
        for path in exercises.glob("ex*.ipynb"):
            if path.stem not in known:
                path.unlink()
        for path in (exercises / "tests").glob("*"):
            if path.is_dir() and path.name not in known:
                shutil.rmtree(path)
    with tempfile.TemporaryDirectory() as tmp:
        for name in names or exercise_names(solutions):
            assigned = assign(name, Path(tmp), solutions)
            test_dir = exercises / "tests" / name
            if test_dir.exists():
                shutil.rmtree(test_dir)
            for rel, text in _student_files(assigned).items():
                path = exercises / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                written.append(path)
    return written


def differences(assigned: Assigned, exercises: Path = EXERCISES) -> list[str]:
    """How ``exercises/`` differs from the student view ``assigned`` (notebooks are compared
    cell by cell, public tests as text); empty when it is up to date."""
    fresh = _student_files(assigned)
    current = _current_files(assigned.name, exercises)
    problems: list[str] = []
    for rel in sorted(set(fresh) | set(current)):
        if rel not in current:
            problems.append(f"{rel}: missing from {exercises}")
        elif rel not in fresh:
            problems.append(f"{rel}: no longer generated from the instructor notebook")
        elif rel.endswith(".ipynb"):
            a, b = _cells(current[rel]), _cells(fresh[rel])
            if len(a) != len(b):
                problems.append(f"{rel}: {len(a)} cells, regenerated has {len(b)}")
            meta_now = nbformat.reads(current[rel], as_version=4).metadata.get("otter")
            if meta_now != nbformat.reads(fresh[rel], as_version=4).metadata.get("otter"):
                problems.append(f"{rel}: its otter metadata differs from the regenerated one")
            problems.extend(f"{rel}: cell {i} differs from the regenerated one"
                            for i, (x, y) in enumerate(zip(a, b)) if x != y)
        elif current[rel] != fresh[rel]:
            problems.append(f"{rel}: differs from the regenerated file")
    return problems


def stale(names: list[str] | None = None, solutions: Path = SOLUTIONS,
          exercises: Path = EXERCISES) -> list[str]:
    """Describe every way ``exercises/`` differs from what ``generate`` would write now
    (an empty list when it is up to date)."""
    known = exercise_names(solutions)
    problems = [f"{p.name}: no instructor notebook in {solutions}"
                for p in sorted(exercises.glob("ex*.ipynb")) if p.stem not in known]
    problems += [f"tests/{p.name}: no instructor notebook in {solutions}"
                 for p in sorted((exercises / "tests").glob("*")) if p.name not in known]
    with tempfile.TemporaryDirectory() as tmp:
        for name in names or known:
            problems += differences(assign(name, Path(tmp), solutions), exercises)
    return problems


# --------------------------------------------------------------------------- grading


@dataclass
class Grade:
    """The grade of one submission."""

    submission: str
    scores: dict[str, float]
    possible: dict[str, float]
    status: str = "ok"
    """``ok``, ``error`` (grading failed: all questions score zero) or ``timeout``."""
    detail: str = ""
    seconds: float = 0.0
    interrupted_cells: int = 0
    error_cells: int = 0
    """Cells of the submission that raised an error (grading goes on after them)."""

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))

    @property
    def max_total(self) -> float:
        return float(sum(self.possible.values()))

    def row(self) -> dict[str, object]:
        """One row of the score table."""
        row: dict[str, object] = {"submission": self.submission}
        row.update({q: _fmt(s) for q, s in self.scores.items()})
        row.update(total=_fmt(self.total), possible=_fmt(self.max_total), status=self.status,
                   detail=self.detail, seconds=round(self.seconds, 1))
        return row


def _fmt(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 3)


def _parents() -> dict[int, int]:
    """Process id -> parent id of every process (``/proc`` on Linux, ``ps`` elsewhere)."""
    parents: dict[int, int] = {}
    if Path("/proc").is_dir():
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                text = stat.read_text()
                parents[int(stat.parent.name)] = int(text[text.rfind(")") + 2:].split()[1])
        return parents
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True,
                             timeout=30).stdout
        for line in out.splitlines():
            with contextlib.suppress(ValueError):
                pid, ppid = map(int, line.split())
                parents[pid] = ppid
    return parents


def _descendants(pid: int) -> list[int]:
    """Ids of all live processes started (directly or not) by process ``pid``."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


KERNEL_START_FAILED = "Kernel died before replying to kernel_info"
"""What a grade says when its kernel died while starting, before any cell of the submission
ran (seen once in 12-02's tests, with other kernels starting on the machine at the same
moment): never the submission's doing, so :func:`grade_one` grades it again."""


def grade_one(autograder_zip: Path, submission: Path, questions_points: dict[str, float], *,
              timeout: float = SUBMISSION_TIMEOUT, cell_timeout: float = CELL_TIMEOUT,
              test_timeout: float = TEST_TIMEOUT, quick: bool | None = None,
              attempts: int = 3) -> Grade:
    """Grade one submission in a process of its own (see the module docstring); up to
    ``attempts`` times while its kernel dies before it starts (:data:`KERNEL_START_FAILED`)."""
    for _ in range(attempts):
        grade = _grade_once(autograder_zip, submission, questions_points, timeout=timeout,
                            cell_timeout=cell_timeout, test_timeout=test_timeout, quick=quick)
        if not (grade.status == "error" and KERNEL_START_FAILED in grade.detail):
            break
    return grade


def _grade_once(autograder_zip: Path, submission: Path, questions_points: dict[str, float], *,
                timeout: float, cell_timeout: float, test_timeout: float,
                quick: bool | None) -> Grade:
    """One try of :func:`grade_one`."""
    zeros = {q: 0.0 for q in questions_points}
    start = time.monotonic()
    env = dict(os.environ, CNNBOOK_PROGRESS="0")
    if quick is not None:
        env["CNNBOOK_QUICK"] = "1" if quick else "0"
    with tempfile.TemporaryDirectory() as tmp:
        out_json = Path(tmp) / "grade.json"
        log = Path(tmp) / "worker.log"
        cmd = [sys.executable, str(Path(__file__).resolve()), "_grade-one",
               str(Path(autograder_zip).resolve()), str(Path(submission).resolve()),
               str(out_json), "--cell-timeout", str(cell_timeout),
               "--test-timeout", str(test_timeout)]
        with open(log, "wb") as log_f:
            proc = subprocess.Popen(cmd, stdout=log_f, stderr=subprocess.STDOUT, env=env,
                                    cwd=tmp, start_new_session=True)
            try:
                proc.wait(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
                # The kernel runs in a session of its own: list what the worker started
                # while it still runs, then end those processes and the worker by id.
                started = _descendants(proc.pid)
                for pid in [*started, proc.pid]:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
                proc.wait()
        seconds = time.monotonic() - start
        if timed_out:
            return Grade(submission.name, zeros, dict(questions_points), "timeout",
                         f"grading took longer than {timeout:g} s; killed the grader and "
                         f"{len(started)} process(es) it started", seconds)
        if not out_json.is_file():
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            return Grade(submission.name, zeros, dict(questions_points), "error",
                         f"grader exited with code {proc.returncode}: " + " | ".join(tail),
                         seconds)
        result = json.loads(out_json.read_text())
    scores = dict(zeros)
    scores.update({q: float(s) for q, s in result["scores"].items() if q in scores})
    return Grade(submission.name, scores, dict(questions_points), result["status"],
                 result["detail"], seconds, result.get("interrupted_cells", 0),
                 result.get("error_cells", 0))


def grade_folder(name: str, folder: Path, out_csv: Path | None = None, *,
                 timeout: float = SUBMISSION_TIMEOUT, cell_timeout: float = CELL_TIMEOUT,
                 test_timeout: float = TEST_TIMEOUT, jobs: int = 1, quick: bool | None = None,
                 autograder_zip: Path | None = None,
                 solutions: Path = SOLUTIONS) -> list[Grade]:
    """Grade every ``*.ipynb`` in ``folder`` against exercise set ``name``; write the score
    table to ``out_csv`` (one row per submission, one column per question) if given."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder of submissions (*.ipynb)")
    if jobs < 1 or min(timeout, cell_timeout, test_timeout) <= 0:
        raise ValueError("jobs, timeout, cell_timeout and test_timeout must be positive")
    points = questions(name, solutions)
    submissions = sorted(folder.glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = autograder_zip or assign(name, Path(tmp), solutions).autograder_zip
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            grades = list(pool.map(
                lambda s: grade_one(zip_path, s, points, timeout=timeout,
                                    cell_timeout=cell_timeout, test_timeout=test_timeout,
                                    quick=quick), submissions))
    if out_csv is not None:
        write_csv(grades, points, Path(out_csv))
    return grades


def write_csv(grades: list[Grade], points: dict[str, float], path: Path) -> None:
    """The score table: ``submission, <questions...>, total, possible, status, detail, seconds``."""
    columns = ["submission", *points, "total", "possible", "status", "detail", "seconds"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for g in grades:
            writer.writerow(g.row())


class _CellAborted(RuntimeError):
    """A cell kept running after it was interrupted."""


_TEST_GUARD = """
# Added by scripts/exercises.py: a time limit for every test case.
def _cnnbook_limit_tests(seconds):
    import signal
    from otter.test_files import exception_test

    call = exception_test.test_case.call_func

    def expired(signum, frame):
        raise TimeoutError("the test ran longer than " + str(seconds) + " s")

    def limited(self, global_environment):
        old = signal.signal(signal.SIGALRM, expired)
        signal.alarm(seconds)
        try:
            return call(self, global_environment)
        except KeyboardInterrupt:
            raise TimeoutError("the test was interrupted (cell time limit)") from None
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)

    exception_test.test_case.call_func = limited


_cnnbook_limit_tests(SECONDS)
del _cnnbook_limit_tests
"""


def _worker(autograder_zip: str, submission: str, out_json: str, cell_timeout: float,
            test_timeout: float = TEST_TIMEOUT) -> int:
    """Body of the grading process: ``otter run`` with time limits per cell and per test."""
    import nbconvert.preprocessors as pre
    import otter.execute.preprocessor as grading

    state = {"interrupted": 0, "errors": 0}

    class GuardedExecutePreprocessor(pre.ExecutePreprocessor):
        """Interrupt a cell that runs past ``cell_timeout``; give up if it still runs; count
        the cells that raise."""

        def preprocess_cell(self, cell: object, resources: object, index: int) -> object:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                state["errors"] += 1
            return cell, resources

        def __init__(self, **kw: object) -> None:
            super().__init__(**kw)
            self.timeout = int(cell_timeout)
            self.interrupt_on_timeout = True
            self._pending: str | None = None

        async def _async_handle_timeout(self, timeout: int, cell: object = None) -> None:
            cell_id = str(id(cell))
            if self._pending == cell_id:
                raise _CellAborted(f"a cell ran past {timeout} s and ignored the interrupt")
            self._pending = cell_id
            state["interrupted"] += 1
            return await super()._async_handle_timeout(timeout, cell)

    # otter imports ExecutePreprocessor from nbconvert.preprocessors when it grades, and
    # formats INIT_CELL_SOURCE into the first cell it runs in the kernel.
    pre.ExecutePreprocessor = GuardedExecutePreprocessor  # type: ignore[misc]
    if hasattr(signal, "SIGALRM"):
        guard = _TEST_GUARD.replace("SECONDS", str(max(1, int(test_timeout))))
        grading.INIT_CELL_SOURCE += guard.replace("{", "{{").replace("}", "}}")
    from otter.api import grade_submission

    result: dict[str, object] = {"scores": {}, "status": "ok", "detail": ""}
    try:
        res = grade_submission(submission, autograder_zip, quiet=True)
        result["scores"] = {q: float(tf.score) for q, tf in res.results.items()}
        if res.catastrophic_error is not None:
            result.update(status="error", detail=f"grading failed: {res.catastrophic_error}")
        elif state["interrupted"]:
            result["detail"] = (f"{state['interrupted']} cell(s) interrupted after "
                                f"{cell_timeout:g} s")
    except _CellAborted as e:
        result.update(status="timeout", detail=str(e))
    except Exception as e:  # noqa: BLE001 (any failure of a submission is a grade of zero)
        result.update(status="error", detail=f"{type(e).__name__}: {e}"[:500])
    result["interrupted_cells"] = state["interrupted"]
    result["error_cells"] = state["errors"]
    Path(out_json).write_text(json.dumps(result))
    return 0


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("generate", help="write exercises/ from solutions/")
    p.add_argument("names", nargs="*", help="exercise sets (default: all)")
    p = sub.add_parser("check", help="exit 1 when exercises/ is out of date with solutions/")
    p.add_argument("names", nargs="*")
    p = sub.add_parser("points", help="show how each question's points are split among its "
                       "public and hidden tests (and check the rule)")
    p.add_argument("names", nargs="*")
    p = sub.add_parser("autograder", help="write the otter autograder zip of a set")
    p.add_argument("name")
    p.add_argument("-o", "--output", type=Path, default=Path("."), help="folder for the zip")
    p = sub.add_parser("grade", help="grade a folder of submitted notebooks into a CSV table")
    p.add_argument("name", help="exercise set, e.g. ex01_shapes")
    p.add_argument("folder", type=Path, help="folder holding the submitted *.ipynb")
    p.add_argument("-o", "--output", type=Path, default=Path("scores.csv"))
    p.add_argument("--timeout", type=float, default=SUBMISSION_TIMEOUT,
                   help="seconds per submission before it is killed (scores zero)")
    p.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT,
                   help="seconds per cell before the cell is interrupted")
    p.add_argument("--test-timeout", type=float, default=TEST_TIMEOUT,
                   help="seconds per test case before it fails")
    p.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded at once")
    p.add_argument("--quick", action="store_true", help="grade in the book's quick mode")
    p = sub.add_parser("_grade-one", help="(internal) the process that grades one submission")
    p.add_argument("autograder_zip")
    p.add_argument("submission")
    p.add_argument("out_json")
    p.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT)
    p.add_argument("--test-timeout", type=float, default=TEST_TIMEOUT)
    args = parser.parse_args(argv)

    if args.command == "_grade-one":
        return _worker(args.autograder_zip, args.submission, args.out_json, args.cell_timeout,
                       args.test_timeout)
    try:
        return _command(args)
    except PointsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def _command(args: argparse.Namespace) -> int:
    if args.command == "points":
        for name in args.names or exercise_names():
            own = own_work_questions(name)
            print(name)
            for q, tests in point_split(name).items():
                mark = "  (write it yourself: " + ", ".join(a for a, _ in own[q]) + ")" \
                    if q in own else ""
                print(f"  {q}: {_fmt(sum(p for _, _, p in tests))} points{mark}")
                for test, hidden, points in tests:
                    print(f"    {'hidden' if hidden else 'public'} {test}: {_fmt(points)}")
        return 0
    if args.command == "generate":
        for path in generate(args.names or None):
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if args.command == "check":
        problems = stale(args.names or None)
        for line in problems:
            print(line)
        if problems:
            print("exercises/ is out of date: run `python scripts/exercises.py generate`")
            return 1
        print("exercises/ is up to date")
        return 0
    if args.command == "autograder":
        with tempfile.TemporaryDirectory() as tmp:
            zip_path = assign(args.name, Path(tmp)).autograder_zip
            args.output.mkdir(parents=True, exist_ok=True)
            dest = args.output / f"{args.name}-autograder.zip"
            shutil.copy(zip_path, dest)
        print(f"wrote {dest}")
        return 0
    grades = grade_folder(args.name, args.folder, args.output, timeout=args.timeout,
                          cell_timeout=args.cell_timeout, test_timeout=args.test_timeout,
                          jobs=args.jobs,
                          quick=True if args.quick else None)
    for g in grades:
        note = f" ({g.status}: {g.detail})" if g.status != "ok" or g.detail else ""
        print(f"{g.submission}: {_fmt(g.total)} / {_fmt(g.max_total)}{note}")
    print(f"wrote {args.output} ({len(grades)} submissions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
