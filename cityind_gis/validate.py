"""Check a run's configuration and layers before any analysis (``cityind validate``).

:func:`validate_config` loads every layer the way :func:`cityind_gis.pipeline.run`
does and prints a per-layer report (feature counts, CRS, extent, repaired and
dropped geometries, duplicates, unmapped categories, network fragments) and the
cross-layer checks of :func:`cross_layer_checks` (layers that do not overlap,
POIs systematically off the roads as GCJ-02/BD-09 data declared WGS 84 are).
``run`` calls :func:`cross_layer_checks` too and warns. Inputs are never modified.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ._errors import CityindError
from .config import Config
from .io.coords import convert_lonlat, out_of_china

__all__ = [
    "validate_config",
    "layer_summary",
    "network_fragments",
    "cross_layer_checks",
    "coordinate_offset",
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


def cross_layer_checks(
    layers: dict[str, gpd.GeoDataFrame], *, pois_coords: str = "wgs84"
) -> list[str]:
    """Problems between layers: no overlap, POIs systematically off the roads.

    Parameters
    ----------
    layers : dict of str to GeoDataFrame
        Loaded layers by name (``landuse``, ``pois``, ``roads`` (network edges),
        ``boundary``); each with a CRS, any CRS. Missing or empty ones are skipped.
    pois_coords : {"wgs84", "gcj02", "bd09"}, default "wgs84"
        The ``coords`` the POIs were read with.

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
    if "pois" in present and "roads" in present:
        med = coordinate_offset(present["pois"], present["roads"], declared=pois_coords)
        if len(med):
            best = str(med.idxmin())
            now = med[pois_coords]
            if best != pois_coords and now > 50.0 and med[best] < 0.5 * now:
                found.append(
                    f"POIs sit a median {now:.0f} m from the nearest road when read as "
                    f"{_SYSTEM_NAMES[pois_coords]}, but {med[best]:.0f} m when read as "
                    f"{_SYSTEM_NAMES[best]}: the POI coordinates are {_SYSTEM_NAMES[best]}, "
                    f"declared as {_SYSTEM_NAMES[pois_coords]}. Fix: set `coords = \"{best}\"` "
                    "in `[pois]` (or convert them with cityind_gis.io.coords.transform_coords)."
                )
    return found


def _fmt_extent(ext: tuple[float, ...] | None) -> str:
    if ext is None:
        return "empty"
    return f"lon {ext[0]:.4f}..{ext[2]:.4f}, lat {ext[1]:.4f}..{ext[3]:.4f}"


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
    Errors of every layer are collected and reported together, rather than
    stopping at the first one. Per layer the report gives: feature count and
    geometry types, CRS, extent in lon/lat, geometries repaired or dropped on
    reading (the readers' warnings, with counts), duplicate geometries and rows,
    classes with counts and unmapped values by count; for the network, nodes,
    edges, total length and isolated fragments.
    """
    from . import pipeline

    ok = True
    steps = {
        "landuse": lambda: pipeline._load_landuse(config),
        "pois": lambda: pipeline._load_pois(config),
        "buildings": lambda: pipeline._load_buildings(config),
        "roads": lambda: pipeline._load_network(config, config.study.crs),
        "boundary": lambda: pipeline._load_boundary(config),
    }
    loaded: dict[str, gpd.GeoDataFrame] = {}
    for name, step in steps.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = step()
            except CityindError as exc:
                ok = False
                progress(f"FAIL {name}: {exc}")
                continue
        for w in caught:
            if not issubclass(w.category, DeprecationWarning | FutureWarning):
                progress(f"WARN {name}: {w.message}")
        if result is None or (isinstance(result, tuple) and result[0] is None):
            progress(f"  ok {name}: not given")
            continue
        if name == "roads":
            nodes, edges = result
            loaded[name] = edges
            frag = network_fragments(nodes, edges)
            progress(f"  ok {name}: {len(nodes)} nodes, {len(edges)} edges ({nodes.crs.name}), "
                     f"{frag['length_m'].sum() / 1000:.1f} km")
            if len(frag) > 1:
                iso = frag.iloc[1:]
                progress(f"     fragments: {len(iso)} isolated from the main network "
                         f"({iso['n_edges'].sum()} edges, {iso['length_m'].sum():.0f} m, "
                         f"{100 * iso['share_of_length'].sum():.1f}% of the length); the main "
                         f"network holds {100 * frag['share_of_length'].iloc[0]:.1f}%. Facilities "
                         "on a fragment are reachable only from it: join lines in your GIS or "
                         "raise `[roads] snap_tolerance`.")
            summary = layer_summary(edges)
        else:
            layer, report = result if isinstance(result, tuple) else (result, None)
            loaded[name] = layer
            summary = layer_summary(layer)
            extra = ""
            col = {"landuse": "class", "pois": "category", "buildings": "use"}.get(name)
            if col and col in layer:
                labels = layer[col]
                if "status" in layer:
                    labels = labels.where(labels.notna(), layer["status"])
                extra = "; " + ", ".join(f"{k}: {v}" for k, v in
                                         labels.value_counts(dropna=False).head(12).items())
            progress(f"  ok {name}: {len(layer)} features ({layer.crs.name}){extra}")
            if report is not None and len(report):
                un = report[report["status"] == "unmapped"]
                if len(un):
                    top = ", ".join(f"{v} ({c})" for v, c in un[["value", "count"]].head(8).values)
                    progress(f"     unmapped: {int(un['count'].sum())} feature(s) in {len(un)} "
                             f"value(s): {top}. Extend the mapping, e.g. "
                             f"`mapping = [\"<bundled>\", \"my_{name}_codes.csv\"]`.")
        types = ", ".join(f"{k} {v}" for k, v in summary["geometry_types"].items())
        progress(f"     {summary['features']} features ({types}); CRS {summary['crs']}; "
                 f"extent {_fmt_extent(summary['extent_lonlat'])}")
        if summary["duplicate_geometries"]:
            progress(f"     duplicates: {summary['duplicate_geometries']} feature(s) repeat an "
                     f"earlier geometry ({summary['duplicate_rows']} identical in every "
                     "attribute too); scraped POIs often repeat: drop them if they are the same "
                     "facility.")
    ok &= _check_rasters(config, loaded.get("roads"), progress)
    problems = cross_layer_checks(loaded, pois_coords=config.pois.coords)
    for text in problems:
        ok = False
        progress(f"FAIL cross-layer: {text}")
    if not problems and len(loaded) > 1:
        progress("  ok cross-layer: layers overlap; POIs sit where the roads are")
    progress("valid" if ok else "invalid: fix the problems above")
    return ok


def _check_rasters(config: Config, edges: gpd.GeoDataFrame | None,
                   progress: Callable[[str], None]) -> bool:
    """Open each `[indicators]` raster; check its CRS against the analysis CRS when known."""
    from .io.crs import analysis_crs
    from .io.raster import check_raster_crs, raster_info

    ic = config.indicators
    ok = True
    crs = None
    if edges is not None and len(edges):
        try:
            crs = analysis_crs(edges, config.study.crs)
        except CityindError:
            crs = None
    for key in ("population_raster", "night_light_raster", "landcover_raster"):
        path = getattr(ic, key)
        if path is None:
            continue
        try:
            info = raster_info(path, name=f"[indicators] {key}")
            if crs is not None:
                check_raster_crs(info, crs, f"[indicators] {key}")
        except CityindError as exc:
            ok = False
            progress(f"FAIL {key}: {exc}")
            continue
        progress(f"  ok {key}: {info.width} x {info.height} pixels of {abs(info.res[0]):g} m, "
                 f"{info.dtype}, CRS {info.crs.to_string() if info.crs else 'none'}")
    return ok
