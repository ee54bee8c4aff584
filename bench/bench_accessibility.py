"""Benchmark: nearest-facility walking distances, cityind_gis vs networkx.

Generates a perturbed-lattice walking network (100 m blocks, jittered nodes, 10 %
of the links missing, detour factor 1.0-1.1) with about ``--edges`` edges in UTM
50N, ``--facilities`` facilities in ``--categories`` categories and ``--origins``
origins at random points, then times

- ``graph_from_edges`` against building a ``networkx.Graph``;
- ``nearest_facility_distance`` (one scipy Dijkstra per category from a virtual
  source) against the same computation in networkx (``multi_source_dijkstra_path_length``
  from a virtual source per category; snapping with the same k-d tree);
- optionally ``facility_counts_within`` (``--counts N`` origins).

It checks both give the same distances and prints times, the ratio, and peak memory
(``tracemalloc`` peak of our call, measured in a separate run because tracing slows
Python code; and the process's maximum resident set size).

Usage::

    .venv/bin/python bench/bench_accessibility.py                  # 200,000 edges
    .venv/bin/python bench/bench_accessibility.py --edges 1000000
    .venv/bin/python bench/bench_accessibility.py --skip-networkx --counts 2000

    # the issue's target: every node of a 1,000,000-edge network, 10 categories,
    # 10,900 facilities, nearest distance + counts within 300/500/1000/1500 m,
    # against networkx doing the same (edge snapping on both sides)
    .venv/bin/python bench/bench_accessibility.py --all-nodes --edges 1000000 --facilities 10900
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cityind_gis.network import (  # noqa: E402
    facility_counts_within,
    graph_from_edges,
    nearest_facility_distance,
    node_accessibility,
    snap_to_edges,
)

CRS = "EPSG:32650"


def make_network(n_edges: int, seed: int) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Perturbed lattice with about ``n_edges`` edges (vectorised)."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_edges / (2 * 0.9))))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    xy = np.column_stack([ii.ravel(), jj.ravel()]) * 100.0 + rng.normal(0, 15, (side * side, 2))
    idx = np.arange(side * side).reshape(side, side)
    pairs = np.vstack(
        [
            np.column_stack([idx[:-1, :].ravel(), idx[1:, :].ravel()]),
            np.column_stack([idx[:, :-1].ravel(), idx[:, 1:].ravel()]),
        ]
    )
    pairs = pairs[rng.random(len(pairs)) > 0.1]
    pairs = pairs[rng.permutation(len(pairs))[:n_edges]]
    length = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T) * rng.uniform(1.0, 1.1, len(pairs))
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*xy.T), crs=CRS)
    edges = pd.DataFrame({"u": pairs[:, 0], "v": pairs[:, 1], "length": length})
    return nodes, edges


def make_points(
    nodes: gpd.GeoDataFrame, n: int, n_categories: int | None, seed: int
) -> gpd.GeoDataFrame:
    """Random points over the network's extent, optionally with a category column."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = nodes.total_bounds
    pts = gpd.points_from_xy(rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n))
    data = None
    if n_categories:
        data = {"category": np.char.add("cat", rng.integers(0, n_categories, n).astype(str))}
    return gpd.GeoDataFrame(data, geometry=pts, crs=CRS)


def networkx_nearest(nodes, edges, origins, facilities) -> tuple[pd.DataFrame, float, float]:
    """Same measure with networkx; returns (result, build seconds, query seconds)."""
    import networkx as nx
    import shapely
    from scipy.spatial import cKDTree

    t0 = time.perf_counter()
    G = nx.Graph()
    G.add_nodes_from(range(len(nodes)))
    # parallel edges: keep the shortest (later add_edge overwrites, so add longest first)
    ordered = edges.sort_values("length", ascending=False)
    G.add_weighted_edges_from(
        ordered[["u", "v", "length"]].itertuples(index=False), weight="length"
    )
    build = time.perf_counter() - t0

    t0 = time.perf_counter()
    tree = cKDTree(shapely.get_coordinates(nodes.geometry.values))
    o_leg, o_node = tree.query(shapely.get_coordinates(origins.geometry.values))
    f_leg, f_node = tree.query(shapely.get_coordinates(facilities.geometry.values))
    fac = pd.DataFrame({"node": f_node, "leg": f_leg, "category": facilities["category"].values})
    out = {}
    for cat, grp in fac.groupby("category", sort=True):
        legs = grp.groupby("node")["leg"].min()
        G.add_weighted_edges_from(
            (("virtual", n, w) for n, w in legs.items()), weight="length"
        )  # undirected is exact: a shortest path never returns to its source
        reach = nx.multi_source_dijkstra_path_length(G, {"virtual"}, weight="length")
        G.remove_node("virtual")
        net = np.array([reach.get(n, np.nan) for n in o_node.tolist()])
        out[f"net_dist_{cat}"] = o_leg + net
    query = time.perf_counter() - t0
    return pd.DataFrame(out, index=origins.index), build, query


def networkx_all_nodes(graph, facilities, distances) -> tuple[dict[str, np.ndarray], float]:
    """Nearest distance and counts within ``distances`` at every node, with networkx.

    Same measure as :func:`node_accessibility` with edge snapping: each facility
    enters the graph at both ends of its edge (the snapping itself is shared, so
    only the path searches are compared). Nearest: one
    ``multi_source_dijkstra``-style search per category from a virtual source;
    counts: one search per facility with ``cutoff = max(distances)``, the same
    facility-side strategy as ours. Returns (columns, seconds).
    """
    import networkx as nx
    from scipy import sparse

    t0 = time.perf_counter()
    coo = sparse.triu(graph.matrix, k=1).tocoo()
    G = nx.Graph()
    G.add_nodes_from(range(graph.n_nodes))
    G.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True), weight="length"
    )
    snapped = snap_to_edges(graph, facilities.reset_index(drop=True))
    cats = sorted(facilities["category"].unique())
    radius = max(distances)
    out: dict[str, np.ndarray] = {}
    for cat in cats:
        sel = snapped[(facilities["category"] == cat).to_numpy()]
        G.add_node("s")
        seeds: dict[int, float] = {}
        for u, v, pu, pv, leg in sel[["u", "v", "pos_u", "pos_v", "snap_dist"]].itertuples(
                index=False):
            seeds[u] = min(seeds.get(u, np.inf), leg + pu)
            seeds[v] = min(seeds.get(v, np.inf), leg + pv)
        G.add_weighted_edges_from((("s", n, w + 1.0) for n, w in seeds.items()), weight="length")
        reach = nx.single_source_dijkstra_path_length(G, "s", weight="length")
        G.remove_node("s")
        near = np.full(graph.n_nodes, np.nan)
        idx = np.fromiter((k for k in reach if k != "s"), dtype=np.int64)
        near[idx] = np.fromiter((reach[k] for k in idx.tolist()), dtype=float) - 1.0
        out[f"net_dist_{cat}"] = near
        counts = np.zeros((graph.n_nodes, len(distances)), dtype=np.int64)
        for u, v, pu, pv, leg in sel[["u", "v", "pos_u", "pos_v", "snap_dist"]].itertuples(
                index=False):
            # a virtual source joined to both ends (+1 m each, so 0 m legs stay edges and
            # no path can shortcut through it: u-f-v costs more than the edge u-v)
            G.add_edge("f", u, length=leg + pu + 1.0)
            G.add_edge("f", v, length=leg + pv + 1.0)
            r = nx.single_source_dijkstra_path_length(G, "f", cutoff=radius + 1.0,
                                                      weight="length")
            G.remove_node("f")
            r.pop("f")
            ids = np.fromiter(r.keys(), dtype=np.int64)
            dd = np.fromiter(r.values(), dtype=float) - 1.0
            for j, d in enumerate(distances):
                counts[ids[dd <= d], j] += 1
        for j, d in enumerate(distances):
            out[f"net_count_{cat}_{int(d)}m"] = counts[:, j]
    return out, time.perf_counter() - t0


def all_nodes_benchmark(args: argparse.Namespace) -> None:
    """The issue's target: nearest + 4 radius counts for every node, vs networkx."""
    distances = (300.0, 500.0, 1000.0, 1500.0)
    t0 = time.perf_counter()
    nodes, edges = make_network(args.edges, args.seed)
    facilities = make_points(nodes, args.facilities, args.categories, args.seed + 1)
    print(f"network: {len(nodes):,} nodes, {len(edges):,} edges; {len(facilities):,} facilities "
          f"in {args.categories} categories (generated in {time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    graph = graph_from_edges(nodes, edges)
    t_build = time.perf_counter() - t0
    node_accessibility(facilities.iloc[:50], graph, distances=(300.0,))  # compile / load cache
    from cityind_gis.network.graph import _EDGE_CACHE

    _EDGE_CACHE.clear()  # time the edge index too
    t0 = time.perf_counter()
    ours = node_accessibility(facilities, graph, distances=distances)
    t_ours = time.perf_counter() - t0
    rss = _rss_mib()
    import numba

    print(f"numba threads                                 {numba.get_num_threads():8d}")
    print(f"cityind_gis  graph_from_edges                 {t_build:8.2f} s")
    print(f"cityind_gis  node_accessibility (all nodes)   {t_ours:8.2f} s  "
          f"({ours.shape[1]} columns: {args.categories} nearest + {args.categories} x 4 counts)")
    print(f"cityind_gis  build + accessibility            {t_build + t_ours:8.2f} s  "
          f"(target < 10 s)")
    print(f"process max RSS                               {rss:8.1f} MiB  (target < 4096 MiB)")
    if args.skip_networkx:
        return
    ref, t_nx = networkx_all_nodes(graph, facilities, distances)
    print(f"networkx     same measure, same graph         {t_nx:8.2f} s")
    print(f"speed-up                                      {t_nx / t_ours:8.1f} x  (target >= 20 x)")
    cols = list(ref)
    diff = np.nanmax(np.abs(ours[[c for c in cols if "dist" in c]].to_numpy()
                            - np.column_stack([ref[c] for c in cols if "dist" in c])))
    same_counts = all((ours[c].to_numpy() == ref[c]).all() for c in cols if "count" in c)
    print(f"max |distance difference| {diff:.2e} m; counts identical: {same_counts}")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print a report."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--edges", type=int, default=200_000, help="edges (default 200,000; try 1,000,000)"
    )
    p.add_argument("--facilities", type=int, default=5_000)
    p.add_argument("--categories", type=int, default=10)
    p.add_argument("--origins", type=int, default=20_000)
    p.add_argument(
        "--counts", type=int, default=0, help="origins for facility_counts_within (0: skip)"
    )
    p.add_argument("--max-distance", type=float, default=None, help="metres; default unbounded")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-networkx", action="store_true")
    p.add_argument("--all-nodes", action="store_true",
                   help="nearest + counts within 300/500/1000/1500 m at every node (issue target)")
    args = p.parse_args(argv)
    if args.all_nodes:
        all_nodes_benchmark(args)
        return

    t0 = time.perf_counter()
    nodes, edges = make_network(args.edges, args.seed)
    facilities = make_points(nodes, args.facilities, args.categories, args.seed + 1)
    origins = make_points(nodes, args.origins, None, args.seed + 2)
    print(
        f"network: {len(nodes):,} nodes, {len(edges):,} edges; {len(facilities):,} facilities "
        f"in {args.categories} categories; {len(origins):,} origins "
        f"(generated in {time.perf_counter() - t0:.1f} s)"
    )

    t0 = time.perf_counter()
    graph = graph_from_edges(nodes, edges)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = nearest_facility_distance(origins, facilities, graph, max_distance=args.max_distance)
    t_ours = time.perf_counter() - t0
    rss_ours = _rss_mib()
    print(f"cityind_gis  graph_from_edges          {t_build:8.2f} s")
    print(
        f"cityind_gis  nearest_facility_distance {t_ours:8.2f} s  "
        f"({t_ours / args.categories:.3f} s per category)"
    )

    tracemalloc.start()
    nearest_facility_distance(origins, facilities, graph, max_distance=args.max_distance)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"cityind_gis  peak traced memory        {peak / 2**20:8.1f} MiB (tracemalloc)")
    print(f"process max RSS after cityind_gis      {rss_ours:8.1f} MiB")

    if args.counts:
        sub = origins.iloc[: args.counts]
        t0 = time.perf_counter()
        counts = facility_counts_within(sub, facilities, graph)
        t_counts = time.perf_counter() - t0
        print(
            f"cityind_gis  facility_counts_within    {t_counts:8.2f} s  ({len(sub):,} origins, "
            f"{counts.shape[1]} columns)"
        )

    if not args.skip_networkx:
        if args.max_distance is not None:
            print("networkx comparison is unbounded; rerun without --max-distance to compare")
            return
        ref, nx_build, nx_query = networkx_nearest(nodes, edges, origins, facilities)
        rss_nx = _rss_mib()
        diff = np.nanmax(np.abs(ours.to_numpy() - ref[ours.columns].to_numpy()))
        same_nan = bool((ours.isna().to_numpy() == ref[ours.columns].isna().to_numpy()).all())
        print(f"networkx     build nx.Graph            {nx_build:8.2f} s")
        print(f"networkx     nearest (same measure)    {nx_query:8.2f} s")
        print(f"speed-up (query)                       {nx_query / t_ours:8.1f} x")
        total = (nx_build + nx_query) / (t_build + t_ours)
        print(f"speed-up (build + query)               {total:8.1f} x")
        print(f"process max RSS after networkx         {rss_nx:8.1f} MiB")
        print(f"max |difference|                       {diff:8.2e} m; same NaNs: {same_nan}")


if __name__ == "__main__":
    main()
