"""Building blocks of the web maps: page labels, GeoJSON conversion, Leaflet elements.

Private to :mod:`cityind_gis.maps`; :mod:`~cityind_gis.maps.web` (the map of one
run) and :mod:`~cityind_gis.maps.web_panel` (the map of a panel of periods)
share it. The palettes and grade / LISA names come from
:mod:`~cityind_gis.maps.theme`, shared with the print maps and QGIS styles;
:mod:`~cityind_gis.maps.web` re-exports the palettes (``GRADE_COLORS`` ...)
where users have always imported them. Nothing here imports folium at import time.
"""

from __future__ import annotations

import json
import logging
import math
import numbers
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InputError
from .theme import (
    CHANGE_COLORS,
    GAP_COLORS,
    GRADE_COLORS,
    INDEX_COLORS,
    LISA_COLORS,
    LISA_NAMES,
    NODATA_COLOR,
    NOT_ANALYSED_COLOR,
    NOT_ANALYSED_LABEL,
    TYPOLOGY_COLORS,
    gap_color,
    grade_names,
)

__all__: list[str] = []  # private module; see cityind_gis.maps.web

logger = logging.getLogger(__name__)

_REQUIRED = ("U1", "U2", "C", "T", "D", "grade_level")
_GAP_REQUIRED = ("n_missing", "missing")
_DECIMALS = 4  # decimals of attribute values shown in popups


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
        "layer_typology": "产城融合类型",
        "layer_bivariate": "产业 U1 × 城市功能 U2",
        "typology": "产城融合类型",
        "domain_reason": "未分析原因",
        "legend_typology": "产城融合类型",
        "legend_bivariate": "U1 × U2（三分位）",
        "zone": "分区",
        "unit": "单元",
        "layer_period": "协调等级 {period}",
        "layer_change": "协调度变化 ΔD（{base} → {target}）",
        "D_of": "协调度 D（{period}）",
        "grade_of": "协调等级（{period}）",
        "change": "ΔD（{target} − {base}）",
        "grade_change": "等级变化（级）",
        "legend_change": "协调度变化 ΔD = D({target}) − D({base})",
        "change_note": "红：下降　白：不变　蓝：上升",
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
        "layer_typology": "City-industry typology",
        "layer_bivariate": "Industry U1 x urban function U2",
        "typology": "Typology",
        "domain_reason": "Not analysed because",
        "legend_typology": "City-industry typology",
        "legend_bivariate": "U1 x U2 (terciles)",
        "zone": "Zone",
        "unit": "Unit",
        "layer_period": "Coordination grade {period}",
        "layer_change": "Change of D, ΔD ({base} → {target})",
        "D_of": "D {period}",
        "grade_of": "Grade {period}",
        "change": "ΔD ({target} − {base})",
        "grade_change": "Grade change (levels)",
        "legend_change": "Change of D: ΔD = D({target}) − D({base})",
        "change_note": "red: D fell · white: unchanged · blue: D rose",
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


def _ramp_color(value: Any, colors: Sequence[str] = INDEX_COLORS) -> str:
    """Colour of a value in [0, 1] on ``colors`` (linear interpolation, clipped to [0, 1]).

    The same arithmetic as ``ramp`` in the page's JavaScript (:data:`_HELPERS_JS`).
    """
    if value is None or pd.isna(value):
        return NODATA_COLOR
    x = min(max(float(value), 0.0), 1.0) * (len(colors) - 1)
    i = min(int(math.floor(x)), len(colors) - 2)
    frac = x - i
    a = [int(colors[i][k : k + 2], 16) for k in (1, 3, 5)]
    b = [int(colors[i + 1][k : k + 2], 16) for k in (1, 3, 5)]
    rgb = [round(u + (v - u) * frac) for u, v in zip(a, b, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _change_limit(values: Any) -> float:
    """Half-width :math:`m` of the symmetric ΔD scale: max |ΔD| of the finite values, >= 0.01."""
    v = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    finite = v[np.isfinite(v)]
    return max(float(np.abs(finite).max()) if finite.size else 0.0, 0.01)


def _change_color(value: Any, limit: float) -> str:
    """Colour of a change ΔD on :data:`CHANGE_COLORS` spread over [-limit, limit] (0 = white).

    The same arithmetic as ``change`` in the page's JavaScript.
    """
    if value is None or pd.isna(value):
        return NODATA_COLOR
    return _ramp_color((float(value) + limit) / (2.0 * limit), CHANGE_COLORS)


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
  function na(p, c) { return p.analysed === false ? cfg.not_analysed : c; }
  function typ(p) { return cfg.typology[p.typology_code] || cfg.nodata; }
  function lisa(v) { var k = cfg.lisa_keys[String(v)]; return k ? cfg.lisa[k] : cfg.nodata; }
  function change(v) {
    if (typeof v !== "number" || v !== v || !cfg.change) { return cfg.nodata; }
    return ramp((v + cfg.change_limit) / (2 * cfg.change_limit), cfg.change);
  }
  function fmt(kind, v) {
    if (v === null || v === undefined) { return ""; }
    if (kind === "grade") { return cfg.grade_names[v] || ""; }
    if (kind === "lisa") { return cfg.lisa_names[String(v)] || String(v); }
    if (kind === "signed" || kind === "steps") {
      var s = kind === "steps" ? String(Math.abs(v)) : Math.abs(v).toFixed(cfg.decimals);
      return (v > 0 ? "+" : (v < 0 ? "\u2212" : "")) + s;
    }
    if (typeof v === "number" && !Number.isInteger(v)) { return v.toFixed(cfg.decimals); }
    return String(v);
  }
  function table(p, fields) {
    var rows = fields.map(function (f) {
      var v = f[0] === "grade" ? p.grade_level : p[f[0]];
      return "<tr><th style='text-align:left;padding-right:8px'>" + esc(f[1]) + "</th><td>" +
        esc(fmt(f[2] || f[0], v)) + "</td></tr>";
    });
    return "<table class='cityind-popup'>" + rows.join("") + "</table>";
  }
  return {cfg: cfg, ramp: ramp, grade: grade, gap: gap, lisa: lisa, change: change,
          table: table, na: na, typ: typ};
})();
"""

_STYLES_JS = {
    "grades": "function (f) { return {fillColor: {{h}}.na(f.properties, "
              "{{h}}.grade(f.properties.grade_level)), "
              "fillOpacity: 0.75, color: '#ffffff', weight: 0.5}; }",
    "d": "function (f) { return {fillColor: {{h}}.na(f.properties, "
         "{{h}}.ramp(f.properties.D, {{h}}.cfg.grades)), "
         "fillOpacity: 0.75, color: '#ffffff', weight: 0.5}; }",
    "u1": "function (f) { return {fillColor: {{h}}.na(f.properties, "
          "{{h}}.ramp(f.properties.U1, {{h}}.cfg.index)), "
          "fillOpacity: 0.8, color: '#ffffff', weight: 0.5}; }",
    "u2": "function (f) { return {fillColor: {{h}}.na(f.properties, "
          "{{h}}.ramp(f.properties.U2, {{h}}.cfg.index)), "
          "fillOpacity: 0.8, color: '#ffffff', weight: 0.5}; }",
    "lisa": "function (f) { return {fillColor: {{h}}.na(f.properties, "
            "{{h}}.lisa(f.properties.lisa)), "
            "fillOpacity: 0.8, color: '#ffffff', weight: 0.5}; }",
    "typology": "function (f) { return {fillColor: {{h}}.na(f.properties, "
                "{{h}}.typ(f.properties)), fillOpacity: 0.8, color: '#ffffff', weight: 0.5}; }",
    "bivariate": "function (f) { return {fillColor: {{h}}.na(f.properties, "
                 "f.properties.bivar_color || {{h}}.cfg.nodata), fillOpacity: 0.85, "
                 "color: '#ffffff', weight: 0.5}; }",
    "gaps": "function (f) { var c = {{h}}.gap(f.properties.n_missing); return {color: c, "
            "weight: 3, fillColor: c, fillOpacity: 0.1}; }",
    # panel map: the grade of one period, the change of D (property named by {{p}})
    "grade_of": "function (f) { return {fillColor: {{h}}.grade(f.properties[{{p}}]), "
                "fillOpacity: 0.75, color: '#ffffff', weight: 0.5}; }",
    "change": "function (f) { return {fillColor: {{h}}.change(f.properties[{{p}}]), "
              "fillOpacity: 0.8, color: '#ffffff', weight: 0.5}; }",
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
                     tooltip: Sequence[tuple[str, ...]], popup: Sequence[tuple[str, ...]] | None,
                     show: bool, prop: str | None = None) -> None:
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "CityindGeoJson"
            self.data = data
            self.helpers = helpers
            self.style_js = _STYLES_JS[style].replace("{{h}}", helpers.get_name()).replace(
                "{{p}}", json.dumps(prop))
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
    ramps: bool = True,
    change: dict[str, Any] | None = None,
    with_not_analysed: bool = False,
    classes: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
) -> Any:
    """Build the fixed HTML legend (a branca MacroElement).

    Sections: the 10 grades, the D and U ramps (``ramps``), a ΔD ramp
    (``change``: ``title``, ``note`` and ``ticks``, the tick labels from -m to
    +m), service gaps, LISA clusters and POI categories. ``with_not_analysed``
    adds the grey "not analysed / 未分析" entry (units outside the analysis
    domain); ``classes`` adds sections (title, [(colour, label), ...]) such as
    the typology and the U1 x U2 classes.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    labels = _LABELS[lang]
    names = grade_names(lang)
    grades = [(GRADE_COLORS[level - 1], f"{level} {names[level]}") for level in range(1, 11)]
    if with_nodata:
        grades.append((NODATA_COLOR, labels["nodata"]))
    if with_not_analysed:
        grades.append((NOT_ANALYSED_COLOR, NOT_ANALYSED_LABEL))
    class_sections = [(str(t), list(rows)) for t, rows in classes]
    gaps = []
    for n in gap_counts:
        last = n >= len(GAP_COLORS)
        gaps.append((gap_color(n), f"≥ {len(GAP_COLORS)}" if last else str(n)))
    # One entry per colour: counts above the last colour share it.
    gaps = list(dict.fromkeys(gaps))
    ramp = ", ".join(INDEX_COLORS)
    d_ramp = ", ".join(GRADE_COLORS)
    lisa_rows = [(LISA_COLORS[k], LISA_NAMES[lang][k]) for k in LISA_COLORS if k in lisa]

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
              {% if this.change %}
              <div class="cityind-legend-change">
              <div style="font-weight: bold; margin: 6px 0 2px;">
                {{ this.change.title|e }}</div>
              <div style="width: 180px; height: 10px; border: 1px solid #777;
                   background: linear-gradient(to right, {{ this.change_ramp }});"></div>
              <div style="width: 182px; display: flex; justify-content: space-between;">
                {% for tick in this.change.ticks %}<span>{{ tick|e }}</span>{% endfor %}</div>
              <div style="color: #555;">{{ this.change.note|e }}</div>
              </div>
              {% endif %}
              {% if this.ramps %}
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
              {% endif %}
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
              {% for title, rows in this.classes %}
              <div style="font-weight: bold; margin: 6px 0 2px;">{{ title|e }}</div>
              {% for color, text in rows %}
              <div class="cityind-legend-class"><span style="display: inline-block; width: 14px;
                   height: 12px; margin-right: 6px; vertical-align: middle; background: {{ color }};
                   border: 1px solid #777;"></span>{{ text|e }}</div>
              {% endfor %}
              {% endfor %}
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
            self.classes = class_sections
            self.ramps = ramps
            self.change = change
            self.change_ramp = ", ".join(CHANGE_COLORS)

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
    if not (isinstance(simplify_tolerance, numbers.Real) and float(simplify_tolerance) >= 0):
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




def _base_map(
    geom: gpd.GeoSeries,
    *,
    n_units: int,
    prefer_canvas: bool | None,
    urls: dict[str, str],
    basemap: Any,
    tianditu_key: str | None,
) -> tuple[Any, list[list[float]]]:
    """Build an empty folium.Map over ``geom`` (lon/lat) loading only Leaflet, plus basemap tiles.

    Returns the map and the bounds ``[[south, west], [north, east]]`` to fit
    once every layer is added. Canvas rendering is chosen as in :func:`web_map`.
    """
    folium = _import_folium()
    minx, miny, maxx, maxy = (float(v) for v in geom.total_bounds)
    canvas = n_units > CANVAS_THRESHOLD if prefer_canvas is None else prefer_canvas
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
    return m, [[miny, minx], [maxy, maxx]]


def _helpers_config(lang: str, **extra: Any) -> dict[str, Any]:
    """Return the settings of the page's shared JavaScript helpers (colours, grade names)."""
    names = grade_names(lang)
    config: dict[str, Any] = {
        "grades": list(GRADE_COLORS), "index": list(INDEX_COLORS), "gaps": list(GAP_COLORS),
        "nodata": NODATA_COLOR, "not_analysed": NOT_ANALYSED_COLOR,
        "typology": TYPOLOGY_COLORS, "lisa": LISA_COLORS, "lisa_keys": {}, "lisa_names": {},
        "grade_names": {str(k): f"{k} {v}" for k, v in names.items()},
        "decimals": _DECIMALS,
    }
    config.update(extra)
    return config
