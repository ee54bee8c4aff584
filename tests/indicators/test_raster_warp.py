"""Rasters in another CRS warped on the fly (`warp=True`, `[indicators] warp_rasters`).

Units are in EPSG:32650 (UTM 50N, central meridian 117°E); rasters are written in
EPSG:4326 around lon 117, lat 31, with ``affine.Affine`` built by hand
(``rasterio.transform.from_origin`` warns under the test settings). Expected values
come from the source pixels themselves: each source pixel is a lon/lat box whose
projected area, or share inside a unit, is computed with shapely.
"""

import re
import tempfile

import numpy as np
import pytest
import shapely
from affine import Affine
from pyproj import Transformer

from cityind_gis import CRSError, InputError
from cityind_gis.config import load_config
from cityind_gis.indicators import raster_class_shares, raster_zonal_stats
from cityind_gis.io.raster import warped_raster, write_geotiff
from cityind_gis.testing import write_three_cell_town
from cityind_gis.units import make_grid, prepare_zones
from cityind_gis.validate import validate_config
from cityind_gis.workflow import run

UTM50 = "EPSG:32650"
TO_UTM = Transformer.from_crs("EPSG:4326", UTM50, always_xy=True)
TO_LONLAT = Transformer.from_crs(UTM50, "EPSG:4326", always_xy=True)
WARPED = r"is in EPSG:4326; warped to EPSG:32650 at ([\d.]+) m with {}"


def _lonlat_tif(path, array, *, west, north, step, nodata=None):
    """A north-up EPSG:4326 GeoTIFF with square pixels of ``step`` degrees."""
    return write_geotiff(array, path, transform=Affine(step, 0.0, west, 0.0, -step, north),
                         crs="EPSG:4326", nodata=nodata)


def _to_utm(geom):
    return shapely.transform(shapely.segmentize(geom, 1e-5),
                             lambda c: np.column_stack(TO_UTM.transform(c[:, 0], c[:, 1])))


def _to_lonlat(geom):
    return shapely.transform(shapely.segmentize(geom, 5.0),
                             lambda c: np.column_stack(TO_LONLAT.transform(c[:, 0], c[:, 1])))


def _pixel_area_m2(lon, lat, step):
    """Area in EPSG:32650 of the lon/lat pixel whose south-west corner is (lon, lat)."""
    return _to_utm(shapely.box(lon, lat, lon + step, lat + step)).area


def _grid(x0, y0, width, height, cell):
    """A square grid whose south-west corner is exactly (x0, y0) (multiples of ``cell``)."""
    g = make_grid((x0, y0, x0 + width, y0 + height), cell, crs=UTM50)
    assert tuple(g.total_bounds) == (x0, y0, x0 + width, y0 + height)
    return g


@pytest.fixture
def empty_tempdir(tmp_path, monkeypatch):
    """Temporary files go to a folder of their own, checked empty afterwards."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# --- population: counts per pixel, warped with "sum" ----------------------------------------


@pytest.fixture
def population(tmp_path):
    """Random people per 0.0001° pixel (about 9.5 m x 11.1 m), 300 x 300 pixels.

    They cover lon 116.985-117.015, lat 30.985-31.015.
    """
    a = np.random.default_rng(7).uniform(0, 20, (300, 300)).astype(np.float32)
    path = _lonlat_tif(tmp_path / "pop.tif", a, west=116.985, north=31.015, step=0.0001,
                       nodata=-99999.0)
    return path, a


def _people_inside(area_utm, a, *, west, north, step):
    """Exact people in a polygon: each pixel's count times the share of it inside."""
    rows, cols = a.shape
    xs, ys = np.meshgrid(west + step * np.arange(cols), north - step * np.arange(rows))
    boxes = shapely.box(xs.ravel(), ys.ravel() - step, xs.ravel() + step, ys.ravel())
    outline = _to_lonlat(area_utm)
    shapely.prepare(outline)
    inside = shapely.contains_properly(outline, boxes).astype(np.float64)
    cut = np.flatnonzero(inside == 0)  # only pixels on or outside the outline are intersected
    inside[cut] = shapely.area(shapely.intersection(boxes[cut], outline)) / step**2
    return float((inside * a.ravel().astype(np.float64)).sum())


@pytest.mark.parametrize("kind", ["square", "polygons"])
def test_population_total_preserved(population, empty_tempdir, kind):
    path, a = population
    # 8 x 8 cells of 250 m around (500 000, 3 429 602) = lon 117, lat 31, inside the raster
    g = _grid(499_000, 3_428_500, 2000, 2000, 250)
    zones = g if kind == "square" else prepare_zones(g)  # square path / exact polygon path
    with pytest.warns(UserWarning, match=WARPED.format("sum")) as rec:
        got = raster_zonal_stats(zones, path, measure="population", warp=True, resampling="sum")
    expected = _people_inside(shapely.box(*g.total_bounds), a, west=116.985, north=31.015,
                              step=0.0001)
    assert expected == pytest.approx(377_820.98, rel=1e-7)
    assert got["population_sum"].sum() == pytest.approx(expected, rel=0.01)
    # measured: square grid 377 820.27 people (relative error -1.9e-6: 10 m warped pixels with
    # edges on the cell edges, so only the warp redistributes); polygons 377 862.20 (+1.1e-4:
    # 10.3 m pixels from x = 0 straddle the outline and are split again, evenly)
    error = got["population_sum"].sum() / expected - 1
    assert abs(error) < (1e-5 if kind == "square" else 1e-3)
    px = float(re.search(WARPED.format("sum"), str(rec[0].message))[1])
    assert px == (10.0 if kind == "square" else 10.3)
    assert not list(empty_tempdir.iterdir())


def test_uniform_population_equal_density(tmp_path, empty_tempdir):
    # one person per 0.001° pixel (about 95 m x 111 m); 250 m cells -> 83.3 m warped pixels
    path = _lonlat_tif(tmp_path / "pop.tif", np.ones((40, 40), dtype=np.float32),
                       west=116.98, north=31.02, step=0.001)
    g = _grid(499_000, 3_428_500, 2000, 2000, 250)
    with pytest.warns(UserWarning, match=r"at 83\.3333 m with sum"):
        got = raster_zonal_stats(g, path, measure="population", warp=True, resampling="sum")
    density = got["population_sum"] / 0.0625  # people per km²
    per_km2 = 1e6 / _pixel_area_m2(117.0, 31.0, 0.001)  # about 94.6
    np.testing.assert_allclose(density, per_km2, rtol=0.01)
    assert density.max() / density.min() - 1 < 0.01
    assert not list(empty_tempdir.iterdir())


# --- night lights: radiance, warped with "average" ------------------------------------------


def test_night_light_mean_of_uniform_raster(tmp_path, empty_tempdir):
    path = _lonlat_tif(tmp_path / "ntl.tif", np.full((40, 40), 7.5, dtype=np.float32),
                       west=116.98, north=31.02, step=0.001)
    g = _grid(499_000, 3_428_500, 2000, 2000, 250)
    with pytest.warns(UserWarning, match=WARPED.format("average")):
        got = raster_zonal_stats(g, path, measure="night_light", warp=True,
                                 resampling="average")
    np.testing.assert_allclose(got["night_light_mean"], 7.5, rtol=1e-9)
    assert not list(empty_tempdir.iterdir())


# --- land cover: classes, warped with "nearest" ---------------------------------------------


def test_landcover_split_at_a_meridian(tmp_path, empty_tempdir):
    # class 1 west of lon 117.0007, class 2 east of it (0.0001° pixels, split on a pixel edge)
    a = np.ones((200, 200), dtype=np.uint8)
    a[:, 107:] = 2
    path = _lonlat_tif(tmp_path / "lc.tif", a, west=116.99, north=31.01, step=0.0001)
    # 3 x 2 cells of 100 m, x 499 900-500 200: the meridian (x about 500 066.8) cuts the middle
    g = _grid(499_900, 3_429_500, 300, 200, 100)
    with pytest.warns(UserWarning, match=WARPED.format("nearest")) as rec:
        got = raster_class_shares(g, path, classes={1: "west", 2: "east"}, warp=True)
    px = float(re.search(WARPED.format("nearest"), str(rec[0].message))[1])
    assert px == 10.0  # 100 m / ceil(100 / 10.3)
    west = _to_utm(shapely.box(116.99, 30.99, 116.99 + 107 * 0.0001, 31.01))
    expected = shapely.area(shapely.intersection(g.geometry.values, west)) / 1e4
    assert expected.round(3).tolist() == [1.0, 0.668, 0.0, 1.0, 0.668, 0.0]
    np.testing.assert_allclose(got["landcover_share_west"], expected, atol=px / 100)
    np.testing.assert_allclose(got["landcover_share_east"], 1 - expected, atol=px / 100)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-9)
    assert not list(empty_tempdir.iterdir())


def test_landcover_without_nodata_outside_counts_as_no_class(tmp_path, empty_tempdir):
    # uint8 without nodata: the warped copy is int16 with nodata -32768, so the area east of
    # the raster's edge (lon 117 = x 500 000) is no class rather than class 0
    path = _lonlat_tif(tmp_path / "lc.tif", np.full((100, 100), 3, dtype=np.uint8),
                       west=116.99, north=31.01, step=0.0001)
    g = _grid(499_900, 3_429_700, 200, 100, 100)
    with pytest.warns(UserWarning, match=WARPED.format("nearest")):
        got = raster_class_shares(g, path, warp=True)
    assert got.columns.tolist() == ["landcover_share_3"]
    np.testing.assert_allclose(got["landcover_share_3"], [1.0, 0.0], atol=1e-9)
    assert not list(empty_tempdir.iterdir())


# --- refusals, clean-up, strips -------------------------------------------------------------


@pytest.mark.parametrize("measure", ["zonal", "classes"])
def test_other_crs_refused_by_default(tmp_path, measure):
    path = _lonlat_tif(tmp_path / "r.tif", np.ones((40, 40), dtype=np.uint8), west=116.98,
                       north=31.02, step=0.001)
    g = _grid(499_000, 3_428_500, 2000, 2000, 250)
    call = raster_zonal_stats if measure == "zonal" else raster_class_shares
    with pytest.raises(CRSError, match=r"gdalwarp -t_srs EPSG:32650.*warp_rasters = true"):
        call(g, path)


def test_warp_needs_resampling_for_continuous_rasters(tmp_path):
    path = _lonlat_tif(tmp_path / "r.tif", np.ones((4, 4), dtype=np.float32), west=116.98,
                       north=31.02, step=0.001)
    g = _grid(499_000, 3_428_500, 250, 250, 250)
    with pytest.raises(InputError, match=r"`resampling` must be \"sum\".*got None"):
        raster_zonal_stats(g, path, warp=True)


def test_temp_file_removed_when_measuring_fails(tmp_path, empty_tempdir):
    # 0.001° pixels are about 103 m: larger than 50 m cells, which the square path refuses
    path = _lonlat_tif(tmp_path / "r.tif", np.ones((40, 40), dtype=np.float32), west=116.98,
                       north=31.02, step=0.001)
    g = _grid(499_000, 3_428_500, 500, 500, 50)
    with (pytest.warns(UserWarning, match=r"at 103 m with sum"),
          pytest.raises(InputError, match="larger than the grid cells")):
        raster_zonal_stats(g, path, warp=True, resampling="sum")
    assert not list(empty_tempdir.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.tif", "tmp"]  # nothing beside it


@pytest.mark.parametrize("resampling", ["sum", "average", "nearest"])
def test_strips_equal_one_warp(population, resampling):
    path, _ = population
    bounds = (499_000.0, 3_428_500.0, 501_000.0, 3_430_500.0)
    with warped_raster(path, UTM50, bounds=bounds, resampling=resampling) as whole:
        import rasterio

        with rasterio.open(whole.path) as src:
            one = src.read(1)
    with warped_raster(path, UTM50, bounds=bounds, resampling=resampling,
                       max_pixels=1000) as strips:  # 5 rows of 195 pixels at a time
        with rasterio.open(strips.path) as src:
            many = src.read(1)
    assert whole.crs == UTM50 and whole.res == (10.3, 10.3) and one.shape == (195, 195)
    np.testing.assert_allclose(one, many, rtol=1e-6)  # GDAL may sum in another order


# --- config, pipeline and validate ----------------------------------------------------------


def _town_with_population(folder, warp):
    """The three-cell town with a population raster in EPSG:4326.

    The town is x 0-300, y 0-100 m in EPSG:32650, about lon 112.51, lat 0; the raster has
    one person per 0.0001° pixel and covers it.
    """
    cfg = write_three_cell_town(folder)
    _lonlat_tif(folder / "pop.tif", np.ones((30, 60), dtype=np.float32), west=112.508,
                north=0.002, step=0.0001)
    extra = '\n[indicators]\npopulation_raster = "pop.tif"\n'
    if warp is not None:
        extra += f"warp_rasters = {str(warp).lower()}\n"
    cfg.write_text(cfg.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return cfg


def test_pipeline_warps_population_raster(tmp_path):
    cfg = _town_with_population(tmp_path, warp=True)
    lon, lat = TO_LONLAT.transform(150.0, 50.0)
    assert (round(lon, 3), round(lat, 3)) == (112.513, 0.0)
    with pytest.warns(UserWarning, match=r"`\[indicators\] population_raster` 'pop\.tif' is in "
                      r"EPSG:4326; warped to EPSG:32650 at 11\.1111 m with sum \(set "
                      r"warp_rasters = false to refuse\)"):
        grid = run(load_config(cfg)).grid
    per_cell = 1e4 / _pixel_area_m2(lon, lat, 0.0001)  # people in a 100 m cell, about 80.7
    np.testing.assert_allclose(grid["population_sum"], per_cell, rtol=0.01)
    np.testing.assert_allclose(grid["population_density"], per_cell * 100, rtol=0.01)


def test_pipeline_refuses_other_crs_without_warp_rasters(tmp_path):
    cfg = _town_with_population(tmp_path, warp=None)
    with pytest.raises(CRSError, match=r"`\[indicators\] population_raster` 'pop\.tif' is in "
                       r"EPSG:4326.*`\[indicators\] warp_rasters = true`"):
        run(load_config(cfg))


@pytest.mark.parametrize(("warp", "line"), [
    (True, "WARN population_raster: 'pop.tif' is in EPSG:4326, not the analysis CRS "
           "EPSG:32650; it will be warped with sum resampling"),
    (False, "FAIL population_raster: `[indicators] population_raster` 'pop.tif' is in "
            "EPSG:4326"),
], ids=["warp", "refuse"])
def test_validate_reports_warp(tmp_path, warp, line):
    lines: list[str] = []
    ok = validate_config(load_config(_town_with_population(tmp_path, warp=warp)),
                         progress=lines.append)
    assert ok is warp, "\n".join(lines)
    assert any(s.startswith(line) for s in lines), "\n".join(lines)


def test_warp_rasters_must_be_bool(tmp_path):
    cfg = write_three_cell_town(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[indicators]\nwarp_rasters = "yes"\n',
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"`\[indicators\] warp_rasters` must be true or false"):
        load_config(cfg)


def test_warp_refused_when_the_temporary_disk_is_too_small(tmp_path, empty_tempdir, monkeypatch):
    """A warp that would not fit in the temporary folder stops before writing, with the fix."""
    import collections
    import shutil

    path = _lonlat_tif(tmp_path / "pop.tif", np.ones((40, 40), dtype=np.float32),
                       west=116.98, north=31.02, step=0.001)
    g = _grid(499_000, 3_428_500, 2000, 2000, 250)
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10_000, 9_000, 1_000))
    with pytest.raises(InputError, match=r"needs 0\.0 GB of temporary space \(24 x 24 pixels\)"
                                         r".*Point TMPDIR at a larger disk"):
        raster_zonal_stats(g, path, measure="population", warp=True, resampling="sum")
    assert not list(empty_tempdir.iterdir())
