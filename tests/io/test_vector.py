import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cityind_gis import CRSError, InputError, SchemaError
from cityind_gis.io.vector import read_point_table, read_vector


def _write_csv(path, frame, encoding):
    frame.to_csv(path, index=False, encoding=encoding)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"], ids=["utf8", "utf8-bom", "gbk"])
def test_point_table_chinese_columns_and_encodings(tmp_path, encoding):
    frame = pd.DataFrame({"名称": ["第一中学", "人民医院"], "经度": [120.15, 120.16], "纬度": [30.27, 30.28]})
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
