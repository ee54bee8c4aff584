"""Tests of cityind_gis.panel: pooled normalisation, change of D, statistics tables."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cityind_gis._errors import InputError, SchemaError
from cityind_gis.coupling import coupling_coordination, normalize
from cityind_gis.indicators import poi_counts
from cityind_gis.panel import (
    d_change,
    join_statistics,
    panel_coupling,
    read_statistics,
)

UNITS = pd.Index(["a", "b"], name="zone")


@pytest.fixture
def two_years() -> dict[int, pd.DataFrame]:
    """GDP 10, 20 then 30, 50; schools 0, 2 then 4, 4 (pooled ranges 10-50 and 0-4)."""
    return {
        2019: pd.DataFrame({"gdp": [10.0, 20.0], "schools": [0.0, 2.0]}, index=UNITS),
        2024: pd.DataFrame({"gdp": [30.0, 50.0], "schools": [4.0, 4.0]}, index=UNITS),
    }


SUBSYSTEMS = {"U1": {"gdp": "+"}, "U2": {"schools": "+"}}


def test_panel_coupling_pooled_known_answer(two_years):
    # pooled min-max: gdp (10, 20, 30, 50) -> (0, .25, .5, 1); schools (0, 2, 4, 4) -> (0, .5, 1, 1)
    # one indicator per subsystem: weight 1
    # 2019 a (0, 0): C = 0, D = 0 ; 2019 b (.25, .5): C = 2 sqrt(.125) / .75 = 0.942809,
    #   T = .375, D = sqrt(.353553) = 0.594604
    # 2024 a (.5, 1): C = 2 sqrt(.5) / 1.5 = 0.942809, T = .75, D = 0.840896 ; 2024 b: D = 1
    result = panel_coupling(two_years, SUBSYSTEMS, shift=None)
    idx = result.indices
    assert idx.index.names == ["period", "zone"]
    assert idx["U1"].tolist() == pytest.approx([0.0, 0.25, 0.5, 1.0])
    assert idx["U2"].tolist() == pytest.approx([0.0, 0.5, 1.0, 1.0])
    assert idx["D"].tolist() == pytest.approx([0.0, 0.594604, 0.840896, 1.0], abs=1e-6)
    assert idx["grade_level"].tolist() == [1, 6, 9, 10]
    assert result.weights["weight"].tolist() == [1.0, 1.0]


def test_panel_coupling_differs_from_per_year_normalisation(two_years):
    # normalised alone, 2024's gdp would be (0, 1): the worst unit of every year scores 0,
    # whereas pooled it is .5 -- the reason for pooling
    alone = normalize(two_years[2024][["gdp"]], {"gdp": "+"})
    pooled = panel_coupling(two_years, SUBSYSTEMS, shift=None).indices.loc[2024, "U1"]
    assert alone["gdp"].tolist() == [0.0, 1.0]
    assert pooled.tolist() == pytest.approx([0.5, 1.0])


def test_panel_coupling_three_subsystems_matches_coupling_coordination(two_years):
    tables = {k: v.assign(jobs=[1.0, 3.0] if k == 2019 else [2.0, 5.0])
              for k, v in two_years.items()}
    subsystems = {**SUBSYSTEMS, "U3": {"jobs": "+"}}
    result = panel_coupling(tables, subsystems, shift=(0.01, 0.99), model="corrected")
    # jobs pooled (1, 3, 2, 5) -> (0, .5, .25, 1) -> shifted .01 + .98 z
    assert result.indices["U3"].tolist() == pytest.approx([0.01, 0.5, 0.255, 0.99])
    expected = coupling_coordination(result.indices[["U1", "U2", "U3"]], model="corrected")
    pd.testing.assert_frame_equal(result.indices[["C", "T", "D"]], expected)


def test_d_change_known_answer(two_years):
    # a: 0 -> 0.840896, levels 1 -> 9 ; b: 0.594604 -> 1, levels 6 -> 10
    change = d_change(panel_coupling(two_years, SUBSYSTEMS, shift=None).indices,
                      base=2019, target=2024)
    assert change.index.tolist() == ["a", "b"]
    assert change["d_change"].tolist() == pytest.approx([0.840896, 0.405396], abs=1e-6)
    assert change["level_change"].tolist() == [8, 4]
    assert change["trend"].tolist() == ["up", "up"]


@pytest.fixture
def outlier_year(two_years) -> dict[int, pd.DataFrame]:
    """As ``two_years`` but 2024's b is an outlier (gdp 1000, schools 99) to be left out."""
    return {2019: two_years[2019],
            2024: pd.DataFrame({"gdp": [30.0, 1000.0], "schools": [4.0, 99.0]}, index=UNITS)}


def test_panel_coupling_units_not_analysed_take_no_part(outlier_year):
    # b is outside the analysis domain in 2024: pooled over the 3 analysed rows only,
    # gdp (10, 20, 30) -> (0, .5, 1), schools (0, 2, 4) -> (0, .5, 1); b's 1000 and 99
    # would otherwise squeeze every other value towards 0
    # 2019 a (0, 0): D 0 ; 2019 b (.5, .5): C 1, T .5, D sqrt(.5) = .707107 ; 2024 a (1, 1): D 1
    analysed = {2024: pd.Series([True, False], index=UNITS)}
    idx = panel_coupling(outlier_year, SUBSYSTEMS, shift=None, analysed=analysed).indices
    assert idx["analysed"].tolist() == [True, True, True, False]
    assert idx["U1"].tolist()[:3] == pytest.approx([0.0, 0.5, 1.0])
    assert idx["U2"].tolist()[:3] == pytest.approx([0.0, 0.5, 1.0])
    assert idx["D"].tolist()[:3] == pytest.approx([0.0, 0.707107, 1.0], abs=1e-6)
    assert idx.loc[(2024, "b"), ["U1", "U2", "C", "T", "D"]].isna().all()
    assert pd.isna(idx.loc[(2024, "b"), "grade_level"])
    # d_change only where both periods are analysed
    change = d_change(idx, base=2019, target=2024)
    assert change.loc["a", ["d_change", "level_change", "trend"]].tolist() == [1.0, 9, "up"]
    assert pd.isna(change.loc["b", "d_change"]) and pd.isna(change.loc["b", "level_change"])
    assert change.loc["b", "trend"] is None


@pytest.mark.parametrize(
    ("analysed", "error", "match"),
    [
        ({2030: pd.Series([True, True], index=UNITS)}, InputError, r"period\(s\) \['2030'\]"),
        ({2024: pd.Series([1, 0], index=UNITS)}, SchemaError, r"`analysed\[2024\]` must be a "
         "boolean Series"),
        ({2019: pd.Series([False, False], index=UNITS),
          2024: pd.Series([True, False], index=UNITS)}, InputError, r"leaves 1 \(period, unit\)"),
    ],
    ids=["unknown-period", "not-boolean", "too-few-rows"],
)
def test_panel_coupling_analysed_errors(outlier_year, analysed, error, match):
    with pytest.raises(error, match=match):
        panel_coupling(outlier_year, SUBSYSTEMS, shift=None, analysed=analysed)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"base": 2010, "target": 2024}, InputError, r"period\(s\) \[2010\] are not in"),
        ({"base": 2019, "target": 2024, "column": "E"}, SchemaError, "'E' is not in"),
    ],
    ids=["period", "column"],
)
def test_d_change_errors(two_years, kwargs, error, match):
    with pytest.raises(error, match=match):
        d_change(panel_coupling(two_years, SUBSYSTEMS, shift=None).indices, **kwargs)


@pytest.mark.parametrize(
    ("change", "subsystems", "error", "match"),
    [
        ({2024: pd.DataFrame({"gdp": [1.0, 2.0]}, index=UNITS)}, SUBSYSTEMS, SchemaError,
         r"same indicator columns; \['schools'\]"),
        ({}, {"U1": {"gdp": "+"}}, InputError, "at least two subsystem"),
        ({}, {"U1": {"gdp": "+"}, "U2": {"clinics": "+"}}, SchemaError,
         r"indicator\(s\) \['clinics'\]"),
        ({2024: pd.DataFrame({"gdp": [1.0, 2.0], "schools": [1.0, 1.0]},
                             index=pd.Index(["a", "a"]))}, SUBSYSTEMS, SchemaError,
         "repeat unit ids"),
    ],
    ids=["columns-differ", "one-subsystem", "unknown-indicator", "repeated-units"],
)
def test_panel_coupling_errors(two_years, change, subsystems, error, match):
    with pytest.raises(error, match=match):
        panel_coupling({**two_years, **change}, subsystems)


def test_panel_coupling_constant_indicator_dropped_with_warning(two_years):
    tables = {k: v.assign(flat=1.0) for k, v in two_years.items()}
    with pytest.warns(UserWarning, match=r"'U2': indicator\(s\) \['flat'\] are constant"):
        result = panel_coupling(tables, {"U1": {"gdp": "+"}, "U2": {"schools": "+", "flat": "+"}},
                                shift=None)
    assert result.weights["indicator"].tolist() == ["gdp", "schools"]


# --------------------------------------------------------------- statistics tables


@pytest.fixture
def counties() -> gpd.GeoDataFrame:
    """Three 1 km square counties in a row, coded with leading zeros, UTM 50N."""
    return gpd.GeoDataFrame(
        {"code": ["0101", "0102", "0103"], "name": ["东县", "西县", "南县"]},
        geometry=[shapely.box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(3)],
        crs="EPSG:32650",
    )


def test_read_statistics_gbk_csv_with_thousands(tmp_path):
    path = tmp_path / "yearbook.csv"
    path.write_text('code,gdp,jobs\n0101,"1,200",30\n0102,800,20\n0103,950,45\n', encoding="gbk")
    table = read_statistics(path, key="code")
    assert table.index.tolist() == ["0101", "0102", "0103"]
    assert table["gdp"].tolist() == [1200.0, 800.0, 950.0]


@pytest.mark.parametrize(
    ("text", "key", "match"),
    [
        ("code,gdp\n0101,1\n0101,2\n", "code", r"repeats key\(s\) \['0101'\]"),
        ("code,gdp\n0101,十二\n", "code", r"non-numeric cells in column\(s\) \['gdp'\]"),
        ("code,gdp\n0101,1\n", "县代码", "has no key column '县代码'"),
    ],
    ids=["repeated", "text-cell", "no-key"],
)
def test_read_statistics_errors(tmp_path, text, key, match):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match=match):
        read_statistics(path, key=key)


def test_read_statistics_only_chosen_columns_must_be_numbers(tmp_path):
    path = tmp_path / "yearbook.csv"
    path.write_text("code,县名,gdp,备注\n0101,东县,12,新设\n0102,西县,8,\n", encoding="gbk")
    table = read_statistics(path, key="code", columns=["gdp"])
    assert list(table.columns) == ["gdp"] and table["gdp"].tolist() == [12.0, 8.0]
    with pytest.raises(SchemaError, match=r"non-numeric cells in column\(s\) \['县名', '备注'\]"):
        read_statistics(path, key="code")


def test_join_statistics_and_mix_with_spatial_indicator(counties):
    # yearbook gdp per county joined by code; POI counts from points: 2, 0, 1 schools
    table = pd.DataFrame({"gdp": [1200.0, 800.0, 950.0]},
                         index=pd.Index(["0103", "0101", "0102"], name="code"))
    zones = join_statistics(counties, table, on="code")
    assert zones["gdp"].tolist() == [800.0, 950.0, 1200.0]
    assert zones.crs == counties.crs and zones.index.equals(counties.index)
    pois = gpd.GeoDataFrame({"category": ["education"] * 3},
                            geometry=gpd.points_from_xy([100, 200, 2500], [500, 500, 500]),
                            crs="EPSG:32650")
    zones["schools"] = poi_counts(zones, pois, categories=["education"])["poi_count_education"]
    result = panel_coupling({2024: pd.DataFrame(zones[["gdp", "schools"]])},
                            {"U1": {"gdp": "+"}, "U2": {"schools": "+"}}, shift=None)
    # gdp (800, 950, 1200) -> (0, .375, 1); schools (2, 0, 1) -> (1, 0, .5)
    assert result.indices["U1"].tolist() == pytest.approx([0.0, 0.375, 1.0])
    assert result.indices["U2"].tolist() == pytest.approx([1.0, 0.0, 0.5])


def test_join_statistics_lists_unmatched_keys(counties):
    table = pd.DataFrame({"gdp": [1.0, 2.0, 3.0]}, index=["0101", "0102", "102"])
    with pytest.raises(SchemaError, match=r"without a row in the table: \['0103'\]; table "
                                          r"key\(s\) without a zone: \['102'\]"):
        join_statistics(counties, table, on="code")


# -------------------------------------------------------------------- config and runs
