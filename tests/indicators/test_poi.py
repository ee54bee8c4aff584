import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from cityind_gis import CRSError, InputError, SchemaError
from cityind_gis.indicators import (
    category_share,
    functional_zones,
    poi_counts,
    poi_density,
    poi_kernel_density,
    service_completeness,
    shannon_diversity,
    simpson_diversity,
)
from cityind_gis.units import make_hex_grid, prepare_zones


def test_poi_density_known_answer(grid_2x2):
    pois = gpd.GeoDataFrame(
        {"category": ["retail", "retail", "school"]},
        geometry=gpd.points_from_xy([50, 60, 150], [50, 50, 150]),
        crs=grid_2x2.crs,
    )
    counts = poi_counts(grid_2x2, pois)
    assert counts.columns.tolist() == ["poi_count_retail", "poi_count_school"]
    assert counts["poi_count_retail"].tolist() == [2, 0, 0, 0]
    # two POIs in a 0.01 km2 cell -> 200 per km2
    dens = poi_density(counts, grid_2x2["cell_area_m2"])
    expected = pd.Series([200.0, 0.0, 0.0, 0.0], index=grid_2x2.index, name="poi_density_retail")
    pd.testing.assert_series_equal(dens["poi_density_retail"], expected)
    assert dens["poi_density_school"].tolist() == [0.0, 0.0, 0.0, 100.0]


def test_poi_counts_fixed_categories_ignore_others(grid_2x2):
    pois = gpd.GeoDataFrame(
        {"category": ["retail", None, "food"]},
        geometry=gpd.points_from_xy([50, 60, 150], [50, 50, 150]),
        crs=grid_2x2.crs,
    )
    counts = poi_counts(grid_2x2, pois, categories=["retail", "healthcare"])
    assert counts.sum().tolist() == [1, 0]


def test_poi_counts_agree_with_sjoin(grid_2x2):
    from cityind_gis.testing import random_points

    pois = random_points((0.5, 0.5, 199.5, 199.5), 1000, seed=7)
    counts = poi_counts(grid_2x2, pois)
    ref = gpd.sjoin(pois, grid_2x2, predicate="within").groupby(["cell_id", "category"]).size()
    ref = ref.unstack(fill_value=0).reindex(grid_2x2.index, fill_value=0)
    assert counts.to_numpy().tolist() == ref.to_numpy().tolist()


def test_poi_counts_missing_column(grid_2x2):
    pois = gpd.GeoDataFrame(geometry=gpd.points_from_xy([1], [1]), crs=grid_2x2.crs)
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['category'\]"):
        poi_counts(grid_2x2, pois)


@pytest.fixture
def counts(grid_2x2):
    # cell 0: one food + one retail; cell 1: two food; cell 2: none; cell 3: 3 enterprise + 1 food
    pois = gpd.GeoDataFrame(
        {"category": ["food", "retail", "food", "food", "enterprise", "enterprise", "enterprise",
                      "food"]},
        geometry=gpd.points_from_xy([10, 20, 110, 120, 150, 160, 170, 180],
                                    [10, 20, 10, 20, 150, 160, 170, 180]),
        crs=grid_2x2.crs,
    )
    return poi_counts(grid_2x2, pois, categories=["enterprise", "food", "retail"])


def test_shannon_two_categories_is_ln2(counts):
    h = shannon_diversity(counts[["poi_count_food", "poi_count_retail"]])
    assert h.name == "service_shannon"
    # cell 0: p = (1/2, 1/2) -> ln 2; cell 1: one category -> 0; empty cell -> 0
    assert h.tolist() == pytest.approx([np.log(2), 0.0, 0.0, 0.0])


def test_simpson_two_categories_is_half(counts):
    d = simpson_diversity(counts)
    # cell 3: p = (3/4, 1/4) -> 1 - 9/16 - 1/16 = 0.375
    assert d.tolist() == pytest.approx([0.5, 0.0, 0.0, 0.375])


def test_service_completeness(counts):
    c = service_completeness(counts[["poi_count_food", "poi_count_retail"]])
    assert c.tolist() == [1.0, 0.5, 0.0, 0.5]


def test_category_share(counts):
    s = category_share(counts, "poi_count_enterprise", name="industrial_poi_share")
    assert s.tolist() == [0.0, 0.0, 0.0, 0.75]


def test_functional_zones_known_answer(counts):
    fz = functional_zones(counts)
    # totals: enterprise 3, food 4, retail 1
    # cell 0: FD = (0, 1/4, 1) -> CR retail = 0.8 -> single-function retail
    assert fz.loc[0, "fz_density_food"] == pytest.approx(0.25)
    assert fz.loc[0, "fz_ratio_retail"] == pytest.approx(0.8)
    # cell 3: FD = (1, 1/4, 0) -> CR enterprise = 0.8
    assert fz.loc[3, "fz_ratio_enterprise"] == pytest.approx(0.8)
    assert fz["fz_type"].tolist() == ["retail", "food", "none", "enterprise"]
    assert fz["fz_ratio_max"].tolist() == pytest.approx([0.8, 1.0, 0.0, 0.8])


def test_functional_zones_mixed(grid_2x2):
    counts = pd.DataFrame({"poi_count_a": [1, 1, 0, 0], "poi_count_b": [1, 0, 1, 0],
                           "poi_count_c": [1, 0, 0, 1]}, index=grid_2x2.index)
    # cell 0: FD = (1/2, 1/2, 1/2) -> CR = 1/3 each -> mixed; threshold 0.5 exactly counts as single
    fz = functional_zones(counts)
    assert fz["fz_type"].tolist() == ["mixed", "a", "b", "c"]
    half = pd.DataFrame({"poi_count_a": [1, 1], "poi_count_b": [1, 1]})
    assert functional_zones(half)["fz_type"].tolist() == ["a", "a"]


@pytest.mark.parametrize("threshold", [0.0, 1.5], ids=["zero", "above-one"])
def test_functional_zones_bad_threshold(counts, threshold):
    with pytest.raises(InputError, match="threshold"):
        functional_zones(counts, threshold=threshold)


def test_diversity_rejects_negative_counts(grid_2x2):
    with pytest.raises(InputError, match="non-negative"):
        shannon_diversity(pd.DataFrame({"a": [-1, 0, 0, 0]}, index=grid_2x2.index))


def test_poi_counts_on_hex_and_zones_match_sjoin():
    from cityind_gis.testing import random_points

    hexes = make_hex_grid((0, 0, 1000, 1000), 100, crs="EPSG:32650")
    zones = prepare_zones(hexes.drop(columns=["row", "col"]))
    pts = random_points((0, 0, 1000, 1000), 2000, seed=5)
    ref = (gpd.sjoin(pts, hexes, predicate="within").groupby(["cell_id", "category"]).size()
           .unstack(fill_value=0).reindex(hexes.index, fill_value=0))
    got = poi_counts(hexes, pts)
    assert got.to_numpy().tolist() == ref.to_numpy().tolist()
    got_z = poi_counts(zones, pts)
    assert got_z.to_numpy().tolist() == ref.to_numpy().tolist()


def test_poi_counts_categorical_column(grid_2x2):
    pois = gpd.GeoDataFrame(
        {"category": pd.Categorical(["b", "a", "b"], categories=["a", "b", "z"])},
        geometry=gpd.points_from_xy([10, 20, 150], [10, 20, 150]), crs=grid_2x2.crs)
    got = poi_counts(grid_2x2, pois)
    assert got.columns.tolist() == ["poi_count_a", "poi_count_b"]
    assert got.to_numpy().tolist() == [[1, 1], [0, 0], [0, 0], [0, 1]]


def test_kernel_density_mass_and_peak():
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([505.0], [505.0]), crs="EPSG:32650")
    dens, transform = poi_kernel_density(pts, cell_size=10, bandwidth=100,
                                         bounds=(0, 0, 1000, 1000))
    assert dens.shape == (100, 100)
    assert transform.c == 0 and transform.f == 1000 and transform.a == 10
    # one point integrates to 1: sum(density per km2) * pixel area (km2) = 1
    assert float(dens.sum()) * 1e-4 == pytest.approx(1.0, rel=1e-5)
    # peak at the point's pixel (row 49 from the north, col 50); zero beyond the radius
    assert np.unravel_index(dens.argmax(), dens.shape) == (49, 50)
    assert dens[49, 61] == 0.0


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"cell_size": 10, "bandwidth": 5}, InputError, "bandwidth"),
    ({"cell_size": 0, "bandwidth": 5}, InputError, "cell_size"),
], ids=["small-bandwidth", "zero-cell"])
def test_kernel_density_bad_args(kwargs, error, match):
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5.0], [5.0]), crs="EPSG:32650")
    with pytest.raises(error, match=match):
        poi_kernel_density(pts, **kwargs)


def test_kernel_density_geographic():
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5.0], [5.0]), crs="EPSG:4326")
    with pytest.raises(CRSError, match="geographic"):
        poi_kernel_density(pts, cell_size=10, bandwidth=100)
