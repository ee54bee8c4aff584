"""The validation report of `cityind validate` and the checks `run` repeats."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cityind_gis import pipeline
from cityind_gis.cli import main
from cityind_gis.config import load_config
from cityind_gis.testing import china_park, write_china_park
from cityind_gis.validate import (
    coordinate_offset,
    cross_layer_checks,
    layer_summary,
    network_fragments,
    validate_config,
)

CONFIG = """[study]
name = "园区"
[grid]
cell_size = 200
[landuse]
path = "用地现状.shp"
class_column = "用地代码"
mapping = "gb50137"
[pois]
path = "高德POI.csv"
class_column = "typecode"
mapping = "amap"
{coords}
[roads]
path = "道路中心线.shp"
[gaps]
categories = ["education", "healthcare", "retail", "food", "transit"]
"""


def _park(tmp_path, coords=""):
    write_china_park(tmp_path)
    cfg = tmp_path / "park.toml"
    cfg.write_text(CONFIG.format(coords=coords), encoding="utf-8")
    return cfg


def _report(cfg):
    lines = []
    ok = validate_config(load_config(cfg), progress=lines.append)
    return ok, "\n".join(lines)


def test_park_in_gcj02_is_valid(tmp_path):
    ok, text = _report(_park(tmp_path, 'coords = "gcj02"'))
    assert ok, text
    assert "ok landuse: 9 features (CGCS2000 / 3-degree Gauss-Kruger CM 120E)" in text
    assert "industrial: 2" in text and "(EPSG:4549)" in text
    assert "ok roads: 18 nodes, 27 edges" in text
    assert "POIs sit where the roads are" in text


def test_gcj02_declared_as_wgs84_is_caught_with_fix(tmp_path):
    ok, text = _report(_park(tmp_path))
    assert not ok
    assert "FAIL cross-layer: POIs sit a median 213 m from the nearest road" in text
    assert 'Fix: set `coords = "gcj02"` in `[pois]`' in text


def test_run_warns_with_the_same_check(tmp_path):
    cfg = load_config(_park(tmp_path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipeline.run(cfg)
    assert any('set `coords = "gcj02"`' in str(w.message) for w in caught)


def test_coordinate_offset_per_hypothesis():
    park = china_park()
    nodes, edges = pipeline.graph_from_lines(park["roads"])
    med = coordinate_offset(park["pois"], edges)
    assert med["wgs84"] == pytest.approx(10.0, abs=0.01)  # true positions: 10 m from a road
    assert med["gcj02"] > 100 and med["bd09"] > 100


def test_coordinate_offset_outside_china_is_skipped(town):
    assert coordinate_offset(town["pois"], town["roads"]).empty


def test_unmapped_and_geometry_repairs_are_counted(tmp_path):
    cfg = _park(tmp_path, 'coords = "gcj02"')
    lu = gpd.read_file(tmp_path / "用地现状.shp", encoding="GBK")
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    lu.loc[0, "用地代码"] = "X9"
    lu.loc[1, "用地代码"] = "X9"
    lu.loc[2, "geometry"] = shapely.affinity.translate(bowtie, *lu.geometry.iloc[2].bounds[:2])
    lu = pd.concat([lu, lu.iloc[[3]]], ignore_index=True)  # one exact duplicate
    lu.to_file(tmp_path / "用地现状.shp", encoding="GBK")
    (tmp_path / "用地现状.cpg").unlink()
    ok, text = _report(cfg)
    assert "WARN landuse: 1 invalid landuse geometries were repaired with make_valid" in text
    assert "unmapped: 2 feature(s) in 1 value(s): X9 (2)" in text
    assert "duplicates: 1 feature(s) repeat an earlier geometry (1 identical" in text


def test_layers_that_do_not_overlap_with_gauss_kruger_hint():
    park = china_park()
    # zone-prefixed Gauss-Kruger x (40 566 630 m) declared as the CRS without the prefix
    far = park["landuse"].set_geometry(park["landuse"].geometry.translate(40_000_000, 0))
    problems = cross_layer_checks({"landuse": far, "pois": park["pois"]})
    assert len(problems) == 1
    assert "`landuse` and `pois` do not overlap" in problems[0]
    assert "8-digit x coordinates: a Gauss-Kruger zone number prefix" in problems[0]


def test_network_fragments_known_answer():
    #  0 --100 m-- 1 --100 m-- 2      3 --50 m-- 4      5 (isolated node)
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(range(6), [0] * 6), crs="EPSG:32650",
                             index=pd.Index([10, 11, 12, 13, 14, 15]))
    edges = pd.DataFrame({"u": [10, 11, 13], "v": [11, 12, 14], "length": [100.0, 100.0, 50.0]})
    frag = network_fragments(nodes, edges)
    assert frag["length_m"].tolist() == [200.0, 50.0, 0.0]
    assert frag["n_edges"].tolist() == [2, 1, 0]
    assert frag["n_nodes"].tolist() == [3, 2, 1]
    assert frag["share_of_length"].tolist() == pytest.approx([0.8, 0.2, 0.0])


def test_layer_summary_counts_duplicates():
    gdf = gpd.GeoDataFrame({"name": ["a", "a", "b"]},
                           geometry=gpd.points_from_xy([120.7, 120.7, 120.7], [31.3, 31.3, 31.3]),
                           crs=4326)
    s = layer_summary(gdf)
    assert s["features"] == 3 and s["geometry_types"] == {"Point": 3}
    assert s["duplicate_geometries"] == 2 and s["duplicate_rows"] == 1
    assert s["crs"] == "WGS 84 (EPSG:4326)"
    assert s["extent_lonlat"] == (120.7, 31.3, 120.7, 31.3)


def test_cli_validate_exit_status(tmp_path, capsys):
    assert main(["validate", str(_park(tmp_path))]) == 2
    assert "invalid: fix the problems above" in capsys.readouterr().out


def test_validate_reports_buildings_and_raster_crs(tmp_path):
    """A buildings layer is summarised by use; a raster in the wrong CRS fails with the fix."""
    import numpy as np
    import rasterio
    from affine import Affine

    cfg = _park(tmp_path, 'coords = "gcj02"')
    park = gpd.read_file(tmp_path / "用地现状.shp")
    x0, y0, _, _ = park.total_bounds
    b = gpd.GeoDataFrame({"用途": ["厂房", "住宅", "yes"], "层数": [2, 6, None]},
                         geometry=[shapely.box(x0 + 10 * i, y0 + 10, x0 + 10 * i + 8, y0 + 18)
                                   for i in range(3)], crs=park.crs)
    b.to_file(tmp_path / "建筑.shp", driver="ESRI Shapefile", encoding="GBK")
    with rasterio.open(tmp_path / "lc.tif", "w", driver="GTiff", width=4, height=4, count=1,
                       dtype="uint8", crs="EPSG:4326",
                       transform=Affine(0.001, 0.0, 120.0, 0.0, -0.001, 31.0)) as dst:
        dst.write(np.ones((4, 4), dtype=np.uint8), 1)
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text + '[buildings]\npath = "建筑.shp"\nclass_column = "用途"\n'
                   'levels_column = "层数"\n[indicators]\nlandcover_raster = "lc.tif"\n',
                   encoding="utf-8")
    ok, report = _report(cfg)
    assert not ok
    assert "ok buildings: 3 features" in report
    assert "industrial: 1" in report and "residential: 1" in report and "unknown: 1" in report
    assert "FAIL landcover_raster:" in report and "gdalwarp -t_srs EPSG:4549" in report
