"""The config sections: frozen dataclasses that check their own keys.

Each field declares its default and its check together (``option(default,
check=...)``); see :mod:`._section` for how ``__post_init__`` and ``from_toml``
use them, and ``docs/config.md`` for every key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import KW_ONLY, InitVar, dataclass, field
from pathlib import Path
from typing import Any

from .._errors import InputError
from ..network.graph import WALK_EXCLUDED_CLASSES
from . import _checks as c
from ._section import Section, option, raise_problems, unknown_keys

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
    "COUPLING_CHOICES",
    "GRID_KINDS",
    "POI_ONLY_KEYS",
    "POI_SOURCE_KEYS",
]

#: Kinds of grid (``[grid] kind``).
GRID_KINDS = ("square", "hex", "h3")
#: Allowed values of the `[coupling]` keys chosen by name (also the CLI choices).
COUPLING_CHOICES: dict[str, tuple[str, ...]] = {
    "model": ("classic", "corrected"),
    "weights": ("entropy", "critic", "cv", "equal"),
}
#: Keys of LayerConfig that only `[pois]` takes.
POI_ONLY_KEYS = ("industry_column", "industry_digits", "bad_rows")
#: Keys of LayerConfig that only a `[[pois]]` table (one of several POI sources) takes.
POI_SOURCE_KEYS = ("name",)
#: Network parts features may join (``[accessibility] component``), as
#: :data:`cityind_gis.network.COMPONENT_CHOICES` (not imported: config loads no network code).
COMPONENTS: tuple[str, ...] = ("largest", "any")
#: Basemaps of the web map (``[output] basemap``); see ``docs/outputs.md``.
BASEMAPS: tuple[str, ...] = ("osm", "none", "amap", "tianditu")



def _path() -> Any:
    """A file path key: any non-empty path; resolved against the config folder when read."""
    return option(None, check=c.file_path(), toml=c.resolve_path)


def _mapping() -> Any:
    """A ``mapping`` key: bundled names kept, CSV files resolved against the config folder."""
    return option(None, check=c.mapping, toml=c.resolve_mapping)

_COLUMN = c.non_empty()  # a column, layer, CRS or encoding name (stripped)


def _int_at_least(low: int) -> Any:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= low


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _road_classes(value: Any, where: str) -> tuple[str, ...]:
    """`[roads] exclude_classes`: a list of road-class names (``[]``: keep every road)."""
    ok = (isinstance(value, list | tuple)
          and all(isinstance(v, str) and v.strip() for v in value))
    if not ok:
        c._fail(f"`{where}` must be a list of road-class names (OSM highway values or "
                f"Chinese classes), got {value!r}; e.g. exclude_classes = [\"motorway\", "
                f"\"高速公路\"], or [] to keep every road.")
    return tuple(dict.fromkeys(v.strip() for v in value))


@dataclass(frozen=True)
class StudyConfig(Section):
    """Study-wide settings (``[study]``)."""

    _table = "study"
    name: str = "cityind study"
    crs: str | None = None
    boundary: Path | None = _path()
    boundary_layer: str | None = None
    boundary_crs: str | None = None
    lang: str = option("en", check=c.lang)


@dataclass(frozen=True)
class GridConfig(Section):
    """Grid settings (``[grid]``)."""

    _table = "grid"
    cell_size: float = option(250.0, check=c.positive(example=250))
    kind: str = option("square", check=c.choice(GRID_KINDS))
    h3_resolution: int = option(9, check=c.expect(
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 15,
        "an integer 0-15 (9 ≈ 0.1 km² cells)"))


@dataclass(frozen=True)
class ZonesConfig(Section):
    """User zones used as units instead of a grid (``[zones]``)."""

    _table = "zones"
    path: Path | None = _path()
    layer: str | None = option(None, check=c.non_empty(strip=False))
    id_column: str | None = option(None, check=c.non_empty(strip=False))
    crs: str | None = option(None, check=c.non_empty(strip=False))


@dataclass(frozen=True)
class StatisticsConfig(Section):
    """A statistics table joined to the zones (``[statistics]``); see ``docs/panel.md``.

    ``indicators`` maps each table column used to its name on the zones
    (None: every column except ``key``, names kept).
    """

    _table = "statistics"
    path: Path | None = option(None, check=c.file_path("a CSV or Excel file"), toml=c.resolve_path)
    key: str | None = option(None, check=c.non_empty(what="column name", tail='; e.g. "区县代码"'))
    zones_key: str | None = option(None, check=c.non_empty(what="column name",
                                                        tail='; e.g. "XZQDM"'))
    sheet: str | int | None = option(None, check=c.expect(
        lambda v: not isinstance(v, bool) and isinstance(v, str | int) and v != "",
        "a sheet name or a 0-based number"))
    indicators: dict[str, str] | None = option(None, check=c.column_map)


def _is_pois(table: str) -> bool:
    """`[pois]`, or one `[[pois]]` table (``"pois#2"``, the name :mod:`.load` gives it)."""
    return table == "pois" or table.startswith("pois#")


@dataclass(frozen=True)
class LayerConfig(Section):
    """One input layer (``[landuse]``, ``[pois]``, a ``[[pois]]`` table): file, layer, CRS, columns.

    ``section`` (keyword-only, not a field) names the TOML section in messages;
    ``industry_column`` and ``industry_digits`` are only read from ``[pois]``;
    ``name`` (the POI source's name, written to the ``source`` column of the
    merged POIs) only from a ``[[pois]]`` table.
    """

    path: Path | None = _path()
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    class_column: str | None = None
    mapping: str | tuple[str, ...] | None = _mapping()
    x: str | None = None
    y: str | None = None
    sheet: str | None = None
    coords: str = option("wgs84", check=c.coords)
    industry_column: str | None = option(None, check=_COLUMN)
    industry_digits: int | None = option(None, check=c.expect(
        _int_at_least(1), "a whole number >= 1, the leading characters of the industry code to "
        "keep (2 keeps the GB/T 4754 division of \"1310\": \"13\")"))
    name: str | None = option(None, check=_COLUMN)
    bad_rows: str = option("error", check=c.choice(("error", "skip")))
    _: KW_ONLY
    section: InitVar[str] = "landuse"

    def __post_init__(self, section: str) -> None:
        self._validate(section)

    @classmethod
    def _toml_keys(cls, name: str) -> list[str]:
        return [k for k in super()._toml_keys(name)
                if (_is_pois(name) or k not in POI_ONLY_KEYS)
                and (name.startswith("pois#") or k not in POI_SOURCE_KEYS)]

    @classmethod
    def _key_problems(cls, name: str, data: dict[str, Any]) -> list[str]:
        known = cls._toml_keys(name)
        unknown = sorted(set(data) - set(known))
        misplaced = [k for k in unknown if k in POI_ONLY_KEYS]
        sources = [k for k in unknown if k in POI_SOURCE_KEYS]
        rest = [k for k in unknown if k not in POI_ONLY_KEYS + POI_SOURCE_KEYS]
        out = []
        if misplaced:
            out.append(f"config section `[{name}]` has key(s) {misplaced}, which belong in "
                       "`[pois]`: the industry subtype is read from the enterprise POIs (see "
                       "docs/inputs/pois.md).")
        if sources:
            out.append(f"config section `[{name}]` has key(s) {sources}, which name one of "
                       "several POI sources: write each source as a `[[pois]]` table with its "
                       "own `name` (see docs/config.md, `[[pois]]`).")
        if rest:
            out.append(unknown_keys(f"config section `[{name}]`", rest, known))
        return out

    @classmethod
    def _init_args(cls, name: str) -> dict[str, Any]:
        return {"section": name}

    @property
    def source_name(self) -> str:
        """Name of this POI source: ``name``, else the file's stem, else ``"osm"``."""
        if self.name is not None:
            return self.name
        if self.path is None:
            return "osm"
        stem = Path(self.path).name
        for suffix in reversed(Path(self.path).suffixes):
            stem = stem[: -len(suffix)] if stem.endswith(suffix) else stem
        return stem or Path(self.path).name


@dataclass(frozen=True)
class BuildingsConfig(Section):
    """Building outlines (``[buildings]``); see ``docs/inputs/buildings.md``.

    Without a ``path`` the buildings of ``[osm]`` are read (``building=*``, with
    ``building:levels`` and ``height``); ``enabled = false`` skips buildings.
    """

    _table = "buildings"
    enabled: bool = option(True, check=c.boolean())
    path: Path | None = _path()
    layer: str | None = option(None, check=_COLUMN)
    crs: str | None = option(None, check=_COLUMN)
    encoding: str | None = option(None, check=_COLUMN)
    coords: str = option("wgs84", check=c.coords)
    class_column: str | None = option(None, check=_COLUMN)
    mapping: str | tuple[str, ...] | None = _mapping()
    levels_column: str | None = option(None, check=_COLUMN)
    height_column: str | None = option(None, check=_COLUMN)
    floor_height: float = option(3.0, check=c.positive(unit="metres per storey", example=3))
    default_levels: float = option(1.0, check=c.positive(unit="storeys", example=1))


@dataclass(frozen=True)
class RoadsConfig(Section):
    """Walking network (``[roads]``): road centre lines or an OSM/GraphML file."""

    _table = "roads"
    path: Path | None = _path()
    layer: str | None = None
    crs: str | None = None
    snap_tolerance: float = option(0.5, check=c.positive(example=0.5, allow_zero=True))
    coords: str = option("wgs84", check=c.coords)
    level_column: str | None = None
    class_column: str | None = option(None, check=_COLUMN)
    exclude_classes: tuple[str, ...] = option(WALK_EXCLUDED_CLASSES, check=_road_classes)


@dataclass(frozen=True)
class IndicatorConfig(Section):
    """Indicator settings (``[indicators]``)."""

    _table = "indicators"
    search_distance: float = option(3000.0, check=c.positive(example=3000, allow_zero=True))
    population_raster: Path | None = _path()
    night_light_raster: Path | None = _path()
    landcover_raster: Path | None = _path()
    landcover_classes: str | dict[int, str] | None = option(None, check=c.landcover_classes)
    warp_rasters: bool = option(False, check=c.boolean())
    kernel_density: tuple[str, ...] = option((), check=c.kernel_density)
    kde_bandwidth: float = option(1000.0, check=c.positive(example=1000))
    kde_pixel: float = option(50.0, check=c.positive(example=50))
    job_densities: Path | None = _path()

    def _check_together(self, table: str) -> list[str]:
        out = []
        if self.kernel_density and self.kde_bandwidth < self.kde_pixel:
            out.append(f"`[{table}] kde_bandwidth` ({self.kde_bandwidth:g} m) must be at least "
                       f"`kde_pixel` ({self.kde_pixel:g} m); widen the bandwidth or use smaller "
                       "pixels.")
        if self.landcover_classes is not None and self.landcover_raster is None:
            out.append(f"`[{table}] landcover_classes` is set but `landcover_raster` is not; give "
                       "the land-cover raster, or remove `landcover_classes`.")
        return out


@dataclass(frozen=True)
class CouplingConfig(Section):
    """Subsystem indices and coupling model (``[coupling]``)."""

    _table = "coupling"
    industry: dict[str, str] | None = option(None, check=c.directions)
    urban: dict[str, str] | None = option(None, check=c.directions)
    weights: str = option("entropy", check=c.choice(COUPLING_CHOICES["weights"]))
    shift: tuple[float, float] | None = option((0.01, 0.99), check=c.shift_pair)
    alpha: tuple[float, float] = option((0.5, 0.5), check=c.alpha_pair)
    model: str = option("classic", check=c.choice(COUPLING_CHOICES["model"]))


def _thresholds(value, where):
    """A table ``{category = metres}`` of POI categories and positive distances (a dict)."""
    from ..taxonomy import poi_categories

    if not isinstance(value, dict) or not value:
        msg = (f"`{where}` must be a table of category = metres, got {value!r}; e.g. "
               "{ transit = 300, education = 500 }.")
        raise InputError(msg)
    known = set(poi_categories().index)
    out = {}
    for cat, metres in value.items():
        if cat not in known:
            msg = f"`{where}` names unknown category {cat!r}; use one of {sorted(known)}."
            raise InputError(msg)
        if not (_number(metres) and 0 < metres < float("inf")):
            msg = (f"`{where}` must give a positive number of metres for every category, got "
                   f"{cat} = {metres!r}; e.g. {{ {cat} = 500 }}.")
            raise InputError(msg)
        out[str(cat)] = float(metres)
    return out


def _component(value, where):
    """``"largest"``, ``"any"`` (``network.COMPONENT_CHOICES``) or a whole number of nodes >= 1."""
    return c.expect(lambda v: v in COMPONENTS or _int_at_least(1)(v),
                    f"one of {list(COMPONENTS)} or a whole number of nodes >= 1 (the smallest "
                    "network part features may join)")(value, where)


@dataclass(frozen=True)
class GapConfig(Section):
    """Service-gap analysis (``[gaps]``); see ``docs/accessibility.md`` section 4.

    The threshold of each category is ``thresholds[category]`` when given, else
    ``distance`` (or the ``life_circle`` distance) for every category when one
    is set, else the service-standard table (``standards`` or the bundled
    GB 50180-2018 table).
    """

    _table = "gaps"
    distance: float | None = option(None, check=c.positive(example=1000))
    categories: tuple[str, ...] = option((
        "education", "healthcare", "retail", "food", "leisure", "transit", "public_admin",
    ), check=c.string_list)
    min_industrial_share: float = option(0.0, check=c.positive(unit="area share (0-1)", example=0.3,
                                                             allow_zero=True))
    units: str = option("parcels", check=c.choice(("parcels", "cells")))
    life_circle: str | None = option(None, check=c.choice(("5min", "10min", "15min")))
    standards: Path | None = option(None, check=c.file_path("a CSV file of service standards"),
                                    toml=c.resolve_path)
    thresholds: dict[str, float] | None = option(None, check=_thresholds)
    far_factor: float = option(2.0, check=c.expect(
        lambda v: _number(v) and v > 1 and v < float("inf"), "a number > 1 (e.g. 2)",
        convert=float))
    served_share: float = option(0.5, check=c.expect(
        lambda v: _number(v) and 0 < v <= 1, "a share in (0, 1] (e.g. 0.5)", convert=float))
    count_absent: bool = option(False, check=c.boolean(
        "count categories with no facility in the study area as gaps of every unit"))
    origin_spacing: float = option(100.0, check=c.positive(example=100))
    origin_min_area: float = option(100_000.0, check=c.positive(unit="square metres",
                                                                example=100000))
    worker_density: float = option(100.0, check=c.positive(unit="workers per hectare", example=100))
    candidates: int = option(3, check=c.expect(
        _int_at_least(0), "a whole number >= 0 of sites per missing category (0 = none)"))

    def _check_together(self, table: str) -> list[str]:
        if self.distance is not None and self.life_circle is not None:
            return [f"`[{table}] distance` ({self.distance:g} m) and `[{table}] life_circle` "
                    f"({self.life_circle!r}) both set one threshold for every category; give "
                    f"one of them (or per-category `[{table}] thresholds`)."]
        return []


@dataclass(frozen=True)
class AccessibilityConfig(Section):
    """Walking accessibility (``[accessibility]``); see ``docs/accessibility.md``."""

    _table = "accessibility"
    snap: str = option("edge", check=c.choice(("edge", "node")))
    snap_distance: float | None = option(500.0, check=c.snap_distance)
    distances: tuple[float, ...] = option((300.0, 500.0, 1000.0, 1500.0), check=c.distances)
    walk_speed: float | None = option(None, check=c.positive(unit="metres per minute", example=80))
    life_circles: bool = option(True, check=c.boolean(
        "add the 5/10/15-minute life-circle columns to the grid"))
    component: str | int = option("largest", check=_component)


@dataclass(frozen=True)
class SpatialStatsConfig(Section):
    """Spatial statistics of D (``[spatial_stats]``); see ``docs/spatial_stats.md``."""

    _table = "spatial_stats"
    enabled: bool = option(True, check=c.boolean())
    weights: str = option("queen", check=c.choice(
        ("queen", "rook", "knn", "distance"), expected="'queen', 'rook', 'knn' or 'distance'"))
    k: int = option(8, check=c.expect(_int_at_least(1), "an integer >= 1"))
    distance: float | None = option(None, check=c.positive())
    permutations: int = option(999, check=c.expect(_int_at_least(1), "an integer >= 1"))
    local_permutations: int = option(999, check=c.expect(_int_at_least(0), "an integer >= 0"))
    gi_two_sided: bool = option(True, check=c.boolean())
    alpha: float = option(0.05, check=c.expect(lambda v: _number(v) and 0 < v < 1,
                                            "a number between 0 and 1", convert=float))
    seed: int = option(0, check=c.expect(lambda v: isinstance(v, int) and not isinstance(v, bool),
                                      "an integer"))


def _share(value, where):
    """A share in [0, 1] (e.g. ``0.05``), returned as float."""
    return c.expect(lambda v: _number(v) and 0 <= v <= 1, "a share in [0, 1] (e.g. 0.05)",
                    convert=float)(value, where)


def _domain_rule(value, where):
    from ..domain import DOMAIN_RULES

    return c.choice(tuple(DOMAIN_RULES))(value, where)


@dataclass(frozen=True)
class DomainConfig(Section):
    """Analysis domain (``[domain]``): which units the coupling model analyses.

    ``rule`` is one of ``"all"``, ``"urban_land"``, ``"industrial"``, ``"mask"``
    (:func:`cityind_gis.domain.analysis_domain`); ``min_share`` None takes the
    library default; ``mask`` is a polygon layer, for ``rule = "mask"``.
    """

    _table = "domain"
    rule: str = option("urban_land", check=_domain_rule)
    min_share: float | None = option(None, check=_share)
    mask: Path | None = _path()

    def _check_together(self, table: str) -> list[str]:
        if (self.rule == "mask") != (self.mask is not None):
            return [f"`[{table}] rule = \"mask\"` and `[{table}] mask` go together: give the "
                    f"mask layer's path with rule \"mask\" (got rule {self.rule!r}, mask "
                    f"{self.mask})."]
        return []


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
    poi_sources: tuple[LayerConfig, ...] | None = None

    def __post_init__(self) -> None:
        c.non_empty(strip=False)(self.label, "[[periods]] label")
        if self.poi_sources is not None:
            object.__setattr__(self, "poi_sources", tuple(self.poi_sources))
            if self.pois is not None or not self.poi_sources:
                raise_problems([f"period {self.label!r}: give its POIs either as one "
                                "`[periods.pois]` table (merged over the top-level `[pois]`) "
                                "or as `[[periods.pois]]` tables (replacing the top-level POI "
                                "sources), not both or an empty list."])
            _check_source_names(self.poi_sources, f"period {self.label!r}")


def _check_source_names(sources: tuple[LayerConfig, ...], where: str) -> None:
    """POI sources of one run must have distinct names (the ``source`` column)."""
    names = [s.source_name for s in sources]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise_problems([f"the `[[pois]]` sources of {where} must have distinct names, but "
                        f"{twice} is given (or taken from the file name) more than once; set "
                        "`name = \"...\"` in each `[[pois]]` table, e.g. \"amap\", \"stops\"."])


def _formats(value: Any, where: str) -> tuple[str, ...]:
    """`[output] formats`: a non-empty list of export formats, duplicates dropped."""
    from .._errors import InputError
    from ..io.writers import EXPORT_FORMATS

    known = list(EXPORT_FORMATS)
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        msg = (f"`{where}` must be a non-empty list of {known}, got {value!r}. "
               "Example: formats = [\"gpkg\", \"geojson\"].")
        raise InputError(msg)
    unknown = sorted({str(f) for f in value} - set(known))
    if unknown:
        msg = f"`{where}` holds unknown format(s) {unknown}; known: {known}."
        raise InputError(msg)
    return tuple(dict.fromkeys(str(f) for f in value))


@dataclass(frozen=True)
class OutputConfig(Section):
    """What ``write_outputs`` writes (``[output]``; its ``dir`` is ``Config.out_dir``)."""

    _table = "output"
    formats: tuple[str, ...] = option(("gpkg",), check=_formats)
    basemap: str = option("osm", check=c.choice(BASEMAPS))
    tianditu_key: str | None = option(None, check=c.non_empty(strip=False))
    assets: str | None = option(None, check=c.expect(
        lambda v: isinstance(v, str | Path) and bool(str(v).strip()), "a URL or a folder path",
        convert=str))
    report: bool = option(True, check=c.boolean())

    def _check_together(self, table: str) -> list[str]:
        if self.basemap == "tianditu" and not self.tianditu_key:
            return [f"`[{table}] basemap = \"tianditu\"` needs your Tianditu browser key: set "
                    f"`[{table}] tianditu_key`, pass `--tianditu-key`, or set the TIANDITU_KEY "
                    "environment variable (get a key at the Tianditu console)."]
        return []


@dataclass(frozen=True)
class Config:
    """A whole run. Build with :func:`load_config` or :func:`sample_config`.

    The constructor checks what spans sections: ``periods`` (a tuple of
    :class:`PeriodConfig` with distinct labels) and the names of the POI sources.

    POIs: ``pois`` is the first (or only) POI source and ``extra_pois`` the
    further sources of a ``[[pois]]`` config, in priority order;
    :attr:`poi_sources` gives them all. A single ``[pois]`` table leaves
    ``extra_pois`` empty.
    """

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
    extra_pois: tuple[LayerConfig, ...] = ()

    def __post_init__(self) -> None:
        periods = tuple(self.periods)
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "extra_pois", tuple(self.extra_pois))
        labels = [p.label for p in periods]
        if len(set(labels)) != len(labels):
            raise_problems([f"`[[periods]]` labels must differ; got {labels}."])
        _check_source_names(self.poi_sources, "the config")

    @property
    def poi_sources(self) -> tuple[LayerConfig, ...]:
        """Every POI source, in priority order: ``(pois, *extra_pois)``."""
        return (self.pois, *self.extra_pois)

    @property
    def merge_pois(self) -> bool:
        """Whether the POIs come from ``[[pois]]`` tables (merged, with a ``source`` column)."""
        return bool(self.extra_pois) or self.pois.name is not None

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
