"""Network accessibility: distance to the nearest facility, facilities within walking distances.

Every distance is a walking distance in metres on a :class:`~.graph.WalkGraph`.
With the default ``snap="edge"`` it is made of five pieces::

    origin --(straight access leg)--> entry point on the origin's nearest edge
           --(along that edge)--> one of the edge's two end nodes
           --(shortest path on the graph)--> one end node of the facility's edge
           --(along that edge)--> the facility's entry point
           --(straight access leg)--> facility

and the shorter of the two ends is taken at each side (an origin and a facility
on the same edge may also walk straight along it). With ``snap="node"`` both
features join the network at their nearest node instead (the behaviour of
:func:`~.graph.snap_points`). See ``docs/network.md`` for the method and its limits.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from .._errors import InputError, SchemaError
from .._validate import (
    check_columns,
    check_geometries,
    check_positive,
    check_projected,
    check_unique_index,
)
from ..columns import column_name, net_dist
from .graph import (
    WalkGraph,
    _allowed_components,
    _check_distance,
    _check_layer,
    _rejoin_message,
    _snap,
    _snap_edges,
)

__all__ = [
    "SNAP_METHODS",
    "nearest_facility_distance",
    "facility_counts_within",
    "node_accessibility",
    "snap_report",
    "origins_for_units",
    "service_share_within",
]

logger = logging.getLogger(__name__)

#: Ways a feature joins the network: its nearest edge (default) or its nearest node.
SNAP_METHODS: tuple[str, ...] = ("edge", "node")

#: Metres added to every virtual "super-source -> facility node" edge and subtracted
#: from the result. A facility standing exactly on a node has a 0 m access leg, and
#: a 0 stored in a sparse matrix is not reliably an edge; the offset makes every
#: virtual edge strictly positive. Each path from the virtual source uses exactly one
#: virtual edge (the source has no incoming edges), so the subtraction is exact.
_VIRTUAL_OFFSET = 1.0

#: Default distances in metres of :func:`facility_counts_within` (about a 5-, 10-,
#: 15-minute walk and a little more; see ``docs/accessibility.md``).
DEFAULT_DISTANCES: tuple[float, ...] = (300.0, 500.0, 1000.0, 1500.0)


# --------------------------------------------------------------------------- snapping


@dataclass(frozen=True)
class _Snapped:
    """Where each feature joins the network (arrays of one length, -1 = not joined).

    ``u``/``v`` are node positions (equal for node snapping), ``pos_u``/``pos_v``
    metres along the edge to them, ``leg`` the straight access leg, ``edge`` the
    undirected edge position (-1 for node snapping or when not joined).
    """

    u: np.ndarray
    v: np.ndarray
    pos_u: np.ndarray
    pos_v: np.ndarray
    leg: np.ndarray
    edge: np.ndarray
    n_far: int
    moved: np.ndarray | None = None  # nearest part excluded by `component`; joined another

    @property
    def valid(self) -> np.ndarray:
        return self.u >= 0

    @property
    def n_moved(self) -> int:
        return 0 if self.moved is None else int(self.moved.sum())

    def take(self, idx: np.ndarray) -> _Snapped:
        return _Snapped(self.u[idx], self.v[idx], self.pos_u[idx], self.pos_v[idx],
                        self.leg[idx], self.edge[idx], 0)


def _check_snap(snap: str) -> None:
    if snap not in SNAP_METHODS:
        msg = (f"`snap` must be one of {list(SNAP_METHODS)}, got {snap!r}; use 'edge' to join "
               "features at the nearest point of the nearest street, 'node' for its nearest node.")
        raise InputError(msg)


def _snap_layer(
    graph: WalkGraph,
    layer: gpd.GeoDataFrame,
    snap: str,
    snap_distance: float | None,
    component: str | int = "any",
) -> _Snapped:
    """Snap a validated layer to the graph's edges or nodes (on the parts ``component`` allows)."""
    if snap == "edge":
        edge, u, v, pos_u, pos_v, leg, n_far, moved = _snap_edges(graph, layer, snap_distance,
                                                                  component)
        return _Snapped(u, v, pos_u, pos_v, leg, edge, n_far, moved)
    node, leg, n_far, moved = _snap(graph, layer, snap_distance, component)
    zeros = np.zeros(len(node))
    return _Snapped(node, node.copy(), zeros, zeros.copy(), leg, np.full(len(node), -1), n_far,
                    moved)


def _all_nodes(graph: WalkGraph) -> _Snapped:
    """Every node as an origin standing on itself."""
    n = graph.n_nodes
    idx = np.arange(n, dtype=np.int64)
    zeros = np.zeros(n)
    return _Snapped(idx, idx.copy(), zeros, zeros.copy(), zeros.copy(), np.full(n, -1), 0)


def _categories(
    facilities: gpd.GeoDataFrame,
    category_column: str,
    categories: Sequence[Hashable] | None,
    messages: list[str],
) -> tuple[list[Hashable], np.ndarray]:
    """Resolve the categories and each facility's code (-1 = ignored)."""
    values = facilities[category_column]
    n_null = int(values.isna().sum())
    if n_null:
        messages.append(
            f"{n_null} of {len(facilities)} facilities have no `{category_column}` value "
            "and were ignored."
        )
    present = pd.unique(values.dropna())
    if categories is None:
        cats: list[Hashable] = sorted(present.tolist(), key=str)
    else:
        if isinstance(categories, str):
            msg = (
                f"`categories` must be a sequence of category values, got the string "
                f"{categories!r}; wrap it in a list: `categories=[{categories!r}]`."
            )
            raise InputError(msg)
        cats = list(categories)
        if len(set(cats)) != len(cats):
            msg = f"`categories` holds duplicates: {cats}; list each category once."
            raise InputError(msg)
        have = set(present.tolist())
        absent = [c for c in cats if c not in have]
        if absent:
            messages.append(
                f"categories {absent} have no facilities in `facilities['{category_column}']` "
                f"(found {sorted(map(str, present.tolist()))}); their columns mean "
                "'nothing reachable' (NaN distances, zero counts)."
            )
    codes = pd.Index(cats, dtype=object).get_indexer(values.astype(object)).astype(np.int64)
    return cats, codes


def _prepare_facilities(
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    category_column: str,
    categories: Sequence[Hashable] | None,
    snap: str,
    snap_distance: float | None,
    messages: list[str],
    component: str | int = "any",
) -> tuple[_Snapped, np.ndarray, list[Hashable]]:
    _check_layer(facilities, "facilities", graph, allow_empty=True, unique_index=False)
    check_columns(facilities, [category_column], "facilities")
    cats, codes = _categories(facilities, category_column, categories, messages)
    fs = _snap_layer(graph, facilities, snap, snap_distance, component)
    if fs.n_moved:
        messages.append(_rejoin_message(fs.n_moved, len(facilities), "facilities", component))
    if fs.n_far:
        messages.append(
            f"{fs.n_far} of {len(facilities)} facilities lie farther than "
            f"snap_distance={snap_distance} m from every graph {snap} and were dropped."
        )
    codes = np.where(fs.valid, codes, -1)
    return fs, codes, cats


def _prepare(
    origins: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    category_column: str,
    categories: Sequence[Hashable] | None,
    snap: str,
    snap_distance: float | None,
    component: str | int = "largest",
) -> tuple[_Snapped, _Snapped, np.ndarray, list[Hashable], list[str]]:
    """Validate and snap both layers; return the warning messages to emit."""
    _check_snap(snap)
    _check_layer(origins, "origins", graph, allow_empty=True)
    _check_distance(snap_distance, "snap_distance")
    _allowed_components(graph, component)  # validate before any work
    messages: list[str] = []
    fs, codes, cats = _prepare_facilities(
        facilities, graph, category_column=category_column, categories=categories,
        snap=snap, snap_distance=snap_distance, messages=messages, component=component,
    )
    os_ = _snap_layer(graph, origins, snap, snap_distance, component)
    if os_.n_moved:
        messages.insert(0, _rejoin_message(os_.n_moved, len(origins), "origins", component))
    if os_.n_far:
        messages.insert(0,
            f"{os_.n_far} of {len(origins)} origins lie farther than snap_distance="
            f"{snap_distance} m from every graph {snap}; nothing is reachable from them "
            "(NaN distances, zero counts)."
        )  # fmt: skip
    return os_, fs, codes, cats, messages


def _augmented(matrix: sparse.csr_matrix, src: np.ndarray, weight: np.ndarray) -> sparse.csr_matrix:
    """Append a virtual node ``n`` with directed edges ``n -> src`` weighted ``weight``."""
    n = matrix.shape[0]
    idx_dtype = matrix.indices.dtype if n + 1 < np.iinfo(np.int32).max else np.int64
    indptr = np.concatenate([matrix.indptr, [matrix.indptr[-1] + len(src)]]).astype(idx_dtype)
    indices = np.concatenate([matrix.indices, src]).astype(idx_dtype)
    data = np.concatenate([matrix.data, weight]).astype(float)
    return sparse.csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))


def _distance_label(d: float) -> str:
    """``500 -> '500'``, ``2.5 -> '2p5'`` (column-name safe)."""
    return str(int(d)) if float(d).is_integer() else f"{d:g}".replace(".", "p")


def _same_edge_pairs(
    os_: _Snapped, fs: _Snapped, fac_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Origin/facility pairs on one edge and their straight distance along it (vectorised)."""
    o_idx = np.flatnonzero(os_.edge >= 0)
    f_idx = np.flatnonzero((fs.edge >= 0) & fac_mask)
    if not (o_idx.size and f_idx.size):
        e = np.empty(0, dtype=np.int64)
        return e, e, np.empty(0)
    f_sorted = f_idx[np.argsort(fs.edge[f_idx], kind="stable")]
    keys = fs.edge[f_sorted]
    lo = np.searchsorted(keys, os_.edge[o_idx], side="left")
    cnt = np.searchsorted(keys, os_.edge[o_idx], side="right") - lo
    rep_o = np.repeat(o_idx, cnt)
    starts = np.repeat(lo, cnt)
    within = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    f = f_sorted[starts + within]
    d = os_.leg[rep_o] + np.abs(os_.pos_u[rep_o] - fs.pos_u[f]) + fs.leg[f]
    return rep_o, f, d


def _nearest(
    os_: _Snapped,
    fs: _Snapped,
    codes: np.ndarray,
    cats: list[Hashable],
    graph: WalkGraph,
    max_distance: float | None,
) -> dict[str, np.ndarray]:
    """One multi-source Dijkstra per category; returns ``net_dist_{cat}`` arrays."""
    n = graph.n_nodes
    m = len(os_.u)
    valid = os_.valid
    limit = np.inf if max_distance is None else float(max_distance) + _VIRTUAL_OFFSET
    pair_o, pair_f, pair_d = _same_edge_pairs(os_, fs, codes >= 0)
    out: dict[str, np.ndarray] = {}
    for k, cat in enumerate(cats):
        result = np.full(m, np.inf)
        sel = codes == k
        if sel.any():
            best = np.full(n, np.inf)
            np.minimum.at(best, fs.u[sel], fs.leg[sel] + fs.pos_u[sel])
            np.minimum.at(best, fs.v[sel], fs.leg[sel] + fs.pos_v[sel])
            src = np.flatnonzero(np.isfinite(best))
            aug = _augmented(graph.matrix, src, best[src] + _VIRTUAL_OFFSET)
            dist = dijkstra(aug, directed=True, indices=n, limit=limit)[:n] - _VIRTUAL_OFFSET
            ou, ov = os_.u[valid], os_.v[valid]
            result[valid] = os_.leg[valid] + np.minimum(
                os_.pos_u[valid] + dist[ou], os_.pos_v[valid] + dist[ov]
            )
            here = codes[pair_f] == k
            np.minimum.at(result, pair_o[here], pair_d[here])
        if max_distance is not None:
            result[result > max_distance] = np.inf
        result[~np.isfinite(result)] = np.nan
        out[net_dist(str(cat))] = result
        logger.debug("nearest %s: %d facilities", cat, int(sel.sum()))
    return out


#: ``(inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos)``: see :func:`_incidence`.
_Incidence = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
#: ``(indptr, indices, data, n_nodes, f_u, f_v, f_leg, f_pu, f_pv, f_edge)``: the graph's CSR
#: arrays, its node count and the facilities' snapping arrays (see :func:`_ball_inputs`).
_KernelHead = tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray, np.ndarray, np.ndarray,
                    np.ndarray, np.ndarray, np.ndarray]


def _incidence(os_: _Snapped, n_nodes: int, n_edges: int) -> _Incidence:
    """CSR tables: origins by entry node (with offsets) and by edge (with positions)."""
    idx = np.flatnonzero(os_.valid)
    two = os_.u[idx] != os_.v[idx]
    nodes = np.concatenate([os_.u[idx], os_.v[idx][two]])
    orgs = np.concatenate([idx, idx[two]])
    offs = np.concatenate([os_.leg[idx] + os_.pos_u[idx], (os_.leg[idx] + os_.pos_v[idx])[two]])
    order = np.argsort(nodes, kind="stable")
    inc_ptr = np.concatenate([[0], np.cumsum(np.bincount(nodes, minlength=n_nodes))])
    on_edge = idx[os_.edge[idx] >= 0]
    e_order = on_edge[np.argsort(os_.edge[on_edge], kind="stable")]
    e_ptr = np.concatenate([[0], np.cumsum(np.bincount(os_.edge[on_edge], minlength=n_edges))])
    return (inc_ptr.astype(np.int64), orgs[order].astype(np.int64), offs[order].astype(float),
            e_ptr.astype(np.int64), e_order.astype(np.int64), os_.pos_u[e_order].astype(float))


def _graph_arrays(graph: WalkGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = graph.matrix
    return m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data.astype(float)


def _ball_inputs(
    graph: WalkGraph, os_: _Snapped, fs: _Snapped, keep: np.ndarray
) -> tuple[_KernelHead, _Incidence]:
    """Positional arguments shared by the compiled kernels (graph, facilities, origins)."""
    indptr, indices, data = _graph_arrays(graph)
    n_edges = int(graph.matrix.nnz // 2)
    inc = _incidence(os_, graph.n_nodes, n_edges)
    fk = fs.take(keep)
    return (indptr, indices, data, graph.n_nodes, fk.u.astype(np.int64), fk.v.astype(np.int64),
            fk.leg.astype(float), fk.pos_u.astype(float), fk.pos_v.astype(float),
            fk.edge.astype(np.int64)), inc


def _count_array(
    os_: _Snapped,
    fs: _Snapped,
    codes: np.ndarray,
    cats: list[Hashable],
    graph: WalkGraph,
    dist_values: np.ndarray,
) -> np.ndarray:
    """Counts ``(n_origins, n_categories, n_distances)`` (int32, distances in given order)."""
    from ._bounded import count_within

    m = len(os_.u)
    order = np.argsort(dist_values)
    keep = np.flatnonzero(codes >= 0)
    keep = keep[np.argsort(fs.u[keep], kind="stable")]  # neighbouring searches share cache lines
    if not (keep.size and os_.valid.any()):
        return np.zeros((m, len(cats), len(dist_values)), dtype=np.int32)
    head, inc = _ball_inputs(graph, os_, fs, keep)
    sorted_counts = count_within(
        *head, codes[keep].astype(np.int64), *inc, os_.leg.astype(float),
        dist_values[order].astype(float), len(cats),
    )
    if np.array_equal(order, np.arange(order.size)):
        return sorted_counts  # distances given in ascending order (the default): no copy
    return sorted_counts[:, :, np.argsort(order)]


def _counts(
    os_: _Snapped,
    fs: _Snapped,
    codes: np.ndarray,
    cats: list[Hashable],
    graph: WalkGraph,
    dist_values: np.ndarray,
) -> dict[str, np.ndarray]:
    """Counts per category and distance: one bounded search per facility (compiled)."""
    counts = _count_array(os_, fs, codes, cats, graph, dist_values)
    return {
        f"net_count_{cat}_{_distance_label(d)}m": counts[:, k, j].astype(np.int64)
        for k, cat in enumerate(cats)
        for j, d in enumerate(dist_values)
    }


def _nearest_nodes(
    fs: _Snapped,
    codes: np.ndarray,
    cats: list[Hashable],
    graph: WalkGraph,
    max_distance: float | None,
) -> np.ndarray:
    """``_nearest`` with every node as origin: ``(n_categories, n_nodes)`` metres (NaN = none).

    All categories run in one parallel compiled call.

    Same seeds (``min(a_f + p_f^y) + c`` at each facility edge end :math:`y`), same
    ``limit`` and the same offset subtraction as :func:`_nearest`, so the distances
    are identical to it bit for bit; only the Dijkstra runs on the numba threads.
    """
    from ._bounded import nearest_all

    n = graph.n_nodes
    limit = np.inf if max_distance is None else float(max_distance) + _VIRTUAL_OFFSET
    sel = codes >= 0
    # best seed per (category, node): the minimum over both edge ends of every facility
    cat = np.concatenate([codes[sel], codes[sel]])
    node = np.concatenate([fs.u[sel], fs.v[sel]]).astype(np.int64)
    seed = np.concatenate([fs.leg[sel] + fs.pos_u[sel], fs.leg[sel] + fs.pos_v[sel]])
    key = cat * n + node
    order = np.lexsort((seed, key))
    first = np.ones(order.size, dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    keep = order[first]  # sorted by category, then node: the lowest seed of each pair
    s_ptr = np.concatenate([[0], np.cumsum(np.bincount(cat[keep], minlength=len(cats)))])
    indptr, indices, data = _graph_arrays(graph)
    dist = nearest_all(indptr, indices, data, n, s_ptr.astype(np.int64), node[keep],
                       seed[keep] + _VIRTUAL_OFFSET, limit)
    dist -= _VIRTUAL_OFFSET
    if max_distance is not None:
        dist[dist > max_distance] = np.inf
    dist[~np.isfinite(dist)] = np.nan
    return dist


# --------------------------------------------------------------------------- nearest


def nearest_facility_distance(
    origins: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    category_column: str = "category",
    categories: Sequence[Hashable] | None = None,
    max_distance: float | None = None,
    snap: str = "edge",
    snap_distance: float | None = None,
    component: str | int = "largest",
) -> pd.DataFrame:
    r"""Walking distance in metres from each origin to the nearest facility of each category.

    Parameters
    ----------
    origins : GeoDataFrame
        Uniquely indexed features in ``graph.crs`` (projected, metres). Points are
        used as they are; polygons and lines through ``representative_point()``.
    facilities : GeoDataFrame
        Facilities (POIs, schools, ...) in ``graph.crs``, with a category column.
        Non-point geometries are handled as for ``origins``.
    graph : WalkGraph
        Walking network, e.g. from :func:`~.graph.graph_from_edges`.
    category_column : str, default "category"
        Column of ``facilities`` holding each facility's category. Rows where it is
        missing are ignored (with a warning).
    categories : sequence, optional
        Categories to measure, in output order. Default: the sorted (as text) unique
        values of ``category_column``. A requested category without any facility
        gives an all-NaN column and a warning (it is usually a typo).
    max_distance : float, optional
        Search radius in metres, applied to the *total* distance including both
        access legs. Beyond it the result is NaN. Bounding the search makes each
        Dijkstra run stop early. ``None`` (default) searches the whole graph.
    snap : {"edge", "node"}, default "edge"
        Join every feature to the network at the nearest point of its nearest edge
        (distances along the edge count), or at its nearest node.
    snap_distance : float, optional
        Snap tolerance: the largest access leg in metres. Origins farther than
        this from every edge (node) get NaN; facilities farther are dropped; both
        cases warn with a count. ``None`` (default) snaps everything.
    component : {"largest", "any"} or int, default "largest"
        Which connected parts of the network origins and facilities join: the
        largest (main) network, the nearest part whatever its size (``"any"``, the
        earlier behaviour), or any part of at least this many nodes.
        Features whose nearest edge lies on an excluded fragment join the nearest
        edge of an allowed part, with a warning giving their count (see
        ``docs/network.md``, Disconnected fragments).

    Returns
    -------
    DataFrame
        Aligned to ``origins.index``, one float64 column ``net_dist_{category}``
        per category, in metres. NaN means no facility of that category is
        reachable: none exists, none lies in the origin's connected component,
        none within ``max_distance``, or the origin is beyond ``snap_distance``.

    Raises
    ------
    CRSError
        If a layer is not in a projected metric CRS, or its CRS differs from ``graph.crs``.
    SchemaError
        If ``category_column`` is missing or ``origins`` is not uniquely indexed.
    GeometryError
        If geometries are missing, empty or invalid.
    InputError
        If ``max_distance``/``snap_distance`` are negative, ``snap`` is unknown or
        ``categories`` is malformed.

    Warns
    -----
    UserWarning
        For requested categories without facilities, facilities without a
        category, and features beyond ``snap_distance``.

    Notes
    -----
    With edge snapping an origin :math:`o` enters its edge :math:`(u_o, v_o)` at
    :math:`p_o^u` metres from :math:`u_o` and :math:`p_o^v` from :math:`v_o`, after a
    straight access leg :math:`a_o`; likewise each facility :math:`f \in F_k`. Then

    .. math::

        d_k(o) = a_o + \min\Big( \min_{x \in \{u_o, v_o\}} \big[p_o^x + D_k(x)\big],
                 \min_{f \in F_k,\, e_f = e_o} |p_o^u - p_f^u| + a_f \Big)

    .. math::

        D_k(x) = \min_{f \in F_k} \min_{y \in \{u_f, v_f\}} \big[a_f + p_f^y + \delta(y, x)\big]

    where :math:`\delta` is the shortest-path length on the graph. :math:`D_k` for
    every node is one Dijkstra run per category from a virtual super-source
    joined to each facility edge end :math:`y` by an edge of weight
    :math:`\min (a_f + p_f^y) + c` (:math:`c` = 1 m, subtracted afterwards so that
    0 m legs remain edges). With node snapping :math:`u = v` is the nearest node
    and :math:`p = 0`. Cost per category: :math:`O((E + N) \log N)` for the
    graph's :math:`N` nodes and :math:`E` edges (less with ``max_distance``), plus
    :math:`O(m \log E)` to snap :math:`m` features.

    Examples
    --------
    A straight street of two 100 m edges, ``0 -- 1 -- 2``; a school 5 m off the
    street at node 2, a home 10 m off the street at node 0: 10 + 200 + 5 = 215 m.

    >>> import geopandas as gpd, pandas as pd
    >>> from cityind_gis.network import graph_from_edges
    >>> crs = "EPSG:32650"
    >>> nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 100, 200], [0, 0, 0]), crs=crs)
    >>> edges = pd.DataFrame({"u": [0, 1], "v": [1, 2], "length": [100.0, 100.0]})
    >>> g = graph_from_edges(nodes, edges)
    >>> homes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0], [10]), crs=crs)
    >>> schools = gpd.GeoDataFrame({"category": ["school"]},
    ...                            geometry=gpd.points_from_xy([200], [-5]), crs=crs)
    >>> nearest_facility_distance(homes, schools, g)
       net_dist_school
    0            215.0
    """
    _check_distance(max_distance, "max_distance")
    os_, fs, codes, cats, messages = _prepare(
        origins, facilities, graph, category_column=category_column, categories=categories,
        snap=snap, snap_distance=snap_distance, component=component,
    )
    for message in messages:
        warnings.warn(message, stacklevel=2)
    out = _nearest(os_, fs, codes, cats, graph, max_distance)
    return pd.DataFrame(out, index=origins.index, dtype=float)


# --------------------------------------------------------------------------- counts


def facility_counts_within(
    origins: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    distances: Sequence[float] = DEFAULT_DISTANCES,
    category_column: str = "category",
    categories: Sequence[Hashable] | None = None,
    snap: str = "edge",
    snap_distance: float | None = None,
    component: str | int = "largest",
) -> pd.DataFrame:
    r"""Number of facilities of each category within each walking distance of each origin.

    Parameters
    ----------
    origins : GeoDataFrame
        Uniquely indexed features in ``graph.crs`` (projected, metres). Polygons and
        lines are represented by ``representative_point()``.
    facilities : GeoDataFrame
        Facilities in ``graph.crs`` with a category column; each row counts once.
    graph : WalkGraph
        Walking network.
    distances : sequence of float, default (300, 500, 1000, 1500)
        Walking distances in metres (> 0), total including both access legs. A
        facility at exactly the distance is counted.
    category_column : str, default "category"
        Column of ``facilities`` holding each facility's category.
    categories : sequence, optional
        Categories to count; default the sorted (as text) unique values. A
        requested category with no facilities gives zero counts and a warning.
    snap : {"edge", "node"}, default "edge"
        How features join the network (see :func:`nearest_facility_distance`).
    snap_distance : float, optional
        Snap tolerance in metres (see :func:`nearest_facility_distance`).
        Origins beyond it count zero everywhere; facilities beyond it are dropped.
    component : {"largest", "any"} or int, default "largest"
        Which connected parts of the network features join (see
        :func:`nearest_facility_distance`).

    Returns
    -------
    DataFrame
        Aligned to ``origins.index``, int64 columns
        ``net_count_{category}_{distance}m`` ordered by category, then distance
        (e.g. ``net_count_school_500m``; 2.5 m would read ``2p5m``).

    Raises
    ------
    CRSError
        If a layer is not in a projected metric CRS, or its CRS differs from ``graph.crs``.
    SchemaError
        If ``category_column`` is missing or ``origins`` is not uniquely indexed.
    GeometryError
        If geometries are missing, empty or invalid.
    InputError
        If ``distances`` is empty, non-positive or repeated, or ``snap`` is unknown.

    Warns
    -----
    UserWarning
        As for :func:`nearest_facility_distance`.

    Notes
    -----
    A facility :math:`f` counts for origin :math:`o` at distance :math:`D` when its
    walking distance :math:`d(o, f)` (the inner term of
    :func:`nearest_facility_distance` for that one facility) is :math:`\le D`.

    The search runs **from the facility side**: one bounded Dijkstra per facility,
    compiled with numba, seeded at the two ends of the facility's edge and stopped
    at :math:`\max D`. Origins hang on the nodes of their own edge, so each search
    reads off the distance to every origin it reaches. Each search touches only
    the :math:`E_r` edges within :math:`\max D` and resets only them, so the cost
    is :math:`O(F \, E_r \log E_r)` for :math:`F` facilities, independent of the
    number of origins beyond reading them off (see ``docs/accessibility.md``).
    """
    dist_values = _check_distances(distances)
    os_, fs, codes, cats, messages = _prepare(
        origins, facilities, graph, category_column=category_column, categories=categories,
        snap=snap, snap_distance=snap_distance, component=component,
    )
    for message in messages:
        warnings.warn(message, stacklevel=2)
    out = _counts(os_, fs, codes, cats, graph, dist_values)
    columns = [f"net_count_{cat}_{_distance_label(d)}m" for cat in cats for d in dist_values]
    return pd.DataFrame(out, index=origins.index, columns=columns)


# --------------------------------------------------------------------------- every node


def node_accessibility(
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    distances: Sequence[float] = DEFAULT_DISTANCES,
    category_column: str = "category",
    categories: Sequence[Hashable] | None = None,
    max_distance: float | None = None,
    snap: str = "edge",
    snap_distance: float | None = None,
) -> pd.DataFrame:
    """Nearest-facility distance and counts within distances at every node of the graph.

    Parameters
    ----------
    facilities : GeoDataFrame
        Facilities in ``graph.crs`` with a category column.
    graph : WalkGraph
        Walking network.
    distances : sequence of float, default (300, 500, 1000, 1500)
        Walking distances in metres for the counts.
    category_column : str, default "category"
        Column of ``facilities`` holding each facility's category.
    categories : sequence, optional
        Categories to measure; default the sorted unique values.
    max_distance : float, optional
        Search radius in metres for the nearest distances (NaN beyond).
    snap : {"edge", "node"}, default "edge"
        How facilities join the network; nodes stand on the network.
    snap_distance : float, optional
        Snap tolerance in metres for facilities (farther ones are dropped with a warning).

    Returns
    -------
    DataFrame
        Indexed by the node ids ``graph.node_ids`` (in node position order):
        float columns ``net_dist_{category}`` (metres), then int64 columns
        ``net_count_{category}_{distance}m``.

    Raises
    ------
    CRSError, SchemaError, GeometryError, InputError
        As for :func:`facility_counts_within`.

    Warns
    -----
    UserWarning
        For categories without facilities, facilities without a category and
        facilities beyond ``snap_distance``.

    Notes
    -----
    The same two measures as :func:`nearest_facility_distance` and
    :func:`facility_counts_within` with every node as an origin of access leg 0, and
    the same results bit for bit. Nearest: one multi-source Dijkstra per category
    from the facility edge ends, seeded exactly as the scipy virtual-source search of
    :func:`nearest_facility_distance`, compiled with numba and run for all
    categories at once, spread over the numba threads (``NUMBA_NUM_THREADS``).
    Counts: one compiled bounded search per facility, the facilities split into
    one block per thread, each with its own count array. Both results are
    independent of the number of threads (exact Dijkstra labels are unique; counts
    are integers). ``bench/bench_accessibility.py --all-nodes`` times it on a
    1-million-edge network (``docs/accessibility.md`` §6).
    """
    _check_snap(snap)
    _check_distance(max_distance, "max_distance")
    _check_distance(snap_distance, "snap_distance")
    dist_values = _check_distances(distances)
    messages: list[str] = []
    fs, codes, cats = _prepare_facilities(
        facilities, graph, category_column=category_column, categories=categories,
        snap=snap, snap_distance=snap_distance, messages=messages,
    )
    for message in messages:
        warnings.warn(message, stacklevel=2)
    index = pd.Index(graph.node_ids, name="node")
    if not cats:
        return pd.DataFrame({}, index=index)
    # two 2-D blocks (float distances, int64 counts) wrapped without per-column copies
    near = pd.DataFrame(_nearest_nodes(fs, codes, cats, graph, max_distance).T, index=index,
                        columns=[net_dist(str(c)) for c in cats], copy=False)
    counts = _count_array(_all_nodes(graph), fs, codes, cats, graph, dist_values)
    counts = counts.reshape(graph.n_nodes, -1).astype(np.int64)
    columns = [f"net_count_{c}_{_distance_label(d)}m" for c in cats for d in dist_values]
    return pd.concat([near, pd.DataFrame(counts, index=index, columns=columns, copy=False)],
                     axis=1)


# --------------------------------------------------------------------------- report


def snap_report(
    layer: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    snap: str = "edge",
    snap_distance: float | None = None,
    component: str | int = "largest",
) -> pd.DataFrame:
    """Where each feature joins the network, and whether that part is the main network.

    Parameters
    ----------
    layer : GeoDataFrame
        Origins or facilities in ``graph.crs``, uniquely indexed.
    graph : WalkGraph
        Walking network.
    snap : {"edge", "node"}, default "edge"
        Join at the nearest edge or the nearest node.
    snap_distance : float, optional
        Snap tolerance in metres; features beyond it are reported as not snapped
        (no warning: this function *is* the report).
    component : {"largest", "any"} or int, default "largest"
        Which connected parts features may join, as in
        :func:`nearest_facility_distance`; ``"any"`` reports the nearest part.

    Returns
    -------
    DataFrame
        Aligned to ``layer.index``: ``snap_dist`` (metres), ``snapped`` (bool),
        ``component`` (int64 connected-component label of the entry node, -1 when
        not snapped), ``component_nodes`` (nodes in that component, 0 when not
        snapped), ``main_network`` (bool: in the largest component) and
        ``rejoined`` (bool: the nearest edge or node lay on a fragment that
        ``component`` excludes, so the feature joined an allowed part instead). A
        feature off the main network reaches only what lies on its own fragment.

    Raises
    ------
    CRSError, GeometryError, InputError
        As for :func:`nearest_facility_distance`.
    """
    _check_snap(snap)
    _check_distance(snap_distance, "snap_distance")
    _check_layer(layer, "layer", graph, allow_empty=True)
    s = _snap_layer(graph, layer, snap, snap_distance, component)
    labels = graph.component
    sizes = np.bincount(labels, minlength=graph.n_components)
    main = int(np.argmax(sizes)) if sizes.size else -1
    comp = np.where(s.valid, labels[np.maximum(s.u, 0)], -1)
    return pd.DataFrame(
        {
            "snap_dist": s.leg,
            "snapped": s.valid,
            "component": comp.astype(np.int64),
            "component_nodes": np.where(comp >= 0, sizes[np.maximum(comp, 0)], 0).astype(np.int64),
            "main_network": comp == main,
            "rejoined": np.zeros(len(comp), dtype=bool) if s.moved is None else s.moved,
        },
        index=layer.index,
    )


def _check_distances(distances: Sequence[float]) -> np.ndarray:
    """Validate ``distances``: non-empty, finite, > 0, distinct; returned as float array."""
    try:
        values = np.asarray(list(distances), dtype=float)
    except (TypeError, ValueError):
        values = np.array([np.nan])
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
        msg = (
            f"`distances` must be a non-empty sequence of positive walking distances in "
            f"metres, got {distances!r}; e.g. `distances=(300, 500, 1000)`."
        )
        raise InputError(msg)
    if np.unique(values).size != values.size:
        msg = f"`distances` holds repeated values {list(values)}; list each distance once."
        raise InputError(msg)
    return values


# --------------------------------------------------------------------------- many origins per unit


def origins_for_units(
    units: gpd.GeoDataFrame,
    *,
    spacing: float = 100.0,
    min_area: float = 100_000.0,
) -> gpd.GeoDataFrame:
    r"""Origins that represent each unit: points sampled over large units, one point for small ones.

    Parameters
    ----------
    units : GeoDataFrame
        Zones, parcels or cells in a projected CRS in metres, uniquely indexed.
    spacing : float, default 100
        Side in metres of the square sampling grid laid over each large unit
        (anchored at the unit's lower-left bounding-box corner).
    min_area : float, default 100000
        Units of at least this area (m², default 10 ha) are sampled; smaller ones,
        and points and lines, get their ``representative_point()`` as one origin.

    Returns
    -------
    GeoDataFrame
        Points in ``units.crs`` indexed ``0 .. n - 1`` (name ``origin``), with
        ``unit`` (the unit's index label) and ``weight`` (share of the unit's area
        the origin stands for; the weights of a unit sum to 1).

    Raises
    ------
    CRSError
        If ``units`` is not in a projected CRS in metres.
    SchemaError, GeometryError
        If ``units`` is not uniquely indexed or holds missing or invalid geometries.
    InputError
        If ``spacing`` or ``min_area`` is not a positive number.

    Notes
    -----
    Each grid square :math:`c` meeting a large unit :math:`z` gives one origin, a
    point on :math:`c \cap z` (``point_on_surface``, so inside the unit), of weight
    :math:`w_c = |c \cap z| / |z|`. Measures over these origins are area-weighted
    means: the share of the unit's area within distance :math:`D` of a service is
    :math:`\sum_c w_c \, [d_c \le D]` (:func:`service_share_within`). A 9.8 km²
    zone at 100 m spacing has about 1,000 origins.
    """
    spacing = check_positive(spacing, "spacing", example=100)
    min_area = check_positive(min_area, "min_area", unit="square metres", example=100000)
    check_geometries(units, "units", allow_empty_layer=True)
    check_projected(units, "units")
    check_unique_index(units, "units")
    geoms = units.geometry.values
    area = shapely.area(geoms)
    poly = np.isin(shapely.get_type_id(geoms), [3, 6])
    big = np.flatnonzero(poly & (area >= min_area))
    small = np.setdiff1d(np.arange(len(units)), big)
    labels = units.index.to_numpy()
    pts = [shapely.point_on_surface(geoms[small])]
    unit_pos = [small]
    weight = [np.ones(small.size)]
    if big.size:
        b = shapely.bounds(geoms[big])
        nx = np.maximum(np.ceil((b[:, 2] - b[:, 0]) / spacing).astype(np.int64), 1)
        ny = np.maximum(np.ceil((b[:, 3] - b[:, 1]) / spacing).astype(np.int64), 1)
        n_cells = nx * ny
        owner = np.repeat(np.arange(big.size), n_cells)
        k = np.arange(n_cells.sum()) - np.repeat(np.cumsum(n_cells) - n_cells, n_cells)
        x0 = b[owner, 0] + (k % nx[owner]) * spacing
        y0 = b[owner, 1] + (k // nx[owner]) * spacing
        pieces = shapely.intersection(shapely.box(x0, y0, x0 + spacing, y0 + spacing),
                                      geoms[big][owner])
        piece_area = shapely.area(pieces)
        keep = piece_area > 1e-9 * spacing * spacing
        owner, pieces, piece_area = owner[keep], pieces[keep], piece_area[keep]
        total = np.bincount(owner, weights=piece_area, minlength=big.size)
        pts.append(shapely.point_on_surface(pieces))
        unit_pos.append(big[owner])
        weight.append(piece_area / total[owner])
    pos = np.concatenate(unit_pos)
    order = np.argsort(pos, kind="stable")
    out = gpd.GeoDataFrame(
        {"unit": labels[pos[order]], "weight": np.concatenate(weight)[order]},
        geometry=np.concatenate(pts)[order], crs=units.crs,
    )
    out.index = pd.RangeIndex(len(out), name="origin")
    logger.info("Origins for %d units: %d sampled every %g m (%d origins), %d by one point",
                len(units), big.size, spacing, len(out) - small.size, small.size)
    return out


def _unit_codes(units: pd.DataFrame, origins: gpd.GeoDataFrame) -> np.ndarray:
    """Position in ``units`` of each origin's unit; every unit needs at least one origin."""
    check_columns(origins, ["unit", "weight"], "origins")
    codes = units.index.get_indexer(origins["unit"])
    missing_units = np.setdiff1d(np.arange(len(units)), codes)
    if (codes < 0).any() or missing_units.size:
        bad = list(pd.unique(origins["unit"][codes < 0]))[:5]
        msg = (f"`origins['unit']` must name every unit of `units` and nothing else: "
               f"{int((codes < 0).sum())} origins name unknown units (first {bad}), "
               f"{missing_units.size} units have no origin. Build them with "
               "`origins_for_units(units)`.")
        raise SchemaError(msg)
    w = pd.to_numeric(origins["weight"], errors="coerce").to_numpy(dtype=float)
    if not (np.isfinite(w).all() and (w >= 0).all()):
        msg = "`origins['weight']` must hold finite weights >= 0 (shares of the unit's area)."
        raise SchemaError(msg)
    return codes


def _weighted_share(codes: np.ndarray, w: np.ndarray, hit: np.ndarray, n: int) -> np.ndarray:
    """Weighted share of each unit's origins where ``hit`` (0 when a unit weighs nothing)."""
    tot = np.bincount(codes, weights=w, minlength=n)
    got = np.bincount(codes, weights=w * hit, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, got / np.where(tot > 0, tot, 1.0), 0.0)


def _weighted_quantile(codes: np.ndarray, w: np.ndarray, d: np.ndarray, q: float,
                       n: int) -> np.ndarray:
    """Smallest distance within which a share ``q`` of each unit's weight lies (NaN = none)."""
    dd = np.where(np.isnan(d), np.inf, d)
    order = np.lexsort((dd, codes))
    c, ds, ws = codes[order], dd[order], w[order]
    tot = np.bincount(c, weights=ws, minlength=n)
    cum = np.cumsum(ws)
    before = np.concatenate([[0.0], cum])[np.searchsorted(c, np.arange(n))]
    reached = cum - before[c] >= q * tot[c] - 1e-12 * np.maximum(tot[c], 1.0)
    idx = np.flatnonzero(reached)
    out = np.full(n, np.inf)
    first_units, first = np.unique(c[idx], return_index=True)
    out[first_units] = ds[idx[first]]
    return np.where(np.isfinite(out), out, np.nan)


def service_share_within(
    units: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    distances: Sequence[float] = DEFAULT_DISTANCES,
    origins: gpd.GeoDataFrame | None = None,
    category_column: str = "category",
    categories: Sequence[Hashable] | None = None,
    snap: str = "edge",
    snap_distance: float | None = None,
    component: str | int = "largest",
) -> pd.DataFrame:
    r"""Share of each unit's area within each walking distance of each service category.

    Parameters
    ----------
    units : GeoDataFrame
        Zones, parcels or cells in ``graph.crs``, uniquely indexed.
    facilities : GeoDataFrame
        Facilities with a category column, in ``graph.crs``.
    graph : WalkGraph
        Walking network.
    distances : sequence of float, default (300, 500, 1000, 1500)
        Walking distances in metres.
    origins : GeoDataFrame, optional
        From :func:`origins_for_units` (columns ``unit``, ``weight``); default
        ``origins_for_units(units)`` with its defaults.
    category_column, categories, snap, snap_distance, component
        As for :func:`nearest_facility_distance`.

    Returns
    -------
    DataFrame
        Aligned to ``units.index``: float columns ``share_within_{category}_{d}m``
        in [0, 1], by category then distance.

    Raises
    ------
    CRSError, SchemaError, GeometryError, InputError
        As for :func:`nearest_facility_distance`; SchemaError when ``origins`` do
        not match ``units``.

    Notes
    -----
    With origins :math:`c` of unit :math:`z` and weights :math:`w_c` (summing to 1),

    .. math:: S_{z,k}(D) = \sum_{c \in z} w_c \, [d_k(c) \le D]

    where :math:`d_k(c)` is the walking distance from origin :math:`c` to the
    nearest facility of :math:`k` (:func:`nearest_facility_distance`, searched to
    :math:`\max D`). A unit with one origin reads 0 or 1.
    """
    dist_values = _check_distances(distances)
    check_unique_index(units, "units")
    org = origins_for_units(units) if origins is None else origins
    codes = _unit_codes(units, org)
    w = org["weight"].to_numpy(dtype=float)
    near = nearest_facility_distance(
        org, facilities, graph, category_column=category_column, categories=categories,
        max_distance=float(dist_values.max()), snap=snap, snap_distance=snap_distance,
        component=component,
    )
    out: dict[str, np.ndarray] = {}
    for col in near.columns:  # a handful of categories, vectorised over origins
        cat = col[len(net_dist("")):]
        d = near[col].to_numpy(dtype=float)
        for dv in dist_values:
            out[column_name("share_within", cat, dv)] = _weighted_share(
                codes, w, d <= dv, len(units))
    return pd.DataFrame(out, index=units.index, dtype=float)
