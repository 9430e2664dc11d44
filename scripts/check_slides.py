"""Open the lecture slide decks in headless Chromium with the network blocked and check
that each one works: reveal.js started, the deck has enough slides, its math is typeset,
no script failed and nothing was requested from the network.

Usage: python scripts/check_slides.py [DECK ...] [--slides DIR] [--min-slides N]
DECK is a file name in DIR (default: every *.slides.html in book/_build/html/slides, which
``python scripts/build_slides.py`` writes). Exit status 1, with one line per problem, if a
deck does not open, has fewer than N slides (default 5; reveal's leaf ``section``
elements), has $ math that MathJax did not typeset, raises a script error, or requests
anything over the network; 0 with a note when no Chromium is installed
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

SLIDES = Path(__file__).resolve().parent.parent / "book" / "_build" / "html" / "slides"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Every host name resolves to nothing: a deck that needs the network shows it.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND"

# Put first into <head> of a copy of the deck: records every script error and every
# resource that failed to load.
CATCH = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  var t = e.target || {};
  window.__errors.push(e.message || ('failed to load ' + (t.src || t.href || t.tagName)));
}, true);
</script>"""

# Put last into <body>: notes whether the markdown holds $ math before MathJax typesets
# it, then waits for reveal.js (class "ready" on .reveal) and for MathJax's first
# typesetting pass, and writes what it found into an attribute of <body>.
PROBE = r"""<script>
(function () {
  var dollars = /\$\$[^$]+\$\$|\$[^$\n]+\$/;
  function mathText() {
    return Array.prototype.some.call(document.querySelectorAll('.jp-RenderedMarkdown'),
      function (el) { return dollars.test(el.textContent); });
  }
  var hadMath = mathText(), tries = 0;
  function report() {
    var sections = document.querySelectorAll('.reveal .slides section');
    var leaves = Array.prototype.filter.call(sections,
      function (s) { return !s.querySelector('section'); });
    document.body.setAttribute('data-probe', JSON.stringify({
      ready: !!document.querySelector('.reveal.ready'),
      slides: leaves.length,
      notes: document.querySelectorAll('aside.notes').length,
      hadMath: hadMath,
      typeset: document.querySelectorAll('mjx-container').length,
      leftover: mathText(),
      errors: window.__errors
    }));
  }
  function wait() {
    if (!document.querySelector('.reveal.ready') && tries++ < 150) {
      setTimeout(wait, 100);
      return;
    }
    var mj = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
    (mj || Promise.resolve()).then(report, report);
  }
  window.addEventListener('load', wait);
})();
</script>"""


def browser() -> str | None:
    """The first Chromium-like browser on the PATH."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def remote_requests(netlog: Path) -> list[str]:
    """URLs the page itself (a file:// document) asked the network for, from Chromium's
    net log; the browser's own background requests have another isolation key."""
    try:
        data = json.loads(netlog.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    start = data["constants"]["logEventTypes"].get("URL_REQUEST_START_JOB")
    urls = []
    for event in data.get("events", []):
        params = event.get("params") or {}
        if (event.get("type") == start and params.get("url", "").startswith(("http:", "https:"))
                and str(params.get("network_isolation_key", "")).startswith("file://")):
            urls.append(params["url"])
    return sorted(set(urls))


def open_deck(exe: str, deck: Path) -> tuple[dict | None, list[str]]:
    """Render a probed copy of ``deck``: (what the probe reported, remote URLs requested)."""
    text = deck.read_text(encoding="utf-8")
    copy = deck.with_name(f".probe-{deck.name}")
    copy.write_text(text.replace("<head>", "<head>" + CATCH, 1).replace(
        "</body>", PROBE + "</body>", 1), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            netlog = Path(tmp) / "net.json"
            out = subprocess.run(
                [exe, "--headless=new", "--no-sandbox", "--disable-gpu", OFFLINE,
                 f"--user-data-dir={tmp}/profile", f"--log-net-log={netlog}",
                 "--virtual-time-budget=20000", "--window-size=1280,800", "--dump-dom",
                 copy.as_uri()], capture_output=True, text=True, timeout=180, check=False)
            remote = remote_requests(netlog)
    finally:
        copy.unlink(missing_ok=True)
    match = re.search(r'data-probe="([^"]*)"', out.stdout)
    return (json.loads(html.unescape(match.group(1))) if match else None), remote


def check(found: dict | None, remote: list[str], min_slides: int) -> list[str]:
    """What is wrong with a deck, from the probe's report (empty if nothing)."""
    if found is None:
        return ["the page did not finish loading (no report from the probe)"]
    problems = []
    if not found["ready"]:
        problems.append("reveal.js did not start (is slides/vendor/reveal.js there?)")
    if found["slides"] < min_slides:
        problems.append(f"{found['slides']} slides, fewer than {min_slides}")
    if found["hadMath"] and not found["typeset"]:
        problems.append("has $ math but no formula was typeset (is slides/vendor/mathjax there?)")
    elif found["leftover"]:
        problems.append("some $ math was left untypeset")
    problems += [f"script error: {e}" for e in found["errors"]]
    problems += [f"requests {url} from the network" for url in remote]
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check the decks; the exit status (see the module's docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("decks", nargs="*", help="default: every *.slides.html in the folder")
    ap.add_argument("--slides", type=Path, default=SLIDES,
                    help="the folder of decks (default: %(default)s)")
    ap.add_argument("--min-slides", type=int, default=5)
    args = ap.parse_args(argv)
    decks = [args.slides / name for name in args.decks] or sorted(
        args.slides.glob("*.slides.html"))
    if not decks:
        print(f"no decks in {args.slides}: build them first (python scripts/build_slides.py)")
        return 1
    exe = browser()
    if exe is None:
        print("no Chromium found: decks not checked (apt-get install chromium)")
        return 0
    failed = 0
    for deck in decks:
        if not deck.is_file():
            print(f"{deck}: no such deck")
            failed += 1
            continue
        found, remote = open_deck(exe, deck)
        problems = check(found, remote, args.min_slides)
        if found:
            print(f"{deck.name}: {found['slides']} slides, {found['notes']} speaker notes, "
                  f"{found['typeset']} typeset formulas, {len(remote)} network requests")
        else:
            print(f"{deck.name}:")
        for problem in problems:
            print(f"  FAIL {problem}")
        failed += bool(problems)
    print(f"{len(decks) - failed} of {len(decks)} decks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
