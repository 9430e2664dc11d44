"""The Korean edition never drifts from the English (README, "Korean edition").

The catalogues are regenerated from the current English with Sphinx's gettext builder
(no execution, one run for the module) and compared with book/locales/ko: every message
of a document declared complete (COMPLETE) must be translated and not fuzzy. A chapter is
declared translated by adding it to COMPLETE. The glossary test checks that each Korean
term the glossary gives for an English term appears in the Korean wherever the English
term appears in the English (GLOSSARY_EXCEPTIONS lists the deliberate exceptions), and the
notebook test that the Korean notebooks keep the English code cells and no English prose.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import i18n  # noqa: E402

babel_po = pytest.importorskip("babel.messages.pofile")

# Documents whose Korean must be complete. Add a chapter here when its translation is done.
COMPLETE = [
    "book/intro",  # with the table of contents' captions
    "book/exercises",
    "book/glossary",
    "book/errata",
    "book/instructor/plan",
    "book/instructor/slides",
    "chapters/01_why_cnns",
    "chapters/02_filters",
    "chapters/03_convolution",
    "chapters/04_padding_stride",
    "chapters/05_activations",
    "chapters/06_pooling",
    "chapters/07_cnn_pipeline",
    "chapters/08_losses_backprop",
    "chapters/09_optimizers",
    "chapters/10_augmentation",
    "chapters/11_training_loop",
    "chapters/12_initialisation",
    "chapters/13_batch_norm",
    "chapters/14_regularisation",
    "chapters/15_lenet",
    "chapters/16_alexnet",
    "chapters/17_zfnet",
    "chapters/18_vgg",
    "chapters/19_nin",
    "chapters/20_googlenet",
    "chapters/21_resnet",
    "chapters/22_resnet_family",
    "chapters/23_densenet",
    "chapters/24_dpn",
    "chapters/25_comparison",
    "chapters/26_transfer_learning",
    "chapters/27_visualizing",
    "chapters/28_training_at_scale",
    "exercises/ex07_augmentation",
    "exercises/ex08_transfer",
    "exercises/ex09_training_by_hand",
    "exercises/ex10_resnet_family",
    "exercises/ex11_visualizing",
    "exercises/ex01_shapes",
    "exercises/ex02_convolution",
    "exercises/ex03_pooling",
    "exercises/ex04_optimizers",
    "exercises/ex05_lenet_alexnet",
    "exercises/ex06_blocks",
]
# (document, English term): why the Korean term is not used there.
GLOSSARY_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("book/instructor/slides", "Class"): "in class: the lecture, not a category (수업)",
    ("book/instructor/plan", "Class"): "in class: the lecture, not a category (수업)",
}


def messages(path: Path) -> dict[str, babel_po.Message]:  # type: ignore[name-defined]
    """The messages of a .pot or .po file by msgid."""
    with open(path, "rb") as f:
        return {m.id: m for m in babel_po.read_po(f) if m.id}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .pot templates of the current English (a gettext build without execution)."""
    out = tmp_path_factory.mktemp("pot")
    status = i18n.extract(out)
    assert status == 0, "the gettext build failed"
    return out


def paragraph(msgid: str) -> str:
    """The start of a message, to name the paragraph."""
    text = " ".join(msgid.split())
    return text if len(text) <= 70 else text[:67] + "..."


@pytest.mark.parametrize("doc", COMPLETE)
def test_translation_complete(templates: Path, doc: str) -> None:
    pot = templates / f"{doc}.pot"
    assert pot.is_file(), f"{doc}: no such page in the book"
    po = i18n.LOCALES / i18n.LANG / "LC_MESSAGES" / f"{doc}.po"
    assert po.is_file(), f"{doc}: no catalogue; run python scripts/i18n.py update"
    have = messages(po)
    problems = []
    for msgid in messages(pot):
        m = have.get(msgid)
        if m is None or not m.string:
            problems.append(f"untranslated: {paragraph(msgid)!r}")
        elif m.fuzzy:
            problems.append(f"fuzzy (the English changed): {paragraph(msgid)!r}")
        elif re.match(r"\d+\. ", m.string):
            problems.append(f"escape the full stop (1\\. ...), or it is read as a list: "
                            f"{paragraph(m.string)!r}")
    assert not problems, (
        f"{doc}: {len(problems)} messages need translating (python scripts/i18n.py update, "
        "then translate in " + str(po.relative_to(ROOT)) + "):\n  " + "\n  ".join(problems))


def top_level(text: str, seps: str) -> list[str]:
    """``text`` cut at the characters of ``seps`` that stand outside parentheses and quotes."""
    parts, depth, quoted, current = [], 0, False, ""
    for i, c in enumerate(text):
        depth += (c == "(") - (c == ")")
        quoted ^= c == '"'
        if c in seps and depth == 0 and not quoted and text[i + 1:i + 2] in (" ", ""):
            parts.append(current)
            current = ""
        else:
            current += c
    return [*parts, current]


def glossary_terms() -> dict[str, list[str]]:
    """English term -> the Korean terms the glossary gives for it (its entry's lead, up to
    the first full stop: the terms separated by commas, without the notes' quotations)."""
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    terms: dict[str, list[str]] = {}
    for m in re.finditer(r"^(\S[^\n]*)\n((?:  [^\n]*\n)+)", text, re.M):
        term, body = m.group(1).strip(), " ".join(m.group(2).split())
        lead = top_level(body, ".")[0]
        variants = []
        for part in top_level(lead, ",;"):
            bare = re.sub(r"\([^)]*\)", "", re.sub(r'"[^"]*"', "", part)).strip()
            if bare:
                variants.append(bare)
            if not re.search("[\uac00-\ud7a3]", bare):  # dead neuron (죽은 뉴런)
                variants += re.findall(r"[\uac00-\ud7a3][\uac00-\ud7a3 ]*", part)
        variants = [v.strip() for v in variants if v.strip()]
        if any(re.search("[\uac00-\ud7a3]", v) for v in variants):
            terms[term] = variants
    return terms


def test_glossary_parsed() -> None:
    terms = glossary_terms()
    assert "합성곱" in terms["Convolution"]
    assert "수용장" in terms["Receptive field"]
    assert terms["Dropout"] == ["드롭아웃"]
    assert "죽은 뉴런" in terms["Dead neuron"]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("doc", COMPLETE)
def test_glossary_terms_used(doc: str) -> None:
    """Where the English says a glossary term, the Korean says one of its Korean terms."""
    po = i18n.LOCALES / i18n.LANG / "LC_MESSAGES" / f"{doc}.po"
    problems = []
    terms = glossary_terms()

    def find(term: str) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", re.I)

    for term, variants in terms.items():
        if (doc, term) in GLOSSARY_EXCEPTIONS:
            continue
        pattern = find(term)
        # A longer term that contains this one (gradient descent, gradient) is its own.
        longer = [find(t) for t in terms if t != term and term.lower() in t.lower()]
        for msgid, m in messages(po).items():
            english = re.sub(r"`[^`]*`|\$[^$]*\$|\]\([^)]*\)", " ", msgid)
            for other in longer:
                english = other.sub(" ", english)
            if not m.string or not pattern.search(english) or msgid == m.string:
                continue
            if not any(squeeze(v) in squeeze(m.string) for v in variants):
                problems.append(f"{term} ({' / '.join(variants)}): {paragraph(msgid)!r}")
    assert not problems, f"{doc}: glossary terms not used:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("doc", [d for d in COMPLETE if d.startswith(("chapters/", "exercises/"))])
def test_korean_notebook(doc: str) -> None:
    """The Korean notebook keeps exactly the English code cells and no English prose."""
    english = ROOT / f"{doc}.ipynb"
    korean, left = i18n.korean_notebook(english, doc)
    code = [c["source"] for c in json.loads(english.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"]
    assert [c["source"] for c in korean["cells"] if c["cell_type"] == "code"] == code
    assert not left, f"{doc}: English prose left in the Korean notebook:\n  " + "\n  ".join(
        paragraph(x) for x in left)


def test_exercise_templates_hold_every_prose_paragraph(tmp_path: Path) -> None:
    """An exercise set's catalogue has a message for every English paragraph of its student
    notebook: translating them all leaves no English in the Korean notebook."""
    assert i18n.exercise_templates(tmp_path) >= 8
    for pot in sorted((tmp_path / "exercises").glob("*.pot")):
        ids = list(messages(pot))
        assert ids, pot.name
        nb = json.loads((ROOT / "exercises" / f"{pot.stem}.ipynb").read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                _, left = i18n.translate_markdown("".join(cell["source"]),
                                                  dict.fromkeys(ids, "번역"))
                assert not left, (pot.stem, left)


def test_translate_markdown() -> None:
    text = "## Summary\n\nA long\nparagraph.\n\n* one item\n  continued\n* $x$\n\n$$ a $$"
    out, left = i18n.translate_markdown(text, {
        "Summary": "요약", "A long\nparagraph.": "긴 문단.", "one item continued": "항목"})
    assert out == "## 요약\n\n긴 문단.\n\n* 항목\n* $x$\n\n$$ a $$"
    assert left == []
    _, left = i18n.translate_markdown("Not translated at all.", {})
    assert left == ["Not translated at all."]


def test_korean_config_reaches_the_theme() -> None:
    """The Korean pass's theme options survive jupyter-book's merge with _config.yml: the
    launch buttons open the Korean notebooks (ko/, in the published repository) and the
    search box speaks Korean, while the repository and launch settings stay."""
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(
        user_yaml=ROOT / "book" / "_config.yml", sourcedir=ROOT,
        cli_config={"language": i18n.LANG, "latex_individualpages": False, **i18n.KO_CONFIG})
    theme = config["html_theme_options"]
    assert theme["path_to_docs"] == "ko" and theme["search_bar_text"].startswith("이 책")
    assert theme["repository_url"].startswith("https://github.com/")
    assert theme["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


def test_catalogues_hold_no_format_flags() -> None:
    """Prose with a percent sign is no format string: a ``python-format`` flag would make
    ``msgfmt -c`` reject a translation that moves the sign (scripts/i18n.py drops them)."""
    flagged = [p.relative_to(ROOT).as_posix()
               for p in (i18n.LOCALES / i18n.LANG / "LC_MESSAGES").rglob("*.po")
               if re.search(r"^#,.*(?<![\w-])python-format", p.read_text(encoding="utf-8"), re.M)]
    assert not flagged, "python-format flags in " + ", ".join(flagged)


def test_every_page_is_declared_translated(templates: Path) -> None:
    """Every page of the book and every exercise set is in COMPLETE, so the tests above
    prove that the whole Korean edition is Korean."""
    docs = {p.relative_to(templates).with_suffix("").as_posix()
            for p in templates.rglob("*.pot")}
    missing = sorted(docs - set(COMPLETE))
    assert not missing, ("pages with no complete Korean translation (translate, then add "
                         "them to COMPLETE): " + ", ".join(missing))
