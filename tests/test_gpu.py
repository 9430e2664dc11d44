"""The CUDA path of ``fit`` run for real: skipped on machines without a GPU.

On a CPU-only machine these tests are skipped; the precision *choice* per device is
tested everywhere in ``test_train.py``. Here every precision actually trains on the GPU.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from utils.data import ImageData
from utils.device import seed_everything
from utils.train import evaluate, fit, load_checkpoint

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def stripes(n: int = 2048, seed: int = 0) -> ImageData:
    """Horizontal vs vertical stripes with noise, 16x16: a CNN learns it in one epoch."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    base = (torch.arange(16) % 4 < 2).float()
    horizontal = base.view(16, 1).expand(16, 16)
    images = torch.where(y.view(-1, 1, 1) == 0, horizontal, horizontal.T)
    x = (images + 0.3 * torch.randn(n, 16, 16, generator=g)).unsqueeze(1).clamp(0, 1)
    return ImageData(x, y, ("horizontal", "vertical"), "stripes")


def cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                         nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(16, 2))


@pytest.mark.parametrize("precision", ["auto", "fp32", "bf16", "fp16"])
def test_fit_trains_on_the_gpu(precision):
    seed_everything(0)
    model = cnn()
    hist = fit(model, stripes(), stripes(512, seed=1), epochs=2, lr=3e-3, batch_size=128,
               device="cuda", precision=precision, progress=False, verbose=False)
    assert hist.settings["device"].startswith("cuda")
    assert next(model.parameters()).device.type == "cuda"
    assert all(math.isfinite(v) for v in hist.train_loss)
    assert hist.final_test_acc > 0.95, (precision, hist.test_acc)
    if precision in ("auto", "bf16", "fp16"):  # mixed precision turns channels-last on
        conv = model[0].weight
        assert conv.is_contiguous(memory_format=torch.channels_last)


def test_fp16_uses_a_gradient_scaler_and_bf16_does_not():
    from utils import train as tr

    cuda = torch.device("cuda")
    assert tr._choose_precision("fp16", cuda).scaler is not None
    assert tr._choose_precision("bf16", cuda).scaler is None
    if torch.cuda.is_bf16_supported():
        assert tr._choose_precision("auto", cuda).dtype == torch.bfloat16


def test_gpu_checkpoint_resumes_on_the_cpu(tmp_path):
    """A checkpoint written on the GPU loads on a CPU-only machine (tensors mapped)."""
    seed_everything(0)
    path = tmp_path / "ckpt.pt"
    model = cnn()
    fit(model, stripes(512), None, epochs=1, device="cuda", checkpoint=path,
        progress=False, verbose=False)
    state = load_checkpoint(path)
    tensors = [v for v in state["model"].values() if torch.is_tensor(v)]
    assert tensors and all(t.device.type == "cpu" for t in tensors)


def test_gpu_and_cpu_evaluate_agree():
    seed_everything(0)
    model = cnn()
    data = stripes(512, seed=2)
    loss_cpu, acc_cpu = evaluate(model, data, device="cpu")
    loss_gpu, acc_gpu = evaluate(model, data, device="cuda")
    assert abs(loss_cpu - loss_gpu) < 1e-4 and acc_cpu == acc_gpu


def test_compile_on_the_gpu():
    seed_everything(0)
    hist = fit(cnn(), stripes(1024), stripes(256, seed=1), epochs=1, lr=3e-3,
               device="cuda", compile=True, progress=False, verbose=False)
    assert hist.final_test_acc > 0.9
