"""The slider helper: live ipywidgets in Jupyter, pre-drawn frames when a program runs it."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import ipywidgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils import sliders  # noqa: E402
from utils.sliders import Choice, LogRange, Range, slider  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def draw(a: int = 2, kind: str = "line") -> int:
    """A figure that depends on both parameters; prints a line; returns a number."""
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, a], "-" if kind == "line" else "o")
    print(f"a={a} kind={kind}")
    plt.show()
    return a * 10


@pytest.fixture
def shown(monkeypatch):
    """Everything ``slider`` displays, instead of sending it to a front end."""
    out: list = []
    monkeypatch.setattr("IPython.display.display", lambda obj: out.append(obj))
    return out


def test_ranges_list_every_position():
    assert Range(0, 8).values() == list(range(9))
    assert Range(0.0, 1.0, 0.25).values() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert Range(0.25, 1.5, 0.05).values().count(0.75) == 1
    assert LogRange(-3, 0, 1).values() == [0.001, 0.01, 0.1, 1.0]
    assert Choice(("x", "y")).values() == ["x", "y"]
    with pytest.raises(ValueError, match="low <= high"):
        Range(3, 1).values()
    with pytest.raises(TypeError, match="cannot make a control"):
        sliders.as_control(object())


def test_frame_budget_is_respected_and_shared():
    assert sliders.frame_counts([9, 2], 12) == [6, 2]
    assert sliders.frame_counts([100], 48) == [48]
    assert sliders.frame_counts([3], 48) == [3]
    for sizes, budget in [([61, 100, 30], 48), ([14, 7, 4, 4], 96), ([10000, 10], 24)]:
        counts = sliders.frame_counts(sizes, budget)
        assert 1 <= min(counts) and all(c <= n for c, n in zip(counts, sizes))
        prod = 1
        for c in counts:
            prod *= c
        assert budget // 2 < prod <= budget, (sizes, counts)


def test_spread_keeps_the_start_value_and_the_ends():
    values = list(range(0, 101))
    chosen = sliders.spread(values, 5, keep=37)
    assert len(chosen) == 5 and 37 in chosen and chosen[0] == 0 and chosen[-1] == 100
    assert sliders.spread([1, 2, 3], 10, keep=2) == [1, 2, 3]


def test_static_mode_draws_every_frame_and_returns_the_start_result(monkeypatch, shown):
    monkeypatch.setenv("CNNBOOK_WIDGETS", "static")
    monkeypatch.setattr(ipywidgets, "interactive",
                        lambda *a, **k: pytest.fail("a live widget was created"))
    before = set(plt.get_fignums())
    result = slider(draw, a=Range(1, 3), kind=Choice(("line", "dots")), frames=6)
    assert result == 20  # draw(a=2, kind="line"): the function's defaults
    assert set(plt.get_fignums()) == before  # every frame's figure was closed
    (view,) = shown
    assert [len(g) for g in view.grids] == [3, 2] and len(view.frames) == 6
    pngs = [png for png, _ in view.frames]
    assert len(set(pngs)) == 6 and all(base64.b64decode(p)[:4] == b"\x89PNG" for p in pngs)
    assert view.frames[view.index([2, 1])][1] == "a=3 kind=dots"
    bundle = view._repr_mimebundle_()
    assert bundle["image/png"] == view.frames[view.index(view.start)][0]
    page = bundle["text/html"]
    assert page.count('type="range"') == 1 and page.count("<select") == 1
    data = json.loads(re.search(r'application/json">(.*?)</script>', page).group(1))
    assert data["sizes"] == [3, 2] and data["labels"][1] == ["line", "dots"]
    assert len(data["frames"]) == 6


def test_fixed_values_and_bad_names(monkeypatch, shown):
    monkeypatch.setenv("CNNBOOK_WIDGETS", "static")
    assert slider(draw, a=Range(1, 5), kind="dots", frames=2) == 20
    assert len(shown[0].frames) == 2 and "kind=dots" in shown[0].frames[0][1]
    with pytest.raises(TypeError, match="has no parameter 'b'"):
        slider(draw, b=Range(1, 2))
    with pytest.raises(ValueError, match="not one of the options"):
        slider(draw, kind=Choice(("x", "y")))


def test_live_mode_builds_ipywidgets(monkeypatch, shown):
    monkeypatch.setenv("CNNBOOK_WIDGETS", "live")
    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    result = slider(draw, a=Range(1, 3), kind=Choice(("line", "dots")))
    plt.close("all")
    assert result == 20
    (box,) = shown
    assert isinstance(box, ipywidgets.interactive)
    kinds = {type(w).__name__ for w in box.kwargs_widgets}
    assert kinds == {"IntSlider", "Dropdown"}
    box.kwargs_widgets[0].value = 3
    plt.close("all")
    assert box.result == 30


def test_mode_detection(monkeypatch):
    for var in ("CNNBOOK_WIDGETS", "JPY_SESSION_NAME", "VSCODE_PID"):
        monkeypatch.delenv(var, raising=False)
    assert sliders.static_mode()  # executed by a program: no front end started the kernel
    monkeypatch.setenv("JPY_SESSION_NAME", "chapters/09_optimizers.ipynb")
    assert not sliders.static_mode()
    monkeypatch.setenv("CNNBOOK_WIDGETS", "static")
    assert sliders.static_mode()
    monkeypatch.setenv("CNNBOOK_WIDGETS", "maybe")
    with pytest.raises(ValueError, match="live' or 'static"):
        sliders.static_mode()


def test_no_chapter_creates_widgets_itself():
    """Every interactive figure goes through utils.plot.slider (see utils/sliders.py)."""
    offenders = []
    for path in sorted(ROOT.glob("chapters/*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            code = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
            if re.search(r"\binteract(ive)?\(|ipywidgets", code):
                offenders.append(path.name)
    assert not offenders, f"use utils.plot.slider instead of ipywidgets in {offenders}"


def test_the_start_value_is_drawn_exactly_even_off_the_grid(monkeypatch, shown):
    """Chapter 9 starts at lr 0.3, which no power 10**(k/20) equals: it is added, not moved."""
    monkeypatch.setenv("CNNBOOK_WIDGETS", "static")

    def lr_of(lr: float = 0.3) -> float:
        plt.figure()
        plt.show()
        return lr

    assert slider(lr_of, lr=LogRange(-3, 0, 0.05), frames=5) == 0.3
    assert 0.3 in shown[0].grids[0] and shown[0].grids[0][shown[0].start[0]] == 0.3
    with pytest.raises(ValueError, match="outside the slider's range"):
        slider(lr_of, lr=LogRange(-3, -1, 0.5))


def test_a_moved_slider_changes_its_picture_in_a_browser(tmp_path, monkeypatch, shown):
    """scripts/check_html.py drags every slider in headless Chromium: it must see a change,
    and must report a slider whose pictures are all the same."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_html", ROOT / "scripts/check_html.py")
    check_html = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_html)
    exe = check_html.browser()
    if exe is None:
        pytest.skip("no Chromium installed (apt-get install chromium)")
    monkeypatch.setenv("CNNBOOK_WIDGETS", "static")
    slider(draw, a=Range(1, 3), frames=3)
    slider(lambda a=1: draw(2), a=Range(1, 3), frames=3)  # the same picture every time
    page = tmp_path / "page.html"
    page.write_text("<html><body>" + "".join(v.html() for v in shown) + "</body></html>")
    problems = check_html.check_sliders(page, exe)
    assert len(problems) == 1 and shown[1].uid in problems[0], problems
