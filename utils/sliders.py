"""Sliders that work both in Jupyter and in the published book.

A chapter calls :func:`slider` once. Where a person is at the notebook (Jupyter, Colab,
VS Code) it is an ordinary live ``ipywidgets`` control that redraws the figure. Where a
notebook is *executed* by a program (the book build, the tests) no live widget is
created: the figure is drawn beforehand for a grid of values of every control and the
output is a small HTML page with the same controls that swaps the pictures in the
browser, so the slider still moves in the static HTML book, without a kernel.

Why not ``interact`` everywhere: a live widget in a notebook executed by ``nbclient``
(which myst-nb and nbval use) relies on the client's emulation of the Output widget, and
executing ``interact`` under it is a known source of intermittent deadlocks (the client
waits for a kernel that has finished; jupyter/nbclient#312, jupyter/nbconvert#2029). The
book's build hung that way in chapter 9 on 2026-12-01.

The mode is ``CNNBOOK_WIDGETS=live|static``; without it, live where a notebook front end
started the kernel (Jupyter server, Colab, VS Code) and static everywhere else.
"""

from __future__ import annotations

import base64
import contextlib
import html
import inspect
import io
import itertools
import json
import math
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt

from .config import pick

__all__ = ["Choice", "LogRange", "Range", "slider", "static_mode"]


@dataclass(frozen=True)
class Range:
    """A slider from ``low`` to ``high`` in steps of ``step`` (integers if all three are)."""

    low: float
    high: float
    step: float = 1
    value: float | None = None

    def values(self) -> list[Any]:
        """Every position of the slider."""
        if self.step <= 0 or self.high < self.low:
            raise ValueError(f"Range needs low <= high and step > 0, got {self}")
        n = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
        if all(isinstance(v, int) for v in (self.low, self.high, self.step)):
            return [int(self.low + i * self.step) for i in range(n)]
        return [round(self.low + i * self.step, 10) for i in range(n)]


@dataclass(frozen=True)
class LogRange:
    """A slider over ``base**low`` to ``base**high``, ``step`` apart in the exponent."""

    low: float
    high: float
    step: float = 0.1
    value: float | None = None
    base: float = 10.0

    def values(self) -> list[float]:
        exps = Range(float(self.low), float(self.high), float(self.step)).values()
        return [float(f"{self.base ** e:.6g}") for e in exps]


@dataclass(frozen=True)
class Choice:
    """A drop-down list of options."""

    options: tuple[Any, ...]
    value: Any = None

    def values(self) -> list[Any]:
        return list(self.options)


Control = Range | LogRange | Choice

# The browser side of a pre-drawn slider: on every move, find the frame for the positions
# of all controls (mixed radix, last control fastest) and show its picture and text.
SCRIPT = (
    "(function(){var root=document.getElementById('ROOT_ID');"
    "var d=JSON.parse(root.querySelector('script[type=\"application/json\"]').textContent);"
    "var ctl=root.querySelectorAll('[data-k]');"
    "function redraw(){var i=0;ctl.forEach(function(c){var k=+c.dataset.k;"
    "i=i*d.sizes[k]+(+c.value);"
    "c.parentNode.querySelector('output').textContent=d.labels[k][+c.value];});"
    "var img=root.querySelector('img');"
    "img.src=d.frames[i]?'data:image/png;base64,'+d.frames[i]:'';"
    "img.style.display=d.frames[i]?'':'none';"
    "root.querySelector('pre').textContent=d.texts[i];root.dataset.frame=i;}"
    "ctl.forEach(function(c){c.addEventListener('input',redraw);"
    "c.addEventListener('change',redraw);});})();")


def as_control(spec: Any) -> Control:
    """A control from the short forms ``(low, high)``, ``(low, high, step)`` or a list."""
    if isinstance(spec, Range | LogRange | Choice):
        return spec
    if isinstance(spec, tuple) and len(spec) in (2, 3):
        return Range(*spec)
    if isinstance(spec, list | tuple) and spec:
        return Choice(tuple(spec))
    raise TypeError(f"cannot make a control from {spec!r}: use Range(low, high, step), "
                    "LogRange(low, high, step), Choice([...]) or a (low, high[, step]) tuple")


def static_mode() -> bool:
    """True when no live widget may be created (see the module docstring)."""
    mode = os.environ.get("CNNBOOK_WIDGETS", "").strip().lower()
    if mode in ("live", "static"):
        return mode == "static"
    if mode:
        raise ValueError(f"CNNBOOK_WIDGETS={mode!r}: use 'live' or 'static'")
    front_end = ("google.colab" in sys.modules or "JPY_SESSION_NAME" in os.environ
                 or "VSCODE_PID" in os.environ)
    return not front_end


def default_value(control: Control, name: str, fn: Callable[..., Any]) -> Any:
    """The start value: the control's own, else the function's default, else the middle."""
    values = control.values()
    if control.value is not None:
        start = control.value
    else:
        param = inspect.signature(fn).parameters.get(name)
        if param is not None and param.default is not inspect.Parameter.empty:
            start = param.default
        else:
            start = values[len(values) // 2]
    if isinstance(control, Choice) and start not in values:
        raise ValueError(f"{name}={start!r} is not one of the options {values}")
    if not isinstance(control, Choice) and not values[0] <= start <= values[-1]:
        raise ValueError(f"{name}={start!r} lies outside the slider's range "
                         f"{values[0]}..{values[-1]}")
    return start


def positions(control: Control, start: Any) -> list[Any]:
    """The control's values, with the start value among them (the picture the text shows)."""
    values = control.values()
    return values if start in values else sorted([*values, start])


def frame_counts(sizes: Sequence[int], budget: int) -> list[int]:
    """How many values of each control to draw so that their product stays within budget.

    Every control keeps at least one value; the rest of the budget goes one value at a time
    to the control with the fewest values so far (that still has more to give).

    >>> frame_counts([9, 2], 12)
    [6, 2]
    """
    counts = [1] * len(sizes)
    while True:
        open_ = [i for i, n in enumerate(sizes) if counts[i] < n]
        grown = [i for i in sorted(open_, key=lambda i: counts[i])
                 if math.prod(counts) // counts[i] * (counts[i] + 1) <= budget]
        if not grown:
            return counts
        counts[grown[0]] += 1


def spread(values: Sequence[Any], k: int, keep: Any) -> list[Any]:
    """``k`` of ``values``, evenly spaced from first to last, always including ``keep``."""
    if k >= len(values):
        return list(values)
    idx = sorted({round(i * (len(values) - 1) / max(k - 1, 1)) for i in range(k)})
    chosen = [values[i] for i in idx]
    if keep not in chosen:
        nearest = min(range(len(chosen)),
                      key=lambda i: abs(values.index(chosen[i]) - values.index(keep)))
        chosen[nearest] = keep
    return chosen


def label(value: Any) -> str:
    """How a value is written next to its slider."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def png_bytes(fig: Any, dpi: int, colors: int = 128) -> bytes:
    """The figure as a PNG with a palette of ``colors`` (a quarter of the size of RGBA)."""
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(out, "PNG",
                                                                          optimize=True)
    return out.getvalue()


def render_frame(fn: Callable[..., Any], kwargs: dict[str, Any],
                 dpi: int) -> tuple[str, str, Any]:
    """Call ``fn`` and capture what it draws and prints: (PNG as base64, text, result)."""
    before = set(plt.get_fignums())
    text = io.StringIO()
    show = plt.show
    plt.show = lambda *a, **k: None  # the figure is saved below, not shown
    try:
        with contextlib.redirect_stdout(text):
            result = fn(**kwargs)
    finally:
        plt.show = show
    new = [n for n in plt.get_fignums() if n not in before]
    png = ""
    if new:
        fig = plt.figure(new[-1])
        png = base64.b64encode(png_bytes(fig, dpi)).decode("ascii")
    for n in new:
        plt.close(n)
    return png, text.getvalue().rstrip(), result


class StaticSlider:
    """Pre-drawn frames with HTML controls; displays as HTML, or the first frame as PNG."""

    def __init__(self, names: list[str], grids: list[list[Any]], start: list[int],
                 frames: list[tuple[str, str]], is_choice: list[bool]) -> None:
        self.names, self.grids, self.start = names, grids, start
        self.frames, self.is_choice = frames, is_choice
        self.uid = "cnnbook-slider-" + uuid.uuid4().hex[:12]

    def index(self, positions: Sequence[int]) -> int:
        """The frame shown for these control positions (mixed radix, last control fastest)."""
        i = 0
        for pos, grid in zip(positions, self.grids):
            i = i * len(grid) + pos
        return i

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        first_png, first_text = self.frames[self.index(self.start)]
        bundle = {"text/html": self.html(),
                  "text/plain": f"<slider over {', '.join(self.names)}: "
                                f"{len(self.frames)} pre-drawn frames>"}
        if first_png:
            bundle["image/png"] = first_png
        elif first_text:
            bundle["text/plain"] = first_text
        return bundle

    def html(self) -> str:
        """The controls, the picture and the script that connects them."""
        uid = self.uid
        rows = []
        for k, (name, grid) in enumerate(zip(self.names, self.grids)):
            here = self.start[k]
            if self.is_choice[k]:
                options = "".join(
                    f'<option value="{i}"{" selected" if i == here else ""}>'
                    f"{html.escape(label(v))}</option>" for i, v in enumerate(grid))
                field = f'<select data-k="{k}">{options}</select>'
            else:
                field = (f'<input type="range" data-k="{k}" min="0" max="{len(grid) - 1}" '
                         f'step="1" value="{here}" style="vertical-align:middle;width:14em">')
            rows.append(f'<label style="display:block;font-family:monospace;font-size:0.9em">'
                        f'{html.escape(name)} {field} <output>{html.escape(label(grid[here]))}'
                        f"</output></label>")
        data = {"labels": [[label(v) for v in grid] for grid in self.grids],
                "sizes": [len(grid) for grid in self.grids],
                "frames": [png for png, _ in self.frames],
                "texts": [text for _, text in self.frames]}
        png, text = self.frames[self.index(self.start)]
        script = SCRIPT.replace("ROOT_ID", uid)
        payload = json.dumps(data).replace("</", "<\\/")
        img = (f'<img alt="figure" src="data:image/png;base64,{png}" style="max-width:100%">'
               if png else '<img alt="figure" style="display:none;max-width:100%">')
        return (f'<div class="cnnbook-slider" id="{uid}" '
                f'data-frame="{self.index(self.start)}">'
                f'{"".join(rows)}{img}<pre style="margin:0">{html.escape(text)}</pre>'
                f'<script type="application/json">{payload}</script>'
                f"<script>{script}</script></div>")


def slider(fn: Callable[..., Any], *, frames: int | None = None, dpi: int = 80,
           **controls: Any) -> Any:
    """Show ``fn``'s figure with a control for each keyword; return ``fn`` at the start values.

    Each keyword names a parameter of ``fn`` and gives its control: ``Range(low, high,
    step)``, ``LogRange(low, high, step)`` (powers of ten), ``Choice([...])``, the short
    forms ``(low, high[, step])`` and ``[option, ...]``, or any other value, which is
    passed as it is (no control). ``fn`` draws with matplotlib and calls ``plt.show()``.

    Live (a person at the notebook): an ``ipywidgets`` control that redraws on every move.
    Static (the build, the tests): at most ``frames`` pictures, drawn for evenly spaced
    values of each control (the start values always among them); default 48, 4 in quick
    mode, drawn once each. Either way ``fn``'s return value at the start values is returned,
    so the cell can check it without drawing the figure a second time.
    """
    fixed = {k: v for k, v in controls.items()
             if not isinstance(v, Range | LogRange | Choice | tuple | list)}
    specs = {k: as_control(v) for k, v in controls.items() if k not in fixed}
    params = inspect.signature(fn).parameters
    for name in controls:
        if name not in params:
            raise TypeError(f"{fn.__name__}() has no parameter {name!r}; "
                            f"its parameters are {list(params)}")
    starts = {k: default_value(c, k, fn) for k, c in specs.items()}
    if not static_mode():
        return _live(fn, specs, starts, fixed)
    budget = frames if frames is not None else pick(full=48, quick=4)
    if budget < 1:
        raise ValueError(f"frames must be at least 1, got {frames}")
    names = list(specs)
    every = {k: positions(specs[k], starts[k]) for k in names}
    counts = frame_counts([len(every[k]) for k in names], budget)
    grids = [spread(every[k], n, starts[k]) for k, n in zip(names, counts)]
    start = [grid.index(starts[k]) for k, grid in zip(names, grids)]
    drawn, result = [], None
    for combo in itertools.product(*[range(len(g)) for g in grids]):
        kwargs = {k: grid[i] for k, grid, i in zip(names, grids, combo)}
        png, text, value = render_frame(fn, {**kwargs, **fixed}, dpi)
        drawn.append((png, text))
        if list(combo) == start:
            result = value
    from IPython.display import display

    display(StaticSlider(names, grids, start, drawn,
                         [isinstance(specs[k], Choice) for k in names]))
    return result


def _live(fn: Callable[..., Any], specs: dict[str, Control], starts: dict[str, Any],
          fixed: dict[str, Any]) -> Any:
    """The live ipywidgets version; returns ``fn``'s result at the start values."""
    import ipywidgets as w
    from IPython.display import display

    if "google.colab" in sys.modules:  # Colab shows ipywidgets 8 through this manager
        with contextlib.suppress(Exception):
            from google.colab import output

            output.enable_custom_widget_manager()
    made: dict[str, Any] = {k: w.fixed(v) for k, v in fixed.items()}
    for name, c in specs.items():
        start = starts[name]
        if isinstance(c, Choice):
            made[name] = w.Dropdown(options=list(c.options), value=start, description=name)
        elif isinstance(c, LogRange):
            made[name] = w.FloatLogSlider(value=start, base=c.base, min=c.low, max=c.high,
                                          step=c.step, description=name)
        elif all(isinstance(v, int) for v in (c.low, c.high, c.step)):
            made[name] = w.IntSlider(value=start, min=c.low, max=c.high, step=c.step,
                                     description=name)
        else:
            made[name] = w.FloatSlider(value=start, min=c.low, max=c.high, step=c.step,
                                       description=name)
    box = w.interactive(fn, **made)
    display(box)
    return box.result
