"""Disconnected fragments (units join the main network) and road classes nobody walks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis._errors import InputError, SchemaError
from cityind_gis.network import (
    WALK_EXCLUDED_CLASSES,
    exclude_road_classes,
    facility_counts_within,
    graph_from_edges,
    graph_from_lines,
    nearest_facility_distance,
    snap_points,
    snap_report,
    snap_to_edges,
)

CRS = "EPSG:32650"


@pytest.fixture
def grid_and_fragment():
    """A 3 x 3 main grid of 100 m blocks, a 40 m fragment beside it, a unit on the fragment.

    ::

                                 F1 (250,300) --40-- F2 (290,300)     fragment
                                    u (260,305): 5 m from the fragment
        (0,200) -- (100,200) -- (200,200)
           |           |           |
        (0,100) -- (100,100) -- (200,100)        main network, 9 nodes
           |           |           |
        (0,0) ---- (100,0) ---- (200,0)
        shop (0,-5)       on_grid (100,-5)

    The unit's nearest edge is the fragment; its nearest *main* edge ends at
    (200, 200), hypot(60, 105) = 120.934 m away (the entry point is the node).
    Walk: 120.934 + 400 (grid path to (0, 0)) + 5 (shop's leg) = 525.934 m.
    """
    xs, ys = np.meshgrid([0, 100, 200], [0, 100, 200])
    xy = np.column_stack([xs.ravel(), ys.ravel()]).tolist() + [[250, 300], [290, 300]]
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*np.array(xy).T), crs=CRS)
    pairs = [(r * 3 + c, r * 3 + c + 1) for r in range(3) for c in range(2)]
    pairs += [(r * 3 + c, (r + 1) * 3 + c) for r in range(2) for c in range(3)]
    pairs.append((9, 10))
    u, v = zip(*pairs, strict=True)
    length = [float(np.hypot(*np.subtract(xy[a], xy[b]))) for a, b in pairs]
    graph = graph_from_edges(nodes, pd.DataFrame({"u": u, "v": v, "length": length}))
    units = gpd.GeoDataFrame(geometry=gpd.points_from_xy([260, 100], [305, -5]),
                             index=pd.Index(["beside_fragment", "on_grid"], name="unit"), crs=CRS)
    shop = gpd.GeoDataFrame({"category": ["retail"]}, geometry=gpd.points_from_xy([0], [-5]),
                            crs=CRS)
    return graph, units, shop


LEG = float(np.hypot(60, 105))


@pytest.mark.parametrize("snap", ["edge", "node"], ids=["edge", "node"])
def test_unit_beside_fragment_reaches_main_network(grid_and_fragment, snap):
    graph, units, shop = grid_and_fragment
    with pytest.warns(UserWarning, match=r"1 of 2 feature\(s\) of `origins` lie nearest to a "
                                         r"network fragment"):
        dist = nearest_facility_distance(units, shop, graph, snap=snap)
    # on_grid: 5 m up to node (100,0), 100 m to (0,0), the shop's 5 m leg: 110
    np.testing.assert_allclose(dist["net_dist_retail"], [LEG + 400 + 5, 110.0], atol=1e-9)


@pytest.mark.parametrize(("component", "reachable"),
                         [("any", False), (2, False), (3, True)],
                         ids=["any", "min-2-nodes", "min-3-nodes"])
def test_component_choices(grid_and_fragment, component, reachable):
    graph, units, shop = grid_and_fragment
    if reachable:
        with pytest.warns(UserWarning, match="part of at least 3 nodes"):
            dist = nearest_facility_distance(units, shop, graph, component=component)
    else:  # the old behaviour: the fragment leads nowhere
        dist = nearest_facility_distance(units, shop, graph, component=component)
    assert np.isfinite(dist.loc["beside_fragment", "net_dist_retail"]) == reachable


def test_counts_from_main_network(grid_and_fragment):
    graph, units, shop = grid_and_fragment
    with pytest.warns(UserWarning, match="network fragment"):
        counts = facility_counts_within(units, shop, graph, distances=(500, 600))
    assert counts.loc["beside_fragment"].tolist() == [0, 1]  # 525.9 m


def test_facility_on_fragment_joins_main_network(grid_and_fragment):
    graph, units, _ = grid_and_fragment
    # a clinic 5 m from the fragment joins the main network at (200,200), 120.934 m away;
    # from on_grid: 5 m leg + 300 m from (100,0) to (200,200) + 120.934
    clinic = gpd.GeoDataFrame({"category": ["healthcare"]},
                              geometry=gpd.points_from_xy([260], [305]), crs=CRS)
    with pytest.warns(UserWarning) as record:
        dist = nearest_facility_distance(units, clinic, graph)
    assert any("`facilities`" in str(w.message) for w in record)
    assert dist.loc["on_grid", "net_dist_healthcare"] == pytest.approx(305 + LEG, abs=1e-9)


def test_snap_functions_report_rejoined(grid_and_fragment):
    graph, units, _ = grid_and_fragment
    with pytest.warns(UserWarning, match="1 of 2 feature"):
        edges = snap_to_edges(graph, units)
    with pytest.warns(UserWarning, match="1 of 2 feature"):
        nodes = snap_points(graph, units)
    assert edges["rejoined"].tolist() == [True, False]
    assert nodes["rejoined"].tolist() == [True, False]
    np.testing.assert_allclose(edges["snap_dist"], [LEG, 5.0])
    assert graph.xy[nodes.loc["beside_fragment", "node"]].tolist() == [200.0, 200.0]
    report = snap_report(units, graph)  # the report itself never warns
    assert report["rejoined"].tolist() == [True, False]
    assert report["main_network"].all()
    old = snap_report(units, graph, component="any")
    assert old["main_network"].tolist() == [False, True]
    assert not old["rejoined"].any()


# Adding a facility never lengthens a walk: the component a feature joins depends on the
# network alone, never on which other facilities exist. Three shops, each alone (hand-worked,
# in metres; LEG = hypot(60, 105) = 120.934 is the unit's rejoin leg to node (200, 200)):
#   A (0,-5)     beside: LEG + 400 + 5                      = 525.934 ; on_grid: 5 + 100 + 5 = 110
#   B (270,295)  next to the fragment, rejoins at (200, 200) with leg hypot(70, 95) = 118.004:
#                beside: LEG + 118.004 = 238.938 ; on_grid: 5 + 100 + 200 + 118.004 = 423.004
#   C (205,160)  edge snap: 5 m leg onto (200,100)-(200,200), 40 m below (200, 200):
#                beside: LEG + 40 + 5 = 165.934 ; on_grid: 5 + 100 + 100 + 60 + 5 = 270
#                node snap: nearest node (200, 200), leg hypot(5, 40) = 40.311:
#                beside: LEG + 40.311 = 161.245 ; on_grid: 5 + 100 + 200 + 40.311 = 345.311
# The nearest-facility distance of a set is the minimum of these rows over its members.
SHOPS = {"A": (0, -5), "B": (270, 295), "C": (205, 160)}
ALONE = {
    "edge": {"A": [LEG + 405, 110.0], "B": [LEG + np.hypot(70, 95), 305 + np.hypot(70, 95)],
             "C": [LEG + 45, 270.0]},
    "node": {"A": [LEG + 405, 110.0], "B": [LEG + np.hypot(70, 95), 305 + np.hypot(70, 95)],
             "C": [LEG + np.hypot(5, 40), 305 + np.hypot(5, 40)]},
}
SUBSETS = ["A", "B", "C", "AB", "AC", "BC", "ABC"]


def _shops(names):
    xy = np.array([SHOPS[n] for n in names], dtype=float)
    return gpd.GeoDataFrame({"category": ["retail"] * len(names)},
                            geometry=gpd.points_from_xy(*xy.T), crs=CRS)


def _nearest_of(graph, units, names, snap):
    with pytest.warns(UserWarning, match="lie nearest to a network fragment"):
        return nearest_facility_distance(units, _shops(names), graph, snap=snap,
                                         component="largest")["net_dist_retail"].to_numpy()


@pytest.mark.parametrize("snap", ["edge", "node"], ids=["edge", "node"])
@pytest.mark.parametrize("names", SUBSETS, ids=SUBSETS)
def test_nearest_of_a_set_is_the_minimum_over_its_facilities(grid_and_fragment, names, snap):
    graph, units, _ = grid_and_fragment
    expected = np.min([ALONE[snap][n] for n in names], axis=0)
    np.testing.assert_allclose(_nearest_of(graph, units, names, snap), expected, atol=1e-9)


@pytest.mark.parametrize("snap", ["edge", "node"], ids=["edge", "node"])
def test_adding_a_facility_never_increases_a_distance(grid_and_fragment, snap):
    # every subset S of every superset T: d(T) <= d(S) for every unit (the panel invariant:
    # a later year with more services never walks farther); B rejoins, like the unit
    graph, units, _ = grid_and_fragment
    dist = {s: _nearest_of(graph, units, s, snap) for s in SUBSETS}
    pairs = [(s, t) for s in SUBSETS for t in SUBSETS if s != t and set(s) <= set(t)]
    assert len(pairs) == 12
    for s, t in pairs:
        assert (dist[t] <= dist[s] + 1e-9).all(), (s, t, dist[s], dist[t])
    # the rejoined shop B really shortens the unit's walk (525.934 -> 238.938)
    assert dist["AB"][0] == pytest.approx(LEG + np.hypot(70, 95))


def test_adding_a_facility_never_lowers_a_count(grid_and_fragment):
    # within 200 m: beside has C (165.9); on_grid has A (110). Within 500 m: beside B, C;
    # on_grid A, B (423.0), C (270)
    graph, units, _ = grid_and_fragment
    counts = {}
    for s in SUBSETS:
        with pytest.warns(UserWarning, match="lie nearest to a network fragment"):
            counts[s] = facility_counts_within(units, _shops(s), graph, distances=[200, 500],
                                               component="largest").to_numpy()
    np.testing.assert_array_equal(counts["ABC"], [[1, 2], [1, 3]])
    np.testing.assert_array_equal(counts["A"], [[0, 0], [1, 1]])
    for s in SUBSETS:
        for t in SUBSETS:
            if set(s) < set(t):
                assert (counts[t] >= counts[s]).all(), (s, t)


@pytest.mark.parametrize("component", ["main", 0, 2.5, True], ids=["word", "zero", "float",
                                                                    "bool"])
def test_component_errors(grid_and_fragment, component):
    graph, units, shop = grid_and_fragment
    with pytest.raises(InputError, match="`component` must be one of"):
        nearest_facility_distance(units, shop, graph, component=component)


def test_component_larger_than_any_part(grid_and_fragment):
    graph, units, shop = grid_and_fragment
    with pytest.raises(InputError, match="largest has 9"):
        nearest_facility_distance(units, shop, graph, component=50)


# --------------------------------------------------------------------------- road classes


def _roads(highway, **tags):
    """A straight 400 m road of class ``highway`` and an 800 m detour round it.

    ::

        (0,200) ------------------- (400,200)
           |            detour          |
        (0,0) ======= shortcut ====== (400,0)
    """
    lines = [[(0, 0), (400, 0)], [(0, 0), (0, 200), (400, 200), (400, 0)]]
    cols = {"highway": [highway, "footway"]}
    cols.update({k: [v, None] for k, v in tags.items()})
    return gpd.GeoDataFrame(cols, geometry=[shapely.LineString(c) for c in lines], crs=CRS)


def _walk(roads):
    graph = graph_from_edges(*graph_from_lines(roads))
    home = gpd.GeoDataFrame(geometry=gpd.points_from_xy([-5], [0]), crs=CRS)
    shop = gpd.GeoDataFrame({"category": ["retail"]}, geometry=gpd.points_from_xy([405], [0]),
                            crs=CRS)
    return float(nearest_facility_distance(home, shop, graph).iloc[0, 0])


@pytest.mark.parametrize(
    ("highway", "tags", "expected"),
    [
        ("motorway", {}, 810.0),
        ("Trunk_Link ", {}, 810.0),
        ("高速公路", {}, 810.0),
        ("快速路", {}, 810.0),
        (["motorway", "trunk"], {}, 810.0),
        ("residential", {}, 410.0),
        ("主干路", {}, 410.0),
        ("residential", {"foot": "no"}, 810.0),
        ("service", {"access": "private"}, 810.0),
        ("service", {"access": "private", "foot": "yes"}, 410.0),
    ],
    ids=["motorway", "trunk-link-spacing", "gaosu", "kuaisu", "osmnx-list", "residential",
         "zhugan", "foot-no", "private", "private-foot-yes"],
)
def test_excluded_shortcut_is_not_walked(highway, tags, expected):
    roads = _roads(highway, **tags)
    assert _walk(roads) == 410.0  # everything walkable: 5 + 400 + 5
    kept = exclude_road_classes(roads)
    assert _walk(kept) == pytest.approx(expected)  # detour: 5 + 800 + 5
    assert len(roads) == 2  # input untouched


def test_exclude_counts_and_custom_classes():
    roads = _roads("motorway")
    kept = exclude_road_classes(roads, classes=["footway"])
    assert kept["highway"].tolist() == ["motorway"]
    assert exclude_road_classes(roads).attrs["excluded"] == {"class": 1, "foot_no": 0,
                                                             "access": 0}
    assert "motorway" in WALK_EXCLUDED_CLASSES and "快速路" in WALK_EXCLUDED_CLASSES


@pytest.mark.parametrize(("kwargs", "error", "match"),
                         [({"column": "等级"}, SchemaError, "等级"),
                          ({"classes": "motorway"}, InputError, "wrap it in a list")],
                         ids=["missing-column", "bare-string"])
def test_exclude_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        exclude_road_classes(_roads("motorway"), **kwargs)
