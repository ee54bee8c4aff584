"""Building indicators: storeys, use classes located on land use, floor area and plot ratio.

Building outlines enter the industrial subsystem as the footprint and floor area of
industrial buildings per unit (:func:`cityind_gis.indicators.building_area`) and as
the plot ratio of industrial land (工业用地容积率). Two facts are rarely complete in
real building layers, so this module fills them explicitly and reproducibly:

* storeys (:func:`building_levels`): a levels column, else the height divided by a
  storey height, else a default;
* use (:func:`classify_by_landuse`): buildings tagged only as "a building"
  (OSM ``building=yes``, or Chinese outline datasets without a use field) take the
  use of the land-use parcel under them, so a shed on industrial land counts as an
  industrial building and a dormitory tagged ``dormitory`` stays residential.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InputError
from .._validate import check_columns, check_same_crs
from .landuse import building_area
from .registry import column_entry, indicator, measure

__all__ = [
    "BUILDING_CLASSES",
    "UNKNOWN",
    "LANDUSE_TO_BUILDING",
    "building_levels",
    "classify_by_landuse",
    "plot_ratio",
]

#: Canonical building classes (``building_use`` mapping targets).
BUILDING_CLASSES: tuple[str, ...] = ("industrial", "logistics", "residential", "commercial",
                                     "public", "other")
#: Class of a generic building whose use comes from the land under it.
UNKNOWN = "unknown"
#: Canonical land-use class -> building class, for :func:`classify_by_landuse`.
LANDUSE_TO_BUILDING: dict[str, str] = {
    "industrial": "industrial", "logistics": "logistics", "residential": "residential",
    "commercial": "commercial", "business": "commercial", "administration": "public",
    "education": "public", "healthcare": "public", "culture_sports": "public",
}


def building_levels(
    buildings: pd.DataFrame,
    *,
    levels_column: str | None = None,
    height_column: str | None = None,
    floor_height: float = 3.0,
    default_levels: float = 1.0,
) -> pd.Series:
    """Number of storeys of each building, from levels, height or a default.

    Parameters
    ----------
    buildings : DataFrame or GeoDataFrame
        Building table (any CRS; geometry is not used).
    levels_column : str, optional
        Storeys (OSM ``building:levels``, 层数). Text such as ``"3"`` or ``"2.5"``
        is read as a number; missing, non-numeric or non-positive values fall back.
    height_column : str, optional
        Height in metres (OSM ``height``, 高度); ``"12 m"`` is read as 12.
    floor_height : float, default 3.0
        Metres per storey used to turn a height into storeys.
    default_levels : float, default 1.0
        Storeys where neither a level count nor a height is known.

    Returns
    -------
    Series
        ``float`` storeys aligned to ``buildings.index``, named ``levels``;
        ``attrs["source"]`` counts the buildings that took each source
        (``levels``, ``height``, ``default``).

    Notes
    -----
    .. math:: L_b = \\begin{cases} \\ell_b & \\ell_b > 0 \\\\
              \\max(1, \\operatorname{round}(H_b / h)) & H_b > 0 \\\\
              L_0 & \\text{otherwise} \\end{cases}

    with :math:`\\ell_b` the recorded storeys, :math:`H_b` the height and :math:`h`
    the storey height (3 m is the usual residential value; industrial halls are
    taller, so give their storeys when known).
    """
    for value, what in ((floor_height, "floor_height"), (default_levels, "default_levels")):
        if isinstance(value, bool) or not np.isfinite(value) or value <= 0:
            msg = f"`{what}` must be a positive number, got {value!r}."
            raise InputError(msg)
    check_columns(buildings, [c for c in (levels_column, height_column) if c], "buildings")
    n = len(buildings)
    levels = _numbers(buildings[levels_column]) if levels_column else np.full(n, np.nan)
    height = _numbers(buildings[height_column]) if height_column else np.full(n, np.nan)
    from_levels = np.isfinite(levels) & (levels > 0)
    from_height = ~from_levels & np.isfinite(height) & (height > 0)
    out = np.full(n, float(default_levels))
    out[from_height] = np.maximum(1.0, np.round(height[from_height] / floor_height))
    out[from_levels] = levels[from_levels]
    s = pd.Series(out, index=buildings.index, name="levels")
    s.attrs["source"] = {"levels": int(from_levels.sum()), "height": int(from_height.sum()),
                         "default": int(n - from_levels.sum() - from_height.sum())}
    return s


def _numbers(values: pd.Series) -> np.ndarray:
    """Leading number of each value (``"12 m"`` -> 12, ``"3;4"`` -> 3), NaN otherwise."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    text = values.astype("string").str.extract(r"^\s*([0-9]+(?:[.,][0-9]+)?)", expand=False)
    return pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)


def classify_by_landuse(
    buildings: gpd.GeoDataFrame,
    landuse: gpd.GeoDataFrame,
    *,
    class_column: str = "class",
    landuse_class_column: str = "class",
    priority: list[str] | None = None,
) -> pd.Series:
    """Give buildings of unknown use the use of the land-use parcel under them.

    Parameters
    ----------
    buildings : GeoDataFrame
        Building polygons with a class column (:data:`BUILDING_CLASSES` or
        ``"unknown"``; missing counts as unknown).
    landuse : GeoDataFrame
        Land-use polygons in the same CRS with canonical classes
        (:func:`cityind_gis.taxonomy.landuse_classes`).
    class_column : str, default "class"
        Building class column.
    landuse_class_column : str, default "class"
        Land-use class column.
    priority : list of str, optional
        Land-use classes in priority order where parcels overlap; default the
        canonical order (industrial first).

    Returns
    -------
    Series
        Building class aligned to ``buildings.index``: the given class where known,
        else :data:`LANDUSE_TO_BUILDING` of the land under the building's
        representative point (``"other"`` for other land and for no land use).

    Notes
    -----
    The representative point (:func:`shapely.point_on_surface`) lies inside the
    building, so a building straddling two parcels takes the parcel that holds
    that point. Where parcels overlap, the class first in ``priority`` wins, as
    in :func:`cityind_gis.indicators.flatten_landuse`.
    """
    check_columns(buildings, [class_column], "buildings")
    check_columns(landuse, [landuse_class_column], "landuse")
    check_same_crs({"buildings": buildings, "landuse": landuse})
    if priority is None:
        from ..taxonomy import landuse_classes

        priority = list(landuse_classes().index)
    cls = buildings[class_column].astype(object).where(buildings[class_column].notna(), UNKNOWN)
    todo = np.flatnonzero(cls.eq(UNKNOWN).to_numpy())
    out = cls.to_numpy(dtype=object).copy()
    if len(todo):
        out[todo] = "other"
        pts = shapely.point_on_surface(np.asarray(buildings.geometry.values)[todo])
        lu_geoms = np.asarray(landuse.geometry.values)
        if len(lu_geoms):
            rank = pd.Index(priority).get_indexer(landuse[landuse_class_column].astype(str))
            rank = np.where(rank < 0, len(priority), rank)
            # tree on the points, land use as the (prepared) query side: a point-in-polygon
            # test per pair against a prepared polygon, several times faster than the reverse
            li, bi = shapely.STRtree(pts).query(lu_geoms, predicate="intersects")
            best = np.full(len(todo), len(priority) + 1, dtype=np.int64)
            np.minimum.at(best, bi, rank[li])
            hit = best < len(priority)
            # building class of each priority rank: one lookup array, no loop over buildings
            as_building = np.array([LANDUSE_TO_BUILDING.get(c, "other") for c in priority],
                                   dtype=object)
            out[todo[hit]] = as_building[best[hit]]
    unknown = sorted(set(pd.unique(out)) - set(BUILDING_CLASSES))
    if unknown:
        warnings.warn(f"building classes {unknown} are not canonical building classes "
                      f"{list(BUILDING_CLASSES)}; they are kept as given.", stacklevel=2)
    return pd.Series(out, index=buildings.index, name=class_column)


def plot_ratio(
    zones: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    land: gpd.GeoDataFrame,
    *,
    levels_column: str = "levels",
    name: str = "plot_ratio",
) -> pd.Series:
    """Plot ratio (floor-area ratio, 容积率) of some land in each unit.

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS, unique index.
    buildings : GeoDataFrame
        Building polygons in the same CRS with a storeys column.
    land : GeoDataFrame
        The land whose plot ratio is wanted (e.g. the industrial land-use
        polygons), same CRS; overlapping polygons are dissolved first.
    levels_column : str, default "levels"
        Storeys of each building (:func:`building_levels`).
    name : str, default "plot_ratio"
        Name of the result, e.g. ``"industrial_plot_ratio"``.

    Returns
    -------
    Series
        Floor area on that land over the land's area, per unit; 0 where the unit
        holds none of that land. Aligned to ``zones.index``.

    Notes
    -----
    .. math:: FAR_z = \\frac{\\sum_b |b \\cap L \\cap z| \\, L_b}{|L \\cap z|}

    with :math:`L` the land, :math:`b` the buildings and :math:`L_b` their storeys:
    the plot ratio of GB 50137-2011 and of the industrial-land control indicators
    (《工业项目建设用地控制指标》, 国土资发〔2008〕24号, which set a minimum plot
    ratio per industry). Every building standing on the land counts, whatever
    its use, as in a parcel's plot ratio; a building straddling the land's edge
    counts with the part inside.
    """
    from .._validate import check_geometries, check_projected, check_unique_index
    from .landuse import _intersection_areas

    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    check_same_crs({"zones": zones, "buildings": buildings, "land": land})
    check_columns(buildings, [levels_column], "buildings")
    check_geometries(land, "land", geom_types=("Polygon", "MultiPolygon"), allow_empty_layer=True)
    land_area = np.zeros(len(zones))
    floor = np.zeros(len(zones))
    if len(land):
        # disjoint pieces of the land, parcel-sized (overlaps resolved pair by pair, no union of
        # the whole class, whose huge polygons would make every intersection below slow)
        from .landuse import _resolve_overlaps

        one = gpd.GeoDataFrame({"c": np.zeros(len(land), dtype=np.int64)},
                               geometry=np.asarray(land.geometry.values), crs=land.crs)
        parts, _ = _resolve_overlaps(one, "c", ["0"])
        parts = shapely.get_parts(parts[~shapely.is_empty(parts)])
        parts = parts[shapely.area(parts) > 0]
        zi, _, a = _intersection_areas(zones, parts)
        np.add.at(land_area, zi, a)
        bgeoms = np.asarray(buildings.geometry.values)
        if len(bgeoms) and len(parts):
            bi, li = shapely.STRtree(bgeoms).query(parts, predicate="intersects")[::-1]
            shapely.prepare(parts)
            inside = shapely.contains_properly(parts[li], bgeoms[bi])  # most buildings: whole
            pieces = bgeoms[bi].copy()
            pieces[~inside] = shapely.intersection(bgeoms[bi[~inside]], parts[li[~inside]])
            keep = shapely.area(pieces) > 0
            pieces, bi = pieces[keep], bi[keep]
            levels = buildings[levels_column].to_numpy(dtype=float)[bi]
            zi, pi, a = _intersection_areas(zones, pieces)
            np.add.at(floor, zi, a * levels[pi])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(land_area > 0, floor / np.where(land_area > 0, land_area, 1.0), 0.0)
    return pd.Series(ratio, index=zones.index, name=name)


# ---------------------------------------------------------------------- registered measures
@measure(name="industrial_buildings", needs=("units", "buildings"), columns=(
    column_entry("building_footprint_industrial", "m2", "+", "industry", "工业建筑基底面积",
                 "footprint area of industrial buildings in the unit",
                 "sum of |building ∩ unit| over industrial buildings",
                 "building outlines (e.g. OSM building=industrial)"),
    column_entry("building_floor_area_industrial", "m2", "+", "industry",
                 "工业建筑面积(基底面积×层数)",
                 "floor area of industrial buildings (footprint x levels)",
                 "sum of |building ∩ unit| * levels", "building outlines with a levels column",
                 default=True),
    column_entry("building_coverage_industrial", "share 0-1", "+", "industry",
                 "工业建筑基底面积占单元面积比例",
                 "industrial building footprint over unit area (building coverage)",
                 "footprint_industrial / A_unit", "GB 50137-2011 building coverage"),
))
def _industrial_buildings(units: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> pd.DataFrame:
    """Footprint, floor area and coverage of buildings whose ``use`` is industrial."""
    return building_area(units, buildings, class_column="use", classes=("industrial",),
                         levels_column="levels")


@indicator(name="industrial_plot_ratio", needs=("units", "buildings", "landuse"), unit="ratio",
           direction="+", subsystem="industry", default=True,
           label_zh="工业用地容积率(工业用地上建筑面积/工业用地面积)",
           label_en="plot ratio of industrial land: floor area on it over its area "
                    "(intensity of use)",
           formula="sum_b |b ∩ L_ind ∩ z| * levels_b / |L_ind ∩ z| (0 without industrial land)",
           citation="GB 50137-2011; 工业项目建设用地控制指标 (国土资发〔2008〕24号)")
def _industrial_plot_ratio(units: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
                           landuse: gpd.GeoDataFrame) -> pd.Series:
    """:func:`plot_ratio` of the industrial land-use polygons (canonical ``class``)."""
    check_columns(landuse, ["class"], "landuse")
    return plot_ratio(units, buildings, landuse[landuse["class"] == "industrial"],
                      name="industrial_plot_ratio")
