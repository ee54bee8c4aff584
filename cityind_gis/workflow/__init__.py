"""The workflow: run, panel runs, preflight checks and outputs.

This sub-package composes the library (``io``, ``units``, ``indicators``,
``network``, ``coupling``, ``spatial_stats``, ``gaps``, ``maps``) and is
imported by nothing in it: imports only go downward (``docs/architecture.md``).

* :func:`run` -- one analysis, a composition of the stages in
  :mod:`~cityind_gis.workflow.stages`, returning a :class:`RunResult`;
* :func:`run_panel` -- every ``[[periods]]`` table with pooled normalisation,
  returning a :class:`PanelResult`;
* :func:`write_outputs`, :func:`write_panel` -- the writer lists of
  :mod:`~cityind_gis.workflow.outputs`;
* :func:`validation_report`, :func:`validate_config` -- ``cityind validate``.
"""

from __future__ import annotations

from .outputs import WRITERS, OutputContext, write_outputs
from .panel import PANEL_WRITERS, run_panel, write_panel
from .periods import period_config
from .preflight import cross_layer_checks, validate_config, validation_report
from .results import PanelResult, Raster, RunResult
from .run import STAGES, run
from .stages import default_indicators

__all__ = [
    "run",
    "run_panel",
    "write_outputs",
    "write_panel",
    "RunResult",
    "PanelResult",
    "Raster",
    "OutputContext",
    "WRITERS",
    "PANEL_WRITERS",
    "STAGES",
    "default_indicators",
    "period_config",
    "cross_layer_checks",
    "validate_config",
    "validation_report",
]
