"""The lock (requirements-lock.txt) covers every requirement, and is what was installed."""

from __future__ import annotations

import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements-lock.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*$")


def lock_pins(text: str) -> dict[str, Version]:
    """``name -> version`` for every pin; anything else that is not a comment is an error."""
    pins = {}
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = PIN.match(stripped)
        if not match:
            raise ValueError(f"line {n} of the lock is not an exact pin: {line!r}")
        pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def requirements(text: str) -> list[Requirement]:
    """The requirements of a requirements.txt (comments and options skipped)."""
    reqs = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            reqs.append(Requirement(line))
    return reqs


def uncovered(reqs: list[Requirement], pins: dict[str, Version]) -> list[str]:
    """The requirements the lock does not pin, or pins outside their range."""
    missing = []
    for req in reqs:
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            missing.append(f"{req}: not in the lock")
        elif not req.specifier.contains(version, prereleases=True) and not (
                version.local and req.specifier.contains(Version(version.public))):
            missing.append(f"{req}: the lock pins {version}")
    return missing


def test_every_requirement_is_pinned_within_its_range():
    pins = lock_pins(LOCK.read_text())
    reqs = requirements((ROOT / "requirements.txt").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs += [Requirement(r) for r in project["dependencies"]]
    assert len(reqs) > 20
    assert uncovered(reqs, pins) == []
    # The stack the build runs on, pinned too (the packages of 2026-12-01's hang).
    for name in ("myst-nb", "nbclient", "jupyter-client", "ipykernel", "ipywidgets", "pyzmq",
                 "tornado", "jupyter-cache", "sphinx", "torch", "numpy"):
        assert name in pins, name
    assert pins["myst-nb"] >= Version("1.2")  # translated notebooks need it


def test_the_check_can_fail():
    pins = lock_pins("numpy==1.26.0\ntorch==2.13.0+cpu\n")
    assert uncovered([Requirement("numpy>=2")], pins) == ["numpy>=2: the lock pins 1.26.0"]
    assert uncovered([Requirement("scipy")], pins) == ["scipy: not in the lock"]
    assert uncovered([Requirement("torch==2.13.0")], pins) == []  # the CPU build counts
    with pytest.raises(ValueError, match="not an exact pin"):
        lock_pins("numpy>=1.26\n")


def test_lock_records_the_python_it_was_resolved_for():
    header = LOCK.read_text().splitlines()[:6]
    assert any("pip-compile with Python 3.11" in line for line in header), header


LOCKED = (sys.version_info[:2] == (3, 11) and sys.platform == "linux"
          and platform.machine() == "x86_64" and os.environ.get("CNNBOOK_UNLOCKED") != "1")


@pytest.mark.skipif(not LOCKED, reason="the lock applies to CPython 3.11 on Linux x86-64")
def test_the_installed_environment_is_the_lock():
    """scripts/setup.sh installed exactly the lock (torch: any build of the same release)."""
    wrong = []
    for name, version in lock_pins(LOCK.read_text()).items():
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: not installed (lock: {version})")
            continue
        if name == "torch":
            installed, version = Version(installed.public), Version(version.public)
        if installed != version:
            wrong.append(f"{name}: {installed} installed, the lock pins {version}")
    assert wrong == [], "run bash scripts/setup.sh: " + "; ".join(wrong)
