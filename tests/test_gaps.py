import geopandas as gpd
import numpy as np
import pytest

from cityind_gis import InputError, SchemaError
from cityind_gis.gaps import service_gaps


@pytest.fixture
def units(grid_2x2):
    g = grid_2x2.copy()
    g["industrial_share"] = [0.8, 0.2, 0.0, 0.5]
    g["net_dist_retail"] = [1200.0, 300.0, 50.0, np.nan]
    g["net_dist_healthcare"] = [900.0, 1001.0, 50.0, 10.0]
    return g


def test_service_gaps_known_answer(units):
    gaps = service_gaps(units, categories=["retail", "healthcare"], distance=1000)
    # cell 0: retail 1200 > 1000 -> 1 missing; cell 1: healthcare 1001 -> 1 missing;
    # cell 2 not industrial; cell 3: retail unreachable (NaN) -> missing
    assert isinstance(gaps, gpd.GeoDataFrame)
    assert gaps.crs == units.crs
    assert sorted(gaps.index) == [0, 1, 3]
    assert gaps.loc[0, "missing"] == "retail"
    assert gaps.loc[1, "missing"] == "healthcare"
    assert gaps.loc[1, "missing_zh"] == "医疗保健"
    assert gaps.loc[3, "gap_retail"]
    assert gaps["gap_score"].tolist() == [0.5, 0.5, 0.5]
    # ranked by n_missing then industrial share: 0 (0.8), 3 (0.5), 1 (0.2)
    assert gaps.index.tolist() == [0, 3, 1]
    assert gaps["gap_rank"].tolist() == [1, 2, 3]


def test_service_gaps_threshold(units):
    gaps = service_gaps(units, categories=["retail", "healthcare"], min_industrial_share=0.6)
    assert gaps.index.tolist() == [0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"categories": []}, InputError, "empty"),
        ({"categories": ["food"]}, SchemaError, "net_dist_food"),
        ({"categories": ["retail"], "distance": -1}, InputError, "positive"),
    ],
    ids=["no-categories", "missing-column", "negative-distance"],
)
def test_service_gaps_errors(units, kwargs, error, match):
    with pytest.raises(error, match=match):
        service_gaps(units, **kwargs)
