"""Open built pages of the book in headless Chromium with the network blocked, and check
that the math is typeset (MathJax ran from the book's own copy) and the figures are there.
On a page with pre-drawn sliders (utils.plot.slider), every slider is moved, as a reader
would drag it, and its picture must change.

Usage: python scripts/check_html.py [PAGE ...] [--screenshot DIR]
PAGE is a path under book/_build/html (default: chapter 1 and every chapter with a
slider). Exit status 1 if a page has no typeset formula or no figure, loads anything from
the network, or has a slider that does not change its picture when moved; 0 with a note
when no Chromium is installed
(``apt-get install chromium`` to check).
"""

from __future__ import annotations

import argparse
import html
import json
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
# A laptop screen: every code cell must show its longest line without scrolling at this
# width (book/_static/book.css).
WIDTH = 1280


def browser() -> str | None:
    """The first Chromium-like browser on the PATH."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def render(exe: str, page: Path, screenshot: Path | None = None) -> str:
    """The page's DOM after its scripts ran (up to 15 s of virtual time)."""
    with tempfile.TemporaryDirectory() as profile:
        base = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", OFFLINE,
                f"--user-data-dir={profile}", "--virtual-time-budget=15000",
                f"--window-size={WIDTH},900"]
        if screenshot is not None:
            subprocess.run([*base, f"--window-size={WIDTH},2400", f"--screenshot={screenshot}",
                            page.as_uri()], capture_output=True, timeout=120, check=False)
        out = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True,
                             text=True, timeout=120, check=False)
    return out.stdout


# Appended to a copy of a page: once it has loaded, move every control of every pre-drawn
# slider to its other end (dispatching the events a drag sends) and record whether the
# picture changed; also record every code cell that scrolls sideways. The results go into
# an attribute of <body>, which --dump-dom then shows.
PROBE = """<script>
window.addEventListener('load', function () {
  var out = {sliders: [], wide: []};
  document.querySelectorAll('.cnnbook-slider').forEach(function (root) {
    var img = root.querySelector('img'), before = img.src, moved = [];
    root.querySelectorAll('[data-k]').forEach(function (c) {
      var last = c.tagName === 'SELECT' ? c.options.length - 1 : +c.max;
      var to = (+c.value === last) ? 0 : last;
      c.value = String(to);
      c.dispatchEvent(new Event('input', {bubbles: true}));
      c.dispatchEvent(new Event('change', {bubbles: true}));
      moved.push(to);
    });
    out.sliders.push({id: root.id, changed: img.src !== before, frame: root.dataset.frame,
                      moved: moved});
  });
  document.querySelectorAll('div.cell_input div.highlight pre').forEach(function (pre) {
    if (pre.scrollWidth > pre.clientWidth + 1) {
      var longest = pre.textContent.split('\\n').sort(function (a, b) {
        return b.length - a.length; })[0];
      out.wide.push(longest.trim().slice(0, 60));
    }
  });
  document.body.setAttribute('data-probe', JSON.stringify(out));
});
</script>"""


def probe(exe: str, page: Path) -> dict:
    """Move every slider of ``page`` in the browser and measure its code cells."""
    copy = page.with_name(f".probe-{page.name}")
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                    encoding="utf-8")
    try:
        dom = render(exe, copy)
    finally:
        copy.unlink(missing_ok=True)
    match = re.search(r'data-probe="([^"]*)"', dom)
    if not match:
        return {"sliders": None, "wide": []}
    return json.loads(html.unescape(match.group(1)))


def check_sliders(page: Path, exe: str, found: dict | None = None) -> list[str]:
    """What is wrong with the page's sliders (empty if it has none or all respond)."""
    count = page.read_text(encoding="utf-8").count('class="cnnbook-slider"')
    if count == 0:
        return []
    records = (found or probe(exe, page))["sliders"] or []
    changed = sum(r["changed"] for r in records)
    print(f"{page.name}: {count} sliders, {changed} changed their picture when moved")
    if len(records) != count:
        return [f"the browser reported {len(records)} of {count} sliders: did the page's "
                "scripts run?"]
    return [f"slider {r['id']} did not change its picture when moved to {r['moved']}"
            for r in records if not r["changed"]]


def check_width(page: Path, found: dict) -> list[str]:
    """Code cells wider than the page's code column at WIDTH pixels."""
    wide = found["wide"]
    print(f"{page.name}: {len(wide)} code cells scroll sideways at {WIDTH} px")
    return [f"a code cell scrolls sideways at {WIDTH} px: {line!r}" for line in wide]


def check(page: Path, dom: str) -> list[str]:
    """What is wrong with a rendered page (empty if nothing)."""
    problems = []
    formulas = dom.count("<mjx-container")
    figures = len(re.findall(r"<img[^>]+src=\"(?:data:image|[^\"]*_images/)", dom))
    remote = re.findall(r"<script[^>]+src=\"(https?://[^\"]+)\"", dom)
    print(f"{page.name}: {formulas} typeset formulas, {figures} figures, "
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
    ap.add_argument("pages", nargs="*", help="default: chapter 1 and every page with a slider")
    ap.add_argument("--screenshot", type=Path, help="also save a PNG of each page here")
    ap.add_argument("--html", type=Path, default=HTML, help="the built book (default: %(default)s)")
    args = ap.parse_args(argv)
    html_dir = args.html
    if not args.pages:
        with_sliders = sorted(p.relative_to(html_dir).as_posix()
                              for p in html_dir.glob("chapters/*.html")
                              if 'class="cnnbook-slider"' in p.read_text(encoding="utf-8"))
        args.pages = ["chapters/01_why_cnns.html", *with_sliders]
    exe = browser()
    if exe is None:
        print("no Chromium found: pages not checked (apt-get install chromium)")
        return 0
    failed = False
    for name in args.pages:
        page = html_dir / name
        if not page.is_file():
            print(f"{page} does not exist: build the book first (bash scripts/build_book.sh)")
            return 1
        shot = None
        if args.screenshot:
            args.screenshot.mkdir(parents=True, exist_ok=True)
            shot = args.screenshot / (page.stem + ".png")
        found = probe(exe, page)
        problems = (check(page, render(exe, page, shot)) + check_sliders(page, exe, found)
                    + check_width(page, found))
        for problem in problems:
            print(f"  {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
