"""Plain deep CNNs (no shortcuts) for the experiments of chapters 12 and 13.

Two small builders, readable top to bottom: a stack of 3x3 convolutions that keeps the
28x28 size (to follow a signal through many layers) and a plain CNN classifier for
Fashion-MNIST. Both take PyTorch's default initialisation; chapter 12 changes it with
:func:`utils.init.initialise`, chapter 13 adds batch normalisation.
"""

from __future__ import annotations

from torch import nn


def _conv_bn_relu(c_in: int, width: int, bias: bool, batch_norm: bool) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.Conv2d(c_in, width, 3, padding=1, bias=bias)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(width))
    return layers + [nn.ReLU()]


def conv_stack(depth: int = 20, width: int = 64, *, bias: bool = False,
               batch_norm: bool = False) -> nn.Sequential:
    """``depth`` x (3x3 convolution [+ batch norm] + ReLU) on a one-channel input,
    ``width`` maps each, padding 1 so the maps keep their size."""
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += _conv_bn_relu(1 if i == 0 else width, width, bias, batch_norm)
    return nn.Sequential(*layers)


def plain_cnn(depth: int = 12, width: int = 16, *, batch_norm: bool = False) -> nn.Sequential:
    """``depth`` 3x3 convolutions with ReLUs (a batch norm after each if asked, which then
    replaces the convolutions' biases), 2x2 max pools after the first and the middle one,
    and a linear classifier for 28x28 one-channel images: no normalisation unless asked,
    no shortcuts."""
    layers = _conv_bn_relu(1, width, not batch_norm, batch_norm) + [nn.MaxPool2d(2)]
    for i in range(depth - 1):
        layers += _conv_bn_relu(width, width, not batch_norm, batch_norm)
        if i == depth // 2 - 1:
            layers.append(nn.MaxPool2d(2))
    layers += [nn.Flatten(), nn.Linear(width * 7 * 7, 10)]
    return nn.Sequential(*layers)
