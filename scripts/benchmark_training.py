"""Training speed: ``utils.train.fit`` against a plain fp32 PyTorch loop, side by side.

For each model (LeNet-5 and a small ResNet by default) it trains on Fashion-MNIST batches
held in memory, once with a textbook fp32 loop and once with ``fit``'s defaults for this
device (bf16 autocast + channels-last on CPUs that support bf16; mixed precision on
CUDA), and reports examples/second, achieved GFLOP/s (training FLOPs per example counted
by ``torch.utils.flop_counter`` over one forward and backward pass) and their ratio. It
also measures the machine's matrix-multiply rate in fp32 and bf16, for scale.

A third loop, the plain loop with the same two tricks written by hand (bf16 autocast and
channels-last, where ``fit`` chooses bf16), shows how much of ``fit``'s speed-up is the
arithmetic format and how much is the loop: ``fit`` / hand-written near 1.0 means ``fit``
adds no overhead, and the first ratio is then what this processor gains from bf16.

Targets on a CPU (checked, exit status 1 if missed): ``fit`` at least 1.8x the plain loop
on the small ResNet, and within 10% of it (ratio >= 0.9) on LeNet-5. On a GPU the ratios
are printed without targets: these small models at batch 128 are limited by kernel
launches there, not by arithmetic (try ``--batch-size 1024``).

Usage: python scripts/benchmark_training.py [--steps 60] [--repeats 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import defaultdict
from collections.abc import Callable

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode
from tqdm.auto import tqdm

from utils.data import ImageData, load_fashion_mnist
from utils.device import get_device, seed_everything
from utils.models import create
from utils.train import auto_precision, fit

TARGETS = {"lenet5": 0.9, "resnet18": 1.8}
"""Minimum ratio fit / plain loop in examples per second."""


def training_flops(model: nn.Module, batch: torch.Tensor, labels: torch.Tensor) -> float:
    """FLOPs of one forward and backward pass, per example."""
    model.train()
    with FlopCounterMode(display=False) as counter:
        nn.functional.cross_entropy(model(batch), labels).backward()
    model.zero_grad(set_to_none=True)
    return counter.get_total_flops() / len(batch)


def plain_step(model: nn.Module, device: torch.device,
               bf16: bool = False) -> Callable[[torch.Tensor, torch.Tensor], None]:
    """The textbook training step (Adam, lr 1e-3) for ``model``, moved to ``device``: in
    fp32, or with ``bf16`` in bf16 autocast with channels-last memory."""
    model.to(device).train()
    fmt = torch.channels_last if bf16 else torch.contiguous_format
    model.to(memory_format=fmt)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(x: torch.Tensor, y: torch.Tensor) -> None:
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = nn.functional.cross_entropy(model(x.contiguous(memory_format=fmt)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def plain_loop(model: nn.Module, data: ImageData, steps: int, batch_size: int,
               device: torch.device, bf16: bool = False) -> float:
    """The textbook loop in fp32 (or, with ``bf16``, in bf16 autocast with channels-last
    memory): returns examples per second over ``steps`` steps."""
    step = plain_step(model, device, bf16)
    x_all, y_all = data.x.to(device), data.y.to(device)
    gen = torch.Generator().manual_seed(0)

    def batch_step() -> None:
        idx = torch.randint(len(data), (batch_size,), generator=gen).to(device)
        step(x_all[idx], y_all[idx])

    for _ in range(5):  # warm-up
        batch_step()
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        batch_step()
    _sync(device)
    return steps * batch_size / (time.perf_counter() - t0)


def hand_bf16_loop(model: nn.Module, data: ImageData, steps: int, batch_size: int,
                   device: torch.device) -> float:
    """The plain loop with bf16 autocast and channels-last written by hand."""
    return plain_loop(model, data, steps, batch_size, device, bf16=True)


def fit_loop(model: nn.Module, data: ImageData, steps: int, batch_size: int,
             device: torch.device) -> float:
    """``fit`` with its defaults: examples per second of its second epoch (after warm-up)."""
    sub = data.subset(steps * batch_size)
    hist = fit(model, sub, None, epochs=2, batch_size=batch_size, device=device,
               progress=False, verbose=False, schedule=None)
    return hist.examples_per_sec[-1]


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


class _ConvTimer(TorchDispatchMode):
    """Adds up the wall time of every convolution (forward and backward), keyed by the
    pass and the height of the feature map the convolution reads."""

    def __init__(self) -> None:
        super().__init__()
        self.ms: dict[tuple[str, int], float] = defaultdict(float)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        name = func.overloadpacket.__name__
        if name not in ("convolution", "convolution_backward"):
            return func(*args, **(kwargs or {}))
        t0 = time.perf_counter()
        out = func(*args, **(kwargs or {}))
        # convolution(input, weight, ...); convolution_backward(grad_out, input, weight, ...)
        key = ("forward", args[0].shape[-2]) if name == "convolution" else \
              ("backward", args[1].shape[-2])
        self.ms[key] += (time.perf_counter() - t0) * 1e3
        return out


def conv_times(model: nn.Module, data: ImageData, batch_size: int, device: torch.device,
               bf16: bool, steps: int = 10) -> tuple[float, dict[tuple[str, int], float]]:
    """Where a step of the plain loop spends its time: milliseconds per step in all (timed
    alone) and in the convolutions, by pass (forward, backward) and input map size."""
    step = plain_step(model, device, bf16)
    x, y = data.x[:batch_size].to(device), data.y[:batch_size].to(device)
    for _ in range(3):
        step(x, y)
    t0 = time.perf_counter()
    for _ in range(steps):
        step(x, y)
    total = (time.perf_counter() - t0) * 1e3 / steps
    timer = _ConvTimer()
    with timer:
        for _ in range(steps):
            step(x, y)
    return total, {k: v / steps for k, v in timer.ms.items()}


def print_conv_profile(model_name: str, data: ImageData, batch_size: int,
                       device: torch.device) -> dict:
    """Prints and returns the fp32 vs bf16 + channels-last split of one training step."""
    runs = {}
    for bf16_on in (False, True):
        seed_everything(0)
        model = create(model_name, size="small", in_channels=1, num_classes=10)
        runs[bf16_on] = conv_times(model, data, batch_size, device, bf16_on)
    (t32, c32), (t16, c16) = runs[False], runs[True]
    conv32, conv16 = sum(c32.values()), sum(c16.values())
    print(f"\n{model_name}, ms per step of the plain loop: fp32 -> bf16 + channels-last")
    print(f"  {'convolutions':<34}{conv32:7.1f} -> {conv16:5.1f}  ({conv32 / conv16:.2f}x)")
    for key in sorted(c32, key=lambda k: (k[0], -k[1])):
        label = f"  {key[0]}, reading {key[1]}x{key[1]} maps"
        print(f"  {label:<34}{c32[key]:7.1f} -> {c16[key]:5.1f}  ({c32[key] / c16[key]:.2f}x)")
    rest32, rest16 = t32 - conv32, t16 - conv16
    print(f"  {'everything else':<34}{rest32:7.1f} -> {rest16:5.1f}  ({rest32 / rest16:.2f}x)")
    return dict(step_fp32=t32, step_bf16=t16, conv_fp32=conv32, conv_bf16=conv16,
                other_fp32=rest32, other_bf16=rest16,
                conv_by_pass_and_size={f"{k[0]} {k[1]}": [c32[k], c16[k]] for k in c32})


def matmul_rate(dtype: torch.dtype, device: torch.device, n: int = 2048) -> float:
    """Achieved GFLOP/s of an n x n matrix multiply in ``dtype``."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(2):
        a @ b
    _sync(device)
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 1.0:
        a @ b
        reps += 1
    _sync(device)
    return 2 * n**3 * reps / (time.perf_counter() - t0) / 1e9


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=list(TARGETS))
    ap.add_argument("--steps", type=int, default=60, help="timed steps per measurement")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)

    device = get_device()
    train, _ = load_fashion_mnist(quick=False)
    rows = []
    loops: list[tuple[str, Callable[..., float]]] = [("plain fp32", plain_loop)]
    with_hand = auto_precision(device) == "bf16"
    if with_hand:
        loops.append(("hand bf16", hand_bf16_loop))
    loops.append(("fit", fit_loop))
    runs = [(m, kind, fn) for m in args.models for kind, fn in loops]
    best: dict[tuple[str, str], float] = {}
    # Interleave the loops and keep the best of each, so a busy machine hurts all alike.
    bar = tqdm(total=len(runs) * args.repeats, desc="benchmark")
    for _ in range(args.repeats):
        for name, kind, fn in runs:
            seed_everything(0)
            model = create(name, size="small", in_channels=1, num_classes=10)
            rate = fn(model, train, args.steps, args.batch_size, device)
            best[name, kind] = max(best.get((name, kind), 0.0), rate)
            bar.update(1)
    bar.close()

    fp32 = matmul_rate(torch.float32, device)
    bf16 = matmul_rate(torch.bfloat16, device)
    print(f"\ndevice: {device} ({platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} threads), torch {torch.__version__}")
    print(f"matrix multiply 2048x2048: fp32 {fp32:,.0f} GFLOP/s, bf16 {bf16:,.0f} GFLOP/s\n")
    print(f"{'model':<10}{'loop':<12}{'examples/s':>12}{'GFLOP/s':>10}{'% of bf16 mm':>14}"
          f"{'/ plain':>9}{'target':>8}")
    ok = True
    for name in args.models:
        model = create(name, size="small", in_channels=1, num_classes=10)
        flops = training_flops(model, train.x[:32], train.y[:32])
        plain, fast = best[name, "plain fp32"], best[name, "fit"]
        ratio = fast / plain
        target = TARGETS.get(name) if device.type == "cpu" else None
        passed = target is None or ratio >= target
        ok &= passed
        hand = best.get((name, "hand bf16"))
        for kind, rate in [(k, best[name, k]) for k, _ in loops]:
            gflops = rate * flops / 1e9
            tail = f"{rate / plain:>9.2f}" if kind != "plain fp32" else ""
            if kind == "fit":
                tail += (f"{('>= ' + str(target)) if target else '':>8}"
                         f"  {'PASS' if passed else 'FAIL'}")
            print(f"{name:<10}{kind:<12}{rate:>12,.0f}{gflops:>10.1f}"
                  f"{100 * gflops / bf16:>13.1f}%{tail}")
        if hand:
            print(f"{'':<10}fit / hand bf16 = {fast / hand:.2f} (1.0: fit adds no overhead)")
        rows.append(dict(model=name, plain_examples_per_sec=plain, fit_examples_per_sec=fast,
                         hand_bf16_examples_per_sec=hand, ratio=ratio, target=target,
                         passed=passed, train_flops_per_example=flops))
    if with_hand and device.type == "cpu" and "resnet18" in args.models:
        # Where the time goes: bf16 speeds up some convolutions much more than others
        profile = print_conv_profile("resnet18", train, args.batch_size, device)
        for row in rows:
            if row["model"] == "resnet18":
                row["profile_ms_per_step"] = profile
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(device=str(device), matmul_gflops=dict(fp32=fp32, bf16=bf16),
                           rows=rows), f, indent=2)
    print("\nall targets met" if ok else "\nsome targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
