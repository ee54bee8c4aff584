"""Command line: ``cityind run [CONFIG]`` and ``cityind validate CONFIG``.

A thin layer over :mod:`cityind_gis.pipeline`: it parses arguments, prints
progress and a summary, and turns user errors into a message and exit status 2
(no traceback).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import CityindError

if TYPE_CHECKING:
    from .config import Config
    from .workflow import PanelResult, RunResult

__all__ = ["main"]


def _add_output_flags(p: argparse.ArgumentParser, *, layers: str, maps: str,
                      assets: str) -> None:
    """The `[output]` overrides shared by `run` and `panel`."""
    p.add_argument("--formats", help=f"{layers}, comma-separated: gpkg,parquet,shp,geojson "
                   "(default gpkg or [output] formats)")
    p.add_argument("--basemap", choices=["osm", "none", "amap", "tianditu"],
                   help=f"{maps} (default osm)")
    p.add_argument("--tianditu-key", help="your Tianditu key for --basemap tianditu "
                   "(or set TIANDITU_KEY)")
    p.add_argument("--assets", help=f"base URL or local folder of {assets} JavaScript/CSS "
                   "(see `cityind assets`); default: public CDNs")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cityind",
        description="City-industry integration (产城融合) analysis: indicators, coupling "
        "coordination degree and service gaps of industrial land.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser(
        "run", help="run the pipeline (on the bundled sample when no CONFIG is given)"
    )
    r.add_argument("config", nargs="?", help="TOML config describing your layers (docs/config.md)")
    r.add_argument("--sample", choices=["kouvola", "helsinki"], default=None,
                   help="bundled OSM sample to run on when no CONFIG is given (default kouvola)")
    r.add_argument("--out", help="output folder (default ./cityind-out or [output] dir)")
    r.add_argument("--cell-size", type=float, help="grid cell size in metres (default 250)")
    r.add_argument("--crs", help="analysis CRS, e.g. EPSG:32650 (default: UTM zone of the data)")
    r.add_argument("--lang", choices=["en", "zh"], help="label language of maps and grades")
    r.add_argument("--model", choices=["classic", "corrected"],
                   help="coupling degree C: classic or corrected (Wang Shujia et al. 2021)")
    r.add_argument("--weights", choices=["entropy", "critic", "cv", "equal"],
                   help="indicator weighting method within each subsystem (default entropy)")
    r.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    _add_output_flags(r, layers="layer formats", maps="web-map basemap; amap shifts overlays "
                      "to GCJ-02", assets="the web map's")
    pn = sub.add_parser("panel", help="run every [[periods]] table of CONFIG with pooled "
                        "normalisation and map the change of D (docs/panel.md)")
    pn.add_argument("config", help="TOML config with two or more [[periods]] tables")
    pn.add_argument("--out", help="output folder (default ./cityind-out or [output] dir)")
    pn.add_argument("--model", choices=["classic", "corrected"], help="coupling degree C")
    pn.add_argument("--weights", choices=["entropy", "critic", "cv", "equal"],
                    help="indicator weighting method within each subsystem")
    pn.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    _add_output_flags(pn, layers="layer formats of each period", maps="basemap of "
                      "panel_map.html and the period maps", assets="the web maps'")
    v = sub.add_parser("validate", help="check a config and its layers without running")
    v.add_argument("config", help="TOML config")
    v.add_argument("--report", metavar="FILE", help="also write the report to FILE: UTF-8 text, "
                   "or JSON with one entry per layer when FILE ends in .json")
    a = sub.add_parser("assets", help="copy the web map's JavaScript/CSS into DIR for offline use")
    a.add_argument("dir", help="destination folder")
    a.add_argument("--from", dest="source", help="folder already holding the files "
                   "(default: the copies installed with cityind-gis)")
    return p


def _config(args: argparse.Namespace) -> Config:
    from dataclasses import replace

    from .config import load_config, sample_config

    sample = getattr(args, "sample", None)
    if args.config and sample:
        msg = "give either CONFIG or --sample, not both."
        raise CityindError(msg)
    cfg = load_config(args.config) if args.config else sample_config(sample or "kouvola")
    if getattr(args, "cell_size", None) is not None:
        cfg = cfg.replace(grid=replace(cfg.grid, cell_size=args.cell_size))
    if getattr(args, "crs", None):
        cfg = cfg.replace(study=replace(cfg.study, crs=args.crs))
    if getattr(args, "lang", None):
        cfg = cfg.replace(study=replace(cfg.study, lang=args.lang))
    if getattr(args, "model", None):
        cfg = cfg.replace(coupling=replace(cfg.coupling, model=args.model))
    if getattr(args, "weights", None):
        cfg = cfg.replace(coupling=replace(cfg.coupling, weights=args.weights))
    if getattr(args, "out", None):
        cfg = cfg.replace(out_dir=Path(args.out))
    if args.command in ("run", "panel"):
        import os

        from .config import output_config

        o = cfg.output
        formats = args.formats.split(",") if args.formats else list(o.formats)
        basemap = args.basemap or o.basemap
        key = args.tianditu_key or o.tianditu_key
        if basemap == "tianditu" and not key:
            key = os.environ.get("TIANDITU_KEY") or None
        assets = o.assets
        if args.assets:
            assets = args.assets if "://" in args.assets else str(Path(args.assets).resolve())
        cfg = cfg.replace(output=output_config(
            formats=[f.strip() for f in formats if f.strip()], basemap=basemap,
            tianditu_key=key, assets=assets, report=o.report))
    return cfg


def _print_gaps(results: RunResult, params: Any) -> None:
    """The gap lines: cells and industrial units with gaps, by category, absent categories."""
    gaps, ind = results.service_gaps, results.industrial_service_gaps
    basis = params.get("gap_basis") or f"{params.get('gap_distance_m', 0):g} m"
    print(f"Service gaps graded by {basis}:")
    print(f"  industrial cells: {int(params['n_industrial_cells'])}, with gaps: {len(gaps)}")
    noun = "parcels" if params.get("gap_units") == "parcels" else "cells"
    n_ind, n_gap = len(ind), int(params.get("n_industrial_units_with_gaps", 0))
    share = f" ({100 * n_gap / n_ind:.0f} %)" if n_ind else ""
    print(f"  industrial {noun}: {n_ind}, with gaps: {n_gap}{share}, ranked in "
          "industrial_gap_table.csv")
    counts = {c.removeprefix("gap_"): int(ind[c].sum()) for c in ind.columns
              if c.startswith("gap_") and ind[c].dtype == bool}
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if any(v for _, v in ranked):
        print(f"  {noun} lacking, most often: "
              + ", ".join(f"{k} ({v})" for k, v in ranked if v))
    absent = params.get("gap_absent_categories") or ""
    if absent:
        counted = "counted" if params.get("gap_count_absent") else "not counted"
        print(f"  absent from the data (no facility at all; {counted}): "
              f"{absent.replace(';', ', ')}")


def _print_domain(results: RunResult) -> None:
    """How many units the coupling model analysed, and why the others were left out."""
    import json

    params = results.params
    total = int(params["n_cells"])
    n = int(params.get("n_units_analysed", total) or 0)
    rule = params.get("domain_rule", "all")
    if n == total:
        print(f"Analysis domain (rule {rule!r}): all {total} units analysed")
        return
    why = json.loads(params.get("domain_left_out") or "{}")
    print(f"Analysis domain (rule {rule!r}): {n} of {total} units analysed; {total - n} not "
          "analysed (no D, grade or type; grey on the maps): "
          + ", ".join(f"{c} {r}" for r, c in why.items()))


def _print_story(results: RunResult) -> None:
    """Typology counts, indicator counts (loud when few), correlation of D with U1 / U2."""
    from .typology import breadth_caution

    grid, params = results.grid, results.params
    if "typology_en" in grid:
        counts = grid["typology_en"].value_counts()
        print("City-industry types: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    n1, n2 = params.get("n_indicators_U1"), params.get("n_indicators_U2")
    if n1 is not None and n2 is not None:
        print(f"Indicators in the indices: U1 {int(n1)}, U2 {int(n2)}")
        for sub, name, k in (("U1", "U1 (industry)", n1), ("U2", "U2 (urban function)", n2)):
            text = breadth_caution(sub, int(k), label=name)
            if text:
                print(f"  !!! FEW INDICATORS: {text.removeprefix('few indicators: ')}")
    r = {k: params.get(f"corr_D_{k}_spearman") for k in ("U1", "U2")}
    if all(v is not None and v == v for v in r.values()):
        print(f"Correlation of D with U1: rho {r['U1']:+.2f}, with U2: rho {r['U2']:+.2f} "
              "(Spearman, analysed units)")
    if params.get("d_tracks_caution"):
        print(f"  !!! {params['d_tracks_caution']}")  # D tracks one subsystem


def _print_summary(results: RunResult, paths: dict[str, Path], seconds: float) -> None:
    grid = results.grid
    params = results.parameters.iloc[0]
    summary = results.summary
    print()
    units = params.get("units", f"cells of {params['cell_size_m']:g} m")
    print(f"Study: {params['study']}  |  CRS {params['crs']}  |  {int(params['n_cells'])} {units}")
    _print_domain(results)
    print(f"D (coordination) over the analysed units: mean {grid['D'].mean():.3f}, min "
          f"{grid['D'].min():.3f}, max {grid['D'].max():.3f};  U1 mean {grid['U1'].mean():.3f}, "
          f"U2 mean {grid['U2'].mean():.3f}")
    _print_story(results)
    if "moran_i" in params.index:
        print(f"Moran's I of D over the analysed units: {params['moran_i']:.3f} "
              f"(pseudo p = {params['moran_p_sim']:.3g}, "
              f"{int(params['moran_permutations'])} permutations, {params['moran_weights']} "
              f"weights); LISA clusters: " + ", ".join(
                  f"{k} {v}" for k, v in grid["lisa_cluster"].value_counts().items() if k != "ns"))
    shown = summary[summary["cells"] > 0]
    for _, row in shown.iterrows():
        print(f"  grade {int(row.grade_level):>2} {row.grade_zh} {row.grade_en:<28} "
              f"{int(row.cells):>5} cells ({row.share_pct:5.1f}%)")
    dom = results.domain
    for row in (dom[dom["reason"] != "analysed"].itertuples() if len(dom) else ()):
        print(f"  not analysed: {row.reason:<35} {int(row.n_units):>5} cells "
              f"({100 * row.share:5.1f}%)")
    _print_gaps(results, params)
    n_buildings = int(params.get("n_buildings", 0) or 0)
    if n_buildings:
        ratio = grid["industrial_plot_ratio"] if "industrial_plot_ratio" in grid else None
        land = grid["landuse_area_industrial"] if "landuse_area_industrial" in grid else None
        overall = ""
        if ratio is not None and land is not None and float(land.sum()) > 0:
            overall = (f"; plot ratio of industrial land "
                       f"{float((ratio * land).sum() / land.sum()):.2f}")
        print(f"Buildings: {n_buildings:,}, of which industrial "
              f"{int(params.get('n_industrial_buildings', 0)):,}{overall}")
    if "lc_score" in grid:
        print(f"Life circles (5/10/15 min): mean coverage {grid['lc_score'].mean():.2f}; "
              f"units with a complete 15-minute circle: {int(grid['lc15_complete'].sum())}")
    print("Outputs:")
    for key, p in paths.items():
        size = Path(p).stat().st_size if Path(p).is_file() else 0
        print(f"  {key:<22} {p}  ({size / 1e6:.2f} MB)" if size >= 1e5 else f"  {key:<22} {p}")
    print(f"Finished in {seconds:.1f} s.")


class _Stopped(BaseException):
    """SIGTERM (or SIGHUP) received: unwinds like Ctrl-C, so staging and lock are cleaned up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _NoticeFormatter(logging.Formatter):
    """Log records printed as ``cityind: warning: ...`` (or ``error``), like every notice."""

    def format(self, record: logging.LogRecord) -> str:
        level = "warning" if record.levelno < logging.ERROR else "error"
        return f"cityind: {level}: {record.getMessage()}"


def _setup_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_NoticeFormatter())
        root.addHandler(handler)
        root.setLevel(logging.WARNING)


def _on_signal(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cityind`` console script.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on a user error (bad config, missing file or column,
        unusable CRS or geometry, an output folder that cannot be written or is
        in use by another run), 130 when interrupted with Ctrl-C and 128 + N
        when stopped by signal N (SIGTERM: 143), 1 on an unexpected internal
        error. An interrupted or failed run leaves the previous outputs whole
        (``docs/outputs.md``, "Output safety").
    """
    args = _parser().parse_args(argv)
    _setup_logging()
    state = {"committed": False, "out": ""}
    handlers: dict[int, object] = {}
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                handlers[getattr(signal, name)] = signal.signal(getattr(signal, name),
                                                                _on_signal)
    try:
        return _main(args, state)
    except (KeyboardInterrupt, _Stopped) as exc:
        code = 130 if isinstance(exc, KeyboardInterrupt) else 128 + exc.signum
        what = "interrupted (Ctrl-C)" if code == 130 else f"stopped by signal {code - 128}"
        where = f" in {state['out']}" if state["out"] else ""
        done = ("the new outputs had been written" if state["committed"] else
                f"no output{where} was replaced")
        print(f"cityind: error: {what}; {done}.", file=sys.stderr)
        return code
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def _main(args: argparse.Namespace, state: dict[str, Any]) -> int:
    """The commands, with every user error turned into a message and exit status 2."""
    quiet = getattr(args, "quiet", False)
    t0 = time.perf_counter()

    def progress(line: str) -> None:
        if not quiet:
            print(line, flush=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        # printed when raised (a notice on a huge layer comes before the slow stage), once each
        warnings.showwarning = _notice_printer()
        try:
            if args.command == "assets":
                from .maps.assets import copy_assets

                files = copy_assets(args.dir, source=args.source)
                print(f"Copied {len(files)} files to {args.dir}; use it with "
                      f"`--assets {args.dir}` or `[output] assets = \"{args.dir}\"`.")
                return 0
            if args.command == "validate":
                return _validate(args)
            cfg = _config(args)
            from .io._atomic import check_not_inputs, check_output_dir, input_paths, output_lock
            from .workflow import run, run_panel, write_outputs, write_panel
            from .workflow.outputs import planned_outputs

            out = check_output_dir(cfg.out_dir)
            protect = input_paths(cfg)
            check_not_inputs(planned_outputs(out, cfg.output.formats), protect)
            state["out"] = str(out)
            with output_lock(out):
                if args.command == "panel" or cfg.periods:
                    panel_results = run_panel(cfg, progress=progress)
                    panel_paths = write_panel(panel_results, out, output=cfg.output)
                    state["committed"] = True
                else:
                    results = run(cfg, progress=progress)
                    paths = write_outputs(results, out, lang=cfg.study.lang,
                                          title=cfg.study.name, output=cfg.output,
                                          protect=protect)
                    state["committed"] = True
        except (CityindError, OSError) as exc:
            print(f"cityind: error: {exc}", file=sys.stderr)
            return 2
        if args.command == "panel" or cfg.periods:
            _print_panel_summary(panel_results, panel_paths, time.perf_counter() - t0)
        else:
            _print_summary(results, paths, time.perf_counter() - t0)
    return 0


def _validate(args: argparse.Namespace) -> int:
    """`cityind validate CONFIG [--report FILE]`: 0 when valid, 2 when not."""
    from .workflow._preflight_report import ValidationReport
    from .workflow.preflight import validation_report, write_validation_report

    try:
        cfg = _config(args)
    except (CityindError, FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        if args.report:  # the config itself is the problem: say so in the report too
            write_validation_report(ValidationReport.from_error(exc, source=args.config),
                                    args.report)
        raise
    report = validation_report(cfg, progress=print, source=args.config)
    if args.report:  # written only once validation has finished, atomically
        path = write_validation_report(report, args.report)
        print(f"report written to {path}")
    return 0 if report.ok else 2


def _print_panel_summary(results: PanelResult, paths: dict[str, Path],
                         seconds: float) -> None:
    params = results.parameters
    print()
    print(f"Panel: {params['study']}  |  periods {params['periods'].replace(';', ', ')}  |  "
          f"{params['n_cells']} cells, pooled normalisation")
    for _, row in results.summary.iterrows():
        left = int(row.cells) - int(getattr(row, "cells_analysed", row.cells))
        outside = f"; {left} not analysed (outside that period's domain)" if left else ""
        print(f"  {row.period}: mean U1 {row.mean_U1:.3f}, U2 {row.mean_U2:.3f}, "
              f"D {row.mean_D:.3f}{outside}")
    compared = params.get("n_cells_compared", params["n_cells"])
    print(f"Change of D over the {compared} cells analysed in both periods: mean "
          f"{params['mean_d_change']:+.3f}; grade up in {params['n_cells_up']} cells, down in "
          f"{params['n_cells_down']}")
    print("Outputs:")
    for key, p in paths.items():
        print(f"  {key:<22} {p}")
    print(f"Finished in {seconds:.1f} s.")


def _notice_printer() -> Callable[..., None]:
    """A ``warnings.showwarning`` printing ``cityind: warning: <message>`` once per message."""
    seen: set[str] = set()

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: object = None, line: str | None = None) -> None:
        text = str(message)
        if text not in seen:
            seen.add(text)
            print(f"cityind: warning: {text}", file=sys.stderr, flush=True)

    return show


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
