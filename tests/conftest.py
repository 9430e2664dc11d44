"""Shared fixtures (tests never write into the user's cache or the repo's results), and the
order in which two pytest-xdist workers take the test files."""

from __future__ import annotations

from pathlib import Path

import pytest

# The files whose tests take minutes: each is one unit of work for pytest-xdist (--dist
# loadfile), so they go first; were one of them last, one worker would run it alone while
# the other sat idle (12-02: the slider chapters, 220 s, ran last and cost 3.5 minutes).
SLOW_FILES = ("tests/test_build_execution.py", "tests/test_grading.py",
              "tests/test_exercises.py")


def work_order(root: Path, path: str, index: int) -> tuple[int, int, int]:
    """Sort key of one test file (``path`` relative to ``root``, the repository; ``index``
    its place in the collection): the slow test files first, then the notebooks, longest
    file first (each runs for seconds to a minute), then the unit tests, which are many and
    short and so fill both workers evenly until the end."""
    if path in SLOW_FILES:
        return (0, SLOW_FILES.index(path), index)
    if path.endswith(".ipynb"):
        size = (root / path).stat().st_size if (root / path).is_file() else 0
        return (1, -size, index)
    return (2, 0, index)


def _relative(root: Path, item: pytest.Item) -> str:
    path = Path(str(item.path))
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the longest work first (longest-processing-time-first: the two
    workers then finish together); scripts/test.sh passes --no-loadscope-reorder so that
    pytest-xdist keeps this order. Tests within a file keep their order."""
    if config.getoption("dist", "no") == "no":
        return
    root = Path(str(config.rootpath))
    first: dict[str, int] = {}
    for item in items:
        first.setdefault(_relative(root, item), len(first))
    keys = {rel: work_order(root, rel, i) for rel, i in first.items()}
    items.sort(key=lambda item: keys[_relative(root, item)])


@pytest.fixture()
def tmp_results(tmp_path, monkeypatch):
    """A throw-away results folder."""
    monkeypatch.setenv("CNNBOOK_RESULTS", str(tmp_path / "results"))
    return tmp_path / "results"
