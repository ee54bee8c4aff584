"""Tests of cityind_gis.network.graph: building walking graphs and snapping points."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis._errors import CRSError, GeometryError, InputError, SchemaError
from cityind_gis.network import (
    ZERO_LENGTH_EPSILON,
    WalkGraph,
    graph_from_edges,
    graph_from_lines,
    snap_points,
    to_networkx,
)

CRS = "EPSG:32650"


def _nodes(ids, xy, crs=CRS):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), index=pd.Index(ids, name="id"), crs=crs
    )


@pytest.fixture
def path_layers():
    """Five nodes with awkward ids, UTM 50N.

    ::

        10 ---100--- 20 ---(parallel 300, 80, 120)--- 30 ===0 m=== 40        50 (isolated)
       (0,0)       (100,0)                          (200,0)     (200,0)    (900,900)

    plus a self-loop 20 -> 20 of 5 m.
    """
    nodes = _nodes([10, 20, 30, 40, 50], [(0, 0), (100, 0), (200, 0), (200, 0), (900, 900)])
    edges = pd.DataFrame(
        {
            "u": [10, 20, 30, 20, 30, 20],
            "v": [20, 30, 20, 30, 40, 20],
            "length": [100.0, 300.0, 80.0, 120.0, 0.0, 5.0],
        }
    )
    return nodes, edges


def test_graph_from_edges_known_answer(path_layers):
    nodes, edges = path_layers
    g = graph_from_edges(nodes, edges)
    assert isinstance(g, WalkGraph)
    np.testing.assert_array_equal(g.node_ids, [10, 20, 30, 40, 50])
    np.testing.assert_allclose(g.xy, [(0, 0), (100, 0), (200, 0), (200, 0), (900, 900)])
    expected = np.zeros((5, 5))
    expected[0, 1] = expected[1, 0] = 100.0
    expected[1, 2] = expected[2, 1] = 80.0  # minimum of 300, 80 (reversed) and 120
    expected[2, 3] = expected[3, 2] = ZERO_LENGTH_EPSILON  # zero length kept as an edge
    np.testing.assert_allclose(g.matrix.toarray(), expected)
    assert g.n_edges == 3  # self-loop dropped, parallels merged
    assert g.n_components == 2
    np.testing.assert_array_equal(g.component, [0, 0, 0, 0, 1])
    assert g.crs.to_epsg() == 32650


def test_graph_matrix_is_symmetric_and_sorted(path_layers):
    g = graph_from_edges(*path_layers)
    assert (g.matrix != g.matrix.T).nnz == 0
    assert g.matrix.has_sorted_indices
    # the zero-length edge survives sparse arithmetic that drops explicit zeros
    assert (g.matrix + g.matrix.T).nnz == g.matrix.nnz


def test_graph_from_edges_does_not_mutate(path_layers):
    nodes, edges = path_layers
    before_n, before_e = nodes.copy(), edges.copy()
    graph_from_edges(nodes, edges)
    pd.testing.assert_frame_equal(edges, before_e)
    pd.testing.assert_frame_equal(nodes, before_n)


def test_graph_from_edges_custom_columns(path_layers):
    nodes, edges = path_layers
    renamed = edges.rename(columns={"u": "from", "v": "to", "length": "metres"})
    g = graph_from_edges(nodes, renamed, u_column="from", v_column="to", length_column="metres")
    assert g.matrix[1, 2] == pytest.approx(80.0)


def test_graph_from_edges_uses_geometry_length_without_length_column():
    nodes = _nodes(["a", "b", "c"], [(0, 0), (30, 40), (30, 0)])
    edges = gpd.GeoDataFrame(
        {"u": ["a", "b"], "v": ["b", "c"]},
        geometry=[shapely.LineString([(0, 0), (30, 40)]), shapely.LineString([(30, 40), (30, 0)])],
        crs=CRS,
    )
    g = graph_from_edges(nodes, edges)
    assert g.matrix[0, 1] == pytest.approx(50.0)
    assert g.matrix[1, 2] == pytest.approx(40.0)


def test_graph_from_edges_matches_networkx_multigraph():
    """Random multigraph with parallels, zero lengths and self-loops vs networkx."""
    rng = np.random.default_rng(7)
    n, m = 60, 240
    nodes = _nodes(np.arange(n) * 3 + 1, rng.uniform(0, 1000, (n, 2)))
    u = rng.integers(0, n, m) * 3 + 1
    v = rng.integers(0, n, m) * 3 + 1
    length = rng.uniform(1, 500, m)
    length[rng.choice(m, 15, replace=False)] = 0.0
    edges = pd.DataFrame({"u": u, "v": v, "length": length})
    g = graph_from_edges(nodes, edges)

    ref = nx.MultiGraph()
    ref.add_nodes_from(nodes.index)
    ref.add_weighted_edges_from(zip(u, v, length, strict=True), weight="length")
    from scipy.sparse.csgraph import dijkstra

    ours = dijkstra(g.matrix, directed=False)
    pos = {nid: i for i, nid in enumerate(g.node_ids)}
    expected = np.full((n, n), np.inf)
    for src, dists in nx.all_pairs_dijkstra_path_length(ref, weight="length"):
        for dst, d in dists.items():
            expected[pos[src], pos[dst]] = d
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-4)
    assert g.n_components == nx.number_connected_components(ref)


def test_to_networkx_round_trip(path_layers):
    g = graph_from_edges(*path_layers)
    G = to_networkx(g)
    assert sorted(G.nodes) == [10, 20, 30, 40, 50]
    assert G.number_of_edges() == 3
    assert G.edges[20, 30]["length"] == pytest.approx(80.0)
    assert G.nodes[50]["x"] == pytest.approx(900.0)
    assert nx.shortest_path_length(G, 10, 40, weight="length") == pytest.approx(180.0, abs=1e-5)


# --------------------------------------------------------------------------- errors


def test_graph_from_edges_unknown_nodes(path_layers):
    nodes, edges = path_layers
    bad = pd.concat([edges, pd.DataFrame({"u": [10, 99], "v": [98, 20], "length": [1.0, 1.0]})])
    with pytest.raises(SchemaError, match=r"2 row\(s\).*\[98, 99\]|2 row\(s\).*\[99, 98\]"):
        graph_from_edges(nodes, bad)


@pytest.mark.parametrize(
    "value", [-1.0, np.nan, np.inf], ids=["negative", "nan", "infinite"]
)
def test_graph_from_edges_bad_length(path_layers, value):
    nodes, edges = path_layers
    edges = edges.assign(length=[100.0, 300.0, value, 120.0, 0.0, 5.0])
    with pytest.raises(SchemaError, match=r"1 missing, non-numeric, infinite or negative"):
        graph_from_edges(nodes, edges)


def test_graph_from_edges_geographic_crs(path_layers):
    nodes, edges = path_layers
    with pytest.raises(CRSError, match="geographic CRS"):
        graph_from_edges(nodes.set_crs(4326, allow_override=True), edges)


def test_graph_from_edges_mismatched_crs():
    nodes = _nodes([1, 2], [(0, 0), (10, 0)])
    edges = gpd.GeoDataFrame(
        {"u": [1], "v": [2], "length": [10.0]},
        geometry=[shapely.LineString([(0, 0), (10, 0)])],
        crs="EPSG:32651",
    )
    with pytest.raises(CRSError, match="share one CRS"):
        graph_from_edges(nodes, edges)


@pytest.mark.parametrize(
    ("missing", "kwargs"),
    [("u", {}), ("length", {}), ("v", {"v_column": "v"})],
    ids=["u", "length-without-geometry", "v"],
)
def test_graph_from_edges_missing_column(path_layers, missing, kwargs):
    nodes, edges = path_layers
    with pytest.raises(SchemaError, match=rf"missing column\(s\) \['{missing}'\]"):
        graph_from_edges(nodes, edges.drop(columns=missing), **kwargs)


def test_graph_from_edges_duplicate_node_ids():
    nodes = _nodes([1, 1], [(0, 0), (10, 0)])
    with pytest.raises(SchemaError, match="uniquely indexed"):
        graph_from_edges(nodes, pd.DataFrame({"u": [1], "v": [1], "length": [1.0]}))


def test_graph_from_edges_nodes_must_be_points():
    nodes = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=CRS)
    with pytest.raises(GeometryError, match="Point"):
        graph_from_edges(nodes, pd.DataFrame({"u": [0], "v": [0], "length": [1.0]}))


# --------------------------------------------------------------------------- lines


@pytest.fixture
def roads():
    """Three features in UTM 50N (metres).

    ::

                 (100,100)
                    |  b, part 1 ends at (100, 0.2)
        (0,0) --a--(100,0)--a-- (200,0)        (300,0) --c-- (400,0)
                    |  b, part 2
                 (100,-50)

    ``a`` has vertices (0,0), (100,0), (200,0). ``b`` is a MultiLineString whose
    first part stops 0.2 m short of ``a`` (within a 0.5 m tolerance, not 0.1 m).
    ``c`` is disconnected.
    """
    return gpd.GeoDataFrame(
        {"name": ["a", "b", "c"]},
        geometry=[
            shapely.LineString([(0, 0), (100, 0), (200, 0)]),
            shapely.MultiLineString([[(100, 100), (100, 0.2)], [(100, 0), (100, -50)]]),
            shapely.LineString([(300, 0), (400, 0)]),
        ],
        index=pd.Index(["ra", "rb", "rc"]),
        crs=CRS,
    )


def test_graph_from_lines_known_answer(roads):
    nodes, edges = graph_from_lines(roads, tolerance=0.5)
    assert len(nodes) == 7  # (0,0) (100,0) (200,0) (100,100) (100,-50) (300,0) (400,0)
    assert nodes.crs == roads.crs
    assert nodes.index.name == "node"
    xy = shapely.get_coordinates(nodes.geometry.values)
    pos = {tuple(np.round(p, 3)): i for i, p in enumerate(xy)}
    centre = pos[(100.0, 0.0)]
    by_road = edges.groupby("road")["length"].agg(["count", "sum"])
    assert by_road.loc["ra", "count"] == 2
    assert by_road.loc["rb", "count"] == 2
    assert by_road.loc["rc", "count"] == 1
    assert by_road.loc["rb", "sum"] == pytest.approx(99.8 + 50.0)
    # the four edges around (100, 0) all touch the same node
    assert ((edges["u"] == centre) | (edges["v"] == centre)).sum() == 4
    g = graph_from_edges(nodes, edges)
    assert g.n_components == 2
    assert list(edges.columns) == ["u", "v", "length", "road", "geometry"]
    np.testing.assert_allclose(edges["length"], edges.geometry.length)


def test_graph_from_lines_gap_beyond_tolerance(roads):
    nodes, edges = graph_from_lines(roads, tolerance=0.1)
    assert len(nodes) == 8  # (100, 0.2) is now its own node
    assert graph_from_edges(nodes, edges).n_components == 3


def test_graph_from_lines_dense_vertices_keep_length():
    """Vertices 0.3 m apart with a 0.5 m grid: short pieces merge, length is kept."""
    line = shapely.LineString([(x, 0.0) for x in np.arange(0, 10.01, 0.3)] + [(20.0, 0.0)])
    layer = gpd.GeoDataFrame(geometry=[line], crs=CRS)
    nodes, edges = graph_from_lines(layer, tolerance=0.5)
    assert edges["length"].sum() == pytest.approx(20.0)
    assert (edges["u"] != edges["v"]).all()


@pytest.mark.parametrize("tolerance", [0, -1.0, np.nan], ids=["zero", "negative", "nan"])
def test_graph_from_lines_bad_tolerance(roads, tolerance):
    with pytest.raises(InputError, match="`tolerance` must be a positive number"):
        graph_from_lines(roads, tolerance=tolerance)


def test_graph_from_lines_rejects_polygons():
    layer = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=CRS)
    with pytest.raises(GeometryError, match="Polygon"):
        graph_from_lines(layer)


def test_graph_from_lines_geographic_crs(roads):
    with pytest.raises(CRSError, match="geographic CRS"):
        graph_from_lines(roads.to_crs(4326))


# --------------------------------------------------------------------------- snapping


def test_snap_points_known_answer(path_layers):
    g = graph_from_edges(*path_layers)
    pts = gpd.GeoDataFrame(
        geometry=[shapely.Point(3, 4), shapely.box(890, 890, 900, 930), shapely.Point(120, 0)],
        index=pd.Index(["p", "q", "r"]),
        crs=CRS,
    )
    # node 50 is isolated: `component="any"` lets "q" join it (the default, "largest",
    # would move it to the main network; see test_components.py). `rejoined` came with
    # issue 13.
    out = snap_points(g, pts, component="any")
    assert list(out.columns) == ["node", "snap_dist", "rejoined"]
    assert not out["rejoined"].any()
    pd.testing.assert_index_equal(out.index, pts.index)
    assert out["node"].dtype == np.int64
    # polygon -> representative point (895, 910) -> node 50 at (900, 900)
    assert out["node"].tolist() == [0, 4, 1]
    np.testing.assert_allclose(out["snap_dist"], [5.0, np.hypot(5, 10), 20.0])
    assert g.node_ids[out.loc["q", "node"]] == 50


def test_snap_points_max_distance_warns(path_layers):
    g = graph_from_edges(*path_layers)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3, 500], [4, 500]), crs=CRS)
    with pytest.warns(UserWarning, match=r"1 of 2 feature\(s\) of `points` lie farther"):
        out = snap_points(g, pts, max_distance=10, component="any")
    assert out["node"].tolist() == [0, -1]
    assert out["snap_dist"].iloc[1] > 10


def test_snap_points_crs_mismatch(path_layers):
    g = graph_from_edges(*path_layers)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3], [4]), crs="EPSG:32651")
    with pytest.raises(CRSError, match="share one CRS"):
        snap_points(g, pts)


def test_snap_points_negative_max_distance(path_layers):
    g = graph_from_edges(*path_layers)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3], [4]), crs=CRS)
    with pytest.raises(InputError, match="`max_distance` must be None or a finite number"):
        snap_points(g, pts, max_distance=-5)


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def kouvola():
    """The test extract bundled with pyrosm (Kouvola, Finland) projected to UTM 35N."""
    pyrosm = pytest.importorskip("pyrosm")
    osm = pyrosm.OSM(pyrosm.get_data("test_pbf"))
    nodes, edges = osm.get_network(network_type="walking", nodes=True)
    return nodes.to_crs("EPSG:32635").set_index("id"), edges.to_crs("EPSG:32635")


def test_graph_from_pyrosm_walking_network(kouvola):
    nodes, edges = kouvola
    g = graph_from_edges(nodes, edges)
    assert g.n_nodes == len(nodes)
    assert g.crs.to_epsg() == 32635
    G = nx.MultiGraph()
    G.add_nodes_from(nodes.index)
    G.add_weighted_edges_from(edges[["u", "v", "length"]].itertuples(index=False), weight="w")
    assert g.n_components == nx.number_connected_components(G)
    assert g.n_edges == nx.Graph(G).number_of_edges() - nx.number_of_selfloops(nx.Graph(G))
