"""Data and model shared by the distributed test and its worker."""

from __future__ import annotations

import torch
from torch import nn

from utils.data import ImageData

BATCH = 32
EPOCHS = 2


def make_data() -> tuple[ImageData, ImageData]:
    g = torch.Generator().manual_seed(0)
    y = torch.arange(256) % 4
    x = torch.rand(256, 1, 8, 8, generator=g) + y.view(-1, 1, 1, 1) * 0.3
    data = ImageData(x, y, ("a", "b", "c", "d"), "toy")
    return data.split(0.75, seed=0)  # 192 training examples: 6 batches of 32


def make_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(8 * 4 * 4, 4))
