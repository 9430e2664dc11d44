"""How the graded exercises give points: the split between public and hidden tests
(``scripts/exercises.py``), the check that a "write it yourself" answer is the student's own
work (``utils.grading``), and, for every exercise set in ``solutions/``, two submissions built
from its reference solutions and graded with otter:

- *right form, wrong values*: every answer keeps its type and shape but changes its values
  (numbers, arrays and tensors shifted, functions and classes whose outputs are shifted,
  models with an extra parameter): it must score at most 10% of every question;
- *the book's code*: every "write it yourself" answer delegates to the reference solution
  but imports the book's package ``utils`` (or the torch/scipy object its question forbids):
  those questions must score 0, the others full marks.

The sets are discovered, so a new set is covered as soon as its instructor notebook exists.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import textwrap
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import torch
import torch.nn.functional as F
from exercises_module import exercises_script
from torch import nn

from utils.grading import BOOK_PACKAGE, assert_own_work, own_work_problem

ROOT = Path(__file__).resolve().parents[1]
ex = exercises_script()

NAMES = ex.exercise_names()


# --------------------------------------------------------------------------- utils.grading


def _notebook(source: str) -> dict[str, object]:
    """Run ``source`` as notebook cells run (module ``__main__``) and return its globals."""
    env: dict[str, object] = {"__name__": "__main__"}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), env)
    return env


NOTEBOOK = _notebook("""
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn

    def max_pool2d(x, size=2, stride=None):
        x = np.asarray(x, dtype=float)
        stride = stride or size
        rows = range(0, x.shape[0] - size + 1, stride)
        cols = range(0, x.shape[1] - size + 1, stride)
        return np.array([[x[i:i + size, j:j + size].max() for j in cols] for i in rows])

    def pooled_by_torch(x, size=2, stride=None):
        return F.max_pool2d(torch.tensor(x)[None, None], size, stride)[0, 0].numpy()

    def fully_qualified(x, size=2):
        return torch.nn.functional.max_pool2d(x, size)

    def imported_inside(x, size=2):
        from torch.nn.functional import max_pool2d as pool
        return pool(x, size)

    def helper(x):
        return F.max_pool2d(x, 2)

    def through_a_helper(x):
        return helper(x)

    POOL = nn.MaxPool2d(2)

    def through_an_instance(x):
        return POOL(x)

    def through_a_default(x, pool=F.max_pool2d):
        return pool(x, 2)

    def make_closure():
        pool = F.max_pool2d
        def pooled(x):
            return pool(x, 2)
        return pooled

    through_a_closure = make_closure()

    def by_name(x):
        return getattr(F, "max_pool2d")(x, 2)

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3, padding=1)
            self.pool = nn.MaxPool2d(2)

        def forward(self, x):
            return self.pool(torch.relu(self.conv(x)))

    class Transition(nn.Sequential):
        def __init__(self, c_in, c_out):
            super().__init__(nn.BatchNorm2d(c_in), nn.ReLU(), nn.Conv2d(c_in, c_out, 1),
                             nn.AvgPool2d(2))

    class OwnPool(nn.MaxPool2d):
        pass

    def adam_step(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v

    def adam_by_torch(w, g, m, v, t, lr=0.001):
        p = torch.tensor(w, requires_grad=True)
        opt = torch.optim.Adam([p], lr=lr)
        p.grad = torch.tensor(g)
        opt.step()
        return p.detach().numpy(), m, v
""")

ZOO = _notebook("""
    from torch import nn
    import utils.models
    from utils.models.googlenet import Inception
    from utils.ops import max_pool2d as book_pool

    class SubclassOfTheZoo(Inception):
        pass

    class WrapsTheZoo(nn.Module):
        def __init__(self, *args):
            super().__init__()
            self.inner = Inception(*args)

        def forward(self, x):
            return self.inner(x)

    def calls_the_book(x, size=2):
        return book_pool(x, size)

    def imports_the_book(x):
        from utils.ops import max_pool2d
        return max_pool2d(x, 2)

    def through_the_package(num_classes=10):
        return utils.models.create("lenet5", num_classes=num_classes)
""")


@pytest.mark.parametrize("answer", ["max_pool2d", "Block", "Transition", "adam_step"])
def test_own_answers_pass(answer: str) -> None:
    forbidden = {"max_pool2d": ("torch", "scipy"), "adam_step": ("torch",)}.get(answer, ())
    assert own_work_problem(NOTEBOOK[answer], forbidden) is None
    assert_own_work(NOTEBOOK[answer], forbidden)


@pytest.mark.parametrize("answer", ["Inception", "SubclassOfTheZoo", "WrapsTheZoo",
                                    "calls_the_book", "imports_the_book",
                                    "through_the_package"])
def test_the_books_own_implementation_is_refused(answer: str) -> None:
    problem = own_work_problem(ZOO[answer])
    assert problem is not None and problem[1] == "book", problem
    assert problem[0].startswith(BOOK_PACKAGE), problem
    with pytest.raises(AssertionError, match="book's own `utils` package") as info:
        assert_own_work(ZOO[answer], name="Inception")
    assert "Write it yourself" in str(info.value) and "scores 0" in str(info.value)


@pytest.mark.parametrize("answer", ["pooled_by_torch", "fully_qualified", "imported_inside",
                                    "through_a_helper", "through_an_instance",
                                    "through_a_default", "through_a_closure", "by_name"])
def test_a_forbidden_torch_call_is_refused(answer: str) -> None:
    forbidden = ("torch.nn.MaxPool2d", "torch.nn.functional.max_pool2d")
    problem = own_work_problem(NOTEBOOK[answer], forbidden)
    assert problem is not None and problem[1] == "forbidden", (answer, problem)
    assert problem[0] in forbidden, problem
    # Forbidding the whole module refuses them as well; the own versions still pass.
    assert own_work_problem(NOTEBOOK[answer], ("torch",)) is not None, answer
    assert own_work_problem(NOTEBOOK["max_pool2d"], forbidden) is None


def test_forbidden_modules_objects_and_subclasses() -> None:
    assert own_work_problem(NOTEBOOK["adam_by_torch"], ("torch.optim.Adam",))[:2] == (
        "torch.optim.Adam", "forbidden")
    assert own_work_problem(NOTEBOOK["adam_by_torch"], ("torch",))[1] == "forbidden"
    assert own_work_problem(NOTEBOOK["Block"], ("torch.nn.MaxPool2d",))[:2] == (
        "torch.nn.MaxPool2d", "forbidden")
    assert own_work_problem(NOTEBOOK["Block"], ("torch.nn.functional.conv2d",)) is None
    assert own_work_problem(NOTEBOOK["OwnPool"], ("torch.nn.MaxPool2d",))[1] == "forbidden"
    with pytest.raises(AssertionError, match="asks you not to use"):
        assert_own_work(NOTEBOOK["pooled_by_torch"], ("torch", "scipy"), hint="Use NumPy.")


@pytest.mark.parametrize("answer", [F.max_pool2d, nn.MaxPool2d, nn.MaxPool2d(2),
                                    torch.optim.Adam, math.floor])
def test_an_answer_that_is_not_defined_in_the_notebook_is_refused(answer: object) -> None:
    problem = own_work_problem(answer)
    assert problem is not None and problem[2], problem
    with pytest.raises(AssertionError, match="must be your own work"):
        assert_own_work(answer, name="max_pool2d")


def test_allow_and_argument_checks() -> None:
    assert own_work_problem(ZOO["calls_the_book"], allow=("utils.ops",)) is None
    with pytest.raises(TypeError, match="lists of names"):
        own_work_problem(NOTEBOOK["max_pool2d"], "torch")


# --------------------------------------------------------------------------- points


@pytest.mark.parametrize("name", NAMES)
def test_public_tests_carry_at_most_a_tenth_of_every_question(name: str) -> None:
    points = ex.questions(name)
    split = ex.point_split(name)
    assert list(split) == list(points), name
    for q, tests in split.items():
        public = sum(p for _, hidden, p in tests if not hidden)
        hidden = sum(p for _, hidden, p in tests if hidden)
        assert public <= ex.PUBLIC_SHARE * points[q] + 1e-9, (name, q, tests)
        assert math.isclose(public + hidden, points[q]), (name, q, tests)
        assert any(h for _, h, _ in tests), f"{name} {q} has no hidden test"


@pytest.mark.parametrize("name", NAMES)
def test_every_set_has_write_it_yourself_questions(name: str) -> None:
    own = ex.own_work_questions(name)
    assert own, (f"{name}: no test calls utils.grading.assert_own_work; every question that "
                 "asks for a block, a layer, an update rule or a function written from "
                 "scratch calls it in each of its tests")
    for q, answers in own.items():
        assert all(a.isidentifier() for a, _ in answers), (name, q, answers)


def test_the_autograder_scores_with_the_split(tmp_path: Path) -> None:
    """otter itself reads the split: public tests 10%, hidden the rest."""
    from otter.test_files.exception_test import ExceptionTestFile

    name = NAMES[0]
    assigned = ex.assign(name, tmp_path)
    with zipfile.ZipFile(assigned.autograder_zip) as z:
        for q, tests in ex.point_split(name).items():
            test_file = ExceptionTestFile.from_string(z.read(f"tests/{q}.py").decode())
            got = [(tc.name, tc.hidden, tc.points) for tc in test_file.test_cases]
            assert [(h, p) for _, h, p in got] == [(h, p) for _, h, p in tests], (q, got)
    public = (assigned.public_tests / "q1.py").read_text()
    assert "hidden=True" not in public and "points=0.2, hidden=False" in public


def _master(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, source in cells:
        nb.cells.append(nbformat.v4.new_raw_cell(source) if kind == "raw"
                        else nbformat.v4.new_code_cell(source))
    return nb


def _question(points: object, tests: list[str]) -> list[tuple[str, str]]:
    return [("raw", f"# BEGIN QUESTION\nname: q1\npoints: {points}"), ("raw", "# BEGIN TESTS"),
            *[("code", t) for t in tests], ("raw", "# END TESTS"), ("raw", "# END QUESTION")]


PUBLIC = "def test_a(x):\n    assert x\n\n\ntest_a(x)"
HIDDEN = "# HIDDEN\ndef test_b(x):\n    assert x == 1\n\n\ntest_b(x)"
OWN = ("def test_c(f):\n    from utils.grading import assert_own_work\n\n"
       "    assert_own_work(f, ('torch',))\n\n\ntest_c(f)")


def _config(points: float, hidden: bool, body: str) -> str:
    flag = "true" if hidden else "false"
    return (f'""" # BEGIN TEST CONFIG\npoints: {points}\nhidden: {flag}\n'
            '""" # END TEST CONFIG\n' + body)


def test_the_points_rule_is_computed_and_enforced() -> None:
    split = ex._split("t", _master(_question(3, [PUBLIC, PUBLIC, HIDDEN, HIDDEN])))
    assert [round(p, 6) for _, _, p in split["q1"]] == [0.15, 0.15, 1.35, 1.35]
    stated = _config(0.1, True, HIDDEN.split("\n", 1)[1])
    split = ex._split("t", _master(_question(2, [PUBLIC, stated, HIDDEN])))
    assert [round(p, 6) for _, _, p in split["q1"]] == [0.2, 0.1, 1.7]
    planned = ex.with_points("t", _master(_question(2, [PUBLIC, HIDDEN])))
    assert planned.cells[2].source.startswith('""" # BEGIN TEST CONFIG\nhidden: false\n'
                                              "points: 0.2\n")
    assert planned.cells[3].source == HIDDEN
    bad = {
        "no hidden test": [PUBLIC],
        "more than 10%": [_config(0.5, False, PUBLIC), HIDDEN],
        "must carry": [PUBLIC, _config(1.0, True, HIDDEN.split("\n", 1)[1])],
        "every test must call it": [OWN, HIDDEN],
    }
    for message, tests in bad.items():
        with pytest.raises(ex.PointsError, match=message):
            ex._split("t", _master(_question(2, tests)))
    with pytest.raises(ex.PointsError, match="as one number"):
        ex._split("t", _master(_question("[1, 1]", [PUBLIC, HIDDEN])))


def test_write_it_yourself_questions_are_read_from_the_tests(tmp_path: Path) -> None:
    hidden_own = "# HIDDEN\n" + OWN.replace("test_c", "test_d").replace(
        "('torch',)", "forbidden=['scipy']")
    nbformat.write(_master(_question(2, [OWN, hidden_own])), tmp_path / "ex99_t.ipynb")
    assert ex.own_work_questions("ex99_t", tmp_path) == {"q1": [("f", ("torch",)),
                                                                ("f", ("scipy",))]}
    assert ex.point_split("ex99_t", tmp_path)["q1"][0] == ("test_c", False, 0.2)


# --------------------------------------------------------------------------- grading


WRONG_CELL = '''
# Added by tests/test_grading.py: the same kind of answer with different values.
def _cnnbook_wrong(value):
    """A value of the same form as `value` (type, shape, dtype) with other contents. Uses
    no library by name, so that an own answer wrapped here still counts as own work."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 1.25 + 0.5
    if isinstance(value, str):
        return value + "?"
    if isinstance(value, tuple):
        items = [_cnnbook_wrong(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [_cnnbook_wrong(v) for v in value]
    if isinstance(value, dict):
        return {k: _cnnbook_wrong(v) for k, v in value.items()}
    if isinstance(value, type) and hasattr(value, "register_forward_hook"):
        class Wrong(value):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                _cnnbook_wrong(self)

        Wrong.__name__, Wrong.__qualname__ = value.__name__, value.__qualname__
        return Wrong
    if hasattr(value, "register_forward_hook") and hasattr(value, "parameters"):
        params = list(value.parameters())
        for p in params:
            if p.is_floating_point():
                p.data.add_(0.5)
        if params:
            extra = params[0].detach().new_full((1,), 0.5)
            value.register_parameter("_cnnbook_extra", type(params[0])(extra))
        for p in value.parameters():
            p.requires_grad_(not p.requires_grad)
        value.register_forward_hook(lambda module, inputs, out: _cnnbook_wrong(out))
        return value
    if hasattr(value, "param_groups"):
        for group in value.param_groups:
            group["lr"] = group["lr"] * 1.5 + 1e-3
        return value
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        if str(value.dtype).endswith("bool"):
            return ~value
        if hasattr(value, "detach"):
            value = value.detach()
        return value + 1
    if callable(value) and hasattr(value, "__code__"):
        own = value

        def wrong(*args, **kwargs):
            return _cnnbook_wrong(own(*args, **kwargs))

        wrong.__name__, wrong.__qualname__ = own.__name__, own.__qualname__
        return wrong
    return value
'''


def _answer_cells(nb: nbformat.NotebookNode) -> dict[str, int]:
    """Question -> index of its answer cell (the cell before its ``grader.check``)."""
    out = {}
    for i, cell in enumerate(nb.cells):
        source = cell.source.strip()
        if source.startswith('grader.check("') and source.endswith('")'):
            out[source[len('grader.check("'):-2]] = i - 1
    return out


def _defined(source: str) -> set[str]:
    """Names that the top level of a cell binds (assignments, def, class)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _tested(name: str) -> dict[str, set[str]]:
    """Question -> the names its tests read (the parameters of its test functions)."""
    nb = nbformat.read(ex.SOLUTIONS / f"{name}.ipynb", as_version=4)
    _, tests = ex._question_tests(nb)
    out: dict[str, set[str]] = {}
    for t in tests:
        for node in ast.walk(ast.parse(nb.cells[t.cell].source)):
            if isinstance(node, ast.FunctionDef) and node.name == t.test:
                out.setdefault(t.question, set()).update(a.arg for a in node.args.args)
    return out


def wrong_values(name: str, solved: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The reference solutions with every tested answer changed by ``_cnnbook_wrong``."""
    nb = nbformat.from_dict(json.loads(json.dumps(solved)))
    tested = _tested(name)
    cells = _answer_cells(nb)
    for q, i in cells.items():
        names = sorted(_defined(nb.cells[i].source) & tested.get(q, set()))
        assert names, f"{name} {q}: found no answer to change in its answer cell"
        nb.cells[i].source += "\n" + "\n".join(f"{n} = _cnnbook_wrong({n})" for n in names)
    first = min(cells.values())
    nb.cells.insert(first, nbformat.v4.new_code_cell(WRONG_CELL))
    return nb


def _cheat(answer: str, forbidden: tuple[str, ...]) -> str:
    """Code that replaces ``answer`` by one that does the same (it calls the reference
    solution) but imports the book's package, or the first forbidden torch/scipy name."""
    statement = f"import {BOOK_PACKAGE}.models"
    for name in forbidden:
        if name.partition(".")[0] not in ("torch", "scipy", "numpy"):
            continue
        try:
            module = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            module = False
        parent, _, last = name.rpartition(".")
        statement = f"import {name}" if module or not parent else f"from {parent} import {last}"
        break
    own = f"_cnnbook_own_{answer}"
    return textwrap.dedent(f"""
        # Added by tests/test_grading.py: the reference answer, handed to a library.
        {own} = {answer}
        if isinstance({own}, type):
            class {answer}({own}):
                def __init__(self, *args, **kwargs):
                    {statement}
                    super().__init__(*args, **kwargs)
        else:
            def {answer}(*args, **kwargs):
                {statement}
                return {own}(*args, **kwargs)
        """)


def book_code(name: str, solved: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The reference solutions with every "write it yourself" answer replaced by
    :func:`_cheat`."""
    nb = nbformat.from_dict(json.loads(json.dumps(solved)))
    cells = _answer_cells(nb)
    for q, answers in ex.own_work_questions(name).items():
        nb.cells[cells[q]].source += "\n" + "".join(_cheat(a, f) for a, f in answers)
    return nb


def test_the_cheats_do_the_same_as_the_reference() -> None:
    """A cheat computes what the reference does, so that only the own-work check can make
    it score less."""
    env = dict(NOTEBOOK)
    exec(_cheat("max_pool2d", ("torch", "scipy")) + _cheat("Block", ()), env)
    x = torch.arange(16.0).reshape(4, 4).numpy()
    assert (env["max_pool2d"](x) == NOTEBOOK["max_pool2d"](x)).all()
    assert issubclass(env["Block"], NOTEBOOK["Block"])
    assert own_work_problem(env["max_pool2d"], ("torch", "scipy"))[:2] == ("torch", "forbidden")
    assert own_work_problem(env["Block"])[:2] == ("utils.models", "book")
    env = dict(NOTEBOOK)
    exec(WRONG_CELL, env)
    wrong = env["_cnnbook_wrong"]
    for answer in ("max_pool2d", "Block"):
        assert own_work_problem(wrong(NOTEBOOK[answer]), ("scipy",)) is None, answer
    assert (wrong(NOTEBOOK["max_pool2d"])(x) == NOTEBOOK["max_pool2d"](x) + 1).all()
    block = wrong(NOTEBOOK["Block"])(2)
    assert sum(p.numel() for p in block.parameters()) == 2 * 2 * 9 + 2 + 1
    assert wrong((1, 2.0, True, "a")) == (2, 3.0, False, "a?")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Both submissions of every set, graded with otter in quick mode, two at a time."""
    tmp = tmp_path_factory.mktemp("grading")
    jobs = []
    for name in NAMES:
        assigned = ex.assign(name, tmp / "assigned")
        solved = nbformat.read(assigned.solved_notebook, as_version=4)
        folder = tmp / name
        folder.mkdir()
        for kind, build in (("wrong_values", wrong_values), ("book_code", book_code)):
            path = folder / f"{kind}.ipynb"
            nbformat.write(build(name, solved), path)
            jobs.append((name, kind, assigned.autograder_zip, path))
    with ThreadPoolExecutor(max_workers=2) as pool:
        grades = list(pool.map(lambda j: ex.grade_one(j[2], j[3], ex.questions(j[0]),
                                                      quick=True, timeout=600), jobs))
    out: dict[str, dict[str, object]] = {}
    for (name, kind, _, _), grade in zip(jobs, grades):
        out.setdefault(name, {})[kind] = grade
    return out


@pytest.mark.parametrize("name", NAMES)
def test_right_form_wrong_values_scores_at_most_a_tenth(graded: dict, name: str) -> None:
    grade = graded[name]["wrong_values"]
    points = ex.questions(name)
    assert grade.status == "ok" and not grade.detail, (grade.status, grade.detail)
    over = {q: s for q, s in grade.scores.items() if s > ex.PUBLIC_SHARE * points[q] + 1e-9}
    assert not over, (f"{name}: answers with the right form but wrong values score more than "
                      f"{ex.PUBLIC_SHARE:.0%} in {over}; the hidden tests of these questions "
                      f"must check the values: {grade.scores}")


@pytest.mark.parametrize("name", NAMES)
def test_the_books_code_scores_nothing_on_write_it_yourself_questions(graded: dict,
                                                                      name: str) -> None:
    grade = graded[name]["book_code"]
    points = ex.questions(name)
    own = ex.own_work_questions(name)
    assert grade.status == "ok" and not grade.detail, (grade.status, grade.detail)
    scored = {q: grade.scores[q] for q in own if grade.scores[q] > 0}
    assert not scored, f"{name}: an answer handed to the book or to torch scores {scored}"
    others = {q: s for q, s in grade.scores.items() if q not in own and s != points[q]}
    assert not others, f"{name}: questions that may use any code lost points: {others}"
