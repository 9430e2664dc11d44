"""The lecture slides: book/slides.yml against the chapter notebooks, and the selection
logic of scripts/build_slides.py on small made-up notebooks (no browser, no npm)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_slides  # noqa: E402
import check_slides  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.fixture(scope="module")
def selection():
    """book/slides.yml, read once."""
    return build_slides.load_selection()


def read(path: Path) -> dict:
    """A notebook as plain JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------- slides.yml is valid


def test_every_chapter_has_a_deck(selection):
    assert sorted(selection) == [p.stem for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_selection_matches_the_notebook(selection, path):
    """Every listed id exists, roles and notes are right, 6 to 15 slides."""
    assert build_slides.check_entries(path.stem, selection[path.stem], read(path)) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_deck_opens_with_the_title_and_ends_with_the_summary(selection, path):
    cells = {c["id"]: c for c in read(path)["cells"]}
    entries = selection[path.stem]
    first, last = ("".join(cells[str(entries[k]["id"])]["source"]) for k in (0, -1))
    assert first.startswith("# "), "the first slide is the chapter's title cell"
    assert re.search(r"^## (Summary|Where to go next)", last, re.MULTILINE) or \
        "Summary" in last, "the last slide is the summary"
    setup = [c["id"] for c in cells.values() if "remove-cell" in c["metadata"].get("tags", [])]
    assert not set(setup) & {str(e["id"]) for e in entries}, "the setup cell is not a slide"


# --------------------------------------------------------------- the checks catch mistakes


def tiny_notebook() -> dict:
    """A notebook of five cells with ids t0..t4 (markdown, code, markdown, code, markdown)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 9. Title\n\nSee [chapter 4](04_padding_stride.ipynb).",
                                      id="t0"),
        nbformat.v4.new_code_cell("shown_value = 1\nprint(shown_value)", id="t1", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="1\n"),
            nbformat.v4.new_output("stream", name="stderr", text="a warning\n")]),
        nbformat.v4.new_markdown_cell("The formula $O = (N - F)/S + 1$.", id="t2"),
        nbformat.v4.new_code_cell("hidden_value = 2", id="t3"),
        nbformat.v4.new_markdown_cell("## Summary", id="t4"),
    ]
    return nb


def entries(*specs) -> list[dict]:
    """Selection entries from (id, role[, note]) tuples."""
    out = []
    for spec in specs:
        entry = {"id": spec[0], "role": spec[1]}
        if len(spec) > 2:
            entry["note"] = spec[2]
        out.append(entry)
    return out


def valid_entries() -> list[dict]:
    """A selection of the tiny notebook that is right except for its length (4 slides)."""
    return entries(("t0", "slide", "title"), ("t1", "fragment"), ("t2", "slide", "formula"),
                   ("t3", "subslide", "code"), ("t4", "slide", "summary"))


def test_check_entries_accepts_a_good_selection(monkeypatch):
    monkeypatch.setattr(build_slides, "MIN_SLIDES", 2)
    assert build_slides.check_entries("x", valid_entries(), tiny_notebook()) == []


@pytest.mark.parametrize("change, message", [
    (lambda e: e[1].update(id="nope"), "no cell with this id"),
    (lambda e: e[2].update(id="t0"), "listed twice"),
    (lambda e: e[0].update(role="fragment"), "first cell of a deck"),
    (lambda e: e[2].update(role="section"), "is not one of"),
    (lambda e: e[2].pop("note"), "needs a speaker note"),
    (lambda e: e[1].update(note="x"), "only a slide or subslide carries a note"),
    (lambda e: e[2].update(code="show"), "'code: show' on a markdown cell"),
    (lambda e: e[1].update(code="hide"), "'code' can only be 'show'"),
    (lambda e: e[1].update(colour="red"), "unknown keys"),
    (lambda e: e[1].update(id=708132), "quote it"),
])
def test_check_entries_names_each_mistake(monkeypatch, change, message):
    monkeypatch.setattr(build_slides, "MIN_SLIDES", 2)
    bad = valid_entries()
    change(bad)
    problems = build_slides.check_entries("x", bad, tiny_notebook())
    assert any(message in p for p in problems), problems


def test_check_entries_counts_slides():
    problems = build_slides.check_entries("x", valid_entries(), tiny_notebook())
    assert problems == ["x: 4 slides; a deck has 6 to 15"]


# --------------------------------------------------------------- applying the selection


def test_select_cells_keeps_only_the_selection_in_its_order():
    nb = tiny_notebook()
    deck = build_slides.select_cells(nb, entries(("t2", "slide", "n1"), ("t0", "continue")))
    assert [c.id for c in deck.cells] == ["t2", "t2-notes", "t0"]
    assert len(nb["cells"]) == 5, "the notebook itself is not changed"
    assert "slideshow" not in nb["cells"][0]["metadata"]


def test_select_cells_sets_slide_types_and_adds_notes():
    deck = build_slides.select_cells(tiny_notebook(), valid_entries())
    types = [(c.id, c.metadata["slideshow"]["slide_type"]) for c in deck.cells]
    assert types == [("t0", "slide"), ("t0-notes", "notes"), ("t1", "fragment"),
                     ("t2", "slide"), ("t2-notes", "notes"), ("t3", "subslide"),
                     ("t3-notes", "notes"), ("t4", "slide"), ("t4-notes", "notes")]
    notes = [c.source for c in deck.cells if c.id.endswith("-notes")]
    assert notes == ["title", "formula", "code", "summary"]
    assert build_slides.ROLES["continue"] == "-"


def test_select_cells_hides_code_unless_shown():
    chosen = entries(("t0", "slide", "t"), ("t1", "continue"), ("t3", "subslide", "n"))
    chosen[2]["code"] = "show"
    deck = {c.id: c for c in build_slides.select_cells(tiny_notebook(), chosen).cells}
    assert deck["t1"].metadata["transient"] == {"remove_source": True}
    assert "transient" not in deck["t3"].metadata
    assert [o.get("name") for o in deck["t1"].outputs] == ["stdout"], "stderr is dropped"


def test_select_cells_links_chapters_to_the_book_and_drops_widgets():
    deck = build_slides.select_cells(tiny_notebook(), entries(("t0", "slide", "t")))
    assert "(../chapters/04_padding_stride.html)" in deck.cells[0].source
    assert "widgets" not in deck.metadata
    assert deck.metadata["title"] == "9. Title"


def test_select_cells_refuses_an_unknown_id():
    with pytest.raises(KeyError, match="nope"):
        build_slides.select_cells(tiny_notebook(), entries(("nope", "slide", "x")))


# --------------------------------------------------------------- the exported page is offline


def test_exported_deck_loads_nothing_from_the_network():
    chosen = valid_entries()
    chosen[1]["code"] = "show"
    page = build_slides.export_deck(build_slides.select_cells(tiny_notebook(), chosen), "09_tiny")
    loaded = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page)
    assert sorted(loaded) == sorted([
        "vendor/require.js", "vendor/mathjax/tex-chtml.js", "vendor/reveal.js/dist/reveal.css",
        f"vendor/reveal.js/dist/theme/{build_slides.THEME}.css"])
    assert not re.search(r"""(?:import|url\()\s*[^;]*?['"(]https?://""", page)
    assert '"vendor/reveal.js/dist/reveal.js"' in page and "plugin/notes/notes.js" in page
    assert "MathJax.Hub" not in page and "mermaid" not in page
    assert page.count('<aside class="notes">') == 4
    assert "shown_value" in page and "hidden_value" not in page, "code only with code: show"
    assert "<title>9. Title slides</title>" in page


def test_the_theme_loads_no_web_fonts():
    """The theme chosen must not @import fonts from the web (nbconvert's 'simple' does)."""
    assert build_slides.THEME == "white"
    copied = [dst for _, dst in build_slides.VENDOR_FILES]
    assert f"reveal.js/dist/theme/{build_slides.THEME}.css" in copied
    assert "reveal.js/dist/theme/fonts/source-sans-pro" in copied


def test_everything_a_deck_loads_is_vendored():
    """Every vendor/ path an exported deck refers to is copied by the vendor step."""
    deck = build_slides.select_cells(tiny_notebook(), valid_entries())
    page = build_slides.export_deck(deck, "09_tiny")
    used = set(re.findall(r'"vendor/([^"]+)"', page))
    copied = [dst for _, dst in build_slides.VENDOR_FILES]
    assert used, "the deck refers to vendor/ files"
    for path in used:
        assert any(path == dst or path.startswith(dst + "/") for dst in copied), path


# --------------------------------------------------------------- the browser check's verdicts


def probe_report(**changes) -> dict:
    """What check_slides' probe reports for a good deck, with some fields changed."""
    return {"ready": True, "slides": 9, "notes": 9, "hadMath": True, "typeset": 12,
            "leftover": False, "errors": [], **changes}


def test_check_passes_a_good_deck():
    assert check_slides.check(probe_report(), [], 5) == []


@pytest.mark.parametrize("changes, message", [
    ({"ready": False}, "reveal.js did not start"),
    ({"slides": 3}, "3 slides, fewer than 5"),
    ({"typeset": 0}, "no formula was typeset"),
    ({"leftover": True}, "left untypeset"),
    ({"errors": ["failed to load file:///x/vendor/require.js"]}, "script error: failed"),
])
def test_check_names_each_problem(changes, message):
    problems = check_slides.check(probe_report(**changes), [], 5)
    assert any(message in p for p in problems), problems


def test_check_fails_network_requests_and_missing_reports():
    assert check_slides.check(probe_report(), ["https://unpkg.com/x.js"], 5) == [
        "requests https://unpkg.com/x.js from the network"]
    assert check_slides.check(None, [], 5) == [
        "the page did not finish loading (no report from the probe)"]
    assert check_slides.check(probe_report(hadMath=False, typeset=0), [], 5) == []


def test_remote_requests_are_the_page_s_own(tmp_path):
    """Only http(s) requests whose isolation key is the file:// page count, not the
    browser's own background requests."""
    def event(url, key):
        """A request-start event of the net log."""
        return {"type": 7, "params": {"url": url, "network_isolation_key": key}}

    log = {"constants": {"logEventTypes": {"URL_REQUEST_START_JOB": 7}}, "events": [
        event("https://cdn.example.org/reveal.js", "file:// file://"),
        event("https://cdn.example.org/reveal.js", "file:// file://"),
        event("https://update.googleapis.com/service", "null null"),
        event("file:///deck/vendor/require.js", "file:// file://"),
        {"type": 3, "params": {"url": "https://other.example/", "network_isolation_key": "file://"}},
    ]}
    path = tmp_path / "net.json"
    path.write_text(json.dumps(log))
    assert check_slides.remote_requests(path) == ["https://cdn.example.org/reveal.js"]
    assert check_slides.remote_requests(tmp_path / "missing.json") == []
