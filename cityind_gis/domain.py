"""Analysis domain: the units where the coupling question makes sense.

C, T and D describe the interaction of two subsystems that exist. Cells of
farmland, water or empty land, and cells without one of the subsystems, are
masked out in grid-level studies; reporting D there mostly maps the shift
constant of the normalisation (``DOMAIN.md``, "What a reviewer checks": *Say
which units were analysed*). This module decides, per unit, whether it is
analysed and why not:

* :func:`analysis_domain` -- ``analysed`` flag and ``reason`` per unit, by one
  of the rules in :data:`DOMAIN_RULES`;
* :func:`domain_summary` -- how many units were left out, and why;
* :func:`expand_to_units` -- put results computed on the analysed subset back
  on the full index, NaN / None outside.

The coupling chain then runs on the analysed subset only
(``normalize(df.loc[analysed])`` ...), so units outside the domain take part in
neither the min-max range, nor the weights, nor the spatial statistics.
"""

from __future__ import annotations

import numbers

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import InputError, SchemaError
from ._validate import check_projected, check_same_crs, check_unique_index
from .columns import poi_count, share
from .taxonomy import landuse_classes, poi_categories

__all__ = [
    "DEFAULT_MIN_SHARE",
    "DOMAIN_REASONS",
    "DOMAIN_RULES",
    "analysis_domain",
    "domain_summary",
    "expand_to_units",
    "industrial_classes",
    "urban_classes",
]

#: Rules of :func:`analysis_domain`.
DOMAIN_RULES: tuple[str, ...] = ("all", "urban_land", "industrial", "mask")

#: Reasons a unit is not analysed (``reason`` column), English / Chinese.
DOMAIN_REASONS: dict[str, str] = {
    "no data (no land use, no POIs)": "无数据（无用地、无兴趣点）",
    "no urban or built land": "无城市建设用地",
    "no industrial land": "无工业用地",
    "outside mask": "不在分析范围内",
}

#: Default smallest share of a unit's area per rule (see :func:`analysis_domain`).
DEFAULT_MIN_SHARE: dict[str, float] = {"urban_land": 0.05, "industrial": 0.05, "mask": 0.5}

_NO_DATA = "no data (no land use, no POIs)"


def urban_classes() -> list[str]:
    """Canonical land-use classes that count as urban or built land.

    Returns
    -------
    list of str
        Every class of :func:`cityind_gis.taxonomy.landuse_classes` whose
        nearest GB 50137-2011 code is urban construction land (城市建设用地:
        R, A, B, M, W, S, U, G), i.e. all but water (E1), agriculture (E2) and
        other / unused land (E9).

    Notes
    -----
    GB 50137-2011 *Code for classification of urban land use and planning
    standards of development land*, sections 3.2-3.3: urban construction land
    (H11, 城市建设用地) consists of the eight major classes R, A, B, M, W, S, U
    and G; water (E1), agricultural and forest land (E2) and other land (E9)
    are non-construction land (非建设用地, class E).
    """
    table = landuse_classes()
    return [str(c) for c, code in table["gb50137"].items() if not str(code).startswith("E")]


def industrial_classes() -> list[str]:
    """Canonical land-use classes of the industrial subsystem (``group == "industry"``).

    Returns
    -------
    list of str
        ``industrial`` (GB 50137 M) and ``logistics`` (W), the classes of
        :func:`cityind_gis.taxonomy.landuse_classes` in the industry group.
    """
    table = landuse_classes()
    return [str(c) for c in table.index[table["group"] == "industry"]]


def _check_min_share(min_share: object, rule: str) -> float:
    value = DEFAULT_MIN_SHARE[rule] if min_share is None else min_share
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        msg = (
            f"`min_share` must be a share of the unit's area in [0, 1] (e.g. "
            f"{DEFAULT_MIN_SHARE[rule]}), got {min_share!r}."
        )
        raise InputError(msg)
    return float(value)


def _shares(units: pd.DataFrame, shares: pd.DataFrame | None) -> pd.DataFrame:
    """Land-use share per canonical class (columns = class names), 0 where absent."""
    classes = list(landuse_classes().index)
    if shares is None:
        present = {c: share(c) for c in classes if share(c) in units.columns}
        if not present:
            wanted = [share(c) for c in classes[:3]]
            msg = (
                f"`units` holds no land-use share column ({wanted} ...); pass `shares` (one "
                "column per land-use class, shares 0-1 of the unit's area) or compute them "
                "with `cityind_gis.indicators.landuse.landuse_shares`."
            )
            raise SchemaError(msg)
        table = units[list(present.values())].rename(columns={v: k for k, v in present.items()})
    else:
        if not isinstance(shares, pd.DataFrame) or not shares.index.equals(units.index):
            msg = (
                "`shares` must be a DataFrame on the index of `units`, one column per "
                "land-use class (e.g. 'industrial', 'residential') holding shares 0-1."
            )
            raise SchemaError(msg)
        unknown = [str(c) for c in shares.columns if c not in classes]
        if unknown:
            msg = (
                f"`shares` has column(s) {unknown} that are not canonical land-use classes; "
                f"expected some of {classes}."
            )
            raise SchemaError(msg)
        table = shares
    values = table.apply(pd.to_numeric, errors="coerce").astype(float)
    if (values.to_numpy() < -1e-9).any():
        msg = "land-use shares must be non-negative; check `shares` / the `*_share` columns."
        raise SchemaError(msg)
    return values.fillna(0.0).reindex(columns=classes, fill_value=0.0)


def _poi_total(units: pd.DataFrame, pois: pd.Series | None) -> np.ndarray:
    if pois is not None:
        if not isinstance(pois, pd.Series) or not pois.index.equals(units.index):
            msg = "`pois` must be a Series of POI counts on the index of `units`."
            raise SchemaError(msg)
        return pois.fillna(0).to_numpy(dtype=float)
    cols = [poi_count(c) for c in poi_categories().index if poi_count(c) in units.columns]
    if not cols:
        return np.zeros(len(units))
    return units[cols].fillna(0).to_numpy(dtype=float).sum(axis=1)


def _mask_share(units: gpd.GeoDataFrame, mask: gpd.GeoDataFrame) -> np.ndarray:
    if not isinstance(units, gpd.GeoDataFrame):
        msg = f"`units` must be a GeoDataFrame for rule='mask', got {type(units).__name__}."
        raise SchemaError(msg)
    if not isinstance(mask, (gpd.GeoDataFrame, gpd.GeoSeries)):
        msg = (
            "`mask` must be a GeoDataFrame of polygons (e.g. the built-up area or the zone's "
            f"planning boundary) for rule='mask', got {type(mask).__name__}."
        )
        raise SchemaError(msg)
    mask_gdf = mask if isinstance(mask, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=mask)
    check_projected(units, "units")
    check_projected(mask_gdf, "mask")
    check_same_crs({"units": units, "mask": mask_gdf})
    region = shapely.union_all(mask_gdf.geometry.to_numpy())
    geoms = units.geometry.to_numpy()
    area = shapely.area(geoms)
    inside = shapely.area(shapely.intersection(geoms, region))
    return np.divide(inside, area, out=np.zeros_like(area), where=area > 0)


def analysis_domain(
    units: pd.DataFrame,
    *,
    rule: str = "urban_land",
    shares: pd.DataFrame | None = None,
    mask: gpd.GeoDataFrame | None = None,
    min_share: float | None = None,
    classes: list[str] | None = None,
    pois: pd.Series | None = None,
) -> pd.DataFrame:
    """Which units are analysed by the coupling model, and why the others are not.

    Parameters
    ----------
    units : DataFrame or GeoDataFrame
        The units (cells, zones), uniquely indexed. For the land-use rules it
        holds the share columns ``{class}_share`` (:func:`cityind_gis.columns.share`)
        unless ``shares`` is given, and optionally POI counts
        ``poi_count_{category}``; for ``rule="mask"`` it is a GeoDataFrame of
        polygons in a projected CRS in metres.
    rule : {"urban_land", "all", "industrial", "mask"}, default "urban_land"
        ``"urban_land"``: units whose urban or built land (:func:`urban_classes`)
        covers at least ``min_share`` of their area. ``"all"``: every unit.
        ``"industrial"``: units whose industrial land (:func:`industrial_classes`)
        covers at least ``min_share``. ``"mask"``: units lying at least
        ``min_share`` inside the polygons of ``mask``.
    shares : DataFrame, optional
        Land-use shares (0-1 of the unit's area) on ``units.index``, one column
        per canonical class (``"industrial"``, ``"residential"`` ...); default:
        the ``{class}_share`` columns of ``units``.
    mask : GeoDataFrame, optional
        Polygons of the area to analyse (built-up area, planning boundary, the
        zone's industrial belt ...), same CRS as ``units``; only with ``rule="mask"``.
    min_share : float, optional
        Smallest share of the unit's area, in [0, 1]. Default
        :data:`DEFAULT_MIN_SHARE`: 0.05 for the land-use rules, 0.5 for
        ``"mask"``. A share must also be above 0.
    classes : list of str, optional
        Land-use classes that count, overriding :func:`urban_classes` /
        :func:`industrial_classes`; only with those two rules.
    pois : Series, optional
        POI count per unit, used only to tell units with no data at all; default
        the sum of the ``poi_count_{category}`` columns of ``units``.

    Returns
    -------
    DataFrame
        On ``units.index``: ``analysed`` (bool) and ``reason`` (None where
        analysed, else one of :data:`DOMAIN_REASONS`: "no data (no land use, no
        POIs)", "no urban or built land", "no industrial land", "outside
        mask").

    Raises
    ------
    InputError
        Unknown rule, ``min_share`` out of range, ``mask`` / ``classes`` with a
        rule that does not use them, unknown classes.
    SchemaError
        No share columns, shares not on the index of ``units``, no ``mask`` with
        ``rule="mask"``.
    CRSError
        ``rule="mask"`` with a missing or geographic CRS, or different CRSs.

    Notes
    -----
    Reasons are checked in this order for the land-use rules: a unit with no
    land use at all (all shares 0) and no POI has "no data"; otherwise a unit
    below ``min_share`` of the rule's classes has "no urban or built land" /
    "no industrial land". The mask rule gives "outside mask" only. Rule
    ``"all"`` analyses every unit, including empty ones; use it for
    statistical units (cities, counties) where every unit holds both subsystems.

    Urban or built land is GB 50137-2011 urban construction land (R, A, B, M,
    W, S, U, G; see :func:`urban_classes`). The 5 % default keeps out units
    where a road edge or a sliver of a neighbouring parcel is all the built
    land (about 3,000 m² of a 250 m cell), a convention of this project rather
    than a published threshold; state the value used.

    This follows the reviewer's checklist of ``DOMAIN.md`` ("Domain"): C, T
    and D describe the interaction of subsystems that exist, so grid studies
    mask farmland, water, empty land and units without one of the subsystems,
    and report which units were analysed (:func:`domain_summary`).

    Examples
    --------
    >>> units = pd.DataFrame({"industrial_share": [0.6, 0.0, 0.0],
    ...                       "residential_share": [0.0, 0.5, 0.0],
    ...                       "water_share": [0.0, 0.0, 1.0]})
    >>> analysis_domain(units)
       analysed                  reason
    0      True                    None
    1      True                    None
    2     False  no urban or built land
    """
    if rule not in DOMAIN_RULES:
        msg = f"`rule` must be one of {list(DOMAIN_RULES)}, got {rule!r}."
        raise InputError(msg)
    if not isinstance(units, pd.DataFrame):
        msg = f"`units` should be a DataFrame or GeoDataFrame, got {type(units).__name__}."
        raise SchemaError(msg)
    check_unique_index(units, "units")
    if mask is not None and rule != "mask":
        msg = f"`mask` goes with rule='mask' only; got a mask with rule={rule!r}."
        raise InputError(msg)
    if classes is not None and rule not in ("urban_land", "industrial"):
        msg = f"`classes` goes with rule='urban_land' or 'industrial' only; got rule={rule!r}."
        raise InputError(msg)
    reason = np.full(len(units), None, dtype=object)
    if rule == "all":
        pass
    elif rule == "mask":
        if mask is None:
            msg = "rule='mask' needs `mask`: a GeoDataFrame of the polygons to analyse."
            raise SchemaError(msg)
        low = _check_min_share(min_share, rule)
        inside = _mask_share(units, mask)
        reason[~((inside > 0) & (inside >= low - 1e-12))] = "outside mask"
    else:
        low = _check_min_share(min_share, rule)
        table = _shares(units, shares)
        default = urban_classes() if rule == "urban_land" else industrial_classes()
        counted = default if classes is None else list(classes)
        unknown = [str(c) for c in counted if c not in table.columns]
        if unknown or not counted:
            msg = (
                f"`classes` must name canonical land-use classes {list(table.columns)}; "
                f"unknown: {unknown or counted}."
            )
            raise InputError(msg)
        part = table[counted].to_numpy().sum(axis=1)
        short = ~((part > 0) & (part >= low - 1e-12))
        word = "no urban or built land" if rule == "urban_land" else "no industrial land"
        reason[short] = word
        empty = (table.to_numpy().sum(axis=1) <= 0) & (_poi_total(units, pois) <= 0)
        reason[empty] = _NO_DATA
    analysed = np.array([r is None for r in reason], dtype=bool)
    return pd.DataFrame(
        {
            "analysed": pd.Series(analysed, index=units.index, dtype=bool),
            "reason": pd.Series(reason, index=units.index, dtype=object),
        }
    )


def _check_domain(domain: object) -> pd.DataFrame:
    if (
        not isinstance(domain, pd.DataFrame)
        or "analysed" not in domain.columns
        or "reason" not in domain.columns
        or not pd.api.types.is_bool_dtype(domain["analysed"])
    ):
        msg = "`domain` must be the output of `analysis_domain` (columns `analysed`, `reason`)."
        raise SchemaError(msg)
    return domain


def domain_summary(domain: pd.DataFrame) -> pd.DataFrame:
    """Counts of analysed units and of units left out, by reason.

    Parameters
    ----------
    domain : DataFrame
        Output of :func:`analysis_domain`.

    Returns
    -------
    DataFrame
        One row per outcome, ``"analysed"`` first, then each reason by
        decreasing count; columns ``reason``, ``reason_zh``, ``n_units`` and
        ``share`` (of all units).

    Examples
    --------
    >>> dom = pd.DataFrame({"analysed": [True, False, False],
    ...                     "reason": [None, "outside mask", "outside mask"]})
    >>> domain_summary(dom)[["reason", "n_units"]]
             reason  n_units
    0      analysed        1
    1  outside mask        2
    """
    dom = _check_domain(domain)
    n = len(dom)
    counts = dom.loc[~dom["analysed"], "reason"].value_counts(sort=True)
    rows = [("analysed", "分析单元", int(dom["analysed"].sum()))]
    rows += [(str(r), DOMAIN_REASONS.get(str(r), str(r)), int(c)) for r, c in counts.items()]
    out = pd.DataFrame(rows, columns=["reason", "reason_zh", "n_units"])
    out["share"] = out["n_units"] / n if n else np.nan
    return out


def expand_to_units(result: pd.DataFrame | pd.Series, index: pd.Index) -> pd.DataFrame | pd.Series:
    """Put a result computed on the analysed units back on every unit.

    Parameters
    ----------
    result : DataFrame or Series
        Computed on a subset of ``index`` (e.g. U, C, T, D, grades, typology).
    index : Index
        The index of all units (e.g. ``grid.index``).

    Returns
    -------
    DataFrame or Series
        ``result`` reindexed to ``index``, the same type: units outside the
        subset are NaN in float columns, ``pd.NA`` in nullable integer and
        boolean columns and None (never NaN) in object and string columns.

    Raises
    ------
    SchemaError
        ``result`` has labels that are not in ``index``.
    """
    if not isinstance(result, (pd.DataFrame, pd.Series)):
        msg = f"`result` should be a DataFrame or Series, got {type(result).__name__}."
        raise SchemaError(msg)
    index = pd.Index(index)
    extra = result.index.difference(index)
    if len(extra):
        msg = (
            f"`result` has {len(extra)} label(s) not in `index` (e.g. {list(extra[:5])}); "
            "pass the index of all units the subset was taken from."
        )
        raise SchemaError(msg)
    if isinstance(result, pd.Series):
        return _expand_column(result, index)
    out = pd.DataFrame({c: _expand_column(result[c], index) for c in result.columns}, index=index)
    out.attrs.update(result.attrs)
    return out


def _expand_column(s: pd.Series, index: pd.Index) -> pd.Series:
    if pd.api.types.is_bool_dtype(s) and not isinstance(s.dtype, pd.BooleanDtype):
        s = s.astype("boolean")
    elif pd.api.types.is_integer_dtype(s) and not isinstance(s.dtype, pd.Int64Dtype):
        s = s.astype("Int64")
    out = s.reindex(index)
    if out.dtype == object or isinstance(out.dtype, pd.StringDtype):
        values = np.array(out.astype(object).to_numpy(), dtype=object)
        values[pd.isna(values)] = None
        out = pd.Series(values, index=index, name=s.name, dtype=object)
    return out
