"""The graded exercises: student notebooks are fresh, hold no solutions or hidden tests, and
grading with otter gives full marks to the solutions, zero to untouched notebooks, and a
grade (not a crash) to submissions that raise, loop, delete variables or kill the kernel.
(How points are split and what "write it yourself" questions refuse: tests/test_grading.py.)

The grading tests run each notebook in its own kernel (quick mode, two at a time).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from exercises_module import exercises_script

ROOT = Path(__file__).resolve().parents[1]
ex = exercises_script()

NAMES = ex.exercise_names()
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "# SOLUTION", "BEGIN TESTS", "END TESTS",
           "BEGIN QUESTION", "ASSIGNMENT CONFIG", "# HIDDEN", "BEGIN PROMPT")


def _master(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ex.SOLUTIONS / f"{name}.ipynb", as_version=4)


def _raw_kind(cell: nbformat.NotebookNode) -> str:
    return cell.source.strip().splitlines()[0].strip("# ").upper() if cell.cell_type == "raw" \
        and cell.source.strip() else ""


def _split_master(name: str) -> tuple[list[str], list[str], list[str]]:
    """(solution lines, hidden test sources, lines students may see) of a master notebook."""
    solution: list[str] = []
    hidden: list[str] = []
    other: list[str] = []
    block = ""
    for cell in _master(name).cells:
        kind = _raw_kind(cell)
        if kind.startswith(("BEGIN SOLUTION", "BEGIN TESTS")):
            block = kind.split()[1]
            continue
        if kind.startswith(("END SOLUTION", "END TESTS")):
            block = ""
            continue
        if cell.cell_type == "raw":
            continue
        if block == "TESTS":
            if cell.source.lstrip().startswith("# HIDDEN"):
                hidden.append(cell.source)
            else:  # public tests are visible to students
                other.extend(cell.source.splitlines())
            continue
        inside = False
        for line in cell.source.splitlines():
            if line.strip().endswith("# BEGIN SOLUTION"):
                inside = True
            elif line.strip().endswith("# END SOLUTION"):
                inside = False
            elif inside or (block == "SOLUTION" and line.rstrip().endswith("# SOLUTION")):
                solution.append(line.split("# SOLUTION")[0].strip())
            else:
                other.append(line)
    return solution, hidden, other


@pytest.fixture(scope="module")
def assigned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """``otter assign`` of every exercise set (student view and autograder)."""
    out = tmp_path_factory.mktemp("assigned")
    return {name: ex.assign(name, out) for name in NAMES}


def test_the_sets_have_four_to_eight_questions_with_their_points_stated() -> None:
    assert len(NAMES) >= 8, NAMES
    for name in NAMES:
        points = ex.questions(name)
        assert 4 <= len(points) <= 8, (name, points)
        nb = _master(name)
        prompts = [c.source for c in nb.cells if c.cell_type == "markdown"
                   and c.source.startswith("**Question")]
        assert len(prompts) == len(points), name
        for i, (prompt, (q, pts)) in enumerate(zip(prompts, points.items()), start=1):
            assert q == f"q{i}", (name, q)
            match = re.match(r"\*\*Question (\d+)\*\* \((\d+) points?\)", prompt)
            assert match and int(match[1]) == i and int(match[2]) == pts, (name, prompt[:60])
        intro = next(c.source for c in nb.cells if "in all)" in c.source)
        assert f"({int(sum(points.values()))} in all)" in intro, name
        assert nb.cells[0].source.startswith("# Setup: in Colab,"), name
        markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        links = re.findall(r"\(\.\./(chapters/\w+\.ipynb)\)", markdown)
        assert links, name
        for link in links:
            assert (ROOT / link).is_file(), f"{name} links to a missing {link}"


def test_readme_table_matches_the_sets() -> None:
    readme = (ex.EXERCISES / "README.md").read_text()
    for name in NAMES:
        points = ex.questions(name)
        row = re.search(rf"^\| \[{name}\]\({name}\.ipynb\) \|.*\| (\d+) \| (\d+) \|$", readme,
                        re.MULTILINE)
        assert row, f"{name} missing from exercises/README.md"
        assert (int(row[1]), int(row[2])) == (len(points), int(sum(points.values()))), name


def test_student_notebooks_are_up_to_date(assigned: dict[str, object]) -> None:
    problems = [p for a in assigned.values() for p in ex.differences(a)]
    orphans = [p.name for p in ex.EXERCISES.glob("ex*.ipynb") if p.stem not in NAMES]
    assert not problems and not orphans, (
        "exercises/ is out of date with solutions/; run `python scripts/exercises.py "
        "generate`:\n" + "\n".join(problems + orphans))


def test_the_freshness_check_notices_an_edit(assigned: dict[str, object],
                                             tmp_path: Path) -> None:
    name = NAMES[0]
    (tmp_path / "tests").mkdir()
    nb = nbformat.read(ex.EXERCISES / f"{name}.ipynb", as_version=4)
    nb.cells[-1].source += "\nedited"
    nbformat.write(nb, tmp_path / f"{name}.ipynb")
    problems = ex.differences(assigned[name], tmp_path)
    assert any("cell" in p and "differs" in p for p in problems), problems
    assert any("missing" in p and p.startswith(f"tests/{name}/") for p in problems), problems


@pytest.mark.parametrize("name", NAMES)
def test_student_files_hold_no_solution_and_no_hidden_test(name: str) -> None:
    student = nbformat.read(ex.EXERCISES / f"{name}.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    tests = {p.name: p.read_text() for p in (ex.PUBLIC_TESTS / name).glob("*.py")}
    assert set(tests) == {f"{q}.py" for q in ex.questions(name)}, sorted(tests)
    for marker in MARKERS:
        assert marker not in text, (name, marker)
    assert not any(c.cell_type == "raw" for c in student.cells), "otter's raw cells remain"
    solution, hidden, other = _split_master(name)
    assert solution and hidden, f"{name}: every set needs solutions and hidden tests"
    visible = "\n".join(other)
    for line in solution:
        if len(line) >= 12 and line not in visible:
            assert line not in text, f"{name}: solution line in the student notebook: {line}"
            for test_text in tests.values():
                assert line not in test_text, f"{name}: solution line in a public test: {line}"
    for source in hidden:
        test_name = re.search(r"def (test_\w+)", source)[1]
        assert test_name not in text, (name, test_name)
        for file, test_text in tests.items():
            assert test_name not in test_text, (name, file, test_name)
            assert "hidden=True" not in test_text, (name, file)
    # Every question has an answer cell with a placeholder and a check cell.
    for q in ex.questions(name):
        assert f'grader.check("{q}")' in text, (name, q)
    answers = [c for c in student.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(answers) >= len(ex.questions(name)) and all("..." in c.source for c in answers)


def _grade_many(jobs: list[tuple[Path, Path, dict[str, float], dict[str, float]]],
                workers: int = 2) -> list:
    """Grade (autograder zip, submission, points, options) jobs, ``workers`` at a time."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda j: ex.grade_one(j[0], j[1], j[2], quick=True, **j[3]), jobs))


def test_solutions_get_full_marks_and_untouched_notebooks_zero(
        assigned: dict[str, object], tmp_path: Path) -> None:
    jobs = []
    for name, a in assigned.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "solution.ipynb").write_bytes(a.solved_notebook.read_bytes())
        (folder / "untouched.ipynb").write_bytes((ex.EXERCISES / f"{name}.ipynb").read_bytes())
        points = ex.questions(name)
        for sub in ("solution.ipynb", "untouched.ipynb"):
            jobs.append((a.autograder_zip, folder / sub, points, {}))
    grades = _grade_many(jobs)
    for (_, sub, points, _), g in zip(jobs, grades):
        label = (f"{sub.parent.name}/{sub.name}: {g.status} {g.detail} {g.scores}, "
                 f"{g.error_cells} cells raised")
        assert g.status == "ok" and not g.detail, label
        assert set(g.scores) == set(points), label
        # Every cell ran without an error: the instructor notebooks and the student
        # notebooks as handed out run here, under otter, and not also under nbval
        # (scripts/test.sh). An untouched notebook scores nothing but raises nowhere.
        assert g.error_cells == 0, label
        if sub.name == "solution.ipynb":
            assert g.scores == points, label  # every public and hidden test passed
        else:
            assert all(s == 0 for s in g.scores.values()), label


def _edit(nb: nbformat.NotebookNode, question: str, prefix: str = "",
          suffix: str = "") -> nbformat.NotebookNode:
    """Put ``prefix`` at the top and ``suffix`` at the end of the answer cell of ``question``
    (the cell before its check cell)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    i = next(k for k, c in enumerate(nb.cells) if c.source == f'grader.check("{question}")')
    nb.cells[i - 1].source = f"{prefix}\n{nb.cells[i - 1].source}\n{suffix}"
    return nb


def test_bad_submissions_are_graded_without_stopping_the_others(
        assigned: dict[str, object], tmp_path: Path) -> None:
    name = "ex01_shapes"
    a = assigned[name]
    points = ex.questions(name)
    solved = nbformat.read(a.solved_notebook, as_version=4)
    # Endless but idle (sleeping, not spinning), so that waiting out the time limits costs
    # no CPU; the limits stop a sleeping cell exactly as they stop a spinning one.
    loop = "import time\nwhile True:\n    time.sleep(0.05)"
    deaf = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n" + loop
    # A function that never returns when the tests call it (torch imported up front, so
    # that the hidden tests' own imports stay well inside the short test time limit).
    endless = _edit(_edit(solved, "q1", "import torch"), "q6",
                    suffix="def receptive_field(kernels, strides=None):\n"
                    + "    import time\n    while True:\n        time.sleep(0.05)")
    subs = {
        "good": solved,
        "raises": _edit(solved, "q3", 'raise RuntimeError("my mistake")'),
        "loops": _edit(solved, "q6", loop),
        "ignores_interrupt": _edit(solved, "q7", deaf),
        "deletes": _edit(_edit(solved, "q2", "del conv_output_size"), "q5", "%reset -f"),
        "kills_kernel": _edit(solved, "q5", "import os\nos._exit(1)"),
    }
    folder = tmp_path / "submissions"
    folder.mkdir()
    for sub, nb in subs.items():
        nbformat.write(nb, folder / f"{sub}.ipynb")
    (folder / "not_a_notebook.ipynb").write_text("this is not a notebook")
    fast = {"cell_timeout": 15, "timeout": 300}
    jobs = [(a.autograder_zip, path, points, fast) for path in sorted(folder.glob("*.ipynb"))]
    nbformat.write(endless, tmp_path / "endless_function.ipynb")
    jobs.append((a.autograder_zip, tmp_path / "endless_function.ipynb", points,
                 {"cell_timeout": 30, "timeout": 300, "test_timeout": 5}))
    # The same endless submission once more, with only the per-submission limit to stop it.
    jobs.append((a.autograder_zip, folder / "ignores_interrupt.ipynb", points,
                 {"cell_timeout": 600, "timeout": 25}))
    grades = _grade_many(jobs, workers=len(jobs))  # most of them sleep out their limits
    by_name = {g.submission.removesuffix(".ipynb"): g for g in grades[:-2]}
    full = float(sum(points.values()))
    report = "\n".join(f"{g.submission}: {g.total} {g.status} {g.detail}" for g in grades)

    assert by_name["good"].total == full and by_name["good"].status == "ok", report
    raised = by_name["raises"]
    assert raised.status == "ok" and raised.scores["q3"] == 0, report
    assert raised.total == full - points["q3"], report
    looped = by_name["loops"]
    assert looped.status == "ok" and looped.interrupted_cells == 1, report
    assert looped.scores["q6"] == 0 and looped.total == full - points["q6"], report
    assert by_name["good"].error_cells == 0 and by_name["raises"].error_cells >= 1, report
    deaf_grade = by_name["ignores_interrupt"]
    assert deaf_grade.status == "timeout" and deaf_grade.total == 0, report
    deleted = by_name["deletes"]
    # Deleting q1's function breaks q3's answer, which calls it (q1 was checked before the
    # deletion). The %reset before q5 wipes everything, grader included, but the answers
    # after it are defined again and the grader checks them at the end.
    assert deleted.status == "ok" and deleted.scores["q3"] == 0, report
    assert deleted.total == full - points["q3"], report
    for broken in ("kills_kernel", "not_a_notebook"):
        assert by_name[broken].status == "error" and by_name[broken].total == 0, report
    endless_grade = grades[-2]
    assert endless_grade.status == "ok" and endless_grade.interrupted_cells == 0, report
    assert endless_grade.scores["q6"] == 0, report
    assert endless_grade.total == full - points["q6"], report
    backstop = grades[-1]
    assert backstop.status == "timeout" and "longer than 25 s" in backstop.detail, report


def test_grade_folder_writes_a_score_table(assigned: dict[str, object], tmp_path: Path) -> None:
    """The CSV has one row per submission and one column per question (no grading needed:
    an empty folder and a hand-made table)."""
    points = ex.questions("ex01_shapes")
    grades = [ex.Grade("a.ipynb", dict.fromkeys(points, 1.0), points),
              ex.Grade("b.ipynb", dict.fromkeys(points, 0.0), points, "timeout", "killed")]
    out = tmp_path / "scores.csv"
    ex.write_csv(grades, points, out)
    lines = out.read_text().splitlines()
    assert lines[0] == "submission," + ",".join(points) + ",total,possible,status,detail,seconds"
    assert lines[1].startswith("a.ipynb,1,1,1,") and ",ok," in lines[1]
    assert ",0,14,timeout,killed," in lines[2]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert ex.grade_folder("ex01_shapes", empty, tmp_path / "none.csv",
                           autograder_zip=assigned["ex01_shapes"].autograder_zip) == []
    with pytest.raises(ValueError, match="not a folder"):
        ex.grade_folder("ex01_shapes", tmp_path / "missing")
    with pytest.raises(ValueError, match="known exercise sets"):
        ex.questions("ex99_nothing")


def test_a_kernel_that_dies_while_starting_is_started_again(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    """Not the submission's doing (no cell of it ran): graded again, up to three times; a
    kernel that dies later (the submission killed it) is graded once."""
    points = {"q1": 1.0}
    died = ex.Grade("s.ipynb", {"q1": 0.0}, points, "error",
                    f"RuntimeError: {ex.KERNEL_START_FAILED}")
    good = ex.Grade("s.ipynb", {"q1": 1.0}, points)
    killed = ex.Grade("s.ipynb", {"q1": 0.0}, points, "error", "DeadKernelError: Kernel died")
    for tries, expect, calls in (([died, good], good, 2), ([died] * 3, died, 3),
                                 ([killed, good], killed, 1)):
        queue = list(tries)
        made: list[int] = []

        def fake(*args: object, queue: list = queue, made: list = made,
                 **kwargs: object) -> object:
            made.append(1)
            return queue.pop(0)

        monkeypatch.setattr(ex, "_grade_once", fake)
        assert ex.grade_one(tmp_path / "a.zip", tmp_path / "s.ipynb", points) is expect
        assert len(made) == calls
