"""cityind_gis: city-industry integration (产城融合) analysis.

Land use, POIs and walking networks -> indicators per grid cell or zone ->
industrial (U1) and urban-function (U2) subsystem indices -> coupling
coordination degree -> service gaps of industrial land -> maps and layers.

The public API is re-exported here and imported lazily (PEP 562), so
``import cityind_gis`` stays fast and the heavy parts (numba kernels, folium,
matplotlib) load only when used:

========================= ============================================================
reading layers            ``read_vector``, ``read_point_table``, ``read_osm_landuse``,
                          ``read_osm_pois``, ``read_osm_buildings``,
                          ``read_osm_walk_network``, ``load_landuse``, ``load_pois``,
                          ``load_buildings``, ``load_network``, ``read_statistics``,
                          ``merge_poi_sources``, ``detect_coordinate_system``
units                     ``make_grid``, ``make_hex_grid``, ``make_h3_grid``,
                          ``prepare_zones``, ``assign_points_to_grid``
indicators                ``compute_indicators``, ``IndicatorInputs``, ``Indicator``,
                          ``Measure``, ``Registry``, ``default_registry``,
                          ``indicator_registry``, ``landuse_area``, ``landuse_shares``,
                          ``land_use_mix``, ``poi_counts``, ``poi_density``
coupling                  ``normalize``, ``indicator_weights``, ``subsystem_index``,
                          ``coupling_coordination``, ``coordination_grade``,
                          ``lag_type``, ``obstacle_degree``, ``analysis_domain``,
                          ``city_industry_typology``, ``weight_sensitivity``
accessibility and gaps    ``graph_from_lines``, ``nearest_facility_distance``,
                          ``facility_counts_within``, ``life_circle_coverage``,
                          ``industrial_service_gaps``, ``graded_service_gaps``,
                          ``service_gaps``, ``candidate_sites``
spatial statistics        ``spatial_weights``, ``global_moran``, ``local_moran``,
                          ``getis_ord``
workflow                  ``load_config``, ``sample_config``, ``run``, ``run_panel``,
                          ``write_outputs``, ``write_panel``, ``RunResult``,
                          ``PanelResult``, ``validation_report``
========================= ============================================================
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._errors import CityindError, CRSError, GeometryError, InputError, SchemaError

__version__ = "0.1.0"

#: Public name -> module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    # reading layers
    "read_vector": "io.vector", "read_point_table": "io.vector",
    "read_osm_landuse": "io.osm", "read_osm_pois": "io.osm",
    "read_osm_buildings": "io.osm", "read_osm_walk_network": "io.osm",
    "load_landuse": "io.layers", "load_pois": "io.layers", "load_buildings": "io.layers",
    "load_network": "io.layers", "load_boundary": "io.layers",
    "read_statistics": "io.statistics", "join_statistics": "io.statistics",
    "merge_poi_sources": "io.sources", "detect_coordinate_system": "io.coords",
    "transform_coords": "io.coords",
    # units
    "make_grid": "units", "make_hex_grid": "units", "make_h3_grid": "units",
    "prepare_zones": "units", "assign_points_to_grid": "units",
    # indicators
    "compute_indicators": "indicators", "IndicatorInputs": "indicators",
    "Indicator": "indicators", "Measure": "indicators", "Registry": "indicators",
    "default_registry": "indicators", "indicator_registry": "indicators",
    "landuse_area": "indicators", "landuse_shares": "indicators",
    "land_use_mix": "indicators", "poi_counts": "indicators", "poi_density": "indicators",
    # coupling
    "normalize": "coupling", "indicator_weights": "coupling",
    "subsystem_index": "coupling", "coupling_coordination": "coupling",
    "coordination_grade": "coupling", "coordination_level": "coupling",
    "lag_type": "coupling", "obstacle_degree": "coupling",
    "analysis_domain": "domain", "city_industry_typology": "typology",
    "weight_sensitivity": "sensitivity",
    # accessibility and gaps
    "graph_from_lines": "network", "nearest_facility_distance": "network",
    "facility_counts_within": "network", "life_circle_coverage": "network",
    "industrial_service_gaps": "gaps", "graded_service_gaps": "gaps",
    "service_gaps": "gaps", "candidate_sites": "siting",
    # spatial statistics
    "spatial_weights": "spatial_stats", "global_moran": "spatial_stats",
    "local_moran": "spatial_stats", "getis_ord": "spatial_stats",
    # workflow
    "load_config": "config", "sample_config": "config", "Config": "config",
    "run": "workflow", "run_panel": "workflow", "write_outputs": "workflow",
    "write_panel": "workflow", "RunResult": "workflow", "PanelResult": "workflow",
    "validation_report": "workflow",
}

__all__ = [
    "CityindError",
    "CRSError",
    "GeometryError",
    "InputError",
    "SchemaError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    """Import a public name on first access (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'cityind_gis' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from .config import Config, load_config, sample_config
    from .coupling import (
        coordination_grade,
        coordination_level,
        coupling_coordination,
        indicator_weights,
        lag_type,
        normalize,
        obstacle_degree,
        subsystem_index,
    )
    from .domain import analysis_domain
    from .gaps import graded_service_gaps, industrial_service_gaps, service_gaps
    from .indicators import (
        Indicator,
        IndicatorInputs,
        Measure,
        Registry,
        compute_indicators,
        default_registry,
        indicator_registry,
        land_use_mix,
        landuse_area,
        landuse_shares,
        poi_counts,
        poi_density,
    )
    from .io.coords import detect_coordinate_system, transform_coords
    from .io.layers import load_boundary, load_buildings, load_landuse, load_network, load_pois
    from .io.osm import read_osm_buildings, read_osm_landuse, read_osm_pois, read_osm_walk_network
    from .io.sources import merge_poi_sources
    from .io.statistics import join_statistics, read_statistics
    from .io.vector import read_point_table, read_vector
    from .network import (
        facility_counts_within,
        graph_from_lines,
        life_circle_coverage,
        nearest_facility_distance,
    )
    from .sensitivity import weight_sensitivity
    from .siting import candidate_sites
    from .spatial_stats import getis_ord, global_moran, local_moran, spatial_weights
    from .typology import city_industry_typology
    from .units import assign_points_to_grid, make_grid, make_h3_grid, make_hex_grid, prepare_zones
    from .workflow import (
        PanelResult,
        RunResult,
        run,
        run_panel,
        validation_report,
        write_outputs,
        write_panel,
    )
