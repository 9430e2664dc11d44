"""The Korean edition's helpers: a search language for Sphinx and a Korean font for figures.

Korean attaches particles and endings to the word they follow (풀링을, 풀링은, 풀링으로),
and Sphinx has no Korean word splitter: its search would index 풀링을 and 풀링은 as
words unrelated to 풀링. :func:`strip_particles` removes the common particles and a few
verb endings from the end of a word; the search language registered by :func:`setup` (a
Sphinx extension, ``extra_extensions: ["utils.i18n"]`` in book/_config.yml) applies it to
every indexed word, and the same rule, written in JavaScript (:func:`js_stemmer`), to
every word of a query, so that a query for 풀링 finds 풀링을 and 풀링은.

:func:`use_korean_font` makes matplotlib draw Hangul with a Korean font.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# Particles (조사) and endings, longest first: a word loses the longest one that ends it,
# then again, while at least one syllable remains (풀링으로는 -> 풀링으로 -> 풀링).
PARTICLES: tuple[str, ...] = tuple(sorted({
    "에서부터", "으로부터", "으로써", "으로서", "에게서", "이라는", "이라고", "이지만",
    "에서는", "에서도", "에서의", "으로는", "으로도", "으로의", "에서", "에게", "까지",
    "부터", "으로", "처럼", "보다", "이나", "이며", "이고", "이다", "이라", "에는", "에도",
    "에만", "만큼", "마다", "라는", "라고", "로는", "로도", "로써", "로서", "로의", "와는",
    "과는", "하는", "하고", "하며", "한다", "된다", "되는", "하여", "해서", "했다", "입니다",
    "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만",
}, key=lambda p: (-len(p), p)))

HANGUL = re.compile("[\uac00-\ud7a3]")


def strip_particles(word: str) -> str:
    """``word`` without the particles and endings of :data:`PARTICLES` at its end.

    Only words ending in Hangul are touched, and one syllable always remains:
    ``strip_particles("풀링을") == "풀링"``, ``strip_particles("층이") == "층"``.
    """
    while word and HANGUL.match(word[-1]):
        for ending in PARTICLES:
            if word.endswith(ending) and len(word) > len(ending):
                word = word[: -len(ending)]
                break
        else:
            break
    return word


def js_stemmer() -> str:
    """The JavaScript ``Stemmer`` of Sphinx's search page that does what
    :func:`strip_particles` does (Sphinx lower-cases words before stemming them)."""
    return """
var Stemmer = function () {
  var endings = ENDINGS;
  this.stemWord = function (word) {
    var again = true;
    while (again && /[\\uac00-\\ud7a3]$/.test(word)) {
      again = false;
      for (var i = 0; i < endings.length; i++) {
        var e = endings[i];
        if (word.length > e.length && word.slice(-e.length) === e) {
          word = word.slice(0, -e.length);
          again = true;
          break;
        }
      }
    }
    return word;
  };
};
""".replace("ENDINGS", json.dumps(list(PARTICLES), ensure_ascii=False))


def search_language() -> type:
    """A ``sphinx.search.SearchLanguage`` for ``ko`` that stems with :func:`strip_particles`."""
    from sphinx.search import SearchLanguage

    class SearchKorean(SearchLanguage):
        """Korean: words split at non-word characters, particles stripped."""

        lang = "ko"
        language_name = "Korean"
        js_stemmer_code = js_stemmer()
        stopwords: set[str] = set()

        def stem(self, word: str) -> str:
            return strip_particles(word.lower())

    return SearchKorean


def setup(app: Any) -> dict[str, Any]:
    """Sphinx extension entry point: register the Korean search language."""
    app.add_search_language(search_language())
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# Fonts with Hangul that a system may have, best first.
KOREAN_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic",
                "Apple SD Gothic Neo", "UnDotum")
# The book's own subset of Noto Sans KR (book/_static/fonts), used where none is installed.
BOOK_FONT = (Path(__file__).resolve().parent.parent / "book" / "_static" / "fonts"
             / "noto-sans-kr-400.woff2")


def korean_font() -> str | None:
    """The name of a font with Hangul that matplotlib can use, or None.

    An installed font of :data:`KOREAN_FONTS` if there is one; else the book's own web
    font, unpacked to a TrueType file (needs ``brotli``) and added to matplotlib.
    """
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in KOREAN_FONTS:
        if name in installed:
            return name
    if not BOOK_FONT.is_file():
        return None
    try:
        from fontTools.ttLib import TTFont

        ttf = Path.home() / ".cache" / "cnnbook" / "noto-sans-kr-400.otf"
        if not ttf.is_file():
            ttf.parent.mkdir(parents=True, exist_ok=True)
            font = TTFont(str(BOOK_FONT))
            font.flavor = None
            font.save(str(ttf))
        font_manager.fontManager.addfont(str(ttf))
        return font_manager.FontProperties(fname=str(ttf)).get_name()
    except Exception:  # noqa: BLE001 - no brotli, or an unreadable file: no font
        return None


def use_korean_font() -> str:
    """Make matplotlib draw Hangul (Latin text keeps the current font); the font's name.

    Raises RuntimeError when no font with Hangul can be found (install one, e.g.
    ``apt-get install fonts-noto-cjk``, or ``pip install brotli`` for the book's own).
    """
    import matplotlib as mpl

    name = korean_font()
    if name is None:
        raise RuntimeError("no font with Hangul: apt-get install fonts-noto-cjk "
                           "(or pip install brotli to use the book's own)")
    families = list(mpl.rcParams["font.family"])
    if families == ["sans-serif"]:
        families = [*mpl.rcParams["font.sans-serif"][:1]]
    if name not in families:
        mpl.rcParams["font.family"] = [*families, name]
    return name
