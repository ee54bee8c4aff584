"""`[roads] class_column` / `exclude_classes`: roads nobody walks along left out of the network."""

from __future__ import annotations

import logging

import geopandas as gpd
import pytest
import shapely

from cityind_gis._errors import InputError, SchemaError
from cityind_gis.config import RoadsConfig
from cityind_gis.io.layers import load_network, walkable_roads
from cityind_gis.network import graph_from_edges, nearest_facility_distance

CRS = "EPSG:32650"

#   (0,500) ---------- 1000 m ---------- (1000,500)
#      |  500 m                               | 500 m
#   A (0,0) ====== shortcut, 1000 m ====== B (1000,0)
#
# Walking A -> B: 1000 m along the shortcut, 2000 m around it.
_LOCAL = [shapely.LineString([(0, 0), (0, 500)]),
          shapely.LineString([(0, 500), (1000, 500)]),
          shapely.LineString([(1000, 500), (1000, 0)])]
_SHORTCUT = shapely.LineString([(0, 0), (1000, 0)])


def _roads(tmp_path, column="highway", shortcut="motorway", local="residential", **extra):
    """The four roads written to a GeoPackage; returns its path."""
    data = {column: [local] * 3 + [shortcut]}
    data.update({k: [None] * 3 + [v] for k, v in extra.items()})
    gdf = gpd.GeoDataFrame(data, geometry=[*_LOCAL, _SHORTCUT], crs=CRS)
    path = tmp_path / "roads.gpkg"
    gdf.to_file(path)
    return path


def _walk_a_to_b(nodes, edges) -> float:
    graph = graph_from_edges(nodes, edges)
    a = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=CRS)
    b = gpd.GeoDataFrame({"category": ["x"]}, geometry=[shapely.Point(1000, 0)], crs=CRS)
    return float(nearest_facility_distance(a, b, graph, snap="node")["net_dist_x"].iloc[0])


@pytest.mark.parametrize(
    ("keys", "road", "expected", "n_excluded"),
    [
        ({}, {"shortcut": "motorway"}, 2000.0, 1),
        ({"exclude_classes": []}, {"shortcut": "motorway"}, 1000.0, 0),
        ({}, {"shortcut": "trunk_link"}, 2000.0, 1),
        ({}, {"shortcut": " Motorway "}, 2000.0, 1),  # trimmed, case-insensitive
        ({}, {"shortcut": "primary"}, 1000.0, 0),
        ({"class_column": "等级"}, {"column": "等级", "shortcut": "高速公路", "local": "支路"},
         2000.0, 1),
        ({"class_column": "等级"}, {"column": "等级", "shortcut": "快速路", "local": "主干路"},
         2000.0, 1),
        ({"class_column": "等级", "exclude_classes": ["主干路"]},
         {"column": "等级", "shortcut": "高速公路", "local": "支路"}, 1000.0, 0),
        ({}, {"shortcut": "residential", "foot": "no"}, 2000.0, 1),
        ({}, {"shortcut": "service", "access": "private"}, 2000.0, 1),
        ({}, {"shortcut": "service", "access": "private", "foot": "yes"}, 1000.0, 0),
        ({"exclude_classes": []}, {"shortcut": "residential", "foot": "no"}, 1000.0, 0),
    ],
    ids=["motorway", "keep-all", "trunk-link", "spelling", "primary-kept", "gb-highway",
         "gb-expressway", "own-list", "foot-no", "private", "private-but-foot-yes",
         "keep-all-foot-no"],
)
def test_walk_with_and_without_the_shortcut(tmp_path, keys, road, expected, n_excluded):
    path = _roads(tmp_path, **road)
    nodes, edges = load_network(RoadsConfig(path=path, **keys))
    assert _walk_a_to_b(nodes, edges) == pytest.approx(expected, abs=1e-6)
    assert edges.attrs["excluded_roads"]["excluded"] == n_excluded


def test_counts_per_reason_and_log_line(tmp_path, caplog):
    #  four roads: a motorway, a foot=no footway, a private service road, a residential one
    gdf = gpd.GeoDataFrame(
        {"highway": ["motorway", "footway", "service", "residential"],
         "foot": [None, "no", None, None], "access": [None, None, "private", None]},
        geometry=[shapely.LineString([(0, i * 10), (100, i * 10)]) for i in range(4)], crs=CRS)
    with caplog.at_level(logging.INFO, logger="cityind_gis.io.layers"):
        kept, ex = walkable_roads(gdf, RoadsConfig(), source="roads.gpkg")
    assert kept["highway"].tolist() == ["residential"]
    assert ex == {"class_column": "highway", "segments": 4, "excluded": 3, "class": 1,
                  "foot_no": 1, "access": 1, "by_class": {"motorway": 1}}
    assert "excluded 3 of 4 road segment(s) of roads.gpkg from walking: 1 by class in " \
           "`highway` (motorway 1), 1 foot=no, 1 private/no access" in caplog.text
    assert len(gdf) == 4  # input untouched


def test_no_class_column_keeps_every_class(tmp_path):
    path = _roads(tmp_path, column="kind")  # no `highway`: nothing is excluded by class
    nodes, edges = load_network(RoadsConfig(path=path))
    assert _walk_a_to_b(nodes, edges) == pytest.approx(1000.0)
    assert edges.attrs["excluded_roads"]["class_column"] is None


def test_unknown_class_column_names_key_and_columns(tmp_path):
    path = _roads(tmp_path)
    with pytest.raises(SchemaError, match=r"`\[roads\] class_column` = 'grade' is not a column "
                       r"of 'roads.gpkg'; it has \['highway'\]"):
        load_network(RoadsConfig(path=path, class_column="grade"))


def test_every_road_excluded_is_an_error(tmp_path):
    gdf = gpd.GeoDataFrame({"highway": ["motorway"]}, geometry=[_SHORTCUT], crs=CRS)
    gdf.to_file(tmp_path / "m.gpkg")
    with pytest.raises(InputError, match=r"left none of the 1 road\(s\) of 'm.gpkg'"):
        load_network(RoadsConfig(path=tmp_path / "m.gpkg"))


@pytest.mark.parametrize("value", ["motorway", [1], [""]], ids=["string", "number", "empty"])
def test_exclude_classes_must_be_a_list_of_names(value):
    with pytest.raises(InputError, match=r"`\[roads\] exclude_classes` must be a list of "
                       "road-class names"):
        RoadsConfig(exclude_classes=value)


_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
  <node id="1" lat="60.0000" lon="25.0000"/>
  <node id="2" lat="60.0000" lon="25.0180"/>
  <node id="3" lat="60.0045" lon="25.0000"/>
  <node id="4" lat="60.0045" lon="25.0180"/>
  <node id="5" lat="60.0000" lon="25.0360"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="trunk"/></way>
  <way id="11"><nd ref="1"/><nd ref="3"/><nd ref="4"/><nd ref="2"/>
    <tag k="highway" v="residential"/></way>
  <way id="12"><nd ref="2"/><nd ref="5"/><tag k="highway" v="motorway"/></way>
</osm>
"""


@pytest.mark.parametrize(("keys", "highways", "n_excluded"),
                         # osmnx's graph holds each two-way way once per direction
                         [({}, {"residential"}, 2),
                          ({"exclude_classes": []}, {"residential", "trunk"}, 0)],
                         ids=["default", "keep-all"])
def test_osm_network_trunk_left_to_exclude_classes(tmp_path, keys, highways, n_excluded):
    """The OSM readers drop motorways (as pyrosm's walking filter); `[roads]` drops the trunk."""
    path = tmp_path / "tiny.osm"
    path.write_text(_XML, encoding="utf-8")
    nodes, edges = load_network(RoadsConfig(path=path, **keys))
    assert set(edges["highway"]) == highways
    assert edges.attrs["excluded_roads"]["excluded"] == n_excluded
    assert {1, 2} <= set(nodes.index)  # the trunk's ends stay: the residential way uses them
