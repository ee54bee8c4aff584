"""Tests of cityind_gis.network.accessibility on hand-drawn and generated networks."""

from __future__ import annotations

import functools

import geopandas as gpd
import networkx as nx
import numba
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import Delaunay

from cityind_gis._errors import CRSError, InputError, SchemaError
from cityind_gis.network import facility_counts_within as _counts_within
from cityind_gis.network import (
    graph_from_edges,
    node_accessibility,
)
from cityind_gis.network import nearest_facility_distance as _nearest_distance
from cityind_gis.network import snap_report as _snap_report
from cityind_gis.network import snap_to_edges as _snap_to_edges

# The fixtures of this file hold deliberate fragments (H-I in `town`, the island of
# `zone`) and the networkx cross-checks compare with plain shortest paths over every
# component, so these tests join features to their *nearest* part of the network,
# `component="any"`. Issue 13 made `component="largest"` the default (a unit beside a
# fragment used to read "unreachable"); that default is tested in test_components.py.
facility_counts_within = functools.partial(_counts_within, component="any")
nearest_facility_distance = functools.partial(_nearest_distance, component="any")
snap_report = functools.partial(_snap_report, component="any")
snap_to_edges = functools.partial(_snap_to_edges, component="any")

CRS = "EPSG:32650"

# The hand-worked answers of the `town` fixture below snap to the nearest *node*;
# the edge-snapping answers (the default) are worked in test_edge_snapping.py.
nearest_node = functools.partial(nearest_facility_distance, snap="node")
counts_node = functools.partial(facility_counts_within, snap="node")


@pytest.fixture
def town():
    """Hand-drawn walking network, UTM 50N, metres.

    ::

                      D (100,100)
                    /     \\
               150 /       \\ 150
                  /         \\
        A ------100------ B ==== C ----100---- E ==0 m== F ----100---- G
      (0,0)           (100,0)  (200,0)      (300,0)    (300,0)      (400,0)

                                      H (1000,1000) ----100---- I (1100,1000)

    B-C is given three times (250 m, 100 m reversed as C-B, 150 m): the walker
    uses 100 m. E-F has length 0. G has a 5 m self-loop. H-I is a separate
    component. Shortest paths from A: B 100, D 150, C 200, E 300, F 300, G 400.
    """
    ids = ["A", "B", "C", "D", "E", "F", "G", "H", "I"]
    xy = [(0, 0), (100, 0), (200, 0), (100, 100), (300, 0), (300, 0), (400, 0),
          (1000, 1000), (1100, 1000)]  # fmt: skip
    nodes = gpd.GeoDataFrame(
        geometry=[shapely.Point(p) for p in xy], index=pd.Index(ids, name="id"), crs=CRS
    )
    edges = pd.DataFrame(
        [("A", "B", 100), ("B", "C", 250), ("C", "B", 100), ("B", "C", 150), ("A", "D", 150),
         ("D", "C", 150), ("C", "E", 100), ("E", "F", 0), ("F", "G", 100), ("G", "G", 5),
         ("H", "I", 100)],
        columns=["u", "v", "length"],
    )  # fmt: skip
    return graph_from_edges(nodes, edges)


@pytest.fixture
def homes():
    """o1 10 m from A; o2 a 10 m square centred 20 m below G; o3 10 m from I."""
    return gpd.GeoDataFrame(
        geometry=[shapely.Point(0, 10), shapely.box(395, -25, 405, -15), shapely.Point(1100, 990)],
        index=pd.Index(["o1", "o2", "o3"], name="home"),
        crs=CRS,
    )


@pytest.fixture
def pois():
    """Schools 5 m from G and 8 m from D; two shops 2 m and 4 m from C; a clinic 3 m from H."""
    return gpd.GeoDataFrame(
        {"category": ["school", "school", "shop", "shop", "clinic"]},
        geometry=gpd.points_from_xy([400, 100, 200, 200, 1000], [5, 108, -2, 4, 1003]),
        crs=CRS,
    )


# Worked by hand (access leg + path + access leg):
#   school: o1 10 + A-D 150 + 8 = 168       o2 20 + 0 + 5 = 25        o3 NaN (other component)
#   shop:   o1 10 + A-B-C 200 + 2 = 212     o2 20 + G-F-E-C 200 + 2 = 222 (crosses the 0 m edge)
#   clinic: o1, o2 NaN                      o3 10 + I-H 100 + 3 = 113
NEAREST = pd.DataFrame(
    {
        "net_dist_clinic": [np.nan, np.nan, 113.0],
        "net_dist_school": [168.0, 25.0, np.nan],
        "net_dist_shop": [212.0, 222.0, np.nan],
    },
    index=pd.Index(["o1", "o2", "o3"], name="home"),
)


def test_nearest_known_answer(town, homes, pois):
    result = nearest_node(homes, pois, town)
    pd.testing.assert_frame_equal(result, NEAREST, rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    ("max_distance", "expected"),
    [
        (200, {"net_dist_school": [168.0, 25.0, np.nan], "net_dist_shop": [np.nan] * 3}),
        (212, {"net_dist_school": [168.0, 25.0, np.nan], "net_dist_shop": [212.0, np.nan, np.nan]}),
        (24, {"net_dist_school": [np.nan] * 3, "net_dist_shop": [np.nan] * 3}),
    ],
    ids=["200m", "exactly-212m", "below-every-access-leg"],
)
def test_nearest_max_distance(town, homes, pois, max_distance, expected):
    result = nearest_node(
        homes, pois, town, categories=["school", "shop"], max_distance=max_distance
    )
    pd.testing.assert_frame_equal(
        result, pd.DataFrame(expected, index=homes.index), rtol=0, atol=1e-5
    )


def test_nearest_facility_on_a_node(town, homes):
    """A 0 m access leg must still be an edge of the virtual source."""
    at_c = gpd.GeoDataFrame({"category": ["bus"]}, geometry=[shapely.Point(200, 0)], crs=CRS)
    result = nearest_node(homes, at_c, town)
    np.testing.assert_allclose(result["net_dist_bus"], [210.0, 220.0, np.nan], atol=1e-5)


def test_nearest_parallel_edges_keep_minimum(town, homes, pois):
    # if parallel lengths were summed, A-B-C would be 600 m and A-D-C (300 m) would win
    result = nearest_node(homes.loc[["o1"]], pois, town, categories=["shop"])
    assert result.iloc[0, 0] == pytest.approx(212.0)


def test_nearest_requested_category_without_facilities(town, homes, pois):
    with pytest.warns(UserWarning, match=r"categories \['library'\] have no facilities"):
        result = nearest_node(homes, pois, town, categories=["library", "clinic"])
    assert list(result.columns) == ["net_dist_library", "net_dist_clinic"]
    assert result["net_dist_library"].isna().all()


def test_nearest_facilities_without_category_warn(town, homes, pois):
    pois = pois.assign(category=["school", None, "shop", "shop", "clinic"])
    with pytest.warns(UserWarning, match="1 of 5 facilities have no `category` value"):
        result = nearest_node(homes, pois, town)
    assert result.loc["o1", "net_dist_school"] == pytest.approx(10 + 400 + 5)


def test_nearest_snap_distance(town, homes, pois):
    with pytest.warns(UserWarning, match="1 of 3 origins lie farther than snap_distance=15"):
        result = nearest_node(homes, pois, town, snap_distance=15)
    # o2's representative point is 20 m from G -> NaN; the facilities are all within 15 m
    expected = NEAREST.copy()
    expected.loc["o2"] = np.nan
    pd.testing.assert_frame_equal(result, expected, rtol=0, atol=1e-5)


def test_nearest_snap_distance_drops_facilities(town, pois):
    home = gpd.GeoDataFrame(geometry=[shapely.Point(0, 3)], crs=CRS)  # 3 m from A
    with pytest.warns(UserWarning, match="2 of 5 facilities lie farther than snap_distance=4.5"):
        result = nearest_node(
            home, pois, town, snap_distance=4.5, categories=["school", "shop"]
        )
    # both schools (5 m and 8 m from the network) are dropped; the 2 m shop stays
    assert np.isnan(result.loc[0, "net_dist_school"])
    assert result.loc[0, "net_dist_shop"] == pytest.approx(3 + 200 + 2)


def test_nearest_empty_facilities(town, homes, pois):
    result = nearest_node(homes, pois.iloc[:0], town)
    assert result.shape == (3, 0)
    pd.testing.assert_index_equal(result.index, homes.index)


def test_nearest_does_not_mutate(town, homes, pois):
    h, p = homes.copy(), pois.copy()
    nearest_node(homes, pois, town)
    pd.testing.assert_frame_equal(homes, h)
    pd.testing.assert_frame_equal(pois, p)


# --------------------------------------------------------------------------- counts


def test_counts_known_answer(town, homes, pois):
    # distances per origin (see NEAREST): school o1 [168, 415] o2 [25, 378];
    # shop o1 [212, 214] o2 [222, 224]; clinic o3 [113]
    result = counts_node(homes, pois, town, distances=(100, 168, 500))
    expected = pd.DataFrame(
        {
            "net_count_clinic_100m": [0, 0, 0],
            "net_count_clinic_168m": [0, 0, 1],
            "net_count_clinic_500m": [0, 0, 1],
            "net_count_school_100m": [0, 1, 0],
            "net_count_school_168m": [1, 1, 0],  # 168 m exactly is counted
            "net_count_school_500m": [2, 2, 0],
            "net_count_shop_100m": [0, 0, 0],
            "net_count_shop_168m": [0, 0, 0],
            "net_count_shop_500m": [2, 2, 0],
        },
        index=homes.index,
    )
    pd.testing.assert_frame_equal(result, expected)


@pytest.mark.parametrize(
    ("distances", "names"),
    [
        ((300,), ["net_count_shop_300m"]),
        ((2.5, 1000.0), ["net_count_shop_2p5m", "net_count_shop_1000m"]),
    ],
    ids=["int", "fractional"],
)
def test_counts_column_names(town, homes, pois, distances, names):
    result = counts_node(homes, pois, town, distances=distances, categories=["shop"])
    assert list(result.columns) == names
    assert (result.dtypes == np.int64).all()


@pytest.mark.parametrize(
    "distances", [(), (0, 100), (-5,), (100, 100), ("far",)],
    ids=["empty", "zero", "negative", "repeated", "text"],
)
def test_counts_bad_distances(town, homes, pois, distances):
    with pytest.raises(InputError, match="`distances`"):
        counts_node(homes, pois, town, distances=distances)


def test_counts_unsnapped_origins_count_zero(town, homes, pois):
    with pytest.warns(UserWarning, match="1 of 3 origins lie farther"):
        result = counts_node(homes, pois, town, distances=(500,), snap_distance=15)
    assert result.loc["o2"].tolist() == [0, 0, 0]
    assert result.loc["o1"].tolist() == [0, 2, 2]


def test_counts_unsorted_distances(town, homes, pois):
    """Distances in any order give the same counts, in the order asked for."""
    ordered = counts_node(homes, pois, town, distances=(100, 168, 500))
    shuffled = counts_node(homes, pois, town, distances=(500, 100, 168))
    pd.testing.assert_frame_equal(shuffled, ordered[shuffled.columns])
    assert list(shuffled.columns)[:3] == [
        "net_count_clinic_500m", "net_count_clinic_100m", "net_count_clinic_168m"
    ]


# --------------------------------------------------------------------------- edge snapping


@pytest.fixture
def zone():
    """Hand-drawn network for edge snapping, UTM 50N, metres.

    ::

        D (0,100)
        |
        | 100              clinic (150,10)        shop (250,-4)
        |                        *                    *
        A (0,0) -------------200------------ B (200,0) ----100---- C (300,0)

                                                 E (1000,0) --50-- F (1050,0)   (an island)

    Origins: o1 at (5, 60), 5 m east of A-D, 60 m up from A; o2 at (100, -8), 8 m
    below the middle of A-B; o3 a 20 x 10 m parcel around (1020, 10) on the island.
    """
    nodes = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([0, 200, 300, 0, 1000, 1050], [0, 0, 0, 100, 0, 0]),
        index=pd.Index(list("ABCDEF"), name="id"), crs=CRS,
    )  # fmt: skip
    edges = pd.DataFrame({"u": list("ABAE"), "v": list("BCDF"), "length": [200, 100, 100, 50]})
    graph = graph_from_edges(nodes, edges)
    origins = gpd.GeoDataFrame(
        geometry=[shapely.Point(5, 60), shapely.Point(100, -8), shapely.box(1010, 5, 1030, 15)],
        index=pd.Index(["o1", "o2", "o3"], name="unit"), crs=CRS,
    )  # fmt: skip
    pois = gpd.GeoDataFrame(
        {"category": ["clinic", "shop"]}, geometry=gpd.points_from_xy([150, 250], [10, -4]), crs=CRS
    )
    return graph, origins, pois


# Worked by hand. The clinic enters A-B 150 m from A and 50 m from B after a 10 m leg;
# the shop enters B-C 50 m from each end after a 4 m leg.
#   o1 (leg 5, 60 m from A on A-D): clinic 5 + 60 + 150 + 10 = 225; shop 5 + 60 + 200 + 50 + 4 = 319
#   o2 (leg 8, on A-B 100 m from A): clinic straight along A-B 8 + |100 - 150| + 10 = 68
#      (via B it would be 8 + 100 + 50 + 10 = 168); shop 8 + 100 + 50 + 4 = 162
#   o3 (on the island): nothing reachable
EDGE_NEAREST = pd.DataFrame(
    {"net_dist_clinic": [225.0, 68.0, np.nan], "net_dist_shop": [319.0, 162.0, np.nan]},
    index=pd.Index(["o1", "o2", "o3"], name="unit"),
)


def test_edge_snapping_known_answer(zone):
    graph, origins, pois = zone
    result = nearest_facility_distance(origins, pois, graph)
    pd.testing.assert_frame_equal(result, EDGE_NEAREST, rtol=0, atol=1e-9)


def test_edge_snapping_counts_known_answer(zone):
    graph, origins, pois = zone
    result = facility_counts_within(origins, pois, graph, distances=(100, 225, 320))
    expected = pd.DataFrame(
        {
            "net_count_clinic_100m": [0, 1, 0],
            "net_count_clinic_225m": [1, 1, 0],  # exactly 225 m is counted
            "net_count_clinic_320m": [1, 1, 0],
            "net_count_shop_100m": [0, 0, 0],
            "net_count_shop_225m": [0, 1, 0],
            "net_count_shop_320m": [1, 1, 0],
        },
        index=origins.index,
    )
    pd.testing.assert_frame_equal(result, expected)


def test_snap_to_edges_positions(zone):
    graph, _, pois = zone
    result = snap_to_edges(graph, pois)
    ids = graph.node_ids
    assert [(ids[u], ids[v]) for u, v in result[["u", "v"]].to_numpy()] == [("A", "B"), ("B", "C")]
    np.testing.assert_allclose(result[["pos_u", "pos_v", "snap_dist"]],
                               [[150, 50, 10], [50, 50, 4]])


@pytest.mark.parametrize("func", [nearest_facility_distance, facility_counts_within],
                         ids=["nearest", "counts"])  # fmt: skip
def test_snap_tolerance_reports_both_layers(zone, func):
    """Legs: o1 5, o2 8, o3 10 m; clinic 10, shop 4 m. A 6 m tolerance keeps o1 and the shop."""
    graph, origins, pois = zone
    with (
        pytest.warns(UserWarning, match="2 of 3 origins lie farther than snap_distance=6 m "
                                        "from every graph edge"),
        pytest.warns(UserWarning, match="1 of 2 facilities lie farther than snap_distance=6 m "
                                        "from every graph edge and were dropped"),
    ):  # fmt: skip
        result = func(origins, pois, graph, snap_distance=6, categories=["shop"])
    assert result.iloc[:, -1].tolist()[:1] in ([319.0], [1])
    assert result.iloc[1:, -1].fillna(0).tolist() == [0, 0]


def test_snap_to_edges_warns(zone):
    graph, origins, _ = zone
    with pytest.warns(UserWarning, match="2 of 3 feature"):
        result = snap_to_edges(graph, origins, max_distance=6)
    assert result["edge"].tolist()[1:] == [-1, -1]


def test_snap_report_finds_disconnected_parcel(zone):
    graph, origins, _ = zone
    report = snap_report(origins, graph)
    assert report["main_network"].tolist() == [True, True, False]
    assert report["component_nodes"].tolist() == [4, 4, 2]
    np.testing.assert_allclose(report["snap_dist"], [5, 8, 10])


def test_node_accessibility_known_answer(zone):
    graph, _, pois = zone
    result = node_accessibility(pois, graph, distances=(60, 200))
    # clinic: A 150 + 10, B 50 + 10, C 150 + 10, D 260; shop: B 54, C 54, A 254, D 354
    np.testing.assert_allclose(result["net_dist_clinic"], [160, 60, 160, 260, np.nan, np.nan])
    np.testing.assert_allclose(result["net_dist_shop"], [254, 54, 54, 354, np.nan, np.nan])
    assert result["net_count_clinic_60m"].tolist() == [0, 1, 0, 0, 0, 0]
    assert result["net_count_shop_200m"].tolist() == [0, 1, 1, 0, 0, 0]
    assert list(result.index) == list("ABCDEF")


def test_unknown_snap_method(zone):
    graph, origins, pois = zone
    with pytest.raises(InputError, match="`snap` must be one of"):
        nearest_facility_distance(origins, pois, graph, snap="vertex")


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("func", [nearest_facility_distance, facility_counts_within],
                         ids=["nearest", "counts"])  # fmt: skip
def test_geographic_crs(town, homes, pois, func):
    with pytest.raises(CRSError, match="geographic CRS"):
        func(homes.to_crs(4326), pois, town)


@pytest.mark.parametrize("func", [nearest_facility_distance, facility_counts_within],
                         ids=["nearest", "counts"])  # fmt: skip
def test_mismatched_crs(town, homes, pois, func):
    with pytest.raises(CRSError, match="share one CRS"):
        func(homes, pois.to_crs("EPSG:32651"), town)


@pytest.mark.parametrize("func", [nearest_facility_distance, facility_counts_within],
                         ids=["nearest", "counts"])  # fmt: skip
def test_missing_category_column(town, homes, pois, func):
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['kind'\]"):
        func(homes, pois, town, category_column="kind")


def test_duplicate_origin_index(town, homes, pois):
    with pytest.raises(SchemaError, match="uniquely indexed"):
        nearest_facility_distance(homes.set_axis(["a", "a", "b"]), pois, town)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"max_distance": -1}, "`max_distance`"), ({"snap_distance": np.nan}, "`snap_distance`"),
     ({"categories": "school"}, "wrap it in a list"), ({"categories": ["a", "a"]}, "duplicates")],
    ids=["max-distance", "snap-distance", "categories-string", "categories-duplicated"],
)  # fmt: skip
def test_bad_options(town, homes, pois, kwargs, pattern):
    with pytest.raises(InputError, match=pattern):
        nearest_facility_distance(homes, pois, town, **kwargs)


# --------------------------------------------------------------------------- cross-checks


def _reference(nodes_xy, edge_list, origins_xy, fac_xy, fac_cat, cats, max_distance=None):
    """Reference computed with networkx, independent of our snapping and matrix building.

    Brute-force nearest nodes; a MultiDiGraph with both directions of every input
    edge (networkx keeps parallel edges and takes their minimum) and a virtual
    source with out-edges only, so no path can shortcut through it.
    """
    d_o = np.hypot(*(origins_xy[:, None, :] - nodes_xy[None, :, :]).transpose(2, 0, 1))
    d_f = np.hypot(*(fac_xy[:, None, :] - nodes_xy[None, :, :]).transpose(2, 0, 1))
    o_node, o_leg = d_o.argmin(1), d_o.min(1)
    f_node, f_leg = d_f.argmin(1), d_f.min(1)
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(len(nodes_xy)))
    for a, b, w in edge_list:
        G.add_edge(a, b, length=w)
        G.add_edge(b, a, length=w)
    dist = {}
    for cat in cats:
        H = G.copy()
        for n, leg in zip(f_node[fac_cat == cat], f_leg[fac_cat == cat], strict=True):
            H.add_edge("virtual", n, length=leg)
        reach = nx.multi_source_dijkstra_path_length(H, {"virtual"}, weight="length")
        col = np.array([o_leg[i] + reach.get(n, np.inf) for i, n in enumerate(o_node)])
        if max_distance is not None:
            col[col > max_distance] = np.inf
        dist[f"net_dist_{cat}"] = np.where(np.isfinite(col), col, np.nan)
    return pd.DataFrame(dist), (G, o_node, o_leg, f_node, f_leg)


def _reference_counts(G, o_node, o_leg, f_node, f_leg, fac_cat, cats, distances):
    out = {}
    per_origin = [
        nx.single_source_dijkstra_path_length(G, n, cutoff=max(distances), weight="length")
        for n in o_node
    ]
    for cat in cats:
        sel = fac_cat == cat
        tot = np.array(
            [[o_leg[i] + reach.get(n, np.inf) + leg
              for n, leg in zip(f_node[sel], f_leg[sel], strict=True)]
             for i, reach in enumerate(per_origin)]
        ).reshape(len(o_node), int(sel.sum()))  # fmt: skip
        for d in distances:
            out[f"net_count_{cat}_{d}m"] = (tot <= d + 1e-7).sum(axis=1)
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def planar():
    """Random planar-ish network, seeded, UTM 50N.

    Delaunay edges of 300 points, a quarter dropped, detours of up to 30 %, 40 parallel
    edges, 12 zero-length edges, plus a separate 20-node cluster.
    """
    rng = np.random.default_rng(20240611)
    pts = np.vstack([rng.uniform(0, 3000, (300, 2)), rng.uniform(8000, 8500, (20, 2))])
    edges = []
    for block in (np.arange(300), np.arange(300, 320)):
        tri = Delaunay(pts[block]).simplices
        pairs = np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]])
        pairs = np.unique(np.sort(pairs, axis=1), axis=0)
        edges.append(block[pairs])
    pairs = np.vstack(edges)
    pairs = pairs[rng.random(len(pairs)) > 0.25]
    length = np.hypot(*(pts[pairs[:, 0]] - pts[pairs[:, 1]]).T) * rng.uniform(1, 1.3, len(pairs))
    length[rng.choice(len(pairs), 12, replace=False)] = 0.0
    extra = rng.choice(len(pairs), 40, replace=False)
    pairs = np.vstack([pairs, pairs[extra][:, ::-1]])
    length = np.concatenate([length, length[extra] * rng.uniform(0.5, 2.0, 40)])
    n_fac, n_org = 90, 120
    fac_xy = np.vstack([rng.uniform(0, 3000, (n_fac - 5, 2)), rng.uniform(8000, 8500, (5, 2))])
    fac_cat = rng.choice(np.array(["clinic", "school", "shop"]), n_fac)
    org_xy = np.vstack([rng.uniform(0, 3000, (n_org - 6, 2)), rng.uniform(8000, 8500, (6, 2))])
    return pts, pairs, length, fac_xy, fac_cat, org_xy


@pytest.fixture(scope="module")
def planar_layers(planar):
    """The random network as (graph, origins, facilities)."""
    pts, pairs, length, fac_xy, fac_cat, org_xy = planar
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*pts.T), crs=CRS)
    edges = pd.DataFrame({"u": pairs[:, 0], "v": pairs[:, 1], "length": length})
    origins = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*org_xy.T), crs=CRS)
    facilities = gpd.GeoDataFrame(
        {"category": fac_cat}, geometry=gpd.points_from_xy(*fac_xy.T), crs=CRS
    )
    return graph_from_edges(nodes, edges), origins, facilities


def _reference_edge(nodes_xy, edge_list, origins_xy, fac_xy, fac_cat, cats, distances,
                    max_distance=None):
    """Reference for edge snapping computed with networkx, built independently of our code.

    Brute-force nearest straight segment of every point; each edge carrying
    points is *split* at their entry points (sorted along it) into a chain of
    networkx edges, so distances along edges and between two points on one edge
    need no special case. Returns (nearest, counts) frames.
    """
    best = {}
    for a, b, w in edge_list:
        if a != b:
            key = (min(a, b), max(a, b))
            best[key] = min(best.get(key, np.inf), max(float(w), 1e-6))
    keys = np.array(list(best))
    lengths = np.array([best[tuple(k)] for k in keys])
    p0, p1 = nodes_xy[keys[:, 0]], nodes_xy[keys[:, 1]]
    pts = np.vstack([origins_xy, fac_xy])
    d = p1 - p0
    dd = np.maximum((d**2).sum(1), 1e-300)
    t = np.clip(((pts[:, None, :] - p0[None]) * d[None]).sum(2) / dd[None], 0, 1)
    proj = p0[None] + t[..., None] * d[None]
    gap = np.hypot(*(pts[:, None, :] - proj).transpose(2, 0, 1))
    e = gap.argmin(1)
    leg = gap[np.arange(len(pts)), e]
    tt = t[np.arange(len(pts)), e]
    G = nx.Graph()
    G.add_nodes_from(range(len(nodes_xy)))
    on_edge = pd.DataFrame({"e": e, "t": tt, "p": np.arange(len(pts))}).sort_values(["e", "t"])
    carried = set(on_edge["e"])
    for i, (a, b) in enumerate(keys):
        if i not in carried:
            G.add_edge(a, b, length=lengths[i])
    for i, grp in on_edge.groupby("e"):
        chain = [keys[i][0], *(("p", p) for p in grp["p"]), keys[i][1]]
        pos = np.concatenate([[0.0], grp["t"].to_numpy(), [1.0]]) * lengths[i]
        for x, y, w in zip(chain[:-1], chain[1:], np.diff(pos), strict=True):
            G.add_edge(x, y, length=w)
    n_o = len(origins_xy)
    nearest, counts = {}, {}
    reach = [nx.single_source_dijkstra_path_length(G, ("p", i), weight="length")
             for i in range(n_o)]
    for cat in cats:
        fac = np.flatnonzero(fac_cat == cat)
        tot = np.array([[leg[i] + r.get(("p", n_o + f), np.inf) + leg[n_o + f] for f in fac]
                        for i, r in enumerate(reach)]).reshape(n_o, len(fac))
        near = tot.min(axis=1, initial=np.inf)
        if max_distance is not None:
            near[near > max_distance] = np.inf
        nearest[f"net_dist_{cat}"] = np.where(np.isfinite(near), near, np.nan)
        for dist in distances:
            counts[f"net_count_{cat}_{dist}m"] = (tot <= dist + 1e-7).sum(axis=1)
    return pd.DataFrame(nearest), pd.DataFrame(counts)


@pytest.mark.parametrize("max_distance", [None, 900.0], ids=["unbounded", "900m"])
def test_nearest_matches_networkx_on_random_network(planar, planar_layers, max_distance):
    pts, pairs, length, fac_xy, fac_cat, org_xy = planar
    g, origins, facilities = planar_layers
    assert g.n_components > 1
    cats = ["clinic", "school", "shop"]
    expected, _ = _reference(
        pts, zip(*pairs.T, length, strict=True), org_xy, fac_xy, fac_cat, cats, max_distance
    )
    result = nearest_node(origins, facilities, g, max_distance=max_distance)
    assert result.isna().any().any()
    assert result.notna().any().all()
    pd.testing.assert_frame_equal(result, expected, rtol=0, atol=1e-4)


def test_counts_match_networkx_on_random_network(planar, planar_layers):
    pts, pairs, length, fac_xy, fac_cat, org_xy = planar
    g, origins, facilities = planar_layers
    cats, distances = ["clinic", "school", "shop"], (300, 500, 1000, 1500)
    _, (G, o_node, o_leg, f_node, f_leg) = _reference(
        pts, zip(*pairs.T, length, strict=True), org_xy, fac_xy, fac_cat, cats
    )
    expected = _reference_counts(G, o_node, o_leg, f_node, f_leg, fac_cat, cats, distances)
    result = counts_node(origins, facilities, g, distances=distances)
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)
    assert result.to_numpy().sum() > 0


@pytest.fixture(scope="module")
def planar_edge_reference(planar):
    pts, pairs, length, fac_xy, fac_cat, org_xy = planar
    cats = ["clinic", "school", "shop"]
    return {
        md: _reference_edge(pts, list(zip(*pairs.T, length, strict=True)), org_xy, fac_xy,
                            fac_cat, cats, (300, 500, 1000, 1500), md)
        for md in (None, 900.0)
    }  # fmt: skip


@pytest.mark.parametrize("max_distance", [None, 900.0], ids=["unbounded", "900m"])
def test_edge_snapping_nearest_matches_networkx(planar_layers, planar_edge_reference,
                                                max_distance):
    g, origins, facilities = planar_layers
    expected, _ = planar_edge_reference[max_distance]
    result = nearest_facility_distance(origins, facilities, g, max_distance=max_distance)
    assert result.isna().any().any()
    pd.testing.assert_frame_equal(result, expected, rtol=0, atol=1e-4)


def test_edge_snapping_counts_match_networkx(planar_layers, planar_edge_reference):
    g, origins, facilities = planar_layers
    _, expected = planar_edge_reference[None]
    result = facility_counts_within(origins, facilities, g)
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)
    assert result.to_numpy().sum() > 100


@pytest.fixture(scope="module")
def kouvola():
    """The test extract bundled with pyrosm (Kouvola, Finland) projected to UTM 35N."""
    pyrosm = pytest.importorskip("pyrosm")
    osm = pyrosm.OSM(pyrosm.get_data("test_pbf"))
    nodes, edges = osm.get_network(network_type="walking", nodes=True)
    return nodes.to_crs("EPSG:32635").set_index("id"), edges.to_crs("EPSG:32635")


@pytest.mark.parametrize("snap", ["node", "edge"])
def test_nearest_matches_networkx_on_kouvola(kouvola, snap):
    nodes, edges = kouvola
    g = graph_from_edges(nodes, edges)
    rng = np.random.default_rng(35)
    xmin, ymin, xmax, ymax = nodes.total_bounds
    fac_xy = np.column_stack([rng.uniform(xmin, xmax, 40), rng.uniform(ymin, ymax, 40)])
    org_xy = np.column_stack([rng.uniform(xmin, xmax, 150), rng.uniform(ymin, ymax, 150)])
    fac_cat = rng.choice(np.array(["grocery", "school"]), 40)
    facilities = gpd.GeoDataFrame(
        {"category": fac_cat}, geometry=gpd.points_from_xy(*fac_xy.T), crs=nodes.crs
    )
    origins = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*org_xy.T), crs=nodes.crs)

    pos = pd.Index(nodes.index)
    edge_list = list(zip(pos.get_indexer(edges["u"]), pos.get_indexer(edges["v"]),
                         edges["length"], strict=True))  # fmt: skip
    node_xy = shapely.get_coordinates(nodes.geometry.values)
    cats = ["grocery", "school"]
    if snap == "node":
        expected, _ = _reference(node_xy, edge_list, org_xy, fac_xy, fac_cat, cats)
    else:
        expected, _ = _reference_edge(node_xy, edge_list, org_xy, fac_xy, fac_cat, cats, ())
    result = nearest_facility_distance(origins, facilities, g, snap=snap)
    assert result.notna().mean().min() > 0.5
    pd.testing.assert_frame_equal(result, expected, rtol=0, atol=1e-4)


# ------------------------------------------- every node: parallel compiled path vs per-origin


@pytest.fixture(scope="module")
def planar_node_points(planar, planar_layers):
    """Every node of the random network as a point origin, indexed like node_accessibility."""
    pts = planar[0]
    g = planar_layers[0]
    index = pd.Index(g.node_ids, name="node")
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(*pts[g.node_ids].T), crs=CRS, index=index)


@pytest.mark.parametrize("threads", [1, numba.config.NUMBA_NUM_THREADS], ids=["1thread", "all"])
@pytest.mark.parametrize("max_distance", [None, 900.0], ids=["unbounded", "900m"])
def test_node_accessibility_equals_per_origin_engines(planar_layers, planar_node_points,
                                                      max_distance, threads):
    # node snapping puts a node origin exactly on its node (0 m leg), so the every-node
    # engines (multi-source Dijkstra per category and the per-facility searches, both
    # spread over numba threads) must give the per-origin results bit for bit
    g, _, facilities = planar_layers
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        result = node_accessibility(facilities, g, snap="node", max_distance=max_distance)
    finally:
        numba.set_num_threads(previous)
    expected = pd.concat([
        nearest_node(planar_node_points, facilities, g, max_distance=max_distance),
        counts_node(planar_node_points, facilities, g),
    ], axis=1)  # fmt: skip
    pd.testing.assert_frame_equal(result, expected, check_exact=True)
    assert result.filter(like="net_dist").isna().any().any()
    assert result.filter(like="net_count").to_numpy().sum() > 1000


def test_node_accessibility_edge_snapping_equals_per_origin(planar_layers, planar_node_points):
    # facilities in mid-edge: the seeds at both ends of each facility's edge; nodes
    # without any edge are left out (as point origins they would snap to another edge)
    g, _, facilities = planar_layers
    on_network = np.diff(g.matrix.indptr) > 0
    result = node_accessibility(facilities, g).loc[on_network]
    origins = planar_node_points.loc[on_network]
    near = nearest_facility_distance(origins, facilities, g)
    pd.testing.assert_frame_equal(result[near.columns], near, rtol=0, atol=1e-9)
    counts = facility_counts_within(origins, facilities, g)
    pd.testing.assert_frame_equal(result[counts.columns], counts)
    assert counts.to_numpy().sum() > 1000
