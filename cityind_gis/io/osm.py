"""Read land use, POIs and the walking network from local OpenStreetMap files.

Supported: ``.osm.pbf`` (via pyrosm), ``.osm``/``.xml`` (via osmnx's XML
reader) and, for the network only, GraphML (via osmnx). Nothing is ever
downloaded. Every reader returns layers in EPSG:4326, as OSM stores them; the
pipeline reprojects once to the analysis CRS.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InputError
from ..taxonomy import OSM_POI_KEYS, load_mapping

__all__ = ["osm_format", "read_osm_landuse", "read_osm_buildings", "read_osm_pois",
           "read_osm_walk_network"]

log = logging.getLogger(__name__)

#: Highway values that are no walkable way, dropped from the walking network read from
#: OSM XML / GraphML as pyrosm's "walking" filter drops them from a .pbf. Trunk roads
#: are kept by both readers: ``[roads] exclude_classes`` decides about them
#: (:func:`cityind_gis.network.exclude_road_classes`, applied by
#: :func:`cityind_gis.io.layers.load_network`).
_NOT_WALKABLE = ("motorway", "motorway_link", "construction", "proposed",
                 "raceway", "bus_guideway", "abandoned", "platform")

#: OSM tags kept on the edges of the walking network (besides ``highway``), for
#: :func:`cityind_gis.network.exclude_road_classes`.
_ACCESS_TAGS = ("foot", "access")


def _tag_column(table: pd.DataFrame, key: str, keep: Any = slice(None)) -> np.ndarray:
    """Values of tag ``key`` (None where untagged or absent) as an object array."""
    if key not in table.columns:
        return np.full(len(table.index[keep]), None, dtype=object)
    col = table[key][keep]
    return col.astype(object).where(col.notna(), None).to_numpy(dtype=object)

#: Keys whose every value is fetched (unmapped values are then reported); other
#: keys are fetched only for the values the mapping names (``highway=bus_stop``,
#: not every road).
_OPEN_KEYS = (
    "amenity", "healthcare", "shop", "office", "craft", "leisure", "tourism", "industrial"
)


def osm_format(path: str | os.PathLike[str]) -> str:
    """Return ``"pbf"``, ``"xml"`` or ``"graphml"`` from a file name, or raise.

    Parameters
    ----------
    path : str or path-like
        OSM file.

    Returns
    -------
    str
    """
    name = str(path).lower()
    if name.endswith(".pbf"):
        return "pbf"
    if name.endswith((".osm", ".xml", ".osm.xml")):
        return "xml"
    if name.endswith(".graphml"):
        return "graphml"
    msg = (
        f"`path` {str(path)!r} is not an OSM file cityind_gis reads; expected a name ending in "
        "'.osm.pbf', '.osm' (XML) or '.graphml'."
    )
    raise InputError(msg)


def _check_exists(path: str | os.PathLike[str], name: str = "path") -> Path:
    p = Path(path)
    if not p.is_file():
        msg = f"`{name}` file {str(path)!r} does not exist (looked in {p.resolve().parent})."
        raise InputError(msg)
    return p


def _osm(path: Path) -> Any:  # a pyrosm.OSM reader (untyped)
    import pyrosm

    return pyrosm.OSM(str(path))


def _repair(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Drop empty geometries and repair invalid ones, with a warning that counts them."""
    geoms = gdf.geometry
    empty = geoms.isna() | geoms.is_empty
    if empty.any():
        warnings.warn(
            f"{int(empty.sum())} {layer} feature(s) had no geometry and were dropped",
            stacklevel=3,
        )
        gdf = gdf[~empty]
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        gdf = gdf.copy()
        gdf.loc[invalid, gdf.geometry.name] = shapely.make_valid(gdf.geometry[invalid].values)
        log.info("repaired %d invalid %s geometries with make_valid", int(invalid.sum()), layer)
    return gdf


def _polygons_only(gdf: gpd.GeoDataFrame, layer: str = "land-use") -> gpd.GeoDataFrame:
    """Keep the polygonal part of each geometry (make_valid may return collections)."""
    geoms = gdf.geometry.values
    is_coll = shapely.get_type_id(geoms) == 7
    if is_coll.any():
        parts, idx = shapely.get_parts(geoms[is_coll], return_index=True)
        keep = np.isin(shapely.get_type_id(parts), (3, 6))
        merged = shapely.multipolygons(parts[keep], indices=idx[keep])
        geoms = geoms.copy()
        # shapely.multipolygons returns one per index present; rebuild aligned array
        out = np.full(int(is_coll.sum()), None, dtype=object)
        out[np.unique(idx[keep])] = merged
        geoms[is_coll] = out
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    keep = gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    if not keep.all():
        warnings.warn(
            f"{int((~keep).sum())} {layer} feature(s) had no polygonal area (degenerate "
            f"rings, or lines tagged {'landuse' if layer == 'land-use' else layer}=*) and were "
            "dropped",
            stacklevel=3,
        )
    return gdf[keep]


def read_osm_landuse(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read ``landuse=*`` polygons from a local OSM extract.

    Parameters
    ----------
    path : str or path-like
        ``.osm.pbf`` or ``.osm`` XML file.

    Returns
    -------
    GeoDataFrame
        Columns ``osm_id``, ``landuse`` (the raw tag value) and polygon geometry,
        EPSG:4326, with a fresh RangeIndex. Invalid polygons are repaired with
        :func:`shapely.make_valid`; features without geometry are dropped with a warning.
    """
    p = _check_exists(path)
    fmt = osm_format(p)
    if fmt == "graphml":
        msg = (f"`path` {str(path)!r} is a GraphML network; it holds no land use. "
               "Use a .osm.pbf or .osm file.")
        raise InputError(msg)
    if fmt == "pbf":
        raw = _osm(p).get_landuse()
        if raw is None:
            raw = gpd.GeoDataFrame({"id": [], "landuse": []}, geometry=[], crs="EPSG:4326")
        raw = raw.rename(columns={"id": "osm_id"})
    else:
        raw = _features_from_xml(p, {"landuse": True})
    if "landuse" not in raw.columns:
        raw["landuse"] = None
    gdf = gpd.GeoDataFrame(
        {"osm_id": raw["osm_id"].to_numpy(), "landuse": raw["landuse"].to_numpy(dtype=object)},
        geometry=raw.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    gdf = _polygons_only(_repair(gdf, "land-use"))
    log.info("read %d land-use polygons from %s", len(gdf), p.name)
    return gdf.reset_index(drop=True)


def read_osm_buildings(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read ``building=*`` polygons from a local OSM extract.

    Parameters
    ----------
    path : str or path-like
        ``.osm.pbf`` or ``.osm`` XML file.

    Returns
    -------
    GeoDataFrame
        Columns ``osm_id``, ``building`` (raw tag value), ``building:levels`` and
        ``height`` (raw text, missing where untagged) and polygon geometry,
        EPSG:4326, fresh RangeIndex; invalid outlines repaired, features without
        area dropped with a warning. A GraphML file holds no buildings: empty.
    """
    p = _check_exists(path)
    fmt = osm_format(p)
    cols = ("building", "building:levels", "height")
    if fmt == "graphml":
        raw = None
    elif fmt == "pbf":
        raw = _osm(p).get_buildings()
        if raw is not None:
            raw = raw.rename(columns={"id": "osm_id"})
    else:
        raw = _features_from_xml(p, {"building": True})
    if raw is None or len(raw) == 0:
        raw = gpd.GeoDataFrame({"osm_id": []}, geometry=[], crs="EPSG:4326")
    data = {"osm_id": raw["osm_id"].to_numpy()}
    for c in cols:
        data[c] = (raw[c].to_numpy(dtype=object) if c in raw.columns
                   else np.full(len(raw), None, dtype=object))
    gdf = gpd.GeoDataFrame(data, geometry=raw.geometry.to_numpy(), crs="EPSG:4326")
    gdf = _polygons_only(_repair(gdf, "building"), "building")
    log.info("read %d buildings from %s", len(gdf), p.name)
    return gdf.reset_index(drop=True)


def _features_from_xml(path: Path, tags: dict[str, bool | str | list[str]]) -> gpd.GeoDataFrame:
    import osmnx as ox

    try:
        feats = ox.features_from_xml(path, tags=tags)
    except ox._errors.InsufficientResponseError:  # no matching feature
        return gpd.GeoDataFrame({"osm_id": []}, geometry=[], crs="EPSG:4326")
    feats = feats.reset_index()
    feats["osm_id"] = feats["id"]
    return feats


def _poi_filter(mapping: pd.DataFrame | None = None) -> dict[str, bool | str | list[str]]:
    """Tags to read: every value of the open keys, the mapped values of the others."""
    mapping = load_mapping("osm_poi") if mapping is None else mapping
    filt: dict[str, bool | str | list[str]] = {}
    for key in OSM_POI_KEYS:
        if key in _OPEN_KEYS:
            filt[key] = True
        else:
            vals = mapping.loc[(mapping["key"] == key) & (mapping["class"] != "excluded"), "value"]
            filt[key] = sorted(set(vals) - {"*"})
    return filt


def read_osm_pois(
    path: str | os.PathLike[str], *, mapping: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """Read points of interest (amenity, shop, office, transit stops, works, ...) from OSM.

    Parameters
    ----------
    path : str or path-like
        ``.osm.pbf`` or ``.osm`` XML file.
    mapping : DataFrame, optional
        The POI mapping (:func:`cityind_gis.taxonomy.load_mapping`) that will classify
        the result; values it maps for keys such as ``highway`` or ``railway`` are
        read too. Default: the bundled ``osm_poi`` mapping.

    Returns
    -------
    GeoDataFrame
        Points in EPSG:4326 with columns ``osm_id``, ``name`` and one column per
        key of :data:`cityind_gis.taxonomy.OSM_POI_KEYS` (missing values as None).
        Areas and lines (a school's grounds, a station building) become their
        representative point, so each facility counts once.
    """
    p = _check_exists(path)
    fmt = osm_format(p)
    if fmt == "graphml":
        msg = (f"`path` {str(path)!r} is a GraphML network; it holds no POIs. "
               "Use a .osm.pbf or .osm file.")
        raise InputError(msg)
    filt = _poi_filter(mapping)
    if fmt == "pbf":
        raw = _osm(p).get_pois(custom_filter=filt)
        if raw is None:
            raw = gpd.GeoDataFrame({"id": []}, geometry=[], crs="EPSG:4326")
        raw = raw.rename(columns={"id": "osm_id"})
    else:
        raw = _features_from_xml(p, filt)
    data = {"osm_id": raw["osm_id"].to_numpy() if "osm_id" in raw else np.array([])}
    data["name"] = (raw["name"] if "name" in raw else pd.Series(None, index=raw.index)).to_numpy(
        dtype=object
    )
    for key in OSM_POI_KEYS:
        col = raw[key] if key in raw.columns else pd.Series(None, index=raw.index, dtype=object)
        col = col.astype(object).where(col.notna(), None)
        # pyrosm returns other values of the key too
        if key in filt and isinstance(filt[key], list):
            col = col.where(col.isin(filt[key]), None)
        data[key] = col.to_numpy(dtype=object)
    gdf = gpd.GeoDataFrame(data, geometry=raw.geometry.to_numpy(), crs="EPSG:4326")
    gdf = _repair(gdf, "POI")
    tagged = gdf[list(OSM_POI_KEYS)].notna().any(axis=1)
    gdf = gdf[tagged]
    not_point = gdf.geom_type != "Point"
    if not_point.any():
        gdf = gdf.copy()
        gdf.loc[not_point, "geometry"] = gdf.geometry[not_point].representative_point()
    log.info("read %d POIs from %s", len(gdf), p.name)
    return gdf.reset_index(drop=True)


def read_osm_walk_network(
    path: str | os.PathLike[str],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read the walking network from a local OSM file.

    Parameters
    ----------
    path : str or path-like
        ``.osm.pbf`` (pyrosm ``network_type="walking"``), ``.osm`` XML or
        ``.graphml`` (osmnx; motorways and trunk roads dropped).

    Returns
    -------
    nodes : GeoDataFrame
        Points indexed by OSM node id, EPSG:4326.
    edges : GeoDataFrame
        Columns ``u``, ``v`` (node ids), ``length`` (metres, geodesic as computed
        by pyrosm/osmnx), ``highway``, ``foot`` and ``access`` (raw tag values,
        None where untagged) and line geometry, EPSG:4326.

    Notes
    -----
    Both readers drop motorways (``motorway``, ``motorway_link``), ways that are
    not (yet) built and ways closed to walkers (``foot=no``): pyrosm's walking
    filter for a ``.pbf``, the same highway values and ``foot=no/private`` for XML
    and GraphML. Trunk roads and their links are kept; ``[roads]
    exclude_classes`` (:func:`cityind_gis.network.exclude_road_classes`) removes
    them from the run's network by default.
    """
    p = _check_exists(path)
    fmt = osm_format(p)
    if fmt == "pbf":
        res = _osm(p).get_network(network_type="walking", nodes=True)
        if res is None:
            msg = f"`path` {str(path)!r} holds no walkable ways; a walking network is required."
            raise InputError(msg)
        nodes_raw, edges_raw = res
        nodes = gpd.GeoDataFrame(
            geometry=nodes_raw.geometry.to_numpy(),
            index=pd.Index(nodes_raw["id"].to_numpy(dtype=np.int64), name="node_id"),
            crs="EPSG:4326",
        )
        edges = gpd.GeoDataFrame(
            {
                "u": edges_raw["u"].to_numpy(dtype=np.int64),
                "v": edges_raw["v"].to_numpy(dtype=np.int64),
                "length": edges_raw["length"].to_numpy(dtype=float),
                "highway": edges_raw["highway"].astype(object).to_numpy(),
                **{k: _tag_column(edges_raw, k) for k in _ACCESS_TAGS},
            },
            geometry=edges_raw.geometry.to_numpy(),
            crs="EPSG:4326",
        )
    else:
        import osmnx as ox

        graph = (ox.graph_from_xml(p, simplify=False, retain_all=True) if fmt == "xml"
                 else ox.load_graphml(p))
        nodes_g, edges_g = ox.graph_to_gdfs(graph)
        edges_g = edges_g.reset_index()
        hw_raw = (edges_g["highway"] if "highway" in edges_g
                  else pd.Series(None, index=edges_g.index))
        hw = hw_raw.astype(str)
        # ways without a highway tag (land-use outlines, rivers) are not paths
        walk = hw_raw.notna() & ~hw.isin(_NOT_WALKABLE)
        if "foot" in edges_g:
            walk &= ~edges_g["foot"].astype(str).isin(["no", "private"])
        edges_g = edges_g[walk]
        nodes = gpd.GeoDataFrame(
            geometry=nodes_g.geometry.to_numpy(),
            index=pd.Index(nodes_g.index.to_numpy(dtype=np.int64), name="node_id"),
            crs=nodes_g.crs,
        ).to_crs("EPSG:4326")
        edges = gpd.GeoDataFrame(
            {
                "u": edges_g["u"].to_numpy(dtype=np.int64),
                "v": edges_g["v"].to_numpy(dtype=np.int64),
                "length": edges_g["length"].to_numpy(dtype=float),
                "highway": hw[walk].to_numpy(dtype=object),
                **{k: _tag_column(edges_g, k) for k in _ACCESS_TAGS},
            },
            geometry=edges_g.geometry.to_numpy(),
            crs=edges_g.crs,
        ).to_crs("EPSG:4326")
    log.info("read walking network from %s: %d nodes, %d edges", p.name, len(nodes), len(edges))
    return nodes, edges.reset_index(drop=True)
