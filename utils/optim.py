"""The optimizers of the lecture notes, written from their formulas.

Each class is a ``torch.optim.Optimizer``, so it drops into any training loop (and into
``utils.train.fit(optimizer=lambda p: Momentum(p, lr=0.01))``). The names follow the
notes: ``lr`` is the learning rate eta, ``momentum`` is alpha, ``gamma`` the decay of a
running average, ``betas`` Adam's (beta1, beta2) and ``eps`` the small epsilon.

Two conventions differ from ``torch.optim`` and are worth knowing:

* The notes put epsilon *inside* the square root, ``eta / sqrt(G + eps)``; PyTorch's
  AdaGrad, RMSprop and Adam put it outside, ``lr / (sqrt(G) + eps)``. Both only guard
  against dividing by zero; when ``G`` is far larger than either epsilon they agree.
  ``eps_inside = eps_outside ** 2`` gives the same step where ``G`` is zero, which is why
  the defaults here are 1e-16 (PyTorch's 1e-8 squared). AdaDelta has epsilon inside the
  root in both.
* The notes' momentum folds eta into the velocity, ``Delta = alpha * Delta + eta * g``;
  PyTorch keeps ``b = mu * b + g`` and steps ``lr * b``. With a constant learning rate
  ``Delta = lr * b`` at every step, so the weights are the same.

Where PyTorch has the same algorithm the weights agree with ``torch.optim`` to rounding
(``tests/test_optim.py`` checks this over many steps).

With ``fit``'s default ``schedule="onecycle"``, PyTorch's ``OneCycleLR`` also cycles the
momentum and needs a ``momentum`` (or ``betas``) setting: it works with ``Momentum``,
``Nesterov`` and ``Adam``; give the others ``schedule="cosine"`` or ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch.optim import Optimizer

Params = Iterable[torch.Tensor] | Iterable[dict[str, Any]]
Closure = Callable[[], torch.Tensor] | None

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "AdaDelta", "RMSprop", "Adam"]


def _positive(name: str, value: float, hint: str) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}; {hint}")


def _fraction(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and 0.0 <= value < 1.0):
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}; typical values are 0.9 "
                         "(momentum, gamma, beta1) or 0.999 (beta2)")


def _eps(value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"eps must be a non-negative number, got {value!r}; use e.g. 1e-16 "
                         "(epsilon sits inside the square root here)")


class _NotesOptimizer(Optimizer):
    """Shared machinery: run the closure, loop over parameters that have a gradient."""

    def _grads(self) -> Iterable[tuple[dict[str, Any], torch.Tensor, torch.Tensor, dict[str, Any]]]:
        for group in self.param_groups:
            for w in group["params"]:
                if w.grad is None:
                    continue
                if w.grad.is_sparse:
                    raise ValueError(f"{type(self).__name__} does not take sparse gradients; "
                                     "use torch.optim.SparseAdam for sparse embeddings")
                yield group, w, w.grad, self.state[w]

    def _update(self, group: dict[str, Any], w: torch.Tensor, g: torch.Tensor,
                state: dict[str, Any]) -> None:
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure: Closure = None) -> torch.Tensor | None:  # type: ignore[override]
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group, w, g, state in self._grads():
            self._update(group, w, g, state)
        return loss


class SGD(_NotesOptimizer):
    r"""Gradient descent: $w^{(t+1)} = w^{(t)} - \eta\, \partial E / \partial w$.

    Same as ``torch.optim.SGD(params, lr)``.
    """

    def __init__(self, params: Params, lr: float) -> None:
        _positive("lr (eta)", lr, "try 0.1 for a small CNN")
        super().__init__(params, dict(lr=lr))

    def _update(self, group: dict[str, Any], w: torch.Tensor, g: torch.Tensor,
                state: dict[str, Any]) -> None:
        w.add_(g, alpha=-group["lr"])


class Momentum(_NotesOptimizer):
    r"""Gradient descent with momentum.

    $\Delta^{(t)} = \alpha \Delta^{(t-1)} + \eta\, g^{(t)}$, $w^{(t+1)} = w^{(t)} - \Delta^{(t)}$,
    with $\Delta^{(0)} = 0$. Same as ``torch.optim.SGD(params, lr, momentum=alpha)`` for a
    constant learning rate (PyTorch stores ``Delta / lr``).
    """

    def __init__(self, params: Params, lr: float, momentum: float = 0.9) -> None:
        _positive("lr (eta)", lr, "try 0.01 for a small CNN")
        _fraction("momentum (alpha)", momentum)
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _update(self, group: dict[str, Any], w: torch.Tensor, g: torch.Tensor,
                state: dict[str, Any]) -> None:
        if "delta" not in state:
            state["delta"] = torch.zeros_like(w)
        delta = state["delta"]
        delta.mul_(group["momentum"]).add_(g, alpha=group["lr"])  # Delta = alpha Delta + eta g
        w.sub_(delta)                                             # w = w - Delta


class Nesterov(_NotesOptimizer):
    r"""Nesterov accelerated gradient (NAG).

    The notes: $\Delta^{(t)} = \alpha \Delta^{(t-1)} + \eta\, \nabla E(w^{(t)} - \alpha
    \Delta^{(t-1)})$, $w^{(t+1)} = w^{(t)} - \Delta^{(t)}$: the gradient is taken at the
    look-ahead point $u^{(t)} = w^{(t)} - \alpha \Delta^{(t-1)}$, not at $w^{(t)}$.

    A training loop computes the gradient wherever the parameter tensor is, so the tensor
    holds the look-ahead point $u$ (PyTorch's choice too). From $u$ and the stored
    $\Delta$ one step rebuilds $w = u + \alpha\Delta$, applies the two formulas, and moves
    the tensor to the next look-ahead point $w^{(t+1)} - \alpha \Delta^{(t)}$. Written out,
    $u \leftarrow u - \eta\,(g + \alpha b)$ with $b = \Delta / \eta$: exactly
    ``torch.optim.SGD(params, lr, momentum=alpha, nesterov=True)``.
    """

    def __init__(self, params: Params, lr: float, momentum: float = 0.9) -> None:
        _positive("lr (eta)", lr, "try 0.01 for a small CNN")
        _fraction("momentum (alpha)", momentum)
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _update(self, group: dict[str, Any], u: torch.Tensor, g: torch.Tensor,
                state: dict[str, Any]) -> None:
        alpha, eta = group["momentum"], group["lr"]
        if "delta" not in state:
            state["delta"] = torch.zeros_like(u)
        delta = state["delta"]
        w = u + alpha * delta                  # the notes' weights w(t)
        delta.mul_(alpha).add_(g, alpha=eta)   # Delta(t) = alpha Delta(t-1) + eta grad E(u)
        w.sub_(delta)                          # w(t+1) = w(t) - Delta(t)
        u.copy_(w.sub_(delta, alpha=alpha))    # next look-ahead point u = w(t+1) - alpha Delta(t)

    def weights(self) -> list[torch.Tensor]:
        """The notes' weights ``w = u + alpha * Delta`` (the tensors hold the look-ahead ``u``)."""
        out = []
        for group in self.param_groups:
            for u in group["params"]:
                delta = self.state[u].get("delta")
                out.append(u.detach().clone() if delta is None
                           else u.detach() + group["momentum"] * delta)
        return out


class AdaGrad(_NotesOptimizer):
    r"""AdaGrad: a learning rate per weight that shrinks where the weight has moved a lot.

    $G_i^{(t)} = G_i^{(t-1)} + (g_i^{(t)})^2$,
    $w_i^{(t+1)} = w_i^{(t)} - \eta\, g_i^{(t)} / \sqrt{G_i^{(t)} + \epsilon}$.
    ``torch.optim.Adagrad`` is the same with epsilon outside the root.
    """

    def __init__(self, params: Params, lr: float = 0.01, eps: float = 1e-16) -> None:
        _positive("lr (eta)", lr, "try 0.01")
        _eps(eps)
        super().__init__(params, dict(lr=lr, eps=eps))

    def _update(self, group: dict[str, Any], w: torch.Tensor, g: torch.Tensor,
                state: dict[str, Any]) -> None:
        if "G" not in state:
            state["G"] = torch.zeros_like(w)
        G = state["G"]
        G.addcmul_(g, g)                                               # G += g^2
        w.addcdiv_(g, (G + group["eps"]).sqrt_(), value=-group["lr"])  # w -= eta g / sqrt(G+eps)


class AdaDelta(_NotesOptimizer):
    r"""AdaDelta (Zeiler 2012): no learning rate; the step's own running size sets the scale.

    $E[g^2]_t = \gamma E[g^2]_{t-1} + (1-\gamma) g_t^2$, $RMS[g]_t = \sqrt{E[g^2]_t + \epsilon}$,
    $\Delta w_t = -\frac{RMS[\Delta w]_{t-1}}{RMS[g]_t}\, g_t$,
    $E[\Delta w^2]_t = \gamma E[\Delta w^2]_{t-1} + (1-\gamma)\, \Delta w_t^2$,
    $w_{t+1} = w_t + \mathrm{lr}\cdot\Delta w_t$ (``lr = 1`` is the method as published).

    The notes accumulate $(\eta\, g / RMS[g])^2$ (an RMSprop step) in $E[w^2]$; the paper and
    PyTorch accumulate the step actually taken, as here. ``lr`` is PyTorch's extra scale
    (kept so that learning-rate schedules work); this equals ``torch.optim.Adadelta(params,
    lr, rho=gamma, eps=eps)`` exactly, epsilon inside both roots as in the notes.
    """

    def __init__(self, params: Params, gamma: float = 0.9, eps: float = 1e-6,
                 lr: float = 1.0) -> None:
        _fraction("gamma", gamma)
        _eps(eps)
        _positive("lr", lr, "AdaDelta as published uses lr=1.0")
        super().__init__(params, dict(lr=lr, gamma=gamma, eps=eps))

    def _update(self, group: dict[str, Any], w: torch.Tensor, g: torch.Tensor,
                state: dict[str, Any]) -> None:
        gamma, eps = group["gamma"], group["eps"]
        if "Eg2" not in state:
            state["Eg2"] = torch.zeros_like(w)
            state["Edw2"] = torch.zeros_like(w)
        Eg2, Edw2 = state["Eg2"], state["Edw2"]
        Eg2.mul_(gamma).addcmul_(g, g, value=1 - gamma)        # E[g^2]
        dw = (Edw2 + eps).sqrt_().div_((Eg2 + eps).sqrt_()).mul_(g)  # RMS[dw]_{t-1}/RMS[g]_t g
        Edw2.mul_(gamma).addcmul_(dw, dw, value=1 - gamma)     # E[dw^2]
        w.sub_(dw, alpha=group["lr"])


class RMSprop(_NotesOptimizer):
    r"""RMSprop: divide the step by a running root-mean-square of the gradient.

    $E[g_i^2]_t = \gamma E[g_i^2]_{t-1} + (1-\gamma)(g_i^{(t)})^2$,
    $w_i^{(t+1)} = w_i^{(t)} - \eta\, g_i^{(t)} / \sqrt{E[g_i^2]_t + \epsilon}$.
    ``torch.optim.RMSprop(params, lr, alpha=gamma)`` is the same with epsilon outside the root.
    """

    def __init__(self, params: Params, lr: float = 0.001, gamma: float = 0.9,
                 eps: float = 1e-16) -> None:
        _positive("lr (eta)", lr, "try 0.001")
        _fraction("gamma", gamma)
        _eps(eps)
        super().__init__(params, dict(lr=lr, gamma=gamma, eps=eps))

    def _update(self, group: dict[str, Any], w: torch.Tensor, g: torch.Tensor,
                state: dict[str, Any]) -> None:
        gamma = group["gamma"]
        if "Eg2" not in state:
            state["Eg2"] = torch.zeros_like(w)
        Eg2 = state["Eg2"]
        Eg2.mul_(gamma).addcmul_(g, g, value=1 - gamma)
        w.addcdiv_(g, (Eg2 + group["eps"]).sqrt_(), value=-group["lr"])


class Adam(_NotesOptimizer):
    r"""Adam: running averages of the gradient (m) and its square (v), bias-corrected.

    $m^{(t)} = \beta_1 m^{(t-1)} + (1-\beta_1) g^{(t)}$,
    $v^{(t)} = \beta_2 v^{(t-1)} + (1-\beta_2) (g^{(t)})^2$,
    $\hat m^{(t)} = m^{(t)} / (1-\beta_1^t)$, $\hat v^{(t)} = v^{(t)} / (1-\beta_2^t)$,
    $w^{(t+1)} = w^{(t)} - \eta\, \hat m^{(t)} / \sqrt{\hat v^{(t)} + \epsilon}$.
    ``torch.optim.Adam`` is the same with epsilon outside the root.
    """

    def __init__(self, params: Params, lr: float = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-16) -> None:
        _positive("lr (eta)", lr, "try 0.001")
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}; "
                             "the usual is (0.9, 0.999)")
        _fraction("beta1", betas[0])
        _fraction("beta2", betas[1])
        _eps(eps)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps))

    def _update(self, group: dict[str, Any], w: torch.Tensor, g: torch.Tensor,
                state: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        if "m" not in state:
            state["t"] = 0
            state["m"] = torch.zeros_like(w)
            state["v"] = torch.zeros_like(w)
        state["t"] += 1
        t, m, v = state["t"], state["m"], state["v"]
        m.mul_(beta1).add_(g, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        w.addcdiv_(m_hat, (v_hat + group["eps"]).sqrt_(), value=-group["lr"])
