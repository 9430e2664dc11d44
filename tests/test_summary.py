"""Model summary: parameters, FLOPs and shapes of known models."""

from __future__ import annotations

import pytest
from torch import nn

from utils.summary import count_flops, count_parameters, summary


def note003_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(),
        nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))


def test_note003_cnn_counts():
    s = summary(note003_cnn(), (1, 28, 28))
    assert s.total_params == 93_322 == s.trainable_params
    convs = [r for r in s.layers if r.kind in ("Conv2d", "Linear")]
    assert [r.params for r in convs] == [320, 18_496, 36_928, 36_928, 650]
    assert [r.output_shape for r in convs][:3] == [(1, 32, 26, 26), (1, 64, 11, 11),
                                                   (1, 64, 3, 3)]
    # FLOPs by hand: 2 * output elements * (in_channels * k * k) per conv, 2*in*out per linear
    by_hand = 2 * (26 * 26 * 32 * 9 + 11 * 11 * 64 * 32 * 9 + 3 * 3 * 64 * 64 * 9
                   + 576 * 64 + 64 * 10)
    assert s.total_flops == by_hand == count_flops(note003_cnn(), (1, 28, 28))
    assert "Total params: 93,322" in str(s)


def test_mlp_and_frozen_parameters():
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
    assert count_parameters(mlp) == 407_050
    mlp[1].requires_grad_(False)
    s = summary(mlp, (1, 28, 28))
    assert s.trainable_params == 5_130 and s.total_params == 407_050
    assert s.activation_elements == 784 + 512 + 512 + 10


def test_bad_input_size():
    with pytest.raises(ValueError, match="input_size"):
        summary(note003_cnn(), (28, 28))
