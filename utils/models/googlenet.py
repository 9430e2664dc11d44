"""GoogLeNet / Inception v1 (Szegedy et al., "Going Deeper with Convolutions", 2014).

A stem of ordinary convolutions, nine Inception modules in three groups separated by max
pools, global average pooling and one fully connected layer:

``stem (conv 7x7/2, pool, conv 1x1, conv 3x3, pool) -> 3a 3b -> pool -> 4a 4b 4c 4d 4e ->
pool -> 5a 5b -> global average pool -> dropout -> fc``

An Inception module runs four branches side by side and concatenates their maps: a 1x1
convolution; a 1x1 "reduce" then a 3x3; a 1x1 reduce then a 5x5; a 3x3 max pool then a
1x1 "pool projection". The widths below are the paper's Table 1.

The full-size network follows torchvision's layout, whose counts the book reproduces:
every convolution is ``conv (no bias) -> batch norm (eps 0.001) -> ReLU`` and, by a
long-standing quirk of that implementation, the "5x5" branch uses a 3x3 kernel. With 1000
classes that gives 6,624,904 parameters, and 13,004,888 with the two auxiliary
classifiers (``aux_logits=True``), which sit on top of 4a and 4d. ``paper_5x5=True`` uses
real 5x5 kernels, ``batch_norm=False`` the paper's plain biased convolutions.

In training mode with ``aux_logits=True`` the model returns ``(logits, aux1, aux2)``; train
it with :func:`googlenet_loss` (main loss + 0.3 x each auxiliary loss). In evaluation mode
it returns the logits only: the auxiliary heads are for training.

``size="small"`` is the same network for 28x28 images: every width divided by 4, a
3x3 stem with two pools (28 -> 14 -> 7), so that the three groups of modules work at 7x7,
3x3 and 2x2; the auxiliary heads pool to 2x2 and have 32 maps and 256 hidden units.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from . import register
from .layers import ConvBlock, check_size


class InceptionWidths(NamedTuple):
    """Output channels of the branches of one Inception module (Table 1 of the paper)."""

    ch1x1: int
    ch3x3_reduce: int
    ch3x3: int
    ch5x5_reduce: int
    ch5x5: int
    pool_proj: int

    @property
    def out_channels(self) -> int:
        return self.ch1x1 + self.ch3x3 + self.ch5x5 + self.pool_proj

    def scaled(self, divisor: int) -> InceptionWidths:
        return InceptionWidths(*(max(1, c // divisor) for c in self))


TABLE: dict[str, InceptionWidths] = {
    "3a": InceptionWidths(64, 96, 128, 16, 32, 32),
    "3b": InceptionWidths(128, 128, 192, 32, 96, 64),
    "4a": InceptionWidths(192, 96, 208, 16, 48, 64),
    "4b": InceptionWidths(160, 112, 224, 24, 64, 64),
    "4c": InceptionWidths(128, 128, 256, 24, 64, 64),
    "4d": InceptionWidths(112, 144, 288, 32, 64, 64),
    "4e": InceptionWidths(256, 160, 320, 32, 128, 128),
    "5a": InceptionWidths(256, 160, 320, 32, 128, 128),
    "5b": InceptionWidths(384, 192, 384, 48, 128, 128),
}
SMALL_DIVISOR = 4


class NaiveInception(nn.Module):
    """The first idea of the paper: 1x1, 3x3 and 5x5 convolutions and a 3x3 max pool side
    by side on the same input, concatenated (the pool branch keeps all input channels)."""

    def __init__(self, in_channels: int, ch1x1: int, ch3x3: int, ch5x5: int):
        super().__init__()
        self.branch1 = ConvBlock(in_channels, ch1x1, 1)
        self.branch2 = ConvBlock(in_channels, ch3x3, 3)
        self.branch3 = ConvBlock(in_channels, ch5x5, 5)
        self.branch4 = nn.MaxPool2d(3, stride=1, padding=1)
        self.out_channels = ch1x1 + ch3x3 + ch5x5 + in_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class Inception(nn.Module):
    """The Inception module with 1x1 bottlenecks ("dimension reductions")."""

    def __init__(self, in_channels: int, widths: InceptionWidths, batch_norm: bool = True,
                 five_kernel: int = 3):
        super().__init__()

        def block(cin: int, cout: int, k: int) -> ConvBlock:
            return ConvBlock(cin, cout, k, batch_norm=batch_norm, bn_eps=1e-3)

        w = widths
        self.branch1 = block(in_channels, w.ch1x1, 1)
        self.branch2 = nn.Sequential(block(in_channels, w.ch3x3_reduce, 1),
                                     block(w.ch3x3_reduce, w.ch3x3, 3))
        self.branch3 = nn.Sequential(block(in_channels, w.ch5x5_reduce, 1),
                                     block(w.ch5x5_reduce, w.ch5x5, five_kernel))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     block(in_channels, w.pool_proj, 1))
        self.out_channels = w.out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class AuxClassifier(nn.Module):
    """Auxiliary head: average pool to ``pool x pool``, 1x1 conv, fc + ReLU, dropout 0.7, fc."""

    def __init__(self, in_channels: int, num_classes: int, pool: int = 4, width: int = 128,
                 hidden: int = 1024, batch_norm: bool = True, dropout: float = 0.7):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d((pool, pool))
        self.conv = ConvBlock(in_channels, width, 1, batch_norm=batch_norm, bn_eps=1e-3)
        self.fc1 = nn.Linear(width * pool * pool, hidden)
        self.relu = nn.ReLU(inplace=True)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(self.avgpool(x)).flatten(1)
        return self.fc2(self.dropout(self.relu(self.fc1(x))))


class GoogLeNet(nn.Module):
    """``stem``, ``inception3a`` ... ``inception5b`` with pools between groups, ``avgpool``,
    ``dropout``, ``fc``; ``aux1``/``aux2`` when ``aux_logits``."""

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, size: str = "full",
                 aux_logits: bool = False, batch_norm: bool = True, paper_5x5: bool = False,
                 dropout: float = 0.4):
        super().__init__()
        check_size(size)
        full = size == "full"
        divisor = 1 if full else SMALL_DIVISOR
        widths = {name: w.scaled(divisor) for name, w in TABLE.items()}
        five = 5 if paper_5x5 else 3

        def block(cin: int, cout: int, k: int, stride: int = 1) -> ConvBlock:
            return ConvBlock(cin, cout, k, stride=stride, batch_norm=batch_norm, bn_eps=1e-3)

        c64, c192 = 64 // divisor, 192 // divisor
        if full:  # 224 -> 112 -> 56 -> 56 -> 28
            self.stem = nn.Sequential(
                block(in_channels, c64, 7, stride=2), nn.MaxPool2d(3, 2, ceil_mode=True),
                block(c64, c64, 1), block(c64, c192, 3), nn.MaxPool2d(3, 2, ceil_mode=True))
        else:  # 28 -> 14 -> 7
            self.stem = nn.Sequential(
                block(in_channels, c64, 3), nn.MaxPool2d(3, 2, ceil_mode=True),
                block(c64, c64, 1), block(c64, c192, 3), nn.MaxPool2d(3, 2, ceil_mode=True))
        c = c192
        for name in ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"):
            module = Inception(c, widths[name], batch_norm, five)
            self.add_module(f"inception{name}", module)
            c = module.out_channels
        self.maxpool3 = nn.MaxPool2d(3, 2, ceil_mode=True)  # full 28 -> 14, small 7 -> 3
        self.maxpool4 = nn.MaxPool2d(2, 2, ceil_mode=True)  # full 14 -> 7, small 3 -> 2
        self.aux_logits = aux_logits
        if aux_logits:
            head = dict(pool=4, width=128, hidden=1024) if full else dict(pool=2, width=32,
                                                                          hidden=256)
            self.aux1: AuxClassifier | None = AuxClassifier(
                self.inception4a.out_channels, num_classes, batch_norm=batch_norm, **head)
            self.aux2: AuxClassifier | None = AuxClassifier(
                self.inception4d.out_channels, num_classes, batch_norm=batch_norm, **head)
        else:
            self.aux1 = self.aux2 = None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        x = self.stem(x)
        x = self.inception3b(self.inception3a(x))
        x = self.inception4a(self.maxpool3(x))
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.inception4e(x)
        x = self.inception5b(self.inception5a(self.maxpool4(x)))
        logits = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        if aux1 is not None and aux2 is not None:
            return logits, aux1, aux2
        return logits


def googlenet_loss(output: torch.Tensor | tuple[torch.Tensor, ...], target: torch.Tensor,
                   aux_weight: float = 0.3) -> torch.Tensor:
    """Cross-entropy of the main logits plus ``aux_weight`` x that of each auxiliary head
    (``output`` is what :class:`GoogLeNet` returns; a plain tensor is just cross-entropy)."""
    ce = nn.functional.cross_entropy
    if isinstance(output, torch.Tensor):
        return ce(output, target)
    main, *aux = output
    return ce(main, target) + aux_weight * sum(ce(a, target) for a in aux)


@register("googlenet", "inception_v1")
def googlenet(num_classes: int = 1000, in_channels: int = 3, size: str = "full",
              aux_logits: bool = False, batch_norm: bool = True, paper_5x5: bool = False,
              dropout: float = 0.4) -> GoogLeNet:
    """GoogLeNet (torchvision layout); ``aux_logits=True`` adds the auxiliary classifiers."""
    return GoogLeNet(num_classes, in_channels, size, aux_logits, batch_norm, paper_5x5, dropout)
