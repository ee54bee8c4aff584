import geopandas as gpd
import pandas as pd
import pytest
from shapely import Point

from cityind_gis import CRSError, InputError, SchemaError
from cityind_gis.io.sources import merge_poi_sources

UTM = "EPSG:32651"


def _pois(rows, crs=UTM, **extra):
    """rows: (x, y, category, name); status follows the category."""
    xs, ys, cats, names = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {"category": list(cats),
         "status": ["analysed" if c else "excluded" for c in cats],
         "name": list(names), **extra},
        geometry=[Point(x, y) for x, y in zip(xs, ys, strict=True)], crs=crs,
    )


@pytest.fixture
def amap():
    return _pois([(0, 0, "transit", "人民广场站"),      # 0: also in stops (0.5 m away)
                  (100, 0, "food", "老正兴"),          # 1: also in osm, no name there
                  (200, 0, "retail", "全家"),          # 2: osm has a shop of another name
                  (300, 0, None, "停车场")],            # 3: excluded: never a duplicate
                 source_value=["150500", "050100", "060200", "150900"])


@pytest.fixture
def stops():
    return _pois([(0.5, 0, "transit", " 人民广场站 "),  # dup of amap 0 (spaces ignored)
                  (0, 800, "transit", "南京东路站")])


@pytest.fixture
def osm():
    return _pois([(100, 0, "food", None),               # dup of amap 1 (one name missing)
                  (200, 0, "retail", "罗森"),            # different name: kept
                  (300, 0, None, None),                  # excluded: kept
                  (0, 0.2, "transit", "人民广场站"),      # dup of amap 0 and of stops 0
                  (0, 0, "healthcare", "人民广场站")],    # other category: kept
                 osm_id=[1, 2, 3, 4, 5])


def test_merge_known_answer(amap, stops, osm):
    with pytest.warns(UserWarning, match=r"3 POI\(s\) held by two sources") as rec:
        got = merge_poi_sources([amap, stops, osm], names=["amap", "stops", "osm"])
    assert "1 of 'stops' already in 'amap'" in str(rec[0].message)
    # amap 4 + stops 1 (of 2) + osm 3 (of 5: rows 0 and 3 dropped)
    assert got["source"].tolist() == ["amap"] * 4 + ["stops"] + ["osm"] * 3
    assert got["name"].fillna("-").tolist()[4:] == ["南京东路站", "罗森", "-", "人民广场站"]
    assert got["category"].tolist()[-1] == "healthcare"
    assert list(got.columns[:3]) == ["category", "source", "status"]
    assert got.index.equals(pd.RangeIndex(8))
    assert got.crs == amap.crs
    # osm_id only where the source had it; source_value only from amap
    assert got["osm_id"].isna().tolist() == [True] * 5 + [False] * 3
    assert got["source_value"].notna().sum() == 4
    # osm row 3 duplicates amap 0 and stops 0: counted once, against amap
    counts = {(r.kept, r.dropped): r.count
              for r in pd.DataFrame(got.attrs["duplicates"]).itertuples()}
    assert counts == {("amap", "stops"): 1, ("amap", "osm"): 2}


def test_inputs_not_modified(amap, stops):
    before = amap.copy()
    with pytest.warns(UserWarning, match="duplicates"):
        merge_poi_sources([amap, stops], names=["amap", "stops"])
    pd.testing.assert_frame_equal(amap, before)
    assert "source" not in amap.columns


@pytest.mark.parametrize(
    ("distance", "n_out"),
    [(0.0, 3), (0.4, 3), (0.5, 2), (10.0, 2)],
    ids=["exact", "below-0.5m", "at-0.5m", "10m"],
)
def test_tolerance(amap, stops, distance, n_out):
    a, s = amap.iloc[[0, 1]], stops.iloc[[0]]
    if n_out == 2:
        with pytest.warns(UserWarning, match="within"):
            got = merge_poi_sources([a, s], names=["amap", "stops"], dedupe_distance=distance)
    else:
        got = merge_poi_sources([a, s], names=["amap", "stops"], dedupe_distance=distance)
    assert len(got) == n_out


def test_identical_coordinates_at_zero_tolerance():
    a = _pois([(5, 5, "school", "一中")])
    b = _pois([(5, 5, "school", "一中"), (5, 5, "school", "一中")])  # twice in b: both match a
    with pytest.warns(UserWarning, match=r"2 of 'b' already in 'a'"):
        got = merge_poi_sources([a, b], names=["a", "b"], dedupe_distance=0)
    assert got["source"].tolist() == ["a"]


def test_duplicates_within_one_source_are_kept():
    a = _pois([(5, 5, "retail", "店"), (5, 5, "retail", "店")])
    got = merge_poi_sources([a, _pois([(900, 0, "retail", "店")])], names=["a", "b"])
    assert got["source"].tolist() == ["a", "a", "b"]
    assert got.attrs["duplicates"] == []


def test_geographic_crs_tolerance_in_metres():
    # 1e-5 deg of longitude at 31.23 N is 0.95 m; 3e-5 deg is 2.85 m
    a = _pois([(121.47, 31.23, "food", None)], crs="EPSG:4326")
    b = _pois([(121.47001, 31.23, "food", None), (121.47003, 31.23, "food", None)],
              crs="EPSG:4326")
    with pytest.warns(UserWarning, match="1 of 'b'"):
        got = merge_poi_sources([a, b], names=["a", "b"], dedupe_distance=1.0)
    assert got.geometry.x.tolist() == pytest.approx([121.47, 121.47003])
    assert got.crs.to_epsg() == 4326


def test_single_source_and_other_geometry_name(amap):
    src = amap.rename_geometry("geom")
    got = merge_poi_sources([src], names=["amap"])
    assert got.geometry.name == "geometry"
    assert got["source"].eq("amap").all() and len(got) == 4


def test_crs_mismatch_names_the_source(amap, stops):
    with pytest.raises(CRSError, match=r"`sources\[1\]` \('stops'\) is in EPSG:4326"):
        merge_poi_sources([amap, stops.to_crs(4326)], names=["amap", "stops"])
    with pytest.raises(CRSError, match=r"`sources\[1\]` \('stops'\) has no CRS"):
        merge_poi_sources([amap, stops.set_crs(None, allow_override=True)],
                          names=["amap", "stops"])


@pytest.mark.parametrize(
    ("names", "match"),
    [(["amap"], "one name per source"), (["a", "a"], "more than once"),
     (["a", ""], "non-empty"), ("ab", "one name per source")],
    ids=["too-few", "repeated", "empty", "string"],
)
def test_bad_names(amap, stops, names, match):
    with pytest.raises(InputError, match=match):
        merge_poi_sources([amap, stops], names=names)


def test_bad_sources(amap):
    with pytest.raises(InputError, match="is empty"):
        merge_poi_sources([], names=[])
    with pytest.raises(InputError, match="wrap a single layer"):
        merge_poi_sources(amap, names=["amap"])
    with pytest.raises(SchemaError, match=r"lacks column\(s\) \['status'\]"):
        merge_poi_sources([amap, amap.drop(columns="status")], names=["a", "b"])
    with pytest.raises(SchemaError, match="already has a 'source' column"):
        merge_poi_sources([amap.assign(source="x")], names=["a"])
    with pytest.raises(InputError, match="`dedupe_distance` must be a non-negative"):
        merge_poi_sources([amap], names=["a"], dedupe_distance=-1)
