# ruff: noqa: D103  (test names say what they check)
"""Tests of the writers: GeoPackage with QGIS styles, exports, atomic writes."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import geopandas.testing
import pandas as pd
import pyogrio
import pytest
import shapely

from cityind_gis._errors import CRSError, InputError
from cityind_gis.io._atomic import atomic_path
from cityind_gis.io.writers import (
    write_csv,
    write_geojson,
    write_geopackage,
    write_geoparquet,
    write_layers,
    write_shapefile,
)


def test_geopackage_roundtrip(tmp_path, grid_2x2):
    grid = grid_2x2.assign(level=pd.array([1, None, 3, 4], dtype="Int64"),
                           name=["一", "二", None, "四"])
    pts = gpd.GeoDataFrame({"k": [1]}, geometry=[shapely.Point(1, 1)], crs=grid.crs)
    path = write_geopackage({"grid": grid, "pois": pts}, tmp_path / "out.gpkg")
    back = gpd.read_file(path, layer="grid")
    assert back["cell_id"].tolist() == [0, 1, 2, 3]
    assert back["name"].tolist()[:2] == ["一", "二"]
    assert back.crs == grid.crs
    geopandas.testing.assert_geoseries_equal(back.geometry, grid.geometry.reset_index(drop=True),
                                       check_less_precise=True)
    assert len(gpd.read_file(path, layer="pois")) == 1


def test_failed_write_keeps_previous_file(tmp_path):
    target = tmp_path / "summary.csv"
    write_csv(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()
    with pytest.raises(RuntimeError, match="boom"), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        msg = "boom"
        raise RuntimeError(msg)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv"]


def test_csv_has_bom_for_excel(tmp_path):
    path = write_csv(pd.DataFrame({"等级": ["优质协调"]}), tmp_path / "s.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


# ----------------------------------------------------------------------------- exports



@pytest.fixture
def grid_d(grid_2x2):
    return grid_2x2.assign(
        D=[0.05, 0.45, 0.55, 0.95], grade_level=[1, 5, 6, 10], U1=0.5, U2=0.5,
        grade_zh=["极度失调", "濒临失调", "勉强协调", "优质协调"],
        poi_density_daily_services=[1.0, 2.0, 3.0, 4.0],
        n_missing_services=pd.array([1, None, 2, 3], dtype="Int64"),
    )


def test_shapefile_has_cpg_qml_and_short_fields(tmp_path, grid_d):
    path = write_shapefile(grid_d, tmp_path / "grid.shp", lang="zh")
    assert (tmp_path / "grid.cpg").read_text() == "UTF-8"
    back = gpd.read_file(path)
    fields = [c for c in back.columns if c != "geometry"]
    assert all(len(c) <= 10 for c in fields)
    assert back["grade_zh"].tolist() == ["极度失调", "濒临失调", "勉强协调", "优质协调"]
    assert back.crs == grid_d.crs
    qml = ET.fromstring((tmp_path / "grid.qml").read_text(encoding="utf-8").split("\n", 1)[1])
    assert qml.find("renderer-v2").get("attr") == "D"
    aliases = {a.get("field"): a.get("name") for a in qml.findall("aliases/alias")}
    assert set(aliases) == set(fields)
    assert aliases["pd_daily"] == "POI 密度：生活服务 (个/km²)"
    assert aliases["grade_leve"] == "协调等级序号"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"grid.{s}" for s in ("cpg", "dbf", "prj", "qml", "shp", "shx")]


def test_shapefile_needs_shp_suffix(tmp_path, grid_d):
    with pytest.raises(InputError, match=r"`path` must end in \.shp"):
        write_shapefile(grid_d, tmp_path / "grid.gpkg")


def test_geojson_is_rfc7946_lonlat(tmp_path, grid_d):
    path = write_geojson(grid_d, tmp_path / "grid.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    lon, lat = data["features"][0]["geometry"]["coordinates"][0][0]
    assert -180 <= lon <= 180 and -90 <= lat <= 90
    assert data["features"][3]["properties"]["grade_zh"] == "优质协调"
    back = gpd.read_file(path)
    assert back.crs.to_epsg() == 4326
    # 7 decimals of a degree: within a few millimetres after the round trip
    error = back.geometry.to_crs(grid_d.crs).hausdorff_distance(
        grid_d.geometry.reset_index(drop=True))
    assert error.max() < 0.01


def test_geojson_needs_a_crs(tmp_path, grid_d):
    with pytest.raises(CRSError, match="`gdf` has no CRS"):
        write_geojson(grid_d.set_crs(None, allow_override=True), tmp_path / "g.geojson")


def test_geoparquet_roundtrip(tmp_path, grid_d):
    path = write_geoparquet(grid_d, tmp_path / "grid.parquet")
    back = gpd.read_parquet(path)
    assert back.crs == grid_d.crs
    assert back["cell_id"].tolist() == [0, 1, 2, 3]
    assert back["n_missing_services"].isna().tolist() == [False, True, False, False]


def test_write_layers_every_format(tmp_path, grid_d):
    pts = gpd.GeoDataFrame({"category": ["food"]}, geometry=[shapely.Point(1, 1)], crs=grid_d.crs)
    paths = write_layers({"grid": grid_d, "pois": pts}, tmp_path,
                         formats=["gpkg", "parquet", "shp", "geojson"])
    assert sorted(paths) == ["geojson:grid", "geojson:pois", "gpkg", "parquet:grid",
                             "parquet:pois", "shp:grid", "shp:pois"]
    assert all(p.exists() for p in paths.values())
    assert set(pyogrio.list_layers(paths["gpkg"])[:, 0]) == {"grid", "pois", "layer_styles"}


def test_write_layers_rejects_unknown_format(tmp_path, grid_d):
    with pytest.raises(InputError, match=r"`formats` must name one or more of \['gpkg'"):
        write_layers({"grid": grid_d}, tmp_path, formats=["gpkg", "kml"])


@pytest.mark.parametrize("layers", [{}, {"grid": pd.DataFrame({"a": [1]})}],
                         ids=["empty", "not-geo"])
def test_write_geopackage_rejects_bad_layers(tmp_path, layers):
    with pytest.raises(InputError, match="`layers` must"):
        write_geopackage(layers, tmp_path / "x.gpkg")


def test_geopackage_without_styles(tmp_path, grid_d):
    path = write_geopackage({"grid": grid_d}, tmp_path / "x.gpkg", styles=False)
    con = sqlite3.connect(path)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()
    assert "layer_styles" not in tables


def _half_write(self, path, *args, **kwargs):
    """Stand-in for a writer that dies part-way: garbage in the file, then an error."""
    with open(path, "wb") as f:
        f.write(b"half a file")
    msg = "disk full"
    raise RuntimeError(msg)


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "shp", "geojson"])
def test_failed_run_leaves_earlier_outputs_intact(tmp_path, grid_d, monkeypatch, fmt):
    formats = ["gpkg", "parquet", "shp", "geojson"]
    write_layers({"grid": grid_d}, tmp_path, formats=formats)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", _half_write)
    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", _half_write)
    with pytest.raises(RuntimeError, match="disk full"):
        write_layers({"grid": grid_d.assign(D=0.0)}, tmp_path, formats=[fmt])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_failure_while_adding_styles_keeps_previous_geopackage(tmp_path, grid_d, monkeypatch):
    from cityind_gis.io import writers

    path = write_geopackage({"grid": grid_d}, tmp_path / "out.gpkg")
    before = path.read_bytes()

    def boom(*args, **kwargs):
        msg = "database is locked"
        raise sqlite3.OperationalError(msg)

    monkeypatch.setattr(writers, "_add_layer_styles", boom)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        write_geopackage({"grid": grid_d.assign(D=0.0)}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.gpkg"]
