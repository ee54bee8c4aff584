import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cityind_gis.io._atomic import atomic_path
from cityind_gis.io.writers import write_csv, write_geopackage


def test_geopackage_roundtrip(tmp_path, grid_2x2):
    grid = grid_2x2.assign(level=pd.array([1, None, 3, 4], dtype="Int64"), name=["一", "二", None, "四"])
    pts = gpd.GeoDataFrame({"k": [1]}, geometry=[shapely.Point(1, 1)], crs=grid.crs)
    path = write_geopackage({"grid": grid, "pois": pts}, tmp_path / "out.gpkg")
    back = gpd.read_file(path, layer="grid")
    assert back["cell_id"].tolist() == [0, 1, 2, 3]
    assert back["name"].tolist()[:2] == ["一", "二"]
    assert back.crs == grid.crs
    gpd.testing.assert_geoseries_equal(back.geometry, grid.geometry.reset_index(drop=True),
                                       check_less_precise=True)
    assert len(gpd.read_file(path, layer="pois")) == 1


def test_failed_write_keeps_previous_file(tmp_path):
    target = tmp_path / "summary.csv"
    write_csv(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()
    with pytest.raises(RuntimeError, match="boom"), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("boom")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv"]


def test_csv_has_bom_for_excel(tmp_path):
    path = write_csv(pd.DataFrame({"等级": ["优质协调"]}), tmp_path / "s.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
