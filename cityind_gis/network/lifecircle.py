"""Community life circles (社区生活圈): 5-, 10- and 15-minute completeness per unit.

GB 50180-2018 (城市居住区规划设计标准) divides residential areas by walking time
into 15-, 10- and 5-minute life circles, each with a walking distance and a list
of facilities; TD/T 1062-2021 (社区生活圈规划技术指南) builds on it. The defaults
live in ``taxonomy/data/life_circles.csv``, one row per (level, facility), each
with its source and whether it was checked against a published text. Each
facility is stood for by one of our POI categories, so a level is *complete* for
a unit when every required category has a facility within the level's walking
distance. See ``docs/accessibility.md``.
"""

from __future__ import annotations

import os
from importlib import resources

import numpy as np
import pandas as pd

from .._errors import InputError, SchemaError
from .._validate import check_columns
from ..taxonomy import poi_categories

__all__ = ["LIFE_CIRCLE_COLUMNS", "STANDARD_COLUMNS", "WALK_SPEED", "life_circles",
           "life_circle_requirements", "life_circle_coverage", "service_standards",
           "walk_minutes", "walk_metres"]

#: The one walking speed of cityind_gis, in metres per minute (1 m/s, 3.6 km/h), for
#: every conversion between minutes and metres. It reproduces the 5-minute circle of
#: GB 50180-2018 exactly (300 m); the standard's 10- and 15-minute distances (500 m,
#: 1,000 m) imply 50 and 67 m/min, so 60 m/min sits between them. Healthy adults walk
#: about 80 m/min; workers in shifts, older people and children walk slower, and the
#: standard's distances, not a speed, are the defaults of every threshold.
WALK_SPEED: float = 60.0

#: Columns of a service-standard table (``taxonomy/data/service_standards.csv``).
STANDARD_COLUMNS: tuple[str, ...] = ("category", "life_circle", "threshold_m", "basis",
                                     "source", "clause", "status")


def _read_text_table(path: str | os.PathLike[str] | None, bundled: str,
                     what: str) -> tuple[pd.DataFrame, str]:
    """A CSV of text cells (``#`` comments): the bundled ``bundled`` or the user's ``path``."""
    if path is None:
        ref = resources.files("cityind_gis.taxonomy").joinpath("data", bundled)
        with resources.as_file(ref) as p:
            table = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
        return table, bundled
    if not os.path.isfile(path):
        msg = f"{what} {str(path)!r} does not exist; give a CSV file."
        raise InputError(msg)
    table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    return table, os.path.basename(path)


def walk_minutes(metres: float | np.ndarray, *, walk_speed: float = WALK_SPEED) -> np.ndarray:
    """Walking time in minutes of a distance in metres, at ``walk_speed`` m/min.

    Examples
    --------
    >>> float(walk_minutes(900))
    15.0
    """
    return np.asarray(metres, dtype=float) / _check_speed(walk_speed)


def walk_metres(minutes: float | np.ndarray, *, walk_speed: float = WALK_SPEED) -> np.ndarray:
    """Walking distance in metres of a time in minutes, at ``walk_speed`` m/min.

    Examples
    --------
    >>> float(walk_metres(5))
    300.0
    """
    return np.asarray(minutes, dtype=float) * _check_speed(walk_speed)


def _check_speed(walk_speed: float) -> float:
    if isinstance(walk_speed, bool) or not isinstance(walk_speed, (int, float, np.number)) \
            or not (np.isfinite(walk_speed) and walk_speed > 0):
        msg = (f"`walk_speed` must be a positive number of metres per minute, got "
               f"{walk_speed!r}; e.g. `walk_speed={WALK_SPEED:g}`.")
        raise InputError(msg)
    return float(walk_speed)

#: Columns of a life-circle table (``taxonomy/data/life_circles.csv``).
LIFE_CIRCLE_COLUMNS: tuple[str, ...] = (
    "level", "minutes", "walk_distance_m", "walk_distance_range_m", "residents", "facility",
    "facility_zh", "facility_en", "poi_category", "required", "source", "clause", "status",
)


def life_circles(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Life-circle levels and their facilities, from the bundled table or your own CSV.

    Parameters
    ----------
    path : str or path-like, optional
        A UTF-8 CSV with the columns of :data:`LIFE_CIRCLE_COLUMNS` (``#`` starts a
        comment line). Default: the bundled GB 50180-2018 table.

    Returns
    -------
    DataFrame
        One row per (level, facility): ``level`` (e.g. ``"15min"``), ``minutes``
        (int), ``walk_distance_m`` (float, metres), ``poi_category``, ``required``
        (bool), names in Chinese and English, ``source``, ``clause`` and ``status``
        (``confirmed`` or ``unverified``).

    Raises
    ------
    SchemaError
        If a column is missing, a POI category is unknown, a level has several
        distances or minutes, distances are not positive, or ``required`` is not
        ``true``/``false``.
    InputError
        If ``path`` does not exist.
    """
    table, name = _read_text_table(path, "life_circles.csv", "life-circle table")
    check_columns(table, ["level", "minutes", "walk_distance_m", "facility", "poi_category",
                          "required"], name)
    for col in LIFE_CIRCLE_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    table = table[list(LIFE_CIRCLE_COLUMNS)].copy()
    table = table.apply(lambda s: s.str.strip())
    known = set(poi_categories().index)
    bad = sorted(set(table["poi_category"]) - known)
    if bad:
        msg = (f"`{name}` maps facilities to unknown POI categories {bad}; "
               f"use one of {sorted(known)}.")
        raise SchemaError(msg)
    req = table["required"].str.lower()
    if not req.isin(["true", "false"]).all():
        msg = f"`{name}` column `required` must hold true or false, got {sorted(set(req))}."
        raise SchemaError(msg)
    table["required"] = req.eq("true")
    try:
        table["minutes"] = table["minutes"].astype(float)
        table["walk_distance_m"] = table["walk_distance_m"].astype(float)
    except ValueError as exc:
        msg = f"`{name}` columns `minutes` and `walk_distance_m` must be numbers: {exc}."
        raise SchemaError(msg) from exc
    if (table["walk_distance_m"] <= 0).any() or (table["minutes"] <= 0).any():
        msg = f"`{name}` has non-positive `minutes` or `walk_distance_m`; both must be > 0."
        raise SchemaError(msg)
    per_level = table.groupby("level")[["minutes", "walk_distance_m"]].nunique()
    if (per_level > 1).any().any():
        msg = (f"`{name}` gives one level several `minutes` or `walk_distance_m` values: "
               f"{sorted(per_level.index[(per_level > 1).any(axis=1)])}; give one per level.")
        raise SchemaError(msg)
    return table.sort_values(["minutes", "facility"], kind="stable").reset_index(drop=True)


def life_circle_requirements(
    circles: pd.DataFrame | None = None,
    *,
    walk_speed: float | None = None,
    levels: list[str] | None = None,
) -> pd.DataFrame:
    """What each level requires: one row per (level, POI category).

    Parameters
    ----------
    circles : DataFrame, optional
        From :func:`life_circles`; default the bundled table.
    walk_speed : float, optional
        Walking speed in metres per minute. When given, each level's distance is
        ``minutes * walk_speed`` instead of the standard's walking distance (e.g.
        80 m/min makes the 15-minute circle 1,200 m; :data:`WALK_SPEED`, 60 m/min,
        makes it 900 m). Default None: the standard's distances.
    levels : list of str, optional
        Levels to keep (e.g. ``["15min"]``); default all.

    Returns
    -------
    DataFrame
        Columns ``level``, ``minutes``, ``distance_m``, ``poi_category``,
        ``facilities`` and ``facilities_zh`` (the standard's facilities this
        category stands for, ``;``-separated), required rows only, ordered by
        minutes then category.

    Raises
    ------
    InputError
        If ``walk_speed`` is not positive or ``levels`` names unknown levels.
    """
    table = life_circles() if circles is None else circles
    if walk_speed is not None and not (np.isfinite(walk_speed) and walk_speed > 0):
        msg = f"`walk_speed` must be a positive number of metres per minute, got {walk_speed!r}."
        raise InputError(msg)
    if levels is not None:
        unknown = sorted(set(levels) - set(table["level"]))
        if unknown:
            msg = f"`levels` holds unknown levels {unknown}; known: {sorted(set(table['level']))}."
            raise InputError(msg)
        table = table[table["level"].isin(levels)]
    table = table[table["required"]]
    grouped = table.groupby(["level", "poi_category"], sort=False).agg(
        minutes=("minutes", "first"),
        distance_m=("walk_distance_m", "first"),
        facilities=("facility", ";".join),
        facilities_zh=("facility_zh", "、".join),
    ).reset_index()
    if walk_speed is not None:
        grouped["distance_m"] = grouped["minutes"] * float(walk_speed)
    grouped = grouped.sort_values(["minutes", "poi_category"], kind="stable").reset_index(drop=True)
    return grouped[["level", "minutes", "distance_m", "poi_category", "facilities",
                    "facilities_zh"]]


def _level_key(level: str) -> str:
    """``'15min' -> 'lc15'`` for column names."""
    digits = "".join(ch for ch in level if ch.isalnum())
    return "lc" + digits.removesuffix("min")


def life_circle_coverage(
    units: pd.DataFrame,
    requirements: pd.DataFrame | None = None,
    *,
    walk_speed: float | None = None,
    distance_prefix: str = "net_dist_",
) -> pd.DataFrame:
    r"""Which life-circle levels each unit completes, what is missing, and a coverage score.

    Parameters
    ----------
    units : DataFrame or GeoDataFrame
        One row per unit (cell, parcel, node) with a walking-distance column
        ``{distance_prefix}{category}`` in metres (NaN = unreachable) for every
        category the requirements name, e.g. from
        :func:`~cityind_gis.network.nearest_facility_distance`.
    requirements : DataFrame, optional
        From :func:`life_circle_requirements`; default the bundled standard.
    walk_speed : float, optional
        Metres per minute; only used when ``requirements`` is None.
    distance_prefix : str, default "net_dist_"
        Prefix of the distance columns.

    Returns
    -------
    DataFrame
        Aligned to ``units.index``. Per level ``L`` (``lc5``, ``lc10``, ``lc15``):
        ``{L}_complete`` (bool), ``{L}_score`` (share of the level's required
        categories within its distance, 0-1), ``{L}_missing`` (the standard's
        facilities whose category is missing, ``;``-separated English keys) and
        ``{L}_missing_zh`` (Chinese names, ``、``-separated); then ``lc_score``,
        the share of all (level, category) requirements met, 0-1.

    Raises
    ------
    SchemaError
        If a distance column is missing.

    Notes
    -----
    Requirement :math:`r = (L, k)` of level :math:`L` with distance :math:`D_L` is
    met by unit :math:`z` when :math:`d_{z,k} \le D_L`. Then
    :math:`\text{score}_L(z) = |\{k : d_{z,k} \le D_L\}| / K_L` and
    :math:`\text{lc\_score}(z) = \sum_L |\{k : d_{z,k} \le D_L\}| / \sum_L K_L`:
    every requirement weighs the same, so the 5-minute level, which lists the
    most everyday facilities, weighs most. Several facilities standing for one
    category (kindergarten and nursery both ``education``) form one requirement.
    """
    req = life_circle_requirements(walk_speed=walk_speed) if requirements is None else requirements
    check_columns(req, ["level", "minutes", "distance_m", "poi_category", "facilities"],
                  "requirements")
    cols = [f"{distance_prefix}{c}" for c in pd.unique(req["poi_category"])]
    check_columns(units, cols, "units")
    zh = "facilities_zh" in req.columns
    out: dict[str, object] = {}
    met_total = np.zeros(len(units))
    for level, grp in req.groupby("level", sort=False):  # a handful of levels
        key = _level_key(str(level))
        d = units[[f"{distance_prefix}{c}" for c in grp["poi_category"]]].to_numpy(dtype=float)
        met = d <= grp["distance_m"].to_numpy(dtype=float)[None, :]  # NaN -> not met
        missing = np.full(len(units), "", dtype=object)
        missing_zh = np.full(len(units), "", dtype=object)
        for j, (fac, fac_zh) in enumerate(zip(grp["facilities"],
                                              grp["facilities_zh"] if zh else grp["facilities"],
                                              strict=True)):
            missing = np.where(~met[:, j], missing + np.where(missing == "", "", ";") + fac,
                               missing)
            missing_zh = np.where(~met[:, j],
                                  missing_zh + np.where(missing_zh == "", "", "、") + fac_zh,
                                  missing_zh)
        out[f"{key}_complete"] = met.all(axis=1)
        out[f"{key}_score"] = met.mean(axis=1)
        out[f"{key}_missing"] = missing
        out[f"{key}_missing_zh"] = missing_zh
        met_total += met.sum(axis=1)
    out["lc_score"] = met_total / max(len(req), 1)
    return pd.DataFrame(out, index=units.index)


def service_standards(
    path: str | os.PathLike[str] | None = None,
    *,
    overrides: dict[str, float] | None = None,
    circles: pd.DataFrame | None = None,
    walk_speed: float | None = None,
) -> pd.DataFrame:
    """Walking-distance threshold of each POI category, for graded service gaps.

    Parameters
    ----------
    path : str or path-like, optional
        A UTF-8 CSV with the columns of :data:`STANDARD_COLUMNS` (``#`` comments).
        Default: the bundled ``taxonomy/data/service_standards.csv``.
    overrides : dict, optional
        ``{category: metres}`` replacing (or adding) thresholds; such rows get
        ``source = "user"``.
    circles : DataFrame, optional
        Life-circle table (:func:`life_circles`) that rows with a ``life_circle``
        level read their distance from; default the bundled one.
    walk_speed : float, optional
        Metres per minute; when given, a level's distance is its minutes times
        this speed (as in :func:`life_circle_requirements`).

    Returns
    -------
    DataFrame
        Indexed by ``category``: ``threshold_m`` (float, metres), ``life_circle``,
        ``basis``, ``source``, ``clause`` and ``status``.

    Raises
    ------
    SchemaError
        If a column is missing, a category is unknown or repeated, a row gives
        both or neither of ``life_circle`` and ``threshold_m``, a level is not in
        the life-circle table, or a threshold is not a positive number.
    InputError
        If ``path`` does not exist or an override is not a positive number.

    Notes
    -----
    The bundled rows take each category's distance from the life-circle level at
    which GB 50180-2018 places its ordinary facility (primary school 10 minutes,
    community health service centre 15 minutes, ...; ``docs/accessibility.md``
    lists them), so the distances live once, in ``life_circles.csv``. Transit
    (500 m bus-stop radius) and accommodation (no standard) carry their own.
    """
    table, name = _read_text_table(path, "service_standards.csv", "service-standard table")
    check_columns(table, ["category", "life_circle", "threshold_m"], name)
    for col in STANDARD_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    table = table[list(STANDARD_COLUMNS)].apply(lambda s: s.str.strip())
    known = set(poi_categories().index)
    bad = sorted(set(table["category"]) - known)
    dup = sorted(set(table.loc[table["category"].duplicated(), "category"]))
    if bad or dup:
        msg = (f"`{name}` column `category` holds unknown {bad} or repeated {dup} categories; "
               f"give each of {sorted(known)} at most once.")
        raise SchemaError(msg)
    has_level = table["life_circle"] != ""
    has_m = table["threshold_m"] != ""
    if (has_level == has_m).any():
        rows = table.loc[has_level == has_m, "category"].tolist()
        msg = (f"`{name}` rows {rows} must give exactly one of `life_circle` (a level such as "
               "10min) and `threshold_m` (metres).")
        raise SchemaError(msg)
    lc = life_circles() if circles is None else circles
    level_m = lc.groupby("level")["walk_distance_m"].first()
    if walk_speed is not None:
        level_m = lc.groupby("level")["minutes"].first() * _check_speed(walk_speed)
    unknown = sorted(set(table.loc[has_level, "life_circle"]) - set(level_m.index))
    if unknown:
        msg = (f"`{name}` names life-circle levels {unknown} missing from the life-circle "
               f"table (levels {sorted(level_m.index)}).")
        raise SchemaError(msg)
    metres = pd.to_numeric(table["threshold_m"].where(has_m), errors="coerce")
    metres = metres.where(has_m, table["life_circle"].map(level_m))
    if not (metres > 0).all():
        rows = table.loc[~(metres > 0), "category"].tolist()
        msg = f"`{name}` rows {rows} have a `threshold_m` that is not a positive number of metres."
        raise SchemaError(msg)
    table["threshold_m"] = metres.astype(float)
    table = table.set_index("category")
    for cat, value in (overrides or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not (np.isfinite(value) and value > 0):
            msg = (f"`overrides[{cat!r}]` must be a positive number of metres, got {value!r}; "
                   "e.g. `overrides={'transit': 300}`.")
            raise InputError(msg)
        if cat not in known:
            msg = f"`overrides` names unknown category {cat!r}; use one of {sorted(known)}."
            raise InputError(msg)
        table.loc[cat, ["life_circle", "threshold_m", "basis", "source", "clause", "status"]] = [
            "", float(value), "user threshold", "user", "", "user"]
    table["threshold_m"] = table["threshold_m"].astype(float)
    return table
