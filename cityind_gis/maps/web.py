"""Interactive web map (folium / Leaflet) of the coordination degree and service gaps.

This module and :mod:`~cityind_gis.maps.web_panel` are the only places in
cityind_gis that convert layers to EPSG:4326 (lon/lat degrees), because Leaflet
needs them, and, for the Amap/Gaode basemap, on to GCJ-02. Every other module
works in the projected metric CRS produced by the pipeline.

The grid is embedded **once**, as one GeoJSON object in a ``<script>``; the grade,
D, U1, U2 and LISA layers are Leaflet layers over that same object, each with
its own JavaScript style function. POIs are clustered per category with
Leaflet.markercluster. The palettes come from :mod:`~cityind_gis.maps.theme`
(shared with the print maps and the QGIS styles) and are re-exported here; the
page labels and Leaflet elements live in the private module ``_web_parts``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from .._errors import InputError
from .._validate import (
    check_columns,
    check_crs,
    check_geometries,
    check_lang,
    check_unique_index,
)
from ..io._atomic import atomic_path

# Also re-exports private helpers that the tests import from here (_json_value, _ramp_color).
from ._web_parts import (  # noqa: F401
    _GAP_REQUIRED,
    _LABELS,
    _REQUIRED,
    BASEMAPS,
    CANVAS_THRESHOLD,
    _base_map,
    _check_options,
    _elements,
    _feature_collection,
    _helpers_config,
    _import_folium,
    _json_value,
    _legend_element,
    _ramp_color,
    _to_lonlat,
)
from .theme import (
    CHANGE_COLORS,
    GAP_COLORS,
    GRADE_COLORS,
    INDEX_COLORS,
    LISA_COLORS,
    NODATA_COLOR,
    POI_COLORS,
    TYPOLOGY_COLORS,
    grade_levels,
    lisa_column,
    lisa_key,
    lisa_label,
    not_analysed,
)

if TYPE_CHECKING:
    import os

    import folium

__all__ = [
    "GRADE_COLORS",
    "INDEX_COLORS",
    "GAP_COLORS",
    "POI_COLORS",
    "NODATA_COLOR",
    "LISA_COLORS",
    "CHANGE_COLORS",
    "BASEMAPS",
    "CANVAS_THRESHOLD",
    "web_map",
    "save_html",
]

logger = logging.getLogger(__name__)


def web_map(
    grid: gpd.GeoDataFrame,
    *,
    gaps: gpd.GeoDataFrame | None = None,
    pois: gpd.GeoDataFrame | None = None,
    lang: str = "en",
    basemap: str | Any | None = "osm",
    tianditu_key: str | None = None,
    assets: str | os.PathLike[str] | None = None,
    popup_columns: Sequence[str] | None = None,
    simplify_tolerance: float = 0.0,
    precision: int = 6,
    prefer_canvas: bool | None = None,
) -> folium.Map:
    """Interactive map of the grades, D, U1, U2, LISA clusters, service gaps and POIs.

    Parameters
    ----------
    grid : GeoDataFrame
        Grid cells (or zones) from the pipeline, in any CRS (normally a projected
        metric CRS), uniquely indexed by cell id, with columns ``U1``, ``U2``,
        ``C``, ``T``, ``D`` (floats in [0, 1], NaN allowed) and ``grade_level``
        (integers 1-10, missing where D is NaN). A LISA column
        (``lisa_cluster``, ``lisa_label``, ``lisa_quadrant`` or ``lisa``: esda
        quadrant codes 1-4 with 0 = not significant, or labels ``HH``/``High-High``
        ...) adds a LISA layer. Not modified.
    gaps : GeoDataFrame, optional
        Industrial cells with missing services, with columns ``n_missing`` and
        ``missing`` (``missing_zh``, ``gap_score``, ``gap_rank`` and
        ``industrial_share`` are shown when present). Outlined in a colour that
        darkens with ``n_missing``. Any CRS.
    pois : GeoDataFrame, optional
        Point POIs with a ``category`` column (and optionally ``name``), one
        clustered layer per category. Any CRS.
    lang : {"en", "zh"}, default "en"
        Language of layer names, popups and legend.
    basemap : {"osm", "none", "amap", "tianditu"}, folium.TileLayer or None, default "osm"
        ``amap`` (高德, GCJ-02) shifts every overlay from WGS 84 to GCJ-02 with
        :func:`cityind_gis.io.coords.wgs84_to_gcj02`, so cells sit on the right
        streets (unshifted they would be off by up to several hundred metres
        in China). ``tianditu`` (天地图 vector map with labels) needs
        ``tianditu_key``. ``"none"`` or ``None`` draws no basemap.
    tianditu_key : str, optional
        Your Tianditu browser key (never stored by cityind_gis).
    assets : str or path-like, optional
        Where Leaflet's JavaScript and CSS load from: ``None`` for the public
        CDNs, else a base URL (``"https://intranet/static/"``), a path relative
        to the HTML (``"assets/"``) or a local folder; see
        :func:`cityind_gis.maps.assets.asset_urls` and ``cityind assets DIR``.
    popup_columns : sequence of str, optional
        Extra ``grid`` columns shown in the cell popup after U1, U2, C, T, D
        and the grade. By default ``industrial_share`` is added when present.
    simplify_tolerance : float, default 0.0
        Douglas-Peucker tolerance applied before reprojection, in the units of
        the layers' CRS (metres for the pipeline's projected CRS); 0 keeps the
        geometry as is. Reduces the HTML size of large zone layers.
    precision : int, default 6
        Decimals kept in lon/lat coordinates (6 decimals is about 0.1 m).
    prefer_canvas : bool, optional
        Draw on a canvas instead of SVG paths. ``None`` (default) picks SVG up
        to :data:`CANVAS_THRESHOLD` cells and canvas above.

    Returns
    -------
    folium.Map
        Map with overlays "grade" (shown), "D", "U1", "U2" and "LISA" (hidden)
        drawn from one embedded copy of the grid, service gaps and one
        clustered POI layer per category (shown), a layer control, a scale and
        a legend; zoomed to the grid. Save it with :func:`save_html`.

    Raises
    ------
    CRSError
        If a layer has no CRS.
    SchemaError
        If required columns are missing or ``grade_level`` is outside 1-10.
    GeometryError
        If geometries are missing, empty, invalid or of the wrong type.
    InputError
        If ``lang``, ``basemap``, ``tianditu_key``, ``precision``,
        ``simplify_tolerance`` or ``prefer_canvas`` is not usable.

    Notes
    -----
    Layers are converted to EPSG:4326 here and nowhere else in the package.
    NaN and missing values become JSON ``null`` (blank in popups), and cells
    with a missing grade are grey (:data:`NODATA_COLOR`). Grades use the fixed
    diverging palette :data:`GRADE_COLORS`; D uses the same colours as a
    continuous ramp on [0, 1]; U1 and U2 share :data:`INDEX_COLORS` on [0, 1].
    Popup and tooltip text is escaped in the browser, so POI names cannot
    inject HTML.
    """
    folium = _import_folium()
    from .assets import asset_urls

    # --- validate everything before any work --------------------------------------------
    check_lang(lang)
    _check_options(precision=precision, simplify_tolerance=simplify_tolerance, basemap=basemap,
                   tianditu_key=tianditu_key, prefer_canvas=prefer_canvas)
    urls = asset_urls(assets)
    check_geometries(grid, "grid", geom_types=("Polygon", "MultiPolygon"))
    check_crs(grid, "grid")
    check_unique_index(grid, "grid")
    if isinstance(popup_columns, str):
        msg = (
            f"`popup_columns` must be a sequence of column names, got the string "
            f"{popup_columns!r}. Wrap it in a list: popup_columns=[{popup_columns!r}]."
        )
        raise InputError(msg)
    extra = list(dict.fromkeys(popup_columns)) if popup_columns is not None else []
    check_columns(grid, [*_REQUIRED, *extra], "grid")
    levels = grade_levels(grid, "grid")
    if gaps is not None:
        check_geometries(gaps, "gaps", allow_empty_layer=True)
        check_crs(gaps, "gaps")
        check_columns(gaps, _GAP_REQUIRED, "gaps")
    if pois is not None:
        check_geometries(pois, "pois", geom_types=("Point",), allow_empty_layer=True)
        check_crs(pois, "pois")
        check_columns(pois, ["category"], "pois")

    Helpers, Data, SharedGeoJson, ClusterLayer = _elements()
    labels = _LABELS[lang]
    if popup_columns is None and "industrial_share" in grid.columns:
        extra = ["industrial_share"]
    extra = [c for c in extra if c not in (*_REQUIRED, "grade")]
    gcj = basemap == "amap"
    tol = float(simplify_tolerance)
    digits = int(precision)

    def alias(col: str) -> str:
        return labels.get(col, col)

    # --- grid data, embedded once ---------------------------------------------------------
    geom = _to_lonlat(grid, "grid", tol, gcj02=gcj)
    props = pd.DataFrame(index=grid.index)
    props["cell"] = [str(i) for i in grid.index]
    for col in ("U1", "U2", "C", "T", "D"):
        props[col] = pd.to_numeric(grid[col], errors="coerce").astype(float)
    props["grade_level"] = levels
    outside = not_analysed(grid)
    if "analysed" in grid.columns:  # units outside the analysis domain: grey everywhere
        props["analysed"] = ~outside
    for col in ("typology", "typology_code", "bivar_color", "domain_reason"):
        if col in grid.columns:
            props[col] = grid[col].astype(object).where(grid[col].notna(), None)
    for col in extra:
        props[col] = grid[col]
    lisa_col = lisa_column([c for c in grid.columns if c != grid.geometry.name])
    lisa_keys: dict[str, str] = {}
    if lisa_col:
        raw = grid[lisa_col].astype(object).where(grid[lisa_col].notna(), None)
        props["lisa"] = raw
        for v in pd.unique(raw.dropna()):
            key = lisa_key(v.item() if hasattr(v, "item") else v)
            if key is not None:
                lisa_keys[str(_json_value(v))] = key
    grid_data = Data(_feature_collection(geom, props, precision=digits), "cityind_grid")

    m, bounds = _base_map(geom, n_units=len(grid), prefer_canvas=prefer_canvas, urls=urls,
                          basemap=basemap, tianditu_key=tianditu_key)
    helpers = Helpers(_helpers_config(
        lang, lisa_keys=lisa_keys,
        lisa_names={v: lisa_label(k, lang) for v, k in lisa_keys.items()}))
    m.add_child(helpers)
    m.add_child(grid_data)

    def fields(cols: Sequence[str]) -> list[tuple[str, str]]:
        return [(c, alias(c)) for c in cols]

    typed = "typology_code" in grid.columns
    bivar = "bivar_color" in grid.columns
    more = [c for c in ("typology", "domain_reason") if c in props.columns]
    popup = fields(["cell", "U1", "U2", "C", "T", "D", "grade", *more, *extra])
    for key, layer, tip, show in (
        *([("typology", "layer_typology", ["cell", "typology", *more[1:]], False)]
          if typed else []),
        *([("bivariate", "layer_bivariate", ["cell", "U1", "U2"], False)] if bivar else []),
        ("grades", "layer_grades", ["cell", "D", "grade"], True),
        ("d", "layer_d", ["cell", "D", "grade"], False),
        ("u1", "layer_u1", ["cell", "U1"], False),
        ("u2", "layer_u2", ["cell", "U2"], False),
    ):
        m.add_child(SharedGeoJson(grid_data, helpers, name=labels[layer], style=key,
                                  tooltip=fields(tip), popup=popup, show=show))
    if lisa_col:
        m.add_child(SharedGeoJson(grid_data, helpers, name=labels["layer_lisa"], style="lisa",
                                  tooltip=fields(["cell", "lisa", "D"]), popup=popup, show=False))

    # --- service gaps -------------------------------------------------------------------
    gap_counts: list[int] = []
    if gaps is not None and len(gaps):
        gap_geom = _to_lonlat(gaps, "gaps", tol, gcj02=gcj)
        gap_cols = [c for c in ("gap_rank", "n_missing", "missing_zh" if lang == "zh"
                                else "missing", "gap_score", "industrial_share")
                    if c in gaps.columns]
        gap_props = pd.DataFrame(index=gaps.index)
        gap_props["cell"] = [str(i) for i in gaps.index]
        for col in gap_cols:
            gap_props[col] = gaps[col]
        gap_data = Data(_feature_collection(gap_geom, gap_props, precision=digits),
                        "cityind_gaps")
        m.add_child(gap_data)
        n = pd.to_numeric(gaps["n_missing"], errors="coerce").dropna()
        gap_counts = sorted({max(int(v), 1) for v in n})
        m.add_child(SharedGeoJson(gap_data, helpers, name=labels["layer_gaps"], style="gaps",
                                  tooltip=fields(["cell", *gap_cols]), popup=None, show=True))
    elif gaps is not None:
        logger.info("`gaps` is empty; no service-gap layer drawn")

    # --- POIs, clustered per category ---------------------------------------------------
    poi_colors: dict[str, str] = {}
    if pois is not None and len(pois):
        from ..taxonomy import poi_categories

        cat_names = poi_categories()["name_zh" if lang == "zh" else "name_en"].to_dict()
        poi_geom = _to_lonlat(pois, "pois", 0.0, gcj02=gcj)
        categories = pois["category"].astype(object).where(pois["category"].notna(), None)
        known = sorted({str(c) for c in categories if c is not None})
        for i, cat in enumerate(known):
            color = POI_COLORS[i % len(POI_COLORS)]
            title = str(cat_names.get(cat, cat))
            poi_colors[title] = color
            mask = (categories == cat).to_numpy()
            poi_props = pd.DataFrame({"category": title}, index=pd.RangeIndex(int(mask.sum())))
            tip = ["category"]
            if "name" in pois.columns:
                poi_props["name"] = pois["name"].to_numpy()[mask]
                tip.append("name")
            sub_geom = gpd.GeoSeries(poi_geom.to_numpy()[mask], crs=poi_geom.crs)
            data = Data(_feature_collection(sub_geom, poi_props, precision=digits),
                        f"cityind_pois_{i}")
            m.add_child(data)
            m.add_child(ClusterLayer(data, helpers,
                                     name=f"{labels['layer_pois']}: {title} ({int(mask.sum())})",
                                     color=color, tooltip=fields(tip), urls=urls))
    elif pois is not None:
        logger.info("`pois` is empty; no POI layer drawn")

    # --- legend, layer control, extent --------------------------------------------------
    m.add_child(
        _legend_element(
            lang,
            with_nodata=bool(levels[~outside].isna().any()),
            with_not_analysed=bool(outside.any()),
            classes=_class_legend(lang, typed=typed, bivar=bivar),
            gap_counts=gap_counts,
            poi_colors=poi_colors,
            lisa=sorted(set(lisa_keys.values())),
        )
    )
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds(bounds)
    return m


def _class_legend(lang: str, *, typed: bool, bivar: bool) -> list[tuple[str, Any]]:
    """Legend sections of the typology and U1 x U2 layers (title, [(colour, label)])."""
    from ..typology import BIVARIATE_LABELS, BIVARIATE_PALETTE, TYPOLOGY_CLASSES

    k, labels, out = (0 if lang == "zh" else 1), _LABELS[lang], []
    if typed:
        out.append((labels["legend_typology"],
                    [(TYPOLOGY_COLORS[c], v[k]) for c, v in TYPOLOGY_CLASSES.items()]))
    if bivar:
        order = [f"{x}-{y}" for y in (3, 2, 1) for x in (1, 2, 3)]
        out.append((labels["legend_bivariate"],
                    [(BIVARIATE_PALETTE[c], BIVARIATE_LABELS[c][k]) for c in order]))
    return out


def save_html(m: folium.Map, path: str | os.PathLike[str]) -> int:
    """Write a folium map to one HTML file, atomically.

    Parameters
    ----------
    m : folium.Map
        Map to save, e.g. from :func:`web_map`.
    path : str or path-like
        Target ``.html`` file. Its folder is created if needed; an existing file
        is replaced only once the new one is complete.

    Returns
    -------
    int
        Number of bytes written (the HTML size to report).

    Notes
    -----
    All layer data is embedded in the file. The Leaflet JavaScript and CSS load
    from where ``web_map(..., assets=...)`` pointed them (public CDNs by
    default); :func:`cityind_gis.maps.assets.external_assets` lists whatever
    the saved page would still fetch from outside.
    """
    if not hasattr(m, "get_root"):
        msg = (
            f"`m` should be a folium.Map (or another branca element), got "
            f"{type(m).__name__}. Build one with `cityind_gis.maps.web_map(grid)`."
        )
        raise TypeError(msg)
    html = m.get_root().render()
    data = html.encode("utf-8")
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(data)
    return len(data)
