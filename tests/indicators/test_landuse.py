import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cityind_gis import CRSError, SchemaError
from cityind_gis.indicators import flatten_landuse, land_use_mix, landuse_area, landuse_shares


@pytest.fixture
def landuse(grid_2x2):
    # industrial over x 0-150 of the bottom row; residential over x 100-200 of the
    # bottom row, overlapping the industrial strip on x 100-150 (industrial wins)
    return gpd.GeoDataFrame(
        {"class": ["industrial", "residential"]},
        geometry=[shapely.box(0, 0, 150, 100), shapely.box(100, 0, 200, 100)],
        crs=grid_2x2.crs,
    )


def test_flatten_landuse_priority(landuse):
    flat = flatten_landuse(landuse)
    assert flat.loc["industrial"].geometry.area == pytest.approx(15_000)
    assert flat.loc["residential"].geometry.area == pytest.approx(5_000)


def test_landuse_area_and_shares_known_answer(grid_2x2, landuse):
    area = landuse_area(grid_2x2, landuse, classes=["industrial", "residential"])
    expected = pd.DataFrame(
        {"landuse_area_industrial": [10_000.0, 5_000.0, 0.0, 0.0],
         "landuse_area_residential": [0.0, 5_000.0, 0.0, 0.0]},
        index=grid_2x2.index,
    )
    pd.testing.assert_frame_equal(area, expected)
    shares = landuse_shares(area, grid_2x2["cell_area_m2"])
    assert shares.columns.tolist() == ["industrial_share", "residential_share"]
    assert shares.loc[1].tolist() == [0.5, 0.5]


def test_land_use_mix_known_answer(grid_2x2, landuse):
    area = landuse_area(grid_2x2, landuse, classes=["industrial", "residential"])
    # cell 1: p = (0.5, 0.5), K = 2 -> H = ln2 / ln2 = 1; single class or empty -> 0
    mix = land_use_mix(area)
    assert mix.tolist() == pytest.approx([0.0, 1.0, 0.0, 0.0])
    assert mix.name == "land_use_mix"
    # with K = 4 types considered: ln2 / ln4 = 0.5
    assert land_use_mix(area, n_classes=4).loc[1] == pytest.approx(0.5)


def test_landuse_area_matches_overlay(grid_2x2):
    from cityind_gis.testing import random_points

    pts = random_points((0, 0, 200, 200), 30, categories=("industrial", "residential", "green"),
                        seed=3)
    polys = pts.assign(geometry=pts.buffer(25))
    area = landuse_area(grid_2x2, polys.rename(columns={"category": "class"}),
                        classes=["industrial", "residential", "green"])
    flat = flatten_landuse(polys.rename(columns={"category": "class"})).reset_index()
    ov = gpd.overlay(grid_2x2.reset_index(), flat, how="intersection")
    ref = ov.assign(a=ov.area).pivot_table(index="cell_id", columns="class", values="a",
                                           aggfunc="sum")
    for cls in ref.columns:
        assert area[f"landuse_area_{cls}"].reindex(ref.index).to_numpy() == pytest.approx(
            ref[cls].fillna(0).to_numpy(), abs=1e-6)


def test_landuse_rejects_unknown_class(grid_2x2):
    lu = gpd.GeoDataFrame({"class": ["M1"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=grid_2x2.crs)
    with pytest.raises(SchemaError, match=r"unknown class\(es\) \['M1'\]"):
        landuse_area(grid_2x2, lu)


def test_landuse_rejects_mismatched_crs(grid_2x2, landuse):
    with pytest.raises(CRSError, match="share one CRS"):
        landuse_area(grid_2x2, landuse.to_crs("EPSG:32651"))


def test_landuse_inputs_not_modified(grid_2x2, landuse):
    before_g, before_l = grid_2x2.copy(), landuse.copy()
    landuse_area(grid_2x2, landuse)
    pd.testing.assert_frame_equal(grid_2x2, before_g)
    pd.testing.assert_frame_equal(landuse, before_l)
