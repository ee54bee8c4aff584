"""Statistics tables (yearbooks) keyed by zone code or name, joined to zones.

:func:`read_statistics` reads a CSV/Excel table, :func:`join_statistics` joins
it to zone boundaries with a clear error for every unmatched key, and
:func:`zone_statistics` does both for the zones of a run (``[statistics]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .._errors import InputError, SchemaError

__all__ = ["read_statistics", "join_statistics", "zone_statistics"]


def read_statistics(
    path: str | Path,
    *,
    key: str,
    sheet: str | int | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Read a statistics table (e.g. yearbook indicators of cities) keyed by zone code or name.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 or GBK/GB18030, separator sniffed) or Excel (.xlsx/.xls) file.
    key : str
        Column holding the zone code or name; it becomes the index (as text, so
        codes keep leading zeros).
    sheet : str or int, optional
        Excel sheet (default the first).
    columns : list of str, optional
        Only these columns (besides ``key``) are kept and converted; default
        all. Text columns such as names or remarks can stay in the file.

    Returns
    -------
    DataFrame
        Indexed by ``key``; every other (chosen) column converted to numbers (thousands
        separators and surrounding spaces removed). Empty cells and the usual
        missing-value marks (``NA``, ``n/a``, ...) become NaN, which the coupling
        functions refuse: fill or drop them before use.

    Raises
    ------
    InputError
        Missing file or unreadable table.
    SchemaError
        Missing ``key`` or ``columns``, repeated keys, or cells that are not
        numbers (listed by column with an example).
    """
    from .vector import _read_table

    p = Path(path)
    if not p.is_file():
        msg = f"statistics file {str(path)!r} does not exist."
        raise InputError(msg)
    table = _read_table(p, "statistics", sheet)
    table.columns = [str(c).strip() for c in table.columns]
    if key not in table.columns:
        msg = (f"statistics table {p.name!r} has no key column {key!r}; "
               f"columns: {list(table.columns)}.")
        raise SchemaError(msg)
    if columns is not None:
        missing = [c for c in columns if c not in table.columns or c == key]
        if missing:
            msg = (f"statistics table {p.name!r} has no column(s) {missing} named in "
                   f"`indicators`; columns: {[c for c in table.columns if c != key]}.")
            raise SchemaError(msg)
        table = table[[key, *columns]]
    keys = table[key].astype(str).str.strip()
    dup = sorted(set(keys[keys.duplicated()]))
    if dup:
        msg = f"statistics table {p.name!r} repeats key(s) {dup[:10]} in {key!r}; one row per zone."
        raise SchemaError(msg)
    values = table.drop(columns=key).apply(
        lambda s: s.astype(str).str.replace(",", "", regex=False).str.strip())
    numbers = values.apply(pd.to_numeric, errors="coerce")
    bad = {c: values.loc[numbers[c].isna() & table[c].notna(), c].iloc[0]
           for c in numbers.columns if (numbers[c].isna() & table[c].notna()).any()}
    if bad:
        msg = (f"statistics table {p.name!r} has non-numeric cells in column(s) {sorted(bad)} "
               f"(e.g. {bad}); indicators must be numbers. Fix or remove them.")
        raise SchemaError(msg)
    numbers.index = pd.Index(keys, name=key)
    return numbers


def join_statistics(
    zones: gpd.GeoDataFrame, table: pd.DataFrame, *, on: str
) -> gpd.GeoDataFrame:
    """Join a statistics table to zone boundaries by code or name.

    Parameters
    ----------
    zones : GeoDataFrame
        Zone boundaries with a key column ``on`` (code or name).
    table : DataFrame
        Indexed by the same keys (e.g. from :func:`read_statistics`).
    on : str
        Key column of ``zones``; compared as stripped text.

    Returns
    -------
    GeoDataFrame
        ``zones`` (same index, CRS and row order) with the columns of ``table``
        added. Not modified in place.

    Raises
    ------
    SchemaError
        Missing ``on``, repeated zone keys, a column in both, or any key of one
        side without a match on the other -- every unmatched key is listed.
    """
    if on not in zones.columns:
        msg = f"`zones` has no key column {on!r}; columns: {list(zones.columns)}."
        raise SchemaError(msg)
    keys = zones[on].astype(str).str.strip()
    if keys.duplicated().any():
        msg = f"`zones[{on!r}]` repeats key(s) {sorted(set(keys[keys.duplicated()]))}."
        raise SchemaError(msg)
    tkeys = pd.Index(table.index.astype(str).str.strip())
    only_zones = sorted(set(keys) - set(tkeys))
    only_table = sorted(set(tkeys) - set(keys))
    if only_zones or only_table:
        msg = (
            f"`zones[{on!r}]` and the statistics table do not match: zone key(s) without a row "
            f"in the table: {only_zones}; table key(s) without a zone: {only_table}. Fix the "
            "spelling or codes (e.g. leading zeros, 市/县 suffixes) so every key matches."
        )
        raise SchemaError(msg)
    both = sorted(set(zones.columns) & set(table.columns))
    if both:
        msg = f"columns {both} are in both `zones` and the table; rename one of them."
        raise SchemaError(msg)
    joined = table.set_axis(tkeys).reindex(keys.to_numpy())
    joined.index = zones.index
    return gpd.GeoDataFrame(pd.concat([zones, joined], axis=1), geometry=zones.geometry.name,
                            crs=zones.crs)


def zone_statistics(
    zones: gpd.GeoDataFrame,
    path: str | Path,
    *,
    key: str,
    zones_key: str | None = None,
    sheet: str | int | None = None,
    indicators: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Indicators of a statistics table, one row per zone: read, select, rename and join.

    Parameters
    ----------
    zones : GeoDataFrame
        The analysis zones (e.g. from :func:`cityind_gis.units.prepare_zones`).
    path : str or Path
        CSV (UTF-8 or GBK/GB18030) or Excel file, read by :func:`read_statistics`.
    key : str
        Column of the table holding the zone code or name.
    zones_key : str, optional
        Column of ``zones`` holding the same codes or names; default the
        index of ``zones`` (the zone id, ``[zones] id_column``).
    sheet : str or int, optional
        Excel sheet (default the first).
    indicators : mapping, optional
        Table column -> indicator name on the zones (e.g.
        ``{"地区生产总值(亿元)": "gdp"}``); default every column but ``key``,
        names kept.

    Returns
    -------
    DataFrame
        Aligned on ``zones.index``, one float column per indicator.

    Raises
    ------
    SchemaError
        A named column missing from the table or the zones, an empty cell in
        an indicator (zones listed), or keys that do not match -- every key of
        either side without a partner is listed (:func:`join_statistics`).
    """
    table = read_statistics(path, key=key, sheet=sheet,
                            columns=None if indicators is None else list(indicators))
    name = Path(path).name
    chosen = dict(indicators) if indicators is not None else {c: c for c in table.columns}
    table = table[list(chosen)].rename(columns=chosen)
    empty = {c: list(table.index[table[c].isna()])[:10] for c in table.columns
             if table[c].isna().any()}
    if empty:
        msg = (f"statistics table {name!r} has empty cells: {empty} (column: keys); every zone "
               "needs a value of every indicator. Fill them (e.g. from another yearbook) or "
               "leave the column out of `indicators`.")
        raise SchemaError(msg)
    if zones_key is None:
        keys = pd.Series(zones.index.astype(str), index=zones.index)
        label = f"zone id ({zones.index.name or 'index'})"
    elif zones_key not in zones.columns:
        msg = (f"`zones_key` {zones_key!r} is not a column of the zones; columns: "
               f"{[c for c in zones.columns if c != zones.geometry.name]}, or leave it out to "
               "match the zone ids.")
        raise SchemaError(msg)
    else:
        keys, label = zones[zones_key], zones_key
    frame = gpd.GeoDataFrame({label: keys.to_numpy()}, geometry=zones.geometry.to_numpy(),
                             crs=zones.crs, index=zones.index)
    joined = join_statistics(frame, table, on=label)
    return pd.DataFrame(joined[list(table.columns)]).astype(float)


# ------------------------------------------------------------------------- pipeline
