"""Shared fixtures: tests never write into the user's cache or the repo's results."""

from __future__ import annotations

import pytest


@pytest.fixture()
def tmp_results(tmp_path, monkeypatch):
    """A throw-away results folder."""
    monkeypatch.setenv("CNNBOOK_RESULTS", str(tmp_path / "results"))
    return tmp_path / "results"
