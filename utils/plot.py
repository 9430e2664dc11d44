"""Figures that every chapter draws: learning curves, image grids, filters, feature maps.

``slider`` (from :mod:`utils.sliders`) is the one way a chapter makes an interactive figure:
live in Jupyter, pre-drawn frames in the built book.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .sliders import Choice, LogRange, Range, slider
from .train import History

__all__ = ["Choice", "LogRange", "Range", "plot_history", "plot_surface", "show_feature_maps",
           "show_filters", "show_images", "slider"]


def _to_numpy(x: torch.Tensor | np.ndarray) -> np.ndarray:
    return x.detach().float().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def plot_history(histories: Mapping[str, History] | History,
                 metrics: Sequence[str] = ("loss", "acc")) -> Figure:
    """Learning curves: for each metric, train (dashed) and test (solid) per epoch."""
    if isinstance(histories, History):
        histories = {"model": histories}
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for i, (name, h) in enumerate(histories.items()):
            color = f"C{i}"
            ax.plot(h.epoch, getattr(h, f"train_{metric}"), "--", color=color,
                    label=f"{name} (train)")
            if getattr(h, f"test_{metric}"):
                ax.plot(h.epoch, getattr(h, f"test_{metric}"), "-", color=color,
                        label=f"{name} (test)")
        ax.set_xlabel("epoch")
        ax.set_ylabel({"loss": "cross-entropy loss", "acc": "accuracy"}.get(metric, metric))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def show_images(images: torch.Tensor | np.ndarray, labels: Sequence[str] | None = None,
                ncols: int = 8, cmap: str = "gray", size: float = 1.4,
                symmetric: bool = False) -> Figure:
    """A grid of images ``(N, C, H, W)`` or ``(N, H, W)``, with optional titles.

    ``symmetric=True`` centres the colour map on zero (for signed maps such as filters).
    """
    arr = _to_numpy(images)
    if arr.ndim == 4:
        arr = arr.transpose(0, 2, 3, 1)
        if arr.shape[-1] == 1:
            arr = arr[..., 0]
    if arr.ndim not in (3, 4):
        raise ValueError(f"expected (N, C, H, W) or (N, H, W) images, got shape {arr.shape}")
    n = len(arr)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.1),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        img = arr[i]
        if img.ndim == 3:  # colour: rescale each image to [0, 1] for display
            lo, hi = img.min(), img.max()
            ax.imshow((img - lo) / (hi - lo + 1e-12))
        elif symmetric:
            m = float(np.abs(img).max()) or 1.0
            ax.imshow(img, cmap="RdBu_r", vmin=-m, vmax=m)
        else:
            ax.imshow(img, cmap=cmap)
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=8)
    fig.tight_layout()
    return fig


def show_filters(weight: torch.Tensor, ncols: int = 8) -> Figure:
    """The filters of a conv layer, ``weight`` of shape ``(out, in, kh, kw)``.

    Three-channel filters are shown in colour; others channel 0, on a diverging map.
    """
    w = weight.detach().float().cpu()
    if w.ndim != 4:
        raise ValueError(f"expected a conv weight (out, in, kh, kw), got shape {tuple(w.shape)}")
    if w.shape[1] == 3:
        return show_images(w, ncols=ncols)
    return show_images(w[:, 0], ncols=ncols, symmetric=True)


def show_feature_maps(maps: torch.Tensor, ncols: int = 8, limit: int = 32) -> Figure:
    """The channels of one feature map ``(C, H, W)`` (or ``(1, C, H, W)``), up to ``limit``."""
    m = maps.detach().float().cpu()
    if m.ndim == 4:
        m = m[0]
    if m.ndim != 3:
        raise ValueError(f"expected feature maps (C, H, W), got shape {tuple(m.shape)}")
    return show_images(m[:limit], labels=[f"ch {i}" for i in range(min(limit, len(m)))],
                       ncols=ncols, cmap="viridis")


def plot_surface(ax: Axes, f: callable, xlim: tuple[float, float], ylim: tuple[float, float],
                 levels: int = 30, n: int = 200) -> None:
    """Contour plot of a 2-D function ``f(x, y)`` (NumPy-vectorised) on ``ax``."""
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    xx, yy = np.meshgrid(xs, ys)
    ax.contour(xx, yy, f(xx, yy), levels=levels, cmap="viridis", linewidths=0.7)
