#!/usr/bin/env python
"""Graded exercises: build the student notebooks and grade submissions with otter-grader.

The instructor notebooks in ``solutions/`` are in Otter Assign format: questions, reference
solutions, public tests and hidden tests. From them this script writes the student
notebooks ``exercises/<name>.ipynb`` (solutions replaced by ``...``, hidden tests removed)
and their public tests ``exercises/tests/<name>/<question>.py``, and grades a folder of
submissions into a CSV score table::

    python scripts/exercises.py generate                 # solutions/ -> exercises/
    python scripts/exercises.py check                    # exit 1 when exercises/ is stale
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
    """Run ``otter assign`` on ``solutions/<name>.ipynb`` into ``out_dir/<name>``.

    The reference solutions are not run here (``nbval`` and the grading tests run them).
    """
    from otter.assign import main as otter_assign

    master = _check_name(name, solutions)
    result = Path(out_dir).resolve() / name
    if result.exists():
        shutil.rmtree(result)
    with _quiet_otter():
        otter_assign(str(master), str(result), no_pdfs=True, no_run_tests=True)
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


def grade_one(autograder_zip: Path, submission: Path, questions_points: dict[str, float], *,
              timeout: float = SUBMISSION_TIMEOUT, cell_timeout: float = CELL_TIMEOUT,
              test_timeout: float = TEST_TIMEOUT, quick: bool | None = None) -> Grade:
    """Grade one submission in a process of its own (see the module docstring)."""
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
                 result["detail"], seconds, result.get("interrupted_cells", 0))


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

    state = {"interrupted": 0}

    class GuardedExecutePreprocessor(pre.ExecutePreprocessor):
        """Interrupt a cell that runs past ``cell_timeout``; give up if it still runs."""

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
