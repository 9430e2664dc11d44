"""Architecture diagrams: what each picture contains, and that nothing in it collides."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from utils import diagrams  # noqa: E402

STRATEGIES = {"frozen + new head": ("fc", "imagenet"), "fine-tune the top": ("stage2", "imagenet"),
              "from scratch": ("stem", "random")}
PARAMS = {"stem": 1_000, "stage1": 20_000, "stage2": 300_000, "head": 400_000, "fc": 1_281_000}

DEFAULTS: dict[str, Callable[[], Figure]] = {
    "inception": diagrams.draw_inception,
    "googlenet": diagrams.draw_googlenet,
    "alexnet": diagrams.draw_alexnet_towers,
    "dense_block": diagrams.draw_dense_block,
    "dpn_block": diagrams.draw_dpn_block,
    "residual_block": diagrams.draw_residual_block,
    "bottleneck_variants": diagrams.draw_bottleneck_variants,
    "fine_tuning": lambda: diagrams.draw_fine_tuning(PARAMS, STRATEGIES, title="strategies"),
}


@pytest.fixture()
def draw() -> Iterator[Callable[..., Figure]]:
    """Call a drawing function and close every figure it made afterwards."""
    figures: list[Figure] = []

    def call(fn: Callable[..., Figure], *args: object, **kwargs: object) -> Figure:
        fig = fn(*args, **kwargs)
        assert isinstance(fig, Figure)
        figures.append(fig)
        return fig

    yield call
    for fig in figures:
        plt.close(fig)


def patches(fig: Figure, gid: str) -> list:
    return [p for ax in fig.axes for p in ax.patches if p.get_gid() == gid]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def joined(fig: Figure) -> str:
    return "\n".join(texts(fig))


def red_arrows(fig: Figure) -> int:
    red = to_rgba(diagrams.ACROSS)
    return sum(p.get_edgecolor() == red for p in patches(fig, diagrams.ARROW))


# ------------------------------------------------------------------------------ primitives
def test_primitives_draw_what_they_say(draw):
    fig, ax = diagrams.canvas(4, 3)
    try:
        assert tuple(fig.get_size_inches()) == (4, 3) and ax.get_xlim() == (0, 4)
        b = diagrams.box(ax, 2, 1.5, "conv", width=1.0, height=0.5)
        assert diagrams.edge(b, "top") == (2, 1.75) and diagrams.edge(b, "left") == (1.5, 1.5)
        assert diagrams.edge(b, "bottom", 0.25) == (1.75, 1.25)
        c = diagrams.box(ax, 0.5, 0.5, "+", width=0.4, shape="circle")
        assert diagrams.edge(c, "right") == (0.7, 0.5)
        straight = diagrams.arrow(ax, (0, 0), (1, 1))
        bent = diagrams.arrow(ax, (0, 0), (0, 1), (1, 1), color="C3")
        diagrams.label(ax, 1, 1, "note")
        assert straight.get_gid() == bent.get_gid() == diagrams.ARROW
        assert len(patches(fig, diagrams.BOX)) == 2 and len(patches(fig, diagrams.ARROW)) == 2
        assert texts(fig) == ["conv", "+", "note"]
        with pytest.raises(ValueError, match="shape"):
            diagrams.box(ax, 1, 1, "x", shape="hexagon")
        with pytest.raises(ValueError, match="side"):
            diagrams.edge(b, "middle")
        with pytest.raises(ValueError, match="two points"):
            diagrams.arrow(ax, (0, 0))
    finally:
        plt.close(fig)


# ------------------------------------------------------------------------------- Inception
def test_inception_modules_show_table_1_numbers(draw):
    from utils.models.googlenet import TABLE

    fig = draw(diagrams.draw_inception)
    # naive: previous layer, 4 branches, concatenation; reduced: 3 more boxes in front
    assert len(patches(fig, diagrams.BOX)) == 6 + 9
    assert len(patches(fig, diagrams.ARROW)) == 8 + 11
    text = joined(fig)
    for part in ("192 → 64", "192 → 96", "96 → 128", "192 → 16", "16 → 32", "192 → 32",
                 "28x28x192", "64 + 128 + 32 + 192 = 416 maps",
                 "64 + 128 + 32 + 32 = 256 maps"):
        assert part in text, part
    # the defaults are module 3a of the zoo's table
    w = TABLE["3a"]
    assert joined(draw(diagrams.draw_inception, *w)) == text
    assert w.out_channels == 256


def test_inception_labels_follow_the_arguments(draw):
    w = (192, 96, 208, 16, 48, 64)  # module 4a
    text = joined(draw(diagrams.draw_inception, *w, in_channels=480, size=14, name="4a"))
    for part in ("480 → 192", "96 → 208", "16 → 48", "480 → 64", "14x14x480",
                 "192 + 208 + 48 + 64 = 512 maps", "192 + 208 + 48 + 480 = 928 maps",
                 "module 4a"):
        assert part in text, part
    assert "28x28x192" not in text


def test_googlenet_layout(draw):
    from utils.models.googlenet import TABLE

    assert diagrams.GOOGLENET_MODULES == tuple((n, w.out_channels) for n, w in TABLE.items())
    fig = draw(diagrams.draw_googlenet)
    # stem row 6, stage 3: 2 modules + pool, stage 4: 5 + pool, stage 5: 2 + head of 4; aux 2
    assert len(patches(fig, diagrams.BOX)) == 6 + 3 + 6 + 6 + 2
    assert len(patches(fig, diagrams.ARROW)) == (5 + 2 + 5 + 5) + 3 + 2
    text = joined(fig)
    for name, maps in diagrams.GOOGLENET_MODULES:
        assert f"{name}\n{maps} maps" in text
    for part in ("224x224x3", "conv 7x7/2\n64 maps", "conv 3x3\n192 maps", "avg pool\n7x7",
                 "dropout\n40%", "FC\n1000", "auxiliary classifier on 4a",
                 "auxiliary classifier on 4d", "loss × 0.3", "stage 3\n28x28",
                 "stage 4\n14x14", "stage 5\n7x7", "9 Inception modules"):
        assert part in text, part
    assert text.count("max pool\n3x3/2") == 4


def test_googlenet_arguments(draw):
    fig = draw(diagrams.draw_googlenet, aux_after=(), input_size=448, num_classes=10)
    assert len(patches(fig, diagrams.BOX)) == 21
    text = joined(fig)
    assert "auxiliary" not in text and "448x448x3" in text and "stage 5\n14x14" in text
    assert "FC\n10" in text
    modules = list(diagrams.GOOGLENET_MODULES)
    modules[0] = ("3a", 300)
    assert "3a\n300 maps" in joined(draw(diagrams.draw_googlenet, modules))


# --------------------------------------------------------------------------------- AlexNet
def test_alexnet_towers_follow_figure_2(draw):
    fig = draw(diagrams.draw_alexnet_towers)
    # input, 5 conv and 2 FC layers on each GPU, the output layer
    assert len(patches(fig, diagrams.BOX)) == 1 + 2 * 7 + 1
    # 2 into conv1, 2 straight per step between the 7 columns, 2 into fc8, 2 crossing at
    # conv3, fc6 and fc7
    assert len(patches(fig, diagrams.ARROW)) == 2 + 2 * 6 + 2 + 2 * 3
    assert red_arrows(fig) == 6
    text = joined(fig)
    for part in ("conv1\n11x11/4\n48 maps\n55x55", "conv2\n5x5\n128 maps\n27x27",
                 "conv3\n3x3\n192 maps\n13x13", "conv5\n3x3\n128 maps\n13x13",
                 "fc6\n2048\nunits", "fc8\n1000\nsoftmax", "227x\n227x3"):
        assert part in text, part
    assert text.count("LRN +\nmax pool") == 2 and text.count("max pool") == 3


def test_alexnet_towers_arguments(draw):
    one_tower = draw(diagrams.draw_alexnet_towers, groups=(1, 1, 1, 1, 1))
    assert red_arrows(one_tower) == 2 * 6  # every layer reads both halves
    text = joined(draw(diagrams.draw_alexnet_towers, (64, 192, 384, 256, 256), fc=(2048, 2048),
                       num_classes=10, input_size=224))
    assert "conv1\n11x11/4\n32 maps\n54x54" in text and "fc7\n1024\nunits" in text
    assert "fc8\n10\nsoftmax" in text and "48 maps" not in text


# -------------------------------------------------------------------------------- DenseNet
def test_dense_block_connections(draw):
    fig = draw(diagrams.draw_dense_block)
    # 4 layers and a transition; 15 connections plus one arrow from each layer to its maps
    assert len(patches(fig, diagrams.BOX)) == 5
    assert len(patches(fig, diagrams.ARROW)) == 15 + 4
    assert len(patches(fig, "map")) == 8 + 4 * 4
    text = joined(fig)
    for part in ("growth rate k = 4", "15 connections", "8 maps", "reads 8", "reads 12",
                 "reads 20", "reads 24", "8 + 4 x 4 = 24 maps", "x4"):
        assert part in text, part


def test_dense_block_arguments(draw):
    fig = draw(diagrams.draw_dense_block, layers=6, growth_rate=32, in_channels=64,
               transition=False)
    assert len(patches(fig, diagrams.BOX)) == 6
    assert len(patches(fig, diagrams.ARROW)) == 6 * 7 // 2 + 6
    assert len(patches(fig, "map")) == 7 * 12  # at most 12 maps drawn per stack
    text = joined(fig)
    assert "growth rate k = 32" in text and "21 connections" in text and "transition" not in text
    assert "64 + 6 x 32 = 256 maps" in text and "reads 224" in text and "32 maps" in text


# ------------------------------------------------------------------------------------- DPN
def test_dpn_block_split_and_numbers(draw):
    from utils.models.dpn import CONFIGS

    cfg = CONFIGS["dpn92"]
    fig = draw(diagrams.draw_dpn_block)
    assert len(patches(fig, diagrams.BOX)) == 10
    assert len(patches(fig, diagrams.ARROW)) == 11
    text = joined(fig)
    for part in ("256 + 48 = 304", "304 → 96", "96 → 96, 32 groups", "96 → 256 + 16",
                 "first 256", "last 16", "48 + 16 = 64", "+", "concat"):
        assert part in text, part
    # the defaults are DPN-92's first stage, second block
    assert (cfg["widths"][0], cfg["k_r"], cfg["groups"], cfg["increments"][0]) == (256, 96, 32,
                                                                                  16)
    assert 48 == 2 * 16 + 16
    other = joined(draw(diagrams.draw_dpn_block, residual=64, dense=80, bottleneck=128,
                        groups=32, increment=16))
    assert "64 + 80 = 144" in other and "128 → 64 + 16" in other and "80 + 16 = 96" in other


# ------------------------------------------------------------------------ ResNet, ResNeXt
def test_residual_block(draw):
    fig = draw(diagrams.draw_residual_block)
    assert len(patches(fig, diagrams.BOX)) == 5 + 6
    assert len(patches(fig, diagrams.ARROW)) == 4 + 6
    assert red_arrows(fig) == 1  # the identity shortcut
    text = joined(fig)
    assert "y = F(x) + x" in text and "y = H(x)" in text and text.count("weight layer") == 4
    fig3 = draw(diagrams.draw_residual_block, ("3x3, 64", "3x3, 64", "3x3, 64"))
    assert joined(fig3).count("3x3, 64") == 6 and len(patches(fig3, diagrams.BOX)) == 7 + 8


def test_bottleneck_variants(draw):
    fig = draw(diagrams.draw_bottleneck_variants)
    assert len(patches(fig, diagrams.BOX)) == 5 + 5 + 11
    assert len(patches(fig, diagrams.ARROW)) == 6 + 6 + 14
    text = joined(fig)
    for part in ("256, 1x1, 64", "64, 3x3, 64", "64, 1x1, 256", "128, 3x3, 128",
                 "256, 1x1, 4", "4, 3x3, 4", "4, 1x1, 256", "cardinality 32",
                 "sum of 32 paths", "69,632 weights", "212,992 weights", "70,144 weights"):
        assert part in text, part
    text = joined(draw(diagrams.draw_bottleneck_variants, cardinality=8, path_width=14))
    assert "8 paths" in text and "14, 3x3, 14" in text
    assert f"{8 * (256 * 14 + 9 * 14 * 14 + 14 * 256):,} weights" in text


def test_fine_tuning(draw):
    fig = draw(DEFAULTS["fine_tuning"])
    assert len(patches(fig, diagrams.BOX)) == len(STRATEGIES) * len(PARAMS)
    colours = [p.get_facecolor() for p in patches(fig, diagrams.BOX)]
    rgba = to_rgba
    # row 1: all frozen but the new fc; row 2: stage2 on; row 3: everything random
    assert colours[:5] == [rgba("lightgray")] * 4 + [rgba("tab:green")]
    assert colours[5:10] == [rgba("lightgray")] * 2 + [rgba("tab:orange")] * 2 + [
        rgba("tab:green")]
    assert colours[10:] == [rgba("tab:red")] * 5
    assert "1,281k" in joined(fig) and "300k" in joined(fig)


# ------------------------------------------------------------------------- readable layout
def _extents(fig: Figure) -> tuple[list[tuple[str, Bbox]], list[tuple[object, Bbox]]]:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    text_boxes = [(t, t.get_window_extent(renderer)) for ax in fig.axes for t in ax.texts
                  if t.get_text().strip()]
    box_boxes = [(p, p.get_window_extent(renderer)) for p in patches(fig, diagrams.BOX)]
    return text_boxes, box_boxes


def _overlap(a: Bbox, b: Bbox, margin: float = 1.0) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > margin
            and min(a.y1, b.y1) - max(a.y0, b.y0) > margin)


@pytest.mark.parametrize("name", list(DEFAULTS))
def test_nothing_collides(draw, name):
    fig = draw(DEFAULTS[name])
    text_boxes, box_boxes = _extents(fig)
    page = fig.bbox
    for t, e in text_boxes:
        assert page.x0 <= e.x0 and e.x1 <= page.x1 and page.y0 <= e.y0 and e.y1 <= page.y1, \
            f"{t.get_text()!r} leaves the figure"
    for i, (t, e) in enumerate(text_boxes):
        for u, f in text_boxes[i + 1:]:
            assert not _overlap(e, f), f"{t.get_text()!r} overlaps {u.get_text()!r}"
    for i, (_, e) in enumerate(box_boxes):
        for _, f in box_boxes[i + 1:]:
            assert not _overlap(e, f), "two boxes overlap"
    # every box holds its own text, and no free label sits on a box
    centres = {}
    for p, e in box_boxes:
        centres[(round(p.get_x() + p.get_width() / 2, 6),
                 round(p.get_y() + p.get_height() / 2, 6))] = e
    for t, e in text_boxes:
        if t.get_gid() == diagrams.BOX_TEXT:
            x, y = t.get_position()
            outer = centres[(round(x, 6), round(y, 6))]
            assert (outer.x0 <= e.x0 and e.x1 <= outer.x1 and outer.y0 <= e.y0
                    and e.y1 <= outer.y1), f"{t.get_text()!r} sticks out of its box"
        else:
            for _, f in box_boxes:
                assert not _overlap(e, f), f"label {t.get_text()!r} lies on a box"
