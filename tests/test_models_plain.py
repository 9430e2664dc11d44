"""utils.models.plain: the layer sequence the chapters' experiments rely on."""

from __future__ import annotations

import torch
from torch import nn

from utils.models.plain import conv_stack, plain_cnn
from utils.summary import count_parameters


def test_conv_stack_layers_and_size() -> None:
    net = conv_stack(depth=5, width=8)
    kinds = [type(m) for m in net]
    assert kinds == [nn.Conv2d, nn.ReLU] * 5
    assert all(m.bias is None for m in net if isinstance(m, nn.Conv2d))
    assert net(torch.zeros(2, 1, 28, 28)).shape == (2, 8, 28, 28)
    with_bn = conv_stack(depth=3, width=8, batch_norm=True, bias=True)
    assert [type(m) for m in with_bn] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU] * 3
    assert count_parameters(with_bn) == (9 * 8 + 8) + 2 * (9 * 64 + 8) + 3 * 16


def test_plain_cnn_counts_and_pools() -> None:
    net = plain_cnn(depth=12, width=16)
    assert sum(isinstance(m, nn.Conv2d) for m in net) == 12
    assert sum(isinstance(m, nn.MaxPool2d) for m in net) == 2
    assert count_parameters(net) == (9 * 16 + 16) + 11 * (9 * 256 + 16) + (16 * 49 * 10 + 10)
    assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    bn = plain_cnn(depth=4, width=16, batch_norm=True)
    assert all(m.bias is None for m in bn if isinstance(m, nn.Conv2d))
    assert sum(isinstance(m, nn.BatchNorm2d) for m in bn) == 4
