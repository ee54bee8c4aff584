"""The validation report of `cityind validate` and the checks `run` repeats."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cityind_gis import workflow
from cityind_gis.cli import main
from cityind_gis.config import load_config
from cityind_gis.network import graph_from_lines
from cityind_gis.testing import china_park, write_china_park
from cityind_gis.validate import (
    coordinate_offset,
    cross_layer_checks,
    layer_summary,
    network_fragments,
    validate_config,
    validation_report,
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
        workflow.run(cfg)
    assert any('set `coords = "gcj02"`' in str(w.message) for w in caught)


def test_coordinate_offset_per_hypothesis():
    park = china_park()
    nodes, edges = graph_from_lines(park["roads"])
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


# ------------------------------------------- [zones], [statistics], [[periods]], --report


def _districts(tmp_path, *, ids=("320501", "320502", "320503"), extra=None, table=None,
               statistics=None, tail=""):
    """The three-cell town analysed by three 100 m districts (= its cells) and a GBK yearbook.

    Districts 东区, 中区, 西区 are the boxes (0..100, 100..200, 200..300) x (0..100) m in
    EPSG:32650: 10,000 m² each, 0.03 km² in all. ``extra`` adds features (geometry, id, name).
    """
    from cityind_gis.testing import CRS, write_three_cell_town

    cfg = write_three_cell_town(tmp_path)
    rows = [(shapely.box(i * 100, 0, (i + 1) * 100, 100), ids[i], n)
            for i, n in enumerate(["东区", "中区", "西区"])] + list(extra or [])
    gpd.GeoDataFrame({"XZQDM": [r[1] for r in rows], "name": [r[2] for r in rows]},
                     geometry=[r[0] for r in rows], crs=CRS).to_file(
        tmp_path / "districts.gpkg", driver="GPKG")
    table = table or ("区名,地区生产总值(万元),医院床位数\n"
                      "西区,200,100\n东区,100,50\n中区,\"1,100\",150\n")
    (tmp_path / "yearbook.csv").write_text(table, encoding="gbk")
    statistics = statistics or (
        '[statistics]\npath = "yearbook.csv"\nkey = "区名"\nzones_key = "name"\n'
        '[statistics.indicators]\n"地区生产总值(万元)" = "gdp"\n"医院床位数" = "beds"\n')
    text = cfg.read_text(encoding="utf-8")
    text = text.replace("[coupling.industry]\nindustrial_share = \"+\"\n",
                        "[coupling.industry]\nindustrial_share = \"+\"\ngdp = \"+\"\n")
    text = text.replace("poi_density_retail = \"+\"\n", "beds = \"+\"\n")
    text = text.replace("[grid]\ncell_size = 100\n",
                        f'[zones]\npath = "districts.gpkg"\nid_column = "XZQDM"\n\n{statistics}')
    cfg.write_text(text + tail, encoding="utf-8")
    return cfg


def _lines(text, prefix):
    return [line for line in text.splitlines() if line.startswith(prefix)]


def test_zone_config_with_gbk_yearbook_is_valid(tmp_path):
    ok, text = _report(_districts(tmp_path))
    assert ok, text
    assert ("ok zones: 3 zones from districts.gpkg, ids from `XZQDM` (unique, none missing), "
            "0.030 km² in total; analysis CRS WGS 84 / UTM zone 50N") in text
    # all 4 POIs and the 4 parcels of the town lie in the districts
    assert "coverage: 4 of 4 POIs and 4 of 4 land-use parcels lie inside the zones" in text
    assert ("ok statistics: yearbook.csv (GBK/GB18030 CSV), 3 rows, key `区名`; 2 indicator(s): "
            "gdp <- '地区生产总值(万元)', beds <- '医院床位数'; all 3 zones matched") in text
    assert not _lines(text, "WARN") and text.splitlines()[-1] == "valid"


@pytest.mark.parametrize(
    ("ids", "extra", "expected", "valid"),
    [
        (("320501", "320501", "320503"), None,
         "FAIL zones: `[zones] id_column` 'XZQDM' must hold one id per zone, but 1 id(s) repeat: "
         "'320501' (rows [0, 1]). Dissolve zones that share an id in your GIS "
         "(`zones.dissolve('XZQDM')`) or choose another `id_column`; columns with one id per "
         "zone: ['name'].", False),
        (("320501", "320502", None), None,
         "FAIL zones: `[zones] id_column` 'XZQDM' is empty in 1 zone(s) (rows [2]); every zone "
         "needs an id.", False),
        (("320501", "320502", "320503"),
         [(shapely.LineString([(0, 0), (300, 100)]), "320504", "线")],
         "WARN zones: `[zones] path` (districts.gpkg): 1 feature(s) are ['LineString'], not "
         "polygons (rows [3]); the run drops them.", True),
        (("320501", "320502", "320503"), [(shapely.box(50, 0, 150, 100), "320509", "北区")],
         "WARN zones: 2 pair(s) of `[zones]` overlap, 10,000 m² in total: "
         "'320501'/'320509' (5,000 m²), '320502'/'320509' (5,000 m²).", False),
    ],
    ids=["duplicated-ids", "missing-id", "line-feature", "overlap"],
)
def test_zone_problems_are_named_with_the_fix(tmp_path, ids, extra, expected, valid):
    # a line among the zones is dropped (a warning: still valid); the overlapping 北区 (50..150 m)
    # is a fourth zone without a yearbook row, which fails the statistics check
    ok, text = _report(_districts(tmp_path, ids=ids, extra=extra))
    assert expected in text, text
    assert ok == valid


def test_zone_id_column_missing_lists_columns(tmp_path):
    cfg = _districts(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('id_column = "XZQDM"',
                                                           'id_column = "code"'),
                   encoding="utf-8")
    ok, text = _report(cfg)
    assert not ok
    assert ("FAIL zones: `[zones] id_column` 'code' is not a column of districts.gpkg; columns: "
            "['XZQDM', 'name']. Set `id_column` to the column holding each zone's code.") in text


def test_unmatched_yearbook_key_is_reported_on_both_sides(tmp_path):
    table = "区名,地区生产总值(万元),医院床位数\n西区,200,100\n东 区,100,50\n中区,1100,150\n"
    ok, text = _report(_districts(tmp_path, table=table))
    assert not ok
    assert ("FAIL statistics: `[statistics] key` '区名' of yearbook.csv and the zones' `name` "
            "(`[statistics] zones_key`) do not match: 1 zone key(s) without a row in the table: "
            "['东区']; 1 table key(s) without a zone: ['东 区'] ('东 区' looks like '东区'). Fix "
            "the spelling or codes") in text
    assert "ok zones: 3 zones" in text  # the zones themselves are fine


def test_every_statistics_problem_at_once(tmp_path):
    # a text cell, an empty cell, an unmatched key and a [coupling] name nobody gives
    table = "区名,地区生产总值(万元),医院床位数\n西区,二百,100\n东区,100,\n南区,1100,150\n"
    cfg = _districts(tmp_path, table=table)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('beds = "+"', 'bed = "+"'),
                   encoding="utf-8")
    ok, text = _report(cfg)
    assert not ok
    fails = _lines(text, "FAIL statistics")
    assert len(fails) == 4, text
    assert ("column '地区生产总值(万元)' (indicator 'gdp') has 1 non-numeric cell(s): '二百' "
            "(key '西区')") in fails[0]
    assert "column '医院床位数' (indicator 'beds') has 1 empty cell(s), key(s) ['东区']" in fails[1]
    assert "`[coupling.urban]` names 'bed' (did you mean 'beds'?)" in fails[2]
    assert ("zone key(s) without a row in the table: ['中区']; 1 table key(s) without a zone: "
            "['南区']") in fails[3]
    assert "read yearbook.csv as GBK/GB18030 CSV: 3 rows" in text


@pytest.mark.parametrize(
    ("indicators", "prefix", "message"),
    [
        ('["industrial_share"]', "FAIL", "name(s) ['industrial_share'] are also columns of the "
         "zones or indicators the run computes"),
        ('{"医院床位数" = "name"}', "FAIL", "name(s) ['name'] are also columns of the zones"),
        ('{"医院床位数" = "D"}', "WARN", "name(s) ['D'] are output columns the run writes after "
         "joining the table"),
    ],
    ids=["computed-indicator", "zone-column", "output-column"],
)
def test_statistics_name_clashes_are_known_before_running(tmp_path, indicators, prefix, message):
    table = "区名,industrial_share,医院床位数\n西区,200,100\n东区,100,50\n中区,1100,150\n"
    statistics = ('[statistics]\npath = "yearbook.csv"\nkey = "区名"\nzones_key = "name"\n'
                  f"indicators = {indicators}\n")
    cfg = _districts(tmp_path, table=table, statistics=statistics)
    text = cfg.read_text(encoding="utf-8").replace('gdp = "+"\n', "").replace('beds = "+"\n', "")
    cfg.write_text(text, encoding="utf-8")
    ok, report = _report(cfg)
    assert any(message in line for line in _lines(report, f"{prefix} statistics")), report
    assert ok == (prefix == "WARN")


def test_statistics_from_an_excel_sheet(tmp_path):
    pd.DataFrame({"区名": ["东区", "中区", "西区"], "GDP": [100, 1100, 200],
                  "床位": [50, 150, 100]}).to_excel(tmp_path / "yearbook.xlsx", sheet_name="2020年",
                                                    index=False)
    statistics = ('[statistics]\npath = "yearbook.xlsx"\nsheet = "2020年"\nkey = "区名"\n'
                  'zones_key = "name"\n[statistics.indicators]\nGDP = "gdp"\n"床位" = "beds"\n')
    ok, text = _report(_districts(tmp_path, statistics=statistics))
    assert ok, text
    assert "ok statistics: yearbook.xlsx (Excel, sheet '2020年'), 3 rows, key `区名`" in text


def _two_periods(tmp_path):
    """2019 takes the top-level yearbook; 2024 its own, where 北区 stands for 西区."""
    cfg = _districts(tmp_path, tail=(
        '\n[[periods]]\nyear = 2019\n\n[[periods]]\nyear = 2024\n[periods.statistics]\n'
        'path = "yearbook_2024.csv"\n'))
    (tmp_path / "yearbook_2024.csv").write_text(
        "区名,地区生产总值(万元),医院床位数\n东区,300,50\n中区,2100,250\n北区,600,150\n",
        encoding="gbk")
    return cfg


def test_two_period_config_reports_both_periods(tmp_path):
    lines = []
    report = validation_report(load_config(_two_periods(tmp_path)), progress=lines.append)
    text = "\n".join(lines)
    assert not report.ok
    assert lines.index("== period 2019 ==") < lines.index("== period 2024 ==") < lines.index(
        "== panel ==")
    p2024 = text[text.index("== period 2024 =="):]
    assert "ok statistics: yearbook.csv (GBK/GB18030 CSV)" in text[:text.index("== period 2024")]
    assert "ok zones: same input as period 2019 (see above)" in p2024
    assert ("FAIL statistics: `[statistics] key` '区名' of yearbook_2024.csv and the zones' "
            "`name` (`[statistics] zones_key`) do not match: 1 zone key(s) without a row in the "
            "table: ['西区']; 1 table key(s) without a zone: ['北区']") in p2024
    assert "ok panel: 2 periods (2019, 2024) give the same units" in text
    stats = {c.period: c for c in report.checks if c.name == "statistics"}
    assert stats["2019"].status == "ok" and stats["2024"].status == "fail"
    assert stats["2024"].counts["unmatched_zone_keys"] == 1
    zones = [c for c in report.checks if c.name == "zones"]
    assert [c.same_as for c in zones] == [None, "2019"]
    assert zones[1].counts == zones[0].counts and zones[1].counts["zones"] == 3


def test_panel_whose_grids_differ_fails_before_running(tmp_path):
    # 2024's network reaches x = 150 m only: a grid of 2 cells against 2019's 3
    from cityind_gis.testing import CRS, write_three_cell_town

    cfg = write_three_cell_town(tmp_path)
    gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 50), (150, 50)])], crs=CRS).to_file(
        tmp_path / "town.gpkg", layer="roads2024", driver="GPKG")
    cfg.write_text(cfg.read_text(encoding="utf-8") + (
        '\n[[periods]]\nyear = 2019\n\n[[periods]]\nyear = 2024\n[periods.roads]\n'
        'layer = "roads2024"\n'), encoding="utf-8")
    ok, text = _report(cfg)
    assert not ok
    assert ("FAIL panel: the walking networks of the periods cover different extents, so the "
            "grids differ (2019: 3 x 1 cells from (0, 0); 2024: 2 x 1 cells from (0, 0)) and "
            "`cityind panel` stops") in text
    assert "Give `[study] boundary`" in text


def test_cli_report_text_is_what_was_printed(tmp_path, capsys):
    cfg = _districts(tmp_path)
    target = tmp_path / "reports" / "check.txt"
    assert main(["validate", str(cfg), "--report", str(target)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1] == f"report written to {target}"
    assert target.read_text(encoding="utf-8").splitlines() == printed[:-1]
    assert "ok statistics: yearbook.csv" in target.read_text(encoding="utf-8")


def test_cli_report_json_per_layer(tmp_path, capsys):
    import json

    target = tmp_path / "check.json"
    assert main(["validate", str(_two_periods(tmp_path)), "--report", str(target)]) == 2
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["valid"] is False and data["periods"] == ["2019", "2024"]
    assert data["config"].endswith("town.toml")
    entries = {(e["name"], e["period"]): e for e in data["layers"]}
    assert set(entries) >= {("landuse", "2019"), ("zones", "2024"), ("statistics", "2024"),
                            ("cross-layer", "2019"), ("panel", None)}
    for e in data["layers"]:
        assert set(e) == {"name", "period", "status", "messages", "counts", "same_as"}
        assert e["status"] in ("ok", "warn", "fail")
    z = entries[("zones", "2019")]
    assert z["status"] == "ok" and z["counts"]["zones"] == 3
    assert z["counts"]["total_area_km2"] == pytest.approx(0.03)
    assert z["counts"]["duplicate_ids"] == 0 and z["counts"]["missing_ids"] == 0
    s = entries[("statistics", "2024")]
    assert s["status"] == "fail"
    assert s["counts"]["unmatched_zone_keys"] == 1 and s["counts"]["unmatched_table_keys"] == 1
    assert s["counts"]["rows"] == 3 and s["counts"]["indicators"] == 2
    assert [m["level"] for m in s["messages"]] == ["fail", "info"]
    assert "['北区']" in s["messages"][0]["text"]
    assert entries[("landuse", "2019")]["counts"]["by_class"] == {"industrial": 2,
                                                                 "residential": 2}
    assert entries[("landuse", "2024")]["same_as"] == "2019"


def test_cli_report_of_a_config_that_does_not_load(tmp_path, capsys):
    import json

    target = tmp_path / "check.json"
    assert main(["validate", str(tmp_path / "nope.toml"), "--report", str(target)]) == 2
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["valid"] is False
    assert data["layers"][0]["name"] == "config" and data["layers"][0]["status"] == "fail"
    assert "does not exist" in data["layers"][0]["messages"][0]["text"]


def test_report_not_written_when_validation_crashes(tmp_path, monkeypatch, capsys):
    from cityind_gis.workflow import preflight as validate

    cfg = _districts(tmp_path)
    target = tmp_path / "check.json"
    target.write_text("earlier report", encoding="utf-8")

    def crash(*args, **kwargs):
        msg = "internal error"
        raise RuntimeError(msg)

    monkeypatch.setattr(validate, "_zone_coverage", crash)
    with pytest.raises(RuntimeError, match="internal error"):
        main(["validate", str(cfg), "--report", str(target)])
    assert target.read_text(encoding="utf-8") == "earlier report"
    assert not list(tmp_path.glob(".check*"))  # no temporary file left behind


def test_report_writing_is_atomic(tmp_path):
    from cityind_gis.validate import ValidationReport, write_validation_report

    class Broken(ValidationReport):
        def to_text(self):
            msg = "disk full"
            raise OSError(msg)

    target = tmp_path / "check.txt"
    target.write_text("earlier report", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        write_validation_report(Broken(True, (), ("valid",)), target)
    assert target.read_text(encoding="utf-8") == "earlier report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["check.txt"]


def test_validate_reports_road_snapping_counts(tmp_path):
    """A T-junction without a node, 0.3 m short: validate says an end joined a segment."""
    roads = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(500000, 3400000), (500100, 3400000)]),
                  shapely.LineString([(500050, 3400000.3), (500050, 3400050)])],
        crs="EPSG:32650")
    roads.to_file(tmp_path / "roads.gpkg", driver="GPKG")
    lu = gpd.GeoDataFrame({"class": ["industrial", "residential"]},
                          geometry=[shapely.box(500000, 3400001, 500049, 3400050),
                                    shapely.box(500051, 3400001, 500100, 3400050)],
                          crs="EPSG:32650")
    lu.to_file(tmp_path / "lu.gpkg", driver="GPKG")
    pois = gpd.GeoDataFrame({"category": ["retail"]},
                            geometry=[shapely.Point(500020, 3400002)], crs="EPSG:32650")
    pois.to_file(tmp_path / "pois.gpkg", driver="GPKG")
    cfg = tmp_path / "t.toml"
    cfg.write_text('[landuse]\npath = "lu.gpkg"\n[pois]\npath = "pois.gpkg"\n'
                   '[roads]\npath = "roads.gpkg"\n[buildings]\nenabled = false\n', encoding="utf-8")
    ok, text = _report(cfg)
    assert "ok roads: 4 nodes, 3 edges" in text, text
    assert "joins: 0 line end(s) snapped to a vertex and 1 onto another line's segment" in text


# --- issue 13: excluded roads, fragments, POI sources, a GCJ-02 table in a dense grid ---------

_RING = "EPSG:32650"


def _fragment_town(tmp_path, extra_pois=""):
    """A 1 km square ring road, a 200 m footway cut off inside it, and a motorway stub.

    ::

        (0,1000) +-------------------+ (1000,1000)      ring: residential, 4 km
                 |                   |
                 |    ---------      |  y = 520, x 400-600: footway, an isolated fragment
                 |                   |
      -300 ======+-------------------+ (1000,0)         motorway stub (0,0)-(-300,0): excluded
    """
    lines = [shapely.LineString(c) for c in (
        [(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)], [(1000, 1000), (0, 1000)],
        [(0, 1000), (0, 0)], [(400, 520), (600, 520)], [(0, 0), (-300, 0)])]
    gpd.GeoDataFrame({"highway": ["residential"] * 4 + ["footway", "motorway"]},
                     geometry=lines, crs=_RING).to_file(tmp_path / "roads.gpkg")
    gpd.GeoDataFrame({"class": ["industrial"]}, geometry=[shapely.box(0, 0, 1000, 1000)],
                     crs=_RING).to_file(tmp_path / "landuse.gpkg")
    # two shops beside the fragment, three beside the ring
    pd.DataFrame({"category": ["retail"] * 5, "x": [500, 420, 100, 990, 500],
                  "y": [530, 510, 10, 500, 990]}).to_csv(tmp_path / "pois.csv", index=False)
    cfg = tmp_path / "town.toml"
    cfg.write_text('[grid]\ncell_size = 100\n[landuse]\npath = "landuse.gpkg"\n'
                   '[pois]\npath = "pois.csv"\ncrs = "EPSG:32650"\n[roads]\npath = "roads.gpkg"\n'
                   + extra_pois, encoding="utf-8")
    return cfg


def _check(report, name):
    return next(c for c in report.checks if c.name == name)


def test_validate_reports_excluded_roads_and_fragments(tmp_path):
    report = validation_report(load_config(_fragment_town(tmp_path)), progress=None)
    roads = _check(report, "roads")
    assert roads.counts["roads_excluded"] == 1 and roads.counts["roads_excluded_class"] == 1
    assert any("excluded from walking: 1 of 6 road segment(s): 1 by class in `highway` "
               "(motorway 1), 0 foot=no, 0 private/no access" in t for _, t in roads.messages)
    frag = _check(report, "fragments")
    # 10 x 10 cells of 100 m; a cell centre (x, y) is nearer the fragment than the ring at
    # x = 450/550: y = 350..750 (5 each); x = 350/650: y = 350..750 (the end 50 m away: at
    # y = 750 sqrt(50² + 230²) = 235 < 250); x = 250/750: y = 350..650 (4 each) -> 28
    assert frag.counts["units_nearest_fragment"] == 28 and frag.counts["units_checked"] == 100
    assert frag.counts["pois_nearest_fragment"] == 2 and frag.counts["pois_checked"] == 5
    assert frag.counts["components"] == 2 and frag.counts["fragment_length_m"] == 200.0
    assert frag.status == "warn"
    text = "\n".join(report.lines)
    assert ("ok fragments: 1 fragment(s) cut off from the largest part of the network "
            "(4 of 6 nodes; fragments 200 m of 4200 m)") in text
    assert "nearest to a fragment: 2 of 5 POIs (on 1 fragment(s)), 28 of 100 units" in text


def test_validate_reports_poi_sources_and_duplicates(tmp_path):
    pd.DataFrame({"category": ["retail"] * 4, "x": [500, 420, 100, 700],
                  "y": [530, 510, 10, 10]}).to_csv(tmp_path / "more.csv", index=False)
    extra = '[[pois]]\nname = "shops"\npath = "more.csv"\ncrs = "EPSG:32650"\n'
    cfg = _fragment_town(tmp_path)
    text = cfg.read_text(encoding="utf-8").replace('[pois]\npath = "pois.csv"',
                                                   '[[pois]]\nname = "main"\npath = "pois.csv"')
    cfg.write_text(text + extra, encoding="utf-8")
    report = validation_report(load_config(cfg), progress=None)
    pois = _check(report, "pois")
    assert pois.counts["sources"] == {"main": 5, "shops": 4}
    assert pois.counts["cross_source_duplicates"] == 3 and pois.counts["features"] == 6
    assert pois.status == "warn"
    assert any("3 of 'shops' already in 'main'" in t for _, t in pois.messages)


def _dense_city(tmp_path, n=150, seed=3):
    """Shanghai streets 140-260 m apart (UTM 51N) and shops on them (<= 5 m off), WGS 84."""
    import numpy as np

    rng = np.random.default_rng(seed)
    streets = np.concatenate([[0.0], np.cumsum(rng.uniform(140, 260, 30))])
    streets = streets[streets <= 4400]
    x0, y0 = 353_000.0, 3_456_000.0  # about 121.47 E, 31.23 N
    end = float(streets[-1])
    lines = [shapely.LineString([(x0 + s, y0), (x0 + s, y0 + end)]) for s in streets]
    lines += [shapely.LineString([(x0, y0 + s), (x0 + end, y0 + s)]) for s in streets]
    gpd.GeoDataFrame(geometry=lines, crs="EPSG:32651").to_file(tmp_path / "roads.gpkg")
    gpd.GeoDataFrame({"class": ["residential"]}, geometry=[shapely.box(x0, y0, x0 + end,
                     y0 + end)], crs="EPSG:32651").to_file(tmp_path / "landuse.gpkg")
    central = np.flatnonzero((streets >= 1200) & (streets <= 3200))
    k = rng.choice(central, n)
    along, off = rng.uniform(1200, 3200, n), rng.uniform(-5, 5, n)
    vertical = rng.random(n) < 0.5
    x = np.where(vertical, x0 + streets[k] + off, x0 + along)
    y = np.where(vertical, y0 + along, y0 + streets[k] + off)
    return gpd.GeoSeries(gpd.points_from_xy(x, y), crs="EPSG:32651").to_crs(4326)


def _write_pois(path, pts, shift):
    from cityind_gis.io.coords import wgs84_to_gcj02

    lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
    if shift:
        lon, lat = wgs84_to_gcj02(lon, lat)
    pd.DataFrame({"category": "retail", "lon": lon, "lat": lat}).to_csv(path, index=False)


_CITY = '[grid]\ncell_size = 500\n[landuse]\npath = "landuse.gpkg"\n[roads]\npath = "roads.gpkg"\n'


@pytest.mark.parametrize(("shift", "ok"), [(True, False), (False, True)],
                         ids=["gcj02-declared-wgs84", "true-wgs84"])
def test_validate_flags_a_gcj02_table_end_to_end(tmp_path, shift, ok):
    """An Amap table (~500 m GCJ-02 offset in Shanghai) declared WGS 84 fails `validate`."""
    _write_pois(tmp_path / "amap.csv", _dense_city(tmp_path), shift)
    cfg = tmp_path / "city.toml"
    cfg.write_text(_CITY + '[pois]\npath = "amap.csv"\n', encoding="utf-8")
    report = validation_report(load_config(cfg), progress=None)
    cross = _check(report, "cross-layer")
    assert report.ok is ok and (cross.status == "fail") is not ok
    if shift:
        text = next(t for lv, t in cross.messages if lv == "fail")
        assert 'coords = "gcj02"' in text
        # the numbers: the median distance to the nearest road under each system
        assert re.search(r"\d+ m", text), text


def test_validate_names_the_shifted_source_among_several(tmp_path):
    pts = _dense_city(tmp_path)
    _write_pois(tmp_path / "amap.csv", pts.iloc[:75], shift=True)
    _write_pois(tmp_path / "osm_shops.csv", pts.iloc[75:], shift=False)
    cfg = tmp_path / "city.toml"
    cfg.write_text(_CITY + '[[pois]]\nname = "osm"\npath = "osm_shops.csv"\n'
                   '[[pois]]\nname = "amap"\npath = "amap.csv"\n', encoding="utf-8")
    report = validation_report(load_config(cfg), progress=None)
    fails = [t for lv, t in _check(report, "cross-layer").messages if lv == "fail"]
    assert not report.ok and len(fails) == 1
    assert fails[0].startswith("POI source 'amap': ") and 'coords = "gcj02"' in fails[0]
