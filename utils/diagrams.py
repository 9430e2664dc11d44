"""Architecture diagrams drawn by code: boxes, arrows and labels on a blank canvas.

Every ``draw_*`` function returns a :class:`~matplotlib.figure.Figure` and takes the numbers
it shows as arguments, with the paper's values as defaults, so that a chapter (or a reader)
can redraw a picture for other widths. Its docstring says which figure or table of which
paper it follows.

The canvas is measured in inches: one unit of the data coordinates is one inch of the
figure, so box sizes and font sizes are chosen together. Three primitives draw everything:
:func:`box` (a rounded rectangle or a circle with centred text), :func:`arrow` (straight,
curved, or along a polyline) and :func:`label` (free text). Their artists carry the gids
``"box"``, ``"arrow"`` and ``"label"``, which the tests count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.path import Path
from matplotlib.text import Text

__all__ = [
    "GOOGLENET_MODULES", "arrow", "box", "canvas", "draw_alexnet_towers",
    "draw_bottleneck_variants", "draw_dense_block", "draw_dpn_block", "draw_fine_tuning",
    "draw_googlenet", "draw_inception", "draw_residual_block", "edge", "label",
]

BOX, ARROW, LABEL, BOX_TEXT = "box", "arrow", "label", "box-text"

# Fill colours, one per kind of layer (the chapters' light blue for convolutions).
CONV = "#dde8f5"
POOL = "#f7e6c8"
MERGE = "#eeeeee"
HEAD = "#e6dff5"
RESIDUAL = "#f5dede"
DENSE = "#def5e0"
ACROSS = "C3"  # arrows that cross between paths or devices

Point = tuple[float, float]


# ---------------------------------------------------------------------------- primitives
def canvas(width: float, height: float) -> tuple[Figure, Axes]:
    """A blank figure of ``width`` x ``height`` inches whose data units are inches."""
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def box(ax: Axes, x: float, y: float, text: str, *, width: float = 1.0, height: float = 0.45,
        color: str = CONV, fontsize: float = 8.0, shape: str = "round",
        rotation: float = 0.0) -> FancyBboxPatch:
    """A box centred at ``(x, y)`` with ``text`` in its middle; ``shape`` is ``"round"`` (a
    rectangle with rounded corners) or ``"circle"`` (of diameter ``width``)."""
    if shape == "circle":
        height = width
        style = "circle,pad=0"
    elif shape == "round":
        style = f"round,pad=0,rounding_size={0.12 * min(width, height):.3f}"
    else:
        raise ValueError(f"shape must be 'round' or 'circle', not {shape!r}")
    patch = FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle=style,
                           facecolor=color, edgecolor="k", linewidth=0.8, gid=BOX, zorder=2)
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, rotation=rotation,
            linespacing=1.15, gid=BOX_TEXT, zorder=3)
    return patch


def edge(patch: FancyBboxPatch, side: str, where: float = 0.5) -> Point:
    """The point of a box's ``side`` (``"top"``, ``"bottom"``, ``"left"``, ``"right"``) at
    fraction ``where`` along it (left to right, or bottom to top)."""
    x0, y0, w, h = patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()
    points = {"top": (x0 + where * w, y0 + h), "bottom": (x0 + where * w, y0),
              "left": (x0, y0 + where * h), "right": (x0 + w, y0 + where * h)}
    if side not in points:
        raise ValueError(f"side must be one of {sorted(points)}, not {side!r}")
    return points[side]


def arrow(ax: Axes, *points: Point, color: str = "k", rad: float = 0.0,
          linewidth: float = 1.0) -> FancyArrowPatch:
    """An arrow from the first point to the last: straight (``rad=0``), bent along an arc
    (``rad`` as in matplotlib's ``arc3``: positive bends to the right of the direction of
    travel), or through every point given when there are more than two."""
    if len(points) < 2:
        raise ValueError("an arrow needs at least two points")
    style = dict(arrowstyle="-|>", mutation_scale=9, color=color, linewidth=linewidth,
                 gid=ARROW, zorder=1)
    if len(points) == 2:
        patch = FancyArrowPatch(points[0], points[1], connectionstyle=f"arc3,rad={rad}",
                                shrinkA=0, shrinkB=0, **style)
    else:
        patch = FancyArrowPatch(path=Path(list(points)), **style)
    ax.add_patch(patch)
    return patch


def label(ax: Axes, x: float, y: float, text: str, *, fontsize: float = 8.0,
          color: str = "k", ha: str = "center", va: str = "center",
          rotation: float = 0.0, weight: str = "normal") -> Text:
    """Free text at ``(x, y)``."""
    return ax.text(x, y, text, ha=ha, va=va, fontsize=fontsize, color=color,
                   rotation=rotation, fontweight=weight, gid=LABEL, zorder=3)


def _title(ax: Axes, width: float, height: float, text: str) -> Text:
    return label(ax, width / 2, height - 0.22, text, fontsize=10)


def _down(ax: Axes, upper: FancyBboxPatch, lower: FancyBboxPatch, where: float = 0.5,
          color: str = "k") -> FancyArrowPatch:
    return arrow(ax, edge(upper, "bottom", where), edge(lower, "top"), color=color)


def _up(ax: Axes, lower: FancyBboxPatch, upper: FancyBboxPatch, where: float = 0.5,
        color: str = "k") -> FancyArrowPatch:
    return arrow(ax, edge(lower, "top", where), edge(upper, "bottom"), color=color)


def _right(ax: Axes, left: FancyBboxPatch, right: FancyBboxPatch,
           color: str = "k") -> FancyArrowPatch:
    return arrow(ax, edge(left, "right"), edge(right, "left"), color=color)


# ----------------------------------------------------------------------------- Inception
def draw_inception(ch1x1: int = 64, ch3x3_reduce: int = 96, ch3x3: int = 128,
                   ch5x5_reduce: int = 16, ch5x5: int = 32, pool_proj: int = 32, *,
                   in_channels: int = 192, size: int = 28, name: str = "3a") -> Figure:
    """The naive Inception module and the one with dimension reductions, side by side.

    Follows Fig. 2 of Szegedy et al., "Going Deeper with Convolutions" (2014): (a) 1x1, 3x3
    and 5x5 convolutions and a 3x3 max pool applied to the previous layer, their maps
    concatenated; (b) the same with 1x1 convolutions in front of the 3x3 and 5x5 ones and
    after the pool. The defaults are module 3a of the paper's Table 1 (input 28x28x192;
    #1x1 64, #3x3 reduce 96, #3x3 128, #5x5 reduce 16, #5x5 32, pool proj 32). Each box
    shows its input and output maps; the naive module's pool passes every input map on.
    """
    panel, gap, height = 4.85, 0.35, 4.35
    fig, ax = canvas(2 * panel + gap, height)
    bw, bh, pitch = 1.06, 0.5, 1.19
    c = in_channels
    for i, naive in enumerate((True, False)):
        x0 = i * (panel + gap)
        cols = [x0 + 0.65 + pitch * j for j in range(4)]
        mid = x0 + panel / 2
        prev = box(ax, mid, 0.4, f"previous layer\n{size}x{size}x{c}", width=2.3,
                   height=bh, color=MERGE)
        if naive:
            texts = [f"1x1 conv\n{c} → {ch1x1}", f"3x3 conv\n{c} → {ch3x3}",
                     f"5x5 conv\n{c} → {ch5x5}", f"3x3 max pool\n{c} maps"]
            tops = [box(ax, x, 1.95, t, width=bw, height=bh, color=POOL if j == 3 else CONV)
                    for j, (x, t) in enumerate(zip(cols, texts))]
            for j, top in enumerate(tops):
                _up(ax, prev, top, where=0.15 + 0.7 * j / 3)
            parts = [ch1x1, ch3x3, ch5x5, c]
            title = "(a) naive Inception module"
        else:
            lows = [box(ax, cols[1], 1.35, f"1x1 conv\n{c} → {ch3x3_reduce}", width=bw,
                        height=bh),
                    box(ax, cols[2], 1.35, f"1x1 conv\n{c} → {ch5x5_reduce}", width=bw,
                        height=bh),
                    box(ax, cols[3], 1.35, "3x3 max pool\nstride 1", width=bw, height=bh,
                        color=POOL)]
            texts = [f"1x1 conv\n{c} → {ch1x1}", f"3x3 conv\n{ch3x3_reduce} → {ch3x3}",
                     f"5x5 conv\n{ch5x5_reduce} → {ch5x5}", f"1x1 conv\n{c} → {pool_proj}"]
            tops = [box(ax, x, 2.55, t, width=bw, height=bh) for x, t in zip(cols, texts)]
            _up(ax, prev, tops[0], where=0.15)
            for j, (low, top) in enumerate(zip(lows, tops[1:]), start=1):
                _up(ax, prev, low, where=0.15 + 0.7 * j / 3)
                _up(ax, low, top)
            parts = [ch1x1, ch3x3, ch5x5, pool_proj]
            title = f"(b) with dimension reductions (module {name})"
        concat = box(ax, mid, 3.45, "filter concatenation\n"
                     f"{' + '.join(map(str, parts))} = {sum(parts)} maps", width=2.9,
                     height=bh, color=MERGE)
        for j, top in enumerate(tops):
            arrow(ax, edge(top, "top"), edge(concat, "bottom", 0.12 + 0.76 * j / 3))
        label(ax, mid, height - 0.25, title, fontsize=9.5)
    return fig


GOOGLENET_MODULES: tuple[tuple[str, int], ...] = (
    ("3a", 256), ("3b", 480), ("4a", 512), ("4b", 512), ("4c", 512), ("4d", 528),
    ("4e", 832), ("5a", 832), ("5b", 1024))
"""Output maps of GoogLeNet's nine Inception modules (Table 1 of the paper)."""


def draw_googlenet(modules: Sequence[tuple[str, int]] = GOOGLENET_MODULES, *,
                   aux_after: Sequence[str] = ("4a", "4d"), input_size: int = 224,
                   stem_channels: tuple[int, int, int] = (64, 64, 192),
                   num_classes: int = 1000, aux_weight: float = 0.3) -> Figure:
    """GoogLeNet's overall layout, one row per stage: the stem, the Inception modules of
    stages 3, 4 and 5 with the max pools between them, the two auxiliary classifiers, and
    the head (average pooling, dropout, a fully connected layer, softmax).

    Follows Table 1 and Fig. 3 of Szegedy et al. (2014): stem conv 7x7/2 (64 maps), max
    pool 3x3/2, conv 1x1 (64) and 3x3 (192), max pool 3x3/2; modules 3a-3b at 28x28,
    4a-4e at 14x14 and 5a-5b at 7x7 (each box shows its output maps), 3x3/2 max pools
    between the stages; average pool 7x7, dropout 40%, linear, softmax. The auxiliary
    classifiers sit on 4a and 4d as the paper's section 5 describes them (average pool
    5x5/3, 1x1 conv with 128 maps, FC 1024, dropout 70%, linear softmax; loss weighted by
    0.3 in training). Fig. 3's two local response normalisations in the stem are left out,
    as in Table 1. Map sizes follow from ``input_size`` (each stride 2 halves them). The
    names in ``modules`` start with their stage's digit (3, 4 or 5); ``aux_after`` names
    modules of stage 4.
    """
    stages: dict[str, list[tuple[str, int]]] = {"3": [], "4": [], "5": []}
    for module, maps in modules:
        stages[module[0]].append((module, maps))
    s1 = (input_size + 1) // 2
    s3 = s1 // 2 // 2
    s4, s5 = s3 // 2, s3 // 2 // 2
    left, pitch, bw, bh = 1.45, 1.17, 0.98, 0.5
    ncols = max(6, len(stages["4"]) + 1, len(stages["5"]) + 4)
    width = left + pitch * ncols + 0.1
    row_y = [4.55, 3.6, 2.65, 0.45]  # stem, stage 3, stage 4, stage 5; auxiliaries between
    aux_y, aux_h = 1.42, 0.92
    height = 5.35
    fig, ax = canvas(width, height)
    heads = {0: "", 1: ", one auxiliary classifier", 2: ", two auxiliary classifiers"}
    _title(ax, width, height, f"GoogLeNet: {len(modules)} Inception modules (output maps "
           "in each box)" + heads.get(len(aux_after), f", {len(aux_after)} auxiliary "
                                      "classifiers"))
    xs = [left + pitch * (j + 0.5) for j in range(ncols)]
    c1, c2, c3 = stem_channels
    rows: list[list[tuple[str, str]]] = [
        [(f"input\n{input_size}x{input_size}x3", MERGE), (f"conv 7x7/2\n{c1} maps", CONV),
         ("max pool\n3x3/2", POOL), (f"conv 1x1\n{c2} maps", CONV),
         (f"conv 3x3\n{c3} maps", CONV), ("max pool\n3x3/2", POOL)],
        [(f"{m}\n{c} maps", CONV) for m, c in stages["3"]] + [("max pool\n3x3/2", POOL)],
        [(f"{m}\n{c} maps", CONV) for m, c in stages["4"]] + [("max pool\n3x3/2", POOL)],
        [(f"{m}\n{c} maps", CONV) for m, c in stages["5"]]
        + [(f"avg pool\n{s5}x{s5}", POOL), ("dropout\n40%", HEAD),
           (f"FC\n{num_classes}", HEAD), ("softmax", HEAD)],
    ]
    row_names = [f"stem\n{input_size} → {s3}", f"stage 3\n{s3}x{s3}", f"stage 4\n{s4}x{s4}",
                 f"stage 5\n{s5}x{s5}"]
    drawn: list[list[FancyBboxPatch]] = []
    for y, row, row_name in zip(row_y, rows, row_names):
        label(ax, 0.12, y, row_name, fontsize=8.5, ha="left")
        patches = [box(ax, x, y, text, width=bw, height=bh, color=color)
                   for x, (text, color) in zip(xs, row)]
        for a, b in zip(patches[:-1], patches[1:]):
            _right(ax, a, b)
        drawn.append(patches)
    # From the end of one row to the start of the next, through the gap below the row.
    gaps = [(row_y[0] + row_y[1]) / 2, (row_y[1] + row_y[2]) / 2,
            (aux_y - aux_h / 2 + row_y[3] + bh / 2) / 2]
    for upper, lower, y_gap in zip(drawn[:-1], drawn[1:], gaps):
        end, start = edge(upper[-1], "bottom"), edge(lower[0], "top")
        arrow(ax, end, (end[0], y_gap), (start[0], y_gap), start)
    names = [m for m, _ in stages["4"]]
    for aux in aux_after:
        above = drawn[2][names.index(aux)]
        x = above.get_x() + bw / 2
        head = box(ax, x, aux_y, f"auxiliary classifier on {aux}\navg pool 5x5/3\n"
                   f"conv 1x1, 128 maps\nFC 1024, dropout 70%\nFC {num_classes}, softmax\n"
                   f"loss × {aux_weight:g}", width=1.62, height=aux_h, color=HEAD,
                   fontsize=7.5)
        _down(ax, above, head)
    return fig


# --------------------------------------------------------------------------------- AlexNet
def draw_alexnet_towers(widths: Sequence[int] = (96, 256, 384, 384, 256),
                        fc: Sequence[int] = (4096, 4096), num_classes: int = 1000,
                        groups: Sequence[int] = (1, 2, 1, 2, 2), *,
                        input_size: int = 227) -> Figure:
    """AlexNet split over two GPUs: one row per GPU, each box one GPU's half of a layer.

    Follows Fig. 2 of Krizhevsky, Sutskever and Hinton (2012): five convolutions (11x11
    stride 4, 5x5, 3x3, 3x3, 3x3 with 96, 256, 384, 384, 256 maps, half on each GPU) and
    fully connected layers of 4096, 4096 and 1000 units. conv2, conv4 and conv5 read only
    the maps on their own GPU (``groups=2``); conv3 and the fully connected layers read
    both GPUs (red arrows). Response normalisation follows conv1 and conv2, 3x3/2 max
    pooling follows both normalisations and conv5 (section 3.5). The figure in the paper
    says 224x224 inputs; the arithmetic needs 227 (chapter 16), the default here. The last
    layer is drawn once, as in the paper's figure. ``groups`` holds each convolution's
    groups, as in the zoo's two-tower model: 2 keeps a layer on its own GPU, 1 lets it
    read both (conv1 reads the whole image either way).
    """
    kernels, strides, pads = (11, 5, 3, 3, 3), (4, 1, 1, 1, 1), (0, 2, 1, 1, 1)
    pooled_after = {0: "LRN +\nmax pool", 1: "LRN +\nmax pool", 4: "max pool"}
    sizes, s = [], input_size
    for i, (k, st, p) in enumerate(zip(kernels, strides, pads)):
        s = (s + 2 * p - k) // st + 1
        sizes.append(s)
        if i in pooled_after:
            s = (s - 3) // 2 + 1
    pitch, bw, bh, first = 1.08, 0.76, 0.84, 1.95
    n_cols = len(widths) + len(fc) + 1
    width = first + pitch * (n_cols - 1) + 0.55
    height, y1, y2 = 3.2, 2.0, 0.6
    fig, ax = canvas(width, height)
    _title(ax, width, height, "AlexNet on two GPUs: each row is one GPU's half of every "
           "layer; red arrows cross between the GPUs")
    for y, gpu in ((y1, "GPU 1"), (y2, "GPU 2")):
        label(ax, 0.14, y, gpu, fontsize=8.5, rotation=90)
    inp = box(ax, 0.78, (y1 + y2) / 2, f"input\n{input_size}x\n{input_size}x3", width=0.7,
              height=y1 - y2 + bh, color=MERGE)
    xs = [first + pitch * j for j in range(n_cols)]
    columns: list[tuple[FancyBboxPatch, FancyBboxPatch]] = []
    for j, (w, k, st, sz) in enumerate(zip(widths, kernels, strides, sizes)):
        kernel = f"{k}x{k}/{st}" if st > 1 else f"{k}x{k}"
        text = f"conv{j + 1}\n{kernel}\n{w // 2} maps\n{sz}x{sz}"
        columns.append((box(ax, xs[j], y1, text, width=bw, height=bh),
                        box(ax, xs[j], y2, text, width=bw, height=bh)))
    for j, units in enumerate(fc):
        col = len(widths) + j
        text = f"fc{col + 1}\n{units // 2}\nunits"
        columns.append((box(ax, xs[col], y1, text, width=bw, height=bh, color=HEAD),
                        box(ax, xs[col], y2, text, width=bw, height=bh, color=HEAD)))
    out = box(ax, xs[-1], (y1 + y2) / 2, f"fc{n_cols}\n{num_classes}\nsoftmax", width=bw,
              height=y1 - y2 + bh, color=HEAD)
    for row, y in enumerate((y1, y2)):
        arrow(ax, (inp.get_x() + inp.get_width(), y), edge(columns[0][row], "left"))
        arrow(ax, edge(columns[-1][row], "right"), (out.get_x(), y))
    crossing = [g == 1 for g in groups[1:]] + [True] * len(fc)
    for (a1, a2), (b1, b2), across in zip(columns[:-1], columns[1:], crossing):
        _right(ax, a1, b1)
        _right(ax, a2, b2)
        if across:
            arrow(ax, edge(a1, "bottom", 0.75), edge(b2, "top", 0.25), color=ACROSS)
            arrow(ax, edge(a2, "top", 0.75), edge(b1, "bottom", 0.25), color=ACROSS)
    for j, text in pooled_after.items():
        label(ax, (xs[j] + xs[j + 1]) / 2, y1 + bh / 2 + 0.22, text, fontsize=7)
    return fig


# -------------------------------------------------------------------------------- DenseNet
def draw_dense_block(layers: int = 4, growth_rate: int = 4, in_channels: int | None = None,
                     *, transition: bool = True, max_drawn: int = 12) -> Figure:
    """A dense block: layer ``l`` reads the concatenation of the input ``x0`` and of every
    earlier layer's output, and adds ``growth_rate`` maps of its own.

    Follows Fig. 1 of Huang et al., "Densely Connected Convolutional Networks" (2017): four
    BN-ReLU-Conv layers H1-H4 with growth rate k = 4 and a transition layer that reads
    everything, five layers and 15 connections in all (L(L+1)/2 for L = 5). The figure
    does not give the input's width; the default is 2k, the width of DenseNet-BC's first
    convolution. Each stack of thin rectangles is a set of feature maps, one rectangle
    per map (at most ``max_drawn``; the number below is the real one).
    """
    k = growth_rate
    k0 = 2 * k if in_channels is None else in_channels
    n_receivers = layers + (1 if transition else 0)
    connections = n_receivers * (n_receivers + 1) // 2
    map_w, box_w, gap = 0.055, 0.42, 0.32
    stack_widths = [min(k0, max_drawn) * map_w] + [min(k, max_drawn) * map_w] * layers
    width = 0.3 + sum(w + gap for w in stack_widths) + layers * (box_w + gap)
    width += (0.95 + 0.2) if transition else 0.0
    height, y, h = 3.75, 1.35, 1.1
    fig, ax = canvas(width, height)
    total = k0 + layers * k
    _title(ax, width, height, f"a dense block with growth rate k = {k}: {layers} layers"
           + (" and a transition" if transition else "") + f", {connections} connections")
    x = 0.3
    stacks: list[tuple[float, float]] = []  # (centre, top) of each stack of maps
    receivers: list[FancyBboxPatch] = []
    for i, sw in enumerate(stack_widths):
        if i > 0:  # the layer H_i that makes stack i
            receivers.append(box(ax, x + box_w / 2, y, f"H{i}: BN-ReLU-Conv", width=box_w,
                                 height=h, rotation=90))
            label(ax, x + box_w / 2, y - h / 2 - 0.2, f"reads {k0 + (i - 1) * k}", fontsize=7.5)
            x += box_w + gap
            arrow(ax, (x - gap, y), (x, y))
        n = k0 if i == 0 else k
        for m in range(min(n, max_drawn)):
            ax.add_patch(plt.Rectangle((x + m * map_w, y - h / 2), map_w, h,
                                       facecolor=f"C{i % 10}", edgecolor="white",
                                       linewidth=0.5, alpha=0.75, gid="map"))
        stacks.append((x + sw / 2, y + h / 2))
        label(ax, x + sw / 2, y - h / 2 - 0.2, f"x{i}", fontsize=8.5)
        label(ax, x + sw / 2, y - h / 2 - 0.42, f"{n} maps", fontsize=7.5)
        x += sw + gap
    if transition:
        receivers.append(box(ax, x + 0.475, y, "transition\nBN-ReLU-\nconv 1x1,\n2x2 avg\npool",
                             width=0.95, height=h, color=POOL, fontsize=7.5))
        label(ax, x + 0.475, y - h / 2 - 0.2, f"reads {total}", fontsize=7.5)
    for r, receiver in enumerate(receivers):
        x_r, y_r = edge(receiver, "top", 0.5)
        for i in range(r + 1):
            sx, sy = stacks[i]
            end = (receiver.get_x() + receiver.get_width() * (0.2 + 0.6 * i / max(r, 1)), y_r)
            arrow(ax, (sx, sy), end, color=f"C{i % 10}", rad=-0.35, linewidth=0.9)
    label(ax, width / 2, 0.12, f"block output: {k0} + {layers} x {k} = {total} maps",
          fontsize=8)
    return fig


# ------------------------------------------------------------------------------------ DPN
def draw_dpn_block(residual: int = 256, dense: int = 48, bottleneck: int = 96,
                   groups: int = 32, increment: int = 16) -> Figure:
    """The dual path micro-block: one shared bottleneck whose output is split into a part
    added to the residual path and a part appended to the dense path.

    Follows Fig. 2(e) of Chen et al., "Dual Path Networks" (2017): the block reads the
    concatenation of both paths, computes 1x1, grouped 3x3 and 1x1 convolutions (each
    after BN-ReLU), adds the first ``residual`` output maps to the residual path (re-use)
    and concatenates the last ``increment`` to the dense path (explore). The defaults are
    the first stage of DPN-92 in the paper's Table 1 (1x1, 96; 3x3, 96, G = 32; 1x1,
    256 (+16)); ``dense=48`` is the dense path entering the stage's second block (2 x 16
    from the stage's projection, 16 from its first block).
    """
    width, height = 6.4, 5.9
    fig, ax = canvas(width, height)
    _title(ax, width, height, "a dual path block: one shared bottleneck, two paths")
    xr, xd, xm = 0.95, 5.45, 3.2
    res_in = box(ax, xr, 5.05, f"residual path\n{residual} maps", width=1.45, height=0.5,
                 color=RESIDUAL)
    dense_in = box(ax, xd, 5.05, f"dense path\n{dense} maps", width=1.45, height=0.5,
                   color=DENSE)
    cat_in = box(ax, xm, 4.2, f"concatenate\n{residual} + {dense} = {residual + dense}",
                 width=1.9, height=0.5, color=MERGE)
    arrow(ax, edge(res_in, "right"), edge(cat_in, "top", 0.3))
    arrow(ax, edge(dense_in, "left"), edge(cat_in, "top", 0.7))
    steps = [f"BN-ReLU-conv 1x1\n{residual + dense} → {bottleneck}",
             f"BN-ReLU-conv 3x3\n{bottleneck} → {bottleneck}, {groups} groups",
             f"BN-ReLU-conv 1x1\n{bottleneck} → {residual} + {increment}"]
    shared = [box(ax, xm, y, t, width=2.3, height=0.5) for y, t in zip((3.4, 2.65, 1.9), steps)]
    for a, b in zip([cat_in, *shared[:-1]], shared):
        _down(ax, a, b)
    add = box(ax, xr, 1.05, "+", width=0.42, shape="circle", color=RESIDUAL, fontsize=13)
    cat = box(ax, xd, 1.05, "concat", width=0.75, height=0.42, color=DENSE)
    arrow(ax, edge(res_in, "bottom"), edge(add, "top"), color=ACROSS)
    arrow(ax, edge(dense_in, "bottom"), edge(cat, "top"), color="C2")
    last = shared[-1]
    arrow(ax, edge(last, "bottom", 0.3), edge(add, "right"))
    arrow(ax, edge(last, "bottom", 0.7), edge(cat, "left"))
    label(ax, 1.95, 1.55, f"first {residual}", fontsize=8)
    label(ax, 4.45, 1.55, f"last {increment}", fontsize=8)
    label(ax, xr + 0.1, 2.65, "re-use:\nadd", fontsize=8.5, color=ACROSS, ha="left")
    label(ax, xd - 0.1, 2.65, "explore:\nappend", fontsize=8.5, color="C2", ha="right")
    res_out = box(ax, xr, 0.3, f"residual path\n{residual} maps", width=1.45, height=0.5,
                  color=RESIDUAL)
    dense_out = box(ax, xd, 0.3, f"dense path\n{dense} + {increment} = {dense + increment}",
                    width=1.45, height=0.5, color=DENSE)
    _down(ax, add, res_out)
    _down(ax, cat, dense_out)
    return fig


# ---------------------------------------------------------------------- ResNet and ResNeXt
def draw_residual_block(layers: Sequence[str] = ("weight layer", "weight layer")) -> Figure:
    """A plain block and a residual block, side by side: ``y = H(x)`` and ``y = F(x) + x``.

    Follows Fig. 2 of He et al., "Deep Residual Learning for Image Recognition" (2016):
    the layers of ``layers`` with a ReLU after each one; in the residual block an identity
    shortcut carries ``x`` around them and is added before the last ReLU.
    """
    panel, height = 3.3, 4.7
    fig, ax = canvas(2 * panel, height)
    steps: list[str] = []
    for layer in layers:
        steps += [layer, "ReLU"]
    ys = [3.3 - 0.7 * j for j in range(len(steps) - 1)]
    ys.append(ys[-1] - 1.0)  # room for the addition before the last ReLU
    for i, residual in enumerate((False, True)):
        xc = i * panel + 1.45
        x_box = box(ax, xc, 4.0, "x", width=0.45, height=0.32, color="white", fontsize=10)
        patches = [box(ax, xc, y, s, width=1.35, height=0.38,
                       color=MERGE if s == "ReLU" else CONV, fontsize=9)
                   for y, s in zip(ys, steps)]
        _down(ax, x_box, patches[0])
        for a, b in zip(patches[:-2], patches[1:-1]):
            _down(ax, a, b)
        fx_y = (ys[0] + ys[-2]) / 2
        if residual:
            plus = box(ax, xc, (ys[-2] + ys[-1]) / 2, "+", width=0.32, shape="circle",
                       color="white", fontsize=11)
            _down(ax, patches[-2], plus)
            _down(ax, plus, patches[-1])
            bypass = xc + 1.15
            arrow(ax, edge(x_box, "right"), (bypass, 4.0), (bypass, plus.get_y() + 0.16),
                  edge(plus, "right"), color=ACROSS)
            label(ax, bypass + 0.12, fx_y, "identity\nx", color=ACROSS, ha="left")
        else:
            _down(ax, patches[-2], patches[-1])
        name, formula, function = (("residual block", "y = F(x) + x", "F(x)") if residual
                                   else ("plain block", "y = H(x)", "H(x)"))
        label(ax, xc - 0.8, fx_y, function, fontsize=10, ha="right")
        label(ax, xc, 0.3, formula, fontsize=10)
        label(ax, xc, height - 0.22, name, fontsize=10)
    return fig


def _bottleneck_weights(channels: int, width: int, paths: int = 1) -> int:
    return paths * (channels * width + 9 * width * width + width * channels)


def draw_bottleneck_variants(channels: int = 256, width: int = 64, wide_factor: int = 2,
                             cardinality: int = 32, path_width: int = 4,
                             drawn_paths: int = 3) -> Figure:
    """Three residual blocks from ``channels`` to ``channels`` maps: the ResNet bottleneck,
    a wide bottleneck, and a ResNeXt block of ``cardinality`` paths, each panel with its
    number of convolution weights (no biases, no batch norm).

    Follows Fig. 1 of Xie et al., "Aggregated Residual Transformations for Deep Neural
    Networks" (2017): left the ResNet bottleneck (256, 1x1, 64; 64, 3x3, 64; 64, 1x1, 256),
    right the ResNeXt block with 32 paths (256, 1x1, 4; 4, 3x3, 4; 4, 1x1, 256) whose
    outputs are summed; each box reads "input maps, filter, output maps" as in the paper.
    The middle panel is Wide ResNet-50-2's block (Zagoruyko and Komodakis 2016, in
    torchvision's form: the inner width doubled). Of the ResNeXt paths, ``drawn_paths`` are
    drawn.
    """
    panel, height = 3.45, 4.9
    n_panels = 3
    fig, ax = canvas(panel * n_panels + 0.2, height)
    wide = width * wide_factor
    specs = [("ResNet bottleneck", width, 1),
             (f"wide bottleneck (x{wide_factor})", wide, 1),
             (f"ResNeXt: cardinality {cardinality}", path_width, cardinality)]
    for i, (title, w, paths) in enumerate(specs):
        x0 = i * panel
        xc = x0 + panel / 2 - 0.1
        weights = _bottleneck_weights(channels, w, paths)
        label(ax, x0 + panel / 2, height - 0.22, title, fontsize=9.5)
        label(ax, x0 + panel / 2, height - 0.48, f"{weights:,} weights", fontsize=8.5,
              color="0.3")
        inp = box(ax, xc, 4.0, f"{channels}-d in", width=0.95, height=0.3, color="white")
        n = min(paths, drawn_paths)
        if n == 1:
            xs = [xc]
            bw = 1.3
        else:  # the first paths side by side, a gap with dots, the last path
            xs = [x0 + 0.5 + 0.95 * j for j in range(n - 1)] + [x0 + panel - 0.7]
            bw = 0.8
            label(ax, (xs[-2] + xs[-1]) / 2, 2.35, ". . .", fontsize=11)
        layers = [f"{channels}, 1x1, {w}", f"{w}, 3x3, {w}", f"{w}, 1x1, {channels}"]
        bottoms = []
        for x in xs:
            column = [box(ax, x, y, t, width=bw, height=0.36, fontsize=7.5 if n > 1 else 8.5)
                      for y, t in zip((3.2, 2.35, 1.5), layers)]
            arrow(ax, edge(inp, "bottom"), edge(column[0], "top"))
            _down(ax, column[0], column[1])
            _down(ax, column[1], column[2])
            bottoms.append(column[2])
        plus = box(ax, xc, 0.75, "+", width=0.3, shape="circle", color="white", fontsize=10)
        for b in bottoms:
            arrow(ax, edge(b, "bottom"), edge(plus, "top"))
        if n > 1:
            label(ax, xc + 0.25, 0.42, f"sum of {paths} paths", fontsize=7.5, color="0.3",
                  ha="left")
        right = x0 + panel - 0.12
        arrow(ax, edge(inp, "right"), (right, 4.0), (right, 0.75), edge(plus, "right"),
              color=ACROSS)
        label(ax, right + 0.1, 2.35, "identity", fontsize=7.5, color=ACROSS, rotation=90)
        arrow(ax, edge(plus, "bottom"), (xc, 0.33))
        label(ax, xc, 0.2, f"{channels}-d out", fontsize=8)
    return fig


# ----------------------------------------------------------------------- transfer learning
def draw_fine_tuning(params: Mapping[str, int], strategies: Mapping[str, tuple[str, str]],
                     title: str = "") -> Figure:
    """Which layer groups each transfer-learning strategy trains.

    ``params`` maps the network's layer groups, from input to output, to their number of
    parameters; ``strategies`` maps a strategy's name to ``(first group that trains,
    initial weights)``, the weights being ``"imagenet"`` or ``"random"``. The last group
    is the new classifier. Each row is a strategy: grey groups stay frozen, orange ones
    train further from the pretrained weights, green is the new layer, red means that
    everything starts from random weights.
    """
    names = list(params)
    cell, row_h, left = 0.78, 0.62, 2.3
    width = left + cell * len(names) + 0.15
    height = 0.55 + row_h * len(strategies) + 0.7
    fig, ax = canvas(width, height)
    if title:
        _title(ax, width, height, title)
    colors = {"frozen": "lightgray", "trained": "tab:orange", "new": "tab:green",
              "random": "tab:red"}
    for row, (name, (first, init)) in enumerate(strategies.items()):
        y = height - 0.55 - row_h * (row + 0.5)
        label(ax, left - 0.15, y, name, fontsize=8, ha="right")
        trains = False
        for col, group in enumerate(names):
            trains = trains or group == first
            if init == "random":
                kind = "random"
            elif col == len(names) - 1:
                kind = "new"
            else:
                kind = "trained" if trains else "frozen"
            box(ax, left + cell * (col + 0.5), y, group, width=cell - 0.08,
                height=row_h - 0.1, color=colors[kind], fontsize=7)
    y_params = height - 0.55 - row_h * len(strategies) - 0.15
    label(ax, left - 0.15, y_params, "parameters", fontsize=7, ha="right")
    for col, group in enumerate(names):
        label(ax, left + cell * (col + 0.5), y_params, f"{params[group] / 1e3:,.0f}k",
              fontsize=7)
    handles = [Patch(color=c) for c in colors.values()]
    ax.legend(handles, ["frozen pretrained weights", "pretrained, trained further",
                        "new layer, random start", "everything random"],
              loc="lower center", ncol=4, fontsize=8, frameon=False,
              bbox_to_anchor=(0.5, 0.0))
    return fig
