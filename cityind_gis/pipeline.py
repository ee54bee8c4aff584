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
from .gaps import gap_table, industrial_service_gaps, service_gaps
from .indicators import (
    land_use_mix,
    landuse_area,
    landuse_shares,
    poi_counts,
    poi_density,
    poi_kernel_density,
)
from .indicators.buildings import BUILDING_CLASSES, UNKNOWN, building_levels, classify_by_landuse
from .indicators.registry import default_subsystem_indicators
from .indicators.suite import unit_indicators
from .io import osm as osm_io
from .io import vector as vector_io
from .io.crs import analysis_crs, to_analysis_crs
from .io.writers import write_csv, write_json
from .network import (
    graph_from_edges,
    graph_from_lines,
    life_circle_coverage,
    life_circle_requirements,
    nearest_facility_distance,
)
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
from .units import grid_over, make_h3_grid, make_hex_grid, prepare_zones

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


def _osm_source(cfg: Config, section: str) -> Path:
    """`[osm] path`, read for a layer whose `[section]` gives no `path` of its own."""
    if cfg.osm is None:
        msg = (f"`[{section}]` gives no `path` and the config no `[osm] path`; every layer "
               f"needs a source: set `[osm] path` or `[{section}] path`.")
        raise InputError(msg)
    return cfg.osm


def _top_unmapped(report: pd.DataFrame) -> str:
    """The five most frequent unmapped values of a one-column tag report: ``v (count), ...``."""
    return ", ".join(f"{v} ({c})" for v, c in report.loc[report.status == "unmapped",
                                                       ["value", "count"]].head(5).values)


def _polygons_only(gdf: gpd.GeoDataFrame, what: str) -> tuple[pd.Series, str]:
    """Mask of polygonal rows, and ``"<n> <what> feature(s) are [kinds]"`` for the warning."""
    polygonal = gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    kinds = sorted(set(gdf.geom_type[~polygonal].astype(str)))
    return polygonal, f"{int((~polygonal).sum())} {what} feature(s) are {kinds}"


def _load_landuse(cfg: Config) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    lc: LayerConfig = cfg.landuse
    classes = list(landuse_classes().index)
    if lc.path is None:
        raw = osm_io.read_osm_landuse(_osm_source(cfg, "landuse"))
        mapping = load_mapping(lc.mapping or "osm_landuse")
        _check_classes(mapping, classes, "landuse mapping")
        cls = classify_values(raw["landuse"], mapping, key="landuse")
        tags, keys = raw[["landuse"]], ["landuse"]
    else:
        raw = vector_io.read_vector(lc.path, name="landuse", layer=lc.layer, crs=lc.crs,
                                    encoding=lc.encoding, coords=lc.coords)
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
        top = _top_unmapped(report)
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
    polygonal, found = _polygons_only(out, "land-use")
    if not polygonal.all():
        warnings.warn(
            f"{found}, not polygons, and have "
            "no area to count; they were dropped. Buffer or polygonise them in your GIS if they "
            "stand for land.",
            stacklevel=3,
        )
    return out[polygonal].reset_index(drop=True), report


def _load_pois(cfg: Config) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    pc: LayerConfig = cfg.pois
    cats = list(poi_categories().index)
    if pc.path is None:
        if pc.industry_column or pc.industry_digits:
            warnings.warn("`[pois] industry_column`/`industry_digits` apply to a POI file given in "
                          "`[pois] path`; OSM POIs take their subtype from their tags "
                          "(craft=brewery, ...), so the keys are ignored.", stacklevel=3)
        mapping = load_mapping(pc.mapping or "osm_poi")
        _check_classes(mapping, cats, "pois mapping")
        raw = osm_io.read_osm_pois(_osm_source(cfg, "pois"), mapping=mapping)
        cat = classify_tags(raw, mapping, keys=OSM_POI_KEYS)
        report = tag_report(raw, cat, keys=OSM_POI_KEYS, layer="pois")
        label = raw[list(OSM_POI_KEYS)].bfill(axis=1).iloc[:, 0] if len(raw) else raw.get("name")
        keep_cols = {"osm_id": raw["osm_id"], "name": raw["name"], "source_value": label}
        industry = _osm_industry_subtypes(raw, mapping)
    else:
        if vector_io.is_table(pc.path):
            raw = vector_io.read_point_table(pc.path, name="pois", x=pc.x, y=pc.y,
                                             crs=pc.crs or "EPSG:4326", sheet=pc.sheet,
                                             coords=pc.coords)
        else:
            raw = vector_io.read_vector(pc.path, name="pois", layer=pc.layer, crs=pc.crs,
                                        encoding=pc.encoding, coords=pc.coords)
        column = pc.class_column or "category"
        vector_io.require_columns(raw, [column], "pois")
        mapping = load_mapping(pc.mapping) if pc.mapping else load_mapping({c: c for c in cats})
        _check_classes(mapping, cats, "pois mapping")
        cat = classify_values(raw[column], mapping, key=column)
        report = tag_report(raw[[column]].astype(object), cat, keys=[column], layer="pois")
        keep_cols = {"source_value": raw[column].astype(object)}
        industry = _industry_subtypes(raw, pc)
        # Amap/Baidu exports call it 名称; keep the first name column found
        name_col = next((c for c in ("name", "名称", "Name", "NAME", "名字", "poi_name", "title")
                         if c in raw.columns), None)
        if name_col is not None:
            keep_cols["name"] = raw[name_col].astype(object)
        if (raw.geom_type != "Point").any():
            raw = raw.set_geometry(raw.geometry.representative_point())
    n_unmapped = int(cat.isna().sum())
    if n_unmapped:
        unmapped = report.loc[report.status == "unmapped", ["key", "value", "count"]].head(5)
        top = ", ".join(f"{k}={v} ({c})" for k, v, c in unmapped.values)
        warnings.warn(
            f"{n_unmapped} POI(s) have tags no mapping knows ({top}); they are kept in the "
            "`pois` layer with status 'unmapped' but not analysed. See classification_report.csv.",
            stacklevel=3,
        )
    status = np.where(cat.isna(), "unmapped", np.where(cat.eq(EXCLUDED), EXCLUDED, "analysed"))
    data = {k: pd.Series(v).astype(object).to_numpy() for k, v in keep_cols.items()}
    data["category"] = cat.where(cat.notna() & cat.ne(EXCLUDED), None).to_numpy(dtype=object)
    data["status"] = status
    if industry is not None:
        ent = (data["category"] == "enterprise") & pd.Series(industry).notna().to_numpy()
        data["industry"] = np.where(ent, pd.Series(industry).astype(object).to_numpy(), None)
    return gpd.GeoDataFrame(data, geometry=raw.geometry.to_numpy(), crs=raw.crs), report


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


def _kernel_density(cfg: Config, analysed: gpd.GeoDataFrame,
                    grid: gpd.GeoDataFrame) -> dict[str, tuple[np.ndarray, Any, Any]]:
    """`[indicators] kernel_density`: one quartic KDE surface per category over the units."""
    ic = cfg.indicators
    out: dict[str, tuple[np.ndarray, Any, Any]] = {}
    if not ic.kernel_density:
        return out
    if ic.kde_bandwidth < ic.kde_pixel:
        msg = (f"`[indicators] kde_bandwidth` ({ic.kde_bandwidth:g} m) must be at least "
               f"`kde_pixel` ({ic.kde_pixel:g} m); widen the bandwidth or use smaller pixels.")
        raise InputError(msg)
    from affine import Affine

    px, bw = ic.kde_pixel, ic.kde_bandwidth
    minx, miny, maxx, maxy = grid.total_bounds
    # POIs up to one bandwidth outside the units still add density inside: compute on the
    # grown extent, then keep the pixels over the units
    wide = (minx - bw, miny - bw, maxx + bw, maxy + bw)
    x0, y1 = np.floor(minx / px) * px, np.ceil(maxy / px) * px
    n_cols = max(int(np.ceil((maxx - x0) / px)), 1)
    n_rows = max(int(np.ceil((y1 - miny) / px)), 1)
    for cat in ic.kernel_density:
        pts = analysed if cat == "all" else analysed[analysed["category"] == cat]
        if cat != "all" and pts.empty:
            warnings.warn(f"`[indicators] kernel_density`: no analysed POI of {cat!r}; its "
                          "surface is all zero.", stacklevel=3)
        arr, t = poi_kernel_density(pts, cell_size=px, bandwidth=bw, bounds=wide)
        c0, r0 = int(round((x0 - t.c) / px)), int(round((t.f - y1) / px))
        out[f"kde_{cat}"] = (np.ascontiguousarray(arr[r0:r0 + n_rows, c0:c0 + n_cols]),
                             Affine(px, 0.0, x0, 0.0, -px, y1), grid.crs)
    return out


def _osm_industry_subtypes(raw: pd.DataFrame, mapping: pd.DataFrame) -> pd.Series:
    """``key=value`` of the first OSM tag that makes a POI an enterprise (craft=brewery, ...).

    Keys are tried in the order of :data:`OSM_POI_KEYS`, as :func:`classify_tags` does;
    one vectorised pass per key (a dozen keys), not per feature.
    """
    out = pd.Series(None, index=raw.index, dtype=object)
    for key in OSM_POI_KEYS:
        if key not in raw.columns:
            continue
        todo = out.isna() & raw[key].notna()
        if not todo.any():
            continue
        cls = classify_values(raw.loc[todo, key], mapping, key=key)
        hit = cls.eq("enterprise")
        idx = cls.index[hit.to_numpy()]
        out.loc[idx] = key + "=" + raw.loc[idx, key].astype(str)
    return out.astype(object).where(out.notna(), None)


def _industry_subtypes(raw: pd.DataFrame, pc: LayerConfig) -> pd.Series | None:
    """`[pois] industry_column`, cut to `industry_digits` leading characters (None if unset)."""
    if pc.industry_column is None:
        return None
    vector_io.require_columns(raw, [pc.industry_column], "pois")
    text = raw[pc.industry_column].astype("string").str.strip()
    text = text.where(text.ne(""))
    if pc.industry_digits:
        text = text.str.slice(0, pc.industry_digits)
    return text.astype(object).where(text.notna(), None)


def _load_buildings(cfg: Config) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame]:
    """Building outlines with ``source_value``, ``use`` (class or "unknown") and ``levels``."""
    bc = cfg.buildings
    if not bc.enabled or (bc.path is None and cfg.osm is None):
        return None, pd.DataFrame()
    if bc.path is None:
        raw = osm_io.read_osm_buildings(_osm_source(cfg, "buildings"))
        column: str | None = bc.class_column or "building"
        levels_col: str | None = bc.levels_column or "building:levels"
        height_col: str | None = bc.height_column or "height"
        given = [c for c in (bc.class_column, bc.levels_column, bc.height_column) if c]
        missing = [c for c in given if c not in raw.columns]
        if missing:
            msg = (f"`[buildings]` names column(s) {missing}, but buildings read from the OSM "
                   f"file have only {[c for c in raw.columns if c != 'geometry']}; remove those "
                   "keys (the OSM tags building, building:levels and height are used), or give "
                   "your own layer in `[buildings] path`.")
            raise SchemaError(msg)
    else:
        raw = vector_io.read_vector(bc.path, name="buildings", layer=bc.layer, crs=bc.crs,
                                    encoding=bc.encoding, coords=bc.coords)
        column, levels_col, height_col = bc.class_column, bc.levels_column, bc.height_column
        vector_io.require_columns(raw, [c for c in (column, levels_col, height_col) if c],
                                  "buildings")
        polygonal, found = _polygons_only(raw, "building")
        if not polygonal.all():
            warnings.warn(
                f"{found}, not outlines, and were dropped; building indicators need footprints.",
                stacklevel=3,
            )
            raw = raw[polygonal]
    mapping = load_mapping(bc.mapping or "building_use")
    _check_classes(mapping, [*BUILDING_CLASSES, UNKNOWN], "buildings mapping")
    if column is not None:
        use = classify_values(raw[column], mapping, key=column)
        report = tag_report(raw[[column]].astype(object), use, keys=[column], layer="buildings")
        n_unmapped = int((use.isna() & raw[column].notna()).sum())
        if n_unmapped:
            top = _top_unmapped(report)
            warnings.warn(
                f"{n_unmapped} building(s) have uses no mapping knows ({top}); they take the use "
                "of the land under them. See classification_report.csv, and extend the "
                "`[buildings] mapping` to classify them.",
                stacklevel=3,
            )
        excluded = use.eq(EXCLUDED).to_numpy()
        if excluded.any():  # mapped on purpose as not buildings (ruins, roofs, ...): left out
            log.info("%d building(s) mapped to 'excluded' are left out", int(excluded.sum()))
            raw, use = raw[~excluded], use[~excluded]
        use = use.where(use.notna(), UNKNOWN)
        source = raw[column].astype(object).to_numpy()
    else:
        use = pd.Series(UNKNOWN, index=raw.index, dtype=object)
        report = pd.DataFrame()
        source = np.full(len(raw), None, dtype=object)
    levels = building_levels(raw, levels_column=levels_col, height_column=height_col,
                             floor_height=bc.floor_height, default_levels=bc.default_levels)
    log.info("building storeys from levels/height/default: %s", levels.attrs["source"])
    out = gpd.GeoDataFrame({"source_value": source, "use": use.to_numpy(dtype=object),
                            "levels": levels.to_numpy()},
                           geometry=raw.geometry.to_numpy(), crs=raw.crs)
    return out.reset_index(drop=True), report


def _load_network(cfg: Config, crs: Any | None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rc = cfg.roads
    path = rc.path if rc.path is not None else _osm_source(cfg, "roads")
    try:
        fmt = osm_io.osm_format(path)
    except InputError:
        fmt = None
    if fmt is not None:
        return osm_io.read_osm_walk_network(path)
    roads = vector_io.read_vector(path, name="roads", layer=rc.layer, crs=rc.crs, coords=rc.coords)
    bad = ~roads.geom_type.isin(["LineString", "MultiLineString"])
    if bad.any():
        msg = (f"`roads` must be lines; {int(bad.sum())} feature(s) are "
               f"{sorted(set(roads.geom_type[bad]))}. Give road centre lines.")
        raise SchemaError(msg)
    metric = analysis_crs(roads, crs)
    roads = to_analysis_crs(roads, metric, "roads")
    return graph_from_lines(roads, tolerance=rc.snap_tolerance, level_column=rc.level_column)


def _load_boundary(cfg: Config) -> gpd.GeoDataFrame | None:
    if cfg.study.boundary is None:
        return None
    return vector_io.read_vector(cfg.study.boundary, name="boundary",
                                 crs_key="[study] boundary_crs",
                                 layer=cfg.study.boundary_layer,
                                 crs=cfg.study.boundary_crs)


def _unit_noun(cfg: Config) -> str:
    """Plural noun phrase for the units, after their count ("100 cells of 250 m")."""
    if cfg.zones.path is not None:
        return f"zones of {Path(cfg.zones.path).name}"
    if cfg.grid.kind == "h3":
        return f"H3 cells at resolution {cfg.grid.h3_resolution}"
    return f"{'hexagons' if cfg.grid.kind == 'hex' else 'cells'} of {cfg.grid.cell_size:g} m"


def _build_units(
    cfg: Config, nodes: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame | None, crs: Any
) -> gpd.GeoDataFrame:
    """Analysis units: user zones (``[zones]``) or a square / hex / H3 grid (``[grid] kind``)."""
    cell = float(cfg.grid.cell_size)
    zc = cfg.zones
    if zc.path is not None:
        raw = vector_io.read_vector(zc.path, name="zones", layer=zc.layer, crs=zc.crs)
        raw = to_analysis_crs(raw, crs, "zones")
        raw = raw[raw.geom_type.isin(["Polygon", "MultiPolygon"])]
        units = prepare_zones(raw, id_column=zc.id_column, boundary=boundary)
        what = "zone(s)"
    else:
        ext = boundary.total_bounds if boundary is not None else nodes.total_bounds
        if cfg.grid.kind == "hex":
            units = make_hex_grid(ext, cell, crs=crs, boundary=boundary)
        elif cfg.grid.kind == "h3":
            units = make_h3_grid(ext, int(cfg.grid.h3_resolution), crs=crs, boundary=boundary)
        else:
            return grid_over([nodes], cell, boundary=boundary)  # size checked by run()
        what = "cell(s)"
    if len(units) < 2:
        msg = (f"the study area holds {len(units)} {what}; at least 2 are needed to compare "
               "units. Use a smaller `cell_size`, a finer `h3_resolution` or more zones.")
        raise InputError(msg)
    return units


def _zone_statistics(cfg: Config, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Indicators of the ``[statistics]`` table joined to the zones (empty without one)."""
    st = cfg.statistics
    if st.path is None:
        return pd.DataFrame(index=zones.index)
    from .panel import zone_statistics

    if st.key is None:
        msg = ("`[statistics] key` is missing: name the column of the table that holds the "
               "zone codes or names (e.g. \"区县代码\").")
        raise InputError(msg)
    zones_key = None if st.zones_key in (None, cfg.zones.id_column) else st.zones_key
    return zone_statistics(zones, st.path, key=st.key, zones_key=zones_key, sheet=st.sheet,
                           indicators=st.indicators)


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
    # the registry's `default` flag decides (docs/indicators.md); {category} patterns
    # take the service categories (densities) and the gap categories (distances)
    industry = default_subsystem_indicators(grid_columns, "industry")
    urban = default_subsystem_indicators(
        grid_columns, "urban", categories=[*service_categories(), *gap_categories])
    return industry, urban


def _subsystem(
    name: str, label: str, table: pd.DataFrame, directions: dict[str, str], cfg: Config
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
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
    w = coupling.indicator_weights(normed, method=cfg.coupling.weights)
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
    return u, info, normed


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


def _spatial_stats(grid: gpd.GeoDataFrame, cfg: Config) -> tuple[dict[str, Any], pd.DataFrame]:
    """Global Moran's I of D (run.json keys) and LISA / Gi* columns (``[spatial_stats]``)."""
    from . import spatial_stats as sps

    ss = cfg.spatial_stats
    if not ss.enabled:
        return {}, pd.DataFrame(index=grid.index)
    if len(grid) < 3 or grid["D"].nunique() < 2:
        reason = (f"they need at least 3 units and D not constant ({len(grid)} unit(s), "
                  f"{grid['D'].nunique()} distinct D)")
        log.info("spatial statistics of D skipped: %s", reason)
        return {"spatial_stats_skipped": reason}, pd.DataFrame(index=grid.index)
    kw = ({"k": ss.k} if ss.weights == "knn" else
          {"distance": ss.distance} if ss.weights == "distance" else {})
    w = sps.spatial_weights(grid, method=ss.weights, **kw)
    m = sps.global_moran(grid, "D", weights=w, permutations=ss.permutations, seed=ss.seed)
    lisa = sps.local_moran(grid, "D", weights=w, permutations=ss.local_permutations,
                           alpha=ss.alpha, seed=ss.seed)
    gi = sps.getis_ord(grid, "D", weights=w, permutations=ss.local_permutations,
                       alpha=ss.alpha, seed=ss.seed)
    moran = {"moran_weights": ss.weights, "moran_i": round(float(m["I"]), 6),
             "moran_z_sim": round(float(m["z_sim"]), 4), "moran_p_sim": float(m["p_sim"]),
             "moran_permutations": int(m["permutations"]), "moran_n_islands": int(m["n_islands"]),
             "lisa_alpha": ss.alpha, "local_permutations": ss.local_permutations}
    return moran, pd.concat([lisa[["lisa_cluster", "lisa_i", "lisa_p"]], gi], axis=1)


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
        ``lag_type``, ``obstacle_1..3`` and ``obstacle_1..3_pct`` (main obstacle
        indicators of D and their obstacle degree in percent), ``n_missing_services``),
        ``service_gaps`` (GeoDataFrame),
        ``landuse``, ``pois``, ``network`` (GeoDataFrames, analysis CRS),
        ``weights``, ``obstacles`` (obstacle degree per indicator, ranked),
        ``summary``, ``classification_report`` (tables) and
        ``parameters`` (one-row table of the run's settings and timings); with
        buildings also ``buildings`` (GeoDataFrame: ``use``, ``levels``), and with
        ``[indicators] kernel_density`` also ``rasters`` (a dict, not a table:
        ``kde_{category}`` -> ``(array, transform, crs)``, points per km²).
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
        buildings, b_report = _load_buildings(cfg)
        boundary = _load_boundary(cfg)
        nodes, edges = _load_network(cfg, cfg.study.crs)
        from .validate import cross_layer_checks  # the checks of `cityind validate`

        for problem in cross_layer_checks(
            {"landuse": landuse, "pois": pois, "roads": edges, "boundary": boundary},
            pois_coords=cfg.pois.coords,
        ):
            warnings.warn(problem, stacklevel=2)
        crs = analysis_crs(nodes, cfg.study.crs)
        landuse = to_analysis_crs(landuse, crs, "landuse")
        pois = to_analysis_crs(pois, crs, "pois")
        if buildings is not None:
            buildings = to_analysis_crs(buildings, crs, "buildings")
        nodes = to_analysis_crs(nodes, crs, "network nodes")
        edges = to_analysis_crs(edges, crs, "network edges")
        if boundary is not None:
            boundary = to_analysis_crs(boundary, crs, "boundary")
        graph = graph_from_edges(nodes, edges)
        report = pd.concat([lu_report, poi_report, *([b_report] if len(b_report) else [])],
                           ignore_index=True)

    with _stage(2, total, f"building the units ({_unit_noun(cfg)}) in {crs.name}", progress):
        grid = _build_units(cfg, nodes, boundary, crs)
        if len(grid) < 2:
            msg = (f"the study area holds {len(grid)} unit(s) ({_unit_noun(cfg)}); at least 2 are "
                   "needed to compare units. Use a smaller `cell_size` or more zones.")
            raise InputError(msg)
        if cfg.zones.path is not None:  # zones in a wrong CRS overlap nothing: say so
            for problem in cross_layer_checks({"zones": grid, "landuse": landuse,
                                               "roads": edges}):
                if "`zones`" in problem:
                    warnings.warn(problem, stacklevel=2)
        stats = _zone_statistics(cfg, grid)  # [statistics]: yearbook indicators of the zones

    with _stage(3, total, "land-use and POI indicators", progress):
        area = landuse_area(grid, landuse)
        shares = landuse_shares(area, grid["cell_area_m2"])
        shares["public_service_share"] = shares[[f"{c}_share" for c in _PUBLIC_SERVICE]].sum(axis=1)
        mix = land_use_mix(area)
        analysed = pois[pois["status"] == "analysed"]
        cats = list(poi_categories().index)
        counts = poi_counts(grid, analysed, categories=cats)
        dens = poi_density(counts, grid["cell_area_m2"])
        industry_counts = None
        if "industry" in analysed.columns and analysed["industry"].notna().any():
            ent = analysed[analysed["industry"].notna()]
            industry_counts = poi_counts(grid, ent, category_column="industry")
        if buildings is not None:  # generic buildings take the use of the land under them
            buildings["use_source"] = np.where(buildings["use"].eq(UNKNOWN).to_numpy(),
                                               "land_use", "given")
            buildings["use"] = classify_by_landuse(buildings, landuse, class_column="use")
        n_out = int(len(analysed) - counts.to_numpy().sum())
        if n_out:
            log.info("%d analysed POIs lie outside the grid and are not counted in cells", n_out)

    gap_cats = list(cfg.gaps.categories)
    unknown = sorted(set(gap_cats) - set(service_categories()))
    if unknown:
        msg = (f"`[gaps] categories` holds unknown categories {unknown}; "
               f"known: {service_categories()}.")
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
        lc_req = (life_circle_requirements(walk_speed=cfg.accessibility.walk_speed)
                  if cfg.accessibility.life_circles else None)
        wanted = list(dict.fromkeys([*gap_cats, *([] if lc_req is None
                                                  else pd.unique(lc_req["poi_category"]))]))
        reach = sorted(set(analysed["category"]) & set(wanted))
        dist = nearest_facility_distance(
            grid, analysed[analysed["category"].isin(reach)], graph,
            categories=reach, max_distance=search, snap=cfg.accessibility.snap,
            snap_distance=cfg.accessibility.snap_distance,
        ) if reach else pd.DataFrame(index=grid.index)
        for c in wanted:
            if f"net_dist_{c}" not in dist.columns:
                dist[f"net_dist_{c}"] = np.nan
        # 5/10/15-minute life circles of every unit (docs/accessibility.md); the distances of
        # categories outside [gaps] categories feed them but are not grid columns
        circles = (_life_circle_columns(dist, lc_req, cfg.study.lang) if lc_req is not None
                   else pd.DataFrame(index=grid.index))
        dist = pd.concat([dist[[f"net_dist_{c}" for c in gap_cats]], circles], axis=1)

    kde = _kernel_density(cfg, analysed, grid)
    extra = unit_indicators(grid, area=area, shares=shares, counts=counts, roads=edges,
                            population_raster=cfg.indicators.population_raster,
                            night_light_raster=cfg.indicators.night_light_raster,
                            buildings=buildings, landuse=landuse,
                            industry_counts=industry_counts,
                            landcover_raster=cfg.indicators.landcover_raster,
                            landcover_classes=cfg.indicators.landcover_classes,
                            warp_rasters=cfg.indicators.warp_rasters)
    grid = pd.concat([grid, area, shares, mix, counts, dens, extra, dist], axis=1)
    clash = sorted(set(stats.columns) & set(grid.columns))
    if clash:
        msg = (f"`[statistics] indicators` name(s) {clash} are also columns of the zones or "
               "indicators the run computes; give them other names, e.g. "
               "indicators = {\"<column>\" = \"stat_<name>\"}.")
        raise SchemaError(msg)
    grid = pd.concat([grid, stats], axis=1)
    grid = gpd.GeoDataFrame(grid, geometry="geometry", crs=crs)

    with _stage(5, total, "subsystem indices U1, U2 and coupling coordination", progress):
        d_industry, d_urban = default_indicators(list(grid.columns), gap_cats)
        industry = cfg.coupling.industry or d_industry
        urban = cfg.coupling.urban or d_urban
        table = grid.drop(columns="geometry").copy()
        for c in [c for c in table.columns if c.startswith("net_dist_")]:
            # unreachable within the search distance: as far as the search limit
            table[c] = table[c].fillna(search).clip(upper=search)
        u1, w1, x1 = _subsystem("industry", "U1", table, industry, cfg)
        u2, w2, x2 = _subsystem("urban", "U2", table, urban, cfg)
        u = pd.DataFrame({"U1": u1, "U2": u2})
        ctd = coupling.coupling_coordination(u, alpha=list(cfg.coupling.alpha),
                                             model=cfg.coupling.model)
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
        obstacles, top_obstacles = _obstacles(x1, x2, w1, w2, cfg.coupling.alpha)
        grid[list(top_obstacles.columns)] = top_obstacles
        moran, local_stats = _spatial_stats(grid, cfg)
        grid[list(local_stats.columns)] = local_stats

    with _stage(6, total, f"service gaps of industrial land within {cfg.gaps.distance:g} m",
                progress):
        gaps = service_gaps(grid, categories=gap_cats, distance=cfg.gaps.distance,
                            min_industrial_share=cfg.gaps.min_industrial_share)
        industrial = grid["industrial_share"] > cfg.gaps.min_industrial_share
        d = grid[[f"net_dist_{c}" for c in gap_cats]].to_numpy(dtype=float)
        n_miss = (~(d <= cfg.gaps.distance)).sum(axis=1)
        grid["n_missing_services"] = pd.array(np.where(industrial, n_miss, 0), dtype="Int64")
        grid.loc[~industrial, "n_missing_services"] = pd.NA
        ind_gaps, gap_tab, sites, gap_distance = _industrial_gaps(
            cfg, landuse, grid[industrial], analysed[analysed["category"].isin(present)], graph,
            gap_cats)

    with _stage(7, total, "summary tables", progress):
        summary = _summary(grid)
        elapsed = time.perf_counter() - t_start
        params = pd.DataFrame([{
            "study": cfg.study.name,
            "data_credit": _data_credit(cfg),
            "source": str(cfg.osm or cfg.source or ""),
            "crs": crs.to_string(),
            "cell_size_m": cell,
            "units": _unit_noun(cfg),
            "n_cells": len(grid),
            "n_landuse_polygons": len(landuse),
            "n_buildings": 0 if buildings is None else len(buildings),
            "n_industrial_buildings": (0 if buildings is None
                                       else int((buildings["use"] == "industrial").sum())),
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
            "gap_units": cfg.gaps.units,
            "industrial_gap_distance_m": gap_distance,
            "n_industrial_units": len(ind_gaps),
            "n_industrial_units_with_gaps": int((ind_gaps["n_missing"] > 0).sum()),
            "n_industrial_units_off_main_network": int((~ind_gaps["main_network"]).sum()),
            "n_candidate_sites": len(sites),
            "snap": cfg.accessibility.snap,
            "snap_distance_m": cfg.accessibility.snap_distance,
            **moran,
            "runtime_s": round(elapsed, 3),
        }])
    network = edges[["u", "v", "length", "geometry"]].copy()
    extra_layers: dict[str, Any] = {} if buildings is None else {"buildings": buildings}
    if kde:
        extra_layers["rasters"] = kde
    return {
        **extra_layers,
        "grid": grid,
        "service_gaps": gaps,
        "industrial_service_gaps": ind_gaps,
        "candidate_sites": sites,
        "industrial_gap_table": gap_tab,
        "landuse": landuse,
        "pois": pois,
        "network": gpd.GeoDataFrame(network, crs=crs),
        "weights": weights,
        "obstacles": obstacles,
        "summary": summary,
        "classification_report": report,
        "parameters": params,
    }


def _industrial_gaps(
    cfg: Config,
    landuse: gpd.GeoDataFrame,
    industrial_cells: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: Any,
    categories: list[str],
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame, float]:
    """Parcel-level service gaps, the ranked table and candidate sites.

    Driven by ``[gaps]`` and ``[accessibility]``.
    """
    from .network import facility_counts_within
    from .siting import candidate_points, candidate_sites

    acc = cfg.accessibility
    distance = float(cfg.gaps.distance)
    if cfg.gaps.life_circle is not None:
        req = life_circle_requirements(walk_speed=acc.walk_speed, levels=[cfg.gaps.life_circle])
        distance = float(req["distance_m"].iloc[0])
    if cfg.gaps.units == "parcels":
        units = landuse.loc[landuse["class"] == "industrial", ["class", "geometry"]]
        units = units.rename_axis("parcel")
    else:
        units = industrial_cells[["geometry"]]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="no facility of")  # said in stage 4
        warnings.filterwarnings("ignore", message=".*facilities lie farther")  # said in stage 4
        ind = industrial_service_gaps(
            units, facilities, graph, categories=categories, distance=distance,
            worker_density=cfg.gaps.worker_density, snap=acc.snap, snap_distance=acc.snap_distance,
        )
        counts = facility_counts_within(
            ind, facilities, graph, distances=acc.distances, categories=categories,
            snap=acc.snap, snap_distance=acc.snap_distance,
        ) if len(ind) else pd.DataFrame(index=ind.index)
    ind = gpd.GeoDataFrame(pd.concat([ind.drop(columns="geometry"), counts,
                                      ind[["geometry"]]], axis=1), geometry="geometry", crs=ind.crs)
    off = int((~ind["main_network"]).sum())
    if off:
        log.warning("%d industrial unit(s) join the walking network on fragments cut off from the "
                    "main network; their services are counted on the fragment only (column "
                    "`main_network` in industrial_service_gaps)", off)
    table = gap_table(ind, categories=categories)
    if cfg.gaps.candidates > 0 and (ind["n_missing"] > 0).any():
        cands = candidate_points(graph, landuse)
        sites = candidate_sites(ind, cands, graph, categories=categories, distance=distance,
                                k=cfg.gaps.candidates, weight_column="workers", snap=acc.snap,
                                snap_distance=acc.snap_distance)
    else:
        sites = candidate_sites(ind.iloc[:0], candidate_points(graph, landuse.iloc[:0]), graph,
                                categories=categories, distance=distance)
    return ind, table, sites, distance


def _data_credit(cfg: Config) -> str:
    """Attribution owed for the input data (ODbL: maps made from OSM must credit it)."""
    sources = [cfg.osm, cfg.landuse.path, cfg.pois.path, cfg.roads.path]
    from_osm = cfg.osm is not None and any(
        p is None or p == cfg.osm for p in (cfg.landuse.path, cfg.pois.path, cfg.roads.path))
    from_osm = from_osm or any(
        str(p).lower().endswith((".pbf", ".osm", ".graphml")) for p in sources if p is not None)
    return "Data © OpenStreetMap contributors, ODbL 1.0" if from_osm else ""


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
    rows = pd.DataFrame(GRADES_10,
                        columns=["grade_level", "d_from", "d_to", "grade_zh", "grade_en"])
    out = rows.merge(stats, left_on="grade_level", right_index=True, how="left")
    out["cells"] = out["cells"].fillna(0).astype(int)
    out["share_pct"] = 100.0 * out["cells"] / max(len(grid), 1)
    return out[["grade_level", "grade_zh", "grade_en", "d_from", "d_to", "cells", "share_pct",
                "mean_U1", "mean_U2", "mean_D"]]


def write_outputs(
    results: dict[str, pd.DataFrame], out_dir: str | Path, *, lang: str = "en", title: str = "",
    output: Any = None,
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
    output : cityind_gis.config.OutputConfig, optional
        Layer formats, web-map basemap, Tianditu key and assets location
        (``[output]`` in the config); default: GeoPackage only, OpenStreetMap,
        public CDNs.

    Returns
    -------
    dict of str to Path
        ``gpkg``, ``map_html``, ``map_png``, ``summary``, ``weights``, ``obstacles``,
        ``classification_report``, ``parameters``, and ``{format}:{layer}`` for
        each export of ``output.formats``.
    """
    from .config import OutputConfig
    from .io.writers import write_layers
    from .maps.assets import copy_assets, external_assets
    from .maps.static import plot_coordination
    from .maps.web import save_html, web_map

    output = output if output is not None else OutputConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    base = ("grid", "service_gaps", "landuse", "pois", "network")
    layers = {k: results[k] for k in base}
    # layers other stages add (LISA clusters, candidate sites, ...) are written and styled too
    layers.update({k: v for k, v in results.items()
                   if k not in layers and isinstance(v, gpd.GeoDataFrame)})
    paths.update(write_layers(layers, out, formats=output.formats, lang=lang))
    grid = results["grid"]
    assets = output.assets
    if assets is not None and "://" not in assets:  # a local folder: copy beside the map
        copy_assets(out / "assets", source=assets)
        assets = "assets/"
    m = web_map(grid, gaps=results["service_gaps"],
                pois=results["pois"][results["pois"]["status"] == "analysed"], lang=lang,
                basemap=output.basemap, tianditu_key=output.tianditu_key, assets=assets)
    html_bytes = save_html(m, out / "map.html")
    paths["map_html"] = out / "map.html"
    outside = external_assets(out / "map.html")
    log.info("map.html: %.2f MB; fetches from outside: %s", html_bytes / 1e6,
             ", ".join(outside) or "nothing")
    credit = str(results["parameters"].iloc[0].get("data_credit", "") or "") or None
    paths["map_png"] = plot_coordination(grid, out / "map.png", gaps=results["service_gaps"],
                                         lang=lang, title=title or None, attribution=credit)
    from .maps.static import MAP_KINDS, plot_map

    images = {"grades": paths["map_png"]}
    for kind in MAP_KINDS:  # print maps of every kind, PNG and vector PDF, in maps/
        for suffix in (".png", ".pdf"):
            target = out / "maps" / f"{kind}{suffix}"
            paths[f"map_{kind}{suffix.replace('.', '_')}"] = plot_map(
                grid, target, kind=kind, gaps=results["service_gaps"], lang=lang,
                attribution=credit)
        images[kind] = out / "maps" / f"{kind}.png"
    from .io.raster import write_geotiff

    for name, (arr, transform, crs) in results.get("rasters", {}).items():
        paths[name] = write_geotiff(arr, out / f"{name}.tif", transform=transform, crs=crs)
    for name in [n for n in ("summary", "weights", "classification_report", "obstacles",
                             "industrial_gap_table") if n in results]:
        paths[name] = write_csv(results[name], out / f"{name}.csv")
    params = results["parameters"].iloc[0].to_dict()
    params["map_html_bytes"] = html_bytes
    params["map_external_urls"] = outside
    paths["parameters"] = write_json(params, out / "run.json")
    if output.report:
        from .maps.report import write_report

        paths["report"] = write_report(results, out / "report.html", lang=lang, images=images,
                                       title=title or None)
    return paths
