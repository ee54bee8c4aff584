import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis import CRSError, InputError
from cityind_gis.units import assign_points_to_grid, grid_over, make_grid


def test_make_grid_known_layout(grid_2x2):
    assert list(grid_2x2.index) == [0, 1, 2, 3]
    assert grid_2x2.index.name == "cell_id"
    assert grid_2x2.crs == "EPSG:32650"
    assert grid_2x2["cell_area_m2"].tolist() == [10_000.0] * 4
    # cell 1 is row 0, col 1: x 100-200, y 0-100
    assert grid_2x2.geometry.iloc[1].bounds == (100.0, 0.0, 200.0, 100.0)
    assert grid_2x2[["row", "col"]].values.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]


@pytest.mark.parametrize(
    ("bounds", "n_cells", "total"),
    [
        ((0, 0, 200, 200), 4, (0, 0, 200, 200)),
        ((10, 10, 190, 190), 4, (0, 0, 200, 200)),
        ((0, 0, 201, 100), 3, (0, 0, 300, 100)),
        ((-10, 0, 100, 100), 2, (-100, 0, 100, 100)),
        ((0, 50, 300, 50), 3, (0, 0, 300, 100)),
    ],
    ids=["exact", "inside", "spill-over", "negative", "flat-line"],
)
def test_make_grid_aligns_to_cell_multiples(bounds, n_cells, total):
    g = make_grid(bounds, 100, crs="EPSG:32650")
    assert len(g) == n_cells
    assert tuple(g.total_bounds) == total


def test_make_grid_boundary_clips_partial_cells():
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 150, 100)], crs="EPSG:32650")
    g = make_grid((0, 0, 200, 200), 100, crs="EPSG:32650", boundary=boundary)
    assert list(g.index) == [0, 1]
    assert g["cell_area_m2"].tolist() == pytest.approx([10_000.0, 5_000.0])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"crs": "EPSG:4326"}, CRSError, "geographic CRS"),
        ({"crs": "EPSG:2263"}, CRSError, "not metres"),
        ({"crs": "EPSG:32650", "cell_size": 0}, InputError, "positive number"),
        ({"crs": "EPSG:32650", "cell_size": float("nan")}, InputError, "positive number"),
    ],
    ids=["geographic", "feet", "zero-size", "nan-size"],
)
def test_make_grid_rejects_bad_input(kwargs, error, match):
    cell = kwargs.pop("cell_size", 100)
    with pytest.raises(error, match=match):
        make_grid((0, 0, 200, 200), cell, **kwargs)


def test_assign_points_half_open_cells(grid_2x2):
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([50, 100, 199.9, 200, -1, 0], [50, 50, 199.9, 10, 5, 0]),
        crs=grid_2x2.crs,
    )
    got = assign_points_to_grid(grid_2x2, pts)
    # x=100 lies on the shared edge -> the cell east of it; x=200 is outside the grid
    assert got.fillna(-1).tolist() == [0, 1, 3, -1, -1, 0]


def test_assign_points_matches_sjoin(grid_2x2):
    from cityind_gis.testing import random_points

    pts = random_points((0.5, 0.5, 199.5, 199.5), 500, seed=1)
    got = assign_points_to_grid(grid_2x2, pts)
    ref = gpd.sjoin(pts, grid_2x2, predicate="within")["cell_id"]
    pd.testing.assert_series_equal(got.astype("int64"), ref.rename("cell_id").sort_index())


def test_assign_points_clipped_grid_uses_true_shape():
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 150, 100)], crs="EPSG:32650")
    g = make_grid((0, 0, 200, 100), 100, crs="EPSG:32650", boundary=boundary)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([120, 180], [50, 50]), crs=g.crs)
    got = assign_points_to_grid(g, pts)
    assert got.iloc[0] == 1
    assert got.isna().tolist() == [False, True]


def test_assign_points_crs_mismatch(grid_2x2):
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([1], [1]), crs="EPSG:32651")
    with pytest.raises(CRSError, match="share one CRS"):
        assign_points_to_grid(grid_2x2, pts)


def test_grid_over_uses_joint_extent():
    a = gpd.GeoDataFrame(geometry=gpd.points_from_xy([10], [10]), crs="EPSG:32650")
    b = gpd.GeoDataFrame(geometry=gpd.points_from_xy([290], [90]), crs="EPSG:32650")
    g = grid_over([a, b], 100)
    assert len(g) == 3
    assert np.allclose(g.total_bounds, (0, 0, 300, 100))
