"""Walking networks and network accessibility (nearest facility, facilities within reach).

Build a :class:`WalkGraph` with :func:`graph_from_edges` (from a node and an edge
layer, e.g. pyrosm's walking network once projected) or from road centre lines
with :func:`graph_from_lines`, then measure walking distances in metres with
:func:`nearest_facility_distance` and :func:`facility_counts_within`.
Every layer must be in one projected CRS in metres. See ``docs/network.md``.
"""

from __future__ import annotations

from .accessibility import facility_counts_within, nearest_facility_distance
from .graph import (
    ZERO_LENGTH_EPSILON,
    WalkGraph,
    graph_from_edges,
    graph_from_lines,
    snap_points,
    to_networkx,
)

__all__ = [
    "ZERO_LENGTH_EPSILON",
    "WalkGraph",
    "graph_from_edges",
    "graph_from_lines",
    "snap_points",
    "to_networkx",
    "nearest_facility_distance",
    "facility_counts_within",
]
