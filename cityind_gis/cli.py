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
from collections.abc import Sequence
from pathlib import Path

from ._errors import CityindError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cityind",
        description="City-industry integration (产城融合) analysis: indicators, coupling "
        "coordination degree and service gaps of industrial land.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run the pipeline (on the bundled sample when no CONFIG is given)")
    r.add_argument("config", nargs="?", help="TOML config describing your layers (docs/config.md)")
    r.add_argument("--sample", choices=["kouvola", "helsinki"], default=None,
                   help="bundled OSM sample to run on when no CONFIG is given (default kouvola)")
    r.add_argument("--out", help="output folder (default ./cityind-out or [output] dir)")
    r.add_argument("--cell-size", type=float, help="grid cell size in metres (default 250)")
    r.add_argument("--crs", help="analysis CRS, e.g. EPSG:32650 (default: UTM zone of the data)")
    r.add_argument("--lang", choices=["en", "zh"], help="label language of maps and grades")
    r.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    v = sub.add_parser("validate", help="check a config and its layers without running")
    v.add_argument("config", help="TOML config")
    return p


def _config(args: argparse.Namespace):  # noqa: ANN202
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
    if getattr(args, "out", None):
        cfg = cfg.replace(out_dir=Path(args.out))
    return cfg


def _print_summary(results: dict, paths: dict, seconds: float) -> None:
    grid = results["grid"]
    params = results["parameters"].iloc[0]
    summary = results["summary"]
    print()
    print(f"Study: {params['study']}  |  CRS {params['crs']}  |  {int(params['n_cells'])} cells of "
          f"{params['cell_size_m']:g} m")
    print(f"D (coordination): mean {grid['D'].mean():.3f}, min {grid['D'].min():.3f}, "
          f"max {grid['D'].max():.3f};  U1 mean {grid['U1'].mean():.3f}, U2 mean {grid['U2'].mean():.3f}")
    shown = summary[summary["cells"] > 0]
    for _, row in shown.iterrows():
        print(f"  grade {int(row.grade_level):>2} {row.grade_zh} {row.grade_en:<28} "
              f"{int(row.cells):>5} cells ({row.share_pct:5.1f}%)")
    gaps = results["service_gaps"]
    print(f"Industrial cells: {int(params['n_industrial_cells'])}; with service gaps within "
          f"{params['gap_distance_m']:g} m: {len(gaps)}")
    if len(gaps):
        counts = {c.removeprefix("gap_"): int(gaps[c].sum()) for c in gaps.columns
                  if c.startswith("gap_") and c not in ("gap_score", "gap_rank")}
        print("  missing most often: " + ", ".join(f"{k} ({v})" for k, v in
                                                    sorted(counts.items(), key=lambda kv: -kv[1]) if v))
    print("Outputs:")
    for key, p in paths.items():
        print(f"  {key:<22} {p}")
    print(f"Finished in {seconds:.1f} s.")


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
        unusable CRS or geometry), 1 on an unexpected internal error.
    """
    args = _parser().parse_args(argv)
    quiet = getattr(args, "quiet", False)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    t0 = time.perf_counter()

    def progress(line: str) -> None:
        if not quiet:
            print(line, flush=True)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        try:
            cfg = _config(args)
            from . import pipeline

            if args.command == "validate":
                from .validate import validate_config

                ok = validate_config(cfg, progress=print)
                return 0 if ok else 2
            results = pipeline.run(cfg, progress=progress)
            paths = pipeline.write_outputs(results, cfg.out_dir, lang=cfg.study.lang,
                                           title=cfg.study.name)
        except (CityindError, FileNotFoundError, PermissionError, IsADirectoryError) as exc:
            _flush_warnings(caught)
            print(f"cityind: error: {exc}", file=sys.stderr)
            return 2
        _flush_warnings(caught)
    _print_summary(results, paths, time.perf_counter() - t0)
    return 0


def _flush_warnings(caught: list[warnings.WarningMessage]) -> None:
    seen = set()
    for w in caught:
        text = str(w.message)
        if text not in seen:
            seen.add(text)
            print(f"cityind: warning: {text}", file=sys.stderr)
    caught.clear()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
