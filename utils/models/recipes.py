"""The book's training recipes: how each small model of the zoo is trained on Fashion-MNIST.

One place for the settings, so that a chapter and ``scripts/benchmark_models.py`` train a
model the same way. A recipe is a plain dict under the model's name in :data:`RECIPES`::

    RECIPES["resnet18"] = dict(
        model="resnet18",                 # registry name for utils.models.create
        options=dict(size="small"),       # extra keyword arguments for create
        target=0.92,                      # full-mode test accuracy the chapter asserts
        label="ResNet-18 (small)",        # how tables and plots name it
        chapter=21,                       # the chapter that trains it
        fit_options={},                   # any other fit() argument, e.g. loss_fn=...
    )

Only ``model`` is required; every other key falls back to :data:`DEFAULTS` (``label``
to the recipe's name). The training settings (epochs, lr, batch_size, optimizer,
weight_decay, schedule, augment, seed) are :data:`SHARED`, the one recipe every model of
Part III trains with, so that the comparison chapter compares architectures and nothing
else; a recipe *may* override one, but then its row in the comparison is no longer
controlled (:func:`is_shared` says whether it is). To add a recipe, add an entry to
``RECIPES``, in chapter order.
The recipe's name is also the name its chapter records results under.

``train_recipe(name, train, test)`` builds the model, trains it with ``utils.train.fit``
(one epoch in quick mode) and returns ``(model, history)``; ``measure(model, history)``
gives the numbers the comparison chapter shows (parameters, FLOPs, seconds,
examples/second, accuracy), ready for ``utils.results.record_result``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..config import pick
from ..data import ImageData
from ..device import seed_everything
from ..summary import count_flops, count_parameters
from ..train import History, fit

Recipe = dict[str, Any]

SHARED: Recipe = dict(
    epochs=4,
    lr=4e-3,
    batch_size=128,
    optimizer="adamw",
    weight_decay=5e-2,
    schedule="onecycle",
    augment="flip",
    seed=0,
)
"""The shared training recipe of Part III: 4 epochs of AdamW (lr 4e-3, decoupled weight
decay 0.05) with the one-cycle schedule, batches of 128, random left-right flips, seed 0."""

DEFAULTS: Recipe = dict(
    options=dict(size="small"),
    **SHARED,
    target=None,
    label=None,
    chapter=None,
    fit_options={},
)
"""Settings a recipe inherits unless it names its own."""


def random_flip(x: torch.Tensor) -> torch.Tensor:
    """Flip each image of a batch left-right with probability 1/2."""
    flip = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < 0.5
    return torch.where(flip, x.flip(-1), x)


def random_crop(x: torch.Tensor, pad: int = 2) -> torch.Tensor:
    """Shift each image of a batch by up to ``pad`` pixels (zero padding, then a crop)."""
    n, _, h, w = x.shape
    padded = nn.functional.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), device=x.device)
    dx = torch.randint(0, 2 * pad + 1, (n,), device=x.device)
    rows = (dy[:, None] + torch.arange(h, device=x.device))[:, None, :, None]
    cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, None, :]
    batch = torch.arange(n, device=x.device)[:, None, None, None]
    chans = torch.arange(x.shape[1], device=x.device)[None, :, None, None]
    return padded[batch, chans, rows, cols]


def flip_crop(x: torch.Tensor) -> torch.Tensor:
    """Random left-right flip, then a random shift of up to 2 pixels."""
    return random_crop(random_flip(x))


AUGMENTS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "flip": random_flip,
    "flip_crop": flip_crop,
}
"""Batch augmentations a recipe may name (they run on the device, per batch)."""

def _googlenet_loss(output: Any, target: torch.Tensor) -> torch.Tensor:
    """Main loss + 0.3 x each auxiliary loss (``googlenet.googlenet_loss``, imported late)."""
    from .googlenet import googlenet_loss

    return googlenet_loss(output, target)


RECIPES: dict[str, Recipe] = {
    # Part III, first half (chapters 15-20). Every recipe trains with SHARED; the targets
    # are the full-mode accuracies the chapters assert (set below each measured run).
    "lenet5": dict(model="lenet5", label="LeNet-5", chapter=15, target=0.86),
    "alexnet": dict(model="alexnet", label="AlexNet (small)", chapter=16, target=0.89),
    "zfnet": dict(model="zfnet", label="ZFNet (small)", chapter=17, target=0.90),
    "vgg16": dict(model="vgg16", label="VGG-16 (small)", chapter=18, target=0.91),
    "nin": dict(model="nin", label="NiN (small)", chapter=19, target=0.90),
    "googlenet": dict(model="googlenet", label="GoogLeNet (small)", chapter=20,
                      options=dict(size="small", aux_logits=True), target=0.91,
                      fit_options=dict(loss_fn=_googlenet_loss)),
    # Part III, second half (chapters 21-24). Small configurations take 28x28 inputs. The
    # small ResNeXt, Wide ResNet, DenseNet and DPN keep their family's blocks but fewer
    # of them (``layers``, ``block_config``, ``blocks``), so that one training run fits in
    # about 3 minutes on a 2-core CPU.
    "resnet18": dict(model="resnet18", label="ResNet-18 (small)", chapter=21, target=0.91),
    "resnext": dict(model="resnext50_32x4d", label="ResNeXt-20 8x4d (small)", chapter=22,
                    options=dict(size="small", layers=(1, 2, 2, 1)), target=0.92),
    "wide_resnet": dict(model="wide_resnet50_2", label="WRN-14-2 (small)", chapter=22,
                        options=dict(size="small", layers=(1, 1, 1, 1)), target=0.92),
    "densenet": dict(model="densenet121", label="DenseNet-35 k=12 (small)", chapter=23,
                     options=dict(size="small", block_config=(2, 4, 6, 3)), target=0.92),
    "dpn": dict(model="dpn68", label="DPN-20 (small)", chapter=24,
                options=dict(size="small", blocks=(1, 2, 2, 1)), target=0.92),
}
"""Recipe of every small model trained in the book, by name (see the module docstring)."""


def book_models() -> list[str]:
    """Every model the book trains, in chapter order (the names of :data:`RECIPES`)."""
    return sorted(RECIPES, key=lambda n: RECIPES[n].get("chapter") or 99)


def get_recipe(name: str) -> Recipe:
    """The recipe ``name`` with every default filled in (a new dict each call)."""
    try:
        own = RECIPES[name]
    except KeyError:
        raise ValueError(f"no recipe named {name!r}; known recipes: "
                         f"{', '.join(sorted(RECIPES))}") from None
    if "model" not in own:
        raise ValueError(f"recipe {name!r} must name its model (key 'model')")
    recipe = {**DEFAULTS, **own}
    recipe["options"] = {**DEFAULTS["options"], **own.get("options", {})}
    recipe["label"] = recipe["label"] or name
    recipe["fit_options"] = dict(recipe["fit_options"])
    aug = recipe["augment"]
    if aug is not None and aug not in AUGMENTS:
        raise ValueError(f"recipe {name!r}: unknown augment {aug!r}; use None or one of "
                         f"{', '.join(AUGMENTS)}")
    return recipe


def is_shared(name: str) -> bool:
    """Whether recipe ``name`` trains with exactly the :data:`SHARED` settings."""
    recipe = get_recipe(name)
    return all(recipe[k] == v for k, v in SHARED.items())


def build(name: str, data: ImageData | None = None) -> nn.Module:
    """A fresh, seeded model for recipe ``name`` (channels and classes taken from ``data``;
    Fashion-MNIST's 1 channel and 10 classes when ``data`` is None)."""
    from . import create

    recipe = get_recipe(name)
    in_channels = data.shape[0] if data is not None else 1
    num_classes = len(data.classes) if data is not None else 10
    seed_everything(recipe["seed"])
    return create(recipe["model"], num_classes=num_classes, in_channels=in_channels,
                  **recipe["options"])


def fit_settings(name: str) -> dict[str, Any]:
    """The ``fit`` keyword arguments of recipe ``name`` (its epochs, or one in quick mode)."""
    recipe = get_recipe(name)
    aug = recipe["augment"]
    return dict(epochs=pick(full=recipe["epochs"], quick=1), lr=recipe["lr"],
                batch_size=recipe["batch_size"], optimizer=recipe["optimizer"],
                weight_decay=recipe["weight_decay"], schedule=recipe["schedule"],
                augment=AUGMENTS[aug] if aug is not None else None, seed=recipe["seed"],
                **recipe["fit_options"])


def train_recipe(name: str, train: ImageData, test: ImageData | None = None, *,
                 epochs: int | None = None, **overrides: Any) -> tuple[nn.Module, History]:
    """Build and train model ``name`` with its recipe; returns ``(model, history)``.

    ``epochs`` defaults to the recipe's (one epoch in quick mode); ``overrides`` replace
    any other ``fit`` argument of the recipe (e.g. ``progress=False``).
    """
    model = build(name, train)
    settings = fit_settings(name)
    if epochs is not None:
        settings["epochs"] = epochs
    settings.update(overrides)
    history = fit(model, train, test, **settings)
    return model, history


def inference_parameters(model: nn.Module) -> int:
    """Parameters the model uses to predict: all but auxiliary heads (GoogLeNet's
    ``aux1``/``aux2``, which only add training losses)."""
    aux = sum(p.numel() for n, p in model.named_parameters() if n.split(".")[0].startswith("aux"))
    return count_parameters(model) - aux


def measure(model: nn.Module, history: History,
            input_size: tuple[int, int, int] = (1, 28, 28)) -> dict[str, float | int]:
    """The comparison chapter's numbers for a trained model: parameters, FLOPs (one image,
    multiply-add = 2), training seconds, training examples/second and test accuracy.
    Auxiliary heads (see :func:`inference_parameters`) are not counted."""
    return dict(params=inference_parameters(model), flops=count_flops(model, input_size),
                seconds=round(history.total_seconds, 2),
                examples_per_sec=round(history.mean_examples_per_sec, 1),
                accuracy=history.final_test_acc)


COLUMNS = ("params", "flops", "seconds", "examples_per_sec", "accuracy")
"""The numbers every model of the comparison reports (see :func:`measure`)."""


RECIPE_KEYS = ("epochs", "lr", "optimizer")
"""The recipe settings a recorded result states (besides ``recipe="shared"``)."""


def trained_with_shared(numbers: dict[str, Any]) -> bool:
    """Whether a recorded result says it was trained with :data:`SHARED`: it names
    ``recipe="shared"`` and every setting of :data:`RECIPE_KEYS` it records is the shared
    one (results recorded before the shared recipe name no recipe and are not)."""
    if numbers.get("recipe") != "shared":
        return False
    return all(numbers[k] == SHARED[k] for k in RECIPE_KEYS if k in numbers)


def recipe_metadata(name: str, epochs: int | None = None) -> dict[str, Any]:
    """What a recorded result of recipe ``name`` says about how it was trained:
    ``recipe`` (``"shared"`` when the recipe's settings are :data:`SHARED`, else ``"own"``)
    and the :data:`RECIPE_KEYS` settings (``epochs`` defaults to the recipe's; a run with
    fewer epochs is then not :func:`trained_with_shared`)."""
    recipe = get_recipe(name)
    epochs = recipe["epochs"] if epochs is None else epochs
    return dict(recipe="shared" if is_shared(name) else "own", epochs=epochs,
                lr=recipe["lr"], optimizer=recipe["optimizer"])


def comparison_rows(results: dict[str, dict[str, Any]],
                    order: list[str] | None = None) -> list[dict[str, Any]]:
    """One row per model: its label, chapter, recipe, source and the :data:`COLUMNS`.

    ``results`` maps a recipe name to its measured numbers (plus, optionally, ``source``
    and the recipe it was trained with: ``recipe``, ``epochs``, ``lr``, ``optimizer``).
    Each row's ``shared`` says whether it was trained with :data:`SHARED`
    (:func:`trained_with_shared`), ``recipe`` says so in words, and ``epochs`` and
    ``optimizer`` are the recorded ones (``None`` when not recorded).
    Rows follow ``order`` (default: the order of :data:`RECIPES`, then the rest sorted).
    """
    names = order or ([n for n in RECIPES if n in results]
                      + sorted(n for n in results if n not in RECIPES))
    rows = []
    for name in names:
        numbers = results[name]
        missing = [c for c in COLUMNS if c not in numbers]
        if missing:
            raise ValueError(f"result {name!r} lacks {', '.join(missing)}; record it with "
                             "record_result(name, **measure(model, history))")
        recipe = RECIPES.get(name, {})
        shared = trained_with_shared(numbers)
        if shared:
            text = "shared"
        elif numbers.get("recipe") == "shared":  # the shared settings, but not all of them
            text = "shared but " + ", ".join(f"{k} {numbers[k]}" for k in RECIPE_KEYS
                                             if k in numbers and numbers[k] != SHARED[k])
        else:
            text = str(numbers.get("recipe") or "own (older run)")
        rows.append(dict(name=name, label=recipe.get("label") or name,
                         chapter=recipe.get("chapter"), source=numbers.get("source", ""),
                         shared=shared, recipe=text,
                         epochs=numbers.get("epochs"), optimizer=numbers.get("optimizer"),
                         **{c: numbers[c] for c in COLUMNS}))
    return rows


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The rows of :func:`comparison_rows` as a Markdown table (a column stays empty
    where a result did not record that setting)."""
    head = ("| model | chapter | recipe | epochs | optimizer | parameters | MFLOPs | "
            "training s | examples/s | accuracy | source |\n"
            "|---|---:|---|---:|---|---:|---:|---:|---:|---:|---|")
    lines = [head]
    for r in rows:
        epochs = "" if r.get("epochs") is None else r["epochs"]
        lines.append(f"| {r['label']} | {r['chapter'] or ''} | {r.get('recipe', '')} | "
                     f"{epochs} | {r.get('optimizer') or ''} | {r['params']:,} | "
                     f"{r['flops'] / 1e6:,.1f} | {r['seconds']:,.1f} | "
                     f"{r['examples_per_sec']:,.0f} | {r['accuracy']:.4f} | {r['source']} |")
    return "\n".join(lines) + "\n"
