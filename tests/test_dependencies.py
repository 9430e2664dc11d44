"""What a notebook imports, the book's package installs.

In Colab a chapter's set-up cell installs only the book's package with the dependencies of
`pyproject.toml` (torch is already there). So every third-party module that a chapter, an
exercise or `utils` imports must come from one of those dependencies or from a package
they need, and every package `utils` looks for by name (the pretrained weights) must be
listed itself.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from importlib import metadata
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
# Installed by the notebook itself where needed (otter: the exercises' set-up cell), or
# provided by the platform (google.colab), or the book's own package.
PROVIDED = {"torch", "otter-grader", "cnnbook-utils"}
PLATFORM_MODULES = {"google", "utils"}
# Imported only when the book build runs (utils/i18n.py's Korean search language is a
# Sphinx extension; it imports sphinx inside the function Sphinx calls), never in a notebook.
BUILD_ONLY = {"sphinx"}


def imported_modules(source: str) -> set[str]:
    """Top-level names of the modules a piece of Python source imports."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    names = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def book_imports() -> set[str]:
    """Third-party modules imported by the chapters, exercises, solutions and utils."""
    names: set[str] = set()
    for path in sorted(ROOT.glob("*/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                names |= imported_modules("".join(cell["source"]))
    for path in sorted((ROOT / "utils").rglob("*.py")):
        names |= imported_modules(path.read_text(encoding="utf-8"))
    return {n for n in names if n not in sys.stdlib_module_names
            and n not in PLATFORM_MODULES | BUILD_ONLY}


def closure(names: set[str]) -> set[str]:
    """The distributions ``names`` need, themselves included (from installed metadata)."""
    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    return seen


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}


def test_every_imported_module_comes_with_the_package():
    installable = closure(declared()) | {canonicalize_name(p) for p in PROVIDED}
    owners = metadata.packages_distributions()
    missing = {}
    for module in sorted(book_imports()):
        dists = {canonicalize_name(d) for d in owners.get(module, [])}
        if not dists:
            missing[module] = "no installed distribution provides it"
        elif not dists & installable:
            missing[module] = f"from {sorted(dists)}, not among pyproject's dependencies"
    assert missing == {}, "add to pyproject.toml [project] dependencies: " + str(missing)


def test_packages_utils_loads_by_name_are_declared():
    """utils.pretrained finds its weights through a package named in a string."""
    text = (ROOT / "utils" / "pretrained.py").read_text(encoding="utf-8")
    named = {canonicalize_name(m) for m in re.findall(r'package="([^"]+)"', text)}
    assert named and named <= declared(), named - declared()


def test_the_check_can_fail():
    assert imported_modules("import numpy as np\nfrom scipy import signal\n%matplotlib inline"
                            ) == {"numpy", "scipy"}
    assert "numpy" in closure({"matplotlib"})


def test_the_package_ships_every_utils_package_and_the_results() -> None:
    """pyproject lists its packages by name: every folder of utils with an ``__init__.py``
    must be among them, and ``results/`` must be shipped as ``cnnbook_results`` (chapters
    installed without the repository, as in Colab, read the recorded results from it)."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    tool = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(root).parts)
             for p in (root / "utils").rglob("__init__.py")}
    assert found <= set(tool["packages"]), f"add {sorted(found - set(tool['packages']))}"
    assert tool["package-dir"]["cnnbook_results"] == "results"
    shipped = tool["package-data"]["cnnbook_results"]
    for path in (root / "results").rglob("*.json"):
        rel = path.relative_to(root / "results").as_posix()
        assert any(Path(rel).match(pattern) for pattern in shipped), f"{rel} is not shipped"
