"""Tests of cityind_gis.network.lifecircle: life-circle tables and per-unit completeness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cityind_gis._errors import InputError, SchemaError
from cityind_gis.network.lifecircle import (
    life_circle_coverage,
    life_circle_requirements,
    life_circles,
)
from cityind_gis.taxonomy import poi_categories


def test_bundled_table_is_sourced_and_mapped():
    table = life_circles()
    assert set(table["level"]) == {"5min", "10min", "15min"}
    assert table.groupby("level")["walk_distance_m"].first().to_dict() == {
        "5min": 300.0, "10min": 500.0, "15min": 1000.0
    }  # fmt: skip
    assert table["source"].ne("").all()
    assert table["status"].isin(["confirmed", "unverified"]).all()
    assert set(table["poi_category"]) <= set(poi_categories().index)


@pytest.fixture
def mini():
    """Two levels: 5 min = 300 m needs retail and food; 15 min = 1000 m needs education."""
    return pd.DataFrame({
        "level": ["5min", "5min", "5min", "15min"],
        "minutes": [5.0, 5.0, 5.0, 15.0],
        "walk_distance_m": [300.0, 300.0, 300.0, 1000.0],
        "facility": ["shop", "market", "canteen", "school"],
        "facility_zh": ["便利店", "菜市场", "食堂", "学校"],
        "poi_category": ["retail", "retail", "food", "education"],
        "required": [True, True, True, True],
    })


def test_requirements_merge_facilities_of_one_category(mini):
    req = life_circle_requirements(mini)
    assert req[["level", "poi_category", "distance_m"]].values.tolist() == [
        ["5min", "food", 300.0], ["5min", "retail", 300.0], ["15min", "education", 1000.0]
    ]  # fmt: skip
    assert req.loc[1, "facilities"] == "shop;market"


@pytest.mark.parametrize(("speed", "expected"), [(None, [300.0, 1000.0]), (80, [400.0, 1200.0])],
                         ids=["standard", "80m-per-min"])  # fmt: skip
def test_walk_speed(mini, speed, expected):
    req = life_circle_requirements(mini, walk_speed=speed)
    assert req.drop_duplicates("level")["distance_m"].tolist() == expected


def test_coverage_known_answer(mini):
    units = pd.DataFrame(
        {"net_dist_retail": [100.0, 400.0, np.nan], "net_dist_food": [300.0, 200.0, 50.0],
         "net_dist_education": [900.0, 1200.0, 10.0]},
        index=["a", "b", "c"],
    )
    out = life_circle_coverage(units, life_circle_requirements(mini))
    # a: all met; b: retail 400 > 300, education 1200 > 1000; c: retail unreachable
    assert out["lc5_complete"].tolist() == [True, False, False]
    assert out["lc15_complete"].tolist() == [True, False, True]
    assert out["lc5_missing"].tolist() == ["", "shop;market", "shop;market"]
    assert out["lc5_missing_zh"].tolist() == ["", "便利店、菜市场", "便利店、菜市场"]
    assert out["lc15_missing"].tolist() == ["", "school", ""]
    np.testing.assert_allclose(out["lc5_score"], [1, 0.5, 0.5])
    np.testing.assert_allclose(out["lc_score"], [1, 1 / 3, 2 / 3])


def test_coverage_missing_column(mini):
    units = pd.DataFrame({"net_dist_retail": [1.0]})
    with pytest.raises(SchemaError, match="net_dist_food"):
        life_circle_coverage(units, life_circle_requirements(mini))


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [({"poi_category": ["retail", "retail", "food", "schools"]}, SchemaError, "unknown POI"),
     ({"walk_distance_m": [300.0, 300.0, 250.0, 1000.0]}, SchemaError, "several"),
     ({"required": ["yes", "true", "true", "true"]}, SchemaError, "true or false")],
    ids=["category", "two-distances", "required"],
)  # fmt: skip
def test_bad_tables(mini, tmp_path, change, error, match):
    path = tmp_path / "lc.csv"
    mini.assign(**change).to_csv(path, index=False)
    with pytest.raises(error, match=match):
        life_circles(path)


@pytest.mark.parametrize(("kwargs", "match"), [({"walk_speed": 0}, "walk_speed"),
                                               ({"levels": ["20min"]}, "unknown levels")],
                         ids=["speed", "level"])  # fmt: skip
def test_bad_requirement_options(kwargs, match):
    with pytest.raises(InputError, match=match):
        life_circle_requirements(**kwargs)
