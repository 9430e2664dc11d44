"""utils.init: the initialisation schemes give the variances of their formulas, and
activation_stds reports one value per layer, in order."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from utils.init import activation_stds, initialise


def wide_layers() -> nn.Sequential:
    """A conv layer (fan_in 9 * 64 = 576, fan_out 9 * 128 = 1152) and a linear layer."""
    return nn.Sequential(nn.Conv2d(64, 128, 3), nn.Linear(400, 300))


@pytest.mark.parametrize("scheme, conv_var, linear_var", [
    ("default", 1 / (3 * 576), 1 / (3 * 400)),
    ("xavier", 2 / (576 + 1152), 2 / (400 + 300)),
    ("he", 2 / 576, 2 / 400),
    ("normal", 0.01**2, 0.01**2),
])
def test_schemes_have_the_variance_of_their_formula(scheme, conv_var, linear_var):
    torch.manual_seed(0)
    conv, linear = initialise(wide_layers(), scheme)
    assert math.isclose(conv.weight.var().item(), conv_var, rel_tol=0.02)
    assert math.isclose(linear.weight.var().item(), linear_var, rel_tol=0.02)
    if scheme != "default":
        assert not conv.bias.any() and not linear.bias.any()


def test_he_fan_out_and_the_generator():
    conv = initialise(wide_layers(), "he", mode="fan_out")[0]
    assert math.isclose(conv.weight.var().item(), 2 / 1152, rel_tol=0.02)
    a = initialise(wide_layers(), "he", generator=torch.Generator().manual_seed(1))
    b = initialise(wide_layers(), "he", generator=torch.Generator().manual_seed(1))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown scheme"):
        initialise(wide_layers(), "glorot")
    with pytest.raises(ValueError, match="mode"):
        initialise(wide_layers(), "he", mode="fan_avg")


def test_activation_stds_one_value_per_layer_in_order():
    net = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU())
    with torch.no_grad():
        for layer in (net[0], net[2]):
            layer.weight.copy_(torch.eye(4))
            layer.bias.zero_()
        net[2].weight.mul_(3.0)
    x = torch.randn(64, 4)
    first, second = activation_stds(net, x)
    assert math.isclose(first, torch.relu(x).std().item(), rel_tol=1e-6)
    assert math.isclose(second, 3 * first, rel_tol=1e-6)   # ReLU(3z) = 3 ReLU(z)
    means = activation_stds(net, x, kinds=(nn.Linear,), stat=torch.mean)
    assert len(means) == 2 and math.isclose(means[0], x.mean().item(), rel_tol=1e-5)
    assert not any(m._forward_hooks for m in net.modules())   # the hooks are removed
