import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

from cityind_gis import CRSError, InputError
from cityind_gis.indicators import raster_class_shares, raster_zonal_stats
from cityind_gis.io.raster import write_geotiff
from cityind_gis.units import make_grid, make_hex_grid, prepare_zones


@pytest.fixture
def landcover(tmp_path, grid_2x2):
    # 4 x 4 pixels of 50 m over (0,0)-(200,200), north row first.
    # cell 0 (south-west) = rows 2-3, cols 0-1: classes 1,1 / 2,2 -> share 0.5 each
    a = np.array([[3, 3, 0, 0],
                  [3, 3, 0, 0],
                  [1, 1, 2, 1],
                  [2, 2, 1, 1]], dtype=np.uint8)
    return write_geotiff(a, tmp_path / "lc.tif", transform=Affine(50, 0, 0, 0, -50, 200),
                         crs=grid_2x2.crs, nodata=0)


def test_class_shares_aligned_known_answer(grid_2x2, landcover):
    s = raster_class_shares(grid_2x2, landcover)
    assert s.columns.tolist() == ["landcover_share_1", "landcover_share_2", "landcover_share_3"]
    # cell 1 (x 100-200, y 0-100): 1 pixel of 2, 3 of 1; cell 3: all nodata
    assert s.to_numpy().tolist() == [[0.5, 0.5, 0.0], [0.75, 0.25, 0.0], [0.0, 0.0, 1.0],
                                     [0.0, 0.0, 0.0]]


def test_class_shares_named_classes(grid_2x2, landcover):
    s = raster_class_shares(grid_2x2, landcover, classes={3: "forest"}, measure="lc")
    assert s["lc_forest"].tolist() == [0.0, 0.0, 1.0, 0.0]


def test_class_shares_half_pixels(tmp_path):
    # 100 m pixels shifted 50 m east: each 100 m cell takes half of two pixels
    g = make_grid((0, 0, 200, 100), 100, crs="EPSG:32650")
    a = np.array([[1, 2, 1]], dtype=np.uint8)
    p = write_geotiff(a, tmp_path / "h.tif", transform=Affine(100, 0, -50, 0, -100, 100),
                      crs=g.crs)
    s = raster_class_shares(g, p)
    assert s.to_numpy().tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_square_path_equals_general_path_on_random_raster(tmp_path):
    rng = np.random.default_rng(4)
    a = rng.integers(1, 5, size=(97, 83)).astype(np.uint8)
    p = write_geotiff(a, tmp_path / "r.tif", transform=Affine(7.3, 0, 3.1, 0, -6.1, 590.0),
                      crs="EPSG:32650")
    g = make_grid((0, 0, 600, 590), 50, crs="EPSG:32650")
    z = prepare_zones(g)  # same polygons, no grid metadata -> exact geometric path
    fast = raster_class_shares(g, p, classes=[1, 2, 3, 4])
    slow = raster_class_shares(z, p, classes=[1, 2, 3, 4])
    np.testing.assert_allclose(fast.to_numpy(), slow.to_numpy(), atol=1e-9)
    # and the geometric path equals intersecting every pixel box with every cell
    xs, ys = np.meshgrid(3.1 + 7.3 * np.arange(83), 590.0 - 6.1 * np.arange(97))
    boxes = shapely.box(xs.ravel(), ys.ravel() - 6.1, xs.ravel() + 7.3, ys.ravel())
    ci, bi = shapely.STRtree(boxes).query(g.geometry.values, predicate="intersects")
    ar = shapely.area(shapely.intersection(g.geometry.values[ci], boxes[bi]))
    ref = np.zeros((len(g), 4))
    np.add.at(ref, (ci, a.ravel()[bi] - 1), ar)
    np.testing.assert_allclose(fast.to_numpy(), ref / 2500.0, atol=1e-9)


def test_class_shares_on_clipped_grid_and_hexes(tmp_path):
    a = np.ones((10, 10), dtype=np.uint8)
    p = write_geotiff(a, tmp_path / "o.tif", transform=Affine(20, 0, 0, 0, -20, 200),
                      crs="EPSG:32650")
    boundary = gpd.GeoDataFrame(geometry=[shapely.Point(100, 100).buffer(90)], crs="EPSG:32650")
    g = make_grid((0, 0, 200, 200), 50, crs="EPSG:32650", boundary=boundary)
    s = raster_class_shares(g, p)
    np.testing.assert_allclose(s["landcover_share_1"].to_numpy(), 1.0, atol=1e-9)
    h = make_hex_grid((20, 20, 180, 180), 30, crs="EPSG:32650", boundary=boundary)
    np.testing.assert_allclose(raster_class_shares(h, p)["landcover_share_1"], 1.0, atol=1e-9)


def test_zonal_sum_and_mean(tmp_path, grid_2x2):
    # population per 50 m pixel; cell 0 holds 1+2+3+4 = 10 people, mean 2.5
    a = np.array([[0, 0, 5, 5],
                  [0, 0, 5, 5],
                  [1, 2, np.nan, 8],
                  [3, 4, 8, 8]], dtype=np.float32)
    p = write_geotiff(a, tmp_path / "pop.tif", transform=Affine(50, 0, 0, 0, -50, 200),
                      crs=grid_2x2.crs)
    st = raster_zonal_stats(grid_2x2, p, measure="population")
    assert st["population_sum"].tolist() == pytest.approx([10.0, 24.0, 0.0, 20.0])
    assert st["population_mean"].tolist() == pytest.approx([2.5, 8.0, 0.0, 5.0])
    # an offset zone covering a quarter of 4 pixels (values 1, 2, 3, 4): sum 2.5, mean 2.5
    z = prepare_zones(gpd.GeoDataFrame(geometry=[shapely.box(25, 25, 75, 75)], crs=grid_2x2.crs))
    assert raster_zonal_stats(z, p).iloc[0].tolist() == pytest.approx([2.5, 2.5])


def test_raster_crs_mismatch(grid_2x2, landcover):
    with pytest.raises(CRSError, match="gdalwarp"):
        raster_class_shares(grid_2x2.to_crs("EPSG:32651"), landcover)


def test_class_shares_reject_float_raster(tmp_path, grid_2x2):
    p = write_geotiff(np.zeros((2, 2), dtype=np.float32), tmp_path / "f.tif",
                      transform=Affine(100, 0, 0, 0, -100, 200), crs=grid_2x2.crs)
    with pytest.raises(InputError, match="raster_zonal_stats"):
        raster_class_shares(grid_2x2, p)
