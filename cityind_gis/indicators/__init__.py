"""Indicators per spatial unit (grid cell or zone)."""

from .landuse import flatten_landuse, land_use_mix, landuse_area, landuse_shares
from .poi import poi_counts, poi_density

__all__ = [
    "flatten_landuse",
    "landuse_area",
    "landuse_shares",
    "land_use_mix",
    "poi_counts",
    "poi_density",
]
