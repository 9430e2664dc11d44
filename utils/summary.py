"""Layer tables in the style of the Keras summary of note 003, with FLOPs and memory.

``torchinfo`` walks the model (output shapes, parameters per layer); FLOPs come from
``torch.utils.flop_counter``. This module joins the two and adds activation memory.
FLOPs count a multiply-add as two operations, as ``flop_counter`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torchinfo
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


@dataclass
class Layer:
    """One row of a :class:`Summary`."""

    name: str
    kind: str
    depth: int
    output_shape: tuple[int, ...]
    params: int
    flops: int
    is_leaf: bool


@dataclass
class Summary:
    """Layer table of a model for one input size (batch of one unless stated)."""

    layers: list[Layer] = field(default_factory=list)
    input_size: tuple[int, ...] = ()
    total_params: int = 0
    trainable_params: int = 0
    total_flops: int = 0
    activation_elements: int = 0
    """Elements of every leaf layer's output (what a forward pass stores), per batch."""

    @property
    def activation_bytes(self) -> int:
        """Activation memory in float32 bytes."""
        return 4 * self.activation_elements

    @property
    def param_bytes(self) -> int:
        """Parameter memory in float32 bytes."""
        return 4 * self.total_params

    def rows(self) -> list[dict[str, object]]:
        """The table as plain records (e.g. for ``pandas.DataFrame``)."""
        return [dict(layer=r.name, type=r.kind, output=r.output_shape, params=r.params,
                     flops=r.flops) for r in self.layers]

    def __str__(self) -> str:
        head = f"{'Layer (type)':<34}{'Output shape':<22}{'Param #':>13}{'FLOPs':>16}"
        line = "=" * len(head)
        out = [head, line]
        for r in self.layers:
            label = f"{'  ' * max(r.depth - 1, 0)}{r.name} ({r.kind})"
            shape = "(None, " + ", ".join(str(s) for s in r.output_shape[1:]) + ")"
            out.append(f"{label[:33]:<34}{shape:<22}{r.params:>13,}{r.flops:>16,}")
        out += [line,
                f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.total_params - self.trainable_params:,}",
                f"FLOPs (multiply-add = 2): {self.total_flops:,}",
                f"Activations: {self.activation_elements:,} values "
                f"({self.activation_bytes / 2**20:.2f} MiB float32); "
                f"parameters {self.param_bytes / 2**20:.2f} MiB",
                line]
        return "\n".join(out)

    def _repr_pretty_(self, p: object, cycle: bool) -> None:  # IPython display
        p.text(str(self))  # type: ignore[attr-defined]


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (shared parameters counted once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _as_input(input_size: Sequence[int] | torch.Tensor, device: torch.device) -> torch.Tensor:
    if isinstance(input_size, torch.Tensor):
        return input_size.to(device)
    size = tuple(int(s) for s in input_size)
    if len(size) == 3:
        size = (1, *size)
    if len(size) != 4 or min(size) < 1:
        raise ValueError(f"input_size must be (C, H, W) or (N, C, H, W), got {input_size}")
    return torch.zeros(size, device=device)


def count_flops(model: nn.Module, input_size: Sequence[int] | torch.Tensor) -> int:
    """Floating-point operations of one forward pass (multiply-add = 2), batch of one
    when ``input_size`` is ``(C, H, W)``."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(_as_input(input_size, device))
    model.train(was_training)
    return int(counter.get_total_flops())


def summary(model: nn.Module, input_size: Sequence[int] | torch.Tensor,
            depth: int = 3) -> Summary:
    """Layer table of ``model`` for an input of ``input_size`` (``(C, H, W)``: batch of one).

    ``depth`` is how many levels of nested modules become rows.
    """
    device = next(model.parameters()).device
    x = _as_input(input_size, device)
    was_training = model.training
    model.eval()
    info = torchinfo.summary(model, input_data=x, depth=depth, verbose=0, device=device)
    with torch.no_grad(), FlopCounterMode(display=False, depth=None) as counter:
        model(x)
    model.train(was_training)
    flops_by_name = {k: int(sum(v.values())) for k, v in counter.get_flop_counts().items()}
    names = {id(m): n for n, m in model.named_modules()}
    root = type(model).__name__
    out = Summary(input_size=tuple(x.shape))
    for li in info.summary_list[1:]:  # skip the model itself
        mod = getattr(li, "module", None)
        fqn = names.get(id(mod), li.var_name) if mod is not None else li.var_name
        if li.depth > depth:
            continue
        shape = tuple(int(s) for s in li.output_size) if li.output_size else ()
        params = int(sum(p.numel() for p in mod.parameters())) if mod is not None else 0
        out.layers.append(Layer(name=fqn, kind=li.class_name, depth=li.depth,
                                output_shape=shape, params=params,
                                flops=flops_by_name.get(f"{root}.{fqn}", 0),
                                is_leaf=li.is_leaf_layer))
        if li.is_leaf_layer and shape:
            n = 1
            for s in shape:
                n *= s
            out.activation_elements += n
    out.total_params = count_parameters(model)
    out.trainable_params = count_parameters(model, trainable_only=True)
    out.total_flops = int(counter.get_total_flops())
    return out
