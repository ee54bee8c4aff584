"""Service gaps of industrial land: which services workers cannot reach on foot.

Three views of the same question:

- :func:`service_gaps` flags grid cells (or any unit) with industrial land and
  precomputed walking distances, against one threshold or one per category (the
  pipeline's cell-level ``service_gaps`` layer);
- :func:`graded_service_gaps` measures every industrial parcel, cell or zone on
  the walking network from origins that represent it, grades each category
  against its service standard (within / beyond / far beyond / beyond the
  search / absent from the data) and ranks the units by severity times workers
  (the pipeline's ``industrial_service_gaps`` layer);
- :func:`industrial_service_gaps` is the earlier single-distance parcel measure
  (a shortfall score against one life-circle distance).

:func:`gap_table` turns a gap layer into the bilingual list a planner takes to a
meeting, :func:`gap_summary` counts the units per grade and category.

Candidate sites for the missing services are in :mod:`cityind_gis.siting`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import InputError, SchemaError
from ._validate import check_columns, check_positive, check_projected, check_unique_index
from .columns import column_name, net_dist
from .taxonomy import poi_categories

if TYPE_CHECKING:
    from .network import WalkGraph

__all__ = ["service_gaps", "industrial_service_gaps", "graded_service_gaps", "gap_table",
           "gap_summary", "workers_from_area", "DEFAULT_SEARCH_DISTANCE", "SEVERITIES",
           "SEVERITY_LABELS", "SEVERITY_WEIGHTS"]

#: Longest walking distance searched by the gap measures, in metres (the pipeline's
#: ``[indicators] search_distance``). Within it every distance is measured; beyond it
#: a distance is NaN and the unit's severity reads ``beyond_search``.
DEFAULT_SEARCH_DISTANCE: float = 3000.0

#: Severity grades of :func:`graded_service_gaps`, from best to worst, then ``absent``.
SEVERITIES: tuple[str, ...] = ("within", "beyond", "far_beyond", "beyond_search", "absent")

#: Chinese and English label of each severity grade (``industrial_gap_table.csv``).
SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    "within": ("达标", "within"), "beyond": ("超出", "beyond"),
    "far_beyond": ("远超", "far beyond"), "beyond_search": ("搜索范围外", "beyond search"),
    "absent": ("数据缺失", "absent from data"),
}

#: Default weight of each severity in the gap score of :func:`graded_service_gaps`.
SEVERITY_WEIGHTS: dict[str, float] = {"within": 0.0, "beyond": 1.0, "far_beyond": 2.0,
                                      "beyond_search": 2.0, "absent": 0.0}


def _threshold_array(categories: Sequence[str],
                     distance: float | Mapping[str, float]) -> np.ndarray:
    """Threshold in metres of each category: one ``distance`` for all, or a mapping."""
    if isinstance(distance, Mapping):
        missing = [c for c in categories if c not in distance]
        if missing:
            msg = (f"`distance` gives no threshold for categories {missing}; give "
                   f"{{category: metres}} for every category, e.g. `{{{missing[0]!r}: 500}}`.")
            raise InputError(msg)
        return np.array([check_positive(distance[c], f"distance[{c!r}]") for c in categories],
                        dtype=float)
    return np.full(len(categories), check_positive(distance, "distance"))


def service_gaps(
    units: gpd.GeoDataFrame,
    *,
    categories: Sequence[str],
    distance: float | Mapping[str, float] = 1000.0,
    industrial_column: str = "industrial_share",
    min_industrial_share: float = 0.0,
    distance_prefix: str = "net_dist_",
    absent: Sequence[str] = (),
    count_absent: bool = False,
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
    distance : float or mapping of str to float, default 1000
        Walking distance in metres within which a facility must exist: one for
        every category, or ``{category: metres}`` (e.g. the ``threshold_m`` of
        :func:`cityind_gis.network.service_standards`).
    industrial_column : str, default "industrial_share"
        Column with the unit's industrial land share.
    min_industrial_share : float, default 0.0
        A unit counts as industrial when its share is strictly greater than this.
    distance_prefix : str, default "net_dist_"
        Prefix of the distance columns (``{prefix}{category}``).
    absent : sequence of str, default ()
        Categories with no facility at all in the study area ("absent from the
        data"). They are not gaps of any unit unless ``count_absent``.
    count_absent : bool, default False
        Count the ``absent`` categories as missing for every industrial unit.

    Returns
    -------
    GeoDataFrame
        The industrial units with at least one missing category, in ``units``'
        CRS and index, ranked worst first. Columns: ``industrial_share``, the
        distance columns, ``gap_{category}`` (bool), ``n_missing``, ``missing``
        (``;``-separated English keys), ``missing_zh`` (Chinese names),
        ``gap_score`` = ``n_missing`` over the number of counted categories, in
        [0, 1], ``absent`` (``;``-separated categories absent from the data) and
        ``gap_rank`` (1 = most categories missing; ties broken by larger
        industrial share).

    Raises
    ------
    InputError
        Empty ``categories``, a threshold that is not positive or missing for a
        category.
    SchemaError
        A distance or the industrial column is missing.

    Notes
    -----
    A category :math:`k` with threshold :math:`T_k` is missing for unit
    :math:`z` when :math:`d_{z,k} > T_k` or no facility of :math:`k` is
    reachable (NaN), except for categories absent from the data, which are
    missing only with ``count_absent``. Industrial units with no gap are simply
    not in this layer; the per-unit count is also in the pipeline's grid layer
    (``n_missing_services``).
    """
    if not categories:
        msg = "`categories` is empty; name at least one service category to check."
        raise InputError(msg)
    cats = list(categories)
    limit = _threshold_array(cats, distance)
    check_unique_index(units, "units")
    dist_cols = [f"{distance_prefix}{c}" for c in cats]
    check_columns(units, [industrial_column, *dist_cols], "units")
    share = units[industrial_column].to_numpy(dtype=float)
    industrial = share > min_industrial_share
    d = units[dist_cols].to_numpy(dtype=float)
    is_absent = np.isin(cats, list(absent))
    gap = ~(d <= limit[None, :])  # NaN (unreachable) counts as missing
    if not count_absent:
        gap[:, is_absent] = False
    n_missing = gap.sum(axis=1)
    n_counted = len(cats) if count_absent else int((~is_absent).sum())
    zh_names = poi_categories()["name_zh"].to_dict()
    missing = _join_where(gap, cats, ";")
    missing_zh = _join_where(gap, [zh_names.get(c, c) for c in cats], ";")
    keep = industrial & (n_missing > 0)
    out = units.loc[keep, [industrial_column, *dist_cols, units.geometry.name]].copy()
    for j, cat in enumerate(cats):
        out[f"gap_{cat}"] = gap[keep, j]
    out["n_missing"] = n_missing[keep].astype(np.int64)
    out["missing"] = missing[keep]
    out["missing_zh"] = missing_zh[keep]
    out["gap_score"] = out["n_missing"] / max(n_counted, 1)
    out["absent"] = ";".join(c for c in cats if c in set(absent))
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
    check_positive(worker_density, "worker_density", unit="workers per hectare", example=100)
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
    component: str | int = "largest",
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
        unreachable (NaN, listed in ``beyond_search``). Default the larger of
        :data:`DEFAULT_SEARCH_DISTANCE` (3,000 m) and ``2 * distance``. (It used to
        be ``2 * distance``, which left parcels reachable within 3 km blank; the
        score still saturates at ``2 * distance``.)
    component : {"largest", "any"} or int, default "largest"
        Which connected parts of the network parcels and facilities join (see
        :func:`cityind_gis.network.nearest_facility_distance`).

    Returns
    -------
    GeoDataFrame
        Every parcel, in ``parcels.crs`` and index, ranked worst first. Columns:
        ``area_ha``, ``workers``, ``net_dist_{category}`` (m, NaN = not within
        ``search_distance``), ``gap_{category}`` (bool), ``n_missing``, ``missing``
        (``;``-separated keys), ``missing_zh``, ``gap_score`` (0-1),
        ``workers_affected`` (``workers`` where anything is missing, else 0),
        ``priority`` (``gap_score * workers``), ``beyond_search`` (``;``-separated
        categories with no facility within ``search_distance``), ``snap_dist`` (m),
        ``main_network`` (bool: False when the parcel joins a network fragment
        cut off from the main network), ``rejoined`` (bool: its nearest edge lay
        on a fragment, so it joined the main network instead) and ``gap_rank``
        (1 = highest priority).

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
    check_positive(distance, "distance")
    check_unique_index(parcels, "parcels")
    if workers is None:
        w = workers_from_area(parcels, worker_density=worker_density).to_numpy()
    else:
        if not workers.index.equals(parcels.index):
            msg = ("`workers` must be aligned to `parcels.index` (same labels, same order); "
                   "use `workers.reindex(parcels.index)`.")
            raise SchemaError(msg)
        w = pd.to_numeric(workers, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    search = (max(DEFAULT_SEARCH_DISTANCE, 2.0 * float(distance)) if search_distance is None
              else check_positive(search_distance, "search_distance", example=3000))
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
            max_distance=search, snap=snap, snap_distance=snap_distance, component=component,
        )
    else:
        dist = pd.DataFrame(index=parcels.index)
    for c in absent:
        dist[net_dist(c)] = np.nan
    dist = dist[[net_dist(c) for c in cats]]
    report = snap_report(parcels, graph, snap=snap, snap_distance=snap_distance,
                         component=component)

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
    out["beyond_search"] = _join_where(np.isnan(d) & np.isin(cats, present)[None, :], cats, ";")
    out["snap_dist"] = report["snap_dist"].to_numpy()
    out["main_network"] = report["main_network"].to_numpy()
    out["rejoined"] = report["rejoined"].to_numpy()
    out = out.sort_values(["priority", "n_missing", "workers"], ascending=False, kind="stable")
    out["gap_rank"] = np.arange(1, len(out) + 1, dtype=np.int64)
    geom = parcels.geometry.reindex(out.index)
    return gpd.GeoDataFrame(out, geometry=geom.to_numpy(), crs=parcels.crs)


def gap_table(gaps: gpd.GeoDataFrame, *, categories: Sequence[str]) -> pd.DataFrame:
    """The ranked list of industrial units lacking services, with Chinese and English headers.

    Parameters
    ----------
    gaps : GeoDataFrame
        From :func:`graded_service_gaps` (the run's ``industrial_service_gaps``)
        or :func:`industrial_service_gaps`.
    categories : sequence of str
        The categories checked, for the distance (and grade) columns.

    Returns
    -------
    DataFrame
        Units with at least one gap, in rank order, with headers ``排名 rank``,
        ``地块 parcel`` (the unit's index label), ``面积(公顷) area (ha)``,
        ``就业人数(估算) workers (est.)``, ``缺失服务 missing (zh)``,
        ``missing services (en)``, ``缺失项数 n missing``, then for graded gaps
        ``严重度得分 severity score``, ``优先度 priority``, per category
        ``步行距离-{中文} walk to {category} (m)`` and ``等级-{中文} grade {category}``
        (:data:`SEVERITY_LABELS` in both languages, e.g. ``超出 beyond``) and
        ``数据缺失 absent from data``; for :func:`industrial_service_gaps`
        ``缺口得分 gap score``, ``优先度 priority`` and the distances. A blank
        distance is beyond the search distance. Write it with
        :func:`cityind_gis.io.writers.write_csv` (UTF-8 with BOM for Excel).

    Raises
    ------
    SchemaError
        If a column of the gap layer is missing.
    """
    zh = poi_categories()["name_zh"].to_dict()
    graded = "n_gaps" in gaps.columns
    names = (("n_gaps", "gaps", "gaps_zh", "severity_score") if graded
             else ("n_missing", "missing", "missing_zh", "gap_score"))
    n_col, en_col, zh_col, score_col = names
    cols = ["gap_rank", "area_ha", "workers", zh_col, en_col, n_col, score_col, "priority",
            *[net_dist(c) for c in categories]]
    if graded:
        cols += [column_name("gap_severity", c) for c in categories] + ["absent"]
    check_columns(gaps, cols, "gaps")
    sel = gaps[gaps[n_col] > 0].sort_values("gap_rank")
    table = pd.DataFrame({
        "排名 rank": sel["gap_rank"].to_numpy(),
        "地块 parcel": sel.index.to_numpy(),
        "面积(公顷) area (ha)": sel["area_ha"].round(2).to_numpy(),
        "就业人数(估算) workers (est.)": sel["workers"].round(0).to_numpy(),
        "缺失服务 missing (zh)": sel[zh_col].to_numpy(),
        "missing services (en)": sel[en_col].str.replace(";", "; ").to_numpy(),
        "缺失项数 n missing": sel[n_col].to_numpy(),
        ("严重度得分 severity score" if graded else "缺口得分 gap score"):
            sel[score_col].round(3).to_numpy(),
        "优先度 priority": sel["priority"].round(1).to_numpy(),
    })
    for c in categories:
        table[f"步行距离-{zh.get(c, c)} walk to {c} (m)"] = sel[net_dist(c)].round(0).to_numpy()
        if graded:
            grade = sel[column_name("gap_severity", c)]
            table[f"等级-{zh.get(c, c)} grade {c}"] = grade.map(
                lambda g: f"{SEVERITY_LABELS[g][0]} {SEVERITY_LABELS[g][1]}").to_numpy()
    if graded:
        table["数据缺失 absent from data"] = sel["absent"].str.replace(";", "; ").to_numpy()
    return table


def gap_summary(
    gaps: pd.DataFrame,
    *,
    categories: Sequence[str],
    thresholds: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """How many units fall in each severity grade, per category (the gap list in one table).

    Parameters
    ----------
    gaps : DataFrame or GeoDataFrame
        From :func:`graded_service_gaps` (columns ``gap_severity_{category}``,
        ``gap_{category}`` and ``workers``).
    categories : sequence of str
        Categories to summarise, in row order.
    thresholds : mapping of str to float, optional
        Threshold in metres per category, written as ``threshold_m``.

    Returns
    -------
    DataFrame
        One row per category: ``category``, ``category_zh``, ``threshold_m``
        (NaN when not given), ``n_units``, one count per grade of
        :data:`SEVERITIES` (``within``, ``beyond``, ``far_beyond``,
        ``beyond_search``, ``absent``), ``n_gaps`` (units where the category
        counts as a gap), ``gap_share_pct`` (of the units) and
        ``workers_with_gap``.

    Raises
    ------
    SchemaError
        If a severity, gap or the ``workers`` column is missing.
    """
    sev = [column_name("gap_severity", c) for c in categories]
    flag = [column_name("gap", c) for c in categories]
    check_columns(gaps, [*sev, *flag, "workers"], "gaps")
    zh = poi_categories()["name_zh"].to_dict()
    n = len(gaps)
    w = pd.to_numeric(gaps["workers"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    rows = []
    for c, s_col, f_col in zip(categories, sev, flag, strict=True):  # a handful of categories
        grade = gaps[s_col].to_numpy(dtype=object)
        hit = gaps[f_col].to_numpy(dtype=bool)
        rows.append({
            "category": c, "category_zh": zh.get(c, c),
            "threshold_m": float((thresholds or {}).get(c, np.nan)), "n_units": n,
            **{g: int((grade == g).sum()) for g in SEVERITIES},
            "n_gaps": int(hit.sum()), "gap_share_pct": 100.0 * hit.sum() / n if n else 0.0,
            "workers_with_gap": float(w[hit].sum()),
        })
    cols = ["category", "category_zh", "threshold_m", "n_units", *SEVERITIES, "n_gaps",
            "gap_share_pct", "workers_with_gap"]
    return pd.DataFrame(rows, columns=cols)


def _join_where(mask: np.ndarray, names: Sequence[str], sep: str) -> np.ndarray:
    """Per row, the ``names`` where ``mask`` is True joined by ``sep`` (loop over columns only)."""
    out = np.full(mask.shape[0], "", dtype=object)
    for j, name in enumerate(names):  # a handful of categories, vectorised over rows
        out = np.where(mask[:, j], out + np.where(out == "", "", sep) + name, out)
    return out


# --------------------------------------------------------------------------- graded gaps


def _thresholds(cats: list[str], standards: pd.DataFrame | dict[str, float] | None) -> np.ndarray:
    """Threshold in metres of each category from a standards table or mapping."""
    from .network.lifecircle import service_standards

    if standards is None or isinstance(standards, dict):
        table = service_standards(overrides=standards)
    else:
        table = standards
        check_columns(table, ["threshold_m"], "standards")
    missing = [c for c in cats if c not in table.index]
    if missing:
        msg = (f"`standards` gives no threshold for categories {missing}; add them, e.g. "
               f"`standards={{{missing[0]!r}: 1000}}` (metres), or drop them from `categories`.")
        raise InputError(msg)
    return table.loc[cats, "threshold_m"].to_numpy(dtype=float)


def graded_service_gaps(
    units: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    categories: Sequence[str],
    standards: pd.DataFrame | dict[str, float] | None = None,
    origins: gpd.GeoDataFrame | None = None,
    workers: pd.Series | None = None,
    worker_density: float = 100.0,
    served_share: float = 0.5,
    far_factor: float = 2.0,
    search_distance: float = DEFAULT_SEARCH_DISTANCE,
    count_absent: bool = False,
    severity_weights: dict[str, float] | None = None,
    category_column: str = "category",
    snap: str = "edge",
    snap_distance: float | None = None,
    component: str | int = "largest",
) -> gpd.GeoDataFrame:
    r"""Service gaps graded by the standards, per unit and category, ranked for action.

    Parameters
    ----------
    units : GeoDataFrame
        Industrial parcels, zones or cells (polygons) in ``graph.crs`` (projected,
        metres), uniquely indexed.
    facilities : GeoDataFrame
        POIs with a category column, in ``graph.crs``.
    graph : WalkGraph
        Walking network.
    categories : sequence of str
        Service categories checked.
    standards : DataFrame or dict, optional
        Threshold distance per category: a table indexed by category with a
        ``threshold_m`` column (:func:`cityind_gis.network.service_standards`,
        e.g. read from your own CSV), or ``{category: metres}`` overriding the
        bundled GB 50180-2018 table. Default the bundled table.
    origins : GeoDataFrame, optional
        Origins representing each unit (:func:`cityind_gis.network.origins_for_units`,
        columns ``unit`` and ``weight``). Default one origin per unit, its
        ``representative_point()``; pass ``origins_for_units(units)`` for zones
        and large parcels.
    workers : Series, optional
        Workers per unit aligned to ``units.index``; default area in hectares
        times ``worker_density``.
    worker_density : float, default 100
        Workers per hectare when ``workers`` is not given.
    served_share : float, default 0.5
        Share (0-1] of a unit's area that must lie within a distance for the unit
        to count as within it; ``net_dist_{category}`` is the distance reaching
        that share (the area-weighted median by default). Irrelevant with one
        origin per unit.
    far_factor : float, default 2
        ``far_beyond`` starts at ``far_factor`` times the threshold.
    search_distance : float, default 3000
        Longest walking distance searched, in metres; beyond it distances are
        NaN and the grade is ``beyond_search``.
    count_absent : bool, default False
        Count categories with no facility at all in ``facilities`` as gaps of every
        unit (grade ``absent`` weighs like ``far_beyond``). By default they are
        reported (warning, column ``absent``) but not counted.
    severity_weights : dict, optional
        Weights of the grades in the score; default :data:`SEVERITY_WEIGHTS`
        (within 0, beyond 1, far_beyond 2, beyond_search 2, absent 0).
    category_column, snap, snap_distance, component
        As for :func:`cityind_gis.network.nearest_facility_distance`.

    Returns
    -------
    GeoDataFrame
        Every unit, in ``units.crs`` and index, ranked worst first. Columns:
        ``area_ha``, ``workers``, ``n_origins``; per category ``net_dist_{c}``
        (m, NaN beyond ``search_distance`` or absent), ``share_within_{c}``
        (share of the unit's area within the threshold, 0-1) and
        ``gap_severity_{c}`` (one of :data:`SEVERITIES`) and ``gap_{c}`` (bool,
        counted as a gap; what :func:`cityind_gis.siting.candidate_sites` reads);
        then ``n_gaps``
        (categories graded beyond, far_beyond or beyond_search, plus absent when
        ``count_absent``), ``has_gap`` (bool), ``gaps`` / ``gaps_zh``
        (``;``-separated), ``absent`` (categories absent from the data),
        ``severity_score``, ``priority`` (``severity_score * workers``),
        ``rejoined`` (bool: some origin joined the main network instead of a
        nearer fragment) and ``gap_rank`` (1 = act first).

    Raises
    ------
    CRSError, SchemaError, GeometryError, InputError
        As for :func:`cityind_gis.network.nearest_facility_distance`; InputError
        also for empty ``categories``, a category without a threshold, bad
        ``served_share``, ``far_factor`` or ``severity_weights``.

    Warns
    -----
    UserWarning
        For categories absent from the data, and as for
        :func:`~cityind_gis.network.nearest_facility_distance`.

    Notes
    -----
    For unit :math:`z` with origins :math:`c` of weight :math:`w_c` (summing to 1)
    and category :math:`k` with threshold :math:`T_k`, the unit's distance is the
    weighted quantile :math:`d_{z,k} = \min\{D : \sum_c w_c [d_k(c) \le D] \ge q\}`
    (:math:`q` = ``served_share``) and the grade is

    .. math::

        g_{z,k} = \begin{cases}
        \text{within} & d_{z,k} \le T_k \\
        \text{beyond} & T_k < d_{z,k} \le f T_k \\
        \text{far\_beyond} & f T_k < d_{z,k} \le R \\
        \text{beyond\_search} & \text{no facility within } R \\
        \text{absent} & \text{no facility of } k \text{ in the data}
        \end{cases}

    with :math:`f` = ``far_factor`` and :math:`R` = ``search_distance``. The score
    is :math:`S_z = \sum_k \omega(g_{z,k})` with the severity weights
    :math:`\omega`, and ``priority`` :math:`= S_z \cdot \text{workers}_z`: a large
    estate far from several services ranks above a small one a little beyond
    one. Ties are broken by ``severity_score``, then ``workers``. Thresholds come
    from ``taxonomy/data/service_standards.csv`` (GB 50180-2018 life-circle
    levels; ``docs/accessibility.md``).
    """
    from .network import nearest_facility_distance
    from .network.accessibility import _unit_codes, _weighted_quantile, _weighted_share

    cats = [str(c) for c in categories]
    if not cats:
        msg = "`categories` is empty; name at least one service category to check."
        raise InputError(msg)
    if not (isinstance(served_share, (int, float)) and 0 < served_share <= 1):
        msg = f"`served_share` must be a share in (0, 1], got {served_share!r}; e.g. 0.5."
        raise InputError(msg)
    if not (isinstance(far_factor, (int, float)) and np.isfinite(far_factor) and far_factor > 1):
        msg = f"`far_factor` must be a number > 1, got {far_factor!r}; e.g. 2."
        raise InputError(msg)
    search = check_positive(search_distance, "search_distance", example=3000)
    weights = dict(SEVERITY_WEIGHTS)
    if count_absent:
        weights["absent"] = weights["far_beyond"]
    unknown = sorted(set(severity_weights or {}) - set(SEVERITIES))
    if unknown:
        msg = f"`severity_weights` names unknown grades {unknown}; use {list(SEVERITIES)}."
        raise InputError(msg)
    weights.update(severity_weights or {})
    check_unique_index(units, "units")
    check_projected(units, "units")
    thresholds = _thresholds(cats, standards)
    if workers is None:
        w_units = workers_from_area(units, worker_density=worker_density).to_numpy()
    else:
        if not workers.index.equals(units.index):
            msg = ("`workers` must be aligned to `units.index` (same labels, same order); "
                   "use `workers.reindex(units.index)`.")
            raise SchemaError(msg)
        w_units = pd.to_numeric(workers, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if origins is None:
        org = gpd.GeoDataFrame({"unit": units.index.to_numpy(), "weight": 1.0},
                               geometry=units.geometry.values, crs=units.crs)
        org.index = pd.RangeIndex(len(org), name="origin")
    else:
        org = origins
    codes = _unit_codes(units, org)
    ow = org["weight"].to_numpy(dtype=float)

    check_columns(facilities, [category_column], "facilities")
    fac = facilities[facilities[category_column].isin(cats)]
    have = set(fac[category_column])
    present = [c for c in cats if c in have]
    absent = [c for c in cats if c not in have]
    if absent:
        counted = ("counted as a gap of every unit (count_absent=True)" if count_absent
                   else "not counted as gaps (pass count_absent=True to count them)")
        warnings.warn(
            f"categories {absent} have no facility in the study area: they are absent from the "
            f"data, reported in column `absent` and {counted}.", stacklevel=2,
        )
    n = len(units)
    if present:
        near = nearest_facility_distance(
            org, fac, graph, category_column=category_column, categories=present,
            max_distance=search, snap=snap, snap_distance=snap_distance, component=component,
        )
        from .network import snap_report

        rejoined = np.bincount(codes, weights=snap_report(
            org, graph, snap=snap, snap_distance=snap_distance,
            component=component)["rejoined"].to_numpy(dtype=float), minlength=n) > 0
    else:
        near = pd.DataFrame(index=org.index)
        rejoined = np.zeros(n, dtype=bool)

    k = len(cats)
    dist = np.full((n, k), np.nan)
    share = np.zeros((n, k))
    for j, c in enumerate(cats):  # a handful of categories, vectorised over origins
        if c in have:
            d_o = near[net_dist(c)].to_numpy(dtype=float)
            dist[:, j] = _weighted_quantile(codes, ow, d_o, float(served_share), n)
            share[:, j] = _weighted_share(codes, ow, d_o <= thresholds[j], n)
    is_absent = np.isin(cats, absent)[None, :].repeat(n, axis=0)
    grade = np.select(
        [is_absent, np.isnan(dist), dist <= thresholds, dist <= far_factor * thresholds],
        ["absent", "beyond_search", "within", "beyond"], default="far_beyond",
    ).astype(object)
    counted_grades = ["beyond", "far_beyond", "beyond_search"] + (["absent"] if count_absent
                                                                   else [])
    is_gap = np.isin(grade, counted_grades)
    score = np.vectorize(weights.get, otypes=[float])(grade).sum(axis=1) if n else np.zeros(0)
    zh = poi_categories()["name_zh"].to_dict()

    out = pd.DataFrame(index=units.index)
    out["area_ha"] = units.geometry.area.to_numpy() / 1e4
    out["workers"] = w_units
    out["n_origins"] = np.bincount(codes, minlength=n).astype(np.int64)
    for j, c in enumerate(cats):
        out[net_dist(c)] = dist[:, j]
        out[column_name("share_within", c)] = share[:, j]
        out[column_name("gap_severity", c)] = grade[:, j]
        out[column_name("gap", c)] = is_gap[:, j]
    out["n_gaps"] = is_gap.sum(axis=1).astype(np.int64)
    out["has_gap"] = out["n_gaps"] > 0
    out["gaps"] = _join_where(is_gap, cats, ";")
    out["gaps_zh"] = _join_where(is_gap, [zh.get(c, c) for c in cats], ";")
    out["absent"] = ";".join(absent)
    out["severity_score"] = score
    out["priority"] = score * w_units
    out["rejoined"] = rejoined
    out = out.sort_values(["priority", "severity_score", "workers"], ascending=False,
                          kind="stable")
    out["gap_rank"] = np.arange(1, n + 1, dtype=np.int64)
    geom = units.geometry.reindex(out.index)
    return gpd.GeoDataFrame(out, geometry=geom.to_numpy(), crs=units.crs)
