"""Build one reveal.js slide deck per chapter from the executed chapter notebooks.

Which cells go on the slides is chosen in ``book/slides.yml`` (the notebooks stay as they
are): for every chapter, a list of cell ids, each with its role (``slide``, ``subslide``,
``fragment``, or ``continue`` for more of the same slide), a speaker note for every slide
and subslide, and ``code: show`` for the code cells whose code is worth showing (other
code cells show their outputs only). This script applies that selection to the executed
copy of each chapter and exports it with nbconvert's slides exporter into
``book/_build/html/slides/NN_name.slides.html``, plus an index page ``slides/index.html``.

Everything a deck loads is served from ``slides/vendor/``: reveal.js, MathJax and
require.js are installed from npm (exact versions, once) and copied there, so the decks
work with no network and never use a CDN.

Usage: python scripts/build_slides.py [--from DIR] [--out DIR] [CHAPTER ...]
DIR defaults to the book build's executed notebooks (book/_build/jupyter_execute/chapters);
CHAPTER (e.g. 04_padding_stride) limits the build to those chapters.
Exit status 1 if the selection is invalid or a chapter's executed notebook is missing.
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
SELECTION = ROOT / "book" / "slides.yml"
EXECUTED = ROOT / "book" / "_build" / "jupyter_execute" / "chapters"
OUT = ROOT / "book" / "_build" / "html" / "slides"

# The roles of book/slides.yml and the slide types nbconvert reads from cell metadata.
ROLES = {"slide": "slide", "subslide": "subslide", "fragment": "fragment", "continue": "-"}
# A role that starts a new slide must carry a speaker note.
STARTS = {"slide", "subslide"}
MIN_SLIDES, MAX_SLIDES = 6, 15

# npm packages installed (pinned) for the decks, and what is copied from each into
# slides/vendor/: (file or folder in the package, where it goes under vendor/).
PACKAGES = {"reveal.js": "4.6.1", "mathjax": "3.2.2", "requirejs": "2.3.7"}
VENDOR_FILES = [
    *((f"reveal.js/{part}", f"reveal.js/{part}") for part in (
        "dist/reveal.js", "dist/reveal.css", "dist/theme/white.css",
        "dist/theme/fonts/source-sans-pro", "plugin/notes/notes.js", "LICENSE")),
    # MathJax's combined TeX-to-HTML component, the parts it loads on demand, its fonts.
    *((f"mathjax/es5/{part}", f"mathjax/{part}") for part in (
        "tex-chtml.js", "input", "output/chtml", "ui", "a11y", "adaptors", "sre")),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
    ("requirejs/require.js", "require.js"),
]
# The theme must be one whose CSS loads no web fonts (reveal's "white" uses its own copy
# of Source Sans Pro; nbconvert's default "simple" imports Google Fonts).
THEME = "white"

# A chapter link in a markdown cell points at the notebook; on a slide it points at the
# chapter's page of the book (the decks sit in html/slides/, the pages in html/chapters/).
CHAPTER_LINK = re.compile(r"\]\((\d\d_[A-Za-z0-9_]+)\.ipynb(#[^)]*)?\)")
# A MyST glossary reference, {term}`text <Entry>` or {term}`text`: the slides show the text.
TERM_ROLE = re.compile(r"\{term\}`([^`<]+?)\s*(?:<[^>`]*>)?`")

# nbconvert's reveal template, with every URL it would fetch from a CDN replaced by the
# vendored copies: no jQuery and no mermaid (the decks use neither), no widget manager,
# MathJax 3 configured for $...$ and $$...$$ (the stock template configures MathJax 2),
# and a Reveal set-up without MathJax 2's re-rendering hook.
TEMPLATE = r"""{%- extends 'reveal/index.html.j2' -%}
{%- block html_head_js -%}
<script src="{{ resources.require_js_url }}"></script>
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
        processEscapes: true, processEnvironments: true, tags: 'ams'},
  chtml: {displayAlign: 'center'}
};
</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}
<style>
/* A slide that holds more than fits scrolls instead of being cut off. */
.reveal .slides > section > section { height: 100%; overflow-y: auto; }
.reveal .jp-RenderedImage img { max-height: 560px; width: auto; }
:root { --jp-code-font-size: 16px; }
.reveal .jp-RenderedText pre { font-size: 16px; }
.reveal .jp-MarkdownOutput { font-size: 26px; }
</style>
{%- endblock html_head_css -%}
{% block footer_js %}
<script>
require(["{{ reveal_url_prefix }}/dist/reveal.js", "{{ reveal_url_prefix }}/plugin/notes/notes.js"],
  function (Reveal, RevealNotes) {
    Reveal.initialize({
      controls: true, progress: true, history: true, center: false,
      transition: "{{ reveal_transition }}", slideNumber: "{{ reveal_number }}",
      width: {{ reveal_width }}, height: {{ reveal_height }}, plugins: [RevealNotes]
    });
  });
</script>
{% endblock footer_js %}
"""


# --------------------------------------------------------------------------- selection


def load_selection(path: Path = SELECTION) -> dict[str, list[dict]]:
    """The chapters of ``slides.yml``, each a list of entries ``{id, role, note?, code?}``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("chapters"), dict):
        raise ValueError(f"{path}: expected a mapping 'chapters:' of chapter -> list of cells")
    return data["chapters"]


def check_entries(name: str, entries: list[dict], nb: dict) -> list[str]:
    """What is wrong with one chapter's selection, given its notebook (empty if nothing)."""
    if not isinstance(entries, list) or not entries:
        return [f"{name}: expected a non-empty list of cells"]
    cells = {cell.get("id"): cell for cell in nb["cells"]}
    problems, seen = [], set()
    for k, entry in enumerate(entries):
        where = f"{name}, entry {k + 1}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with 'id' and 'role'")
            continue
        unknown = set(entry) - {"id", "role", "note", "code"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        cell_id, role = str(entry.get("id")), entry.get("role")
        where = f"{name}, cell {cell_id}"
        if not isinstance(entry.get("id"), str):
            problems.append(f"{where}: the id must be a string: quote it (YAML reads 02547044 "
                            "as an octal number)")
        elif cell_id not in cells:
            problems.append(f"{where}: no cell with this id in the notebook")
        elif cell_id in seen:
            problems.append(f"{where}: listed twice")
        seen.add(cell_id)
        if role not in ROLES:
            problems.append(f"{where}: role {role!r} is not one of {sorted(ROLES)}")
        if k == 0 and role != "slide":
            problems.append(f"{where}: the first cell of a deck must have role 'slide'")
        note = entry.get("note")
        if role in STARTS and not (isinstance(note, str) and note.strip()):
            problems.append(f"{where}: a {role} needs a speaker note ('note: ...')")
        if role not in STARTS and note is not None:
            problems.append(f"{where}: only a slide or subslide carries a note")
        if "code" in entry:
            if entry["code"] != "show":
                problems.append(f"{where}: 'code' can only be 'show'")
            elif cell_id in cells and cells[cell_id]["cell_type"] != "code":
                problems.append(f"{where}: 'code: show' on a {cells[cell_id]['cell_type']} cell")
    slides = sum(1 for e in entries if isinstance(e, dict) and e.get("role") in STARTS)
    if not MIN_SLIDES <= slides <= MAX_SLIDES:
        problems.append(f"{name}: {slides} slides; a deck has {MIN_SLIDES} to {MAX_SLIDES}")
    return problems


def title_of(nb: dict) -> str:
    """The chapter's title: the first level-1 heading of a markdown cell."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            match = re.search(r"^# (.+)$", "".join(cell["source"]), re.MULTILINE)
            if match:
                return match.group(1).strip()
    return ""


def select_cells(nb: dict, entries: list[dict]) -> nbformat.NotebookNode:
    """A copy of ``nb`` with only the selected cells, in the selection's order, marked up
    for nbconvert's slides exporter (``metadata.slideshow.slide_type``), a speaker-notes
    cell after the first cell of every slide, and code hidden unless ``code: show``."""
    cells = {cell.get("id"): cell for cell in nb["cells"]}
    deck = nbformat.from_dict(copy.deepcopy({k: v for k, v in nb.items() if k != "cells"}))
    deck.metadata.pop("widgets", None)  # no widget manager: it would come from a CDN
    deck.metadata["title"] = title_of(nb)
    deck.cells = []
    for entry in entries:
        cell_id = str(entry["id"])
        if cell_id not in cells:
            raise KeyError(f"no cell with id {cell_id}")
        cell = nbformat.from_dict(copy.deepcopy(cells[cell_id]))
        cell.metadata["slideshow"] = {"slide_type": ROLES[entry["role"]]}
        if cell.cell_type == "markdown":
            cell.source = CHAPTER_LINK.sub(r"](../chapters/\1.html\2)", "".join(cell.source))
            cell.source = TERM_ROLE.sub(r"\1", cell.source)
        if cell.cell_type == "code":
            if entry.get("code") != "show":
                cell.metadata["transient"] = {"remove_source": True}
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        deck.cells.append(cell)
        if entry.get("note"):
            deck.cells.append(nbformat.v4.new_markdown_cell(
                entry["note"].strip(), id=f"{cell_id}-notes",
                metadata={"slideshow": {"slide_type": "notes"}}))
    return deck


# --------------------------------------------------------------------------- export


def exporter():
    """nbconvert's slides exporter, configured to load everything from ``vendor/``."""
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    c = Config()
    c.SlidesExporter.reveal_url_prefix = "vendor/reveal.js"
    c.SlidesExporter.reveal_theme = THEME
    c.SlidesExporter.reveal_transition = "none"
    c.SlidesExporter.reveal_number = "c/t"
    c.SlidesExporter.reveal_width = "1280"
    c.SlidesExporter.reveal_height = "800"
    c.SlidesExporter.require_js_url = "vendor/require.js"
    c.SlidesExporter.mathjax_url = "vendor/mathjax/tex-chtml.js"
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    return SlidesExporter(config=c, extra_loaders=[DictLoader({"cnnbook.slides.j2": TEMPLATE})],
                          template_file="cnnbook.slides.j2")


def export_deck(deck: nbformat.NotebookNode, name: str) -> str:
    """The deck as one HTML page (figures embedded)."""
    body, _ = exporter().from_notebook_node(deck, resources={"metadata": {"name": name}})
    return body


def npm_install(packages: dict[str, str], into: Path) -> Path:
    """``npm install`` the pinned packages under ``into``; return its node_modules."""
    if shutil.which("npm") is None:
        raise RuntimeError("npm not found: install Node.js (apt-get install npm)")
    specs = [f"{name}@{version}" for name, version in packages.items()]
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                    str(into), *specs], check=True, stdout=subprocess.DEVNULL)
    return into / "node_modules"


def ensure_vendor(out: Path) -> Path:
    """Install reveal.js, MathJax and require.js into ``out/vendor`` (once per version)."""
    vendor = out / "vendor"
    stamp = vendor / "VERSIONS.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == PACKAGES:
        return vendor
    shutil.rmtree(vendor, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        modules = npm_install(PACKAGES, Path(tmp))
        for src, dst in VENDOR_FILES:
            (vendor / dst).parent.mkdir(parents=True, exist_ok=True)
            if (modules / src).is_dir():
                shutil.copytree(modules / src, vendor / dst)
            else:
                shutil.copy2(modules / src, vendor / dst)
    stamp.write_text(json.dumps(PACKAGES, indent=1))
    return vendor


INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Lecture slides: {book}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 56em; margin: 2em auto; padding: 0 1em; }}
td, th {{ padding: 0.25em 0.75em; text-align: left; }} td.n {{ text-align: right; }}
kbd {{ border: 1px solid #bbb; border-radius: 3px; padding: 0 0.3em; }}
</style></head><body>
<h1>Lecture slides</h1>
<p>One reveal.js deck per chapter of <a href="../index.html">{book}</a>, made from the
chapter's executed notebook. Keys: <kbd>&rarr;</kbd> or <kbd>Space</kbd> next,
<kbd>Esc</kbd> overview, <kbd>S</kbd> speaker notes (a second window), <kbd>F</kbd> full
screen, <kbd>?</kbd> all keys. The decks need no network.</p>
<table>
<tr><th>Chapter</th><th>Slides</th><th>Book page</th></tr>
{rows}
</table>
</body></html>
"""


def write_index(out: Path, decks: list[tuple[str, str, int]]) -> Path:
    """``out/index.html``: a table of the decks (file stem, title, number of slides)."""
    rows = "\n".join(
        f'<tr><td><a href="{name}.slides.html">{html.escape(title)}</a></td>'
        f'<td class="n">{count}</td><td><a href="../chapters/{name}.html">page</a></td></tr>'
        for name, title, count in decks)
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text(encoding="utf-8"))
    page = out / "index.html"
    page.write_text(INDEX.format(book=html.escape(config.get("title", "the book")), rows=rows),
                    encoding="utf-8")
    return page


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Build the decks and the index; the exit status (see the module's docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chapters", nargs="*", help="only these chapters (default: every chapter)")
    ap.add_argument("--from", dest="source", type=Path, default=EXECUTED,
                    help="folder of executed chapter notebooks (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default: %(default)s)")
    ap.add_argument("--selection", type=Path, default=SELECTION, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    selection = load_selection(args.selection)
    names = args.chapters or sorted(selection)
    unknown = [n for n in names if n not in selection]
    if unknown:
        print(f"not in {args.selection.name}: {', '.join(unknown)}")
        return 1
    missing = [n for n in names if not (args.source / f"{n}.ipynb").is_file()]
    if missing:
        print(f"no executed notebook in {args.source} for: {', '.join(missing)}\n"
              "build the book first (bash scripts/build_book.sh) or pass --from DIR")
        return 1
    problems: list[str] = []
    notebooks = {}
    for name in names:
        notebooks[name] = nbformat.read(args.source / f"{name}.ipynb", as_version=4)
        problems += check_entries(name, selection[name], notebooks[name])
    if problems:
        print("\n".join([f"{args.selection} is not valid:", *problems]))
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    ensure_vendor(args.out)
    built = []
    for name in names:
        deck = select_cells(notebooks[name], selection[name])
        page = args.out / f"{name}.slides.html"
        page.write_text(export_deck(deck, name), encoding="utf-8")
        count = sum(1 for e in selection[name] if e["role"] in STARTS)
        print(f"{page}: {count} slides")
        built.append((name, deck.metadata["title"], count))
    # The index lists every deck in the folder, also those built by an earlier run.
    done = {name: (name, title, count) for name, title, count in built}
    decks = []
    for page in sorted(args.out.glob("*.slides.html")):
        name = page.name.removesuffix(".slides.html")
        if name in done:
            decks.append(done[name])
        elif name in selection:
            found = re.search(r"<title>(.*?) slides</title>", page.read_text(encoding="utf-8"))
            count = sum(1 for e in selection[name] if e.get("role") in STARTS)
            decks.append((name, html.unescape(found.group(1)) if found else name, count))
    print(f"{write_index(args.out, decks)}: {len(decks)} decks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
