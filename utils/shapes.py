"""Output sizes and receptive fields of convolution and pooling layers.

All sizes follow PyTorch's rule (``torch.nn.Conv2d``, ``torch.nn.MaxPool2d``)::

    O = floor((N + 2P - D(F - 1) - 1) / S) + 1

which for dilation ``D = 1`` is the textbook ``O = (N + 2P - F) / S + 1`` rounded down.
``strict=True`` refuses sizes where the division is not exact (the lecture notes call
that case an error), instead of silently dropping the last rows/columns.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

IntOrPair = int | tuple[int, int]


def _check_int(name: str, value: Any, minimum: int) -> int:
    """Return ``value`` as an int, or raise ``ValueError`` if it is not an integer >= minimum."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    try:
        value = operator.index(value)  # ints and integer numpy scalars; not 2.5 or "3"
    except TypeError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _fraction_text(num: int, stride: int) -> str:
    return f"{num / stride + 1:.2f}".rstrip("0").rstrip(".")


def conv_output_size(n: int, kernel: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1, strict: bool = False) -> int:
    """Output length of a convolution along one axis (PyTorch's floor rule).

    ``n`` input size, ``kernel`` filter size ``F``, ``stride`` ``S``, ``padding`` ``P``
    zeros on each side, ``dilation`` ``D``. With ``strict=True`` a filter that does not
    fit a whole number of times raises ``ValueError`` naming the sizes.

    >>> conv_output_size(7, 3, stride=2)
    3
    >>> conv_output_size(7, 3, stride=3)  # (7 - 3)/3 + 1 = 2.33, floored
    2
    """
    n = _check_int("input size n", n, 1)
    kernel = _check_int("kernel", kernel, 1)
    stride = _check_int("stride", stride, 1)
    padding = _check_int("padding", padding, 0)
    dilation = _check_int("dilation", dilation, 1)
    span = dilation * (kernel - 1) + 1  # the effective (dilated) kernel size
    padded = n + 2 * padding
    if span > padded:
        what = f"kernel {kernel}" + (f" (dilated to {span})" if dilation > 1 else "")
        raise ValueError(
            f"{what} is larger than the padded input {n} + 2*{padding} = {padded}; "
            "use a smaller kernel or more padding")
    room = padded - span
    if strict and room % stride:
        raise ValueError(
            f"kernel {span} with stride {stride} does not fit an input of {n} with padding "
            f"{padding}: ({n} + 2*{padding} - {span})/{stride} + 1 = "
            f"{_fraction_text(room, stride)} is not an integer (PyTorch would floor it to "
            f"{room // stride + 1}); change the padding or the stride")
    return room // stride + 1


def pool_output_size(n: int, kernel: int, stride: int | None = None, padding: int = 0,
                     dilation: int = 1, ceil_mode: bool = False, strict: bool = False) -> int:
    """Output length of a pooling layer along one axis, as ``torch.nn.MaxPool2d`` computes it.

    ``stride`` defaults to ``kernel`` (non-overlapping windows). ``ceil_mode=True`` rounds
    up instead of down, keeping a last partial window only if it starts inside the input
    or the left padding (PyTorch's rule). As in PyTorch, ``padding`` may be at most
    ``kernel // 2``.

    >>> pool_output_size(4, 2)
    2
    >>> pool_output_size(55, 3, stride=2)  # AlexNet's overlapping pooling
    27
    """
    kernel = _check_int("kernel", kernel, 1)
    stride = kernel if stride is None else _check_int("stride", stride, 1)
    padding = _check_int("padding", padding, 0)
    dilation = _check_int("dilation", dilation, 1)
    span = dilation * (kernel - 1) + 1
    if padding > kernel // 2:
        raise ValueError(f"pooling padding {padding} must be at most half the kernel "
                         f"({kernel} // 2 = {kernel // 2})")
    out = conv_output_size(n, kernel, stride, padding, dilation, strict=strict)
    if ceil_mode:
        out = -(-(n + 2 * padding - span) // stride) + 1  # integer ceiling
        if (out - 1) * stride >= n + padding:  # last window would start in the right padding
            out -= 1
    return out


def conv_output_shape(size: IntOrPair, kernel: IntOrPair, stride: IntOrPair = 1,
                      padding: IntOrPair = 0, dilation: IntOrPair = 1,
                      strict: bool = False) -> tuple[int, int]:
    """``(height, width)`` of a 2-D convolution's output; each argument an int or a pair.

    >>> conv_output_shape((64, 64), 5, padding=2)
    (64, 64)
    """
    args = [pair(v, name) for v, name in ((size, "size"), (kernel, "kernel"),
                                          (stride, "stride"), (padding, "padding"),
                                          (dilation, "dilation"))]
    h, w = (conv_output_size(*(a[i] for a in args), strict=strict) for i in (0, 1))
    return h, w


def pair(value: IntOrPair, name: str = "value") -> tuple[int, int]:
    """``3 -> (3, 3)``; ``(3, 5)`` stays; anything else raises ``ValueError``."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (h, w), got {value!r}")
        return value[0], value[1]
    return value, value  # type: ignore[return-value]


class ReceptiveField(NamedTuple):
    """Receptive field of one unit: ``size`` input pixels across, and ``jump``, the
    distance in input pixels between neighbouring units of that layer (product of strides)."""

    size: int
    jump: int


LayerSpec = tuple[int, ...] | Mapping[str, int] | Any


def _layer_params(layer: LayerSpec, index: int) -> tuple[int, int, int]:
    """``(kernel, stride, dilation)`` of a layer given as a tuple, a dict or an nn layer."""
    where = f"layer {index}"
    if isinstance(layer, Mapping):
        unknown = set(layer) - {"kernel", "stride", "dilation", "padding"}
        if "kernel" not in layer or unknown:
            raise ValueError(f"{where}: a dict layer needs 'kernel' and may have 'stride', "
                             f"'dilation', 'padding'; got keys {sorted(layer)}")
        k, s, d = layer["kernel"], layer.get("stride", 1), layer.get("dilation", 1)
    elif isinstance(layer, Sequence) and not isinstance(layer, str):
        if not 1 <= len(layer) <= 3:
            raise ValueError(f"{where}: give (kernel,), (kernel, stride) or "
                             f"(kernel, stride, dilation), got {layer!r}")
        k, s, d = (*layer, 1, 1)[:3]
    elif hasattr(layer, "kernel_size"):  # nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, ...
        k = _square(layer.kernel_size, where, "kernel_size")
        s = _square(getattr(layer, "stride", None) or k, where, "stride")
        d = _square(getattr(layer, "dilation", 1), where, "dilation")
    else:
        raise ValueError(f"{where}: expected (kernel, stride), a dict or a conv/pool layer, "
                         f"got {layer!r}")
    return (_check_int(f"{where} kernel", k, 1), _check_int(f"{where} stride", s, 1),
            _check_int(f"{where} dilation", d, 1))


def _square(value: IntOrPair, where: str, name: str) -> int:
    h, w = pair(value, name)
    if h != w:
        raise ValueError(f"{where}: {name} {value!r} is not square; pass (kernel, stride) ints")
    return h


def receptive_fields(layers: Iterable[LayerSpec]) -> list[ReceptiveField]:
    """Receptive field after each layer of a stack (see ``receptive_field``)."""
    size, jump = 1, 1
    out = []
    for i, layer in enumerate(layers):
        k, s, d = _layer_params(layer, i)
        size += d * (k - 1) * jump  # each new tap sees ``jump`` input pixels further
        jump *= s
        out.append(ReceptiveField(size, jump))
    return out


def receptive_field(layers: Iterable[LayerSpec]) -> ReceptiveField:
    """Receptive field of a unit in the last layer of a stack of conv/pool layers.

    Each layer is ``(kernel, stride)``, ``(kernel, stride, dilation)``, a dict with those
    keys, or a layer object with ``kernel_size``/``stride``/``dilation`` (``nn.Conv2d``,
    ``nn.MaxPool2d``). An empty stack has the receptive field of one pixel.

    >>> receptive_field([(3, 1), (3, 1)])  # two 3x3 convolutions see 5x5
    ReceptiveField(size=5, jump=1)
    """
    fields = receptive_fields(layers)
    return fields[-1] if fields else ReceptiveField(1, 1)
