"""Quick-mode switch and recorded results."""

from __future__ import annotations

import importlib

import pytest

import utils.config
import utils.results


def test_pick_follows_env(monkeypatch):
    monkeypatch.setenv("CNNBOOK_QUICK", "1")
    cfg = importlib.reload(utils.config)
    assert cfg.QUICK and cfg.pick(full=10, quick=1) == 1 and not cfg.full_only()
    monkeypatch.setenv("CNNBOOK_QUICK", "0")
    cfg = importlib.reload(utils.config)
    assert not cfg.QUICK and cfg.pick(full=10, quick=1) == 10 and cfg.full_only()
    monkeypatch.delenv("CNNBOOK_QUICK")
    importlib.reload(utils.config)


def test_record_and_load(tmp_results, monkeypatch):
    monkeypatch.setattr(utils.results, "QUICK", False)
    path = utils.results.record_result("lenet5_mnist", accuracy=0.99, params=61706)
    assert path is not None and path.parent == tmp_results
    assert utils.results.load_results()["lenet5_mnist"]["params"] == 61706
    monkeypatch.setattr(utils.results, "QUICK", True)
    assert utils.results.record_result("other", accuracy=0.1) is None
    assert "other" not in utils.results.load_results()
    with pytest.raises(ValueError, match="letters"):
        utils.results.record_result("../evil", force=True)
