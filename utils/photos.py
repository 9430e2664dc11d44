"""A real colour-photo task for transfer learning: CIFAR-10, downloaded and checksummed.

``load_cifar10()`` returns ``(train, test)`` as :class:`~utils.data.ImageData` with
``x`` float32 ``(N, 3, 32, 32)`` in ``[0, 1]`` (50,000 and 10,000 images, 10 classes;
``quick=True`` gives a stratified 2000/500). The archive is the dataset authors' binary
version (``cifar-10-binary.tar.gz``, 170,052,171 bytes): fixed-length records of one label
byte and 3,072 pixel bytes (the red, green and blue 32x32 planes), read straight from the
archive, so nothing is unpickled and no file is extracted. It is downloaded once into the
book's cache folder and checked against its published MD5 (:func:`utils.download.download`);
without an internet connection the loader raises ``OSError`` and chapter 26 falls back to
its offline targets.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import torch

from .config import QUICK
from .data import ImageData, data_dir
from .download import download

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
"""The MD5 the dataset's page publishes for the binary version."""
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck")
RECORD = 1 + 3 * 32 * 32
TRAIN_MEMBERS = tuple(f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6))
TEST_MEMBERS = ("cifar-10-batches-bin/test_batch.bin",)


def parse_cifar_records(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Decode CIFAR-10 binary records: ``(images uint8 (N, 3, 32, 32), labels int64 (N,))``."""
    if len(data) % RECORD:
        raise ValueError(f"{len(data)} bytes is not a whole number of {RECORD}-byte records")
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.size and labels.max() > 9:
        raise ValueError(f"label {labels.max()} out of range: not a CIFAR-10 file")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def read_cifar_archive(path: str | Path,
                       members: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Read and concatenate the record files ``members`` of the archive at ``path``."""
    images, labels = [], []
    with tarfile.open(path, "r:gz") as tar:
        for name in members:
            f = tar.extractfile(name)
            if f is None:
                raise ValueError(f"{path}: {name} is not a regular file")
            x, y = parse_cifar_records(f.read())
            images.append(x)
            labels.append(y)
    return np.concatenate(images), np.concatenate(labels)


def load_cifar10(quick: bool | None = None, url: str | None = None,
                 md5: str | None = CIFAR10_MD5,
                 folder: str | Path | None = None) -> tuple[ImageData, ImageData]:
    """CIFAR-10 train and test sets (downloaded once, checksummed; see the module text).

    ``url`` (default :data:`CIFAR10_URL`), ``md5`` and ``folder`` (default: the book's
    data cache) exist for tests and mirrors.
    """
    quick = QUICK if quick is None else quick
    archive = download(url or CIFAR10_URL, Path(folder or data_dir()) / "cifar-10-binary.tar.gz",
                       md5)
    sets = []
    for members in (TRAIN_MEMBERS, TEST_MEMBERS):
        x, y = read_cifar_archive(archive, members)
        sets.append(ImageData(torch.from_numpy(x.astype(np.float32) / 255.0),
                              torch.from_numpy(y), CIFAR10_CLASSES, "CIFAR-10"))
    train, test = sets
    if quick:
        train, test = train.subset(2000), test.subset(500)
    return train, test
