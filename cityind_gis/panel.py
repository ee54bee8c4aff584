"""Panels (several periods) and region tables: pooled coupling coordination and change of D.

Two kinds of study need more than one run of the grid pipeline:

* **panels** -- the same units in several periods (years). Normalising each
  year on its own makes every year's best unit 1 and worst 0, so D can no
  longer be compared between years. :func:`panel_coupling` normalises and
  weights all periods *together* (pooled min-max and pooled weights), and
  :func:`d_change` gives the change of D between two periods;
* **regions** -- zones (cities, counties, development zones) whose indicators
  come from a statistics table such as a yearbook: :func:`read_statistics` reads
  a CSV/Excel table keyed by zone code or name, :func:`join_statistics` joins it
  to the zone boundaries with a clear error for every unmatched key, and the
  result can be mixed with spatially derived indicators before
  :func:`panel_coupling` (or the functions of :mod:`cityind_gis.coupling`).

:func:`cityind_gis.workflow.run_panel` runs the grid pipeline once per
``[[periods]]`` table of a config and recomputes U, C, T, D with these functions;
:func:`cityind_gis.workflow.write_panel` writes the results. The statistics-table
readers live in :mod:`cityind_gis.io.statistics` and are re-exported here.
Formulas and sources are in ``docs/panel.md``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import coupling
from ._errors import InputError, SchemaError
from .io.statistics import join_statistics, read_statistics, zone_statistics

__all__ = [
    "PanelCoupling",
    "d_change",
    "join_statistics",
    "panel_coupling",
    "read_statistics",
    "zone_statistics",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PanelCoupling:
    """Result of :func:`panel_coupling`.

    Attributes
    ----------
    indices : DataFrame
        Indexed by (period, unit) -- the unit level keeps the tables' index
        name, else ``unit``: one column per subsystem index (named by the
        keys of ``subsystems``), ``C``, ``T``, ``D``, ``grade_level`` (NaN /
        missing where not analysed) and ``analysed`` (bool).
    weights : DataFrame
        One row per indicator: ``subsystem``, ``indicator``, ``direction``,
        ``weight`` (pooled over all periods).
    normalized : DataFrame
        The pooled normalised indicators of the analysed rows, indexed by
        (period, unit).
    """

    indices: pd.DataFrame
    weights: pd.DataFrame
    normalized: pd.DataFrame


def _stack(tables: Mapping[Any, pd.DataFrame]) -> pd.DataFrame:
    if not isinstance(tables, Mapping) or len(tables) < 1:
        msg = (
            "`tables` must map each period label (e.g. a year) to its indicator table, got "
            f"{type(tables).__name__}."
        )
        raise InputError(msg)
    bad = [str(k) for k, v in tables.items() if not isinstance(v, pd.DataFrame)]
    if bad:
        msg = f"`tables` values must be DataFrames; period(s) {bad} are not."
        raise InputError(msg)
    dup = [str(k) for k, v in tables.items() if not v.index.is_unique]
    if dup:
        msg = f"`tables` of period(s) {dup} repeat unit ids; each unit needs one row per period."
        raise SchemaError(msg)
    columns = [set(v.columns) for v in tables.values()]
    common = set.intersection(*columns)
    differ = sorted(set.union(*columns) - common)
    if differ:
        msg = (
            f"every period needs the same indicator columns; {differ} are missing from some "
            "period(s). Add them or drop them everywhere."
        )
        raise SchemaError(msg)
    first = next(iter(tables.values()))
    order = list(first.columns)
    return pd.concat({k: v[order] for k, v in tables.items()},
                     names=["period", first.index.name or "unit"])


def panel_coupling(
    tables: Mapping[Any, pd.DataFrame],
    subsystems: Mapping[str, Mapping[str, int | str]],
    *,
    weights: str = "entropy",
    shift: float | tuple[float, float] | None = (0.01, 0.99),
    alpha: Mapping[str, float] | pd.Series | None = None,
    model: str = "classic",
    analysed: Mapping[Any, pd.Series] | None = None,
) -> PanelCoupling:
    r"""Coupling coordination of units over several periods, normalised and weighted pooled.

    Parameters
    ----------
    tables : mapping
        Period label (e.g. ``2019``) -> raw indicator table of that period, one
        row per unit (index = unit id), the same columns in every period. One
        period is allowed (a cross-section of zones).
    subsystems : mapping
        Subsystem name (e.g. ``"U1"``) -> {indicator: direction} with directions
        as in :func:`cityind_gis.coupling.normalize` (``"+"``/``"-"``). At least two.
    weights : {"entropy", "critic", "cv", "equal"}, default "entropy"
        Weighting method within each subsystem
        (:func:`cityind_gis.weights.indicator_weights`), on the pooled data.
    shift : float or (float, float) or None, default (0.01, 0.99)
        Passed to :func:`~cityind_gis.coupling.normalize`.
    alpha : mapping or Series, optional
        Subsystem contributions to T keyed by subsystem name; default equal.
    model : {"classic", "corrected"}, default "classic"
        Coupling model of :func:`~cityind_gis.coupling.coupling_coordination`.
    analysed : mapping, optional
        Period label -> boolean Series on that period's table index: True
        where the unit is inside the analysis domain of that period
        (:func:`cityind_gis.domain.analysis_domain`). Units not analysed in a
        period take no part in the pooled min-max range nor in the weights and
        get NaN indices (``grade_level`` missing) in that period. A period left
        out of the mapping is analysed entirely; default every unit of every
        period.

    Returns
    -------
    PanelCoupling
        ``indices`` (subsystem indices, C, T, D, grade level and ``analysed``)
        and ``weights``, indexed by (period, unit); ``normalized`` holds the
        analysed rows only.

    Raises
    ------
    SchemaError
        Periods with different columns, repeated units, unknown indicators,
        a subsystem whose indicators are all constant over every period, or an
        ``analysed`` flag that is not boolean on its period's index.
    InputError
        Fewer than two subsystems, an unknown method or period in
        ``analysed``, or fewer than two analysed rows.

    Notes
    -----
    Pooled (global) min-max over all :math:`T` periods and :math:`m` units,

    .. math::

        x'_{tij} = \frac{x_{tij} - \min_{t,i} x_{tij}}{\max_{t,i} x_{tij} - \min_{t,i} x_{tij}}
        \quad \text{(positive; negative mirrored)},

    and one weight vector estimated on the :math:`Tm` stacked rows (for entropy
    weights, :math:`\ln(Tm)` in the entropy), so a unit's D moves between
    periods only when its indicators move. This is the usual treatment of panel
    data in entropy-weight coupling studies of provinces or cities over years
    (e.g. Xu Weixiang et al. 2020, 自然资源学报 35(9): 2044-2062, who evaluate
    2005-2017 on one scale). Indicators constant over the pooled data are left
    out with a warning. U, C, T, D then follow
    :func:`~cityind_gis.coupling.coupling_coordination`.

    With ``analysed``, the minima, maxima and weights are taken over the
    analysed (period, unit) rows only, as in a single run
    (``docs/pipeline.md``, analysis domain): a unit that holds no urban land in
    one period neither stretches the scale nor attracts weight there.
    """
    if not isinstance(subsystems, Mapping) or len(subsystems) < 2:
        msg = (
            "`subsystems` must map at least two subsystem names to {indicator: direction}, "
            "e.g. {'U1': {'gdp': '+'}, 'U2': {'schools': '+'}}."
        )
        raise InputError(msg)
    stacked = _stack(tables)
    keep = _analysed_rows(analysed, tables, stacked.index)
    wanted = [c for d in subsystems.values() for c in d]
    missing = [c for c in wanted if c not in stacked.columns]
    if missing:
        msg = (
            f"`subsystems` name indicator(s) {missing} that the tables do not have; available: "
            f"{sorted(map(str, stacked.columns))}."
        )
        raise SchemaError(msg)
    u: dict[str, pd.Series] = {}
    info = []
    normalized = []
    for name, directions in subsystems.items():
        data = stacked.loc[keep, list(directions)]
        variable = data.nunique() > 1
        if not variable.any():
            msg = (
                f"every indicator of subsystem {name!r} ({list(directions)}) is constant over "
                "all periods and units; it cannot be measured."
            )
            raise SchemaError(msg)
        if not variable.all():
            warnings.warn(
                f"subsystem {name!r}: indicator(s) {list(variable.index[~variable])} are constant "
                "over all periods and units and were left out.",
                UserWarning,
                stacklevel=2,
            )
            data = data.loc[:, variable]
        x = coupling.normalize(data, {c: directions[c] for c in data.columns}, shift=shift)
        w = coupling.indicator_weights(x, method=weights)
        u[name] = coupling.subsystem_index(x, w)
        normalized.append(x)
        info.append(pd.DataFrame({
            "subsystem": name, "indicator": list(w.index),
            "direction": [directions[c] for c in w.index], "weight": w.to_numpy(),
        }))
    indices = pd.DataFrame(u)
    ctd = coupling.coupling_coordination(indices, alpha=alpha, model=model)
    indices = pd.concat([indices, ctd], axis=1).reindex(stacked.index)
    indices["grade_level"] = coupling.coordination_level(indices["D"])
    indices["analysed"] = keep
    return PanelCoupling(indices, pd.concat(info, ignore_index=True),
                       pd.concat(normalized, axis=1))


def _analysed_rows(
    analysed: Mapping[Any, pd.Series] | None, tables: Mapping[Any, pd.DataFrame],
    index: pd.MultiIndex,
) -> np.ndarray:
    """Boolean array on the stacked (period, unit) rows: True where analysed."""
    if analysed is None:
        return np.ones(len(index), dtype=bool)
    if not isinstance(analysed, Mapping):
        msg = ("`analysed` must map period labels to boolean Series (True = inside the "
               f"analysis domain), got {type(analysed).__name__}.")
        raise InputError(msg)
    unknown = [str(k) for k in analysed if k not in tables]
    if unknown:
        msg = f"`analysed` names period(s) {unknown} that `tables` lacks; periods: {list(tables)}."
        raise InputError(msg)
    parts = []
    for period, table in tables.items():
        flag = analysed.get(period)
        if flag is None:
            parts.append(np.ones(len(table), dtype=bool))
            continue
        if (not isinstance(flag, pd.Series) or not pd.api.types.is_bool_dtype(flag)
                or not flag.index.equals(table.index)):
            msg = (f"`analysed[{period!r}]` must be a boolean Series on the index of that "
                   "period's table (e.g. the `analysed` column of its run's grid).")
            raise SchemaError(msg)
        parts.append(flag.astype("boolean").fillna(False).to_numpy(dtype=bool))
    keep = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    if keep.sum() < 2:
        msg = (f"`analysed` leaves {int(keep.sum())} (period, unit) row(s) of {len(index)}; "
               "pooled normalisation needs at least 2.")
        raise InputError(msg)
    return keep


def d_change(
    indices: pd.DataFrame, *, base: Any, target: Any, column: str = "D"
) -> pd.DataFrame:
    r"""Change of D (or another column) of each unit between two periods.

    Parameters
    ----------
    indices : DataFrame
        Indexed by (period, unit), e.g. ``panel_coupling(...).indices``.
    base, target : period labels
        The earlier and the later period.
    column : str, default "D"
        Column to compare.

    Returns
    -------
    DataFrame
        Indexed by unit: ``{column}_base``, ``{column}_target``, ``d_change``
        (target minus base), ``level_base``, ``level_target`` and
        ``level_change`` (10-grade levels of the two values and their
        difference; only for ``column="D"``) and ``trend`` (``"up"``,
        ``"down"``, ``"same grade"`` by the grade levels, or by the sign for
        other columns). Where either value is missing (e.g. the unit is outside
        the analysis domain in one period), ``d_change`` is NaN, the levels
        are missing and ``trend`` is None.

    Notes
    -----
    :math:`\Delta D_i = D_{i,target} - D_{i,base}`; meaningful only with pooled
    normalisation (:func:`panel_coupling`), where both periods share one scale.
    Units present in only one period are left out.
    """
    if not isinstance(indices.index, pd.MultiIndex) or indices.index.nlevels != 2:
        msg = "`indices` must be indexed by (period, unit), as `panel_coupling(...).indices`."
        raise SchemaError(msg)
    periods = list(indices.index.get_level_values(0).unique())
    absent = [p for p in (base, target) if p not in periods]
    if absent:
        msg = f"period(s) {absent} are not in `indices`; periods: {periods}."
        raise InputError(msg)
    if column not in indices.columns:
        msg = f"`column` {column!r} is not in `indices`; columns: {list(indices.columns)}."
        raise SchemaError(msg)
    a = indices.xs(base, level=0)[column]
    b = indices.xs(target, level=0)[column]
    common = a.index.intersection(b.index, sort=False)
    out = pd.DataFrame({f"{column}_base": a.reindex(common),
                        f"{column}_target": b.reindex(common)})
    out["d_change"] = out[f"{column}_target"] - out[f"{column}_base"]
    if column == "D":
        out["level_base"] = coupling.coordination_level(out["D_base"])
        out["level_target"] = coupling.coordination_level(out["D_target"])
        out["level_change"] = out["level_target"] - out["level_base"]
        step = out["level_change"].astype(float)
    else:
        step = out["d_change"]
    trend = np.where(step > 0, "up", np.where(step < 0, "down", "same grade")).astype(object)
    trend[out["d_change"].isna().to_numpy()] = None
    out["trend"] = pd.Series(trend, index=out.index, dtype=object)
    out.index.name = indices.index.names[1]
    return out
