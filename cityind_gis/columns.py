"""One home for the names of the columns cityind_gis writes.

Every module that reads or writes a per-category column takes its name from
here, so a rename happens in one place and QGIS users see one scheme:
``{measure}[_{class}][_{distance}m]`` (see :func:`column_name`), snake_case
ASCII, at most 40 characters.

Examples
--------
>>> net_dist("healthcare")
'net_dist_healthcare'
>>> poi_count("retail", 500)
'poi_count_retail_500m'
>>> category_of("net_dist_healthcare", "net_dist")
'healthcare'
"""

from __future__ import annotations

import re

from ._errors import InputError

__all__ = [
    "column_name",
    "net_dist",
    "poi_count",
    "poi_density",
    "landuse_area",
    "share",
    "category_of",
    "NET_DIST",
    "POI_COUNT",
    "POI_DENSITY",
    "LANDUSE_AREA",
]

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_MAX_LEN = 40

#: Measure prefixes of the per-category columns.
NET_DIST = "net_dist"
POI_COUNT = "poi_count"
POI_DENSITY = "poi_density"
LANDUSE_AREA = "landuse_area"


def column_name(measure: str, cls: str | None = None, distance: float | None = None) -> str:
    """Output column name ``{measure}[_{class}][_{distance}m]``.

    Parameters
    ----------
    measure : str
        Snake-case measure, e.g. ``"poi_count"``.
    cls : str, optional
        Class or category, e.g. ``"school"``.
    distance : float, optional
        Distance in metres; written as an integer when it is one (``800m``).

    Returns
    -------
    str
        ASCII snake_case name of at most 40 characters.

    Raises
    ------
    InputError
        If the name is not snake_case ASCII or is longer than 40 characters.

    Examples
    --------
    >>> column_name("poi_count", "school", 800)
    'poi_count_school_800m'
    """
    name = measure if cls is None else f"{measure}_{cls}"
    if distance is not None:
        d = float(distance)
        name += f"_{int(d) if d.is_integer() else str(d).replace('.', 'p')}m"
    if not _NAME_RE.match(name) or len(name) > _MAX_LEN:
        msg = (
            f"column name {name!r} (from `measure`={measure!r}, `cls`={cls!r}) must be snake_case "
            f"ASCII of at most {_MAX_LEN} characters (found {len(name)}); use a shorter or "
            "ASCII class name, e.g. map '工业' to 'industrial' in the taxonomy."
        )
        raise InputError(msg)
    return name


def net_dist(category: str) -> str:
    """Column of the walking distance (m) from a unit to its nearest ``category`` facility."""
    return f"{NET_DIST}_{category}"


def poi_count(category: str, distance: float | None = None) -> str:
    """Column of the POI count of ``category`` in a unit, or within ``distance`` m of it."""
    if distance is None:
        return f"{POI_COUNT}_{category}"
    return column_name(POI_COUNT, category, distance)


def poi_density(category: str) -> str:
    """Column of the POI density of ``category`` (POIs per km²)."""
    return f"{POI_DENSITY}_{category}"


def landuse_area(cls: str) -> str:
    """Column of the area (m²) of land-use class ``cls`` in a unit."""
    return f"{LANDUSE_AREA}_{cls}"


def share(cls: str) -> str:
    """Column of the share (0-1) of the unit's area in land-use class ``cls``."""
    return f"{cls}_share"


def category_of(column: str, measure: str) -> str | None:
    """The category of a per-category column of ``measure``, or None if it is not one.

    Parameters
    ----------
    column : str
        Column name, e.g. ``"net_dist_retail"``.
    measure : str
        Measure prefix, e.g. :data:`NET_DIST`.

    Returns
    -------
    str or None
    """
    prefix = f"{measure}_"
    return column[len(prefix):] if column.startswith(prefix) and len(column) > len(prefix) else None
