"""Land-use indicators: class areas and shares per unit, land-use mix."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import columns as cols
from .._errors import InputError, SchemaError
from .._validate import (
    check_columns,
    check_geometries,
    check_positive,
    check_projected,
    check_same_crs,
    check_unique_index,
)
from ..taxonomy import landuse_classes
from .registry import Indicator, Measure, column_entry, default_registry, indicator, measure

__all__ = [
    "flatten_landuse",
    "landuse_area",
    "landuse_shares",
    "land_use_mix",
    "combined_share",
    "space_shares",
    "jobs_housing",
    "building_area",
    "PUBLIC_SERVICE_CLASSES",
]

#: Classes of public administration and services land (GB 50137-2011 A1, A2/A4, A3, A5)
#: summed in ``public_service_share``.
PUBLIC_SERVICE_CLASSES = ("administration", "education", "healthcare", "culture_sports")

_POLY = ("Polygon", "MultiPolygon")


def _check_classes(landuse: gpd.GeoDataFrame, class_column: str) -> list[str]:
    known = list(landuse_classes().index)
    values = landuse[class_column]
    if values.isna().any():
        msg = (
            f"`landuse[{class_column!r}]` has {int(values.isna().sum())} missing class(es); "
            "classify every polygon first (unmapped values become 'other')."
        )
        raise SchemaError(msg)
    unknown = sorted(set(values.astype(str)) - set(known))
    if unknown:
        msg = (
            f"`landuse[{class_column!r}]` holds unknown class(es) {unknown}; expected the "
            f"canonical classes {known}. Map raw codes with `cityind_gis.taxonomy.classify_values`."
        )
        raise SchemaError(msg)
    return known


def flatten_landuse(landuse: gpd.GeoDataFrame, *, class_column: str = "class") -> gpd.GeoDataFrame:
    """Resolve overlaps between land-use polygons so no area is counted twice.

    Parameters
    ----------
    landuse : GeoDataFrame
        Polygons in a projected metric CRS with a canonical class column.
    class_column : str, default "class"
        Column holding canonical classes (see :func:`cityind_gis.taxonomy.landuse_classes`).

    Returns
    -------
    GeoDataFrame
        One (multi)polygon per class present, non-overlapping, indexed by class,
        same CRS. Where classes overlap, the class listed earlier in
        :func:`~cityind_gis.taxonomy.landuse_classes` wins (industrial before
        residential before green, ...), because OSM and planning layers draw
        specific uses (a factory) on top of broad ones (a residential area).
    """
    check_projected(landuse, "landuse")
    check_columns(landuse, [class_column], "landuse")
    check_geometries(landuse, "landuse", geom_types=_POLY, allow_empty_layer=True)
    order = _check_classes(landuse, class_column)
    geoms, cls = _resolve_overlaps(landuse, class_column, order)
    out_cls, out_geom = [], []
    for c in order:  # ~15 classes; pieces no longer overlap, so each union is a merge
        mask = (cls == c) & (shapely.area(geoms) > 0)
        if not mask.any():
            continue
        g = shapely.union_all(geoms[mask])
        if not g.is_empty and g.area > 0:
            out_cls.append(c)
            out_geom.append(g)
    return gpd.GeoDataFrame(
        geometry=out_geom, index=pd.Index(out_cls, name=class_column), crs=landuse.crs
    )


def _resolve_overlaps(
    landuse: gpd.GeoDataFrame, class_column: str, order: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per-polygon pieces that own their area once (priority: class order, then row).

    Each polygon loses the parts covered by polygons that come before it in the
    total order (class priority of :func:`landuse_classes`, then row position).
    Only pairs that actually overlap are differenced, in vectorised rounds (one
    round per neighbour rank), so the cost grows with the number of overlaps, not
    with the size of each class.
    """
    geoms = np.asarray(landuse.geometry.values, dtype=object)
    cls = landuse[class_column].astype(str).to_numpy()
    n = len(geoms)
    if n == 0:
        return geoms, cls
    rank = pd.Index(order).get_indexer(cls).astype(np.int64)
    key = rank * n + np.arange(n, dtype=np.int64)
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms)  # bounding boxes only; the order filter halves the pairs first
    keep = key[j] < key[i]
    i, j = i[keep], j[keep]
    if len(i):
        # interiors must meet (DE-9IM T********): edge-adjacent parcels of a tessellation only
        # touch and share no area. One relate per pair, 1.6x faster than intersects + touches
        real = shapely.relate_pattern(geoms[i], geoms[j], "T********")
        i, j = i[real], j[real]
    if len(i) == 0:
        return geoms, cls
    out = geoms.copy()
    o = np.argsort(i, kind="stable")
    i, j = i[o], j[o]
    first = np.r_[0, np.flatnonzero(np.diff(i)) + 1]
    nth = np.arange(len(i)) - np.repeat(first, np.diff(np.r_[first, len(i)]))
    for r in range(int(nth.max()) + 1):  # rounds over neighbour rank, vectorised within
        sel = nth == r
        out[i[sel]] = shapely.difference(out[i[sel]], geoms[j[sel]])
    return out, cls


def landuse_area(
    zones: gpd.GeoDataFrame,
    landuse: gpd.GeoDataFrame,
    *,
    class_column: str = "class",
    classes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Area of each land-use class inside each zone, by exact polygon intersection.

    Parameters
    ----------
    zones : GeoDataFrame
        Spatial units (grid cells or zones), projected metric CRS, unique index.
    landuse : GeoDataFrame
        Land-use polygons in the same CRS with a canonical class column. Overlaps
        are resolved first with :func:`flatten_landuse`.
    class_column : str, default "class"
        Column holding canonical classes.
    classes : sequence of str, optional
        Classes to report (columns); default all canonical classes.

    Returns
    -------
    DataFrame
        Square metres, columns ``landuse_area_{class}``, aligned to ``zones.index``.

    Notes
    -----
    Overlaps are resolved per polygon (see :func:`flatten_landuse` for the
    priority) without unioning whole classes. Polygon-unit pairs come from an
    STRtree; the pieces are measured by exact intersection.
    """
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    check_geometries(zones, "zones", geom_types=_POLY)
    check_same_crs({"zones": zones, "landuse": landuse})
    check_columns(landuse, [class_column], "landuse")
    check_geometries(landuse, "landuse", geom_types=_POLY, allow_empty_layer=True)
    order = _check_classes(landuse, class_column)
    known = list(landuse_classes().index)
    classes = known if classes is None else list(classes)
    unknown = sorted(set(classes) - set(known))
    if unknown:
        msg = f"`classes` holds unknown class(es) {unknown}; expected some of {known}."
        raise InputError(msg)
    out = np.zeros((len(zones), len(classes)))
    if len(landuse):
        col_of_poly = pd.Index(classes).get_indexer(landuse[class_column].astype(str))
        wanted = col_of_poly >= 0
        geoms, _ = _resolve_overlaps(landuse, class_column, order)
        geoms, col_of_poly = geoms[wanted], col_of_poly[wanted]
        zi, pi, areas = _intersection_areas(zones, geoms)
        np.add.at(out, (zi, col_of_poly[pi]), areas)
    return pd.DataFrame(out, index=zones.index, columns=[cols.landuse_area(c) for c in classes])


default_registry().register(Measure(
    name="landuse_area", func=landuse_area, needs=("units", "landuse"), columns=(
        column_entry("landuse_area_{class}", "m2", "+", "descriptive", "各类用地面积",
                     "area of one land-use class in the unit (exact intersection)",
                     "|landuse_k ∩ unit|", "GB 50137-2011"),
    )))


def _intersection_areas(
    zones: gpd.GeoDataFrame, geoms: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit position, polygon position, intersection area) for every overlapping pair.

    Square grids from :func:`~cityind_gis.units.make_grid`: polygons are cut into
    grid columns and then rows with :func:`shapely.clip_by_rect` (one vectorised
    call per grid column and per grid row, GEOS's rectangle clipper), which is
    several times faster than general intersections; partial boundary cells of a
    clipped grid are intersected exactly. Other units: STRtree + intersection.
    """
    spec = zones.attrs.get("grid", {})
    zgeoms = zones.geometry.values
    if not (spec.get("kind", "square") == "square" and "n_cols" in spec) or len(geoms) == 0:
        tree = shapely.STRtree(geoms)
        zi, pi = tree.query(zgeoms, predicate="intersects")
        return zi, pi, shapely.area(shapely.intersection(zgeoms[zi], geoms[pi]))
    s, x0, y0 = spec["cell_size"], spec["x0"], spec["y0"]
    ncc, ncr = spec["n_cols"], spec["n_rows"]
    lut = np.full(ncc * ncr, -1, dtype=np.int64)
    lut[zones.index.to_numpy(dtype=np.int64)] = np.arange(len(zones))
    full = np.isclose(shapely.area(zgeoms), s * s)

    def split(parts: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: int,
              origin: float, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        k0 = np.clip(np.floor((lo - origin) / s), 0, n - 1).astype(np.int64)
        k1 = np.clip(np.ceil((hi - origin) / s) - 1, 0, n - 1).astype(np.int64)
        k1 = np.maximum(k1, k0)
        reps = k1 - k0 + 1
        src = np.repeat(np.arange(len(parts)), reps)
        k = np.repeat(k0, reps) + (np.arange(len(src)) - np.repeat(np.cumsum(reps) - reps, reps))
        out = np.empty(len(src), dtype=object)
        order = np.argsort(k, kind="stable")
        bounds = np.r_[0, np.flatnonzero(np.diff(k[order])) + 1, len(order)]
        for a_, b_ in zip(bounds[:-1], bounds[1:], strict=True):  # one call per grid line
            sel = order[a_:b_]
            kk = int(k[sel[0]])
            lo_, hi_ = origin + kk * s, origin + (kk + 1) * s
            rect = (lo_, ext[1], hi_, ext[3]) if axis == 0 else (ext[0], lo_, ext[2], hi_)
            try:
                out[sel] = shapely.clip_by_rect(parts[src[sel]], *rect)
            except shapely.errors.GEOSException:
                # a dirty piece from the previous cut (rings of < 4 points): exact fallback
                fixed = shapely.make_valid(parts[src[sel]])
                out[sel] = shapely.intersection(fixed, shapely.box(*rect))
        return out, src, k

    b = shapely.bounds(geoms)
    inx = (b[:, 2] > x0) & (b[:, 0] < x0 + ncc * s) & (b[:, 3] > y0) & (b[:, 1] < y0 + ncr * s)
    cand = np.flatnonzero(inx)  # empty geometries have NaN bounds and drop out here
    if len(cand) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    ext = (float(b[cand, 0].min()) - 1.0, float(b[cand, 1].min()) - 1.0,
           float(b[cand, 2].max()) + 1.0, float(b[cand, 3].max()) + 1.0)
    cols_parts, src, col = split(geoms[cand], b[cand, 0], b[cand, 2], ncc, x0, 0)
    owner = cand[src]
    keep = ~shapely.is_empty(cols_parts)
    cols_parts, owner, col = cols_parts[keep], owner[keep], col[keep]
    cb = shapely.bounds(cols_parts)
    cells, src, row = split(cols_parts, cb[:, 1], cb[:, 3], ncr, y0, 1)
    area = shapely.area(cells)
    zi = lut[row * ncc + col[src]]
    ok = (zi >= 0) & (area > 0)
    zi, pi, area = zi[ok], owner[src][ok], area[ok]
    exact = ~full[zi]
    if exact.any():  # partial (clipped) boundary cells: intersect with the true cell shape
        area[exact] = shapely.area(shapely.intersection(zgeoms[zi[exact]], geoms[pi[exact]]))
        ok = area > 0
        zi, pi, area = zi[ok], pi[ok], area[ok]
    return zi, pi, area


def landuse_shares(area: pd.DataFrame, zone_area: pd.Series) -> pd.DataFrame:
    """Share of each zone's area in each land-use class.

    Parameters
    ----------
    area : DataFrame
        Output of :func:`landuse_area` (m², columns ``landuse_area_{class}``).
    zone_area : Series
        Zone area in m² (e.g. ``grid["cell_area_m2"]``), aligned to ``area``.

    Returns
    -------
    DataFrame
        Shares in [0, 1], columns ``{class}_share``, aligned to ``area.index``.

    Notes
    -----
    :math:`s_{z,k} = A_{z,k} / A_z` with :math:`A_z` the whole zone area, so shares of a
    zone partly without land-use data sum to less than 1.
    """
    if (zone_area <= 0).any():
        msg = "`zone_area` must be positive for every zone; found zero or negative areas."
        raise InputError(msg)
    shares = area.div(zone_area, axis=0).clip(upper=1.0)
    shares.columns = [cols.share(cols.category_of(c, cols.LANDUSE_AREA) or c)
                      for c in area.columns]
    return shares


@measure(name="landuse_shares", needs=("landuse_area", "cell_area"), columns=(
    column_entry("industrial_share", "share 0-1", "+", "industry", "工业用地占单元面积的比例",
                 "share of the unit's area in industrial land (GB 50137 M)",
                 "A_industrial / A_unit", "GB 50137-2011; Xu Weixiang et al. 2020", default=True),
    column_entry("logistics_share", "share 0-1", "+", "industry", "物流仓储用地占比",
                 "share of the unit's area in logistics and warehousing land (W)",
                 "A_logistics / A_unit", "GB 50137-2011", default=True),
    column_entry("residential_share", "share 0-1", "+", "urban", "居住用地占比",
                 "share of the unit's area in residential land (R)",
                 "A_residential / A_unit", "GB 50137-2011", default=True),
    column_entry("public_service_share", "share 0-1", "+", "urban", "公共管理与公共服务用地占比",
                 "share in public administration and services land (A1+A3+A5+A2/A4)",
                 "sum of administration, education, healthcare, culture_sports areas / A_unit",
                 "GB 50137-2011", default=True),
    column_entry("commercial_share", "share 0-1", "+", "urban", "商业服务业设施用地占比",
                 "share in commercial land (B1)", "A_commercial / A_unit", "GB 50137-2011",
                 default=True),
    column_entry("{class}_share", "share 0-1", "+", "descriptive", "各类用地占比",
                 "share of the unit's area in one land-use class", "A_k / A_unit",
                 "GB 50137-2011"),
))
def _landuse_shares(area: pd.DataFrame, zone_area: pd.Series) -> pd.DataFrame:
    """Every class share, then ``public_service_share`` (:data:`PUBLIC_SERVICE_CLASSES`)."""
    shares = landuse_shares(area, zone_area)
    public = [cols.share(c) for c in PUBLIC_SERVICE_CLASSES]
    check_columns(shares, public, "shares")
    shares["public_service_share"] = shares[public].sum(axis=1)
    return shares


def land_use_mix(area: pd.DataFrame, *, n_classes: int | None = None) -> pd.Series:
    """Normalised Shannon entropy of land-use classes in each zone (land-use mix).

    Parameters
    ----------
    area : DataFrame
        Class areas per zone (m²), e.g. from :func:`landuse_area`.
    n_classes : int, optional
        K, the number of land-use types considered. Default: the number of
        columns of ``area`` with any area in the study area.

    Returns
    -------
    Series
        Mix in [0, 1] named ``land_use_mix``; 0 for zones with one class or no land use.

    Notes
    -----
    .. math:: LUM_z = -\\frac{\\sum_{k=1}^{K} p_{z,k} \\ln p_{z,k}}{\\ln K},
              \\quad p_{z,k} = A_{z,k} / \\sum_k A_{z,k}

    with :math:`0 \\ln 0 = 0` (Cervero & Kockelman 1997; Frank et al. 2004).
    """
    values = area.to_numpy(dtype=float)
    k = int((values.sum(axis=0) > 0).sum()) if n_classes is None else int(n_classes)
    total = values.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(total > 0, values / np.where(total > 0, total, 1.0), 0.0)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    h = 0.0 - plogp.sum(axis=1) + 0.0  # + 0.0 turns -0.0 into 0.0
    mix = h / np.log(k) if k >= 2 else np.zeros_like(h)
    return pd.Series(np.clip(mix, 0.0, 1.0), index=area.index, name="land_use_mix")


default_registry().register(Indicator(
    name="land_use_mix", func=land_use_mix, needs=("landuse_area",), unit="index 0-1",
    direction="+", subsystem="urban", default=True,
    label_zh="土地利用混合度(归一化Shannon熵)",
    label_en="normalised Shannon entropy of land-use classes",
    formula="-sum_k p_k ln p_k / ln K", citation="Cervero & Kockelman 1997; Frank et al. 2004"))


def combined_share(shares: pd.DataFrame, classes: Sequence[str], *, name: str) -> pd.Series:
    """Sum of several class shares (e.g. industrial + logistics, or public service).

    Parameters
    ----------
    shares : DataFrame
        Output of :func:`landuse_shares` (columns ``{class}_share``).
    classes : sequence of str
        Classes to add up.
    name : str
        Name of the result, e.g. ``"industrial_logistics_share"``.

    Returns
    -------
    Series
        :math:`\\sum_{k \\in K} s_{z,k}`, clipped to [0, 1].
    """
    names = [cols.share(c) for c in classes]
    check_columns(shares, names, "shares")
    return shares[names].sum(axis=1).clip(upper=1.0).rename(name)


@indicator(name="industrial_logistics_share", needs=("landuse_shares",), unit="share 0-1",
           direction="+", subsystem="industry", label_zh="工业与物流仓储用地合计占比",
           label_en="share in industrial plus logistics land (M + W)",
           formula="(A_industrial + A_logistics) / A_unit", citation="GB 50137-2011")
def _industrial_logistics_share(shares: pd.DataFrame) -> pd.Series:
    return combined_share(shares, ["industrial", "logistics"], name="industrial_logistics_share")


@indicator(name="landuse_area_industrial_logistics", needs=("landuse_area",), unit="m2",
           direction="+", subsystem="industry", label_zh="工业与物流仓储用地面积",
           label_en="area of industrial plus logistics land in the unit",
           formula="A_industrial + A_logistics", citation="GB 50137-2011")
def _industrial_logistics_area(area: pd.DataFrame) -> pd.Series:
    need = [cols.landuse_area("industrial"), cols.landuse_area("logistics")]
    check_columns(area, need, "area")
    return (area[need[0]] + area[need[1]]).rename("landuse_area_industrial_logistics")


def jobs_housing(area: pd.DataFrame) -> pd.DataFrame:
    """Jobs-housing proxies from land: job land (industrial + business) vs housing land.

    Parameters
    ----------
    area : DataFrame
        Output of :func:`landuse_area` with ``landuse_area_industrial``,
        ``landuse_area_business`` and ``landuse_area_residential``.

    Returns
    -------
    DataFrame
        ``jobs_housing_ratio`` = J / H (NaN where H = 0) and
        ``jobs_housing_balance`` = 1 - |J - H| / (J + H) in [0, 1] (0 where
        J + H = 0).

    Notes
    -----
    :math:`J = A_{industrial} + A_{business}`, :math:`H = A_{residential}`. The
    balance is 1 when job and housing land are equal and 0 when only one exists
    (after the jobs-housing ratio of Cervero 1989). Land is a proxy: it ignores
    density of jobs and dwellings.
    """
    ind, bus, res = (cols.landuse_area(c) for c in ("industrial", "business", "residential"))
    check_columns(area, [ind, bus, res], "area")
    j = (area[ind] + area[bus]).to_numpy(dtype=float)
    h = area[res].to_numpy(dtype=float)
    ratio = np.divide(j, h, out=np.full(len(j), np.nan), where=h > 0)
    s = j + h
    balance = np.where(s > 0, 1.0 - np.abs(j - h) / np.where(s > 0, s, 1.0), 0.0)
    return pd.DataFrame({"jobs_housing_ratio": ratio, "jobs_housing_balance": balance},
                        index=area.index)


default_registry().register(Measure(
    name="jobs_housing", func=jobs_housing, needs=("landuse_area",), columns=(
        column_entry("jobs_housing_ratio", "ratio", "+", "urban",
                     "职住比代理(工业+商务用地/居住用地)",
                     "jobs-housing proxy: (industrial + business) land over residential land",
                     "(A_industrial + A_business) / A_residential (NaN where A_residential = 0)",
                     "Cervero 1989"),
        column_entry("jobs_housing_balance", "index 0-1", "+", "urban", "职住平衡度",
                     "jobs-housing balance: 1 - |J - H| / (J + H) of job land J and housing "
                     "land H", "1 - |J - H| / (J + H), 0 where J + H = 0",
                     "Cervero 1989; Peng 1997", default=True),
    )))


def space_shares(area: pd.DataFrame, zone_area: pd.Series) -> pd.DataFrame:
    """Production-living-ecological space (三生空间) shares of each unit.

    Parameters
    ----------
    area : DataFrame
        Output of :func:`landuse_area` (columns ``landuse_area_{class}``).
    zone_area : Series
        Unit area in m², aligned to ``area``.

    Returns
    -------
    DataFrame
        ``space_share_production``, ``space_share_living``,
        ``space_share_ecological`` in [0, 1].

    Notes
    -----
    Each canonical class belongs to one space through the ``space`` column of
    ``taxonomy/data/landuse_classes.csv`` (industrial, logistics, business,
    transport, utilities: production; residential, commercial and public
    services: living; green, water, agriculture: ecological), after Liu Jilai
    et al. (2017, 地理学报 72(7)). ``other`` belongs to none.
    """
    if (zone_area <= 0).any():
        msg = "`zone_area` must be positive for every zone; found zero or negative areas."
        raise InputError(msg)
    space = landuse_classes()["space"]
    out = {}
    for sp in ("production", "living", "ecological"):
        names = [cols.landuse_area(c) for c in space.index[space == sp]
                 if cols.landuse_area(c) in area.columns]
        total = area[names].sum(axis=1) if names else pd.Series(0.0, index=area.index)
        out[f"space_share_{sp}"] = (total / zone_area).clip(upper=1.0)
    return pd.DataFrame(out, index=area.index)


default_registry().register(Measure(
    name="space_shares", func=space_shares, needs=("landuse_area", "cell_area"), columns=(
        column_entry("space_share_{space}", "share 0-1", "+", "descriptive",
                     "三生空间(生产/生活/生态)占比",
                     "share of production, living or ecological space",
                     "sum of class areas of that space / A_unit",
                     "landuse_classes.csv `space`; Liu Jilai et al. 2017"),
    )))


def building_area(
    zones: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    class_column: str = "class",
    classes: Sequence[str] = ("industrial",),
    levels_column: str | None = None,
    default_levels: float = 1.0,
) -> pd.DataFrame:
    """Footprint and floor area of buildings of some classes in each unit.

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS, unique index.
    buildings : GeoDataFrame
        Building outlines in the same CRS with a class column (e.g. OSM
        ``building=industrial/warehouse`` mapped to ``industrial``).
    class_column : str, default "class"
        Column of building classes.
    classes : sequence of str, default ("industrial",)
        Classes to report.
    levels_column : str, optional
        Number of floors per building; missing or non-positive values take
        ``default_levels``. Without it every building has ``default_levels``.
    default_levels : float, default 1.0
        Floors assumed where unknown.

    Returns
    -------
    DataFrame
        ``building_footprint_{class}`` and ``building_floor_area_{class}`` in m²,
        ``building_coverage_{class}`` (footprint / unit area), aligned to
        ``zones.index``.

    Notes
    -----
    :math:`F_{z,k} = \\sum_b |b \\cap z|` over buildings of class :math:`k`;
    floor area :math:`\\sum_b |b \\cap z| \\cdot levels_b`. Overlapping outlines
    are counted as drawn (building layers seldom overlap).
    """
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    check_geometries(zones, "zones", geom_types=_POLY)
    check_same_crs({"zones": zones, "buildings": buildings})
    check_columns(buildings, [class_column] + ([levels_column] if levels_column else []),
                  "buildings")
    check_geometries(buildings, "buildings", geom_types=_POLY, allow_empty_layer=True)
    check_positive(default_levels, "default_levels", unit="floors")
    classes = list(classes)
    col = pd.Index(classes).get_indexer(buildings[class_column].astype(str))
    keep = col >= 0
    geoms = np.asarray(buildings.geometry.values, dtype=object)[keep]
    col = col[keep]
    if levels_column:
        lv = pd.to_numeric(buildings[levels_column], errors="coerce").to_numpy(dtype=float)[keep]
        lv = np.where(np.isfinite(lv) & (lv > 0), lv, default_levels)
    else:
        lv = np.full(len(geoms), float(default_levels))
    foot = np.zeros((len(zones), len(classes)))
    floor = np.zeros((len(zones), len(classes)))
    if len(geoms):
        zi, bi, a = _intersection_areas(zones, geoms)
        np.add.at(foot, (zi, col[bi]), a)
        np.add.at(floor, (zi, col[bi]), a * lv[bi])
    zone_area = (zones["cell_area_m2"].to_numpy(dtype=float) if "cell_area_m2" in zones.columns
                 else zones.geometry.area.to_numpy())
    out = pd.DataFrame(index=zones.index)
    for k, c in enumerate(classes):
        out[f"building_footprint_{c}"] = foot[:, k]
        out[f"building_floor_area_{c}"] = floor[:, k]
        out[f"building_coverage_{c}"] = np.clip(foot[:, k] / zone_area, 0.0, 1.0)
    return out
