"""Print how long each notebook took to execute in the last book build, slowest first.

Reads the execution cache that ``scripts/build_book.sh`` fills (book/_build/.jupyter_cache).
Usage: python scripts/notebook_times.py [CACHE_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    cache_dir = Path(argv[0]) if argv else root / "book" / "_build" / ".jupyter_cache"
    if not cache_dir.is_dir():
        print(f"no execution cache at {cache_dir}: build the book first "
              "(bash scripts/build_book.sh)")
        return 1
    from jupyter_cache import get_cache

    latest: dict[str, tuple[float, str]] = {}
    for rec in get_cache(cache_dir).list_cache_records():
        seconds = float((rec.data or {}).get("execution_seconds", float("nan")))
        name = Path(rec.uri).relative_to(root).as_posix() if rec.uri.startswith(str(root)) \
            else rec.uri
        when = str(rec.created)
        if name not in latest or when > latest[name][1]:
            latest[name] = (seconds, when)
    rows = sorted(latest.items(), key=lambda kv: -kv[1][0])
    total = sum(s for _, (s, _) in rows)
    print(f"{'notebook':<50} {'seconds':>9}")
    for name, (seconds, _) in rows:
        print(f"{name:<50} {seconds:>9.1f}")
    print(f"{'total':<50} {total:>9.1f}  ({total / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
