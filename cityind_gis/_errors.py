"""Exception hierarchy of cityind_gis.

Every error a user can cause derives from :class:`CityindError`, itself a
:class:`ValueError`, so generic handlers still catch it and the CLI can turn it
into a one-paragraph message with exit status 2 (no traceback).
"""

from __future__ import annotations

__all__ = [
    "CityindError", "CRSError", "SchemaError", "GeometryError", "InputError", "OutputError",
]


class CityindError(ValueError):
    """Base class of every user-facing error raised by cityind_gis."""


class CRSError(CityindError):
    """A layer has no CRS, a geographic CRS where metres are needed, or CRSs differ."""


class SchemaError(CityindError):
    """A required column is missing, has the wrong type, or holds unknown values."""


class GeometryError(CityindError):
    """Geometries are missing, empty, invalid or of the wrong type."""


class InputError(CityindError):
    """A file, option or configuration value cannot be used as given."""


class OutputError(CityindError):
    """The output folder cannot be written (read-only, full, not a folder, no permission, locked).

    Raised before anything of the previous outputs is replaced: a run that ends
    in this error leaves the output folder as it was (``docs/outputs.md``).
    """
