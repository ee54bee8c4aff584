"""Writing a run's outputs: one list of writer functions.

Each writer takes an :class:`OutputContext` (the result, the folder, the
language, ``[output]``, and the paths written so far) and returns the paths it
wrote. :func:`write_outputs` calls :data:`WRITERS` in order; the panel writer
(:func:`cityind_gis.workflow.write_panel`) writes every period with the same
list and its own files with :data:`~cityind_gis.workflow.panel.PANEL_WRITERS`
through the same :func:`write_all`. A new output is one writer function added
to the list (``docs/architecture.md``). The files of a run are staged and committed
together (:func:`write_all`, ``docs/outputs.md`` "Output safety").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..config import OutputConfig
from ..io.writers import write_csv, write_json
from .results import RunResult

__all__ = ["OutputContext", "Writer", "WRITERS", "planned_outputs", "write_all", "write_outputs"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutputContext:
    """What a writer needs: the result, where to write, how, and what is written already.

    Attributes
    ----------
    result : RunResult or PanelResult
        The run (or panel run) being written.
    out : Path
        Output folder (exists).
    lang : {"en", "zh"}
        Language of labels.
    title : str
        Map title ("" for none).
    output : OutputConfig
        ``[output]``: formats, basemap, Tianditu key, assets, report.
    written : dict of str to Path
        Paths written by the earlier writers (filled by :func:`write_all`).
    """

    result: Any
    out: Path
    lang: str = "en"
    title: str = ""
    output: OutputConfig = field(default_factory=OutputConfig)
    written: dict[str, Path] = field(default_factory=dict)

    def assets(self) -> str | None:
        """Asset location for the web maps: a local folder is copied to ``assets/`` once."""
        from ..maps.assets import copy_assets

        assets = self.output.assets
        if assets is not None and "://" not in assets:  # a local folder: copy beside the map
            if not (self.out / "assets").is_dir():
                copy_assets(self.out / "assets", source=assets)
            return "assets/"
        return assets


#: A writer: context -> paths written (key -> path).
Writer = Callable[[OutputContext], dict[str, Path]]


def write_all(
    writers: Sequence[Writer], ctx: OutputContext, *,
    protect: Iterable[str | Path] = (),
) -> dict[str, Path]:
    """Call each writer in order into a staging folder, then commit every file at once.

    Parameters
    ----------
    writers : sequence of Writer
        Writer functions.
    ctx : OutputContext
        Shared context; ``ctx.out`` is the final folder. The writers see a copy
        whose ``out`` is the staging folder ``ctx.out/.cityind-staging-*``.
    protect : iterable of path-like, default ()
        Files no output may replace: the inputs of the run
        (:func:`cityind_gis.io._atomic.input_paths` of the config).

    Returns
    -------
    dict of str to Path
        Every path written, by key, in its final place (also left in
        ``ctx.written``).

    Raises
    ------
    InputError
        If an output would replace a file of ``protect``, or ``ctx.out`` is a file.
    OutputError
        If the folder cannot be written (read-only, no space, not a folder, no
        permission). In every failure, and on Ctrl-C, the previous outputs are
        left exactly as they were and the staging folder is removed.

    Notes
    -----
    Nothing is replaced until every writer has finished; then
    :func:`~cityind_gis.io._atomic.commit_staging` renames the staged files
    over their final names, each atomically, with Ctrl-C held back
    (``docs/outputs.md``, "Output safety").
    """
    from ..io._atomic import staged_dir

    with staged_dir(ctx.out, protect=protect) as stage:
        staged = replace(ctx, out=stage, written={})
        for writer in writers:
            staged.written.update(writer(staged))
    ctx.written.update({k: _unstage(p, stage, ctx.out) for k, p in staged.written.items()})
    return ctx.written


def _unstage(path: Path, stage: Path, out: Path) -> Path:
    """The final path of a staged one (paths outside the staging folder are kept)."""
    try:
        return out / Path(path).relative_to(stage)
    except ValueError:
        return Path(path)


def planned_outputs(out_dir: str | Path, formats: Iterable[str] = ("gpkg",)) -> list[Path]:
    """Files a run will (or may) write whatever its data: checked against its inputs early.

    Parameters
    ----------
    out_dir : str or Path
        Output folder.
    formats : iterable of str, default ("gpkg",)
        ``[output] formats``.

    Returns
    -------
    list of Path
        ``cityind.gpkg``, the maps, ``run.json``, ``report.html``, every
        ``{table}.csv`` and every ``{layer}.{format}`` export. The exact set is
        checked again, file by file, before the commit.
    """
    from ..io.writers import EXPORT_FORMATS

    out = Path(out_dir)
    names = ["cityind.gpkg", "map.html", "map.png", "run.json", "report.html",
             "weight_sensitivity.csv", *(f"{t}.csv" for t in RunResult.TABLES)]
    layers = (*RunResult.LAYERS, "buildings")
    for fmt in formats:
        if fmt != "gpkg" and fmt in EXPORT_FORMATS:
            names += [f"{layer}{EXPORT_FORMATS[fmt]}" for layer in layers]
            if fmt == "shp":
                names += [f"{layer}{s}" for layer in layers
                          for s in (".shx", ".dbf", ".prj", ".cpg", ".qml")]
    return [out / n for n in names]


def _credit(result: RunResult) -> str | None:
    return str(result.params.get("data_credit", "") or "") or None


def write_layer_files(ctx: OutputContext) -> dict[str, Path]:
    """``cityind.gpkg`` (styled) and the exports of ``[output] formats``."""
    from ..io.writers import write_layers

    return write_layers(ctx.result.layers(), ctx.out, formats=ctx.output.formats, lang=ctx.lang)


def write_web_map(ctx: OutputContext) -> dict[str, Path]:
    """``map.html``: grades, D, U1, U2, LISA, gap cells and POIs (folium)."""
    from ..maps.assets import external_assets
    from ..maps.web import save_html, web_map

    r: RunResult = ctx.result
    m = web_map(r.grid, gaps=r.service_gaps, pois=r.pois[r.pois["status"] == "analysed"],
                lang=ctx.lang, basemap=ctx.output.basemap,
                tianditu_key=ctx.output.tianditu_key, assets=ctx.assets())
    path = ctx.out / "map.html"
    size = save_html(m, path)
    log.info("map.html: %.2f MB; fetches from outside: %s", size / 1e6,
             ", ".join(external_assets(path)) or "nothing")
    return {"map_html": path}


def write_print_maps(ctx: OutputContext) -> dict[str, Path]:
    """``map.png`` and ``maps/{kind}.png|.pdf`` for every print-map kind."""
    from ..maps.static import MAP_KINDS, plot_coordination, plot_map

    r: RunResult = ctx.result
    credit = _credit(r)
    paths = {"map_png": plot_coordination(r.grid, ctx.out / "map.png", gaps=r.service_gaps,
                                          lang=ctx.lang, title=ctx.title or None,
                                          attribution=credit)}
    for kind in MAP_KINDS:  # print maps of every kind, PNG and vector PDF, in maps/
        for suffix in (".png", ".pdf"):
            paths[f"map_{kind}{suffix.replace('.', '_')}"] = plot_map(
                r.grid, ctx.out / "maps" / f"{kind}{suffix}", kind=kind, gaps=r.service_gaps,
                lang=ctx.lang, attribution=credit)
    return paths


def write_rasters(ctx: OutputContext) -> dict[str, Path]:
    """``kde_{category}.tif`` of ``[indicators] kernel_density``."""
    from ..io.raster import write_geotiff

    return {name: write_geotiff(r.array, ctx.out / f"{name}.tif", transform=r.transform,
                                crs=r.crs)
            for name, r in ctx.result.rasters.items()}


def write_tables(ctx: OutputContext) -> dict[str, Path]:
    """``summary.csv``, ``weights.csv``, ``obstacles.csv``, ... (UTF-8 with BOM)."""
    return {name: write_csv(table, ctx.out / f"{name}.csv")
            for name, table in ctx.result.tables().items()}


def write_gap_summary(ctx: OutputContext) -> dict[str, Path]:
    """``industrial_gap_summary.csv``: industrial units per severity grade and category."""
    import json

    from ..gaps import gap_summary

    r: RunResult = ctx.result
    gaps = getattr(r, "industrial_service_gaps", None)
    params = r.params
    cats = [c for c in str(params.get("gap_categories", "") or "").split(";") if c]
    if gaps is None or not cats or f"gap_severity_{cats[0]}" not in gaps.columns:
        return {}
    thresholds = json.loads(params.get("gap_thresholds_m") or "{}")
    table = gap_summary(gaps, categories=cats, thresholds=thresholds)
    return {"industrial_gap_summary": write_csv(table, ctx.out / "industrial_gap_summary.csv")}


def write_weight_sensitivity(ctx: OutputContext) -> dict[str, Path]:
    """``weight_sensitivity.csv``: D, grade and typology under entropy, CRITIC and equal weights."""
    table = getattr(ctx.result, "weight_sensitivity", None)
    if table is None or table.empty:
        return {}
    return {"weight_sensitivity": write_csv(table, ctx.out / "weight_sensitivity.csv")}


def write_run_json(ctx: OutputContext) -> dict[str, Path]:
    """``run.json``: parameters, counts, timings, and the web map's size and outside fetches."""
    from ..maps.assets import external_assets

    params = ctx.result.params
    html = ctx.written.get("map_html")
    if html is not None:
        params["map_html_bytes"] = Path(html).stat().st_size
        params["map_external_urls"] = external_assets(html)
    return {"parameters": write_json(params, ctx.out / "run.json")}


def write_report_html(ctx: OutputContext) -> dict[str, Path]:
    """``report.html`` with the print maps embedded (``[output] report``)."""
    if not ctx.output.report:
        return {}
    from ..maps.report import write_report
    from ..maps.static import MAP_KINDS

    images = {"grades": ctx.written["map_png"]} if "map_png" in ctx.written else {}
    images.update({k: ctx.out / "maps" / f"{k}.png" for k in MAP_KINDS
                   if f"map_{k}_png" in ctx.written})
    r: RunResult = ctx.result
    # maps/ knows no RunResult: it takes the tables by name; the summary as in summary.csv
    # (with the rows of the units not analysed)
    tables = {**r.as_dict(), "summary": r.tables()["summary"]}
    return {"report": write_report(tables, ctx.out / "report.html", lang=ctx.lang,
                                   images=images, title=ctx.title or None)}


#: The outputs of a run, written in this order.
WRITERS: tuple[Writer, ...] = (
    write_layer_files,
    write_web_map,
    write_print_maps,
    write_rasters,
    write_tables,
    write_gap_summary,
    write_weight_sensitivity,
    write_run_json,
    write_report_html,
)


def write_outputs(
    results: RunResult, out_dir: str | Path, *, lang: str = "en", title: str = "",
    output: OutputConfig | None = None, writers: Sequence[Writer] = WRITERS,
    protect: Iterable[str | Path] = (),
) -> dict[str, Path]:
    """Write a run's results: GeoPackage, web map, print maps, CSV tables, run.json, report.

    Parameters
    ----------
    results : RunResult
        Output of :func:`cityind_gis.workflow.run`.
    out_dir : str or Path
        Folder to write into (created if needed). Every file is first written
        into a staging folder inside it; the whole set replaces the previous
        outputs only once every file is complete (:func:`write_all`).
    lang : {"en", "zh"}, default "en"
        Language of map labels.
    title : str, optional
        Map title.
    output : OutputConfig, optional
        Layer formats, web-map basemap, Tianditu key and assets location
        (``[output]`` in the config); default: GeoPackage only, OpenStreetMap,
        public CDNs.
    writers : sequence of Writer, default WRITERS
        The writer functions to call (add your own to write another output).
    protect : iterable of path-like, default ()
        Files no output may replace, e.g.
        ``cityind_gis.io._atomic.input_paths(config)``.

    Returns
    -------
    dict of str to Path
        ``gpkg``, ``map_html``, ``map_png``, ``summary``, ``weights``, ``obstacles``,
        ``classification_report``, ``parameters``, ``report``, and
        ``{format}:{layer}`` for each export of ``output.formats``.

    Raises
    ------
    InputError
        If ``out_dir`` is an existing file, or an output would replace a file
        of ``protect``.
    OutputError
        If the folder cannot be written; the previous outputs are left intact.
    """
    from ..io._atomic import check_output_dir

    out = check_output_dir(out_dir, name="out_dir")
    ctx = OutputContext(result=results, out=out, lang=lang, title=title,
                        output=output if output is not None else OutputConfig())
    return write_all(writers, ctx, protect=protect)
