"""ZFNet (Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", 2013).

AlexNet on one GPU, with the first layers changed after looking at what they learned:
conv1 is 7x7 with stride 2 (AlexNet: 11x11 with stride 4), and conv2 has stride 2 to
compensate. The full-size network follows Figure 3 of the paper (input 224x224):

``conv1 96@7x7/2 -> 110x110 -> pool 3x3/2 -> 55x55 -> conv2 256@5x5/2 -> 26x26 -> pool ->
13x13 -> conv3 384 -> conv4 384 -> conv5 256 -> pool -> 6x6 -> fc6 4096 -> fc7 4096 -> fc8``

(the pools round up, which is how the paper's 110 -> 55 and 26 -> 13 come out).
``wide=True`` uses the paper's wider middle layers, conv3/4/5 = 512/1024/512, the variant
that lecture notes usually call ZFNet. ``lrn=True`` adds the paper's normalisation across
feature maps after conv1 and conv2 (as in AlexNet). ``size="small"`` is the same design for
28x28 images: conv1 and conv2 are 3x3 with stride 1 (the small AlexNet's are 5x5) and the
pools round up, so the maps stay larger (28 -> 14 -> 7 -> 3; small AlexNet 28 -> 13 -> 6
-> 2); ``wide=True`` widens conv3-5 there too.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from . import register
from .layers import LRN, FCHead, check_size

FULL_WIDTHS = (96, 256, 384, 384, 256)
WIDE_WIDTHS = (96, 256, 512, 1024, 512)
SMALL_WIDTHS = (32, 64, 96, 96, 64)
SMALL_WIDE_WIDTHS = (32, 64, 128, 192, 128)
SMALL_HIDDEN = 256


class ZFNet(nn.Module):
    """``features`` (named layers), ``classifier`` (:class:`~utils.models.layers.FCHead`)."""

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, size: str = "full",
                 wide: bool = False, lrn: bool = False, dropout: float = 0.5):
        super().__init__()
        check_size(size)
        if size == "full":
            w1, w2, w3, w4, w5 = WIDE_WIDTHS if wide else FULL_WIDTHS
            conv1 = nn.Conv2d(in_channels, w1, 7, stride=2, padding=1)   # 224 -> 110
            conv2 = nn.Conv2d(w1, w2, 5, stride=2, padding=0)            # 55 -> 26
            out_hw = 6
        else:
            w1, w2, w3, w4, w5 = SMALL_WIDE_WIDTHS if wide else SMALL_WIDTHS
            conv1 = nn.Conv2d(in_channels, w1, 3, stride=1, padding=1)   # 28 -> 28
            conv2 = nn.Conv2d(w1, w2, 3, stride=1, padding=1)            # 14 -> 14
            out_hw = 3
        layers: list[tuple[str, nn.Module]] = [("conv1", conv1), ("relu1", nn.ReLU(inplace=True))]
        if lrn:
            layers.append(("norm1", LRN()))
        layers += [("pool1", nn.MaxPool2d(3, stride=2, ceil_mode=True)),
                   ("conv2", conv2), ("relu2", nn.ReLU(inplace=True))]
        if lrn:
            layers.append(("norm2", LRN()))
        layers += [("pool2", nn.MaxPool2d(3, stride=2, ceil_mode=True)),
                   ("conv3", nn.Conv2d(w2, w3, 3, padding=1)), ("relu3", nn.ReLU(inplace=True)),
                   ("conv4", nn.Conv2d(w3, w4, 3, padding=1)), ("relu4", nn.ReLU(inplace=True)),
                   ("conv5", nn.Conv2d(w4, w5, 3, padding=1)), ("relu5", nn.ReLU(inplace=True)),
                   ("pool5", nn.MaxPool2d(3, stride=2, ceil_mode=True))]
        self.features = nn.Sequential(OrderedDict(layers))
        hidden = 4096 if size == "full" else SMALL_HIDDEN
        self.classifier = FCHead(w5 * out_hw * out_hw, hidden, num_classes, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


@register("zfnet")
def zfnet(num_classes: int = 1000, in_channels: int = 3, size: str = "full",
          wide: bool = False, lrn: bool = False, dropout: float = 0.5) -> ZFNet:
    """ZFNet; ``wide=True`` for conv3/4/5 = 512/1024/512, ``size="small"`` for 28x28."""
    return ZFNet(num_classes, in_channels, size, wide, lrn, dropout)
