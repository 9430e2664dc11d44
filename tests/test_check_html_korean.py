"""scripts/check_html.py's Korean checks, on a two-page book built with the book's own
static files and search language (no notebook, no execution; skipped without Chromium).

A Korean page renders its Hangul in the book's web font even with the system's CJK fonts
hidden, and a copy without the web font fails the check; the language switch is there;
the Korean search finds a word written with a particle attached (풀링 finds 풀링을 and
풀링은) and the English-only splitter would not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import check_html  # noqa: E402

pytestmark = pytest.mark.skipif(check_html.browser() is None, reason="no Chromium")

PAGES = {
    "index.md": "# 시작\n\n이 책은 합성곱 신경망을 다룬다.\n",
    "pooling.md": "# 풀링 장\n\n최댓값 풀링을 쓴다. 풀링은 특징 맵을 줄인다.\n",
    "other.md": "# 다른 장\n\n이 장에는 그 단어가 없다. 수용장은 커진다.\n",
}


def build(folder: Path, language: str) -> Path:
    """Build the pages with the book's static files and extension; the HTML folder."""
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "_toc.yml").write_text(yaml.safe_dump(
        {"format": "jb-book", "root": "index",
         "chapters": [{"file": "pooling"}, {"file": "other"}]}), encoding="utf-8")
    static = folder / "_static_book"
    shutil.copytree(ROOT / "book" / "_static", static,
                    ignore=shutil.ignore_patterns("mathjax", "widgets"))
    config = {"title": "Test", "execute": {"execute_notebooks": "off"},
              "sphinx": {"extra_extensions": ["utils.i18n"], "config": {
                  "language": language, "html_static_path": ["_static_book"],
                  "html_css_files": ["book.css"],
                  "html_js_files": ["language-switch.js"],
                  # The book's catalogues, for the themes' interface strings (sphinx.po).
                  "locale_dirs": [str(ROOT / "book" / "locales")],
                  "html_theme_options": {"search_bar_text": "이 책에서 검색..."}}}}
    (folder / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                        encoding="utf-8")
    subprocess.run(["jupyter-book", "build", str(folder), "--path-output", str(folder)],
                   check=True, capture_output=True)
    return folder / "_build" / "html"


@pytest.fixture(scope="module")
def korean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("ko"), "ko")


def test_korean_pages_pass(korean: Path) -> None:
    assert check_html.main(["--html", str(korean), "--no-formulas", "index.html",
                            "pooling.html", "--search", "풀링=pooling",
                            "--search", "수용장=other"]) == 0


def test_interface_strings_are_korean(korean: Path) -> None:
    """Sphinx's and the themes' own strings (book/locales/ko/LC_MESSAGES/sphinx.po) are
    Korean on a Korean page; an English one left over fails the check."""
    exe = check_html.browser()
    assert exe is not None
    page = korean / "pooling.html"
    dom = check_html.render(exe, page)
    assert check_html.check_interface(page, dom) == []
    assert "맨 위로" in dom and "이 책에서 검색" in dom
    assert check_html.check_interface(page, dom + "Back to top") != []
    assert check_html.check_interface(page, dom.replace('lang="ko"', 'lang="en"')
                                      + "Back to top") == []


def test_hangul_without_web_font_fails(korean: Path) -> None:
    page = korean / "pooling.html"
    broken = korean / "broken.html"
    broken.write_text(page.read_text(encoding="utf-8").replace("book.css", "none.css"),
                      encoding="utf-8")
    exe = check_html.browser()
    assert exe is not None
    found = check_html.probe_hangul(exe, broken)
    assert found is not None and found["chars"] > 10
    assert len(found["missing"]) == found["chars"]  # every character is a box
    problems = check_html.check_hangul(broken, found)
    assert any("missing glyphs" in p for p in problems)


def test_search_needs_the_particle_stemmer(korean: Path) -> None:
    exe = check_html.browser()
    assert exe is not None
    # The index holds the stem: 풀링을 and 풀링은 were indexed as 풀링.
    text = (korean / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1: text.rindex(")")])
    words = {**index["terms"], **index["titleterms"]}
    assert "풀링" in words and "풀링을" not in words and "풀링은" not in words
    assert check_html.check_search(exe, korean, "풀링은", "pooling") == []
    assert check_html.check_search(exe, korean, "없는단어", "pooling") != []


def test_language_switch_points_to_the_other_edition(korean: Path) -> None:
    exe = check_html.browser()
    assert exe is not None
    found = check_html.probe_hangul(exe, korean / "pooling.html")
    # A Korean page (this book is built with language=ko) links to the English one at the
    # same place one folder up (the probe ran on a copy named .hangul-pooling.html).
    assert found is not None
    assert found["switch"] == (korean.parent / ".hangul-pooling.html").as_uri()
