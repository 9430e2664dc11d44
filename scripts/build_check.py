"""Execute notebooks the way the book build does, and check their sliders were pre-drawn.

The tests run notebooks with nbval; the book build runs them through myst-nb's cached
executor (jupyter-cache and nbclient) with the book's own execution settings. A notebook
can pass one and hang in the other (chapter 9's live slider did, 2026-12-01). This
script builds a small book holding the given notebooks with ``jupyter-book build`` and
the execution settings of ``book/_config.yml``, in a temporary folder with an empty
cache, so every notebook executes, in quick mode unless ``CNNBOOK_QUICK=0``. It fails when
a notebook fails or runs past the cell timeout (naming the notebook and the cell, see
``scripts/build_report.py``) and when a page lacks the pre-drawn slider that each
``slider(`` call of its code should have left there.

Usage: python scripts/build_check.py [NOTEBOOK ...] [--timeout S] [--root DIR] [--keep DIR]
Without notebooks: every chapter that calls ``slider(``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_report  # noqa: E402

SLIDER_CALL = re.compile(r"(?<![\w.])slider\(")


def code_of(notebook: Path) -> str:
    """All code cells of a notebook, joined."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def slider_chapters(root: Path = ROOT) -> list[Path]:
    """The chapters whose code calls ``slider(`` (the ones with interactive figures)."""
    return [nb for nb in sorted((root / "chapters").glob("*.ipynb"))
            if SLIDER_CALL.search(code_of(nb))]


def book_config(timeout: int | None) -> dict:
    """The book's configuration, with the execution settings it builds with.

    Only the page assets (MathJax, widget scripts, copied by build_book.sh from npm) are
    left out: they do not take part in executing a notebook.
    """
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text(encoding="utf-8"))
    config.pop("exclude_patterns", None)
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    for key in ("html_static_path", "html_css_files", "mathjax_path", "nb_ipywidgets_js"):
        sphinx.pop(key, None)
    if timeout is not None:
        config["execute"]["timeout"] = timeout
    config["execute"]["execute_notebooks"] = "cache"
    config["only_build_toc_files"] = True
    return config


def build(notebooks: list[Path], root: Path, out: Path, timeout: int | None) -> int:
    """Run jupyter-book on a table of contents of ``notebooks``; its exit status."""
    docs = [nb.resolve().relative_to(root.resolve()).with_suffix("").as_posix()
            for nb in notebooks]
    # The root page must lie inside the source folder: a tiny one next to the notebooks.
    root_page = root / f"build_check_root_{os.getpid()}.md"
    root_page.write_text("# Build check\n", encoding="utf-8")
    try:
        (out / "_toc.yml").write_text(yaml.safe_dump(
            {"format": "jb-book", "root": root_page.stem,
             "chapters": [{"file": d} for d in docs]}), encoding="utf-8")
        (out / "_config.yml").write_text(yaml.safe_dump(book_config(timeout)),
                                         encoding="utf-8")
        env = {**os.environ, "CNNBOOK_WIDGETS": "static", "CNNBOOK_PROGRESS": "0",
               "PYTHONHASHSEED": "0"}
        env.setdefault("CNNBOOK_QUICK", "1")
        env.pop("MPLBACKEND", None)  # as in the build: the kernels keep their inline backend
        cmd = ["jupyter-book", "build", str(root), "--config", str(out / "_config.yml"),
               "--toc", str(out / "_toc.yml"), "--path-output", str(out), "--keep-going"]
        with open(out / "build.log", "w", encoding="utf-8") as log:
            status = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    check=False).returncode
    finally:
        root_page.unlink(missing_ok=True)
    return status


def check_pages(notebooks: list[Path], root: Path, html: Path) -> list[str]:
    """Problems with the built pages: missing, or fewer pre-drawn sliders than calls."""
    problems = []
    for nb in notebooks:
        rel = nb.resolve().relative_to(root.resolve()).with_suffix(".html")
        page = html / rel
        if not page.is_file():
            problems.append(f"{rel}: no page was built")
            continue
        calls = len(SLIDER_CALL.findall(code_of(nb)))
        drawn = page.read_text(encoding="utf-8").count('class="cnnbook-slider"')
        if drawn < calls:
            problems.append(f"{rel}: {calls} slider calls but {drawn} pre-drawn sliders")
        if "application/vnd.jupyter.widget-view+json" in page.read_text(encoding="utf-8"):
            problems.append(f"{rel}: a live widget was created during the build")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--timeout", type=int, help="cell timeout in seconds (default: the book's)")
    ap.add_argument("--root", type=Path, default=ROOT, help="source folder (default: the repo)")
    ap.add_argument("--keep", type=Path, help="build here and keep it (default: a temp folder)")
    args = ap.parse_args(argv)
    notebooks = args.notebooks or slider_chapters(args.root)
    if not notebooks:
        print("no notebooks to check")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        status = build(notebooks, args.root, out, args.timeout)
        html = out / "_build" / "html"
        failed = build_report.main([str(html), str(args.root)])
        problems = [] if failed else check_pages(notebooks, args.root, html)
        for p in problems:
            print("FAILED " + p)
        print(f"{len(notebooks)} notebooks executed by the book's executor in "
              f"{time.monotonic() - start:.0f} s: "
              f"{'failed' if failed or problems or status else 'all passed'}")
        if status and not failed and not problems:
            print("jupyter-book itself failed; the end of its log:")
            print("\n".join((out / "build.log").read_text().splitlines()[-30:]))
        return 1 if failed or problems or status else 0


if __name__ == "__main__":
    sys.exit(main())
