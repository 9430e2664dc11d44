"""Seeing what a CNN looks at: feature maps, occlusion sensitivity, saliency, Grad-CAM.

Every function takes a classifier ``model`` (logits out) and one input ``x`` of shape
``(1, C, H, W)``, already preprocessed the way the model expects, and returns maps as
CPU tensors. ``target`` is the class to explain; it defaults to the predicted class.

- :func:`feature_maps`: the outputs of chosen layers (forward hooks).
- :func:`occlusion`: slide a grey patch over the image and record how much the target
  score drops (Zeiler & Fergus, arXiv 2013, ECCV 2014); needs no gradients, only forward passes.
- :func:`saliency`: the gradient of the target score with respect to the pixels
  (Simonyan, Vedaldi & Zisserman 2014), largest absolute value over the colour channels.
- :func:`grad_cam`: a layer's feature maps weighted by the average gradient of the target
  score over each map, summed and passed through ReLU (Selvaraju et al. 2017).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from torch import nn

__all__ = ["feature_maps", "grad_cam", "occlusion", "saliency", "show_heatmap", "upsample"]


def _check_input(x: torch.Tensor) -> None:
    if x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(f"expected one preprocessed input of shape (1, C, H, W), got "
                         f"{tuple(x.shape)}; add a batch dimension with x.unsqueeze(0)")


def _resolve_target(logits: torch.Tensor, target: int | None) -> int:
    if target is None:
        return int(logits.argmax(1)[0])
    if not 0 <= target < logits.shape[1]:
        raise ValueError(f"target class {target} is out of range 0..{logits.shape[1] - 1}")
    return int(target)


class _Eval:
    """Context: the model in eval mode (dropout off, batch norm frozen), restored after."""

    def __init__(self, model: nn.Module) -> None:
        self.model, self.was_training = model, model.training

    def __enter__(self) -> nn.Module:
        self.model.eval()
        return self.model

    def __exit__(self, *exc: object) -> None:
        self.model.train(self.was_training)


@torch.no_grad()
def feature_maps(model: nn.Module, x: torch.Tensor,
                 layers: Mapping[str, nn.Module]) -> dict[str, torch.Tensor]:
    """Run ``model`` on ``x`` and return the output of each module in ``layers`` by name."""
    out: dict[str, torch.Tensor] = {}
    handles = []
    for name, layer in layers.items():
        def hook(_m: nn.Module, _i: object, o: torch.Tensor, name: str = name) -> None:
            out[name] = o.detach().float().cpu()
        handles.append(layer.register_forward_hook(hook))
    try:
        with _Eval(model):
            model(x)
    finally:
        for h in handles:
            h.remove()
    missing = set(layers) - set(out)
    if missing:
        raise ValueError(f"layers {sorted(missing)} did not run in the forward pass")
    return out


@torch.no_grad()
def occlusion(model: nn.Module, x: torch.Tensor, target: int | None = None, patch: int = 16,
              stride: int = 8, fill: float = 0.0, score: str = "prob",
              batch_size: int = 64) -> torch.Tensor:
    """Occlusion sensitivity: how much the target score drops when a square is hidden.

    A ``patch`` x ``patch`` square of value ``fill`` (after mean/std normalisation 0 is the
    mean pixel; for inputs scaled to [-1, 1], as EfficientNet-Lite's, it is mid-grey)
    slides over ``x`` with step ``stride``; entry ``(i, j)`` of the result
    is ``score(x) - score(x with the square at (i * stride, j * stride))``, where the score
    is the softmax probability (``score="prob"``) or the logit (``"logit"``) of ``target``.
    Large values mark the regions the decision depends on. Shape:
    ``(1 + (H - patch) // stride, 1 + (W - patch) // stride)``.
    """
    _check_input(x)
    if score not in ("prob", "logit"):
        raise ValueError(f"score must be 'prob' or 'logit', not {score!r}")
    h, w = x.shape[-2:]
    if not 1 <= patch <= min(h, w) or stride < 1:
        raise ValueError(f"need 1 <= patch <= {min(h, w)} and stride >= 1 "
                         f"(got patch={patch}, stride={stride})")

    def scores(batch: torch.Tensor, cls: int) -> torch.Tensor:
        logits = model(batch).float()
        return (logits.softmax(1) if score == "prob" else logits)[:, cls]

    with _Eval(model):
        logits = model(x).float()
        cls = _resolve_target(logits, target)
        base = scores(x, cls)[0]
        rows, cols = 1 + (h - patch) // stride, 1 + (w - patch) // stride
        positions = [(r * stride, c * stride) for r in range(rows) for c in range(cols)]
        drops = []
        for i in range(0, len(positions), batch_size):
            chunk = positions[i:i + batch_size]
            batch = x.repeat(len(chunk), 1, 1, 1)
            for k, (top, left) in enumerate(chunk):
                batch[k, :, top:top + patch, left:left + patch] = fill
            drops.append(base - scores(batch, cls))
    return torch.cat(drops).reshape(rows, cols).cpu()


def saliency(model: nn.Module, x: torch.Tensor, target: int | None = None) -> torch.Tensor:
    """Vanilla gradient saliency ``max_c |d logit_target / d x_c|``, shape ``(H, W)``."""
    _check_input(x)
    with _Eval(model), torch.enable_grad():
        inp = x.detach().clone().requires_grad_(True)
        logits = model(inp)
        cls = _resolve_target(logits, target)
        (grad,) = torch.autograd.grad(logits[0, cls], inp)
    return grad[0].abs().amax(0).float().cpu()


def grad_cam(model: nn.Module, x: torch.Tensor, layer: nn.Module, target: int | None = None,
             size: tuple[int, int] | None = None, normalize: bool = True) -> torch.Tensor:
    """Grad-CAM heat map of ``target`` at the output of ``layer`` (usually the last conv).

    ``alpha_k`` = mean over positions of ``d logit_target / d A_k`` for each channel ``k`` of
    the layer's output ``A``; the map is ``ReLU(sum_k alpha_k A_k)``, upsampled (bilinear)
    to ``size`` (default: the input's size) and, with ``normalize``, scaled to max 1.
    """
    _check_input(x)
    saved: dict[str, torch.Tensor] = {}

    def hook(_m: nn.Module, _i: object, o: torch.Tensor) -> None:
        saved["a"] = o

    handle = layer.register_forward_hook(hook)
    try:
        with _Eval(model), torch.enable_grad():
            logits = model(x.detach())
            if "a" not in saved:
                raise ValueError("the given layer did not run in the forward pass")
            cls = _resolve_target(logits, target)
            (grad,) = torch.autograd.grad(logits[0, cls], saved["a"])
    finally:
        handle.remove()
    acts = saved["a"].detach()[0].float()
    alpha = grad[0].float().mean((1, 2))
    cam = F.relu((alpha[:, None, None] * acts).sum(0))
    cam = upsample(cam, size or tuple(x.shape[-2:]))
    if normalize and cam.max() > 0:
        cam = cam / cam.max()
    return cam.cpu()


def upsample(heat: torch.Tensor, size: tuple[int, ...]) -> torch.Tensor:
    """Resize a 2-D map to ``size`` ``(H, W)`` by bilinear interpolation."""
    if heat.ndim != 2:
        raise ValueError(f"expected a 2-D map, got shape {tuple(heat.shape)}")
    out = F.interpolate(heat[None, None].float(), size=tuple(int(s) for s in size),
                        mode="bilinear", align_corners=False)
    return out[0, 0]


def show_heatmap(image: np.ndarray | torch.Tensor, heat: torch.Tensor | np.ndarray,
                 ax: Axes | None = None, alpha: float = 0.5, title: str | None = None,
                 cmap: str = "jet") -> Axes:
    """Draw ``image`` (``HxW`` or ``HxWx3`` in [0, 1]) with ``heat`` resized over it."""
    img = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    h = torch.as_tensor(np.asarray(heat, dtype=np.float32))
    h = upsample(h, img.shape[:2]).numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3))
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
    ax.imshow(h, cmap=cmap, alpha=alpha)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    return ax
