"""utils.i18n: the Korean search stemmer and the Korean font for figures."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from utils import i18n


@pytest.mark.parametrize(("word", "stem"), [
    ("풀링을", "풀링"), ("풀링은", "풀링"), ("풀링으로는", "풀링"), ("풀링", "풀링"),
    ("층이", "층"), ("이", "이"), ("합성곱의", "합성곱"), ("계산한다", "계산"),
    ("pooling", "pooling"), ("ReLU를", "ReLU"), ("", ""),
])
def test_strip_particles(word: str, stem: str) -> None:
    assert i18n.strip_particles(word) == stem


def test_particles_longest_first() -> None:
    lengths = [len(p) for p in i18n.PARTICLES]
    assert lengths == sorted(lengths, reverse=True)


@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
def test_js_stemmer_agrees() -> None:
    words = ["풀링을", "풀링으로는", "층이", "이", "계산한다", "pooling", "합성곱의"]
    script = i18n.js_stemmer() + (
        "var s = new Stemmer(); console.log(JSON.stringify(WORDS.map(function (w) {"
        " return s.stemWord(w); })));").replace("WORDS", str(words).replace("'", '"'))
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str([i18n.strip_particles(w) for w in words]).replace(
        "'", '"').replace(", ", ",")


def test_search_language() -> None:
    cls = i18n.search_language()
    assert cls.lang == "ko"
    lang = cls({})
    assert lang.stem("풀링을") == "풀링"
    assert "Stemmer" in cls.js_stemmer_code


def test_use_korean_font() -> None:
    import matplotlib as mpl
    from matplotlib import font_manager

    saved = mpl.rcParams["font.family"]
    try:
        name = i18n.korean_font()
        if name is None:
            pytest.skip("no Korean font and no brotli to unpack the book's")
        assert i18n.use_korean_font() == name
        assert name in mpl.rcParams["font.family"]
        path = font_manager.findfont(font_manager.FontProperties(family=name))
        from fontTools.ttLib import TTFont

        font = TTFont(path, fontNumber=0)
        assert ord("합") in font.getBestCmap()
    finally:
        mpl.rcParams["font.family"] = saved
