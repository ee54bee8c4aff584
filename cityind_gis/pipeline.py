"""The end-to-end run: layers -> grid indicators -> U1, U2 -> C, T, D -> gaps -> outputs.

:func:`run` composes the library's pure functions and returns named tables;
:func:`write_outputs` writes them atomically. Neither reads global settings.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import coupling
from ._errors import InputError, SchemaError
from .config import Config, LayerConfig
from .gaps import service_gaps
from .indicators import land_use_mix, landuse_area, landuse_shares, poi_counts, poi_density
from .io import osm as osm_io
from .io import vector as vector_io
from .io.crs import analysis_crs, to_analysis_crs
from .io.writers import write_csv, write_geopackage, write_json
from .network import graph_from_edges, graph_from_lines, nearest_facility_distance
from .taxonomy import (
    EXCLUDED,
    OSM_POI_KEYS,
    classify_tags,
    classify_values,
    landuse_classes,
    load_mapping,
    poi_categories,
    service_categories,
    tag_report,
)
from .taxonomy import check_classes as _check_classes
from .units import grid_over

__all__ = ["run", "write_outputs", "default_indicators"]

log = logging.getLogger(__name__)

_PUBLIC_SERVICE = ("administration", "education", "healthcare", "culture_sports")


@contextmanager
def _stage(n: int, total: int, text: str, progress: Callable[[str], None] | None) -> Iterator[None]:
    t0 = time.perf_counter()
    if progress:
        progress(f"[{n}/{total}] {text} ...")
    yield
    log.info("%s took %.2f s", text, time.perf_counter() - t0)
    if progress:
        progress(f"      done in {time.perf_counter() - t0:.2f} s")


# ----------------------------------------------------------------------------- loading


def _load_landuse(cfg: Config) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    lc: LayerConfig = cfg.landuse
    classes = list(landuse_classes().index)
    if lc.path is None:
        raw = osm_io.read_osm_landuse(cfg.osm)
        mapping = load_mapping(lc.mapping or "osm_landuse")
        _check_classes(mapping, classes, "landuse mapping")
        cls = classify_values(raw["landuse"], mapping, key="landuse")
        tags, keys = raw[["landuse"]], ["landuse"]
    else:
        raw = vector_io.read_vector(lc.path, name="landuse", layer=lc.layer, crs=lc.crs,
                                    encoding=lc.encoding)
        column = lc.class_column or "class"
        vector_io.require_columns(raw, [column], "landuse")
        mapping = (load_mapping(lc.mapping) if lc.mapping
                   else load_mapping({c: c for c in classes}))
        _check_classes(mapping, classes, "landuse mapping")
        cls = classify_values(raw[column], mapping, key=column)
        tags, keys = raw[[column]].astype(object), [column]
    report = tag_report(tags, cls, keys=keys, layer="landuse")
    n_unmapped = int(cls.isna().sum())
    if n_unmapped:
        top = ", ".join(f"{v} ({c})" for v, c in report.loc[report.status == "unmapped",
                                                          ["value", "count"]].head(5).values)
        warnings.warn(
            f"{n_unmapped} land-use polygon(s) have values no mapping knows ({top}); they count "
            "as 'other'. See classification_report.csv, and extend the mapping to classify them.",
            stacklevel=3,
        )
    # excluded land use makes no sense for area accounting: treat as other
    cls = cls.where(cls.notna() & cls.ne(EXCLUDED), "other")
    out = gpd.GeoDataFrame(
        {"source_value": tags[keys[0]].astype(object).to_numpy(), "class": cls.to_numpy()},
        geometry=raw.geometry.to_numpy(), crs=raw.crs,
    )
    return out[out.geom_type.isin(["Polygon", "MultiPolygon"])].reset_index(drop=True), report


def _load_pois(cfg: Config) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    pc: LayerConfig = cfg.pois
    cats = list(poi_categories().index)
    if pc.path is None:
        raw = osm_io.read_osm_pois(cfg.osm)
        mapping = load_mapping(pc.mapping or "osm_poi")
        _check_classes(mapping, cats, "pois mapping")
        cat = classify_tags(raw, mapping, keys=OSM_POI_KEYS)
        report = tag_report(raw, cat, keys=OSM_POI_KEYS, layer="pois")
        label = raw[list(OSM_POI_KEYS)].bfill(axis=1).iloc[:, 0] if len(raw) else raw.get("name")
        keep_cols = {"osm_id": raw["osm_id"], "name": raw["name"], "source_value": label}
    else:
        if vector_io.is_table(pc.path):
            raw = vector_io.read_point_table(pc.path, name="pois", x=pc.x, y=pc.y,
                                             crs=pc.crs or "EPSG:4326", sheet=pc.sheet)
        else:
            raw = vector_io.read_vector(pc.path, name="pois", layer=pc.layer, crs=pc.crs,
                                        encoding=pc.encoding)
        column = pc.class_column or "category"
        vector_io.require_columns(raw, [column], "pois")
        mapping = load_mapping(pc.mapping) if pc.mapping else load_mapping({c: c for c in cats})
        _check_classes(mapping, cats, "pois mapping")
        cat = classify_values(raw[column], mapping, key=column)
        report = tag_report(raw[[column]].astype(object), cat, keys=[column], layer="pois")
        keep_cols = {"source_value": raw[column].astype(object)}
        if "name" in raw.columns:
            keep_cols["name"] = raw["name"].astype(object)
        if (raw.geom_type != "Point").any():
            raw = raw.set_geometry(raw.geometry.representative_point())
    n_unmapped = int(cat.isna().sum())
    if n_unmapped:
        top = ", ".join(f"{k}={v} ({c})" for k, v, c in report.loc[report.status == "unmapped",
                                                                 ["key", "value", "count"]].head(5).values)
        warnings.warn(
            f"{n_unmapped} POI(s) have tags no mapping knows ({top}); they are kept in the "
            "`pois` layer with status 'unmapped' but not analysed. See classification_report.csv.",
            stacklevel=3,
        )
    status = np.where(cat.isna(), "unmapped", np.where(cat.eq(EXCLUDED), EXCLUDED, "analysed"))
    data = {k: pd.Series(v).astype(object).to_numpy() for k, v in keep_cols.items()}
    data["category"] = cat.where(cat.notna() & cat.ne(EXCLUDED), None).to_numpy(dtype=object)
    data["status"] = status
    return gpd.GeoDataFrame(data, geometry=raw.geometry.to_numpy(), crs=raw.crs), report


def _load_network(cfg: Config, crs: Any | None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rc = cfg.roads
    path = rc.path if rc.path is not None else cfg.osm
    try:
        fmt = osm_io.osm_format(path)
    except InputError:
        fmt = None
    if fmt is not None:
        return osm_io.read_osm_walk_network(path)
    roads = vector_io.read_vector(path, name="roads", layer=rc.layer, crs=rc.crs)
    bad = ~roads.geom_type.isin(["LineString", "MultiLineString"])
    if bad.any():
        msg = (f"`roads` must be lines; {int(bad.sum())} feature(s) are "
               f"{sorted(set(roads.geom_type[bad]))}. Give road centre lines.")
        raise SchemaError(msg)
    metric = analysis_crs(roads, crs)
    roads = to_analysis_crs(roads, metric, "roads")
    return graph_from_lines(roads, tolerance=rc.snap_tolerance)


def _load_boundary(cfg: Config) -> gpd.GeoDataFrame | None:
    if cfg.study.boundary is None:
        return None
    return vector_io.read_vector(cfg.study.boundary, name="boundary", layer=cfg.study.boundary_layer,
                                 crs=cfg.study.boundary_crs)


# ----------------------------------------------------------------------------- indicators


def default_indicators(
    grid_columns: list[str], gap_categories: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Default indicators and directions of the two subsystems.

    Parameters
    ----------
    grid_columns : list of str
        Columns available on the grid.
    gap_categories : list of str
        Service categories whose walking distance enters U2 (negative direction).

    Returns
    -------
    industry, urban : dict of str to {"+", "-"}
        Indicator -> direction for U1 (industrial subsystem) and U2 (urban function).
    """
    industry = {c: "+" for c in ("industrial_share", "logistics_share", "poi_density_enterprise")
                if c in grid_columns}
    urban = {c: "+" for c in ("residential_share", "public_service_share", "commercial_share",
                              "land_use_mix") if c in grid_columns}
    for cat in service_categories():
        if f"poi_density_{cat}" in grid_columns:
            urban[f"poi_density_{cat}"] = "+"
    for cat in gap_categories:
        if f"net_dist_{cat}" in grid_columns:
            urban[f"net_dist_{cat}"] = "-"
    return industry, urban


def _subsystem(
    name: str, label: str, table: pd.DataFrame, directions: dict[str, str], cfg: Config
) -> tuple[pd.Series, pd.DataFrame]:
    missing = [c for c in directions if c not in table.columns]
    if missing:
        msg = (f"`[coupling.{name}]` names indicator(s) {missing} that the run does not produce; "
               f"available: {sorted(table.columns)}.")
        raise InputError(msg)
    data = table[list(directions)]
    variable = data.nunique() > 1
    if not variable.any():
        msg = (f"every {name} indicator {list(directions)} is constant over the study area, so "
               f"{label} cannot be measured; choose other indicators or a larger study area.")
        raise SchemaError(msg)
    if not variable.all():
        warnings.warn(
            f"{name} indicator(s) {list(variable.index[~variable])} are constant over the study "
            "area (no variance) and were left out of the index.",
            stacklevel=3,
        )
        data = data.loc[:, variable]
    normed = coupling.normalize(data, {c: directions[c] for c in data.columns},
                                shift=cfg.coupling.shift)
    weighers = {"entropy": coupling.entropy_weights, "critic": coupling.critic_weights,
                "cv": coupling.cv_weights,
                "equal": lambda df: coupling.equal_weights(df.columns)}
    if cfg.coupling.weights not in weighers:
        msg = f"`[coupling] weights` must be one of {sorted(weighers)}, got {cfg.coupling.weights!r}."
        raise InputError(msg)
    w = weighers[cfg.coupling.weights](normed)
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
    return u, info


def run(
    config: Config,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run the whole analysis described by ``config``.

    Parameters
    ----------
    config : Config
        From :func:`cityind_gis.config.load_config` or :func:`~cityind_gis.config.sample_config`.
    progress : callable, optional
        Called with one line of text at the start and end of each stage.

    Returns
    -------
    dict of str to DataFrame
        ``grid`` (GeoDataFrame: every indicator, ``U1``, ``U2``, ``C``, ``T``, ``D``,
        ``grade_level``, ``grade``, ``grade_zh``, ``grade_en``, ``coupling_stage``,
        ``lag_type``, ``n_missing_services``), ``service_gaps`` (GeoDataFrame),
        ``landuse``, ``pois``, ``network`` (GeoDataFrames, analysis CRS),
        ``weights``, ``summary``, ``classification_report`` (tables) and
        ``parameters`` (one-row table of the run's settings and timings).
    """
    cfg = config
    t_start = time.perf_counter()
    total = 7
    cell = float(cfg.grid.cell_size)
    if cell <= 0:
        msg = f"`cell_size` must be a positive number of metres, got {cell}."
        raise InputError(msg)

    with _stage(1, total, "loading land use, POIs and the walking network", progress):
        landuse, lu_report = _load_landuse(cfg)
        pois, poi_report = _load_pois(cfg)
        boundary = _load_boundary(cfg)
        nodes, edges = _load_network(cfg, cfg.study.crs)
        crs = analysis_crs(nodes, cfg.study.crs)
        landuse = to_analysis_crs(landuse, crs, "landuse")
        pois = to_analysis_crs(pois, crs, "pois")
        nodes = to_analysis_crs(nodes, crs, "network nodes")
        edges = to_analysis_crs(edges, crs, "network edges")
        if boundary is not None:
            boundary = to_analysis_crs(boundary, crs, "boundary")
        graph = graph_from_edges(nodes, edges)
        report = pd.concat([lu_report, poi_report], ignore_index=True)

    with _stage(2, total, f"building a {cell:g} m grid in {crs.name}", progress):
        grid = grid_over([nodes], cell, boundary=boundary)
        if len(grid) < 2:
            msg = (f"the study area holds {len(grid)} cell(s) of {cell:g} m; at least 2 are needed "
                   "to compare cells. Use a smaller `cell_size`.")
            raise InputError(msg)

    with _stage(3, total, "land-use and POI indicators", progress):
        area = landuse_area(grid, landuse)
        shares = landuse_shares(area, grid["cell_area_m2"])
        shares["public_service_share"] = shares[[f"{c}_share" for c in _PUBLIC_SERVICE]].sum(axis=1)
        mix = land_use_mix(area)
        analysed = pois[pois["status"] == "analysed"]
        cats = list(poi_categories().index)
        counts = poi_counts(grid, analysed, categories=cats)
        dens = poi_density(counts, grid["cell_area_m2"])
        n_out = int(len(analysed) - counts.to_numpy().sum())
        if n_out:
            log.info("%d analysed POIs lie outside the grid and are not counted in cells", n_out)

    gap_cats = list(cfg.gaps.categories)
    unknown = sorted(set(gap_cats) - set(service_categories()))
    if unknown:
        msg = f"`[gaps] categories` holds unknown categories {unknown}; known: {service_categories()}."
        raise InputError(msg)
    with _stage(4, total, "walking distances to the nearest facility per category", progress):
        present = sorted(set(analysed["category"]) & set(gap_cats))
        absent = [c for c in gap_cats if c not in present]
        if absent:
            warnings.warn(
                f"no facility of {absent} exists in the study area; their walking distance is "
                "missing (NaN) everywhere and every industrial cell lacks them.",
                stacklevel=2,
            )
        search = cfg.indicators.search_distance
        dist = nearest_facility_distance(
            grid, analysed[analysed["category"].isin(present)], graph,
            categories=present, max_distance=search,
        ) if present else pd.DataFrame(index=grid.index)
        for c in absent:
            dist[f"net_dist_{c}"] = np.nan
        dist = dist[[f"net_dist_{c}" for c in gap_cats]]

    grid = pd.concat([grid, area, shares, mix, counts, dens, dist], axis=1)
    grid = gpd.GeoDataFrame(grid, geometry="geometry", crs=crs)

    with _stage(5, total, "subsystem indices U1, U2 and coupling coordination", progress):
        d_industry, d_urban = default_indicators(list(grid.columns), gap_cats)
        industry = cfg.coupling.industry or d_industry
        urban = cfg.coupling.urban or d_urban
        table = grid.drop(columns="geometry").copy()
        for c in [c for c in table.columns if c.startswith("net_dist_")]:
            # unreachable within the search distance: as far as the search limit
            table[c] = table[c].fillna(search).clip(upper=search)
        u1, w1 = _subsystem("industry", "U1", table, industry, cfg)
        u2, w2 = _subsystem("urban", "U2", table, urban, cfg)
        u = pd.DataFrame({"U1": u1, "U2": u2})
        ctd = coupling.coupling_coordination(u, alpha=list(cfg.coupling.alpha), model=cfg.coupling.model)
        grid["U1"], grid["U2"] = u1, u2
        grid[["C", "T", "D"]] = ctd[["C", "T", "D"]]
        grid["grade_level"] = coupling.coordination_level(grid["D"])
        grid["grade_zh"] = coupling.coordination_grade(grid["D"], lang="zh")
        grid["grade_en"] = coupling.coordination_grade(grid["D"], lang="en")
        grid["grade"] = grid["grade_zh"] if cfg.study.lang == "zh" else grid["grade_en"]
        grid["coupling_stage"] = coupling.coupling_stage(grid["C"], lang=cfg.study.lang)
        grid["lag_type"] = coupling.lag_type(
            u, labels={"U1": "industry", "U2": "urban function"} if cfg.study.lang == "en"
            else {"U1": "产业", "U2": "城市功能"}, lang=cfg.study.lang)
        weights = pd.concat([w1, w2], ignore_index=True)

    with _stage(6, total, f"service gaps of industrial land within {cfg.gaps.distance:g} m", progress):
        gaps = service_gaps(grid, categories=gap_cats, distance=cfg.gaps.distance,
                            min_industrial_share=cfg.gaps.min_industrial_share)
        industrial = grid["industrial_share"] > cfg.gaps.min_industrial_share
        d = grid[[f"net_dist_{c}" for c in gap_cats]].to_numpy(dtype=float)
        n_miss = (~(d <= cfg.gaps.distance)).sum(axis=1)
        grid["n_missing_services"] = pd.array(np.where(industrial, n_miss, 0), dtype="Int64")
        grid.loc[~industrial, "n_missing_services"] = pd.NA

    with _stage(7, total, "summary tables", progress):
        summary = _summary(grid)
        elapsed = time.perf_counter() - t_start
        params = pd.DataFrame([{
            "study": cfg.study.name,
            "source": str(cfg.osm or cfg.source or ""),
            "crs": crs.to_string(),
            "cell_size_m": cell,
            "n_cells": len(grid),
            "n_landuse_polygons": len(landuse),
            "n_pois_analysed": int((pois["status"] == "analysed").sum()),
            "n_pois_unmapped": int((pois["status"] == "unmapped").sum()),
            "n_network_nodes": graph.n_nodes,
            "n_network_edges": graph.n_edges,
            "n_network_components": graph.n_components,
            "normalize_shift": json.dumps(cfg.coupling.shift),
            "weights_method": cfg.coupling.weights,
            "alpha": json.dumps(list(cfg.coupling.alpha)),
            "coupling_model": cfg.coupling.model,
            "search_distance_m": search,
            "gap_distance_m": cfg.gaps.distance,
            "gap_categories": ";".join(gap_cats),
            "n_industrial_cells": int(industrial.sum()),
            "n_gap_cells": len(gaps),
            "runtime_s": round(elapsed, 3),
        }])
    network = edges[["u", "v", "length", "geometry"]].copy()
    return {
        "grid": grid,
        "service_gaps": gaps,
        "landuse": landuse,
        "pois": pois,
        "network": gpd.GeoDataFrame(network, crs=crs),
        "weights": weights,
        "summary": summary,
        "classification_report": report,
        "parameters": params,
    }


def _summary(grid: gpd.GeoDataFrame) -> pd.DataFrame:
    """Cells, share and mean indices per coordination grade (all 10 grades listed)."""
    from .coupling import GRADES_10

    g = grid.groupby("grade_level", observed=True)
    stats = pd.DataFrame({
        "cells": g.size(),
        "mean_U1": g["U1"].mean(),
        "mean_U2": g["U2"].mean(),
        "mean_D": g["D"].mean(),
    })
    rows = pd.DataFrame(GRADES_10, columns=["grade_level", "d_from", "d_to", "grade_zh", "grade_en"])
    out = rows.merge(stats, left_on="grade_level", right_index=True, how="left")
    out["cells"] = out["cells"].fillna(0).astype(int)
    out["share_pct"] = 100.0 * out["cells"] / max(len(grid), 1)
    return out[["grade_level", "grade_zh", "grade_en", "d_from", "d_to", "cells", "share_pct",
                "mean_U1", "mean_U2", "mean_D"]]


def write_outputs(
    results: dict[str, pd.DataFrame], out_dir: str | Path, *, lang: str = "en", title: str = ""
) -> dict[str, Path]:
    """Write a run's results: GeoPackage, web map, static map and CSV tables.

    Parameters
    ----------
    results : dict
        Output of :func:`run`.
    out_dir : str or Path
        Folder to write into (created if needed). Each file is written to a
        temporary name in that folder and renamed when complete.
    lang : {"en", "zh"}, default "en"
        Language of map labels.
    title : str, optional
        Map title.

    Returns
    -------
    dict of str to Path
        ``gpkg``, ``map_html``, ``map_png``, ``summary``, ``weights``,
        ``classification_report``, ``parameters``.
    """
    from .maps.static import plot_coordination
    from .maps.web import save_html, web_map

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    layers = {k: results[k] for k in ("grid", "service_gaps", "landuse", "pois", "network")}
    paths["gpkg"] = write_geopackage(layers, out / "cityind.gpkg")
    grid = results["grid"]
    m = web_map(grid, gaps=results["service_gaps"], pois=results["pois"][results["pois"]["status"] == "analysed"],
                lang=lang)
    save_html(m, out / "map.html")
    paths["map_html"] = out / "map.html"
    paths["map_png"] = plot_coordination(grid, out / "map.png", gaps=results["service_gaps"],
                                         lang=lang, title=title or None)
    for name in ("summary", "weights", "classification_report"):
        paths[name] = write_csv(results[name], out / f"{name}.csv")
    params = results["parameters"].iloc[0].to_dict()
    paths["parameters"] = write_json(params, out / "run.json")
    return paths
