"""Run configuration: frozen dataclasses loaded from a TOML file.

Only :mod:`cityind_gis.pipeline` and :mod:`cityind_gis.cli` read a config; the
library functions take explicit arguments. Every key is documented in
``docs/config.md``; paths are resolved relative to the config file's folder.

* :mod:`.sections` -- one frozen dataclass per section; each field declares
  its default and its check, run by the constructor (``GapConfig(distance=-1)``
  raises naming `` `[gaps] distance` ``).
* :mod:`.load` -- :func:`load_config` (every problem of a file in one error),
  :func:`output_config`, the bundled samples, indicator names.
* :mod:`._section` / :mod:`._checks` -- the machinery and the field checks.
"""

from __future__ import annotations

from .load import (
    _LAYERS_DIR,
    _SECTIONS,
    SAMPLES,
    known_indicator_names,
    load_config,
    output_config,
    sample_config,
    sample_path,
    unknown_indicator_names,
)
from .sections import (
    BASEMAPS,
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
from .sections import COUPLING_CHOICES as _COUPLING_CHOICES
from .sections import GRID_KINDS as _GRID_KINDS
from .sections import POI_ONLY_KEYS as _POI_KEYS
from .sections import POI_SOURCE_KEYS as _POI_SOURCE_KEYS

#: Keys only the POI tables take (`[pois]`, `[[pois]]`), refused in `[landuse]`.
_POI_ONLY_KEYS = _POI_KEYS + _POI_SOURCE_KEYS

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
    "sample_path",
    "SAMPLES",
]

# private names other modules and tests read (tests/test_scripts.py)
_PRIVATE = (_LAYERS_DIR, _SECTIONS, _COUPLING_CHOICES, _GRID_KINDS, _POI_ONLY_KEYS)
