"""Retrain every small model of the zoo with the book's recipes and write the comparison.

Each model of the book (``utils.models.recipes.book_models()``: every recipe in
``RECIPES``) is built, trained on Fashion-MNIST with its recipe (the same settings its
chapter uses) and measured: parameters, FLOPs per
28x28 image, training seconds, training examples/second and test accuracy. The table
goes to ``results/comparison.json`` and ``results/comparison.md`` (the folder is
``$CNNBOOK_RESULTS`` when set); a progress bar follows the models.

Usage:
    python scripts/benchmark_models.py                 # every recipe, full data
    python scripts/benchmark_models.py resnet18 dpn    # only these
    python scripts/benchmark_models.py --quick         # 1 epoch on the quick subset
    python scripts/benchmark_models.py --record        # also update results/<name>.json
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from utils.data import load_fashion_mnist  # noqa: E402
from utils.download import atomic_write_bytes  # noqa: E402
from utils.models.recipes import (  # noqa: E402
    book_models,
    comparison_rows,
    get_recipe,
    markdown_table,
    measure,
    recipe_metadata,
    train_recipe,
)
from utils.results import record_result, results_dir  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="*",
                    help=f"recipe names (default: all of {', '.join(book_models())})")
    ap.add_argument("--quick", action="store_true",
                    help="one epoch on the quick subset (2000/500 images): a smoke test")
    ap.add_argument("--epochs", type=int, default=None, help="override every recipe's epochs")
    ap.add_argument("--record", action="store_true",
                    help="also write results/<name>.json, as the chapters do in full mode")
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for comparison.json/.md (default: the results folder)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.models or book_models()
    for name in names:  # check every name before any training
        try:
            get_recipe(name)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    train, test = load_fashion_mnist(quick=args.quick)
    epochs = 1 if args.quick and args.epochs is None else args.epochs
    results: dict[str, dict[str, object]] = {}
    bar = tqdm(names, desc="models", unit="model")
    for name in bar:
        bar.set_postfix_str(name)
        model, hist = train_recipe(name, train, test, epochs=epochs, verbose=False)
        numbers = measure(model, hist)
        results[name] = {**numbers, **recipe_metadata(name, len(hist.epoch)),
                         "source": "benchmark (quick)" if args.quick else "benchmark"}
        tqdm.write(f"{get_recipe(name)['label']:<28} accuracy {numbers['accuracy']:.4f}  "
                   f"{numbers['seconds']:7.1f} s  {numbers['examples_per_sec']:8,.0f} ex/s")
        if args.record and not args.quick:
            record_result(name, **numbers, **recipe_metadata(name, len(hist.epoch)), force=True)
    rows = comparison_rows(results, order=names)
    out = args.out or results_dir()
    meta = dict(date=time.strftime("%Y-%m-%d %H:%M:%S"), machine=platform.machine(),
                processor=platform.processor(), threads=torch.get_num_threads(),
                torch=torch.__version__, quick=args.quick)
    atomic_write_bytes(out / "comparison.json",
                       (json.dumps(dict(meta=meta, rows=rows), indent=2) + "\n").encode())
    md = (f"# Small models on Fashion-MNIST\n\n{markdown_table(rows)}\n"
          f"Measured {meta['date']} with torch {meta['torch']}, {meta['threads']} threads"
          f"{' (quick mode: 1 epoch on 2000 images)' if args.quick else ''}.\n")
    atomic_write_bytes(out / "comparison.md", md.encode())
    print(md)
    print(f"wrote {out / 'comparison.json'} and {out / 'comparison.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
