"""The modern half of the zoo: ResNet family, DenseNet, DPN, and the training recipes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from utils.data import ImageData
from utils.models import create, names
from utils.models import recipes as rec
from utils.models.densenet import DenseBlock, Transition
from utils.models.dpn import DualPathBlock
from utils.models.resnet import (
    BasicBlock,
    Bottleneck,
    DropPath,
    PreActBasicBlock,
    PreActBottleneck,
)
from utils.summary import count_parameters

# Reference parameter counts (ImageNet, 1000 classes): torchvision for ResNet, Wide ResNet,
# ResNeXt and DenseNet-121/169/201; the authors' released DPNs (as ported by Cadene/timm).
FULL_COUNTS = {
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "resnet101": 44_549_160,
    "resnet152": 60_192_808,
    "wide_resnet50_2": 68_883_240,
    "wide_resnet101_2": 126_886_696,
    "resnext50_32x4d": 25_028_904,
    "resnext101_32x8d": 88_791_336,
    "densenet121": 7_978_856,
    "densenet169": 14_149_480,
    "densenet201": 20_013_928,
    "densenet264": 33_337_704,
    "dpn68": 12_611_602,
    "dpn92": 37_668_392,
    "dpn98": 61_570_728,
    "dpn131": 79_254_504,
}
PREACT = ["preact_resnet18", "preact_resnet34", "preact_resnet50", "preact_resnet101",
          "preact_resnet152"]
FAMILY = list(FULL_COUNTS) + PREACT


def meta_model(name: str, **options: object) -> nn.Module:
    """Build on the meta device: shapes and counts without allocating or computing."""
    with torch.device("meta"):
        return create(name, **options)


@pytest.mark.parametrize("name", list(FULL_COUNTS))
def test_full_parameter_counts(name: str) -> None:
    assert count_parameters(meta_model(name)) == FULL_COUNTS[name]


def test_preact_counts_follow_from_the_reordering() -> None:
    # Pre-activation moves the batch norms: a block's BN now normalises its input (width
    # of the input, not of the conv output), the stem loses its BN and a final BN-ReLU is
    # added; the convolutions and the classifier are unchanged.
    def conv_fc(m: nn.Module) -> int:
        return sum(p.numel() for mod in m.modules() if isinstance(mod, nn.Conv2d | nn.Linear)
                   for p in mod.parameters())

    for plain, pre in [("resnet18", "preact_resnet18"), ("resnet50", "preact_resnet50")]:
        a, b = meta_model(plain), meta_model(pre)
        assert conv_fc(a) == conv_fc(b)
        assert isinstance(b.layer1[0].bn1, nn.BatchNorm2d)
        assert list(b.layer1[0].children())[0] is b.layer1[0].bn1  # BN comes first
    assert count_parameters(meta_model("preact_resnet18")) == 11_687_720
    assert count_parameters(meta_model("preact_resnet50")) == 25_549_352


@pytest.mark.parametrize("name", FAMILY)
def test_full_output_shape_224(name: str) -> None:
    model = meta_model(name).eval()
    out = model(torch.empty(2, 3, 224, 224, device="meta"))
    assert out.shape == (2, 1000)


@pytest.mark.parametrize("name", FAMILY + ["cifar_resnet", "plain_net"])
def test_small_output_shape_28(name: str) -> None:
    torch.manual_seed(0)
    model = create(name, size="small", in_channels=1, num_classes=10).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 1, 28, 28))
    assert out.shape == (2, 10)
    assert torch.isfinite(out).all()


def test_small_configs_accept_32x32_colour() -> None:
    for name in ["resnet18", "resnext50_32x4d", "densenet121", "dpn68"]:
        model = create(name, size="small", num_classes=10).eval()
        with torch.no_grad():
            assert model(torch.rand(1, 3, 32, 32)).shape == (1, 10)


def test_every_builder_is_registered() -> None:
    assert set(FAMILY) | {"cifar_resnet", "plain_net"} <= set(names())


def test_real_forward_224_of_the_smallest_members() -> None:
    torch.manual_seed(0)
    for name in ["resnet18", "dpn68"]:
        model = create(name, num_classes=7).eval()
        with torch.no_grad():
            assert model(torch.rand(1, 3, 224, 224)).shape == (1, 7)


def test_basic_vs_bottleneck_weights_of_the_lecture_note() -> None:
    # Note 001: two 3x3 convolutions on 64 channels vs a bottleneck 256 -> 64 -> 64 -> 256.
    def conv_weights(m: nn.Module) -> int:
        return sum(mod.weight.numel() for mod in m.modules() if isinstance(mod, nn.Conv2d))

    assert conv_weights(BasicBlock(64, 64)) == 73_728
    assert conv_weights(Bottleneck(256, 64)) == 69_632


def test_blocks_keep_or_change_shape() -> None:
    x = torch.rand(2, 64, 8, 8)
    for cls in (BasicBlock, PreActBasicBlock):
        assert cls(64, 64)(x).shape == x.shape
    for cls in (Bottleneck, PreActBottleneck):
        short = nn.Conv2d(64, 128, 1, stride=2, bias=False)
        assert cls(64, 32, stride=2, shortcut=short)(x).shape == (2, 128, 4, 4)
    with pytest.raises(ValueError):
        BasicBlock(64, 64, groups=2)


def test_zero_init_residual_makes_blocks_identities() -> None:
    torch.manual_seed(0)
    model = create("resnet18", size="small", zero_init_residual=True).eval()
    block = model.layer1[1]  # no shortcut projection: y = relu(0 + x) = x for x >= 0
    x = torch.rand(2, block.conv1.in_channels, 7, 7)
    with torch.no_grad():
        assert torch.equal(block(x), x)


def test_resnext_uses_grouped_convolutions() -> None:
    model = meta_model("resnext50_32x4d")
    conv = model.layer1[0].conv2
    assert conv.groups == 32 and conv.in_channels == 128  # 32 paths of 4 channels
    assert meta_model("resnext101_32x8d").layer1[0].conv2.in_channels == 256
    assert meta_model("wide_resnet50_2").layer1[0].conv2.in_channels == 128
    assert meta_model("resnet50").layer1[0].conv2.in_channels == 64
    small = create("resnext50_32x4d", size="small")
    assert small.layer1[0].conv2.groups == 8 and small.layer1[0].conv2.in_channels == 32


def test_width_option() -> None:
    model = create("resnet18", size="small", width=8)
    assert model.fc.in_features == 64
    with pytest.raises(ValueError):
        create("resnet18", size="small", width=0)


def test_stochastic_depth_per_batch_skips_the_branch() -> None:
    torch.manual_seed(0)
    drop = DropPath(0.25).train()
    draws = [drop.keep_branch() for _ in range(4000)]
    assert abs(sum(draws) / 4000 - 0.75) < 0.03
    assert torch.equal(drop(torch.ones(2, 1, 1, 1)), torch.full((2, 1, 1, 1), 4 / 3))
    assert drop.eval().keep_branch() and DropPath(0.5, mode="example").train().keep_branch()
    with pytest.raises(ValueError):
        DropPath(0.5, mode="row")
    # a block whose branch is dropped returns relu(x) without running its convolutions
    block = BasicBlock(4, 4, drop_path=0.5).train()
    calls = []
    block.conv1.register_forward_hook(lambda *_: calls.append(1))
    x = torch.randn(2, 4, 5, 5)
    torch.manual_seed(1)
    outs = [block(x) for _ in range(200)]
    skipped = [torch.equal(o, torch.relu(x)) for o in outs]
    assert len(calls) == 200 - sum(skipped) and 70 < sum(skipped) < 130
    block.eval()
    with torch.no_grad():
        assert not torch.equal(block(x), torch.relu(x))  # evaluation: every branch kept


def test_stochastic_depth() -> None:
    torch.manual_seed(0)
    drop = DropPath(0.5, mode="example").train()
    out = drop(torch.ones(4000, 1, 1, 1))
    kept = (out != 0).float().mean().item()
    assert abs(kept - 0.5) < 0.05
    assert set(out.unique().tolist()) == {0.0, 2.0}  # survivors scaled by 1 / (1 - p)
    assert torch.equal(drop.eval()(torch.ones(3, 1, 1, 1)), torch.ones(3, 1, 1, 1))
    model = create("resnet18", size="small", drop_path=0.2)
    rates = [m.drop_path.p for m in model.modules() if isinstance(m, BasicBlock)]
    assert len(rates) == 8 and rates[-1] == pytest.approx(0.2)
    assert rates == sorted(rates) and rates[0] == pytest.approx(0.2 / 8)
    x = torch.rand(4, 3, 28, 28)
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(x), model(x))  # deterministic at test time
    with pytest.raises(ValueError):
        create("resnet18", drop_path=1.0)
    with pytest.raises(ValueError):
        DropPath(-0.1)


def test_cifar_resnets_and_plain_twins() -> None:
    res = create("cifar_resnet", depth=32, num_classes=10, in_channels=1)
    plain = create("plain_net", depth=32, num_classes=10, in_channels=1)
    assert count_parameters(res) == count_parameters(plain)  # parameter-free shortcuts
    convs = [m for m in res.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) + 1 == 32  # 31 convolutions and the linear layer
    assert count_parameters(create("cifar_resnet", depth=20, num_classes=10)) == 269_722
    with pytest.raises(ValueError):
        create("cifar_resnet", depth=21)


def test_dense_block_channel_arithmetic() -> None:
    block = DenseBlock(num_layers=6, in_channels=64, growth_rate=32)
    out = block(torch.rand(1, 64, 8, 8))
    assert out.shape == (1, 64 + 6 * 32, 8, 8)
    assert [layer.conv1.in_channels for layer in block.layers] == [64 + 32 * i for i in range(6)]
    trans = Transition(256, 128)
    assert trans(torch.rand(1, 256, 8, 8)).shape == (1, 128, 4, 4)
    model = meta_model("densenet121")
    assert model.num_features == 1024
    assert model.body[1].conv.out_channels == (64 + 6 * 32) // 2


def test_densenet_options() -> None:
    model = create("densenet121", size="small", growth_rate=8, in_channels=1, num_classes=10)
    assert model.body[0].layers[0].conv2.out_channels == 8
    with pytest.raises(ValueError):
        create("densenet121", compression=0.0)
    with pytest.raises(ValueError):
        create("densenet121", block_config=())


def test_dual_path_block() -> None:
    first = DualPathBlock(10, bottleneck=32, d=64, inc=16, groups=8, project=True)
    res, dense = first(torch.rand(2, 10, 8, 8))
    assert res.shape == (2, 64, 8, 8) and dense.shape == (2, 3 * 16, 8, 8)
    second = DualPathBlock(64 + 48, bottleneck=32, d=64, inc=16, groups=8)
    res2, dense2 = second((res, dense))
    assert res2.shape == res.shape and dense2.shape == (2, 4 * 16, 8, 8)
    assert torch.equal(dense2[:, :48], dense)  # the dense path only appends
    with pytest.raises(ValueError):
        DualPathBlock(10, 32, 64, 16, 8, project=False, stride=2)


def test_bad_options_raise_value_errors() -> None:
    with pytest.raises(ValueError, match="size"):
        create("resnet18", size="tiny")
    with pytest.raises(ValueError, match="size"):
        create("densenet121", size="medium")
    with pytest.raises(ValueError, match="size"):
        create("dpn68", size="huge")
    with pytest.raises(ValueError):
        create("dpn68", size="small", groups=7)


# --- recipes ------------------------------------------------------------------------------


def test_every_recipe_is_complete_and_builds() -> None:
    assert rec.RECIPES
    for name in rec.RECIPES:
        recipe = rec.get_recipe(name)
        assert recipe["model"] in names()
        assert set(rec.DEFAULTS) <= set(recipe)
        model = rec.build(name)
        with torch.no_grad():
            assert model.eval()(torch.rand(1, 1, 28, 28)).shape == (1, 10)
    with pytest.raises(ValueError, match="no recipe"):
        rec.get_recipe("no-such-model")


def test_augmentations_keep_shape_and_content() -> None:
    torch.manual_seed(0)
    x = torch.rand(16, 1, 28, 28)
    for aug in rec.AUGMENTS.values():
        assert aug(x).shape == x.shape
    flipped = rec.random_flip(x)
    same = [torch.equal(a, b) or torch.equal(a, b.flip(-1)) for a, b in zip(x, flipped)]
    assert all(same)
    shifted = rec.random_crop(x, pad=2)
    assert (shifted.sum((1, 2, 3)) <= x.sum((1, 2, 3)) + 1e-5).all()


def test_train_recipe_and_measure() -> None:
    gen = torch.Generator().manual_seed(0)
    data = ImageData(torch.rand(64, 1, 28, 28, generator=gen),
                     torch.randint(0, 10, (64,), generator=gen), tuple("0123456789"))
    model, hist = rec.train_recipe("resnet18", data, data, epochs=1, max_steps=2,
                                   progress=False, verbose=False, batch_size=32)
    numbers = rec.measure(model, hist)
    assert numbers["params"] == count_parameters(model)
    assert numbers["flops"] > 0 and 0.0 <= numbers["accuracy"] <= 1.0


def test_comparison_table() -> None:
    numbers = dict(params=1000, flops=2_000_000, seconds=1.5, examples_per_sec=123.4,
                   accuracy=0.9)
    rows = rec.comparison_rows({"dpn": numbers, "resnet18": {**numbers, "source": "x"}})
    assert [r["name"] for r in rows] == ["resnet18", "dpn"]  # recipe (chapter) order
    assert rows[0]["label"] == rec.RECIPES["resnet18"]["label"] and rows[0]["chapter"] == 21
    assert [r["shared"] for r in rows] == [False, False]  # no recipe recorded: an older run
    table = rec.markdown_table(rows)
    assert table.count("\n") == 4 and "| 1,000 | 2.0 | 1.5 | 123 | 0.9000 | x |" in table
    shared = {**numbers, **rec.recipe_metadata("dpn")}
    rows = rec.comparison_rows({"dpn": shared, "resnet18": {**shared, "epochs": 1}})
    assert [(r["name"], r["shared"], r["recipe"]) for r in rows] == [
        ("resnet18", False, "shared but epochs 1"), ("dpn", True, "shared")]  # 1 epoch is not
    assert "| shared | 4 | adamw | 1,000 |" in rec.markdown_table(rows)
    with pytest.raises(ValueError, match="lacks accuracy"):
        rec.comparison_rows({"resnet18": {k: v for k, v in numbers.items() if k != "accuracy"}})


def test_recipe_metadata_and_trained_with_shared() -> None:
    meta = rec.recipe_metadata("resnet18")
    assert meta == dict(recipe="shared", epochs=rec.SHARED["epochs"], lr=rec.SHARED["lr"],
                        optimizer=rec.SHARED["optimizer"])
    assert rec.trained_with_shared(meta)
    assert not rec.trained_with_shared(rec.recipe_metadata("resnet18", epochs=1))
    assert not rec.trained_with_shared({**meta, "lr": 0.05})
    assert not rec.trained_with_shared({"epochs": 4, "optimizer": "adamw"})  # no recipe named


def test_book_models_cover_part_three() -> None:
    models = rec.book_models()
    chapters = [rec.get_recipe(n)["chapter"] for n in models]
    assert set(range(15, 25)) <= set(chapters) and chapters == sorted(chapters)
    for name in models:
        model = rec.build(name).eval()
        with torch.no_grad():
            assert model(torch.rand(1, 1, 28, 28)).shape == (1, 10), name


@pytest.mark.parametrize("name, notebook", [
    ("lenet5", "15_lenet"), ("alexnet", "16_alexnet"), ("zfnet", "17_zfnet"),
    ("vgg16", "18_vgg"), ("nin", "19_nin"), ("googlenet", "20_googlenet"),
    ("resnet18", "21_resnet"), ("resnext", "22_resnet_family"),
    ("wide_resnet", "22_resnet_family"), ("densenet", "23_densenet"), ("dpn", "24_dpn")])
def test_chapters_train_with_the_shared_recipe(name: str, notebook: str) -> None:
    """Every chapter of Part III trains its model with its recipe (``fit_settings(name)`` or
    ``train_recipe(name, ...)``), and every recipe is the shared one, so that the comparison
    chapter compares architectures trained the same way."""
    nb = json.loads((Path(__file__).parent.parent / "chapters" / f"{notebook}.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    calls = {f'fit_settings("{name}")', f'train_recipe("{name}"'}
    loop = name in ("resnext", "wide_resnet") and "train_recipe(name" in code
    assert loop or any(call in code for call in calls), f"{notebook} does not train {name}"
    assert rec.is_shared(name)
    assert rec.get_recipe(name)["chapter"] == int(notebook[:2])


def test_shared_recipe_is_what_fit_gets() -> None:
    settings = rec.fit_settings("alexnet")
    for key in ("lr", "batch_size", "optimizer", "weight_decay", "schedule", "seed"):
        assert settings[key] == rec.SHARED[key]
    assert settings["augment"] is rec.AUGMENTS[rec.SHARED["augment"]]
