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
    "d": "Coordination degree D (grade)",
    "u1": "Industrial subsystem U1",
    "u2": "Urban-function subsystem U2",
    "gaps": "Service gaps",
    "pois": "POIs",
}


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
    """Layer name -> embedded GeoJSON of every GeoJson layer of ``m``."""
    return {
        child.layer_name: child.data
        for child in m._children.values()
        if isinstance(child, folium.GeoJson)
    }


def _legend_html(m: folium.Map) -> str:
    html = m.get_root().render()
    start = html.index('class="cityind-legend"')
    return html[start : html.index("<!-- /cityind-legend -->", start)]


def _coordinates(geometry: dict) -> list[tuple[float, float]]:
    flat = np.asarray(geometry["coordinates"], dtype=float).reshape(-1, 2)
    return [tuple(xy) for xy in flat]


@pytest.mark.parametrize(
    ("layer", "expected"),
    [("d", 9), ("u1", 9), ("u2", 9), ("gaps", 2), ("pois", 4)],
    ids=["d-grades", "u1", "u2", "gaps", "pois"],
)
def test_layer_feature_counts(grid_3x3, gaps, pois, layer, expected):
    m = web_map(grid_3x3, gaps=gaps, pois=pois, tiles=None)
    layers = _layers(m)
    assert set(layers) == set(LAYERS_EN.values())
    assert len(layers[LAYERS_EN[layer]]["features"]) == expected


def test_only_grid_layers_without_gaps_and_pois(grid_3x3):
    layers = _layers(web_map(grid_3x3, tiles=None))
    assert set(layers) == {LAYERS_EN["d"], LAYERS_EN["u1"], LAYERS_EN["u2"]}


def test_grade_colours_follow_levels(grid_3x3):
    m = web_map(grid_3x3, tiles=None)
    d_layer = next(c for c in m._children.values() if isinstance(c, folium.GeoJson))
    fills = [d_layer.style_function(f)["fillColor"] for f in d_layer.data["features"]]
    assert fills == [GRADE_COLORS[level - 1] for level in LEVELS]


def test_feature_properties_known_answer(grid_3x3):
    m = web_map(grid_3x3, tiles=None, popup_columns=["net_dist_healthcare"], lang="en")
    props = _layers(m)[LAYERS_EN["d"]]["features"][6]["properties"]
    assert props == {
        "cell": "6",
        "U1": 0.75,
        "U2": 0.25,
        "C": 0.9,
        "T": 0.5,
        "D": 0.75,
        "grade_level": 8,
        "grade": "intermediate coordination",  # from GRADES_10, not the zh `grade` column
        "net_dist_healthcare": 50.0,
    }


@pytest.mark.parametrize("lang", ["zh", "en"], ids=["zh", "en"])
def test_legend_lists_ten_grade_names(grid_3x3, lang):
    legend = _legend_html(web_map(grid_3x3, tiles=None, lang=lang))
    col, other = (3, 4) if lang == "zh" else (4, 3)
    for row in GRADES_10:
        assert row[col] in legend
        assert row[other] not in legend
    assert legend.count('class="cityind-legend-grade"') == 10
    assert all(color in legend for color in GRADE_COLORS)


@pytest.mark.parametrize("precision", [6, 3], ids=["precision6", "precision3"])
def test_coordinates_are_rounded_lon_lat(grid_3x3, precision):
    m = web_map(grid_3x3, tiles=None, precision=precision)
    for feature in _layers(m)[LAYERS_EN["d"]]["features"]:
        for lon, lat in _coordinates(feature["geometry"]):
            assert 116.99 < lon < 117.01
            assert 30.72 < lat < 30.74
            assert round(lon, precision) == lon
            assert round(lat, precision) == lat


def test_fits_bounds_of_grid(grid_3x3):
    m = web_map(grid_3x3, tiles=None)
    fit = next(c for c in m._children.values() if isinstance(c, folium.map.FitBounds))
    minx, miny, maxx, maxy = grid_3x3.to_crs(4326).total_bounds
    np.testing.assert_allclose(np.asarray(fit.bounds), [[miny, minx], [maxy, maxx]], atol=1e-6)


def test_nan_d_does_not_break_rendering(grid_3x3):
    grid = grid_3x3.copy()
    grid.loc[4, ["D", "C", "T"]] = np.nan
    grid["grade_level"] = grid["grade_level"].astype("Int64")
    grid.loc[4, "grade_level"] = pd.NA
    m = web_map(grid, tiles=None)
    html = m.get_root().render()
    assert "NaN" not in html
    data = _layers(m)[LAYERS_EN["d"]]
    json.dumps(data, allow_nan=False)  # strict JSON
    props = data["features"][4]["properties"]
    assert props["D"] is None
    assert props["grade"] is None
    assert props["grade_level"] is None
    d_layer = next(c for c in m._children.values() if isinstance(c, folium.GeoJson))
    assert d_layer.style_function(data["features"][4])["fillColor"] == NODATA_COLOR
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
    html = web_map(grid, tiles=None).get_root().render()
    assert "NaN" not in html


@pytest.mark.parametrize(
    ("tiles", "n_tile_layers"), [(None, 0), ("OpenStreetMap", 1)], ids=["none", "osm"]
)
def test_tiles(grid_3x3, tiles, n_tile_layers):
    m = web_map(grid_3x3, tiles=tiles)
    found = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert len(found) == n_tile_layers


def test_has_layer_control_and_legend(grid_3x3, gaps, pois):
    m = web_map(grid_3x3, gaps=gaps, pois=pois, tiles=None, lang="zh")
    kinds = {type(c).__name__ for c in m._children.values()}
    assert {"LayerControl", "CityindLegend"} <= kinds
    legend = _legend_html(m)
    assert "服务缺口" in legend
    assert all(c in legend for c in ("education", "retail", "food"))


def test_gap_outline_by_n_missing(grid_3x3, gaps):
    m = web_map(grid_3x3, gaps=gaps, tiles=None)
    layer = next(
        c
        for c in m._children.values()
        if isinstance(c, folium.GeoJson) and c.layer_name == LAYERS_EN["gaps"]
    )
    colors = [layer.style_function(f)["color"] for f in layer.data["features"]]
    assert colors == [web.GAP_COLORS[0], web.GAP_COLORS[2]]


def test_empty_gaps_and_pois_add_no_layer(grid_3x3, gaps, pois):
    m = web_map(grid_3x3, gaps=gaps.iloc[:0], pois=pois.iloc[:0], tiles=None)
    assert set(_layers(m)) == {LAYERS_EN["d"], LAYERS_EN["u1"], LAYERS_EN["u2"]}


def test_simplify_keeps_square_cells(grid_3x3):
    m = web_map(grid_3x3, tiles=None, simplify_tolerance=5.0)
    assert all(
        len(_coordinates(f["geometry"])) == 5 for f in _layers(m)[LAYERS_EN["d"]]["features"]
    )


def test_inputs_not_mutated(grid_3x3, gaps, pois):
    before = (grid_3x3.copy(), gaps.copy(), pois.copy())
    web_map(grid_3x3, gaps=gaps, pois=pois, tiles=None, simplify_tolerance=1.0)
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
    n = save_html(web_map(grid_3x3, gaps=gaps, pois=pois, tiles=None, lang="zh"), target)
    assert n == target.stat().st_size > 0
    assert [p.name for p in target.parent.iterdir()] == ["map.html"]
    text = target.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<!DOCTYPE html>")
    assert "协调等级" in text


def test_save_html_failure_keeps_previous_file(grid_3x3, tmp_path, monkeypatch):
    target = tmp_path / "map.html"
    target.write_text("previous", encoding="utf-8")
    m = web_map(grid_3x3, tiles=None)

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
        web_map(grid, tiles=None)


def test_missing_columns_listed(grid_3x3):
    grid = grid_3x3.drop(columns=["D", "grade_level"])
    with pytest.raises(
        SchemaError, match=r"`grid` is missing column\(s\) \['D', 'grade_level'\]; it has \['U1'"
    ):
        web_map(grid, tiles=None)


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
        web_map(grid_3x3, tiles=None, **kwargs)


@pytest.mark.parametrize(
    "bad", [[0, 2, 3, 4, 5, 6, 8, 9, 10], [11, 2, 3, 4, 5, 6, 8, 9, 10]], ids=["zero", "eleven"]
)
def test_grade_level_out_of_range(grid_3x3, bad):
    grid = grid_3x3.assign(grade_level=pd.array(bad, dtype="Int64"))
    with pytest.raises(SchemaError, match="integer levels 1-10"):
        web_map(grid, tiles=None)


def test_gaps_missing_columns(grid_3x3, gaps):
    with pytest.raises(SchemaError, match=r"`gaps` is missing column\(s\) \['n_missing'\]"):
        web_map(grid_3x3, gaps=gaps.drop(columns="n_missing"), tiles=None)


def test_pois_missing_category(grid_3x3, pois):
    with pytest.raises(SchemaError, match=r"`pois` is missing column\(s\) \['category'\]"):
        web_map(grid_3x3, pois=pois.drop(columns="category"), tiles=None)


def test_pois_without_crs(grid_3x3, pois):
    with pytest.raises(CRSError, match="`pois` has no CRS"):
        web_map(grid_3x3, pois=pois.set_crs(None, allow_override=True), tiles=None)


def test_grid_of_points_rejected(pois):
    grid = pois.assign(U1=0.5, U2=0.5, C=1.0, T=0.5, D=0.7, grade_level=8)
    with pytest.raises(GeometryError, match=r"of type \['Point'\]"):
        web_map(grid, tiles=None)


def test_json_value_conversion():
    values = [np.nan, pd.NA, None, np.int64(3), np.float32(0.5), math.inf, "a", True]
    assert [web._json_value(v) for v in values] == [None, None, None, 3, 0.5, None, "a", True]
    assert re.fullmatch(r"#[0-9a-f]{6}", web._ramp_color(0.33))
