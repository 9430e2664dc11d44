"""AlexNet (Krizhevsky, Sutskever and Hinton, 2012).

Five convolutional layers and three fully connected ones:

``conv1 11x11/4 -> [LRN] -> pool -> conv2 5x5 -> [LRN] -> pool -> conv3 3x3 -> conv4 3x3
-> conv5 3x3 -> pool -> fc6 4096 -> fc7 4096 -> fc8``, ReLU after every layer but the last,
dropout 0.5 in fc6 and fc7, overlapping 3x3 max pooling with stride 2.

Two layouts of the full-size network:

- ``towers=1`` (default): the single-tower reference that torchvision ships (widths
  64-192-384-256-256; its documentation cites Krizhevsky's 2014 "one weird trick" paper),
  input 224x224 with 2 pixels of padding in conv1: 61,100,840 parameters.
- ``towers=2``: the 2012 paper's network, split over two GPUs: widths 96-256-384-384-256,
  and conv2, conv4 and conv5 see only the maps of their own GPU (``groups=2``); conv1 has
  no padding, so the input is 227x227: 60,965,224 parameters.

``widths`` overrides the five convolution widths (e.g. the paper's widths in one tower).
``size="small"`` is the same design for 28x28 images (Fashion-MNIST), narrower, with a
5x5 stride-1 conv1 and three overlapping pooling stages (28 -> 13 -> 6 -> 2).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import torch
from torch import nn

from . import register
from .layers import LRN, FCHead, check_size

REFERENCE_WIDTHS = (64, 192, 384, 256, 256)
PAPER_WIDTHS = (96, 256, 384, 384, 256)
SMALL_WIDTHS = (32, 64, 96, 96, 64)
SMALL_HIDDEN = 256


class AlexNet(nn.Module):
    """``features`` (named conv/relu/norm/pool layers), ``avgpool`` to 6x6 (full size) and
    ``classifier`` (:class:`~utils.models.layers.FCHead`)."""

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, size: str = "full",
                 towers: int = 1, lrn: bool = False, widths: Sequence[int] | None = None,
                 dropout: float = 0.5):
        super().__init__()
        check_size(size)
        if towers not in (1, 2):
            raise ValueError(f"towers must be 1 (one GPU) or 2 (the paper's two GPUs), "
                             f"not {towers}")
        if widths is None:
            if size == "small":
                widths = SMALL_WIDTHS
            else:
                widths = PAPER_WIDTHS if towers == 2 else REFERENCE_WIDTHS
        widths = tuple(int(w) for w in widths)
        if len(widths) != 5 or min(widths) < 1:
            raise ValueError(f"widths must be five positive channel counts, got {widths}")
        if towers == 2 and any(w % 2 for w in widths):
            raise ValueError(f"two towers split every layer in halves: widths must be even, "
                             f"got {widths}")
        g = towers  # conv2, conv4 and conv5 only see their own tower's maps
        w1, w2, w3, w4, w5 = widths
        if size == "full":
            conv1 = nn.Conv2d(in_channels, w1, 11, stride=4, padding=0 if towers == 2 else 2)
        else:
            conv1 = nn.Conv2d(in_channels, w1, 5, stride=1, padding=2)
        layers: list[tuple[str, nn.Module]] = [("conv1", conv1), ("relu1", nn.ReLU(inplace=True))]
        if lrn:
            layers.append(("norm1", LRN()))
        layers += [("pool1", nn.MaxPool2d(3, stride=2)),
                   ("conv2", nn.Conv2d(w1, w2, 5, padding=2, groups=g)),
                   ("relu2", nn.ReLU(inplace=True))]
        if lrn:
            layers.append(("norm2", LRN()))
        layers += [("pool2", nn.MaxPool2d(3, stride=2)),
                   ("conv3", nn.Conv2d(w2, w3, 3, padding=1)),  # sees both towers
                   ("relu3", nn.ReLU(inplace=True)),
                   ("conv4", nn.Conv2d(w3, w4, 3, padding=1, groups=g)),
                   ("relu4", nn.ReLU(inplace=True)),
                   ("conv5", nn.Conv2d(w4, w5, 3, padding=1, groups=g)),
                   ("relu5", nn.ReLU(inplace=True)),
                   ("pool5", nn.MaxPool2d(3, stride=2))]
        self.features = nn.Sequential(OrderedDict(layers))
        if size == "full":
            # 6x6 for the designed input (224 with padding, or 227); other sizes are resampled
            self.avgpool: nn.Module = nn.AdaptiveAvgPool2d((6, 6))
            self.classifier = FCHead(w5 * 6 * 6, 4096, num_classes, dropout)
        else:
            self.avgpool = nn.Identity()  # 28 -> 13 -> 6 -> 2
            self.classifier = FCHead(w5 * 2 * 2, SMALL_HIDDEN, num_classes, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.avgpool(self.features(x)))


@register("alexnet")
def alexnet(num_classes: int = 1000, in_channels: int = 3, size: str = "full",
            towers: int = 1, lrn: bool = False, widths: Sequence[int] | None = None,
            dropout: float = 0.5) -> AlexNet:
    """AlexNet; ``towers=2`` is the 2012 two-GPU layout, ``lrn=True`` adds local response
    normalisation after conv1 and conv2, ``size="small"`` is for 28x28 inputs."""
    return AlexNet(num_classes, in_channels, size, towers, lrn, widths, dropout)
