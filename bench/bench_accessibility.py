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
    args = p.parse_args(argv)

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
