"""Network in Network (Lin, Chen and Yan, "Network In Network", ICLR 2014).

A convolution is a linear filter followed by a non-linearity. NiN replaces it by a small
multilayer perceptron slid over the image, the **mlpconv** block: an ordinary ``k x k``
convolution, then two 1x1 convolutions (a fully connected layer applied to the channels
of each pixel), each followed by a ReLU. The classifier is **global average pooling**: the
last block has one map per class, and the class score is the average of its map, with no
fully connected layer at all.

The full-size network is the authors' ImageNet model (released with their Caffe code; the
paper itself reports CIFAR-10, CIFAR-100, SVHN and MNIST), for 224x224 inputs:

===== =========================== ===== ===================================
block first convolution           width maps after it
===== =========================== ===== ===================================
1     11x11, stride 4, no padding 96    54x54, then a 3x3/2 max pool: 27x27
2     5x5, padding 2              256   27x27, then a 3x3/2 max pool: 13x13
3     3x3, padding 1              384   13x13, then a 3x3/2 max pool: 6x6
4     3x3, padding 1              1024  6x6 (dropout 0.5 on its input)
===== =========================== ===== ===================================

Each block's two 1x1 convolutions keep its width, except the last one of block 4, which
gives ``num_classes`` maps; they are averaged over the 6x6 positions. Every convolution,
the last included, is followed by a ReLU (as in the released model); the pools round up
(Caffe's rule), which gives 54 -> 27 -> 13 -> 6. With 1000 classes: 7,595,176 parameters.

``size="small"`` is the same design for 28x28 images, three blocks of 32, 64 and 128 maps:
block 1 starts with a 5x5 convolution of stride 2 (28 -> 14, as the ImageNet model's first
convolution has stride 4) and is followed by the only pool (14 -> 7); blocks 2 and 3 start
with 3x3 convolutions and work at 7x7, so the class maps are 7x7. Small networks put batch
norm after every convolution unless told not to (``batch_norm=False``); the full-size
network has none (it predates batch norm).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import nn

from . import register
from .layers import ConvBlock, check_size


class BlockSpec(NamedTuple):
    """One mlpconv block: its width, its first (spatial) convolution, and whether a 3x3
    max pool with stride 2 follows it (never after the last block)."""

    width: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    pool: bool = True


FULL_BLOCKS: tuple[BlockSpec, ...] = (
    BlockSpec(96, 11, stride=4, padding=0),
    BlockSpec(256, 5, padding=2),
    BlockSpec(384, 3, padding=1),
    BlockSpec(1024, 3, padding=1),
)
SMALL_BLOCKS: tuple[BlockSpec, ...] = (
    BlockSpec(32, 5, stride=2, padding=2),
    BlockSpec(64, 3, padding=1, pool=False),
    BlockSpec(128, 3, padding=1),
)


class MLPConv(nn.Sequential):
    """The mlpconv block: ``conv k x k -> ReLU -> conv 1x1 -> ReLU -> conv 1x1 -> ReLU``.

    Children ``conv``, ``mlp1``, ``mlp2`` (each a :class:`~utils.models.layers.ConvBlock`:
    a convolution, optional batch norm, a ReLU). The first two convolutions have
    ``width`` output maps, the last ``out_channels`` (default ``width``).
    """

    def __init__(self, in_channels: int, width: int, kernel_size: int, stride: int = 1,
                 padding: int = 0, out_channels: int | None = None,
                 batch_norm: bool = False):
        super().__init__()
        out = width if out_channels is None else out_channels
        self.conv = ConvBlock(in_channels, width, kernel_size, stride=stride, padding=padding,
                              batch_norm=batch_norm)
        self.mlp1 = ConvBlock(width, width, 1, batch_norm=batch_norm)
        self.mlp2 = ConvBlock(width, out, 1, batch_norm=batch_norm)


class NiN(nn.Module):
    """``features`` (``block1``, ``pool1``, ..., the last block with the class maps),
    ``avgpool`` (global average pooling) and ``flatten``: no fully connected layer."""

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, size: str = "full",
                 batch_norm: bool | None = None, dropout: float = 0.5,
                 blocks: Sequence[BlockSpec] | None = None):
        super().__init__()
        check_size(size)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout is a probability in [0, 1), not {dropout}")
        if batch_norm is None:
            batch_norm = size == "small"
        specs = tuple(blocks) if blocks is not None else (
            FULL_BLOCKS if size == "full" else SMALL_BLOCKS)
        if len(specs) < 2:
            raise ValueError("NiN needs at least two mlpconv blocks")
        self.features = nn.Sequential()
        c = in_channels
        for i, spec in enumerate(specs):
            last = i == len(specs) - 1
            if last:
                self.features.add_module("dropout", nn.Dropout(dropout))
            self.features.add_module(f"block{i + 1}", MLPConv(
                c, spec.width, spec.kernel_size, spec.stride, spec.padding,
                out_channels=num_classes if last else None, batch_norm=batch_norm))
            if not last and spec.pool:
                self.features.add_module(f"pool{i + 1}",
                                         nn.MaxPool2d(3, stride=2, ceil_mode=True))
            c = spec.width
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.flatten(self.avgpool(self.features(x)))


@register("nin", "network_in_network")
def nin(num_classes: int = 1000, in_channels: int = 3, size: str = "full",
        batch_norm: bool | None = None, dropout: float = 0.5,
        blocks: Sequence[BlockSpec] | None = None) -> NiN:
    """Network in Network: the authors' ImageNet layout, or ``size="small"`` for 28x28;
    ``blocks`` (a list of :class:`BlockSpec`) builds any other stack of mlpconv blocks."""
    return NiN(num_classes, in_channels, size, batch_norm, dropout, blocks)
