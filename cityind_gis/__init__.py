"""cityind_gis: city-industry integration (产城融合) analysis.

Land use, POIs and walking networks -> indicators per grid cell or zone ->
industrial (U1) and urban-function (U2) subsystem indices -> coupling
coordination degree -> service gaps of industrial land -> maps and layers.

Heavy optional parts (maps, network) are imported from their modules:
``from cityind_gis.maps.web import web_map``.
"""

from __future__ import annotations

from ._errors import CityindError, CRSError, GeometryError, InputError, SchemaError

__version__ = "0.1.0"

__all__ = [
    "CityindError",
    "CRSError",
    "GeometryError",
    "InputError",
    "SchemaError",
    "__version__",
]
