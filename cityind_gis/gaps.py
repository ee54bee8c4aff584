"""Service gaps of industrial land: which services workers cannot reach on foot."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import InputError
from ._validate import check_columns, check_unique_index
from .taxonomy import poi_categories

__all__ = ["service_gaps"]


def service_gaps(
    units: gpd.GeoDataFrame,
    *,
    categories: Sequence[str],
    distance: float = 1000.0,
    industrial_column: str = "industrial_share",
    min_industrial_share: float = 0.0,
    distance_prefix: str = "net_dist_",
) -> gpd.GeoDataFrame:
    """Flag industrial units that have no facility of a category within walking distance.

    Parameters
    ----------
    units : GeoDataFrame
        Grid cells or zones with an industrial-share column (0-1) and one
        network-distance column per category (metres, NaN = none reachable), e.g.
        from :func:`cityind_gis.network.nearest_facility_distance`.
    categories : sequence of str
        Service categories to check (e.g. education, healthcare, retail, food,
        leisure, transit, public_admin).
    distance : float, default 1000
        Walking distance in metres within which a facility must exist.
    industrial_column : str, default "industrial_share"
        Column with the unit's industrial land share.
    min_industrial_share : float, default 0.0
        A unit counts as industrial when its share is strictly greater than this.
    distance_prefix : str, default "net_dist_"
        Prefix of the distance columns (``{prefix}{category}``).

    Returns
    -------
    GeoDataFrame
        The industrial units with at least one missing category, in ``units``'
        CRS and index, ranked worst first. Columns: ``industrial_share``, the
        distance columns, ``gap_{category}`` (bool), ``n_missing``, ``missing``
        (``;``-separated English keys), ``missing_zh`` (Chinese names),
        ``gap_score`` = ``n_missing / len(categories)`` in [0, 1], and ``gap_rank``
        (1 = most categories missing; ties broken by larger industrial share).

    Notes
    -----
    A category is missing for unit :math:`z` when :math:`d_{z,k} > d_{max}` or no
    facility of :math:`k` is reachable (NaN). Units are never dropped silently:
    industrial units with no gap are simply not in this layer; the per-unit count
    is also returned by the pipeline in the grid layer.
    """
    if not categories:
        msg = "`categories` is empty; name at least one service category to check."
        raise InputError(msg)
    if not np.isfinite(distance) or distance <= 0:
        msg = f"`distance` must be a positive number of metres, got {distance!r}."
        raise InputError(msg)
    check_unique_index(units, "units")
    dist_cols = [f"{distance_prefix}{c}" for c in categories]
    check_columns(units, [industrial_column, *dist_cols], "units")
    share = units[industrial_column].to_numpy(dtype=float)
    industrial = share > min_industrial_share
    d = units[dist_cols].to_numpy(dtype=float)
    gap = ~(d <= distance)  # NaN (unreachable) counts as missing
    n_missing = gap.sum(axis=1)
    zh_names = poi_categories()["name_zh"].to_dict()
    missing = np.full(len(units), "", dtype=object)
    missing_zh = np.full(len(units), "", dtype=object)
    for j, cat in enumerate(categories):  # loop over a handful of categories, vectorised over units
        sep = np.where(missing == "", "", ";")
        missing = np.where(gap[:, j], missing + sep + cat, missing)
        sep_zh = np.where(missing_zh == "", "", ";")
        missing_zh = np.where(gap[:, j], missing_zh + sep_zh + zh_names.get(cat, cat), missing_zh)
    keep = industrial & (n_missing > 0)
    out = units.loc[keep, [industrial_column, *dist_cols, units.geometry.name]].copy()
    for j, cat in enumerate(categories):
        out[f"gap_{cat}"] = gap[keep, j]
    out["n_missing"] = n_missing[keep].astype(np.int64)
    out["missing"] = missing[keep]
    out["missing_zh"] = missing_zh[keep]
    out["gap_score"] = out["n_missing"] / len(categories)
    out = out.sort_values(["n_missing", industrial_column], ascending=[False, False], kind="stable")
    out["gap_rank"] = np.arange(1, len(out) + 1, dtype=np.int64)
    return gpd.GeoDataFrame(out, geometry=units.geometry.name, crs=units.crs)
