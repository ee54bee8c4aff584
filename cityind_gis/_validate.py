"""Input checks shared by every module.

Each check raises a :class:`~cityind_gis._errors.CityindError` subclass whose
message names the argument, says what was expected, what was found, and how to
fix it. Checks never modify their inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import CRSError, GeometryError, InputError, SchemaError

__all__ = [
    "check_crs",
    "check_projected",
    "check_columns",
    "check_unique_index",
    "check_geometries",
    "check_same_crs",
    "check_finite",
    "check_positive",
    "check_lang",
    "LANGS",
]

#: Languages of labels, maps and reports.
LANGS = ("en", "zh")


def check_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, name: str) -> None:
    """Raise :class:`CRSError` if ``gdf`` has no CRS.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Layer to check.
    name : str
        Argument name used in the message.
    """
    if gdf.crs is None:
        msg = (
            f"`{name}` has no CRS; cityind_gis never guesses coordinates. Set the CRS the "
            f"data was made in, e.g. `{name} = {name}.set_crs('EPSG:4326')` for lon/lat "
            "degrees, or give `crs = ...` for this layer in the config."
        )
        raise CRSError(msg)


def check_projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries, name: str) -> None:
    """Raise :class:`CRSError` unless ``gdf`` is in a projected CRS measured in metres.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Layer whose distances or areas will be measured.
    name : str
        Argument name used in the message.
    """
    check_crs(gdf, name)
    crs = gdf.crs
    if crs.is_geographic:
        msg = (
            f"`{name}` is in a geographic CRS ({crs.to_string()}); distances and areas "
            f"need metres. Reproject first, e.g. `{name}.to_crs({name}.estimate_utm_crs())`."
        )
        raise CRSError(msg)
    units = {ax.unit_name for ax in crs.axis_info}
    if not units or not units <= {"metre", "meter", "m"}:
        msg = (
            f"`{name}` is in a projected CRS ({crs.to_string()}) whose units are "
            f"{sorted(units)}, not metres. Reproject to a metric CRS, e.g. "
            f"`{name}.to_crs({name}.estimate_utm_crs())`."
        )
        raise CRSError(msg)


def check_same_crs(layers: dict[str, gpd.GeoDataFrame | gpd.GeoSeries]) -> None:
    """Raise :class:`CRSError` if the named layers do not share one CRS.

    Parameters
    ----------
    layers : dict of str to GeoDataFrame
        Argument name -> layer. Layers must already have a CRS.
    """
    items = list(layers.items())
    first_name, first = items[0]
    for name, gdf in items[1:]:
        if gdf.crs != first.crs:
            msg = (
                f"`{name}` is in {gdf.crs.to_string() if gdf.crs else None} but "
                f"`{first_name}` is in {first.crs.to_string() if first.crs else None}; "
                f"layers must share one CRS. Reproject with `{name}.to_crs({first_name}.crs)`."
            )
            raise CRSError(msg)


def check_columns(df: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise :class:`SchemaError` listing every column of ``columns`` missing from ``df``.

    Parameters
    ----------
    df : DataFrame
        Table to check.
    columns : iterable of str
        Required column names.
    name : str
        Argument name used in the message.
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = [str(c) for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
        msg = (
            f"`{name}` is missing column(s) {missing}; it has {have}. Rename the column in "
            "the data, or name an existing column in the option that points at it (the "
            "config key such as `class_column`, or the function argument)."
        )
        raise SchemaError(msg)


def check_unique_index(df: pd.DataFrame, name: str) -> None:
    """Raise :class:`SchemaError` if ``df`` is not uniquely indexed.

    Parameters
    ----------
    df : DataFrame
        Table whose index identifies its rows.
    name : str
        Argument name used in the message.
    """
    if not df.index.is_unique:
        n = int(df.index.duplicated().sum())
        msg = (
            f"`{name}` must be uniquely indexed (the index is each row's identity); "
            f"found {n} duplicated label(s). Use `{name}.reset_index(drop=True)`."
        )
        raise SchemaError(msg)


def check_geometries(
    gdf: gpd.GeoDataFrame,
    name: str,
    *,
    geom_types: Sequence[str] | None = None,
    allow_empty_layer: bool = False,
) -> None:
    """Raise :class:`GeometryError` on missing, empty, invalid or wrongly typed geometries.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer to check.
    name : str
        Argument name used in the message.
    geom_types : sequence of str, optional
        Accepted geometry types, e.g. ``("Polygon", "MultiPolygon")``.
    allow_empty_layer : bool, default False
        Whether a layer with no rows is acceptable.
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"`{name}` should be a GeoDataFrame, got {type(gdf).__name__}."
        raise GeometryError(msg)
    if len(gdf) == 0:
        if allow_empty_layer:
            return
        msg = f"`{name}` has no features; expected at least one. Check the file and its layer name."
        raise GeometryError(msg)
    geoms = gdf.geometry
    problems = []
    n_missing = int(geoms.isna().sum())
    if n_missing:
        problems.append(f"{n_missing} missing")
    n_empty = int((geoms.is_empty & geoms.notna()).sum())
    if n_empty:
        problems.append(f"{n_empty} empty")
    valid = geoms.is_valid | geoms.isna() | geoms.is_empty
    n_invalid = int((~valid).sum())
    if n_invalid:
        first = list(gdf.index[~valid][:5])
        problems.append(f"{n_invalid} invalid (first rows {first})")
    if geom_types is not None:
        types = geoms.geom_type
        bad = types.notna() & ~types.isin(list(geom_types))
        if bad.any():
            found = sorted(set(types[bad]))
            problems.append(f"{int(bad.sum())} of type {found} where {list(geom_types)} expected")
    if problems:
        msg = (
            f"`{name}` has unusable geometries: {'; '.join(problems)}. Drop missing/empty rows "
            f"(`{name}[~{name}.geometry.is_empty & {name}.geometry.notna()]`) and repair invalid "
            f"ones with `{name}.make_valid()` before passing it in."
        )
        raise GeometryError(msg)


def check_finite(df: pd.DataFrame, name: str) -> None:
    """Raise :class:`SchemaError` if numeric ``df`` holds NaN or infinite values.

    Parameters
    ----------
    df : DataFrame
        Numeric table (e.g. an indicator matrix).
    name : str
        Argument name used in the message.
    """
    values = df.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        cols = [str(c) for c, b in zip(df.columns, bad.any(axis=0), strict=True) if b]
        msg = (
            f"`{name}` holds {int(bad.sum())} NaN or infinite value(s) in column(s) {cols}; "
            "expected finite numbers. Fill or drop them first (e.g. `df.fillna(0)` where "
            "a missing value means none)."
        )
        raise SchemaError(msg)


def check_positive(
    value: object, name: str, *, unit: str = "metres", example: float | None = None,
    allow_zero: bool = False, integer: bool = False,
) -> float:
    """Return ``value`` as a float, or raise :class:`InputError` unless it is a positive number.

    The one "positive number of metres" check of the package: booleans, strings,
    NaN and infinity are refused.

    Parameters
    ----------
    value : object
        The value given.
    name : str
        Argument (or config key) named in the message, e.g. ``"distance"`` or
        ``"[gaps] distance"``.
    unit : str, default "metres"
        Unit named in the message ("metres per minute", "workers per hectare", ...).
    example : float, optional
        A sensible value to suggest.
    allow_zero : bool, default False
        Accept 0 (a non-negative number).
    integer : bool, default False
        Require a whole number (returned as float all the same).

    Returns
    -------
    float

    Raises
    ------
    InputError
        Naming ``name``, the unit, the value found and an example.
    """
    ok = (not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)
          and np.isfinite(value) and (value >= 0 if allow_zero else value > 0)
          and (not integer or float(value).is_integer()))
    if not ok:
        kind = "non-negative" if allow_zero else "positive"
        what = "whole number" if integer else "number"
        hint = f" (e.g. {example:g})" if example is not None else ""
        msg = f"`{name}` must be a {kind} {what} of {unit}{hint}, got {value!r}."
        raise InputError(msg)
    return float(value)  # type: ignore[arg-type]


def check_lang(lang: object, name: str = "lang") -> str:
    """Return ``lang`` if it is ``"en"`` or ``"zh"``; otherwise raise :class:`InputError`.

    Parameters
    ----------
    lang : object
        The language given.
    name : str, default "lang"
        Argument (or config key) named in the message.

    Returns
    -------
    str
    """
    if lang not in LANGS:
        msg = f"`{name}` must be 'zh' or 'en', got {lang!r}. Pass {name}='zh' or {name}='en'."
        raise InputError(msg)
    return str(lang)
