"""Coupling coordination degree model (耦合协调度模型).

Plain functions on pandas objects: they serve grid cells, zones, cities and
years alike, with or without geometry. The chain is

``normalize`` -> weights (``entropy_weights``, ``critic_weights``, ``cv_weights``,
``ahp_weights``, ``equal_weights``, ``user_weights``; they live in
:mod:`cityind_gis.weights` and are re-exported here) -> ``subsystem_index`` or
``topsis_index`` per subsystem -> ``coupling_coordination`` -> classes
(``coordination_grade``, ``coupling_stage``, ``lag_type``) and diagnosis
(``obstacle_degree``, ``main_obstacles``).

Every function returns new pandas objects aligned on the index of its input and
never modifies its arguments. Formulas and sources are in each ``Notes`` section
and in ``docs/coupling.md``.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ._errors import InputError, SchemaError
from ._tables import TOL as _TOL
from ._tables import check_frame as _check_frame
from ._tables import check_unit_range as _check_unit_range
from ._tables import weights_vector as _weights_vector
from ._validate import check_lang
from .weights import (
    WEIGHT_METHODS,
    AHPResult,
    ahp_weights,
    critic_weights,
    cv_weights,
    entropy_weights,
    equal_weights,
    indicator_weights,
    user_weights,
)

__all__ = [
    "AHPResult",
    "COUPLING_STAGES",
    "WEIGHT_METHODS",
    "GRADES_10",
    "GRADES_4",
    "GRADES_5",
    "ahp_weights",
    "coordination_grade",
    "coordination_level",
    "coupling_coordination",
    "coupling_stage",
    "critic_weights",
    "cv_weights",
    "entropy_weights",
    "equal_weights",
    "indicator_weights",
    "lag_type",
    "main_obstacles",
    "normalize",
    "obstacle_degree",
    "subsystem_index",
    "topsis_index",
    "user_weights",
]

#: The 10-grade scale of D, intervals [lower, upper) except the last, which
#: includes 1.0. Source: Tian Shenzhen et al. 2021, 地理学报 76(4), Table 1.
#: Rows: (level, lower, upper, Chinese name, English name).
GRADES_10: tuple[tuple[int, float, float, str, str], ...] = (
    (1, 0.0, 0.1, "极度失调", "extreme imbalance"),
    (2, 0.1, 0.2, "严重失调", "severe imbalance"),
    (3, 0.2, 0.3, "中度失调", "moderate imbalance"),
    (4, 0.3, 0.4, "轻度失调", "mild imbalance"),
    (5, 0.4, 0.5, "濒临失调", "on the verge of imbalance"),
    (6, 0.5, 0.6, "勉强协调", "barely coordinated"),
    (7, 0.6, 0.7, "初级协调", "primary coordination"),
    (8, 0.7, 0.8, "中级协调", "intermediate coordination"),
    (9, 0.8, 0.9, "良好协调", "good coordination"),
    (10, 0.9, 1.0, "优质协调", "high-quality coordination"),
)

#: A 4-grade scale of D in common use in Chinese studies (breaks 0.3, 0.5, 0.8).
#: No primary source has been confirmed for it: cite the study whose scale you
#: follow. Same row layout as :data:`GRADES_10`.
GRADES_4: tuple[tuple[int, float, float, str, str], ...] = (
    (1, 0.0, 0.3, "低度协调", "low coordination"),
    (2, 0.3, 0.5, "中度协调", "moderate coordination"),
    (3, 0.5, 0.8, "高度协调", "high coordination"),
    (4, 0.8, 1.0, "极度协调", "extreme coordination"),
)

#: A 5-grade scale of D with equal steps of 0.2, a common convention; no primary
#: source has been confirmed for it. Same row layout as :data:`GRADES_10`.
GRADES_5: tuple[tuple[int, float, float, str, str], ...] = (
    (1, 0.0, 0.2, "严重失调", "severe imbalance"),
    (2, 0.2, 0.4, "轻度失调", "mild imbalance"),
    (3, 0.4, 0.6, "勉强协调", "barely coordinated"),
    (4, 0.6, 0.8, "中度协调", "moderate coordination"),
    (5, 0.8, 1.0, "高度协调", "high coordination"),
)

#: Stages of the coupling degree C (Tian Shenzhen et al. 2021, 地理学报 76(4),
#: Table 1). Same row layout as :data:`GRADES_10`.
COUPLING_STAGES: tuple[tuple[int, float, float, str, str], ...] = (
    (1, 0.0, 0.3, "低水平耦合", "low-level coupling"),
    (2, 0.3, 0.5, "拮抗", "antagonism"),
    (3, 0.5, 0.8, "磨合", "running-in"),
    (4, 0.8, 1.0, "高水平耦合", "high-level coupling"),
)

_GRADE_SCHEMES: dict[str, tuple[tuple[int, float, float, str, str], ...]] = {
    "10": GRADES_10,
    "4": GRADES_4,
    "5": GRADES_5,
}

# --------------------------------------------------------------------------- checks


def _complete_rows(u: pd.DataFrame, name: str) -> np.ndarray:
    """Boolean mask of the rows of ``u`` that are analysed (no NaN).

    A row that is NaN in every column is a unit outside the analysis domain;
    a row with some NaN and some numbers is a bug upstream and is refused.
    """
    if not isinstance(u, pd.DataFrame):
        msg = f"`{name}` should be a pandas DataFrame, got {type(u).__name__}."
        raise SchemaError(msg)
    missing = u.isna().to_numpy()
    partial = missing.any(axis=1) & ~missing.all(axis=1)
    if partial.any():
        msg = (
            f"`{name}` has {int(partial.sum())} row(s) with some subsystem indices NaN and "
            f"others not (e.g. index {list(u.index[partial][:5])}); expected finite numbers, "
            "or NaN in every column for units outside the analysis domain. Fill or drop them "
            "first (e.g. `u.loc[domain['analysed']]`)."
        )
        raise SchemaError(msg)
    return ~missing.all(axis=1)


def _classify(values: np.ndarray, breaks: np.ndarray, *, closed: str = "left") -> np.ndarray:
    """Class numbers 0..k-1 of ``values`` for ``breaks`` (k + 1 edges), NaN kept.

    ``closed="left"`` uses [a, b) with the top edge included in the last class;
    ``closed="right"`` uses (a, b] with the bottom edge in the first class. Values
    within 1e-9 of an edge count as lying on it.
    """
    k = len(breaks) - 1
    if closed == "left":
        idx = np.searchsorted(breaks, values + 1e-9, side="right") - 1
    else:
        idx = np.searchsorted(breaks, values - 1e-9, side="left") - 1
    idx = np.clip(idx, 0, k - 1).astype(float)
    return np.where(np.isnan(values), np.nan, idx)


def _names_from_classes(
    index: pd.Index, cls: np.ndarray, names: Sequence[str], name: str
) -> pd.Series:
    """Class names for class numbers ``cls``; None (never NaN) where ``cls`` is NaN."""
    lookup = np.asarray(list(names), dtype=object)
    valid = np.isfinite(cls)
    out = np.full(len(cls), None, dtype=object)
    out[valid] = lookup[cls[valid].astype(int)]
    return pd.Series(out, index=index, name=name, dtype=object)


# ------------------------------------------------------------------------ normalize


def _minmax(values: np.ndarray, signs: np.ndarray) -> np.ndarray:
    lo = values.min(axis=0)
    hi = values.max(axis=0)
    z = (values - lo) / (hi - lo)
    return np.where(signs > 0, z, 1.0 - z)


_NORMALIZERS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {"minmax": _minmax}

_DIRECTION_WORDS = {"+": 1, "positive": 1, "-": -1, "negative": -1}


def _parse_direction(value: object) -> int | None:
    if isinstance(value, str):
        return _DIRECTION_WORDS.get(value.strip().lower())
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and value in (1, -1):
        return 1 if value == 1 else -1
    return None


def _parse_shift(shift: object) -> tuple[float, float] | None:
    if shift is None:
        return None
    if isinstance(shift, numbers.Real) and not isinstance(shift, bool):
        e = float(shift)
        if 0 < e < 0.5:
            return e, 1.0 - e
        msg = (
            "`shift` as a number is an epsilon e mapping into [e, 1 - e]; expected "
            f"0 < e < 0.5, got {shift!r}."
        )
        raise InputError(msg)
    if (
        isinstance(shift, Sequence)
        and not isinstance(shift, str)
        and len(shift) == 2
        and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in shift)
    ):
        a, b = float(shift[0]), float(shift[1])
        if 0 <= a < b <= 1:
            return a, b
    msg = (
        f"`shift` must be None, an epsilon 0 < e < 0.5, or a pair (a, b) with 0 <= a < b <= 1; "
        f"got {shift!r}. The common remedy for zeros is `shift=(0.01, 0.99)`."
    )
    raise InputError(msg)


def normalize(
    df: pd.DataFrame,
    directions: Mapping[str, int | str] | pd.Series,
    *,
    method: str = "minmax",
    shift: float | tuple[float, float] | None = None,
    constant: str = "error",
) -> pd.DataFrame:
    r"""Rescale indicators to [0, 1] so that larger always means better.

    Parameters
    ----------
    df : DataFrame
        Raw indicators, one row per unit (cell, zone, city, year), numeric and
        finite. Units are free: each column is rescaled on its own.
    directions : mapping or Series
        Column -> direction: ``1``, ``"+"`` or ``"positive"`` where larger is
        better; ``-1``, ``"-"`` or ``"negative"`` where smaller is better. Every
        column of ``df`` needs a direction and every direction a column.
    method : {"minmax"}, default "minmax"
        Rescaling method (range standardisation, 极差标准化).
    shift : float or (float, float), optional
        Map the result into ``[a, b]`` by :math:`a + (b - a) z`. A number ``e``
        means ``(e, 1 - e)``; ``shift=0.01`` gives [0.01, 0.99]. Use it to stop
        the minimum of an indicator becoming an exact zero.
    constant : {"error", "drop"}, default "error"
        What to do with zero-variance columns, which cannot be rescaled:
        raise, or drop them with a warning naming them.

    Returns
    -------
    DataFrame
        Rescaled values on ``df.index`` with the columns of ``df`` (minus any
        dropped), each in [0, 1] (in [a, b] with ``shift``).

    Raises
    ------
    SchemaError
        Missing or extra directions, non-numeric or non-finite values, or
        constant columns with ``constant="error"``.
    InputError
        An unknown direction, ``method``, ``shift`` or ``constant``.

    Notes
    -----
    For a positive indicator :math:`j` and unit :math:`i`

    .. math:: z_{ij} = \frac{x_{ij} - \min_i x_{ij}}{\max_i x_{ij} - \min_i x_{ij}},

    and for a negative one

    .. math:: z_{ij} = \frac{\max_i x_{ij} - x_{ij}}{\max_i x_{ij} - \min_i x_{ij}},

    optionally followed by :math:`z'_{ij} = a + (b - a) z_{ij}`. Min-max
    scaling sends each indicator's worst unit to exactly 0; a subsystem index of
    0 then forces the coupling degree C to 0 whatever the other subsystems are.
    Shifting into [0.01, 0.99] is the usual remedy (SPSSAU coupling
    coordination help, https://www.spssau.net/helps/coupling.html, "data
    intervalization", :math:`a + (b - a)(X - \min)/(\max - \min)`).

    Examples
    --------
    >>> df = pd.DataFrame({"gdp": [10.0, 20.0, 30.0, 50.0], "pm25": [10.0, 20.0, 30.0, 50.0]})
    >>> normalize(df, {"gdp": "+", "pm25": "-"})
        gdp  pm25
    0  0.00  1.00
    1  0.25  0.75
    2  0.50  0.50
    3  1.00  0.00
    """
    if method not in _NORMALIZERS:
        msg = f"`method` must be one of {sorted(_NORMALIZERS)}, got {method!r}."
        raise InputError(msg)
    if constant not in ("error", "drop"):
        msg = f"`constant` must be 'error' or 'drop', got {constant!r}."
        raise InputError(msg)
    bounds = _parse_shift(shift)
    if not isinstance(directions, (Mapping, pd.Series)):
        msg = (
            f"`directions` should be a mapping column -> +1/-1, got {type(directions).__name__}; "
            "e.g. `{'gdp': '+', 'pm25': '-'}`."
        )
        raise InputError(msg)
    values = _check_frame(df, "df")
    given = dict(directions.items())
    missing = [str(c) for c in df.columns if c not in given]
    extra = [str(k) for k in given if k not in df.columns]
    if missing or extra:
        msg = (
            f"`directions` must name every column of `df` and nothing else; no direction for "
            f"{missing}; directions for columns not in `df`: {extra}. Add '+' or '-' for each "
            "missing column and remove the others."
        )
        raise SchemaError(msg)
    parsed = {c: _parse_direction(given[c]) for c in df.columns}
    invalid = {str(c): given[c] for c, v in parsed.items() if v is None}
    if invalid:
        msg = (
            f"`directions` values must be +1/-1, '+'/'-' or 'positive'/'negative'; got {invalid}."
        )
        raise InputError(msg)
    signs = np.array([parsed[c] for c in df.columns], dtype=float)
    const = values.max(axis=0) == values.min(axis=0)
    if const.any():
        names = [str(c) for c in df.columns[const]]
        if constant == "error":
            msg = (
                f"`df` has zero-variance column(s) {names}: every unit has the same value, so "
                "they carry no information and cannot be rescaled. Drop them "
                "(`df.drop(columns=[...])`) or pass `constant='drop'`."
            )
            raise SchemaError(msg)
        if const.all():
            msg = f"`df` has only zero-variance columns {names}; nothing is left to normalise."
            raise SchemaError(msg)
        warnings.warn(
            f"normalize dropped {len(names)} zero-variance column(s): {names}",
            UserWarning,
            stacklevel=2,
        )
    keep = ~const
    z = _NORMALIZERS[method](values[:, keep], signs[keep])
    if bounds is not None:
        z = bounds[0] + (bounds[1] - bounds[0]) * z
    return pd.DataFrame(z, index=df.index, columns=df.columns[keep])


# ------------------------------------------------------------------ subsystem index


def _indicators_and_weights(
    df: pd.DataFrame, weights: pd.Series | Mapping[str, float], name: str
) -> tuple[np.ndarray, np.ndarray]:
    x = _check_frame(df, name)
    x = _check_unit_range(
        x, df.columns, name, f"Normalise first with `normalize({name}, directions)`."
    )
    w = _weights_vector(weights, df.columns, "weights", name)
    return x, w


def subsystem_index(
    df: pd.DataFrame,
    weights: pd.Series | Mapping[str, float],
    *,
    method: str = "weighted_sum",
) -> pd.Series:
    r"""Development index U of one subsystem (综合评价指数).

    Parameters
    ----------
    df : DataFrame
        Normalised indicators of one subsystem, in [0, 1] (see :func:`normalize`).
    weights : Series or mapping
        One weight per column of ``df``, non-negative and summing to 1 (within
        1e-6). Weights that do not sum to 1 are refused rather than rescaled, as
        a silent rescale hides a wrong weight vector.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
        The linear weighted sum below, or TOPSIS closeness
        (:func:`topsis_index`).

    Returns
    -------
    Series
        U in [0, 1] on ``df.index``, named ``subsystem_index``.

    Raises
    ------
    SchemaError
        Values outside [0, 1], or weight names that do not match ``df.columns``.
    InputError
        Negative weights or weights not summing to 1.

    Notes
    -----
    .. math:: U_i = \sum_j w_j x'_{ij}, \qquad \sum_j w_j = 1,

    the linear weighted sum (综合评价函数) that gives the subsystem indices of
    the coupling coordination model in most studies.

    Examples
    --------
    >>> x = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [1.0, 0.5, 0.0]})
    >>> subsystem_index(x, {"a": 0.25, "b": 0.75}).tolist()
    [0.75, 0.5, 0.25]
    """
    if method not in ("weighted_sum", "topsis"):
        msg = f"`method` must be 'weighted_sum' or 'topsis', got {method!r}."
        raise InputError(msg)
    if method == "topsis":
        return topsis_index(df, weights).rename("subsystem_index")
    x, w = _indicators_and_weights(df, weights, "df")
    u = np.clip(x @ w, 0.0, 1.0)
    return pd.Series(u, index=df.index, name="subsystem_index")


def topsis_index(df: pd.DataFrame, weights: pd.Series | Mapping[str, float]) -> pd.Series:
    r"""TOPSIS closeness of each unit to the ideal, as a subsystem index.

    Parameters
    ----------
    df : DataFrame
        Normalised indicators in [0, 1], larger is better (see :func:`normalize`,
        which already turned negative indicators around).
    weights : Series or mapping
        One weight per column, non-negative, summing to 1.

    Returns
    -------
    Series
        Closeness in [0, 1] on ``df.index``, named ``topsis_index``.

    Raises
    ------
    SchemaError
        As :func:`subsystem_index`, or every weighted column constant (all
        units tie, closeness is 0/0).

    Notes
    -----
    On the weighted values :math:`v_{ij} = w_j x'_{ij}`, with ideal
    :math:`v_j^+ = \max_i v_{ij}` and anti-ideal :math:`v_j^- = \min_i v_{ij}`
    (the data are already oriented so larger is better),

    .. math::

        D_i^+ = \sqrt{\sum_j (v_{ij} - v_j^+)^2}, \quad
        D_i^- = \sqrt{\sum_j (v_{ij} - v_j^-)^2}, \quad
        C_i = \frac{D_i^-}{D_i^+ + D_i^-}.

    Hwang and Yoon 1981, *Multiple Attribute Decision Making*, Springer. The
    ideals are relative to the units in ``df``: adding units can change C.
    """
    x, w = _indicators_and_weights(df, weights, "df")
    v = x * w
    d_plus = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    denom = d_plus + d_minus
    if (denom <= _TOL).any():
        msg = (
            "Every column of `df` with a non-zero weight is constant, so all units tie and "
            "TOPSIS closeness is 0/0. Check the weights and drop constant indicators."
        )
        raise SchemaError(msg)
    return pd.Series(np.clip(d_minus / denom, 0.0, 1.0), index=df.index, name="topsis_index")


# ------------------------------------------------------------- coupling coordination


def _coupling_classic(u: np.ndarray) -> np.ndarray:
    n = u.shape[1]
    total = u.sum(axis=1)
    gmean = np.prod(u, axis=1) ** (1.0 / n)
    return np.divide(n * gmean, total, out=np.zeros_like(total), where=total > 0)


def _coupling_corrected(u: np.ndarray) -> np.ndarray:
    n = u.shape[1]
    pair_sum = np.abs(u[:, :, None] - u[:, None, :]).sum(axis=(1, 2)) / 2.0
    balance = 1.0 - pair_sum / (n * (n - 1) / 2.0)
    top = u.max(axis=1, keepdims=True)
    ratio = np.divide(u, top, out=np.zeros_like(u), where=top > 0)
    level = np.prod(ratio, axis=1) ** (1.0 / (n - 1))
    return np.sqrt(np.clip(balance, 0.0, None) * level)


_COUPLING_MODELS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "classic": _coupling_classic,
    "corrected": _coupling_corrected,
}


def _alpha_vector(alpha: object, columns: pd.Index) -> np.ndarray:
    n = len(columns)
    if alpha is None:
        return np.full(n, 1.0 / n)
    if isinstance(alpha, (Mapping, pd.Series)):
        return _weights_vector(alpha, columns, "alpha", "u")
    if isinstance(alpha, (Sequence, np.ndarray)) and not isinstance(alpha, str):
        if len(alpha) != n:
            msg = (
                f"`alpha` needs one weight per subsystem column of `u` ({n}: "
                f"{list(map(str, columns))}); got {len(alpha)}."
            )
            raise InputError(msg)
        return _weights_vector(pd.Series(list(alpha), index=columns), columns, "alpha", "u")
    msg = (
        "`alpha` should be None, a mapping/Series or a sequence of weights, got "
        f"{type(alpha).__name__}."
    )
    raise InputError(msg)


def coupling_coordination(
    u: pd.DataFrame,
    *,
    alpha: Mapping[str, float] | pd.Series | Sequence[float] | None = None,
    model: str = "classic",
) -> pd.DataFrame:
    r"""Coupling degree C, development index T and coordination degree D.

    Parameters
    ----------
    u : DataFrame
        Subsystem indices (one column per subsystem, at least two), each in
        [0, 1], one row per unit; e.g. U1 industry and U2 urban function. A row
        that is NaN in every column is a unit outside the analysis domain
        (:func:`cityind_gis.domain.analysis_domain`): its C, T and D are NaN.
    alpha : mapping, Series or sequence, optional
        Contribution of each subsystem to T, non-negative and summing to 1
        (within 1e-6). A sequence follows the column order of ``u``. Default:
        equal weights :math:`1/n`.
    model : {"classic", "corrected"}, default "classic"
        Formula for C; see Notes.

    Returns
    -------
    DataFrame
        Columns ``C``, ``T`` and ``D`` (all in [0, 1]) on ``u.index``; NaN in
        the rows of ``u`` that are all NaN.

    Raises
    ------
    SchemaError
        Fewer than two subsystems, non-numeric or infinite values, a row with
        some NaN and some numbers, no row without NaN, or values outside [0, 1].
    InputError
        An unknown ``model`` or unusable ``alpha``.

    Notes
    -----
    **Classic** (the normative form restated by Wang Shujia, Kong Wei, Ren
    Liang, Zhi Dandan and Dai Binting 2021, 自然资源学报 36(3): 793-810):

    .. math::

        C = \frac{n \left(\prod_{i=1}^n U_i\right)^{1/n}}{\sum_{i=1}^n U_i}
          = \left[\frac{\prod_i U_i}{\left(\frac{1}{n}\sum_i U_i\right)^n}\right]^{1/n},

    i.e. :math:`C = 2\sqrt{U_1 U_2}/(U_1 + U_2)` for two subsystems. When every
    :math:`U_i = 0` the ratio is 0/0; C is then defined as 0.

    **Corrected** (Wang Shujia et al. 2021, same article):

    .. math::

        C = \sqrt{\left[1 - \frac{\sum_{i>j} |U_i - U_j|}{\sum_{m=1}^{n-1} m}\right]
              \left(\prod_{i=1}^n \frac{U_i}{\max_k U_k}\right)^{1/(n-1)}},

    i.e. :math:`C = \sqrt{(1 - |U_1 - U_2|)\,\min(U_1,U_2)/\max(U_1,U_2)}` for two
    subsystems; C = 0 when :math:`\max U = 0`. The classic C stays near 1 for most
    data; the corrected one spreads over [0, 1]. Any :math:`U_i = 0` gives
    C = 0 in both, which is why zeros produced by min-max scaling matter.

    Then :math:`T = \sum_i \alpha_i U_i` with :math:`\sum_i \alpha_i = 1`, and
    :math:`D = \sqrt{C T}`. C is checked to lie in [0, 1] (float excursions of
    1e-12 are clipped).

    Examples
    --------
    >>> u = pd.DataFrame({"industry": [0.5, 0.2], "urban": [0.5, 0.8]})
    >>> coupling_coordination(u).round(5)
         C    T        D
    0  1.0  0.5  0.70711
    1  0.8  0.5  0.63246
    """
    if model not in _COUPLING_MODELS:
        msg = f"`model` must be one of {sorted(_COUPLING_MODELS)}, got {model!r}."
        raise InputError(msg)
    ok = _complete_rows(u, "u")
    values = _check_frame(u.loc[ok], "u", min_cols=2)
    values = _check_unit_range(
        values,
        u.columns,
        "u",
        "Pass subsystem indices from `subsystem_index` on normalised indicators.",
    )
    a = _alpha_vector(alpha, u.columns)
    c = _COUPLING_MODELS[model](values)
    if ((c < -_TOL) | (c > 1 + _TOL)).any():
        msg = (
            f"Coupling model {model!r} produced C outside [0, 1] "
            f"({np.nanmin(c):.6g} .. {np.nanmax(c):.6g}); this is a bug in cityind_gis, "
            "please report it."
        )
        raise RuntimeError(msg)
    c = np.clip(c, 0.0, 1.0)
    t = np.clip(values @ a, 0.0, 1.0)
    d = np.sqrt(c * t)
    out = pd.DataFrame(np.nan, index=u.index, columns=["C", "T", "D"])
    out.loc[ok, "C"], out.loc[ok, "T"], out.loc[ok, "D"] = c, t, d
    return out


# ------------------------------------------------------------------------- classes


def _check_unit_interval(d: pd.Series, name: str) -> np.ndarray:
    values = np.asarray(d, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size and (finite.min() < -1e-12 or finite.max() > 1 + 1e-12):
        msg = (
            f"`{name}` must lie in [0, 1]; found values from {finite.min():.4g} to "
            f"{finite.max():.4g}. Pass the coordination degree D from `coupling_coordination`."
        )
        raise InputError(msg)
    return values


def coordination_level(d: pd.Series) -> pd.Series:
    """Level 1-10 of the coordination degree D on the 10-grade scale.

    Parameters
    ----------
    d : Series
        Coordination degree D in [0, 1]. NaN (a unit outside the analysis
        domain) stays missing.

    Returns
    -------
    Series
        Nullable integer levels (``Int64``) named ``grade_level``, aligned to
        ``d``; ``pd.NA`` where D is NaN.

    Notes
    -----
    Level :math:`k` covers :math:`[(k-1)/10, k/10)`; D = 1 belongs to level 10
    (Tian Shenzhen et al. 2021, 地理学报 76(4), Table 1).
    """
    values = _check_unit_interval(d, "d")
    level = np.floor(np.clip(values, 0.0, 1.0) * 10 + 1e-9).astype(float) + 1
    level = np.minimum(level, 10)
    out = pd.Series(level, index=d.index, name="grade_level").where(np.isfinite(values))
    return out.astype("Int64")


def coordination_grade(
    d: pd.Series,
    *,
    lang: str = "zh",
    scheme: str | Sequence[float] = "10",
    labels: Sequence[str] | None = None,
) -> pd.Series:
    """Name of the coordination class of D.

    Parameters
    ----------
    d : Series
        Coordination degree D in [0, 1].
    lang : {"zh", "en"}, default "zh"
        Chinese (极度失调 ... 优质协调) or English names; unused with custom ``labels``.
    scheme : {"10", "4", "5"} or sequence of float, default "10"
        A named scale (:data:`GRADES_10`, :data:`GRADES_4`, :data:`GRADES_5`) or
        your own breaks, strictly increasing from 0 to 1, e.g. ``[0, 0.4, 0.6, 1]``.
    labels : sequence of str, optional
        Class names for custom breaks, one fewer than the breaks. Only with a
        sequence ``scheme``.

    Returns
    -------
    Series
        Grade names aligned to ``d``, named ``grade`` (dtype object); None
        (never a number or a label) where D is NaN, i.e. outside the analysis
        domain.

    Raises
    ------
    InputError
        D outside [0, 1], an unknown scheme or language, bad breaks or labels.

    Notes
    -----
    Classes are :math:`[a, b)`, the last one including 1. ``"10"`` follows Tian
    Shenzhen et al. 2021, 地理学报 76(4), Table 1 (steps of 0.1), as
    :func:`coordination_level`. That table writes :math:`(a, b]`; the two
    differ only for D exactly on a break. ``"4"`` (breaks 0.3, 0.5, 0.8:
    低度/中度/高度/极度协调) and ``"5"`` (steps of 0.2) are conventions common
    in Chinese studies for which no single primary source has been confirmed;
    cite the study whose scale you adopt.
    """
    check_lang(lang)
    if isinstance(scheme, str):
        if scheme not in _GRADE_SCHEMES:
            msg = (
                f"`scheme` must be one of {sorted(_GRADE_SCHEMES)} or a sequence of breaks, "
                f"got {scheme!r}."
            )
            raise InputError(msg)
        if labels is not None:
            msg = (
                f"`labels` goes with custom breaks only; scheme {scheme!r} has its own names. "
                "Pass `scheme=[0, ..., 1]` with your labels."
            )
            raise InputError(msg)
        rows = _GRADE_SCHEMES[scheme]
        names = [row[3] if lang == "zh" else row[4] for row in rows]
        if scheme == "10":
            level = coordination_level(d).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            return _names_from_classes(d.index, level - 1, names, "grade")
        breaks = np.array([rows[0][1], *(row[2] for row in rows)])
    else:
        breaks = np.asarray(list(scheme), dtype=float)
        if (
            breaks.ndim != 1
            or breaks.size < 2
            or breaks[0] != 0
            or breaks[-1] != 1
            or (np.diff(breaks) <= 0).any()
        ):
            msg = (
                f"`scheme` breaks must increase strictly from 0 to 1, e.g. [0, 0.4, 0.6, 1]; "
                f"got {list(scheme)}."
            )
            raise InputError(msg)
        if labels is None or len(labels) != breaks.size - 1:
            got = None if labels is None else len(labels)
            msg = (
                f"`labels` must name each of the {breaks.size - 1} classes of `scheme`; got {got}."
            )
            raise InputError(msg)
        names = list(labels)
    values = _check_unit_interval(d, "d")
    cls = _classify(np.clip(values, 0.0, 1.0), breaks)
    return _names_from_classes(d.index, cls, names, "grade")


def coupling_stage(c: pd.Series, *, lang: str = "zh") -> pd.Series:
    """Stage of the coupling degree C (低水平耦合 / 拮抗 / 磨合 / 高水平耦合).

    Parameters
    ----------
    c : Series
        Coupling degree C in [0, 1] (column ``C`` of :func:`coupling_coordination`).
    lang : {"zh", "en"}, default "zh"
        Chinese or English stage names.

    Returns
    -------
    Series
        Stage names aligned to ``c``, named ``coupling_stage``; None where C is NaN.

    Notes
    -----
    :math:`[0, 0.3)` low-level coupling, :math:`[0.3, 0.5)` antagonism,
    :math:`[0.5, 0.8)` running-in, :math:`[0.8, 1]` high-level coupling
    (Tian Shenzhen et al. 2021, 地理学报 76(4), Table 1, which writes the
    intervals as :math:`(a, b]`). See :data:`COUPLING_STAGES`.
    """
    check_lang(lang)
    values = _check_unit_interval(c, "c")
    breaks = np.array([COUPLING_STAGES[0][1], *(row[2] for row in COUPLING_STAGES)])
    names = [row[3] if lang == "zh" else row[4] for row in COUPLING_STAGES]
    cls = _classify(np.clip(values, 0.0, 1.0), breaks)
    return _names_from_classes(c.index, cls, names, "coupling_stage")


_RATIO_BREAKS = np.array([-np.inf, 0.3, 0.5, 0.8, 1.2, 2.0, 3.0, np.inf])
_RATIO_NAMES = {
    "en": (
        "severe {0} lag",
        "general {0} lag",
        "slight {0} lag",
        "basic synchronisation",
        "slight {1} lag",
        "general {1} lag",
        "severe {1} lag",
    ),
    "zh": (
        "{0}严重滞后",
        "{0}一般滞后",
        "{0}轻微滞后",
        "基本同步",
        "{1}轻微滞后",
        "{1}一般滞后",
        "{1}严重滞后",
    ),
}
_DIFF_NAMES = {"en": ("synchronised", "{0} lagging"), "zh": ("同步型", "{0}滞后型")}


def lag_type(
    u: pd.DataFrame,
    *,
    rule: str = "difference",
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
    threshold: float | None = None,
) -> pd.Series:
    r"""Which of two subsystems lags behind the other.

    Parameters
    ----------
    u : DataFrame
        Exactly two subsystem-index columns in [0, 1], U1 first, U2 second. A
        row NaN in both columns (a unit outside the analysis domain) gets None.
    rule : {"difference", "ratio"}, default "difference"
        Classification rule; see Notes.
    labels : mapping, optional
        Column -> display name used in the result, e.g.
        ``{"U1": "industry", "U2": "urban function"}`` or, with ``lang="zh"``,
        ``{"U1": "产业", "U2": "城市功能"}``. Default: the column names.
    lang : {"en", "zh"}, default "en"
        Language of the fixed words ("lagging" / "滞后型").
    threshold : float, optional
        Largest :math:`|U_1 - U_2|` still counted as synchronised, default 0.1.
        Only for ``rule="difference"``.

    Returns
    -------
    Series
        Lag types on ``u.index``, named ``lag_type``, e.g. "urban function
        lagging" or "城市功能滞后型"; None where both indices are NaN and, for the
        ratio rule, where both are 0.

    Raises
    ------
    SchemaError
        Not exactly two columns, or values outside [0, 1].
    InputError
        Unknown rule or language, labels not naming both columns, ``threshold``
        with the ratio rule or negative.

    Notes
    -----
    **Difference rule** (Xu Weixiang, Li Lu, Zhou Jianping, Liu Chengjun 2020,
    自然资源学报 35(9): 2044-2062, Table 2): :math:`|U_1 - U_2| \le 0.1` is
    synchronised, otherwise the lower subsystem lags. Differences within 1e-12
    of the threshold count as on it (0.8 - 0.7 is 0.10000000000000009 in floats).

    **Ratio rule** on :math:`r = U_1 / U_2` (Sci. Rep. 2024, 14: 5150, Table 2),
    intervals closed on the right: :math:`r \le 0.3` severe, :math:`(0.3, 0.5]`
    general, :math:`(0.5, 0.8]` slight lag of U1; :math:`(0.8, 1.2]` basic
    synchronisation; :math:`(1.2, 2.0]` slight, :math:`(2.0, 3.0]` general,
    :math:`r > 3.0` severe lag of U2. :math:`U_2 = 0 < U_1` gives
    :math:`r = \infty` (severe U2 lag); :math:`U_1 = U_2 = 0` is undefined and
    left missing.
    """
    if rule not in ("difference", "ratio"):
        msg = f"`rule` must be 'difference' or 'ratio', got {rule!r}."
        raise InputError(msg)
    check_lang(lang)
    ok = _complete_rows(u, "u")
    values = _check_frame(u.loc[ok], "u", min_cols=2)
    if values.shape[1] != 2:
        msg = (
            f"`u` must have exactly two subsystem columns (U1, U2); got {values.shape[1]}: "
            f"{list(map(str, u.columns))}. Select two, e.g. `u[['industry', 'urban']]`."
        )
        raise SchemaError(msg)
    values = _check_unit_range(values, u.columns, "u", "Pass subsystem indices in [0, 1].")
    if labels is None:
        names = [str(c) for c in u.columns]
    else:
        missing = [str(c) for c in u.columns if c not in labels]
        if missing:
            msg = (
                f"`labels` must name both columns of `u` {list(map(str, u.columns))}; "
                f"missing {missing}."
            )
            raise InputError(msg)
        names = [str(labels[c]) for c in u.columns]
    u1, u2 = values[:, 0], values[:, 1]
    if rule == "difference":
        if threshold is None:
            threshold = 0.1
        if not isinstance(threshold, numbers.Real) or not threshold >= 0:
            msg = f"`threshold` must be a non-negative number, got {threshold!r}."
            raise InputError(msg)
        sync, lag = _DIFF_NAMES[lang]
        cls = np.full(len(u), np.nan)
        cls[ok] = np.where(np.abs(u1 - u2) <= threshold + _TOL, 0, np.where(u1 < u2, 1, 2))
        words = [sync, lag.format(names[0]), lag.format(names[1])]
        return _names_from_classes(u.index, cls, words, "lag_type")
    if threshold is not None:
        msg = "`threshold` applies to rule='difference' only; the ratio rule has fixed breaks."
        raise InputError(msg)
    safe = np.where(u2 > 0, u2, 1.0)
    r = np.full(len(u), np.nan)
    r[ok] = np.where(u2 > 0, u1 / safe, np.where(u1 > 0, np.inf, np.nan))
    cls = _classify(r, _RATIO_BREAKS, closed="right")
    words = [w.format(*names) for w in _RATIO_NAMES[lang]]
    return _names_from_classes(u.index, cls, words, "lag_type")


# ------------------------------------------------------------------------ obstacles


def obstacle_degree(
    normalized: pd.DataFrame, weights: pd.Series | Mapping[str, float]
) -> pd.DataFrame:
    r"""Obstacle degree (障碍度) of each indicator for each unit.

    Parameters
    ----------
    normalized : DataFrame
        Normalised indicators in [0, 1] (see :func:`normalize`).
    weights : Series or mapping
        One weight per column, non-negative, summing to 1. Use the weights
        within the whole index system (e.g. subsystem weight times indicator weight).

    Returns
    -------
    DataFrame
        Same index and columns as ``normalized``; each row sums to 1 (a share,
        multiply by 100 for percent), or is all 0 where no indicator has any gap.

    Notes
    -----
    With factor contribution :math:`w_j` and deviation :math:`1 - x'_{ij}`,

    .. math:: O_{ij} = \frac{w_j (1 - x'_{ij})}{\sum_k w_k (1 - x'_{ik})}.

    Where the denominator is 0 (the unit is at the best value on every weighted
    indicator) nothing obstructs it and every :math:`O_{ij}` is set to 0. This
    is the obstacle degree model common in Chinese composite-evaluation studies;
    no single primary source has been confirmed, so cite the study you follow
    (see ``docs/coupling.md``).
    """
    x, w = _indicators_and_weights(normalized, weights, "normalized")
    gap = w * (1.0 - x)
    total = gap.sum(axis=1, keepdims=True)
    o = np.divide(gap, total, out=np.zeros_like(gap), where=total > _TOL)
    return pd.DataFrame(o, index=normalized.index, columns=normalized.columns)


def main_obstacles(obstacles: pd.DataFrame, *, n: int = 3) -> pd.DataFrame:
    """The ``n`` indicators with the largest obstacle degree in each unit.

    Parameters
    ----------
    obstacles : DataFrame
        Output of :func:`obstacle_degree`: one column per indicator, shares in
        [0, 1] per row.
    n : int, default 3
        How many obstacles to name per unit, at most the number of indicators.

    Returns
    -------
    DataFrame
        On ``obstacles.index``, columns ``obstacle_1`` ... ``obstacle_n``
        (indicator names, largest first) and ``obstacle_1_pct`` ...
        ``obstacle_n_pct`` (obstacle degree in percent). Names are missing and
        percentages 0 where the obstacle degree is 0 (nothing obstructs).

    Notes
    -----
    Ranks :math:`O_{ij}` of :func:`obstacle_degree` within each row; ties keep
    the column order of ``obstacles``. Studies report the main obstacle factors
    (主要障碍因子) of each unit this way.

    Examples
    --------
    >>> o = pd.DataFrame({"a": [0.2, 0.0], "b": [0.8, 0.0]}, index=["x", "y"])
    >>> main_obstacles(o, n=1)
      obstacle_1  obstacle_1_pct
    x          b            80.0
    y       None             0.0
    """
    o = _check_frame(obstacles, "obstacles")
    k = o.shape[1]
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= k:
        msg = f"`n` must be an integer from 1 to the {k} indicator(s) of `obstacles`, got {n!r}."
        raise InputError(msg)
    order = np.argsort(-o, axis=1, kind="stable")[:, :n]
    top = np.take_along_axis(o, order, axis=1)
    names = np.asarray(obstacles.columns, dtype=object)[order]
    names = np.where(top > _TOL, names, None)
    data: dict[str, object] = {}
    for r in range(n):
        data[f"obstacle_{r + 1}"] = pd.Series(names[:, r], index=obstacles.index, dtype=object)
    for r in range(n):
        data[f"obstacle_{r + 1}_pct"] = pd.Series(100.0 * top[:, r], index=obstacles.index)
    return pd.DataFrame(data, index=obstacles.index)
