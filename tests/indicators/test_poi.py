import geopandas as gpd
import pandas as pd
import pytest

from cityind_gis import SchemaError
from cityind_gis.indicators import poi_counts, poi_density


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
