"""The PDF checker (scripts/check_pdf.py) on small made-up texts and logs: no TeX needed."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import check_pdf  # noqa: E402

TOC = """\
format: jb-book
root: book/intro
parts:
  - caption: "Part I"
    chapters:
      - file: chapters/01_a
        sections:
          - file: chapters/01_a_more
  - caption: Appendices
    chapters:
      - file: book/glossary
"""

MISSING_LOG = """\
(./cnn-book.toc)
Missing character: There is no \uc6a9 (U+C6A9) in font [FreeSerifBold.otf]/OT:script
=latn;language=dflt;!
[21]
"""


def _notebook(path: Path, *markdown: str) -> None:
    cells = [{"cell_type": "code", "source": ["# Setup: in Colab, ...\n", "# Not a title\n"],
              "metadata": {}, "outputs": [], "execution_count": None}]
    cells += [{"cell_type": "markdown", "source": [m], "metadata": {}} for m in markdown]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}), encoding="utf8")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A tiny book: a TOC, two notebooks and two markdown pages."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "book").mkdir()
    (tmp_path / "toc.yml").write_text(TOC, encoding="utf8")
    (tmp_path / "book" / "intro.md").write_text(
        "```python\n# not a title either\n```\n\n# The *whole* book\n\nText.\n", encoding="utf8")
    _notebook(tmp_path / "chapters" / "01_a.ipynb", "Some text first.",
              "# 1. Why `conv` [networks](https://example.org)\n\n## A section")
    _notebook(tmp_path / "chapters" / "01_a_more.ipynb", "# 1b. Fine-tuning\n")
    (tmp_path / "book" / "glossary.md").write_text("# Glossary (용어집)\n", encoding="utf8")
    return tmp_path


def test_toc_files_in_order(book: Path) -> None:
    assert check_pdf.toc_files(book / "toc.yml") == [
        "book/intro", "chapters/01_a", "chapters/01_a_more", "book/glossary"]


def test_titles_are_first_level_one_headings_without_markup(book: Path) -> None:
    assert check_pdf.chapter_titles(book / "toc.yml", book) == [
        ("book/intro", "The whole book"),
        ("chapters/01_a", "1. Why conv networks"),
        ("chapters/01_a_more", "1b. Fine-tuning"),
        ("book/glossary", "Glossary (용어집)"),
    ]


def test_a_page_without_title_or_file_is_an_error(book: Path) -> None:
    (book / "book" / "glossary.md").write_text("No heading here.\n", encoding="utf8")
    with pytest.raises(ValueError, match="no '# Title' heading"):
        check_pdf.chapter_titles(book / "toc.yml", book)
    (book / "book" / "glossary.md").unlink()
    with pytest.raises(FileNotFoundError, match="book/glossary"):
        check_pdf.chapter_titles(book / "toc.yml", book)


def test_titles_found_across_typesetting_changes() -> None:
    titles = [("a", "17. The ResNet family: wider, split, dropped"),
              ("b", "Glossary (용어집)"), ("c", "Appendix: the notes' numbers, checked"),
              ("d", "4. Padding, stride and output size"), ("e", "10. Data augmentation")]
    text = ("17. The ResNet family: wider,\nsplit, dropped\f"  # broken over two lines
            "GLOSSARY (용어집)\f"  # a heading in capitals
            "Appendix: the notes\u2019 numbers, checked\f"  # a typographic apostrophe
            "4. Padding, stride and out-\nput size\f")  # hyphenated at a line end
    assert check_pdf.missing_titles(titles, text) == [("e", "10. Data augmentation")]
    # The ligature "fi" and an en dash in place of a hyphen.
    assert check_pdf.missing_titles([("f", "Fine-tuning")], "\ufb01ne\u2013tuning") == []


def test_page_count_is_the_number_of_form_feeds() -> None:
    assert check_pdf.page_count("") == 0
    assert check_pdf.page_count("one\ftwo\fthree\f") == 3


def test_missing_characters_are_found_in_the_log() -> None:
    assert check_pdf.missing_characters("Output written on cnn-book.xdv (3 pages).\n") == []
    lines = check_pdf.missing_characters(MISSING_LOG)
    assert len(lines) == 1 and "U+C6A9" in lines[0]


def test_check_reports_every_problem() -> None:
    titles = [("a", "1. First"), ("b", "2. Second")]
    assert check_pdf.check("1. First\f2. Second\f", "", titles, min_pages=2) == []
    problems = check_pdf.check("1. First\f", MISSING_LOG, titles, min_pages=2)
    assert len(problems) == 3
    assert "1 pages, fewer than the 2 expected" in problems[0]
    assert "'2. Second'" in problems[1]
    assert "1 'Missing character' lines" in problems[2] and "U+C6A9" in problems[2]


def test_main_exit_status_and_messages(book: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    pdf, log = book / "out.pdf", book / "out.log"
    args = ["--pdf", str(pdf), "--toc", str(book / "toc.yml"), "--root", str(book)]
    assert check_pdf.main(args) == 2  # nothing built yet
    assert "no PDF at" in capsys.readouterr().err
    pdf.write_bytes(b"%PDF-1.5 stand-in")
    log.write_text("No problems here.\n", encoding="utf8")
    text = "The whole book\f1. Why conv networks\f1b. Fine-tuning\fGlossary (용어집)\f"
    monkeypatch.setattr(check_pdf, "pdf_text", lambda path: text)
    assert check_pdf.main(args) == 1  # the default minimum: 6 pages per TOC entry
    assert "the PDF has 4 pages, fewer than the 24 expected" in capsys.readouterr().err
    assert check_pdf.main([*args, "--min-pages", "4"]) == 0
    assert "passes: 4 pages" in capsys.readouterr().out
    log.write_text(MISSING_LOG, encoding="utf8")
    assert check_pdf.main([*args, "--min-pages", "4"]) == 1
    assert "Missing character" in capsys.readouterr().err


def test_the_real_book_has_a_title_on_every_page() -> None:
    titles = dict(check_pdf.chapter_titles(check_pdf.TOC))
    assert titles["chapters/03_convolution"] == "3. Convolution"
    assert titles["book/glossary"] == "Glossary (용어집)"
    assert len(titles) == len(check_pdf.toc_files(check_pdf.TOC))


def test_pdf_settings_agree_and_only_the_pdf_build_installs_tex() -> None:
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text(encoding="utf8"))
    build_pdf = (ROOT / "scripts" / "build_pdf.sh").read_text(encoding="utf8")
    # One name for the document: the LaTeX target, the script's copy, the checker's default.
    target = config["latex"]["latex_documents"]["targetname"]
    assert re.search(rf"^NAME={Path(target).stem}\b", build_pdf, re.M)
    assert check_pdf.PDF.name == Path(target).with_suffix(".pdf").name
    # Korean is set by kotex, and every lost glyph is logged for the checker.
    latex = config["sphinx"]["config"]["latex_elements"]
    assert r"\usepackage{kotex}" in latex["fontpkg"]
    assert r"\tracinglostchars=2" in latex["preamble"]
    for name in config["sphinx"]["config"]["latex_additional_files"]:
        assert (ROOT / name).is_file()
    # TeX comes with the PDF build only, never with the setup, the HTML build or the tests.
    for script in ("setup.sh", "test.sh", "build_book.sh"):
        assert "texlive" not in (ROOT / "scripts" / script).read_text(encoding="utf8")
