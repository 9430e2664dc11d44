"""Open built pages of the book in headless Chromium with the network blocked, and check
that the math is typeset (MathJax ran from the book's own copy) and the figures are there.
On a page with pre-drawn sliders (utils.plot.slider), every slider is moved, as a reader
would drag it, and its picture must change.

Korean: every page is also opened with the system's fonts hidden (a fontconfig that sees
only fonts without Hangul, as on a machine without CJK fonts): each Hangul character of
the page must render in the book's own web font, not as a missing-glyph box. Every page
must have the language switch. ``--search`` runs queries on the built book's search page
(``--search 풀링=chapters/06_pooling`` : the query must find that page).

Usage: python scripts/check_html.py [PAGE ...] [--screenshot DIR] [--html DIR]
       [--search QUERY=PAGE ...] [--no-formulas]
PAGE is a path under book/_build/html (default: chapter 1 and every chapter with a
slider). Exit status 1 if a page has no typeset formula or no figure, loads anything from
the network, has a slider that does not change its picture when moved, shows Hangul as
missing glyphs or lacks the language switch, or a search misses its page; 0 with a note
when no Chromium is installed
(``apt-get install chromium`` to check).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

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


# Font folders without Hangul: Chromium run with only these sees no CJK system font.
LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")


def latin_only_fontconfig(folder: Path) -> Path:
    """A fontconfig file in ``folder`` that lists only fonts without Hangul."""
    dirs = "".join(f"<dir>{d}</dir>" for d in LATIN_FONTS if Path(d).is_dir())
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig>{dirs}<cachedir>{folder}/cache</cachedir></fontconfig>",
                    encoding="utf-8")
    return conf


def render(exe: str, page: Path | str, screenshot: Path | None = None,
           env: dict | None = None) -> str:
    """The page's DOM after its scripts ran (up to 15 s of virtual time)."""
    url = page.as_uri() if isinstance(page, Path) else page
    with tempfile.TemporaryDirectory() as profile:
        base = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", OFFLINE,
                f"--user-data-dir={profile}", "--virtual-time-budget=15000",
                f"--window-size={WIDTH},900"]
        if screenshot is not None:
            subprocess.run([*base, f"--window-size={WIDTH},2400", f"--screenshot={screenshot}",
                            url], capture_output=True, timeout=120, check=False, env=env)
        out = subprocess.run([*base, "--dump-dom", url], capture_output=True,
                             text=True, timeout=120, check=False, env=env)
    return out.stdout


# Appended to a copy of a page: once the web fonts are loaded, measure every Hangul
# character of the page in the page's own font and in a font stack without the book's
# font. With the system's CJK fonts hidden, the second is a missing-glyph box: a character
# as wide in the page's font as that box is missing there too. Also records the language
# switch.
HANGUL_PROBE = """<script>
window.addEventListener('load', function () {
  var text = document.body.innerText, seen = {}, chars = [];
  for (var i = 0; i < text.length; i++) {
    var c = text[i], k = c.charCodeAt(0);
    if (k >= 0xAC00 && k <= 0xD7A3 && !seen[c]) { seen[c] = 1; chars.push(c); }
  }
  var family = getComputedStyle(document.body).fontFamily;
  var done = function () {
    var canvas = document.createElement('canvas'), ctx = canvas.getContext('2d');
    var missing = [];
    chars.forEach(function (c) {
      ctx.font = '40px ' + family; var page = ctx.measureText(c).width;
      ctx.font = '40px sans-serif'; var box = ctx.measureText(c).width;
      if (Math.abs(page - box) < 0.01) missing.push(c);
    });
    var sw = document.querySelector('a.cnnbook-language');
    document.body.setAttribute('data-hangul', JSON.stringify({
      chars: chars.length, missing: missing.join(''), family: family,
      switch: sw ? sw.getAttribute('href') : null}));
  };
  if (!chars.length) { done(); return; }
  document.fonts.load('40px ' + family, chars.join('')).then(done, done);
});
</script>"""


def probe_hangul(exe: str, page: Path) -> dict | None:
    """Hangul characters of ``page``, those drawn as missing glyphs, the language switch."""
    copy = page.with_name(f".hangul-{page.name}")
    copy.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", HANGUL_PROBE + "</body>"), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory() as fonts:
            env = {**os.environ, "FONTCONFIG_FILE": str(latin_only_fontconfig(Path(fonts)))}
            dom = render(exe, copy, env=env)
    finally:
        copy.unlink(missing_ok=True)
    match = re.search(r'data-hangul="([^"]*)"', dom)
    return json.loads(html.unescape(match.group(1))) if match else None


def check_hangul(page: Path, found: dict | None) -> list[str]:
    """Hangul shown as missing glyphs, or no language switch."""
    if found is None:
        return ["the Hangul probe did not run (did the page's scripts run?)"]
    print(f"{page.name}: {found['chars']} distinct Hangul characters, "
          f"{len(found['missing'])} drawn as missing glyphs; language switch: "
          f"{found['switch']}")
    problems = []
    if found["missing"]:
        problems.append(f"Hangul drawn as missing glyphs (no Korean web font?): "
                        f"{found['missing'][:40]}")
    if not found["switch"]:
        problems.append("no language switch (book/_static/language-switch.js)")
    return problems


def check_search(exe: str, html_dir: Path, query: str, expect: str) -> list[str]:
    """Run ``query`` on the book's search page; it must list the page ``expect``."""
    search = html_dir / "search.html"
    if not search.is_file():
        return [f"no search page in {html_dir}"]
    dom = render(exe, search.as_uri() + "?q=" + quote(query))
    found = sorted(set(re.findall(r'<li[^>]*>\s*<a href="([^"?#]+)\.html', dom)))
    print(f"search {query!r} in {html_dir.name}: {len(found)} pages: {', '.join(found)}")
    if expect not in found:
        return [f"searching for {query!r} does not find {expect}"]
    return []


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


def check(page: Path, dom: str, content: bool = True) -> list[str]:
    """What is wrong with a rendered page (empty if nothing)."""
    problems = []
    formulas = dom.count("<mjx-container")
    figures = len(re.findall(r"<img[^>]+src=\"(?:data:image|[^\"]*_images/)", dom))
    remote = re.findall(r"<script[^>]+src=\"(https?://[^\"]+)\"", dom)
    print(f"{page.name}: {formulas} typeset formulas, {figures} figures, "
          f"{len(remote)} remote scripts")
    if not dom:
        problems.append("the browser returned no page")
    if content and formulas == 0:
        problems.append("no formula was typeset: is MathJax in book/_static/mathjax?")
    if content and figures == 0:
        problems.append("no figure: were the notebooks executed?")
    problems += [f"loads {url} from the network" for url in remote]
    return problems


INTERFACE = ("On this page", "Back to top", "Search this book", "Skip to main content",
             "Print to PDF", "Download source file", "Toggle navigation", "previous page",
             "next page", "Color mode")
"""Interface strings of Sphinx and the themes that a Korean page must show in Korean."""


def check_interface(page: Path, dom: str) -> list[str]:
    """English interface strings left on a page whose language is Korean."""
    if not re.search(r"<html[^>]*\blang=\"ko\"", dom):
        return []
    left = [s for s in INTERFACE if s in dom]
    return [f"interface strings still in English on a Korean page: {', '.join(left)} "
            "(book/locales/ko/LC_MESSAGES/sphinx.po)"] if left else []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", help="default: chapter 1 and every page with a slider")
    ap.add_argument("--screenshot", type=Path, help="also save a PNG of each page here")
    ap.add_argument("--html", type=Path, default=HTML, help="the built book (default: %(default)s)")
    ap.add_argument("--search", action="append", default=[], metavar="QUERY=PAGE",
                    help="a search that must find PAGE (e.g. 풀링=chapters/06_pooling)")
    ap.add_argument("--no-formulas", action="store_true",
                    help="pages without formulas or figures are fine (a test book)")
    args = ap.parse_args(argv)
    html_dir = args.html.resolve()  # Chromium opens file:// addresses: absolute paths
    if not html_dir.is_dir():
        print(f"{args.html} is not a folder: build the book first (bash scripts/build_book.sh)")
        return 1
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
        dom = render(exe, page, shot)
        problems = (check(page, dom, not args.no_formulas) + check_interface(page, dom)
                    + check_sliders(page, exe, found) + check_width(page, found)
                    + check_hangul(page, probe_hangul(exe, page)))
        for problem in problems:
            print(f"  {problem}")
            failed = True
    for item in args.search:
        query, _, expect = item.partition("=")
        for problem in check_search(exe, html_dir, query, expect):
            print(f"  {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
