"""The named stages of a run, each a function of its config section returning a frozen result.

:func:`cityind_gis.workflow.run` is their composition::

    layers  = load_layers(config)                          # io/: canonical layers
    units   = build_units(config.grid, config.zones, ...)  # grid cells or zones
    ind     = unit_indicators(units, layers, config.indicators, registry=...)
    access  = walking_distances(units, layers, ind, config.accessibility, ...)
    domain  = analysis_domain(grid, config.domain)         # analysed units, reasons
    coupled = couple(grid, config.coupling, domain=domain, ...)  # U1, U2, C, T, D, grades
    types   = unit_typology(coupled, lang=...)             # typology, bivariate class
    sens    = sensitivity(coupled, config.coupling)        # D under other weights
    spatial = spatial_statistics(grid, config.spatial_stats)  # over analysed units
    gaps    = service_gap_analysis(grid, layers, ind, access, config.gaps, ...)

A stage never reads another section than the ones it is given, never changes
its inputs and returns a frozen dataclass (``docs/architecture.md``).
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from .. import coupling
from .. import domain as domain_lib
from .. import typology as typology_lib
from .._errors import InputError, SchemaError
from .._validate import check_positive
from ..columns import NET_DIST, net_dist
from ..gaps import gap_summary, gap_table, graded_service_gaps, service_gaps
from ..indicators import IndicatorInputs, compute_indicators, poi_kernel_density
from ..indicators.buildings import UNKNOWN, classify_by_landuse
from ..indicators.registry import Registry, default_subsystem_indicators
from ..io import layers as io_layers
from ..io import vector as vector_io
from ..io.crs import analysis_crs, to_analysis_crs
from ..io.statistics import zone_statistics
from ..network import (
    WalkGraph,
    facility_counts_within,
    graph_from_edges,
    life_circle_coverage,
    life_circle_requirements,
    nearest_facility_distance,
    origins_for_units,
    service_standards,
    snap_report,
)
from ..sensitivity import WeightSensitivity, weight_sensitivity
from ..taxonomy import service_categories
from ..units import grid_over, make_h3_grid, make_hex_grid, prepare_zones
from ..weights import sparse_indicators, sparse_message
from .preflight import cross_layer_checks, pois_coords
from .results import Raster

if TYPE_CHECKING:
    from ..config import (
        AccessibilityConfig,
        Config,
        CouplingConfig,
        DomainConfig,
        GapConfig,
        GridConfig,
        IndicatorConfig,
        SpatialStatsConfig,
        StatisticsConfig,
        ZonesConfig,
    )

__all__ = [
    "Layers",
    "Units",
    "UnitIndicators",
    "Distances",
    "Domain",
    "Coupled",
    "Typology",
    "SpatialStatistics",
    "ServiceGaps",
    "load_layers",
    "input_parameters",
    "build_units",
    "unit_noun",
    "unit_indicators",
    "walking_distances",
    "analysis_domain",
    "default_indicators",
    "couple",
    "unit_typology",
    "sensitivity",
    "spatial_statistics",
    "service_gap_analysis",
    "gap_thresholds",
]

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- 1. layers


@dataclass(frozen=True)
class Layers:
    """The canonical input layers of a run, in its analysis CRS (:func:`load_layers`)."""

    landuse: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame | None
    boundary: gpd.GeoDataFrame | None
    nodes: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    graph: WalkGraph
    crs: CRS
    report: pd.DataFrame
    parameters: dict[str, Any] = field(default_factory=dict)


def input_parameters(pois: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> dict[str, Any]:
    """``run.json`` keys of the inputs: road segments excluded from walking, POI sources.

    Parameters
    ----------
    pois : GeoDataFrame
        POIs as loaded (``attrs["sources"]``/``attrs["duplicates"]`` of merged sources).
    edges : GeoDataFrame
        Network edges as loaded (``attrs["excluded_roads"]``).

    Returns
    -------
    dict
        ``road_class_column``, ``n_roads_excluded``, ``n_roads_excluded_class``,
        ``n_roads_excluded_foot_no``, ``n_roads_excluded_access``,
        ``roads_excluded_by_class`` (JSON), and with several POI sources
        ``poi_sources`` (JSON: source -> POIs read) and ``n_poi_duplicates_dropped``.
    """
    ex = edges.attrs.get("excluded_roads") or {}
    out: dict[str, Any] = {
        "road_class_column": ex.get("class_column"),
        "n_roads_excluded": int(ex.get("excluded", 0)),
        **{f"n_roads_excluded_{k}": int(ex.get(k, 0)) for k in ("class", "foot_no", "access")},
        "roads_excluded_by_class": json.dumps(ex.get("by_class", {}), ensure_ascii=False),
    }
    if "sources" in pois.attrs:
        dup = pois.attrs.get("duplicates")
        out["poi_sources"] = json.dumps(pois.attrs["sources"], ensure_ascii=False)
        out["n_poi_duplicates_dropped"] = sum(int(d["count"]) for d in dup or [])
    return out


def load_layers(config: Config) -> Layers:
    """Load every layer of ``config``, check them against each other, project them once.

    Parameters
    ----------
    config : Config
        The run's config: its layer sections (``[landuse]``, ``[pois]``,
        ``[buildings]``, ``[roads]``, ``[study] boundary``) and ``[osm] path``.

    Returns
    -------
    Layers
        In the analysis CRS (``[study] crs`` or the UTM zone of the network).
        Cross-layer problems (no overlap, POIs off the roads) are warnings.
        Several ``[[pois]]`` sources are merged
        (:func:`~cityind_gis.io.layers.load_poi_sources`); the roads of
        ``[roads] exclude_classes`` are left out of the network;
        ``parameters`` holds the counts (:func:`input_parameters`).
    """
    osm = config.osm
    landuse, lu_report = io_layers.load_landuse(config.landuse, osm=osm)
    if config.merge_pois:
        pois, poi_report = io_layers.load_poi_sources(config.poi_sources, osm=osm)
    else:
        pois, poi_report = io_layers.load_pois(config.pois, osm=osm)
    buildings, b_report = io_layers.load_buildings(config.buildings, osm=osm)
    boundary = io_layers.load_boundary(config.study)
    nodes, edges = io_layers.load_network(config.roads, osm=osm, crs=config.study.crs)
    for problem in cross_layer_checks(
        {"landuse": landuse, "pois": pois, "roads": edges, "boundary": boundary},
        pois_coords=pois_coords(config),
    ):
        warnings.warn(problem, stacklevel=3)
    parameters = input_parameters(pois, edges)
    crs = analysis_crs(nodes, config.study.crs)
    landuse = to_analysis_crs(landuse, crs, "landuse")
    pois = to_analysis_crs(pois, crs, "pois")
    if buildings is not None:
        buildings = to_analysis_crs(buildings, crs, "buildings")
    nodes = to_analysis_crs(nodes, crs, "network nodes")
    edges = to_analysis_crs(edges, crs, "network edges")
    if boundary is not None:
        boundary = to_analysis_crs(boundary, crs, "boundary")
    report = pd.concat([lu_report, poi_report, *([b_report] if len(b_report) else [])],
                       ignore_index=True)
    return Layers(landuse=landuse, pois=pois, buildings=buildings, boundary=boundary,
                  nodes=nodes, edges=edges, graph=graph_from_edges(nodes, edges), crs=crs,
                  report=report, parameters=parameters)


# ----------------------------------------------------------------------------- 2. units


@dataclass(frozen=True)
class Units:
    """The analysis units (:func:`build_units`)."""

    grid: gpd.GeoDataFrame
    statistics: pd.DataFrame
    noun: str


def unit_noun(grid: GridConfig, zones: ZonesConfig) -> str:
    """Plural noun phrase for the units, after their count ("100 cells of 250 m").

    Parameters
    ----------
    grid, zones : GridConfig, ZonesConfig
        ``[grid]`` and ``[zones]`` of the config.

    Returns
    -------
    str
    """
    if zones.path is not None:
        return f"zones of {Path(zones.path).name}"
    if grid.kind == "h3":
        return f"H3 cells at resolution {grid.h3_resolution}"
    return f"{'hexagons' if grid.kind == 'hex' else 'cells'} of {grid.cell_size:g} m"


def _units(grid: GridConfig, zones: ZonesConfig, layers: Layers) -> gpd.GeoDataFrame:
    """User zones (``[zones]``) or a square / hex / H3 grid (``[grid] kind``)."""
    cell = check_positive(grid.cell_size, "cell_size", example=250)
    boundary = layers.boundary
    if zones.path is not None:
        raw = vector_io.read_vector(zones.path, name="zones", layer=zones.layer, crs=zones.crs)
        raw = to_analysis_crs(raw, layers.crs, "zones")
        raw = raw[raw.geom_type.isin(["Polygon", "MultiPolygon"])]
        return prepare_zones(raw, id_column=zones.id_column, boundary=boundary)
    ext = boundary.total_bounds if boundary is not None else layers.nodes.total_bounds
    if grid.kind == "hex":
        return make_hex_grid(ext, cell, crs=layers.crs, boundary=boundary)
    if grid.kind == "h3":
        return make_h3_grid(ext, int(grid.h3_resolution), crs=layers.crs, boundary=boundary)
    return grid_over([layers.nodes], cell, boundary=boundary)


def _statistics(section: StatisticsConfig, zones: ZonesConfig,
                units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Indicators of the ``[statistics]`` table joined to the zones (empty without one)."""
    if section.path is None:
        return pd.DataFrame(index=units.index)
    if section.key is None:
        msg = ("`[statistics] key` is missing: name the column of the table that holds the "
               "zone codes or names (e.g. \"区县代码\").")
        raise InputError(msg)
    zones_key = None if section.zones_key in (None, zones.id_column) else section.zones_key
    return zone_statistics(units, section.path, key=section.key, zones_key=zones_key,
                           sheet=section.sheet, indicators=section.indicators)


def build_units(
    grid: GridConfig, zones: ZonesConfig, statistics: StatisticsConfig, layers: Layers
) -> Units:
    """Analysis units and the ``[statistics]`` indicators joined to them.

    Parameters
    ----------
    grid, zones, statistics : GridConfig, ZonesConfig, StatisticsConfig
        ``[grid]``, ``[zones]`` and ``[statistics]`` of the config.
    layers : Layers
        From :func:`load_layers` (the grid covers the network, or the boundary).

    Returns
    -------
    Units
        ``grid`` with ``cell_area_m2`` in the analysis CRS.

    Raises
    ------
    InputError
        Fewer than two units.
    """
    noun = unit_noun(grid, zones)
    units = _units(grid, zones, layers)
    if len(units) < 2:
        msg = (f"the study area holds {len(units)} unit(s) ({noun}); at least 2 are needed "
               "to compare units. Use a smaller `cell_size`, a finer `h3_resolution` or "
               "more zones.")
        raise InputError(msg)
    if zones.path is not None:  # zones in a wrong CRS overlap nothing: say so
        for problem in cross_layer_checks({"zones": units, "landuse": layers.landuse,
                                           "roads": layers.edges}):
            if "`zones`" in problem:
                warnings.warn(problem, stacklevel=3)
    return Units(grid=units, statistics=_statistics(statistics, zones, units), noun=noun)


# ----------------------------------------------------------------------------- 3. indicators


@dataclass(frozen=True)
class UnitIndicators:
    """Indicators of every unit (:func:`unit_indicators`)."""

    table: pd.DataFrame
    analysed_pois: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame | None
    rasters: dict[str, Raster] = field(default_factory=dict)


def _kernel_density(section: IndicatorConfig, analysed: gpd.GeoDataFrame,
                    grid: gpd.GeoDataFrame) -> dict[str, Raster]:
    """`[indicators] kernel_density`: one quartic KDE surface per category over the units."""
    out: dict[str, Raster] = {}
    if not section.kernel_density:
        return out
    if section.kde_bandwidth < section.kde_pixel:
        msg = (f"`[indicators] kde_bandwidth` ({section.kde_bandwidth:g} m) must be at least "
               f"`kde_pixel` ({section.kde_pixel:g} m); widen the bandwidth or use smaller "
               "pixels.")
        raise InputError(msg)
    from affine import Affine

    px, bw = section.kde_pixel, section.kde_bandwidth
    minx, miny, maxx, maxy = grid.total_bounds
    # POIs up to one bandwidth outside the units still add density inside: compute on the
    # grown extent, then keep the pixels over the units
    wide = (minx - bw, miny - bw, maxx + bw, maxy + bw)
    x0, y1 = np.floor(minx / px) * px, np.ceil(maxy / px) * px
    n_cols = max(int(np.ceil((maxx - x0) / px)), 1)
    n_rows = max(int(np.ceil((y1 - miny) / px)), 1)
    for cat in section.kernel_density:
        pts = analysed if cat == "all" else analysed[analysed["category"] == cat]
        if cat != "all" and pts.empty:
            warnings.warn(f"`[indicators] kernel_density`: no analysed POI of {cat!r}; its "
                          "surface is all zero.", stacklevel=4)
        arr, t = poi_kernel_density(pts, cell_size=px, bandwidth=bw, bounds=wide)
        c0, r0 = int(round((x0 - t.c) / px)), int(round((t.f - y1) / px))
        out[f"kde_{cat}"] = Raster(np.ascontiguousarray(arr[r0:r0 + n_rows, c0:c0 + n_cols]),
                                   Affine(px, 0.0, x0, 0.0, -px, y1), grid.crs)
    return out


def unit_indicators(
    units: Units, layers: Layers, section: IndicatorConfig, *, registry: Registry | None = None
) -> UnitIndicators:
    """Every registered indicator the layers allow, per unit (``docs/indicators.md``).

    Parameters
    ----------
    units : Units
        From :func:`build_units`.
    layers : Layers
        From :func:`load_layers`.
    section : IndicatorConfig
        ``[indicators]``: rasters, their warping, kernel densities.
    registry : Registry, optional
        Indicator registry (default :func:`~cityind_gis.indicators.default_registry`);
        a copy with your own indicators registered adds them to the run.

    Returns
    -------
    UnitIndicators
        ``table`` aligned to the units; ``buildings`` with generic buildings
        given the use of the land under them (``use_source``).
    """
    grid = units.grid
    analysed = layers.pois[layers.pois["status"] == "analysed"]
    buildings = layers.buildings
    if buildings is not None:  # generic buildings take the use of the land under them
        buildings = buildings.assign(
            use_source=np.where(buildings["use"].eq(UNKNOWN).to_numpy(), "land_use", "given"))
        buildings["use"] = classify_by_landuse(buildings, layers.landuse, class_column="use")
    table = compute_indicators(IndicatorInputs(
        units=grid, landuse=layers.landuse, pois=analysed, buildings=buildings,
        roads=layers.edges, population_raster=section.population_raster,
        night_light_raster=section.night_light_raster,
        landcover_raster=section.landcover_raster,
        landcover_classes=section.landcover_classes, warp_rasters=section.warp_rasters,
        job_densities=section.job_densities),
        registry=registry)
    counted = table[[c for c in table.columns if c.startswith("poi_count_")]]
    n_out = int(len(analysed) - counted.to_numpy().sum())
    if n_out:
        log.info("%d analysed POIs lie outside the grid and are not counted in cells", n_out)
    return UnitIndicators(table=table, analysed_pois=analysed, buildings=buildings,
                          rasters=_kernel_density(section, analysed, grid))


# ----------------------------------------------------------------------------- 4. distances


@dataclass(frozen=True)
class Distances:
    """Walking distances and life circles of every unit (:func:`walking_distances`).

    Attributes
    ----------
    table : DataFrame
        ``net_dist_{category}``, the life-circle columns and ``rejoined``.
    present, absent : list of str
        Gap categories with and without any analysed facility in the study area.
    n_rejoined : int
        Units that joined an allowed network part instead of their nearest
        fragment (``[accessibility] component``).
    n_facilities_rejoined : int
        Facilities that did the same.
    """

    table: pd.DataFrame
    present: list[str]
    absent: list[str]
    n_rejoined: int = 0
    n_facilities_rejoined: int = 0


#: Library warnings a stage says once in its own words (rejoined features, absent categories).
_REJOIN = r".*lie nearest to a network fragment"
_NO_FACILITY = r"categories .* have no facilit"


def _life_circle_columns(dist: pd.DataFrame, req: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Grid columns of :func:`life_circle_coverage`: score, completeness and missing per level."""
    cov = life_circle_coverage(dist, req)
    out = cov[[c for c in cov.columns if not c.endswith("_missing_zh")]].copy()
    if lang == "zh":  # one missing-facility column per level, in the study's language
        for col in [c for c in out.columns if c.endswith("_missing")]:
            out[col] = cov[f"{col}_zh"]
    for col in [c for c in out.columns if c.endswith("_complete")]:
        out[col] = out[col].astype(bool)
    return out


def walking_distances(
    units: Units, layers: Layers, indicators: UnitIndicators, section: AccessibilityConfig,
    *, categories: list[str], search_distance: float, lang: str, count_absent: bool = False,
) -> Distances:
    """Walking distance (m) to the nearest facility per category, and life-circle columns.

    Parameters
    ----------
    units, layers, indicators
        Results of the earlier stages.
    section : AccessibilityConfig
        ``[accessibility]``: snapping, network component, walking speed, life circles.
    categories : list of str
        ``[gaps] categories``: the ``net_dist_{category}`` columns of the grid.
    search_distance : float
        ``[indicators] search_distance`` (m): farther facilities count as unreachable (NaN).
    lang : {"en", "zh"}
        Language of the life-circle ``*_missing`` columns.
    count_absent : bool, default False
        ``[gaps] count_absent``, for the wording of the absent-category warning.

    Returns
    -------
    Distances
        ``table`` with ``net_dist_{category}``, the life-circle columns and
        ``rejoined`` (bool: the unit's nearest edge lay on a network fragment
        ``component`` excludes, so it joined the main network instead).

    Warns
    -----
    UserWarning
        Once for gap categories without any facility ("absent from the data"),
        once with the number of units and facilities that rejoined the network.
    """
    unknown = sorted(set(categories) - set(service_categories()))
    if unknown:
        msg = (f"`[gaps] categories` holds unknown categories {unknown}; "
               f"known: {service_categories()}.")
        raise InputError(msg)
    grid, analysed = units.grid, indicators.analysed_pois
    present = sorted(set(analysed["category"]) & set(categories))
    absent = [c for c in categories if c not in present]
    if absent:
        counted = ("counted as a gap of every industrial unit (`[gaps] count_absent = true`)"
                   if count_absent else "not counted as a gap of any unit (set `[gaps] "
                   "count_absent = true` to count them)")
        warnings.warn(
            f"no facility of {absent} exists in the study area: they are absent from the data "
            f"(column `absent` of the gap layers), their walking distance is missing (NaN) "
            f"everywhere, and they are {counted}.", stacklevel=3,
        )
    req = (life_circle_requirements(walk_speed=section.walk_speed)
           if section.life_circles else None)
    wanted = list(dict.fromkeys([*categories, *([] if req is None
                                                else pd.unique(req["poi_category"]))]))
    reach = sorted(set(analysed["category"]) & set(wanted))
    facilities = analysed[analysed["category"].isin(reach)]
    snapping = {"snap": section.snap, "snap_distance": section.snap_distance,
                "component": section.component}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_REJOIN)  # said once below
        dist = nearest_facility_distance(
            grid, facilities, layers.graph, categories=reach, max_distance=search_distance,
            **snapping) if reach else pd.DataFrame(index=grid.index)
    rejoined = snap_report(grid, layers.graph, **snapping)["rejoined"]
    n_fac = int(snap_report(facilities.reset_index(drop=True), layers.graph,
                            **snapping)["rejoined"].sum()) if len(facilities) else 0
    _warn_rejoined(int(rejoined.sum()), len(grid), "units", n_fac, len(facilities),
                   section.component)
    for c in wanted:
        if net_dist(c) not in dist.columns:
            dist[net_dist(c)] = np.nan
    # 5/10/15-minute life circles of every unit (docs/accessibility.md); the distances of
    # categories outside [gaps] categories feed them but are not grid columns
    circles = (_life_circle_columns(dist, req, lang) if req is not None
               else pd.DataFrame(index=grid.index))
    table = pd.concat([dist[[net_dist(c) for c in categories]], circles,
                       rejoined.astype(bool).rename("rejoined")], axis=1)
    return Distances(table=table, present=present, absent=absent,
                     n_rejoined=int(rejoined.sum()), n_facilities_rejoined=n_fac)


def _warn_rejoined(n: int, total: int, noun: str, n_fac: int, total_fac: int,
                   component: str | int) -> None:
    """One warning for the units (and facilities) moved off a network fragment."""
    if not (n or n_fac):
        return
    part = ("the largest connected part of the network" if component == "largest"
            else f"a network part of at least {component} nodes")
    fac = f" and {n_fac} of {total_fac} facilities" if n_fac else ""
    warnings.warn(
        f"{n} of {total} {noun}{fac} lie nearest to a network fragment cut off from the main "
        f"network; they join {part} instead (`[accessibility] component = {component!r}`; "
        "column `rejoined`). Set `component = \"any\"` to keep the nearest fragment, or "
        "connect the fragment in the road layer.",
        stacklevel=4,
    )


# ----------------------------------------------------------------------------- 5. domain


@dataclass(frozen=True)
class Domain:
    """Which units the coupling model analyses, and why not the others (:func:`analysis_domain`).

    Attributes
    ----------
    columns : DataFrame
        On the units: ``analysed`` (bool) and ``domain_reason`` (None where analysed).
    summary : DataFrame
        :func:`cityind_gis.domain.domain_summary`: units analysed and left out, by reason.
    rule : str
        ``[domain] rule``.
    """

    columns: pd.DataFrame
    summary: pd.DataFrame
    rule: str

    @property
    def analysed(self) -> pd.Series:
        """Boolean Series on the units: True where the unit is analysed."""
        return self.columns["analysed"]

    def left_out(self) -> dict[str, int]:
        """Reason -> number of units left out for it (empty when every unit is analysed)."""
        rows = self.summary[self.summary["reason"] != "analysed"]
        return {str(r): int(n) for r, n in zip(rows["reason"], rows["n_units"], strict=True)}


def analysis_domain(grid: gpd.GeoDataFrame, section: DomainConfig) -> Domain:
    """The units where the coupling question makes sense (``[domain]``, ``docs/pipeline.md``).

    Parameters
    ----------
    grid : GeoDataFrame
        Units with the ``{class}_share`` and ``poi_count_{category}`` columns,
        in the analysis CRS (metres).
    section : DomainConfig
        ``[domain]``: ``rule`` ("all", "urban_land", "industrial", "mask"),
        ``min_share`` and ``mask`` (a polygon layer for rule "mask").

    Returns
    -------
    Domain

    Raises
    ------
    InputError
        Fewer than two units analysed: the rule leaves nothing to compare.
    """
    mask = None
    if section.rule == "mask":
        mask = vector_io.read_vector(section.mask, name="[domain] mask")
        mask = to_analysis_crs(mask, grid.crs, "domain mask")
    table = domain_lib.analysis_domain(grid, rule=section.rule, min_share=section.min_share,
                                       mask=mask)
    summary = domain_lib.domain_summary(table)
    n = int(table["analysed"].sum())
    if n < 2:
        why = "; ".join(f"{r}: {c}" for r, c in zip(summary["reason"], summary["n_units"],
                                                     strict=True) if r != "analysed")
        msg = (f"`[domain] rule` = {section.rule!r} leaves {n} of {len(grid)} unit(s) to "
               f"analyse ({why}); the coupling model compares at least 2. Check the land-use "
               "layer and its mapping, lower `[domain] min_share`, or set `[domain] rule = "
               "\"all\"` to analyse every unit.")
        raise InputError(msg)
    if n < len(grid):
        log.info("analysis domain (%s): %d of %d units analysed, left out: %s", section.rule,
                 n, len(grid), dict(zip(summary["reason"][1:], summary["n_units"][1:],
                                        strict=True)))
    cols = pd.DataFrame({"analysed": table["analysed"], "domain_reason": table["reason"]},
                        index=grid.index)
    return Domain(columns=cols, summary=summary, rule=section.rule)


# ----------------------------------------------------------------------------- 6. coupling


@dataclass(frozen=True)
class Coupled:
    """Subsystem indices and coupling coordination of every unit (:func:`couple`).

    ``columns`` are on every unit (NaN / None outside the analysis domain);
    ``normed`` holds the normalised indicators of the analysed units per
    subsystem (``{"U1": ..., "U2": ...}``), ``n_indicators`` how many survived.
    """

    columns: pd.DataFrame
    weights: pd.DataFrame
    obstacles: pd.DataFrame
    normed: dict[str, pd.DataFrame] = field(default_factory=dict)
    n_indicators: dict[str, int] = field(default_factory=dict)
    sparse: pd.DataFrame = field(default_factory=pd.DataFrame)


#: Sparse indicators: at one value in more than this share of the analysed units.
SPARSE_SHARE = 0.9


def _breadth_warning(name: str, label: str, kept: list[str], dropped: list[str]) -> None:
    """Warn loudly when a subsystem index rests on fewer than three indicators."""
    text = typology_lib.breadth_caution(label, kept, label=f"{label} ({name})")
    if text is None:
        return
    gone = f" Left out as constant over the analysed units: {dropped}." if dropped else ""
    warnings.warn(text + gone, stacklevel=4)


def _subsystem(
    name: str, label: str, table: pd.DataFrame, directions: dict[str, str],
    section: CouplingConfig,
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Index of one subsystem over the analysed units: U, weights table, normed, sparse."""
    missing = [c for c in directions if c not in table.columns]
    if missing:
        available = sorted(c for c in table.select_dtypes("number").columns
                           if c not in ("row", "col"))
        msg = (f"`[coupling.{name}]` names indicator(s) {missing} that the run does not produce; "
               f"available: {available}.")
        raise InputError(msg)
    data = table[list(directions)]
    variable = data.nunique() > 1
    if not variable.any():
        msg = (f"every {name} indicator {list(directions)} is constant over the analysed units, "
               f"so {label} cannot be measured; choose other indicators, a larger study area "
               "or another `[domain] rule`.")
        raise SchemaError(msg)
    if not variable.all():
        warnings.warn(
            f"{name} indicator(s) {list(variable.index[~variable])} are constant over the analysed "
            "units (no variance) and were left out of the index.",
            stacklevel=4,
        )
        data = data.loc[:, variable]
    _breadth_warning(name, label, list(data.columns), list(variable.index[~variable]))
    normed = coupling.normalize(data, {c: directions[c] for c in data.columns},
                                shift=section.shift)
    w = coupling.indicator_weights(normed, method=section.weights)
    sparse = sparse_indicators(data, threshold=SPARSE_SHARE)
    text = sparse_message(sparse, subsystem=f"{label} ({name})", weights=w,
                          threshold=SPARSE_SHARE)
    if text:
        warnings.warn(text, stacklevel=4)
    u = coupling.subsystem_index(normed, w)
    info = pd.DataFrame({
        "subsystem": name,
        "indicator": w.index,
        "direction": [directions[c] for c in w.index],
        "weight": w.to_numpy(),
        "raw_min": data[w.index].min().to_numpy(),
        "raw_max": data[w.index].max().to_numpy(),
        "raw_mean": data[w.index].mean().to_numpy(),
    })
    return u, info, normed, sparse.assign(subsystem=label).reset_index()


def default_indicators(
    grid_columns: list[str], gap_categories: list[str], *, registry: Registry | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Default indicators and directions of the two subsystems.

    Parameters
    ----------
    grid_columns : list of str
        Columns available on the grid.
    gap_categories : list of str
        Service categories whose walking distance enters U2 (negative direction).
    registry : Registry, optional
        Indicator registry (default: the package's); its ``default`` flags decide.

    Returns
    -------
    industry, urban : dict of str to {"+", "-"}
        Indicator -> direction for U1 (industrial subsystem) and U2 (urban function).
    """
    # {category} patterns take the service categories (densities) and the gap
    # categories (distances)
    industry = default_subsystem_indicators(grid_columns, "industry", registry=registry)
    urban = default_subsystem_indicators(
        grid_columns, "urban", categories=[*service_categories(), *gap_categories],
        registry=registry)
    return industry, urban


def _obstacles(
    x1: pd.DataFrame, x2: pd.DataFrame, w1: pd.DataFrame, w2: pd.DataFrame, alpha: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Obstacle degree of every indicator: per-indicator table and top 3 per cell."""
    x = pd.concat({"industry": x1, "urban": x2}, axis=1)
    w = pd.concat([w1.assign(weight=w1["weight"] * alpha[0]),
                   w2.assign(weight=w2["weight"] * alpha[1])], ignore_index=True)
    names = [f"{s}.{i}" if x.columns.get_level_values(1).duplicated(keep=False)[k] else i
             for k, (s, i) in enumerate(x.columns)]
    x.columns = names
    o = coupling.obstacle_degree(x, pd.Series(w["weight"].to_numpy(), index=names))
    top = coupling.main_obstacles(o, n=min(3, len(names)))
    first = top["obstacle_1"].value_counts()
    table = pd.DataFrame({
        "subsystem": w["subsystem"].to_numpy(),
        "indicator": w["indicator"].to_numpy(),
        "weight_in_system": w["weight"].to_numpy(),
        "mean_obstacle_pct": 100.0 * o.mean().to_numpy(),
        "max_obstacle_pct": 100.0 * o.max().to_numpy(),
        "n_cells_main_obstacle": first.reindex(names, fill_value=0).to_numpy(),
    }).sort_values("mean_obstacle_pct", ascending=False, kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True), top


def couple(
    grid: gpd.GeoDataFrame, section: CouplingConfig, *, gap_categories: list[str],
    search_distance: float, lang: str, registry: Registry | None = None,
    domain: Domain | None = None,
) -> Coupled:
    """U1, U2 and the coupling coordination degree of every unit, with grades and obstacles.

    Parameters
    ----------
    grid : GeoDataFrame
        Units with every indicator column.
    section : CouplingConfig
        ``[coupling]``: indicators, weights, shift, alpha, model.
    gap_categories : list of str
        Categories whose ``net_dist_{category}`` enters U2 by default.
    search_distance : float
        Distances beyond it (or unreachable) count as ``search_distance`` m.
    lang : {"en", "zh"}
        Language of ``grade``, ``coupling_stage`` and ``lag_type``.
    registry : Registry, optional
        Indicator registry whose ``default`` flags choose the default indicators.
    domain : Domain, optional
        From :func:`analysis_domain`: normalisation, weights and obstacles use
        the analysed units only (default: every unit).

    Returns
    -------
    Coupled
        ``columns``: ``U1``, ``U2``, ``C``, ``T``, ``D``, ``grade_level``,
        ``grade_zh``, ``grade_en``, ``grade``, ``coupling_stage``, ``lag_type``,
        ``obstacle_1..3`` (and ``_pct``), NaN / None outside the domain;
        ``weights`` and ``obstacles`` tables.

    Warns
    -----
    UserWarning
        A subsystem with fewer than three indicators; indicators at one value
        in more than 90 % of the analysed units (they attract entropy weight).
    """
    d_industry, d_urban = default_indicators(list(grid.columns), gap_categories,
                                             registry=registry)
    industry = section.industry or d_industry
    urban = section.urban or d_urban
    table = pd.DataFrame(grid.drop(columns="geometry")).copy()
    if domain is not None:
        table = table.loc[domain.analysed.to_numpy()]
    for c in [c for c in table.columns if c.startswith(f"{NET_DIST}_")]:
        # unreachable within the search distance: as far as the search limit
        table[c] = table[c].fillna(search_distance).clip(upper=search_distance)
    u1, w1, x1, s1 = _subsystem("industry", "U1", table, industry, section)
    u2, w2, x2, s2 = _subsystem("urban", "U2", table, urban, section)
    u = pd.DataFrame({"U1": u1, "U2": u2})
    ctd = coupling.coupling_coordination(u, alpha=list(section.alpha), model=section.model)
    out = pd.DataFrame({"U1": u1, "U2": u2}, index=table.index)
    out[["C", "T", "D"]] = ctd[["C", "T", "D"]]
    out["grade_level"] = coupling.coordination_level(out["D"])
    out["grade_zh"] = coupling.coordination_grade(out["D"], lang="zh")
    out["grade_en"] = coupling.coordination_grade(out["D"], lang="en")
    out["grade"] = out["grade_zh"] if lang == "zh" else out["grade_en"]
    out["coupling_stage"] = coupling.coupling_stage(out["C"], lang=lang)
    out["lag_type"] = coupling.lag_type(
        u, labels={"U1": "industry", "U2": "urban function"} if lang == "en"
        else {"U1": "产业", "U2": "城市功能"}, lang=lang)
    obstacles, top = _obstacles(x1, x2, w1, w2, section.alpha)
    out[list(top.columns)] = top
    return Coupled(columns=domain_lib.expand_to_units(out, grid.index),
                   weights=pd.concat([w1, w2], ignore_index=True), obstacles=obstacles,
                   normed={"U1": x1, "U2": x2}, n_indicators={"U1": len(w1), "U2": len(w2)},
                   sparse=pd.concat([s1, s2], ignore_index=True))


# ----------------------------------------------------------------------------- 7. typology


#: Fewest analysed units for the "D tracks one subsystem" caution: a correlation
#: over fewer units is no evidence either way.
MIN_UNITS_CAUTION = 10


@dataclass(frozen=True)
class Typology:
    """City–industry type, relative development and bivariate class (:func:`unit_typology`).

    Attributes
    ----------
    columns : DataFrame
        On every unit (None / NaN outside the domain): ``typology_code``,
        ``typology_zh``, ``typology_en``, ``typology``, ``rel_dev`` (U1/U2,
        NaN where U2 = 0: GeoPackage has no infinity),
        ``dev_gap`` (U1 - U2), ``dev_gap_rank``, ``bivar_u1``, ``bivar_u2``,
        ``bivar_class``, ``bivar_color``.
    correlations : DataFrame
        :func:`cityind_gis.typology.d_tracks_subsystem`: Pearson and Spearman
        correlation of D with U1 and U2 over the analysed units.
    caution : str or None
        :func:`cityind_gis.typology.tracking_caution` text when D tracks one
        subsystem (:math:`|\\rho| \\ge 0.8`), in the run's language.
    """

    columns: pd.DataFrame
    correlations: pd.DataFrame
    caution: str | None


def unit_typology(coupled: Coupled, *, lang: str) -> Typology:
    """Typology of every unit from U1 and U2, and how closely D follows one of them.

    Parameters
    ----------
    coupled : Coupled
        From :func:`couple` (``U1``, ``U2``, ``D``, NaN outside the domain).
    lang : {"en", "zh"}
        Language of ``typology`` and of the caution.

    Returns
    -------
    Typology

    Warns
    -----
    UserWarning
        The caution, when D tracks one subsystem (|Spearman rho| >= 0.8 over
        at least :data:`MIN_UNITS_CAUTION` analysed units).

    Notes
    -----
    Difference rule with threshold 0.1 and "both low" below 0.2
    (:func:`cityind_gis.typology.city_industry_typology`); tercile bivariate
    classes (:func:`cityind_gis.typology.bivariate_class`); see
    ``docs/coupling.md``, "Typology".
    """
    u = coupled.columns[["U1", "U2"]]
    rel = typology_lib.relative_development(u)
    types = typology_lib.city_industry_typology(u, lang=lang)
    bivar = typology_lib.bivariate_class(u["U1"], u["U2"])
    corr = typology_lib.d_tracks_subsystem(u, coupled.columns["D"])
    labels = ({"U1": "U1 (industry)", "U2": "U2 (urban function)"} if lang == "en"
              else {"U1": "产业子系统 U1", "U2": "城市功能子系统 U2"})
    n = int(u["U1"].notna().sum())
    caution = (typology_lib.tracking_caution(corr, labels=labels, lang=lang)
               if n >= MIN_UNITS_CAUTION else None)
    if caution:
        warnings.warn(caution, stacklevel=3)
    rel = rel.assign(rel_dev=rel["rel_dev"].replace([np.inf, -np.inf], np.nan))
    cols = pd.concat([types, rel[["rel_dev", "dev_gap", "dev_gap_rank"]], bivar], axis=1)
    return Typology(columns=cols, correlations=corr, caution=caution)


def sensitivity(coupled: Coupled, section: CouplingConfig) -> WeightSensitivity:
    """D, grade and typology under entropy, CRITIC and equal weights, on the analysed units.

    Parameters
    ----------
    coupled : Coupled
        From :func:`couple` (its ``normed`` tables).
    section : CouplingConfig
        ``[coupling]``: ``weights`` (the baseline, when one of the three),
        ``alpha``, ``model``.

    Returns
    -------
    WeightSensitivity
        :func:`cityind_gis.sensitivity.weight_sensitivity`; ``summary`` is the
        ``weight_sensitivity.csv`` table.
    """
    methods = ["entropy", "critic", "equal"]
    if section.weights in methods:  # the run's own method is the baseline
        methods.remove(section.weights)
        methods.insert(0, section.weights)
    return weight_sensitivity(coupled.normed, methods=methods, alpha=list(section.alpha),
                              model=section.model)


# ----------------------------------------------------------------------------- 8. spatial


@dataclass(frozen=True)
class SpatialStatistics:
    """Global Moran's I of D and local statistics columns (:func:`spatial_statistics`)."""

    parameters: dict[str, Any]
    columns: pd.DataFrame


def spatial_statistics(grid: gpd.GeoDataFrame, section: SpatialStatsConfig) -> SpatialStatistics:
    """Global Moran's I of D (run.json keys) and LISA / Gi* columns (``[spatial_stats]``).

    Parameters
    ----------
    grid : GeoDataFrame
        Units with ``D``; units where D is NaN (outside the analysis domain)
        take no part and get NaN / None.
    section : SpatialStatsConfig
        ``[spatial_stats]``: weights, permutations, local_permutations
        (default 999: conditional permutation inference for LISA and Gi*,
        Anselin 1995), gi_two_sided (default True, as ArcGIS), alpha, seed.

    Returns
    -------
    SpatialStatistics
        Empty columns when disabled or when D is constant or units are too few.
    """
    from .. import spatial_stats as sps

    ss = section
    none = pd.DataFrame(index=grid.index)
    if not ss.enabled:
        return SpatialStatistics({}, none)
    full, grid = grid, grid[grid["D"].notna()]  # NaN: outside the analysis domain
    if len(grid) < 3 or grid["D"].nunique() < 2:
        reason = (f"they need at least 3 analysed units and D not constant ({len(grid)} "
                  f"unit(s), {grid['D'].nunique()} distinct D)")
        log.info("spatial statistics of D skipped: %s", reason)
        return SpatialStatistics({"spatial_stats_skipped": reason}, none)
    kw = ({"k": ss.k} if ss.weights == "knn" else
          {"distance": ss.distance} if ss.weights == "distance" else {})
    w = sps.spatial_weights(grid, method=ss.weights, **kw)
    m = sps.global_moran(grid, "D", weights=w, permutations=ss.permutations, seed=ss.seed)
    lisa = sps.local_moran(grid, "D", weights=w, permutations=ss.local_permutations,
                           alpha=ss.alpha, seed=ss.seed)
    gi = sps.getis_ord(grid, "D", weights=w, permutations=ss.local_permutations,
                       alpha=ss.alpha, two_sided=ss.gi_two_sided, seed=ss.seed)
    moran = {"moran_weights": ss.weights, "moran_i": round(float(m["I"]), 6),
             "moran_z_sim": round(float(m["z_sim"]), 4), "moran_p_sim": float(m["p_sim"]),
             "moran_permutations": int(m["permutations"]), "moran_n_islands": int(m["n_islands"]),
             "lisa_alpha": ss.alpha, "local_permutations": ss.local_permutations,
             "gi_two_sided": ss.gi_two_sided}
    local = pd.concat([lisa[["lisa_cluster", "lisa_i", "lisa_p"]], gi], axis=1)
    moran["moran_n_units"] = len(grid)
    return SpatialStatistics(moran, domain_lib.expand_to_units(local, full.index))


# ----------------------------------------------------------------------------- 9. gaps


@dataclass(frozen=True)
class ServiceGaps:
    """Service gaps of industrial land (:func:`service_gap_analysis`).

    Attributes
    ----------
    cells : GeoDataFrame
        Industrial cells with at least one gap (:func:`cityind_gis.gaps.service_gaps`).
    n_missing_services : Series
        Gaps per cell on the grid (Int64, NA where not industrial).
    industrial : Series
        Boolean on the grid: the cell is industrial.
    units : GeoDataFrame
        Graded gaps of every industrial parcel (or cell), ranked
        (:func:`cityind_gis.gaps.graded_service_gaps`), with facility counts.
    table : DataFrame
        The bilingual ranked list (:func:`cityind_gis.gaps.gap_table`).
    summary : DataFrame
        Units per severity grade and category (:func:`cityind_gis.gaps.gap_summary`).
    sites : GeoDataFrame
        Candidate sites per category with gaps.
    thresholds : dict of str to float
        Threshold in metres of each category.
    basis : str
        Where the thresholds come from, in words.
    absent : list of str
        Categories absent from the data.
    """

    cells: gpd.GeoDataFrame
    n_missing_services: pd.Series
    industrial: pd.Series
    units: gpd.GeoDataFrame
    table: pd.DataFrame
    summary: pd.DataFrame
    sites: gpd.GeoDataFrame
    thresholds: dict[str, float]
    basis: str
    absent: list[str]


def gap_thresholds(section: GapConfig, access: AccessibilityConfig) -> tuple[dict[str, float],
                                                                             str]:
    """Threshold in metres of every ``[gaps] categories`` entry, and where it comes from.

    Parameters
    ----------
    section : GapConfig
        ``[gaps]``: ``thresholds`` (per category) over ``distance`` or
        ``life_circle`` (one for every category) over ``standards`` (a CSV of
        :func:`cityind_gis.network.service_standards`; default the bundled
        GB 50180-2018 table).
    access : AccessibilityConfig
        ``[accessibility] walk_speed``: life-circle levels become minutes x speed.

    Returns
    -------
    thresholds : dict of str to float
        Category -> metres, in ``categories`` order.
    basis : str
        E.g. ``"service standards (service_standards.csv)"`` or
        ``"1000 m for every category ([gaps] distance)"``.

    Raises
    ------
    InputError
        A category without a threshold in the standards table.
    """
    cats = list(section.categories)
    if section.life_circle is not None:
        req = life_circle_requirements(walk_speed=access.walk_speed, levels=[section.life_circle])
        one = float(req["distance_m"].iloc[0])
        out, basis = dict.fromkeys(cats, one), (f"{one:g} m for every category ([gaps] "
                                                f"life_circle = {section.life_circle!r})")
    elif section.distance is not None:
        one = float(section.distance)
        out, basis = dict.fromkeys(cats, one), f"{one:g} m for every category ([gaps] distance)"
    else:
        table = service_standards(section.standards, walk_speed=access.walk_speed)
        name = Path(section.standards).name if section.standards else "service_standards.csv"
        missing = [c for c in cats if c not in table.index and c not in (section.thresholds
                                                                          or {})]
        if missing:
            msg = (f"the service-standard table {name} gives no threshold for `[gaps] "
                   f"categories` {missing}; add rows to `[gaps] standards`, or set "
                   f"`[gaps] thresholds = {{ {missing[0]} = 1000 }}` (metres).")
            raise InputError(msg)
        out = {c: float(table.loc[c, "threshold_m"]) for c in cats if c in table.index}
        basis = f"service standards ({name})"
    if section.thresholds:
        out.update({c: float(m) for c, m in section.thresholds.items() if c in cats})
        basis += "; [gaps] thresholds for " + ", ".join(
            c for c in section.thresholds if c in cats)
    return {c: out[c] for c in cats}, basis


def _industrial_units(section: GapConfig, landuse: gpd.GeoDataFrame,
                      cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Industrial parcels (``[gaps] units = "parcels"``) or industrial cells."""
    if section.units == "parcels":
        units = landuse.loc[landuse["class"] == "industrial", ["class", "geometry"]]
        return units.rename_axis("parcel")
    return cells[["geometry"]]


def _parcel_gaps(
    section: GapConfig, access: AccessibilityConfig, units: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame, graph: WalkGraph, thresholds: dict[str, float],
    search_distance: float,
) -> gpd.GeoDataFrame:
    """Graded gaps from many origins per unit, and facility counts within the walking distances."""
    categories = list(thresholds)
    snapping = {"snap": access.snap, "snap_distance": access.snap_distance,
                "component": access.component}
    standards = pd.DataFrame({"threshold_m": list(thresholds.values())},
                             index=pd.Index(categories, name="category"))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"categories .* no facility in the study")
        warnings.filterwarnings("ignore", message=_NO_FACILITY)  # said in stage 4
        warnings.filterwarnings("ignore", message=".*facilities lie farther")  # said in stage 4
        warnings.filterwarnings("ignore", message=_REJOIN)  # counted in `rejoined`
        origins = origins_for_units(units, spacing=section.origin_spacing,
                                    min_area=section.origin_min_area)
        ind = graded_service_gaps(
            units, facilities, graph, categories=categories, standards=standards,
            origins=origins, worker_density=section.worker_density,
            served_share=section.served_share, far_factor=section.far_factor,
            search_distance=search_distance, count_absent=section.count_absent, **snapping)
        counts = facility_counts_within(
            ind, facilities, graph, distances=access.distances, categories=categories,
            **snapping) if len(ind) else pd.DataFrame(index=ind.index)
    return gpd.GeoDataFrame(pd.concat([ind.drop(columns="geometry"), counts,
                                       ind[["geometry"]]], axis=1),
                            geometry="geometry", crs=ind.crs)


def service_gap_analysis(
    grid: gpd.GeoDataFrame, layers: Layers, distances: Distances, indicators: UnitIndicators,
    section: GapConfig, access: AccessibilityConfig, *, search_distance: float = 3000.0,
) -> ServiceGaps:
    """Industrial cells lacking services, graded unit-level gaps, ranked table, candidate sites.

    Parameters
    ----------
    grid : GeoDataFrame
        Units with ``industrial_share`` and ``net_dist_{category}``.
    layers, distances, indicators
        Results of the earlier stages.
    section : GapConfig
        ``[gaps]``: categories, thresholds (standards, distance, life circle),
        grading, origins, units, workers, candidates.
    access : AccessibilityConfig
        ``[accessibility]``: snapping, network component, walking distances, speed.
    search_distance : float, default 3000
        ``[indicators] search_distance`` (m): every distance within it is measured.

    Returns
    -------
    ServiceGaps

    Warns
    -----
    UserWarning
        Once with the number of industrial parcels that rejoined the network.

    Notes
    -----
    Each category is held to its own threshold (:func:`gap_thresholds`). The
    cells use their ``net_dist_*`` columns; the industrial units are graded by
    :func:`cityind_gis.gaps.graded_service_gaps` from origins sampled over
    every unit of at least ``origin_min_area`` (:func:`cityind_gis.network.origins_for_units`).
    Categories absent from the data are no unit's gap unless ``count_absent``.
    """
    from ..siting import candidate_points, candidate_sites

    thresholds, basis = gap_thresholds(section, access)
    categories = list(thresholds)
    absent = list(distances.absent)
    cells = service_gaps(grid, categories=categories, distance=thresholds,
                         min_industrial_share=section.min_industrial_share, absent=absent,
                         count_absent=section.count_absent)
    industrial = grid["industrial_share"] > section.min_industrial_share
    n_missing = pd.Series(pd.array(np.where(industrial, 0, pd.NA), dtype="Int64"),
                          index=grid.index, name="n_missing_services")
    n_missing.loc[cells.index] = cells["n_missing"].to_numpy()
    analysed = indicators.analysed_pois
    facilities = analysed[analysed["category"].isin(distances.present)]
    units = _industrial_units(section, layers.landuse, grid[industrial])
    ind = _parcel_gaps(section, access, units, facilities, layers.graph, thresholds,
                       search_distance)
    if section.units == "parcels":  # cells: said in stage 4
        _warn_rejoined(int(ind["rejoined"].sum()), len(ind), "industrial parcels", 0, 0,
                       access.component)
    if section.candidates > 0 and ind["has_gap"].any():
        sites = candidate_sites(ind, candidate_points(layers.graph, layers.landuse), layers.graph,
                                categories=categories, distance=thresholds, k=section.candidates,
                                weight_column="workers", snap=access.snap,
                                snap_distance=access.snap_distance, component=access.component)
    else:
        sites = candidate_sites(ind.iloc[:0], candidate_points(layers.graph,
                                                               layers.landuse.iloc[:0]),
                                layers.graph, categories=categories, distance=thresholds)
    return ServiceGaps(cells=cells, n_missing_services=n_missing, industrial=industrial,
                       units=ind, table=gap_table(ind, categories=categories),
                       summary=gap_summary(ind, categories=categories, thresholds=thresholds),
                       sites=sites, thresholds=thresholds, basis=basis, absent=absent)
