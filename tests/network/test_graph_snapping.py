"""graph_from_lines: line ends snapped onto another line's segment (undigitised T-junctions).

Layers are in UTM 50N (metres); the through road ``t`` runs from (0, 0) to (100, 0)
with no vertex in between unless a test says otherwise, and the tolerance is 0.5 m.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from cityind_gis.network import graph_from_edges, graph_from_lines
from cityind_gis.validate import network_fragments

CRS = "EPSG:32650"
THROUGH = [(0.0, 0.0), (100.0, 0.0)]


def _layer(lines, names=None, **columns):
    names = names or [f"r{i}" for i in range(len(lines))]
    return gpd.GeoDataFrame(columns, geometry=[shapely.LineString(c) for c in lines],
                            index=pd.Index(names), crs=CRS)


def _node(nodes, xy):
    """Position of the node at ``xy`` (to 1e-6 m); -1 when there is none."""
    hit = np.flatnonzero(np.hypot(*(shapely.get_coordinates(nodes.geometry.values) - xy).T)
                         < 1e-6)
    assert hit.size <= 1
    return int(hit[0]) if hit.size else -1


def _degree(edges, node):
    return int((edges["u"] == node).sum() + (edges["v"] == node).sum())


def _path(nodes, edges, a, b):
    """Shortest walking distance in metres between the nodes at ``a`` and ``b``."""
    g = graph_from_edges(nodes, edges)
    return float(dijkstra(g.matrix, indices=_node(nodes, a))[_node(nodes, b)])


def _lengths(edges, road):
    return sorted(np.round(edges.loc[edges["road"] == road, "length"], 9))


# --------------------------------------------------------------------------- T-junctions

#        (30, 100)
#           |  s: ends `gap` m short of t (negative: overshoots it)
#  (0,0) ---+--------- (100, 0)   t: no vertex at x = 30
@pytest.mark.parametrize("gap", [0.3, 0.0, 0.5, -0.3], ids=["short", "on-line", "at-limit",
                                                              "overshoot"])
def test_t_junction_joins_mid_segment(gap):
    nodes, edges = graph_from_lines(_layer([THROUGH, [(30, 100), (30, gap)]], ["t", "s"]))
    assert graph_from_edges(nodes, edges).n_components == 1
    centre = _node(nodes, (30, 0))
    assert centre >= 0 and _degree(edges, centre) == 3
    assert _lengths(edges, "t") == [30.0, 70.0]
    # the end moved onto t: extended by an undershoot, cut back at the crossing on an overshoot
    assert _lengths(edges, "s") == [100.0]
    np.testing.assert_allclose(edges["length"], edges.geometry.length)
    assert _path(nodes, edges, (100, 0), (30, 100)) == pytest.approx(170.0)
    stats = edges.attrs["snapping"]
    assert stats == {"line_ends": 4, "ends_to_vertex": 0, "ends_to_segment": 1,
                     "ends_trimmed": int(gap < 0), "vertices_inserted": 1, "dead_ends": 3}


def test_t_junction_beyond_tolerance_is_a_fragment():
    nodes, edges = graph_from_lines(_layer([THROUGH, [(30, 100), (30, 0.7)]], ["t", "s"]),
                                    tolerance=0.5)
    assert graph_from_edges(nodes, edges).n_components == 2
    assert _lengths(edges, "t") == [100.0]
    frag = network_fragments(nodes, edges)
    assert frag["n_edges"].tolist() == [1, 1]
    assert frag["length_m"].tolist() == pytest.approx([100.0, 99.3])
    assert edges.attrs["snapping"]["ends_to_segment"] == 0
    assert edges.attrs["snapping"]["dead_ends"] == 4


# side road from (-10, 30) towards (30, 0) along (4, -3) / 5, ending `along` m past (30, 0)
# (negative: short of it). Overshoots are cut back at the crossing when it lies within the
# tolerance of the end; otherwise (and for undershoots) the end moves to the nearest point.
@pytest.mark.parametrize(
    ("along", "join_x", "trimmed"),
    [(0.4, 30.0, 1), (-0.4, 29.68, 0), (0.6, 30.48, 0)],
    ids=["overshoot-cut-at-crossing", "undershoot-to-nearest-point", "long-stub-to-nearest"],
)
def test_oblique_side_road(along, join_x, trimmed):
    end = (30 + 0.8 * along, -0.6 * along)  # 0.6 * |along| m from t
    nodes, edges = graph_from_lines(_layer([THROUGH, [(-10, 30), end]], ["t", "s"]))
    assert graph_from_edges(nodes, edges).n_components == 1
    assert _degree(edges, _node(nodes, (join_x, 0))) == 3
    assert _lengths(edges, "t") == pytest.approx([join_x, 100 - join_x])
    assert _lengths(edges, "s") == pytest.approx([np.hypot(join_x + 10, 30)])
    assert edges.attrs["snapping"]["ends_trimmed"] == trimmed


def test_lines_crossing_mid_segment_stay_apart():
    # no end near the other line: an undigitised crossing is still not a junction
    nodes, edges = graph_from_lines(_layer([THROUGH, [(30, -100), (30, 100)]]))
    assert graph_from_edges(nodes, edges).n_components == 2
    assert len(edges) == 2 and edges.attrs["snapping"]["ends_to_segment"] == 0


# --------------------------------------------------------------------------- levels


def test_bridge_over_a_road_is_not_split():
    # a bridge (level 1) passes over t at (30, 0) without a vertex, and a road r at grade
    # ends 0.3 m east of the bridge's span (under it): neither is split, nothing joins
    lines = [THROUGH, [(30, -100), (30, 100)], [(60, 50), (30.3, 50)]]
    nodes, edges = graph_from_lines(_layer(lines, ["t", "bridge", "r"], bridge=["", "yes", ""]))
    assert _lengths(edges, "t") == [100.0]
    assert _lengths(edges, "bridge") == [200.0]
    assert _lengths(edges, "r") == [29.7]
    assert graph_from_edges(nodes, edges).n_components == 3
    assert edges.attrs["snapping"]["ends_to_segment"] == 0


@pytest.mark.parametrize(
    ("end_level", "line_level", "joined"),
    [(0, 0, True), (1, 0, True), (-1, 0, True), (1, 1, True),
     (0, 1, False), (0, -1, False), (1, -1, False), (2, 1, False)],
    ids=["at-grade", "bridge-end-on-road", "tunnel-end-on-road", "same-bridge-level",
         "road-end-under-bridge", "road-end-over-tunnel", "bridge-end-over-tunnel",
         "upper-deck-end"],
)
def test_levels_of_mid_segment_joins(end_level, line_level, joined):
    # the side road's end lands on the through line only at the same level, or when the
    # through line is at grade (bridges and tunnels come down to grade at their ends)
    layer = _layer([THROUGH, [(30, 100), (30, 0.3)]], ["t", "s"], z=[line_level, end_level])
    nodes, edges = graph_from_lines(layer, level_column="z")
    assert graph_from_edges(nodes, edges).n_components == (1 if joined else 2)
    assert _lengths(edges, "t") == ([30.0, 70.0] if joined else [100.0])


# --------------------------------------------------------------------------- several ends


@pytest.mark.parametrize(("gap_north", "gap_south"), [(0.3, 0.2), (0.2, 0.2)],
                         ids=["apart", "ends-within-tolerance"])
def test_crossroads_two_ends_on_one_point(gap_north, gap_south):
    lines = [THROUGH, [(30, 100), (30, gap_north)], [(30, -100), (30, -gap_south)]]
    nodes, edges = graph_from_lines(_layer(lines, ["t", "n", "s"]))
    centre = _node(nodes, (30, 0))
    assert _degree(edges, centre) == 4
    assert _lengths(edges, "t") == [30.0, 70.0]
    assert _path(nodes, edges, (30, 100), (30, -100)) == pytest.approx(200.0)
    assert edges.attrs["snapping"]["vertices_inserted"] == 1
    assert edges.attrs["snapping"]["ends_to_segment"] == 2


def test_two_ends_on_one_segment():
    lines = [THROUGH, [(60, 100), (60, 0.4)], [(30, 100), (30, 0.3)]]
    nodes, edges = graph_from_lines(_layer(lines, ["t", "a", "b"]))
    assert _lengths(edges, "t") == [30.0, 30.0, 40.0]
    assert _path(nodes, edges, (30, 100), (60, 100)) == pytest.approx(230.0)
    assert edges.attrs["snapping"]["vertices_inserted"] == 2


@pytest.mark.parametrize(("vertex_x", "t_lengths", "s_length", "n_nodes"),
                         [(30.2, [30.2, 69.8], 99.7, 4), (30.5, [0.5, 30.0, 69.5], 100.0, 5)],
                         ids=["vertex-within-tolerance", "vertex-beyond"])
def test_vertex_wins_over_segment(vertex_x, t_lengths, s_length, n_nodes):
    # t has a vertex at (vertex_x, 0); s ends at (30, 0.3): 0.36 m or 0.58 m from it
    lines = [[(0, 0), (vertex_x, 0), (100, 0)], [(30, 100), (30, 0.3)]]
    nodes, edges = graph_from_lines(_layer(lines, ["t", "s"]))
    assert len(nodes) == n_nodes
    assert _lengths(edges, "t") == pytest.approx(t_lengths)
    assert _lengths(edges, "s") == pytest.approx([s_length])  # rule 3 does not move the end
    stats = edges.attrs["snapping"]
    within = vertex_x == 30.2
    assert (stats["ends_to_vertex"], stats["ends_to_segment"]) == (int(within), int(not within))


def test_parts_of_one_feature_join_but_a_line_never_joins_itself():
    # a MultiLineString's parts are separate lines; a lasso's end near its own start does not join
    multi = shapely.MultiLineString([THROUGH, [(30, 100), (30, 0.3)]])
    lasso = shapely.LineString([(0, 200), (100, 200), (100, 250), (50, 250), (50, 200.3)])
    layer = gpd.GeoDataFrame(geometry=[multi, lasso], index=["m", "l"], crs=CRS)
    nodes, edges = graph_from_lines(layer)
    assert _lengths(edges, "m") == [30.0, 70.0, 100.0]
    assert _lengths(edges, "l") == [49.7, 50.0, 50.0, 100.0]
    assert _node(nodes, (50, 200)) == -1 and _degree(edges, _node(nodes, (50, 200.3))) == 1
    assert edges.attrs["snapping"]["ends_to_segment"] == 1


def test_counts_are_logged(caplog):
    with caplog.at_level(logging.INFO, logger="cityind_gis.network.graph"):
        graph_from_lines(_layer([THROUGH, [(30, 100), (30, -0.3)]]))
    assert "of 4 line ends, 0 snapped to a vertex and 1 onto a segment (1 overshoots" in caplog.text


# --------------------------------------------------------------------------- random grid


def _grid_lines(seed: int, gaps: float | None):
    """Grid-like streets with T-junctions (and some crossroads), random but seeded.

    Six straight east-west roads 100 m apart, 0-500 m, with random vertices; between them
    north-south roads with a bend, whose first and last segments are vertical.

    ``gaps=None``: every junction is a vertex of the east-west road (the reference).
    Otherwise the junction vertices are removed and each north-south end is moved along its
    line by a random signed gap in ``[-gaps, gaps]`` (short of, or past, the road).
    """
    rng = np.random.default_rng(seed)
    rows = np.arange(6) * 100.0
    sides, junctions = [], {y: [] for y in rows}
    for y0, y1 in zip(rows[:-1], rows[1:], strict=True):
        slots = np.flatnonzero(rng.random(9) < 0.6)
        # x on a 2 m lattice (+0.123): roads of adjacent blocks meet the same road either at
        # one point (a crossroads) or at least 2 m apart
        for x in 50.0 * slots + 50.123 + 2.0 * rng.integers(-2, 3, slots.size):
            g0, g1 = rng.uniform(-1, 1, 2) * (gaps or 0.0)
            dx = rng.uniform(-15, 15)
            sides.append([(x, y0 + g0), (x, y0 + 30), (x + dx, y0 + 50), (x, y0 + 70),
                          (x, y1 - g1)])
            junctions[y0].append(x)
            junctions[y1].append(x)
    through = []
    for y in rows:
        xs = rng.uniform(0, 500, 6)  # vertices more than the tolerance from junctions and ends
        xs = xs[np.min(np.abs(xs[:, None] - np.array(junctions[y] + [0.0, 500.0])), axis=1) > 1.0]
        if gaps is None:
            xs = np.concatenate([xs, junctions[y]])
        through.append([(x, y) for x in np.sort(np.concatenate([[0.0, 500.0], xs]))])
    return through + sides


def _reference(lines) -> nx.Graph:
    """Reference networkx graph: an edge per pair of consecutive vertices, nodes by position."""
    g = nx.Graph()
    for line in lines:
        for p, q in zip(line[:-1], line[1:], strict=True):
            g.add_edge(tuple(np.round(p, 6)), tuple(np.round(q, 6)), length=float(np.hypot(
                q[0] - p[0], q[1] - p[1])))
    return g


@pytest.mark.parametrize("gaps", [0.0, 0.45], ids=["ends-on-segments", "gaps-and-overshoots"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_grid_matches_networkx_on_noded_lines(seed, gaps):
    ref = _reference(_grid_lines(seed, None))
    nodes, edges = graph_from_lines(_layer(_grid_lines(seed, gaps)), tolerance=0.5)
    keys = [tuple(p) for p in np.round(shapely.get_coordinates(nodes.geometry.values), 6)]
    assert set(keys) == set(ref.nodes)
    g = graph_from_edges(nodes, edges)
    assert g.n_components == 1 == nx.number_connected_components(ref)
    sources = np.random.default_rng(seed).choice(len(keys), 5, replace=False)
    ours = dijkstra(g.matrix, indices=sources)
    for row, s in zip(ours, sources, strict=True):
        theirs = nx.single_source_dijkstra_path_length(ref, keys[s], weight="length")
        np.testing.assert_allclose(row, [theirs[k] for k in keys], atol=1e-6)
    stats = edges.attrs["snapping"]
    n_sides = len(edges["road"].unique()) - 6
    assert stats["ends_to_segment"] == 2 * n_sides  # every north-south end


@pytest.mark.parametrize(
    ("end_level", "line_level", "joined"),
    [(0, 0, True), (1, 0, True), (1, 1, True), (0, 1, False), (0, -1, False), (2, 1, False)],
    ids=["at-grade", "bridge-end-on-road-vertex", "same-bridge-level",
         "road-end-under-bridge-vertex", "road-end-over-tunnel-vertex", "upper-deck-end"],
)
def test_levels_of_joins_at_an_interior_vertex(end_level, line_level, joined):
    # rule 3 (an end near another line's vertex) follows the level rule of rule 4: the
    # through line has an interior vertex at (30, 0); the side road ends 0.3 m from it
    through = [(0, 0), (30, 0), (100, 0)]
    layer = _layer([through, [(30, 100), (30, 0.3)]], ["t", "s"], z=[line_level, end_level])
    nodes, edges = graph_from_lines(layer, level_column="z")
    assert graph_from_edges(nodes, edges).n_components == (1 if joined else 2)
    assert edges.attrs["snapping"]["ends_to_vertex"] == (1 if joined else 0)


def test_road_end_joins_a_bridge_ramp_vertex():
    # a road ending 0.3 m from the END of a bridge (its ramp) joins it, whatever the levels
    bridge = [(0, 0), (100, 0)]
    layer = _layer([bridge, [(100.3, 0), (200, 0)]], ["b", "r"], z=[1, 0])
    nodes, edges = graph_from_lines(layer, level_column="z")
    assert graph_from_edges(nodes, edges).n_components == 1
