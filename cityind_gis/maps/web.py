"""Interactive web map (folium / Leaflet) of the coordination degree and service gaps.

This module is the only place in cityind_gis that converts layers to EPSG:4326
(lon/lat degrees), because Leaflet needs them. Every other module works in the
projected metric CRS produced by the pipeline.
"""

from __future__ import annotations

import json
import logging
import math
import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InputError, SchemaError
from .._validate import check_columns, check_crs, check_geometries, check_unique_index
from ..coupling import GRADES_10
from ..io._atomic import atomic_path

if TYPE_CHECKING:
    import os

    import folium

__all__ = [
    "GRADE_COLORS",
    "INDEX_COLORS",
    "GAP_COLORS",
    "POI_COLORS",
    "NODATA_COLOR",
    "web_map",
    "save_html",
]

logger = logging.getLogger(__name__)

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
#: (1, 2, 3, 4 or more), ColorBrewer RdPu: distinct from both ramps above.
GAP_COLORS: tuple[str, ...] = ("#f768a1", "#dd3497", "#ae017e", "#49006a")

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

_REQUIRED = ("U1", "U2", "C", "T", "D", "grade_level")
_GAP_REQUIRED = ("n_missing", "missing")
_DECIMALS = 4  # decimals of attribute values shown in popups

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "layer_d": "协调度 D 等级",
        "layer_u1": "产业子系统指数 U1",
        "layer_u2": "城市功能子系统指数 U2",
        "layer_gaps": "服务缺口",
        "layer_pois": "兴趣点 POI",
        "cell": "网格",
        "U1": "产业子系统 U1",
        "U2": "城市功能子系统 U2",
        "C": "耦合度 C",
        "T": "综合发展指数 T",
        "D": "协调度 D",
        "grade": "协调等级",
        "industrial_share": "工业用地占比",
        "n_missing": "缺失服务类数",
        "missing": "缺失服务",
        "category": "类别",
        "name": "名称",
        "legend_grades": "协调等级（D）",
        "legend_index": "子系统指数 U1 / U2",
        "legend_gaps": "服务缺口：缺失类数",
        "legend_pois": "兴趣点类别",
        "nodata": "无数据",
    },
    "en": {
        "layer_d": "Coordination degree D (grade)",
        "layer_u1": "Industrial subsystem U1",
        "layer_u2": "Urban-function subsystem U2",
        "layer_gaps": "Service gaps",
        "layer_pois": "POIs",
        "cell": "Cell",
        "U1": "Industrial U1",
        "U2": "Urban function U2",
        "C": "Coupling C",
        "T": "Development T",
        "D": "Coordination D",
        "grade": "Grade",
        "industrial_share": "Industrial share",
        "n_missing": "Missing categories",
        "missing": "Missing services",
        "category": "Category",
        "name": "Name",
        "legend_grades": "Coordination grade (D)",
        "legend_index": "Subsystem index U1 / U2",
        "legend_gaps": "Service gap: missing categories",
        "legend_pois": "POI category",
        "nodata": "no data",
    },
}


def _import_folium() -> Any:
    try:
        import branca  # noqa: F401
        import folium
    except ImportError as exc:  # pragma: no cover - both are core dependencies
        msg = (
            "The 'folium' and 'branca' packages are required for the web map. "
            "Install them with `pip install folium` (branca comes with it)."
        )
        raise ImportError(msg) from exc
    return folium


def _check_lang(lang: str) -> None:
    if lang not in _LABELS:
        msg = f"`lang` must be 'zh' or 'en', got {lang!r}. Pass lang='zh' or lang='en'."
        raise InputError(msg)


def _grade_names(lang: str) -> dict[int, str]:
    """Level -> grade name in ``lang``, read from :data:`~cityind_gis.coupling.GRADES_10`."""
    col = 3 if lang == "zh" else 4
    return {int(row[0]): str(row[col]) for row in GRADES_10}


def _grade_levels(grid: pd.DataFrame, name: str) -> pd.Series:
    """``grade_level`` as a nullable Int64 Series, checked to lie in 1..10."""
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


def _grade_color(level: Any) -> str:
    if level is None or pd.isna(level):
        return NODATA_COLOR
    return GRADE_COLORS[int(level) - 1]


def _gap_color(n_missing: Any) -> str:
    if n_missing is None or pd.isna(n_missing) or int(n_missing) < 1:
        return GAP_COLORS[0]
    return GAP_COLORS[min(int(n_missing), len(GAP_COLORS)) - 1]


def _ramp_color(value: Any) -> str:
    """Colour of a value in [0, 1] on :data:`INDEX_COLORS` (linear interpolation)."""
    if value is None or pd.isna(value):
        return NODATA_COLOR
    x = min(max(float(value), 0.0), 1.0) * (len(INDEX_COLORS) - 1)
    i = min(int(math.floor(x)), len(INDEX_COLORS) - 2)
    frac = x - i
    a = [int(INDEX_COLORS[i][k : k + 2], 16) for k in (1, 3, 5)]
    b = [int(INDEX_COLORS[i + 1][k : k + 2], 16) for k in (1, 3, 5)]
    rgb = [round(u + (v - u) * frac) for u, v in zip(a, b, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _json_value(value: Any) -> Any:
    """Plain-Python, JSON-safe version of a cell value (NaN / NA / inf -> None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        return round(f, _DECIMALS) if math.isfinite(f) else None
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _feature_collection(
    geometry: gpd.GeoSeries,
    properties: pd.DataFrame,
    *,
    precision: int,
) -> dict[str, Any]:
    """GeoJSON FeatureCollection with rounded lon/lat coordinates and JSON-safe values.

    ``geometry`` must already be in EPSG:4326; ``properties`` is aligned to it.
    Each feature's ``id`` is the string form of its index label.
    """
    geoms = shapely.transform(
        np.asarray(geometry.values, dtype=object), lambda xy: np.round(xy, precision)
    )
    geo_json = shapely.to_geojson(geoms)
    columns = list(properties.columns)
    values = [properties[c].tolist() for c in columns]
    features = []
    for i, (label, gj) in enumerate(zip(properties.index, geo_json, strict=True)):
        props = {c: _json_value(v[i]) for c, v in zip(columns, values, strict=True)}
        features.append(
            {"type": "Feature", "id": str(label), "properties": props, "geometry": json.loads(gj)}
        )
    return {"type": "FeatureCollection", "features": features}


def _to_lonlat(gdf: gpd.GeoDataFrame, name: str, simplify_tolerance: float) -> gpd.GeoSeries:
    geometry = gdf.geometry
    if simplify_tolerance > 0:
        geometry = geometry.simplify(simplify_tolerance, preserve_topology=True)
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        logger.info("Projected `%s` from %s to EPSG:4326 for the web map", name, gdf.crs)
        geometry = geometry.to_crs(4326)
    return geometry


def _legend_element(
    lang: str,
    *,
    with_nodata: bool,
    gap_counts: Sequence[int],
    poi_colors: dict[str, str],
) -> Any:
    """Build the fixed HTML legend (a branca MacroElement): grades, U1/U2 ramp, gaps, POIs."""
    from branca.element import MacroElement
    from jinja2 import Template

    labels = _LABELS[lang]
    names = _grade_names(lang)
    grades = [(GRADE_COLORS[level - 1], f"{level} {names[level]}") for level in range(1, 11)]
    if with_nodata:
        grades.append((NODATA_COLOR, labels["nodata"]))
    gaps = []
    for n in gap_counts:
        last = n >= len(GAP_COLORS)
        gaps.append((_gap_color(n), f"≥ {len(GAP_COLORS)}" if last else str(n)))
    # One entry per colour: counts above the last colour share it.
    gaps = list(dict.fromkeys(gaps))
    ramp = ", ".join(INDEX_COLORS)

    class CityindLegend(MacroElement):
        _template = Template(
            """
            {% macro html(this, kwargs) %}
            <div id="{{ this.get_name() }}" class="cityind-legend" style="position: fixed;
                 bottom: 24px; left: 10px; z-index: 9999; max-height: 80%; overflow-y: auto;
                 background: rgba(255,255,255,0.92); padding: 8px 10px; border-radius: 4px;
                 box-shadow: 0 0 6px rgba(0,0,0,0.3); font: 12px/1.35 sans-serif;">
              <div style="font-weight: bold; margin-bottom: 4px;">
                {{ this.labels.legend_grades|e }}</div>
              {% for color, text in this.grades %}
              <div class="cityind-legend-grade"><span style="display: inline-block; width: 14px;
                   height: 12px; margin-right: 6px; vertical-align: middle; background: {{ color }};
                   border: 1px solid #777;"></span>{{ text|e }}</div>
              {% endfor %}
              <div style="font-weight: bold; margin: 6px 0 2px;">
                {{ this.labels.legend_index|e }}</div>
              <div style="width: 150px; height: 10px; border: 1px solid #777;
                   background: linear-gradient(to right, {{ this.ramp }});"></div>
              <div style="width: 152px; display: flex; justify-content: space-between;">
                <span>0</span><span>0.5</span><span>1</span></div>
              {% if this.gaps %}
              <div style="font-weight: bold; margin: 6px 0 2px;">
                {{ this.labels.legend_gaps|e }}</div>
              {% for color, text in this.gaps %}
              <div><span style="display: inline-block; width: 12px; height: 10px; margin-right: 6px;
                   vertical-align: middle; border: 3px solid {{ color }};"></span>{{ text|e }}</div>
              {% endfor %}
              {% endif %}
              {% if this.pois %}
              <div style="font-weight: bold; margin: 6px 0 2px;">
                {{ this.labels.legend_pois|e }}</div>
              {% for category, color in this.pois %}
              <div><span style="display: inline-block; width: 9px; height: 9px; margin-right: 6px;
                   border-radius: 50%; background: {{ color }};"></span>{{ category|e }}</div>
              {% endfor %}
              {% endif %}
            </div><!-- /cityind-legend -->
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "CityindLegend"
            self.labels = labels
            self.grades = grades
            self.ramp = ramp
            self.gaps = gaps
            self.pois = list(poi_colors.items())

    return CityindLegend()


def web_map(
    grid: gpd.GeoDataFrame,
    *,
    gaps: gpd.GeoDataFrame | None = None,
    pois: gpd.GeoDataFrame | None = None,
    lang: str = "en",
    tiles: str | Any | None = "OpenStreetMap",
    popup_columns: Sequence[str] | None = None,
    simplify_tolerance: float = 0.0,
    precision: int = 6,
) -> folium.Map:
    """Interactive map of the coordination grades, U1, U2, service gaps and POIs.

    Parameters
    ----------
    grid : GeoDataFrame
        Grid cells (or zones) from the pipeline, in any CRS (normally a projected
        metric CRS), uniquely indexed by cell id, with columns ``U1``, ``U2``,
        ``C``, ``T``, ``D`` (floats in [0, 1], NaN allowed) and ``grade_level``
        (integers 1-10, missing where D is NaN). Not modified.
    gaps : GeoDataFrame, optional
        Industrial cells with missing services, with columns ``n_missing`` and
        ``missing`` (``industrial_share`` is shown when present). Outlined in a
        colour that darkens with ``n_missing``. Any CRS.
    pois : GeoDataFrame, optional
        Point POIs with a ``category`` column (and optionally ``name``), drawn as
        small circle markers coloured by category. Any CRS.
    lang : {"en", "zh"}, default "en"
        Language of layer names, popups and legend. Grade names come from
        :data:`cityind_gis.coupling.GRADES_10`.
    tiles : str, folium.TileLayer or None, default "OpenStreetMap"
        Basemap, passed to :class:`folium.Map`. ``None`` draws no basemap
        (useful offline). For custom tile URLs pass a ``folium.TileLayer`` that
        carries its attribution.
    popup_columns : sequence of str, optional
        Extra ``grid`` columns (e.g. ``"poi_count_education"``,
        ``"net_dist_healthcare"``) shown in the cell popup after U1, U2, C, T, D
        and the grade. By default ``industrial_share`` is added when present.
    simplify_tolerance : float, default 0.0
        Douglas-Peucker tolerance applied before reprojection, in the units of
        the layers' CRS (metres for the pipeline's projected CRS). 0 keeps the
        geometry as is. Reduces the HTML size of large zone layers.
    precision : int, default 6
        Decimals kept in lon/lat coordinates (6 decimals is about 0.1 m).

    Returns
    -------
    folium.Map
        Map with layers "D" (grades, shown), "U1" and "U2" (hidden), service
        gaps and POIs (when given), a layer control, a scale, and a legend;
        zoomed to the extent of ``grid``. Save it with :func:`save_html`.

    Raises
    ------
    CRSError
        If a layer has no CRS.
    SchemaError
        If required columns are missing or ``grade_level`` is outside 1-10.
    GeometryError
        If geometries are missing, empty, invalid or of the wrong type.
    InputError
        If ``lang``, ``precision`` or ``simplify_tolerance`` is out of range.

    Notes
    -----
    Every layer is converted to EPSG:4326 here and nowhere else in the package.
    NaN and missing values become JSON ``null`` (shown as blank in popups), and
    cells with a missing grade are filled grey (:data:`NODATA_COLOR`). Grades
    use the fixed diverging palette :data:`GRADE_COLORS`; U1 and U2 share the
    ramp :data:`INDEX_COLORS` on the fixed domain [0, 1].
    """
    folium = _import_folium()

    # --- validate everything before any work --------------------------------------------
    _check_lang(lang)
    if isinstance(precision, bool) or not isinstance(precision, numbers.Integral):
        msg = f"`precision` must be an integer number of decimals, got {precision!r}."
        raise InputError(msg)
    if not 0 <= int(precision) <= 15:
        msg = f"`precision` must be between 0 and 15 decimals, got {precision}. Try 6 (~0.1 m)."
        raise InputError(msg)
    if not (isinstance(simplify_tolerance, numbers.Real) and simplify_tolerance >= 0):
        msg = (
            f"`simplify_tolerance` must be a number >= 0 (CRS units, metres for projected "
            f"layers), got {simplify_tolerance!r}. Pass 0 to keep geometries unchanged."
        )
        raise InputError(msg)
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
    levels = _grade_levels(grid, "grid")
    if gaps is not None:
        check_geometries(gaps, "gaps", allow_empty_layer=True)
        check_crs(gaps, "gaps")
        check_columns(gaps, _GAP_REQUIRED, "gaps")
    if pois is not None:
        check_geometries(pois, "pois", geom_types=("Point",), allow_empty_layer=True)
        check_crs(pois, "pois")
        check_columns(pois, ["category"], "pois")

    labels = _LABELS[lang]
    names = _grade_names(lang)
    if popup_columns is None and "industrial_share" in grid.columns:
        extra = ["industrial_share"]
    extra = [c for c in extra if c not in (*_REQUIRED, "grade")]

    # --- grid layers --------------------------------------------------------------------
    geom = _to_lonlat(grid, "grid", float(simplify_tolerance))
    props = pd.DataFrame(index=grid.index)
    props["cell"] = [str(i) for i in grid.index]
    for col in ("U1", "U2", "C", "T", "D"):
        props[col] = pd.to_numeric(grid[col], errors="coerce").astype(float)
    props["grade_level"] = levels
    props["grade"] = levels.map(names).astype(object)
    for col in extra:
        props[col] = grid[col]
    data = _feature_collection(geom, props, precision=int(precision))

    minx, miny, maxx, maxy = (float(v) for v in geom.total_bounds)
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=tiles,
        control_scale=True,
        prefer_canvas=True,
        zoom_start=13,
    )

    def alias(col: str) -> str:
        return labels.get(col, col)

    popup_fields = ["cell", "U1", "U2", "C", "T", "D", "grade", *extra]
    folium.GeoJson(
        data,
        name=labels["layer_d"],
        style_function=lambda f: {
            "fillColor": _grade_color(f["properties"]["grade_level"]),
            "fillOpacity": 0.75,
            "color": "#ffffff",
            "weight": 0.5,
        },
        highlight_function=lambda f: {"weight": 2, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["cell", "D", "grade"], aliases=[alias(c) for c in ("cell", "D", "grade")]
        ),
        popup=folium.GeoJsonPopup(fields=popup_fields, aliases=[alias(c) for c in popup_fields]),
    ).add_to(m)

    for col, layer in (("U1", "layer_u1"), ("U2", "layer_u2")):
        sub = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": f["id"],
                    "properties": {"cell": f["properties"]["cell"], col: f["properties"][col]},
                    "geometry": f["geometry"],
                }
                for f in data["features"]
            ],
        }
        folium.GeoJson(
            sub,
            name=labels[layer],
            show=False,
            style_function=lambda f, col=col: {
                "fillColor": _ramp_color(f["properties"][col]),
                "fillOpacity": 0.8,
                "color": "#ffffff",
                "weight": 0.5,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["cell", col], aliases=[alias("cell"), alias(col)]
            ),
        ).add_to(m)

    # --- service gaps -------------------------------------------------------------------
    gap_counts: list[int] = []
    if gaps is not None and len(gaps):
        gap_geom = _to_lonlat(gaps, "gaps", float(simplify_tolerance))
        gap_cols = [c for c in ("n_missing", "missing", "industrial_share") if c in gaps.columns]
        gap_props = pd.DataFrame(index=gaps.index)
        gap_props["cell"] = [str(i) for i in gaps.index]
        for col in gap_cols:
            gap_props[col] = gaps[col]
        gap_data = _feature_collection(gap_geom, gap_props, precision=int(precision))
        n = pd.to_numeric(gaps["n_missing"], errors="coerce").dropna()
        gap_counts = sorted({max(int(v), 1) for v in n})
        fields = ["cell", *gap_cols]
        folium.GeoJson(
            gap_data,
            name=labels["layer_gaps"],
            style_function=lambda f: {
                "color": _gap_color(f["properties"].get("n_missing")),
                "weight": 3,
                "fillColor": _gap_color(f["properties"].get("n_missing")),
                "fillOpacity": 0.1,
            },
            tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[alias(c) for c in fields]),
        ).add_to(m)
    elif gaps is not None:
        logger.info("`gaps` is empty; no service-gap layer drawn")

    # --- POIs ---------------------------------------------------------------------------
    poi_colors: dict[str, str] = {}
    if pois is not None and len(pois):
        poi_geom = _to_lonlat(pois, "pois", 0.0)
        categories = pois["category"].astype(object).where(pois["category"].notna(), None)
        known = sorted({str(c) for c in categories if c is not None})
        poi_colors = {c: POI_COLORS[i % len(POI_COLORS)] for i, c in enumerate(known)}
        poi_props = pd.DataFrame(index=pois.index)
        poi_props["category"] = categories
        fields = ["category"]
        if "name" in pois.columns:
            poi_props["name"] = pois["name"]
            fields.append("name")
        poi_data = _feature_collection(poi_geom, poi_props, precision=int(precision))
        # Feature ids must be unique for folium's style mapping; POI indexes may not be.
        for i, f in enumerate(poi_data["features"]):
            f["id"] = str(i)
        folium.GeoJson(
            poi_data,
            name=labels["layer_pois"],
            marker=folium.CircleMarker(radius=3, weight=0.5, color="#333333", fill_opacity=0.9),
            style_function=lambda f: {
                "fillColor": poi_colors.get(str(f["properties"]["category"]), NODATA_COLOR),
                "fillOpacity": 0.9,
                "color": "#333333",
                "weight": 0.5,
                "radius": 3,
            },
            tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[alias(c) for c in fields]),
        ).add_to(m)
    elif pois is not None:
        logger.info("`pois` is empty; no POI layer drawn")

    # --- legend, layer control, extent --------------------------------------------------
    m.add_child(
        _legend_element(
            lang,
            with_nodata=bool(levels.isna().any()),
            gap_counts=gap_counts,
            poi_colors=poi_colors,
        )
    )
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def save_html(m: folium.Map, path: str | os.PathLike[str]) -> int:
    """Write a folium map to one self-contained HTML file, atomically.

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
        Number of bytes written.

    Notes
    -----
    All layer data is embedded in the file. The Leaflet and folium JavaScript
    and CSS are loaded from public CDNs when the page opens, so viewing it
    offline shows the legend but no map.
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
