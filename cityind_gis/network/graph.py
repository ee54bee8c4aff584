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
  layers that :func:`graph_from_edges` accepts;
- :func:`snap_points` finds the nearest graph node of each feature;
- :func:`to_networkx` exports a graph for cross-checks and plotting.
"""

from __future__ import annotations

import logging
import warnings
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
    "WalkGraph",
    "graph_from_edges",
    "graph_from_lines",
    "snap_points",
    "to_networkx",
]

logger = logging.getLogger(__name__)

#: Length in metres stored for edges whose length is exactly 0. Sparse matrices
#: drop explicit zeros in most operations (``A + A.T``, ``eliminate_zeros``), which
#: would silently disconnect the two nodes; one micrometre per zero-length edge is
#: far below any planning precision but keeps the edge.
ZERO_LENGTH_EPSILON: float = 1e-6


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


def graph_from_lines(
    roads: gpd.GeoDataFrame, *, tolerance: float = 0.5
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split road centre lines into a node layer and an edge layer.

    Every (Multi)LineString is exploded into its parts, and each part is cut at
    every vertex, so two lines that share a vertex are joined there. Coordinates
    are merged into one node when they fall into the same cell of a grid of
    ``tolerance`` metres (coordinates rounded to the nearest multiple of
    ``tolerance``): endpoints digitised within about ``tolerance`` of each other
    are joined, although two points closer than that may fall on either side of a
    cell boundary and stay apart, and points up to ``tolerance * sqrt(2)`` apart
    may be joined.

    Parameters
    ----------
    roads : GeoDataFrame
        LineString / MultiLineString road centre lines in a projected CRS in
        metres, uniquely indexed.
    tolerance : float, default 0.5
        Snapping grid size in metres (> 0).

    Returns
    -------
    nodes : GeoDataFrame
        Points indexed ``0 .. n - 1`` (index name ``"node"``), in ``roads.crs``.
        Each node sits at the first input vertex that was snapped to it.
    edges : GeoDataFrame
        Columns ``u``, ``v`` (node ids), ``length`` (metres, measured along the
        original vertices), ``road`` (index label of the source feature) and
        ``geometry`` (the piece of road between the two nodes), in ``roads.crs``.
        Feed both to :func:`graph_from_edges`.

    Raises
    ------
    CRSError
        If ``roads`` has no CRS, a geographic CRS or non-metre units.
    GeometryError
        If geometries are missing, empty, invalid or not lines.
    InputError
        If ``tolerance`` is not a positive number.

    Notes
    -----
    - Lines are joined **only at shared (snapped) vertices**. A line that crosses
      another without a vertex there (a bridge, or an undigitised junction) is not
      joined; node the layer first (e.g. ``shapely.node``) if crossings are junctions.
    - Consecutive vertices of one line that snap to the same node are merged
      into a single edge whose length is still measured along all of them; the
      length of a run of vertices at the very end of a line that all snap to its
      last node (at most about ``tolerance * sqrt(2)``) is lost.
    - Fully vectorised (``shapely.get_parts`` / ``get_coordinates`` with
      ``return_index`` and ``np.unique``); ``O(V log V)`` in the number of vertices.
    """
    if not (isinstance(tolerance, (int, float)) and np.isfinite(tolerance) and tolerance > 0):
        msg = f"`tolerance` must be a positive number of metres, got {tolerance!r}; e.g. 0.5."
        raise InputError(msg)
    check_geometries(roads, "roads", geom_types=("LineString", "MultiLineString"))
    check_projected(roads, "roads")
    check_unique_index(roads, "roads")

    parts, feature = shapely.get_parts(roads.geometry.values, return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    if coords.shape[0] == 0:
        msg = "`roads` has no coordinates; expected lines with at least two vertices."
        raise GeometryError(msg)

    keys = np.round(coords / tolerance).astype(np.int64)
    _, first_idx, node_of = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    node_of = node_of.ravel()
    node_xy = coords[first_idx]

    # cumulative length along each part
    same_part = part[1:] == part[:-1]
    seg_len = np.hypot(*(coords[1:] - coords[:-1]).T) * same_part
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])

    # run starts: first vertex of a part, or a vertex whose node differs from the previous one
    start = np.ones(len(coords), dtype=bool)
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
    logger.info(
        "Split %d road features into %d nodes and %d edges (tolerance %.3g m)",
        len(roads),
        len(nodes),
        len(edges),
        tolerance,
    )
    return nodes, edges


# --------------------------------------------------------------------------- snap


def _representative_xy(layer: gpd.GeoDataFrame) -> np.ndarray:
    """Coordinates of points, or of ``representative_point()`` for other geometries."""
    geoms = layer.geometry.values
    is_point = shapely.get_type_id(geoms) == 0
    if not is_point.all():
        geoms = geoms.copy()
        geoms[~is_point] = shapely.point_on_surface(geoms[~is_point])
    return shapely.get_coordinates(geoms).astype(float)


def _snap(
    graph: WalkGraph, layer: gpd.GeoDataFrame, max_distance: float | None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Nearest node position and distance of each feature; -1 beyond ``max_distance``."""
    if graph.n_nodes == 0:
        msg = "`graph` has no nodes; build it from a non-empty network."
        raise InputError(msg)
    xy = _representative_xy(layer)
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=float), 0
    dist, node = cKDTree(graph.xy).query(xy, k=1)
    node = node.astype(np.int64)
    n_far = 0
    if max_distance is not None:
        far = dist > max_distance
        n_far = int(far.sum())
        node[far] = -1
    return node, dist.astype(float), n_far


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
    graph: WalkGraph, points: gpd.GeoDataFrame, *, max_distance: float | None = None
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

    Returns
    -------
    DataFrame
        Aligned to ``points.index`` with columns ``node`` (int64, graph node
        position, ``-1`` when beyond ``max_distance``; the original id is
        ``graph.node_ids[node]``) and ``snap_dist`` (float, metres, the distance to
        the nearest node, also reported for features beyond ``max_distance``).

    Raises
    ------
    CRSError
        If ``points`` is not in a projected metric CRS equal to ``graph.crs``.
    GeometryError
        If geometries are missing, empty or invalid.

    Warns
    -----
    UserWarning
        When features lie farther than ``max_distance`` from every node.

    Notes
    -----
    Snapping is to the nearest *node*, not to the nearest point on an edge, so on
    long edges the access leg can exceed the distance to the road (see
    ``docs/network.md``). A k-d tree makes it ``O(m log n)``.
    """
    _check_distance(max_distance, "max_distance")
    _check_layer(points, "points", graph, allow_empty=True)
    node, dist, n_far = _snap(graph, points, max_distance)
    if n_far:
        warnings.warn(
            f"{n_far} of {len(points)} feature(s) of `points` lie farther than "
            f"max_distance={max_distance} m from every graph node; they get node -1.",
            stacklevel=2,
        )
    return pd.DataFrame({"node": node, "snap_dist": dist}, index=points.index)


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
