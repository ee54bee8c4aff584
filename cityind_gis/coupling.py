"""Coupling coordination degree model (耦合协调度模型).

Plain functions on pandas objects: they serve grid cells, zones, cities and
years alike, with or without geometry.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._errors import InputError

__all__ = ["GRADES_10", "coordination_grade", "coordination_level"]

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
        Coordination degree D in [0, 1]. NaN stays missing.

    Returns
    -------
    Series
        Nullable integer levels (``Int64``) named ``grade_level``, aligned to ``d``.

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


def coordination_grade(d: pd.Series, *, lang: str = "zh") -> pd.Series:
    """Name of the 10-grade coordination class of D.

    Parameters
    ----------
    d : Series
        Coordination degree D in [0, 1].
    lang : {"zh", "en"}, default "zh"
        Chinese (极度失调 ... 优质协调) or English names.

    Returns
    -------
    Series
        Grade names aligned to ``d``, named ``grade``; missing where D is NaN.

    Notes
    -----
    Intervals are :math:`[a, b)` in steps of 0.1, after Tian Shenzhen et al.
    2021, 地理学报 76(4), Table 1; see :data:`GRADES_10`.
    """
    if lang not in ("zh", "en"):
        msg = f"`lang` must be 'zh' or 'en', got {lang!r}."
        raise InputError(msg)
    col = 3 if lang == "zh" else 4
    names = {row[0]: row[col] for row in GRADES_10}
    level = coordination_level(d)
    return level.map(names).astype(object).rename("grade")
