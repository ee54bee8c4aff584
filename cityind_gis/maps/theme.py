"""One theme for every map: palettes, grade names and LISA cluster labels.

The web map (:mod:`~cityind_gis.maps.web`, :mod:`~cityind_gis.maps.web_panel`),
the print maps (:mod:`~cityind_gis.maps.static`), the QGIS styles
(:mod:`~cityind_gis.maps.styles`) and the HTML report
(:mod:`~cityind_gis.maps.report`) all take their colours and labels from here,
so a cell has the same colour in the browser, on paper and in QGIS. This module
imports nothing from :mod:`cityind_gis.maps` (it is the bottom of the maps
package) and nothing that draws: no folium, no matplotlib.

Palettes
--------
GRADE_COLORS : tuple of 10 str
    Fill of the 10 coordination grades, level 1 first (ColorBrewer RdYlBu 10).
NODATA_COLOR : str
    Fill of units whose D (grade) is missing.
NOT_ANALYSED_COLOR : str
    Fill of units outside the analysis domain (``analysed`` False), on every map.
TYPOLOGY_COLORS : dict of str to str
    City–industry types (``typology_code``; ColorBrewer Dark2 and a pale sand for "both low").
INDEX_COLORS : tuple of 7 str
    Ramp of the subsystem indices U1 and U2 on [0, 1] (ColorBrewer YlGnBu 7).
GAP_COLORS : tuple of 7 str
    Service-gap cells by number of missing categories 1 ... >= 7 (ColorBrewer RdPu 7).
POI_COLORS : tuple of 10 str
    POI categories in sorted category order, cycled (matplotlib tab10).
LISA_COLORS : dict of str to str
    Local Moran clusters ``HH``, ``LL``, ``LH``, ``HL``, ``ns`` (GeoDa / esda convention).
CHANGE_COLORS : tuple of 11 str
    Diverging ramp of a change of D, ΔD, red = fell, blue = rose (ColorBrewer RdBu 11).
LANDUSE_COLORS : dict of str to str
    Canonical land-use classes, customary colours of Chinese land-use plans.
BUILDING_COLORS : dict of str to str
    Building use classes of the ``buildings`` layer.

Labels
------
LISA_NAMES : dict of str to dict of str to str
    ``lang -> cluster key -> name`` for ``lang`` in ``"zh"``, ``"en"``.
LISA_CODES : dict of int to str
    esda's ``Moran_Local.q`` codes (1 HH, 2 LH, 3 LL, 4 HL; 0 not significant).
LISA_COLUMNS : tuple of str
    Column names recognised as holding LISA clusters, in order of preference.
BUILDING_NAMES : dict of str to dict of str to str
    ``lang -> building use -> name``.
NOT_ANALYSED_LABEL : str
    Legend entry of units outside the analysis domain, "not analysed / 未分析".

Helpers
-------
grade_names, grade_classes, grade_levels, grade_color, gap_color,
lisa_column, lisa_key, lisa_label, not_analysed.

Notes
-----
Every palette is fixed (not fitted to the data), so maps of different cities and
years compare. The grade names are those of
:data:`cityind_gis.coupling.GRADES_10` (廖重斌 1999's ten-class scheme).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._errors import SchemaError
from .._validate import check_lang
from ..coupling import GRADES_10

__all__ = [
    "GRADE_COLORS",
    "NODATA_COLOR",
    "NOT_ANALYSED_COLOR",
    "NOT_ANALYSED_LABEL",
    "TYPOLOGY_COLORS",
    "not_analysed",
    "INDEX_COLORS",
    "GAP_COLORS",
    "POI_COLORS",
    "LISA_COLORS",
    "CHANGE_COLORS",
    "LANDUSE_COLORS",
    "BUILDING_COLORS",
    "BUILDING_NAMES",
    "LISA_NAMES",
    "LISA_CODES",
    "LISA_COLUMNS",
    "gap_color",
    "grade_classes",
    "grade_color",
    "grade_levels",
    "grade_names",
    "lisa_column",
    "lisa_key",
    "lisa_label",
]

# ----------------------------------------------------------------------------- palettes

#: Fill colour of each of the 10 coordination grades (level 1 first), shared by
#: the web and the static maps. ColorBrewer RdYlBu (10 classes), a diverging,
#: colour-blind-safe scheme: reds and oranges for the five imbalance grades
#: (levels 1-5, D < 0.5), pale to dark blue for the five coordination grades
#: (levels 6-10, D >= 0.5). Fixed, so maps of different cities and years compare.
GRADE_COLORS: tuple[str, ...] = (
    "#a50026",  # 1 extreme imbalance
    "#d73027",  # 2 severe imbalance
    "#f46d43",  # 3 moderate imbalance
    "#fdae61",  # 4 mild imbalance
    "#fee090",  # 5 on the verge of imbalance
    "#e0f3f8",  # 6 barely coordinated
    "#abd9e9",  # 7 primary coordination
    "#74add1",  # 8 intermediate coordination
    "#4575b4",  # 9 good coordination
    "#313695",  # 10 high-quality coordination
)

#: Fill of cells whose D (grade) is missing.
NODATA_COLOR = "#bdbdbd"

#: Fill of units outside the analysis domain (``analysed`` False), on every map.
NOT_ANALYSED_COLOR = "#bdbdbd"

#: Legend entry of units outside the analysis domain, on every map and style.
NOT_ANALYSED_LABEL = "not analysed / 未分析"

#: Fill of the city–industry types (``typology_code``, :mod:`cityind_gis.typology`):
#: ColorBrewer Dark2 for the three directions, a pale sand for "both low".
TYPOLOGY_COLORS: dict[str, str] = {
    "industry_leading": "#d95f02",
    "city_leading": "#7570b3",
    "synchronous": "#1b9e77",
    "both_low": "#f6e8c3",
}


def not_analysed(grid: pd.DataFrame) -> np.ndarray:
    """Boolean array: True for units outside the analysis domain (``analysed`` False).

    Parameters
    ----------
    grid : DataFrame
        Units, with or without an ``analysed`` column (without: all analysed).

    Returns
    -------
    ndarray of bool
    """
    if "analysed" not in grid.columns:
        return np.zeros(len(grid), dtype=bool)
    flag = pd.Series(grid["analysed"]).astype("boolean").fillna(False)
    return ~flag.to_numpy(dtype=bool)

#: Sequential ramp (ColorBrewer YlGnBu) of the subsystem indices U1 and U2 on a
#: fixed [0, 1] domain, so the two layers are directly comparable.
INDEX_COLORS: tuple[str, ...] = (
    "#ffffcc",
    "#c7e9b4",
    "#7fcdbb",
    "#41b6c4",
    "#1d91c0",
    "#225ea8",
    "#0c2c84",
)

#: Outline colour of service-gap cells by number of missing service categories
#: (1, 2, ..., 7 or more: the default service categories), ColorBrewer RdPu 7:
#: distinct from both ramps above.
GAP_COLORS: tuple[str, ...] = (
    "#fcc5c0", "#fa9fb5", "#f768a1", "#dd3497", "#ae017e", "#7a0177", "#49006a",
)

#: Colours of POI categories, given out in sorted category order (cycled).
POI_COLORS: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

#: Fill colours of local Moran (LISA) clusters, the convention of GeoDa and esda:
#: hot spots red, cold spots blue, outliers pale, not significant grey.
LISA_COLORS: dict[str, str] = {
    "HH": "#d7191c",
    "LL": "#2c7bb6",
    "LH": "#abd9e9",
    "HL": "#fdae61",
    "ns": "#d9d9d9",
}

#: Diverging ramp of a change of D between two periods (ΔD), ColorBrewer RdBu
#: (11 classes), the colours of the print map ``d_change.png``: red where D fell,
#: white (the middle colour) where it did not change, blue where it rose, as the
#: grade colours run from red imbalance to blue coordination. The web panel map
#: spreads it over a scale symmetric around 0, :math:`[-m, m]`.
CHANGE_COLORS: tuple[str, ...] = (
    "#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
    "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061",
)

#: Fill colours of the canonical land-use classes, after the customary colours of
#: Chinese land-use plans (GB 50137-2011 practice): residential yellow,
#: commercial red, industrial brown, logistics purple, public services pink,
#: green space green, water blue.
LANDUSE_COLORS: dict[str, str] = {
    "industrial": "#bb9674",
    "logistics": "#a080b0",
    "residential": "#ffef8a",
    "commercial": "#f0605a",
    "business": "#e07b7b",
    "administration": "#f5a3c7",
    "education": "#f7b6d2",
    "healthcare": "#f28fb5",
    "culture_sports": "#e9a2d8",
    "transport": "#b4b4b4",
    "utilities": "#7aa6c2",
    "green": "#7cc576",
    "water": "#8fd3f0",
    "agriculture": "#d6e8a4",
    "other": "#e6e6e6",
}

#: Fill colours of the building use classes of the ``buildings`` layer, darker
#: versions of the matching land-use colours.
BUILDING_COLORS: dict[str, str] = {
    "industrial": "#8c5a3c",
    "logistics": "#7a5a96",
    "residential": "#e6c84a",
    "commercial": "#d9463f",
    "public": "#d97bb0",
    "other": "#a6a6a6",
}

# ----------------------------------------------------------------------------- labels

#: Names of the building use classes, by language.
BUILDING_NAMES: dict[str, dict[str, str]] = {
    "zh": {"industrial": "工业建筑", "logistics": "物流仓储建筑", "residential": "居住建筑",
           "commercial": "商业办公建筑", "public": "公共建筑", "other": "其他建筑"},
    "en": {"industrial": "industrial", "logistics": "logistics", "residential": "residential",
           "commercial": "commercial and office", "public": "public", "other": "other"},
}

#: Names of the LISA cluster keys, by language.
LISA_NAMES: dict[str, dict[str, str]] = {
    "zh": {"HH": "高-高聚集", "LL": "低-低聚集", "LH": "低-高异常", "HL": "高-低异常",
           "ns": "不显著"},
    "en": {"HH": "high-high cluster", "LL": "low-low cluster", "LH": "low-high outlier",
           "HL": "high-low outlier", "ns": "not significant"},
}

#: esda's ``Moran_Local.q`` codes: 1 HH, 2 LH, 3 LL, 4 HL (0 = not significant).
LISA_CODES: dict[int, str] = {1: "HH", 2: "LH", 3: "LL", 4: "HL", 0: "ns"}

#: Columns recognised as holding LISA clusters, the first present wins.
LISA_COLUMNS: tuple[str, ...] = ("lisa_cluster", "lisa_label", "lisa_quadrant", "lisa", "cluster")

#: Spellings of the cluster keys, lower-case letters only -> key.
_LISA_SPELLINGS: dict[str, str | None] = {
    "hh": "HH", "highhigh": "HH", "ll": "LL", "lowlow": "LL", "lh": "LH", "lowhigh": "LH",
    "hl": "HL", "highlow": "HL", "ns": "ns", "notsignificant": "ns", "nonsignificant": "ns",
    "insignificant": "ns", "": None,
}

# ----------------------------------------------------------------------------- helpers


def grade_names(lang: str) -> dict[int, str]:
    """Name of each coordination grade in ``lang``.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of the names.

    Returns
    -------
    dict of int to str
        Level 1-10 -> name, from :data:`cityind_gis.coupling.GRADES_10`.

    Raises
    ------
    InputError
        If ``lang`` is not "zh" or "en".

    Examples
    --------
    >>> grade_names("zh")[6]
    '勉强协调'
    """
    col = 3 if check_lang(lang) == "zh" else 4
    return {int(row[0]): str(row[col]) for row in GRADES_10}


def grade_classes(lang: str) -> list[tuple[int, float, float, str]]:
    """The 10 grades as ``(level, lower D, upper D, name in lang)``, level 1 first.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of the names.

    Returns
    -------
    list of (int, float, float, str)
        Level k covers :math:`[0.1(k-1), 0.1k)` (level 10 closed at 1).

    Raises
    ------
    InputError
        If ``lang`` is not "zh" or "en".
    """
    k = 3 if check_lang(lang) == "zh" else 4
    return [(int(r[0]), float(r[1]), float(r[2]), str(r[k])) for r in GRADES_10]


def grade_levels(grid: pd.DataFrame, name: str) -> pd.Series:
    """``grid["grade_level"]`` as a nullable Int64 Series, checked to lie in 1..10.

    Parameters
    ----------
    grid : DataFrame
        Table with a ``grade_level`` column (integers 1-10 or missing). Not modified.
    name : str
        Argument name used in messages.

    Returns
    -------
    pandas.Series
        Int64 levels aligned to ``grid.index``, ``<NA>`` where missing.

    Raises
    ------
    SchemaError
        If a value is not a whole number in 1-10.
    """
    raw = grid["grade_level"]
    try:
        levels = pd.to_numeric(raw, errors="raise").astype("Float64")
    except (TypeError, ValueError) as exc:
        msg = (
            f"`{name}['grade_level']` must hold integer levels 1-10 (or missing); found "
            f"dtype {raw.dtype}. Compute it with `cityind_gis.coupling.coordination_level`."
        )
        raise SchemaError(msg) from exc
    known = levels.dropna()
    bad = known[(known < 1) | (known > 10) | (known != known.round())]
    if len(bad):
        msg = (
            f"`{name}['grade_level']` must hold integer levels 1-10 (or missing); found "
            f"{len(bad)} other value(s), e.g. {sorted(set(bad.tolist()))[:5]}. Compute it "
            "with `cityind_gis.coupling.coordination_level`."
        )
        raise SchemaError(msg)
    return levels.round().astype("Int64")


def grade_color(level: Any) -> str:
    """Fill of grade ``level`` (1-10) from :data:`GRADE_COLORS`; :data:`NODATA_COLOR` if missing."""
    if level is None or pd.isna(level):
        return NODATA_COLOR
    return GRADE_COLORS[int(level) - 1]


def gap_color(n_missing: Any) -> str:
    """Colour of a gap cell missing ``n_missing`` categories (the last colour for >= 7).

    Missing values and counts below 1 get the first colour.
    """
    if n_missing is None or pd.isna(n_missing) or int(n_missing) < 1:
        return GAP_COLORS[0]
    return GAP_COLORS[min(int(n_missing), len(GAP_COLORS)) - 1]


def lisa_column(columns: Sequence[str]) -> str | None:
    """The first of :data:`LISA_COLUMNS` among ``columns``, or None."""
    return next((c for c in LISA_COLUMNS if c in columns), None)


def lisa_key(value: Any) -> str | None:
    """Cluster key ``HH``/``LL``/``LH``/``HL``/``ns`` of one LISA value, or None.

    Parameters
    ----------
    value : int, float, str or None
        An esda quadrant code (1-4, 0 = not significant, :data:`LISA_CODES`), an
        English label in any spelling (``"HH"``, ``"High-High"``, ``"not
        significant"``) or a name of :data:`LISA_NAMES` (``"高-高聚集"``).

    Returns
    -------
    str or None
        None for missing or unrecognised values.

    Examples
    --------
    >>> lisa_key(3), lisa_key("High-Low"), lisa_key("不显著")
    ('LL', 'HL', 'ns')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return LISA_CODES.get(int(value))
    text = str(value).strip()
    by_name = {name: key for names in LISA_NAMES.values() for key, name in names.items()}
    if text in by_name:  # first: a Chinese name has no letters a-z left to normalise
        return by_name[text]
    return _LISA_SPELLINGS.get(re.sub(r"[^a-z]", "", text.lower()))


def lisa_label(key: str, lang: str) -> str:
    """Legend label of cluster ``key``: ``"HH high-high cluster"``, or ``"not significant"``.

    Parameters
    ----------
    key : {"HH", "LL", "LH", "HL", "ns"}
        Cluster key, e.g. from :func:`lisa_key`.
    lang : {"zh", "en"}
        Language of the name.

    Returns
    -------
    str
    """
    name = LISA_NAMES[check_lang(lang)][key]
    return name if key == "ns" else f"{key} {name}"
