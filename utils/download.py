"""Checksummed, atomic file writes and downloads."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path


class ChecksumError(RuntimeError):
    """A file's MD5 differs from the expected one (a corrupt or truncated download)."""


def md5_bytes(data: bytes) -> str:
    """MD5 hex digest of ``data``."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def md5_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """MD5 hex digest of a file, read in chunks."""
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A crash mid-write leaves the old file (or none), never a half-written one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.chmod(tmp, 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def check_md5(data: bytes, expected: str | None, what: str) -> None:
    """Raise :class:`ChecksumError` naming ``what`` if ``data`` does not hash to ``expected``."""
    if expected is None:
        return
    got = md5_bytes(data)
    if got != expected:
        raise ChecksumError(
            f"{what}: MD5 is {got}, expected {expected}. The file is corrupt or incomplete; "
            "delete it and run again to fetch a fresh copy."
        )


def fetch_url(url: str, timeout: float = 30.0) -> bytes:
    """Download ``url`` into memory (the caller verifies and writes it atomically)."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (fixed URLs)
        return response.read()


def download(url: str, path: str | os.PathLike[str], md5: str | None,
             timeout: float = 120.0) -> Path:
    """The file ``path``, downloaded from ``url`` the first time and checked against ``md5``.

    A file already at ``path`` is checked too (a truncated copy from an interrupted run is
    reported, not used). A fresh download is written only after its checksum matches
    (atomically: a crash leaves no half-written file). Raises :class:`ChecksumError` for
    a wrong checksum and ``OSError`` (``urllib.error.URLError``) when offline.
    """
    path = Path(path)
    if path.is_file():
        if md5 is not None and md5_file(path) != md5:
            raise ChecksumError(f"{path}: MD5 is {md5_file(path)}, expected {md5}. The file is "
                                "corrupt or incomplete; delete it and run again.")
        return path
    data = fetch_url(url, timeout=timeout)
    check_md5(data, md5, url)
    return atomic_write_bytes(path, data)
