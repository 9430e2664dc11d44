"""DenseNet (Huang, Liu, van der Maaten and Weinberger, "Densely Connected Convolutional
Networks", 2017).

Inside a dense block, layer ``l`` sees the concatenation of everything before it,
``x_l = H_l([x_0, x_1, ..., x_{l-1}])``, and adds ``k`` new channels (the growth rate).
``H_l`` is BN-ReLU-conv1x1 (the bottleneck, ``4k`` channels) then BN-ReLU-conv3x3 (``k``
channels). Between blocks a transition layer (BN-ReLU-conv1x1, then 2x2 average pooling
with stride 2) halves the size and keeps a fraction ``compression = 0.5`` of the channels.

Full-size networks (ImageNet, k = 32, 64 stem channels) reproduce torchvision's counts:
DenseNet-121/169/201 (blocks 6-12-24-16, 6-12-32-32, 6-12-48-32) have 7,978,856 /
14,149,480 / 20,013,928 parameters; DenseNet-264 (6-12-64-48), which torchvision does not
ship, has 33,337,704.

``size="small"`` keeps a network's blocks for 28x28 images with growth rate 12; the stem
is a 3x3 convolution with stride 1 and a 2x2 max pool, so the blocks work at 14, 7, 4 and
2 pixels (the transitions round odd sizes up).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from . import register
from .layers import check_size


class DenseLayer(nn.Module):
    """``H_l``: BN-ReLU-conv1x1 to ``bn_size * k`` channels, BN-ReLU-conv3x3 to ``k``.

    It returns only its ``k`` new channels; the block concatenates them to its input.
    """

    def __init__(self, in_channels: int, growth_rate: int, bn_size: int = 4):
        super().__init__()
        inner = bn_size * growth_rate
        self.norm1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, inner, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(inner)
        self.conv2 = nn.Conv2d(inner, growth_rate, 3, padding=1, bias=False)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(self.relu(self.norm1(x)))
        return self.conv2(self.relu(self.norm2(out)))


class DenseBlock(nn.Module):
    """``num_layers`` dense layers; each one's input is the concatenation of the block's
    input and every earlier layer's output. Output: ``in_channels + num_layers * k``."""

    def __init__(self, num_layers: int, in_channels: int, growth_rate: int, bn_size: int = 4):
        super().__init__()
        self.layers = nn.ModuleList(
            DenseLayer(in_channels + i * growth_rate, growth_rate, bn_size)
            for i in range(num_layers))
        self.out_channels = in_channels + num_layers * growth_rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = [x]
        for layer in self.layers:
            features.append(layer(torch.cat(features, 1)))
        return torch.cat(features, 1)


class Transition(nn.Sequential):
    """BN-ReLU-conv1x1 (to ``out_channels``) then 2x2 average pooling with stride 2
    (``ceil_mode``: an odd size rounds up, 7 -> 4, instead of down)."""

    def __init__(self, in_channels: int, out_channels: int, ceil_mode: bool = False):
        super().__init__()
        self.norm = nn.BatchNorm2d(in_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.pool = nn.AvgPool2d(2, stride=2, ceil_mode=ceil_mode)


class DenseNet(nn.Module):
    """Stem, dense blocks separated by transitions, BN-ReLU, global average pool, linear.

    Args:
        block_config: layers per dense block, e.g. ``(6, 12, 24, 16)`` for DenseNet-121.
        growth_rate: ``k``, channels each dense layer adds.
        num_init_features: stem channels (``2k`` in the paper).
        bn_size: the bottleneck has ``bn_size * k`` channels.
        compression: fraction of channels a transition keeps (``theta``).
        small: 28x28 inputs: a 3x3 stem with stride 1, then a 2x2 max pool.
    """

    def __init__(self, block_config: Sequence[int] = (6, 12, 24, 16), growth_rate: int = 32,
                 num_init_features: int = 64, bn_size: int = 4, compression: float = 0.5,
                 num_classes: int = 1000, in_channels: int = 3, small: bool = False):
        super().__init__()
        if not block_config or min(block_config) < 1:
            raise ValueError(f"block_config {tuple(block_config)} needs a positive number of "
                             "layers in each dense block")
        if not 0.0 < compression <= 1.0:
            raise ValueError(f"compression is a fraction in (0, 1], not {compression}")
        if small:
            self.stem = nn.Sequential(
                nn.Conv2d(in_channels, num_init_features, 3, padding=1, bias=False),
                nn.BatchNorm2d(num_init_features), nn.ReLU(inplace=True), nn.MaxPool2d(2))
        else:
            self.stem = nn.Sequential(
                nn.Conv2d(in_channels, num_init_features, 7, stride=2, padding=3, bias=False),
                nn.BatchNorm2d(num_init_features), nn.ReLU(inplace=True),
                nn.MaxPool2d(3, stride=2, padding=1))
        body: list[nn.Module] = []
        channels = num_init_features
        for i, num_layers in enumerate(block_config):
            block = DenseBlock(num_layers, channels, growth_rate, bn_size)
            body.append(block)
            channels = block.out_channels
            if i < len(block_config) - 1:
                out = int(channels * compression)
                body.append(Transition(channels, out, ceil_mode=small))
                channels = out
        self.body = nn.Sequential(*body)
        self.final = nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(inplace=True))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, num_classes)
        self.num_features = channels
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The feature maps before pooling."""
        return self.final(self.body(self.stem(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.forward_features(x))
        return self.classifier(torch.flatten(x, 1))


BLOCKS = {
    "densenet121": (6, 12, 24, 16),
    "densenet169": (6, 12, 32, 32),
    "densenet201": (6, 12, 48, 32),
    "densenet264": (6, 12, 64, 48),
}
SMALL_GROWTH = 12


def make_densenet(default_blocks: Sequence[int], num_classes: int = 1000, in_channels: int = 3,
                  size: str = "full", growth_rate: int | None = None,
                  num_init_features: int | None = None, block_config: Sequence[int] | None = None,
                  **options: object) -> DenseNet:
    """A :class:`DenseNet` of the given ``size`` (k = 32 full, 12 small; stem ``2k``);
    ``block_config`` overrides ``default_blocks``, the layers per dense block."""
    small = check_size(size) == "small"
    k = growth_rate if growth_rate is not None else (SMALL_GROWTH if small else 32)
    if k < 1:
        raise ValueError(f"growth_rate must be a positive number of channels, not {k}")
    init = num_init_features if num_init_features is not None else 2 * k
    blocks = default_blocks if block_config is None else block_config
    return DenseNet(blocks, k, init, num_classes=num_classes, in_channels=in_channels,
                    small=small, **options)  # type: ignore[arg-type]


@register("densenet121")
def densenet121(num_classes: int = 1000, in_channels: int = 3, **options: object) -> DenseNet:
    """DenseNet-121: blocks (6, 12, 24, 16), k = 32; 7,978,856 parameters."""
    return make_densenet(BLOCKS["densenet121"], num_classes, in_channels, **options)


@register("densenet169")
def densenet169(num_classes: int = 1000, in_channels: int = 3, **options: object) -> DenseNet:
    """DenseNet-169: blocks (6, 12, 32, 32), k = 32; 14,149,480 parameters."""
    return make_densenet(BLOCKS["densenet169"], num_classes, in_channels, **options)


@register("densenet201")
def densenet201(num_classes: int = 1000, in_channels: int = 3, **options: object) -> DenseNet:
    """DenseNet-201: blocks (6, 12, 48, 32), k = 32; 20,013,928 parameters."""
    return make_densenet(BLOCKS["densenet201"], num_classes, in_channels, **options)


@register("densenet264")
def densenet264(num_classes: int = 1000, in_channels: int = 3, **options: object) -> DenseNet:
    """DenseNet-264: blocks (6, 12, 64, 48), k = 32; 33,337,704 parameters."""
    return make_densenet(BLOCKS["densenet264"], num_classes, in_channels, **options)
