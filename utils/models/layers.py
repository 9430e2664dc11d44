"""Small building blocks shared by the classic networks (LeNet to GoogLeNet).

- :class:`LRN`: local response normalisation written with the constants of the AlexNet
  paper (``k=2, n=5, alpha=1e-4, beta=0.75``).
- :class:`ConvBlock`: a convolution followed by optional batch norm and a ReLU.
- :class:`FCHead`: the classifier of AlexNet, ZFNet and VGG (two hidden fully connected
  layers with ReLU and dropout, then the output layer).
- :class:`SeparableConv2d`: depthwise then pointwise convolution (Xception).
- :func:`check_size`: validates the ``size`` option every family accepts.
"""

from __future__ import annotations

import torch
from torch import nn

SIZES = ("full", "small")


def check_size(size: str) -> str:
    """Return ``size`` if it is ``"full"`` or ``"small"``; raise a clear ``ValueError`` if not."""
    if size not in SIZES:
        raise ValueError(f"size must be 'full' (ImageNet, 224x224) or 'small' (28x28), "
                         f"not {size!r}")
    return size


class LRN(nn.Module):
    r"""Local response normalisation across channels, in the notation of the AlexNet paper.

    .. math::
        b^i_{x,y} = a^i_{x,y} \Big/ \Big(k + \alpha \sum_{j=\max(0, i-n/2)}^{\min(N-1, i+n/2)}
        (a^j_{x,y})^2\Big)^\beta

    The result equals ``nn.LocalResponseNorm(size=n, alpha=alpha * n, beta=beta, k=k)``:
    PyTorch's version divides ``alpha`` by ``n`` (it averages the squares instead of summing
    them), so the paper's constants need ``alpha * n`` there. This class takes the paper's
    constants directly, and sums the window with a banded 1x1 convolution, which is several
    times faster on CPUs than PyTorch's pooling-based implementation.
    """

    def __init__(self, n: int = 5, k: float = 2.0, alpha: float = 1e-4, beta: float = 0.75):
        super().__init__()
        if n < 1:
            raise ValueError(f"the LRN window n must be a positive number of channels, not {n}")
        self.n, self.k, self.alpha, self.beta = n, k, alpha, beta

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        channels = a.shape[1]
        idx = torch.arange(channels, device=a.device)
        # band[i, j] = 1 when channel j is in the window of channel i
        lo, hi = self.n // 2, (self.n - 1) // 2
        offset = idx[None, :] - idx[:, None]
        band = ((offset >= -lo) & (offset <= hi)).to(a.dtype)[:, :, None, None]
        window_sum = nn.functional.conv2d(a * a, band)
        return a / (self.k + self.alpha * window_sum) ** self.beta

    def extra_repr(self) -> str:
        return f"n={self.n}, k={self.k}, alpha={self.alpha}, beta={self.beta}"


class ConvBlock(nn.Sequential):
    """``conv -> [batch norm] -> ReLU``.

    Without batch norm the convolution has a bias (AlexNet, VGG); with it the bias is left
    out, because the norm's own shift makes it redundant (torchvision's ``BasicConv2d`` of
    GoogLeNet is ``ConvBlock(..., batch_norm=True, bn_eps=1e-3)``).
    ``padding=None`` keeps the spatial size for odd kernels at stride 1 (``kernel // 2``).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, padding: int | None = None, groups: int = 1,
                 batch_norm: bool = False, bn_eps: float = 1e-5):
        if padding is None:
            padding = kernel_size // 2
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                              padding=padding, groups=groups, bias=not batch_norm)
        if batch_norm:
            self.bn = nn.BatchNorm2d(out_channels, eps=bn_eps)
        self.relu = nn.ReLU(inplace=True)


class FCHead(nn.Sequential):
    """``flatten -> (linear -> ReLU -> dropout) x 2 -> linear``: the AlexNet/VGG classifier."""

    def __init__(self, in_features: int, hidden: int, num_classes: int, dropout: float = 0.5):
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout is a probability in [0, 1), not {dropout}")
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(in_features, hidden)
        self.relu1 = nn.ReLU(inplace=True)
        self.drop1 = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden, hidden)
        self.relu2 = nn.ReLU(inplace=True)
        self.drop2 = nn.Dropout(dropout)
        self.fc3 = nn.Linear(hidden, num_classes)


class SeparableConv2d(nn.Sequential):
    """Depthwise-separable convolution (Xception, MobileNet): a ``k x k`` convolution of
    each input channel on its own (``groups=in_channels``), then a 1x1 "pointwise"
    convolution that mixes the channels.

    Weights: ``k*k*in + in*out`` instead of ``k*k*in*out`` for an ordinary convolution.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, padding: int | None = None, bias: bool = False):
        if padding is None:
            padding = kernel_size // 2
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size, stride=stride,
                                   padding=padding, groups=in_channels, bias=bias)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)
