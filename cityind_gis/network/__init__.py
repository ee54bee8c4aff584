"""Walking networks and network accessibility (nearest facility, facilities within reach).

Build a :class:`WalkGraph` with :func:`graph_from_edges` (from a node and an edge
layer, e.g. pyrosm's walking network once projected) or from road centre lines
with :func:`graph_from_lines`, then measure walking distances in metres with
:func:`nearest_facility_distance` and :func:`facility_counts_within`.
Features join the network at the nearest point of their nearest edge
(:func:`snap_to_edges`; ``snap="node"`` for the nearest node), and
:func:`node_accessibility` measures every node at once. :mod:`.lifecircle` scores
5/10/15-minute community life circles (GB 50180-2018) and :mod:`.sfca` computes
two-step floating catchment accessibility.
Every layer must be in one projected CRS in metres. See ``docs/network.md`` and
``docs/accessibility.md``.
"""

from __future__ import annotations

from .accessibility import (
    SNAP_METHODS,
    facility_counts_within,
    nearest_facility_distance,
    node_accessibility,
    origins_for_units,
    service_share_within,
    snap_report,
)
from .graph import (
    COMPONENT_CHOICES,
    WALK_EXCLUDED_CLASSES,
    ZERO_LENGTH_EPSILON,
    WalkGraph,
    exclude_road_classes,
    graph_from_edges,
    graph_from_lines,
    snap_points,
    snap_to_edges,
    to_networkx,
)
from .lifecircle import (
    WALK_SPEED,
    life_circle_coverage,
    life_circle_requirements,
    life_circles,
    service_standards,
    walk_metres,
    walk_minutes,
)
from .sfca import two_step_fca

__all__ = [
    "ZERO_LENGTH_EPSILON",
    "COMPONENT_CHOICES",
    "WALK_EXCLUDED_CLASSES",
    "WalkGraph",
    "exclude_road_classes",
    "graph_from_edges",
    "graph_from_lines",
    "snap_points",
    "snap_to_edges",
    "to_networkx",
    "SNAP_METHODS",
    "nearest_facility_distance",
    "facility_counts_within",
    "node_accessibility",
    "snap_report",
    "origins_for_units",
    "service_share_within",
    "WALK_SPEED",
    "service_standards",
    "walk_minutes",
    "walk_metres",
    "life_circles",
    "life_circle_requirements",
    "life_circle_coverage",
    "two_step_fca",
]
