"""Field checks of the config sections and the TOML converters of path keys.

Each builder returns a :data:`~._section.Check`: ``check(value, where)``, which
returns the value normalised or raises :class:`InputError` naming `` `where` ``
(``"[gaps] distance"``). Numbers go through :func:`~cityind_gis._validate.check_positive`
and languages through :func:`~cityind_gis._validate.check_lang`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .._errors import InputError
from .._validate import check_lang, check_positive
from ._section import Check

__all__ = [
    "COORDS",
    "alpha_pair",
    "boolean",
    "choice",
    "column_map",
    "coords",
    "directions",
    "distances",
    "expect",
    "file_path",
    "kernel_density",
    "landcover_classes",
    "lang",
    "mapping",
    "non_empty",
    "positive",
    "shift_pair",
    "snap_distance",
    "string_list",
    "resolve_path",
    "resolve_mapping",
]

#: Coordinate systems of a layer's x/y (``coords`` keys).
COORDS = ("wgs84", "gcj02", "bd09")


def _number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, int | float) and v == v


def _integer(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _fail(msg: str) -> NoReturn:
    raise InputError(msg)


def expect(ok: Callable[[Any], bool], expected: str, *, convert: Callable[[Any], Any] | None = None,
           tail: str = "") -> Check:
    """A check of ``ok(value)``, failing with "`where` must be <expected>, got <value><tail>.".

    Parameters
    ----------
    ok : callable
        Predicate on the value.
    expected : str
        What the key takes, e.g. ``"an integer >= 1"``.
    convert : callable, optional
        Applied to an accepted value (e.g. ``float``).
    tail : str, default ""
        Text after the value (an example).

    Returns
    -------
    Check
    """
    def check(value: Any, where: str) -> Any:
        if not ok(value):
            _fail(f"`{where}` must be {expected}, got {value!r}{tail}.")
        return convert(value) if convert is not None else value
    return check


def boolean(meaning: str = "") -> Check:
    """``true`` or ``false``; ``meaning`` is added in brackets to the message."""
    note = f" ({meaning})" if meaning else ""
    return expect(lambda v: isinstance(v, bool), f"true or false{note}")


def choice(options: Sequence[str], *, expected: str | None = None) -> Check:
    """One of ``options`` ("`where` must be one of [...], got ..."; or ``expected``)."""
    return expect(lambda v: v in options, expected or f"one of {list(options)}")


def non_empty(*, strip: bool = True, what: str = "string", tail: str = "") -> Check:
    """A non-empty (after stripping) string, stripped when ``strip``."""
    return expect(lambda v: isinstance(v, str) and bool(v.strip()), f"a non-empty {what}",
                  convert=(lambda v: v.strip()) if strip else None, tail=tail)


def positive(*, unit: str = "metres", example: float | None = None,
             allow_zero: bool = False) -> Check:
    """A positive (or non-negative) finite number, returned as float; see ``check_positive``."""
    def check(value: Any, where: str) -> float:
        return check_positive(value, where, unit=unit, example=example, allow_zero=allow_zero)
    return check


def lang(value: Any, where: str) -> str:
    """``"en"`` or ``"zh"`` (:func:`~cityind_gis._validate.check_lang`)."""
    return check_lang(value, where)


def coords(value: Any, where: str) -> str:
    """``wgs84``, ``gcj02`` or ``bd09``; case, ``-`` and ``_`` ignored (``"GCJ-02"``: ``gcj02``)."""
    norm = str(value).strip().lower().replace("-", "").replace("_", "")
    if norm not in COORDS:
        _fail(f"`{where}` must be one of {list(COORDS)} (GCJ-02 for Amap/Tencent, BD-09 for "
              f"Baidu), got {value!r}.")
    return norm


def file_path(what: str = "a file") -> Check:
    """A path (str or path-like), not empty; kept as given (resolution is the loader's)."""
    def check(value: Any, where: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | os.PathLike) or not str(value):
            _fail(f"`{where}` must name {what}, got {value!r}.")
        return value
    return check


def string_list(value: Any, where: str) -> tuple[str, ...]:
    """A list (``[]`` or ``false``: none), as a tuple."""
    if value is False or (isinstance(value, list | tuple) and not value):
        return ()
    if not isinstance(value, list | tuple):
        _fail(f"`{where}` must be a list, got {value!r}.")
    return tuple(value)


def shift_pair(value: Any, where: str) -> tuple[float, float] | None:
    """``[a, b]`` with 0 <= a < b <= 1, or ``false``/``[]`` (None: no shift)."""
    if value is None or value is False or (isinstance(value, list | tuple) and not value):
        return None
    if not isinstance(value, list | tuple):
        _fail(f"`{where}` must be a list, got {value!r}.")
    ok = len(value) == 2 and all(_number(v) for v in value) and 0 <= value[0] < value[1] <= 1
    if not ok:
        _fail(f"`{where}` must be two numbers [a, b] with 0 <= a < b <= 1 (e.g. [0.01, 0.99]) "
              f"or false, got {list(value)!r}.")
    return tuple(value)


def alpha_pair(value: Any, where: str) -> tuple[float, float]:
    """One non-negative weight per subsystem (U1, U2), summing to 1."""
    if value is not False and not isinstance(value, list | tuple):
        _fail(f"`{where}` must be a list, got {value!r}.")
    items = list(value) if value is not False else []
    if not (len(items) == 2 and all(_number(v) and v >= 0 for v in items)
            and abs(sum(items) - 1.0) <= 1e-6):
        _fail(f"`{where}` must be two non-negative numbers summing to 1, the weights of U1 and "
              f"U2 in T (e.g. [0.5, 0.5]), got {items!r}.")
    return (items[0], items[1])


def directions(value: Any, where: str) -> dict[str, str]:
    """``[coupling.industry]``/``[coupling.urban]``: indicator name -> ``"+"`` or ``"-"``."""
    table = "[" + where.strip("[").replace("] ", ".") + "]"  # "[coupling.urban]"
    if not isinstance(value, dict):
        _fail(f"`{table}` must map indicator names to \"+\" or \"-\", got {value!r}.")
    bad = {k: v for k, v in value.items() if v not in ("+", "-")}
    if bad:
        _fail(f"`{table}` directions must be \"+\" or \"-\"; got {bad}.")
    return value


def distances(value: Any, where: str) -> tuple[float, ...]:
    """A non-empty list of distinct positive walking distances (m), as floats."""
    if (not isinstance(value, list | tuple) or not value
            or not all(_number(v) and v > 0 for v in value) or len(set(value)) != len(value)):
        _fail(f"`{where}` must be a non-empty list of distinct positive walking distances in "
              f"metres, got {value!r}; e.g. [300, 500, 1000, 1500].")
    return tuple(float(v) for v in value)


def snap_distance(value: Any, where: str) -> float | None:
    """A positive snap tolerance in metres; ``0`` (or None) means no tolerance."""
    if value is None or (_number(value) and value == 0):
        return None
    return check_positive(value, where, example=500)


def mapping(value: Any, where: str) -> str | tuple[str, ...]:
    """A bundled mapping name or CSV path, or a list of them (a tuple; later ones override)."""
    from ..taxonomy import BUNDLED_MAPPINGS

    items = list(value) if isinstance(value, list | tuple) else [value]
    if not items or not all(isinstance(v, str) and v for v in items):
        _fail(f"`{where}` must be a bundled name {sorted(BUNDLED_MAPPINGS)}, a CSV path, or a "
              f"list of them (later ones override earlier ones); got {value!r}.")
    return tuple(items) if isinstance(value, list | tuple) else value


def kernel_density(value: Any, where: str) -> tuple[str, ...]:
    """Distinct POI categories (or ``"all"``) mapped as kernel density rasters."""
    if (not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value)
            or len(set(value)) != len(value)):
        _fail(f"`{where}` must be a list of distinct POI categories (or \"all\") to map as kernel "
              f"density GeoTIFFs, e.g. [\"enterprise\", \"retail\"]; got {value!r}.")
    from ..taxonomy import poi_categories

    known = list(poi_categories().index)
    unknown = sorted(set(value) - set(known) - {"all"})
    if unknown:
        _fail(f"`{where}` holds unknown POI categories {unknown}; known: {known} and \"all\" "
              "(every analysed POI).")
    return tuple(value)


def landcover_classes(value: Any, where: str) -> str | dict[int, str]:
    """A bundled legend name, or a table of integer pixel value -> class name."""
    from ..indicators.raster import LANDCOVER_LEGENDS

    if isinstance(value, str):
        if value not in LANDCOVER_LEGENDS:
            _fail(f"`{where}` must be a bundled legend {sorted(LANDCOVER_LEGENDS)} or a table of "
                  f"pixel value = \"name\", got {value!r}.")
        return value
    out: dict[int, str] = {}
    ok = isinstance(value, dict) and bool(value)
    for k, v in (value.items() if ok else []):
        try:
            code = int(str(k).strip())
        except ValueError:
            ok = False
            break
        if not isinstance(v, str) or not v.strip():
            ok = False
            break
        out[code] = v.strip()
    if not ok:
        _fail(f"`{where}` must be a bundled legend name or a table mapping integer pixel values "
              "to class names, e.g. {\"10\" = \"tree_cover\", \"50\" = \"built_up\"}; "
              f"got {value!r}.")
    names = list(out.values())
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        _fail(f"`{where}` gives the name(s) {dup} to several pixel values; each class needs its "
              "own name (merge classes in the raster instead).")
    bad = sorted(n for n in names if not re.fullmatch(r"[a-z][a-z0-9_]{0,23}", n))
    if bad:
        _fail(f"`{where}` names {bad} are not usable column names; use lower-case ASCII "
              "snake_case of at most 24 characters (e.g. \"built_up\"), since each becomes a "
              "column `landcover_share_<name>`.")
    return out


def column_map(value: Any, where: str) -> dict[str, str]:
    """``[statistics] indicators``: a list of columns (names kept) or {column = "name"}."""
    pairs = ({v: v for v in value}
             if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
             else value if isinstance(value, dict) else None)
    if not pairs or not all(isinstance(k, str) and k and isinstance(v, str) and v.strip()
                            for k, v in pairs.items()):
        _fail(f"`{where}` must be a non-empty list of table columns, or a table mapping each "
              "column to its indicator name (e.g. {\"地区生产总值(亿元)\" = \"gdp\"}), "
              f"got {value!r}.")
    names = [v.strip() for v in (value if isinstance(value, list | tuple) else pairs.values())]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        _fail(f"`{where}` repeats name(s) {dup}; each indicator needs its own name.")
    return {k: v.strip() for k, v in pairs.items()}


def resolve_path(value: Any, base: Path) -> Any:
    """TOML converter: a path relative to the config folder, ``~`` expanded ("" kept)."""
    if value is None or value == "" or isinstance(value, bool):
        return value
    return (base / os.path.expanduser(str(value))).resolve()


def resolve_mapping(value: Any, base: Path) -> Any:
    """TOML converter: bundled names kept, file names resolved; a bad value left to the check."""
    from ..taxonomy import BUNDLED_MAPPINGS

    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v for v in items):
        return value
    out = tuple(v if v in BUNDLED_MAPPINGS else str((base / os.path.expanduser(v)).resolve())
                for v in items)
    return out if isinstance(value, list) else out[0]
