"""Service gaps of industrial land: which services workers cannot reach on foot.

Two views of the same question:

- :func:`service_gaps` flags grid cells (or any unit) with industrial land and
  precomputed walking distances (the pipeline's cell-level ``service_gaps`` layer);
- :func:`industrial_service_gaps` measures every industrial *parcel* on the walking
  network: distances per category, the categories missing within the chosen life
  circle, a gap score and the workers affected, ranked for action;
  :func:`gap_table` turns it into the bilingual list a planner takes to a meeting.

Candidate sites for the missing services are in :mod:`cityind_gis.siting`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import InputError, SchemaError
from ._validate import check_columns, check_projected, check_unique_index
from .taxonomy import poi_categories

if TYPE_CHECKING:
    from .network import WalkGraph

__all__ = ["service_gaps", "industrial_service_gaps", "gap_table", "workers_from_area"]


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


# --------------------------------------------------------------------------- parcels


def workers_from_area(parcels: gpd.GeoDataFrame, *, worker_density: float) -> pd.Series:
    """Estimated workers of each parcel: land area in hectares times a worker density.

    Parameters
    ----------
    parcels : GeoDataFrame
        Polygons in a projected CRS in metres.
    worker_density : float
        Workers per hectare of industrial land (> 0). Use local figures (enterprise
        surveys, the economic census); ``docs/accessibility.md`` discusses the default.

    Returns
    -------
    Series
        ``workers`` (float) aligned to ``parcels.index``.

    Raises
    ------
    CRSError
        If ``parcels`` is not in a projected CRS in metres.
    InputError
        If ``worker_density`` is not a positive number.
    """
    if (isinstance(worker_density, bool) or not isinstance(worker_density, (int, float))
            or not np.isfinite(worker_density) or worker_density <= 0):
        msg = (f"`worker_density` must be a positive number of workers per hectare, got "
               f"{worker_density!r}; e.g. `worker_density=100`.")
        raise InputError(msg)
    check_projected(parcels, "parcels")
    return pd.Series(parcels.geometry.area.to_numpy() / 1e4 * float(worker_density),
                     index=parcels.index, name="workers")


def _shortfall(d: np.ndarray, distance: float) -> np.ndarray:
    """0 within ``distance``, 1 at twice the distance or unreachable, linear between."""
    s = np.clip((d - distance) / distance, 0.0, 1.0)
    return np.where(np.isnan(d), 1.0, s)


def industrial_service_gaps(
    parcels: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    categories: Sequence[str],
    distance: float = 1000.0,
    workers: pd.Series | None = None,
    worker_density: float = 100.0,
    category_column: str = "category",
    snap: str = "edge",
    snap_distance: float | None = None,
    search_distance: float | None = None,
) -> gpd.GeoDataFrame:
    r"""Walking access of each industrial parcel to everyday services, ranked by need.

    Parameters
    ----------
    parcels : GeoDataFrame
        Industrial land parcels (or cells) in ``graph.crs`` (projected, metres),
        uniquely indexed. Each reaches the network from its
        ``representative_point()`` through the nearest point of the nearest edge.
    facilities : GeoDataFrame
        POIs with a category column, in ``graph.crs``.
    graph : WalkGraph
        Walking network (:func:`cityind_gis.network.graph_from_edges`).
    categories : sequence of str
        Service categories checked (POI categories, e.g. ``education``,
        ``healthcare``, ``retail``, ``food``, ``leisure``, ``transit``, ``public_admin``).
    distance : float, default 1000
        Walking distance in metres of the chosen life circle: a category is
        missing when its nearest facility is farther or unreachable. 1,000 m is the
        15-minute circle of GB 50180-2018 (upper bound of 800-1,000 m); see
        :func:`cityind_gis.network.life_circle_requirements` for the others.
    workers : Series, optional
        Workers per parcel aligned to ``parcels.index``. Default: area in
        hectares times ``worker_density``.
    worker_density : float, default 100
        Workers per hectare when ``workers`` is not given.
    category_column : str, default "category"
        Category column of ``facilities``.
    snap : {"edge", "node"}, default "edge"
        How parcels and facilities join the network.
    snap_distance : float, optional
        Snap tolerance in metres (features beyond it warn; such parcels reach nothing).
    search_distance : float, optional
        Longest walking distance searched (metres); farther facilities read as
        unreachable. Default ``2 * distance``, where the score saturates.

    Returns
    -------
    GeoDataFrame
        Every parcel, in ``parcels.crs`` and index, ranked worst first. Columns:
        ``area_ha``, ``workers``, ``net_dist_{category}`` (m, NaN = not within
        ``search_distance``), ``gap_{category}`` (bool), ``n_missing``, ``missing``
        (``;``-separated keys), ``missing_zh``, ``gap_score`` (0-1),
        ``workers_affected`` (``workers`` where anything is missing, else 0),
        ``priority`` (``gap_score * workers``), ``snap_dist`` (m),
        ``main_network`` (bool: False when the parcel joins a network fragment
        cut off from the main network) and ``gap_rank`` (1 = highest priority).

    Raises
    ------
    CRSError, SchemaError, GeometryError, InputError
        As for :func:`cityind_gis.network.nearest_facility_distance`; also when
        ``categories`` is empty, ``distance`` is not positive, or ``workers`` is
        not aligned to ``parcels``.

    Warns
    -----
    UserWarning
        For parcels or facilities beyond ``snap_distance``, and for requested
        categories without facilities.

    Notes
    -----
    For parcel :math:`z`, category :math:`k` and life-circle distance :math:`D`,
    the shortfall is

    .. math::

        s_{z,k} = \min\Big(1, \max\big(0, \tfrac{d_{z,k} - D}{D}\big)\Big),
        \quad s_{z,k} = 1 \text{ if unreachable}

    and :math:`\text{gap\_score}_z = \frac1K \sum_k s_{z,k}`: 0 when every
    service is within the circle, 1 when every one is at least twice as far or
    missing. Unlike a plain count of missing categories it tells a clinic at
    1,050 m from one at 3 km. ``priority`` weights it by the workers who bear it,
    so a large factory estate lacking services ranks above a small workshop.
    Ties are broken by ``n_missing`` and then ``workers``.
    """
    from .network import nearest_facility_distance, snap_report

    cats = list(categories)
    if not cats:
        msg = "`categories` is empty; name at least one service category to check."
        raise InputError(msg)
    if not np.isfinite(distance) or distance <= 0:
        msg = f"`distance` must be a positive number of metres, got {distance!r}."
        raise InputError(msg)
    check_unique_index(parcels, "parcels")
    if workers is None:
        w = workers_from_area(parcels, worker_density=worker_density).to_numpy()
    else:
        if not workers.index.equals(parcels.index):
            msg = ("`workers` must be aligned to `parcels.index` (same labels, same order); "
                   "use `workers.reindex(parcels.index)`.")
            raise SchemaError(msg)
        w = pd.to_numeric(workers, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    search = 2.0 * float(distance) if search_distance is None else float(search_distance)
    fac = facilities[facilities[category_column].isin(cats)]
    present = [c for c in cats if c in set(fac[category_column])]
    absent = [c for c in cats if c not in present]
    if absent:
        warnings.warn(
            f"no facility of {absent} exists; every parcel lacks them (NaN distance).",
            stacklevel=2,
        )
    if present:
        dist = nearest_facility_distance(
            parcels, fac, graph, category_column=category_column, categories=present,
            max_distance=search, snap=snap, snap_distance=snap_distance,
        )
    else:
        dist = pd.DataFrame(index=parcels.index)
    for c in absent:
        dist[f"net_dist_{c}"] = np.nan
    dist = dist[[f"net_dist_{c}" for c in cats]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the far-parcel warning was given above
        report = snap_report(parcels, graph, snap=snap, snap_distance=snap_distance)

    d = dist.to_numpy(dtype=float)
    gap = ~(d <= distance)
    short = _shortfall(d, float(distance))
    n_missing = gap.sum(axis=1)
    zh_names = poi_categories()["name_zh"].to_dict()
    missing = np.full(len(parcels), "", dtype=object)
    missing_zh = np.full(len(parcels), "", dtype=object)
    for j, cat in enumerate(cats):  # a handful of categories, vectorised over parcels
        missing = np.where(gap[:, j], missing + np.where(missing == "", "", ";") + cat, missing)
        missing_zh = np.where(gap[:, j], missing_zh + np.where(missing_zh == "", "", ";")
                              + zh_names.get(cat, cat), missing_zh)
    out = pd.DataFrame(index=parcels.index)
    out["area_ha"] = parcels.geometry.area.to_numpy() / 1e4
    out["workers"] = w
    out = pd.concat([out, dist], axis=1)
    for j, cat in enumerate(cats):
        out[f"gap_{cat}"] = gap[:, j]
    out["n_missing"] = n_missing.astype(np.int64)
    out["missing"] = missing
    out["missing_zh"] = missing_zh
    out["gap_score"] = short.mean(axis=1)
    out["workers_affected"] = np.where(n_missing > 0, w, 0.0)
    out["priority"] = out["gap_score"] * w
    out["snap_dist"] = report["snap_dist"].to_numpy()
    out["main_network"] = report["main_network"].to_numpy()
    out = out.sort_values(["priority", "n_missing", "workers"], ascending=False, kind="stable")
    out["gap_rank"] = np.arange(1, len(out) + 1, dtype=np.int64)
    geom = parcels.geometry.reindex(out.index)
    return gpd.GeoDataFrame(out, geometry=geom.to_numpy(), crs=parcels.crs)


def gap_table(gaps: gpd.GeoDataFrame, *, categories: Sequence[str]) -> pd.DataFrame:
    """The ranked list of industrial parcels lacking services, with Chinese and English headers.

    Parameters
    ----------
    gaps : GeoDataFrame
        From :func:`industrial_service_gaps`.
    categories : sequence of str
        The categories checked, for the distance columns.

    Returns
    -------
    DataFrame
        Parcels with at least one missing service, in rank order, with headers
        ``排名 rank``, ``地块 parcel`` (the parcel's index label), ``面积(公顷) area (ha)``,
        ``就业人数(估算) workers (est.)``, ``缺失服务 missing (zh)``,
        ``missing services (en)``, ``缺失项数 n missing``, ``缺口得分 gap score``,
        ``优先度 priority`` and ``步行距离-{中文} walk to {category} (m)`` for each
        category (blank = beyond the search distance). Write it with
        :func:`cityind_gis.io.writers.write_csv` (UTF-8 with BOM for Excel).

    Raises
    ------
    SchemaError
        If a column of :func:`industrial_service_gaps` is missing.
    """
    cols = ["gap_rank", "area_ha", "workers", "missing_zh", "missing", "n_missing", "gap_score",
            "priority", *[f"net_dist_{c}" for c in categories]]
    check_columns(gaps, cols, "gaps")
    zh = poi_categories()["name_zh"].to_dict()
    sel = gaps[gaps["n_missing"] > 0].sort_values("gap_rank")
    table = pd.DataFrame({
        "排名 rank": sel["gap_rank"].to_numpy(),
        "地块 parcel": sel.index.to_numpy(),
        "面积(公顷) area (ha)": sel["area_ha"].round(2).to_numpy(),
        "就业人数(估算) workers (est.)": sel["workers"].round(0).to_numpy(),
        "缺失服务 missing (zh)": sel["missing_zh"].to_numpy(),
        "missing services (en)": sel["missing"].str.replace(";", "; ").to_numpy(),
        "缺失项数 n missing": sel["n_missing"].to_numpy(),
        "缺口得分 gap score": sel["gap_score"].round(3).to_numpy(),
        "优先度 priority": sel["priority"].round(1).to_numpy(),
    })
    for c in categories:
        table[f"步行距离-{zh.get(c, c)} walk to {c} (m)"] = sel[f"net_dist_{c}"].round(0).to_numpy()
    return table
