"""The classic networks of the zoo: LeNet-5, AlexNet, ZFNet, VGG, GoogLeNet.

Full-size models are built on the ``meta`` device: parameter counts and output shapes
come out exactly, without allocating or computing anything.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from utils.models import create, names
from utils.models.googlenet import Inception, InceptionWidths, googlenet_loss
from utils.models.layers import LRN, ConvBlock, FCHead, SeparableConv2d, check_size
from utils.models.lenet import C3_TABLE
from utils.summary import count_parameters


def meta(name: str, **options: object) -> nn.Module:
    with torch.device("meta"):
        return create(name, **options).eval()


def meta_out(model: nn.Module, size: int, channels: int = 3) -> tuple[int, ...]:
    return tuple(model(torch.empty(1, channels, size, size, device="meta")).shape)


FULL_COUNTS = {
    "alexnet": 61_100_840,
    "vgg11": 132_863_336,
    "vgg13": 133_047_848,
    "vgg16": 138_357_544,
    "vgg19": 143_667_240,
    "googlenet": 6_624_904,
}


@pytest.mark.parametrize("name,count", FULL_COUNTS.items())
def test_full_size_parameter_counts(name: str, count: int) -> None:
    assert count_parameters(meta(name)) == count


def test_more_full_size_counts() -> None:
    assert count_parameters(meta("googlenet", aux_logits=True)) == 13_004_888
    # the 2012 paper: two towers; the same widths merged into one tower; A-LRN adds nothing
    assert count_parameters(meta("alexnet", towers=2)) == 60_965_224
    assert count_parameters(meta("alexnet", widths=(96, 256, 384, 384, 256))) == 62_378_344
    assert count_parameters(meta("vgg11_lrn")) == FULL_COUNTS["vgg11"]
    assert count_parameters(meta("vgg", config="A-LRN")) == FULL_COUNTS["vgg11"]
    # C is D with the third 3x3 convolution of stages 3-5 replaced by a 1x1 one
    saved = (9 - 1) * (256 * 256 + 2 * 512 * 512)
    assert count_parameters(meta("vgg16_1x1")) == FULL_COUNTS["vgg16"] - saved
    assert count_parameters(meta("zfnet")) == 62_357_608
    assert count_parameters(meta("zfnet", wide=True)) == 107_627_624
    assert count_parameters(create("lenet5", num_classes=10, in_channels=1)) == 61_706
    assert count_parameters(create("lenet5", num_classes=10, in_channels=1, paper=True)) == 60_000


def test_lenet_paper_layers() -> None:
    m = create("lenet5", num_classes=10, in_channels=1, paper=True)
    # C3's connection table: 6 x 3 + 9 x 4 + 1 x 6 inputs, as in Table I of the paper
    assert sorted(len(t) for t in C3_TABLE) == [3] * 6 + [4] * 9 + [6]
    assert count_parameters(m.c3) == 1516
    assert count_parameters(m.s2) == 12 and count_parameters(m.s4) == 32
    assert count_parameters(m.output) == 0  # fixed RBF codes


@pytest.mark.parametrize("name,size,options", [
    ("alexnet", 224, {}),
    ("alexnet", 227, {"towers": 2}),
    ("alexnet", 224, {"lrn": True}),
    ("zfnet", 224, {}),
    ("zfnet", 224, {"wide": True, "lrn": True}),
    ("vgg11", 224, {}),
    ("vgg11_lrn", 224, {}),
    ("vgg13", 224, {}),
    ("vgg16_1x1", 224, {}),
    ("vgg16", 224, {"batch_norm": True}),
    ("vgg19", 224, {}),
    ("googlenet", 224, {}),
    ("googlenet", 224, {"paper_5x5": True, "batch_norm": False}),
])
def test_full_size_output_shapes(name: str, size: int, options: dict) -> None:
    assert meta_out(meta(name, **options), size) == (1, 1000)


def test_lenet_full_size_takes_32x32() -> None:
    for paper in (False, True):
        m = create("lenet5", num_classes=10, in_channels=1, paper=paper).eval()
        assert m(torch.zeros(2, 1, 32, 32)).shape == (2, 10)
        assert m.c1(torch.zeros(1, 1, 32, 32)).shape == (1, 6, 28, 28)


def test_designed_feature_map_sizes() -> None:
    # AlexNet: 224 with padding 2 and 227 without padding both give 55 after conv1, 6 at the end
    one, two = meta("alexnet"), meta("alexnet", towers=2)
    x224 = torch.empty(1, 3, 224, 224, device="meta")
    x227 = torch.empty(1, 3, 227, 227, device="meta")
    assert one.features.conv1(x224).shape[-1] == 55
    assert two.features.conv1(x227).shape[-1] == 55
    assert one.features(x224).shape[-2:] == (6, 6)
    assert two.features(x227).shape[-2:] == (6, 6)
    assert two.features(x224).shape[-2:] == (5, 5)  # why the paper's net needs 227
    # ZFNet follows Figure 3 of its paper: 110, 55, 26, 13, 6
    zf, x = meta("zfnet"), x224
    sizes = {}
    for name, layer in zf.features.named_children():
        x = layer(x)
        sizes[name] = x.shape[-1]
    assert [sizes[k] for k in ("conv1", "pool1", "conv2", "pool2", "conv5", "pool5")] == \
        [110, 55, 26, 13, 13, 6]
    assert meta("vgg16").features(x224).shape[1:] == (512, 7, 7)
    g = meta("googlenet")
    assert g.stem(x224).shape[1:] == (192, 28, 28)


SMALL = ["lenet5", "alexnet", "zfnet", "vgg11", "vgg11_lrn", "vgg13", "vgg16_1x1", "vgg16",
         "vgg19", "googlenet"]


@pytest.mark.parametrize("name", SMALL)
def test_small_configurations(name: str) -> None:
    torch.manual_seed(0)
    m = create(name, size="small", in_channels=1, num_classes=10).eval()
    assert m(torch.rand(3, 1, 28, 28)).shape == (3, 10)
    assert count_parameters(m) < 2_000_000


def test_small_options() -> None:
    torch.manual_seed(0)
    x = torch.rand(2, 1, 28, 28)
    for name, options in [("alexnet", {"towers": 2, "lrn": True}), ("zfnet", {"wide": True}),
                          ("vgg", {"config": "C", "batch_norm": False}),
                          ("lenet5", {"paper": True}),
                          ("lenet5", {"activation": "relu", "pool": "max"}),
                          ("googlenet", {"aux_logits": True})]:
        m = create(name, size="small", in_channels=1, num_classes=10, **options).eval()
        assert m(x).shape == (2, 10), name


def test_alexnet_towers_are_grouped() -> None:
    m = meta("alexnet", towers=2)
    groups = {n: c.groups for n, c in m.features.named_children() if isinstance(c, nn.Conv2d)}
    assert groups == {"conv1": 1, "conv2": 2, "conv3": 1, "conv4": 2, "conv5": 2}
    with pytest.raises(ValueError, match="even"):
        create("alexnet", towers=2, widths=(95, 256, 384, 384, 256))
    with pytest.raises(ValueError, match="towers"):
        create("alexnet", towers=3)


def test_lrn_option_adds_layers() -> None:
    m = meta("alexnet", lrn=True)
    assert [n for n, c in m.features.named_children() if isinstance(c, LRN)] == ["norm1", "norm2"]
    assert not any(isinstance(c, LRN) for c in meta("alexnet").modules())
    assert sum(isinstance(c, LRN) for c in meta("vgg11_lrn").modules()) == 1


def test_lrn_matches_the_paper_formula() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 7, 3, 4)).astype(np.float64) * 3
    k, n, alpha, beta = 2.0, 5, 1e-4, 0.75
    big_n = a.shape[1]
    b = np.empty_like(a)
    for i in range(big_n):
        lo, hi = max(0, i - n // 2), min(big_n - 1, i + n // 2)
        b[:, i] = a[:, i] / (k + alpha * (a[:, lo:hi + 1] ** 2).sum(axis=1)) ** beta
    out = LRN(n=n, k=k, alpha=alpha, beta=beta)(torch.from_numpy(a))
    assert torch.allclose(out, torch.from_numpy(b), rtol=1e-12, atol=1e-12)
    torch_lrn = nn.LocalResponseNorm(size=n, alpha=alpha * n, beta=beta, k=k)
    assert torch.allclose(torch_lrn(torch.from_numpy(a)), out, rtol=1e-12, atol=1e-12)
    even = LRN(n=4)(torch.from_numpy(a))  # an even window: 2 channels before, 1 after
    assert torch.allclose(nn.LocalResponseNorm(4, 4e-4, 0.75, 2.0)(torch.from_numpy(a)), even,
                          rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError):
        LRN(n=0)


def test_vgg_options() -> None:
    bn = meta("vgg16", batch_norm=True)
    assert sum(isinstance(c, nn.BatchNorm2d) for c in bn.modules()) == 13
    assert not any(isinstance(c, nn.BatchNorm2d) for c in meta("vgg16").modules())
    kernels = [c.kernel_size[0] for c in meta("vgg16_1x1").modules() if isinstance(c, nn.Conv2d)]
    assert kernels.count(1) == 3 and len(kernels) == 13
    convs = {cfg: sum(isinstance(c, nn.Conv2d) for c in meta("vgg", config=cfg).modules())
             for cfg in ("A", "A-LRN", "B", "C", "D", "E")}
    assert convs == {"A": 8, "A-LRN": 8, "B": 10, "C": 13, "D": 13, "E": 16}
    small = create("vgg16", size="small", in_channels=1, num_classes=10)
    assert any(isinstance(c, nn.BatchNorm2d) for c in small.modules())  # on by default
    with pytest.raises(ValueError, match="configuration"):
        create("vgg", config="F")


def test_googlenet_aux_heads_and_loss() -> None:
    torch.manual_seed(0)
    m = create("googlenet", size="small", in_channels=1, num_classes=10, aux_logits=True)
    x, y = torch.rand(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
    m.train()
    out = m(x)
    assert isinstance(out, tuple) and len(out) == 3
    assert all(o.shape == (4, 10) for o in out)
    ce = nn.functional.cross_entropy
    expected = ce(out[0], y) + 0.3 * (ce(out[1], y) + ce(out[2], y))
    assert torch.allclose(googlenet_loss(out, y), expected)
    m.eval()
    assert isinstance(m(x), torch.Tensor)
    assert torch.allclose(googlenet_loss(m(x), y), ce(m(x), y))


def test_inception_module() -> None:
    w = InceptionWidths(64, 96, 128, 16, 32, 32)
    assert w.out_channels == 256
    block = Inception(192, w, five_kernel=5)
    assert block(torch.rand(1, 192, 28, 28)).shape == (1, 256, 28, 28)
    # 1x1 + (1x1, 3x3) + (1x1, 5x5) + pool proj, each conv without bias, BN with 2 per channel
    weights = 192 * 64 + 192 * 96 + 96 * 9 * 128 + 192 * 16 + 16 * 25 * 32 + 192 * 32
    assert count_parameters(block) == weights + 2 * (64 + 96 + 128 + 16 + 32 + 32)


def test_blocks_and_bad_input() -> None:
    assert count_parameters(ConvBlock(3, 8, 3)) == 3 * 9 * 8 + 8
    assert count_parameters(ConvBlock(3, 8, 3, batch_norm=True)) == 3 * 9 * 8 + 16
    assert count_parameters(FCHead(10, 4, 2)) == 44 + 20 + 10
    with pytest.raises(ValueError):
        FCHead(10, 4, 2, dropout=1.0)
    assert check_size("small") == "small"
    for name in ("alexnet", "zfnet", "vgg16", "googlenet", "lenet5"):
        with pytest.raises(ValueError, match="size"):
            create(name, size="medium")
    with pytest.raises(ValueError, match="activation"):
        create("lenet5", activation="sigmoid")
    with pytest.raises(ValueError, match="paper"):
        create("lenet5", paper=True, pool="max")


def test_registered_names() -> None:
    for name in ("lenet5", "alexnet", "zfnet", "vgg", "vgg11", "vgg11_lrn", "vgg13",
                 "vgg16_1x1", "vgg16", "vgg19", "googlenet"):
        assert name in names()


def test_separable_conv() -> None:
    torch.manual_seed(0)
    sep = SeparableConv2d(8, 16, 3)
    assert count_parameters(sep) == 3 * 3 * 8 + 8 * 16
    x = torch.rand(1, 8, 5, 5)
    # the same as a dense 3x3 conv whose kernel is pointwise x depthwise
    dense = (sep.pointwise.weight[:, :, 0, 0, None, None] * sep.depthwise.weight[:, 0][None])
    assert torch.allclose(sep(x), nn.functional.conv2d(x, dense, padding=1), atol=1e-5)


def test_small_feature_map_sizes() -> None:
    x = torch.zeros(1, 1, 28, 28)
    alex = create("alexnet", size="small", in_channels=1, num_classes=10).eval()
    zf = create("zfnet", size="small", in_channels=1, num_classes=10).eval()
    vgg = create("vgg16", size="small", in_channels=1, num_classes=10).eval()
    g = create("googlenet", size="small", in_channels=1, num_classes=10).eval()
    with torch.no_grad():
        assert alex.features(x).shape[-2:] == (2, 2)  # 28 -> 13 -> 6 -> 2
        assert zf.features(x).shape[-2:] == (3, 3)    # 28 -> 14 -> 7 -> 3
        assert vgg.features(x).shape[1:] == (128, 3, 3)
        s = g.stem(x)
        assert s.shape[-2:] == (7, 7)
        assert g.maxpool3(g.inception3b(g.inception3a(s))).shape[-2:] == (3, 3)
