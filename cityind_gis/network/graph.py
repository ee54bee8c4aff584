"""Walking networks as sparse matrices: build them from edges or road lines, snap points.

A :class:`WalkGraph` is an undirected graph stored as a symmetric
:class:`scipy.sparse.csr_matrix` whose entry ``(i, j)`` is the length in metres
of the shortest edge between nodes ``i`` and ``j``. Node *positions*
(``0 .. n - 1``) are the graph's own indices; ``node_ids`` maps them back to the
identifiers of the input layer. Every coordinate is in the projected, metric CRS
``crs``.

Three builders and one helper are public:

- :func:`graph_from_edges` takes a node table and an edge table (e.g. the
  ``nodes, edges`` pair of ``pyrosm.OSM.get_network(nodes=True)`` once both are
  projected and ``nodes`` is indexed by ``id``);
- :func:`graph_from_lines` turns road centre lines into ``(nodes, edges)``
  layers that :func:`graph_from_edges` accepts, joining line ends to nearby
  vertices and segments;
- :func:`snap_points` finds the nearest graph node of each feature;
- :func:`to_networkx` exports a graph for cross-checks and plotting.
"""

from __future__ import annotations

import logging
import warnings
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from .._errors import GeometryError, InputError, SchemaError
from .._validate import (
    check_columns,
    check_geometries,
    check_projected,
    check_same_crs,
    check_unique_index,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ZERO_LENGTH_EPSILON",
    "COMPONENT_CHOICES",
    "WALK_EXCLUDED_CLASSES",
    "WalkGraph",
    "exclude_road_classes",
    "graph_from_edges",
    "graph_from_lines",
    "snap_points",
    "snap_to_edges",
    "to_networkx",
]

logger = logging.getLogger(__name__)

#: Length in metres stored for edges whose length is exactly 0. Sparse matrices
#: drop explicit zeros in most operations (``A + A.T``, ``eliminate_zeros``), which
#: would silently disconnect the two nodes; one micrometre per zero-length edge is
#: far below any planning precision but keeps the edge.
ZERO_LENGTH_EPSILON: float = 1e-6

#: Named choices of the ``component`` argument (an int ``N`` is also accepted: every
#: connected part of at least ``N`` nodes).
COMPONENT_CHOICES: tuple[str, ...] = ("largest", "any")


@dataclass(frozen=True, eq=False)
class WalkGraph:
    """An undirected walking network in a projected, metric CRS.

    Build it with :func:`graph_from_edges`; do not edit the arrays in place.

    Attributes
    ----------
    node_ids : numpy.ndarray
        Identifier of each node in the input node layer; position ``i`` of the
        array is graph node ``i``.
    xy : numpy.ndarray
        Float array of shape ``(n, 2)``: node coordinates in metres, in ``crs``.
    matrix : scipy.sparse.csr_matrix
        Symmetric ``n x n`` matrix; entry ``(i, j)`` is the length in metres of the
        shortest edge joining ``i`` and ``j`` (parallel edges already reduced to
        their minimum, self-loops dropped, zero lengths stored as
        :data:`ZERO_LENGTH_EPSILON`). Absent entries mean "no edge".
    crs : pyproj.CRS
        Projected CRS in metres shared by ``xy`` and every layer measured on the graph.
    """

    node_ids: np.ndarray
    xy: np.ndarray
    matrix: sparse.csr_matrix
    crs: pyproj.CRS

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of undirected edges (after parallel edges were merged)."""
        return int(self.matrix.nnz // 2)

    @cached_property
    def _components(self) -> tuple[int, np.ndarray]:
        n, labels = connected_components(self.matrix, directed=False)
        return int(n), labels.astype(np.int64)

    @property
    def n_components(self) -> int:
        """Number of connected components (isolated nodes count as components)."""
        return self._components[0]

    @property
    def component(self) -> np.ndarray:
        """Connected-component label (``0 .. n_components - 1``) of each node position."""
        return self._components[1]


# --------------------------------------------------------------------------- build


def graph_from_edges(
    nodes: gpd.GeoDataFrame,
    edges: pd.DataFrame,
    *,
    length_column: str = "length",
    u_column: str = "u",
    v_column: str = "v",
) -> WalkGraph:
    """Build an undirected :class:`WalkGraph` from a node layer and an edge table.

    Parameters
    ----------
    nodes : GeoDataFrame
        Point layer **indexed by node id** (the index must be unique), in a
        projected CRS in metres. For pyrosm output use ``nodes.set_index("id")``.
        Nodes no edge refers to are kept as isolated nodes.
    edges : DataFrame or GeoDataFrame
        One row per edge, with columns ``u_column`` and ``v_column`` holding node
        ids found in ``nodes.index``, and ``length_column`` in metres. If
        ``length_column`` is absent, ``edges`` must be a GeoDataFrame and the
        length of each geometry (in CRS units, metres) is used. A GeoDataFrame
        must be in the same CRS as ``nodes``. Direction is ignored: ``u -> v``
        and ``v -> u`` are the same walking edge.
    length_column : str, default "length"
        Edge length in metres (finite and >= 0).
    u_column, v_column : str, default "u", "v"
        Columns holding the end node ids of each edge.

    Returns
    -------
    WalkGraph
        Graph in ``nodes.crs``. Node position ``i`` is ``nodes.index[i]``.

    Raises
    ------
    CRSError
        If a layer has no CRS, a geographic CRS, non-metre units, or the two differ.
    SchemaError
        If a column is missing, ``nodes`` is not uniquely indexed, lengths are
        missing, negative or not finite, or edges refer to unknown node ids.
    GeometryError
        If ``nodes`` holds anything but valid points.

    Notes
    -----
    - **Parallel edges** (several rows joining the same pair, in either
      direction) keep the **minimum** length: a walker takes the shorter one.
      (Building a sparse matrix from duplicated coordinates would *sum* them.)
    - **Self-loops** (``u == v``) never shorten a path and are dropped.
    - **Zero-length edges** are stored as :data:`ZERO_LENGTH_EPSILON` (1e-6 m)
      so that they remain edges; a path crossing ``k`` of them is ``k``
      micrometres too long.

    The work is vectorised: ``O(E log E)`` for the sort that reduces parallel edges.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 100], [0, 0]),
    ...                          index=[10, 20], crs="EPSG:32650")
    >>> edges = pd.DataFrame({"u": [10, 20], "v": [20, 10], "length": [120.0, 100.0]})
    >>> g = graph_from_edges(nodes, edges)
    >>> float(g.matrix[0, 1]), g.n_edges
    (100.0, 1)
    """
    check_geometries(nodes, "nodes", geom_types=("Point",))
    check_projected(nodes, "nodes")
    check_unique_index(nodes, "nodes")
    is_geo = isinstance(edges, gpd.GeoDataFrame)
    if is_geo:
        check_projected(edges, "edges")
        check_same_crs({"nodes": nodes, "edges": edges})
    required = [u_column, v_column]
    if length_column not in edges.columns and not is_geo:
        required.append(length_column)
    check_columns(edges, required, "edges")

    node_index = pd.Index(nodes.index)
    xy = shapely.get_coordinates(nodes.geometry.values).astype(float)
    n = len(node_index)

    u = node_index.get_indexer(edges[u_column])
    v = node_index.get_indexer(edges[v_column])
    unknown = (u < 0) | (v < 0)
    if unknown.any():
        ids = pd.Index(edges.loc[unknown, [u_column, v_column]].to_numpy().ravel())
        first = list(ids[~ids.isin(node_index)].unique()[:5])
        msg = (
            f"`edges` has {int(unknown.sum())} row(s) whose `{u_column}`/`{v_column}` "
            f"refer to node ids missing from `nodes.index` (first unknown ids {first}). "
            "Index `nodes` by node id (e.g. `nodes.set_index('id')` for pyrosm output) "
            "and drop edges to nodes outside the study area."
        )
        raise SchemaError(msg)

    if length_column in edges.columns:
        length = pd.to_numeric(edges[length_column], errors="coerce").to_numpy(dtype=float)
        source = f"column `{length_column}`"
    else:
        length = edges.geometry.length.to_numpy(dtype=float)
        source = "geometry lengths (no length column)"
        logger.info("`edges` has no %r column; using geometry lengths in metres", length_column)
    bad_len = ~np.isfinite(length) | (length < 0)
    if bad_len.any():
        msg = (
            f"`edges` {source} holds {int(bad_len.sum())} missing, non-numeric, infinite or "
            "negative length(s); expected finite lengths >= 0 in metres. Fill them, e.g. "
            f"`edges['{length_column}'] = edges['{length_column}'].fillna(edges.length)`."
        )
        raise SchemaError(msg)

    matrix = _symmetric_min_matrix(u, v, length, n)
    logger.info(
        "Built walking graph: %d nodes, %d undirected edges from %d edge rows",
        n,
        matrix.nnz // 2,
        len(edges),
    )
    return WalkGraph(
        node_ids=node_index.to_numpy(),
        xy=xy,
        matrix=matrix,
        crs=pyproj.CRS.from_user_input(nodes.crs),
    )


def _symmetric_min_matrix(
    u: np.ndarray, v: np.ndarray, length: np.ndarray, n: int
) -> sparse.csr_matrix:
    """Symmetric csr matrix keeping the minimum length per unordered pair (vectorised)."""
    keep = u != v  # self-loops never shorten a path
    a = np.minimum(u, v)[keep].astype(np.int64)
    b = np.maximum(u, v)[keep].astype(np.int64)
    w = length[keep].astype(float)
    w = np.where(w == 0.0, ZERO_LENGTH_EPSILON, w)
    if a.size:
        order = np.lexsort((w, b, a))  # by pair, then length
        a, b, w = a[order], b[order], w[order]
        first = np.ones(a.size, dtype=bool)
        first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        starts = np.flatnonzero(first)
        w = np.minimum.reduceat(w, starts)  # == w[starts] after the sort; explicit for clarity
        a, b = a[starts], b[starts]
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    data = np.concatenate([w, w])
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(n, n))
    matrix.sort_indices()
    return matrix


#: Values of a ``bridge``/``tunnel`` column that mean "no" (compared lower-cased, stripped).
_FALSY = frozenset({"", "no", "n", "false", "f", "0", "0.0", "none", "nan", "否", "无", "非"})


def _road_levels(roads: gpd.GeoDataFrame, level_column: str | None) -> np.ndarray:
    """Vertical level of each road feature: 0 at grade, > 0 bridges, < 0 tunnels."""
    if level_column is not None:
        check_columns(roads, [level_column], "roads")
        level = pd.to_numeric(roads[level_column], errors="coerce")
        bad = level.isna() & roads[level_column].notna()
        if bad.any():
            found = sorted(map(str, roads.loc[bad, level_column].unique()))[:5]
            msg = (f"`level_column` {level_column!r} must hold numbers (OSM `layer`: 1 bridge, "
                   f"-1 tunnel); found {found}.")
            raise SchemaError(msg)
        return level.fillna(0).to_numpy(dtype=float)
    level = np.zeros(len(roads))
    cols = {str(c).lower(): c for c in roads.columns}
    if "layer" in cols:
        level = pd.to_numeric(roads[cols["layer"]], errors="coerce").fillna(0).to_numpy(dtype=float)
    for key, sign in (("bridge", 1.0), ("tunnel", -1.0)):
        if key in cols:
            flag = ~roads[cols[key]].astype(object).where(roads[cols[key]].notna(), "").astype(
                str).str.strip().str.lower().isin(_FALSY).to_numpy()
            level = np.where(flag & (level == 0), sign, level)
    return level


def _row_ids(a: np.ndarray) -> np.ndarray:
    """Id of each row of ``a`` among its distinct rows (faster than ``np.unique(axis=0)``)."""
    order = np.lexsort(a.T[::-1])
    srt = a[order]
    new = np.ones(len(a), dtype=bool)
    new[1:] = (srt[1:] != srt[:-1]).any(axis=1)
    ids = np.empty(len(a), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids


def _line_ends(part: np.ndarray) -> np.ndarray:
    """Mask of the first and last vertex of each line part (``part`` sorted, >= 2 vertices each)."""
    n = len(part)
    is_end = np.ones(n, dtype=bool)
    is_end[1:-1] = (part[1:-1] != part[:-2]) | (part[1:-1] != part[2:])
    return is_end


def _in_sorted(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``np.isin(values, keys)`` for sorted ``keys`` (binary search; no hashing or unique)."""
    if keys.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(keys, values), keys.size - 1)
    return keys[at] == values


#: Consecutive segments of a line grouped under one bounding box when searching the
#: segments near line ends (:func:`_segment_snaps`).
_CHUNK = 8


@dataclass(frozen=True)
class _SegmentSnaps:
    """Line ends moved onto another line's segment (rule 4 of :func:`graph_from_lines`).

    ``end``: vertex index of each moved end; ``xy``: where it moves (the join point);
    ``seg``: index of the first vertex of the receiving segment, ``-1`` when the join
    point is that segment's vertex (nothing to insert); ``trimmed``: an overshoot
    cut back at the crossing (else an undershoot, extended to the nearest point).
    """

    end: np.ndarray
    xy: np.ndarray
    seg: np.ndarray
    trimmed: np.ndarray


def _segment_snaps(
    parts: np.ndarray,
    coords: np.ndarray,
    part: np.ndarray,
    part_level: np.ndarray,
    near_i: np.ndarray,
    near_j: np.ndarray,
    tolerance: float,
) -> _SegmentSnaps:
    """Find the line ends that join another line mid-segment (vectorised, one round).

    A line end ``e`` may join line part ``P`` mid-segment when ``P`` is another
    part, passes within ``tolerance`` of ``e``, has no vertex within ``tolerance``
    of ``e`` (``near_i``/``near_j``: the end-vertex pairs of rule 3; such a vertex
    joins them already) and the levels allow it (same level, or ``P`` at grade).
    Of several such lines the nearest wins. The join point is where the end's last
    segment crosses ``P``, if that crossing lies within ``tolerance`` of the end
    (an overshoot, cut back there), else the point of ``P`` nearest to the end.

    Search in two :class:`shapely.STRtree` passes, each queried with the ends'
    tolerance boxes: (1) the lines' bounding boxes; pairs failing the tests above
    are dropped, which in a network without such junctions leaves nothing to do;
    (2) for the remaining lines only, the bounding boxes of runs of up to
    :data:`_CHUNK` consecutive segments (no geometry per segment). Distances and
    crossings are then computed with numpy on the segments of the matching runs.
    """
    n_parts = len(parts)
    is_first = np.ones(len(part), dtype=bool)
    is_first[1:] = part[1:] != part[:-1]
    is_last = np.ones(len(part), dtype=bool)
    is_last[:-1] = is_first[1:]
    ends = np.flatnonzero(is_first | is_last)
    exy = coords[ends]
    # tolerance boxes as diagonals: the same envelopes as polygons, cheaper to build and query
    boxes = shapely.linestrings(np.stack([exy - tolerance, exy + tolerance], axis=1))
    empty = _SegmentSnaps(np.empty(0, np.int64), np.empty((0, 2)), np.empty(0, np.int64),
                          np.empty(0, bool))
    # pass 1: lines whose bounding box reaches an end's tolerance box
    qi, pj = shapely.STRtree(parts).query(boxes)
    pj = pj.astype(np.int64)
    e = ends[qi]
    lev_e, lev_p = part_level[part[e]], part_level[pj]
    keep = (pj != part[e]) & ((lev_e == lev_p) | (lev_p == 0))
    if keep.any():  # vertex wins: a line with a vertex within tolerance is joined by rule 3
        joined = np.sort(near_i * n_parts + part[near_j])
        keep[keep] = ~_in_sorted(e[keep] * n_parts + pj[keep], joined)
    if not keep.any():
        return empty
    qi, e, pj = qi[keep], e[keep], pj[keep]
    allowed = np.sort(e * n_parts + pj)

    # pass 2: runs ("chunks") of up to _CHUNK segments (a, a + 1) of the remaining lines
    candidate = np.zeros(n_parts, dtype=bool)
    candidate[pj] = True
    seg_a = np.flatnonzero(~is_last & candidate[part])
    ordinal = seg_a - np.flatnonzero(is_first)[part[seg_a]]
    chunk = np.flatnonzero(ordinal % _CHUNK == 0)  # first segment of each chunk
    chunk_len = np.diff(np.append(chunk, len(seg_a)))
    lo = np.minimum.reduceat(np.minimum(coords[seg_a], coords[seg_a + 1]), chunk, axis=0)
    hi = np.maximum.reduceat(np.maximum(coords[seg_a], coords[seg_a + 1]), chunk, axis=0)
    tree = shapely.STRtree(shapely.linestrings(np.stack([lo, hi], axis=1)))
    q_ends = np.flatnonzero(np.bincount(qi, minlength=len(ends)))
    k, cj = tree.query(boxes[q_ends])
    e = ends[q_ends[k]]
    ok = _in_sorted(e * n_parts + part[seg_a[chunk[cj]]], allowed)
    e, cj = e[ok], cj[ok]
    # every segment of the matching chunks
    rep = chunk_len[cj]
    ramp = np.arange(rep.sum()) - np.repeat(np.cumsum(rep) - rep, rep)
    a = seg_a[np.repeat(chunk[cj], rep) + ramp]
    e = np.repeat(e, rep)
    # distance from the end to the segment, nearest point at fraction t from vertex a
    p, va, d = coords[e], coords[a], coords[a + 1] - coords[a]
    d2 = (d * d).sum(axis=1)
    t = np.clip(np.divide(((p - va) * d).sum(axis=1), d2, out=np.zeros(len(e)), where=d2 > 0),
                0.0, 1.0)
    foot = va + t[:, None] * d
    dist = np.hypot(*(p - foot).T)
    ok = dist <= tolerance
    if not ok.any():
        return empty
    e, a, d, va, foot, dist = e[ok], a[ok], d[ok], va[ok], foot[ok], dist[ok]
    # the nearest line of each end (ties: lowest segment), and its segments near the end
    order = np.lexsort((a, dist, e))
    first = np.ones(len(order), dtype=bool)
    first[1:] = e[order][1:] != e[order][:-1]
    best = order[first]  # one per end, sorted by end
    snap_end = e[best]
    on_best = part[a] == part[a[best]][np.searchsorted(snap_end, e)]

    # overshoot: the end's last segment (from its neighbour nb to e) crosses the line
    nb = np.where(is_first[e], e + 1, e - 1)
    r = coords[e] - coords[nb]
    w = va - coords[nb]
    den = r[:, 0] * d[:, 1] - r[:, 1] * d[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = (w[:, 0] * d[:, 1] - w[:, 1] * d[:, 0]) / den  # along the end's segment
        mu = (w[:, 0] * r[:, 1] - w[:, 1] * r[:, 0]) / den  # along the line's segment
    stub = (1.0 - lam) * np.hypot(*r.T)
    cross = (on_best & (den != 0) & (lam >= 0) & (lam <= 1) & (mu >= 0) & (mu <= 1)
             & (stub > 0) & (stub <= tolerance))
    xy = foot[best].copy()
    seg = a[best].copy()
    trimmed = np.zeros(len(best), dtype=bool)
    if cross.any():
        c = np.flatnonzero(cross)
        c = c[np.lexsort((stub[c], e[c]))]
        keep_c = np.ones(len(c), dtype=bool)
        keep_c[1:] = e[c][1:] != e[c][:-1]
        c = c[keep_c]  # the crossing nearest to each end
        at = np.searchsorted(snap_end, e[c])
        xy[at] = va[c] + mu[c][:, None] * d[c]
        seg[at] = a[c]
        trimmed[at] = True
    # a join point within 1 mm of the segment's vertex takes that vertex: nothing to insert
    for off in (0, 1):
        at_vertex = (seg >= 0) & (np.hypot(*(xy - coords[np.maximum(seg, 0) + off]).T) <= 1e-3)
        xy[at_vertex] = coords[seg[at_vertex] + off]
        seg[at_vertex] = -1
    return _SegmentSnaps(snap_end, xy, seg, trimmed)


def _insert_vertices(
    coords: np.ndarray, part: np.ndarray, seg: np.ndarray, xy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Insert vertices ``xy`` into the segments starting at vertex ``seg`` (vectorised).

    Points falling on the same millimetre of the same segment are inserted once.
    Returns ``(coords, part, where, old_to_new)``: the new arrays, the new index of the
    vertex inserted for each input row, and the new index of every old vertex.
    """
    key = np.column_stack([seg, np.round(xy / 1e-3).astype(np.int64)])
    ids = _row_ids(key)
    _, first = np.unique(ids, return_index=True)
    s, p = seg[first], xy[first]
    order = np.lexsort((np.hypot(*(p - coords[s]).T), s))  # along each segment
    s, p, first = s[order], p[order], first[order]
    at = s + 1
    new_coords = np.insert(coords, at, p, axis=0)
    new_part = np.insert(part, at, part[s])
    old_to_new = np.arange(len(coords)) + np.searchsorted(at, np.arange(len(coords)), side="right")
    # inserted rows land at at[k] + k (numpy shifts later insertions by the earlier ones)
    pos_of_id = np.empty(len(first), dtype=np.int64)
    pos_of_id[ids[first]] = at + np.arange(len(at))
    return new_coords, new_part, pos_of_id[ids], old_to_new


def graph_from_lines(
    roads: gpd.GeoDataFrame,
    *,
    tolerance: float = 0.5,
    level_column: str | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split road centre lines into a node layer and an edge layer.

    Every (Multi)LineString is exploded into its parts, and each part is cut at
    every vertex it shares with another part, so lines that cross at a common
    vertex are joined there. A line **end** is also joined to any vertex (end or
    interior) of any line within ``tolerance`` metres, which closes the small
    gaps and overshoots of digitised centre lines, and to the nearest point of a
    line's **segment** within ``tolerance`` when that line has no vertex there (a
    T-junction digitised without a vertex on the through road): the through line
    gets a vertex at that point and the end moves onto it. Bridges and tunnels
    are joined to the roads they cross only at their ends.

    Parameters
    ----------
    roads : GeoDataFrame
        LineString / MultiLineString road centre lines in a projected CRS in
        metres, uniquely indexed.
    tolerance : float, default 0.5
        Snapping distance in metres (> 0) between a line end and another line's
        vertex or segment.
    level_column : str, optional
        Numeric column with the vertical level of each road (as OSM ``layer``:
        0 at grade, 1 bridge, -1 tunnel). By default a ``layer`` column is used
        when present, and a ``bridge`` (``tunnel``) column whose value is not
        empty/``no``/``0``/``否`` sets level +1 (-1) where ``layer`` is 0 or missing.

    Returns
    -------
    nodes : GeoDataFrame
        Points indexed ``0 .. n - 1`` (index name ``"node"``), in ``roads.crs``.
        Each node sits at the first input vertex that was joined to it.
    edges : GeoDataFrame
        Columns ``u``, ``v`` (node ids), ``length`` (metres, measured along the
        vertices, after line ends were moved by rule 4), ``road`` (index label of
        the source feature) and ``geometry`` (the piece of road between the two
        nodes), in ``roads.crs``. ``edges.attrs["snapping"]`` counts, as ints:
        ``line_ends`` (ends of the exploded parts), ``ends_to_vertex`` (ends joined
        to another line's vertex across a gap, rule 3), ``ends_to_segment`` (ends
        moved onto another line's segment, rule 4), ``ends_trimmed`` (of those,
        overshoots cut back at the crossing), ``vertices_inserted`` and
        ``dead_ends`` (nodes with one edge: cul-de-sacs, the network's outer ends
        and ends nothing was found for). The same counts are logged at INFO.
        Feed both to :func:`graph_from_edges`;
        :func:`cityind_gis.validate.network_fragments` lists the isolated fragments.

    Raises
    ------
    CRSError
        If ``roads`` has no CRS, a geographic CRS or non-metre units.
    GeometryError
        If geometries are missing, empty, invalid or not lines.
    InputError
        If ``tolerance`` is not a positive number.
    SchemaError
        If ``level_column`` is missing or not numeric.

    Notes
    -----
    Joining rules, applied as the connected components of a "same node" relation
    between vertices (so they chain):

    1. vertices at the same position (to 1 mm) and the same level are one node;
    2. at a position where some line **ends**, all vertices there are one node
       whatever their level (a bridge meets the road at its ramps);
    3. a line end and a vertex within ``tolerance`` are one node
       (:meth:`scipy.spatial.cKDTree.sparse_distance_matrix`) when the vertex's
       line is at the end's level or at grade, or the vertex is itself a line end
       (the level rule of rule 4); the end keeps its position, so the gap adds no
       length;
    4. a line end within ``tolerance`` of a segment of **another** line part that
       has **no vertex** within ``tolerance`` of the end (otherwise rule 3 joins
       them: a vertex wins) moves onto that line, which gets a new vertex there
       (one per millimetre, shared by several ends). The end moves to the point
       where its last segment **crosses** the line if that crossing is within
       ``tolerance`` of the end (an overshoot, cut back; the stub is dropped),
       else to the line's nearest point (an undershoot, extended; the gap counts
       in the edge length). Of several such lines the nearest one is taken. Levels:
       the line must be at the end's level, or at grade (level 0), where bridge
       and tunnel ends come down, as in rule 2; a bridge or tunnel span is never
       split by the end of a line at another level. A line never snaps to itself.

    So an interior vertex of a bridge (level 1) placed exactly on a road's
    vertex (level 0) is *not* joined, while two at-grade roads crossing at a
    shared vertex are. Lines that cross **without** a common vertex, neither
    ending near the other, are never joined (an undigitised crossing): node the
    layer first (``shapely.node``). Consecutive vertices of one line that fall on
    the same node are merged into one edge whose length is still measured along
    all of them. A road end within ``tolerance`` of a bridge's interior vertex or
    segment is not joined to it (rules 3 and 4 share the level rule).

    Vectorised; ``O(V log V)`` in the number of vertices. Rule 4 queries an
    :class:`shapely.STRtree` of line bounding boxes with each end's tolerance box,
    drops the pairs failing the tests above, and searches the segments of the
    remaining lines only (bounding boxes of runs of up to 8 consecutive segments,
    then numpy distances and crossings), so a network whose junctions all have
    vertices costs one tree query more.
    """
    if not (isinstance(tolerance, (int, float)) and np.isfinite(tolerance) and tolerance > 0):
        msg = f"`tolerance` must be a positive number of metres, got {tolerance!r}; e.g. 0.5."
        raise InputError(msg)
    check_geometries(roads, "roads", geom_types=("LineString", "MultiLineString"))
    check_projected(roads, "roads")
    check_unique_index(roads, "roads")
    feature_level = _road_levels(roads, level_column)

    parts, feature = shapely.get_parts(roads.geometry.values, return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    if coords.shape[0] == 0:
        msg = "`roads` has no coordinates; expected lines with at least two vertices."
        raise GeometryError(msg)
    part_level = feature_level[feature]
    ends = np.flatnonzero(_line_ends(part))
    n_line_ends = len(ends)
    # rule 3 pairs (a line end and any vertex within tolerance), on the input positions
    near = cKDTree(coords[ends]).sparse_distance_matrix(cKDTree(coords), tolerance,
                                                         output_type="ndarray")
    near_i = ends[near["i"]]
    near_j = near["j"].astype(np.int64)
    # levels, as in rule 4: the vertex's line at the end's level or at grade, or a line end
    # itself (ends meet every level, rule 2): a road end never joins a bridge mid-span
    lev_i, lev_j = part_level[part[near_i]], part_level[part[near_j]]
    ok = (lev_i == lev_j) | (lev_j == 0) | _line_ends(part)[near_j]
    near_i, near_j, near_v = near_i[ok], near_j[ok], near["v"][ok]
    gap = (part[near_j] != part[near_i]) & (near_v > 0)
    snapped_to_vertex = np.zeros(len(coords), dtype=bool)
    snapped_to_vertex[near_i[gap]] = True
    n_to_vertex = int(snapped_to_vertex.sum())
    # rule 4: ends onto other lines' segments; the receiving lines get a vertex there
    snaps = _segment_snaps(parts, coords, part, part_level, near_i, near_j, tolerance)
    n_inserted = 0
    if snaps.end.size:
        moved, xy = snaps.end, snaps.xy.copy()
        ins = snaps.seg >= 0
        if ins.any():
            coords, part, where, old_to_new = _insert_vertices(coords, part, snaps.seg[ins],
                                                               xy[ins])
            xy[ins] = coords[where]  # exactly the inserted vertex (merged to 1 mm)
            n_inserted = len(coords) - len(old_to_new)
            moved, near_i, near_j = old_to_new[moved], old_to_new[near_i], old_to_new[near_j]
        coords[moved] = xy
    n = len(coords)
    level = part_level[part]
    is_end = _line_ends(part)

    # rule 1: same position (1 mm) and level
    loc = _row_ids(np.round(coords / 1e-3).astype(np.int64))
    grp = _row_ids(np.column_stack([loc, level]))
    n_grp = int(grp.max()) + 1
    # rule 2: positions where a line ends join every level there
    end_loc = np.unique(loc[is_end])
    rows = [np.arange(n)]
    cols = [n + grp]
    at_end = np.isin(loc, end_loc)
    rows.append(np.flatnonzero(at_end))
    cols.append(n + n_grp + loc[at_end])
    # rule 3: a line end and any vertex within tolerance (pairs found above)
    rows.append(near_i)
    cols.append(near_j)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    size = n + n_grp + int(loc.max()) + 1
    link = sparse.coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(size, size))
    _, label = connected_components(link, directed=False)
    _, first_idx, node_of = np.unique(label[:n], return_index=True, return_inverse=True)
    node_of = node_of.ravel()
    node_xy = coords[first_idx]

    # cumulative length along each part
    same_part = part[1:] == part[:-1]
    seg_len = np.hypot(*(coords[1:] - coords[:-1]).T) * same_part
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])

    # run starts: first vertex of a part, or a vertex whose node differs from the previous one
    start = np.ones(n, dtype=bool)
    start[1:] = ~same_part | (node_of[1:] != node_of[:-1])
    s = np.flatnonzero(start)
    # an edge joins consecutive run starts of the same part
    pair = part[s[1:]] == part[s[:-1]]
    s0, s1 = s[:-1][pair], s[1:][pair]

    u = node_of[s0]
    v = node_of[s1]
    length = cum[s1] - cum[s0]
    n_vert = s1 - s0 + 1  # vertices s0..s1 inclusive
    offsets = np.concatenate([[0], np.cumsum(n_vert)[:-1]])
    take = np.repeat(s0, n_vert) + (np.arange(n_vert.sum()) - np.repeat(offsets, n_vert))
    geoms = shapely.linestrings(coords[take], indices=np.repeat(np.arange(len(s0)), n_vert))

    crs = roads.crs
    nodes = gpd.GeoDataFrame(
        geometry=shapely.points(node_xy),
        index=pd.RangeIndex(len(node_xy), name="node"),
        crs=crs,
    )
    edges = gpd.GeoDataFrame(
        {
            "u": u.astype(np.int64),
            "v": v.astype(np.int64),
            "length": length,
            "road": roads.index.to_numpy()[feature[part[s0]]],
        },
        geometry=geoms,
        crs=crs,
    )
    degree = np.bincount(np.concatenate([u, v]), minlength=len(node_xy))
    edges.attrs["snapping"] = {
        "line_ends": n_line_ends,
        "ends_to_vertex": n_to_vertex,
        "ends_to_segment": int(snaps.end.size),
        "ends_trimmed": int(snaps.trimmed.sum()),
        "vertices_inserted": n_inserted,
        "dead_ends": int((degree == 1).sum()),
    }
    logger.info(
        "Split %d road features into %d nodes and %d edges (tolerance %.3g m, %d features "
        "above or below grade); of %d line ends, %d snapped to a vertex and %d onto a "
        "segment (%d overshoots cut back, %d vertices inserted); %d dead ends remain",
        len(roads),
        len(nodes),
        len(edges),
        tolerance,
        int((feature_level != 0).sum()),
        n_line_ends,
        n_to_vertex,
        snaps.end.size,
        int(snaps.trimmed.sum()),
        n_inserted,
        int((degree == 1).sum()),
    )
    return nodes, edges


# --------------------------------------------------------------------------- road classes

#: Road classes nobody walks along, left out of the walking network by
#: :func:`exclude_road_classes` (compared after stripping and lower-casing).
#: OSM ``highway`` tags: motorways and trunk roads with their links (in China OSM
#: maps urban expressways, 城市快速路, as ``trunk``). Chinese road classes: highway
#: class 高速公路 (JTG B01-2014) and urban road class 快速路 (CJJ 37-2012,
#: GB/T 51328-2018), with their common spellings; English ``expressway`` and
#: ``freeway`` for layers labelled in English.
WALK_EXCLUDED_CLASSES: tuple[str, ...] = (
    "motorway", "motorway_link", "trunk", "trunk_link", "expressway", "freeway",
    "高速公路", "高速", "快速路", "城市快速路", "快速公路",
)

#: OSM ``foot`` values that forbid walking, ``access`` values that close a way to the
#: public, and ``foot`` values that re-open it (``foot=yes`` beats ``access=private``).
_FOOT_NO = frozenset({"no", "use_sidepath"})
_ACCESS_NO = frozenset({"no", "private"})
_FOOT_YES = frozenset({"yes", "designated", "permissive", "official"})


def _tag_values(values: pd.Series) -> pd.Series:
    """Lower-cased, stripped text of a tag column; list values (osmnx) joined by ``;``."""
    return values.map(
        lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple, set, np.ndarray))
        else ("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    ).str.strip().str.lower()


def _any_in(text: pd.Series, keys: frozenset[str]) -> np.ndarray:
    """True where any ``;``-separated value of ``text`` is in ``keys``."""
    parts = text.str.split(";").explode().str.strip()
    return parts.isin(keys).groupby(level=0, sort=False).any().reindex(
        text.index, fill_value=False).to_numpy(dtype=bool)


def exclude_road_classes(
    roads: gpd.GeoDataFrame,
    *,
    column: str = "highway",
    classes: Sequence[str] = WALK_EXCLUDED_CLASSES,
    foot_column: str | None = "foot",
    access_column: str | None = "access",
) -> gpd.GeoDataFrame:
    """Drop the roads nobody walks along (motorways, expressways, private ways).

    Parameters
    ----------
    roads : GeoDataFrame
        Road centre lines (or a pyrosm/osmnx edge table) with a road-class column.
        Not modified.
    column : str, default "highway"
        Road-class column: OSM ``highway`` tags or a Chinese road-class name
        (e.g. ``等级`` holding 高速公路, 快速路, 主干路, ...).
    classes : sequence of str, default :data:`WALK_EXCLUDED_CLASSES`
        Classes to drop, compared after stripping and lower-casing. A value that
        lists several classes (osmnx merges ``['motorway', 'trunk']``; a text
        ``motorway;trunk``) is dropped when any of them is listed.
    foot_column : str or None, default "foot"
        OSM ``foot`` tag; ``foot=no`` drops the road. Ignored when the column is
        absent; None ignores it always.
    access_column : str or None, default "access"
        OSM ``access`` tag; ``access=private`` or ``no`` drops the road unless
        ``foot`` allows walking (``yes``, ``designated``, ``permissive``).
        Ignored when absent; None ignores it always.

    Returns
    -------
    GeoDataFrame
        The walkable rows of ``roads`` (same columns, index and CRS). The number
        dropped per reason is logged and stored in ``attrs["excluded"]``.

    Raises
    ------
    SchemaError
        If ``column`` is missing.
    InputError
        If ``classes`` is a bare string.

    Notes
    -----
    Use it before :func:`graph_from_lines` (or on the edge table before
    :func:`graph_from_edges`): a walker would otherwise cut across a motorway
    junction. Roads with no class (empty cell) are kept.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> roads = gpd.GeoDataFrame({"highway": ["residential", "motorway", "高速公路"]},
    ...     geometry=[shapely.LineString([(0, 0), (1, 0)])] * 3, crs="EPSG:32650")
    >>> exclude_road_classes(roads)["highway"].tolist()
    ['residential']
    """
    if isinstance(classes, str):
        msg = (f"`classes` must be a sequence of road classes, got the string {classes!r}; "
               f"wrap it in a list: `classes=[{classes!r}]`.")
        raise InputError(msg)
    check_columns(roads, [column], "roads")
    keys = frozenset(str(c).strip().lower() for c in classes)
    by_class = _any_in(_tag_values(roads[column]), keys)
    foot_no = np.zeros(len(roads), dtype=bool)
    foot_yes = np.zeros(len(roads), dtype=bool)
    if foot_column is not None and foot_column in roads.columns:
        foot = _tag_values(roads[foot_column])
        foot_no = _any_in(foot, _FOOT_NO)
        foot_yes = _any_in(foot, _FOOT_YES)
    closed = np.zeros(len(roads), dtype=bool)
    if access_column is not None and access_column in roads.columns:
        closed = _any_in(_tag_values(roads[access_column]), _ACCESS_NO) & ~foot_yes
    drop = by_class | foot_no | closed
    counts = {"class": int(by_class.sum()), "foot_no": int((foot_no & ~by_class).sum()),
              "access": int((closed & ~by_class & ~foot_no).sum())}
    logger.info("Excluded %d of %d roads from walking (%d by class in `%s`, %d foot=no, "
                "%d private/no access)", int(drop.sum()), len(roads), counts["class"], column,
                counts["foot_no"], counts["access"])
    out = roads.loc[~drop].copy()
    out.attrs["excluded"] = counts
    return out


# --------------------------------------------------------------------------- snap


def _representative_xy(layer: gpd.GeoDataFrame) -> np.ndarray:
    """Coordinates of points, or of ``representative_point()`` for other geometries."""
    geoms = layer.geometry.values
    is_point = shapely.get_type_id(geoms) == 0
    if not is_point.all():
        geoms = geoms.copy()
        geoms[~is_point] = shapely.point_on_surface(geoms[~is_point])
    return shapely.get_coordinates(geoms).astype(float)


def _allowed_components(graph: WalkGraph, component: str | int) -> np.ndarray | None:
    """Mask over component labels a feature may join, or None when every component may.

    ``"largest"``: the component with the most nodes (the first of equals);
    ``"any"``: every component; an int ``N >= 1``: every component of at least
    ``N`` nodes.
    """
    if isinstance(component, str):
        if component == "any":
            return None
        if component == "largest":
            if graph.n_components <= 1:
                return None
            sizes = np.bincount(graph.component, minlength=graph.n_components)
            mask = np.zeros(sizes.size, dtype=bool)
            mask[int(np.argmax(sizes))] = True
            return mask
    elif isinstance(component, (int, np.integer)) and not isinstance(component, bool) \
            and component >= 1:
        sizes = np.bincount(graph.component, minlength=graph.n_components)
        mask = sizes >= int(component)
        if not mask.any():
            msg = (f"`component`={component} asks for a network part of at least {component} "
                   f"nodes, but the largest has {int(sizes.max()) if sizes.size else 0}; "
                   "give a smaller size or `component='largest'`.")
            raise InputError(msg)
        return None if mask.all() else mask
    msg = (f"`component` must be one of {list(COMPONENT_CHOICES)} or a whole number of nodes "
           f">= 1, got {component!r}; use 'largest' to join the main network, 'any' for the "
           "nearest part whatever its size, or e.g. 50 for any part of at least 50 nodes.")
    raise InputError(msg)


def _snap(
    graph: WalkGraph,
    layer: gpd.GeoDataFrame,
    max_distance: float | None,
    component: str | int = "any",
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Nearest node position and distance of each feature; -1 beyond ``max_distance``.

    The last element flags features whose nearest node lies on a component
    ``component`` excludes; they take the nearest node of an allowed one.
    """
    if graph.n_nodes == 0:
        msg = "`graph` has no nodes; build it from a non-empty network."
        raise InputError(msg)
    allowed = _allowed_components(graph, component)
    xy = _representative_xy(layer)
    if len(xy) == 0:
        return (np.empty(0, dtype=np.int64), np.empty(0, dtype=float), 0,
                np.empty(0, dtype=bool))
    dist, node = cKDTree(graph.xy).query(xy, k=1)
    node = node.astype(np.int64)
    dist = dist.astype(float)
    moved = np.zeros(len(xy), dtype=bool)
    if allowed is not None:
        moved = ~allowed[graph.component[node]]
        if moved.any():
            keep = np.flatnonzero(allowed[graph.component])
            d2, n2 = cKDTree(graph.xy[keep]).query(xy[moved], k=1)
            node[moved] = keep[n2]
            dist[moved] = d2
    n_far = 0
    if max_distance is not None:
        far = dist > max_distance
        n_far = int(far.sum())
        node[far] = -1
    return node, dist, n_far, moved


def _check_layer(
    layer: gpd.GeoDataFrame,
    name: str,
    graph: WalkGraph,
    *,
    allow_empty: bool,
    unique_index: bool = True,
) -> None:
    """Geometry, CRS (projected, equal to ``graph.crs``) and index checks of a layer."""
    check_geometries(layer, name, allow_empty_layer=allow_empty)
    check_projected(layer, name)
    if unique_index:
        check_unique_index(layer, name)
    if pyproj.CRS.from_user_input(layer.crs) != graph.crs:
        ref = gpd.GeoSeries([], crs=graph.crs)
        check_same_crs({"graph": ref, name: layer})


def _check_distance(value: float | None, name: str) -> None:
    """Raise :class:`InputError` unless ``value`` is None or a finite number >= 0."""
    if value is None:
        return
    if not (isinstance(value, (int, float, np.number)) and np.isfinite(value) and value >= 0):
        msg = f"`{name}` must be None or a finite number of metres >= 0, got {value!r}."
        raise InputError(msg)


def snap_points(
    graph: WalkGraph,
    points: gpd.GeoDataFrame,
    *,
    max_distance: float | None = None,
    component: str | int = "largest",
) -> pd.DataFrame:
    """Nearest graph node of each feature, by straight-line distance.

    Parameters
    ----------
    graph : WalkGraph
        Network to snap to.
    points : GeoDataFrame
        Features in ``graph.crs`` (projected, metres), uniquely indexed. Points are
        used as they are; any other geometry (polygons, lines) is represented by
        its ``representative_point()``, a point guaranteed to lie on it.
    max_distance : float, optional
        Largest snapping distance in metres. Features farther than this from every
        node get ``node = -1`` and a warning with their count; they are never
        joined silently. ``None`` (default) snaps everything.
    component : {"largest", "any"} or int, default "largest"
        Which connected parts of the network a feature may join: the largest
        (most nodes), any (the nearest node whatever its part), or every part of
        at least this many nodes. See ``docs/network.md`` (Disconnected fragments).

    Returns
    -------
    DataFrame
        Aligned to ``points.index`` with columns ``node`` (int64, graph node
        position, ``-1`` when beyond ``max_distance``; the original id is
        ``graph.node_ids[node]``), ``snap_dist`` (float, metres, the distance to
        the joined node, also reported for features beyond ``max_distance``) and
        ``rejoined`` (bool: the nearest node lay on a part ``component`` excludes,
        so the feature joined the nearest node of an allowed part instead).

    Raises
    ------
    CRSError
        If ``points`` is not in a projected metric CRS equal to ``graph.crs``.
    GeometryError
        If geometries are missing, empty or invalid.

    Warns
    -----
    UserWarning
        When features lie farther than ``max_distance`` from every node, and
        when features were nearest to an excluded fragment (with their count).

    Notes
    -----
    Snapping is to the nearest *node*, not to the nearest point on an edge, so on
    long edges the access leg can exceed the distance to the road (see
    ``docs/network.md``). A k-d tree makes it ``O(m log n)``.
    """
    _check_distance(max_distance, "max_distance")
    _check_layer(points, "points", graph, allow_empty=True)
    node, dist, n_far, moved = _snap(graph, points, max_distance, component)
    if n_far:
        warnings.warn(
            f"{n_far} of {len(points)} feature(s) of `points` lie farther than "
            f"max_distance={max_distance} m from every graph node; they get node -1.",
            stacklevel=2,
        )
    if moved.any():
        warnings.warn(_rejoin_message(int(moved.sum()), len(points), "points", component),
                      stacklevel=2)
    return pd.DataFrame({"node": node, "snap_dist": dist, "rejoined": moved},
                        index=points.index)


def _rejoin_message(n_moved: int, n: int, name: str, component: str | int) -> str:
    """Warning text for features moved off a network fragment (shared by the measures)."""
    part = ("the largest connected part of the network" if component == "largest"
            else f"a network part of at least {component} nodes")
    return (f"{n_moved} of {n} feature(s) of `{name}` lie nearest to a network fragment cut off "
            f"from the main network; they join {part} instead (component={component!r}; "
            "column `rejoined` of snap_report). Pass component='any' to keep the nearest "
            "fragment, or connect the fragment in the road layer.")


# --------------------------------------------------------------------------- export


def to_networkx(graph: WalkGraph) -> nx.Graph:
    """Export a :class:`WalkGraph` to an undirected :class:`networkx.Graph`.

    Parameters
    ----------
    graph : WalkGraph
        Graph to export.

    Returns
    -------
    networkx.Graph
        Nodes are the original node ids (``graph.node_ids``) with attributes ``x``
        and ``y`` (metres in ``graph.crs``); each edge has attribute ``length`` in
        metres (the minimum over parallel input edges; zero-length edges carry
        :data:`ZERO_LENGTH_EPSILON`). ``G.graph["crs"]`` holds the CRS.
    """
    import networkx as nx

    coo = sparse.triu(graph.matrix, k=1).tocoo()
    g = nx.Graph(crs=graph.crs)
    ids = graph.node_ids
    g.add_nodes_from(
        (nid, {"x": float(x), "y": float(y)})
        for nid, x, y in zip(ids.tolist(), graph.xy[:, 0], graph.xy[:, 1], strict=True)
    )
    g.add_edges_from(
        (a, b, {"length": float(w)})
        for a, b, w in zip(ids[coo.row].tolist(), ids[coo.col].tolist(), coo.data, strict=True)
    )
    return g


# --------------------------------------------------------------------------- edge snapping


#: Edge tables (segments and their STRtree) per graph, built once on first use.
_EDGE_CACHE: weakref.WeakKeyDictionary[WalkGraph, tuple[np.ndarray, np.ndarray, np.ndarray,
                                                         np.ndarray, shapely.STRtree]] = (
    weakref.WeakKeyDictionary()
)


def _edge_table(
    graph: WalkGraph,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, shapely.STRtree]:
    """Undirected edges ``(u, v, length, segments, tree)`` with ``u < v``, cached per graph."""
    cached = _EDGE_CACHE.get(graph)
    if cached is None:
        coo = sparse.triu(graph.matrix, k=1).tocoo()
        u = coo.row.astype(np.int64)
        v = coo.col.astype(np.int64)
        length = coo.data.astype(float)
        coords = np.stack([graph.xy[u], graph.xy[v]], axis=1)  # (E, 2, 2)
        segments = shapely.linestrings(coords)
        cached = (u, v, length, segments, shapely.STRtree(segments))
        _EDGE_CACHE[graph] = cached
    return cached


#: Edge subsets (positions, STRtree) per graph and allowed-component mask, built on first use.
_SUB_CACHE: weakref.WeakKeyDictionary[
    WalkGraph, dict[bytes, tuple[np.ndarray, shapely.STRtree]]
] = weakref.WeakKeyDictionary()


def _edge_subset(graph: WalkGraph, allowed: np.ndarray) -> tuple[np.ndarray, shapely.STRtree]:
    """Positions and STRtree of the edges on allowed components (cached per graph and mask)."""
    per_graph = _SUB_CACHE.setdefault(graph, {})
    key = allowed.tobytes()
    if key not in per_graph:
        u_all, _, _, segments, _ = _edge_table(graph)
        idx = np.flatnonzero(allowed[graph.component[u_all]])
        per_graph[key] = (idx, shapely.STRtree(segments[idx]))
    return per_graph[key]


def _snap_edges(
    graph: WalkGraph,
    layer: gpd.GeoDataFrame,
    max_distance: float | None,
    component: str | int = "any",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int,
           np.ndarray]:
    """Nearest edge of each feature.

    Returns ``(edge, u, v, pos_u, pos_v, snap_dist, n_far, moved)``: the edge position
    in :func:`_edge_table` (-1 beyond ``max_distance``), its end nodes, the walking
    distances in metres from the snapped point to ``u`` and to ``v`` along the edge,
    the straight access leg, and whether the nearest edge lay on a component that
    ``component`` excludes (then the nearest edge of an allowed one is used).
    """
    u_all, v_all, length, segments, tree = _edge_table(graph)
    if len(segments) == 0:
        msg = "`graph` has no edges; edge snapping needs a network with at least one edge."
        raise InputError(msg)
    allowed = _allowed_components(graph, component)
    xy = _representative_xy(layer)
    m = len(xy)
    if m == 0:
        empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0, dtype=float)
        return empty_i, empty_i, empty_i, empty_f, empty_f, empty_f, 0, np.empty(0, dtype=bool)
    points = shapely.points(xy)
    (src, edge), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    order = np.argsort(src, kind="stable")
    edge = edge[order].astype(np.int64)
    dist = dist[order].astype(float)
    moved = np.zeros(m, dtype=bool)
    if allowed is not None:
        moved = ~allowed[graph.component[u_all[edge]]]
        if moved.any():
            idx, sub = _edge_subset(graph, allowed)
            (src2, e2), d2 = sub.query_nearest(points[moved], return_distance=True,
                                               all_matches=False)
            order2 = np.argsort(src2, kind="stable")
            edge[moved] = idx[e2[order2]]
            dist[moved] = d2[order2]
    t = shapely.line_locate_point(segments[edge], points, normalized=True)
    t = np.where(np.isfinite(t), t, 0.0)  # zero-length segment
    pos_u = t * length[edge]
    pos_v = (1.0 - t) * length[edge]
    u, v = u_all[edge], v_all[edge]
    n_far = 0
    if max_distance is not None:
        far = dist > max_distance
        n_far = int(far.sum())
        edge[far] = -1
        u[far] = -1
        v[far] = -1
    return edge, u, v, pos_u, pos_v, dist, n_far, moved


def snap_to_edges(
    graph: WalkGraph,
    points: gpd.GeoDataFrame,
    *,
    max_distance: float | None = None,
    component: str | int = "largest",
) -> pd.DataFrame:
    """Nearest graph edge of each feature, and where along it the feature joins the network.

    Parameters
    ----------
    graph : WalkGraph
        Network to snap to; it must have at least one edge.
    points : GeoDataFrame
        Features in ``graph.crs`` (projected, metres), uniquely indexed. Points are
        used as they are; other geometries through ``representative_point()``.
    max_distance : float, optional
        Snap tolerance in metres. Features farther than this from every edge get
        ``edge = u = v = -1`` and a warning with their count; they are never joined
        silently. ``None`` (default) snaps everything.
    component : {"largest", "any"} or int, default "largest"
        Which connected parts of the network a feature may join (see
        :func:`snap_points`): by default the largest, so that a feature next to a
        fragment cut off from the main network joins the main network.

    Returns
    -------
    DataFrame
        Aligned to ``points.index``: ``edge`` (int64, position of the undirected
        edge), ``u`` and ``v`` (int64 node positions of its ends, ``u < v``;
        original ids are ``graph.node_ids[u]``), ``pos_u`` and ``pos_v`` (metres
        along the edge from the entry point to ``u`` and to ``v``; they add up to
        the edge length) and ``snap_dist`` (metres, the straight access leg from
        the feature to its entry point, also given beyond ``max_distance``) and
        ``rejoined`` (bool: the nearest edge lay on an excluded fragment).

    Raises
    ------
    CRSError
        If ``points`` is not in a projected metric CRS equal to ``graph.crs``.
    GeometryError
        If geometries are missing, empty or invalid.
    InputError
        If ``max_distance`` is negative or the graph has no edge.

    Warns
    -----
    UserWarning
        When features lie farther than ``max_distance`` from every edge, and when
        features were nearest to an excluded fragment (with their count).

    Notes
    -----
    Each edge is drawn as the straight segment between its end nodes (the graph
    keeps node coordinates, not edge geometries). The entry point is the point of
    that segment nearest to the feature, at fraction :math:`t \\in [0, 1]` from
    ``u``; the walking distances along the edge are :math:`t L` and
    :math:`(1 - t) L` with :math:`L` the edge's length in the graph, so curved
    edges keep their true length. :func:`graph_from_lines` cuts roads at every
    vertex, so its edges are straight. Nearest-edge search uses a
    :class:`shapely.STRtree` built once per graph: :math:`O(m \\log E)`.
    """
    _check_distance(max_distance, "max_distance")
    _check_layer(points, "points", graph, allow_empty=True)
    edge, u, v, pos_u, pos_v, dist, n_far, moved = _snap_edges(graph, points, max_distance,
                                                               component)
    if n_far:
        warnings.warn(
            f"{n_far} of {len(points)} feature(s) of `points` lie farther than "
            f"max_distance={max_distance} m from every graph edge; they get edge -1.",
            stacklevel=2,
        )
    if moved.any():
        warnings.warn(_rejoin_message(int(moved.sum()), len(points), "points", component),
                      stacklevel=2)
    return pd.DataFrame(
        {"edge": edge, "u": u, "v": v, "pos_u": pos_u, "pos_v": pos_v, "snap_dist": dist,
         "rejoined": moved},
        index=points.index,
    )
