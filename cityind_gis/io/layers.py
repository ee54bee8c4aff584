"""Loading and schema-normalising the input layers of a run.

Each loader reads one layer the way a run's config describes it -- from its own
file (``[landuse] path``, ``[pois] path``, ...) or from the ``[osm] path``
extract -- and returns a canonical GeoDataFrame in the layer's own CRS:

========================= ====================================================
loader                    canonical columns
========================= ====================================================
:func:`load_landuse`      ``source_value``, ``class`` (canonical land-use class)
:func:`load_pois`         ``source_value``, ``name``, ``category``, ``status``
                          (analysed / excluded / unmapped), ``industry``
:func:`load_buildings`    ``source_value``, ``use``, ``levels``
:func:`load_network`      nodes and edges of the walking network (metric CRS)
:func:`load_boundary`     the study boundary as read
========================= ====================================================

Loaders that classify return ``(layer, report)`` where ``report`` is the
classification report of the layer's source values (see
:func:`cityind_gis.taxonomy.tag_report`). Adding an input format means teaching
:mod:`cityind_gis.io.vector` (or :mod:`cityind_gis.io.osm`) to read it; the
loaders here stay unchanged (see ``docs/architecture.md``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .._errors import InputError, SchemaError
from ..indicators.buildings import BUILDING_CLASSES, UNKNOWN, building_levels
from ..network import exclude_road_classes, graph_from_lines
from ..taxonomy import (
    EXCLUDED,
    OSM_POI_KEYS,
    classify_tags,
    classify_values,
    landuse_classes,
    load_mapping,
    poi_categories,
    tag_report,
)
from ..taxonomy import check_classes as _check_classes
from . import osm as osm_io
from . import vector as vector_io
from .crs import analysis_crs, to_analysis_crs
from .sources import merge_poi_sources

if TYPE_CHECKING:
    from ..config import BuildingsConfig, LayerConfig, RoadsConfig, StudyConfig

__all__ = [
    "load_landuse",
    "load_pois",
    "load_buildings",
    "load_network",
    "load_boundary",
    "load_poi_sources",
    "walkable_roads",
    "osm_industry_subtypes",
]

log = logging.getLogger(__name__)


def _osm_source(osm: Path | None, section: str) -> Path:
    """`[osm] path`, read for a layer whose `[section]` gives no `path` of its own."""
    if osm is None:
        msg = (f"`[{section}]` gives no `path` and the config no `[osm] path`; every layer "
               f"needs a source: set `[osm] path` or `[{section}] path`.")
        raise InputError(msg)
    return osm


def _top_unmapped(report: pd.DataFrame) -> str:
    """The five most frequent unmapped values of a one-column tag report: ``v (count), ...``."""
    return ", ".join(f"{v} ({c})" for v, c in report.loc[report.status == "unmapped",
                                                       ["value", "count"]].head(5).values)


def _polygons_only(gdf: gpd.GeoDataFrame, what: str) -> tuple[pd.Series, str]:
    """Mask of polygonal rows, and ``"<n> <what> feature(s) are [kinds]"`` for the warning."""
    polygonal = gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    kinds = sorted(set(gdf.geom_type[~polygonal].astype(str)))
    return polygonal, f"{int((~polygonal).sum())} {what} feature(s) are {kinds}"


def load_landuse(
    section: LayerConfig, *, osm: Path | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Land-use polygons with ``source_value`` and canonical ``class``, and their report.

    Parameters
    ----------
    section : LayerConfig
        ``[landuse]`` of the config.
    osm : Path, optional
        ``[osm] path``: read when the section gives no ``path``.

    Returns
    -------
    landuse : GeoDataFrame
        Polygons only, in the file's CRS; values no mapping knows and
        excluded ones count as ``other`` (with a warning). Slivers and
        degenerate polygons below 1 m² are dropped with a count
        (:func:`cityind_gis.io.vector.drop_slivers`); overlapping parcels are
        counted in a warning (the class first in the canonical order wins
        where they overlap); more than :data:`LARGE_LANDUSE` polygons are
        announced before the run goes on.
    report : DataFrame
        Classification report (:func:`cityind_gis.taxonomy.tag_report`).
    """
    lc = section
    classes = list(landuse_classes().index)
    if lc.path is None:
        raw = osm_io.read_osm_landuse(_osm_source(osm, "landuse"))
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
    out = vector_io.drop_slivers(out[polygonal].reset_index(drop=True), name="land-use")
    _report_overlaps(out)
    if len(out) > LARGE_LANDUSE:
        warnings.warn(f"the land-use layer holds {len(out):,} polygons (more than "
                      f"{LARGE_LANDUSE:,}): the land-use indicators may take minutes and GBs of "
                      "memory. Clip it to the study area or dissolve it by class first.",
                      stacklevel=3)
    return out, report


#: Above this many land-use polygons (after slivers are dropped) a run says it will be slow.
LARGE_LANDUSE = 250_000
# Overlap areas are summed only up to this many overlapping pairs (else only counted).
_MAX_OVERLAP_PAIRS = 50_000


def _report_overlaps(landuse: gpd.GeoDataFrame) -> None:
    """Warn with counts when parcels overlap (their interiors meet): class priority decides."""
    import shapely

    geoms = landuse.geometry.values
    if len(geoms) < 2:
        return
    tree = shapely.STRtree(geoms)
    pairs = [tree.query(geoms, predicate=p) for p in ("overlaps", "contains")]
    left = np.concatenate([p[0] for p in pairs])
    right = np.concatenate([p[1] for p in pairs])
    keep = left != right
    key = np.unique(np.sort(np.c_[left[keep], right[keep]], axis=1), axis=0)
    if not len(key):
        return
    cls = landuse["class"].to_numpy()
    differ = int((cls[key[:, 0]] != cls[key[:, 1]]).sum())
    area = ""
    if len(key) <= _MAX_OVERLAP_PAIRS:
        shared = gpd.GeoDataFrame(geometry=shapely.intersection(geoms[key[:, 0]],
                                                                geoms[key[:, 1]]),
                                  crs=landuse.crs)
        area = f", {float(vector_io._area_m2(shared).sum()):,.0f} m² in all"
    parcels = len(np.unique(key))
    warnings.warn(
        f"{parcels:,} land-use parcel(s) overlap one another ({len(key):,} overlapping pair(s)"
        f"{area}; {differ:,} pair(s) of different classes): each overlap is counted once, for "
        "the class first in the canonical class order (docs/inputs/landuse.md). Fix the "
        "overlaps in your GIS if another class should win.", stacklevel=4)


def load_pois(
    section: LayerConfig, *, osm: Path | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """POIs as points with ``category``, ``status``, ``source_value`` (and ``name``, ``industry``).

    Parameters
    ----------
    section : LayerConfig
        ``[pois]`` of the config.
    osm : Path, optional
        ``[osm] path``: read when the section gives no ``path``.

    Returns
    -------
    pois : GeoDataFrame
        Every POI read, in the file's CRS (lon/lat tables: EPSG:4326 after the
        GCJ-02/BD-09 conversion of ``coords``); ``status`` is ``analysed``,
        ``excluded`` or ``unmapped``; ``category`` is None unless analysed.
    report : DataFrame
        Classification report of the tag values.
    """
    pc = section
    cats = list(poi_categories().index)
    if pc.path is None:
        if pc.industry_column or pc.industry_digits:
            warnings.warn("`[pois] industry_column`/`industry_digits` apply to a POI file given in "
                          "`[pois] path`; OSM POIs take their subtype from their tags "
                          "(craft=brewery, ...), so the keys are ignored.", stacklevel=3)
        mapping = load_mapping(pc.mapping or "osm_poi")
        _check_classes(mapping, cats, "pois mapping")
        raw = osm_io.read_osm_pois(_osm_source(osm, "pois"), mapping=mapping)
        cat = classify_tags(raw, mapping, keys=OSM_POI_KEYS)
        report = tag_report(raw, cat, keys=OSM_POI_KEYS, layer="pois")
        label = raw[list(OSM_POI_KEYS)].bfill(axis=1).iloc[:, 0] if len(raw) else raw.get("name")
        keep_cols = {"osm_id": raw["osm_id"], "name": raw["name"], "source_value": label}
        industry = osm_industry_subtypes(raw, mapping)
    else:
        if vector_io.is_table(pc.path):
            raw = vector_io.read_point_table(pc.path, name="pois", x=pc.x, y=pc.y,
                                             crs=pc.crs or "EPSG:4326", sheet=pc.sheet,
                                             coords=pc.coords, bad_rows=pc.bad_rows)
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


def load_poi_sources(
    sections: Sequence[LayerConfig], *, osm: Path | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Several POI sources (``[[pois]]``) read, classified and merged into one layer.

    Parameters
    ----------
    sections : sequence of LayerConfig
        One ``[[pois]]`` table per source, in priority order (a duplicate keeps
        the row of the earlier source); each is read by :func:`load_pois` with
        its own path, class column, mapping and ``coords``. Names are
        :attr:`LayerConfig.source_name`.
    osm : Path, optional
        ``[osm] path``: read for a source that gives no ``path``.

    Returns
    -------
    pois : GeoDataFrame
        :func:`cityind_gis.io.sources.merge_poi_sources` of the sources, each
        first reprojected to the CRS of the first: the columns of
        :func:`load_pois`, plus ``source`` (the source's name). Exact duplicates
        across sources (same category, at most 1 m apart, same name when both
        have one) are dropped, with a warning giving the count per pair of
        sources; ``attrs["duplicates"]`` holds those counts (a list of dicts) and
        ``attrs["sources"]`` the POIs read per source.
    report : DataFrame
        The classification reports of the sources, stacked.
    """
    names = [s.source_name for s in sections]
    layers, reports = [], []
    for sec in sections:
        layer, report = load_pois(sec, osm=osm)
        if layers and layer.crs != layers[0].crs:
            layer = layer.to_crs(layers[0].crs)
        layers.append(layer)
        reports.append(report)
    merged = merge_poi_sources(layers, names=names)
    merged.attrs["sources"] = {n: len(layer) for n, layer in zip(names, layers, strict=True)}
    return merged, pd.concat(reports, ignore_index=True)


def osm_industry_subtypes(raw: pd.DataFrame, mapping: pd.DataFrame) -> pd.Series:
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


def load_buildings(
    section: BuildingsConfig, *, osm: Path | None = None
) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame]:
    """Building outlines with ``source_value``, ``use`` (class or "unknown") and ``levels``.

    Parameters
    ----------
    section : BuildingsConfig
        ``[buildings]`` of the config.
    osm : Path, optional
        ``[osm] path``: its buildings are read when the section gives no ``path``.

    Returns
    -------
    buildings : GeoDataFrame or None
        None when buildings are disabled or there is no source.
    report : DataFrame
        Classification report of the use column (empty without one).
    """
    bc = section
    if not bc.enabled or (bc.path is None and osm is None):
        return None, pd.DataFrame()
    if bc.path is None:
        raw = osm_io.read_osm_buildings(_osm_source(osm, "buildings"))
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


def load_network(
    section: RoadsConfig, *, osm: Path | None = None, crs: Any | None = None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Nodes and edges of the walking network from road lines or an OSM/GraphML file.

    Parameters
    ----------
    section : RoadsConfig
        ``[roads]`` of the config.
    osm : Path, optional
        ``[osm] path``: its walkable ways are read when the section gives no ``path``.
    crs : str, optional
        ``[study] crs``: the metric CRS road lines are projected to (default UTM).

    Returns
    -------
    nodes, edges : GeoDataFrame
        See :func:`cityind_gis.network.graph_from_lines` (road lines) and
        :func:`cityind_gis.io.osm.read_osm_walk_network` (OSM files). The roads of
        ``[roads] exclude_classes`` are left out first (:func:`walkable_roads`;
        OSM edges too, with the nodes only they used); ``edges.attrs
        ["excluded_roads"]`` holds the counts per reason.

    Raises
    ------
    SchemaError
        Features that are not lines, or a ``[roads] class_column`` the layer lacks.
    InputError
        No source, or every road of an excluded class.
    """
    rc = section
    path = rc.path if rc.path is not None else _osm_source(osm, "roads")
    try:
        fmt = osm_io.osm_format(path)
    except InputError:
        fmt = None
    if fmt is not None:
        nodes, edges = osm_io.read_osm_walk_network(path)
        edges, excluded = walkable_roads(edges, rc, source=Path(path).name)
        if excluded["excluded"]:  # drop the nodes only excluded roads used
            used = np.union1d(edges["u"].to_numpy(), edges["v"].to_numpy())
            nodes = nodes[nodes.index.isin(used)]
        edges = edges.reset_index(drop=True)
        edges.attrs["excluded_roads"] = excluded
        return nodes, edges
    roads = vector_io.read_vector(path, name="roads", layer=rc.layer, crs=rc.crs, coords=rc.coords)
    bad = ~roads.geom_type.isin(["LineString", "MultiLineString"])
    if bad.any():
        msg = (f"`roads` must be lines; {int(bad.sum())} feature(s) are "
               f"{sorted(set(roads.geom_type[bad]))}. Give road centre lines.")
        raise SchemaError(msg)
    roads, excluded = walkable_roads(roads, rc, source=Path(path).name)
    if len(roads) == 0:
        msg = (f"`[roads] exclude_classes` left none of the {excluded['segments']} road(s) of "
               f"{Path(path).name!r}: every road is of an excluded class. Check "
               "`[roads] class_column`, or set `exclude_classes = []` to keep every road.")
        raise InputError(msg)
    metric = analysis_crs(roads, crs)
    roads = to_analysis_crs(roads, metric, "roads")
    nodes, edges = graph_from_lines(roads, tolerance=rc.snap_tolerance,
                                    level_column=rc.level_column)
    edges.attrs["excluded_roads"] = excluded
    return nodes, edges


def walkable_roads(
    roads: gpd.GeoDataFrame, section: RoadsConfig, *, source: str = "roads"
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """The roads of ``section``'s walking network: ``[roads] exclude_classes`` applied.

    Parameters
    ----------
    roads : GeoDataFrame
        Road lines or network edges, with a road-class column (OSM ``highway``
        or a Chinese road class such as ``等级``) and optionally the OSM ``foot``
        and ``access`` tags. Not modified.
    section : RoadsConfig
        ``[roads]``: ``class_column`` (default ``highway`` when present, else no
        class is checked) and ``exclude_classes`` (``()``: keep every road).
    source : str, default "roads"
        File name, for the log line.

    Returns
    -------
    roads : GeoDataFrame
        The walkable rows (same columns, index and CRS).
    excluded : dict
        ``class_column`` (the column used, or None), ``segments`` (rows in),
        ``excluded`` (rows dropped), ``class``, ``foot_no``, ``access`` (rows
        dropped for each reason, each row counted once: class first, then
        ``foot=no``, then private/no access) and ``by_class`` (dropped class
        value -> rows, most frequent first).

    Raises
    ------
    SchemaError
        ``[roads] class_column`` names a column the layer does not have (the
        message lists the columns found).

    Notes
    -----
    See :func:`cityind_gis.network.exclude_road_classes` for the rules.
    """
    rc = section
    column = rc.class_column
    found = [c for c in roads.columns if c != roads.geometry.name]
    if column is not None and column not in roads.columns:
        msg = (f"`[roads] class_column` = {column!r} is not a column of {source!r}; it has "
               f"{found}. Name the column holding the road class (OSM `highway`, or e.g. "
               "`等级`, `道路等级`), or remove the key (default: `highway` when present).")
        raise SchemaError(msg)
    if column is None and "highway" in roads.columns:
        column = "highway"
    out: dict[str, Any] = {"class_column": column, "segments": len(roads), "excluded": 0,
                           "class": 0, "foot_no": 0, "access": 0, "by_class": {}}
    if not rc.exclude_classes or len(roads) == 0:
        return roads, out
    tmp = None
    if column is None:  # no class column: only the foot/access tags can exclude a road
        if not {"foot", "access"} & set(roads.columns):
            return roads, out
        tmp = "__no_class__"
        roads = roads.assign(**{tmp: None})
    kept = exclude_road_classes(roads, column=column or tmp, classes=rc.exclude_classes)
    counts = kept.attrs.get("excluded", {})
    dropped = ~roads.index.isin(kept.index)
    if tmp is not None:
        kept = kept.drop(columns=tmp)
    kept.attrs.pop("excluded", None)
    out.update({k: int(counts.get(k, 0)) for k in ("class", "foot_no", "access")},
               excluded=int(dropped.sum()))
    if column is not None and out["class"]:
        out["by_class"] = _excluded_classes(roads.loc[dropped, column], rc.exclude_classes)
    if out["excluded"]:
        top = ", ".join(f"{k} {v}" for k, v in list(out["by_class"].items())[:6])
        log.info("excluded %d of %d road segment(s) of %s from walking: %d by class in `%s`%s, "
                 "%d foot=no, %d private/no access (`[roads] exclude_classes`)",
                 out["excluded"], len(roads), source, out["class"], column,
                 f" ({top})" if top else "", out["foot_no"], out["access"])
    return kept, out


def _excluded_classes(values: pd.Series, classes: tuple[str, ...]) -> dict[str, int]:
    """Rows per excluded class among the dropped roads' class values (lists: each listed class)."""
    keys = frozenset(str(c).strip().lower() for c in classes)
    parts = values.map(lambda v: list(map(str, v)) if isinstance(v, list | tuple | np.ndarray)
                       else [] if v is None or (isinstance(v, float) and np.isnan(v))
                       else str(v).split(";")).explode().dropna().astype(str).str.strip()
    parts = parts[parts.str.lower().isin(keys)]
    return {str(k): int(v) for k, v in parts.value_counts().items()}


def load_boundary(section: StudyConfig) -> gpd.GeoDataFrame | None:
    """The study boundary of ``[study] boundary`` as read (None without one).

    Parameters
    ----------
    section : StudyConfig
        ``[study]`` of the config.

    Returns
    -------
    GeoDataFrame or None
    """
    if section.boundary is None:
        return None
    return vector_io.read_vector(section.boundary, name="boundary",
                                 crs_key="[study] boundary_crs",
                                 layer=section.boundary_layer,
                                 crs=section.boundary_crs)
