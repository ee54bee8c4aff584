"""Check a run's configuration and layers before any analysis (``cityind validate``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from ._errors import CityindError
from .config import Config

__all__ = ["validate_config"]


def validate_config(config: Config, *, progress: Callable[[str], None] = print) -> bool:
    """Load every layer of ``config`` and report what the pipeline would see.

    Parameters
    ----------
    config : Config
        Run configuration.
    progress : callable, default print
        Receives one line of text per finding.

    Returns
    -------
    bool
        True when every layer loads and every named column exists.

    Notes
    -----
    Errors of every layer are collected and reported together, rather than
    stopping at the first one.
    """
    from . import pipeline

    ok = True
    steps = {
        "landuse": lambda: pipeline._load_landuse(config),
        "pois": lambda: pipeline._load_pois(config),
        "roads": lambda: pipeline._load_network(config, config.study.crs),
        "boundary": lambda: pipeline._load_boundary(config),
    }
    for name, step in steps.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = step()
            except CityindError as exc:
                ok = False
                progress(f"FAIL {name}: {exc}")
                continue
        for w in caught:
            if not issubclass(w.category, DeprecationWarning | FutureWarning):
                progress(f"WARN {name}: {w.message}")
        if result is None:
            progress(f"  ok {name}: not given")
        elif isinstance(result, tuple) and name == "roads":
            nodes, edges = result
            progress(f"  ok {name}: {len(nodes)} nodes, {len(edges)} edges ({nodes.crs.name})")
        else:
            layer = result[0] if isinstance(result, tuple) else result
            extra = ""
            col = "class" if name == "landuse" else "category" if name == "pois" else None
            if col and col in layer:
                labels = layer[col]
                if "status" in layer:
                    labels = labels.where(labels.notna(), layer["status"])
                extra = "; " + ", ".join(f"{k}: {v}" for k, v in
                                         labels.value_counts(dropna=False).head(12).items())
            progress(f"  ok {name}: {len(layer)} features ({layer.crs.name}){extra}")
    progress("valid" if ok else "invalid: fix the problems above")
    return ok
