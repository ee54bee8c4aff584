"""Benchmark: ``graph_from_lines`` on large synthetic road layers, with and without T-gaps.

Three layers in UTM 50N (metres), built vectorised:

- ``noded``: a brick pattern of city blocks (``--blocks`` x ``--blocks``, ``--block`` m).
  Horizontal roads run the whole width with a vertex every ``--step`` m, including
  at every junction; vertical roads are one feature per block, ending exactly on a
  vertex of the horizontal roads (alternate block rows are offset by half a block,
  so every junction is a T). Nothing to snap mid-segment: this is the
  "no T-junction" case whose time must not grow.
- ``tgaps``: the same blocks, but the horizontal roads' vertices sit half a step
  away from every junction and each vertical road's ends stop short of (or
  overshoot) the horizontal road by a random gap within ``0.8 * --tolerance``:
  the undigitised T-junctions of CAD centre lines. Every such end is snapped onto
  a segment; the result must be one connected network whose total length equals
  the ``noded`` layer's (undershoots are extended, overshoots trimmed).
- ``grid`` (``--grid-lines``, default 800; 0 skips it): the layer of
  ``docs/inputs/roads.md``, lines crossing at shared vertices every 10 m
  (800 lines, 1.6 million vertices).

``--naive`` also repairs the ``tgaps`` layer with a plain Python loop (per end: a
``shapely.STRtree`` nearest-line query, ``line_locate_point``, vertex insertion),
builds the graph of the repaired lines and checks that both give the same edges.

Usage::

    .venv/bin/python bench/bench_graph.py                     # 150 x 150 blocks, ~450,000 segments
    .venv/bin/python bench/bench_graph.py --blocks 250 --grid-lines 0 --naive
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cityind_gis.network import graph_from_edges, graph_from_lines  # noqa: E402

CRS = "EPSG:32650"


def _lines(pieces: list[np.ndarray]) -> np.ndarray:
    """LineStrings from a list of (n_i, 2) coordinate arrays (one shapely call)."""
    counts = np.array([len(p) for p in pieces])
    return shapely.linestrings(np.concatenate(pieces), indices=np.repeat(np.arange(len(pieces)),
                                                                            counts))


def brick_roads(blocks: int, block: float, step: float, *, gaps: float, seed: int
                ) -> gpd.GeoDataFrame:
    """Brick-pattern blocks; ``gaps > 0`` removes junction vertices and offsets the ends.

    Vertical road ends get a signed gap drawn uniformly in ``[-gaps, gaps]``
    (positive: stops short of the horizontal road; negative: overshoots it).
    """
    rng = np.random.default_rng(seed)
    width = blocks * block
    if gaps > 0:  # vertices half a step away from every junction (multiples of step)
        xs = np.concatenate([[0.0], np.arange(step / 2, width, step), [width]])
    else:
        xs = np.arange(0.0, width + step / 2, step)
    rows = np.arange(blocks + 1) * block
    h = np.empty((len(rows), len(xs), 2))
    h[:, :, 0] = xs
    h[:, :, 1] = rows[:, None]
    horizontal = shapely.linestrings(h)

    j, i = np.meshgrid(np.arange(blocks), np.arange(blocks), indexing="ij")
    x = (i * block + np.where(j % 2 == 1, block / 2, 0.0)).ravel()
    y0 = (j * block).ravel().astype(float)
    n = x.size
    s0 = rng.uniform(-gaps, gaps, n) if gaps > 0 else np.zeros(n)
    s1 = rng.uniform(-gaps, gaps, n) if gaps > 0 else np.zeros(n)
    ys = np.arange(0.0, block + step / 2, step)  # 0, step, ..., block
    v = np.empty((n, len(ys), 2))
    v[:, :, 0] = x[:, None]
    v[:, :, 1] = y0[:, None] + ys
    v[:, 0, 1] += s0
    v[:, -1, 1] -= s1
    vertical = shapely.linestrings(v)
    geoms = np.concatenate([horizontal, vertical])
    return gpd.GeoDataFrame(geometry=geoms, crs=CRS)


def grid_roads(n_lines: int, step: float = 10.0) -> gpd.GeoDataFrame:
    """``n_lines / 2`` horizontal and vertical lines crossing at shared vertices."""
    half = n_lines // 2
    length = half * 50.0
    t = np.arange(0.0, length + step / 2, step)
    pos = np.arange(half) * 50.0
    hz = np.empty((half, len(t), 2))
    hz[:, :, 0] = t
    hz[:, :, 1] = pos[:, None]
    vt = hz[:, :, ::-1]
    return gpd.GeoDataFrame(geometry=np.concatenate([shapely.linestrings(hz),
                                                     shapely.linestrings(vt)]), crs=CRS)


def naive_repair(roads: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Move each dangling end onto the nearest other line within ``tolerance`` (Python loop).

    Same rule as ``graph_from_lines`` for at-grade lines that meet at right angles
    (projection == crossing): skip a line that has a vertex within ``tolerance``.
    """
    geoms = list(roads.geometry.values)
    coords = [shapely.get_coordinates(g).tolist() for g in geoms]
    tree = shapely.STRtree(roads.geometry.values)
    inserts: dict[int, list[tuple[float, tuple[float, float]]]] = {}
    for k in range(len(geoms)):
        for end in (0, -1):
            p = shapely.Point(coords[k][end])
            best = None
            for m in tree.query(p, predicate="dwithin", distance=tolerance):
                if m == k:
                    continue
                other = geoms[m]
                verts = shapely.get_coordinates(other)
                if (np.hypot(*(verts - coords[k][end]).T) <= tolerance).any():
                    best = None  # a vertex of that line wins (and joins it)
                    break
                d = other.distance(p)
                if best is None or d < best[0]:
                    best = (d, m)
            if best is None:
                continue
            m = best[1]
            at = geoms[m].line_locate_point(p)
            q = geoms[m].interpolate(at)
            coords[k][end] = [q.x, q.y]
            inserts.setdefault(m, []).append((at, (q.x, q.y)))
    for m, items in inserts.items():
        line = coords[m]
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(np.asarray(line), axis=0).T))])
        for at, q in sorted(items, reverse=True):
            seg = min(int(np.searchsorted(cum, at, side="right")) - 1, len(line) - 2)
            line.insert(seg + 1, list(q))
    return gpd.GeoDataFrame(geometry=[shapely.LineString(c) for c in coords], crs=roads.crs)


def _time(fn, repeat: int):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _edge_key(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> np.ndarray:
    """Edges as sorted rows (x_u, y_u, x_v, y_v, length) rounded to 1 mm, for comparison."""
    xy = shapely.get_coordinates(nodes.geometry.values)
    a, b = xy[edges["u"].to_numpy()], xy[edges["v"].to_numpy()]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    a[swap], b[swap] = b[swap].copy(), a[swap].copy()
    rows = np.round(np.column_stack([a, b, edges["length"].to_numpy()]), 3)
    return rows[np.lexsort(rows.T[::-1])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blocks", type=int, default=150)
    ap.add_argument("--block", type=float, default=100.0)
    ap.add_argument("--step", type=float, default=10.0)
    ap.add_argument("--tolerance", type=float, default=0.5)
    ap.add_argument("--grid-lines", type=int, default=800)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--naive", action="store_true")
    args = ap.parse_args()

    layers = {
        "noded": brick_roads(args.blocks, args.block, args.step, gaps=0.0, seed=args.seed),
        "tgaps": brick_roads(args.blocks, args.block, args.step, gaps=0.8 * args.tolerance,
                             seed=args.seed),
    }
    if args.grid_lines:
        layers["grid"] = grid_roads(args.grid_lines)
    results = {}
    for name, roads in layers.items():
        n_vert = int(shapely.get_num_coordinates(roads.geometry.values).sum())
        n_seg = n_vert - len(roads)
        secs, (nodes, edges) = _time(lambda r=roads: graph_from_lines(r, tolerance=args.tolerance),
                                     args.repeat)
        g = graph_from_edges(nodes, edges)
        stats = edges.attrs.get("snapping", {})
        results[name] = (nodes, edges)
        print(f"{name:6s} {len(roads):>8,} lines {n_seg:>10,} segments  {secs:6.2f} s  "
              f"-> {len(nodes):,} nodes, {len(edges):,} edges, {g.n_components} component(s), "
              f"{edges['length'].sum() / 1000:,.3f} km")
        if stats:
            print(f"       snapping: {stats}")

    # undershoots are extended and overshoots cut back, so the lengths agree, except at the
    # ends joined to a through road's own end vertex (x = 0): rule 3 does not move them
    tot = {k: results[k][1]["length"].sum() for k in ("noded", "tgaps")}
    print(f"total length tgaps - noded: {tot['tgaps'] - tot['noded']:+.6f} m "
          f"({results['tgaps'][1].attrs.get('snapping', {}).get('ends_to_vertex', '?')} ends "
          "joined to a vertex keep their gap)")

    if args.naive:
        t0 = time.perf_counter()
        repaired = naive_repair(layers["tgaps"], args.tolerance)
        t_fix = time.perf_counter() - t0
        t0 = time.perf_counter()
        nodes, edges = graph_from_lines(repaired, tolerance=args.tolerance)
        t_build = time.perf_counter() - t0
        same = np.array_equal(_edge_key(nodes, edges), _edge_key(*results["tgaps"]))
        print(f"naive  repair loop {t_fix:.2f} s + build {t_build:.2f} s; same edges as "
              f"graph_from_lines: {same}")


if __name__ == "__main__":
    main()
