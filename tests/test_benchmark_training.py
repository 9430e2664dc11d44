"""The speed benchmark runs end to end and reports consistent numbers (not its targets:
speed is measured by running the script, never by a timed test)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch
from torch import nn

from utils.data import ImageData
from utils.models import create

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "benchmark_training.py"


def load_script():
    spec = importlib.util.spec_from_file_location("benchmark_training", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tiny_data(n: int = 256) -> ImageData:
    g = torch.Generator().manual_seed(0)
    return ImageData(torch.rand(n, 1, 28, 28, generator=g), torch.arange(n) % 10,
                     tuple(str(i) for i in range(10)), "tiny")


def test_training_flops_of_a_linear_layer_by_hand():
    bench = load_script()
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    data = tiny_data(4)
    # forward 2*784*10 per example; backward twice that (weight and input gradients; the
    # input gradient is skipped for the first layer, so only the weight gradient: 2*784*10)
    flops = bench.training_flops(model, data.x, data.y)
    assert flops == pytest.approx(2 * 784 * 10 * 2)


def test_loops_measure_positive_rates_and_leave_weights_float32():
    bench = load_script()
    data = tiny_data()
    device = torch.device("cpu")
    for loop in (bench.plain_loop, bench.hand_bf16_loop, bench.fit_loop):
        model = create("lenet5", size="small", in_channels=1, num_classes=10)
        rate = loop(model, data, 2, 64, device)
        assert rate > 0
        assert all(p.dtype == torch.float32 for p in model.parameters())


def test_main_writes_consistent_json(tmp_path):
    bench = load_script()
    out = tmp_path / "bench.json"
    code = bench.main(["--models", "lenet5", "--steps", "3", "--repeats", "1",
                       "--json", str(out)])
    report = json.loads(out.read_text())
    (row,) = report["rows"]
    assert row["model"] == "lenet5"
    assert row["ratio"] == pytest.approx(row["fit_examples_per_sec"]
                                         / row["plain_examples_per_sec"])
    assert code == (0 if row["passed"] else 1)
    assert report["matmul_gflops"]["fp32"] > 0 and report["matmul_gflops"]["bf16"] > 0


def test_conv_times_splits_convolutions_by_pass_and_map_size():
    bench = load_script()
    data = tiny_data(16)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 8, 3, padding=1), nn.Flatten(), nn.Linear(8 * 14 * 14, 10))
    total, by_key = bench.conv_times(model, data, 8, torch.device("cpu"), bf16=False, steps=2)
    # two convolutions, reading 28x28 and 14x14 maps, each timed forward and backward
    assert set(by_key) == {("forward", 28), ("forward", 14), ("backward", 28), ("backward", 14)}
    assert all(ms > 0 for ms in by_key.values())
    assert total > 0
