"""Candidate sites for missing services: maximal covering of underserved industrial land.

Given industrial parcels that lack a service within walking distance ``D``, and
candidate sites (network nodes on land that is not industrial), choose up to ``K``
sites that bring the most workers (or hectares) within ``D`` on foot. This is the
maximal covering location problem (Church & ReVelle 1974); we solve it greedily,
which is within a factor (1 - 1/e) ≈ 0.632 of the optimum (Nemhauser, Wolsey &
Fisher 1978) and in practice usually optimal. See ``docs/accessibility.md``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from ._errors import InputError
from ._validate import check_columns, check_positive, check_projected, check_unique_index
from .taxonomy import poi_categories

if TYPE_CHECKING:
    from .network import WalkGraph

__all__ = ["candidate_points", "maximal_covering", "candidate_sites", "GREEDY_BOUND"]

log = logging.getLogger(__name__)

#: Worst-case share of the optimal coverage that the greedy choice reaches: 1 - 1/e.
GREEDY_BOUND: float = 1.0 - 1.0 / np.e


def candidate_points(
    graph: WalkGraph,
    landuse: gpd.GeoDataFrame,
    *,
    exclude_classes: Sequence[str] = ("industrial", "logistics"),
    class_column: str = "class",
) -> gpd.GeoDataFrame:
    """Network nodes that stand on land where a new service may go.

    Parameters
    ----------
    graph : WalkGraph
        Walking network; its nodes are the candidate positions (on the network by
        construction).
    landuse : GeoDataFrame
        Land-use polygons in ``graph.crs`` with a class column.
    exclude_classes : sequence of str, default ("industrial", "logistics")
        Classes on which no candidate may stand.
    class_column : str, default "class"
        Column of ``landuse`` holding the class.

    Returns
    -------
    GeoDataFrame
        Points in ``graph.crs`` indexed by node id (``graph.node_ids``), nodes
        inside or on the boundary of an excluded polygon left out; column ``node``
        (node position).

    Raises
    ------
    CRSError
        If ``landuse`` is not projected in metres.
    SchemaError
        If ``class_column`` is missing.
    """
    check_projected(landuse, "landuse")
    check_columns(landuse, [class_column], "landuse")
    points = shapely.points(graph.xy)
    blocked = landuse.geometry.values[landuse[class_column].isin(list(exclude_classes)).to_numpy()]
    inside = np.zeros(len(points), dtype=bool)
    if len(blocked):
        tree = shapely.STRtree(blocked)
        hit, _ = tree.query(points, predicate="intersects")
        inside[hit] = True
    keep = np.flatnonzero(~inside)
    return gpd.GeoDataFrame(
        {"node": keep.astype(np.int64)},
        geometry=points[keep],
        index=pd.Index(graph.node_ids[keep], name="node_id"),
        crs=graph.crs,
    )


def _greedy_max_cover(
    cover: sparse.csr_matrix, weight: np.ndarray, k: int
) -> tuple[list[int], list[float], np.ndarray]:
    """Greedy maximal covering: picks, their marginal gains, and the final covered mask.

    ``cover`` is candidates x demand (1 = within reach). Stops early when no
    candidate adds coverage. Ties go to the lowest candidate position.
    """
    covered = np.zeros(cover.shape[1], dtype=bool)
    picks: list[int] = []
    gains: list[float] = []
    for _ in range(k):  # K is small (a handful of sites per category)
        gain = cover @ np.where(covered, 0.0, weight)
        if picks:
            gain[picks] = -1.0
        best = int(np.argmax(gain)) if gain.size else -1
        if best < 0 or gain[best] <= 0:
            break
        picks.append(best)
        gains.append(float(gain[best]))
        covered |= cover[best].toarray().ravel() > 0
    return picks, gains, covered


def maximal_covering(
    demand: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    distance: float,
    k: int,
    weight_column: str | None = None,
    snap: str = "edge",
    snap_distance: float | None = None,
    component: str | int = "largest",
) -> gpd.GeoDataFrame:
    r"""Choose up to ``k`` candidate sites covering the most demand within a walking distance.

    Parameters
    ----------
    demand : GeoDataFrame
        Demand locations (parcels, cells) in ``graph.crs``, uniquely indexed.
    candidates : GeoDataFrame
        Candidate sites in ``graph.crs`` (e.g. from :func:`candidate_points`),
        uniquely indexed.
    graph : WalkGraph
        Walking network.
    distance : float
        Coverage distance in metres: a site covers a demand location within this walk.
    k : int
        Largest number of sites (>= 1). Fewer are returned when no further site
        adds coverage.
    weight_column : str, optional
        Demand weight (workers, hectares); default 1 per location.
    snap : {"edge", "node"}, default "edge"
        How both layers join the network.
    snap_distance : float, optional
        Snap tolerance in metres.
    component : {"largest", "any"} or int, default "largest"
        Which connected parts of the network both layers join (as in
        :func:`cityind_gis.network.nearest_facility_distance`): by default a
        site or parcel nearest to a fragment joins the main network instead.

    Returns
    -------
    GeoDataFrame
        The chosen candidates in pick order, indexed as ``candidates``, in its CRS,
        with ``pick`` (1..), ``covered_weight`` (marginal weight newly covered),
        ``covered_demand`` (locations newly covered), ``cumulative_weight`` and
        ``cumulative_share`` (of the total demand weight).

    Raises
    ------
    InputError
        If ``k`` or ``distance`` is not positive, or ``weight_column`` holds
        negative or missing values.

    Notes
    -----
    Maximal covering location problem (Church & ReVelle 1974): maximise
    :math:`\sum_i w_i y_i` subject to :math:`y_i \le \sum_{j \in N_i} x_j`,
    :math:`\sum_j x_j \le K`, :math:`x, y \in \{0, 1\}`, with :math:`N_i` the sites
    within ``distance`` of :math:`i`. Coverage is a monotone submodular set
    function, so the greedy rule (add the site with the largest marginal gain)
    reaches at least :math:`1 - 1/e` ≈ 63.2 % of the optimum (Nemhauser, Wolsey
    & Fisher 1978, *Math. Programming* 14: 265-294); the tests check it against
    brute force. Pairs within ``distance`` come from one compiled bounded search
    per candidate.
    """
    from .network._bounded import pairs_within
    from .network.accessibility import _ball_inputs, _check_snap, _snap_layer
    from .network.graph import _allowed_components, _check_layer

    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        msg = f"`k` must be a positive whole number of sites, got {k!r}."
        raise InputError(msg)
    check_positive(distance, "distance")
    _check_snap(snap)
    _allowed_components(graph, component)
    _check_layer(demand, "demand", graph, allow_empty=True)
    _check_layer(candidates, "candidates", graph, allow_empty=True)
    check_unique_index(candidates, "candidates")
    if weight_column is None:
        weight = np.ones(len(demand))
    else:
        check_columns(demand, [weight_column], "demand")
        weight = pd.to_numeric(demand[weight_column], errors="coerce").to_numpy(dtype=float)
        if not np.all(np.isfinite(weight)) or np.any(weight < 0):
            msg = (f"`demand['{weight_column}']` must hold weights >= 0 (workers, hectares); "
                   "fill missing values first.")
            raise InputError(msg)
    columns = ["pick", "covered_weight", "covered_demand", "cumulative_weight", "cumulative_share"]
    ds = _snap_layer(graph, demand, snap, snap_distance, component)
    cs = _snap_layer(graph, candidates, snap, snap_distance, component)
    keep = np.flatnonzero(cs.valid)
    if ds.n_far or cs.n_far:
        warnings.warn(
            f"{ds.n_far} demand location(s) and {cs.n_far} candidate(s) lie farther than "
            f"snap_distance={snap_distance} m from the network and cannot be covered or chosen.",
            stacklevel=2,
        )
    picks: list[int] = []
    gains: list[float] = []
    new_counts: list[int] = []
    if keep.size and ds.valid.any() and weight.sum() > 0:
        head, inc = _ball_inputs(graph, ds, cs, keep)
        f, o, _ = pairs_within(*head, *inc, ds.leg.astype(float), float(distance))
        cover = sparse.csr_matrix((np.ones(f.size), (f, o)), shape=(keep.size, len(demand)))
        cover.data[:] = 1.0  # duplicates cannot occur, but keep it 0/1
        local, gains, _ = _greedy_max_cover(cover, weight, int(k))
        covered = np.zeros(len(demand), dtype=bool)
        for j in local:  # K rows at most
            row = cover[j].toarray().ravel() > 0
            new_counts.append(int((row & ~covered).sum()))
            covered |= row
        picks = keep[local].tolist()
    total = float(weight.sum())
    out = candidates.iloc[picks].copy()
    out = out.drop(columns=[c for c in columns if c in out.columns])
    out["pick"] = np.arange(1, len(picks) + 1, dtype=np.int64)
    out["covered_weight"] = np.asarray(gains, dtype=float)
    out["covered_demand"] = np.asarray(new_counts, dtype=np.int64)
    out["cumulative_weight"] = np.cumsum(out["covered_weight"].to_numpy())
    out["cumulative_share"] = out["cumulative_weight"] / total if total > 0 else 0.0
    return out


def candidate_sites(
    gaps: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    categories: Sequence[str],
    distance: float | Mapping[str, float],
    k: int = 3,
    weight_column: str = "workers",
    snap: str = "edge",
    snap_distance: float | None = None,
    component: str | int = "largest",
) -> gpd.GeoDataFrame:
    """Up to ``k`` new sites per missing service category, covering the most underserved workers.

    Parameters
    ----------
    gaps : GeoDataFrame
        From :func:`cityind_gis.gaps.graded_service_gaps` or
        :func:`cityind_gis.gaps.industrial_service_gaps` (columns
        ``gap_{category}``, True where the category counts as a gap, and
        ``weight_column``).
    candidates : GeoDataFrame
        Candidate sites, e.g. :func:`candidate_points` (non-industrial land on the network).
    graph : WalkGraph
        Walking network.
    categories : sequence of str
        Categories to site; those that no parcel lacks are skipped.
    distance : float or mapping of str to float
        Coverage distance in metres: the threshold the gaps were measured
        against, one for every category or ``{category: metres}`` (the service
        standards: a new clinic covers parcels within 1,000 m, a bus stop within
        500 m).
    k : int, default 3
        Sites per category at most.
    weight_column : str, default "workers"
        Weight of each parcel (``workers`` or ``area_ha``).
    snap : {"edge", "node"}, default "edge"
        How both layers join the network.
    snap_distance : float, optional
        Snap tolerance in metres.
    component : {"largest", "any"} or int, default "largest"
        As for :func:`maximal_covering`.

    Returns
    -------
    GeoDataFrame
        One row per chosen site, in ``candidates.crs``: ``category``,
        ``category_zh``, ``pick``, ``covered_weight``, ``covered_demand``,
        ``cumulative_weight``, ``cumulative_share`` (of that category's
        underserved weight), ``underserved_weight``, ``site_id`` (the
        candidate's index label, e.g. the node id) and ``distance_m`` (the
        coverage distance used), with a fresh integer index.

    Raises
    ------
    SchemaError
        If a ``gap_{category}`` or the weight column is missing.
    InputError
        As for :func:`maximal_covering`; also when ``distance`` is a mapping
        without a category.
    """
    from .gaps import _threshold_array

    check_columns(gaps, [weight_column, *[f"gap_{c}" for c in categories]], "gaps")
    reach = dict(zip(categories, _threshold_array(list(categories), distance), strict=True))
    zh = poi_categories()["name_zh"].to_dict()
    frames = []
    for cat in categories:  # one small covering problem per category
        demand = gaps[gaps[f"gap_{cat}"].astype(bool)]
        if demand.empty:
            continue
        chosen = maximal_covering(demand, candidates, graph, distance=float(reach[cat]), k=k,
                                  weight_column=weight_column, snap=snap,
                                  snap_distance=snap_distance, component=component)
        chosen = chosen[["pick", "covered_weight", "covered_demand", "cumulative_weight",
                         "cumulative_share", chosen.geometry.name]].copy()
        chosen.insert(0, "category", cat)
        chosen.insert(1, "category_zh", zh.get(cat, cat))
        chosen["underserved_weight"] = float(demand[weight_column].sum())
        chosen["site_id"] = chosen.index.astype(str)
        chosen["distance_m"] = float(reach[cat])
        frames.append(chosen.reset_index(drop=True))
        log.info("candidate sites for %s: %d chosen for %d underserved parcels",
                 cat, len(chosen), len(demand))
    cols = ["category", "category_zh", "pick", "covered_weight", "covered_demand",
            "cumulative_weight", "cumulative_share", "underserved_weight", "site_id",
            "distance_m"]
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=candidates.crs)
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out[[*cols, "geometry"]], geometry="geometry", crs=candidates.crs)
