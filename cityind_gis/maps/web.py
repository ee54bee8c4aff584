"""Interactive web map (folium / Leaflet) of the coordination degree and service gaps.

This module is the only place in cityind_gis that converts layers to EPSG:4326
(lon/lat degrees), because Leaflet needs them, and, for the Amap/Gaode basemap,
on to GCJ-02. Every other module works in the projected metric CRS produced by
the pipeline.

The grid is embedded **once**, as one GeoJSON object in a ``<script>``; the grade,
D, U1, U2 and LISA layers are Leaflet layers over that same object, each with
its own JavaScript style function. POIs are clustered per category with
Leaflet.markercluster.
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
    "LISA_COLORS",
    "BASEMAPS",
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

_REQUIRED = ("U1", "U2", "C", "T", "D", "grade_level")
_GAP_REQUIRED = ("n_missing", "missing")
_DECIMALS = 4  # decimals of attribute values shown in popups


#: Fill colours of local Moran (LISA) clusters, the convention of GeoDa and esda:
#: hot spots red, cold spots blue, outliers pale, not significant grey.
LISA_COLORS: dict[str, str] = {
    "HH": "#d7191c",
    "LL": "#2c7bb6",
    "LH": "#abd9e9",
    "HL": "#fdae61",
    "ns": "#d9d9d9",
}

#: Basemaps :func:`web_map` knows by name. ``amap`` (高德) tiles are in GCJ-02, so
#: every overlay is shifted from WGS 84 to GCJ-02 when it is chosen; ``tianditu``
#: (天地图, CGCS2000, within centimetres of WGS 84) needs the user's own key.
BASEMAPS: tuple[str, ...] = ("osm", "none", "amap", "tianditu")

_AMAP_URL = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
             "&x={x}&y={y}&z={z}")
_TIANDITU_URL = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                 "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                 "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}")

#: Above this many grid cells the map draws on a canvas rather than SVG paths.
CANVAS_THRESHOLD = 20_000

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "layer_grades": "协调等级",
        "layer_d": "协调度 D",
        "layer_lisa": "LISA 聚类",
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
        "missing_zh": "缺失服务",
        "gap_score": "缺口得分",
        "gap_rank": "缺口排名",
        "lisa": "LISA 聚类",
        "legend_d": "协调度 D（连续）",
        "legend_lisa": "LISA 聚类",
        "category": "类别",
        "name": "名称",
        "legend_grades": "协调等级（D）",
        "legend_index": "子系统指数 U1 / U2",
        "legend_gaps": "服务缺口：缺失类数",
        "legend_pois": "兴趣点类别",
        "nodata": "无数据",
    },
    "en": {
        "layer_grades": "Coordination grade",
        "layer_d": "Coordination degree D",
        "layer_lisa": "LISA clusters",
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
        "missing_zh": "Missing services (Chinese)",
        "gap_score": "Gap score",
        "gap_rank": "Gap rank",
        "lisa": "LISA cluster",
        "legend_d": "Coordination degree D (continuous)",
        "legend_lisa": "LISA cluster",
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


def _to_lonlat(
    gdf: gpd.GeoDataFrame, name: str, simplify_tolerance: float, *, gcj02: bool = False
) -> gpd.GeoSeries:
    """Simplify (CRS units), reproject to EPSG:4326 and optionally shift to GCJ-02."""
    geometry = gdf.geometry
    if simplify_tolerance > 0:
        geometry = geometry.simplify(simplify_tolerance, preserve_topology=True)
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        logger.info("Projected `%s` from %s to EPSG:4326 for the web map", name, gdf.crs)
        geometry = geometry.to_crs(4326)
    if gcj02:
        from ..io.coords import wgs84_to_gcj02

        def shift(xy: np.ndarray) -> np.ndarray:
            lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
            return np.column_stack([lon, lat])

        geometry = gpd.GeoSeries(
            shapely.transform(np.asarray(geometry.values, dtype=object), shift),
            index=geometry.index,
            crs=geometry.crs,
        )
        logger.info("Shifted `%s` from WGS 84 to GCJ-02 for the Amap basemap", name)
    return geometry


def _basemap_layers(basemap: Any, tianditu_key: str | None) -> list[Any]:
    """Tile layers of a named basemap (or the given folium.TileLayer)."""
    folium = _import_folium()
    if basemap is None or basemap == "none":
        return []
    if not isinstance(basemap, str):
        return [basemap]
    if basemap == "osm":
        return [folium.TileLayer("OpenStreetMap", control=False)]
    if basemap == "amap":
        return [folium.TileLayer(
            tiles=_AMAP_URL, attr="&copy; 高德地图 AutoNavi (GCJ-02)", name="Amap",
            subdomains="1234", max_zoom=18, control=False)]
    attr = "&copy; 天地图 Tianditu"
    return [
        folium.TileLayer(tiles=_TIANDITU_URL.format(s="{s}", layer=layer, key=tianditu_key),
                         attr=attr, name=f"Tianditu {layer}", subdomains="01234567",
                         max_zoom=18, control=False, overlay=layer == "cva")
        for layer in ("vec", "cva")
    ]


def _feature_collection(
    geometry: gpd.GeoSeries,
    properties: pd.DataFrame,
    *,
    precision: int,
) -> dict[str, Any]:
    """GeoJSON FeatureCollection with rounded lon/lat coordinates and JSON-safe values.

    ``geometry`` must already be in EPSG:4326 (or GCJ-02); ``properties`` is
    aligned to it. Each feature's ``id`` is the string form of its index label.
    """
    geoms = shapely.transform(
        np.asarray(geometry.values, dtype=object), lambda xy: np.round(xy, precision)
    )
    geo_json = [json.loads(g) for g in shapely.to_geojson(geoms)]
    columns = list(properties.columns)
    values = [[_json_value(v) for v in properties[c].tolist()] for c in columns]
    records = [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)] \
        if columns else [{} for _ in range(len(properties))]
    features = [
        {"type": "Feature", "id": str(label), "properties": props, "geometry": gj}
        for label, props, gj in zip(properties.index, records, geo_json, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


# ----------------------------------------------------------------------------- elements

_HELPERS_JS = """
var {{ this.get_name() }} = (function () {
  var cfg = {{ this.config|tojson }};
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function hex(c) { return [1, 3, 5].map(function (k) { return parseInt(c.substr(k, 2), 16); }); }
  function ramp(v, colors) {
    if (typeof v !== "number" || v !== v) { return cfg.nodata; }
    var x = Math.min(Math.max(Number(v), 0), 1) * (colors.length - 1);
    var i = Math.min(Math.floor(x), colors.length - 2), f = x - i;
    var a = hex(colors[i]), b = hex(colors[i + 1]);
    return "#" + [0, 1, 2].map(function (k) {
      var s = Math.round(a[k] + (b[k] - a[k]) * f).toString(16);
      return s.length < 2 ? "0" + s : s;
    }).join("");
  }
  function grade(level) {
    return (level === null || level === undefined) ? cfg.nodata : cfg.grades[level - 1];
  }
  function gap(n) {
    if (n === null || n === undefined || n < 1) { return cfg.gaps[0]; }
    return cfg.gaps[Math.min(n, cfg.gaps.length) - 1];
  }
  function lisa(v) { var k = cfg.lisa_keys[String(v)]; return k ? cfg.lisa[k] : cfg.nodata; }
  function fmt(field, v) {
    if (v === null || v === undefined) { return ""; }
    if (field === "grade") { return cfg.grade_names[v] || ""; }
    if (field === "lisa") { return cfg.lisa_names[String(v)] || String(v); }
    if (typeof v === "number" && !Number.isInteger(v)) { return v.toFixed(cfg.decimals); }
    return String(v);
  }
  function table(p, fields) {
    var rows = fields.map(function (f) {
      var v = f[0] === "grade" ? p.grade_level : p[f[0]];
      return "<tr><th style='text-align:left;padding-right:8px'>" + esc(f[1]) + "</th><td>" +
        esc(fmt(f[0], v)) + "</td></tr>";
    });
    return "<table class='cityind-popup'>" + rows.join("") + "</table>";
  }
  return {cfg: cfg, ramp: ramp, grade: grade, gap: gap, lisa: lisa, table: table};
})();
"""

_STYLES_JS = {
    "grades": "function (f) { return {fillColor: {{h}}.grade(f.properties.grade_level), "
              "fillOpacity: 0.75, color: '#ffffff', weight: 0.5}; }",
    "d": "function (f) { return {fillColor: {{h}}.ramp(f.properties.D, {{h}}.cfg.grades), "
         "fillOpacity: 0.75, color: '#ffffff', weight: 0.5}; }",
    "u1": "function (f) { return {fillColor: {{h}}.ramp(f.properties.U1, {{h}}.cfg.index), "
          "fillOpacity: 0.8, color: '#ffffff', weight: 0.5}; }",
    "u2": "function (f) { return {fillColor: {{h}}.ramp(f.properties.U2, {{h}}.cfg.index), "
          "fillOpacity: 0.8, color: '#ffffff', weight: 0.5}; }",
    "lisa": "function (f) { return {fillColor: {{h}}.lisa(f.properties.lisa), "
            "fillOpacity: 0.8, color: '#ffffff', weight: 0.5}; }",
    "gaps": "function (f) { var c = {{h}}.gap(f.properties.n_missing); return {color: c, "
            "weight: 3, fillColor: c, fillOpacity: 0.1}; }",
}


def _elements() -> tuple[type, type, type, type]:
    """Element classes (built lazily so importing this module does not import folium)."""
    from branca.element import MacroElement
    from folium.elements import JSCSSMixin
    from folium.map import Layer
    from jinja2 import Template

    class Helpers(MacroElement):
        """Colour ramps, grade names and popup tables shared by every layer (one script)."""

        _template = Template("{% macro script(this, kwargs) %}" + _HELPERS_JS + "{% endmacro %}")

        def __init__(self, config: dict[str, Any]) -> None:
            super().__init__()
            self._name = "cityind_helpers"
            self.config = config

    class Data(MacroElement):
        """One GeoJSON object, embedded once and shared by several layers."""

        _template = Template(
            "{% macro script(this, kwargs) %}"
            "var {{ this.get_name() }} = {{ this.json }};"
            "{% endmacro %}"
        )

        def __init__(self, data: dict[str, Any], name: str) -> None:
            super().__init__()
            self._name = name
            self.data = data
            self.json = json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                                   allow_nan=False).replace("</", "<\\/")

    class SharedGeoJson(Layer):
        """A Leaflet GeoJSON layer over a :class:`Data` object, styled in JavaScript."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJson({{ this.data.get_name() }}, {
                style: {{ this.style_js }},
                {%- if this.point %}
                pointToLayer: function (f, latlng) {
                    return L.circleMarker(latlng, {radius: 4});
                },
                {%- endif %}
                onEachFeature: function (f, layer) {
                    layer.bindTooltip({{ this.helpers.get_name() }}.table(
                        f.properties, {{ this.tooltip|tojson }}), {sticky: true});
                    {%- if this.popup %}
                    layer.bindPopup({{ this.helpers.get_name() }}.table(
                        f.properties, {{ this.popup|tojson }}), {maxWidth: 420});
                    {%- endif %}
                }
            });
            {%- if this.show %}
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
            {% endmacro %}
            """
        )

        def __init__(self, data: Any, helpers: Any, *, name: str, style: str,
                     tooltip: list[tuple[str, str]], popup: list[tuple[str, str]] | None,
                     show: bool) -> None:
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "CityindGeoJson"
            self.data = data
            self.helpers = helpers
            self.style_js = _STYLES_JS[style].replace("{{h}}", helpers.get_name())
            self.tooltip = tooltip
            self.popup = popup
            self.point = False

    class ClusterLayer(JSCSSMixin, Layer):
        """Points of one category in a Leaflet.markercluster group."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.markerClusterGroup({
                showCoverageOnHover: false, maxClusterRadius: 40,
                iconCreateFunction: function (cluster) {
                    var n = cluster.getChildCount();
                    var size = n < 10 ? 26 : (n < 100 ? 32 : 38);
                    return L.divIcon({
                        html: "<div style='background:{{ this.color }};width:" + size +
                              "px;height:" + size + "px;line-height:" + size + "px;'>" + n +
                              "</div>",
                        className: "cityind-cluster", iconSize: L.point(size, size)});
                }
            });
            {{ this.get_name() }}.addLayers(L.geoJson({{ this.data.get_name() }}, {
                pointToLayer: function (f, latlng) {
                    return L.circleMarker(latlng, {radius: 5, color: "#333333", weight: 0.8,
                        fillColor: "{{ this.color }}", fillOpacity: 0.9});
                },
                onEachFeature: function (f, layer) {
                    layer.bindTooltip({{ this.helpers.get_name() }}.table(
                        f.properties, {{ this.tooltip|tojson }}));
                }
            }).getLayers());
            {%- if this.show %}
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
            {% endmacro %}
            """
        )

        def __init__(self, data: Any, helpers: Any, *, name: str, color: str,
                     tooltip: list[tuple[str, str]], urls: dict[str, str]) -> None:
            super().__init__(name=name, overlay=True, control=True, show=True)
            self._name = "CityindCluster"
            self.data = data
            self.helpers = helpers
            self.color = color
            self.tooltip = tooltip
            self.default_js = [("markercluster_js", urls["markercluster_js"])]
            self.default_css = [("markercluster_css", urls["markercluster_css"]),
                                ("markercluster_default_css", urls["markercluster_default_css"])]

    return Helpers, Data, SharedGeoJson, ClusterLayer


def _legend_element(
    lang: str,
    *,
    with_nodata: bool,
    gap_counts: Sequence[int],
    poi_colors: dict[str, str],
    lisa: Sequence[str] = (),
) -> Any:
    """Build the fixed HTML legend (a branca MacroElement): grades, D and U ramps, gaps, LISA, POIs."""
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
    d_ramp = ", ".join(GRADE_COLORS)
    from .styles import _LISA_NAMES

    lisa_rows = [(LISA_COLORS[k], _LISA_NAMES[lang][k]) for k in LISA_COLORS if k in lisa]

    class CityindLegend(MacroElement):
        _template = Template(
            """
            {% macro html(this, kwargs) %}
            <style>
              .cityind-cluster div { border-radius: 50%; color: #fff; text-align: center;
                font: bold 12px sans-serif; border: 2px solid rgba(255,255,255,0.9);
                box-shadow: 0 0 3px rgba(0,0,0,0.5); }
              .cityind-popup th, .cityind-popup td { font: 12px sans-serif; }
            </style>
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
                {{ this.labels.legend_d|e }}</div>
              <div style="width: 150px; height: 10px; border: 1px solid #777;
                   background: linear-gradient(to right, {{ this.d_ramp }});"></div>
              <div style="width: 152px; display: flex; justify-content: space-between;">
                <span>0</span><span>0.5</span><span>1</span></div>
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
              {% if this.lisa %}
              <div style="font-weight: bold; margin: 6px 0 2px;">
                {{ this.labels.legend_lisa|e }}</div>
              {% for color, text in this.lisa %}
              <div><span style="display: inline-block; width: 14px; height: 12px; margin-right: 6px;
                   vertical-align: middle; background: {{ color }}; border: 1px solid #777;">
                   </span>{{ text|e }}</div>
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
            self.d_ramp = d_ramp
            self.gaps = gaps
            self.lisa = lisa_rows
            self.pois = list(poi_colors.items())

    return CityindLegend()


def _check_options(
    *, precision: Any, simplify_tolerance: Any, basemap: Any, tianditu_key: Any,
    prefer_canvas: Any,
) -> None:
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
    if isinstance(basemap, str) and basemap not in BASEMAPS:
        msg = (f"`basemap` must be one of {list(BASEMAPS)}, a folium.TileLayer or None, got "
               f"{basemap!r}.")
        raise InputError(msg)
    if basemap == "tianditu" and not (isinstance(tianditu_key, str) and tianditu_key.strip()):
        msg = ("`basemap='tianditu'` needs your own Tianditu browser key in `tianditu_key` "
               f"(got {tianditu_key!r}); cityind_gis ships none. Register one at the Tianditu "
               "developer console, or use basemap='osm', 'amap' or 'none'.")
        raise InputError(msg)
    if prefer_canvas is not None and not isinstance(prefer_canvas, bool):
        msg = f"`prefer_canvas` must be True, False or None (automatic), got {prefer_canvas!r}."
        raise InputError(msg)


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
    _check_lang(lang)
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
    levels = _grade_levels(grid, "grid")
    if gaps is not None:
        check_geometries(gaps, "gaps", allow_empty_layer=True)
        check_crs(gaps, "gaps")
        check_columns(gaps, _GAP_REQUIRED, "gaps")
    if pois is not None:
        check_geometries(pois, "pois", geom_types=("Point",), allow_empty_layer=True)
        check_crs(pois, "pois")
        check_columns(pois, ["category"], "pois")

    from .styles import _LISA_NAMES, _lisa_column, _lisa_key

    Helpers, Data, SharedGeoJson, ClusterLayer = _elements()
    labels = _LABELS[lang]
    names = _grade_names(lang)
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
    for col in extra:
        props[col] = grid[col]
    lisa_col = _lisa_column([c for c in grid.columns if c != grid.geometry.name])
    lisa_keys: dict[str, str] = {}
    if lisa_col:
        raw = grid[lisa_col].astype(object).where(grid[lisa_col].notna(), None)
        props["lisa"] = raw
        for v in pd.unique(raw.dropna()):
            key = _lisa_key(v.item() if hasattr(v, "item") else v)
            if key is not None:
                lisa_keys[str(_json_value(v))] = key
    grid_data = Data(_feature_collection(geom, props, precision=digits), "cityind_grid")

    minx, miny, maxx, maxy = (float(v) for v in geom.total_bounds)
    canvas = len(grid) > CANVAS_THRESHOLD if prefer_canvas is None else prefer_canvas
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=None,
        control_scale=True,
        prefer_canvas=canvas,
        zoom_start=13,
        maxZoom=19,  # Leaflet.markercluster needs it when there is no tile layer
    )
    # Only Leaflet itself is needed (no jQuery, Bootstrap or Font Awesome).
    m.default_js = [("leaflet", urls["leaflet_js"])]
    m.default_css = [("leaflet_css", urls["leaflet_css"])]
    for tile in _basemap_layers(basemap, tianditu_key):
        tile.add_to(m)

    helpers = Helpers({
        "grades": list(GRADE_COLORS), "index": list(INDEX_COLORS), "gaps": list(GAP_COLORS),
        "nodata": NODATA_COLOR, "lisa": LISA_COLORS, "lisa_keys": lisa_keys,
        "lisa_names": {v: f"{k} {_LISA_NAMES[lang][k]}" if k != "ns" else _LISA_NAMES[lang][k]
                       for v, k in lisa_keys.items()},
        "grade_names": {str(k): f"{k} {v}" for k, v in names.items()},
        "decimals": _DECIMALS,
    })
    m.add_child(helpers)
    m.add_child(grid_data)

    def fields(cols: Sequence[str]) -> list[tuple[str, str]]:
        return [(c, alias(c)) for c in cols]

    popup = fields(["cell", "U1", "U2", "C", "T", "D", "grade", *extra])
    for key, layer, tip, show in (
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
            with_nodata=bool(levels.isna().any()),
            gap_counts=gap_counts,
            poi_colors=poi_colors,
            lisa=sorted(set(lisa_keys.values())),
        )
    )
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


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
