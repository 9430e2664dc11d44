"""fit under torchrun: 2 CPU processes (gloo) train exactly like one process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch
from ddp_common import BATCH, EPOCHS, make_data, make_model

from utils.train import fit

HERE = Path(__file__).resolve().parent


def test_two_processes_match_one(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CNNBOOK_PROGRESS": "0"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           str(HERE / "ddp_worker.py"), str(tmp_path)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # only rank 0 prints its epoch lines and writes the checkpoint
    assert proc.stdout.count("train loss") == EPOCHS, proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt", "ddp.pt"]
    ddp = torch.load(tmp_path / "ddp.pt", weights_only=True)

    train, test = make_data()
    model = make_model()
    single = fit(model, train, test, epochs=EPOCHS, batch_size=BATCH, device="cpu",
                 precision="fp32", optimizer="sgd", lr=0.1, schedule=None, progress=False,
                 verbose=False)
    for name, tensor in model.state_dict().items():
        torch.testing.assert_close(ddp["state"][name], tensor, atol=1e-5, rtol=1e-5, msg=name)
    hist = ddp["history"]
    assert hist["settings"]["world_size"] == 2
    torch.testing.assert_close(torch.tensor(hist["train_loss"]), torch.tensor(single.train_loss),
                               atol=1e-5, rtol=1e-5)
    assert hist["test_acc"] == single.test_acc
