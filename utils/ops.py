"""Convolution and pooling written from scratch, plus stochastic pooling.

Every function works on batches ``x`` of shape ``(N, C, H, W)``, supports autograd, and
matches the corresponding ``torch.nn.functional`` function (``conv2d``, ``max_pool2d``,
``avg_pool2d``) to float32 rounding. They exist to be read: the library versions are
faster. ``stride`` and ``padding`` are an int or a pair ``(h, w)``.

* ``conv2d_loops``: four nested loops, one dot product per output value.
* ``conv2d``: the same numbers from one matrix product ("im2col": every window becomes
  a row of a matrix, every filter a column).
* ``max_pool2d``, ``avg_pool2d``: the largest / mean value of each window.
* ``stochastic_pool2d`` / ``StochasticPool2d`` (Zeiler & Fergus, 2013): in training,
  element ``i`` of a window is picked with probability ``p_i = a_i / sum_k a_k``; at
  inference the window gives ``sum_i p_i a_i``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .shapes import IntOrPair, conv_output_size, pair, pool_output_size

__all__ = ["windows", "conv2d_loops", "conv2d", "max_pool2d", "avg_pool2d",
           "window_probabilities", "stochastic_pool2d", "StochasticPool2d"]


def _check_batch(x: Tensor, what: str = "x") -> None:
    if not isinstance(x, Tensor):
        raise ValueError(f"{what} must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 4:
        hint = " (add a batch dimension with x.unsqueeze(0))" if x.ndim == 3 else ""
        raise ValueError(f"{what} must have shape (N, C, H, W), got {tuple(x.shape)}{hint}")


def _sizes(x: Tensor, kernel: tuple[int, int], stride: tuple[int, int],
           padding: tuple[int, int], pool: bool) -> tuple[int, int]:
    """Output (height, width); raises a ``ValueError`` naming the sizes when they don't fit."""
    size = pool_output_size if pool else conv_output_size
    return (size(x.shape[2], kernel[0], stride[0], padding[0]),
            size(x.shape[3], kernel[1], stride[1], padding[1]))


def windows(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
            padding: IntOrPair = 0, pad_value: float = 0.0) -> Tensor:
    """Every ``kh x kw`` window of ``x`` as a view of shape ``(N, C, OH, OW, kh, kw)``.

    ``windows(x, k, s)[n, c, i, j]`` is ``x[n, c, i*s : i*s+k, j*s : j*s+k]`` (after padding
    with ``pad_value``). ``stride`` defaults to ``kernel_size``. No data is copied unless
    there is padding.
    """
    _check_batch(x)
    kh, kw = pair(kernel_size, "kernel_size")
    sh, sw = pair(kernel_size if stride is None else stride, "stride")
    ph, pw = pair(padding, "padding")
    _sizes(x, (kh, kw), (sh, sw), (ph, pw), pool=False)  # validates everything
    if ph or pw:
        x = F.pad(x, (pw, pw, ph, ph), value=pad_value)
    return x.unfold(2, kh, sh).unfold(3, kw, sw)


def _check_conv(x: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    _check_batch(x)
    _check_batch(weight, "weight (out_channels, in_channels, kh, kw)")
    if weight.shape[1] != x.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels but weight {tuple(weight.shape)} "
                         f"expects {weight.shape[1]}; weight must be (out, {x.shape[1]}, kh, kw)")
    if weight.dtype != x.dtype:
        raise ValueError(f"x is {x.dtype} but weight is {weight.dtype}; convert one with .to()")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"bias must have shape ({weight.shape[0]},) (one per filter), "
                         f"got {tuple(bias.shape)}")


def conv2d_loops(x: Tensor, weight: Tensor, bias: Tensor | None = None,
                 stride: IntOrPair = 1, padding: IntOrPair = 0) -> Tensor:
    """Convolution (PyTorch's cross-correlation) as four plain loops: slow, for teaching.

    ``out[n, o, i, j] = sum(window * weight[o]) + bias[o]``, where ``window`` is the
    ``C x kh x kw`` block of the (zero-padded) input under the filter at output ``(i, j)``.
    """
    _check_conv(x, weight, bias)
    n_out, _, kh, kw = weight.shape
    sh, sw = pair(stride, "stride")
    ph, pw = pair(padding, "padding")
    oh, ow = _sizes(x, (kh, kw), (sh, sw), (ph, pw), pool=False)
    xp = F.pad(x, (pw, pw, ph, ph))
    rows = []
    for n in range(x.shape[0]):
        for o in range(n_out):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    value = (window * weight[o]).sum()
                    rows.append(value if bias is None else value + bias[o])
    return torch.stack(rows).reshape(x.shape[0], n_out, oh, ow)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None,
           stride: IntOrPair = 1, padding: IntOrPair = 0) -> Tensor:
    """Vectorised convolution, same result as ``torch.nn.functional.conv2d``.

    im2col: the windows become the rows of a ``(N, OH*OW, C*kh*kw)`` matrix, the filters
    the columns of a ``(C*kh*kw, out)`` matrix; one matrix product gives every output.
    """
    _check_conv(x, weight, bias)
    n, c = x.shape[:2]
    n_out, _, kh, kw = weight.shape
    patches = windows(x, (kh, kw), stride, padding)  # (N, C, OH, OW, kh, kw)
    oh, ow = patches.shape[2:4]
    cols = patches.permute(0, 2, 3, 1, 4, 5).reshape(n, oh * ow, c * kh * kw)
    out = cols @ weight.reshape(n_out, c * kh * kw).T  # (N, OH*OW, out)
    if bias is not None:
        out = out + bias
    return out.transpose(1, 2).reshape(n, n_out, oh, ow)


def _pool_windows(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None,
                  padding: IntOrPair, pad_value: float) -> Tensor:
    """Windows flattened to ``(N, C, OH, OW, kh*kw)``, with pooling's size checks."""
    _check_batch(x)
    k = pair(kernel_size, "kernel_size")
    s = pair(kernel_size if stride is None else stride, "stride")
    p = pair(padding, "padding")
    _sizes(x, k, s, p, pool=True)
    return windows(x, k, s, p, pad_value).flatten(-2)


def max_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, return_indices: bool = False
               ) -> Tensor | tuple[Tensor, Tensor]:
    """The largest value of each window (padding counts as minus infinity).

    The gradient of each output flows back to the one input that was the maximum. With
    ``return_indices=True`` also returns, like PyTorch, each maximum's flat position
    ``row * W + col`` in its input plane.
    """
    flat = _pool_windows(x, kernel_size, stride, padding, float("-inf"))
    values, k = flat.max(dim=-1)
    if not return_indices:
        return values
    kh, kw = pair(kernel_size, "kernel_size")
    sh, sw = pair(kernel_size if stride is None else stride, "stride")
    ph, pw = pair(padding, "padding")
    oh, ow = values.shape[2:]
    top = torch.arange(oh, device=x.device).view(oh, 1) * sh - ph  # window's first row
    left = torch.arange(ow, device=x.device).view(1, ow) * sw - pw
    rows, cols = top + torch.div(k, kw, rounding_mode="floor"), left + k % kw
    return values, rows * x.shape[3] + cols


def avg_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0) -> Tensor:
    """The mean of each window; padded zeros count (PyTorch's ``count_include_pad=True``)."""
    return _pool_windows(x, kernel_size, stride, padding, 0.0).mean(dim=-1)


def _nonnegative_windows(x: Tensor, kernel_size: IntOrPair,
                         stride: IntOrPair | None) -> Tensor:
    flat = _pool_windows(x, kernel_size, stride, 0, 0.0)
    if bool((x < 0).any()):
        raise ValueError("stochastic pooling needs non-negative inputs (probabilities are "
                         "a_i / sum a_k); apply a ReLU before it")
    return flat


def window_probabilities(x: Tensor, kernel_size: IntOrPair,
                         stride: IntOrPair | None = None) -> Tensor:
    """``p_i = a_i / sum_k a_k`` for every window: shape ``(N, C, OH, OW, kh*kw)``.

    An all-zero window gets the uniform distribution (every choice gives 0 anyway).
    """
    a = _nonnegative_windows(x, kernel_size, stride)
    total = a.sum(dim=-1, keepdim=True)
    uniform = torch.full_like(a, 1.0 / a.shape[-1])
    return torch.where(total > 0, a / total.clamp_min(torch.finfo(a.dtype).tiny), uniform)


def stochastic_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                      training: bool = True, generator: torch.Generator | None = None
                      ) -> Tensor:
    """Stochastic pooling of non-negative ``x`` (e.g. after a ReLU).

    ``training=True``: each window outputs one of its elements, element ``i`` drawn with
    probability ``p_i = a_i / sum_k a_k`` (the gradient flows to the drawn element).
    ``training=False``: each window outputs the expectation ``sum_i p_i a_i``
    ``= sum a_i^2 / sum a_i`` (0 for an all-zero window). ``generator`` makes draws repeatable.
    """
    a = _nonnegative_windows(x, kernel_size, stride)  # (N, C, OH, OW, K)
    total = a.sum(dim=-1)
    if not training:
        safe = total.clamp_min(torch.finfo(a.dtype).tiny)
        return torch.where(total > 0, (a * a).sum(dim=-1) / safe, torch.zeros_like(total))
    weights = torch.where(total.unsqueeze(-1) > 0, a, torch.ones_like(a)).detach()
    pick = torch.multinomial(weights.reshape(-1, a.shape[-1]).float(), 1, generator=generator)
    return a.gather(-1, pick.view(*a.shape[:-1], 1)).squeeze(-1)


class StochasticPool2d(nn.Module):
    """Stochastic pooling layer: samples in ``train()`` mode, probability-weighted mean in
    ``eval()`` mode (see ``stochastic_pool2d``). No parameters. ``stride`` defaults to
    ``kernel_size``."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None) -> None:
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(kernel_size if stride is None else stride, "stride")
        for name, (h, w) in (("kernel_size", self.kernel_size), ("stride", self.stride)):
            if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1
                       for v in (h, w)):
                raise ValueError(f"{name} must be a positive int or pair, got {(h, w)}")

    def forward(self, x: Tensor) -> Tensor:
        return stochastic_pool2d(x, self.kernel_size, self.stride, training=self.training)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"
