"""How much the coupling map depends on the weighting: D, grade and typology per method.

Reviewers ask for a comparison across weighting methods (entropy, CRITIC,
equal, combined subjective-objective); :func:`weight_sensitivity` recomputes
U, D, grade and typology under each and reports how far the ranking moves.
It lives apart from :mod:`cityind_gis.weights` because it composes weights,
:mod:`cityind_gis.coupling` and :mod:`cityind_gis.typology` (which import the
weights themselves). See ``docs/coupling.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._errors import InputError, SchemaError
from .coupling import coordination_level, coupling_coordination, subsystem_index
from .typology import city_industry_typology
from .weights import WEIGHT_METHODS, indicator_weights, user_weights

__all__ = ["WeightSensitivity", "weight_sensitivity"]


@dataclass(frozen=True)
class WeightSensitivity:
    """Result of :func:`weight_sensitivity`.

    Attributes
    ----------
    summary : DataFrame
        One row per method (index ``method``, the baseline first):
        ``spearman_d`` (rank correlation of D with the baseline's D),
        ``share_grade_changed`` and ``share_typology_changed`` (share of units
        whose grade / typology differs from the baseline's), ``mean_abs_d_change``,
        ``d_mean`` and ``note`` (why a method could not be computed, else None).
    d : DataFrame
        D per unit (rows) and method (columns).
    grade : DataFrame
        Grade level 1-10 (``Int64``) per unit and method.
    typology : DataFrame
        Typology code (:func:`cityind_gis.typology.city_industry_typology`) per
        unit and method; None with other than two subsystems.
    weights : DataFrame
        Long table ``method``, ``subsystem``, ``indicator``, ``weight``.
    """

    summary: pd.DataFrame
    d: pd.DataFrame
    grade: pd.DataFrame
    typology: pd.DataFrame
    weights: pd.DataFrame = field(repr=False)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    ra = pd.Series(a[ok]).rank().to_numpy()
    rb = pd.Series(b[ok]).rank().to_numpy()
    if ok.sum() < 3 or np.ptp(ra) == 0 or np.ptp(rb) == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def weight_sensitivity(
    normed_by_subsystem: Mapping[str, pd.DataFrame],
    *,
    methods: Sequence[str] = ("entropy", "critic", "equal"),
    custom: Mapping[str, Mapping[str, pd.Series]] | None = None,
    alpha: Sequence[float] | Mapping[str, float] | None = None,
    model: str = "classic",
    typology: Mapping[str, object] | None = None,
) -> WeightSensitivity:
    r"""D, grade and typology under several weighting methods, against a baseline.

    Parameters
    ----------
    normed_by_subsystem : mapping
        Subsystem name -> normalised indicators in [0, 1] of the analysed
        units (:func:`cityind_gis.coupling.normalize` on the domain subset), all
        on one index; e.g. ``{"U1": x1, "U2": x2}`` (U1 industry first).
    methods : sequence of str, default ("entropy", "critic", "equal")
        Names of :data:`WEIGHT_METHODS`; the first is the baseline.
    custom : mapping, optional
        Further methods: name -> {subsystem -> weights}, e.g. AHP or
        :func:`combined_weights` vectors, ``{"ahp+entropy": {"U1": w1, "U2": w2}}``.
        They follow ``methods``; with empty ``methods`` the first is the baseline.
    alpha, model
        Passed to :func:`cityind_gis.coupling.coupling_coordination`.
    typology : mapping, optional
        Keyword arguments of :func:`cityind_gis.typology.city_industry_typology`
        (``rule``, ``threshold``, ``low``).

    Returns
    -------
    WeightSensitivity
        ``summary``, ``d``, ``grade``, ``typology`` and ``weights``.

    Raises
    ------
    InputError
        Unknown method names, duplicate names, no method at all.
    SchemaError
        Tables on different indexes, fewer than two subsystems.

    Notes
    -----
    For each method :math:`m` the subsystem indices are
    :math:`U_k = \sum_j w^{(m)}_{kj} x'_{kj}` and C, T, D follow as in
    :func:`cityind_gis.coupling.coupling_coordination`. Against the baseline
    :math:`b`, ``spearman_d`` is Spearman's :math:`\rho` of :math:`D^{(m)}` and
    :math:`D^{(b)}` over the units (Pearson's r of the ranks, ties averaged),
    and ``share_grade_changed`` the share of units whose 10-grade level
    (:func:`cityind_gis.coupling.coordination_level`) differs. A method that
    cannot be computed on these data (e.g. CRITIC on a constant column) gets
    NaN and its reason in ``note``, rather than stopping the comparison.
    Reviewers ask for such a comparison because entropy weights reward rarity
    (``DOMAIN.md``, "Weight robustness").
    """
    if not isinstance(normed_by_subsystem, Mapping) or len(normed_by_subsystem) < 2:
        msg = (
            "`normed_by_subsystem` must map at least two subsystem names to their normalised "
            "indicator tables, e.g. {'U1': x1, 'U2': x2}."
        )
        raise SchemaError(msg)
    tables = dict(normed_by_subsystem)
    names = list(tables)
    index = tables[names[0]].index
    for k, t in tables.items():
        if not isinstance(t, pd.DataFrame) or not t.index.equals(index):
            msg = (
                f"`normed_by_subsystem[{k!r}]` must be a DataFrame on the same index as "
                f"`normed_by_subsystem[{names[0]!r}]` (the analysed units)."
            )
            raise SchemaError(msg)
    methods = list(methods)
    unknown = [m for m in methods if m not in WEIGHT_METHODS]
    if unknown:
        msg = f"`methods` must be names of {sorted(WEIGHT_METHODS)}; unknown: {unknown}."
        raise InputError(msg)
    extra = dict(custom or {})
    order = methods + list(extra)
    if not order or len(set(order)) != len(order):
        msg = f"`methods` and `custom` must name at least one method, each once; got {order}."
        raise InputError(msg)
    for name, ws in extra.items():
        if not isinstance(ws, Mapping) or set(ws) != set(names):
            msg = (
                f"`custom[{name!r}]` must map every subsystem {names} to its weights; "
                f"got {sorted(ws) if isinstance(ws, Mapping) else type(ws).__name__}."
            )
            raise InputError(msg)
    typ_kw = dict(typology or {})
    d_cols: dict[str, pd.Series] = {}
    g_cols: dict[str, pd.Series] = {}
    t_cols: dict[str, pd.Series] = {}
    notes: dict[str, str | None] = {}
    w_rows: list[pd.DataFrame] = []
    for name in order:
        try:
            ws = {
                k: (indicator_weights(t, method=name) if name in WEIGHT_METHODS
                    else user_weights(extra[name][k], columns=t.columns))
                for k, t in tables.items()
            }
            u = pd.DataFrame({k: subsystem_index(tables[k], ws[k]) for k in names}, index=index)
            d = coupling_coordination(u, alpha=alpha, model=model)["D"]
        except SchemaError as err:
            notes[name] = str(err)
            d_cols[name] = pd.Series(np.nan, index=index)
            g_cols[name] = pd.Series(pd.NA, index=index, dtype="Int64")
            t_cols[name] = pd.Series(None, index=index, dtype=object)
            continue
        notes[name] = None
        d_cols[name] = d
        g_cols[name] = coordination_level(d)
        t_cols[name] = (city_industry_typology(u, **typ_kw)["typology_code"] if len(names) == 2
                        else pd.Series(None, index=index, dtype=object))
        w_rows += [pd.DataFrame({"method": name, "subsystem": k, "indicator": w.index,
                                 "weight": w.to_numpy()}) for k, w in ws.items()]
    d_tab = pd.DataFrame(d_cols, index=index)
    g_tab = pd.DataFrame(g_cols, index=index)
    t_tab = pd.DataFrame(t_cols, index=index, dtype=object)
    base = order[0]
    n = len(index)
    rows = {}
    for name in order:
        ok = notes[name] is None and notes[base] is None
        rows[name] = {
            "spearman_d": _spearman(d_tab[name].to_numpy(), d_tab[base].to_numpy())
            if ok else np.nan,
            "share_grade_changed": float((g_tab[name] != g_tab[base]).sum() / n) if ok else np.nan,
            "share_typology_changed": float((t_tab[name] != t_tab[base]).sum() / n)
            if ok and len(names) == 2 else np.nan,
            "mean_abs_d_change": float((d_tab[name] - d_tab[base]).abs().mean())
            if ok else np.nan,
            "d_mean": float(d_tab[name].mean()) if notes[name] is None else np.nan,
            "note": notes[name],
        }
    summary = pd.DataFrame.from_dict(rows, orient="index")
    summary.index.name = "method"
    weights = (pd.concat(w_rows, ignore_index=True) if w_rows else
               pd.DataFrame(columns=["method", "subsystem", "indicator", "weight"]))
    return WeightSensitivity(summary, d_tab, g_tab, t_tab, weights)
