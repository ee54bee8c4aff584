# ruff: noqa: D103  (test names say what they check)
"""Tests of the interactive web map (cityind_gis.maps.web)."""

from __future__ import annotations

import json
import math
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

from cityind_gis._errors import CRSError, GeometryError, InputError, SchemaError
from cityind_gis.coupling import GRADES_10
from cityind_gis.maps import web
from cityind_gis.maps.web import GRADE_COLORS, NODATA_COLOR, save_html, web_map

X0, Y0 = 500_000.0, 3_400_000.0  # UTM 50N central meridian: lon 117 E, lat about 30.73 N
#: D of the nine cells, row by row from the south-west; levels 1-6, 8, 9, 10.
D_VALUES = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.75, 0.85, 0.95]
LEVELS = [1, 2, 3, 4, 5, 6, 8, 9, 10]

LAYERS_EN = {
    "grades": "Coordination grade",
    "d": "Coordination degree D",
    "u1": "Industrial subsystem U1",
    "u2": "Urban-function subsystem U2",
    "gaps": "Service gaps",
}
GRID_LAYERS = {LAYERS_EN[k] for k in ("grades", "d", "u1", "u2")}


@pytest.fixture
def grid_3x3() -> gpd.GeoDataFrame:
    """Nine 100 m cells covering (X0, Y0)-(X0 + 300, Y0 + 300), UTM 50N, ids 0-8.

    ::

        6 7 8      levels  8  9 10
        3 4 5              4  5  6
        0 1 2              1  2  3
    """
    cells = [
        box(X0 + i * 100, Y0 + j * 100, X0 + (i + 1) * 100, Y0 + (j + 1) * 100)
        for j in range(3)
        for i in range(3)
    ]
    zh = {row[0]: row[3] for row in GRADES_10}
    return gpd.GeoDataFrame(
        {
            "U1": np.linspace(0.0, 1.0, 9),
            "U2": np.linspace(1.0, 0.0, 9),
            "C": [0.9] * 9,
            "T": [0.5] * 9,
            "D": D_VALUES,
            "grade_level": pd.array(LEVELS, dtype="Int64"),
            "grade": [zh[level] for level in LEVELS],
            "industrial_share": [0.8, 0.6, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0],
            "net_dist_healthcare": [1200.0, 900.0, np.nan, 300.0, 250.0, 100.0, 50.0, 80.0, 60.0],
        },
        geometry=cells,
        crs="EPSG:32650",
    )


@pytest.fixture
def gaps(grid_3x3: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Cells 0 and 1 (industrial) lack 1 and 3 service categories."""
    out = grid_3x3.loc[[0, 1], ["industrial_share", "geometry"]].copy()
    out["n_missing"] = [1, 3]
    out["missing"] = ["retail", "healthcare;retail;food"]
    return out


@pytest.fixture
def pois(grid_3x3: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Four POIs of three categories inside the grid."""
    return gpd.GeoDataFrame(
        {"category": ["education", "retail", "food", "retail"], "name": ["a", None, "c", "d"]},
        geometry=[
            Point(X0 + 50, Y0 + 50),
            Point(X0 + 150, Y0 + 50),
            Point(X0 + 250, Y0 + 250),
            Point(X0 + 260, Y0 + 240),
        ],
        crs=grid_3x3.crs,
    )


def _layers(m: folium.Map) -> dict[str, dict]:
    """Layer name -> the GeoJSON each overlay of ``m`` draws."""
    return {
        child.layer_name: child.data.data
        for child in m._children.values()
        if type(child).__name__ in ("SharedGeoJson", "ClusterLayer")
    }


def _helpers(m: folium.Map) -> dict:
    return next(c for c in m._children.values() if type(c).__name__ == "Helpers").config


def _legend_html(m: folium.Map) -> str:
    html = m.get_root().render()
    start = html.index('class="cityind-legend"')
    return html[start : html.index("<!-- /cityind-legend -->", start)]


def _coordinates(geometry: dict) -> list[tuple[float, float]]:
    flat = np.asarray(geometry["coordinates"], dtype=float).reshape(-1, 2)
    return [tuple(xy) for xy in flat]


@pytest.mark.parametrize(
    ("layer", "expected"),
    [("grades", 9), ("d", 9), ("u1", 9), ("u2", 9), ("gaps", 2)],
    ids=["grades", "d", "u1", "u2", "gaps"],
)
def test_layer_feature_counts(grid_3x3, gaps, pois, layer, expected):
    m = web_map(grid_3x3, gaps=gaps, pois=pois, basemap="none")
    layers = _layers(m)
    assert set(layers) == {*LAYERS_EN.values(), "POIs: education (1)",
                           "POIs: food and beverage (1)", "POIs: retail (2)"}
    assert len(layers[LAYERS_EN[layer]]["features"]) == expected


def test_pois_clustered_per_category(grid_3x3, pois):
    m = web_map(grid_3x3, pois=pois, basemap="none", lang="zh")
    clusters = {c.layer_name: c for c in m._children.values() if type(c).__name__ == "ClusterLayer"}
    assert {k: len(c.data.data["features"]) for k, c in clusters.items()} == {
        "兴趣点 POI: 科教文化-教育 (1)": 1, "兴趣点 POI: 餐饮服务 (1)": 1,
        "兴趣点 POI: 购物服务 (2)": 2}
    assert "L.markerClusterGroup(" in m.get_root().render()


def test_only_grid_layers_without_gaps_and_pois(grid_3x3):
    layers = _layers(web_map(grid_3x3, basemap="none"))
    assert set(layers) == GRID_LAYERS


def test_grid_is_embedded_once(grid_3x3):
    m = web_map(grid_3x3, basemap="none")
    html = m.get_root().render()
    ring = _layers(m)[LAYERS_EN["grades"]]["features"][0]["geometry"]["coordinates"]
    assert html.count(json.dumps(ring, separators=(",", ":"))) == 1
    datas = {id(c.data) for c in m._children.values() if type(c).__name__ == "SharedGeoJson"}
    assert len(datas) == 1


def test_grade_colours_and_levels(grid_3x3):
    m = web_map(grid_3x3, basemap="none")
    levels = [f["properties"]["grade_level"] for f in _layers(m)[LAYERS_EN["grades"]]["features"]]
    assert levels == LEVELS
    cfg = _helpers(m)
    assert cfg["grades"] == list(GRADE_COLORS)
    assert cfg["grade_names"]["8"] == "8 intermediate coordination"


def test_feature_properties_known_answer(grid_3x3):
    m = web_map(grid_3x3, basemap="none", popup_columns=["net_dist_healthcare"], lang="en")
    props = _layers(m)[LAYERS_EN["grades"]]["features"][6]["properties"]
    assert props == {
        "cell": "6",
        "U1": 0.75,
        "U2": 0.25,
        "C": 0.9,
        "T": 0.5,
        "D": 0.75,
        "grade_level": 8,  # named in the browser from GRADES_10, not the zh `grade` column
        "net_dist_healthcare": 50.0,
    }


@pytest.mark.parametrize("lang", ["zh", "en"], ids=["zh", "en"])
def test_legend_lists_ten_grade_names(grid_3x3, lang):
    legend = _legend_html(web_map(grid_3x3, basemap="none", lang=lang))
    col, other = (3, 4) if lang == "zh" else (4, 3)
    for row in GRADES_10:
        assert row[col] in legend
        assert row[other] not in legend
    assert legend.count('class="cityind-legend-grade"') == 10
    assert all(color in legend for color in GRADE_COLORS)


@pytest.mark.parametrize("precision", [6, 3], ids=["precision6", "precision3"])
def test_coordinates_are_rounded_lon_lat(grid_3x3, precision):
    m = web_map(grid_3x3, basemap="none", precision=precision)
    for feature in _layers(m)[LAYERS_EN["grades"]]["features"]:
        for lon, lat in _coordinates(feature["geometry"]):
            assert 116.99 < lon < 117.01
            assert 30.72 < lat < 30.74
            assert round(lon, precision) == lon
            assert round(lat, precision) == lat


def test_fits_bounds_of_grid(grid_3x3):
    m = web_map(grid_3x3, basemap="none")
    fit = next(c for c in m._children.values() if isinstance(c, folium.map.FitBounds))
    minx, miny, maxx, maxy = grid_3x3.to_crs(4326).total_bounds
    np.testing.assert_allclose(np.asarray(fit.bounds), [[miny, minx], [maxy, maxx]], atol=1e-6)


def test_nan_d_does_not_break_rendering(grid_3x3):
    grid = grid_3x3.copy()
    grid.loc[4, ["D", "C", "T"]] = np.nan
    grid["grade_level"] = grid["grade_level"].astype("Int64")
    grid.loc[4, "grade_level"] = pd.NA
    m = web_map(grid, basemap="none")
    html = m.get_root().render()
    assert "NaN" not in html
    data = _layers(m)[LAYERS_EN["d"]]
    json.dumps(data, allow_nan=False)  # strict JSON
    props = data["features"][4]["properties"]
    assert props["D"] is None
    assert props["grade_level"] is None
    assert _helpers(m)["nodata"] == NODATA_COLOR
    assert "no data" in _legend_html(m)


def test_all_nan_grid_renders(grid_3x3):
    grid = grid_3x3.assign(
        U1=np.nan,
        U2=np.nan,
        C=np.nan,
        T=np.nan,
        D=np.nan,
        grade_level=pd.array([pd.NA] * 9, dtype="Int64"),
    )
    html = web_map(grid, basemap="none").get_root().render()
    assert "NaN" not in html


@pytest.mark.parametrize(
    ("basemap", "key", "urls"),
    [("none", None, []), ("osm", None, ["tile.openstreetmap.org"]),
     ("amap", None, ["autonavi.com"]),
     ("tianditu", "MYKEY", ["vec_w/wmts", "cva_w/wmts"])],
    ids=["none", "osm", "amap", "tianditu"],
)
def test_basemaps(grid_3x3, basemap, key, urls):
    m = web_map(grid_3x3, basemap=basemap, tianditu_key=key)
    found = [c.tiles for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert len(found) == len(urls)
    assert all(u in t for u, t in zip(urls, found, strict=True))
    if key:
        assert all(t.endswith("tk=MYKEY") for t in found)


def test_tianditu_needs_a_key(grid_3x3):
    with pytest.raises(InputError, match="needs your own Tianditu browser key"):
        web_map(grid_3x3, basemap="tianditu")


def test_amap_shifts_overlays_to_gcj02(grid_3x3, gaps, pois):
    from cityind_gis.io.coords import wgs84_to_gcj02

    wgs = _layers(web_map(grid_3x3, gaps=gaps, pois=pois, basemap="none", precision=9))
    gcj = _layers(web_map(grid_3x3, gaps=gaps, pois=pois, basemap="amap", precision=9))
    assert set(wgs) == set(gcj)
    for name in wgs:
        a = np.concatenate([_coordinates(f["geometry"]) for f in wgs[name]["features"]])
        b = np.concatenate([_coordinates(f["geometry"]) for f in gcj[name]["features"]])
        lon, lat = wgs84_to_gcj02(a[:, 0], a[:, 1])
        np.testing.assert_allclose(b, np.column_stack([lon, lat]), atol=2e-9)
        # near 117 E, 30.7 N the GCJ-02 offset is some hundreds of metres
        assert 0.001 < np.abs(b - a).max() < 0.01


def test_amap_leaves_points_outside_china(grid_3x3):
    helsinki = grid_3x3.set_geometry(grid_3x3.geometry.translate(-500_000 + 385_000, 3_270_000),
                                     crs="EPSG:32635")
    a = _layers(web_map(helsinki, basemap="none"))[LAYERS_EN["grades"]]
    b = _layers(web_map(helsinki, basemap="amap"))[LAYERS_EN["grades"]]
    assert a == b


def test_lisa_layer_when_grid_has_clusters(grid_3x3):
    grid = grid_3x3.assign(lisa_cluster=[1, 2, 3, 4, 0, 0, 1, 1, 3])
    m = web_map(grid, basemap="none", lang="zh")
    assert "LISA 聚类" in _layers(m)
    cfg = _helpers(m)
    assert cfg["lisa_keys"] == {"0": "ns", "1": "HH", "2": "LH", "3": "LL", "4": "HL"}
    assert cfg["lisa_names"]["1"] == "HH 高-高聚集"
    assert "不显著" in _legend_html(m)


def test_has_layer_control_and_legend(grid_3x3, gaps, pois):
    m = web_map(grid_3x3, gaps=gaps, pois=pois, basemap="none", lang="zh")
    kinds = {type(c).__name__ for c in m._children.values()}
    assert {"LayerControl", "CityindLegend"} <= kinds
    legend = _legend_html(m)
    assert "服务缺口" in legend
    assert all(c in legend for c in ("科教文化-教育", "购物服务", "餐饮服务"))


def test_gap_layer_properties(grid_3x3, gaps):
    m = web_map(grid_3x3, gaps=gaps, basemap="none")
    props = [f["properties"] for f in _layers(m)[LAYERS_EN["gaps"]]["features"]]
    assert props == [
        {"cell": "0", "n_missing": 1, "missing": "retail", "industrial_share": 0.8},
        {"cell": "1", "n_missing": 3, "missing": "healthcare;retail;food", "industrial_share": 0.6},
    ]
    assert _helpers(m)["gaps"] == list(web.GAP_COLORS)


def test_empty_gaps_and_pois_add_no_layer(grid_3x3, gaps, pois):
    m = web_map(grid_3x3, gaps=gaps.iloc[:0], pois=pois.iloc[:0], basemap="none")
    assert set(_layers(m)) == GRID_LAYERS


def test_simplify_keeps_square_cells(grid_3x3):
    m = web_map(grid_3x3, basemap="none", simplify_tolerance=5.0)
    assert all(
        len(_coordinates(f["geometry"])) == 5
        for f in _layers(m)[LAYERS_EN["grades"]]["features"]
    )


def test_inputs_not_mutated(grid_3x3, gaps, pois):
    before = (grid_3x3.copy(), gaps.copy(), pois.copy())
    web_map(grid_3x3, gaps=gaps, pois=pois, basemap="none", simplify_tolerance=1.0)
    for original, after in zip(before, (grid_3x3, gaps, pois), strict=True):
        assert_geodataframe_equal(after, original)


def test_grade_colors_constant():
    assert len(GRADE_COLORS) == len(GRADES_10) == 10
    assert len(set(GRADE_COLORS)) == 10
    rgb = [tuple(int(c[k : k + 2], 16) for k in (1, 3, 5)) for c in GRADE_COLORS]
    assert all(r > b for r, _, b in rgb[:5])  # imbalance: warm
    assert all(b > r for r, _, b in rgb[5:])  # coordination: cool


# --- saving ------------------------------------------------------------------------------


def test_save_html_writes_atomically(grid_3x3, gaps, pois, tmp_path):
    target = tmp_path / "out" / "map.html"
    n = save_html(web_map(grid_3x3, gaps=gaps, pois=pois, basemap="none", lang="zh"), target)
    assert n == target.stat().st_size > 0
    assert [p.name for p in target.parent.iterdir()] == ["map.html"]
    text = target.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<!DOCTYPE html>")
    assert "协调等级" in text


def test_save_html_failure_keeps_previous_file(grid_3x3, tmp_path, monkeypatch):
    target = tmp_path / "map.html"
    target.write_text("previous", encoding="utf-8")
    m = web_map(grid_3x3, basemap="none")

    def boom(self, data):
        self.write_text("partial", encoding="utf-8")
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr(web.Path, "write_bytes", boom)
    with pytest.raises(OSError, match="disk full"):
        save_html(m, target)
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_save_html_rejects_non_map(tmp_path):
    with pytest.raises(TypeError, match="`m` should be a folium.Map"):
        save_html("not a map", tmp_path / "x.html")


# --- errors -----------------------------------------------------------------------------


def test_grid_without_crs(grid_3x3):
    grid = grid_3x3.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="`grid` has no CRS"):
        web_map(grid, basemap="none")


def test_missing_columns_listed(grid_3x3):
    grid = grid_3x3.drop(columns=["D", "grade_level"])
    with pytest.raises(
        SchemaError, match=r"`grid` is missing column\(s\) \['D', 'grade_level'\]; it has \['U1'"
    ):
        web_map(grid, basemap="none")


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"lang": "fr"}, InputError, "`lang` must be 'zh' or 'en'"),
        ({"precision": -1}, InputError, "`precision` must be between 0 and 15"),
        ({"precision": 2.5}, InputError, "`precision` must be an integer"),
        ({"simplify_tolerance": -1.0}, InputError, "`simplify_tolerance` must be a number >= 0"),
        ({"popup_columns": ["nope"]}, SchemaError, r"missing column\(s\) \['nope'\]"),
        ({"popup_columns": "net_dist_healthcare"}, InputError, "Wrap it in a list"),
    ],
    ids=[
        "lang",
        "precision-negative",
        "precision-float",
        "simplify-negative",
        "popup-missing",
        "popup-string",
    ],
)
def test_bad_options(grid_3x3, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        web_map(grid_3x3, basemap="none", **kwargs)


@pytest.mark.parametrize(
    "bad", [[0, 2, 3, 4, 5, 6, 8, 9, 10], [11, 2, 3, 4, 5, 6, 8, 9, 10]], ids=["zero", "eleven"]
)
def test_grade_level_out_of_range(grid_3x3, bad):
    grid = grid_3x3.assign(grade_level=pd.array(bad, dtype="Int64"))
    with pytest.raises(SchemaError, match="integer levels 1-10"):
        web_map(grid, basemap="none")


def test_gaps_missing_columns(grid_3x3, gaps):
    with pytest.raises(SchemaError, match=r"`gaps` is missing column\(s\) \['n_missing'\]"):
        web_map(grid_3x3, gaps=gaps.drop(columns="n_missing"), basemap="none")


def test_pois_missing_category(grid_3x3, pois):
    with pytest.raises(SchemaError, match=r"`pois` is missing column\(s\) \['category'\]"):
        web_map(grid_3x3, pois=pois.drop(columns="category"), basemap="none")


def test_pois_without_crs(grid_3x3, pois):
    with pytest.raises(CRSError, match="`pois` has no CRS"):
        web_map(grid_3x3, pois=pois.set_crs(None, allow_override=True), basemap="none")


def test_grid_of_points_rejected(pois):
    grid = pois.assign(U1=0.5, U2=0.5, C=1.0, T=0.5, D=0.7, grade_level=8)
    with pytest.raises(GeometryError, match=r"of type \['Point'\]"):
        web_map(grid, basemap="none")


def test_json_value_conversion():
    values = [np.nan, pd.NA, None, np.int64(3), np.float32(0.5), math.inf, "a", True]
    assert [web._json_value(v) for v in values] == [None, None, None, 3, 0.5, None, "a", True]
    assert re.fullmatch(r"#[0-9a-f]{6}", web._ramp_color(0.33))
