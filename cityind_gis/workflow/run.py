"""The end-to-end run: layers -> units -> indicators -> distances -> U1, U2, D -> gaps.

:func:`run` is a short composition of the named stages of
:mod:`cityind_gis.workflow.stages`; it reads no global settings and returns a
:class:`~cityind_gis.workflow.results.RunResult`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import pandas as pd

from .._errors import SchemaError
from ..config import Config
from ..coupling import GRADES_10
from ..gaps import SEVERITIES
from ..indicators.registry import Registry
from . import stages as st
from .results import RunResult

__all__ = ["run", "STAGES"]

log = logging.getLogger(__name__)

#: The stages of a run, in order, as the progress lines name them.
STAGES: tuple[str, ...] = (
    "loading land use, POIs and the walking network",
    "building the units",
    "land-use and POI indicators",
    "walking distances to the nearest facility per category",
    "analysis domain, subsystem indices U1, U2, coupling coordination and typology",
    "service gaps of industrial land",
    "summary tables",
)


@contextmanager
def _stage(n: int, text: str, progress: Callable[[str], None] | None) -> Iterator[None]:
    t0 = time.perf_counter()
    if progress:
        progress(f"[{n}/{len(STAGES)}] {text} ...")
    yield
    log.info("%s took %.2f s", text, time.perf_counter() - t0)
    if progress:
        progress(f"      done in {time.perf_counter() - t0:.2f} s")


def run(
    config: Config,
    *,
    progress: Callable[[str], None] | None = None,
    registry: Registry | None = None,
) -> RunResult:
    """Run the whole analysis described by ``config``.

    Parameters
    ----------
    config : Config
        From :func:`cityind_gis.config.load_config` or :func:`~cityind_gis.config.sample_config`.
    progress : callable, optional
        Called with one line of text at the start and end of each stage.
    registry : Registry, optional
        Indicator registry (default :func:`cityind_gis.indicators.default_registry`).
        Pass a copy with your own indicators registered to compute them, and,
        when registered with ``default=True``, to use them in U1 / U2.

    Returns
    -------
    RunResult
        Every layer and table of the run (see :class:`~cityind_gis.workflow.RunResult`).
    """
    cfg = config
    t_start = time.perf_counter()
    with _stage(1, STAGES[0], progress):
        layers = st.load_layers(cfg)
    with _stage(2, f"{STAGES[1]} ({st.unit_noun(cfg.grid, cfg.zones)}) in {layers.crs.name}",
                progress):
        units = st.build_units(cfg.grid, cfg.zones, cfg.statistics, layers)
    with _stage(3, STAGES[2], progress):
        ind = st.unit_indicators(units, layers, cfg.indicators, registry=registry)
    gap_cats = list(cfg.gaps.categories)
    with _stage(4, STAGES[3], progress):
        dist = st.walking_distances(units, layers, ind, cfg.accessibility, categories=gap_cats,
                                    search_distance=cfg.indicators.search_distance,
                                    lang=cfg.study.lang, count_absent=cfg.gaps.count_absent)
    grid = _grid(units, ind, dist, layers)
    with _stage(5, STAGES[4], progress):
        domain = st.analysis_domain(grid, cfg.domain)
        grid[list(domain.columns.columns)] = domain.columns
        coupled = st.couple(grid, cfg.coupling, gap_categories=gap_cats,
                            search_distance=cfg.indicators.search_distance,
                            lang=cfg.study.lang, registry=registry, domain=domain)
        types = st.unit_typology(coupled, lang=cfg.study.lang)
        grid[list(coupled.columns.columns)] = coupled.columns
        grid[list(types.columns.columns)] = types.columns
        sens = st.sensitivity(coupled, cfg.coupling)
        spatial = st.spatial_statistics(grid, cfg.spatial_stats)
        grid[list(spatial.columns.columns)] = spatial.columns
    with _stage(6, f"{STAGES[5]}, graded by {st.gap_thresholds(cfg.gaps, cfg.accessibility)[1]}",
                progress):
        gaps = st.service_gap_analysis(grid, layers, dist, ind, cfg.gaps, cfg.accessibility,
                                       search_distance=cfg.indicators.search_distance)
        grid["n_missing_services"] = gaps.n_missing_services
    with _stage(7, STAGES[6], progress):
        summary = grade_summary(grid)
        params = run_parameters(cfg, layers, units, ind, gaps, spatial.parameters,
                                n_units=len(grid), seconds=time.perf_counter() - t_start)
        params = params.assign(**gap_parameters(gaps, dist))
        params = params.assign(**domain_parameters(domain, coupled, types))
    return RunResult(
        grid=grid, service_gaps=gaps.cells, industrial_service_gaps=gaps.units,
        candidate_sites=gaps.sites, industrial_gap_table=gaps.table, landuse=layers.landuse,
        pois=layers.pois, network=gpd.GeoDataFrame(
            layers.edges[["u", "v", "length", "geometry"]].copy(), crs=layers.crs),
        weights=coupled.weights, obstacles=coupled.obstacles, summary=summary,
        classification_report=layers.report, parameters=params, buildings=ind.buildings,
        rasters=ind.rasters, weight_sensitivity=sens.summary.reset_index(),
        domain=domain.summary)


def _grid(units: st.Units, ind: st.UnitIndicators, dist: st.Distances,
          layers: st.Layers) -> gpd.GeoDataFrame:
    """The units with every indicator, distance and ``[statistics]`` column."""
    grid = pd.concat([units.grid, ind.table, dist.table], axis=1)
    clash = sorted(set(units.statistics.columns) & set(grid.columns))
    if clash:
        msg = (f"`[statistics] indicators` name(s) {clash} are also columns of the zones or "
               "indicators the run computes; give them other names, e.g. "
               "indicators = {\"<column>\" = \"stat_<name>\"}.")
        raise SchemaError(msg)
    grid = pd.concat([grid, units.statistics], axis=1)
    return gpd.GeoDataFrame(grid, geometry="geometry", crs=layers.crs)


def data_credit(config: Config) -> str:
    """Attribution owed for the input data (ODbL: maps made from OSM must credit it).

    Parameters
    ----------
    config : Config
        The run's config.

    Returns
    -------
    str
        "Data © OpenStreetMap contributors, ODbL 1.0" when any layer comes from
        OSM, else an empty string.
    """
    cfg = config
    layers = (cfg.landuse.path, *(s.path for s in cfg.poi_sources), cfg.roads.path)
    sources = [cfg.osm, *layers]
    from_osm = cfg.osm is not None and any(p is None or p == cfg.osm for p in layers)
    from_osm = from_osm or any(
        str(p).lower().endswith((".pbf", ".osm", ".graphml")) for p in sources if p is not None)
    return "Data © OpenStreetMap contributors, ODbL 1.0" if from_osm else ""


def grade_summary(grid: gpd.GeoDataFrame, domain: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cells, share and mean indices per coordination grade (all 10 grades listed).

    Parameters
    ----------
    grid : GeoDataFrame
        Units with ``grade_level``, ``U1``, ``U2`` and ``D`` (NaN outside the
        analysis domain).
    domain : DataFrame, optional
        :func:`cityind_gis.domain.domain_summary`: one more row per reason
        units were left out ("not analysed: ...", no grade level).

    Returns
    -------
    DataFrame
        One row per grade: ``grade_level``, ``grade_zh``, ``grade_en``, ``d_from``,
        ``d_to``, ``cells``, ``share_pct`` (of all units), ``mean_U1``,
        ``mean_U2``, ``mean_D``; then the rows of the units not analysed.
    """
    g = grid.groupby("grade_level", observed=True)
    stats = pd.DataFrame({
        "cells": g.size(),
        "mean_U1": g["U1"].mean(),
        "mean_U2": g["U2"].mean(),
        "mean_D": g["D"].mean(),
    })
    rows = pd.DataFrame(GRADES_10,
                        columns=["grade_level", "d_from", "d_to", "grade_zh", "grade_en"])
    out = rows.merge(stats, left_on="grade_level", right_index=True, how="left")
    if domain is not None and (domain["reason"] != "analysed").any():
        left = domain[domain["reason"] != "analysed"]
        out = pd.concat([out.astype({"grade_level": "Int64"}), pd.DataFrame({
            "grade_level": pd.array([pd.NA] * len(left), dtype="Int64"),
            "grade_zh": ("未分析：" + left["reason_zh"]).to_numpy(),
            "grade_en": ("not analysed: " + left["reason"]).to_numpy(),
            "cells": left["n_units"].to_numpy()})], ignore_index=True)
    out["cells"] = out["cells"].fillna(0).astype(int)
    out["share_pct"] = 100.0 * out["cells"] / max(len(grid), 1)
    return out[["grade_level", "grade_zh", "grade_en", "d_from", "d_to", "cells", "share_pct",
                "mean_U1", "mean_U2", "mean_D"]]


def domain_parameters(domain: st.Domain, coupled: st.Coupled,
                      types: st.Typology) -> dict[str, Any]:
    """``run.json`` keys of the domain, subsystem breadth, sparse indicators and typology.

    Parameters
    ----------
    domain, coupled, types
        Results of :func:`~cityind_gis.workflow.stages.analysis_domain`,
        :func:`~cityind_gis.workflow.stages.couple` and
        :func:`~cityind_gis.workflow.stages.unit_typology`.

    Returns
    -------
    dict
        ``domain_rule``, ``n_units_analysed``, ``n_units_not_analysed``,
        ``domain_left_out`` (reason -> units), ``n_indicators_U1``,
        ``n_indicators_U2``, ``sparse_indicators``, ``corr_D_U1`` / ``corr_D_U2``
        (Pearson and Spearman), ``d_tracks_caution``.
    """
    corr = types.correlations
    left = domain.left_out()
    sparse = coupled.sparse
    return {
        "domain_rule": domain.rule,
        "n_units_analysed": int(domain.analysed.sum()),
        "n_units_not_analysed": int(sum(left.values())),
        "domain_left_out": json.dumps(left, ensure_ascii=False),
        "n_indicators_U1": coupled.n_indicators.get("U1"),
        "n_indicators_U2": coupled.n_indicators.get("U2"),
        "sparse_indicators": json.dumps(
            {str(r.indicator): round(float(r.share), 4) for r in sparse.itertuples()}
            if len(sparse) else {}),
        **{f"corr_D_{k}_{m}": None if pd.isna(corr.loc[k, m]) else round(float(corr.loc[k, m]), 4)
           for k in corr.index for m in ("pearson", "spearman")},
        "d_tracks_caution": types.caution or "",
    }


def gap_parameters(gaps: st.ServiceGaps, dist: st.Distances) -> dict[str, Any]:
    """``run.json`` keys of the graded gaps and of the units that rejoined the network.

    Parameters
    ----------
    gaps, dist
        Results of :func:`~cityind_gis.workflow.stages.service_gap_analysis` and
        :func:`~cityind_gis.workflow.stages.walking_distances`.

    Returns
    -------
    dict
        ``gap_basis`` (where the thresholds come from), ``gap_thresholds_m``
        (category -> metres, JSON), ``gap_absent_categories``,
        ``n_industrial_units_by_severity`` (category -> grade -> units, JSON),
        ``n_units_rejoined``, ``n_facilities_rejoined``,
        ``n_industrial_units_rejoined``.
    """
    summary = gaps.summary.set_index("category")
    return {
        "gap_basis": gaps.basis,
        "gap_thresholds_m": json.dumps(gaps.thresholds),
        "gap_absent_categories": ";".join(gaps.absent),
        "n_industrial_units_by_severity": json.dumps(
            {c: {g: int(summary.loc[c, g]) for g in SEVERITIES} for c in summary.index}),
        "n_units_rejoined": dist.n_rejoined,
        "n_facilities_rejoined": dist.n_facilities_rejoined,
        "n_industrial_units_rejoined": int(gaps.units["rejoined"].sum()),
    }


def run_parameters(
    config: Config, layers: st.Layers, units: st.Units, ind: st.UnitIndicators,
    gaps: st.ServiceGaps, spatial: dict[str, Any], *, n_units: int, seconds: float,
) -> pd.DataFrame:
    """One-row table of a run's settings, counts and timings (``run.json``).

    Parameters
    ----------
    config : Config
        The run's config.
    layers, units, ind, gaps
        Results of the stages.
    spatial : dict
        :attr:`SpatialStatistics.parameters` (Moran's I keys).
    n_units : int
        Number of units.
    seconds : float
        Run time so far.

    Returns
    -------
    DataFrame
    """
    cfg, buildings, pois = config, ind.buildings, layers.pois
    ind_gaps = gaps.units
    return pd.DataFrame([{
        "study": cfg.study.name,
        "data_credit": data_credit(cfg),
        "source": str(cfg.osm or cfg.source or ""),
        "crs": layers.crs.to_string(),
        "cell_size_m": float(cfg.grid.cell_size),
        "units": units.noun,
        "n_cells": n_units,
        "n_landuse_polygons": len(layers.landuse),
        "n_buildings": 0 if buildings is None else len(buildings),
        "n_industrial_buildings": (0 if buildings is None
                                   else int((buildings["use"] == "industrial").sum())),
        "n_pois_analysed": int((pois["status"] == "analysed").sum()),
        "n_pois_unmapped": int((pois["status"] == "unmapped").sum()),
        "n_network_nodes": layers.graph.n_nodes,
        "n_network_edges": layers.graph.n_edges,
        "n_network_components": layers.graph.n_components,
        **layers.parameters,
        "normalize_shift": json.dumps(cfg.coupling.shift),
        "weights_method": cfg.coupling.weights,
        "alpha": json.dumps(list(cfg.coupling.alpha)),
        "coupling_model": cfg.coupling.model,
        "search_distance_m": cfg.indicators.search_distance,
        "gap_distance_m": cfg.gaps.distance,
        "gap_categories": ";".join(cfg.gaps.categories),
        "n_industrial_cells": int(gaps.industrial.sum()),
        "n_gap_cells": len(gaps.cells),
        "gap_units": cfg.gaps.units,
        "gap_count_absent": cfg.gaps.count_absent,
        "n_industrial_units": len(ind_gaps),
        "n_industrial_units_with_gaps": int(ind_gaps["has_gap"].sum()),
        "n_candidate_sites": len(gaps.sites),
        "snap": cfg.accessibility.snap,
        "snap_distance_m": cfg.accessibility.snap_distance,
        "network_component": cfg.accessibility.component,
        **spatial,
        "runtime_s": round(seconds, 3),
    }])
