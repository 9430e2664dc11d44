"""ResNet and its family: ResNet, pre-activation ResNet, Wide ResNet, ResNeXt, CIFAR ResNets.

He et al., "Deep Residual Learning for Image Recognition" (2015). A residual block adds
its input back to what its layers compute, ``y = F(x) + x``; when the block changes the
shape (stride 2 or more channels) the shortcut is a 1x1 convolution with batch norm.

- :class:`BasicBlock`: two 3x3 convolutions (ResNet-18/34).
- :class:`Bottleneck`: 1x1 (reduce) -> 3x3 -> 1x1 (expand x4) (ResNet-50/101/152). Its 3x3
  convolution may be grouped (ResNeXt, Xie et al. 2017) or wider (Wide ResNet, Zagoruyko
  and Komodakis 2016): its width is ``planes * width_per_group / base_planes * groups``.
- :class:`PreActBasicBlock`, :class:`PreActBottleneck`: the same layers in the order
  BN -> ReLU -> conv (He et al., "Identity Mappings in Deep Residual Networks", 2016), so
  nothing but the addition touches the shortcut path.
- :class:`DropPath`: stochastic depth (Huang et al. 2016): in training, each block's
  residual branch is dropped for the whole mini-batch (the paper's version, and the
  dropped branch is not computed at all) or, with ``mode="example"``, for a random subset
  of the examples of a batch (the form later networks use, which computes every branch).

Full-size networks (ImageNet, 224x224, 1000 classes) reproduce torchvision's parameter
counts: ResNet-18/34/50/101/152 11,689,512 / 21,797,672 / 25,557,032 / 44,549,160 /
60,192,808; Wide ResNet-50-2 68,883,240; ResNeXt-50 32x4d 25,028,904; ResNeXt-101 32x8d
88,791,336.

``size="small"`` keeps a network's blocks but makes it 4 times narrower (16, 32, 64, 128
planes) for 28x28 images: the stem is a 3x3 convolution with stride 1 and a 2x2 max pool
(instead of a 7x7 convolution with stride 2 and a 3x3 max pool with stride 2), so the
stages work at 14, 7, 4 and 2 pixels. ``cifar_resnet`` / ``plain_net`` are the paper's CIFAR-10
networks of depth 6n+2 (16, 32, 64 channels), with parameter-free shortcuts so that a
residual network and its plain twin have exactly the same parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from . import register
from .layers import check_size

FULL_WIDTHS = (64, 128, 256, 512)
SMALL_WIDTHS = (16, 32, 64, 128)


def conv3x3(in_channels: int, out_channels: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    """3x3 convolution, padding 1, no bias (a batch norm follows or precedes it)."""
    return nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, groups=groups,
                     bias=False)


def conv1x1(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution, no bias."""
    return nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)


class DropPath(nn.Module):
    """Stochastic depth for one residual branch.

    ``mode="batch"`` (the default) is the paper's version (Huang et al., "Deep Networks with
    Stochastic Depth", 2016): for each mini-batch the whole branch is dropped with
    probability ``p``. A block asks :meth:`keep_branch` before computing its branch and, if
    the answer is no, returns the shortcut alone, so a dropped branch costs no time. A
    surviving branch is scaled by ``1 / (1 - p)``; the paper instead scales by ``1 - p`` at
    test time, which is the same in expectation and leaves the test-time network untouched.

    ``mode="example"`` drops the branch of each example independently (the "drop path" of
    FractalNet-style code and of later networks such as ConvNeXt): the branch is computed
    for the whole batch and then zeroed for a random subset of examples. In evaluation both
    modes do nothing.
    """

    MODES = ("batch", "example")

    def __init__(self, p: float = 0.0, mode: str = "batch"):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"drop_path is a probability in [0, 1), not {p}")
        if mode not in self.MODES:
            raise ValueError(f"mode must be 'batch' or 'example', not {mode!r}")
        self.p, self.mode = p, mode

    def keep_branch(self) -> bool:
        """Whether this forward pass computes the branch: a fresh draw per call in training
        with ``mode="batch"``, always ``True`` otherwise."""
        if not self.training or self.p == 0.0 or self.mode == "example":
            return True
        return bool(torch.rand(()).item() >= self.p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        if self.mode == "batch":  # the branch survived keep_branch(): scale it
            return x / (1.0 - self.p)
        keep = torch.rand(x.shape[0], 1, 1, 1, device=x.device) >= self.p
        return x * keep.to(x.dtype) / (1.0 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p:.3f}, mode={self.mode}"


class BasicBlock(nn.Module):
    """``relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x))``, ``expansion = 1``."""

    expansion = 1
    preact = False

    def __init__(self, in_channels: int, planes: int, stride: int = 1,
                 shortcut: nn.Module | None = None, groups: int = 1, width_per_group: int = 64,
                 base_planes: int = 64, drop_path: float = 0.0):
        super().__init__()
        if groups != 1 or width_per_group != base_planes:
            raise ValueError("BasicBlock has no groups or width factor; use Bottleneck for "
                             "ResNeXt and Wide ResNet")
        self.conv1 = conv3x3(in_channels, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = shortcut
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.shortcut is None else self.shortcut(x)
        if not self.drop_path.keep_branch():  # stochastic depth: the whole branch dropped
            return torch.relu(identity)  # not in place: x may be saved for backward
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(self.drop_path(out) + identity)


class Bottleneck(nn.Module):
    """``1x1 reduce -> 3x3 (stride, groups) -> 1x1 expand``, each followed by BN, plus the
    shortcut, then ReLU; ``expansion = 4``. The stride sits on the 3x3 convolution (as in
    torchvision, "ResNet v1.5")."""

    expansion = 4
    preact = False

    def __init__(self, in_channels: int, planes: int, stride: int = 1,
                 shortcut: nn.Module | None = None, groups: int = 1, width_per_group: int = 64,
                 base_planes: int = 64, drop_path: float = 0.0):
        super().__init__()
        width = planes * width_per_group // base_planes * groups
        self.conv1 = conv1x1(in_channels, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = shortcut
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.shortcut is None else self.shortcut(x)
        if not self.drop_path.keep_branch():  # stochastic depth: the whole branch dropped
            return torch.relu(identity)  # not in place: x may be saved for backward
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(self.drop_path(out) + identity)


class PreActBasicBlock(nn.Module):
    """Pre-activation basic block: ``x + conv(relu(bn(conv(relu(bn(x))))))``.

    A projection shortcut takes the pre-activated input ``relu(bn(x))``, as in the paper.
    """

    expansion = 1
    preact = True

    def __init__(self, in_channels: int, planes: int, stride: int = 1,
                 shortcut: nn.Module | None = None, groups: int = 1, width_per_group: int = 64,
                 base_planes: int = 64, drop_path: float = 0.0):
        super().__init__()
        if groups != 1 or width_per_group != base_planes:
            raise ValueError("PreActBasicBlock has no groups or width factor; use "
                             "PreActBottleneck")
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = conv3x3(in_channels, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = shortcut
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = torch.relu(self.bn1(x))
        identity = x if self.shortcut is None else self.shortcut(pre)
        if not self.drop_path.keep_branch():  # stochastic depth: the whole branch dropped
            return identity
        out = self.conv1(pre)
        out = self.conv2(self.relu(self.bn2(out)))
        return self.drop_path(out) + identity


class PreActBottleneck(nn.Module):
    """Pre-activation bottleneck: BN-ReLU-1x1, BN-ReLU-3x3, BN-ReLU-1x1, plus the input."""

    expansion = 4
    preact = True

    def __init__(self, in_channels: int, planes: int, stride: int = 1,
                 shortcut: nn.Module | None = None, groups: int = 1, width_per_group: int = 64,
                 base_planes: int = 64, drop_path: float = 0.0):
        super().__init__()
        width = planes * width_per_group // base_planes * groups
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = conv1x1(in_channels, width)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups)
        self.bn3 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = shortcut
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = torch.relu(self.bn1(x))
        identity = x if self.shortcut is None else self.shortcut(pre)
        if not self.drop_path.keep_branch():  # stochastic depth: the whole branch dropped
            return identity
        out = self.conv1(pre)
        out = self.conv2(self.relu(self.bn2(out)))
        out = self.conv3(self.relu(self.bn3(out)))
        return self.drop_path(out) + identity


Block = type[BasicBlock] | type[Bottleneck] | type[PreActBasicBlock] | type[PreActBottleneck]


def he_init(model: nn.Module, zero_init_residual: bool = False) -> None:
    """He (Kaiming) normal initialisation of every convolution (``fan_out``, ReLU gain),
    batch norms at scale 1 and shift 0. ``zero_init_residual`` zeroes the scale of each
    residual branch's last batch norm, so that every block starts as the identity."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    if zero_init_residual:
        for m in model.modules():
            if isinstance(m, Bottleneck):
                nn.init.zeros_(m.bn3.weight)
            elif isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)


class ResNet(nn.Module):
    """A ResNet: stem, four stages of residual blocks, global average pooling, linear.

    Args:
        block: the block class (its ``expansion`` sets the output width of a stage).
        layers: number of blocks in each stage, e.g. ``(2, 2, 2, 2)`` for ResNet-18.
        widths: planes of each stage (64, 128, 256, 512 for ImageNet).
        small: 28x28 inputs: a 3x3 stem with stride 1, then a 2x2 max pool.
        groups, width_per_group: cardinality and per-group width of the 3x3 convolution
            of a bottleneck in the first stage (ResNeXt-50 32x4d: 32 and 4).
        drop_path: stochastic depth; in training, block ``i`` of ``n`` skips its branch for
            a whole mini-batch with probability ``drop_path * (i + 1) / n`` (the paper's
            linear decay rule; :class:`DropPath`).
    """

    def __init__(self, block: Block, layers: Sequence[int], num_classes: int = 1000,
                 in_channels: int = 3, widths: Sequence[int] = FULL_WIDTHS, small: bool = False,
                 groups: int = 1, width_per_group: int | None = None, drop_path: float = 0.0,
                 zero_init_residual: bool = False):
        super().__init__()
        if len(layers) != len(widths) or min(layers) < 1:
            raise ValueError(f"layers {tuple(layers)} must give a positive number of blocks "
                             f"for each of the {len(widths)} stages")
        if not 0.0 <= drop_path < 1.0:
            raise ValueError(f"drop_path is a probability in [0, 1), not {drop_path}")
        self.block = block
        self.groups = groups
        self.base_planes = widths[0]
        self.width_per_group = widths[0] if width_per_group is None else width_per_group
        self.in_planes = widths[0]
        self.drop_rates = [drop_path * (i + 1) / sum(layers) for i in range(sum(layers))]
        self._next_block = 0

        stem: list[nn.Module]
        if small:
            stem = [conv3x3(in_channels, widths[0])]
        else:
            stem = [nn.Conv2d(in_channels, widths[0], 7, stride=2, padding=3, bias=False)]
        if not block.preact:  # a pre-activation network normalises at the start of each block
            stem += [nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True)]
        stem.append(nn.MaxPool2d(2) if small else nn.MaxPool2d(3, stride=2, padding=1))
        self.stem = nn.Sequential(*stem)
        self.layer1 = self._make_layer(widths[0], layers[0], stride=1)
        self.stages = [self.layer1]
        for i in range(1, len(widths)):
            layer = self._make_layer(widths[i], layers[i], stride=2)
            setattr(self, f"layer{i + 1}", layer)
            self.stages.append(layer)
        out_channels = widths[-1] * block.expansion
        # pre-activation: the last block's output still needs its BN and ReLU
        self.final = (nn.Sequential(nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))
                      if block.preact else nn.Identity())
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(out_channels, num_classes)
        he_init(self, zero_init_residual)

    def _make_layer(self, planes: int, blocks: int, stride: int) -> nn.Sequential:
        """A stage: the first block may change stride and width (projection shortcut)."""
        out_channels = planes * self.block.expansion
        shortcut: nn.Module | None = None
        if stride != 1 or self.in_planes != out_channels:
            if self.block.preact:  # BN of the next block follows, none here
                shortcut = conv1x1(self.in_planes, out_channels, stride)
            else:
                shortcut = nn.Sequential(conv1x1(self.in_planes, out_channels, stride),
                                         nn.BatchNorm2d(out_channels))
        layers = []
        for i in range(blocks):
            layers.append(self.block(self.in_planes, planes, stride if i == 0 else 1,
                                     shortcut if i == 0 else None, groups=self.groups,
                                     width_per_group=self.width_per_group,
                                     base_planes=self.base_planes,
                                     drop_path=self.drop_rates[self._next_block]))
            self.in_planes = out_channels
            self._next_block += 1
        return nn.Sequential(*layers)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The feature maps before pooling."""
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
        return self.final(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.forward_features(x))
        return self.fc(torch.flatten(x, 1))


def make_resnet(block: Block, default_layers: Sequence[int], num_classes: int = 1000,
                in_channels: int = 3, size: str = "full", width: int | None = None,
                groups: int = 1, width_per_group: int | None = None, wide: int = 1,
                layers: Sequence[int] | None = None, **options: object) -> ResNet:
    """A :class:`ResNet` of the given ``size`` (``layers`` overrides ``default_layers``,
    the blocks per stage).

    ``width`` overrides the first stage's planes (the others double from stage to stage).
    ``groups`` and ``width_per_group`` shape the grouped 3x3 convolution of a bottleneck
    (ResNeXt); by default it has ``wide`` times the planes (Wide ResNet: ``wide=2``).
    """
    small = check_size(size) == "small"
    widths = SMALL_WIDTHS if small else FULL_WIDTHS
    if width is not None:
        if width < 1:
            raise ValueError(f"width must be a positive number of channels, not {width}")
        widths = tuple(width * 2**i for i in range(4))
    if groups < 1 or wide < 1:
        raise ValueError(f"groups ({groups}) and wide ({wide}) must be positive integers")
    if width_per_group is None:
        width_per_group = widths[0] * wide // groups
    layers = default_layers if layers is None else layers
    return ResNet(block, layers, num_classes, in_channels, widths=widths, small=small,
                  groups=groups, width_per_group=width_per_group,
                  **options)  # type: ignore[arg-type]


@register("resnet18")
def resnet18(num_classes: int = 1000, in_channels: int = 3, **options: object) -> ResNet:
    """ResNet-18: basic blocks (2, 2, 2, 2); 11,689,512 parameters."""
    return make_resnet(BasicBlock, (2, 2, 2, 2), num_classes, in_channels, **options)


@register("resnet34")
def resnet34(num_classes: int = 1000, in_channels: int = 3, **options: object) -> ResNet:
    """ResNet-34: basic blocks (3, 4, 6, 3); 21,797,672 parameters."""
    return make_resnet(BasicBlock, (3, 4, 6, 3), num_classes, in_channels, **options)


@register("resnet50")
def resnet50(num_classes: int = 1000, in_channels: int = 3, **options: object) -> ResNet:
    """ResNet-50: bottlenecks (3, 4, 6, 3); 25,557,032 parameters."""
    return make_resnet(Bottleneck, (3, 4, 6, 3), num_classes, in_channels, **options)


@register("resnet101")
def resnet101(num_classes: int = 1000, in_channels: int = 3, **options: object) -> ResNet:
    """ResNet-101: bottlenecks (3, 4, 23, 3); 44,549,160 parameters."""
    return make_resnet(Bottleneck, (3, 4, 23, 3), num_classes, in_channels, **options)


@register("resnet152")
def resnet152(num_classes: int = 1000, in_channels: int = 3, **options: object) -> ResNet:
    """ResNet-152: bottlenecks (3, 8, 36, 3); 60,192,808 parameters."""
    return make_resnet(Bottleneck, (3, 8, 36, 3), num_classes, in_channels, **options)


@register("preact_resnet18")
def preact_resnet18(num_classes: int = 1000, in_channels: int = 3,
                    **options: object) -> ResNet:
    """Pre-activation ResNet-18 (BN-ReLU-conv blocks, a final BN-ReLU)."""
    return make_resnet(PreActBasicBlock, (2, 2, 2, 2), num_classes, in_channels, **options)


@register("preact_resnet34")
def preact_resnet34(num_classes: int = 1000, in_channels: int = 3,
                    **options: object) -> ResNet:
    """Pre-activation ResNet-34."""
    return make_resnet(PreActBasicBlock, (3, 4, 6, 3), num_classes, in_channels, **options)


@register("preact_resnet50")
def preact_resnet50(num_classes: int = 1000, in_channels: int = 3,
                    **options: object) -> ResNet:
    """Pre-activation ResNet-50."""
    return make_resnet(PreActBottleneck, (3, 4, 6, 3), num_classes, in_channels, **options)


@register("preact_resnet101")
def preact_resnet101(num_classes: int = 1000, in_channels: int = 3,
                     **options: object) -> ResNet:
    """Pre-activation ResNet-101."""
    return make_resnet(PreActBottleneck, (3, 4, 23, 3), num_classes, in_channels, **options)


@register("preact_resnet152")
def preact_resnet152(num_classes: int = 1000, in_channels: int = 3,
                     **options: object) -> ResNet:
    """Pre-activation ResNet-152."""
    return make_resnet(PreActBottleneck, (3, 8, 36, 3), num_classes, in_channels, **options)


@register("wide_resnet50_2")
def wide_resnet50_2(num_classes: int = 1000, in_channels: int = 3,
                    **options: object) -> ResNet:
    """Wide ResNet-50-2: ResNet-50 with bottlenecks twice as wide inside; 68,883,240."""
    options.setdefault("wide", 2)
    return make_resnet(Bottleneck, (3, 4, 6, 3), num_classes, in_channels, **options)


@register("wide_resnet101_2")
def wide_resnet101_2(num_classes: int = 1000, in_channels: int = 3,
                     **options: object) -> ResNet:
    """Wide ResNet-101-2; 126,886,696 parameters."""
    options.setdefault("wide", 2)
    return make_resnet(Bottleneck, (3, 4, 23, 3), num_classes, in_channels, **options)


@register("resnext50_32x4d")
def resnext50_32x4d(num_classes: int = 1000, in_channels: int = 3,
                    **options: object) -> ResNet:
    """ResNeXt-50 (32x4d): 32 groups of 4 channels in the first stage; 25,028,904.
    Small: 8 groups of 4 channels (the same bottleneck-to-output ratio)."""
    options.setdefault("groups", 8 if options.get("size") == "small" else 32)
    options.setdefault("width_per_group", 4)
    return make_resnet(Bottleneck, (3, 4, 6, 3), num_classes, in_channels, **options)


@register("resnext101_32x8d")
def resnext101_32x8d(num_classes: int = 1000, in_channels: int = 3,
                     **options: object) -> ResNet:
    """ResNeXt-101 (32x8d): 32 groups of 8 channels in the first stage; 88,791,336.
    Small: 8 groups of 8 channels."""
    options.setdefault("groups", 8 if options.get("size") == "small" else 32)
    options.setdefault("width_per_group", 8)
    return make_resnet(Bottleneck, (3, 4, 23, 3), num_classes, in_channels, **options)


# --- The CIFAR networks of the ResNet paper (section 4.2) -------------------------------


class ZeroPadShortcut(nn.Module):
    """Parameter-free shortcut (the paper's option A): subsample by ``stride`` and append
    zero channels up to ``out_channels``."""

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.extra = out_channels - in_channels
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, ::self.stride, ::self.stride]
        return nn.functional.pad(x, (0, 0, 0, 0, 0, self.extra))


class CifarBlock(nn.Module):
    """Two 3x3 conv-BN layers; with ``residual=True`` the input is added before the last
    ReLU (through :class:`ZeroPadShortcut` when the shape changes), otherwise it is not."""

    def __init__(self, in_channels: int, planes: int, stride: int, residual: bool):
        super().__init__()
        self.conv1 = conv3x3(in_channels, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.residual = residual
        self.shortcut = (ZeroPadShortcut(in_channels, planes, stride)
                         if stride != 1 or in_channels != planes else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.residual:
            out = out + self.shortcut(x)
        return self.relu(out)


class CifarResNet(nn.Module):
    """A CIFAR ResNet of depth ``6n + 2``: a 3x3 conv, three stages of ``n`` blocks at
    ``width``, ``2 width`` and ``4 width`` channels (the last two halve the size), global
    average pooling and a linear layer. ``residual=False`` is the paper's plain network."""

    def __init__(self, depth: int = 20, num_classes: int = 10, in_channels: int = 3,
                 width: int = 16, residual: bool = True):
        super().__init__()
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f"depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, "
                             f"...), not {depth}")
        n = (depth - 2) // 6
        self.depth = depth
        self.stem = nn.Sequential(conv3x3(in_channels, width), nn.BatchNorm2d(width),
                                  nn.ReLU(inplace=True))
        blocks: list[nn.Module] = []
        c = width
        for stage, planes in enumerate((width, 2 * width, 4 * width)):
            for i in range(n):
                stride = 2 if stage > 0 and i == 0 else 1
                blocks.append(CifarBlock(c, planes, stride, residual))
                c = planes
        self.blocks = nn.Sequential(*blocks)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)
        he_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.blocks(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


@register("cifar_resnet")
def cifar_resnet(num_classes: int = 1000, in_channels: int = 3, depth: int = 20,
                 width: int = 16, size: str = "small", residual: bool = True) -> CifarResNet:
    """The paper's CIFAR ResNet of depth ``6n + 2`` (already small: ``size`` is accepted
    and ignored). ResNet-20/32/56 have 0.27/0.46/0.85 M parameters with 10 classes."""
    check_size(size)
    return CifarResNet(depth, num_classes, in_channels, width, residual)


@register("plain_net")
def plain_net(num_classes: int = 1000, in_channels: int = 3, depth: int = 20,
              width: int = 16, size: str = "small") -> CifarResNet:
    """The plain twin of :func:`cifar_resnet`: the same layers without shortcuts."""
    check_size(size)
    return CifarResNet(depth, num_classes, in_channels, width, residual=False)
