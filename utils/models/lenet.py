"""LeNet-5 (LeCun, Bottou, Bengio and Haffner, 1998).

Layers (input 32x32; the 28x28 MNIST digits are padded by 2 pixels):

====== ======================== ============ ==================================
layer  what                     output       trainable parameters
====== ======================== ============ ==================================
C1     conv 5x5, 6 maps         6 @ 28x28    6 * (25 + 1) = 156
S2     2x2 subsampling          6 @ 14x14    none (avg pool) or 12 (paper)
C3     conv 5x5, 16 maps        16 @ 10x10   2,416 (all inputs) or 1,516 (paper)
S4     2x2 subsampling          16 @ 5x5     none or 32
C5     conv 5x5, 120 maps       120 @ 1x1    120 * (400 + 1) = 48,120
F6     fully connected          84           84 * (120 + 1) = 10,164
output fully connected / RBF    10           850 (linear) or 0 (fixed RBF codes)
====== ======================== ============ ==================================

Two readings are built here:

- ``lenet5()`` (the default): the version every course writes today, with full C3, average
  pooling, tanh and a linear output for softmax: 61,706 parameters.
- ``lenet5(paper=True)``: the 1998 network: scaled tanh ``1.7159 tanh(2x/3)``, trainable
  subsampling (``coefficient * sum of 2x2 block + bias``, then the squashing function),
  C3 wired by the paper's connection table, and Euclidean RBF output units with fixed
  +-1 codes: exactly 60,000 trainable parameters, as the paper states.
"""

from __future__ import annotations

import torch
from torch import nn

from . import register
from .layers import check_size

# Which S2 maps feed each C3 map (Table I of the paper): six maps see 3 neighbours,
# six see 4 neighbours, three see 4 non-neighbours, and the last one sees all six.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class ScaledTanh(nn.Module):
    """The paper's squashing function ``f(a) = A tanh(S a)`` with ``A = 1.7159, S = 2/3``."""

    def __init__(self, amplitude: float = 1.7159, slope: float = 2.0 / 3.0):
        super().__init__()
        self.amplitude, self.slope = amplitude, slope

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.amplitude * torch.tanh(self.slope * x)


class Subsampling(nn.Module):
    """The paper's S-layer: each map's 2x2 blocks are summed, multiplied by a trainable
    coefficient and shifted by a trainable bias (2 parameters per map)."""

    def __init__(self, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        block_sum = 4 * nn.functional.avg_pool2d(x, 2)
        return block_sum * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class SparseConv(nn.Module):
    """C3 of the paper: output map ``o`` is a 5x5 convolution of only the input maps
    ``table[o]``, so it has ``25 * len(table[o]) + 1`` parameters."""

    def __init__(self, table: tuple[tuple[int, ...], ...] = C3_TABLE, kernel_size: int = 5):
        super().__init__()
        self.table = table
        self.maps = nn.ModuleList(nn.Conv2d(len(inputs), 1, kernel_size) for inputs in table)
        for o, inputs in enumerate(table):
            self.register_buffer(f"inputs{o}", torch.tensor(inputs), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs = [conv(x.index_select(1, getattr(self, f"inputs{o}")))
                for o, conv in enumerate(self.maps)]
        return torch.cat(outs, dim=1)


class RBFOutput(nn.Module):
    """Euclidean radial-basis output units: ``y_i = sum_j (x_j - w_ij)^2``.

    The paper fixed the codes ``w_i`` to +-1 (drawings of the characters on a 7x12 grid);
    here they are random +-1 codes, fixed (a buffer, not trained). ``forward`` returns
    ``-y`` so that the nearest code gets the largest logit and cross-entropy applies.
    """

    def __init__(self, in_features: int, num_classes: int, seed: int = 1998):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        codes = torch.randint(0, 2, (num_classes, in_features), generator=gen) * 2.0 - 1.0
        self.register_buffer("codes", codes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        diff = x.unsqueeze(1) - self.codes.to(x.dtype)  # (N, classes, features)
        return -(diff * diff).sum(dim=2)


class LeNet5(nn.Module):
    """LeNet-5 as a stack of named layers ``c1, s2, c3, s4, c5, f6, output``."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1, size: str = "full",
                 paper: bool = False, activation: str = "tanh", pool: str = "avg"):
        super().__init__()
        check_size(size)
        if activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', not {activation!r}")
        if pool not in ("avg", "max"):
            raise ValueError(f"pool must be 'avg' or 'max', not {pool!r}")
        if paper and (activation, pool) != ("tanh", "avg"):
            raise ValueError("paper=True fixes the activation (scaled tanh) and the pooling "
                             "(trainable subsampling); leave activation and pool unset")
        # A 28x28 input is padded to the paper's 32x32 inside C1.
        pad = 2 if size == "small" else 0

        def act() -> nn.Module:
            if paper:
                return ScaledTanh()
            return nn.Tanh() if activation == "tanh" else nn.ReLU(inplace=True)

        def subsample(channels: int) -> nn.Module:
            if paper:
                return nn.Sequential(Subsampling(channels), act())
            return nn.AvgPool2d(2) if pool == "avg" else nn.MaxPool2d(2)

        self.c1 = nn.Sequential(nn.Conv2d(in_channels, 6, 5, padding=pad), act())
        self.s2 = subsample(6)
        self.c3 = nn.Sequential(SparseConv() if paper else nn.Conv2d(6, 16, 5), act())
        self.s4 = subsample(16)
        self.c5 = nn.Sequential(nn.Conv2d(16, 120, 5), act())
        self.f6 = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), act())
        self.output = RBFOutput(84, num_classes) if paper else nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in (self.c1, self.s2, self.c3, self.s4, self.c5, self.f6, self.output):
            x = layer(x)
        return x


@register("lenet5", "lenet")
def lenet5(num_classes: int = 10, in_channels: int = 1, size: str = "full",
           paper: bool = False, activation: str = "tanh", pool: str = "avg") -> LeNet5:
    """LeNet-5: ``size="full"`` takes 32x32 inputs, ``size="small"`` 28x28 (padded in C1).

    ``paper=True`` builds the 1998 network (60,000 trainable parameters); otherwise the
    modern reading (61,706 parameters with 10 classes), whose ``activation``
    (``"tanh"``/``"relu"``) and ``pool`` (``"avg"``/``"max"``) can be changed.
    """
    return LeNet5(num_classes, in_channels, size, paper, activation, pool)
