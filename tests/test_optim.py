"""utils.optim: each optimizer follows the same trajectory as its torch.optim counterpart."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
import torch
from torch import nn

from utils import optim

# (name, our optimizer, torch's): epsilon is negligible (1e-20 inside the root = 1e-10 outside).
# RMSprop takes sign-like steps of size about lr; once a gradient component hovers near zero,
# a difference of 1e-10 in the denominator flips the sign of a later step and the paths part
# (both stay correct). So its trajectory test uses eps = 0 on both sides, and
# test_rmsprop_tiny_eps_agrees_early checks the tiny-epsilon mapping over the first steps.
PAIRS: list[tuple[str, Callable, Callable]] = [
    ("sgd", lambda p: optim.SGD(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    ("momentum", lambda p: optim.Momentum(p, lr=0.02, momentum=0.9),
     lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9)),
    ("nesterov", lambda p: optim.Nesterov(p, lr=0.02, momentum=0.9),
     lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, nesterov=True)),
    ("adagrad", lambda p: optim.AdaGrad(p, lr=0.1, eps=1e-20),
     lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-10)),
    ("adadelta", lambda p: optim.AdaDelta(p, gamma=0.9, eps=1e-6),
     lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6)),
    ("rmsprop", lambda p: optim.RMSprop(p, lr=0.01, gamma=0.9, eps=0.0),
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0)),
    ("adam", lambda p: optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-20),
     lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-10)),
]
IDS = [name for name, _, _ in PAIRS]


def _quadratic(seed: int, n: int = 20, dtype: torch.dtype = torch.float64):
    """A random ill-conditioned convex quadratic E(w) = 1/2 w'Aw - b'w and a start point."""
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=g, dtype=dtype))
    eig = torch.logspace(-2, 0, n, dtype=dtype)
    a = q @ torch.diag(eig) @ q.T
    b = torch.randn(n, generator=g, dtype=dtype)
    w0 = torch.randn(n, generator=g, dtype=dtype)

    def loss(w: torch.Tensor) -> torch.Tensor:
        return 0.5 * w @ a @ w - b @ w

    return loss, w0


def _run_quadratic(make: Callable, seed: int, steps: int,
                   dtype: torch.dtype = torch.float64) -> torch.Tensor:
    loss, w0 = _quadratic(seed, dtype=dtype)
    w = w0.clone().requires_grad_(True)
    opt = make([w])
    path = []
    for _ in range(steps):
        opt.zero_grad()
        loss(w).backward()
        opt.step()
        path.append(w.detach().clone())
    return torch.stack(path)


def _relative_gap(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


@pytest.mark.parametrize("name,ours,theirs", PAIRS, ids=IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_same_trajectory_as_torch_on_random_quadratics(name, ours, theirs, seed):
    path_ours = _run_quadratic(ours, seed, steps=200)
    path_torch = _run_quadratic(theirs, seed, steps=200)
    assert torch.isfinite(path_ours).all()
    assert _relative_gap(path_ours, path_torch) < 1e-5, name
    # And the optimizer did move the weights a long way.
    assert (path_ours[-1] - path_ours[0]).abs().max() > 1e-2


@pytest.mark.parametrize("name,ours,theirs", PAIRS, ids=IDS)
def test_same_trajectory_as_torch_on_a_small_mlp_float32(name, ours, theirs):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 5, generator=g)
    y = torch.randint(0, 3, (64,), generator=g)
    results = []
    for make in (ours, theirs):
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3))
        opt = make(net.parameters())
        losses = []
        for _ in range(60):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        results.append((torch.cat([p.detach().flatten() for p in net.parameters()]), losses))
    (w_ours, l_ours), (w_torch, l_torch) = results
    assert _relative_gap(w_ours, w_torch) < 1e-5, name
    assert l_ours[-1] < l_ours[0]  # it learns


def test_nesterov_holds_the_look_ahead_point_of_the_notes():
    """The literal NAG of the notes (gradient at w - alpha*Delta) against the optimizer."""
    loss, w0 = _quadratic(3)
    eta, alpha = 0.02, 0.9
    w, delta = w0.clone(), torch.zeros_like(w0)
    u = w0.clone().requires_grad_(True)
    opt = optim.Nesterov([u], lr=eta, momentum=alpha)
    for _ in range(200):
        look = (w - alpha * delta).requires_grad_(True)
        grad = torch.autograd.grad(loss(look), look)[0]
        delta = alpha * delta + eta * grad
        w = w - delta
        opt.zero_grad()
        loss(u).backward()
        opt.step()
        torch.testing.assert_close(opt.weights()[0], w, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(u.detach(), w - alpha * delta, rtol=1e-9, atol=1e-12)


def test_momentum_velocity_is_lr_times_torch_buffer():
    loss, w0 = _quadratic(4)
    ws = [w0.clone().requires_grad_(True) for _ in range(2)]
    ours = optim.Momentum([ws[0]], lr=0.03, momentum=0.8)
    theirs = torch.optim.SGD([ws[1]], lr=0.03, momentum=0.8)
    for _ in range(20):
        for w, opt in zip(ws, (ours, theirs)):
            opt.zero_grad()
            loss(w).backward()
            opt.step()
    torch.testing.assert_close(ours.state[ws[0]]["delta"],
                               0.03 * theirs.state[ws[1]]["momentum_buffer"])


def test_rmsprop_tiny_eps_agrees_early():
    for seed in (0, 1):
        a = _run_quadratic(lambda p: optim.RMSprop(p, lr=0.01, gamma=0.9, eps=1e-20), seed, 50)
        b = _run_quadratic(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-10),
                           seed, 50)
        assert _relative_gap(a, b) < 1e-5


def test_default_eps_is_torch_eps_squared_at_a_zero_gradient():
    """A gradient component that is exactly zero gives a zero step, not 0/0."""
    g = torch.tensor([0.0, 1e-3, 1.0])
    pairs = [(lambda p: optim.AdaGrad(p, lr=0.01), lambda p: torch.optim.Adagrad(p, lr=0.01,
                                                                                 eps=1e-8)),
             (lambda p: optim.RMSprop(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01,
                                                                                 alpha=0.9)),
             (lambda p: optim.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01))]
    for ours, theirs in pairs:
        ws = [torch.ones(3, requires_grad=True) for _ in range(2)]
        for w, make in zip(ws, (ours, theirs)):
            opt = make([w])
            w.grad = g.clone()
            opt.step()
        assert torch.isfinite(ws[0]).all() and ws[0][0].item() == 1.0
        torch.testing.assert_close(ws[0], ws[1], rtol=1e-6, atol=1e-7)


def test_adadelta_needs_no_learning_rate_and_default_eps_matches_torch():
    a = _run_quadratic(lambda p: optim.AdaDelta(p), 5, steps=100)
    b = _run_quadratic(lambda p: torch.optim.Adadelta(p), 5, steps=100)
    assert _relative_gap(a, b) < 1e-10


def test_skips_parameters_without_gradient_and_param_groups():
    w1 = torch.ones(3, requires_grad=True)
    w2 = torch.ones(3, requires_grad=True)
    opt = optim.Adam([{"params": [w1], "lr": 0.1}, {"params": [w2]}], lr=0.01)
    (w1 ** 2).sum().backward()
    opt.step()
    assert torch.equal(w2.detach(), torch.ones(3))
    torch.testing.assert_close(w1.detach(), torch.full((3,), 0.9))  # Adam's first step is lr


def test_closure_returns_loss():
    w = torch.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 4.0
    assert w.item() == 1.0  # 2 - 0.25 * 4


def test_state_dict_round_trip_continues_identically():
    loss, w0 = _quadratic(6)
    w = w0.clone().requires_grad_(True)
    opt = optim.Adam([w], lr=0.01)
    for _ in range(5):
        opt.zero_grad()
        loss(w).backward()
        opt.step()
    w_copy = w.detach().clone().requires_grad_(True)
    opt_copy = optim.Adam([w_copy], lr=0.01)
    opt_copy.load_state_dict(copy.deepcopy(opt.state_dict()))
    for v, o in ((w, opt), (w_copy, opt_copy)):
        o.zero_grad()
        loss(v).backward()
        o.step()
    assert torch.equal(w, w_copy)


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.0),
    lambda p: optim.SGD(p, lr=-1.0),
    lambda p: optim.Momentum(p, lr=0.1, momentum=1.0),
    lambda p: optim.Nesterov(p, lr=0.1, momentum=-0.1),
    lambda p: optim.AdaGrad(p, lr=0.1, eps=-1.0),
    lambda p: optim.AdaDelta(p, gamma=1.5),
    lambda p: optim.RMSprop(p, lr=float("nan")),
    lambda p: optim.Adam(p, betas=(0.9,)),
    lambda p: optim.Adam(p, betas=(0.9, 1.0)),
])
def test_bad_hyperparameters_raise_value_error(make):
    with pytest.raises(ValueError):
        make([torch.zeros(2, requires_grad=True)])


def test_sparse_gradient_is_refused():
    emb = nn.Embedding(10, 3, sparse=True)
    opt = optim.SGD(emb.parameters(), lr=0.1)
    emb(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(ValueError, match="sparse"):
        opt.step()
