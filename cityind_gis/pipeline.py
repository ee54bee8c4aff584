"""Compatibility module: the run moved to :mod:`cityind_gis.workflow`.

``from cityind_gis.pipeline import run, write_outputs`` keeps working; new code
imports from :mod:`cityind_gis` or :mod:`cityind_gis.workflow`.
"""

from __future__ import annotations

from .workflow import default_indicators, run, write_outputs

__all__ = ["run", "write_outputs", "default_indicators"]
