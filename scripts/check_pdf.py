"""Check the PDF edition of the book (built by scripts/build_pdf.sh).

Usage: python scripts/check_pdf.py [--pdf PDF] [--log LOG] [--toc TOC] [--min-pages N]

Three checks, each with a message saying what is wrong:

* the PDF has at least N pages (default: 6 per page of the table of contents);
* the title of every page of the table of contents (the first ``# Title`` heading of its
  notebook or markdown file) appears in the text that ``pdftotext`` extracts;
* the XeLaTeX log has no "Missing character" line (a glyph that no font had, printed as
  nothing in the PDF: e.g. Korean text set in a Latin font).

Exit status 0 when all pass, 1 when one fails, 2 when the PDF, the log or ``pdftotext``
(Debian package poppler-utils) is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "book" / "_build" / "pdf" / "cnn-book.pdf"
TOC = ROOT / "book" / "_toc.yml"
# The minimum page count, per page of the TOC. The book averages 11 (304 PDF pages for 27
# TOC pages, 2026-12-02); 6 each fails a PDF that lost whole chapters.
PAGES_PER_ENTRY = 6

# Characters that pdftotext may give differently from the source: typographic quotes
# and dashes. NFKC (below) already turns ligatures such as "fi" into plain letters.
_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                             "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})


def toc_files(toc: Path) -> list[str]:
    """The files of a jupyter-book TOC (root first, then every chapter), without suffix."""
    data = yaml.safe_load(toc.read_text(encoding="utf8"))
    files = [data["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk([data])
    return files


def _markdown_lines(path: Path) -> list[str]:
    """The markdown text of a page: a notebook's markdown cells, or a .md file outside
    code fences."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf8")
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def first_heading(path: Path) -> str:
    """The text of the first level-1 heading (``# Title``), markdown markup removed."""
    for line in _markdown_lines(path):
        if line.startswith("# "):
            title = line[2:].strip()
            title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)  # [text](link) -> text
            return re.sub(r"[`*_]", "", title)  # code and emphasis marks
    raise ValueError(f"{path}: no '# Title' heading")


def chapter_titles(toc: Path, root: Path = ROOT) -> list[tuple[str, str]]:
    """(file, title) for every page of the TOC, in order."""
    titles = []
    for name in toc_files(toc):
        candidates = [root / f"{name}{suffix}" for suffix in (".ipynb", ".md", "")]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise FileNotFoundError(f"{toc}: no file {name}.ipynb or {name}.md under {root}")
        titles.append((name, first_heading(path)))
    return titles


def normalize(text: str) -> str:
    """Text reduced to what survives typesetting: compatibility forms (ligatures), plain
    quotes and dashes, every run of white space (line breaks too) as one space, and one
    case (headings may be set in capitals)."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    return re.sub(r"\s+", " ", text).strip().casefold()


def missing_titles(titles: list[tuple[str, str]], text: str) -> list[tuple[str, str]]:
    """The titles that the PDF's text lacks. A title broken over two lines by a
    hyphenation ("convo-" / "lution") is found too."""
    plain = normalize(text)
    dehyphenated = normalize(re.sub(r"(\w)-[ \t]*\n[ \t]*(\w)", r"\1\2", text))
    return [(name, title) for name, title in titles
            if normalize(title) not in plain and normalize(title) not in dehyphenated]


def page_count(text: str) -> int:
    """The number of pages in pdftotext's output: it ends every page with a form feed."""
    return text.count("\f")


def missing_characters(log: str) -> list[str]:
    """The log's "Missing character: There is no X in font Y!" lines."""
    return [line.strip() for line in log.splitlines() if "Missing character" in line]


def check(text: str, log: str, titles: list[tuple[str, str]], min_pages: int) -> list[str]:
    """Every problem found, as a message; an empty list when the PDF passes."""
    problems = []
    pages = page_count(text)
    if pages < min_pages:
        problems.append(f"the PDF has {pages} pages, fewer than the {min_pages} expected")
    for name, title in missing_titles(titles, text):
        problems.append(f"the title of {name}, {title!r}, is not in the PDF's text")
    lost = missing_characters(log)
    if lost:
        shown = "\n    ".join(sorted(set(lost))[:20])
        problems.append(f"the LaTeX log has {len(lost)} 'Missing character' lines (glyphs "
                        f"no font has; set a font for them in latex_elements):\n    {shown}")
    return problems


def pdf_text(pdf: Path) -> str:
    """The text of the PDF, page by page, as pdftotext extracts it."""
    exe = shutil.which("pdftotext")
    if exe is None:
        sys.exit("check_pdf: pdftotext not found; install poppler-utils "
                 "(apt-get install poppler-utils)")
    out = subprocess.run([exe, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         check=False)
    if out.returncode != 0:
        sys.exit(f"check_pdf: pdftotext failed on {pdf}: {out.stderr.decode(errors='replace')}")
    return out.stdout.decode("utf8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdf", type=Path, default=PDF, help=f"default: {PDF}")
    parser.add_argument("--log", type=Path, help="XeLaTeX log (default: the PDF's name, .log)")
    parser.add_argument("--toc", type=Path, default=TOC, help=f"default: {TOC}")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="folder the TOC's file names are relative to")
    parser.add_argument("--min-pages", type=int,
                        help=f"default: {PAGES_PER_ENTRY} per page of the TOC")
    args = parser.parse_args(argv)
    log = args.log or args.pdf.with_suffix(".log")
    for path, what in ((args.pdf, "PDF"), (log, "LaTeX log")):
        if not path.is_file():
            print(f"check_pdf: no {what} at {path}; build it with "
                  "`bash scripts/build_book.sh pdf`", file=sys.stderr)
            return 2
    titles = chapter_titles(args.toc, args.root)
    min_pages = args.min_pages if args.min_pages is not None else PAGES_PER_ENTRY * len(titles)
    text = pdf_text(args.pdf)
    # XeTeX writes its log in UTF-8, but a glyph it could not find may be cut in the middle.
    problems = check(text, log.read_text(encoding="utf8", errors="replace"), titles, min_pages)
    if problems:
        print(f"check_pdf: {args.pdf} FAILS:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"check_pdf: {args.pdf} passes: {page_count(text)} pages (at least {min_pages}), "
          f"all {len(titles)} titles found, no missing character in {log.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
