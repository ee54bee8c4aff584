"""Tests of cityind_gis.coupling: every expected value is worked out by hand in the comments."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from cityind_gis import coupling
from cityind_gis._errors import InputError, SchemaError
from cityind_gis.cli import main
from cityind_gis.config import load_config
from cityind_gis.coupling import (
    coordination_grade,
    coordination_level,
    coupling_coordination,
    coupling_stage,
    critic_weights,
    cv_weights,
    entropy_weights,
    equal_weights,
    lag_type,
    main_obstacles,
    normalize,
    obstacle_degree,
    subsystem_index,
    topsis_index,
)
from cityind_gis.testing import write_three_cell_town
from cityind_gis.workflow import run

ZONES = pd.Index(["z1", "z2", "z3", "z4"], name="zone")


@pytest.fixture
def raw() -> pd.DataFrame:
    """Two indicators with the same values 10, 20, 30, 50 (range 40)."""
    values = [10.0, 20.0, 30.0, 50.0]
    return pd.DataFrame({"jobs": values, "commute": values}, index=ZONES)


# ----------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("directions", "shift", "jobs", "commute"),
    [
        # (x - 10) / 40 -> 0, .25, .5, 1 ; negative: (50 - x) / 40 -> 1, .75, .5, 0
        ({"jobs": 1, "commute": -1}, None, [0, 0.25, 0.5, 1], [1, 0.75, 0.5, 0]),
        ({"jobs": "+", "commute": "-"}, None, [0, 0.25, 0.5, 1], [1, 0.75, 0.5, 0]),
        ({"jobs": "Positive", "commute": "negative"}, None, [0, 0.25, 0.5, 1], [1, 0.75, 0.5, 0]),
        # 0.01 + 0.98 z -> 0.01, 0.255, 0.5, 0.99
        (
            {"jobs": 1, "commute": -1},
            (0.01, 0.99),
            [0.01, 0.255, 0.5, 0.99],
            [0.99, 0.745, 0.5, 0.01],
        ),
        # a float e means (e, 1 - e): same as above
        ({"jobs": 1, "commute": -1}, 0.01, [0.01, 0.255, 0.5, 0.99], [0.99, 0.745, 0.5, 0.01]),
        # (0.2, 0.6): 0.2 + 0.4 z -> 0.2, 0.3, 0.4, 0.6
        ({"jobs": 1, "commute": 1}, (0.2, 0.6), [0.2, 0.3, 0.4, 0.6], [0.2, 0.3, 0.4, 0.6]),
    ],
    ids=["signs", "plus-minus", "words", "shift-pair", "shift-epsilon", "shift-narrow"],
)
def test_normalize_known_answer(raw, directions, shift, jobs, commute):
    expected = pd.DataFrame({"jobs": jobs, "commute": commute}, index=ZONES, dtype=float)
    result = normalize(raw, directions, shift=shift)
    pd.testing.assert_frame_equal(result, expected, rtol=1e-12, atol=1e-12)


def test_normalize_drops_constant_column_with_warning(raw):
    df = raw.assign(flat=7.0)
    with pytest.warns(UserWarning, match=r"dropped 1 zero-variance column\(s\): \['flat'\]"):
        result = normalize(df, {"jobs": 1, "commute": 1, "flat": 1}, constant="drop")
    assert list(result.columns) == ["jobs", "commute"]


@pytest.mark.parametrize(
    ("df_update", "directions", "kwargs", "error", "match"),
    [
        ({}, {"jobs": 1}, {}, SchemaError, r"no direction for \['commute'\]"),
        ({}, {"jobs": 1, "commute": 1, "gdp": 1}, {}, SchemaError, r"not in `df`: \['gdp'\]"),
        ({}, {"jobs": 1, "commute": "up"}, {}, InputError, r"got \{'commute': 'up'\}"),
        ({}, {"jobs": 1, "commute": 2}, {}, InputError, "must be \\+1/-1"),
        ({}, [1, -1], {}, InputError, "should be a mapping"),
        ({"flat": 7.0}, {"jobs": 1, "commute": 1, "flat": 1}, {}, SchemaError,
         r"zero-variance column\(s\) \['flat'\].*constant='drop'"),
        ({"commute": [1.0, np.nan, 3.0, 4.0]}, {"jobs": 1, "commute": 1}, {}, SchemaError,
         r"NaN or infinite.*\['commute'\]"),
        ({"commute": ["a", "b", "c", "d"]}, {"jobs": 1, "commute": 1}, {}, SchemaError,
         "non-numeric column"),
        ({}, {"jobs": 1, "commute": 1}, {"shift": (0.9, 0.1)}, InputError, "0 <= a < b <= 1"),
        ({}, {"jobs": 1, "commute": 1}, {"shift": 0.7}, InputError, "0 < e < 0.5"),
        ({}, {"jobs": 1, "commute": 1}, {"method": "zscore"}, InputError,
         r"`method` must be one of \['minmax'\]"),
        ({}, {"jobs": 1, "commute": 1}, {"constant": "keep"}, InputError, "`constant` must be"),
    ],
    ids=[
        "missing-direction", "extra-direction", "unknown-word", "bad-number", "not-mapping",
        "zero-variance", "nan", "text-column", "shift-reversed", "shift-epsilon-too-big",
        "unknown-method", "unknown-constant-option",
    ],
)  # fmt: skip
def test_normalize_errors(raw, df_update, directions, kwargs, error, match):
    with pytest.raises(error, match=match):
        normalize(raw.assign(**df_update), directions, **kwargs)


def test_normalize_rejects_duplicated_index(raw):
    with pytest.raises(SchemaError, match="uniquely indexed"):
        normalize(raw.set_axis(["a", "a", "b", "c"]), {"jobs": 1, "commute": 1})


def test_normalize_all_constant_with_drop_is_an_error():
    df = pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0]})
    with pytest.raises(SchemaError, match="only zero-variance columns"):
        normalize(df, {"a": 1, "b": 1}, constant="drop")


# ------------------------------------------------------------------------- subsystem index

NORMALISED = pd.DataFrame({"a": [0.0, 0.5, 1.0, 1.0], "b": [1.0, 0.5, 0.0, 1.0]}, index=ZONES)


def test_subsystem_index_known_answer():
    # 0.25 a + 0.75 b -> 0.75, 0.5, 0.25, 1.0
    result = subsystem_index(NORMALISED, pd.Series({"b": 0.75, "a": 0.25}))
    expected = pd.Series([0.75, 0.5, 0.25, 1.0], index=ZONES, name="subsystem_index")
    pd.testing.assert_series_equal(result, expected)


def test_topsis_index_known_answer():
    # v = (0.25 a, 0.75 b); ideal (0.25, 0.75), anti-ideal (0, 0)
    # z1 (0, .75): D+ = .25, D- = .75 -> .75 ; z2 (.125, .375): D+ = D- = sqrt(.15625) -> .5
    # z3 (.25, 0): D+ = .75, D- = .25 -> .25 ; z4 (.25, .75): D+ = 0 -> 1
    result = topsis_index(NORMALISED, {"a": 0.25, "b": 0.75})
    expected = pd.Series([0.75, 0.5, 0.25, 1.0], index=ZONES, name="topsis_index")
    pd.testing.assert_series_equal(result, expected)


@pytest.mark.parametrize(
    "func", [subsystem_index, topsis_index, obstacle_degree], ids=["sum", "topsis", "obstacle"]
)
@pytest.mark.parametrize(
    ("df", "weights", "error", "match"),
    [
        (NORMALISED, {"a": 0.5, "c": 0.5}, SchemaError,
         r"no weight for \['b'\].*not in `\w+`: \['c'\]"),
        (NORMALISED, {"a": 0.5, "b": 0.6}, InputError, r"sum to 1.*1\.1.*user_weights"),
        (NORMALISED, {"a": 1.5, "b": -0.5}, InputError, "non-negative"),
        (NORMALISED * 10, {"a": 0.5, "b": 0.5}, SchemaError, r"must lie in \[0, 1\].*normalize"),
        (NORMALISED, [0.5, 0.5], InputError, "Series or a mapping"),
    ],
    ids=["names", "sum-not-1", "negative", "not-normalised", "list"],
)
def test_index_and_obstacle_errors(func, df, weights, error, match):
    with pytest.raises(error, match=match):
        func(df, weights)


def test_topsis_all_constant_is_an_error():
    df = pd.DataFrame({"a": [0.4, 0.4], "b": [0.1, 0.9]})
    with pytest.raises(SchemaError, match="all units tie"):
        topsis_index(df, {"a": 1.0, "b": 0.0})


# -------------------------------------------------------------------- coupling coordination


@pytest.mark.parametrize(
    ("u", "model", "expected"),
    [
        # C = 2 sqrt(.25) / 1 = 1, T = .5, D = sqrt(.5) = 0.70711
        ((0.5, 0.5), "classic", (1.0, 0.5, 0.70711)),
        # C = 2 sqrt(.16) / 1 = 0.8, T = .5, D = sqrt(.4) = 0.63246
        ((0.2, 0.8), "classic", (0.8, 0.5, 0.63246)),
        # corrected: C = sqrt((1 - .6) * .2/.8) = sqrt(.1) = 0.31623, D = sqrt(.158114) = 0.39764
        ((0.2, 0.8), "corrected", (0.31623, 0.5, 0.39764)),
        ((0.5, 0.5), "corrected", (1.0, 0.5, 0.70711)),
        # 3 systems classic: prod = .064, gmean = .4, sum = 1.4 -> C = 1.2/1.4 = 6/7 = 0.85714
        #   T = 1.4/3 = 0.46667, D = sqrt(6/7 * 7/15) = sqrt(.4) = 0.63246
        ((0.2, 0.4, 0.8), "classic", (0.85714, 0.46667, 0.63246)),
        # 3 systems corrected: |diffs| .2 + .6 + .4 = 1.2, / (1 + 2) = .4 -> 1 - .4 = .6
        #   prod(U / max) = .25 * .5 * 1 = .125, ^(1/2) = .353553
        #   C = sqrt(.6 * .353553) = 0.46058
        #   D = sqrt(.46058 * .46667) = 0.46361
        ((0.2, 0.4, 0.8), "corrected", (0.46058, 0.46667, 0.46361)),
        # corrected (.2, .8, .8): diffs .6 + .6 + 0 = 1.2 -> .6 ; prod(U / max) = .25, ^(1/2) = .5
        #   C = sqrt(.3) = 0.54772, T = .6, D = sqrt(.328634) = 0.57327
        ((0.2, 0.8, 0.8), "corrected", (0.54772, 0.6, 0.57327)),
        # all zero: 0/0 defined as C = 0
        ((0.0, 0.0), "classic", (0.0, 0.0, 0.0)),
        ((0.0, 0.0), "corrected", (0.0, 0.0, 0.0)),
        # one zero: C = 0 in both, T = .3, D = 0
        ((0.0, 0.6), "classic", (0.0, 0.3, 0.0)),
        ((0.0, 0.6), "corrected", (0.0, 0.3, 0.0)),
    ],
    ids=[
        "balanced", "unbalanced", "corrected-unbalanced", "corrected-balanced", "three-classic",
        "three-corrected", "three-corrected-tie", "zeros-classic", "zeros-corrected",
        "one-zero-classic", "one-zero-corrected",
    ],
)  # fmt: skip
def test_coupling_coordination_known_answer(u, model, expected):
    frame = pd.DataFrame([u], columns=[f"U{i + 1}" for i in range(len(u))], index=["zone_a"])
    result = coupling_coordination(frame, model=model)
    assert list(result.columns) == ["C", "T", "D"]
    assert list(result.index) == ["zone_a"]
    assert tuple(result.iloc[0]) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(
    "alpha",
    [{"U1": 0.4, "U2": 0.6}, pd.Series({"U2": 0.6, "U1": 0.4}), [0.4, 0.6], np.array([0.4, 0.6])],
    ids=["mapping", "series", "list", "array"],
)
def test_coupling_coordination_alpha(alpha):
    # (.2, .8): C = 0.8 ; T = .4 * .2 + .6 * .8 = 0.56 ; D = sqrt(.448) = 0.66933
    frame = pd.DataFrame({"U1": [0.2], "U2": [0.8]})
    result = coupling_coordination(frame, alpha=alpha)
    assert tuple(result.iloc[0]) == pytest.approx((0.8, 0.56, 0.66933), abs=1e-5)


@pytest.mark.parametrize(
    ("u", "kwargs", "error", "match"),
    [
        ({"U1": [0.2]}, {}, SchemaError, "at least 1 row.*2 column"),
        ({"U1": [0.2], "U2": [1.5]}, {}, SchemaError, r"must lie in \[0, 1\].*\['U2'\]"),
        ({"U1": [0.2], "U2": [np.nan]}, {}, SchemaError, "some subsystem indices NaN"),
        ({"U1": [0.2], "U2": [np.inf]}, {}, SchemaError, "NaN or infinite"),
        ({"U1": [np.nan], "U2": [np.nan]}, {}, SchemaError, "at least 1 row"),
        ({"U1": [0.2], "U2": [0.8]}, {"alpha": [0.5, 0.6]}, InputError, r"sum to 1.*1\.1"),
        ({"U1": [0.2], "U2": [0.8]}, {"alpha": [1.0]}, InputError, "one weight per subsystem"),
        ({"U1": [0.2], "U2": [0.8]}, {"alpha": {"U1": 1.0}}, SchemaError,
         r"no weight for \['U2'\]"),
        ({"U1": [0.2], "U2": [0.8]}, {"alpha": [1.2, -0.2]}, InputError, "non-negative"),
        ({"U1": [0.2], "U2": [0.8]}, {"model": "fan"}, InputError, r"\['classic', 'corrected'\]"),
    ],
    ids=[
        "one-subsystem",
        "above-1",
        "partial-nan",
        "infinite",
        "all-outside-domain",
        "alpha-sum",
        "alpha-length",
        "alpha-names",
        "alpha-negative",
        "model",
    ],
)
def test_coupling_coordination_errors(u, kwargs, error, match):
    with pytest.raises(error, match=match):
        coupling_coordination(pd.DataFrame(u), **kwargs)


def test_coupling_coordination_tolerates_float_noise():
    # 1 + 1e-13 is float noise: clipped to 1, C = 1, T = 1, D = 1
    result = coupling_coordination(pd.DataFrame({"U1": [1 + 1e-13], "U2": [1.0]}))
    assert tuple(result.iloc[0]) == pytest.approx((1.0, 1.0, 1.0))


def test_coupling_coordination_guards_c_range(monkeypatch):
    monkeypatch.setitem(coupling._COUPLING_MODELS, "classic", lambda u: np.full(len(u), 1.2))
    with pytest.raises(RuntimeError, match=r"C outside \[0, 1\]"):
        coupling_coordination(pd.DataFrame({"U1": [0.2], "U2": [0.8]}))


# ------------------------------------------------------------------------------- classes


@pytest.mark.parametrize(
    ("c", "lang", "stage"),
    [
        (0.0, "zh", "低水平耦合"),
        (0.2999, "zh", "低水平耦合"),
        (0.3, "zh", "拮抗"),
        (0.5, "zh", "磨合"),
        (0.8, "zh", "高水平耦合"),
        (1.0, "zh", "高水平耦合"),
        (0.4, "en", "antagonism"),
        (0.79, "en", "running-in"),
    ],
    ids=["0", "0.2999", "0.3", "0.5", "0.8", "1.0", "en-antagonism", "en-running-in"],
)
def test_coupling_stage(c, lang, stage):
    result = coupling_stage(pd.Series([c], index=["z"]), lang=lang)
    expected = pd.Series([stage], index=["z"], name="coupling_stage", dtype=object)
    pd.testing.assert_series_equal(result, expected)


@pytest.mark.parametrize(
    ("d", "level", "zh", "en"),
    [
        (0.1, 2, "严重失调", "severe imbalance"),
        (1.0, 10, "优质协调", "high-quality coordination"),
        (0.0999, 1, "极度失调", "extreme imbalance"),
        (0.0, 1, "极度失调", "extreme imbalance"),
        (0.5, 6, "勉强协调", "barely coordinated"),
    ],
    ids=["0.1", "1.0", "0.0999", "0.0", "0.5"],
)
def test_coordination_grade_10(d, level, zh, en):
    series = pd.Series([d])
    assert coordination_level(series).iloc[0] == level
    assert coordination_grade(series).iloc[0] == zh
    assert coordination_grade(series, lang="en").iloc[0] == en


@pytest.mark.parametrize(
    ("scheme", "d", "zh", "en"),
    [
        ("4", 0.29, "低度协调", "low coordination"),
        ("4", 0.3, "中度协调", "moderate coordination"),
        ("4", 0.8, "极度协调", "extreme coordination"),
        ("4", 1.0, "极度协调", "extreme coordination"),
        ("5", 0.2, "轻度失调", "mild imbalance"),
        ("5", 0.1999, "严重失调", "severe imbalance"),
        ("5", 1.0, "高度协调", "high coordination"),
    ],
    ids=["4-0.29", "4-0.3", "4-0.8", "4-1.0", "5-0.2", "5-0.1999", "5-1.0"],
)
def test_coordination_grade_other_schemes(scheme, d, zh, en):
    assert coordination_grade(pd.Series([d]), scheme=scheme).iloc[0] == zh
    assert coordination_grade(pd.Series([d]), scheme=scheme, lang="en").iloc[0] == en


def test_coordination_grade_custom_breaks_and_missing():
    d = pd.Series([0.0, 0.39, 0.4, 0.6, 1.0, np.nan], index=list("abcdef"))
    result = coordination_grade(d, scheme=[0, 0.4, 0.6, 1], labels=["weak", "fair", "strong"])
    assert result.name == "grade"
    assert result.iloc[:5].tolist() == ["weak", "weak", "fair", "strong", "strong"]
    assert pd.isna(result.iloc[5])


def test_coordination_grade_default_keeps_nan_missing():
    result = coordination_grade(pd.Series([0.55, np.nan]))
    assert result.iloc[0] == "勉强协调"
    assert pd.isna(result.iloc[1])


@pytest.mark.parametrize(
    ("d", "kwargs", "match"),
    [
        ([0.5], {"scheme": "7"}, r"one of \['10', '4', '5'\]"),
        ([0.5], {"scheme": "4", "labels": ["a", "b", "c", "d"]}, "custom breaks only"),
        ([0.5], {"scheme": [0, 0.6, 0.4, 1], "labels": ["a", "b", "c"]},
         "increase strictly from 0 to 1"),
        ([0.5], {"scheme": [0.1, 0.5, 1], "labels": ["a", "b"]}, "increase strictly from 0 to 1"),
        ([0.5], {"scheme": [0, 0.5, 1], "labels": ["a"]}, "each of the 2 classes"),
        ([0.5], {"lang": "fr"}, "'zh' or 'en'"),
        ([1.2], {}, r"must lie in \[0, 1\]"),
    ],
    ids=[
        "unknown-scheme",
        "labels-with-named",
        "unsorted-breaks",
        "breaks-not-from-0",
        "labels-count",
        "lang",
        "above-1",
    ],
)
def test_coordination_grade_errors(d, kwargs, match):
    with pytest.raises(InputError, match=match):
        coordination_grade(pd.Series(d), **kwargs)


LABELS_EN = {"U1": "industry", "U2": "urban function"}
LABELS_ZH = {"U1": "产业", "U2": "城市功能"}


@pytest.mark.parametrize(
    ("u1", "u2", "kwargs", "expected"),
    [
        ((0.5), (0.45), {"labels": LABELS_EN}, "synchronised"),
        # 0.8 - 0.7 = 0.10000000000000009 in floats: still on the 0.1 boundary -> synchronised
        ((0.8), (0.7), {"labels": LABELS_EN}, "synchronised"),
        ((0.6), (0.3), {"labels": LABELS_EN}, "urban function lagging"),
        ((0.2), (0.5), {"labels": LABELS_EN}, "industry lagging"),
        ((0.2), (0.5), {"labels": LABELS_ZH, "lang": "zh"}, "产业滞后型"),
        ((0.6), (0.3), {"labels": LABELS_ZH, "lang": "zh"}, "城市功能滞后型"),
        ((0.5), (0.45), {"lang": "zh"}, "同步型"),
        ((0.6), (0.3), {}, "U2 lagging"),
        ((0.6), (0.45), {"threshold": 0.2}, "synchronised"),
    ],
    ids=[
        "sync", "sync-boundary", "urban-lags", "industry-lags", "zh-industry", "zh-urban",
        "zh-sync",
        "default-labels", "threshold",
    ],
)  # fmt: skip
def test_lag_type_difference(u1, u2, kwargs, expected):
    result = lag_type(pd.DataFrame({"U1": [u1], "U2": [u2]}, index=["z"]), **kwargs)
    expected_series = pd.Series([expected], index=["z"], name="lag_type", dtype=object)
    pd.testing.assert_series_equal(result, expected_series)


@pytest.mark.parametrize(
    ("u1", "u2", "lang", "expected"),
    [
        (0.1, 0.5, "en", "severe industry lag"),  # 0.2 <= 0.3
        (0.3, 0.6, "en", "general industry lag"),  # 0.5 in (0.3, 0.5]
        (0.35, 0.5, "en", "slight industry lag"),  # 0.7 in (0.5, 0.8]
        (0.5, 0.5, "en", "basic synchronisation"),  # 1.0
        (0.6, 0.4, "en", "slight urban function lag"),  # 1.5
        (0.5, 0.2, "en", "general urban function lag"),  # 2.5
        (0.9, 0.2, "en", "severe urban function lag"),  # 4.5 > 3
        (0.4, 0.0, "en", "severe urban function lag"),  # U2 = 0 -> ratio infinite
        (0.0, 0.4, "en", "severe industry lag"),  # ratio 0
        (0.1, 0.5, "zh", "产业严重滞后"),
        (0.5, 0.5, "zh", "基本同步"),
    ],
    ids=[
        "0.2", "0.5", "0.7", "1.0", "1.5", "2.5", "4.5", "u2-zero", "u1-zero", "zh-severe",
        "zh-sync",
    ],
)  # fmt: skip
def test_lag_type_ratio(u1, u2, lang, expected):
    labels = LABELS_EN if lang == "en" else LABELS_ZH
    u = pd.DataFrame({"U1": [u1], "U2": [u2]})
    result = lag_type(u, rule="ratio", labels=labels, lang=lang)
    assert result.iloc[0] == expected


def test_lag_type_ratio_both_zero_is_missing():
    result = lag_type(pd.DataFrame({"U1": [0.0], "U2": [0.0]}), rule="ratio")
    assert pd.isna(result.iloc[0])


@pytest.mark.parametrize(
    ("u", "kwargs", "error", "match"),
    [
        ({"U1": [0.2], "U2": [0.3], "U3": [0.1]}, {}, SchemaError, "exactly two subsystem columns"),
        ({"U1": [0.2], "U2": [0.3]}, {"rule": "ratio", "threshold": 0.2}, InputError,
         "difference' only"),
        ({"U1": [0.2], "U2": [0.3]}, {"threshold": -0.1}, InputError, "non-negative"),
        ({"U1": [0.2], "U2": [0.3]}, {"labels": {"U1": "industry"}}, InputError,
         r"missing \['U2'\]"),
        ({"U1": [0.2], "U2": [0.3]}, {"rule": "gap"}, InputError, "'difference' or 'ratio'"),
        ({"U1": [0.2], "U2": [3.0]}, {}, SchemaError, r"must lie in \[0, 1\]"),
    ],
    ids=[
        "three-columns",
        "threshold-with-ratio",
        "negative-threshold",
        "labels",
        "rule",
        "above-1",
    ],
)
def test_lag_type_errors(u, kwargs, error, match):
    with pytest.raises(error, match=match):
        lag_type(pd.DataFrame(u), **kwargs)


# ------------------------------------------------------------------------------ obstacles


def test_obstacle_degree_known_answer():
    # w = (.6, .4)
    # z1 x' = (.5, 0): gaps (.3, .4), total .7 -> (3/7, 4/7)
    # z2 x' = (1, 1): no gap, denominator 0 -> (0, 0)
    # z3 x' = (.2, .6): gaps (.48, .16), total .64 -> (.75, .25)
    x = pd.DataFrame({"a": [0.5, 1.0, 0.2], "b": [0.0, 1.0, 0.6]}, index=["z1", "z2", "z3"])
    result = obstacle_degree(x, {"a": 0.6, "b": 0.4})
    expected = pd.DataFrame(
        {"a": [3 / 7, 0.0, 0.75], "b": [4 / 7, 0.0, 0.25]}, index=["z1", "z2", "z3"]
    )
    pd.testing.assert_frame_equal(result, expected, rtol=1e-12)
    assert result.sum(axis=1).tolist() == pytest.approx([1.0, 0.0, 1.0])


def test_obstacle_degree_three_indicators():
    # w = (.5, .3, .2), x' = (.2, .5, 1): gaps (.4, .15, 0), total .55 -> (8/11, 3/11, 0)
    x = pd.DataFrame({"a": [0.2], "b": [0.5], "c": [1.0]})
    result = obstacle_degree(x, {"a": 0.5, "b": 0.3, "c": 0.2})
    assert result.iloc[0].tolist() == pytest.approx([8 / 11, 3 / 11, 0.0])


def test_main_obstacles_known_answer():
    # z1 (3/7, 4/7) -> b 57.14 %, a 42.86 % ; z2 no gap -> missing, 0 ; z3 (.75, .25) -> a, b
    o = pd.DataFrame({"a": [3 / 7, 0.0, 0.75], "b": [4 / 7, 0.0, 0.25]}, index=["z1", "z2", "z3"])
    result = main_obstacles(o, n=2)
    assert list(result.columns) == ["obstacle_1", "obstacle_2", "obstacle_1_pct", "obstacle_2_pct"]
    assert result["obstacle_1"].tolist() == ["b", None, "a"]
    assert result["obstacle_2"].tolist() == ["a", None, "b"]
    assert result["obstacle_1_pct"].tolist() == pytest.approx([400 / 7, 0.0, 75.0])
    assert result["obstacle_2_pct"].tolist() == pytest.approx([300 / 7, 0.0, 25.0])


@pytest.mark.parametrize("n", [0, 3, 1.5, True], ids=["zero", "too-many", "float", "bool"])
def test_main_obstacles_bad_n(n):
    o = pd.DataFrame({"a": [0.5], "b": [0.5]})
    with pytest.raises(InputError, match=r"`n` must be an integer from 1 to the 2"):
        main_obstacles(o, n=n)


def test_subsystem_index_topsis_method_matches_topsis_index():
    result = subsystem_index(NORMALISED, {"a": 0.25, "b": 0.75}, method="topsis")
    expected = topsis_index(NORMALISED, {"a": 0.25, "b": 0.75}).rename("subsystem_index")
    pd.testing.assert_series_equal(result, expected)


def test_subsystem_index_unknown_method():
    with pytest.raises(InputError, match="'weighted_sum' or 'topsis', got 'mean'"):
        subsystem_index(NORMALISED, {"a": 0.25, "b": 0.75}, method="mean")


# -------------------------------------------------------------- pipeline, config and CLI


def _town(tmp_path, extra=""):
    cfg = write_three_cell_town(tmp_path)
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("[coupling]\n", "[coupling]\n" + extra), encoding="utf-8")
    return cfg


def test_pipeline_obstacles_known_answer(tmp_path):
    # three-cell town, shift off: x' industrial (1, .5, 0); residential and retail (0, .5, 1)
    # system weights alpha * w: industrial .5, residential .25, retail .25
    # cell 0 gaps (0, .25, .25) -> residential 50 % (ties keep column order), retail 50 %
    # cell 1 gaps (.25, .125, .125) -> industrial 50 % ; cell 2 gaps (.5, 0, 0) -> industrial 100 %
    res = run(load_config(_town(tmp_path)))
    grid = res.grid
    assert grid["obstacle_1"].tolist() == ["residential_share", "industrial_share",
                                           "industrial_share"]
    assert grid["obstacle_1_pct"].tolist() == pytest.approx([50.0, 50.0, 100.0])
    assert grid["obstacle_3"].tolist() == [None, "poi_density_retail", None]
    table = res.obstacles.set_index("indicator")
    # means over cells: industrial (0 + 50 + 100) / 3 = 50 ; residential (50 + 25 + 0) / 3 = 25
    assert table["mean_obstacle_pct"].to_dict() == pytest.approx(
        {"industrial_share": 50.0, "residential_share": 25.0, "poi_density_retail": 25.0})
    assert table["n_cells_main_obstacle"].to_dict() == {
        "industrial_share": 2, "residential_share": 1, "poi_density_retail": 0}
    assert table["rank"].tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ('model = "fan"\n', r"`\[coupling\] model` must be one of \['classic', 'corrected'\]"),
        ('weights = "pca"\n', r"`\[coupling\] weights` must be one of \['entropy', 'critic'"),
    ],
    ids=["model", "weights"],
)
def test_config_rejects_unknown_model_and_weights(tmp_path, extra, match):
    with pytest.raises(InputError, match=match):
        load_config(_town(tmp_path, extra))


def test_cli_model_corrected(tmp_path, capsys):
    # with the default shift (0.01, 0.99): U1 = (.99, .5, .01), U2 = (.01, .5, .99)
    # corrected cell 0: C = sqrt((1 - .98) * .01 / .99) = 0.0142134
    # (classic 2 sqrt(.0099) = .198997)
    # cell 1: C = 1 ; T = .5 everywhere -> D0 = sqrt(.00710669) = 0.0843012
    cfg = write_three_cell_town(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("shift = false\n", ""),
                   encoding="utf-8")
    assert main(["run", str(cfg), "-q", "--model", "corrected", "--out", str(tmp_path / "o")]) == 0
    params = json.loads((tmp_path / "o" / "run.json").read_text(encoding="utf-8"))
    assert params["coupling_model"] == "corrected"
    import geopandas as gpd

    grid = gpd.read_file(tmp_path / "o" / "cityind.gpkg", layer="grid")
    assert grid["C"].tolist() == pytest.approx([0.0142134, 1.0, 0.0142134], abs=1e-7)
    assert grid["D"].tolist() == pytest.approx([0.0843012, 0.7071068, 0.0843012], abs=1e-7)
    assert (tmp_path / "o" / "obstacles.csv").is_file()
    capsys.readouterr()


def test_cli_weights_flag(tmp_path, capsys):
    # --weights equal: U2 = mean of two identical columns, same as entropy here; run.json records it
    cfg = write_three_cell_town(tmp_path)
    assert main(["run", str(cfg), "-q", "--weights", "equal", "--out", str(tmp_path / "o")]) == 0
    params = json.loads((tmp_path / "o" / "run.json").read_text(encoding="utf-8"))
    assert params["weights_method"] == "equal"
    capsys.readouterr()


# ------------------------------------------------------------------------ inputs untouched


@pytest.mark.parametrize(
    "call",
    [
        lambda df: normalize(df, {"a": 1, "b": -1}, shift=0.01),
        lambda df: entropy_weights(df),
        lambda df: critic_weights(df),
        lambda df: cv_weights(df),
        lambda df: subsystem_index(df, {"a": 0.5, "b": 0.5}),
        lambda df: topsis_index(df, {"a": 0.5, "b": 0.5}),
        lambda df: coupling_coordination(df, model="corrected"),
        lambda df: lag_type(df, rule="ratio"),
        lambda df: obstacle_degree(df, {"a": 0.5, "b": 0.5}),
    ],
    ids=["normalize", "entropy", "critic", "cv", "subsystem", "topsis", "ccd", "lag", "obstacle"],
)
def test_inputs_not_mutated(call):
    df = pd.DataFrame({"a": [0.0, 0.3, 1.0], "b": [0.9, 0.0, 0.4]}, index=["x", "y", "z"])
    before = df.copy(deep=True)
    call(df)
    pd.testing.assert_frame_equal(df, before)


def test_end_to_end_two_subsystems_sum_of_parts():
    # industry indicators -> U1, urban-function indicators -> U2, then D
    plots = ["p1", "p2", "p3"]
    ind = pd.DataFrame({"firms": [1.0, 3.0, 5.0], "vacancy": [0.5, 0.3, 0.1]}, index=plots)
    urb = pd.DataFrame({"schools": [0.0, 2.0, 4.0], "clinics": [2.0, 1.0, 3.0]}, index=plots)
    x_ind = normalize(ind, {"firms": "+", "vacancy": "-"})  # both (0, .5, 1)
    x_urb = normalize(urb, {"schools": "+", "clinics": "+"})  # (0, .5, 1) and (.5, 0, 1)
    u = pd.DataFrame(
        {
            "U1": subsystem_index(x_ind, equal_weights(x_ind.columns)),  # (0, .5, 1)
            "U2": subsystem_index(x_urb, equal_weights(x_urb.columns)),  # (.25, .25, 1)
        }
    )
    result = coupling_coordination(u)
    # p1: U1 = 0 -> C = 0, T = .125, D = 0
    # p2: C = 2 sqrt(.125) / .75 = 0.94281, T = .375, D = sqrt(.353553) = 0.59460
    # p3: C = 1, T = 1, D = 1
    expected = pd.DataFrame(
        {"C": [0.0, 0.94281, 1.0], "T": [0.125, 0.375, 1.0], "D": [0.0, 0.59460, 1.0]},
        index=plots,
    )
    pd.testing.assert_frame_equal(result, expected, atol=1e-5)
    assert math.isclose(result.loc["p2", "D"] ** 2, result.loc["p2", "C"] * result.loc["p2", "T"])


# ------------------------------------------------------- units outside the analysis domain


def test_coupling_coordination_rows_outside_domain_are_nan():
    # (.5, .5): C = 1, T = .5, D = .70711; the NaN row is a unit outside the domain
    u = pd.DataFrame({"U1": [0.5, np.nan], "U2": [0.5, np.nan]}, index=["core", "lake"])
    result = coupling_coordination(u, model="corrected")
    assert result.loc["core"].tolist() == pytest.approx([1.0, 0.5, 0.70711], abs=1e-5)
    assert result.loc["lake"].isna().all()
    assert result.index.equals(u.index)


@pytest.mark.parametrize(
    "call",
    [
        lambda d: coordination_grade(d, lang="en"),
        lambda d: coordination_grade(d, scheme="4"),
        lambda d: coordination_grade(d, scheme=[0, 0.5, 1], labels=["low", "high"]),
        lambda d: coupling_stage(d, lang="en"),
    ],
    ids=["grade-10", "grade-4", "grade-custom", "stage"],
)
def test_labels_are_none_outside_domain(call):
    result = call(pd.Series([0.55, np.nan], index=["a", "b"]))
    assert isinstance(result.iloc[0], str)
    assert result.iloc[1] is None
    assert result.dtype == object


def test_level_is_na_outside_domain():
    result = coordination_level(pd.Series([0.55, np.nan]))
    assert result.dtype == "Int64" and result.iloc[0] == 6 and result.iloc[1] is pd.NA


@pytest.mark.parametrize("rule", ["difference", "ratio"], ids=["difference", "ratio"])
def test_lag_type_none_outside_domain(rule):
    u = pd.DataFrame({"U1": [0.2, np.nan], "U2": [0.8, np.nan]})
    result = lag_type(u, rule=rule, labels=LABELS_EN)
    assert result.iloc[0] in ("industry lagging", "severe industry lag")
    assert result.iloc[1] is None


def test_lag_type_partly_nan_refused():
    with pytest.raises(SchemaError, match="some subsystem indices NaN"):
        lag_type(pd.DataFrame({"U1": [0.2], "U2": [np.nan]}))


def test_subset_normalisation_and_weights_then_expand():
    # the lead's chain: normalise and weight on the analysed units only, then expand
    from cityind_gis.coupling import indicator_weights
    from cityind_gis.domain import expand_to_units

    df = pd.DataFrame({"x": [0.0, 5.0, 10.0, 1000.0]}, index=list("abcd"))
    analysed = pd.Series([True, True, True, False], index=df.index)
    z = normalize(df.loc[analysed], {"x": "+"})
    assert z["x"].tolist() == [0.0, 0.5, 1.0]  # d's 1000 does not stretch the range
    w = indicator_weights(z + 0.01, method="entropy")
    assert w.tolist() == [1.0]
    full = expand_to_units(z, df.index)
    assert full["x"].tolist()[:3] == [0.0, 0.5, 1.0] and np.isnan(full.loc["d", "x"])
