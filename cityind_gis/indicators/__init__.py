"""Indicators per spatial unit (grid cell, hexagon, H3 cell or zone).

Every indicator registers itself, beside its function, in the one registry of
:mod:`cityind_gis.indicators.registry` (name, function and the inputs it needs,
unit, direction, subsystem, zh/en label, formula, citation);
:func:`compute_indicators` loops that registry, and ``docs/indicators.md`` is
generated from it.

The modules are imported in the order their measures run: land use, POIs, roads,
rasters, buildings, the industrial subsystem (:mod:`.industry`), then the
entries of other stages.
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

# isort: split
from .roads import intersection_density, road_density, road_intersections

# isort: split
from .raster import raster_class_shares, raster_zonal_stats

# isort: split
from . import buildings as _buildings  # noqa: F401 (registers its measures)

# isort: split
from .industry import (
    estimated_jobs,
    industrial_land_diversity,
    industrial_parcels,
    job_densities,
    polsby_popper,
)

# isort: split
from . import _stages  # noqa: F401 (entries of the accessibility stage)

# isort: split
from .registry import (
    INPUTS,
    Indicator,
    Measure,
    Registry,
    column_name,
    default_registry,
    default_subsystem_indicators,
    indicator,
    indicator_info,
    indicator_registry,
    measure,
    registry_markdown,
)
from .suite import IndicatorInputs, compute_indicators, unit_indicators

__all__ = [
    "flatten_landuse",
    "landuse_area",
    "landuse_shares",
    "land_use_mix",
    "combined_share",
    "space_shares",
    "jobs_housing",
    "building_area",
    "job_densities",
    "polsby_popper",
    "industrial_parcels",
    "estimated_jobs",
    "industrial_land_diversity",
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
    "INPUTS",
    "Indicator",
    "Measure",
    "Registry",
    "default_registry",
    "indicator",
    "measure",
    "IndicatorInputs",
    "compute_indicators",
    "unit_indicators",
]
