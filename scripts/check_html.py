"""Open built pages of the book in headless Chromium with the network blocked, and check
that the math is typeset (MathJax ran from the book's own copy) and the figures are there.

Usage: python scripts/check_html.py [PAGE ...] [--screenshot DIR]
PAGE is a path under book/_build/html (default: chapters/01_why_cnns.html). Exit status 1
if a page has no typeset formula or no figure, or loads anything from the network; 0 with
a note when no Chromium is installed (``apt-get install chromium`` to check).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HTML = Path(__file__).resolve().parent.parent / "book" / "_build" / "html"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Every host name resolves to nothing: a page that needs the network shows it.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND"


def browser() -> str | None:
    """The first Chromium-like browser on the PATH."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def render(exe: str, page: Path, screenshot: Path | None = None) -> str:
    """The page's DOM after its scripts ran (up to 15 s of virtual time)."""
    with tempfile.TemporaryDirectory() as profile:
        base = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", OFFLINE,
                f"--user-data-dir={profile}", "--virtual-time-budget=15000"]
        if screenshot is not None:
            subprocess.run([*base, "--window-size=1200,2400", f"--screenshot={screenshot}",
                            page.as_uri()], capture_output=True, timeout=120, check=False)
        out = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True,
                             text=True, timeout=120, check=False)
    return out.stdout


def check(page: Path, dom: str) -> list[str]:
    """What is wrong with a rendered page (empty if nothing)."""
    problems = []
    formulas = dom.count("<mjx-container")
    figures = len(re.findall(r"<img[^>]+src=\"(?:data:image|[^\"]*_images/)", dom))
    remote = re.findall(r"<script[^>]+src=\"(https?://[^\"]+)\"", dom)
    print(f"{page.relative_to(HTML)}: {formulas} typeset formulas, {figures} figures, "
          f"{len(remote)} remote scripts")
    if not dom:
        problems.append("the browser returned no page")
    if formulas == 0:
        problems.append("no formula was typeset: is MathJax in book/_static/mathjax?")
    if figures == 0:
        problems.append("no figure: were the notebooks executed?")
    problems += [f"loads {url} from the network" for url in remote]
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", default=["chapters/01_why_cnns.html"])
    ap.add_argument("--screenshot", type=Path, help="also save a PNG of each page here")
    args = ap.parse_args(argv)
    exe = browser()
    if exe is None:
        print("no Chromium found: pages not checked (apt-get install chromium)")
        return 0
    failed = False
    for name in args.pages:
        page = HTML / name
        if not page.is_file():
            print(f"{page} does not exist: build the book first (bash scripts/build_book.sh)")
            return 1
        shot = None
        if args.screenshot:
            args.screenshot.mkdir(parents=True, exist_ok=True)
            shot = args.screenshot / (page.stem + ".png")
        for problem in check(page, render(exe, page, shot)):
            print(f"  {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
