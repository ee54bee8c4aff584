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

:func:`run_panel` runs the grid pipeline once per ``[[periods]]`` table of a
config and recomputes U, C, T, D with pooled normalisation; :func:`write_panel`
writes the results. Formulas and sources are in ``docs/panel.md``.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import coupling
from ._errors import InputError, SchemaError
from .config import Config, PeriodConfig

__all__ = [
    "PanelResult",
    "d_change",
    "join_statistics",
    "panel_coupling",
    "period_config",
    "read_statistics",
    "run_panel",
    "write_panel",
    "zone_statistics",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PanelResult:
    """Result of :func:`panel_coupling`.

    Attributes
    ----------
    indices : DataFrame
        Indexed by (period, unit) -- the unit level keeps the tables' index
        name, else ``unit``: one column per subsystem index (named by the
        keys of ``subsystems``), ``C``, ``T``, ``D``, ``grade_level``.
    weights : DataFrame
        One row per indicator: ``subsystem``, ``indicator``, ``direction``,
        ``weight`` (pooled over all periods).
    normalized : DataFrame
        The pooled normalised indicators, indexed like ``indices``.
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
) -> PanelResult:
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

    Returns
    -------
    PanelResult
        ``indices`` (subsystem indices, C, T, D, grade level) and ``weights``,
        indexed by (period, unit).

    Raises
    ------
    SchemaError
        Periods with different columns, repeated units, unknown indicators,
        or a subsystem whose indicators are all constant over every period.
    InputError
        Fewer than two subsystems, or an unknown method.

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
    """
    if not isinstance(subsystems, Mapping) or len(subsystems) < 2:
        msg = (
            "`subsystems` must map at least two subsystem names to {indicator: direction}, "
            "e.g. {'U1': {'gdp': '+'}, 'U2': {'schools': '+'}}."
        )
        raise InputError(msg)
    stacked = _stack(tables)
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
        data = stacked[list(directions)]
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
    indices = pd.concat([indices, ctd], axis=1)
    indices["grade_level"] = coupling.coordination_level(indices["D"])
    return PanelResult(indices, pd.concat(info, ignore_index=True),
                       pd.concat(normalized, axis=1))


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
        other columns).

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
    out["trend"] = np.where(step > 0, "up", np.where(step < 0, "down", "same grade"))
    out.index.name = indices.index.names[1]
    return out


def read_statistics(
    path: str | Path,
    *,
    key: str,
    sheet: str | int | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Read a statistics table (e.g. yearbook indicators of cities) keyed by zone code or name.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 or GBK/GB18030, separator sniffed) or Excel (.xlsx/.xls) file.
    key : str
        Column holding the zone code or name; it becomes the index (as text, so
        codes keep leading zeros).
    sheet : str or int, optional
        Excel sheet (default the first).
    columns : list of str, optional
        Only these columns (besides ``key``) are kept and converted; default
        all. Text columns such as names or remarks can stay in the file.

    Returns
    -------
    DataFrame
        Indexed by ``key``; every other (chosen) column converted to numbers (thousands
        separators and surrounding spaces removed). Empty cells and the usual
        missing-value marks (``NA``, ``n/a``, ...) become NaN, which the coupling
        functions refuse: fill or drop them before use.

    Raises
    ------
    InputError
        Missing file or unreadable table.
    SchemaError
        Missing ``key`` or ``columns``, repeated keys, or cells that are not
        numbers (listed by column with an example).
    """
    from .io.vector import _read_table

    p = Path(path)
    if not p.is_file():
        msg = f"statistics file {str(path)!r} does not exist."
        raise InputError(msg)
    table = _read_table(p, "statistics", sheet)
    table.columns = [str(c).strip() for c in table.columns]
    if key not in table.columns:
        msg = (f"statistics table {p.name!r} has no key column {key!r}; "
               f"columns: {list(table.columns)}.")
        raise SchemaError(msg)
    if columns is not None:
        missing = [c for c in columns if c not in table.columns or c == key]
        if missing:
            msg = (f"statistics table {p.name!r} has no column(s) {missing} named in "
                   f"`indicators`; columns: {[c for c in table.columns if c != key]}.")
            raise SchemaError(msg)
        table = table[[key, *columns]]
    keys = table[key].astype(str).str.strip()
    dup = sorted(set(keys[keys.duplicated()]))
    if dup:
        msg = f"statistics table {p.name!r} repeats key(s) {dup[:10]} in {key!r}; one row per zone."
        raise SchemaError(msg)
    values = table.drop(columns=key).apply(
        lambda s: s.astype(str).str.replace(",", "", regex=False).str.strip())
    numbers = values.apply(pd.to_numeric, errors="coerce")
    bad = {c: values.loc[numbers[c].isna() & table[c].notna(), c].iloc[0]
           for c in numbers.columns if (numbers[c].isna() & table[c].notna()).any()}
    if bad:
        msg = (f"statistics table {p.name!r} has non-numeric cells in column(s) {sorted(bad)} "
               f"(e.g. {bad}); indicators must be numbers. Fix or remove them.")
        raise SchemaError(msg)
    numbers.index = pd.Index(keys, name=key)
    return numbers


def join_statistics(
    zones: gpd.GeoDataFrame, table: pd.DataFrame, *, on: str
) -> gpd.GeoDataFrame:
    """Join a statistics table to zone boundaries by code or name.

    Parameters
    ----------
    zones : GeoDataFrame
        Zone boundaries with a key column ``on`` (code or name).
    table : DataFrame
        Indexed by the same keys (e.g. from :func:`read_statistics`).
    on : str
        Key column of ``zones``; compared as stripped text.

    Returns
    -------
    GeoDataFrame
        ``zones`` (same index, CRS and row order) with the columns of ``table``
        added. Not modified in place.

    Raises
    ------
    SchemaError
        Missing ``on``, repeated zone keys, a column in both, or any key of one
        side without a match on the other -- every unmatched key is listed.
    """
    if on not in zones.columns:
        msg = f"`zones` has no key column {on!r}; columns: {list(zones.columns)}."
        raise SchemaError(msg)
    keys = zones[on].astype(str).str.strip()
    if keys.duplicated().any():
        msg = f"`zones[{on!r}]` repeats key(s) {sorted(set(keys[keys.duplicated()]))}."
        raise SchemaError(msg)
    tkeys = pd.Index(table.index.astype(str).str.strip())
    only_zones = sorted(set(keys) - set(tkeys))
    only_table = sorted(set(tkeys) - set(keys))
    if only_zones or only_table:
        msg = (
            f"`zones[{on!r}]` and the statistics table do not match: zone key(s) without a row "
            f"in the table: {only_zones}; table key(s) without a zone: {only_table}. Fix the "
            "spelling or codes (e.g. leading zeros, 市/县 suffixes) so every key matches."
        )
        raise SchemaError(msg)
    both = sorted(set(zones.columns) & set(table.columns))
    if both:
        msg = f"columns {both} are in both `zones` and the table; rename one of them."
        raise SchemaError(msg)
    joined = table.set_axis(tkeys).reindex(keys.to_numpy())
    joined.index = zones.index
    return gpd.GeoDataFrame(pd.concat([zones, joined], axis=1), geometry=zones.geometry.name,
                            crs=zones.crs)


def zone_statistics(
    zones: gpd.GeoDataFrame,
    path: str | Path,
    *,
    key: str,
    zones_key: str | None = None,
    sheet: str | int | None = None,
    indicators: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Indicators of a statistics table, one row per zone: read, select, rename and join.

    Parameters
    ----------
    zones : GeoDataFrame
        The analysis zones (e.g. from :func:`cityind_gis.units.prepare_zones`).
    path : str or Path
        CSV (UTF-8 or GBK/GB18030) or Excel file, read by :func:`read_statistics`.
    key : str
        Column of the table holding the zone code or name.
    zones_key : str, optional
        Column of ``zones`` holding the same codes or names; default the
        index of ``zones`` (the zone id, ``[zones] id_column``).
    sheet : str or int, optional
        Excel sheet (default the first).
    indicators : mapping, optional
        Table column -> indicator name on the zones (e.g.
        ``{"地区生产总值(亿元)": "gdp"}``); default every column but ``key``,
        names kept.

    Returns
    -------
    DataFrame
        Aligned on ``zones.index``, one float column per indicator.

    Raises
    ------
    SchemaError
        A named column missing from the table or the zones, an empty cell in
        an indicator (zones listed), or keys that do not match -- every key of
        either side without a partner is listed (:func:`join_statistics`).
    """
    table = read_statistics(path, key=key, sheet=sheet,
                            columns=None if indicators is None else list(indicators))
    name = Path(path).name
    chosen = dict(indicators) if indicators is not None else {c: c for c in table.columns}
    table = table[list(chosen)].rename(columns=chosen)
    empty = {c: list(table.index[table[c].isna()])[:10] for c in table.columns
             if table[c].isna().any()}
    if empty:
        msg = (f"statistics table {name!r} has empty cells: {empty} (column: keys); every zone "
               "needs a value of every indicator. Fill them (e.g. from another yearbook) or "
               "leave the column out of `indicators`.")
        raise SchemaError(msg)
    if zones_key is None:
        keys = pd.Series(zones.index.astype(str), index=zones.index)
        label = f"zone id ({zones.index.name or 'index'})"
    elif zones_key not in zones.columns:
        msg = (f"`zones_key` {zones_key!r} is not a column of the zones; columns: "
               f"{[c for c in zones.columns if c != zones.geometry.name]}, or leave it out to "
               "match the zone ids.")
        raise SchemaError(msg)
    else:
        keys, label = zones[zones_key], zones_key
    frame = gpd.GeoDataFrame({label: keys.to_numpy()}, geometry=zones.geometry.to_numpy(),
                             crs=zones.crs, index=zones.index)
    joined = join_statistics(frame, table, on=label)
    return pd.DataFrame(joined[list(table.columns)]).astype(float)


# ------------------------------------------------------------------------- pipeline


def period_config(config: Config, period: PeriodConfig) -> Config:
    """The run configuration of one period: the period's layers merged over the top level.

    Parameters
    ----------
    config : Config
        The whole panel configuration.
    period : PeriodConfig
        One of ``config.periods``.

    Returns
    -------
    Config
        Without periods; ``osm`` and every layer (and statistics table) the
        period gives replaced, the keys it leaves out taken from the top level.
    """
    changes: dict[str, Any] = {"periods": ()}
    if period.osm is not None:
        changes["osm"] = period.osm
    for name in ("landuse", "pois", "roads", "statistics"):
        given = getattr(period, name)
        if given is not None:
            top = getattr(config, name)
            default = type(top)()
            merged = {f.name: getattr(given, f.name) for f in dataclasses.fields(given)
                      if getattr(given, f.name) != getattr(default, f.name)}
            changes[name] = dataclasses.replace(top, **merged)
    study = dataclasses.replace(config.study, name=f"{config.study.name} ({period.label})")
    return config.replace(study=study, **changes)


def _grid_table(
    grid: gpd.GeoDataFrame, config: Config
) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """Indicator table of a period's grid, and the directions of U1 and U2."""
    from .pipeline import default_indicators

    gap_cats = list(config.gaps.categories)
    d_ind, d_urb = default_indicators(list(grid.columns), gap_cats)
    industry = dict(config.coupling.industry or d_ind)
    urban = dict(config.coupling.urban or d_urb)
    table = pd.DataFrame(grid.drop(columns=grid.geometry.name))[[*industry, *urban]].copy()
    search = config.indicators.search_distance
    for c in [c for c in table.columns if c.startswith("net_dist_")]:
        table[c] = table[c].astype(float).fillna(search).clip(upper=search)
    return table.astype(float), industry, urban


def run_panel(
    config: Config, *, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Run the grid pipeline for every ``[[periods]]`` table, then pool U, C, T, D.

    Parameters
    ----------
    config : Config
        With at least two ``periods`` (see ``docs/panel.md``).
    progress : callable, optional
        Called with one line of text per stage.

    Returns
    -------
    dict
        ``periods`` (label -> the results of :func:`cityind_gis.pipeline.run`
        for that period, its own normalisation), ``panel`` (GeoDataFrame, one
        row per period and cell: pooled ``U1``, ``U2``, ``C``, ``T``, ``D``,
        ``grade_level``, ``grade_en``, ``grade_zh``), ``d_change``
        (GeoDataFrame per cell: D of the first and last period, their change,
        levels and trend), ``weights`` (pooled) and ``parameters``.

    Raises
    ------
    InputError
        Fewer than two periods, or periods whose grids differ (give
        ``[study] boundary`` so every period uses the same cells).
    """
    from .pipeline import run

    if len(config.periods) < 2:
        msg = "a panel run needs at least two `[[periods]]` in the config; see docs/panel.md."
        raise InputError(msg)
    results: dict[str, dict[str, Any]] = {}
    for period in config.periods:
        if progress:
            progress(f"== period {period.label} ==")
        results[period.label] = run(period_config(config, period), progress=progress)
    labels = list(results)
    first = results[labels[0]]["grid"]
    for label in labels[1:]:
        g = results[label]["grid"]
        if len(g) != len(first) or not g.index.equals(first.index) or not (
            g.geometry.geom_equals_exact(first.geometry, tolerance=1e-6).all()
        ):
            msg = (
                f"periods {labels[0]!r} and {label!r} produced different grids ({len(first)} and "
                f"{len(g)} cells): their layers cover different extents. Give `[study] boundary` "
                "so every period is analysed on the same cells."
            )
            raise InputError(msg)
    tables = {}
    for label in labels:
        tables[label], industry, urban = _grid_table(results[label]["grid"], config)
    if progress:
        progress("== pooled normalisation and weights over all periods ==")
    pooled = panel_coupling(
        tables, {"U1": industry, "U2": urban}, weights=config.coupling.weights,
        shift=config.coupling.shift,
        alpha=dict(zip(("U1", "U2"), config.coupling.alpha, strict=True)),
        model=config.coupling.model,
    )
    idx = pooled.indices.copy()
    idx["grade_en"] = coupling.coordination_grade(idx["D"], lang="en")
    idx["grade_zh"] = coupling.coordination_grade(idx["D"], lang="zh")
    unit = idx.index.names[1]
    long = idx.reset_index()
    long["period"] = long["period"].astype(str)
    geometry = first.geometry.reindex(long[unit]).to_numpy()
    panel = gpd.GeoDataFrame(long, geometry=geometry, crs=first.crs)
    change = d_change(pooled.indices, base=labels[0], target=labels[-1])
    change = gpd.GeoDataFrame(change, geometry=first.geometry.reindex(change.index).to_numpy(),
                              crs=first.crs)
    summary = panel.groupby("period", sort=False).agg(
        cells=("D", "size"), mean_U1=("U1", "mean"), mean_U2=("U2", "mean"),
        mean_D=("D", "mean")).reset_index()
    params = {
        "study": config.study.name, "periods": ";".join(labels),
        "normalisation": "pooled min-max over all periods", "weights_method":
        config.coupling.weights, "coupling_model": config.coupling.model,
        "n_cells": len(first), "mean_d_change": round(float(change["d_change"].mean()), 6),
        "n_cells_up": int((change["trend"] == "up").sum()),
        "n_cells_down": int((change["trend"] == "down").sum()),
        "lang": config.study.lang,
    }
    return {"periods": results, "panel": panel, "d_change": change, "weights": pooled.weights,
            "summary": summary, "parameters": params}


def write_panel(
    results: dict[str, Any], out_dir: str | Path, *, output: Any = None
) -> dict[str, Path]:
    """Write a panel run: ``panel.gpkg``, the change maps, CSV tables, ``panel.json``, each period.

    Parameters
    ----------
    results : dict
        Output of :func:`run_panel`.
    out_dir : str or Path
        Folder (created if needed); each period's full outputs go to a subfolder
        named after its label. Every file is written atomically.
    output : cityind_gis.config.OutputConfig, optional
        ``[output]`` of the config (``config.output``): layer formats, web-map
        basemap, Tianditu key and assets location, used by ``panel_map.html``
        and by every period's outputs exactly as by
        :func:`cityind_gis.pipeline.write_outputs`; default GeoPackage only,
        OpenStreetMap, public CDNs. A local ``assets`` folder is copied to
        ``assets/`` beside the map.

    Returns
    -------
    dict of str to Path
        ``gpkg`` (layers ``panel`` and ``d_change``), ``d_change_png``
        (:func:`cityind_gis.maps.static.plot_change`: D of the last period minus
        the first, diverging colours centred on 0, labels in ``[study] lang``),
        ``panel_map_html`` (:func:`cityind_gis.maps.web_panel.panel_web_map`:
        one grade layer per period and the ΔD layer), ``panel_summary``,
        ``panel_weights``, ``d_change_csv``, ``parameters`` and
        ``period_<label>`` folders.
    """
    from .config import OutputConfig
    from .io.writers import write_csv, write_geopackage, write_json
    from .maps.assets import copy_assets, external_assets
    from .maps.static import plot_change
    from .maps.web import save_html
    from .maps.web_panel import panel_web_map
    from .pipeline import write_outputs

    output = output if output is not None else OutputConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = dict(results["parameters"])
    lang = params.get("lang", "en")
    paths: dict[str, Path] = {}
    for label, res in results["periods"].items():
        write_outputs(res, out / f"period_{label}", lang=lang, output=output)
        paths[f"period_{label}"] = out / f"period_{label}"
    paths["gpkg"] = write_geopackage(
        {"panel": results["panel"], "d_change": results["d_change"].reset_index()},
        out / "panel.gpkg", styles=False)
    labels = str(params["periods"]).split(";")
    credits = {str(r["parameters"].iloc[0].get("data_credit", "") or "")
               for r in results["periods"].values()} - {""}
    paths["d_change_png"] = plot_change(
        results["d_change"], out / "d_change.png", periods=(labels[0], labels[-1]),
        lang=lang, attribution="; ".join(sorted(credits)) or None)
    assets = output.assets
    if assets is not None and "://" not in assets:  # a local folder: copy beside the map
        copy_assets(out / "assets", source=assets)
        assets = "assets/"
    m = panel_web_map(results["panel"], unit_column=results["d_change"].index.name,
                      base=labels[0], target=labels[-1], lang=lang, basemap=output.basemap,
                      tianditu_key=output.tianditu_key, assets=assets)
    params["panel_map_html_bytes"] = save_html(m, out / "panel_map.html")
    paths["panel_map_html"] = out / "panel_map.html"
    params["panel_map_external_urls"] = external_assets(out / "panel_map.html")
    log.info("panel_map.html: %.2f MB; fetches from outside: %s",
             params["panel_map_html_bytes"] / 1e6,
             ", ".join(params["panel_map_external_urls"]) or "nothing")
    paths["panel_summary"] = write_csv(results["summary"], out / "panel_summary.csv")
    paths["panel_weights"] = write_csv(results["weights"], out / "panel_weights.csv")
    paths["d_change_csv"] = write_csv(
        pd.DataFrame(results["d_change"].drop(columns="geometry")).reset_index(),
        out / "d_change.csv")
    paths["parameters"] = write_json(params, out / "panel.json")
    return paths
