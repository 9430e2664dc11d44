"""utils.shapes against what PyTorch's layers actually produce."""

import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.shapes import (
    ReceptiveField,
    conv_output_shape,
    conv_output_size,
    pool_output_size,
    receptive_field,
    receptive_fields,
)


def _random_geometry(rng: random.Random) -> tuple[int, int, int, int, int]:
    """(n, kernel, stride, padding, dilation) such that the kernel fits the padded input."""
    while True:
        n, k = rng.randint(1, 16), rng.randint(1, 6)
        s, p, d = rng.randint(1, 4), rng.randint(0, 3), rng.randint(1, 3)
        if d * (k - 1) + 1 <= n + 2 * p:
            return n, k, s, p, d


def test_conv_output_size_matches_torch_conv2d() -> None:
    rng = random.Random(0)
    for _ in range(300):
        n, k, s, p, d = _random_geometry(rng)
        out = F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), stride=(s, 1),
                       padding=(p, 0), dilation=(d, 1))
        assert conv_output_size(n, k, s, p, d) == out.shape[2], (n, k, s, p, d)


def test_conv_output_size_seed_cases() -> None:
    # note 001: 7x7 input, 3x3 filter
    assert [conv_output_size(7, 3, stride=s) for s in (1, 2, 3)] == [5, 3, 2]
    # same-size padding keeps 7
    assert [conv_output_size(7, f, padding=f // 2) for f in (3, 5, 7)] == [7, 7, 7]
    assert conv_output_size(64, 5, stride=1, padding=2, strict=True) == 64
    assert conv_output_size(224, 11, stride=4, padding=3) == 55  # 55.75 floored
    assert conv_output_size(227, 11, stride=4, strict=True) == 55


def test_strict_names_the_sizes() -> None:
    with pytest.raises(ValueError, match=r"2\.33") as err:
        conv_output_size(7, 3, stride=3, strict=True)
    assert "7" in str(err.value) and "floor it to 2" in str(err.value)
    with pytest.raises(ValueError, match=r"55\.75"):
        conv_output_size(224, 11, stride=4, padding=3, strict=True)
    # exact cases pass in strict mode
    assert conv_output_size(7, 3, stride=2, strict=True) == 3


@pytest.mark.parametrize("args", [
    dict(n=0, kernel=3), dict(n=7, kernel=0), dict(n=7, kernel=3, stride=0),
    dict(n=7, kernel=3, padding=-1), dict(n=7, kernel=3, dilation=0),
    dict(n=2.5, kernel=1), dict(n=7, kernel="3"), dict(n=7, kernel=True),
    dict(n=3, kernel=5), dict(n=5, kernel=3, dilation=3),
])
def test_conv_output_size_rejects_bad_input(args: dict) -> None:
    with pytest.raises(ValueError):
        conv_output_size(**args)


def test_kernel_too_big_message() -> None:
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_output_size(3, 5)
    assert conv_output_size(3, 5, padding=1) == 1  # fits once padded
    assert conv_output_size(np.int64(7), np.int32(3)) == 5  # numpy ints are fine


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pool_output_size_matches_torch(ceil_mode: bool) -> None:
    rng = random.Random(1)
    checked = 0
    while checked < 200:
        n, k, s, p, d = _random_geometry(rng)
        if p > k // 2:
            continue
        out = F.max_pool2d(torch.zeros(1, 1, n, 1), (k, 1), (s, 1), (p, 0), (d, 1),
                           ceil_mode=ceil_mode)
        assert pool_output_size(n, k, s, p, d, ceil_mode=ceil_mode) == out.shape[2]
        checked += 1


def test_pool_output_size_cases() -> None:
    assert pool_output_size(4, 2) == 2  # stride defaults to the kernel
    assert pool_output_size(55, 3, stride=2) == 27  # AlexNet overlapping pooling
    assert pool_output_size(27, 3, 2) == 13 and pool_output_size(13, 3, 2) == 6
    assert pool_output_size(5, 2, ceil_mode=True) == 3 and pool_output_size(5, 2) == 2
    with pytest.raises(ValueError, match="at most half"):
        pool_output_size(8, 2, padding=2)
    with pytest.raises(ValueError, match="not an integer"):
        pool_output_size(5, 2, strict=True)


def test_conv_output_shape() -> None:
    assert conv_output_shape((64, 64), 5, padding=2) == (64, 64)
    assert conv_output_shape((7, 9), (3, 5), stride=(2, 1)) == (3, 5)
    layer = nn.Conv2d(3, 10, 5, padding=2)
    assert layer(torch.zeros(1, 3, 64, 64)).shape[2:] == conv_output_shape(64, 5, padding=2)
    with pytest.raises(ValueError, match="pair"):
        conv_output_shape((1, 2, 3), 3)


def test_receptive_field_of_stacked_3x3() -> None:
    assert receptive_field([(3, 1)] * 2) == ReceptiveField(5, 1)
    assert receptive_field([(3, 1)] * 3).size == 7
    assert receptive_field([]) == (1, 1)
    assert [r.size for r in receptive_fields([(3, 1)] * 4)] == [3, 5, 7, 9]
    # kernel 2 stride 2 pooling doubles the jump
    assert receptive_field([(3, 1), (2, 2), (3, 1)]) == ReceptiveField(8, 2)
    # the same stack given as dicts, tuples with dilation, and layer objects
    dicts = [dict(kernel=3), dict(kernel=2, stride=2), dict(kernel=3, padding=1)]
    assert receptive_field(dicts) == (8, 2)
    assert receptive_field([(3, 1, 2)]).size == 5  # dilated 3x3 spans 5
    layers = [nn.Conv2d(1, 1, 11, stride=4), nn.MaxPool2d(3, 2), nn.Conv2d(1, 1, 5, padding=2)]
    assert receptive_field(layers) == receptive_field([(11, 4), (3, 2), (5, 1)]) == (51, 8)
    assert receptive_field([nn.AvgPool2d(2)]) == (2, 2)


@pytest.mark.parametrize("bad", [
    [(3, 0)], [(0, 1)], [(3, 1, 1, 1)], [()], ["3x3"], [dict(stride=2)], [dict(kernel=3, k=1)],
    [nn.Conv2d(1, 1, (3, 5))], [object()],
])
def test_receptive_field_rejects_bad_layers(bad: list) -> None:
    with pytest.raises(ValueError):
        receptive_field(bad)


def test_receptive_field_matches_gradient_support() -> None:
    """Brute force: the input pixels that reach one output unit of a real stack."""
    rng = random.Random(2)
    for _ in range(20):
        specs = [(rng.randint(1, 4), rng.randint(1, 2), rng.randint(1, 2))
                 for _ in range(rng.randint(1, 4))]
        layers = [nn.Conv2d(1, 1, (k, 1), stride=(s, 1), dilation=(d, 1), bias=False)
                  for k, s, d in specs]
        for layer in layers:
            nn.init.ones_(layer.weight)
        x = torch.ones(1, 1, 120, 1, requires_grad=True)
        y = nn.Sequential(*layers)(x)
        y[0, 0, y.shape[2] // 2, 0].backward()
        rows = torch.nonzero(x.grad[0, 0, :, 0]).flatten()
        touched = int(rows.max() - rows.min()) + 1
        rf = receptive_field(specs)
        # dilation can leave holes, but the span from first to last pixel is the field
        assert touched == rf.size, (specs, touched, rf)
        assert rf.jump == int(np.prod([s for _, s, _ in specs]))
