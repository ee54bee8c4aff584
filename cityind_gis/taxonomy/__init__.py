"""Canonical land-use classes and POI categories, and mappings into them.

The mappings are data files (``taxonomy/data/*.csv``) that users extend or
override: a mapping is a table of ``key, value, class`` rows. OSM features carry
many tag keys, so :func:`classify_tags` tries the keys in priority order and,
within a key, an exact value before the ``*`` wildcard. Every feature ends in one
of three states, so nothing is dropped silently:

* a canonical class or category;
* ``"excluded"``: mapped on purpose but not analysed (parking, benches, ...);
* missing (``<NA>``): unmapped, counted by :func:`tag_report`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

import pandas as pd

from .._errors import InputError, SchemaError

__all__ = [
    "EXCLUDED",
    "OSM_POI_KEYS",
    "landuse_classes",
    "poi_categories",
    "service_categories",
    "load_mapping",
    "classify_tags",
    "classify_values",
    "tag_report",
]

#: Category given to features that a mapping excludes on purpose.
EXCLUDED = "excluded"

#: OSM keys tried, in this priority order, to classify a POI.
OSM_POI_KEYS: tuple[str, ...] = (
    "amenity",
    "healthcare",
    "shop",
    "office",
    "craft",
    "leisure",
    "tourism",
    "public_transport",
    "highway",
    "railway",
    "man_made",
    "industrial",
)


def _read_data_csv(name: str) -> pd.DataFrame:
    path = resources.files(__package__).joinpath("data", name)
    with resources.as_file(path) as p:
        return pd.read_csv(p, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")


@cache
def _landuse_table() -> pd.DataFrame:
    return _read_data_csv("landuse_classes.csv").set_index("class")


@cache
def _poi_table() -> pd.DataFrame:
    return _read_data_csv("poi_categories.csv").set_index("category")


def landuse_classes() -> pd.DataFrame:
    """Canonical land-use classes.

    Returns
    -------
    DataFrame
        Indexed by class name (``industrial``, ``logistics``, ``residential``, ...,
        ``other``), with columns ``group`` (``industry``, ``public_service``, ...),
        ``space`` (三生空间: ``production``, ``living``, ``ecological``, ``other``),
        ``name_zh``, ``name_en`` and the nearest GB 50137-2011 code ``gb50137``.
        The row order is the overlap priority used by
        :func:`cityind_gis.indicators.landuse.flatten_landuse`.
    """
    return _landuse_table().copy()


def poi_categories() -> pd.DataFrame:
    """Canonical POI categories.

    Returns
    -------
    DataFrame
        Indexed by category (``enterprise``, ``education``, ...), with columns
        ``service`` (``"true"`` for urban-function services), ``name_zh``, ``name_en``.
    """
    return _poi_table().copy()


def service_categories() -> list[str]:
    """Names of the POI categories that are urban-function services (all but ``enterprise``).

    Returns
    -------
    list of str
    """
    t = _poi_table()
    return list(t.index[t["service"] == "true"])


def load_mapping(source: str | os.PathLike[str] | pd.DataFrame | Mapping[str, str]) -> pd.DataFrame:
    """Load a mapping into a validated ``key, value, class`` table.

    Parameters
    ----------
    source : str, path, DataFrame or mapping
        ``"osm_landuse"`` or ``"osm_poi"`` for a bundled mapping; a path to a
        UTF-8 CSV with columns ``key, value, class`` (``#`` starts a comment);
        a DataFrame with those columns; or a ``{value: class}`` dict, which gets
        ``key = "*"`` (any column).

    Returns
    -------
    DataFrame
        Columns ``key``, ``value``, ``class`` as strings.

    Raises
    ------
    SchemaError
        If columns are missing or a value is mapped twice within a key.
    InputError
        If a path does not exist.
    """
    if isinstance(source, pd.DataFrame):
        table = source.astype(str).copy()
    elif isinstance(source, Mapping):
        table = pd.DataFrame(
            {"key": "*", "value": [str(k) for k in source], "class": [str(v) for v in source.values()]}
        )
    elif str(source) in ("osm_landuse", "osm_poi"):
        table = _read_data_csv(f"{source}.csv")
    else:
        if not os.path.exists(source):
            msg = (
                f"`mapping` file {str(source)!r} does not exist; expected a CSV with columns "
                "key,value,class or one of the bundled names 'osm_landuse', 'osm_poi'."
            )
            raise InputError(msg)
        table = pd.read_csv(source, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    if "category" in table.columns and "class" not in table.columns:
        table = table.rename(columns={"category": "class"})
    if "key" not in table.columns and {"value", "class"} <= set(table.columns):
        table = table.assign(key="*")
    missing = [c for c in ("key", "value", "class") if c not in table.columns]
    if missing:
        msg = (
            f"`mapping` is missing column(s) {missing}; it has {list(table.columns)}. "
            "A mapping table needs columns key,value,class (key may be '*')."
        )
        raise SchemaError(msg)
    table = table[["key", "value", "class"]].astype(str)
    for col in ("key", "value", "class"):
        table[col] = table[col].str.strip()
    dup = table.duplicated(["key", "value"], keep=False)
    if dup.any():
        rows = table[dup].drop_duplicates(["key", "value"])
        pairs = [f"{k}={v}" for k, v in zip(rows["key"], rows["value"], strict=True)][:10]
        msg = f"`mapping` maps {pairs} more than once; keep one row per key and value."
        raise SchemaError(msg)
    return table.reset_index(drop=True)


def check_classes(mapping: pd.DataFrame, allowed: Sequence[str], name: str = "mapping") -> None:
    """Raise :class:`SchemaError` if ``mapping`` targets classes outside ``allowed``.

    Parameters
    ----------
    mapping : DataFrame
        Table from :func:`load_mapping`.
    allowed : sequence of str
        Canonical class names (plus ``"excluded"``, always allowed).
    name : str
        Argument name for the message.
    """
    unknown = sorted(set(mapping["class"]) - set(allowed) - {EXCLUDED})
    if unknown:
        msg = (
            f"`{name}` maps to unknown class(es) {unknown}; expected one of "
            f"{sorted(allowed)} or '{EXCLUDED}'. Fix the class names in the mapping file."
        )
        raise SchemaError(msg)


def classify_values(values: pd.Series, mapping: pd.DataFrame, *, key: str = "*") -> pd.Series:
    """Map the values of one column to classes.

    Parameters
    ----------
    values : Series
        Codes or labels (e.g. GB 50137 codes, OSM ``landuse`` values). Compared as
        stripped strings.
    mapping : DataFrame
        Table from :func:`load_mapping`. Rows whose ``key`` is ``key`` or ``"*"`` apply;
        a ``value`` of ``"*"`` matches anything not matched exactly.
    key : str, default "*"
        The tag key or column name these values come from.

    Returns
    -------
    Series
        Class per row (object dtype), ``<NA>`` where unmapped or missing; aligned to
        ``values.index``.
    """
    rows = mapping[mapping["key"].isin([key, "*"])]
    # A row for this exact key beats a generic "*" row for the same value.
    rows = rows.assign(_generic=rows["key"].eq("*")).sort_values("_generic", kind="stable")
    rows = rows.drop_duplicates("value", keep="first")
    exact = dict(zip(rows["value"], rows["class"], strict=True))
    wildcard = exact.pop("*", None)
    present = values.notna() & values.astype(str).str.strip().ne("")
    text = values.astype(str).str.strip()
    out = text.map(exact).where(present)
    if wildcard is not None:
        out = out.where(out.notna() | ~present, wildcard)
    return out.astype(object).where(out.notna(), None).rename(values.name)


def classify_tags(
    tags: pd.DataFrame, mapping: pd.DataFrame, *, keys: Sequence[str] | None = None
) -> pd.Series:
    """Classify features that carry several tag columns (OSM style).

    Parameters
    ----------
    tags : DataFrame
        One column per tag key (missing keys are skipped).
    mapping : DataFrame
        Table from :func:`load_mapping`.
    keys : sequence of str, optional
        Keys in priority order; the first key whose value is mapped decides.
        Defaults to the keys in ``mapping`` in their file order.

    Returns
    -------
    Series
        Class per feature, ``"excluded"`` for deliberate exclusions, ``None``
        where no key is mapped; aligned to ``tags.index``, named ``class``.
    """
    if keys is None:
        keys = list(dict.fromkeys(k for k in mapping["key"] if k != "*"))
    out = pd.Series(None, index=tags.index, dtype=object, name="class")
    for key in keys:  # a loop over a dozen keys, vectorised over features
        if key not in tags.columns:
            continue
        todo = out.isna()
        if not todo.any():
            break
        got = classify_values(tags.loc[todo, key], mapping, key=key)
        out.loc[todo] = got
    return out.where(out.notna(), None)


def tag_report(
    tags: pd.DataFrame, classes: pd.Series, *, keys: Sequence[str], layer: str
) -> pd.DataFrame:
    """Count unmapped and excluded tag values, so nothing disappears unseen.

    Parameters
    ----------
    tags : DataFrame
        The tag columns that were classified.
    classes : Series
        Result of :func:`classify_tags` or :func:`classify_values`, aligned to ``tags``.
    keys : sequence of str
        Keys to report on, in priority order.
    layer : str
        Layer name written in the ``layer`` column (e.g. ``"pois"``).

    Returns
    -------
    DataFrame
        Columns ``layer``, ``status`` (``"unmapped"`` or ``"excluded"``), ``key``,
        ``value``, ``count``; sorted by status then descending count. An unmapped
        feature is listed under the first key it has a value for (``value`` is
        ``"<no tag>"`` when it has none).
    """
    frames = []
    for status, mask in (("unmapped", classes.isna()), ("excluded", classes.eq(EXCLUDED))):
        if not mask.any():
            continue
        sub = tags.loc[mask, [k for k in keys if k in tags.columns]]
        present = sub.notna() & sub.astype(str).ne("")
        first_key = present.idxmax(axis=1).where(present.any(axis=1), "")
        vals = pd.Series(
            [sub.at[i, k] if k else "<no tag>" for i, k in first_key.items()],
            index=sub.index,
            dtype=object,
        )
        counts = (
            pd.DataFrame({"key": first_key, "value": vals.astype(str)})
            .value_counts()
            .rename("count")
            .reset_index()
        )
        counts.insert(0, "status", status)
        frames.append(counts)
    cols = ["layer", "status", "key", "value", "count"]
    if not frames:
        return pd.DataFrame(columns=cols)
    report = pd.concat(frames, ignore_index=True)
    report.insert(0, "layer", layer)
    return report.sort_values(["status", "count"], ascending=[False, False], kind="stable")[cols]
