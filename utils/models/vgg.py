"""VGG (Simonyan and Zisserman, "Very Deep Convolutional Networks", 2014).

Only 3x3 convolutions (stride 1, padding 1) in five stages, each ending in a 2x2 max pool
with stride 2; the widths double from stage to stage (64, 128, 256, 512, 512); then three
fully connected layers (4096, 4096, 1000). The paper's Table 1 names six configurations:

====== ======== =====================================================================
config layers   stage widths x convolutions
====== ======== =====================================================================
A      11       1, 1, 2, 2, 2
A-LRN  11       as A, with local response normalisation after the first convolution
B      13       2, 2, 2, 2, 2
C      16       2, 2, 3, 3, 3, the third convolution of stages 3-5 being 1x1
D      16       2, 2, 3, 3, 3 (VGG-16)
E      19       2, 2, 4, 4, 4 (VGG-19)
====== ======== =====================================================================

With 1000 classes, A/B/D/E have 132,863,336 / 133,047,848 / 138,357,544 / 143,667,240
parameters (torchvision's counts). ``batch_norm=True`` puts batch norm after every
convolution (not in the paper, which predates it).

``size="small"`` keeps each configuration's convolutions, 16 to 128 channels wide, for
28x28 images: only stages 1-3 pool (28 -> 14 -> 7 -> 3), stages 4 and 5 work at 3x3, and
the fully connected layers have 256 units. Small networks use batch norm unless told not
to (``batch_norm=False``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from . import register
from .layers import LRN, ConvBlock, FCHead, check_size

Stage = Sequence[int]
"""Kernel sizes of the convolutions of one stage (3, or 1 for config C's 1x1 layers)."""

CONFIGS: dict[str, tuple[Stage, ...]] = {
    "A": ((3,), (3,), (3, 3), (3, 3), (3, 3)),
    "A-LRN": ((3,), (3,), (3, 3), (3, 3), (3, 3)),
    "B": ((3, 3), (3, 3), (3, 3), (3, 3), (3, 3)),
    "C": ((3, 3), (3, 3), (3, 3, 1), (3, 3, 1), (3, 3, 1)),
    "D": ((3, 3), (3, 3), (3, 3, 3), (3, 3, 3), (3, 3, 3)),
    "E": ((3, 3), (3, 3), (3, 3, 3, 3), (3, 3, 3, 3), (3, 3, 3, 3)),
}
FULL_WIDTHS = (64, 128, 256, 512, 512)
SMALL_WIDTHS = (16, 32, 64, 128, 128)
SMALL_POOLS = (True, True, True, False, False)
SMALL_HIDDEN = 256


def make_stage(in_channels: int, width: int, kernels: Stage, batch_norm: bool,
               lrn_after_first: bool = False, pool: bool = True) -> nn.Sequential:
    """One VGG stage: a ConvBlock per kernel size in ``kernels``, then a 2x2 max pool."""
    stage = nn.Sequential()
    for i, k in enumerate(kernels):
        stage.add_module(f"conv{i + 1}", ConvBlock(in_channels if i == 0 else width, width, k,
                                                   batch_norm=batch_norm))
        if i == 0 and lrn_after_first:
            stage.add_module("norm", LRN())
    if pool:
        stage.add_module("pool", nn.MaxPool2d(2, stride=2))
    return stage


class VGG(nn.Module):
    """``features`` (``stage1`` ... ``stage5``), ``avgpool``, ``classifier``."""

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, config: str = "D",
                 size: str = "full", batch_norm: bool | None = None, dropout: float = 0.5):
        super().__init__()
        check_size(size)
        key = config.upper()
        if key not in CONFIGS:
            raise ValueError(f"unknown VGG configuration {config!r}: use one of "
                             f"{', '.join(CONFIGS)}")
        if batch_norm is None:
            batch_norm = size == "small"
        widths = FULL_WIDTHS if size == "full" else SMALL_WIDTHS
        pools = (True,) * 5 if size == "full" else SMALL_POOLS
        self.config = key
        self.features = nn.Sequential()
        c = in_channels
        for i, (kernels, width, pool) in enumerate(zip(CONFIGS[key], widths, pools)):
            self.features.add_module(f"stage{i + 1}", make_stage(
                c, width, kernels, batch_norm, lrn_after_first=key == "A-LRN" and i == 0,
                pool=pool))
            c = width
        if size == "full":
            self.avgpool: nn.Module = nn.AdaptiveAvgPool2d((7, 7))  # 7x7 already for 224
            self.classifier = FCHead(c * 7 * 7, 4096, num_classes, dropout)
        else:
            self.avgpool = nn.Identity()
            self.classifier = FCHead(c * 3 * 3, SMALL_HIDDEN, num_classes, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.avgpool(self.features(x)))


@register("vgg")
def vgg(num_classes: int = 1000, in_channels: int = 3, config: str = "D", size: str = "full",
        batch_norm: bool | None = None, dropout: float = 0.5) -> VGG:
    """VGG in configuration ``config`` (``"A"``, ``"A-LRN"``, ``"B"``, ``"C"``, ``"D"``,
    ``"E"``); ``batch_norm`` defaults to off at full size and on for ``size="small"``."""
    return VGG(num_classes, in_channels, config, size, batch_norm, dropout)


def _named(config: str) -> Callable[..., VGG]:
    """A builder of configuration ``config`` with the common options."""

    def build(num_classes: int = 1000, in_channels: int = 3, size: str = "full",
              batch_norm: bool | None = None, dropout: float = 0.5) -> VGG:
        return VGG(num_classes, in_channels, config, size, batch_norm, dropout)

    build.__doc__ = f"VGG configuration {config} (see :func:`vgg`)."
    return build


vgg11 = register("vgg11")(_named("A"))
vgg11_lrn = register("vgg11_lrn")(_named("A-LRN"))
vgg13 = register("vgg13")(_named("B"))
vgg16_1x1 = register("vgg16_1x1")(_named("C"))
vgg16 = register("vgg16")(_named("D"))
vgg19 = register("vgg19")(_named("E"))
