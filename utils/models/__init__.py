"""The model zoo: every architecture of the book, one readable file per family.

``create(name, num_classes=1000, in_channels=3, **options)`` builds a model by name;
``names()`` lists them. Full-size configurations reproduce the reference parameter
counts; ``size="small"`` gives a configuration for 28x28 / 32x32 inputs.

A family module registers its builders with :func:`register`; every module in this
package is imported on first use, so adding a file adds its models.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from torch import nn

Builder = Callable[..., nn.Module]
_REGISTRY: dict[str, Builder] = {}
_loaded = False


def register(*names: str) -> Callable[[Builder], Builder]:
    """Decorator: make ``builder`` available as ``create(name)`` for each of ``names``."""

    def deco(builder: Builder) -> Builder:
        for name in names:
            if name in _REGISTRY and _REGISTRY[name] is not builder:
                raise ValueError(f"model name {name!r} registered twice")
            _REGISTRY[name] = builder
        return builder

    return deco


def _load_all() -> None:
    global _loaded
    if not _loaded:
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True


def names() -> list[str]:
    """All model names ``create`` accepts, sorted."""
    _load_all()
    return sorted(_REGISTRY)


def create(name: str, num_classes: int = 1000, in_channels: int = 3,
           **options: object) -> nn.Module:
    """Build model ``name`` (see :func:`names`), e.g. ``create("vgg16", size="small",
    in_channels=1, num_classes=10)``."""
    _load_all()
    try:
        builder = _REGISTRY[name.lower()]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(names())}") from None
    return builder(num_classes=num_classes, in_channels=in_channels, **options)
