"""Canonical land-use classes and POI categories, and mappings into them.

The mappings are data files (``taxonomy/data/*.csv``) that users extend or
override: a mapping is a table of ``key, value, class`` rows. OSM features carry
many tag keys, so :func:`classify_tags` tries the keys in priority order and,
within a key, an exact value before the ``*`` wildcard. Every feature ends in one
of three states, so nothing is dropped silently:

* a canonical class or category;
* ``"excluded"``: mapped on purpose but not analysed (parking, benches, ...);
* missing (``<NA>``): unmapped, counted by :func:`tag_report`.

Bundled mappings (:data:`BUNDLED_MAPPINGS`) are chosen by name: ``osm_landuse``,
``osm_poi``, ``gb50137`` (GB 50137-2011 urban land use), ``gbt21010`` (GB/T
21010-2017 land-use status), ``euluc`` (EULUC-China level 1/2) and ``amap``
(Amap 6-digit typecodes and ``大类;中类;小类`` text). A value ending in ``*`` is a
prefix: it matches every value that starts with it, the longest prefix winning,
so ``M*`` covers ``M1``, ``M2``, ``M3`` and ``A3*`` covers ``A33``. Several
mappings can be stacked, later ones overriding earlier ones
(``load_mapping(["gb50137", "my_codes.csv"])``).
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
    "BUNDLED_MAPPINGS",
    "normalize_codes",
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


#: Bundled mappings by name: (data file, target: "landuse" or "poi", codes normalised?, what).
BUNDLED_MAPPINGS: dict[str, tuple[str, str, bool, str]] = {
    "osm_landuse": ("osm_landuse.csv", "landuse", False, "OpenStreetMap landuse=* values"),
    "osm_poi": ("osm_poi.csv", "poi", False, "OpenStreetMap POI tags"),
    "gb50137": ("gb50137.csv", "landuse", True, "GB 50137-2011 urban land-use codes"),
    "gbt21010": ("gbt21010.csv", "landuse", True, "GB/T 21010-2017 land-use status codes"),
    "euluc": ("euluc.csv", "landuse", True, "EULUC-China level 1/2 codes and names"),
    "ydyh2023": ("ydyh2023.csv", "landuse", True,
                 "国土空间用地用海分类 (自然资发〔2023〕234号) codes and names"),
    "amap": ("amap.csv", "poi", True, "Amap (高德) typecodes and 大类;中类;小类 text"),
    "building_use": ("building_use.csv", "building", False,
                     "OSM building=* values and Chinese building-use labels"),
}


def normalize_codes(values: pd.Series) -> pd.Series:
    """Normalise class codes before matching (used by the code mappings).

    Parameters
    ----------
    values : Series
        Raw codes or labels, any dtype.

    Returns
    -------
    Series of str (object), aligned to ``values``
        NFKC-normalised (full-width letters, digits and ``；`` to half-width),
        stripped, upper-cased, spaces removed around ``;``; only the first of
        several ``|``-separated values (Amap multi-type exports); a float-like
        ``"601.0"`` loses its ``.0``; an all-digit code of odd length regains its
        leading zero (``50100`` -> ``050100``, ``601`` -> ``0601``, ``1`` -> ``01``)
        except the 3-digit GB/T 21010 survey codes ``201``-``209``. Missing stays missing.
    """
    present = values.notna()
    text = values.astype(object).where(present, "").astype(str).str.normalize("NFKC")
    text = text.str.split("|").str[0].str.strip().str.upper()
    text = text.str.replace(r"\s*;\s*", ";", regex=True)
    text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    odd = text.str.fullmatch(r"\d+") & (text.str.len() % 2 == 1) & ~text.str.fullmatch(r"20\d")
    text = text.where(~odd, "0" + text)
    return text.astype(object).where(present, None)


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


def load_mapping(
    source: str | os.PathLike[str] | pd.DataFrame | Mapping[str, str] | Sequence[object],
) -> pd.DataFrame:
    """Load a mapping into a validated ``key, value, class`` table.

    Parameters
    ----------
    source : str, path, DataFrame, mapping or list of these
        A bundled name (:data:`BUNDLED_MAPPINGS`: ``"osm_landuse"``, ``"osm_poi"``,
        ``"gb50137"``, ``"gbt21010"``, ``"euluc"``, ``"amap"``); a path to a UTF-8
        CSV with columns ``key, value, class`` (``key`` optional, ``category``
        accepted for ``class``; ``#`` starts a comment); a DataFrame with those
        columns; a ``{value: class}`` dict, which gets ``key = "*"`` (any column);
        or a list of these, where a row of a later item replaces the row of an
        earlier one with the same key and value (extend or override a bundled
        mapping: ``["amap", "my_amap_fixes.csv"]``).

    Returns
    -------
    DataFrame
        Columns ``key``, ``value``, ``class`` as strings. ``attrs["normalize"]``
        is True when a bundled code mapping is included: values are then compared
        after :func:`normalize_codes` (the table's own values already are).

    Raises
    ------
    SchemaError
        If columns are missing or a value is mapped twice within one item.
    InputError
        If a path does not exist or a list is empty.
    """
    if isinstance(source, (list, tuple)):
        if not source:
            msg = "`mapping` is an empty list; give at least one bundled name or CSV path."
            raise InputError(msg)
        tables = [load_mapping(item) for item in source]
        normalize = any(t.attrs.get("normalize", False) for t in tables)
        if normalize:
            tables = [t.assign(value=_normalize_mapping_values(t["value"])) for t in tables]
        table = pd.concat(tables, ignore_index=True)
        table = table.drop_duplicates(["key", "value"], keep="last").reset_index(drop=True)
        table.attrs["normalize"] = normalize
        return table
    normalize = False
    if isinstance(source, pd.DataFrame):
        table = source.astype(str).copy()
    elif isinstance(source, Mapping):
        table = pd.DataFrame(
            {"key": "*", "value": [str(k) for k in source],
             "class": [str(v) for v in source.values()]}
        )
    elif str(source) in BUNDLED_MAPPINGS:
        fname, _, normalize, _ = BUNDLED_MAPPINGS[str(source)]
        table = _read_data_csv(fname)
    else:
        if not os.path.exists(source):  # type: ignore[arg-type]
            msg = (
                f"`mapping` file {str(source)!r} does not exist; expected a CSV with columns "
                f"key,value,class or one of the bundled names {sorted(BUNDLED_MAPPINGS)}."
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
    if normalize:
        table["value"] = _normalize_mapping_values(table["value"])
    dup = table.duplicated(["key", "value"], keep=False)
    if dup.any():
        rows = table[dup].drop_duplicates(["key", "value"])
        pairs = [f"{k}={v}" for k, v in zip(rows["key"], rows["value"], strict=True)][:10]
        msg = f"`mapping` maps {pairs} more than once; keep one row per key and value."
        raise SchemaError(msg)
    table = table.reset_index(drop=True)
    table.attrs["normalize"] = normalize
    return table


def _normalize_mapping_values(values: pd.Series) -> pd.Series:
    """Normalise mapping values like data values, keeping a trailing prefix ``*``."""
    star = values.str.endswith("*") & values.ne("*")
    core = normalize_codes(values.where(~star, values.str[:-1]))
    return core.where(~star, core + "*").where(values.ne("*"), "*")


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
        a ``value`` of ``"*"`` matches anything not matched exactly, and a value
        ending in ``*`` (``"M*"``) matches values starting with it (longest prefix
        first, after exact values). With ``mapping.attrs["normalize"]`` (bundled
        code mappings) values pass through :func:`normalize_codes` first.
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
    prefixes = {v[:-1]: c for v, c in exact.items() if v.endswith("*")}
    exact = {v: c for v, c in exact.items() if not v.endswith("*")}
    present = values.notna() & values.astype(str).str.strip().ne("")
    if mapping.attrs.get("normalize", False):
        text = normalize_codes(values).where(present, "").astype(str)
    else:
        text = values.astype(str).str.strip()
    out = text.map(exact).where(present)
    # longest prefix first; one vectorised pass per distinct prefix length
    for n in sorted({len(k) for k in prefixes}, reverse=True):
        todo = out.isna() & present
        if not todo.any():
            break
        out = out.where(~todo, text.str[:n].map({k: c for k, c in prefixes.items() if len(k) == n}))
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
