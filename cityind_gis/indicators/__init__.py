"""Indicators per spatial unit (grid cell, hexagon, H3 cell or zone).

Every indicator is described once in :mod:`cityind_gis.indicators.registry`
(name, unit, direction, subsystem, zh/en description, formula, source), and
listed in ``docs/indicators.md``.
"""

from .landuse import (
    building_area,
    combined_share,
    flatten_landuse,
    jobs_housing,
    land_use_mix,
    landuse_area,
    landuse_shares,
    space_shares,
)
from .poi import (
    category_share,
    functional_zones,
    poi_counts,
    poi_density,
    poi_kernel_density,
    service_completeness,
    shannon_diversity,
    simpson_diversity,
)
from .raster import raster_class_shares, raster_zonal_stats
from .registry import (
    column_name,
    default_subsystem_indicators,
    indicator_info,
    indicator_registry,
    registry_markdown,
)
from .roads import intersection_density, road_density, road_intersections

__all__ = [
    "flatten_landuse",
    "landuse_area",
    "landuse_shares",
    "land_use_mix",
    "combined_share",
    "space_shares",
    "jobs_housing",
    "building_area",
    "poi_counts",
    "poi_density",
    "category_share",
    "shannon_diversity",
    "simpson_diversity",
    "service_completeness",
    "functional_zones",
    "poi_kernel_density",
    "raster_class_shares",
    "raster_zonal_stats",
    "road_density",
    "road_intersections",
    "intersection_density",
    "column_name",
    "indicator_registry",
    "indicator_info",
    "default_subsystem_indicators",
    "registry_markdown",
]
