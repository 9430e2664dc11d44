"""Dual Path Networks (Chen, Li, Xiao, Jin, Yan and Feng, "Dual Path Networks", 2017).

ResNet re-uses features (a block adds to the same channels), DenseNet explores new ones
(a block appends channels). A DPN micro-block does both: one bottleneck (1x1 -> grouped
3x3 -> 1x1, each preceded by BN-ReLU) computes ``d + inc`` channels; the first ``d`` are
*added* to the residual path and the last ``inc`` are *concatenated* to the dense path.
The block's input is the concatenation ``[residual, dense]``.

The first block of each stage projects its input (a 1x1 convolution, stride 2 from the
second stage on) to a fresh residual path of ``d`` channels and a dense path of
``2 inc`` channels; every block then adds ``inc`` dense channels.

Full-size networks follow the layout of the authors' released models (as ported in
Cadene's ``pretrained-models`` and in ``timm``): BN with ``eps = 1e-3``, a classifier that
is a 1x1 convolution with bias, and these settings:

=======  ==========  ====  ======  ==============  =================  ===========
network  stem        k_r   groups  blocks          dense increments   parameters
=======  ==========  ====  ======  ==============  =================  ===========
DPN-68   3x3, 10     128   32      3, 4, 12, 3     16, 32, 32, 64     12,611,602
DPN-92   7x7, 64     96    32      3, 4, 20, 3     16, 32, 24, 128    37,668,392
DPN-98   7x7, 96     160   40      3, 6, 20, 3     16, 32, 32, 128    61,570,728
DPN-131  7x7, 128    160   40      4, 8, 28, 3     16, 32, 32, 128    79,254,504
=======  ==========  ====  ======  ==============  =================  ===========

The residual widths ``d`` of the four stages are 256, 512, 1024, 2048 (DPN-68, the
"small" DPN of the paper: 64, 128, 256, 512); the bottleneck of stage ``i`` has
``k_r * d / d_1`` channels, ``d_1`` being the first stage's ``d``.

``size="small"`` (28x28 inputs) keeps a network's blocks with residual widths 32, 64, 128,
256, bottlenecks of ``k_r / 4`` channels in 8 groups, dense increments halved, a 3x3 stem
of 16 channels with stride 1 and a 2x2 max pool; stages at 14, 7, 4 and 2 pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from . import register
from .layers import check_size

BN_EPS = 1e-3


class BnReluConv(nn.Sequential):
    """BN-ReLU-conv (pre-activation), the unit every DPN convolution uses."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 1,
                 stride: int = 1, groups: int = 1):
        super().__init__()
        self.bn = nn.BatchNorm2d(in_channels, eps=BN_EPS)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                              padding=kernel_size // 2, groups=groups, bias=False)


Paths = tuple[torch.Tensor, torch.Tensor]


class DualPathBlock(nn.Module):
    """One micro-block: input ``[residual (d), dense]``, output ``(residual + r, [dense, e])``
    where ``[r, e]`` (``d`` and ``inc`` channels) come from one shared bottleneck.

    Args:
        in_channels: channels of the concatenated input.
        bottleneck: channels of the 1x1 and grouped 3x3 convolutions.
        d: width of the residual path.
        inc: channels added to the dense path.
        project: start a stage: a 1x1 convolution (with ``stride``) turns the input into a
            new residual path (``d``) and a new dense path (``2 inc``).
    """

    def __init__(self, in_channels: int, bottleneck: int, d: int, inc: int, groups: int,
                 project: bool = False, stride: int = 1):
        super().__init__()
        if stride != 1 and not project:
            raise ValueError("only a projecting block (the first of a stage) may have stride 2")
        self.d = d
        self.project = (BnReluConv(in_channels, d + 2 * inc, 1, stride=stride)
                        if project else None)
        self.reduce = BnReluConv(in_channels, bottleneck, 1)
        self.conv3x3 = BnReluConv(bottleneck, bottleneck, 3, stride=stride, groups=groups)
        self.expand = BnReluConv(bottleneck, d + inc, 1)

    def forward(self, x: torch.Tensor | Paths) -> Paths:
        x_in = torch.cat(x, 1) if isinstance(x, tuple) else x
        if self.project is not None:
            shortcut = self.project(x_in)
            residual, dense = shortcut[:, :self.d], shortcut[:, self.d:]
        else:
            assert isinstance(x, tuple), "a non-projecting block takes (residual, dense)"
            residual, dense = x
        out = self.expand(self.conv3x3(self.reduce(x_in)))
        return residual + out[:, :self.d], torch.cat([dense, out[:, self.d:]], 1)


class DPN(nn.Module):
    """Stem, four stages of dual path blocks, BN-ReLU of ``[residual, dense]``, global
    average pooling and a 1x1 convolution classifier.

    Args:
        blocks: blocks per stage (``k_sec``).
        increments: dense channels added by each block of a stage (``inc_sec``).
        widths: residual widths ``d`` of the stages.
        k_r: bottleneck channels of the first stage (later stages scale with ``d``).
        groups: cardinality of the grouped 3x3 convolutions.
        stem_channels, stem_kernel: the first convolution (stride 2 and a 3x3 max pool
            with stride 2 for ImageNet; stride 1 and a 2x2 max pool when ``small``).
    """

    def __init__(self, blocks: Sequence[int], increments: Sequence[int],
                 widths: Sequence[int], k_r: int, groups: int, stem_channels: int,
                 stem_kernel: int = 7, num_classes: int = 1000, in_channels: int = 3,
                 small: bool = False):
        super().__init__()
        if not len(blocks) == len(increments) == len(widths) or min(blocks) < 1:
            raise ValueError("blocks, increments and widths need one entry per stage and "
                             "at least one block per stage")
        if k_r % groups:
            raise ValueError(f"k_r ({k_r}) must be divisible by groups ({groups})")
        stem: list[nn.Module] = [
            nn.Conv2d(in_channels, stem_channels, stem_kernel, stride=1 if small else 2,
                      padding=stem_kernel // 2, bias=False),
            nn.BatchNorm2d(stem_channels, eps=BN_EPS), nn.ReLU(inplace=True)]
        stem.append(nn.MaxPool2d(2) if small else nn.MaxPool2d(3, stride=2, padding=1))
        self.stem = nn.Sequential(*stem)
        stages: list[nn.Module] = []
        channels = stem_channels
        for i, (n, inc, d) in enumerate(zip(blocks, increments, widths)):
            bottleneck = k_r * d // widths[0]
            stage = [DualPathBlock(channels, bottleneck, d, inc, groups, project=True,
                                   stride=1 if i == 0 else 2)]
            channels = d + 3 * inc
            for _ in range(n - 1):
                stage.append(DualPathBlock(channels, bottleneck, d, inc, groups))
                channels += inc
            stages.append(nn.Sequential(*stage))
        self.stages = nn.Sequential(*stages)
        self.final = nn.Sequential(nn.BatchNorm2d(channels, eps=BN_EPS), nn.ReLU(inplace=True))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Conv2d(channels, num_classes, 1)
        self.num_features = channels

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The concatenated residual and dense feature maps before pooling."""
        residual, dense = self.stages(self.stem(x))
        return self.final(torch.cat([residual, dense], 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.classifier(self.avgpool(self.forward_features(x)))
        return torch.flatten(x, 1)


CONFIGS: dict[str, dict[str, object]] = {
    "dpn68": dict(blocks=(3, 4, 12, 3), increments=(16, 32, 32, 64), widths=(64, 128, 256, 512),
                  k_r=128, groups=32, stem_channels=10, stem_kernel=3),
    "dpn92": dict(blocks=(3, 4, 20, 3), increments=(16, 32, 24, 128),
                  widths=(256, 512, 1024, 2048), k_r=96, groups=32, stem_channels=64),
    "dpn98": dict(blocks=(3, 6, 20, 3), increments=(16, 32, 32, 128),
                  widths=(256, 512, 1024, 2048), k_r=160, groups=40, stem_channels=96),
    "dpn131": dict(blocks=(4, 8, 28, 3), increments=(16, 32, 32, 128),
                   widths=(256, 512, 1024, 2048), k_r=160, groups=40, stem_channels=128),
}
SMALL_WIDTHS = (32, 64, 128, 256)
SMALL_GROUPS = 8
SMALL_STEM = 16


def make_dpn(name: str, num_classes: int = 1000, in_channels: int = 3, size: str = "full",
             **options: object) -> DPN:
    """DPN ``name`` (a key of :data:`CONFIGS`) of the given ``size``; ``options`` override
    any setting of the configuration (e.g. ``groups=4``)."""
    small = check_size(size) == "small"
    cfg = dict(CONFIGS[name])
    if small:
        cfg.update(widths=SMALL_WIDTHS, k_r=int(cfg["k_r"]) // 4,  # type: ignore[call-overload]
                   groups=SMALL_GROUPS, stem_channels=SMALL_STEM, stem_kernel=3,
                   increments=tuple(max(1, i // 2) for i in cfg["increments"]))  # type: ignore[attr-defined]
    cfg.update(options)
    return DPN(num_classes=num_classes, in_channels=in_channels, small=small,
               **cfg)  # type: ignore[arg-type]


@register("dpn68")
def dpn68(num_classes: int = 1000, in_channels: int = 3, **options: object) -> DPN:
    """DPN-68; 12,611,602 parameters."""
    return make_dpn("dpn68", num_classes, in_channels, **options)


@register("dpn92")
def dpn92(num_classes: int = 1000, in_channels: int = 3, **options: object) -> DPN:
    """DPN-92; 37,668,392 parameters."""
    return make_dpn("dpn92", num_classes, in_channels, **options)


@register("dpn98")
def dpn98(num_classes: int = 1000, in_channels: int = 3, **options: object) -> DPN:
    """DPN-98; 61,570,728 parameters."""
    return make_dpn("dpn98", num_classes, in_channels, **options)


@register("dpn131")
def dpn131(num_classes: int = 1000, in_channels: int = 3, **options: object) -> DPN:
    """DPN-131; 79,254,504 parameters."""
    return make_dpn("dpn131", num_classes, in_channels, **options)
