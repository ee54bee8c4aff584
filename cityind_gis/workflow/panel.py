"""Panel runs: the grid pipeline for every ``[[periods]]`` table, then pooled U, C, T, D.

:func:`run_panel` runs :func:`cityind_gis.workflow.run` once per period and
recomputes U, C, T, D with pooled normalisation
(:func:`cityind_gis.panel.panel_coupling`); :func:`write_panel` writes every
period with the run's writers and the panel's own files with
:data:`PANEL_WRITERS`. Formulas and sources are in ``docs/panel.md``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import coupling
from .._errors import InputError
from ..columns import NET_DIST
from ..config import Config, OutputConfig
from ..indicators.registry import Registry
from ..panel import d_change, panel_coupling
from .outputs import OutputContext, Writer, write_all, write_outputs
from .periods import period_config
from .results import PanelResult, RunResult
from .run import run
from .stages import default_indicators

__all__ = ["run_panel", "write_panel", "PANEL_WRITERS"]

log = logging.getLogger(__name__)


def _grid_table(
    grid: gpd.GeoDataFrame, config: Config
) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """Indicator table of a period's grid, and the directions of U1 and U2."""
    gap_cats = list(config.gaps.categories)
    d_ind, d_urb = default_indicators(list(grid.columns), gap_cats)
    industry = dict(config.coupling.industry or d_ind)
    urban = dict(config.coupling.urban or d_urb)
    table = pd.DataFrame(grid.drop(columns=grid.geometry.name))[[*industry, *urban]].copy()
    search = config.indicators.search_distance
    for c in [c for c in table.columns if c.startswith(f"{NET_DIST}_")]:
        table[c] = table[c].astype(float).fillna(search).clip(upper=search)
    return table.astype(float), industry, urban


def run_panel(
    config: Config, *, progress: Callable[[str], None] | None = None,
    registry: Registry | None = None,
) -> PanelResult:
    """Run the grid pipeline for every ``[[periods]]`` table, then pool U, C, T, D.

    Parameters
    ----------
    config : Config
        With at least two ``periods`` (see ``docs/panel.md``).
    progress : callable, optional
        Called with one line of text per stage.
    registry : Registry, optional
        Indicator registry passed to every period's :func:`~cityind_gis.workflow.run`.

    Returns
    -------
    PanelResult
        ``periods`` (label -> :class:`RunResult`, its own normalisation and
        analysis domain), ``panel`` (one row per period and cell: pooled
        ``U1``, ``U2``, ``C``, ``T``, ``D``, ``grade_level``, ``grade_en``,
        ``grade_zh``, ``analysed``, ``domain_reason``; NaN / None where the cell
        is outside that period's domain), ``d_change`` (per cell: D of the
        first and last period, their change, levels and trend, NaN / None
        unless analysed in both; ``analysed``, ``domain_reason``), ``weights``
        (pooled over the analysed cells), ``summary`` and ``parameters``.

    Raises
    ------
    InputError
        Fewer than two periods, or periods whose grids differ (give
        ``[study] boundary`` so every period uses the same cells).

    Notes
    -----
    Each period's run applies ``[domain]`` to its own layers; the pooled
    min-max range and weights then use only the (period, cell) rows analysed
    in that period (:func:`cityind_gis.panel.panel_coupling` ``analysed``).
    """
    if len(config.periods) < 2:
        msg = "a panel run needs at least two `[[periods]]` in the config; see docs/panel.md."
        raise InputError(msg)
    results: dict[str, RunResult] = {}
    for period in config.periods:
        if progress:
            progress(f"== period {period.label} ==")
        results[period.label] = run(period_config(config, period), progress=progress,
                                    registry=registry)
    labels = list(results)
    first = results[labels[0]].grid
    _check_same_units(results, labels)
    tables = {}
    for label in labels:
        tables[label], industry, urban = _grid_table(results[label].grid, config)
    domain = {label: _period_domain(results[label].grid) for label in labels}
    if progress:
        progress("== pooled normalisation and weights over all periods ==")
    pooled = panel_coupling(
        tables, {"U1": industry, "U2": urban}, weights=config.coupling.weights,
        shift=config.coupling.shift,
        alpha=dict(zip(("U1", "U2"), config.coupling.alpha, strict=True)),
        model=config.coupling.model, analysed={k: v["analysed"] for k, v in domain.items()},
    )
    panel = _panel_layer(pooled.indices, domain, first)
    change = _change_layer(pooled.indices, domain, labels, first)
    summary = panel.groupby("period", sort=False).agg(
        cells=("D", "size"), cells_analysed=("analysed", "sum"), mean_U1=("U1", "mean"),
        mean_U2=("U2", "mean"), mean_D=("D", "mean")).reset_index()
    params = {
        "study": config.study.name, "periods": ";".join(labels),
        "normalisation": "pooled min-max over the analysed units of all periods",
        "weights_method": config.coupling.weights, "coupling_model": config.coupling.model,
        "n_cells": len(first),
        "n_cells_not_analysed": json.dumps(
            {k: int((~v["analysed"]).sum()) for k, v in domain.items()}),
        "n_cells_compared": int(change["analysed"].sum()),
        "mean_d_change": round(float(change["d_change"].mean()), 6),
        "n_cells_up": int((change["trend"] == "up").sum()),
        "n_cells_down": int((change["trend"] == "down").sum()),
        "lang": config.study.lang,
    }
    return PanelResult(periods=results, panel=panel, d_change=change, weights=pooled.weights,
                       summary=summary, parameters=params)


def _period_domain(grid: gpd.GeoDataFrame) -> pd.DataFrame:
    """``analysed`` and ``domain_reason`` of one period's units (all analysed without them)."""
    if "analysed" not in grid.columns:
        return pd.DataFrame({"analysed": True, "domain_reason": None}, index=grid.index)
    flag = grid["analysed"].astype("boolean").fillna(False).astype(bool)
    reason = grid["domain_reason"] if "domain_reason" in grid.columns else None
    return pd.DataFrame({"analysed": flag, "domain_reason": reason}, index=grid.index)


def _panel_layer(indices: pd.DataFrame, domain: dict[str, pd.DataFrame],
                 first: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per period and unit: pooled indices, grades, ``analysed``, ``domain_reason``."""
    idx = indices.copy()
    idx["grade_en"] = coupling.coordination_grade(idx["D"], lang="en")
    idx["grade_zh"] = coupling.coordination_grade(idx["D"], lang="zh")
    reasons = pd.concat({k: v["domain_reason"] for k, v in domain.items()})
    why = np.array(reasons.reindex(idx.index).to_numpy(dtype=object), dtype=object)
    why[pd.isna(why)] = None
    idx["domain_reason"] = pd.Series(why, index=idx.index, dtype=object)
    unit = idx.index.names[1]
    long = idx.reset_index()
    long["period"] = long["period"].astype(str)
    geometry = first.geometry.reindex(long[unit]).to_numpy()
    return gpd.GeoDataFrame(long, geometry=geometry, crs=first.crs)


def _change_layer(indices: pd.DataFrame, domain: dict[str, pd.DataFrame], labels: list[str],
                  first: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """ΔD per unit, NaN unless the unit is analysed in the first and the last period."""
    base, target = labels[0], labels[-1]
    change = d_change(indices, base=base, target=target)
    a, b = domain[base]["analysed"], domain[target]["analysed"]
    both = (a & b).reindex(change.index, fill_value=False)
    texts = []
    for label, flag in ((base, a), (target, b)):
        reason = domain[label]["domain_reason"].reindex(change.index).fillna("outside the domain")
        outside = ~flag.reindex(change.index, fill_value=False)
        texts.append((f"not analysed in {label}: " + reason.astype(str)).where(outside, ""))
    joined = texts[0] + np.where((texts[0] != "") & (texts[1] != ""), "; ", "") + texts[1]
    why = np.array(joined.to_numpy(dtype=object), dtype=object)
    why[joined.to_numpy() == ""] = None
    change["analysed"] = both.to_numpy()
    change["domain_reason"] = pd.Series(why, index=change.index, dtype=object)
    return gpd.GeoDataFrame(change, geometry=first.geometry.reindex(change.index).to_numpy(),
                            crs=first.crs)


def _check_same_units(results: dict[str, RunResult], labels: list[str]) -> None:
    """Every period must have produced the same cells (same index and geometry)."""
    first = results[labels[0]].grid
    for label in labels[1:]:
        g = results[label].grid
        if len(g) != len(first) or not g.index.equals(first.index) or not (
            g.geometry.geom_equals_exact(first.geometry, tolerance=1e-6).all()
        ):
            msg = (
                f"periods {labels[0]!r} and {label!r} produced different grids ({len(first)} and "
                f"{len(g)} cells): their layers cover different extents. Give `[study] boundary` "
                "so every period is analysed on the same cells."
            )
            raise InputError(msg)


def write_periods(ctx: OutputContext) -> dict[str, Path]:
    """Every period's full outputs, in ``period_<label>/``, with the run's writers."""
    r: PanelResult = ctx.result
    paths: dict[str, Path] = {}
    for label, res in r.periods.items():
        write_outputs(res, ctx.out / f"period_{label}", lang=ctx.lang, output=ctx.output)
        paths[f"period_{label}"] = ctx.out / f"period_{label}"
    return paths


def write_panel_layers(ctx: OutputContext) -> dict[str, Path]:
    """``panel.gpkg`` with layers ``panel`` and ``d_change``."""
    from ..io.writers import write_geopackage

    r: PanelResult = ctx.result
    return {"gpkg": write_geopackage({"panel": r.panel, "d_change": r.d_change.reset_index()},
                                     ctx.out / "panel.gpkg", styles=False)}


def _labels(r: PanelResult) -> list[str]:
    return str(r.parameters["periods"]).split(";")


def write_change_map(ctx: OutputContext) -> dict[str, Path]:
    """``d_change.png``: D of the last period minus the first (diverging colours)."""
    from ..maps.static import plot_change

    r: PanelResult = ctx.result
    labels = _labels(r)
    credits = {str(p.params.get("data_credit", "") or "") for p in r.periods.values()} - {""}
    return {"d_change_png": plot_change(
        r.d_change, ctx.out / "d_change.png", periods=(labels[0], labels[-1]), lang=ctx.lang,
        attribution="; ".join(sorted(credits)) or None)}


def write_panel_web_map(ctx: OutputContext) -> dict[str, Path]:
    """``panel_map.html``: one grade layer per period and the ΔD layer."""
    from ..maps.assets import external_assets
    from ..maps.web import save_html
    from ..maps.web_panel import panel_web_map

    r: PanelResult = ctx.result
    labels = _labels(r)
    m = panel_web_map(r.panel, unit_column=r.d_change.index.name, base=labels[0],
                      target=labels[-1], lang=ctx.lang, basemap=ctx.output.basemap,
                      tianditu_key=ctx.output.tianditu_key, assets=ctx.assets())
    path = ctx.out / "panel_map.html"
    size = save_html(m, path)
    log.info("panel_map.html: %.2f MB; fetches from outside: %s", size / 1e6,
             ", ".join(external_assets(path)) or "nothing")
    return {"panel_map_html": path}


def write_panel_tables(ctx: OutputContext) -> dict[str, Path]:
    """``panel_summary.csv``, ``panel_weights.csv`` and ``d_change.csv``."""
    from ..io.writers import write_csv

    r: PanelResult = ctx.result
    return {
        "panel_summary": write_csv(r.summary, ctx.out / "panel_summary.csv"),
        "panel_weights": write_csv(r.weights, ctx.out / "panel_weights.csv"),
        "d_change_csv": write_csv(pd.DataFrame(r.d_change.drop(columns="geometry")).reset_index(),
                                  ctx.out / "d_change.csv"),
    }


def write_panel_json(ctx: OutputContext) -> dict[str, Path]:
    """``panel.json``: the panel's parameters and the web map's size and outside fetches."""
    from ..io.writers import write_json
    from ..maps.assets import external_assets

    params = dict(ctx.result.parameters)
    html = ctx.written.get("panel_map_html")
    if html is not None:
        params["panel_map_html_bytes"] = Path(html).stat().st_size
        params["panel_map_external_urls"] = external_assets(html)
    return {"parameters": write_json(params, ctx.out / "panel.json")}


#: The outputs of a panel run, written in this order.
PANEL_WRITERS: tuple[Writer, ...] = (
    write_periods,
    write_panel_layers,
    write_change_map,
    write_panel_web_map,
    write_panel_tables,
    write_panel_json,
)


def write_panel(
    results: PanelResult, out_dir: str | Path, *, output: OutputConfig | None = None
) -> dict[str, Path]:
    """Write a panel run: ``panel.gpkg``, the change maps, CSV tables, ``panel.json``, each period.

    Parameters
    ----------
    results : PanelResult
        Output of :func:`run_panel`.
    out_dir : str or Path
        Folder (created if needed); each period's full outputs go to a subfolder
        named after its label. Every file is written atomically.
    output : OutputConfig, optional
        ``[output]`` of the config (``config.output``): layer formats, web-map
        basemap, Tianditu key and assets location, used by ``panel_map.html``
        and by every period's outputs exactly as by
        :func:`cityind_gis.workflow.write_outputs`; default GeoPackage only,
        OpenStreetMap, public CDNs. A local ``assets`` folder is copied to
        ``assets/`` beside the map.

    Returns
    -------
    dict of str to Path
        ``gpkg`` (layers ``panel`` and ``d_change``), ``d_change_png``,
        ``panel_map_html``, ``panel_summary``, ``panel_weights``,
        ``d_change_csv``, ``parameters`` and ``period_<label>`` folders.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = OutputContext(result=results, out=out, lang=str(results.parameters.get("lang", "en")),
                        output=output if output is not None else OutputConfig())
    return write_all(PANEL_WRITERS, ctx)
