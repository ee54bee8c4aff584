import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis import CRSError, InputError, SchemaError
from cityind_gis.io.vector import read_point_table, read_vector


def _write_csv(path, frame, encoding):
    frame.to_csv(path, index=False, encoding=encoding)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"],
                         ids=["utf8", "utf8-bom", "gbk"])
def test_point_table_chinese_columns_and_encodings(tmp_path, encoding):
    frame = pd.DataFrame({"名称": ["第一中学", "人民医院"], "经度": [120.15, 120.16],
                          "纬度": [30.27, 30.28]})
    path = _write_csv(tmp_path / "poi.csv", frame, encoding)
    gdf = read_point_table(path)
    assert gdf.crs == "EPSG:4326"
    assert gdf["名称"].tolist() == ["第一中学", "人民医院"]
    assert gdf.geometry.x.tolist() == [120.15, 120.16]


def test_point_table_rejects_swapped_lon_lat(tmp_path):
    frame = pd.DataFrame({"lon": [30.27, 30.28], "lat": [120.15, 120.16]})
    with pytest.raises(SchemaError, match="swapped"):
        read_point_table(_write_csv(tmp_path / "p.csv", frame, "utf-8"))


def test_point_table_missing_coordinate_column(tmp_path):
    frame = pd.DataFrame({"name": ["a"], "east": [1.0], "north": [2.0]})
    with pytest.raises(SchemaError, match="no recognisable x column"):
        read_point_table(_write_csv(tmp_path / "p.csv", frame, "utf-8"))


def test_point_table_drops_rows_without_coordinates(tmp_path):
    frame = pd.DataFrame({"x": [1.0, None], "y": [2.0, 3.0]})
    path = _write_csv(tmp_path / "p.csv", frame, "utf-8")
    with pytest.warns(UserWarning, match="1 pois row"):
        gdf = read_point_table(path, crs="EPSG:32650")
    assert len(gdf) == 1


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_read_vector_requires_crs(tmp_path):
    gdf = gpd.GeoDataFrame({"code": ["M1"]}, geometry=[shapely.box(0, 0, 1, 1)])
    gdf.to_file(tmp_path / "lu.shp")
    with pytest.raises(CRSError, match="has no CRS"):
        read_vector(tmp_path / "lu.shp", name="landuse")
    got = read_vector(tmp_path / "lu.shp", name="landuse", crs="EPSG:4490")
    assert got.crs == "EPSG:4490"


def test_read_vector_lists_layers_when_ambiguous(tmp_path):
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:32650")
    gdf.to_file(tmp_path / "x.gpkg", layer="landuse")
    gdf.to_file(tmp_path / "x.gpkg", layer="zones")
    with pytest.raises(InputError, match=r"holds 2 layers \['landuse', 'zones'\]"):
        read_vector(tmp_path / "x.gpkg")
    assert len(read_vector(tmp_path / "x.gpkg", layer="zones")) == 1


def test_read_vector_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_vector(tmp_path / "nope.shp", name="landuse")


def test_read_vector_repairs_invalid_with_warning(tmp_path):
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    gpd.GeoDataFrame({"a": [1]}, geometry=[bowtie], crs="EPSG:32650").to_file(tmp_path / "b.gpkg")
    with pytest.warns(UserWarning, match="1 invalid landuse geometries were repaired"):
        got = read_vector(tmp_path / "b.gpkg", name="landuse")
    assert got.is_valid.all()


def test_read_vector_does_not_touch_file(tmp_path):
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:32650")
    gdf.to_file(tmp_path / "x.gpkg")
    before = (tmp_path / "x.gpkg").read_bytes()
    read_vector(tmp_path / "x.gpkg")
    assert (tmp_path / "x.gpkg").read_bytes() == before


# ---------------------------------------------------------------- Chinese conventions, formats

from pyproj import Geod  # noqa: E402

from cityind_gis.io.coords import gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02  # noqa: E402
from cityind_gis.io.vector import detect_dbf_encoding, list_layers, to_wgs84  # noqa: E402
from cityind_gis.testing import china_park, write_china_park  # noqa: E402

GEOD = Geod(ellps="WGS84")


@pytest.fixture
def park_files(tmp_path):
    return write_china_park(tmp_path)


def test_gbk_shapefile_without_cpg_reads_chinese(park_files):
    assert not park_files["landuse"].with_suffix(".cpg").exists()
    assert detect_dbf_encoding(park_files["landuse"]) == "GB18030"
    gdf = read_vector(park_files["landuse"], name="landuse")
    assert list(gdf.columns[:2]) == ["用地代码", "用地名称"]
    assert gdf["用地名称"].iloc[0] == "一类工业用地"
    assert gdf.crs.to_epsg() == 4549  # CGCS2000 / 3-degree GK CM 120E


def test_cpg_is_honoured(tmp_path):
    gdf = gpd.GeoDataFrame({"名称": ["工厂"]}, geometry=[shapely.Point(0, 0)], crs=4549)
    gdf.to_file(tmp_path / "p.shp", encoding="GBK")
    assert (tmp_path / "p.shp").with_suffix(".cpg").exists()
    assert detect_dbf_encoding(tmp_path / "p.shp") is None  # GDAL reads the .cpg itself
    assert read_vector(tmp_path / "p.shp")["名称"].tolist() == ["工厂"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("factory", None), ("工厂", "UTF-8"), ("café", "UTF-8")],
    ids=["ascii", "utf8-chinese", "utf8-latin"],
)
def test_detect_dbf_encoding_without_cpg(tmp_path, text, expected):
    gdf = gpd.GeoDataFrame({"name": [text]}, geometry=[shapely.Point(0, 0)], crs=4549)
    gdf.to_file(tmp_path / "p.shp", encoding="UTF-8")
    (tmp_path / "p.cpg").unlink()
    assert detect_dbf_encoding(tmp_path / "p.shp") == expected


def test_latin1_dbf_is_not_taken_for_chinese(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["Zürich Straße"]}, geometry=[shapely.Point(0, 0)], crs=4549)
    gdf.to_file(tmp_path / "p.shp", encoding="ISO-8859-1")
    (tmp_path / "p.cpg").unlink()
    assert detect_dbf_encoding(tmp_path / "p.shp") is None


def test_explicit_encoding_wins(park_files):
    gdf = read_vector(park_files["landuse"], encoding="GBK")
    assert gdf["用地代码"].tolist()[:3] == ["M1", "M2", "W1"]


@pytest.mark.parametrize(
    ("suffix", "driver"),
    [(".geojson", "GeoJSON"), (".gpkg", "GPKG"), (".kml", "KML"), (".parquet", None)],
    ids=["geojson", "gpkg", "kml", "geoparquet"],
)
def test_vector_formats_round_trip(tmp_path, suffix, driver):
    gdf = gpd.GeoDataFrame({"name": ["园区"]}, geometry=[shapely.box(120.7, 31.3, 120.71, 31.31)],
                           crs=4326)
    path = tmp_path / f"layer{suffix}"
    if driver is None:
        gdf.to_parquet(path)
    else:
        gdf.to_file(path, driver=driver)
    got = read_vector(path, name="boundary")
    assert got.crs.to_epsg() == 4326 and len(got) == 1
    assert got.geometry.iloc[0].normalize().equals_exact(gdf.geometry.iloc[0].normalize(), 1e-9)
    assert got["name" if "name" in got else "Name"].iloc[0] == "园区"


def test_gpkg_unknown_layer_lists_layers(tmp_path):
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4549")
    gdf.to_file(tmp_path / "x.gpkg", layer="YDXZ")
    assert list_layers(tmp_path / "x.gpkg") == ["YDXZ"]
    with pytest.raises(InputError, match=r"has no layer 'landuse'; its layers are \['YDXZ'\]"):
        read_vector(tmp_path / "x.gpkg", layer="landuse")


def test_not_geoparquet_is_input_error(tmp_path):
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "plain.parquet")
    with pytest.raises(InputError, match="is not GeoParquet"):
        read_vector(tmp_path / "plain.parquet", name="landuse")


def test_amap_csv_in_gcj02_lands_on_true_positions(park_files):
    truth = china_park()["pois"]
    got = read_point_table(park_files["pois"], coords="gcj02")
    err = GEOD.inv(got.geometry.x, got.geometry.y, truth.geometry.x, truth.geometry.y)[2]
    # the CSV keeps 6 decimals (~0.1 m); without conversion the error would be ~500 m
    assert err.max() < 0.2
    raw = read_point_table(park_files["pois"])
    off = GEOD.inv(raw.geometry.x, raw.geometry.y, truth.geometry.x, truth.geometry.y)[2]
    assert off.min() > 300
    assert got["typecode"].tolist()[:3] == ["170300", "170200", "141203"]  # text, zeros kept
    assert got["type"].iloc[0] == "公司企业;工厂;工厂"


def test_amap_location_column_and_tab_separated(tmp_path):
    lon, lat = wgs84_to_bd09(np.array([120.7]), np.array([31.32]))
    (tmp_path / "baidu.txt").write_text(
        f"name\tlocation\ttypecode\n超市\t{lon[0]:.8f},{lat[0]:.8f}\t060400\n", encoding="gb18030")
    got = read_point_table(tmp_path / "baidu.txt", coords="bd09")
    assert got.geometry.x.iloc[0] == pytest.approx(120.7, abs=1e-7)
    assert got.geometry.y.iloc[0] == pytest.approx(31.32, abs=1e-7)
    assert list(got.columns) == ["name", "typecode", "geometry"]


def test_excel_sheet_with_chinese_columns(tmp_path):
    lon, lat = wgs84_to_gcj02(np.array([120.70, 120.71]), np.array([31.32, 31.33]))
    frame = pd.DataFrame({"名称": ["工厂", "学校"], "typecode": ["170300", "141203"],
                          "GCJ02经度": lon, "GCJ02纬度": lat})
    with pd.ExcelWriter(tmp_path / "poi.xlsx") as xl:
        pd.DataFrame({"note": ["说明"]}).to_excel(xl, sheet_name="说明", index=False)
        frame.to_excel(xl, sheet_name="POI", index=False)
    got = read_point_table(tmp_path / "poi.xlsx", sheet="POI", coords="gcj02")
    np.testing.assert_allclose(got.geometry.x, [120.70, 120.71], atol=1e-8)
    assert got["typecode"].tolist() == ["170300", "141203"]
    with pytest.raises(InputError, match="Fix `sheet"):
        read_point_table(tmp_path / "poi.xlsx", sheet="nope")


def test_swapped_lon_lat_in_china_gcj02(tmp_path):
    # lat column holds 75-80 (within ±90), lon 35-40: only the China rule catches it
    frame = pd.DataFrame({"lon": [35.0, 40.0], "lat": [75.0, 80.0]})
    path = _write_csv(tmp_path / "p.csv", frame, "utf-8")
    with pytest.raises(SchemaError, match="look swapped"):
        read_point_table(path, coords="gcj02")
    assert len(read_point_table(path)) == 2  # plain WGS 84: a valid Arctic point


def test_gcj02_outside_china_warns_and_keeps(tmp_path):
    frame = pd.DataFrame({"lon": [24.9], "lat": [60.2]})
    path = _write_csv(tmp_path / "p.csv", frame, "utf-8")
    with pytest.warns(UserWarning, match="none of its coordinates lies in China"):
        got = read_point_table(path, coords="gcj02")
    assert got.geometry.x.iloc[0] == 24.9


def test_vector_layer_in_gcj02_projected_file(tmp_path):
    # a GCJ-02 layer saved in a projected CRS still converts (via EPSG:4326)
    lon, lat = wgs84_to_gcj02([120.7], [31.32])
    pt = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    pt.to_crs(4549).to_file(tmp_path / "p.gpkg")
    got = read_vector(tmp_path / "p.gpkg", coords="gcj02")
    assert got.crs.to_epsg() == 4326
    assert got.geometry.x.iloc[0] == pytest.approx(120.7, abs=1e-7)


@pytest.mark.parametrize("coords", ["gcj-02", "GCJ02", "gcj_02"],
                         ids=["dash", "upper", "underscore"])
def test_to_wgs84_spellings(coords):
    gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy([120.7], [31.32]), crs=4326)
    exp = gcj02_to_wgs84(120.7, 31.32)
    got = to_wgs84(gdf, coords)
    assert got.geometry.x.iloc[0] == pytest.approx(float(exp[0]), abs=1e-12)


def test_bad_coords_value():
    with pytest.raises(InputError, match=r"`coords` must be one of \['wgs84', 'gcj02', 'bd09'\]"):
        read_point_table("whatever.csv", coords="cgcs2000")
