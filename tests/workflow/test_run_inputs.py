"""The inputs of issue 13 through `run()`: `[[pois]]` sources and `[roads] exclude_classes`."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from cityind_gis import workflow
from cityind_gis.config import Config, LayerConfig, RoadsConfig, load_config
from cityind_gis.testing import write_china_park
from cityind_gis.workflow.run import data_credit

CONFIG = """[study]
name = "园区"
[grid]
cell_size = 200
[landuse]
path = "用地现状.shp"
class_column = "用地代码"
mapping = "gb50137"
[[pois]]
name = "amap"
path = "高德POI.csv"
class_column = "typecode"
mapping = "amap"
coords = "gcj02"
[[pois]]
name = "stops"
path = "公交站点.csv"
class_column = "typecode"
mapping = "amap"
coords = "gcj02"
[roads]
path = "道路中心线.shp"
{roads}
[gaps]
categories = ["education", "healthcare", "retail", "food", "transit"]
"""


def _park(tmp_path, roads=""):
    """The China park plus a stop list: three of amap's POIs again and one new bus stop."""
    paths = write_china_park(tmp_path)
    amap = pd.read_csv(paths["pois"], encoding="utf-8-sig")
    new = amap.iloc[[6]].assign(名称="纵2路公交站", 经度=amap["经度"].iloc[7])  # 200 m east
    pd.concat([amap.iloc[[2, 3, 6]], new]).to_csv(tmp_path / "公交站点.csv", index=False,
                                                  encoding="utf-8-sig")
    roads_layer = gpd.read_file(paths["roads"])
    # the diagonal bridge becomes a motorway
    roads_layer["highway"] = ["residential"] * 8 + ["motorway"]
    roads_layer.to_file(paths["roads"], encoding="UTF-8")
    cfg = tmp_path / "park.toml"
    cfg.write_text(CONFIG.format(roads=roads), encoding="utf-8")
    return cfg


def _run(cfg):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = workflow.run(load_config(cfg))
    return result, [str(w.message) for w in caught]


def test_pois_sources_merged_in_a_run(tmp_path):
    result, messages = _run(_park(tmp_path))
    # 9 + 4 read, the 3 exact duplicates of amap's POIs dropped
    assert len(result.pois) == 10
    assert result.pois["source"].value_counts().to_dict() == {"amap": 9, "stops": 1}
    assert any("3 POI(s) held by two sources were dropped" in m
               and "3 of 'stops' already in 'amap'" in m for m in messages)
    params = result.params
    assert json.loads(params["poi_sources"]) == {"amap": 9, "stops": 4}
    assert params["n_poi_duplicates_dropped"] == 3
    # the motorway bridge left the walking network
    assert params["n_roads_excluded"] == 1 and params["n_roads_excluded_class"] == 1
    assert json.loads(params["roads_excluded_by_class"]) == {"motorway": 1}
    assert params["road_class_column"] == "highway"


@pytest.mark.parametrize(("roads", "edges", "excluded"),
                         [("", 24, 1), ("exclude_classes = []", 27, 0)],
                         ids=["default", "keep-all"])
def test_exclude_classes_in_a_run(tmp_path, roads, edges, excluded):
    """One road line, the bridge, is 3 edges (split at its vertices over two roads)."""
    result, _ = _run(_park(tmp_path, roads))
    assert len(result.network) == edges
    assert result.params["n_roads_excluded"] == excluded


@pytest.mark.parametrize(("second", "credit"),
                         [(LayerConfig(name="osm", section="pois"), True),
                          (LayerConfig(path=Path("stops.osm.pbf"), section="pois"), True),
                          (LayerConfig(path=Path("stops.csv"), section="pois"), False)],
                         ids=["osm-source", "osm-file-source", "own-file"])
def test_data_credit_sees_every_poi_source(second, credit):
    """Own land use, roads and first POI source; only the second POI source may be OSM."""
    own = {k: LayerConfig(path=Path(f"{k}.gpkg")) for k in ("landuse", "pois")}
    cfg = Config(osm=Path("x.osm.pbf") if second.path is None else None,
                 landuse=own["landuse"], pois=own["pois"],
                 roads=RoadsConfig(path=Path("roads.gpkg")), extra_pois=(second,))
    assert (data_credit(cfg) != "") is credit
