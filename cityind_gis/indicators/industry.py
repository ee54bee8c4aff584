"""The industrial subsystem (U1): industrial land, parcels, estimated jobs and land-use diversity.

Beside the land shares of :mod:`.landuse`, the floor area and plot ratio of
:mod:`.buildings` and the enterprise POIs of :mod:`.poi`, U1 draws on what the
land-use layer says about the industrial land itself:

* its area in hectares (:func:`industrial_land_ha` through the registry);
* the size and the shape of its parcels (:func:`industrial_parcels`): the
  area-weighted mean parcel size and Polsby–Popper compactness
  (:func:`polsby_popper`) of the industrial and logistics parcels of each unit;
* the jobs it holds (:func:`estimated_jobs`): floor area (from buildings, or land
  area times a default plot ratio) over the floor area per job of each class,
  from the bundled table :func:`job_densities`;
* the diversity of its land uses (:func:`industrial_land_diversity`): the
  normalised Shannon entropy over the industrial land subtypes (M1/M2/M3 and
  W1/W2/W3 of GB 50137, or the OSM ``landuse`` values industrial, quarry,
  logistics, warehouse) the layer holds: the resource-based-city question of a
  single industrial structure.

The production classes are the ``industry`` group of
``taxonomy/data/landuse_classes.csv`` (:data:`INDUSTRY_CLASSES`: industrial and
logistics).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import columns as cols
from .._errors import InputError, SchemaError
from .._validate import (
    check_columns,
    check_geometries,
    check_projected,
    check_same_crs,
    check_unique_index,
)
from ..taxonomy import landuse_classes
from .registry import Indicator, Measure, column_entry, default_registry

__all__ = [
    "INDUSTRY_CLASSES",
    "JOB_DENSITY_COLUMNS",
    "job_densities",
    "polsby_popper",
    "industrial_parcels",
    "estimated_jobs",
    "industrial_land_diversity",
]

log = logging.getLogger(__name__)

_POLY = ("Polygon", "MultiPolygon")

#: Canonical land-use classes of production land (the ``industry`` group of
#: ``landuse_classes.csv``), in overlap-priority order: ``("industrial", "logistics")``.
INDUSTRY_CLASSES: tuple[str, ...] = tuple(
    landuse_classes().index[landuse_classes()["group"] == "industry"])

#: Columns of a job-density table (``taxonomy/data/job_densities.csv``).
JOB_DENSITY_COLUMNS: tuple[str, ...] = (
    "class", "floor_area_per_job_m2", "floor_basis", "default_plot_ratio", "density_source",
    "plot_ratio_source", "notes",
)

_BUNDLED_DENSITIES = "job_densities.csv"


# ---------------------------------------------------------------------- the job-density table
def job_densities(source: str | os.PathLike[str] | pd.DataFrame | None = None) -> pd.DataFrame:
    """Floor area per job and default plot ratio of each production class.

    Parameters
    ----------
    source : str, path-like or DataFrame, optional
        A UTF-8 CSV (``#`` starts a comment line) or a table with at least the
        columns ``class``, ``floor_area_per_job_m2`` and ``default_plot_ratio``
        (the others of :data:`JOB_DENSITY_COLUMNS` are kept when given). Default:
        the bundled ``taxonomy/data/job_densities.csv`` (HCA Employment Density
        Guide, 3rd ed. 2015; 《工业项目建设用地控制指标》 国土资发〔2008〕24号), whose
        header states every assumption.

    Returns
    -------
    DataFrame
        Indexed by class (one row for each of :data:`INDUSTRY_CLASSES`, in that
        order), ``floor_area_per_job_m2`` (m² of floor per full-time-equivalent
        job) and ``default_plot_ratio`` as floats, the text columns as given.

    Raises
    ------
    InputError
        If ``source`` is a path that does not exist, or neither a path nor a table.
    SchemaError
        If a column is missing, a class is unknown, repeated or missing, or a
        value is not a positive number.

    Examples
    --------
    >>> t = job_densities()
    >>> t.loc["industrial", "floor_area_per_job_m2"], t.loc["logistics", "floor_area_per_job_m2"]
    (36.0, 77.0)
    """
    if source is None:
        ref = resources.files("cityind_gis.taxonomy").joinpath("data", _BUNDLED_DENSITIES)
        with resources.as_file(ref) as p:
            table = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False,
                                encoding="utf-8")
        name = _BUNDLED_DENSITIES
    elif isinstance(source, pd.DataFrame):
        # a table as returned here (indexed by class) or with a `class` column
        table = (source.reset_index() if "class" not in source.columns
                 and source.index.name == "class" else source.copy())
        name = "job_densities"
    elif isinstance(source, str | os.PathLike):
        if not os.path.isfile(source):
            msg = (f"`job_densities` {str(source)!r} does not exist; give a CSV with the columns "
                   f"{list(JOB_DENSITY_COLUMNS[:4])} (see taxonomy/data/{_BUNDLED_DENSITIES}).")
            raise InputError(msg)
        table = pd.read_csv(source, comment="#", dtype=str, keep_default_na=False,
                            encoding="utf-8")
        name = os.path.basename(source)
    else:
        msg = (f"`job_densities` must be a CSV path, a DataFrame or None (the bundled table), "
               f"got {type(source).__name__}.")
        raise InputError(msg)
    check_columns(table, ["class", "floor_area_per_job_m2", "default_plot_ratio"], name)
    cls = table["class"].astype(str).str.strip()
    problems = []
    unknown = sorted(set(cls) - set(INDUSTRY_CLASSES))
    if unknown:
        problems.append(f"unknown class(es) {unknown}")
    repeated = sorted(set(cls[cls.duplicated()]))
    if repeated:
        problems.append(f"repeated class(es) {repeated}")
    missing = [c for c in INDUSTRY_CLASSES if c not in set(cls)]
    if missing:
        problems.append(f"no row for {missing}")
    values = {}
    for col in ("floor_area_per_job_m2", "default_plot_ratio"):
        v = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
        bad = ~(np.isfinite(v) & (v > 0))
        if bad.any():
            problems.append(f"`{col}` is not a positive number for {list(cls[bad])}")
        values[col] = v
    if problems:
        msg = (f"`{name}` is not a usable job-density table: {'; '.join(problems)}. Give one row "
               f"per production class {list(INDUSTRY_CLASSES)} with a positive "
               "`floor_area_per_job_m2` (m2 per FTE job) and `default_plot_ratio`.")
        raise SchemaError(msg)
    out = table.assign(**values)
    out["class"] = cls
    keep = [c for c in JOB_DENSITY_COLUMNS if c in out.columns]
    return out[keep].set_index("class").loc[list(INDUSTRY_CLASSES)]


# ---------------------------------------------------------------------- parcels
def polsby_popper(geometries: gpd.GeoSeries | gpd.GeoDataFrame) -> pd.Series:
    """Polsby–Popper compactness 4πA/P² of each polygon.

    Parameters
    ----------
    geometries : GeoSeries or GeoDataFrame
        Polygons in a projected metric CRS (the ratio has no unit, but a
        geographic CRS distorts shapes).

    Returns
    -------
    Series
        In (0, 1], 1 for a circle, aligned to the input's index and named
        ``polsby_popper``; NaN for empty or non-polygonal geometries.

    Notes
    -----
    .. math:: PP = \\frac{4 \\pi A}{P^2}

    with :math:`A` the area and :math:`P` the perimeter, holes included
    (Polsby & Popper 1991; the isoperimetric quotient). A square gives
    :math:`\\pi/4 \\approx 0.785`, a 200 × 50 m rectangle
    :math:`4\\pi \\cdot 10\\,000 / 500^2 \\approx 0.503`. A multipolygon counts
    the area and the perimeter of all its parts.

    Examples
    --------
    >>> import shapely
    >>> sq = gpd.GeoSeries([shapely.box(0, 0, 100, 100)], crs="EPSG:32650")
    >>> round(float(polsby_popper(sq).iloc[0]), 4)
    0.7854
    """
    check_projected(geometries, "geometries")
    geoms = np.asarray(geometries.geometry.values if isinstance(geometries, gpd.GeoDataFrame)
                       else geometries.values)
    area = shapely.area(geoms)
    perim = shapely.length(geoms)
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    ok = polygonal & (perim > 0)
    pp = np.divide(4.0 * np.pi * area, perim**2, out=np.full(len(geoms), np.nan), where=ok)
    return pd.Series(pp, index=geometries.index, name="polsby_popper")


def _family(landuse: gpd.GeoDataFrame, class_column: str, classes: Sequence[str],
            name: str = "landuse") -> gpd.GeoDataFrame:
    """The polygons of ``classes``, after the checks every measure here makes."""
    check_columns(landuse, [class_column], name)
    check_geometries(landuse, name, geom_types=_POLY, allow_empty_layer=True)
    unknown = sorted(set(classes) - set(landuse_classes().index))
    if unknown:
        msg = (f"`classes` holds unknown class(es) {unknown}; expected some of "
               f"{list(landuse_classes().index)}.")
        raise InputError(msg)
    return landuse[landuse[class_column].astype(str).isin(list(classes))]


def industrial_parcels(
    zones: gpd.GeoDataFrame,
    landuse: gpd.GeoDataFrame,
    *,
    class_column: str = "class",
    classes: Sequence[str] = INDUSTRY_CLASSES,
) -> pd.DataFrame:
    """Area-weighted mean size and compactness of the industrial parcels in each unit.

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS, unique index.
    landuse : GeoDataFrame
        Land-use polygons in the same CRS with a canonical class column; each
        polygon (each part of a multipolygon) is a parcel.
    class_column : str, default "class"
        Column of canonical classes.
    classes : sequence of str, default :data:`INDUSTRY_CLASSES`
        Classes whose polygons are industrial parcels (industrial and logistics).

    Returns
    -------
    DataFrame
        Aligned to ``zones.index``: ``industrial_parcel_size_ha`` (ha) and
        ``industrial_parcel_compactness`` (0–1), both 0 where the unit holds no
        industrial parcel.

    Notes
    -----
    Every parcel :math:`p` overlapping unit :math:`z` counts with its whole area
    :math:`A_p` and its whole shape, weighted by the part of it inside the unit,
    :math:`a_{pz} = |p \\cap z|`:

    .. math:: S_z = \\frac{\\sum_p a_{pz} A_p}{\\sum_p a_{pz}} \\cdot 10^{-4}, \\qquad
              PP_z = \\frac{\\sum_p a_{pz}\\, 4\\pi A_p / P_p^2}{\\sum_p a_{pz}}

    the area-weighted means of patch area and of a shape index of landscape
    metrics (FRAGSTATS ``AREA_AM``, ``SHAPE_AM``; McGarigal & Marks 1995), with
    the Polsby–Popper ratio (Polsby & Popper 1991) as the shape index: a parcel
    crossing a unit border keeps its true size and shape in both units instead
    of the size and shape of the cut piece. A unit covered by one 100 × 100 m
    parcel has :math:`S = 1` ha and :math:`PP = \\pi/4`.

    Direction: both enter U1 as "+". Large, compact (regular) parcels are the
    consolidated industrial land that factory layout, servicing and later
    redevelopment favour; small, irregular parcels are the fragmented industrial
    land (工业用地碎片化, scattered and leftover plots) that intensive-use
    policies target. Whether the land is used densely is measured separately,
    by the plot ratio and the estimated jobs. Parcels of these classes that
    overlap each other count as drawn (each with its own shape), and 0 for a
    unit without industrial parcels places it at the bottom of U1, as its
    industrial share of 0 does.
    """
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    check_geometries(zones, "zones", geom_types=_POLY)
    check_same_crs({"zones": zones, "landuse": landuse})
    from .landuse import _intersection_areas

    fam = _family(landuse, class_column, classes)
    size = np.zeros(len(zones))
    compact = np.zeros(len(zones))
    if len(fam):
        parts = shapely.get_parts(np.asarray(fam.geometry.values))
        area = shapely.area(parts)
        parts, area = parts[area > 0], area[area > 0]
        pp = 4.0 * np.pi * area / shapely.length(parts) ** 2
        zi, pi, a = _intersection_areas(zones, parts)
        weight = np.bincount(zi, weights=a, minlength=len(zones))
        s_sum = np.bincount(zi, weights=a * area[pi], minlength=len(zones))
        c_sum = np.bincount(zi, weights=a * pp[pi], minlength=len(zones))
        has = weight > 0
        size[has] = s_sum[has] / weight[has] / 1e4
        compact[has] = c_sum[has] / weight[has]
    return pd.DataFrame({"industrial_parcel_size_ha": size,
                         "industrial_parcel_compactness": compact}, index=zones.index)


# ---------------------------------------------------------------------- jobs
def estimated_jobs(
    zones: gpd.GeoDataFrame,
    *,
    landuse_area: pd.DataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    densities: str | os.PathLike[str] | pd.DataFrame | None = None,
    class_column: str = "use",
    levels_column: str = "levels",
) -> pd.DataFrame:
    """Estimated industrial jobs and job density of each unit from floor area by class.

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS, unique index; ``cell_area_m2`` (m²) is
        the unit area where present, else the geometry's area.
    landuse_area : DataFrame, optional
        :func:`~cityind_gis.indicators.landuse_area` (m², ``landuse_area_{class}``
        with the :data:`INDUSTRY_CLASSES`), aligned to ``zones``; used when no
        ``buildings`` are given.
    buildings : GeoDataFrame, optional
        Building polygons in the units' CRS with a building class column (the
        ``use`` of :mod:`.buildings`, generic buildings given the use of the land
        under them) and a storeys column. When given, the floor area comes from
        the buildings.
    densities : str, path-like or DataFrame, optional
        A job-density table (:func:`job_densities`); default the bundled one.
    class_column : str, default "use"
        Building class column.
    levels_column : str, default "levels"
        Storeys column of ``buildings``.

    Returns
    -------
    DataFrame
        Aligned to ``zones.index``: ``industrial_jobs`` (FTE jobs) and
        ``industrial_job_density`` (jobs per hectare of the unit).
        ``attrs["floor_area_from"]`` is ``"buildings"`` or ``"land"``.

    Raises
    ------
    InputError
        If neither ``landuse_area`` nor ``buildings`` is given.

    Notes
    -----
    .. math:: J_z = \\sum_k F_{z,k} / f_k, \\qquad \\rho_z = J_z / (A_z / 10^4)

    over the production classes :math:`k` (industrial, logistics), with
    :math:`f_k` the floor area per job of the table (industrial 36 m² GIA,
    logistics 77 m² GEA: HCA Employment Density Guide, 3rd ed. 2015) and the
    floor area :math:`F_{z,k}` either

    * measured: :math:`\\sum_b |b \\cap z| \\cdot L_b` over the buildings of
      class :math:`k` (footprint times storeys), or
    * assumed: :math:`A_{z,k} \\cdot r_k`, the land of class :math:`k` times the
      table's default plot ratio (0.7, after the minimum plot ratios of
      《工业项目建设用地控制指标》 国土资发〔2008〕24号).

    Either way the jobs are a linear function of floor (or land) area by
    class: an order of magnitude for reporting and for comparing units, not a
    count. A buildings layer missing some industrial buildings underestimates
    the jobs where they are missing; the table's header lists the other
    assumptions. Example: 1,000 m² of industrial land with 720 m² of industrial
    floor gives 20 jobs; without buildings, 1,000 · 0.7 / 36 = 19.4 jobs.
    """
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    table = job_densities(densities)
    per_job = table["floor_area_per_job_m2"].to_numpy(dtype=float)
    if buildings is not None:
        from .landuse import building_area

        check_columns(buildings, [class_column, levels_column], "buildings")
        b = building_area(zones, buildings, class_column=class_column,
                          classes=INDUSTRY_CLASSES, levels_column=levels_column)
        floor = b[[f"building_floor_area_{c}" for c in INDUSTRY_CLASSES]].to_numpy(dtype=float)
        source = "buildings"
    elif landuse_area is not None:
        need = [cols.landuse_area(c) for c in INDUSTRY_CLASSES]
        check_columns(landuse_area, need, "landuse_area")
        if not landuse_area.index.equals(zones.index):
            msg = ("`landuse_area` is not aligned to `zones.index`; compute it with "
                   "`landuse_area(zones, landuse)`.")
            raise InputError(msg)
        floor = (landuse_area[need].to_numpy(dtype=float)
                 * table["default_plot_ratio"].to_numpy(dtype=float))
        source = "land"
    else:
        msg = ("`estimated_jobs` needs the floor area: give `buildings` (building outlines with "
               "a use and storeys) or `landuse_area` (class areas, with the table's default plot "
               "ratio).")
        raise InputError(msg)
    jobs = (floor / per_job).sum(axis=1)
    area = (zones["cell_area_m2"].to_numpy(dtype=float) if "cell_area_m2" in zones.columns
            else zones.geometry.area.to_numpy())
    if (area <= 0).any():
        msg = "`zones` has units of zero area; the job density needs a positive unit area."
        raise InputError(msg)
    out = pd.DataFrame({"industrial_jobs": jobs, "industrial_job_density": jobs / (area / 1e4)},
                       index=zones.index)
    out.attrs["floor_area_from"] = source
    return out


# ---------------------------------------------------------------------- diversity
def industrial_land_diversity(
    zones: gpd.GeoDataFrame,
    landuse: gpd.GeoDataFrame,
    *,
    class_column: str = "class",
    subtype_column: str | None = "source_value",
    classes: Sequence[str] = INDUSTRY_CLASSES,
) -> pd.Series:
    """Normalised Shannon entropy of the industrial land subtypes in each unit.

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS, unique index.
    landuse : GeoDataFrame
        Land-use polygons in the same CRS with a canonical class column.
    class_column : str, default "class"
        Column of canonical classes.
    subtype_column : str or None, default "source_value"
        Column of the finer use of each polygon (the raw code or tag value the
        loaders keep: GB 50137 ``M1``/``M2``/``W1``, OSM ``industrial``,
        ``quarry``, ``warehouse``); a polygon without one, and every polygon when
        None or when the column is absent, takes its class.
    classes : sequence of str, default :data:`INDUSTRY_CLASSES`
        Classes of industrial land.

    Returns
    -------
    Series
        In [0, 1], named ``industrial_land_diversity``, aligned to
        ``zones.index``; 0 where the unit holds no industrial land or one subtype.
        NaN everywhere when the units hold fewer than two subtypes (K < 2, the
        entropy cannot be normalised); ``attrs["subtypes"]`` lists the K subtypes.

    Notes
    -----
    .. math:: H_z = -\\frac{\\sum_{i=1}^{K} p_{z,i} \\ln p_{z,i}}{\\ln K}, \\qquad
              p_{z,i} = A_{z,i} / \\sum_j A_{z,j}

    with :math:`A_{z,i}` the area of subtype :math:`i` in unit :math:`z` (overlaps
    resolved as in :func:`~cityind_gis.indicators.landuse_area`) and :math:`K` the
    number of subtypes with area in the units (Shannon 1948; the normalisation
    is Pielou's evenness, Pielou 1966). A unit whose industrial land is half M1
    and half W1 of a layer with K = 2 subtypes scores 1; a single industrial
    structure scores 0 (Attaran 1986 on industrial diversification). Subtypes
    are counted per class (``industrial:M1``), so the same code in two classes
    stays two subtypes.
    """
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    check_geometries(zones, "zones", geom_types=_POLY)
    check_same_crs({"zones": zones, "landuse": landuse})
    from .landuse import _intersection_areas, _resolve_overlaps

    fam = _family(landuse, class_column, classes)
    cls = fam[class_column].astype(str)
    if subtype_column is not None and subtype_column in fam.columns:
        sub = fam[subtype_column].astype("string").str.strip()
        sub = sub.where(sub.notna() & sub.ne(""), cls)
    else:
        sub = cls
    keys = (cls + ":" + sub.astype(str)).to_numpy(dtype=object)
    names, code = np.unique(keys, return_inverse=True) if len(keys) else (np.array([]), keys)
    area = np.zeros((len(zones), len(names)))
    if len(fam):
        geoms, _ = _resolve_overlaps(fam, class_column, list(classes))
        zi, pi, a = _intersection_areas(zones, geoms)
        np.add.at(area, (zi, np.asarray(code, dtype=np.int64)[pi]), a)
    present = area.sum(axis=0) > 0
    area, names = area[:, present], names[present]
    k = len(names)
    if k < 2:
        out = pd.Series(np.nan, index=zones.index, name="industrial_land_diversity")
    else:
        total = area.sum(axis=1, keepdims=True)
        p = np.divide(area, total, out=np.zeros_like(area), where=total > 0)
        logp = np.log(p, out=np.zeros_like(p), where=p > 0)
        h = (0.0 - (p * logp).sum(axis=1) + 0.0) / np.log(k)
        out = pd.Series(np.clip(h, 0.0, 1.0), index=zones.index, name="industrial_land_diversity")
    out.attrs["subtypes"] = [str(n) for n in names]
    return out


# ---------------------------------------------------------------------- registered measures
_REG = default_registry()


def _industrial_land_ha(area: pd.DataFrame) -> pd.Series:
    check_columns(area, [cols.landuse_area("industrial")], "area")
    return (area[cols.landuse_area("industrial")] / 1e4).rename("industrial_land_ha")


_REG.register(Indicator(
    name="industrial_land_ha", func=_industrial_land_ha, needs=("landuse_area",), unit="ha",
    direction="+", subsystem="industry", label_zh="工业用地面积(公顷)",
    label_en="area of industrial land in the unit, in hectares",
    formula="A_industrial / 1e4", citation="GB 50137-2011"))

_REG.register(Measure(
    name="industrial_parcels", func=industrial_parcels, needs=("units", "landuse"), columns=(
        column_entry("industrial_parcel_size_ha", "ha", "+", "industry",
                     "工业地块平均规模(面积加权)",
                     "area-weighted mean size of the industrial and logistics parcels "
                     "overlapping the unit (0 without)",
                     "sum_p a_pz A_p / sum_p a_pz / 1e4, a_pz = |p ∩ z|",
                     "McGarigal & Marks 1995 (FRAGSTATS AREA_AM)", default=True),
        column_entry("industrial_parcel_compactness", "index 0-1", "+", "industry",
                     "工业地块紧凑度(Polsby-Popper,面积加权)",
                     "area-weighted mean Polsby-Popper compactness 4πA/P² of those parcels "
                     "(0 without)",
                     "sum_p a_pz 4 pi A_p / P_p^2 / sum_p a_pz",
                     "Polsby & Popper 1991; McGarigal & Marks 1995 (SHAPE_AM)", default=True),
    )))


def _jobs(units: gpd.GeoDataFrame, area: pd.DataFrame, *, buildings: gpd.GeoDataFrame | None,
          job_densities: object) -> pd.DataFrame:
    """:func:`estimated_jobs` from the buildings when given, else from the land."""
    out = estimated_jobs(units, landuse_area=area, buildings=buildings,
                         densities=job_densities)  # type: ignore[arg-type]
    log.info("estimated industrial jobs from the %s: %.0f in all",
             "buildings' floor area" if out.attrs["floor_area_from"] == "buildings"
             else "land area x default plot ratio", out["industrial_jobs"].sum())
    return out


_REG.register(Measure(
    name="industrial_jobs", func=_jobs, needs=("units", "landuse_area"),
    uses=("buildings", "job_densities"), columns=(
        column_entry("industrial_jobs", "FTE jobs", "+", "industry", "工业就业岗位估算",
                     "estimated industrial and logistics jobs: floor area by class over the "
                     "floor area per job", "sum_k F_k / f_k, F_k from buildings (footprint x "
                     "levels) or A_k x default plot ratio",
                     "HCA Employment Density Guide 3rd ed. 2015; 国土资发〔2008〕24号 "
                     "(taxonomy/data/job_densities.csv)"),
        column_entry("industrial_job_density", "jobs per ha", "+", "industry",
                     "工业就业岗位密度(岗位/公顷)",
                     "estimated industrial and logistics jobs per hectare of the unit",
                     "industrial_jobs / (A_unit / 1e4)",
                     "HCA Employment Density Guide 3rd ed. 2015"),
    )))


def _diversity(units: gpd.GeoDataFrame, landuse: gpd.GeoDataFrame) -> pd.Series | None:
    """:func:`industrial_land_diversity`; None (no column) when the units hold K < 2 subtypes."""
    out = industrial_land_diversity(units, landuse)
    if out.isna().all():
        log.info("industrial_land_diversity not computed: the industrial land holds %d "
                 "subtype(s) %s; it needs at least 2", len(out.attrs["subtypes"]),
                 out.attrs["subtypes"])
        return None
    return out


_REG.register(Indicator(
    name="industrial_land_diversity", func=_diversity, needs=("units", "landuse"),
    unit="index 0-1", direction="+", subsystem="industry", default=True,
    label_zh="工业用地结构多样性(归一化Shannon熵,按工业/仓储用地细类)",
    label_en="diversity of industrial land: normalised Shannon entropy over the industrial "
             "and logistics land subtypes (absent with fewer than 2)",
    formula="-sum_i p_i ln p_i / ln K over subtypes i (0 without industrial land)",
    citation="Shannon 1948; Pielou 1966; Attaran 1986"))

