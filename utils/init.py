"""Weight initialisation schemes and the size of the signal through a network.

``initialise(model, scheme)`` re-draws the weights of every convolution and linear layer
(``"default"``: PyTorch's own, ``"xavier"``: Glorot and Bengio 2010, ``"he"``: He et al.
2015, ``"normal"``: a fixed standard deviation); ``activation_stds(model, x)`` runs one
forward pass and returns the standard deviation of the output of every layer of a kind
(ReLU by default), in the order they run. Chapters 12 and 13 use both.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

SCHEMES = ("default", "xavier", "he", "normal")
"""The names ``initialise`` accepts."""

WEIGHTED = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)


def initialise(model: nn.Module, scheme: str, *, mode: str = "fan_in", std: float = 0.01,
               generator: torch.Generator | None = None) -> nn.Module:
    """Re-draw the weights of every convolution and linear layer of ``model`` in place.

    Args:
        scheme: ``"default"`` (each layer's own ``reset_parameters``: PyTorch's
            ``kaiming_uniform_(a=sqrt(5))``, variance ``1/(3 fan_in)``, and a uniform bias),
            ``"xavier"`` (normal, variance ``2/(fan_in + fan_out)``), ``"he"`` (normal,
            variance ``2/fan``, ``fan`` chosen by ``mode``), ``"normal"`` (normal with the
            given ``std``, as AlexNet's 0.01). All but ``"default"`` set the biases to zero.
        mode: ``"fan_in"`` or ``"fan_out"``, for ``"he"`` only.
        generator: the random numbers to use (the global generator when ``None``);
            ignored by ``"default"``, which always draws from the global generator.

    Returns:
        ``model`` itself, for chaining.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}: use one of {', '.join(SCHEMES)}")
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', not {mode!r}")
    for layer in model.modules():
        if not isinstance(layer, WEIGHTED):
            continue
        if scheme == "default":
            layer.reset_parameters()
            continue
        with torch.no_grad():
            if scheme == "xavier":
                nn.init.xavier_normal_(layer.weight, generator=generator)
            elif scheme == "he":
                nn.init.kaiming_normal_(layer.weight, mode=mode, nonlinearity="relu",
                                        generator=generator)
            else:
                nn.init.normal_(layer.weight, 0.0, std, generator=generator)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return model


def activation_stds(model: nn.Module, x: torch.Tensor,
                    kinds: tuple[type[nn.Module], ...] = (nn.ReLU,),
                    stat: Callable[[torch.Tensor], torch.Tensor] = torch.std) -> list[float]:
    """``stat`` (the standard deviation by default) of the output of every module of one of
    ``kinds``, in the order the modules run, for one forward pass of ``x`` without gradients.

    A module that runs twice is reported twice. The model's mode (train or eval) is kept.
    """
    values: list[float] = []
    handles = [m.register_forward_hook(lambda _m, _i, out: values.append(float(stat(out))))
               for m in model.modules() if isinstance(m, kinds)]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return values
