"""Network in Network: the mlpconv block, the ImageNet layout and the small configuration."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from utils.models import create, names
from utils.models.nin import FULL_BLOCKS, SMALL_BLOCKS, BlockSpec, MLPConv
from utils.summary import count_parameters


def conv_params(c_in: int, c_out: int, k: int) -> int:
    return k * k * c_in * c_out + c_out


def test_registered() -> None:
    assert {"nin", "network_in_network"} <= set(names())


def test_full_parameter_count_by_formula() -> None:
    with torch.device("meta"):
        model = create("nin")
    expected, c = 0, 3
    for i, spec in enumerate(FULL_BLOCKS):
        out = 1000 if i == len(FULL_BLOCKS) - 1 else spec.width
        expected += conv_params(c, spec.width, spec.kernel_size)
        expected += conv_params(spec.width, spec.width, 1) + conv_params(spec.width, out, 1)
        c = spec.width
    assert count_parameters(model) == expected == 7_595_176
    # no fully connected layer anywhere
    assert not any(isinstance(m, nn.Linear) for m in model.modules())


def test_full_feature_map_sizes_224() -> None:
    with torch.device("meta"):
        model = create("nin").eval()
    x = torch.empty(1, 3, 224, 224, device="meta")
    sizes = {}
    for name, layer in model.features.named_children():
        x = layer(x)
        sizes[name] = tuple(x.shape[1:])
    assert sizes["block1"] == (96, 54, 54) and sizes["pool1"] == (96, 27, 27)
    assert sizes["pool2"] == (256, 13, 13) and sizes["pool3"] == (384, 6, 6)
    assert sizes["block4"] == (1000, 6, 6)
    assert model(torch.empty(2, 3, 224, 224, device="meta")).shape == (2, 1000)


def test_small_configuration() -> None:
    torch.manual_seed(0)
    model = create("nin", size="small", in_channels=1, num_classes=10).eval()
    with torch.no_grad():
        out = model(torch.rand(3, 1, 28, 28))
        maps = model.features(torch.rand(1, 1, 28, 28))
    assert out.shape == (3, 10) and torch.isfinite(out).all()
    assert maps.shape[1] == 10 and len(SMALL_BLOCKS) == 3
    assert count_parameters(model) < 200_000
    assert any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    plain = create("nin", size="small", in_channels=1, num_classes=10, batch_norm=False)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in plain.modules())


def test_global_average_pooling_is_the_classifier() -> None:
    torch.manual_seed(0)
    model = create("nin", size="small", in_channels=1, num_classes=10).eval()
    x = torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(model(x), model.features(x).mean((2, 3)), atol=1e-6)
        # any input size large enough for the pools works
        assert model(torch.rand(1, 1, 56, 56)).shape == (1, 10)


def test_mlpconv_block() -> None:
    torch.manual_seed(0)
    block = MLPConv(3, 8, 3, padding=1, out_channels=5)
    assert count_parameters(block) == conv_params(3, 8, 3) + conv_params(8, 8, 1) + \
        conv_params(8, 5, 1)
    assert [type(m) for m in block.modules()].count(nn.ReLU) == 3
    by_hand = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 1),
                            nn.ReLU(), nn.Conv2d(8, 5, 1), nn.ReLU())
    by_hand.load_state_dict(dict(zip(by_hand.state_dict(), block.state_dict().values())))
    x = torch.randn(2, 3, 9, 9)
    with torch.no_grad():
        assert torch.allclose(by_hand(x), block(x), atol=1e-6)
    assert block(x).shape == (2, 5, 9, 9)


def test_custom_blocks_and_bad_options() -> None:
    blocks = (BlockSpec(8, 3, padding=1), BlockSpec(16, 3, padding=1))
    model = create("nin", size="small", in_channels=1, num_classes=4, blocks=blocks).eval()
    with torch.no_grad():
        assert model(torch.rand(1, 1, 12, 12)).shape == (1, 4)
    with pytest.raises(ValueError, match="two"):
        create("nin", blocks=blocks[:1])
    with pytest.raises(ValueError, match="dropout"):
        create("nin", dropout=1.0)
    with pytest.raises(ValueError, match="size"):
        create("nin", size="medium")
