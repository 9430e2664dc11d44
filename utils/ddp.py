"""Train a zoo model on Fashion-MNIST with one process per GPU (or per CPU share).

Run it with torchrun, which starts the processes and sets RANK, WORLD_SIZE, LOCAL_RANK:

    torchrun --standalone --nproc_per_node=4 -m utils.ddp --model resnet18 --epochs 10
    torchrun --standalone --nproc_per_node=2 -m utils.ddp --device cpu   # gloo on CPU

Several machines: the same command on each, with ``--nnodes=N --node_rank=i
--rdzv_endpoint=HOST:PORT`` instead of ``--standalone``. ``--batch-size`` is per process:
the global batch is ``batch_size * processes``. Only rank 0 prints and saves.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch
import torch.distributed as dist

from utils.data import load_fashion_mnist
from utils.device import get_device, seed_everything
from utils.models import create
from utils.train import fit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="lenet5")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=128, help="per process")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--train-size", type=int, default=0, help="use a subset (0: all)")
    ap.add_argument("--device", default=None, help="cuda or cpu (default: best available)")
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--json", default=None, help="rank 0 writes the history here")
    args = ap.parse_args(argv)

    distributed = "RANK" in os.environ
    device = get_device(args.device)
    if distributed:
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend)
        if device.type == "cuda":
            torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    seed_everything(0)
    train, test = load_fashion_mnist()
    if args.train_size:
        train = train.subset(args.train_size)
    model = create(args.model, size="small", in_channels=1, num_classes=10)
    hist = fit(model, train, test, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
               device=device, precision=args.precision, checkpoint=args.checkpoint,
               progress=False)
    rank = dist.get_rank() if distributed else 0
    if rank == 0 and args.json:
        with open(args.json, "w") as f:
            json.dump(hist.to_dict(), f, indent=2)
    if distributed:
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
