"""Compatibility module: ``cityind validate`` moved to :mod:`cityind_gis.workflow.preflight`.

``from cityind_gis.validate import validation_report`` keeps working.
"""

from __future__ import annotations

from .workflow._preflight_report import LayerCheck, ValidationReport
from .workflow.preflight import (
    coordinate_offset,
    cross_layer_checks,
    layer_summary,
    network_fragments,
    validate_config,
    validation_report,
    write_validation_report,
)

__all__ = [
    "LayerCheck",
    "ValidationReport",
    "coordinate_offset",
    "cross_layer_checks",
    "layer_summary",
    "network_fragments",
    "validate_config",
    "validation_report",
    "write_validation_report",
]
