"""Tests of cityind_gis.weights: every expected value is worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cityind_gis import coupling, weights
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
