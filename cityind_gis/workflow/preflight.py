"""Check a run's configuration and layers before any analysis (``cityind validate``).

:func:`validation_report` loads every layer the way :func:`cityind_gis.workflow.run`
does -- land use, POIs, buildings, roads, boundary, ``[zones]`` and the
``[statistics]`` table, for every ``[[periods]]`` table of a panel -- and reports
per layer (feature counts, CRS, extent, repaired and dropped geometries,
duplicates, unmapped categories, network fragments, zone ids, unmatched
statistics keys) and the cross-layer checks of :func:`cross_layer_checks` (layers
that do not overlap, POIs systematically off the roads as GCJ-02/BD-09 data
declared WGS 84 are). :func:`write_validation_report` writes the report as text
or JSON; :func:`validate_config` returns only whether all passed. ``run`` calls
:func:`cross_layer_checks` too and warns. Inputs are never modified.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .._errors import CityindError
from ..config import Config
from ..io.coords import convert_lonlat, detect_coordinate_system, out_of_china
from ..io.crs import analysis_crs
from ._preflight_report import (
    _FAILED,
    LayerCheck,
    ValidationReport,
    _closing,
    _Entry,
    _run,
    _Session,
)
from ._preflight_units import (
    _check_statistics,
    _computed_names,
    _describe_grid,
    _grid_signature,
    _grid_units,
    _prepare_zones,
    _zone_coverage,
)

__all__ = [
    "LayerCheck",
    "ValidationReport",
    "validation_report",
    "write_validation_report",
    "validate_config",
    "layer_summary",
    "network_fragments",
    "cross_layer_checks",
    "coordinate_offset",
    "pois_coords",
]

#: Sample size of the POI-to-road offset check (every k-th POI, deterministic).
OFFSET_SAMPLE = 2000


def _lonlat_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    b = gdf.total_bounds
    if gdf.crs is None or CRS.from_user_input(gdf.crs).equals(CRS.from_epsg(4326)):
        return tuple(float(v) for v in b)  # type: ignore[return-value]
    t = Transformer.from_crs(gdf.crs, 4326, always_xy=True)
    return tuple(float(v) for v in t.transform_bounds(*b))  # type: ignore[return-value]


def layer_summary(gdf: gpd.GeoDataFrame) -> dict[str, object]:
    """Counts, CRS, extent and duplicates of one layer.

    Parameters
    ----------
    gdf : GeoDataFrame
        A loaded layer with a CRS.

    Returns
    -------
    dict
        ``features``, ``geometry_types`` (type -> count), ``crs`` (name and EPSG
        code), ``extent`` (minx, miny, maxx, maxy in the layer's CRS),
        ``extent_lonlat`` (the same in EPSG:4326 degrees), ``duplicate_geometries``
        (features whose geometry equals an earlier one's exactly) and
        ``duplicate_rows`` (geometry and every attribute equal).
    """
    wkb = pd.Series(shapely.to_wkb(gdf.geometry.values), index=gdf.index)
    attrs = gdf.drop(columns=gdf.geometry.name).astype(str)
    crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    epsg = crs.to_epsg() if crs is not None else None
    return {
        "features": len(gdf),
        "geometry_types": gdf.geom_type.value_counts().to_dict(),
        "crs": "none" if crs is None else f"{crs.name}" + (f" (EPSG:{epsg})" if epsg else ""),
        "extent": tuple(round(float(v), 6) for v in gdf.total_bounds) if len(gdf) else None,
        "extent_lonlat": tuple(round(v, 6) for v in _lonlat_bounds(gdf)) if len(gdf) else None,
        "duplicate_geometries": int(wkb.duplicated().sum()),
        "duplicate_rows": int(pd.concat([attrs, wkb.rename("_wkb")], axis=1).duplicated().sum()),
    }


def network_fragments(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> pd.DataFrame:
    """Connected fragments of a walking network, largest first.

    Parameters
    ----------
    nodes : GeoDataFrame
        Nodes indexed by node id (as returned by :func:`cityind_gis.network.graph_from_lines`
        or the OSM readers).
    edges : GeoDataFrame
        Columns ``u``, ``v`` (node ids) and ``length`` (metres).

    Returns
    -------
    DataFrame
        One row per fragment: ``n_nodes``, ``n_edges``, ``length_m`` and
        ``share_of_length`` (0-1), sorted by length, index ``fragment`` (0 = main
        network). Fragments other than 0 are isolated: POIs snapped to them are
        reachable only from inside the fragment.
    """
    pos = pd.Series(np.arange(len(nodes)), index=nodes.index)
    u = pos.reindex(edges["u"]).to_numpy()
    v = pos.reindex(edges["v"]).to_numpy()
    n = len(nodes)
    ok = ~(np.isnan(u.astype(float)) | np.isnan(v.astype(float)))
    u, v = u[ok].astype(np.int64), v[ok].astype(np.int64)
    adj = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(n, n))
    _, label = connected_components(adj, directed=False)
    length = pd.Series(edges["length"].to_numpy(dtype=float)[ok]).groupby(label[u]).sum()
    table = pd.DataFrame({
        "n_nodes": pd.Series(label).value_counts(),
        "n_edges": pd.Series(label[u]).value_counts(),
        "length_m": length,
    }).fillna(0)
    table["n_edges"] = table["n_edges"].astype(int)
    total = table["length_m"].sum()
    table["share_of_length"] = table["length_m"] / total if total > 0 else 0.0
    table = table.sort_values(["length_m", "n_nodes"], ascending=False, kind="stable")
    return table.reset_index(drop=True).rename_axis("fragment")


def coordinate_offset(
    pois: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, *, declared: str = "wgs84"
) -> pd.Series:
    """Median POI-to-road distance if the POIs were in each coordinate system.

    Parameters
    ----------
    pois : GeoDataFrame
        POIs as loaded (already converted to WGS 84 from ``declared``), any CRS.
    roads : GeoDataFrame
        Road lines (network edges), any CRS; taken as true WGS 84/CGCS2000 positions.
    declared : {"wgs84", "gcj02", "bd09"}, default "wgs84"
        The ``coords`` the POIs were read with.

    Returns
    -------
    Series
        Index ``wgs84``, ``gcj02``, ``bd09``: median distance in metres from a
        sample of up to :data:`OFFSET_SAMPLE` POIs to the nearest road, had the
        raw coordinates been in that system. Empty when fewer than 5 POIs lie in
        China (where GCJ-02 and BD-09 exist) or there are no roads.

    Notes
    -----
    The raw coordinates are recovered by converting back to ``declared``; each
    hypothesis then converts them to WGS 84. POIs sit on or beside streets, so
    the right system gives the smallest median distance; the GCJ-02 offset
    (100-700 m) moves every POI the same way, which a median exposes.
    """
    if len(pois) == 0 or len(roads) == 0:
        return pd.Series(dtype=float)
    step = max(len(pois) // OFFSET_SAMPLE, 1)
    pts = pois.iloc[::step].to_crs(4326)
    xy = shapely.get_coordinates(pts.geometry.values)
    inside = ~out_of_china(xy[:, 0], xy[:, 1])
    if inside.sum() < 5:
        return pd.Series(dtype=float)
    lon, lat = convert_lonlat(xy[inside, 0], xy[inside, 1], source="wgs84", target=declared)
    lines = roads.to_crs(4326)
    metric = lines.estimate_utm_crs()
    tree = shapely.STRtree(lines.to_crs(metric).geometry.values)
    out = {}
    for system in ("wgs84", "gcj02", "bd09"):  # three hypotheses, each vectorised
        x, y = convert_lonlat(lon, lat, source=system, target="wgs84")
        p = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=4326).to_crs(metric)
        _, dist = tree.query_nearest(p.values, return_distance=True, all_matches=False)
        out[system] = float(np.median(dist))
    return pd.Series(out, name="median_distance_m")


_SYSTEM_NAMES = {"wgs84": "WGS 84", "gcj02": "GCJ-02 (Amap/Tencent)", "bd09": "BD-09 (Baidu)"}


def _gk_hint(layers: dict[str, gpd.GeoDataFrame]) -> str:
    for name, gdf in layers.items():
        if len(gdf) and gdf.crs is not None and not gdf.crs.is_geographic:
            if abs(gdf.total_bounds[0]) >= 1e7:
                return (f" `{name}` has 8-digit x coordinates: a Gauss-Kruger zone number prefix "
                        "(e.g. 40 500 000 m). Declare the zone-prefixed CRS, e.g. CGCS2000 "
                        "3-degree zones 25-45 are EPSG:4513-4533 (EPSG:4534-4554 are the same "
                        "zones without the prefix).")
    return ""


def _offset_problem(present: dict[str, gpd.GeoDataFrame], pois_coords: str) -> str | None:
    """POIs a median > 50 m off the roads as declared but < half that in another system."""
    med = coordinate_offset(present["pois"], present["roads"], declared=pois_coords)
    if not len(med):
        return None
    best = str(med.idxmin())
    now = med[pois_coords]
    if best != pois_coords and now > 50.0 and med[best] < 0.5 * now:
        return (f"POIs sit a median {now:.0f} m from the nearest road when read as "
                f"{_SYSTEM_NAMES[pois_coords]}, but {med[best]:.0f} m when read as "
                f"{_SYSTEM_NAMES[best]}: the POI coordinates are {_SYSTEM_NAMES[best]}, "
                f"declared as {_SYSTEM_NAMES[pois_coords]}. Fix: set `coords = \"{best}\"` "
                "in `[pois]` (or convert them with cityind_gis.io.coords.transform_coords).")
    return None


def pois_coords(config: Config) -> str | dict[str, str]:
    """The ``coords`` the POIs were read with: one value, or one per ``[[pois]]`` source.

    Parameters
    ----------
    config : Config
        The run's config.

    Returns
    -------
    str or dict of str to str
        ``[pois] coords``; with several sources, source name -> its ``coords``.
    """
    if config.merge_pois:
        return {s.source_name: s.coords for s in config.poi_sources}
    return config.pois.coords


def cross_layer_checks(
    layers: dict[str, gpd.GeoDataFrame], *, pois_coords: str | Mapping[str, str] = "wgs84"
) -> list[str]:
    """Problems between layers: no overlap, POIs systematically off the roads.

    Parameters
    ----------
    layers : dict of str to GeoDataFrame
        Loaded layers by name (``landuse``, ``pois``, ``buildings``, ``roads``
        (network edges), ``boundary``, ``zones``); each with a CRS, any CRS.
        Missing or empty ones are skipped.
    pois_coords : {"wgs84", "gcj02", "bd09"} or dict, default "wgs84"
        The ``coords`` the POIs were read with; for merged POI sources (a
        ``source`` column, :func:`pois_coords`) source name -> ``coords``, and
        each source is checked against the roads on its own (one Amap export
        among correct sources is not hidden by them).

    Returns
    -------
    list of str
        One actionable message per problem; empty when all is well.
    """
    found: list[str] = []
    present = {k: v for k, v in layers.items() if v is not None and len(v)}
    boxes = {k: _lonlat_bounds(v) for k, v in present.items()}
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            ax0, ay0, ax1, ay1 = boxes[a]
            bx0, by0, bx1, by1 = boxes[b]
            if ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0:
                found.append(
                    f"`{a}` and `{b}` do not overlap: `{a}` spans lon {ax0:.4f}..{ax1:.4f}, lat "
                    f"{ay0:.4f}..{ay1:.4f}; `{b}` spans lon {bx0:.4f}..{bx1:.4f}, lat {by0:.4f}.."
                    f"{by1:.4f}. One of them has a wrong CRS: check each file's .prj and the "
                    f"`crs` keys.{_gk_hint({a: present[a], b: present[b]})}"
                )
    if "pois" not in present:
        return found
    pois = present["pois"]
    if isinstance(pois_coords, str) or "source" not in pois.columns:
        coords = pois_coords if isinstance(pois_coords, str) else next(
            iter(pois_coords.values()), "wgs84")
        found += _coords_problems(present, pois, coords, None)
    else:
        source = pois["source"].astype(str)
        for name, coords in pois_coords.items():
            part = pois[source.eq(name).to_numpy()]
            if len(part):
                found += _coords_problems(present, part, coords, name)
    return found


def _coords_problems(present: dict[str, gpd.GeoDataFrame], pois: gpd.GeoDataFrame,
                     coords: str, source: str | None) -> list[str]:
    """The POIs' coordinate system against the roads (else land use), for one source or all."""
    out: list[str] = []
    label = "" if source is None else f"POI source {source!r}: "
    if "roads" in present:
        shift = _offset_problem({**present, "pois": pois}, coords)
        if shift:
            out.append(label + (shift if source is None else shift.replace(
                "in `[pois]`", f"in the `[[pois]]` table named {source!r}")))
    reference = next((k for k in ("roads", "landuse") if k in present), None)
    if reference is not None and not out:
        # the candidate systems compared with each other (io.coords.detect_coordinate_system):
        # catches a 500 m GCJ-02 shift even in a dense grid where every POI is near some road
        check = detect_coordinate_system(pois, present[reference], declared=coords,
                                         name="pois" if source is None else f"pois ({source})",
                                         reference_name=reference)
        if not check.ok:
            out.append(label + check.message)
    return out


def _fmt_extent(ext: tuple[float, ...] | None) -> str:
    if ext is None:
        return "empty"
    return f"lon {ext[0]:.4f}..{ext[2]:.4f}, lat {ext[1]:.4f}..{ext[3]:.4f}"


# ------------------------------------------------------------------------ layer checks
# (the report is built in _validate_report.py; the [zones] and [statistics] checks live in
# _validate_units.py)


def _check_loaded_layer(entry: _Entry, name: str, step: Callable[[], Any]) -> Any:
    """Land use, POIs, buildings, roads or boundary: load as the run does and summarise."""
    result = _run(entry, step)
    if result is _FAILED:
        return None
    if result is None or (isinstance(result, tuple) and result[0] is None):
        entry.ok("not given")
        return None
    if name == "roads":
        nodes, edges = result
        frag = network_fragments(nodes, edges)
        entry.counts.update(nodes=len(nodes), edges=len(edges),
                            length_km=round(float(frag["length_m"].sum()) / 1000, 3),
                            isolated_fragments=len(frag) - 1)
        entry.ok(f"{len(nodes)} nodes, {len(edges)} edges ({nodes.crs.name}), "
                 f"{frag['length_m'].sum() / 1000:.1f} km")
        _excluded_roads(entry, edges.attrs.get("excluded_roads"))
        snapping = edges.attrs.get("snapping")  # road lines only (OSM networks are noded)
        if snapping:
            entry.counts.update({f"snap_{k}": int(v) for k, v in snapping.items()})
            if snapping.get("ends_to_vertex") or snapping.get("ends_to_segment"):
                entry.info(
                    f"joins: {snapping.get('ends_to_vertex', 0)} line end(s) snapped to a vertex "
                    f"and {snapping.get('ends_to_segment', 0)} onto another line's segment "
                    f"({snapping.get('ends_trimmed', 0)} overshoot(s) cut back) within "
                    f"`[roads] snap_tolerance`; {snapping.get('dead_ends', 0)} dead end(s) remain.")
        if len(frag) > 1:
            iso = frag.iloc[1:]
            entry.info(f"fragments: {len(iso)} isolated from the main network "
                       f"({iso['n_edges'].sum()} edges, {iso['length_m'].sum():.0f} m, "
                       f"{100 * iso['share_of_length'].sum():.1f}% of the length); the main "
                       f"network holds {100 * frag['share_of_length'].iloc[0]:.1f}%. Facilities "
                       "on a fragment are reachable only from it: join lines in your GIS or "
                       "raise `[roads] snap_tolerance`.")
        _summarise(entry, edges)
        return result
    layer, report = result if isinstance(result, tuple) else (result, None)
    if name == "pois" and "sources" in layer.attrs:
        dup = layer.attrs.get("duplicates")
        n_dup = sum(int(d["count"]) for d in dup or [])
        entry.counts.update(sources=dict(layer.attrs["sources"]), cross_source_duplicates=n_dup)
        entry.info(f"sources: {', '.join(f'{k} {v}' for k, v in layer.attrs['sources'].items())}"
                   f" POI(s) read; {n_dup} held by two sources dropped as duplicates, "
                   f"{len(layer)} kept (column `source`).")
    extra = ""
    col = {"landuse": "class", "pois": "category", "buildings": "use"}.get(name)
    if col and col in layer:
        labels = layer[col]
        if "status" in layer:
            labels = labels.where(labels.notna(), layer["status"])
        classes = labels.value_counts(dropna=False)
        entry.counts["by_class"] = {str(k): int(v) for k, v in classes.items()}
        extra = "; " + ", ".join(f"{k}: {v}" for k, v in classes.head(12).items())
    entry.ok(f"{len(layer)} features ({layer.crs.name}){extra}")
    if report is not None and len(report):
        un = report[report["status"] == "unmapped"]
        if len(un):
            entry.counts["unmapped"] = int(un["count"].sum())
            top = ", ".join(f"{v} ({c})" for v, c in un[["value", "count"]].head(8).values)
            entry.info(f"unmapped: {int(un['count'].sum())} feature(s) in {len(un)} "
                       f"value(s): {top}. Extend the mapping, e.g. "
                       f"`mapping = [\"<bundled>\", \"my_{name}_codes.csv\"]`.", level="warn")
    _summarise(entry, layer)
    return layer


def _excluded_roads(entry: _Entry, excluded: dict[str, Any] | None) -> None:
    """The roads `[roads] exclude_classes` left out of the walking network, per reason."""
    if not excluded:
        return
    entry.counts.update(road_class_column=excluded.get("class_column"),
                        roads_excluded=int(excluded.get("excluded", 0)),
                        **{f"roads_excluded_{k}": int(excluded.get(k, 0))
                           for k in ("class", "foot_no", "access")})
    column = excluded.get("class_column")
    by_class = excluded.get("by_class") or {}
    classes = ", ".join(f"{k} {v}" for k, v in by_class.items())
    entry.info(f"excluded from walking: {excluded.get('excluded', 0)} of "
               f"{excluded.get('segments', 0)} road segment(s): {excluded.get('class', 0)} by "
               f"class in `{column}`" + (f" ({classes})" if classes else "")
               + f", {excluded.get('foot_no', 0)} foot=no, {excluded.get('access', 0)} "
               "private/no access (`[roads] exclude_classes`; [] keeps every road)."
               + ("" if column else " No road-class column (`highway`, or `[roads] "
                  "class_column`): no road was excluded by class."))


def _check_fragments(entry: _Entry, config: Config, nodes: gpd.GeoDataFrame,
                     edges: gpd.GeoDataFrame, crs: CRS, layers: dict[str, Any],
                     units: gpd.GeoDataFrame | None) -> None:
    """POIs and units nearest to a fragment cut off from the largest part of the network."""
    from ..io.crs import to_analysis_crs
    from ..network import graph_from_edges, snap_report

    graph = graph_from_edges(to_analysis_crs(nodes, crs, "network nodes"),
                             to_analysis_crs(edges, crs, "network edges"))
    sizes = np.bincount(graph.component, minlength=graph.n_components)
    frag = network_fragments(nodes, edges)
    entry.counts.update(components=int(graph.n_components),
                        fragment_length_m=round(float(frag["length_m"].iloc[1:].sum()), 1))
    ac = config.accessibility
    found = []
    for what, layer in (("POIs", layers.get("pois")), ("units", units)):
        if layer is None or not len(layer):
            continue
        if what == "POIs" and "status" in layer:
            layer = layer[layer["status"] == "analysed"]
        layer = to_analysis_crs(layer.reset_index(drop=True), crs, what)
        rep = snap_report(layer, graph, snap=ac.snap, snap_distance=ac.snap_distance,
                          component="any")
        off = rep["snapped"] & ~rep["main_network"]
        key = "pois" if what == "POIs" else "units"
        entry.counts[f"{key}_nearest_fragment"] = int(off.sum())
        entry.counts[f"{key}_checked"] = len(layer)
        if off.any():
            found.append(f"{int(off.sum())} of {len(layer)} {what} "
                         f"(on {rep.loc[off, 'component'].nunique()} fragment(s))")
    n_frag = graph.n_components - 1
    main = int(sizes.max()) if len(sizes) else 0
    text = (f"{n_frag} fragment(s) cut off from the largest part of the network "
            f"({main} of {graph.n_nodes} nodes; fragments {frag['length_m'].iloc[1:].sum():.0f} m"
            f" of {frag['length_m'].sum():.0f} m)")
    entry.ok(text + ("" if found else "; no POI or unit is nearest to a fragment"))
    if found:
        entry.info(f"nearest to a fragment: {', '.join(found)}. By default the run joins "
                   "them to the largest part of the network instead (column `rejoined`), which "
                   "lengthens their walk; connect the fragments in the road layer.", level="warn")


def _summarise(entry: _Entry, gdf: gpd.GeoDataFrame) -> None:
    summary = layer_summary(gdf)
    entry.counts.update(features=summary["features"],
                        duplicate_geometries=summary["duplicate_geometries"],
                        duplicate_rows=summary["duplicate_rows"])
    geometry_types = cast("dict[str, int]", summary["geometry_types"])
    extent = cast("tuple[float, ...] | None", summary["extent_lonlat"])
    types = ", ".join(f"{k} {v}" for k, v in geometry_types.items())
    entry.info(f"{summary['features']} features ({types}); CRS {summary['crs']}; "
               f"extent {_fmt_extent(extent)}")
    if summary["duplicate_geometries"]:
        entry.info(f"duplicates: {summary['duplicate_geometries']} feature(s) repeat an "
                   f"earlier geometry ({summary['duplicate_rows']} identical in every "
                   "attribute too); scraped POIs often repeat: drop them if they are the same "
                   "facility.", level="warn")


def _check_zones(entry: _Entry, config: Config, crs: CRS | None,
                 boundary: gpd.GeoDataFrame | None,
                 layers: dict[str, gpd.GeoDataFrame]) -> dict[str, Any] | None:
    """`[zones]`: read and prepare as ``stages.build_units`` does, reporting every problem."""
    from ..io import vector as vector_io

    zc = config.zones
    path = zc.path
    assert path is not None  # called for `[zones] path` only (_check_period)
    raw = _run(entry, lambda: vector_io.read_vector(path, name="zones", layer=zc.layer,
                                                     crs=zc.crs))
    if raw is _FAILED:
        return None
    out: dict[str, Any] = {"raw": raw, "units": None, "polygons": None}
    if _prepare_zones(entry, config, crs, boundary, raw, out):
        # called from here: tests patch `cityind_gis.validate._zone_coverage`
        _zone_coverage(entry, out["units"], layers)
    _summarise(entry, raw)
    return out


def _check_raster(entry: _Entry, config: Config, key: str, crs: CRS | None) -> None:
    """Open one `[indicators]` raster; check its CRS against the analysis CRS when known."""
    from ..indicators.suite import WARP_RESAMPLING
    from ..io.raster import check_raster_crs, raster_info

    path = getattr(config.indicators, key)
    info = _run(entry, lambda: raster_info(path, name=f"[indicators] {key}"))
    if info is _FAILED:
        return
    if (crs is not None and config.indicators.warp_rasters and info.crs is not None
            and info.crs != CRS.from_user_input(crs)):
        target = CRS.from_user_input(crs)
        entry.warn(f"{info.path.name!r} is in {info.crs.to_string()}, not the analysis CRS "
                   f"{target.to_string()}; it will be warped with {WARP_RESAMPLING[key]} "
                   "resampling to a temporary file (`[indicators] warp_rasters = true`), so "
                   "pixel coverage is exact for the warped pixels only")
    elif crs is not None and _run(entry, lambda: check_raster_crs(
            info, crs, f"[indicators] {key}")) is _FAILED:
        return
    entry.counts.update(width=info.width, height=info.height)
    entry.ok(f"{info.width} x {info.height} pixels of {abs(info.res[0]):g} m, "
             f"{info.dtype}, CRS {info.crs.to_string() if info.crs else 'none'}")


# ------------------------------------------------------------------------ the whole config


def _analysis_crs(session: _Session, config: Config, nodes: gpd.GeoDataFrame | None,
                  period: str | None) -> CRS | None:
    """The run's analysis CRS (a bad `[study] crs` fails here), or None."""
    if nodes is not None:
        entry = _Entry(session.rec, "crs", period)
        crs = _run(entry, lambda: analysis_crs(nodes, config.study.crs))
        if entry.messages:
            entry.close()
        return None if crs is _FAILED else crs
    if config.study.crs is not None:  # roads failed (perhaps on this very CRS): said there
        try:
            return analysis_crs(nodes, config.study.crs)
        except CityindError:
            return None
    return None


def _check_period(session: _Session, config: Config,
                  period: str | None) -> tuple[Any, ...] | None:
    """Every check of one run's config; returns the signature of its units."""
    from ..io import layers as io_layers
    from ..io.crs import to_analysis_crs

    def src(layer: Any) -> Any:
        return config.osm if getattr(layer, "path", None) is None else None

    loaded: dict[str, gpd.GeoDataFrame] = {}
    results: dict[str, Any] = {}
    steps = {
        "landuse": (repr((config.landuse, src(config.landuse))),
                    lambda: io_layers.load_landuse(config.landuse, osm=config.osm)),
        "pois": (repr((config.poi_sources, config.merge_pois, config.osm)),
                 (lambda: io_layers.load_poi_sources(config.poi_sources, osm=config.osm))
                 if config.merge_pois else
                 (lambda: io_layers.load_pois(config.pois, osm=config.osm))),
        "buildings": (repr((config.buildings, src(config.buildings))),
                      lambda: io_layers.load_buildings(config.buildings, osm=config.osm)),
        "roads": (repr((config.roads, src(config.roads), config.study.crs)),
                  lambda: io_layers.load_network(config.roads, osm=config.osm,
                                                  crs=config.study.crs)),
        "boundary": (repr((config.study.boundary, config.study.boundary_layer,
                           config.study.boundary_crs)),
                     lambda: io_layers.load_boundary(config.study)),
    }
    keys = {}
    for name, (key, load) in steps.items():
        keys[name] = key
        result = session.step(name, period, f"{name}:{key}",
                              functools.partial(_check_loaded_layer, name=name, step=load))
        results[name] = result
        if result is None:
            continue
        loaded[name] = result[1] if name == "roads" else result
    nodes = results["roads"][0] if results.get("roads") is not None else None

    crs = _analysis_crs(session, config, nodes, period)
    boundary = loaded.get("boundary")
    if boundary is not None and crs is not None:
        boundary = to_analysis_crs(boundary, crs, "boundary")

    units = None
    if config.zones.path is not None:
        key = repr((config.zones, str(crs), keys["boundary"], keys["landuse"], keys["pois"]))
        zones = session.step("zones", period, f"zones:{key}", lambda e: _check_zones(
            e, config, crs, boundary, loaded))
        polygons = None
        if zones is not None:
            units, polygons = zones["units"], zones["polygons"]
            loaded["zones"] = units if units is not None else zones["raw"]
        keys["zones"] = key
        if config.statistics.path is not None:
            computed = _computed_names(config, loaded.get("pois"), loaded.get("buildings"))
            skey = repr((config.statistics, key, config.coupling, config.indicators,
                         config.gaps.categories, sorted(computed[0])))
            session.step("statistics", period, f"statistics:{skey}",
                         lambda e: _check_statistics(e, config, units, polygons, computed))

    if nodes is not None and crs is not None:
        _fragments_step(session, config, period, results["roads"], crs, loaded, keys,
                        units, boundary)

    for rkey in ("population_raster", "night_light_raster", "landcover_raster"):
        if getattr(config.indicators, rkey) is None:
            continue
        session.step(rkey, period, f"{rkey}:{getattr(config.indicators, rkey)}:{crs}:"
                     f"{config.indicators.warp_rasters}",
                     functools.partial(_check_raster, config=config, key=rkey, crs=crs))

    entry = _Entry(session.rec, "cross-layer", period)
    problems = cross_layer_checks(loaded, pois_coords=pois_coords(config))
    entry.counts["problems"] = len(problems)
    for text in problems:
        entry.fail(text)
    if not problems and len(loaded) > 1:
        entry.ok("layers overlap; POIs sit where the roads are")
    if entry.messages:
        entry.close()
    return _grid_signature(config, nodes, crs)


def _fragments_step(session: _Session, config: Config, period: str | None,
                    network: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame], crs: CRS,
                    loaded: dict[str, Any], keys: dict[str, str],
                    units: gpd.GeoDataFrame | None, boundary: gpd.GeoDataFrame | None) -> None:
    """The `fragments` check of one period (once per distinct network, POIs and units)."""
    nodes, edges = network
    key = repr((keys["roads"], keys["pois"], str(crs), keys.get("zones"), config.grid,
                keys["boundary"], config.accessibility))

    def check(entry: _Entry) -> Any:
        return _run(entry, lambda: _check_fragments(
            entry, config, nodes, edges, crs, loaded,
            units if units is not None else _grid_units(config, nodes, crs, boundary)))

    session.step("fragments", period, f"fragments:{key}", check)


def validation_report(
    config: Config, *, progress: Callable[[str], None] | None = print, source: str | None = None
) -> ValidationReport:
    """Load every layer of ``config`` as a run does; report per layer (and per period).

    Parameters
    ----------
    config : Config
        Run configuration; with ``[[periods]]`` every period's configuration
        (:func:`cityind_gis.workflow.period_config`) is checked under its own heading.
    progress : callable or None, default print
        Receives each line of the report as it is found.
    source : str, optional
        The config file, recorded in the report.

    Returns
    -------
    ValidationReport
        ``ok`` (no check failed), one :class:`LayerCheck` per layer and period,
        and the printed lines.

    Notes
    -----
    Errors of every layer are collected and reported together, rather than
    stopping at the first one. Per layer the report gives: feature count and
    geometry types, CRS, extent in lon/lat, geometries repaired or dropped on
    reading (the readers' warnings, with counts), duplicate geometries and rows,
    classes with counts and unmapped values by count; for the network, nodes,
    edges, total length and isolated fragments. ``[zones]``: zones, ids
    (missing, repeated), features that are not polygons, zones outside or
    clipped by the boundary, total area, overlaps between zones and the POIs
    and land use inside them. ``[statistics]``: how the table was read (UTF-8
    or GBK/GB18030, Excel sheet), the key column, non-numeric and empty cells
    of the indicator columns, keys without a partner on either side, and
    indicator names that clash with zone columns or computed indicators. An
    input repeated by a later period is checked once and referred to. Periods
    whose units would differ (``cityind panel`` refuses them) fail a ``panel``
    check.
    """
    from .periods import period_config

    session = _Session(progress)
    if config.periods:
        signatures = {}
        for period in config.periods:
            session.rec.emit(f"== period {period.label} ==")
            signatures[period.label] = _check_period(
                session, period_config(config, period), period.label)
        _check_panel(session, signatures)
    else:
        _check_period(session, config, None)
    ok = not any(c.status == "fail" for c in session.rec.checks)
    session.rec.emit(_closing(ok))
    return ValidationReport(ok, tuple(session.rec.checks), tuple(session.rec.lines), source)


def _check_panel(session: _Session, signatures: dict[str, tuple[Any, ...] | None]) -> None:
    """Every period of a panel must give the same units (``run_panel`` refuses others)."""
    session.rec.emit("== panel ==")
    entry = _Entry(session.rec, "panel", None)
    known = {k: v for k, v in signatures.items() if v is not None}
    labels = list(signatures)
    entry.counts["periods"] = len(labels)
    if len(known) < 2:
        entry.info("units of the periods not compared: some periods' layers did not load.")
    else:
        first, ref = next(iter(known.items()))
        differ = [k for k, v in known.items() if v != ref]
        if not differ:
            entry.ok(f"{len(labels)} periods ({', '.join(labels)}) give the same units")
        elif ref[0] in ("zones", "boundary"):
            entry.fail(f"periods {first!r} and {differ} use different analysis CRSs "
                       f"({ref[-1]} and {known[differ[0]][-1]}), so their units differ and "
                       "`cityind panel` stops. Give `[study] crs` so every period uses one CRS.")
        else:
            shown = "; ".join(f"{k}: {_describe_grid(known[k])}" for k in [first, *differ])
            entry.fail(f"the walking networks of the periods cover different extents, so the "
                       f"grids differ ({shown}) and `cityind panel` stops after running every "
                       "period. Give `[study] boundary` (a polygon of the study area) so every "
                       "period uses the same cells, or use `[zones]`.")
    entry.close()


def validate_config(config: Config, *, progress: Callable[[str], None] = print) -> bool:
    """Load every layer of ``config`` and report what the pipeline would see.

    Parameters
    ----------
    config : Config
        Run configuration.
    progress : callable, default print
        Receives one line of text per finding.

    Returns
    -------
    bool
        True when every layer loads, every named column exists and no
        cross-layer check fails (:func:`cross_layer_checks`).

    Notes
    -----
    A shortcut of :func:`validation_report` (which describes the checks)
    returning only whether all passed.
    """
    return validation_report(config, progress=progress).ok


def write_validation_report(report: ValidationReport, path: str | Path) -> Path:
    """Write a report atomically: JSON when ``path`` ends in ``.json``, else UTF-8 text.

    Parameters
    ----------
    report : ValidationReport
        From :func:`validation_report`.
    path : str or Path
        Target file; its folder is created if needed. It appears only when
        complete (written to a temporary name, then renamed), and an earlier
        file of that name is kept if writing fails.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from ..io._atomic import atomic_path
    from ..io.writers import write_json

    p = Path(path)
    if p.suffix.lower() == ".json":
        return write_json(report.to_dict(), p)
    with atomic_path(p) as tmp:
        tmp.write_text(report.to_text(), encoding="utf-8")
    return p
