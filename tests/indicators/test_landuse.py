import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis import CRSError, InputError, SchemaError
from cityind_gis.indicators import (
    building_area,
    combined_share,
    flatten_landuse,
    jobs_housing,
    land_use_mix,
    landuse_area,
    landuse_shares,
    space_shares,
)
from cityind_gis.units import make_hex_grid, prepare_zones


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


@pytest.fixture
def layer(grid_2x2):
    # cell 0 half industrial (x 0-50) half residential; cell 1 half logistics, quarter business;
    # cell 2 all green; cell 3 empty
    return gpd.GeoDataFrame(
        {"class": ["industrial", "residential", "logistics", "business", "green"]},
        geometry=[shapely.box(0, 0, 50, 100), shapely.box(50, 0, 100, 100),
                  shapely.box(100, 0, 150, 100), shapely.box(150, 0, 200, 50),
                  shapely.box(0, 100, 100, 200)],
        crs=grid_2x2.crs,
    )


def test_half_industrial_cell_has_share_half(grid_2x2, layer):
    shares = landuse_shares(landuse_area(grid_2x2, layer), grid_2x2["cell_area_m2"])
    assert shares.loc[0, "industrial_share"] == 0.5
    both = combined_share(shares, ["industrial", "logistics"], name="industrial_logistics_share")
    assert both.tolist() == [0.5, 0.5, 0.0, 0.0]
    assert both.name == "industrial_logistics_share"


def test_space_shares_known_answer(grid_2x2, layer):
    sp = space_shares(landuse_area(grid_2x2, layer), grid_2x2["cell_area_m2"])
    # business is production space; green is ecological
    assert sp.loc[0].tolist() == [0.5, 0.5, 0.0]
    assert sp.loc[1].tolist() == [0.75, 0.0, 0.0]
    assert sp.loc[2].tolist() == [0.0, 0.0, 1.0]
    assert sp.columns.tolist() == ["space_share_production", "space_share_living",
                                   "space_share_ecological"]


def test_jobs_housing_known_answer(grid_2x2, layer):
    jh = jobs_housing(landuse_area(grid_2x2, layer))
    # cell 0: J = 5000 (industrial), H = 5000 -> ratio 1, balance 1
    # cell 1: J = 2500 (business), H = 0 -> ratio NaN, balance 0; cells 2, 3: no J, no H
    assert jh["jobs_housing_ratio"].tolist()[0] == 1.0
    assert jh["jobs_housing_ratio"].iloc[1:].isna().all()
    assert jh["jobs_housing_balance"].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_jobs_housing_partial_balance():
    area = pd.DataFrame({"landuse_area_industrial": [300.0], "landuse_area_business": [0.0],
                         "landuse_area_residential": [100.0]})
    # J = 300, H = 100: ratio 3, balance 1 - 200/400 = 0.5
    assert jobs_housing(area).iloc[0].tolist() == [3.0, 0.5]


def test_landuse_area_on_hexagons_is_exact(layer):
    hexes = make_hex_grid((0, 0, 200, 200), 50, crs=layer.crs)
    area = landuse_area(hexes, layer)
    # every polygon lies inside the hexagon cover, so nothing is lost or double counted
    assert area.to_numpy().sum() == pytest.approx(layer.area.sum())


def test_overlaps_resolved_without_class_unions(grid_2x2):
    # same-class overlap counted once; residential under industrial loses the overlap
    lu = gpd.GeoDataFrame(
        {"class": ["residential", "industrial", "industrial"]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(50, 0, 100, 100),
                  shapely.box(50, 50, 150, 100)],
        crs=grid_2x2.crs,
    )
    area = landuse_area(grid_2x2, lu, classes=["industrial", "residential"])
    assert area.loc[0].tolist() == [5_000.0, 5_000.0]
    assert area.loc[1].tolist() == [2_500.0, 0.0]
    flat = flatten_landuse(lu)
    assert flat.area.to_dict() == pytest.approx({"industrial": 7_500.0, "residential": 5_000.0})


def test_landuse_area_random_matches_overlay_of_flattened():
    from cityind_gis.testing import random_points
    from cityind_gis.units import make_grid

    g = make_grid((0, 0, 1000, 1000), 100, crs="EPSG:32650")
    pts = random_points((0, 0, 1000, 1000), 200, categories=("industrial", "residential", "green"),
                        seed=11)
    lu = pts.assign(geometry=pts.buffer(40)).rename(columns={"category": "class"})
    area = landuse_area(g, lu, classes=["industrial", "residential", "green"])
    flat = flatten_landuse(lu).reset_index()
    ov = gpd.overlay(g.reset_index(), flat, how="intersection")
    ref = (ov.assign(a=ov.area).pivot_table(index="cell_id", columns="class", values="a",
                                             aggfunc="sum").reindex(g.index).fillna(0.0))
    np.testing.assert_allclose(area[[f"landuse_area_{c}" for c in ref.columns]].to_numpy(),
                               ref.to_numpy(), atol=1e-6)


def test_building_area_known_answer(grid_2x2):
    b = gpd.GeoDataFrame(
        {"class": ["industrial", "industrial", "residential"], "levels": [2, None, 5]},
        geometry=[shapely.box(50, 0, 150, 50), shapely.box(10, 110, 30, 130),
                  shapely.box(110, 110, 190, 190)],
        crs=grid_2x2.crs,
    )
    got = building_area(grid_2x2, b, levels_column="levels")
    # first building straddles cells 0 and 1 (2,500 m2 each, 2 floors); second: 400 m2, 1 floor
    assert got["building_footprint_industrial"].tolist() == [2_500.0, 2_500.0, 400.0, 0.0]
    assert got["building_floor_area_industrial"].tolist() == [5_000.0, 5_000.0, 400.0, 0.0]
    assert got["building_coverage_industrial"].tolist() == [0.25, 0.25, 0.04, 0.0]


def test_building_area_missing_levels_column(grid_2x2):
    b = gpd.GeoDataFrame({"class": ["industrial"]}, geometry=[shapely.box(0, 0, 1, 1)],
                         crs=grid_2x2.crs)
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['floors'\]"):
        building_area(grid_2x2, b, levels_column="floors")


def test_space_shares_rejects_zero_area(grid_2x2, layer):
    with pytest.raises(InputError, match="positive"):
        space_shares(landuse_area(grid_2x2, layer), grid_2x2["cell_area_m2"] * 0)


def test_landuse_area_on_zones(layer):
    zones = prepare_zones(gpd.GeoDataFrame({"code": ["A", "B"]},
                                           geometry=[shapely.box(0, 0, 100, 200),
                                                     shapely.box(100, 0, 200, 200)],
                                           crs=layer.crs), id_column="code")
    area = landuse_area(zones, layer, classes=["industrial", "green"])
    assert area.index.tolist() == ["A", "B"]
    assert area.loc["A"].tolist() == [5_000.0, 10_000.0]
