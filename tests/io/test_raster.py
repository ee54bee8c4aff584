import numpy as np
import pytest
from affine import Affine

from cityind_gis import CRSError, InputError
from cityind_gis.io.raster import (
    check_raster_crs,
    iter_raster_strips,
    raster_info,
    read_raster,
    write_geotiff,
)


@pytest.fixture
def tif(tmp_path):
    a = np.arange(12, dtype=np.int16).reshape(3, 4)
    return write_geotiff(a, tmp_path / "a.tif", transform=Affine(10, 0, 100, 0, -10, 30),
                         crs="EPSG:32650", nodata=-1)


def test_write_read_round_trip(tif):
    info = raster_info(tif)
    assert (info.width, info.height, info.dtype, info.nodata) == (4, 3, "int16", -1.0)
    assert info.bounds == (100.0, 0.0, 140.0, 30.0)
    assert info.res == (10.0, 10.0)
    data, t = read_raster(tif)
    assert data.tolist() == np.arange(12).reshape(3, 4).tolist()
    assert t == Affine(10, 0, 100, 0, -10, 30)


def test_read_window_snaps_outwards(tif):
    data, t = read_raster(tif, bounds=(115, 5, 125, 15))
    # columns 1-2, rows 1-2 (y 0-20)
    assert data.tolist() == [[5, 6], [9, 10]]
    assert (t.c, t.f) == (110.0, 20.0)


def test_strips_cover_every_row(tif):
    strips = list(iter_raster_strips(tif, max_pixels=8))
    assert [r0 for _, r0 in strips] == [0, 2]
    assert np.vstack([s for s, _ in strips]).tolist() == np.arange(12).reshape(3, 4).tolist()


def test_check_raster_crs_mismatch(tif):
    with pytest.raises(CRSError, match="gdalwarp"):
        check_raster_crs(raster_info(tif), "EPSG:32651")


@pytest.mark.parametrize(("call", "match"), [
    (lambda p: raster_info(p.parent / "missing.tif"), "does not exist"),
    (lambda p: read_raster(p, band=2), "band"),
    (lambda p: write_geotiff(np.zeros(3), p, transform=Affine.identity(), crs="EPSG:32650"), "2-D"),
], ids=["missing", "band", "not-2d"])
def test_raster_errors(tif, call, match):
    with pytest.raises(InputError, match=match):
        call(tif)


def test_write_is_atomic_on_failure(tif):
    before = tif.read_bytes()
    with pytest.raises(InputError):
        write_geotiff(np.zeros((2, 2, 2)), tif, transform=Affine.identity(), crs="EPSG:32650")
    assert tif.read_bytes() == before
