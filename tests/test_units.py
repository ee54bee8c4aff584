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


# ----------------------------------------------------------------------------- hex, H3, zones

from cityind_gis import SchemaError  # noqa: E402
from cityind_gis.units import (  # noqa: E402
    assign_points,
    clip_to_boundary,
    make_h3_grid,
    make_hex_grid,
    prepare_zones,
    unit_positions,
)


def test_hex_grid_cells_have_square_area_and_tile():
    g = make_hex_grid((0, 0, 1000, 1000), 100, crs="EPSG:32650")
    assert g["cell_area_m2"].to_numpy() == pytest.approx(10_000.0)
    # a tessellation: no overlaps, and it covers the bounds
    union = shapely.union_all(g.geometry.values)
    assert union.area == pytest.approx(g["cell_area_m2"].sum())
    uncovered = shapely.difference(shapely.box(0, 0, 1000, 1000), union)
    assert uncovered.area == pytest.approx(0.0, abs=1e-6)
    assert g.index.is_unique and g.index.name == "cell_id"


def test_hex_grid_ids_are_stable_across_extents():
    a = make_hex_grid((0, 0, 1000, 1000), 100, crs="EPSG:32650")
    b = make_hex_grid((0, 0, 1000, 1000), 100, crs="EPSG:32650")
    assert a.index.tolist() == b.index.tolist()
    assert a.geom_equals(b).all()


def test_hex_grid_clipped_partial_areas():
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 550, 1000)], crs="EPSG:32650")
    g = make_hex_grid((0, 0, 1000, 1000), 100, crs="EPSG:32650", boundary=boundary)
    assert g["cell_area_m2"].sum() == pytest.approx(550_000.0)
    assert (g["cell_area_m2"] <= 10_000.0 + 1e-6).all()


def test_h3_grid_covers_area_with_true_partial_areas():
    g = make_h3_grid((500_000, 3_000_000, 502_000, 3_002_000), 9, crs="EPSG:32650")
    assert g.crs == "EPSG:32650"
    assert g["cell_area_m2"].sum() == pytest.approx(4_000_000.0)
    assert (g.index.str.len() == 15).all() and g.index.name == "cell_id"
    assert (g["h3_resolution"] == 9).all()


@pytest.mark.parametrize("res", [-1, 16, 9.5, True], ids=["negative", "too-fine", "float", "bool"])
def test_h3_grid_rejects_bad_resolution(res):
    with pytest.raises(InputError, match="resolution"):
        make_h3_grid((0, 0, 100, 100), res, crs="EPSG:32650")


def test_prepare_zones_ids_and_clip():
    zones = gpd.GeoDataFrame({"code": ["A", "B"]},
                             geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
                             crs="EPSG:32650")
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 150, 100)], crs="EPSG:32650")
    z = prepare_zones(zones, id_column="code", boundary=boundary)
    assert z.index.tolist() == ["A", "B"] and z.index.name == "zone_id"
    assert z["cell_area_m2"].tolist() == pytest.approx([10_000.0, 5_000.0])
    assert "code" not in z.columns


@pytest.mark.parametrize(("codes", "match"),
                         [(["A", "A"], "unique ids"), (["A", None], "missing id")],
                         ids=["duplicate", "missing"])
def test_prepare_zones_bad_ids(codes, match):
    zones = gpd.GeoDataFrame({"code": codes},
                             geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
                             crs="EPSG:32650")
    with pytest.raises(SchemaError, match=match):
        prepare_zones(zones, id_column="code")


def test_clip_to_boundary_keeps_ids(grid_2x2):
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(50, 50, 250, 150)], crs=grid_2x2.crs)
    g = clip_to_boundary(grid_2x2, boundary)
    assert g.index.tolist() == [0, 1, 2, 3]
    assert g["cell_area_m2"].tolist() == pytest.approx([2_500.0, 5_000.0, 2_500.0, 5_000.0])
    assert g.attrs["grid"]["clipped"] is True


def test_grid_arithmetic_equals_strtree_path_on_random_points():
    from cityind_gis.testing import random_points

    g = make_grid((0, 0, 3000, 2000), 250, crs="EPSG:32650")
    pts = random_points((-100, -100, 3100, 2100), 20_000, seed=9)
    # integer coordinates put many points exactly on cell edges
    pts = pts.set_geometry(gpd.points_from_xy(np.round(pts.geometry.x / 50) * 50,
                                              np.round(pts.geometry.y / 50) * 50), crs=pts.crs)
    arith = unit_positions(g, pts)
    tree = unit_positions(prepare_zones(g), pts)
    inner = (pts.geometry.x % 250 != 0) & (pts.geometry.y % 250 != 0)
    # off the edges the two paths agree exactly; on an edge each picks a neighbouring cell
    assert (arith[inner.to_numpy()] == tree[inner.to_numpy()]).all()
    ref = gpd.sjoin(pts[inner], g, predicate="within")["cell_id"].sort_index()
    assert assign_points(g, pts[inner]).dropna().astype("int64").tolist() == ref.tolist()


def test_assign_points_zones_labels():
    boxes = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
    zones = prepare_zones(gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=boxes,
                                           crs="EPSG:32650"), id_column="code")
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0.5, 1.5, 5.0], [0.5, 0.5, 0.5]),
                           crs="EPSG:32650")
    got = assign_points(zones, pts)
    assert got.name == "zone_id"
    assert got.iloc[:2].tolist() == ["A", "B"] and got.isna().tolist() == [False, False, True]


def test_assign_points_grid_subset_and_reordered_rows():
    """A grid whose rows were filtered and shuffled still maps points by cell id."""
    from cityind_gis.testing import random_points

    g = make_grid((0, 0, 1000, 1000), 250, crs="EPSG:32650")
    sub = g.iloc[[15, 3, 7, 0, 9]]  # keeps attrs["grid"]; ids no longer equal positions
    pts = random_points((1, 1, 999, 999), 2_000, seed=4)
    got = assign_points_to_grid(sub, pts)
    ref = gpd.sjoin(pts, sub, predicate="within")["cell_id"]
    assert got.dropna().astype("int64").sort_index().tolist() == ref.sort_index().tolist()
    assert got.isna().sum() == len(pts) - len(ref)
    pos = unit_positions(sub, pts)
    assert set(np.unique(pos)) <= {-1, 0, 1, 2, 3, 4}
    assert (sub.index.to_numpy()[pos[pos >= 0]] == got.dropna().to_numpy()).all()
