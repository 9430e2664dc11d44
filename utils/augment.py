"""Data augmentation on whole batches, on the CPU or the GPU, seeded and composable.

Every transform takes a float batch ``(N, C, H, W)`` and returns one; random ones draw
their randomness from their own ``torch.Generator`` when given a ``seed`` (so the same
seed gives the same augmented batches, and the global random state is left alone), or
from PyTorch's global generator otherwise. The random numbers are drawn on the CPU and
moved to the batch's device, so a seed gives the same result on every device.

Kornia (``kornia.augmentation``) does the crops, flips, noise and normalisation; this
module adds what kornia lacks: AlexNet's PCA colour jitter, VGG's scale jitter, mean-image
subtraction and ten-crop testing. Use with ``utils.train.fit``::

    aug = Compose(RandomCrop(28, padding=2), HorizontalFlip(), seed=0)
    fit(model, train, test, augment=aug)
"""

from __future__ import annotations

from collections.abc import Sequence

import kornia.augmentation as K
import torch
from kornia.geometry.transform import crop_and_resize
from torch import nn

__all__ = [
    "Transform", "Compose", "RandomCrop", "HorizontalFlip", "VerticalFlip", "GaussianNoise",
    "ScaleJitter", "PCAColorJitter", "pca_color_basis", "Normalize", "SubtractMeanImage",
    "center_crop", "ten_crop", "ten_crop_predict",
]

Size = int | tuple[int, int]


def _pair(size: Size, name: str = "size") -> tuple[int, int]:
    h, w = (size, size) if isinstance(size, int) else tuple(size)
    if not (isinstance(h, int) and isinstance(w, int) and h > 0 and w > 0):
        raise ValueError(f"{name} must be a positive int or a pair (height, width), got {size!r}")
    return h, w


def _check_batch(x: torch.Tensor) -> None:
    if not isinstance(x, torch.Tensor) or x.ndim != 4:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"expected a batch of images (N, C, H, W), got {shape}; "
                         "add a batch dimension with x.unsqueeze(0)")
    if not x.is_floating_point():
        raise ValueError(f"expected a float batch, got {x.dtype}; convert uint8 images with "
                         "x.float() / 255")


class Transform:
    """Base class: a (possibly random) function of a batch, with its own seedable generator."""

    def __init__(self, seed: int | None = None) -> None:
        self.generator: torch.Generator | None = None
        if seed is not None:
            self.manual_seed(seed)

    def manual_seed(self, seed: int) -> Transform:
        """(Re)seed this transform's generator; returns ``self``."""
        self.generator = torch.Generator().manual_seed(int(seed))
        return self

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        _check_batch(x)
        return self.forward(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Transform the (checked) batch ``x``."""
        raise NotImplementedError

    @property
    def last_params(self) -> dict[str, torch.Tensor]:
        """The random parameters drawn by the last call (kornia's ``_params`` where kornia
        does the work), e.g. ``"batch_prob"`` (which images were flipped) or ``"src"``
        (crop corners); lets one replay a call with plain tensor code."""
        k = getattr(self, "_k", None)
        return dict(getattr(k, "_params", None) or getattr(self, "_last", {}))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # Random numbers: drawn on the CPU from our generator (or the global one), then moved.
    def _rand(self, *shape: int, device: torch.device) -> torch.Tensor:
        return torch.rand(shape, generator=self.generator).to(device)

    def _randn(self, *shape: int, device: torch.device) -> torch.Tensor:
        return torch.randn(shape, generator=self.generator).to(device)

    def _run_kornia(self, module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """Run a kornia augmentation, seeded from our generator when we have one.

        Kornia samples from PyTorch's global generator (on the CPU, where its modules stay),
        so we seed a forked copy of the global state and restore it afterwards.
        """
        if self.generator is None:
            return module(x)
        seed = int(torch.randint(0, 2**62, (1,), generator=self.generator))
        devices = [x.device] if x.is_cuda else []
        with torch.random.fork_rng(devices=devices):
            torch.random.default_generator.manual_seed(seed)
            if x.is_cuda:
                with torch.cuda.device(x.device):
                    torch.cuda.manual_seed(seed)
            return module(x)


class Compose(Transform):
    """Apply transforms in order. ``seed`` gives them all one shared, seeded generator."""

    def __init__(self, *transforms: Transform, seed: int | None = None) -> None:
        if len(transforms) == 1 and isinstance(transforms[0], (list, tuple)):
            transforms = tuple(transforms[0])
        for t in transforms:
            if not callable(t):
                raise ValueError(f"Compose takes transforms (callables), got {t!r}")
        self.transforms = list(transforms)
        super().__init__(seed)

    def manual_seed(self, seed: int) -> Compose:
        super().manual_seed(seed)
        for t in self.transforms:
            if isinstance(t, Transform):
                t.generator = self.generator
                if isinstance(t, Compose):
                    t.manual_seed(int(torch.randint(0, 2**62, (1,), generator=self.generator)))
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return "Compose(" + ", ".join(map(repr, self.transforms)) + ")"


class RandomCrop(Transform):
    """Zero-pad by ``padding`` pixels on every side, then crop a random ``size`` window.

    ``RandomCrop(28, padding=2)`` shifts 28x28 digits by up to 2 pixels; with
    ``padding=0`` it is AlexNet's random 224x224 crop of a 256x256 image.
    """

    def __init__(self, size: Size, padding: int = 0, fill: float = 0.0,
                 padding_mode: str = "constant", seed: int | None = None) -> None:
        self.size = _pair(size)
        if not (isinstance(padding, int) and padding >= 0):
            raise ValueError(f"padding must be a non-negative int, got {padding!r}")
        if padding_mode not in ("constant", "reflect", "replicate"):
            raise ValueError(f"padding_mode must be 'constant', 'reflect' or 'replicate', "
                             f"got {padding_mode!r}")
        self.padding = padding
        self._k = K.RandomCrop(self.size, padding=padding or None, fill=fill,
                               padding_mode=padding_mode, p=1.0)
        super().__init__(seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2] + 2 * self.padding, x.shape[-1] + 2 * self.padding
        if self.size[0] > h or self.size[1] > w:
            raise ValueError(f"crop {self.size} is larger than the padded image {(h, w)}; "
                             "use a smaller size or more padding")
        return self._run_kornia(self._k, x)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class HorizontalFlip(Transform):
    """Mirror each image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5, seed: int | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
        self.p = p
        self._k = K.RandomHorizontalFlip(p=p)
        super().__init__(seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._run_kornia(self._k, x)

    def __repr__(self) -> str:
        return f"HorizontalFlip(p={self.p})"


class VerticalFlip(Transform):
    """Mirror each image upside down with probability ``p`` (not for digits or text!)."""

    def __init__(self, p: float = 0.5, seed: int | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
        self.p = p
        self._k = K.RandomVerticalFlip(p=p)
        super().__init__(seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._run_kornia(self._k, x)

    def __repr__(self) -> str:
        return f"VerticalFlip(p={self.p})"


class GaussianNoise(Transform):
    """Add noise ``N(0, std^2)`` to every pixel, then clip to ``clip`` (``None``: no clipping)."""

    def __init__(self, std: float = 0.1, p: float = 1.0,
                 clip: tuple[float, float] | None = (0.0, 1.0), seed: int | None = None) -> None:
        if not std >= 0:
            raise ValueError(f"std must be non-negative, got {std!r}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
        self.std, self.p, self.clip = std, p, clip
        self._k = K.RandomGaussianNoise(mean=0.0, std=std, p=p)
        super().__init__(seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self._run_kornia(self._k, x)
        return y.clamp(*self.clip) if self.clip is not None else y

    def __repr__(self) -> str:
        return f"GaussianNoise(std={self.std}, p={self.p}, clip={self.clip})"


class ScaleJitter(Transform):
    """VGG's scale jittering: rescale each image so that its shorter side is a random
    integer ``S`` in ``scales = (S_min, S_max)``, then crop a random ``size`` window
    (VGG: S in 256..512, 224x224 crops).

    Done in one resampling step per batch: kornia's ``crop_and_resize`` samples the window
    straight from the original image on the grid that bilinear rescaling to ``S``
    (``F.interpolate(..., align_corners=False)``) would use, so the result equals
    "rescale, then crop" (to rounding) without building the large rescaled images.
    ``last_params`` holds the drawn ``S``, ``top`` and ``left`` (in rescaled pixels).
    """

    def __init__(self, size: Size, scales: tuple[int, int], seed: int | None = None) -> None:
        self.size = _pair(size)
        lo, hi = scales
        if not (isinstance(lo, int) and isinstance(hi, int) and max(self.size) <= lo <= hi):
            raise ValueError(f"scales must be integers with size <= S_min <= S_max, got "
                             f"{scales!r} for size {self.size}; e.g. ScaleJitter(224, (256, 512))")
        self.scales = (lo, hi)
        self._last: dict[str, torch.Tensor] = {}
        super().__init__(seed)

    @staticmethod
    def rescaled_size(h: int, w: int, s: int) -> tuple[int, int]:
        """Height and width after rescaling an ``h`` x ``w`` image to shorter side ``s``."""
        return (s, round(w * s / h)) if h <= w else (round(h * s / w), s)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        lo, hi = self.scales
        s = torch.randint(lo, hi + 1, (n,), generator=self.generator)
        hw = torch.tensor([self.rescaled_size(h, w, int(si)) for si in s], dtype=torch.float64)
        u = torch.rand(n, 2, generator=self.generator, dtype=torch.float64)
        top = (u[:, 0] * (hw[:, 0] - self.size[0] + 1)).floor()
        left = (u[:, 1] * (hw[:, 1] - self.size[1] + 1)).floor()
        self._last = dict(S=s, top=top.long(), left=left.long())
        fy, fx = h / hw[:, 0], w / hw[:, 1]          # input pixels per rescaled pixel
        # Pixel j of the rescaled image samples the input at (j + 0.5) * f - 0.5.
        y0, y1 = (top + 0.5) * fy - 0.5, (top + self.size[0] - 0.5) * fy - 0.5
        x0, x1 = (left + 0.5) * fx - 0.5, (left + self.size[1] - 0.5) * fx - 0.5
        boxes = torch.stack([torch.stack([x0, y0], -1), torch.stack([x1, y0], -1),
                             torch.stack([x1, y1], -1), torch.stack([x0, y1], -1)], 1)
        return crop_and_resize(x, boxes.to(x.device, x.dtype), self.size,
                               padding_mode="border", align_corners=True)

    def __repr__(self) -> str:
        return f"ScaleJitter(size={self.size}, scales={self.scales})"


def pca_color_basis(images: torch.Tensor, max_pixels: int = 1_000_000,
                    seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues ``(3,)`` and eigenvectors ``(3, 3)`` (columns) of the RGB covariance of
    the pixels of ``images`` ``(N, 3, H, W)``, as AlexNet computed on ImageNet.

    At most ``max_pixels`` randomly chosen pixels are used.
    """
    _check_batch(images)
    if images.shape[1] != 3:
        raise ValueError(f"PCA colour needs RGB images (N, 3, H, W), got {images.shape[1]} "
                         "channels")
    pixels = images.permute(0, 2, 3, 1).reshape(-1, 3).double()
    if len(pixels) > max_pixels:
        gen = torch.Generator().manual_seed(seed)
        pixels = pixels[torch.randperm(len(pixels), generator=gen)[:max_pixels].to(pixels.device)]
    cov = torch.cov(pixels.T)
    eigvals, eigvecs = torch.linalg.eigh(cov)
    return eigvals.flip(0).clamp_min(0).float(), eigvecs.flip(1).float()


class PCAColorJitter(Transform):
    """AlexNet's PCA colour augmentation ("fancy PCA").

    To every pixel of image n add ``sum_i p_i * alpha_ni * sqrt(lambda_i)``, where ``p_i``
    and ``lambda_i`` are the eigenvectors and eigenvalues of the RGB pixel covariance (see
    :func:`pca_color_basis`) and ``alpha_ni ~ N(0, std^2)`` is drawn once per image
    (AlexNet: ``std = 0.1``). It shifts each image's colour along the directions in which
    natural colours vary, keeping its content.

    The paper writes ``lambda_i``; an eigenvalue of a covariance is a variance (squared
    pixel units), so the shift would change with the pixel scale (0..1 or 0..255). Like
    common implementations we use the standard deviation ``sqrt(lambda_i)`` along each
    principal axis, so the shift is in pixel units whatever the scale.
    """

    def __init__(self, eigvals: torch.Tensor, eigvecs: torch.Tensor, std: float = 0.1,
                 clip: tuple[float, float] | None = None, seed: int | None = None) -> None:
        eigvals, eigvecs = torch.as_tensor(eigvals).float(), torch.as_tensor(eigvecs).float()
        if eigvals.shape != (3,) or eigvecs.shape != (3, 3):
            raise ValueError(f"need eigvals (3,) and eigvecs (3, 3), got {tuple(eigvals.shape)} "
                             f"and {tuple(eigvecs.shape)}; compute them with pca_color_basis")
        if not std >= 0:
            raise ValueError(f"std must be non-negative, got {std!r}")
        self.eigvals, self.eigvecs, self.std, self.clip = eigvals, eigvecs, std, clip
        self._last: dict[str, torch.Tensor] = {}
        super().__init__(seed)

    def offsets(self, n: int, device: torch.device | str = "cpu") -> torch.Tensor:
        """The RGB shifts ``(n, 3)`` of the next ``n`` images (advances the generator)."""
        alpha = self.std * self._randn(n, 3, device=torch.device(device))
        offset = (alpha * self.eigvals.sqrt().to(device)) @ self.eigvecs.to(device).T
        self._last = dict(alpha=alpha, offset=offset)
        return offset

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] != 3:
            raise ValueError(f"PCA colour jitter needs RGB batches, got {x.shape[1]} channels")
        y = x + self.offsets(len(x), x.device).to(x.dtype)[:, :, None, None]
        return y.clamp(*self.clip) if self.clip is not None else y

    def __repr__(self) -> str:
        return f"PCAColorJitter(std={self.std})"


class Normalize(Transform):
    """Per-channel standardisation ``(x - mean_c) / std_c`` (kornia's ``Normalize``).

    With ``mean=(123.68, 116.78, 103.94)`` and ``std=1`` on 0..255 images it is VGG's
    per-channel mean subtraction.
    """

    def __init__(self, mean: Sequence[float] | torch.Tensor | float,
                 std: Sequence[float] | torch.Tensor | float = 1.0) -> None:
        mean_t = torch.as_tensor(mean, dtype=torch.float32).reshape(-1)
        std_t = torch.as_tensor(std, dtype=torch.float32).reshape(-1)
        if (std_t <= 0).any():
            raise ValueError(f"std must be positive, got {std!r}")
        self.mean, self.std = mean_t, std_t
        self._k = K.Normalize(mean=mean_t, std=std_t)
        super().__init__(None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for name, t in (("mean", self.mean), ("std", self.std)):
            if len(t) not in (1, x.shape[1]):
                raise ValueError(f"{name} has {len(t)} values but the batch has {x.shape[1]} "
                                 "channels; give one value per channel")
        return self._k(x)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class SubtractMeanImage(Transform):
    """Subtract a mean image ``(C, H, W)`` (AlexNet's preprocessing) from every image."""

    def __init__(self, mean_image: torch.Tensor) -> None:
        mean_image = torch.as_tensor(mean_image, dtype=torch.float32)
        if mean_image.ndim != 3:
            raise ValueError(f"mean_image must be (C, H, W), got {tuple(mean_image.shape)}; "
                             "compute it with x.mean(0)")
        self.mean_image = mean_image
        super().__init__(None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1:] != self.mean_image.shape:
            raise ValueError(f"images {tuple(x.shape[1:])} and mean image "
                             f"{tuple(self.mean_image.shape)} differ in shape; resize first")
        return x - self.mean_image.to(x.device, x.dtype)

    def __repr__(self) -> str:
        return f"SubtractMeanImage({tuple(self.mean_image.shape)})"


def center_crop(x: torch.Tensor, size: Size) -> torch.Tensor:
    """The central ``size`` window of every image of the batch."""
    _check_batch(x)
    h, w = _pair(size)
    H, W = x.shape[-2:]
    if h > H or w > W:
        raise ValueError(f"crop {(h, w)} is larger than the images {(H, W)}")
    top, left = (H - h) // 2, (W - w) // 2
    return x[..., top:top + h, left:left + w]


def ten_crop(x: torch.Tensor, size: Size) -> torch.Tensor:
    """AlexNet's ten test crops: the four corners and the centre, and their mirror images.

    Returns ``(10, N, C, h, w)``: index 0..3 top-left, top-right, bottom-left, bottom-right,
    4 the centre, 5..9 the same five flipped left-right.
    """
    _check_batch(x)
    h, w = _pair(size)
    H, W = x.shape[-2:]
    if h > H or w > W:
        raise ValueError(f"crop {(h, w)} is larger than the images {(H, W)}")
    five = [x[..., :h, :w], x[..., :h, W - w:], x[..., H - h:, :w], x[..., H - h:, W - w:],
            center_crop(x, (h, w))]
    crops = torch.stack(five)
    return torch.cat([crops, crops.flip(-1)])


@torch.no_grad()
def ten_crop_predict(model: nn.Module, x: torch.Tensor, size: Size) -> torch.Tensor:
    """Class probabilities ``(N, K)`` averaged over the ten crops of each image."""
    crops = ten_crop(x, size)
    ten, n = crops.shape[:2]
    was_training = model.training
    model.eval()
    probs = model(crops.reshape(ten * n, *crops.shape[2:])).softmax(-1)
    model.train(was_training)
    return probs.reshape(ten, n, -1).mean(0)
