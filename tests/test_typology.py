"""Tests of cityind_gis.typology: every expected value is worked out by hand in the comments."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cityind_gis._errors import InputError, SchemaError
from cityind_gis.coupling import lag_type
from cityind_gis.typology import (
    BIVARIATE_LABELS,
    BIVARIATE_PALETTE,
    TYPOLOGY_CLASSES,
    bivariate_class,
    city_industry_typology,
    d_tracks_subsystem,
    relative_development,
    tracking_caution,
)

NAN = np.nan


# ---------------------------------------------------------------- relative development


def test_relative_development_known_answer():
    u = pd.DataFrame({"U1": [0.8, 0.2, 0.5, 0.3, 0.0, NAN], "U2": [0.2, 0.4, 0.5, 0.0, 0.0, NAN]},
                     index=list("abcdef"))
    out = relative_development(u)
    # ratios 4, 0.5, 1, inf (U2 = 0 < U1), undefined (both 0), outside
    np.testing.assert_allclose(out["rel_dev"], [4.0, 0.5, 1.0, np.inf, NAN, NAN])
    # gaps .6, -.2, 0, .3, 0, NaN -> ranks (largest first, ties share the smallest) 1, 5, 3, 2, 3
    np.testing.assert_allclose(out["dev_gap"], [0.6, -0.2, 0.0, 0.3, 0.0, NAN], atol=1e-12)
    assert out["dev_gap_rank"].dtype == "Int64"
    assert out["dev_gap_rank"].tolist()[:5] == [1, 5, 3, 2, 3]
    assert out["dev_gap_rank"].isna().tolist() == [False] * 5 + [True]


# ------------------------------------------------------------------------- typology


@pytest.mark.parametrize(
    ("u1", "u2", "kwargs", "code"),
    [
        (0.7, 0.1, {}, "industry_leading"),  # gap .6 > .1
        (0.2, 0.6, {}, "city_leading"),  # gap -.4
        (0.5, 0.45, {}, "synchronous"),  # |gap| .05 <= .1
        (0.8, 0.7, {}, "synchronous"),  # |gap| = .1 exactly (0.10000000000000009 in floats)
        (0.15, 0.05, {}, "both_low"),  # max .15 < .2, whatever the direction
        (0.18, 0.05, {}, "both_low"),  # gap .13, but max .18 < .2
        (0.18, 0.05, {"low": 0}, "industry_leading"),  # 'both low' switched off
        (0.5, 0.3, {"threshold": 0.25}, "synchronous"),  # |gap| .2 <= .25
        (0.5, 0.4, {"rule": "ratio"}, "industry_leading"),  # ratio 1.25 > 1.2
        (0.48, 0.4, {"rule": "ratio"}, "synchronous"),  # ratio 1.2: basic synchronisation
        (0.4, 0.5, {"rule": "ratio"}, "city_leading"),  # ratio 0.8: slight U1 lag
        (0.3, 0.0, {"rule": "ratio"}, "industry_leading"),  # ratio inf
    ],
    ids=["industry-leading", "city-leading", "synchronous", "on-threshold", "both-low",
         "both-low-unequal", "low-off", "threshold", "ratio-1.25", "ratio-1.2", "ratio-0.8",
         "ratio-inf"],
)
def test_typology_classes(u1, u2, kwargs, code):
    out = city_industry_typology(pd.DataFrame({"U1": [u1], "U2": [u2]}), lang="en", **kwargs)
    assert out["typology_code"].iloc[0] == code
    assert out["typology_en"].iloc[0] == TYPOLOGY_CLASSES[code][1]
    assert out["typology_zh"].iloc[0] == TYPOLOGY_CLASSES[code][0]
    assert out["typology"].iloc[0] == TYPOLOGY_CLASSES[code][1]


def test_typology_lang_zh_and_outside_domain():
    u = pd.DataFrame({"U1": [0.9, NAN], "U2": [0.1, NAN]}, index=["belt", "lake"])
    out = city_industry_typology(u)
    assert out.loc["belt", "typology"] == "产业超前型（城市功能滞后，产业孤岛）"
    assert out.loc["lake"].map(lambda v: v is None).all()
    assert list(out.columns) == ["typology_code", "typology_zh", "typology_en", "typology"]


@pytest.mark.parametrize("rule", ["difference", "ratio"], ids=["difference", "ratio"])
def test_typology_direction_agrees_with_lag_type(rule):
    rng = np.random.default_rng(3)
    u = pd.DataFrame(rng.uniform(0.2, 1.0, (200, 2)), columns=["U1", "U2"])
    typ = city_industry_typology(u, rule=rule, lang="en")["typology_code"]
    lag = lag_type(u, rule=rule, labels={"U1": "industry", "U2": "urban"})
    lag_word = {"difference": ("urban lagging", "industry lagging"),
                "ratio": ("urban lag", "industry lag")}[rule]
    assert (typ == "industry_leading").eq(lag.str.endswith(lag_word[0])).all()
    assert (typ == "city_leading").eq(lag.str.endswith(lag_word[1])).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"rule": "gap"}, InputError, "`rule` must be 'difference' or 'ratio'"),
        ({"lang": "fr"}, InputError, "'zh' or 'en'"),
        ({"rule": "ratio", "threshold": 0.1}, InputError, "applies to rule='difference' only"),
        ({"threshold": -0.1}, InputError, r"`threshold` must be a number in \[0, 1\)"),
        ({"low": 2}, InputError, r"`low` must be a number in \[0, 1\]"),
    ],
    ids=["rule", "lang", "threshold-ratio", "threshold-negative", "low"],
)
def test_typology_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        city_industry_typology(pd.DataFrame({"U1": [0.5], "U2": [0.5]}), **kwargs)


@pytest.mark.parametrize(
    ("u", "match"),
    [
        ({"U1": [0.5], "U2": [0.5], "U3": [0.5]}, "exactly two subsystem columns"),
        ({"U1": [0.5], "U2": [1.5]}, r"must lie in \[0, 1\]"),
        ({"U1": [0.5], "U2": [NAN]}, "some subsystem indices NaN"),
    ],
    ids=["three-columns", "above-1", "partly-nan"],
)
def test_typology_table_errors(u, match):
    with pytest.raises(SchemaError, match=match):
        city_industry_typology(pd.DataFrame(u))


# ------------------------------------------------------------------------ bivariate


def test_bivariate_palette_is_stevens_blue_pink():
    assert set(BIVARIATE_PALETTE) == {f"{x}-{y}" for x in (1, 2, 3) for y in (1, 2, 3)}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in BIVARIATE_PALETTE.values())
    # corners: low/low grey, industry only teal, urban only pink, both high dark blue
    assert (BIVARIATE_PALETTE["1-1"], BIVARIATE_PALETTE["3-1"], BIVARIATE_PALETTE["1-3"],
            BIVARIATE_PALETTE["3-3"]) == ("#e8e8e8", "#5ac8c8", "#be64ac", "#3b4994")
    assert BIVARIATE_LABELS["3-1"] == ("产业高·城市功能低", "industry high, urban function low")


def test_bivariate_fixed_breaks_known_answer():
    u1 = pd.Series([0.9, 0.1, 0.9, 0.5, 1 / 3, NAN], index=list("abcdef"))
    u2 = pd.Series([0.1, 0.9, 0.9, 0.5, 0.7, NAN], index=list("abcdef"))
    out = bivariate_class(u1, u2, breaks=(1 / 3, 2 / 3))
    # 1/3 lies on the break: class 1 (v <= b1)
    assert out["bivar_class"].tolist() == ["3-1", "1-3", "3-3", "2-2", "1-3", None]
    assert out["bivar_u1"].tolist()[:5] == [3, 1, 3, 2, 1] and out["bivar_u1"].isna().iloc[5]
    assert out["bivar_color"].tolist()[:5] == [BIVARIATE_PALETTE[k] for k in
                                               out["bivar_class"].tolist()[:5]]
    assert out["bivar_color"].iloc[5] is None
    assert out.attrs["breaks"] == {"u1": (1 / 3, 2 / 3), "u2": (1 / 3, 2 / 3)}


def test_bivariate_terciles_known_answer():
    # u1 = 0, .1, ..., .8: terciles at 8/3 * 0.1 and 16/3 * 0.1 (linear interpolation)
    u1 = pd.Series(np.arange(9) / 10)
    u2 = pd.Series(np.arange(9)[::-1] / 10)
    out = bivariate_class(u1, u2)
    assert out.attrs["breaks"]["u1"] == pytest.approx((8 / 30, 16 / 30))
    assert out["bivar_u1"].tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert out["bivar_u2"].tolist() == [3, 3, 3, 2, 2, 2, 1, 1, 1]
    assert out["bivar_class"].tolist()[0] == "1-3"


@pytest.mark.parametrize(
    ("breaks", "match"),
    [("quartiles", "'terciles' or two increasing"), ((0.6, 0.3), "two increasing"),
     ((0.3,), "two increasing"), ((0, 0.5), "two increasing")],
    ids=["name", "decreasing", "one", "zero"],
)
def test_bivariate_breaks_errors(breaks, match):
    with pytest.raises(InputError, match=match):
        bivariate_class(pd.Series([0.1, 0.5]), pd.Series([0.2, 0.4]), breaks=breaks)


def test_bivariate_index_mismatch():
    with pytest.raises(SchemaError, match="share one index"):
        bivariate_class(pd.Series([0.1], index=["a"]), pd.Series([0.2], index=["b"]))


# -------------------------------------------------------------------- D tracking


def test_d_tracks_subsystem_known_answer():
    # D = U1 exactly (r = rho = 1); U2 = reversed ranks of D but not linear (rho = -1, |r| < 1)
    d = pd.Series([0.1, 0.2, 0.3, 0.9, NAN])
    u = pd.DataFrame({"U1": [0.1, 0.2, 0.3, 0.9, NAN], "U2": [0.9, 0.8, 0.7, 0.0, NAN]})
    out = d_tracks_subsystem(u, d)
    assert out.loc["U1", ["pearson", "spearman"]].tolist() == pytest.approx([1.0, 1.0])
    assert out.loc["U2", "spearman"] == pytest.approx(-1.0)
    expected_r = np.corrcoef([0.9, 0.8, 0.7, 0.0], [0.1, 0.2, 0.3, 0.9])[0, 1]
    assert out.loc["U2", "pearson"] == pytest.approx(expected_r)
    assert out["n"].tolist() == [4, 4]


def test_d_tracks_constant_gives_nan():
    out = d_tracks_subsystem(pd.DataFrame({"U1": [0.5, 0.5, 0.5], "U2": [0.1, 0.2, 0.3]}),
                             pd.Series([0.2, 0.3, 0.4]))
    assert np.isnan(out.loc["U1", "pearson"]) and np.isnan(out.loc["U1", "spearman"])


def test_d_tracks_refuses_d_missing_elsewhere():
    with pytest.raises(SchemaError, match=r"NaN exactly where `u` is NaN.*1 unit"):
        d_tracks_subsystem(pd.DataFrame({"U1": [0.5, 0.2, 0.1], "U2": [0.1, 0.2, 0.3]}),
                           pd.Series([0.2, NAN, 0.4]))


@pytest.mark.parametrize(
    ("rho1", "lang", "expected"),
    [
        (0.82, "en", "Caution: D follows industry closely (Spearman rho = 0.82"),
        (0.82, "zh", "注意：协调度 D 与产业高度相关"),
        (0.79, "en", None),
    ],
    ids=["en", "zh", "below-threshold"],
)
def test_tracking_caution(rho1, lang, expected):
    corr = pd.DataFrame({"pearson": [0.8, 0.1], "spearman": [rho1, 0.2], "n": [19, 19]},
                        index=["U1", "U2"])
    text = tracking_caution(corr, labels={"U1": "industry" if lang == "en" else "产业"},
                            lang=lang)
    if expected is None:
        assert text is None
    else:
        assert text.startswith(expected)
        assert "19" in text


def test_tracking_caution_errors():
    with pytest.raises(InputError, match=r"`threshold` must be a number in \(0, 1\]"):
        tracking_caution(pd.DataFrame({"pearson": [1], "spearman": [1], "n": [3]}), threshold=0)
    with pytest.raises(SchemaError, match="output of `d_tracks_subsystem"):
        tracking_caution(pd.DataFrame({"r": [1]}))
