"""Worker for tests/test_distributed.py, started by torchrun with the gloo backend.

Usage: torchrun --standalone --nproc_per_node=2 tests/ddp_worker.py OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
import torch.distributed as dist

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ddp_common import BATCH, EPOCHS, make_data, make_model  # noqa: E402

from utils.train import fit  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1])
    dist.init_process_group("gloo")
    train, test = make_data()
    model = make_model()
    hist = fit(model, train, test, epochs=EPOCHS, batch_size=BATCH // dist.get_world_size(),
               device="cpu", precision="fp32", optimizer="sgd", lr=0.1, schedule=None,
               checkpoint=out / "ckpt.pt", progress=False)
    if dist.get_rank() == 0:
        torch.save({"state": model.state_dict(), "history": hist.to_dict()}, out / "ddp.pt")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
