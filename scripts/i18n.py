"""The Korean edition: message catalogues, the Korean HTML pass and the Korean notebooks.

The English pages are the single source. Sphinx's gettext builder extracts every message
(paragraph, heading, list item, table cell, caption, admonition) of every page into
templates (.pot); ``sphinx-intl update`` merges them into the catalogues
``book/locales/ko/LC_MESSAGES/<document>.po`` (one per page: gettext_compact is off), where
the translation is written. The Korean pass is a second Sphinx run with ``language=ko``
over the same sources: it takes the executed notebooks from the English build's cache
(book/_build/.jupyter_cache) and executes nothing (it stops first if a notebook's code
is not in the cache).

Usage (from the repository root; run builds under ``heavy``):
  python scripts/i18n.py extract DIR        the .pot templates of the current English, in DIR
  python scripts/i18n.py update [DOC ...]   extract, then ``sphinx-intl update`` the catalogues
                                            (only those of DOC, e.g. chapters/16_alexnet)
  python scripts/i18n.py html [--out DIR]   the Korean edition (default book/_build/html/ko)
  python scripts/i18n.py notebooks [--out DIR]   the Korean notebooks (default
                                            book/_build/html/ko/notebooks)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
LOCALES = BOOK / "locales"
LANG = "ko"
CACHE = BOOK / "_build" / ".jupyter_cache"
KO_HTML = BOOK / "_build" / "html" / LANG
KO_DOCTREES = BOOK / "_build" / f".doctrees-{LANG}"
# What the Korean edition says differently from the English configuration.
KO_CONFIG = {
    "html_title": "합성곱 신경망: 실행하며 배우는 교과서",
    # The themes' interface strings come from book/locales/ko/LC_MESSAGES/sphinx.po; the
    # search box's placeholder is a theme option. The launch buttons (Colab) open the
    # Korean notebooks, which the published repository (the student edition) keeps under
    # ko/ (README, "Publishing"). A nested dict: jupyter-book merges it into the theme
    # options it derives from _config.yml (a dotted "html_theme_options.x" key would be
    # overwritten by them).
    "html_theme_options": {"search_bar_text": "이 책에서 검색...", "path_to_docs": "ko"},
}


def sphinx_build(builder: str, out: Path, doctrees: Path, overrides: dict,
                 root: Path = ROOT, config: Path | None = None, toc: Path | None = None,
                 quiet: bool = True) -> int:
    """Run jupyter-book's Sphinx build of the book (``root``) with ``overrides``.

    In a child process: jupyter-book patches docutils' global state, and a build changes
    ``sys.path`` and the working directory's view of the extensions.
    """
    config = config or BOOK / "_config.yml"
    toc = toc or BOOK / "_toc.yml"
    code = f"""
import sys
from pathlib import Path
from jupyter_book.sphinx import build_sphinx
overrides = {json.dumps(overrides)}
overrides["external_toc_path"] = {str(toc)!r}
overrides["latex_individualpages"] = False
status = build_sphinx({str(root)!r}, {str(out)!r}, noconfig=True,
                      path_config={str(config)!r}, confoverrides=overrides,
                      doctreedir={str(doctrees)!r}, builder={builder!r},
                      quiet={quiet!r}, keep_going=True)
sys.exit(status if isinstance(status, int) else 1)
"""
    env = {**os.environ, "CNNBOOK_WIDGETS": "static", "CNNBOOK_PROGRESS": "0",
           "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env,
                          check=False).returncode


def extract(pot_dir: Path, root: Path = ROOT, config: Path | None = None,
            toc: Path | None = None) -> int:
    """Write the .pot templates of the current English into ``pot_dir`` (no execution)."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as doctrees:
        status = sphinx_build("gettext", pot_dir, Path(doctrees),
                              {"nb_execution_mode": "off"}, root, config, toc)
    if status == 0:
        exercise_templates(pot_dir, root)
    print(f"gettext extraction: {time.monotonic() - start:.0f} s")
    return status


def notebook_messages(path: Path) -> list[str]:
    """The messages of a notebook that is no page of the book (an exercise set): each
    paragraph, heading, list item and table cell of its markdown cells that holds English
    prose, cut as :func:`translate_markdown` looks them up."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out: list[str] = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for block in re.split(r"\n[ \t]*\n", "".join(cell["source"])):
            for kind, _, seg in segments(block):
                if kind == "row":
                    texts = [c.strip() for c in seg[0].strip().strip("|").split("|")]
                elif kind == "text":
                    texts = ["\n".join(x.strip() for x in seg)]
                else:
                    continue
                out += [t for t in texts if has_words(t) and t not in out]
    return out


def has_words(text: str) -> bool:
    """True when ``text`` holds an English word of three letters or more outside math,
    code, link targets and markup (a heading such as "Done", a table header such as
    "filters": short, but still English on a Korean page)."""
    t = re.sub(r"\$\$?[^$]*\$\$?|`[^`]*`|\]\([^)]*\)|<[^>]*>|https?://\S+", " ", text)
    t = re.sub(r"\\[A-Za-z]+|\{[^}]*\}", " ", t)
    return bool(re.search(r"\b[A-Za-z]{3,}\b", t))


def exercise_templates(pot_dir: Path, root: Path = ROOT) -> int:
    """Write ``exercises/<set>.pot`` for every student notebook of exercises/ (they are not
    pages of the book, so Sphinx's gettext builder does not see them); returns how many."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    count = 0
    for path in sorted((root / "exercises").glob("ex*.ipynb")):
        catalog = Catalog(project="cnnbook", charset="utf-8")
        for msgid in notebook_messages(path):
            catalog.add(msgid, locations=[(f"exercises/{path.name}", 0)])
        target = Path(pot_dir) / "exercises" / f"{path.stem}.pot"
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as f:
            write_po(f, catalog, width=88)
        count += 1
    return count


def update(root: Path = ROOT, only: list[str] | None = None) -> int:
    """Extract, then merge the templates into book/locales/ko (sphinx-intl update).

    ``only`` (documents such as ``chapters/16_alexnet``) limits the merge to their
    catalogues, so that people translating other pages at the same time are not disturbed.
    """
    with tempfile.TemporaryDirectory() as pot:
        status = extract(Path(pot), root)
        if status:
            return status
        source = Path(pot)
        if only:
            picked = Path(pot) / "_only"
            for doc in only:
                doc = doc.removesuffix(".ipynb").removesuffix(".md").removesuffix(".pot")
                template = Path(pot) / f"{doc}.pot"
                if not template.exists():
                    print(f"no messages for {doc!r}: name a document such as "
                          "chapters/16_alexnet or book/errata", file=sys.stderr)
                    return 2
                (picked / template.parent.relative_to(pot)).mkdir(parents=True, exist_ok=True)
                shutil.copy(template, picked / f"{doc}.pot")
            source = picked
        status = subprocess.run([sys.executable, "-m", "sphinx_intl", "update", "-p",
                                 str(source), "-l", LANG, "-d", str(LOCALES), "-w", "88"],
                                check=False).returncode
        for template in source.rglob("*.pot"):
            drop_format_flags(LOCALES / LANG / "LC_MESSAGES" /
                              template.relative_to(source).with_suffix(".po"))
        return status


def drop_format_flags(po: Path) -> None:
    """Remove the ``python-format`` flags gettext puts on prose with a percent sign ("1% of"):
    the book's messages are no format strings, and ``msgfmt -c`` rejects a translation
    that moves the sign."""
    if not po.is_file():
        return
    text = po.read_text(encoding="utf-8")
    fixed = re.sub(r"^#, python-format\n", "", text, flags=re.M)
    fixed = re.sub(r"^(#,.*?), python-format", r"\1", fixed, flags=re.M)
    fixed = re.sub(r"^#, python-format, ", "#, ", fixed, flags=re.M)
    if fixed != text:
        po.write_text(fixed, encoding="utf-8")


def uncached(cache: Path = CACHE, root: Path = ROOT, toc: Path | None = None) -> list[str]:
    """Notebooks of the table of contents whose code has no executed copy in ``cache``."""
    import nbformat
    import yaml
    from jupyter_cache import get_cache

    if not cache.is_dir():
        return ["(no cache: build the English book first)"]
    db = get_cache(cache)
    spec = yaml.safe_load((toc or BOOK / "_toc.yml").read_text(encoding="utf-8"))
    files = [spec.get("root", "")] + [
        c["file"] for part in [spec, *spec.get("parts", [])] for c in part.get("chapters", [])]
    missing = []
    for name in files:
        nb_path = root / f"{name}.ipynb"
        if not nb_path.is_file():
            continue
        nb = nbformat.read(nb_path, as_version=4)
        if db.match_cache_notebook(nb) is None:
            missing.append(name)
    return missing


def html(out: Path = KO_HTML, doctrees: Path = KO_DOCTREES, cache: Path = CACHE,
         config: Path | None = None, toc: Path | None = None, root: Path = ROOT) -> int:
    """The Korean edition (HTML), from the English build's executed notebooks."""
    try:
        missing = uncached(cache, root, toc)
    except Exception as exc:  # noqa: BLE001 - an unreadable cache is reported, not hidden
        missing = [f"(cache unreadable: {exc})"]
    if missing:
        print("not in the execution cache (the Korean pass executes nothing; build the "
              "English book first): " + ", ".join(missing))
        return 1
    overrides = {"language": LANG, "nb_execution_mode": "cache",
                 "nb_execution_cache_path": str(cache), **KO_CONFIG}
    start = time.monotonic()
    # sphinx-external-toc adds the captions after Sphinx translated the page: the Korean
    # pass reads a table of contents whose captions come from the root page's catalogue.
    toc = korean_toc(toc or BOOK / "_toc.yml", out.parent.parent / LANG / "_toc.yml")
    # Built beside the English book (myst-nb writes the notebooks' images next to its
    # output folder: book/_build/ko/jupyter_execute), then copied into html/ko.
    work = out.parent.parent / LANG / "html"
    status = sphinx_build("html", work, doctrees, overrides, root, config, toc, quiet=False)
    if status == 0:
        shutil.copytree(work, out, dirs_exist_ok=True)
    print(f"Korean pass: {time.monotonic() - start:.0f} s")
    return status


def korean_toc(toc: Path, target: Path, locales: Path = LOCALES) -> Path:
    """A copy of the table of contents ``toc`` with its captions translated (from the
    catalogue of its root page, where the gettext builder puts them)."""
    import yaml

    spec = yaml.safe_load(toc.read_text(encoding="utf-8"))
    messages = catalogue(spec["root"], locales)
    for part in spec.get("parts", []):
        if "caption" in part:
            part["caption"] = messages.get(part["caption"], part["caption"])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return target


# ---------------------------------------------------------------- Korean notebooks
def catalogue(docname: str, locales: Path = LOCALES) -> dict[str, str]:
    """The translated, non-fuzzy messages of a document: English -> Korean."""
    from babel.messages.pofile import read_po

    po = locales / LANG / "LC_MESSAGES" / f"{docname}.po"
    if not po.is_file():
        return {}
    with open(po, "rb") as f:
        cat = read_po(f)
    return {m.id: m.string for m in cat if m.id and m.string and not m.fuzzy}


def norm(text: str) -> str:
    """Whitespace-insensitive key (Sphinx joins a paragraph's lines with newlines)."""
    return " ".join(text.split())


LIST_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)(.*)$")
HEADING = re.compile(r"^(#{1,6}\s+)(.*)$")
FENCE = re.compile(r"^\s*(```|~~~|:::|\$\$)")


def segments(block: str) -> list[tuple[str, str, list[str]]]:
    """A markdown block cut into (kind, prefix, lines): headings, list items with their
    continuation lines, table rows, fenced or math blocks ("keep"), and paragraphs."""
    lines, out, i = block.split("\n"), [], 0
    while i < len(lines):
        line = lines[i]
        if FENCE.match(line):
            fence = FENCE.match(line).group(1)
            j = i + 1
            closed = fence == "$$" and line.strip().endswith("$$") and len(line.strip()) > 2
            while not closed and j < len(lines):
                closed = lines[j].strip().endswith(fence)
                j += 1
            out.append(("keep", "", lines[i:j]))
            i = j
        elif (m := HEADING.match(line)):
            out.append(("text", m.group(1), [m.group(2)]))
            i += 1
        elif (m := LIST_ITEM.match(line)):
            j = i + 1
            while j < len(lines) and lines[j].startswith(" ") and not LIST_ITEM.match(
                    lines[j]) and lines[j].strip():
                j += 1
            out.append(("text", m.group(1), [m.group(2), *(x.strip() for x in lines[i + 1:j])]))
            i = j
        elif line.lstrip().startswith("|"):
            out.append(("row", "", [line]))
            i += 1
        else:
            j = i + 1
            while j < len(lines) and not (FENCE.match(lines[j]) or HEADING.match(lines[j])
                                          or LIST_ITEM.match(lines[j])
                                          or lines[j].lstrip().startswith("|")):
                j += 1
            out.append(("text", "", lines[i:j]))
            i = j
    return out


def translate_markdown(text: str, messages: dict[str, str]) -> tuple[str, list[str]]:
    """A markdown cell with each paragraph, heading, list item or table cell whose text is
    a message replaced by its translation; also the English prose left untranslated."""
    table = {norm(k): v for k, v in messages.items()}
    blocks, left = [], []
    for block in re.split(r"\n[ \t]*\n", text):
        if norm(block) in table:
            blocks.append(table[norm(block)])
            continue
        lines = []
        for kind, prefix, seg in segments(block):
            if kind == "keep":
                lines += seg
            elif kind == "row":
                cells = seg[0].strip().strip("|").split("|")
                new = []
                for cell in cells:
                    if norm(cell) in table:
                        new.append(f" {table[norm(cell)]} ")
                    else:
                        new.append(cell)
                        if needs_translation(cell):
                            left.append(norm(cell))
                lines.append("|" + "|".join(new) + "|")
            else:
                key = norm(" ".join(seg))
                if key in table:
                    indent = " " * len(prefix)
                    lines.append(prefix + table[key].replace("\n", "\n" + indent))
                else:
                    lines += [prefix + seg[0], *seg[1:]]
                    if needs_translation(key):
                        left.append(key)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks), left


def needs_translation(text: str) -> bool:
    """True for English prose: two or more English words left once math, code, roles,
    link targets and LaTeX commands are taken out, and no Hangul."""
    t = re.sub(r"\$\$?[^$]*\$\$?|`[^`]*`|\]\([^)]*\)|<[^>]*>|https?://\S+", " ", text)
    t = re.sub(r"\\[A-Za-z]+|\{[^}]*\}", " ", t)
    if re.search("[\uac00-\ud7a3]", t):
        return False
    return len(re.findall(r"\b[A-Za-z]{3,}\b", t)) >= 2


def korean_notebook(path: Path, docname: str, locales: Path = LOCALES) -> tuple[dict, list]:
    """The Korean copy of a notebook (markdown from the catalogue, code unchanged), and
    the markdown blocks that kept their English."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    messages = catalogue(docname, locales)
    left: list[str] = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text, missing = translate_markdown("".join(cell["source"]), messages)
        left += missing
        cell["source"] = text.splitlines(keepends=True)
    nb.setdefault("metadata", {})["language_info"] = {
        **nb.get("metadata", {}).get("language_info", {}), "name": "python"}
    nb["metadata"]["cnnbook_language"] = LANG
    return nb, left


def notebooks(out: Path = KO_HTML / "notebooks", root: Path = ROOT) -> int:
    """Write the Korean chapter and exercise notebooks into ``out``."""
    written = 0
    for folder in ("chapters", "exercises"):
        for path in sorted((root / folder).glob("*.ipynb")):
            # An exercise notebook is no page of the book: its catalogue, when someone
            # writes one, is book/locales/ko/LC_MESSAGES/exercises/<name>.po.
            nb, _ = korean_notebook(path, f"{folder}/{path.stem}")
            target = out / folder / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")
            written += 1
    print(f"{written} Korean notebooks in {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("extract")
    p.add_argument("dir", type=Path)
    p = sub.add_parser("update")
    p.add_argument("only", nargs="*", help="documents to update (default: all), "
                   "e.g. chapters/16_alexnet book/errata")
    p = sub.add_parser("html")
    p.add_argument("--out", type=Path, default=KO_HTML)
    p.add_argument("--cache", type=Path, default=CACHE)
    p.add_argument("--doctrees", type=Path, default=KO_DOCTREES)
    p.add_argument("--config", type=Path)
    p.add_argument("--toc", type=Path)
    p = sub.add_parser("notebooks")
    p.add_argument("--out", type=Path, default=KO_HTML / "notebooks")
    args = ap.parse_args(argv)
    if args.cmd == "extract":
        return extract(args.dir)
    if args.cmd == "update":
        return update(only=args.only)
    if args.cmd == "html":
        return html(args.out, args.doctrees, args.cache, args.config, args.toc)
    return notebooks(args.out)


if __name__ == "__main__":
    sys.exit(main())
