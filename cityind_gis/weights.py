"""Indicator weights (指标权重): entropy, CRITIC, coefficient of variation, AHP, equal, user.

Every method returns a Series indexed by indicator, named ``weight``, that sums
to 1. The objective methods (entropy, CRITIC, CV, equal) are also reachable by
name through :func:`indicator_weights` and :data:`WEIGHT_METHODS`, which the
pipeline and the panel runs use. :func:`combined_weights` joins a subjective
(AHP, user) and an objective vector. Weights that hold up: :func:`sparse_indicators`
finds indicators stuck at one value (which entropy weights reward) and
:func:`weight_sensitivity` recomputes D, grade and typology under several
methods. Formulas and sources are in each ``Notes`` section and in
``docs/coupling.md`` (section 2).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._errors import InputError, SchemaError
from ._tables import TOL as _TOL
from ._tables import check_frame as _check_frame
from ._tables import check_unit_range as _check_unit_range
from ._tables import weight_series as _weight_series

__all__ = [
    "AHPResult",
    "COMBINATION_METHODS",
    "WEIGHT_METHODS",
    "ahp_weights",
    "combined_weights",
    "critic_weights",
    "cv_weights",
    "entropy_weights",
    "equal_weights",
    "indicator_weights",
    "sparse_indicators",
    "sparse_message",
    "user_weights",
]

#: Saaty's random consistency index RI for n = 1..11.
_SAATY_RI: tuple[float, ...] = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51)


def entropy_weights(df: pd.DataFrame) -> pd.Series:
    r"""Entropy weights (熵权法) of the columns of ``df``.

    Parameters
    ----------
    df : DataFrame
        Non-negative indicators, normally the output of :func:`normalize`; at
        least two rows.

    Returns
    -------
    Series
        Weights indexed by the columns of ``df``, named ``weight``, summing to 1.
        A constant column gets weight 0.

    Raises
    ------
    SchemaError
        Negative or non-finite values, a column of zeros, fewer than two rows, or
        every column constant.

    Notes
    -----
    With :math:`m` units,

    .. math::

        p_{ij} = \frac{x_{ij}}{\sum_i x_{ij}}, \qquad
        e_j = -\frac{1}{\ln m} \sum_i p_{ij} \ln p_{ij}, \qquad
        w_j = \frac{1 - e_j}{\sum_k (1 - e_k)},

    with :math:`0 \ln 0 = 0`. This is the entropy weight method as used in
    Chinese composite-index studies (see ``docs/coupling.md``); the entropy is
    Shannon's (1948).

    Examples
    --------
    >>> entropy_weights(pd.DataFrame({"a": [0.0, 0.0, 1.0], "b": [1.0, 1.0, 0.0]})).round(5)
    a    0.73042
    b    0.26958
    Name: weight, dtype: float64
    """
    x = _check_frame(df, "df", min_rows=2)
    neg = (x < 0).any(axis=0)
    if neg.any():
        msg = (
            f"`df` must be non-negative for entropy weights; column(s) "
            f"{[str(c) for c in df.columns[neg]]} hold negative values. Normalise first with "
            "`normalize(df, directions)`."
        )
        raise SchemaError(msg)
    total = x.sum(axis=0)
    zero = total == 0
    if zero.any():
        msg = (
            f"`df` column(s) {[str(c) for c in df.columns[zero]]} are all zero, so p = x / sum(x) "
            "is undefined. Drop them, or normalise with `shift=(0.01, 0.99)`."
        )
        raise SchemaError(msg)
    p = x / total
    logp = np.log(p, out=np.zeros_like(p), where=p > 0)
    e = -(p * logp).sum(axis=0) / np.log(x.shape[0])
    d = np.clip(1.0 - e, 0.0, None)
    if d.sum() <= _TOL:
        msg = (
            "Every column of `df` is constant (all entropies equal 1), so no column "
            "discriminates between units and entropy weights are undefined. Use "
            "`equal_weights(df.columns)` or check the input."
        )
        raise SchemaError(msg)
    return _weight_series(d, df.columns)


def critic_weights(df: pd.DataFrame) -> pd.Series:
    r"""CRITIC weights (Diakoulaki et al. 1995) of the columns of ``df``.

    Parameters
    ----------
    df : DataFrame
        Normalised indicators in [0, 1] (output of :func:`normalize`), at least
        two rows and two columns, none constant.

    Returns
    -------
    Series
        Weights indexed by the columns of ``df``, named ``weight``, summing to 1.

    Raises
    ------
    SchemaError
        Values outside [0, 1], constant columns, or all columns perfectly correlated.

    Notes
    -----
    .. math::

        C_j = \sigma_j \sum_k (1 - r_{jk}), \qquad w_j = \frac{C_j}{\sum_k C_k},

    where :math:`\sigma_j` is the population standard deviation (ddof = 0) and
    :math:`r_{jk}` Pearson's correlation. Diakoulaki, Mavrotas and Papayannakis
    1995, Computers & Operations Research 22(7): 763-770. Data must be
    normalised first, otherwise :math:`\sigma_j` carries the indicator's units.
    """
    x = _check_frame(df, "df", min_rows=2, min_cols=2)
    x = _check_unit_range(x, df.columns, "df", "Normalise first with `normalize(df, directions)`.")
    sigma = x.std(axis=0)
    const = sigma == 0
    if const.any():
        msg = (
            f"`df` has constant column(s) {[str(c) for c in df.columns[const]]}; their correlation "
            "is undefined. Drop them before computing CRITIC weights."
        )
        raise SchemaError(msg)
    r = np.corrcoef(x, rowvar=False)
    c = sigma * np.clip(1.0 - r, 0.0, None).sum(axis=0)
    if c.sum() <= _TOL:
        msg = "All columns of `df` are perfectly correlated; CRITIC weights are undefined."
        raise SchemaError(msg)
    return _weight_series(c, df.columns)


def cv_weights(df: pd.DataFrame) -> pd.Series:
    r"""Coefficient-of-variation weights (变异系数法) of the columns of ``df``.

    Parameters
    ----------
    df : DataFrame
        Non-negative indicators, raw or normalised, at least two rows; no
        column may be all zero.

    Returns
    -------
    Series
        Weights indexed by the columns of ``df``, named ``weight``, summing to 1.
        A constant column gets weight 0.

    Raises
    ------
    SchemaError
        Negative values, an all-zero column, or every column constant.

    Notes
    -----
    .. math::

        V_j = \frac{\sigma_j}{\bar{x}_j}, \qquad w_j = \frac{V_j}{\sum_k V_k},

    with the population standard deviation (ddof = 0). The coefficient of
    variation is scale-free, so raw positive data may be used.
    """
    x = _check_frame(df, "df", min_rows=2)
    neg = (x < 0).any(axis=0)
    if neg.any():
        msg = (
            f"`df` must be non-negative for coefficient-of-variation weights; column(s) "
            f"{[str(c) for c in df.columns[neg]]} hold negative values. Normalise first."
        )
        raise SchemaError(msg)
    mean = x.mean(axis=0)
    zero = mean == 0
    if zero.any():
        msg = (
            f"`df` column(s) {[str(c) for c in df.columns[zero]]} are all zero; their coefficient "
            "of variation is undefined. Drop them."
        )
        raise SchemaError(msg)
    v = x.std(axis=0) / mean
    if v.sum() <= _TOL:
        msg = "Every column of `df` is constant; coefficient-of-variation weights are undefined."
        raise SchemaError(msg)
    return _weight_series(v, df.columns)


@dataclass(frozen=True)
class AHPResult:
    """Result of :func:`ahp_weights`.

    Attributes
    ----------
    weights : Series
        Priority vector indexed by criterion, named ``weight``, summing to 1.
    lambda_max : float
        Principal eigenvalue of the comparison matrix.
    ci : float
        Consistency index :math:`(\\lambda_{max} - n) / (n - 1)`; 0 for n <= 2.
    cr : float
        Consistency ratio CI / RI; 0 for n <= 2, NaN for n > 11 (RI not tabulated).
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float


def ahp_weights(
    matrix: pd.DataFrame | np.ndarray,
    *,
    names: Sequence[str] | None = None,
    max_cr: float | None = 0.1,
) -> AHPResult:
    r"""Analytic hierarchy process (AHP) weights from a pairwise comparison matrix.

    Parameters
    ----------
    matrix : DataFrame or ndarray
        Square reciprocal matrix of positive judgements, :math:`a_{ij}` = how
        much more important criterion i is than j (Saaty's 1-9 scale),
        :math:`a_{ji} = 1/a_{ij}`, :math:`a_{ii} = 1`. A DataFrame must have the
        same labels, in the same order, on its index and columns.
    names : sequence of str, optional
        Criterion names; required with an ndarray, not allowed with a DataFrame.
    max_cr : float or None, default 0.1
        Refuse matrices whose consistency ratio is at least this. ``None``
        accepts any matrix (the CR is still reported).

    Returns
    -------
    AHPResult
        ``weights`` (Series named ``weight``), ``lambda_max``, ``ci`` and ``cr``.

    Raises
    ------
    InputError
        Not square, not positive, not reciprocal (tolerance 3 %, so two-decimal
        entries such as 0.33 for 1/3, 0.14 for 1/7 and 0.17 for 1/6 pass), n > 11
        with a ``max_cr``, or CR >= ``max_cr``.

    Notes
    -----
    The weights are the principal (Perron) eigenvector :math:`A w = \lambda_{max} w`
    scaled to sum to 1, and

    .. math:: CI = \frac{\lambda_{max} - n}{n - 1}, \qquad CR = \frac{CI}{RI_n},

    with Saaty's random index :math:`RI_n` = 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32,
    1.41, 1.45, 1.49, 1.51 for n = 1..11; CR < 0.1 is acceptable. Saaty 1977,
    Journal of Mathematical Psychology 15(3): 234-281; Saaty 1980, *The
    Analytic Hierarchy Process*, McGraw-Hill.
    """
    if isinstance(matrix, pd.DataFrame):
        if names is not None:
            msg = "`names` is only for an ndarray `matrix`; a DataFrame carries its own labels."
            raise InputError(msg)
        if not matrix.index.equals(matrix.columns):
            msg = (
                f"`matrix` must have the same labels in the same order on index and columns; "
                f"index {list(map(str, matrix.index))}, columns {list(map(str, matrix.columns))}. "
                "Reorder with `matrix.loc[order, order]`."
            )
            raise InputError(msg)
        labels = pd.Index(matrix.columns)
        a = _check_frame(matrix, "matrix")
    else:
        a = np.array(matrix, dtype=float)
        if a.ndim != 2:
            msg = f"`matrix` must be a square 2-D array; got {a.ndim} dimension(s)."
            raise InputError(msg)
        if names is None:
            msg = "`names` is required with an ndarray `matrix`: one criterion name per row."
            raise InputError(msg)
        labels = pd.Index(list(names))
        if len(labels) != a.shape[0]:
            msg = f"`names` has {len(labels)} entries but `matrix` has shape {a.shape}."
            raise InputError(msg)
    n = a.shape[0]
    if a.shape[1] != n or n == 0:
        msg = f"`matrix` must be square and non-empty; got shape {a.shape}."
        raise InputError(msg)
    if not np.isfinite(a).all() or (a <= 0).any():
        msg = "`matrix` must hold finite positive judgements (Saaty's scale 1/9 .. 9)."
        raise InputError(msg)
    bad = (np.abs(a * a.T - 1.0) > 0.03) | np.diag(np.abs(np.diag(a) - 1.0) > 1e-9)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        msg = (
            f"`matrix` must be reciprocal with ones on the diagonal (a_ji = 1 / a_ij); "
            f"a[{labels[i]}, {labels[j]}] = {a[i, j]:.4g} but a[{labels[j]}, {labels[i]}] = "
            f"{a[j, i]:.4g}. Enter only the upper triangle and fill the rest with 1 / a."
        )
        raise InputError(msg)
    if max_cr is not None:
        if not isinstance(max_cr, numbers.Real) or not 0 < max_cr:
            msg = f"`max_cr` must be a positive number or None, got {max_cr!r}."
            raise InputError(msg)
        if n > len(_SAATY_RI):
            msg = (
                f"Saaty's RI is tabulated for n <= {len(_SAATY_RI)} criteria; `matrix` has {n}. "
                "Split the criteria into a hierarchy, or pass `max_cr=None` (CR is then NaN)."
            )
            raise InputError(msg)
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    w = np.abs(vecs[:, k].real)
    if n <= 2:
        ci, cr = 0.0, 0.0
    else:
        ci = (lam - n) / (n - 1)
        cr = ci / _SAATY_RI[n - 1] if n <= len(_SAATY_RI) else float("nan")
    if max_cr is not None and cr >= max_cr:
        msg = (
            f"`matrix` is inconsistent: CR = {cr:.4f} (lambda_max = {lam:.4f}, CI = {ci:.4f}) "
            f">= max_cr = {max_cr}. Revise the judgements, or pass `max_cr=None` to accept it."
        )
        raise InputError(msg)
    return AHPResult(_weight_series(w, labels), lam, float(ci), float(cr))


def equal_weights(columns: Sequence[str] | pd.Index) -> pd.Series:
    r"""Equal weights :math:`w_j = 1/k` for ``k`` indicators.

    Parameters
    ----------
    columns : sequence of str
        Indicator names (e.g. ``df.columns``), unique and at least one.

    Returns
    -------
    Series
        Weights indexed by ``columns``, named ``weight``, summing to 1.

    Notes
    -----
    .. math:: w_j = \frac{1}{k}, \quad j = 1, \dots, k.

    Equal weights are the common default for the subsystem contributions
    :math:`\alpha_i` in T of the coupling coordination model.
    """
    idx = pd.Index(list(columns))
    if len(idx) == 0 or not idx.is_unique:
        msg = f"`columns` must hold at least one name and no duplicates; got {list(idx)}."
        raise InputError(msg)
    return _weight_series(np.ones(len(idx)), idx)


def user_weights(
    weights: Mapping[str, float] | pd.Series,
    *,
    columns: Sequence[str] | pd.Index | None = None,
) -> pd.Series:
    r"""Validate weights given by the user and rescale them to sum to 1.

    Parameters
    ----------
    weights : mapping or Series
        Name -> non-negative weight (e.g. expert scores ``{"gdp": 3, "jobs": 1}``).
    columns : sequence of str, optional
        The indicator names the weights must cover exactly (e.g. ``df.columns``);
        the result follows this order.

    Returns
    -------
    Series
        Weights named ``weight``, summing to 1.

    Raises
    ------
    InputError
        Negative, non-finite or all-zero weights.
    SchemaError
        Names that do not match ``columns``.

    Notes
    -----
    .. math:: w_j = \frac{v_j}{\sum_k v_k}, \qquad v_j \ge 0.
    """
    if isinstance(weights, Mapping):
        weights = pd.Series(dict(weights))
    if not isinstance(weights, pd.Series):
        msg = (
            "`weights` should be a mapping or Series name -> weight, got "
            f"{type(weights).__name__}."
        )
        raise InputError(msg)
    if not weights.index.is_unique:
        msg = "`weights` repeats names; give each indicator one weight."
        raise SchemaError(msg)
    if columns is not None:
        cols = pd.Index(list(columns))
        missing = [str(c) for c in cols if c not in weights.index]
        extra = [str(c) for c in weights.index if c not in cols]
        if missing or extra:
            msg = (
                f"`weights` must cover exactly the names in `columns`; no weight for {missing}; "
                f"weights for unknown names {extra}. Fix the spelling or add the missing ones."
            )
            raise SchemaError(msg)
        weights = weights.reindex(cols)
    try:
        v = weights.to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        msg = f"`weights` must hold numbers; got dtype {weights.dtype}."
        raise InputError(msg) from err
    if not np.isfinite(v).all() or (v < 0).any() or v.sum() <= 0:
        msg = (
            f"`weights` must be finite, non-negative and not all zero; got "
            f"{dict(zip(map(str, weights.index), v.tolist(), strict=True))}."
        )
        raise InputError(msg)
    return _weight_series(v, weights.index)



#: Data-driven weighting methods selectable by name (``[coupling] weights`` in a
#: config, ``--weights`` on the command line): name -> function of a normalised
#: table returning weights that sum to 1. AHP and user weights need judgements
#: from outside the data and are called directly.
WEIGHT_METHODS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "entropy": entropy_weights,
    "critic": critic_weights,
    "cv": cv_weights,
    "equal": lambda df: equal_weights(df.columns),
}


def indicator_weights(df: pd.DataFrame, *, method: str = "entropy") -> pd.Series:
    """Weights of the columns of ``df`` by a method chosen by name.

    Parameters
    ----------
    df : DataFrame
        Normalised indicators of one subsystem (output of
        :func:`cityind_gis.coupling.normalize`), one row per unit.
    method : {"entropy", "critic", "cv", "equal"}, default "entropy"
        :func:`entropy_weights`, :func:`critic_weights`, :func:`cv_weights` or
        :func:`equal_weights`; see :data:`WEIGHT_METHODS`.

    Returns
    -------
    Series
        Weights indexed by the columns of ``df``, named ``weight``, summing to 1.

    Raises
    ------
    InputError
        An unknown ``method``.
    SchemaError
        As the chosen method.

    Notes
    -----
    The formulas are in the ``Notes`` of each method. CRITIC needs at least two
    indicators, so a one-indicator subsystem with ``method="critic"`` gets the
    weight 1 directly (the only weight vector that sums to 1).

    Examples
    --------
    >>> x = pd.DataFrame({"a": [0.0, 0.0, 1.0], "b": [1.0, 1.0, 0.0]})
    >>> indicator_weights(x, method="equal").tolist()
    [0.5, 0.5]
    """
    if method not in WEIGHT_METHODS:
        msg = (
            f"`method` must be one of {sorted(WEIGHT_METHODS)}, got {method!r}. AHP and "
            "user-given weights are computed with `ahp_weights` / `user_weights` and passed "
            "to `subsystem_index` directly."
        )
        raise InputError(msg)
    if method == "critic" and isinstance(df, pd.DataFrame) and df.shape[1] == 1:
        _check_frame(df, "df", min_rows=2)
        return _weight_series(np.ones(1), df.columns)
    return WEIGHT_METHODS[method](df)


# ------------------------------------------------------------------ sparse indicators


def sparse_indicators(df: pd.DataFrame, *, threshold: float = 0.9) -> pd.DataFrame:
    r"""Indicators that sit at one value in more than ``threshold`` of the units.

    Parameters
    ----------
    df : DataFrame
        Indicators of the analysed units (raw or normalised), one row per unit.
    threshold : float, default 0.9
        Share of units in (0, 1); an indicator is sparse when its most frequent
        value covers strictly more than this share.

    Returns
    -------
    DataFrame
        One row per sparse indicator (index ``indicator``, in the column order
        of ``df``), columns ``value`` (the repeated value), ``share`` (of the
        units at it) and ``n_units``. Empty when none is sparse.

    Raises
    ------
    SchemaError
        As :func:`entropy_weights` for a non-numeric or non-finite table.
    InputError
        ``threshold`` outside (0, 1).

    Notes
    -----
    Entropy weights reward rarity: with :math:`p_{ij} = x_{ij}/\sum_i x_{ij}`,
    an indicator that is 0 in all but a few units has a low entropy
    :math:`e_j` and so a large :math:`1 - e_j`, whatever it measures
    (``DOMAIN.md``, "Weight robustness"). Values are compared exactly, so 0 is
    0 and not 1e-12; after :func:`cityind_gis.coupling.normalize` the minimum
    of every indicator is the same number, which is what this finds.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [0.0] * 19 + [1.0], "b": np.linspace(0, 1, 20)})
    >>> sparse_indicators(df).to_dict("index")
    {'a': {'value': 0.0, 'share': 0.95, 'n_units': 19}}
    """
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not (
        0 < threshold < 1
    ):
        msg = f"`threshold` must be a share in (0, 1), e.g. 0.9; got {threshold!r}."
        raise InputError(msg)
    x = _check_frame(df, "df")
    n = x.shape[0]
    rows = []
    for k, col in enumerate(df.columns):
        values, counts = np.unique(x[:, k], return_counts=True)
        top = int(np.argmax(counts))
        if counts[top] / n > threshold:
            rows.append((col, float(values[top]), counts[top] / n, int(counts[top])))
    out = pd.DataFrame(rows, columns=["indicator", "value", "share", "n_units"])
    return out.set_index("indicator")


def sparse_message(
    sparse: pd.DataFrame,
    *,
    subsystem: str | None = None,
    weights: pd.Series | None = None,
    threshold: float = 0.9,
) -> str | None:
    """Warning text for the output of :func:`sparse_indicators`, or None.

    Parameters
    ----------
    sparse : DataFrame
        Output of :func:`sparse_indicators`.
    subsystem : str, optional
        Name of the subsystem in the text, e.g. ``"U2 (urban function)"``.
    weights : Series, optional
        Weights of the subsystem's indicators; the text then gives the total
        weight the sparse indicators take.
    threshold : float, default 0.9
        The threshold used, for the text.

    Returns
    -------
    str or None
        One sentence naming each sparse indicator with its share and value, or
        None when ``sparse`` is empty.
    """
    if not isinstance(sparse, pd.DataFrame) or not {"value", "share"} <= set(sparse.columns):
        msg = "`sparse` must be the output of `sparse_indicators(df)`."
        raise SchemaError(msg)
    if sparse.empty:
        return None
    items = ", ".join(
        f"{name} ({100 * row['share']:.0f} % at {row['value']:.4g})"
        for name, row in sparse.iterrows()
    )
    where = f" of {subsystem}" if subsystem else ""
    text = (
        f"{len(sparse)} indicator(s){where} sit at one value in more than "
        f"{100 * threshold:.0f} % of the analysed units: {items}."
    )
    if weights is not None:
        taken = float(weights.reindex(sparse.index).fillna(0).sum())
        text += f" Together they take {taken:.2f} of the weight."
    text += (
        " Entropy weights reward such rarity; compare weighting methods "
        "(`weight_sensitivity`) or drop or replace these indicators."
    )
    return text


# ------------------------------------------------------------------ combined weights

#: Ways of combining a subjective and an objective weight vector in
#: :func:`combined_weights`.
COMBINATION_METHODS: tuple[str, ...] = ("linear", "multiplicative", "game")


def combined_weights(
    subjective: pd.Series,
    objective: pd.Series,
    *,
    method: str = "linear",
    a: float = 0.5,
) -> pd.Series:
    r"""Combined subjective–objective weights (主客观组合赋权).

    Parameters
    ----------
    subjective : Series
        Subjective weights (AHP: ``ahp_weights(...).weights``; expert
        judgement: :func:`user_weights`), indexed by indicator, summing to 1.
    objective : Series
        Objective weights on the same indicators (entropy, CRITIC ...),
        summing to 1. The order of ``subjective`` is kept.
    method : {"linear", "multiplicative", "game"}, default "linear"
        Combination rule; see Notes.
    a : float, default 0.5
        Share of the subjective vector in the linear rule, in [0, 1]; only
        with ``method="linear"``.

    Returns
    -------
    Series
        Weights indexed by indicator, named ``weight``, summing to 1.

    Raises
    ------
    InputError
        Unknown ``method``, ``a`` out of range or given with another method,
        weights negative or not summing to 1, a multiplicative product of 0
        everywhere.
    SchemaError
        The two vectors name different indicators.

    Notes
    -----
    With subjective :math:`w^s` and objective :math:`w^o`:

    * **linear** (linear weighting, 线性加权组合):
      :math:`w_j = a\,w^s_j + (1 - a)\,w^o_j`;
    * **multiplicative** (乘法合成归一化):
      :math:`w_j = w^s_j w^o_j / \sum_k w^s_k w^o_k`;
    * **game** (game-theory combination, 博弈论组合赋权): the coefficients
      :math:`(a_1, a_2)` minimise :math:`\lVert \sum_k a_k w^{(k)} - w^{(l)}\rVert_2`
      for both :math:`l`, i.e. solve
      :math:`\sum_k a_k\, w^{(l)} \cdot w^{(k)} = w^{(l)} \cdot w^{(l)}`
      (:math:`l = 1, 2`); then :math:`a^*_k = |a_k| / \sum |a_k|` and
      :math:`w = a^*_1 w^s + a^*_2 w^o`. When the two vectors are equal the
      system is singular and :math:`w = w^s`.

    The integration of subjective and objective attribute weights goes back to
    Ma, Fan and Huang 1999, *European Journal of Operational Research* 112(2):
    397-404. The three rules above are the forms common in Chinese
    composite-evaluation studies; no single primary source for each has been
    confirmed, so cite the study you follow and report ``method`` and ``a``.

    Examples
    --------
    >>> ws = pd.Series({"x": 0.8, "y": 0.2})
    >>> wo = pd.Series({"x": 0.4, "y": 0.6})
    >>> combined_weights(ws, wo).round(4).tolist()
    [0.6, 0.4]
    >>> combined_weights(ws, wo, method="multiplicative").round(4).tolist()
    [0.7273, 0.2727]
    """
    if method not in COMBINATION_METHODS:
        msg = f"`method` must be one of {list(COMBINATION_METHODS)}, got {method!r}."
        raise InputError(msg)
    for name, w in (("subjective", subjective), ("objective", objective)):
        if not isinstance(w, pd.Series):
            msg = f"`{name}` should be a Series indicator -> weight, got {type(w).__name__}."
            raise InputError(msg)
    from ._tables import weights_vector

    cols = pd.Index(subjective.index)
    ws = weights_vector(subjective, cols, "subjective", "subjective")
    wo = weights_vector(objective, cols, "objective", "subjective")
    if method != "linear" and a != 0.5:
        msg = f"`a` goes with method='linear' only; got a={a!r} with method={method!r}."
        raise InputError(msg)
    if method == "linear":
        if isinstance(a, bool) or not isinstance(a, numbers.Real) or not 0 <= a <= 1:
            msg = f"`a` must be the subjective share in [0, 1], e.g. 0.5; got {a!r}."
            raise InputError(msg)
        w = a * ws + (1 - a) * wo
    elif method == "multiplicative":
        w = ws * wo
        if w.sum() <= _TOL:
            msg = (
                "`subjective` * `objective` is 0 for every indicator (no indicator has both a "
                "subjective and an objective weight); use method='linear'."
            )
            raise InputError(msg)
    else:
        m = np.array([[ws @ ws, ws @ wo], [wo @ ws, wo @ wo]])
        if abs(np.linalg.det(m)) <= 1e-14 * max(1.0, float(np.abs(m).max())) ** 2:
            w = ws
        else:
            coef = np.abs(np.linalg.solve(m, np.array([ws @ ws, wo @ wo])))
            coef = coef / coef.sum()
            w = coef[0] * ws + coef[1] * wo
    return _weight_series(np.asarray(w, dtype=float), cols)


# ---------------------------------------------------------------- sensitivity
