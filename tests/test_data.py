"""Data loaders: full splits, class counts, checksums, atomic writes, clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

from utils import data, download
from utils.data import (
    FASHION_MD5,
    IDX_NAMES,
    DataUnavailableError,
    ImageData,
    fetch_idx_files,
    load_digits,
    load_fashion_mnist,
    load_mnist,
    parse_idx,
)

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_mnist_full_splits_and_class_counts():
    train, test = load_mnist(quick=False)
    assert train.x.shape == (60000, 1, 28, 28) and test.x.shape == (10000, 1, 28, 28)
    assert train.x.dtype == torch.float32 and 0.0 <= train.x.min() and train.x.max() <= 1.0
    assert train.class_counts().tolist() == MNIST_TRAIN_COUNTS
    assert test.class_counts().tolist() == MNIST_TEST_COUNTS
    assert abs(train.x.mean().item() - 0.1307) < 1e-3  # the well-known MNIST mean


def test_fashion_mnist_full_splits_are_balanced():
    train, test = load_fashion_mnist(quick=False)
    assert len(train) == 60000 and len(test) == 10000
    assert train.class_counts().tolist() == [6000] * 10
    assert test.class_counts().tolist() == [1000] * 10
    assert train.classes[9] == "Ankle boot"


def test_quick_subset_is_stratified_and_deterministic():
    train, test = load_mnist(quick=True)
    assert len(train) == data.QUICK_TRAIN and len(test) == data.QUICK_TEST
    assert train.class_counts().tolist() == [data.QUICK_TRAIN // 10] * 10
    again, _ = load_mnist(quick=True)
    assert torch.equal(train.x, again.x)


def test_subset_split_and_batches():
    d = ImageData(torch.rand(100, 1, 4, 4), torch.arange(100) % 10, tuple("abcdefghij"))
    s = d.subset(30, seed=1)
    assert len(s) == 30 and s.class_counts().tolist() == [3] * 10
    a, b = d.split(0.8)
    assert len(a) == 80 and len(b) == 20
    assert set(a.y.tolist()) | set(b.y.tolist()) == set(range(10))
    sizes = [len(y) for _, y in d.batches(32)]
    assert sizes == [32, 32, 32, 4]
    with pytest.raises(ValueError, match="N, C, H, W"):
        ImageData(torch.rand(3, 4, 4), torch.zeros(3, dtype=torch.long), ("a",))


def test_digits():
    d = load_digits()
    assert d.x.shape == (1797, 1, 8, 8) and d.x.max() == 1.0


def test_parse_idx_rejects_garbage():
    with pytest.raises(ValueError):
        parse_idx(b"not an idx file")
    header = bytes([0, 0, 8, 1]) + (5).to_bytes(4, "big")
    assert parse_idx(header + bytes(range(5))).tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="header says"):
        parse_idx(header + bytes(3))


def _corrupt_source(key: str) -> bytes:
    return bytes([0, 0, 8, 1]) + (3).to_bytes(4, "big") + b"bad"


def test_checksum_failure_gives_clear_error(tmp_path):
    with pytest.raises(DataUnavailableError) as err:
        fetch_idx_files("fashion-mnist", FASHION_MD5, [("corrupt mirror", _corrupt_source)],
                        root=tmp_path)
    msg = str(err.value)
    assert "MD5" in msg and "corrupt mirror" in msg and "Fix:" in msg
    assert "apt-get install dataset-fashion-mnist" in msg
    assert not any(tmp_path.rglob("*ubyte*")), "a file that failed its checksum was written"


def test_corrupt_cache_is_replaced_from_a_good_source(tmp_path):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    (folder / IDX_NAMES["t10k-labels"]).write_bytes(b"\x00\x00\x08\x01garbage")
    good = data._dir_source("debian", data.FASHION_DEBIAN_DIR)
    arrays = fetch_idx_files("fashion-mnist", FASHION_MD5, [good], root=tmp_path)
    assert arrays["t10k-labels"].shape == (10000,)
    assert download.md5_file(folder / IDX_NAMES["t10k-labels"]) == FASHION_MD5["t10k-labels"]


def test_missing_everywhere_lists_sources(tmp_path):
    empty = data._dir_source("empty folder", tmp_path / "nothing")
    with pytest.raises(DataUnavailableError, match="empty folder"):
        fetch_idx_files("mnist", data.MNIST_MD5, [empty], root=tmp_path)


def test_atomic_write_never_leaves_half_a_file(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "file.bin"
    download.atomic_write_bytes(target, b"old")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        download.atomic_write_bytes(target, b"new contents")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.bin"]


def test_sample_photos():
    cat = data.sample_photo("chelsea")
    assert cat.dtype == np.uint8 and cat.shape == (300, 451, 3)
    assert data.sample_photo("china").shape[2] == 3
    with pytest.raises(ValueError, match="choose one of"):
        data.sample_photo("dog")


def test_data_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNBOOK_DATA", str(tmp_path))
    assert data.data_dir() == Path(tmp_path)
