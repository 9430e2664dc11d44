"""utils.ops against torch.nn.functional, and stochastic pooling's statistics."""

import random

import pytest
import torch
import torch.nn.functional as F

from utils.ops import (
    StochasticPool2d,
    avg_pool2d,
    conv2d,
    conv2d_loops,
    max_pool2d,
    stochastic_pool2d,
    window_probabilities,
    windows,
)

TOL = dict(rtol=1e-5, atol=1e-5)  # float32
TOL64 = dict(rtol=1e-10, atol=1e-10)


def _conv_case(rng: random.Random, small: bool = False) -> dict:
    """A random conv problem whose kernel fits the padded input."""
    while True:
        n, c, o = rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, 5)
        h, w = (rng.randint(1, 7), rng.randint(1, 7)) if small else \
            (rng.randint(1, 20), rng.randint(1, 20))
        kh, kw = rng.randint(1, 5), rng.randint(1, 5)
        stride = (rng.randint(1, 3), rng.randint(1, 3))
        padding = (rng.randint(0, 2), rng.randint(0, 2))
        if kh <= h + 2 * padding[0] and kw <= w + 2 * padding[1]:
            break
    if rng.random() < 0.5:  # sometimes plain ints
        stride, padding = stride[0], padding[0]
        ph = padding
        if kh > h + 2 * ph or kw > w + 2 * ph:
            return _conv_case(rng, small)
    return dict(shape=(n, c, h, w), weight=(o, c, kh, kw), stride=stride, padding=padding,
                bias=rng.random() < 0.7)


def _compare_conv(fn, case: dict, seed: int) -> None:
    """Forward in float32 to 1e-5; forward and all gradients in float64 to 1e-10."""
    g = torch.Generator().manual_seed(seed)
    kw = dict(stride=case["stride"], padding=case["padding"])
    x = torch.randn(case["shape"], generator=g, dtype=torch.float64, requires_grad=True)
    w = torch.randn(case["weight"], generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(case["weight"][0], generator=g, dtype=torch.float64,
                    requires_grad=True) if case["bias"] else None
    params = [t for t in (x, w, b) if t is not None]
    as32 = [t.detach().float() for t in (x, w)] + [None if b is None else b.detach().float()]
    torch.testing.assert_close(fn(*as32, **kw), F.conv2d(*as32, **kw), **TOL)
    ours, ref = fn(x, w, b, **kw), F.conv2d(x, w, b, **kw)
    assert ours.shape == ref.shape, case
    torch.testing.assert_close(ours, ref, **TOL64)
    grad_out = torch.randn(ref.shape, generator=g, dtype=torch.float64)
    g_ours = torch.autograd.grad(ours, params, grad_out)
    g_ref = torch.autograd.grad(ref, params, grad_out)
    for a, r in zip(g_ours, g_ref):
        torch.testing.assert_close(a, r, **TOL64)


def test_conv2d_matches_torch_on_random_shapes() -> None:
    rng = random.Random(0)
    for seed in range(60):
        _compare_conv(conv2d, _conv_case(rng), seed)


def test_conv2d_loops_matches_torch() -> None:
    rng = random.Random(1)
    for seed in range(15):
        _compare_conv(conv2d_loops, _conv_case(rng, small=True), seed)


def test_conv2d_worked_examples() -> None:
    x = torch.tensor([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                      [0, 1, 1, 0, 0]], dtype=torch.float32)
    k = torch.tensor([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=torch.float32)
    want = torch.tensor([[4, 3, 4], [2, 4, 3], [2, 3, 4]], dtype=torch.float32)
    for fn in (conv2d, conv2d_loops):
        assert torch.equal(fn(x[None, None], k[None, None])[0, 0], want)


def _pool_case(rng: random.Random) -> tuple[tuple[int, ...], tuple, tuple, tuple]:
    while True:
        shape = (rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 16), rng.randint(1, 16))
        k = (rng.randint(1, 4), rng.randint(1, 4))
        s = (rng.randint(1, 3), rng.randint(1, 3))
        p = (rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2))
        if k[0] <= shape[2] + 2 * p[0] and k[1] <= shape[3] + 2 * p[1]:
            return shape, k, s, p


@pytest.mark.parametrize("name", ["max", "avg"])
def test_pooling_matches_torch_on_random_shapes(name: str) -> None:
    ours_fn, ref_fn = {"max": (max_pool2d, F.max_pool2d), "avg": (avg_pool2d, F.avg_pool2d)}[name]
    rng = random.Random(2)
    for seed in range(80):
        shape, k, s, p = _pool_case(rng)
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)
        x32 = x.detach().float()
        torch.testing.assert_close(ours_fn(x32, k, s, p), ref_fn(x32, k, s, p), **TOL)
        ours, ref = ours_fn(x, k, s, p), ref_fn(x, k, s, p)
        torch.testing.assert_close(ours, ref, **TOL64)
        grad_out = torch.randn(ref.shape, generator=g, dtype=torch.float64)
        (g_ours,), (g_ref,) = (torch.autograd.grad(y, x, grad_out) for y in (ours, ref))
        torch.testing.assert_close(g_ours, g_ref, **TOL64)


def test_pooling_defaults_and_indices() -> None:
    x = torch.tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 8, 7, 6], [5, 4, 3, 2]],
                     dtype=torch.float32)[None, None]
    assert max_pool2d(x, 2).tolist() == [[[[6, 8], [9, 7]]]]  # stride defaults to kernel
    assert avg_pool2d(x, 2).tolist() == [[[[3.5, 5.5], [6.5, 4.5]]]]
    rng = random.Random(3)
    for seed in range(50):
        shape, k, s, p = _pool_case(rng)
        x = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
        v, i = max_pool2d(x, k, s, p, return_indices=True)
        v_ref, i_ref = F.max_pool2d(x, k, s, p, return_indices=True)
        assert torch.equal(v, v_ref) and torch.equal(i, i_ref)


def test_max_pool_backward_mask_of_note_003() -> None:
    x = torch.tensor([[2, 3, 4, 3], [4, 3, 2, 0], [1, 0, 5, 7], [2, 3, 5, 6]],
                     dtype=torch.float32)[None, None].requires_grad_()
    y = max_pool2d(x, 2, 2)
    assert y.tolist() == [[[[4, 4], [3, 7]]]]
    y.sum().backward()
    assert x.grad[0, 0].tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]]


def test_windows_is_slicing() -> None:
    x = torch.arange(2 * 3 * 7 * 6, dtype=torch.float32).reshape(2, 3, 7, 6)
    win = windows(x, (3, 2), (2, 1))
    assert win.shape == (2, 3, 3, 5, 3, 2)
    for i in range(3):
        for j in range(5):
            assert torch.equal(win[:, :, i, j], x[:, :, 2 * i:2 * i + 3, j:j + 2])


@pytest.mark.parametrize("call, message", [
    (lambda: conv2d(torch.zeros(3, 5, 5), torch.zeros(1, 3, 3, 3)), "unsqueeze"),
    (lambda: conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(3, 3, 3)), "weight"),
    (lambda: conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(4, 2, 3, 3)), "3 channels"),
    (lambda: conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(4, 3, 7, 7)), "larger than"),
    (lambda: conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(4, 3, 3, 3), torch.zeros(3)), "bias"),
    (lambda: conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(4, 3, 3, 3, dtype=torch.float64)),
     "float64"),
    (lambda: conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(4, 3, 3, 3), stride=0), "stride"),
    (lambda: conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(4, 3, 3, 3), padding=-1), "padding"),
    (lambda: conv2d_loops(torch.zeros(1, 2, 5, 5), torch.zeros(4, 3, 3, 3)), "channels"),
    (lambda: conv2d([[1.0]], torch.zeros(1, 1, 1, 1)), "torch.Tensor"),
    (lambda: max_pool2d(torch.zeros(1, 1, 2, 2), 3), "larger than"),
    (lambda: max_pool2d(torch.zeros(4, 4), 2), "(N, C, H, W)"),
    (lambda: avg_pool2d(torch.zeros(1, 1, 8, 8), 2, padding=2), "at most half"),
    (lambda: max_pool2d(torch.zeros(1, 1, 8, 8), (2, 2, 2)), "pair"),
    (lambda: stochastic_pool2d(-torch.ones(1, 1, 4, 4), 2), "non-negative"),
    (lambda: StochasticPool2d(2)(torch.ones(1, 4, 4)), "unsqueeze"),
    (lambda: StochasticPool2d(5)(torch.ones(1, 1, 4, 4)), "larger than"),
    (lambda: StochasticPool2d(0), "positive"),
])
def test_bad_input_raises_clear_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_stochastic_eval_is_probability_weighted_sum() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(2, 3, 6, 8, generator=g)
    x[0, 0, :2, :2] = 0  # an all-zero window
    pool = StochasticPool2d(2).eval()
    y = pool(x)
    a = x.unfold(2, 2, 2).unfold(3, 2, 2).reshape(2, 3, 3, 4, 4)
    p = a / a.sum(-1, keepdim=True)
    want = torch.nan_to_num((p * a).sum(-1))
    torch.testing.assert_close(y, want, **TOL)
    assert y[0, 0, 0, 0] == 0
    probs = window_probabilities(x, 2)
    torch.testing.assert_close(probs.sum(-1), torch.ones(2, 3, 3, 4), **TOL)
    assert torch.all(probs[0, 0, 0, 0] == 0.25)  # uniform on the zero window
    # s_j = sum a_i^2 / sum a_i, by hand for one window
    window = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    s = StochasticPool2d(2).eval()(window[None, None]).item()
    assert abs(s - 30 / 10) < 1e-6
    assert list(pool.parameters()) == []


def test_stochastic_training_picks_window_elements() -> None:
    g = torch.Generator().manual_seed(1)
    x = torch.rand(4, 2, 8, 6, generator=g)
    x[x < 0.3] = 0
    x[0, 0, :2, :2] = 0
    y = stochastic_pool2d(x, 2, 2, training=True, generator=g)
    a = x.unfold(2, 2, 2).unfold(3, 2, 2).flatten(-2)
    assert torch.all((a == y.unsqueeze(-1)).any(-1))  # every output is one of its window
    nonzero_window = a.sum(-1) > 0
    assert torch.all(y[nonzero_window] > 0)  # a zero (p = 0) is never drawn
    assert y[0, 0, 0, 0] == 0
    # overlapping windows: 3x3, stride 2
    y = stochastic_pool2d(x, 3, 2, generator=g)
    assert y.shape == F.max_pool2d(x, 3, 2).shape
    assert torch.all(y <= F.max_pool2d(x, 3, 2))


def test_stochastic_sampling_frequencies_match_p() -> None:
    window = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    p = torch.tensor([0.1, 0.2, 0.3, 0.4])
    m = 20000
    x = window.repeat(m, 1, 1, 1)  # (m, 1, 2, 2): m independent draws
    y = stochastic_pool2d(x, 2, generator=torch.Generator().manual_seed(2)).flatten()
    counts = torch.stack([(y == v).sum() for v in (1.0, 2.0, 3.0, 4.0)]).double()
    assert counts.sum() == m
    sigma = (m * p * (1 - p)).sqrt()
    assert torch.all((counts - m * p).abs() < 5 * sigma), counts
    chi2 = (((counts - m * p) ** 2) / (m * p)).sum().item()
    assert chi2 < 16.27  # chi-square, 3 degrees of freedom, p = 0.001


def test_stochastic_module_modes_gradient_and_seed() -> None:
    pool = StochasticPool2d(2)
    assert pool.training and "kernel_size=(2, 2)" in repr(pool)
    x = torch.rand(1, 1, 4, 4, requires_grad=True)
    y = pool(x)
    y.sum().backward()
    grad = x.grad[0, 0]
    # one gradient 1 per window, at the element that was drawn
    assert grad.sum() == 4 and set(grad.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(x[0, 0][grad == 1].sort().values, y.flatten().sort().values)
    torch.manual_seed(5)
    a = pool(x)
    torch.manual_seed(5)
    assert torch.equal(a, pool(x))
    x2 = x.detach().clone().requires_grad_()
    pool.eval()(x2).sum().backward()
    assert torch.isfinite(x2.grad).all()
    zero = torch.zeros(1, 1, 2, 2, requires_grad=True)
    out = pool(zero)
    out.sum().backward()
    assert out.item() == 0 and torch.isfinite(zero.grad).all()
