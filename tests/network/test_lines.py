"""graph_from_lines: snapping of line ends, joins at shared vertices, bridges and tunnels."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis import SchemaError
from cityind_gis.network import graph_from_edges, graph_from_lines
from cityind_gis.testing import china_park

CRS = "EPSG:32650"


def _layer(lines, **columns):
    return gpd.GeoDataFrame(columns, geometry=[shapely.LineString(c) for c in lines], crs=CRS)


def _degrees(nodes, edges, xy):
    """Sorted degrees of the nodes at ``xy`` (two nodes there when a bridge passes over)."""
    xy_nodes = shapely.get_coordinates(nodes.geometry.values)
    at = np.flatnonzero((np.abs(xy_nodes - xy) < 1e-6).all(axis=1))
    deg = pd.concat([edges["u"], edges["v"]]).value_counts()
    return sorted(int(deg.get(i, 0)) for i in at)


#   (0,100)
#      |  road "ns", vertex at (0, 0)
#  (-100,0) ---- (0,0) ---- (100,0)   road "ew"
#      |
#   (0,-100)
CROSS = [[(-100, 0), (0, 0), (100, 0)], [(0, 100), (0, 0), (0, -100)]]


@pytest.mark.parametrize(
    ("columns", "joined"),
    [
        ({}, True),
        ({"bridge": ["no", "yes"]}, False),
        ({"tunnel": [None, "culvert"]}, False),
        ({"layer": [0, 1]}, False),
        ({"layer": [1, 1]}, True),
        ({"bridge": ["是", "否"]}, False),
        ({"bridge": ["F", "0"]}, True),
    ],
    ids=["at-grade", "bridge", "tunnel", "layer", "same-layer", "chinese-flags", "falsy-flags"],
)
def test_crossing_at_shared_vertex(columns, joined):
    nodes, edges = graph_from_lines(_layer(CROSS, **columns))
    assert _degrees(nodes, edges, (0.0, 0.0)) == ([4] if joined else [2, 2])
    assert graph_from_edges(nodes, edges).n_components == (1 if joined else 2)


def test_bridge_joins_at_its_ends():
    # a bridge from (-100, 0) over (0, 0) to (100, 50): its ends meet the road's ends
    lines = CROSS + [[(-100, 0), (0, 0), (100, 100)]]
    nodes, edges = graph_from_lines(_layer(lines, bridge=["", "", "Y"]))
    assert _degrees(nodes, edges, (0.0, 0.0)) == [2, 4]  # bridge over the road junction
    assert _degrees(nodes, edges, (-100.0, 0.0)) == [2]  # road end + bridge end
    assert graph_from_edges(nodes, edges).n_components == 1


def test_explicit_level_column_and_errors():
    layer = _layer(CROSS, z=[0, -1], layer=[0, 0])
    nodes, edges = graph_from_lines(layer, level_column="z")
    assert _degrees(nodes, edges, (0.0, 0.0)) == [2, 2]
    with pytest.raises(SchemaError, match="must hold numbers"):
        graph_from_lines(_layer(CROSS, z=["ground", "up"]), level_column="z")
    with pytest.raises(SchemaError, match="missing column"):
        graph_from_lines(layer, level_column="level")


@pytest.mark.parametrize(
    ("gap", "tolerance", "n_components"),
    [(0.3, 0.5, 1), (0.49, 0.5, 1), (0.6, 0.5, 2), (1.5, 2.0, 1)],
    ids=["undershoot", "near-limit", "beyond", "loose"],
)
def test_line_end_snaps_within_tolerance(gap, tolerance, n_components):
    # a T-junction: the stem ends `gap` m short of the vertex (0, 0) of the cross road
    lines = [[(-100, 0), (0, 0), (100, 0)], [(0, 100), (0, gap)]]
    nodes, edges = graph_from_lines(_layer(lines), tolerance=tolerance)
    assert graph_from_edges(nodes, edges).n_components == n_components


def test_near_interior_vertices_are_not_merged():
    # two parallel roads 0.3 m apart (a dual carriageway) share no end: they stay apart
    lines = [[(0, 0), (50, 0), (100, 0)], [(0, 50.3), (50, 0.3), (100, 50.3)]]
    nodes, edges = graph_from_lines(_layer(lines), tolerance=0.5)
    assert len(nodes) == 6
    assert graph_from_edges(nodes, edges).n_components == 2


def test_china_park_bridge_is_not_joined_midway():
    roads = china_park()["roads"]
    nodes, edges = graph_from_lines(roads.set_index(pd.Index(range(len(roads)))))
    x0, y0 = shapely.get_coordinates(roads.geometry.iloc[8])[0]
    # grid crossing under the bridge: a 4-way road node and a separate bridge node
    assert _degrees(nodes, edges, (x0 + 200, y0 + 200)) == [2, 4]
    # the bridge's end at the park corner joins the two boundary roads
    assert _degrees(nodes, edges, (x0, y0)) == [3]
    bridge = edges[edges["road"] == 8]
    assert len(bridge) == 3 and bridge["length"].sum() == pytest.approx(600 * np.sqrt(2))
    assert graph_from_edges(nodes, edges).n_components == 1
