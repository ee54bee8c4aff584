"""``python -m cityind_gis.indicators docs/indicators.md``: regenerate the indicator table."""

from __future__ import annotations

import sys

from .registry import update_docs

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the registry table of each Markdown page given; print what changed."""
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python -m cityind_gis.indicators docs/indicators.md", file=sys.stderr)
        return 2
    for p in paths:
        print(f"{p}: {'updated' if update_docs(p) else 'up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
