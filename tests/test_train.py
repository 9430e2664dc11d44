"""The training loop: learning, history, checkpoints, precision, NaN detection."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from utils.data import ImageData
from utils.device import get_device, seed_everything
from utils.train import evaluate, fit, load_checkpoint, predict, save_checkpoint


def toy_data(n: int = 512, seed: int = 0) -> ImageData:
    """Two classes that differ in mean brightness: learnable in a few steps."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.rand(n, 1, 8, 8, generator=g) * 0.5 + y.view(-1, 1, 1, 1) * 0.5
    return ImageData(x, y, ("dark", "bright"), "toy")


def small_cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(4, 2))


def test_fit_learns_and_records_history():
    seed_everything(0)
    train, test = toy_data(), toy_data(128, seed=1)
    model = small_cnn()
    loss0, acc0 = evaluate(model, test, device="cpu")
    hist = fit(model, train, test, epochs=3, lr=0.05, batch_size=64, device="cpu",
               precision="fp32", progress=False, verbose=False)
    assert hist.epoch == [1, 2, 3]
    assert len(hist.train_loss) == len(hist.test_acc) == len(hist.seconds) == 3
    assert hist.final_test_acc > 0.95 > acc0 or hist.test_loss[-1] < loss0
    assert hist.final_test_acc > 0.95
    assert all(r > 0 for r in hist.examples_per_sec)
    assert hist.settings["precision"] == "float32" and hist.settings["channels_last"] is False
    assert predict(model, test.x).eq(test.y).float().mean().item() == pytest.approx(
        hist.final_test_acc)


def test_fit_is_reproducible_with_a_seed():
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = small_cnn()
        fit(model, toy_data(), epochs=1, lr=0.05, batch_size=64, device="cpu",
            precision="fp32", seed=3, progress=False, verbose=False)
        runs.append(torch.cat([p.flatten() for p in model.parameters()]))
    assert torch.equal(runs[0], runs[1])


def test_bf16_channels_last_path_runs_on_cpu():
    torch.manual_seed(0)
    model = small_cnn()
    hist = fit(model, toy_data(), toy_data(64), epochs=2, lr=0.05, batch_size=64, device="cpu",
               precision="bf16", progress=False, verbose=False)
    assert hist.settings["precision"] == "bfloat16" and hist.settings["channels_last"] is True
    assert hist.final_test_acc > 0.9
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert model[0].weight.is_contiguous()  # back to the default memory format


def test_nan_loss_stops_with_clear_message():
    model = small_cnn()
    with pytest.raises(FloatingPointError, match="Lower the learning rate"):
        fit(model, toy_data(), epochs=1, lr=1e30, optimizer="sgd", schedule=None,
            batch_size=64, device="cpu", precision="fp32", progress=False, verbose=False)


def test_checkpoint_resume_after_interruption(tmp_path):
    ckpt = tmp_path / "run.pt"
    calls = 0

    def interrupt_in_epoch_3(x):  # 8 batches an epoch: the 17th call is in epoch 3
        nonlocal calls
        calls += 1
        if calls == 17:
            raise KeyboardInterrupt
        return x

    torch.manual_seed(0)
    model = small_cnn()
    kw = dict(epochs=3, lr=0.05, batch_size=64, device="cpu", precision="fp32",
              checkpoint=ckpt, progress=False, verbose=False)
    with pytest.raises(KeyboardInterrupt):
        fit(model, toy_data(), toy_data(64), augment=interrupt_in_epoch_3, **kw)
    state = load_checkpoint(ckpt)
    assert state["epoch"] == 2 and state["history"]["epoch"] == [1, 2]
    hist = fit(model, toy_data(), toy_data(64), **kw)  # runs only the third epoch
    assert hist.epoch == [1, 2, 3] and load_checkpoint(ckpt)["epoch"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.pt"]  # no temp files left
    with pytest.raises(ValueError, match="3-epoch run"):
        fit(model, toy_data(), epochs=5, device="cpu", checkpoint=ckpt, progress=False)


def test_corrupt_checkpoint_gives_clear_error(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"half a checkpoint")
    with pytest.raises(RuntimeError, match="delete it"):
        load_checkpoint(bad)
    good = save_checkpoint(tmp_path / "good.pt", step=3, w=torch.ones(2))
    assert load_checkpoint(good)["step"] == 3


@pytest.mark.parametrize("kwargs, msg", [
    (dict(epochs=0), "positive"),
    (dict(optimizer="lion"), "unknown optimizer"),
    (dict(schedule="zigzag"), "unknown schedule"),
    (dict(precision="fp8"), "precision must be"),
])
def test_bad_arguments(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        fit(small_cnn(), toy_data(64), device="cpu", progress=False, verbose=False, **kwargs)


def test_custom_optimizer_and_augment():
    seen = []

    def aug(x):
        seen.append(x.shape)
        return x.flip(-1)

    hist = fit(small_cnn(), toy_data(128), epochs=1, device="cpu", precision="fp32",
               optimizer=lambda p: torch.optim.SGD(p, lr=0.1), schedule="cosine",
               augment=aug, batch_size=32, progress=False, verbose=False)
    assert len(seen) == 4 and hist.settings["optimizer"] == "custom"
    assert math.isfinite(hist.train_loss[0])


def test_device_choice(monkeypatch):
    monkeypatch.setenv("CNNBOOK_DEVICE", "cpu")
    assert get_device().type == "cpu"
    monkeypatch.delenv("CNNBOOK_DEVICE")
    expected = "cuda" if torch.cuda.is_available() else None
    if expected:
        assert get_device().type == expected
    else:
        assert get_device().type in ("mps", "cpu")


@pytest.mark.filterwarnings("ignore:torch.cuda.amp.GradScaler is enabled, but CUDA")
def test_precision_choice_per_device(monkeypatch):
    from utils import train as tr

    cuda = torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert tr._choose_precision("auto", cuda).dtype == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    fp16 = tr._choose_precision("auto", cuda)
    assert fp16.dtype == torch.float16 and fp16.scaler is not None  # fp16 needs loss scaling
    assert tr._choose_precision("auto", torch.device("mps")).dtype is None
    monkeypatch.setattr(tr, "cpu_supports_bf16", lambda: False)
    assert tr._choose_precision("auto", torch.device("cpu")).dtype is None
    monkeypatch.setattr(tr, "cpu_supports_bf16", lambda: True)
    assert tr._choose_precision("auto", torch.device("cpu")).dtype == torch.bfloat16
    assert tr._choose_precision("fp32", cuda).dtype is None


def test_onecycle_keeps_per_group_rates_and_survives_tiny_runs():
    model = small_cnn()

    made = []

    def two_groups(params):
        made.append(torch.optim.SGD([{"params": model[0].parameters(), "lr": 0.01},
                                     {"params": model[4].parameters(), "lr": 0.1}]))
        return made[-1]

    hist = fit(model, toy_data(512), epochs=2, batch_size=64, device="cpu", precision="fp32",
               optimizer=two_groups, progress=False, verbose=False)
    assert len(hist.lr) == 2
    slow, fast = made[0].param_groups
    assert slow["max_lr"] == 0.01 and fast["max_lr"] == 0.1  # each group keeps its own peak
    assert fast["lr"] == pytest.approx(10 * slow["lr"])
    fit(small_cnn(), toy_data(64), epochs=1, batch_size=32, device="cpu", progress=False,
        verbose=False)  # 2 steps: no ZeroDivisionError


def test_onecycle_with_an_optimizer_without_momentum():
    hist = fit(small_cnn(), toy_data(512), epochs=1, batch_size=32, device="cpu",
               precision="fp32", optimizer=lambda p: torch.optim.Adagrad(p, lr=0.05),
               progress=False, verbose=False)
    assert math.isfinite(hist.train_loss[0])


@pytest.mark.parametrize("name", ["adam", "adamw", "sgd"])
def test_fused_cpu_optimizer_matches_the_per_tensor_one(name):
    """fit uses the fused optimizers on the CPU; they must take the same steps."""
    from utils.train import _make_optimizer

    finals = []
    for fused in (False, True):
        torch.manual_seed(0)
        model = small_cnn()
        opt = _make_optimizer(name, model.parameters(), 0.01, 0.9, 1e-2, fused=fused)
        assert bool(opt.defaults.get("fused")) is fused
        data = toy_data(64)
        for _ in range(5):
            loss = nn.functional.cross_entropy(model(data.x), data.y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        finals.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    torch.testing.assert_close(finals[1], finals[0], rtol=1e-5, atol=1e-6)


def test_fit_with_frozen_layers_and_fused_optimizer():
    """Fine-tuning freezes layers: their weights have no gradient and must stay put."""
    torch.manual_seed(0)
    model = small_cnn()
    model[0].requires_grad_(False)
    frozen = model[0].weight.clone()
    hist = fit(model, toy_data(), epochs=1, lr=0.05, batch_size=64, device="cpu",
               precision="fp32", progress=False, verbose=False)
    assert torch.equal(model[0].weight, frozen)
    assert hist.train_loss[0] < math.log(2) + 0.1
