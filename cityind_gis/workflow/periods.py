"""The configuration of one period of a panel run."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..config import Config, PeriodConfig

__all__ = ["period_config"]


def period_config(config: Config, period: PeriodConfig) -> Config:
    """The run configuration of one period: the period's layers merged over the top level.

    Parameters
    ----------
    config : Config
        The whole panel configuration.
    period : PeriodConfig
        One of ``config.periods``.

    Returns
    -------
    Config
        Without periods; ``osm`` and every layer (and statistics table) the
        period gives replaced, the keys it leaves out taken from the top level.
        ``[[periods.pois]]`` tables replace the top-level POI sources whole.
    """
    changes: dict[str, Any] = {"periods": ()}
    if period.osm is not None:
        changes["osm"] = period.osm
    for name in ("landuse", "pois", "roads", "statistics"):
        given = getattr(period, name)
        if given is not None:
            top = getattr(config, name)
            default = type(top)()
            merged = {f.name: getattr(given, f.name) for f in dataclasses.fields(given)
                      if getattr(given, f.name) != getattr(default, f.name)}
            changes[name] = dataclasses.replace(top, **merged)
    if period.poi_sources is not None:  # `[[periods.pois]]`: the period's own POI sources
        changes["pois"], changes["extra_pois"] = period.poi_sources[0], period.poi_sources[1:]
    study = dataclasses.replace(config.study, name=f"{config.study.name} ({period.label})")
    return config.replace(study=study, **changes)
