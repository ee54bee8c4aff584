"""The pipeline's indicator set beyond class shares and POI densities, in one call.

:func:`unit_indicators` composes the measures of :mod:`.landuse`, :mod:`.poi`,
:mod:`.roads` and :mod:`.raster` into the columns the pipeline adds to its units
layer, so :mod:`cityind_gis.pipeline` stays orchestration only.
"""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd

from ..taxonomy import service_categories
from .buildings import plot_ratio
from .landuse import building_area, combined_share, jobs_housing, space_shares
from .poi import (
    category_share,
    functional_zones,
    service_completeness,
    shannon_diversity,
    simpson_diversity,
)
from .raster import LANDCOVER_LEGENDS, _class_shares, _zonal_stats
from .roads import intersection_density, road_density, road_intersections

__all__ = ["unit_indicators"]

#: Resampling of each `[indicators]` raster when ``warp_rasters`` warps it: population is
#: people per pixel (the sum keeps totals), night light a radiance (mean), land cover classes.
WARP_RESAMPLING = {"population_raster": "sum", "night_light_raster": "average",
                   "landcover_raster": "nearest"}
_REFUSE = "set warp_rasters = false to refuse"


def unit_indicators(
    zones: gpd.GeoDataFrame,
    *,
    area: pd.DataFrame,
    shares: pd.DataFrame,
    counts: pd.DataFrame,
    roads: gpd.GeoDataFrame | None = None,
    population_raster: str | os.PathLike[str] | None = None,
    night_light_raster: str | os.PathLike[str] | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    landuse: gpd.GeoDataFrame | None = None,
    industry_counts: pd.DataFrame | None = None,
    landcover_raster: str | os.PathLike[str] | None = None,
    landcover_classes: str | dict[int, str] | None = None,
    warp_rasters: bool = False,
) -> pd.DataFrame:
    """Industrial, urban-function, 三生空间, functional-zone, road and raster indicators.

    Parameters
    ----------
    zones : GeoDataFrame
        Units (projected metric CRS) with ``cell_area_m2``.
    area : DataFrame
        :func:`~cityind_gis.indicators.landuse_area` for all canonical classes.
    shares : DataFrame
        :func:`~cityind_gis.indicators.landuse_shares` of ``area``.
    counts : DataFrame
        :func:`~cityind_gis.indicators.poi_counts` for all POI categories.
    roads : GeoDataFrame, optional
        Road lines split at junctions (the walking network's edges), same CRS.
    population_raster, night_light_raster : path, optional
        Rasters in the units' CRS, or any CRS with ``warp_rasters`` (people per
        pixel; radiance).
    buildings : GeoDataFrame, optional
        Building polygons in the units' CRS with ``use`` (building class, see
        :mod:`cityind_gis.indicators.buildings`) and ``levels`` (storeys).
    landuse : GeoDataFrame, optional
        Land-use polygons with canonical ``class``; with ``buildings`` gives the
        plot ratio of industrial land.
    industry_counts : DataFrame, optional
        Enterprise POIs per unit and industry subtype
        (:func:`~cityind_gis.indicators.poi_counts` on the subtype column).
    landcover_raster : path, optional
        Categorical land-cover raster in the units' CRS, or any CRS with
        ``warp_rasters``.
    landcover_classes : str or dict of int to str, optional
        A bundled legend (:data:`~cityind_gis.indicators.raster.LANDCOVER_LEGENDS`:
        ``"esa_worldcover"``, ``"clcd"``) or ``{pixel value: name}``; default every
        value present, named by its number.
    warp_rasters : bool, default False
        Warp a raster in another CRS to the units' CRS (``[indicators]
        warp_rasters``) with the resampling of :data:`WARP_RESAMPLING` (sum for
        population, average for night light, nearest for land cover), warning
        once per raster; otherwise such a raster raises :class:`CRSError`.

    Returns
    -------
    DataFrame
        Aligned to ``zones.index``: ``industrial_logistics_share``,
        ``landuse_area_industrial_logistics``, ``industrial_poi_share``,
        ``service_completeness``, ``service_shannon``, ``service_simpson``,
        ``transit_stop_density``, ``jobs_housing_ratio``, ``jobs_housing_balance``,
        ``space_share_{production,living,ecological}``, the functional-zone columns
        (``fz_*``), and, when given, ``road_density``, ``intersection_density``,
        ``population_density``, ``population_sum``, ``night_light_mean``,
        ``building_footprint_industrial``, ``building_floor_area_industrial``,
        ``building_coverage_industrial``, ``industrial_plot_ratio``,
        ``industry_shannon`` and ``landcover_share_{class}``.
        See ``docs/indicators.md`` for each formula.
    """
    zone_area = zones["cell_area_m2"]
    services = [f"poi_count_{c}" for c in service_categories()
                if f"poi_count_{c}" in counts.columns]
    parts: list[pd.DataFrame | pd.Series] = [
        combined_share(shares, ["industrial", "logistics"], name="industrial_logistics_share"),
        (area["landuse_area_industrial"] + area["landuse_area_logistics"])
        .rename("landuse_area_industrial_logistics"),
        category_share(counts, "poi_count_enterprise", name="industrial_poi_share")
        if "poi_count_enterprise" in counts.columns else None,
        service_completeness(counts[services]) if services else None,
        shannon_diversity(counts[services]) if services else None,
        simpson_diversity(counts[services]) if services else None,
        (counts["poi_count_transit"] / (zone_area / 1e6)).rename("transit_stop_density")
        if "poi_count_transit" in counts.columns else None,
        jobs_housing(area),
        space_shares(area, zone_area),
        functional_zones(counts),
    ]
    if roads is not None:
        parts.append(road_density(zones, roads))
        parts.append(intersection_density(zones, road_intersections(roads)))
    if population_raster is not None:
        pop = _zonal_stats(zones, population_raster, band=1, measure="population",
                           warp=warp_rasters, resampling=WARP_RESAMPLING["population_raster"],
                           name="[indicators] population_raster", refuse=_REFUSE)
        parts.append(pop["population_sum"])
        parts.append((pop["population_sum"] / (zone_area / 1e6)).rename("population_density"))
    if night_light_raster is not None:
        ntl = _zonal_stats(zones, night_light_raster, band=1, measure="night_light",
                           warp=warp_rasters, resampling=WARP_RESAMPLING["night_light_raster"],
                           name="[indicators] night_light_raster", refuse=_REFUSE)
        parts.append(ntl["night_light_mean"].fillna(0.0))
    if buildings is not None:
        b = building_area(zones, buildings, class_column="use", classes=("industrial",),
                          levels_column="levels")
        parts.append(b)
        if landuse is not None:
            industrial = landuse[landuse["class"] == "industrial"]
            parts.append(plot_ratio(zones, buildings, industrial, name="industrial_plot_ratio"))
    if industry_counts is not None:
        parts.append(shannon_diversity(industry_counts, name="industry_shannon"))
    if landcover_raster is not None:
        classes = (LANDCOVER_LEGENDS[landcover_classes] if isinstance(landcover_classes, str)
                   else landcover_classes)
        parts.append(_class_shares(zones, landcover_raster, classes=classes, band=1,
                                   measure="landcover_share", warp=warp_rasters,
                                   name="[indicators] landcover_raster", refuse=_REFUSE))
    return pd.concat([p for p in parts if p is not None], axis=1)
