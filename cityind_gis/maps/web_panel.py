r"""Interactive web map (folium / Leaflet) of a panel: the grade of D in each period and ΔD.

A panel run (:func:`cityind_gis.panel.run_panel`) gives the same units in
several periods on one pooled scale. :func:`panel_web_map` draws it as one page:
one overlay per period coloured by the 10 coordination grades (the colours and
legend of the single-run ``map.html``) and one overlay of the change
:math:`\Delta D = D_{target} - D_{base}` on a diverging ramp centred on 0.

As in :func:`cityind_gis.maps.web.web_map`, the unit geometry is embedded
**once**, as one GeoJSON object whose features carry D and the grade level of
every period plus ΔD; every overlay is a Leaflet layer over that object with its
own JavaScript style function, so the HTML grows by a few numbers per unit and
period, not by a copy of the grid per period.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .._errors import InputError, SchemaError
from .._validate import check_columns, check_crs, check_geometries, check_lang
from ._web_parts import (
    _LABELS,
    _base_map,
    _change_limit,
    _check_options,
    _elements,
    _feature_collection,
    _helpers_config,
    _import_folium,
    _legend_element,
    _to_lonlat,
)
from .theme import CHANGE_COLORS, grade_levels, not_analysed

if TYPE_CHECKING:
    import os

    import folium

__all__ = ["UNIT_COLUMNS", "panel_web_map"]

logger = logging.getLogger(__name__)

#: Unit id columns :func:`panel_web_map` looks for when ``unit_column`` is not
#: given, in this order: grid cells (``cell_id``), zones (``zone_id``), others.
UNIT_COLUMNS: tuple[str, ...] = ("cell_id", "zone_id", "unit_id", "unit")


def _unit_column(panel: gpd.GeoDataFrame, unit_column: str | None) -> str:
    if unit_column is not None:
        if not isinstance(unit_column, str):
            msg = f"`unit_column` must be a column name (str), got {unit_column!r}."
            raise InputError(msg)
        return unit_column
    found = [c for c in UNIT_COLUMNS if c in panel.columns]
    if not found:
        columns = [c for c in panel.columns if c != panel.geometry.name]
        msg = (
            f"`panel` has none of the unit id columns {list(UNIT_COLUMNS)}; columns: {columns}. "
            "Pass the column that identifies a unit across periods, e.g. unit_column='code'."
        )
        raise SchemaError(msg)
    return found[0]


def _period_label(periods: list[str], value: Any, name: str, default: str) -> str:
    if value is None:
        return default
    label = str(value)
    if label not in periods:
        msg = f"`{name}` {value!r} is not a period of `panel`; periods: {periods}."
        raise InputError(msg)
    return label


def _signed(value: float) -> str:
    """``+0.25`` / ``−0.25`` (true minus sign) / ``0``, three significant digits."""
    if value == 0:
        return "0"
    return ("+" if value > 0 else "\u2212") + f"{abs(value):.3g}"


def panel_web_map(
    panel: gpd.GeoDataFrame,
    *,
    unit_column: str | None = None,
    period_column: str = "period",
    base: Any = None,
    target: Any = None,
    lang: str = "en",
    basemap: str | Any | None = "osm",
    tianditu_key: str | None = None,
    assets: str | os.PathLike[str] | None = None,
    simplify_tolerance: float = 0.0,
    precision: int = 6,
    prefer_canvas: bool | None = None,
) -> folium.Map:
    r"""Interactive map of a panel: the coordination grade in each period and the change ΔD.

    Parameters
    ----------
    panel : GeoDataFrame
        One row per period and unit, e.g. ``run_panel(config)["panel"]`` or the
        ``panel`` layer of ``panel.gpkg``: columns ``period_column``,
        ``unit_column``, ``D`` (float in [0, 1], NaN allowed) and
        ``grade_level`` (integers 1-10, missing where D is NaN), polygon
        geometry in any CRS (normally the projected metric CRS of the run).
        Each unit is drawn with the geometry of its first row. Not modified.
    unit_column : str, optional
        Column identifying a unit across periods; default the first of
        :data:`UNIT_COLUMNS` present (``cell_id`` for grids, ``zone_id`` for
        zones).
    period_column : str, default "period"
        Column holding the period label (e.g. a year); the periods are drawn in
        the order they first appear.
    base, target : period labels, optional
        The earlier and the later period of :math:`\Delta D`; default the first
        and the last period (as :func:`cityind_gis.panel.run_panel`). Compared
        as text, so ``2019`` matches ``"2019"``.
    lang : {"en", "zh"}, default "en"
        Language of layer names, popups and legend.
    basemap : {"osm", "none", "amap", "tianditu"}, folium.TileLayer or None, default "osm"
        As in :func:`cityind_gis.maps.web.web_map`; ``amap`` shifts the units
        from WGS 84 to GCJ-02.
    tianditu_key : str, optional
        Your Tianditu browser key, needed for ``basemap="tianditu"``.
    assets : str or path-like, optional
        Where Leaflet's JavaScript and CSS load from: ``None`` for the public
        CDNs, else a base URL, a path relative to the HTML (``"assets/"``) or a
        local folder (:func:`cityind_gis.maps.assets.asset_urls`).
    simplify_tolerance : float, default 0.0
        Douglas-Peucker tolerance applied before reprojection, in the units of
        the CRS of ``panel`` (metres for the pipeline's projected CRS).
    precision : int, default 6
        Decimals kept in lon/lat coordinates (6 decimals is about 0.1 m).
    prefer_canvas : bool, optional
        Draw on a canvas instead of SVG paths; ``None`` picks canvas above
        :data:`cityind_gis.maps.web.CANVAS_THRESHOLD` units.

    Returns
    -------
    folium.Map
        Overlays "grade <period>" (one per period, hidden) and "ΔD (<base> →
        <target>)" (shown), all drawn from one embedded copy of the units;
        tooltips and popups give the unit id, D and grade of every period, ΔD
        and the grade change in levels. A layer control, a scale and a legend
        (the 10 grades and the ΔD ramp with its limits); zoomed to the units.
        Save it with :func:`cityind_gis.maps.web.save_html`.

    Raises
    ------
    CRSError
        If ``panel`` has no CRS.
    SchemaError
        If a column is missing, a (period, unit) pair repeats, or
        ``grade_level`` is outside 1-10.
    GeometryError
        If geometries are missing, empty, invalid or not polygons.
    InputError
        If there are fewer than two periods, ``base`` or ``target`` is not a
        period or both are the same, or ``lang``, ``basemap``,
        ``tianditu_key``, ``precision``, ``simplify_tolerance`` or
        ``prefer_canvas`` is not usable.

    Notes
    -----
    For unit :math:`i`, :math:`\Delta D_i = D_{i,target} - D_{i,base}` (as
    :func:`cityind_gis.panel.d_change`); it is blank (grey) where either D is
    missing. Its colours, ColorBrewer RdBu (:data:`~cityind_gis.maps.theme.CHANGE_COLORS`,
    those of ``d_change.png``), are spread over a scale symmetric around 0,
    :math:`[-m, m]` with :math:`m = \max(\max_i |\Delta D_i|, 0.01)`: white is
    no change, red a fall, blue a rise, and equal changes up and down get
    equally strong colours. Grades use the fixed palette
    :data:`~cityind_gis.maps.theme.GRADE_COLORS`. Layers are converted to
    EPSG:4326 here. Popup text is escaped in the browser.

    Examples
    --------
    >>> from cityind_gis.maps.web import save_html
    >>> results = run_panel(load_config("panel.toml"))  # doctest: +SKIP
    >>> save_html(panel_web_map(results["panel"], lang="zh"), "panel_map.html")  # doctest: +SKIP
    """
    folium = _import_folium()
    from .assets import asset_urls

    # --- validate everything before any work --------------------------------------------
    check_lang(lang)
    _check_options(precision=precision, simplify_tolerance=simplify_tolerance, basemap=basemap,
                   tianditu_key=tianditu_key, prefer_canvas=prefer_canvas)
    urls = asset_urls(assets)
    check_geometries(panel, "panel", geom_types=("Polygon", "MultiPolygon"))
    check_crs(panel, "panel")
    unit = _unit_column(panel, unit_column)
    check_columns(panel, [period_column, unit, "D", "grade_level"], "panel")
    pairs = panel[[period_column, unit]].astype(str)
    repeated = pairs.duplicated()
    if repeated.any():
        examples = [tuple(r) for r in pairs[repeated].drop_duplicates().head(5).to_numpy()]
        msg = (
            f"`panel` has {int(repeated.sum())} repeated ({period_column}, {unit}) pair(s), "
            f"e.g. {examples}; each unit needs one row per period."
        )
        raise SchemaError(msg)
    periods = [str(p) for p in pd.unique(panel[period_column])]
    if len(periods) < 2:
        msg = (
            f"`panel` holds {len(periods)} period(s) {periods} in {period_column!r}; a panel "
            "map needs at least two. Draw a single period with `web_map`."
        )
        raise InputError(msg)
    base_label = _period_label(periods, base, "base", periods[0])
    target_label = _period_label(periods, target, "target", periods[-1])
    if base_label == target_label:
        msg = f"`base` and `target` are the same period ({base_label!r}); give two different."
        raise InputError(msg)
    d_values = pd.to_numeric(panel["D"], errors="coerce").astype(float)
    not_numbers = d_values.isna() & panel["D"].notna()
    if not_numbers.any():
        msg = (f"`panel['D']` must hold numbers in [0, 1] (or missing); found "
               f"{int(not_numbers.sum())} other value(s), e.g. "
               f"{panel['D'][not_numbers].iloc[0]!r}.")
        raise SchemaError(msg)
    levels = grade_levels(panel, "panel")

    Helpers, Data, SharedGeoJson, _ = _elements()
    labels = _LABELS[lang]
    gcj = basemap == "amap"

    # --- one row per unit: geometry of its first row, D and grade of every period -------
    ids = panel[unit]
    firsts = ~ids.duplicated()
    units = gpd.GeoDataFrame(geometry=panel.geometry[firsts].to_numpy(), crs=panel.crs,
                             index=pd.Index(ids[firsts].to_numpy(), name=unit))
    key = pd.MultiIndex.from_arrays([pairs[period_column].to_numpy(), ids.to_numpy()])
    d = (pd.Series(d_values.to_numpy(), index=key).unstack(0)
         .reindex(index=units.index, columns=periods))
    g = (pd.Series(levels.to_numpy(dtype=float, na_value=float("nan")), index=key)
         .unstack(0).reindex(index=units.index, columns=periods))
    change = d[target_label] - d[base_label]
    steps = (g[target_label] - g[base_label]).astype("Int64")
    limit = _change_limit(change)

    props = pd.DataFrame(index=units.index)
    props["unit"] = [str(i) for i in units.index]
    for i, label in enumerate(periods):
        props[f"D{i}"] = d[label]
        props[f"g{i}"] = g[label].astype("Int64")
    props["dD"] = change
    props["dg"] = steps
    geom = _to_lonlat(units, "panel", float(simplify_tolerance), gcj02=gcj)
    data = Data(_feature_collection(geom, props, precision=int(precision)), "cityind_panel")

    m, bounds = _base_map(geom, n_units=len(units), prefer_canvas=prefer_canvas, urls=urls,
                          basemap=basemap, tianditu_key=tianditu_key)
    helpers = Helpers(_helpers_config(lang, change=list(CHANGE_COLORS), change_limit=limit))
    m.add_child(helpers)
    m.add_child(data)

    # --- fields of tooltips and popups: (property, label, format) -----------------------
    who = labels["cell"] if unit == "cell_id" else labels["zone"] if unit == "zone_id" \
        else labels["unit"]
    pair = {"base": base_label, "target": target_label}
    unit_field = ("unit", who, "text")
    d_fields = [(f"D{i}", labels["D_of"].format(period=p), "number")
                for i, p in enumerate(periods)]
    g_fields = [(f"g{i}", labels["grade_of"].format(period=p), "grade")
                for i, p in enumerate(periods)]
    change_field = ("dD", labels["change"].format(**pair), "signed")
    steps_field = ("dg", labels["grade_change"], "steps")
    popup = [unit_field, *[f for dg in zip(d_fields, g_fields, strict=True) for f in dg],
             change_field, steps_field]
    for i, label in enumerate(periods):
        m.add_child(SharedGeoJson(
            data, helpers, name=labels["layer_period"].format(period=label), style="grade_of",
            prop=f"g{i}", tooltip=[unit_field, d_fields[i], g_fields[i], change_field],
            popup=popup, show=False))
    b, t = periods.index(base_label), periods.index(target_label)
    m.add_child(SharedGeoJson(
        data, helpers, name=labels["layer_change"].format(**pair), style="change", prop="dD",
        tooltip=[unit_field, d_fields[b], d_fields[t], change_field, steps_field],
        popup=popup, show=True))

    # --- legend, layer control, extent --------------------------------------------------
    # units outside a period's analysis domain (``analysed`` False) are grey as "not
    # analysed"; other missing values as "no data"
    outside = (not_analysed(panel) if "analysed" in panel.columns
               else np.zeros(len(panel), dtype=bool))
    missing = levels.isna().to_numpy() & ~outside
    m.add_child(_legend_element(
        lang, with_nodata=bool(missing.any()), with_not_analysed=bool(outside.any()),
        gap_counts=(),
        poi_colors={}, ramps=False,
        change={"title": labels["legend_change"].format(**pair), "note": labels["change_note"],
                "ticks": [_signed(-limit), "0", _signed(limit)], "limit": limit}))
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds(bounds)
    logger.info("Panel map: %d units, %d periods, ΔD scale ±%.4f", len(units), len(periods),
                limit)
    return m

