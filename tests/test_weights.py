"""Tests of cityind_gis.weights: every expected value is worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cityind_gis import coupling, sensitivity, weights
from cityind_gis._errors import InputError, SchemaError
from cityind_gis.weights import (
    AHPResult,
    ahp_weights,
    critic_weights,
    cv_weights,
    entropy_weights,
    equal_weights,
    indicator_weights,
    user_weights,
)

# -------------------------------------------------------------------------------- weights


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # a = (0, 0, 1): p = (0, 0, 1), e = 0 (0 ln 0 = 0), 1 - e = 1
        # b = (1, 1, 0): p = (.5, .5, 0), e = -(2 * .5 ln .5) / ln 3 = ln 2 / ln 3 = 0.630930
        #   1 - e = 0.369070 -> w = (1, 0.369070) / 1.369070 = (0.730423, 0.269577)
        ({"a": [0.0, 0.0, 1.0], "b": [1.0, 1.0, 0.0]}, {"a": 0.730423, "b": 0.269577}),
        # c constant: p = 1/3 each, e = ln 3 / ln 3 = 1, 1 - e = 0 -> weight 0
        (
            {"a": [0.0, 0.0, 1.0], "b": [1.0, 1.0, 0.0], "c": [0.5, 0.5, 0.5]},
            {"a": 0.730423, "b": 0.269577, "c": 0.0},
        ),
    ],
    ids=["3x2", "constant-column-weight-0"],
)
def test_entropy_weights_known_answer(data, expected):
    result = entropy_weights(pd.DataFrame(data))
    pd.testing.assert_series_equal(result, pd.Series(expected, name="weight"), atol=1e-6)
    assert result.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"a": [0.5, -0.1, 1.0], "b": [1.0, 0.0, 0.5]}, r"non-negative.*\['a'\].*normalize"),
        ({"a": [0.0, 0.0, 0.0], "b": [1.0, 0.0, 0.5]}, r"\['a'\] are all zero"),
        ({"a": [0.2, 0.2, 0.2], "b": [0.7, 0.7, 0.7]}, "Every column of `df` is constant"),
        ({"a": [0.2], "b": [0.7]}, "at least 2 row"),
    ],
    ids=["negative", "all-zero-column", "all-constant", "one-row"],
)
def test_entropy_weights_errors(data, match):
    with pytest.raises(SchemaError, match=match):
        entropy_weights(pd.DataFrame(data))


def test_critic_weights_two_mirror_columns():
    # b = 1 - a: equal sigma, r = -1, C_a = C_b = sigma * (0 + 2) -> w = (0.5, 0.5)
    df = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [1.0, 0.5, 0.0]})
    expected = pd.Series({"a": 0.5, "b": 0.5}, name="weight")
    pd.testing.assert_series_equal(critic_weights(df), expected)


def test_critic_weights_match_direct_numpy():
    df = pd.DataFrame(
        {
            "a": [0.0, 0.2, 0.9, 1.0, 0.4],
            "b": [1.0, 0.0, 0.3, 0.6, 0.5],
            "c": [0.1, 0.4, 0.0, 1.0, 0.8],
        }
    )
    x = df.to_numpy()
    sigma = x.std(axis=0, ddof=0)
    c = sigma * (1 - np.corrcoef(x, rowvar=False)).sum(axis=0)
    expected = pd.Series(c / c.sum(), index=df.columns, name="weight")
    pd.testing.assert_series_equal(critic_weights(df), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"a": [0.0, 0.5, 1.0], "b": [0.3, 0.3, 0.3]}, r"constant column\(s\) \['b'\]"),
        ({"a": [0.0, 5.0, 10.0], "b": [1.0, 0.5, 0.0]}, r"must lie in \[0, 1\].*\['a'\]"),
        ({"a": [0.0, 0.5, 1.0]}, "at least 2 row.*2 column"),
    ],
    ids=["constant", "not-normalised", "one-column"],
)
def test_critic_weights_errors(data, match):
    with pytest.raises(SchemaError, match=match):
        critic_weights(pd.DataFrame(data))


def test_cv_weights_known_answer():
    # a = (1, 3): mean 2, sigma 1, V = 0.5 ; b = (4, 6): mean 5, sigma 1, V = 0.2
    # w = (0.5, 0.2) / 0.7 = (0.714286, 0.285714)
    df = pd.DataFrame({"a": [1.0, 3.0], "b": [4.0, 6.0]})
    expected = pd.Series({"a": 5 / 7, "b": 2 / 7}, name="weight")
    pd.testing.assert_series_equal(cv_weights(df), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"a": [1.0, -3.0], "b": [4.0, 6.0]}, "non-negative"),
        ({"a": [0.0, 0.0], "b": [4.0, 6.0]}, r"\['a'\] are all zero"),
        ({"a": [2.0, 2.0], "b": [4.0, 4.0]}, "Every column of `df` is constant"),
    ],
    ids=["negative", "all-zero", "all-constant"],
)
def test_cv_weights_errors(data, match):
    with pytest.raises(SchemaError, match=match):
        cv_weights(pd.DataFrame(data))


# Consistent matrix a_ij = w_i / w_j for w = (4, 2, 1) / 7: the principal eigenvector is
# w itself, lambda_max = n = 3, CI = CR = 0 (Saaty 1980).
SAATY_CONSISTENT = pd.DataFrame(
    [[1.0, 2.0, 4.0], [0.5, 1.0, 2.0], [0.25, 0.5, 1.0]],
    index=["industry", "housing", "services"],
    columns=["industry", "housing", "services"],
)
# Intransitive circulant matrix (x > y 9x, y > z 9x, z > x 9x): eigenvector (1, 1, 1)/3 with
# lambda_max = 1 + 9 + 1/9 = 10.1111, CI = (10.1111 - 3) / 2 = 3.5556, CR = 3.5556 / 0.58 = 6.1303
INCONSISTENT = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])


def test_ahp_consistent_matrix_exact_weights():
    result = ahp_weights(SAATY_CONSISTENT)
    assert isinstance(result, AHPResult)
    expected = pd.Series([4 / 7, 2 / 7, 1 / 7], index=SAATY_CONSISTENT.index, name="weight")
    pd.testing.assert_series_equal(result.weights, expected, rtol=1e-12)
    assert (result.lambda_max, result.ci, result.cr) == pytest.approx((3.0, 0.0, 0.0), abs=1e-12)


def test_ahp_inconsistent_matrix_refused():
    with pytest.raises(InputError, match=r"CR = 6\.1303.*max_cr=None"):
        ahp_weights(INCONSISTENT, names=["x", "y", "z"])


def test_ahp_inconsistent_matrix_accepted_with_max_cr_none():
    result = ahp_weights(INCONSISTENT, names=["x", "y", "z"], max_cr=None)
    assert (result.lambda_max, result.ci, result.cr) == pytest.approx(
        (1 + 9 + 1 / 9, (7 + 1 / 9) / 2, (7 + 1 / 9) / 2 / 0.58), rel=1e-9
    )
    expected = pd.Series([1 / 3] * 3, index=["x", "y", "z"], name="weight")
    pd.testing.assert_series_equal(result.weights, expected)


def test_ahp_two_criteria_always_consistent():
    # 2x2 reciprocal: lambda = 2, w = (3, 1) / 4, RI = 0 -> CR defined as 0
    result = ahp_weights(np.array([[1.0, 3.0], [1 / 3, 1.0]]), names=["a", "b"])
    assert result.weights.tolist() == pytest.approx([0.75, 0.25])
    assert result.cr == 0.0


@pytest.mark.parametrize(
    ("matrix", "kwargs", "match"),
    [
        (np.array([[1.0, 2.0], [0.5, 1.0]]), {}, "`names` is required"),
        (np.array([[1.0, 2.0], [2.0, 1.0]]), {"names": ["a", "b"]}, r"reciprocal.*a\[a, b\] = 2"),
        (np.array([[1.0, -2.0], [-0.5, 1.0]]), {"names": ["a", "b"]}, "finite positive"),
        (np.ones((2, 3)), {"names": ["a", "b"]}, "square"),
        (SAATY_CONSISTENT.iloc[:, ::-1], {}, "same labels in the same order"),
        (SAATY_CONSISTENT, {"names": ["a", "b", "c"]}, "only for an ndarray"),
        (SAATY_CONSISTENT, {"max_cr": -1}, "positive number or None"),
    ],
    ids=[
        "no-names",
        "not-reciprocal",
        "negative",
        "not-square",
        "labels-differ",
        "names-with-frame",
        "bad-max-cr",
    ],
)
def test_ahp_errors(matrix, kwargs, match):
    with pytest.raises(InputError, match=match):
        ahp_weights(matrix, **kwargs)


def test_equal_weights():
    expected = pd.Series([0.25] * 4, index=["a", "b", "c", "d"], name="weight")
    pd.testing.assert_series_equal(equal_weights(["a", "b", "c", "d"]), expected)


@pytest.mark.parametrize(
    ("weights", "columns", "expected"),
    [
        # (3, 1) / 4
        ({"a": 3, "b": 1}, None, {"a": 0.75, "b": 0.25}),
        # reordered to `columns`
        ({"b": 1, "a": 3}, ["a", "b"], {"a": 0.75, "b": 0.25}),
        (pd.Series({"a": 0.2, "b": 0.8}), ["a", "b"], {"a": 0.2, "b": 0.8}),
    ],
    ids=["mapping", "reordered", "series"],
)
def test_user_weights(weights, columns, expected):
    result = user_weights(weights, columns=columns)
    pd.testing.assert_series_equal(result, pd.Series(expected, name="weight"))


@pytest.mark.parametrize(
    ("weights", "columns", "error", "match"),
    [
        ({"a": 3, "b": -1}, None, InputError, "non-negative"),
        ({"a": 0, "b": 0}, None, InputError, "not all zero"),
        ({"a": 1, "c": 1}, ["a", "b"], SchemaError,
         r"no weight for \['b'\].*unknown names \['c'\]"),
        ([0.5, 0.5], None, InputError, "mapping or Series"),
    ],
    ids=["negative", "all-zero", "names", "list"],
)
def test_user_weights_errors(weights, columns, error, match):
    with pytest.raises(error, match=match):
        user_weights(weights, columns=columns)


# ------------------------------------------------------------------------ by name, re-exports


@pytest.mark.parametrize(
    "name",
    ["entropy_weights", "critic_weights", "cv_weights", "ahp_weights", "equal_weights",
     "user_weights", "indicator_weights", "AHPResult", "WEIGHT_METHODS"],
    ids=lambda n: n,
)
def test_coupling_reexports_weights(name):
    assert getattr(coupling, name) is getattr(weights, name)
    assert name in coupling.__all__ and name in weights.__all__


THREE = pd.DataFrame({"a": [0.0, 0.0, 1.0], "b": [1.0, 1.0, 0.0], "c": [0.0, 0.5, 1.0]})


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("entropy", entropy_weights(THREE)),
        ("critic", critic_weights(THREE)),
        ("cv", cv_weights(THREE)),
        # 1/3 each
        ("equal", pd.Series([1 / 3] * 3, index=["a", "b", "c"], name="weight")),
    ],
    ids=["entropy", "critic", "cv", "equal"],
)
def test_indicator_weights_by_name(method, expected):
    result = indicator_weights(THREE, method=method)
    pd.testing.assert_series_equal(result, expected)
    assert result.sum() == pytest.approx(1.0)


def test_entropy_weights_three_indicators_known_answer():
    # a, b as in the 3x2 case: 1 - e = (1, 0.369070)
    # c = (0, .5, 1): p = (0, 1/3, 2/3), e = -(1/3 ln 1/3 + 2/3 ln 2/3) / ln 3
    #   = (0.366204 + 0.270310) / 1.098612 = 0.579380, 1 - e = 0.420620
    # sum = 1.789690 -> w = (0.558756, 0.206220, 0.235024)
    expected = pd.Series({"a": 0.558756, "b": 0.206220, "c": 0.235024}, name="weight")
    pd.testing.assert_series_equal(entropy_weights(THREE), expected, atol=1e-6)


def test_critic_weights_three_indicators_known_answer():
    # sigma (ddof 0): a = b = sqrt(2)/3 = 0.471405, c = sqrt(1/6) = 0.408248
    # r(a, b) = -1; r(a, c) = 0.866025 (cov 1/6 / (0.471405 * 0.408248)); r(b, c) = -0.866025
    # C_a = 0.471405 (0 + 2 + 0.133975) = 1.005964
    # C_b = 0.471405 (2 + 0 + 1.866025) = 1.822463
    # C_c = 0.408248 (0.133975 + 1.866025 + 0) = 0.816497 ; sum 3.644924
    expected = pd.Series({"a": 0.275991, "b": 0.5, "c": 0.224009}, name="weight")
    pd.testing.assert_series_equal(critic_weights(THREE), expected, atol=1e-6)


def test_critic_single_indicator_by_name_gets_weight_one():
    result = indicator_weights(THREE[["c"]], method="critic")
    pd.testing.assert_series_equal(result, pd.Series({"c": 1.0}, name="weight"))


def test_indicator_weights_unknown_method():
    with pytest.raises(InputError, match=r"`method` must be one of \['critic', 'cv', 'entropy'"):
        indicator_weights(THREE, method="ahp")


def test_ahp_accepts_two_decimal_reciprocals():
    # a_ij = w_i / w_j for w = (7, 1) / 8, entered as 7 and 0.14 (1/7 rounded): 0.98 within 3 %
    result = ahp_weights(np.array([[1.0, 7.0], [0.14, 1.0]]), names=["a", "b"])
    assert result.weights.sum() == pytest.approx(1.0)
    assert result.weights["a"] > 0.85


def test_ahp_three_criteria_inconsistent_but_acceptable():
    # A = [[1, 2, 4], [1/2, 1, 3], [1/4, 1/3, 1]]: numpy's principal eigenpair
    # lambda_max = 3.018295, CI = 0.009147, CR = 0.009147 / 0.58 = 0.015771 < 0.1
    a = np.array([[1, 2, 4], [1 / 2, 1, 3], [1 / 4, 1 / 3, 1]])
    result = ahp_weights(a, names=["x", "y", "z"])
    assert result.lambda_max == pytest.approx(3.018295, abs=1e-6)
    assert result.cr == pytest.approx((3.018295 - 3) / 2 / 0.58, abs=1e-6)
    w = result.weights.to_numpy()
    np.testing.assert_allclose(a @ w, result.lambda_max * w, rtol=1e-9)


def test_weights_inputs_not_mutated():
    weights = pd.Series({"a": 3.0, "b": 1.0})
    matrix = SAATY_CONSISTENT.copy()
    user_weights(weights, columns=["b", "a"])
    ahp_weights(matrix)
    pd.testing.assert_series_equal(weights, pd.Series({"a": 3.0, "b": 1.0}))
    pd.testing.assert_frame_equal(matrix, SAATY_CONSISTENT)


# ------------------------------------------------------------------ sparse indicators


@pytest.mark.parametrize(
    ("column", "flagged"),
    [
        ([0.0] * 19 + [1.0], True),  # 19 / 20 = 95 % at 0 > 90 %
        ([0.0] * 18 + [1.0, 2.0], False),  # 18 / 20 = 90 % exactly: not more than 90 %
        ([0.01] * 10, True),  # constant: 100 %
    ],
    ids=["95-percent", "90-percent-exactly", "constant"],
)
def test_sparse_indicators_threshold(column, flagged):
    df = pd.DataFrame({"x": column, "y": np.linspace(0, 1, len(column))})
    out = weights.sparse_indicators(df)
    assert out.index.tolist() == (["x"] if flagged else [])
    if flagged:
        assert out.loc["x", "value"] == column[0]
        assert out.loc["x", "share"] == pytest.approx(column.count(column[0]) / len(column))
        assert out.loc["x", "n_units"] == column.count(column[0])


def test_sparse_message_names_indicators_and_weight():
    df = pd.DataFrame({"shops": [0.0] * 19 + [1.0], "walk": np.linspace(0, 1, 20)})
    sparse = weights.sparse_indicators(df)
    text = weights.sparse_message(sparse, subsystem="U2", weights=pd.Series({"shops": 0.57,
                                                                            "walk": 0.43}))
    assert text.startswith("1 indicator(s) of U2 sit at one value in more than 90 % of the "
                           "analysed units: shops (95 % at 0).")
    assert "Together they take 0.57 of the weight." in text
    assert weights.sparse_message(weights.sparse_indicators(df[["walk"]])) is None


def test_sparse_indicators_threshold_checked():
    with pytest.raises(InputError, match=r"`threshold` must be a share in \(0, 1\)"):
        weights.sparse_indicators(THREE, threshold=90)


# ------------------------------------------------------------------ combined weights

WS = pd.Series({"x": 0.8, "y": 0.2})
WO = pd.Series({"x": 0.4, "y": 0.6})


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # .5 * (.8, .2) + .5 * (.4, .6) = (.6, .4)
        ({}, (0.6, 0.4)),
        # .25 * (.8, .2) + .75 * (.4, .6) = (.5, .5)
        ({"a": 0.25}, (0.5, 0.5)),
        # (.32, .12) / .44
        ({"method": "multiplicative"}, (0.32 / 0.44, 0.12 / 0.44)),
        # [[.68, .44], [.44, .52]] a = (.68, .52): det .16, a = (.78, .34) -> a* = (.69643, .30357)
        # w = .69643 (.8, .2) + .30357 (.4, .6) = (.678571, .321429)
        ({"method": "game"}, (0.678571, 0.321429)),
    ],
    ids=["linear-half", "linear-quarter", "multiplicative", "game-theory"],
)
def test_combined_weights_known_answer(kwargs, expected):
    result = weights.combined_weights(WS, WO, **kwargs)
    assert result.name == "weight" and result.index.tolist() == ["x", "y"]
    assert result.tolist() == pytest.approx(expected, abs=1e-6)
    assert result.sum() == pytest.approx(1.0)


def test_combined_weights_game_equal_vectors_and_order():
    assert weights.combined_weights(WS, WS, method="game").tolist() == pytest.approx([0.8, 0.2])
    # the objective vector may come in another order
    result = weights.combined_weights(WS, WO[["y", "x"]])
    assert result.tolist() == pytest.approx([0.6, 0.4])


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((WS, WO), {"method": "nash"}, InputError, r"\['linear', 'multiplicative', 'game'\]"),
        ((WS, WO), {"a": 1.5}, InputError, r"`a` must be the subjective share in \[0, 1\]"),
        ((WS, WO), {"method": "game", "a": 0.3}, InputError, "`a` goes with method='linear'"),
        ((WS, pd.Series({"x": 0.4, "z": 0.6})), {}, SchemaError, r"no weight for \['y'\]"),
        ((WS, pd.Series({"x": 0.4, "y": 0.7})), {}, InputError, "must sum to 1"),
        ((pd.Series({"x": 1.0, "y": 0.0}), pd.Series({"x": 0.0, "y": 1.0})),
         {"method": "multiplicative"}, InputError, "is 0 for every indicator"),
        (({"x": 1.0}, WO), {}, InputError, "`subjective` should be a Series"),
    ],
    ids=["method", "a-range", "a-other-method", "names", "sum", "product-zero", "type"],
)
def test_combined_weights_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        weights.combined_weights(*args, **kwargs)


# ---------------------------------------------------------------- sensitivity

X1 = pd.DataFrame({"a": [0.1, 0.9, 0.5, 0.5], "b": [0.9, 0.1, 0.5, 0.5]})
X2 = pd.DataFrame({"c": [0.5, 0.5, 0.5, 0.9]})
A_ONLY = {"U1": pd.Series({"a": 1.0, "b": 0.0}), "U2": pd.Series({"c": 1.0})}


def test_weight_sensitivity_known_answer():
    # equal: U1 = (.5, .5, .5, .5); U2 = c. CRITIC on (a, b = 1 - a): (.5, .5), as equal.
    #   D = (.70711, .70711, .70711, .81904)   [(.5, .9): C = .95831, T = .7]; levels 8 8 8 9
    #   typology: synchronous x 3, city-leading (gap -.4)
    # a only: U1 = a = (.1, .9, .5, .5)
    #   D = (.47287, .81904, .70711, .81904)   [(.1, .5): C = .74536, T = .3]; levels 5 9 8 9
    #   typology: city-leading, industry-leading, synchronous, city-leading
    result = sensitivity.weight_sensitivity({"U1": X1, "U2": X2}, methods=("equal", "critic"),
                                        custom={"a_only": A_ONLY})
    assert result.summary.index.tolist() == ["equal", "critic", "a_only"]
    np.testing.assert_allclose(result.d["equal"], [0.707107, 0.707107, 0.707107, 0.819036],
                               atol=1e-6)
    np.testing.assert_allclose(result.d["a_only"], [0.472871, 0.819036, 0.707107, 0.819036],
                               atol=1e-6)
    assert result.grade["a_only"].tolist() == [5, 9, 8, 9]
    assert result.typology["a_only"].tolist() == ["city_leading", "industry_leading",
                                                  "synchronous", "city_leading"]
    s = result.summary
    assert s.loc["critic", ["spearman_d", "share_grade_changed", "share_typology_changed"]
                 ].tolist() == pytest.approx([1.0, 0.0, 0.0])
    # ranks (2, 2, 2, 4) and (1, 3.5, 2, 3.5): r = 2 / sqrt(3 * 4.5) = 0.544331
    assert s.loc["a_only", "spearman_d"] == pytest.approx(2 / np.sqrt(13.5))
    assert s.loc["a_only", "share_grade_changed"] == pytest.approx(0.5)
    assert s.loc["a_only", "share_typology_changed"] == pytest.approx(0.5)
    # |.47287 - .70711| + |.81904 - .70711| = .34617 over 4 units
    assert s.loc["a_only", "mean_abs_d_change"] == pytest.approx(0.086541, abs=1e-6)
    assert s["note"].isna().all()
    w = result.weights
    assert w.loc[(w["method"] == "critic") & (w["subsystem"] == "U1"), "weight"].tolist() == \
        pytest.approx([0.5, 0.5])


def test_weight_sensitivity_method_that_cannot_run_gets_note():
    x1 = X1.assign(k=0.5)  # a constant column: CRITIC refuses it, entropy gives it weight 0
    result = sensitivity.weight_sensitivity({"U1": x1, "U2": X2}, methods=("entropy", "critic"))
    assert "constant column" in result.summary.loc["critic", "note"]
    assert np.isnan(result.summary.loc["critic", "spearman_d"])
    assert result.d["critic"].isna().all()
    assert result.summary.loc["entropy", "spearman_d"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("tables", "kwargs", "error", "match"),
    [
        ({"U1": X1}, {}, SchemaError, "at least two subsystem"),
        ({"U1": X1, "U2": X2.set_axis(list("abcd"))}, {}, SchemaError, "same index"),
        ({"U1": X1, "U2": X2}, {"methods": ("ahp",)}, InputError, r"unknown: \['ahp'\]"),
        ({"U1": X1, "U2": X2}, {"methods": ()}, InputError, "at least one method"),
        ({"U1": X1, "U2": X2}, {"custom": {"x": {"U1": A_ONLY["U1"]}}}, InputError,
         r"`custom\['x'\]` must map every subsystem"),
    ],
    ids=["one-subsystem", "index", "unknown-method", "no-method", "custom-missing-subsystem"],
)
def test_weight_sensitivity_errors(tables, kwargs, error, match):
    with pytest.raises(error, match=match):
        sensitivity.weight_sensitivity(tables, **kwargs)
