"""Network accessibility: distance to the nearest facility, facilities within walking distances.

Every distance is a walking distance in metres on a :class:`~.graph.WalkGraph`,
made of three legs::

    origin --(straight line)--> origin's nearest node
           --(shortest path on the graph)--> facility's nearest node
           --(straight line)--> facility

The straight legs ("access legs") are the snapping distances reported by
:func:`~.graph.snap_points`. See ``docs/network.md`` for the method and its limits.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Hashable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from .._errors import InputError
from .._validate import check_columns
from .graph import WalkGraph, _check_distance, _check_layer, _snap

__all__ = ["nearest_facility_distance", "facility_counts_within"]

logger = logging.getLogger(__name__)

#: Metres added to every virtual "super-source -> facility node" edge and subtracted
#: from the result. A facility standing exactly on a node has a 0 m access leg, and
#: a 0 stored in a sparse matrix is not reliably an edge; the offset makes every
#: virtual edge strictly positive. Each path from the virtual source uses exactly one
#: virtual edge (the source has no incoming edges), so the subtraction is exact.
_VIRTUAL_OFFSET = 1.0

#: Memory budget in bytes for one block of dense distance rows in
#: :func:`facility_counts_within`.
_CHUNK_BYTES = 128 * 2**20


# --------------------------------------------------------------------------- helpers


def _prepare(
    origins: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    category_column: str,
    categories: Sequence[Hashable] | None,
    snap_distance: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[Hashable], list[str]]:
    """Validate and snap both layers.

    Returns origin nodes and access legs, facility nodes, access legs and category
    codes (index into the returned categories, -1 for other/None), the categories,
    and the warning messages to emit from the public function.
    """
    _check_layer(origins, "origins", graph, allow_empty=True)
    _check_layer(facilities, "facilities", graph, allow_empty=True, unique_index=False)
    check_columns(facilities, [category_column], "facilities")
    _check_distance(snap_distance, "snap_distance")

    messages: list[str] = []
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

    o_node, o_dist, o_far = _snap(graph, origins, snap_distance)
    f_node, f_dist, f_far = _snap(graph, facilities, snap_distance)
    if o_far:
        messages.append(
            f"{o_far} of {len(origins)} origins lie farther than snap_distance={snap_distance} m "
            "from every graph node; nothing is reachable from them (NaN distances, zero counts)."
        )
    if f_far:
        messages.append(
            f"{f_far} of {len(facilities)} facilities lie farther than "
            f"snap_distance={snap_distance} m from every graph node and were dropped."
        )
    codes = pd.Index(cats, dtype=object).get_indexer(values.astype(object)).astype(np.int64)
    codes = np.where(f_node >= 0, codes, -1)
    return o_node, o_dist, f_node, f_dist, codes, cats, messages


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


# --------------------------------------------------------------------------- nearest


def nearest_facility_distance(
    origins: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    category_column: str = "category",
    categories: Sequence[Hashable] | None = None,
    max_distance: float | None = None,
    snap_distance: float | None = None,
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
    snap_distance : float, optional
        Largest access leg in metres. Origins farther than this from every node get
        NaN; facilities farther are dropped; both cases warn with a count. ``None``
        (default) snaps everything.

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
        If ``max_distance``/``snap_distance`` are negative or ``categories`` is malformed.

    Warns
    -----
    UserWarning
        For requested categories without facilities, facilities without a
        category, and features beyond ``snap_distance``.

    Notes
    -----
    For origin :math:`o` snapped to node :math:`n_o` at distance :math:`a_o`, and the
    facilities :math:`f \in F_k` of category :math:`k`, snapped to :math:`n_f` at
    :math:`a_f`:

    .. math::

        d_k(o) = a_o + \min_{f \in F_k} \left[ \delta(n_o, n_f) + a_f \right]

    where :math:`\delta` is the shortest-path length on the graph. The minimum over
    facilities is one Dijkstra run per category from a virtual super-source joined
    to every facility node :math:`v` by an edge of weight
    :math:`\min_{f: n_f = v} a_f + c` (:math:`c` = 1 m, subtracted afterwards so that
    0 m access legs remain edges). Cost per category:
    :math:`O((E + N) \log N)` for the graph's :math:`N` nodes and :math:`E` edges (less
    with ``max_distance``), plus :math:`O(m \log N)` to snap :math:`m` features.

    Examples
    --------
    A straight street of two 100 m edges, ``0 -- 1 -- 2``; a school 5 m from node
    2, a home 10 m from node 0: 10 + 200 + 5 = 215 m.

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
    o_node, o_dist, f_node, f_dist, codes, cats, messages = _prepare(
        origins,
        facilities,
        graph,
        category_column=category_column,
        categories=categories,
        snap_distance=snap_distance,
    )
    for message in messages:
        warnings.warn(message, stacklevel=2)

    n = graph.n_nodes
    valid = o_node >= 0
    limit = np.inf if max_distance is None else float(max_distance) + _VIRTUAL_OFFSET
    out: dict[str, np.ndarray] = {}
    for k, cat in enumerate(cats):
        result = np.full(len(origins), np.nan)
        sel = codes == k
        if sel.any():
            best = np.full(n, np.inf)
            np.minimum.at(best, f_node[sel], f_dist[sel])  # several facilities on one node
            src = np.flatnonzero(np.isfinite(best))
            aug = _augmented(graph.matrix, src, best[src] + _VIRTUAL_OFFSET)
            dist = dijkstra(aug, directed=True, indices=n, limit=limit)[:n] - _VIRTUAL_OFFSET
            total = o_dist[valid] + dist[o_node[valid]]
            if max_distance is not None:
                total[total > max_distance] = np.inf
            total[~np.isfinite(total)] = np.nan
            result[valid] = total
        out[f"net_dist_{cat}"] = result
        logger.debug("nearest %s: %d facility nodes", cat, int(sel.sum()))
    return pd.DataFrame(out, index=origins.index, dtype=float)


# --------------------------------------------------------------------------- counts


def facility_counts_within(
    origins: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    distances: Sequence[float] = (300, 500, 1000, 1500),
    category_column: str = "category",
    categories: Sequence[Hashable] | None = None,
    snap_distance: float | None = None,
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
    snap_distance : float, optional
        Largest access leg in metres (see :func:`nearest_facility_distance`).
        Origins beyond it count zero everywhere; facilities beyond it are dropped.

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
        If ``distances`` is empty, non-positive or repeated.

    Warns
    -----
    UserWarning
        As for :func:`nearest_facility_distance`.

    Notes
    -----
    A facility :math:`f` counts for origin :math:`o` at distance :math:`D` when
    :math:`a_o + \delta(n_o, n_f) + a_f \le D` (legs as in
    :func:`nearest_facility_distance`).

    Dijkstra runs once per *distinct origin node*, bounded by :math:`\max D`, for
    all categories at once; origins are processed in blocks so that the dense
    block of distance rows (block size x max(N, F) float64) stays under 128 MiB.
    Time is :math:`O(K (N + E_D \log N) + M F |D|)` for :math:`K` distinct origin
    nodes, :math:`E_D` edges within :math:`\max D`, :math:`M` origins and
    :math:`F` facilities. Counting many facilities from many origins at long
    distances is the expensive case; the nearest-distance function is much cheaper.
    """
    dist_values = _check_distances(distances)
    o_node, o_dist, f_node, f_dist, codes, cats, messages = _prepare(
        origins,
        facilities,
        graph,
        category_column=category_column,
        categories=categories,
        snap_distance=snap_distance,
    )
    for message in messages:
        warnings.warn(message, stacklevel=2)

    n_cat, n_d = len(cats), len(dist_values)
    counts = np.zeros((len(origins), n_cat, n_d), dtype=np.int64)

    keep = codes >= 0
    order = np.argsort(codes[keep], kind="stable")  # facilities grouped by category
    fac_node = f_node[keep][order]
    fac_dist = f_dist[keep][order]
    bounds = np.searchsorted(codes[keep][order], np.arange(n_cat + 1))

    valid = np.flatnonzero(o_node >= 0)
    if fac_node.size and valid.size:
        valid = valid[np.argsort(o_node[valid], kind="stable")]  # neighbours share rows
        limit = float(dist_values.max())
        block = max(1, _CHUNK_BYTES // (8 * max(graph.n_nodes, fac_node.size)))
        for lo in range(0, valid.size, block):
            rows = valid[lo : lo + block]
            uniq, inv = np.unique(o_node[rows], return_inverse=True)
            dist = dijkstra(graph.matrix, directed=True, indices=uniq, limit=limit)
            to_fac = dist[:, fac_node][inv] + fac_dist  # (rows, F): path + facility leg
            slack = dist_values[None, :] - o_dist[rows, None]  # (rows, |D|)
            for j in range(n_d):
                within = to_fac <= slack[:, j : j + 1]
                cum = np.concatenate(
                    [np.zeros((len(rows), 1), dtype=np.int64), np.cumsum(within, axis=1)], axis=1
                )
                counts[rows, :, j] = cum[:, bounds[1:]] - cum[:, bounds[:-1]]
    columns = [f"net_count_{cat}_{_distance_label(d)}m" for cat in cats for d in dist_values]
    flat = counts.reshape(len(origins), n_cat * n_d)
    return pd.DataFrame(flat, index=origins.index, columns=columns)


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
