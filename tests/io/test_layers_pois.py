"""Several POI sources read by their own `[[pois]]` table and merged (`load_poi_sources`)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from cityind_gis.config import LayerConfig
from cityind_gis.io.layers import load_poi_sources

CRS = "EPSG:32650"

# amap: five POIs in a GeoPackage (UTM 50N); stops: a lon/lat CSV of four POIs, three of which
# are the same facilities as amap's (same category, same name, same place), one a new stop.
_AMAP = pd.DataFrame({"名称": ["站A", "站B", "小学", "诊所", "超市"],
                      "kind": ["transit", "transit", "education", "healthcare", "retail"],
                      "x": [500_000.0, 500_300.0, 500_600.0, 500_900.0, 501_200.0],
                      "y": [3_500_000.0] * 5})
_STOPS = pd.DataFrame({"名称": ["站A", "站B", "小学", "站C"],
                       "类型": ["transit", "transit", "education", "transit"],
                       "x": [500_000.0, 500_300.0, 500_600.0, 501_500.0],
                       "y": [3_500_000.0] * 4})


def _write(tmp_path):
    amap = gpd.GeoDataFrame(_AMAP[["名称", "kind"]],
                            geometry=gpd.points_from_xy(_AMAP.x, _AMAP.y), crs=CRS)
    amap.to_file(tmp_path / "amap.gpkg")
    ll = gpd.GeoSeries(gpd.points_from_xy(_STOPS.x, _STOPS.y), crs=CRS).to_crs(4326)
    stops = _STOPS[["名称", "类型"]].assign(lon=np.round(ll.x, 8), lat=np.round(ll.y, 8))
    stops.to_csv(tmp_path / "公交站点.csv", index=False, encoding="utf-8")
    return [LayerConfig(path=tmp_path / "amap.gpkg", class_column="kind", name="amap",
                        section="pois"),
            LayerConfig(path=tmp_path / "公交站点.csv", class_column="类型", name="stops",
                        section="pois")]


def test_two_sources_three_exact_duplicates(tmp_path):
    sections = _write(tmp_path)
    with pytest.warns(UserWarning, match=r"3 POI\(s\) held by two sources were dropped as "
                      r"duplicates .*3 of 'stops' already in 'amap'"):
        pois, report = load_poi_sources(sections)
    # 5 + 4 read, 3 dropped: the five of amap and the new stop
    assert len(pois) == 6
    assert pois["source"].tolist() == ["amap"] * 5 + ["stops"]
    assert pois["name"].tolist() == ["站A", "站B", "小学", "诊所", "超市", "站C"]
    assert pois.attrs["sources"] == {"amap": 5, "stops": 4}
    assert pois.attrs["duplicates"] == [{"kept": "amap", "dropped": "stops", "count": 3}]
    assert pois.crs == CRS  # the lon/lat table reprojected to the first source's CRS
    assert pois.geometry.x.iloc[-1] == pytest.approx(501_500.0, abs=0.01)
    assert report.empty  # every value of both sources is a canonical category


def test_sources_keep_their_own_coords(tmp_path):
    """The same table declared GCJ-02 moves ~500 m: nothing left to deduplicate."""
    sections = _write(tmp_path)
    # 31.6 N, 117 E lies in China: GCJ-02 -> WGS 84 moves the stops a few hundred metres
    gcj = LayerConfig(path=sections[1].path, class_column="类型", name="stops",
                      coords="gcj02", section="pois")
    pois, _ = load_poi_sources([sections[0], gcj])
    assert len(pois) == 9 and "duplicates" in pois.attrs and pois.attrs["duplicates"] == []


def test_default_source_names_from_the_file(tmp_path):
    a, b = _write(tmp_path)
    assert LayerConfig(path=a.path).source_name == "amap"
    assert LayerConfig(path=b.path).source_name == "公交站点"
    assert LayerConfig().source_name == "osm"
