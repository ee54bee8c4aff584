"""City–industry typology of units from the subsystem indices U1 and U2.

D alone hides the direction of an imbalance: a high D can come from two high
subsystems or from a formula quirk, and a low D does not say which side is
missing. Studies therefore pair D with the relative development of the two
subsystems and a typology (``DOMAIN.md``, "What a reviewer checks"). This
module gives

* :func:`relative_development` -- U1/U2, U1 - U2 and the rank of the gap;
* :func:`city_industry_typology` -- industry-leading (城市功能滞后, the
  "industrial empty city" 产业孤岛), city-leading (产业滞后), synchronous, both
  low; thresholds in :data:`TYPOLOGY_CLASSES` and the ``Notes``;
* :func:`bivariate_class` -- 3 x 3 classes of U1 x U2 for a bivariate map, with
  the palette :data:`BIVARIATE_PALETTE`;
* :func:`d_tracks_subsystem` and :func:`tracking_caution` -- how closely D
  follows one subsystem, and the caution a report prints when it does;
* :func:`breadth_caution` -- the "few indicators" caution when a subsystem
  index rests on fewer than :data:`MIN_INDICATORS` indicators.

Every function takes subsystem indices in [0, 1] (columns U1, U2 in this
order) on any index; rows that are NaN in both columns are units outside the
analysis domain (:mod:`cityind_gis.domain`) and get NaN / None, never a class.
Formulas and sources are in ``docs/coupling.md`` (section "Typology").
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._errors import InputError, SchemaError
from ._tables import TOL as _TOL
from ._tables import check_frame as _check_frame
from ._tables import check_unit_range as _check_unit_range
from ._validate import check_lang
from .coupling import _complete_rows

__all__ = [
    "BIVARIATE_LABELS",
    "BIVARIATE_PALETTE",
    "MIN_INDICATORS",
    "MORE_DATA",
    "TYPOLOGY_CLASSES",
    "bivariate_class",
    "breadth_caution",
    "city_industry_typology",
    "d_tracks_subsystem",
    "relative_development",
    "tracking_caution",
]

#: Classes of :func:`city_industry_typology`: code -> (Chinese label, English label).
#: The order is the legend order.
TYPOLOGY_CLASSES: dict[str, tuple[str, str]] = {
    "industry_leading": (
        "产业超前型（城市功能滞后，产业孤岛）",
        "industry-leading (urban functions lag: industrial empty city)",
    ),
    "city_leading": ("城市超前型（产业滞后）", "city-leading (industry lags)"),
    "synchronous": ("同步协调型", "synchronous (coordinated)"),
    "both_low": ("双低型（产业与城市功能均弱）", "both low (weak industry and urban functions)"),
}

#: 3 x 3 bivariate palette, class ``"x-y"`` -> hex colour, with x the tercile
#: (1 low .. 3 high) of U1 (industry, teal axis) and y that of U2 (urban
#: function, pink axis). Joshua Stevens' blue-pink scheme ("Bivariate
#: choropleth maps: a how-to guide", 2015), as in the R package biscale
#: (``GrPink``). "3-1" (high industry, low urban function) is the industrial
#: empty city; "1-3" the city without industry; "3-3" both high.
BIVARIATE_PALETTE: dict[str, str] = {
    "1-1": "#e8e8e8",
    "2-1": "#ace4e4",
    "3-1": "#5ac8c8",
    "1-2": "#dfb0d6",
    "2-2": "#a5add3",
    "3-2": "#5698b9",
    "1-3": "#be64ac",
    "2-3": "#8c62aa",
    "3-3": "#3b4994",
}

#: Legend words of the bivariate classes: class -> (Chinese, English).
BIVARIATE_LABELS: dict[str, tuple[str, str]] = {
    f"{x}-{y}": (
        f"产业{'低中高'[x - 1]}·城市功能{'低中高'[y - 1]}",
        f"industry {('low', 'medium', 'high')[x - 1]}, "
        f"urban function {('low', 'medium', 'high')[y - 1]}",
    )
    for y in (1, 2, 3)
    for x in (1, 2, 3)
}

_RATIO_LEAD = 1.2  # U1/U2 above: U2 lags (ratio rule, Sci. Rep. 2024, 14: 5150)
_RATIO_LAG = 0.8  # U1/U2 at or below: U1 lags


def _two_indices(u: pd.DataFrame, name: str = "u") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate two subsystem columns; return (analysed mask, U1, U2) with NaN outside."""
    ok = _complete_rows(u, name)
    if u.shape[1] != 2:
        msg = (
            f"`{name}` must have exactly two subsystem columns (U1, U2); got {u.shape[1]}: "
            f"{list(map(str, u.columns))}. Select two, e.g. `u[['U1', 'U2']]`."
        )
        raise SchemaError(msg)
    values = _check_frame(u.loc[ok], name, min_cols=2)
    values = _check_unit_range(values, u.columns, name, "Pass subsystem indices in [0, 1].")
    u1 = np.full(len(u), np.nan)
    u2 = np.full(len(u), np.nan)
    u1[ok], u2[ok] = values[:, 0], values[:, 1]
    return ok, u1, u2


def relative_development(u: pd.DataFrame) -> pd.DataFrame:
    r"""Relative development of industry against urban function in each unit.

    Parameters
    ----------
    u : DataFrame
        Two subsystem indices in [0, 1], U1 (industry) first, U2 (urban
        function) second. Rows NaN in both are outside the analysis domain.

    Returns
    -------
    DataFrame
        On ``u.index``:

        * ``rel_dev`` -- relative development degree :math:`U_1 / U_2`
          (> 1: industry ahead); ``inf`` where :math:`U_2 = 0 < U_1`, NaN where
          both are 0 or outside the domain;
        * ``dev_gap`` -- :math:`U_1 - U_2` in [-1, 1] (> 0: urban functions lag);
        * ``dev_gap_rank`` -- rank of ``dev_gap`` among the analysed units, 1
          for the largest lead of industry over urban function (the worst
          "industrial empty city"), ties (equal to 12 decimals) sharing the
          smallest rank (``Int64``, missing outside the domain).

    Notes
    -----
    The ratio :math:`U_1/U_2` is the relative development degree of the ratio
    rule (Sci. Rep. 2024, 14: 5150, Table 2) and the difference
    :math:`U_1 - U_2` that of the difference rule (Xu Weixiang, Li Lu, Zhou
    Jianping, Liu Chengjun 2020, 自然资源学报 35(9): 2044-2062); see
    :func:`cityind_gis.coupling.lag_type`.

    Examples
    --------
    >>> u = pd.DataFrame({"U1": [0.8, 0.2, 0.5], "U2": [0.2, 0.4, 0.5]})
    >>> relative_development(u)
       rel_dev  dev_gap  dev_gap_rank
    0      4.0      0.6             1
    1      0.5     -0.2             3
    2      1.0      0.0             2
    """
    ok, u1, u2 = _two_indices(u)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(u2 > 0, u1 / np.where(u2 > 0, u2, 1.0), np.where(u1 > 0, np.inf, np.nan))
    gap = u1 - u2
    # gaps equal up to float noise tie (a matrix product may round identical rows differently)
    rank = pd.Series(np.round(gap, 12), index=u.index).rank(ascending=False, method="min")
    return pd.DataFrame(
        {
            "rel_dev": pd.Series(np.where(ok, ratio, np.nan), index=u.index, dtype=float),
            "dev_gap": pd.Series(gap, index=u.index, dtype=float),
            "dev_gap_rank": rank.astype("Int64"),
        },
        index=u.index,
    )


def city_industry_typology(
    u: pd.DataFrame,
    *,
    rule: str = "difference",
    threshold: float | None = None,
    low: float = 0.2,
    lang: str = "zh",
) -> pd.DataFrame:
    r"""City–industry type of each unit (产城融合类型) from U1 and U2.

    Parameters
    ----------
    u : DataFrame
        Two subsystem indices in [0, 1], U1 (industry) first, U2 (urban
        function) second. Rows NaN in both are outside the analysis domain and
        get no type.
    rule : {"difference", "ratio"}, default "difference"
        How the direction is read; see Notes.
    threshold : float, optional
        Largest :math:`|U_1 - U_2|` still synchronous, default 0.1; only with
        ``rule="difference"``.
    low : float, default 0.2
        A unit where neither index reaches ``low`` is "both low", whatever the
        direction. ``0`` switches the class off.
    lang : {"zh", "en"}, default "zh"
        Language of the ``typology`` column.

    Returns
    -------
    DataFrame
        On ``u.index``: ``typology_code`` (a key of :data:`TYPOLOGY_CLASSES`),
        ``typology_zh``, ``typology_en`` and ``typology`` (the label in
        ``lang``); all None outside the domain.

    Raises
    ------
    SchemaError
        Not two columns, values outside [0, 1], rows partly NaN.
    InputError
        Unknown rule or language, bad ``threshold`` or ``low``.

    Notes
    -----
    In this order:

    1. **both low** (双低型): :math:`\max(U_1, U_2) < low`. Neither subsystem
       reaches the bottom fifth of the normalised range by default, the band
       that the 5-grade scale :data:`cityind_gis.coupling.GRADES_5` calls
       严重失调; a threshold of this project, not a published one (pass your
       own ``low``).
    2. **industry-leading** (产业超前型, urban functions lag: the "industrial
       empty city" 产业孤岛): :math:`U_1 - U_2 > 0.1` (difference rule, Xu
       Weixiang et al. 2020, 自然资源学报 35(9): 2044-2062, Table 2) or
       :math:`U_1/U_2 > 1.2` (ratio rule, Sci. Rep. 2024, 14: 5150, Table 2:
       slight, general or severe lag of U2).
    3. **city-leading** (城市超前型, industry lags): :math:`U_2 - U_1 > 0.1`, or
       :math:`U_1/U_2 \le 0.8`.
    4. **synchronous** (同步协调型): the rest, :math:`|U_1 - U_2| \le 0.1` or
       :math:`0.8 < U_1/U_2 \le 1.2` ("basic synchronisation").

    The direction uses exactly the breaks of
    :func:`cityind_gis.coupling.lag_type`, so the type and the lag type agree.
    The pairing of D with such a typology follows the reviewer's checklist in
    ``DOMAIN.md`` ("D alone hides the direction").

    Examples
    --------
    >>> u = pd.DataFrame({"U1": [0.7, 0.2, 0.5, 0.1], "U2": [0.1, 0.6, 0.45, 0.05]})
    >>> city_industry_typology(u, lang="en")["typology_code"].tolist()
    ['industry_leading', 'city_leading', 'synchronous', 'both_low']
    """
    if rule not in ("difference", "ratio"):
        msg = f"`rule` must be 'difference' or 'ratio', got {rule!r}."
        raise InputError(msg)
    check_lang(lang)
    if rule == "ratio" and threshold is not None:
        msg = "`threshold` applies to rule='difference' only; the ratio rule has fixed breaks."
        raise InputError(msg)
    thr = 0.1 if threshold is None else threshold
    if isinstance(thr, bool) or not isinstance(thr, numbers.Real) or not 0 <= thr < 1:
        msg = f"`threshold` must be a number in [0, 1), e.g. 0.1; got {threshold!r}."
        raise InputError(msg)
    if isinstance(low, bool) or not isinstance(low, numbers.Real) or not 0 <= low <= 1:
        msg = (
            f"`low` must be a number in [0, 1], e.g. 0.2 (0 switches 'both low' off); "
            f"got {low!r}."
        )
        raise InputError(msg)
    ok, u1, u2 = _two_indices(u)
    codes = list(TYPOLOGY_CLASSES)
    if rule == "difference":
        gap = u1 - u2
        lead = gap > thr + _TOL
        lag = -gap > thr + _TOL
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(u2 > 0, u1 / np.where(u2 > 0, u2, 1.0), np.where(u1 > 0, np.inf, 1.0))
        lead = r > _RATIO_LEAD + _TOL
        lag = r <= _RATIO_LAG + _TOL
    cls = np.where(lead, 0, np.where(lag, 1, 2))
    cls = np.where(np.fmax(u1, u2) < low - _TOL, 3, cls)
    code = np.full(len(u), None, dtype=object)
    code[ok] = np.asarray(codes, dtype=object)[cls[ok]]
    zh = np.full(len(u), None, dtype=object)
    en = np.full(len(u), None, dtype=object)
    zh[ok] = np.asarray([TYPOLOGY_CLASSES[c][0] for c in codes], dtype=object)[cls[ok]]
    en[ok] = np.asarray([TYPOLOGY_CLASSES[c][1] for c in codes], dtype=object)[cls[ok]]
    out = pd.DataFrame(
        {"typology_code": code, "typology_zh": zh, "typology_en": en}, index=u.index, dtype=object
    )
    out["typology"] = out["typology_zh"] if lang == "zh" else out["typology_en"]
    return out


def _check_breaks(breaks: object, name: str) -> tuple[float, float] | None:
    if isinstance(breaks, str):
        if breaks != "terciles":
            msg = (
                f"`{name}` must be 'terciles' or two increasing breaks in (0, 1), e.g. "
                f"(1/3, 2/3); got {breaks!r}."
            )
            raise InputError(msg)
        return None
    if (
        isinstance(breaks, Sequence)
        and len(breaks) == 2
        and all(isinstance(b, numbers.Real) and not isinstance(b, bool) for b in breaks)
        and 0 < float(breaks[0]) < float(breaks[1]) < 1
    ):
        return float(breaks[0]), float(breaks[1])
    msg = (
        f"`{name}` must be 'terciles' or two increasing breaks in (0, 1), e.g. (1/3, 2/3); "
        f"got {breaks!r}."
    )
    raise InputError(msg)


def bivariate_class(
    u1: pd.Series,
    u2: pd.Series,
    *,
    breaks: str | tuple[float, float] = "terciles",
) -> pd.DataFrame:
    r"""3 x 3 bivariate class of U1 x U2 for a bivariate choropleth map.

    Parameters
    ----------
    u1, u2 : Series
        Industry and urban-function indices in [0, 1] on the same index; NaN in
        both for units outside the analysis domain.
    breaks : "terciles" or (float, float), default "terciles"
        ``"terciles"``: the 1/3 and 2/3 quantiles of each index over the
        analysed units (each class of each index then holds about a third of
        them); or two fixed breaks used for both indices, e.g. ``(1/3, 2/3)``
        so that classes mean the same in every study area.

    Returns
    -------
    DataFrame
        On the common index: ``bivar_u1`` and ``bivar_u2`` (``Int64`` 1 low,
        2 medium, 3 high), ``bivar_class`` (``"x-y"``, x for U1, y for U2) and
        ``bivar_color`` (hex from :data:`BIVARIATE_PALETTE`); missing / None
        outside the domain. The breaks used are in ``attrs["breaks"]``
        (``{"u1": (b1, b2), "u2": (b1, b2)}``).

    Raises
    ------
    SchemaError
        Different indexes, values outside [0, 1], one index NaN where the other
        is not, no analysed unit.
    InputError
        Bad ``breaks``.

    Notes
    -----
    Class 1 is :math:`v \le b_1`, class 2 :math:`b_1 < v \le b_2`, class 3
    :math:`v > b_2`. Terciles are ``numpy.quantile`` with linear interpolation.
    The colours are Joshua Stevens' 3 x 3 blue-pink scheme (Stevens 2015,
    "Bivariate choropleth maps: a how-to guide",
    https://www.joshuastevens.net/cartography/make-a-bivariate-choropleth-map/),
    as shipped by the R package biscale (``GrPink``): the U1 axis runs from grey
    to teal, the U2 axis from grey to pink, both high is dark blue.

    Examples
    --------
    >>> u1 = pd.Series([0.9, 0.1, 0.9, 0.5])
    >>> u2 = pd.Series([0.1, 0.9, 0.9, 0.5])
    >>> bivariate_class(u1, u2, breaks=(1 / 3, 2 / 3))["bivar_class"].tolist()
    ['3-1', '1-3', '3-3', '2-2']
    """
    fixed = _check_breaks(breaks, "breaks")
    for name, s in (("u1", u1), ("u2", u2)):
        if not isinstance(s, pd.Series):
            msg = f"`{name}` should be a pandas Series, got {type(s).__name__}."
            raise SchemaError(msg)
    if not u1.index.equals(u2.index):
        msg = "`u1` and `u2` must share one index (the units); align them first."
        raise SchemaError(msg)
    ok, x, y = _two_indices(pd.DataFrame({"u1": u1.to_numpy(), "u2": u2.to_numpy()},
                                         index=u1.index))
    if fixed is None:
        bx = tuple(float(v) for v in np.quantile(x[ok], [1 / 3, 2 / 3]))
        by = tuple(float(v) for v in np.quantile(y[ok], [1 / 3, 2 / 3]))
    else:
        bx = by = fixed
    cx = np.where(x <= bx[0] + _TOL, 1, np.where(x <= bx[1] + _TOL, 2, 3))
    cy = np.where(y <= by[0] + _TOL, 1, np.where(y <= by[1] + _TOL, 2, 3))
    cls = np.full(len(x), None, dtype=object)
    color = np.full(len(x), None, dtype=object)
    keys = np.char.add(np.char.add(cx.astype(str), "-"), cy.astype(str))
    cls[ok] = keys[ok]
    color[ok] = [BIVARIATE_PALETTE[k] for k in keys[ok]]
    out = pd.DataFrame(
        {
            "bivar_u1": pd.arrays.IntegerArray(cx.astype("int64"), ~ok),
            "bivar_u2": pd.arrays.IntegerArray(cy.astype("int64"), ~ok),
            "bivar_class": pd.Series(cls, index=u1.index, dtype=object),
            "bivar_color": pd.Series(color, index=u1.index, dtype=object),
        },
        index=u1.index,
    )
    out.attrs["breaks"] = {"u1": bx, "u2": by}
    return out


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _ranks(a: np.ndarray) -> np.ndarray:
    return pd.Series(a).rank(method="average").to_numpy(dtype=float)


def d_tracks_subsystem(u: pd.DataFrame, d: pd.Series) -> pd.DataFrame:
    r"""Correlation of the coordination degree D with each subsystem index.

    Parameters
    ----------
    u : DataFrame
        Subsystem indices (e.g. U1, U2) in [0, 1]; rows NaN in every column are
        outside the analysis domain.
    d : Series
        Coordination degree D on the same index, NaN exactly outside the domain.

    Returns
    -------
    DataFrame
        Indexed by the columns of ``u``: ``pearson`` and ``spearman``
        correlation with D over the analysed units, and ``n`` (units used).
        NaN where fewer than 3 units or D or the index is constant.

    Raises
    ------
    SchemaError
        Different indexes, or D NaN where the indices are not (or the reverse).

    Notes
    -----
    Pearson's :math:`r` and Spearman's :math:`\rho` (Pearson's r of the ranks,
    ties averaged). A D that correlates almost perfectly with one subsystem
    (e.g. :math:`\rho \ge 0.8`, "very strong" in Evans 1996, *Straightforward
    Statistics for the Behavioral Sciences*, Brooks/Cole) maps that subsystem
    rather than the interaction: see :func:`tracking_caution`.
    """
    ok = _complete_rows(u, "u")
    if not isinstance(d, pd.Series) or not d.index.equals(u.index):
        msg = "`d` must be a Series on the index of `u` (the coordination degree D per unit)."
        raise SchemaError(msg)
    dv = d.to_numpy(dtype=float)
    if (np.isnan(dv) != ~ok).any():
        msg = (
            "`d` must be NaN exactly where `u` is NaN (units outside the analysis domain); "
            f"they disagree in {int((np.isnan(dv) != ~ok).sum())} unit(s)."
        )
        raise SchemaError(msg)
    values = _check_frame(u.loc[ok], "u")
    dd = dv[ok]
    rows = {}
    for k, col in enumerate(u.columns):
        x = values[:, k]
        rows[col] = {
            "pearson": _pearson(x, dd),
            "spearman": _pearson(_ranks(x), _ranks(dd)),
            "n": int(ok.sum()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["n"] = out["n"].astype(int)
    return out


_CAUTION = {
    "en": (
        "Caution: D follows {name} closely (Spearman rho = {rho:.2f}, Pearson r = {r:.2f} over "
        "{n} analysed units), so the grade map largely shows where {name} is high rather than how "
        "well industry and urban functions are balanced. Read it with the typology and the "
        "U1 - U2 gap map."
    ),
    "zh": (
        "注意：协调度 D 与{name}高度相关（{n} 个分析单元上 Spearman ρ = {rho:.2f}，"
        "Pearson r = {r:.2f}），等级图主要反映{name}的高低，而非产业与城市功能是否协调。"
        "请结合产城类型图与 U1 − U2 差值图解读。"
    ),
}


def tracking_caution(
    correlations: pd.DataFrame,
    *,
    threshold: float = 0.8,
    labels: dict[str, str] | None = None,
    lang: str = "en",
) -> str | None:
    """Caution text when D tracks one subsystem, or None.

    Parameters
    ----------
    correlations : DataFrame
        Output of :func:`d_tracks_subsystem`.
    threshold : float, default 0.8
        Caution when :math:`|\\rho|` (Spearman) of D with a subsystem is at
        least this; 0.8 is the lower end of a "very strong" correlation (Evans
        1996).
    labels : dict, optional
        Subsystem column -> name in the text, e.g. ``{"U1": "industry"}``.
    lang : {"en", "zh"}, default "en"

    Returns
    -------
    str or None
        One sentence naming the subsystem with the largest :math:`|\\rho|`, or
        None when no correlation reaches ``threshold``.
    """
    check_lang(lang)
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not (
        0 < threshold <= 1
    ):
        msg = f"`threshold` must be a number in (0, 1], e.g. 0.8; got {threshold!r}."
        raise InputError(msg)
    need = {"pearson", "spearman", "n"}
    if not isinstance(correlations, pd.DataFrame) or not need <= set(correlations.columns):
        msg = "`correlations` must be the output of `d_tracks_subsystem(u, d)`."
        raise SchemaError(msg)
    rho = correlations["spearman"].abs()
    if rho.isna().all() or rho.max() < threshold:
        return None
    top = rho.idxmax()
    name = (labels or {}).get(top, str(top))
    row = correlations.loc[top]
    return _CAUTION[lang].format(
        name=name, rho=row["spearman"], r=row["pearson"], n=int(row["n"])
    )


#: Fewest indicators a subsystem index should rest on (``DOMAIN.md``, "Subsystem breadth").
MIN_INDICATORS = 3

#: What data adds indicators to each subsystem: subsystem -> (Chinese, English).
MORE_DATA: dict[str, tuple[str, str]] = {
    "U1": ("建筑轮廓图层（工业建筑面积、容积率）、企业/工厂 POI，"
           "以及区分工业、物流仓储用地的用地图层",
           "a buildings layer (industrial floor area, plot ratio), enterprise / factory POIs and "
           "a land-use layer with industrial, logistics and warehouse classes"),
    "U2": ("更多服务类别的 POI（教育、医疗、购物、餐饮、休闲、公交）、居住用地和人口栅格",
           "POIs of more service categories (education, healthcare, retail, food, leisure, "
           "transit), residential land and a population raster"),
}

_BREADTH = {
    "en": ("few indicators: {what} rests on {n} indicator(s){kept}. An index of fewer than "
           "three indicators maps those few, not the subsystem; add {more} (docs/indicators.md, "
           "\"More indicators\")."),
    "zh": ("指标偏少：{what}仅由 {n} 个指标{kept}构成。少于三个指标的指数只反映这几个指标，"
           "不能代表子系统；请补充{more}（见 docs/indicators.md“More indicators”）。"),
}


def breadth_caution(
    subsystem: str,
    indicators: Sequence[str] | int,
    *,
    label: str | None = None,
    lang: str = "en",
) -> str | None:
    """The "few indicators" text when a subsystem index rests on fewer than three, or None.

    Parameters
    ----------
    subsystem : {"U1", "U2"}
        The subsystem index.
    indicators : sequence of str or int
        The indicators that entered the index (named in the text), or their number.
    label : str, optional
        Name of the subsystem in the text, e.g. "U1 (industry)"; default ``subsystem``.
    lang : {"en", "zh"}, default "en"

    Returns
    -------
    str or None
        One sentence naming the subsystem, how many indicators it rests on and
        what data would add more (:data:`MORE_DATA`, ``docs/indicators.md``
        "More indicators"); None with :data:`MIN_INDICATORS` or more.

    Notes
    -----
    A subsystem index built from one indicator is that indicator; studies use
    several per subsystem (``DOMAIN.md``, "Subsystem breadth": industry -- land
    share, floor area / plot ratio, enterprise density, output or jobs,
    diversity; city -- services, housing, transit, green space), and fewer than
    three is a warning sign.

    Examples
    --------
    >>> breadth_caution("U1", ["industrial_share"])[:44]
    'few indicators: U1 rests on 1 indicator(s) ['
    >>> breadth_caution("U2", 5) is None
    True
    """
    check_lang(lang)
    if subsystem not in MORE_DATA:
        msg = f"`subsystem` must be one of {list(MORE_DATA)}, got {subsystem!r}."
        raise InputError(msg)
    if isinstance(indicators, bool) or not isinstance(indicators, (numbers.Integral, Sequence)) \
            or isinstance(indicators, str):
        msg = ("`indicators` must be the list of indicator names or their number, got "
               f"{indicators!r}.")
        raise InputError(msg)
    n = int(indicators) if isinstance(indicators, numbers.Integral) else len(indicators)
    if n >= MIN_INDICATORS:
        return None
    kept = "" if isinstance(indicators, numbers.Integral) else f" {list(indicators)}"
    more = MORE_DATA[subsystem][0 if lang == "zh" else 1]
    return _BREADTH[lang].format(what=label or subsystem, n=n, kept=kept, more=more)
