"""Several POI sources in one layer: concatenated, labelled, cross-source duplicates dropped.

Planners collect facilities from several places: an Amap export, a bus and metro
stop layer, a school list from the education bureau. Each source is read and
classified on its own (its own path, class column, mapping and coordinate
system); :func:`merge_poi_sources` then stacks them into one POI layer with a
``source`` column and drops the rows that two sources both hold.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .._errors import CRSError, InputError, SchemaError
from .._validate import check_positive

__all__ = ["SOURCE_COLUMN", "merge_poi_sources"]

log = logging.getLogger(__name__)

#: Column of the merged layer naming the source each POI came from.
SOURCE_COLUMN = "source"

_REQUIRED = ("category", "status")
_OPTIONAL = ("name", "source_value")


def _label(names: Sequence[str], i: int) -> str:
    return f"`sources[{i}]` ({names[i]!r})"


def _check_sources(
    sources: Sequence[gpd.GeoDataFrame], names: Sequence[str]
) -> list[str]:
    if isinstance(sources, gpd.GeoDataFrame) or not isinstance(sources, Sequence):
        msg = (
            "`sources` must be a list of GeoDataFrames (one per POI source), got "
            f"{type(sources).__name__}; wrap a single layer in a list: `[pois]`."
        )
        raise InputError(msg)
    if len(sources) == 0:
        msg = "`sources` is empty; give at least one classified POI layer."
        raise InputError(msg)
    if isinstance(names, str) or len(names) != len(sources):
        found = repr(names) if isinstance(names, str) else f"{len(names)} name(s)"
        msg = (
            f"`names` must give one name per source ({len(sources)}), got {found}; e.g. "
            "`names=['amap', 'stops']`."
        )
        raise InputError(msg)
    clean = [str(n).strip() for n in names]
    bad = [n for n in names if not isinstance(n, str) or not n.strip()]
    dupes = sorted({n for n in clean if clean.count(n) > 1})
    if bad or dupes:
        msg = (
            "`names` must be distinct non-empty strings; "
            + (f"got empty or non-string {bad!r}" if bad else f"got {dupes} more than once")
            + ". Name each source after where it comes from, e.g. 'amap', 'osm', 'schools'."
        )
        raise InputError(msg)
    problems = []
    for i, gdf in enumerate(sources):
        if not isinstance(gdf, gpd.GeoDataFrame):
            problems.append(f"{_label(clean, i)} is a {type(gdf).__name__}, not a GeoDataFrame")
            continue
        missing = [c for c in (*_REQUIRED,) if c not in gdf.columns]
        if missing:
            problems.append(f"{_label(clean, i)} lacks column(s) {missing}")
        if SOURCE_COLUMN in gdf.columns:
            problems.append(f"{_label(clean, i)} already has a {SOURCE_COLUMN!r} column")
    if problems:
        msg = (
            "Cannot merge the POI sources: " + "; ".join(problems) + ". Each source must be a "
            "classified POI layer with columns category and status (optional: name, "
            f"source_value); rename an existing {SOURCE_COLUMN!r} column first."
        )
        raise SchemaError(msg)
    first = sources[0].crs
    for i, gdf in enumerate(sources):
        if gdf.crs is None:
            msg = (
                f"{_label(clean, i)} has no CRS; set the CRS it was made in "
                "(`set_crs(...)`, or `crs = ...` for that source in the config)."
            )
            raise CRSError(msg)
        if i and CRS.from_user_input(gdf.crs) != CRS.from_user_input(first):
            msg = (
                f"{_label(clean, i)} is in {gdf.crs.to_string()} but {_label(clean, 0)} is "
                f"in {first.to_string()}; POI sources must share one CRS. Reproject it "
                "first, e.g. `source.to_crs(sources[0].crs)`."
            )
            raise CRSError(msg)
    return clean


def _normalized_names(values: pd.Series) -> pd.Series:
    """Names compared case-, width- and space-insensitively; empty -> missing."""
    present = values.notna()
    text = values.astype(object).where(present, "").astype(str).str.normalize("NFKC")
    text = text.str.casefold().str.replace(r"\s+", "", regex=True)
    return text.where(present & text.ne(""), None)


def merge_poi_sources(
    sources: Sequence[gpd.GeoDataFrame],
    *,
    names: Sequence[str],
    dedupe_distance: float = 1.0,
) -> gpd.GeoDataFrame:
    """Stack several classified POI layers, record their source and drop cross-source duplicates.

    Parameters
    ----------
    sources : sequence of GeoDataFrame
        Classified POI layers, in priority order (a duplicate keeps the row of the
        earliest source). Each needs columns ``category`` (canonical category, or
        missing for excluded/unmapped rows) and ``status`` (``"analysed"``,
        ``"excluded"``, ``"unmapped"``); ``name`` and ``source_value`` are used
        when present; other columns (``industry``, ``osm_id``, ...) are kept, missing
        where a source lacks them. All sources must share one CRS.
    names : sequence of str
        One distinct name per source (``"amap"``, ``"stops"``, ...), written to
        the ``source`` column.
    dedupe_distance : float, default 1.0
        Tolerance in metres: two POIs of different sources are the same facility
        when they are at most this far apart (0 = identical coordinates), have the
        same category and, when both have a name, the same name. Measured in the
        sources' CRS when it is projected in metres; for a geographic CRS (lon/lat)
        the points are projected to their UTM zone for the comparison only.

    Returns
    -------
    GeoDataFrame
        The rows of every source, in source order, minus the duplicates, with a
        ``source`` column after ``category``; a fresh ``RangeIndex``; the sources'
        CRS. ``attrs["duplicates"]`` is a list with one dict per pair of sources
        that shared POIs: ``kept`` (source name), ``dropped`` (source name) and
        ``count`` (plain values, not a DataFrame: pandas compares the ``attrs`` of
        frames it concatenates, which a DataFrame there would break);
        ``pd.DataFrame(attrs["duplicates"])`` makes it a table.

    Raises
    ------
    InputError
        ``sources`` empty or not a list; ``names`` not one distinct string per
        source; ``dedupe_distance`` negative or not a number.
    SchemaError
        A source lacks ``category``/``status`` or already has a ``source`` column.
    CRSError
        A source has no CRS, or its CRS differs from the first source's (the
        message names the source).

    Warns
    -----
    UserWarning
        When duplicates are dropped, with the count per pair of sources.

    Notes
    -----
    Candidate pairs come from one spatial-index query over all POIs
    (``STRtree.query(..., predicate="dwithin", distance=d)``); a pair ``(i, j)``
    with ``source(i)`` earlier than ``source(j)`` is a duplicate when
    ``category(i) == category(j)`` (both present) and the normalised names
    (NFKC, case-folded, spaces removed) are equal or one is missing. Row ``j``
    is dropped if it duplicates any row of an earlier source, and counted once,
    against the earliest such source. Rows within one source are never compared:
    two shops in one building are two shops. Rows without a category (excluded,
    unmapped) are never dropped.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> amap = gpd.GeoDataFrame({"category": ["transit"], "status": ["analysed"],
    ...                          "name": ["人民广场站"]}, geometry=[Point(0, 0)], crs=32651)
    >>> stops = gpd.GeoDataFrame({"category": ["transit", "transit"],
    ...                           "status": ["analysed", "analysed"],
    ...                           "name": ["人民广场站", "南京东路站"]},
    ...                          geometry=[Point(0.4, 0), Point(800, 0)], crs=32651)
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     merged = merge_poi_sources([amap, stops], names=["amap", "stops"])
    >>> merged["source"].tolist()
    ['amap', 'stops']
    """
    clean = _check_sources(sources, names)
    tol = check_positive(dedupe_distance, "dedupe_distance", example=1.0, allow_zero=True)
    frames = []
    for gdf, name in zip(sources, clean, strict=True):
        part = gdf.rename_geometry("geometry") if gdf.geometry.name != "geometry" else gdf
        part = part.reset_index(drop=True)
        for col in _OPTIONAL:
            if col not in part.columns:
                part = part.assign(**{col: None})
        pos = list(part.columns).index("category") + 1
        part = part.copy()
        part.insert(pos, SOURCE_COLUMN, name)
        frames.append(part)
    merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                              crs=sources[0].crs)
    src = np.repeat(np.arange(len(frames)), [len(f) for f in frames])
    drop, counts = _duplicates(merged, src, tol, clean)
    out = merged.loc[~drop].reset_index(drop=True)
    out.attrs["duplicates"] = [{"kept": str(r.kept), "dropped": str(r.dropped),
                                "count": int(r.count)} for r in counts.itertuples()]
    if len(counts):
        pairs = ", ".join(f"{r.count} of {r.dropped!r} already in {r.kept!r}"
                          for r in counts.itertuples())
        warnings.warn(
            f"{int(drop.sum())} POI(s) held by two sources were dropped as duplicates "
            f"(same category, within {tol:g} m, same name when both have one): {pairs}. "
            "The earlier source's row is kept; order the sources by trust.",
            stacklevel=2,
        )
    log.info("merged %d POI source(s) %s into %d POIs (%d cross-source duplicates dropped)",
             len(frames), clean, len(out), int(drop.sum()))
    return out


def _duplicates(
    merged: gpd.GeoDataFrame, src: np.ndarray, tol: float, names: list[str]
) -> tuple[np.ndarray, pd.DataFrame]:
    """Boolean mask of rows to drop and the per-pair counts."""
    empty = pd.DataFrame({"kept": pd.Series(dtype=object), "dropped": pd.Series(dtype=object),
                          "count": pd.Series(dtype="int64")})
    drop = np.zeros(len(merged), dtype=bool)
    if len(names) < 2 or len(merged) == 0:
        return drop, empty
    geoms = merged.geometry
    if geoms.crs.is_geographic and tol > 0:
        geoms = geoms.to_crs(geoms.estimate_utm_crs())
    geom_arr = np.asarray(geoms.values, dtype=object)
    valid = ~(shapely.is_missing(geom_arr) | shapely.is_empty(geom_arr))
    idx = np.flatnonzero(valid)
    tree = shapely.STRtree(geom_arr[idx])
    qi, qj = tree.query(geom_arr[idx], predicate="dwithin", distance=tol)
    i, j = idx[qi], idx[qj]
    keep = src[i] < src[j]
    i, j = i[keep], j[keep]
    cat = merged["category"].astype(object).to_numpy()
    has_cat = pd.notna(cat)
    same_cat = has_cat[i] & has_cat[j]
    same_cat[same_cat] = cat[i[same_cat]] == cat[j[same_cat]]
    nm = _normalized_names(merged["name"]).to_numpy(dtype=object)
    named = pd.notna(nm)
    both = named[i] & named[j]
    same_name = ~both
    same_name[both] = nm[i[both]] == nm[j[both]]
    hit = same_cat & same_name
    i, j = i[hit], j[hit]
    if len(j) == 0:
        return drop, empty
    # each dropped row counted once, against the earliest source it duplicates
    pairs = pd.DataFrame({"kept_src": src[i], "row": j}).groupby("row")["kept_src"].min()
    drop[pairs.index.to_numpy()] = True
    counts = (
        pd.DataFrame({"kept": pairs.to_numpy(), "dropped": src[pairs.index.to_numpy()]})
        .value_counts(sort=False).rename("count").reset_index()
        .sort_values(["kept", "dropped"], kind="stable")
    )
    counts["kept"] = [names[k] for k in counts["kept"]]
    counts["dropped"] = [names[d] for d in counts["dropped"]]
    return drop, counts.reset_index(drop=True).astype({"count": "int64"})
