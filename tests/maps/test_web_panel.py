# ruff: noqa: D103  (test names say what they check)
"""Tests of the panel web map (cityind_gis.maps.web_panel)."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import box

from cityind_gis._errors import CRSError, InputError, SchemaError
from cityind_gis.coupling import coordination_level
from cityind_gis.maps import _web_parts as parts
from cityind_gis.maps.assets import copy_assets, external_assets
from cityind_gis.maps.web import CHANGE_COLORS, GRADE_COLORS, NODATA_COLOR, save_html
from cityind_gis.maps.web_panel import panel_web_map

X0, Y0 = 500_000.0, 3_400_000.0  # UTM 50N: lon 117 E, lat about 30.73 N
D_2019 = [0.55, 0.35, 0.95]
D_2024 = [0.55, 0.65, 0.75]
#: 10-grade levels (level k covers [(k - 1) / 10, k / 10))
LEVELS_2019, LEVELS_2024 = [6, 4, 10], [6, 7, 8]
LAYERS_EN = ["Coordination grade 2019", "Coordination grade 2024",
             "Change of D, ΔD (2019 → 2024)"]


@pytest.fixture
def panel() -> gpd.GeoDataFrame:
    """Three 100 m cells in a row (ids 0-2, UTM 50N) in 2019 and 2024, long format.

    ::

        cell      0      1      2
        D 2019   .55    .35    .95    grades 6, 4, 10
        D 2024   .55    .65    .75    grades 6, 7, 8
        ΔD        0     +.3    -.2    grade change 0, +3, -2 ; max |ΔD| = .3
    """
    cells = [box(X0 + i * 100, Y0, X0 + (i + 1) * 100, Y0 + 100) for i in range(3)]
    return gpd.GeoDataFrame({
        "period": ["2019"] * 3 + ["2024"] * 3,
        "cell_id": [0, 1, 2] * 2,
        "U1": 0.5, "U2": 0.5,
        "D": D_2019 + D_2024,
        "grade_level": pd.array(LEVELS_2019 + LEVELS_2024, dtype="Int64"),
    }, geometry=cells * 2, crs="EPSG:32650")


def _overlays(m: folium.Map) -> list:
    return [c for c in m._children.values() if type(c).__name__ == "SharedGeoJson"]


def _helpers(m: folium.Map) -> dict:
    return next(c for c in m._children.values() if type(c).__name__ == "Helpers").config


def _features(m: folium.Map) -> list[dict]:
    return _overlays(m)[0].data.data["features"]


def _legend_html(m: folium.Map) -> str:
    html = m.get_root().render()
    start = html.index('class="cityind-legend"')
    return html[start : html.index("<!-- /cityind-legend -->", start)]


def test_fixture_levels_are_the_grades_of_d():
    assert coordination_level(pd.Series(D_2019)).tolist() == LEVELS_2019
    assert coordination_level(pd.Series(D_2024)).tolist() == LEVELS_2024


def test_one_layer_per_period_plus_change(panel):
    m = panel_web_map(panel, basemap="none")
    layers = _overlays(m)
    assert [layer.layer_name for layer in layers] == LAYERS_EN
    # only the change is drawn at first; periods are ticked in the layer control
    assert [layer.show for layer in layers] == [False, False, True]
    assert [layer.style_js.split("f.properties")[1][:6] for layer in layers] == [
        '["g0"]', '["g1"]', '["dD"]']


def test_units_embedded_once_for_all_layers(panel):
    m = panel_web_map(panel, basemap="none")
    assert len({id(layer.data) for layer in _overlays(m)}) == 1
    html = m.get_root().render()
    assert html.count("var cityind_panel") == 1
    # one feature per cell (not per period and cell); each corner appears in one object
    assert len(_features(m)) == 3
    corner = _features(m)[2]["geometry"]["coordinates"][0][1]
    assert html.count(f"[{corner[0]},{corner[1]}]") == 1


def test_feature_properties_known_answer(panel):
    props = [f["properties"] for f in _features(panel_web_map(panel, basemap="none"))]
    assert [p["unit"] for p in props] == ["0", "1", "2"]
    assert [(p["D0"], p["D1"]) for p in props] == list(zip(D_2019, D_2024, strict=True))
    assert [(p["g0"], p["g1"]) for p in props] == list(zip(LEVELS_2019, LEVELS_2024,
                                                           strict=True))
    assert [p["dD"] for p in props] == pytest.approx([0.0, 0.3, -0.2])
    assert [p["dg"] for p in props] == [0, 3, -2]


def test_tooltips_and_popups_name_every_period(panel):
    layers = _overlays(panel_web_map(panel, basemap="none"))
    assert layers[2].popup == [
        ("unit", "Cell", "text"),
        ("D0", "D 2019", "number"), ("g0", "Grade 2019", "grade"),
        ("D1", "D 2024", "number"), ("g1", "Grade 2024", "grade"),
        ("dD", "ΔD (2024 − 2019)", "signed"), ("dg", "Grade change (levels)", "steps"),
    ]
    assert [f[0] for f in layers[2].tooltip] == ["unit", "D0", "D1", "dD", "dg"]
    assert [f[0] for f in layers[0].tooltip] == ["unit", "D0", "g0", "dD"]


def test_change_of_unchanged_unit_is_the_neutral_colour(panel):
    m = panel_web_map(panel, basemap="none")
    config = _helpers(m)
    assert config["change"] == list(CHANGE_COLORS)
    neutral = CHANGE_COLORS[len(CHANGE_COLORS) // 2]
    assert neutral == "#f7f7f7"
    dd = [f["properties"]["dD"] for f in _features(m)]
    colours = [parts._change_color(v, config["change_limit"]) for v in dd]
    # 0 -> middle ; +.3 = +m -> last ; -.2 -> t = 1/6, x = 10/6: 2/3 from #b2182b to #d6604d
    assert colours == [neutral, "#053061", "#ca4842"]


def test_change_ramp_is_symmetric(panel):
    m = panel_web_map(panel, basemap="none")
    limit = _helpers(m)["change_limit"]
    # the scale is [-m, m] with m = max |ΔD| = .3, although the largest fall is only .2
    assert limit == pytest.approx(0.3)
    assert len(CHANGE_COLORS) % 2 == 1
    assert parts._change_color(-limit, limit) == CHANGE_COLORS[0]
    assert parts._change_color(limit, limit) == CHANGE_COLORS[-1]
    # equal changes up and down sit at mirrored places of the ramp
    reverse = CHANGE_COLORS[::-1]
    for v in (0.05, 0.2, 0.3):
        assert parts._change_color(-v, limit) == parts._ramp_color(0.5 + v / (2 * limit), reverse)
    legend = _legend_html(m)
    assert "Change of D: ΔD = D(2024) − D(2019)" in legend
    assert re.findall(r"<span>([^<]*)</span>", legend[legend.index("cityind-legend-change"):])[
        :3] == ["−0.3", "0", "+0.3"]


def test_legend_has_ten_grades_and_no_index_ramps(panel):
    legend = _legend_html(panel_web_map(panel, basemap="none", lang="zh"))
    assert legend.count('class="cityind-legend-grade"') == 10
    assert all(c in legend for c in GRADE_COLORS)
    assert "协调度变化 ΔD = D(2024) − D(2019)" in legend and "红：下降" in legend
    assert "子系统指数" not in legend


def test_small_changes_keep_a_minimum_scale(panel):
    flat = panel.assign(D=D_2019 * 2)
    m = panel_web_map(flat, basemap="none")
    assert _helpers(m)["change_limit"] == 0.01
    assert {f["properties"]["dD"] for f in _features(m)} == {0.0}


def test_base_and_target_chosen_as_text(panel):
    m = panel_web_map(panel, base=2024, target=2019, basemap="none")
    assert [f["properties"]["dD"] for f in _features(m)] == pytest.approx([0.0, -0.3, 0.2])
    assert _overlays(m)[2].layer_name == "Change of D, ΔD (2024 → 2019)"


def test_missing_d_is_blank_and_grey(panel):
    gaps = panel.copy()
    gaps.loc[4, "D"] = np.nan  # cell 1 in 2024
    gaps.loc[4, "grade_level"] = pd.NA
    m = panel_web_map(gaps, basemap="none")
    props = _features(m)[1]["properties"]
    assert props["D1"] is None and props["g1"] is None
    assert props["dD"] is None and props["dg"] is None
    assert parts._change_color(props["dD"], 0.2) == NODATA_COLOR
    assert _helpers(m)["change_limit"] == pytest.approx(0.2)
    assert "no data" in _legend_html(m)


def test_zone_panel_with_unit_column(panel):
    zones = panel.rename(columns={"cell_id": "zone_id"}).assign(
        zone_id=["320501", "320502", "320503"] * 2)
    m = panel_web_map(zones, basemap="none", lang="zh")
    assert [f["properties"]["unit"] for f in _features(m)] == ["320501", "320502", "320503"]
    assert _overlays(m)[2].popup[0] == ("unit", "分区", "text")
    other = panel.rename(columns={"cell_id": "code"})
    assert len(_features(panel_web_map(other, unit_column="code", basemap="none"))) == 3


@pytest.mark.parametrize(
    ("basemap", "key", "urls"),
    [
        ("none", None, []),
        ("osm", None, ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]),
        ("amap", None, ["https://webrd0{s}.is.autonavi.com/"]),
        ("tianditu", "abc123", ["https://t{s}.tianditu.gov.cn/vec_w/",
                                "https://t{s}.tianditu.gov.cn/cva_w/"]),
    ],
    ids=["none", "osm", "amap", "tianditu"],
)
def test_basemaps(panel, basemap, key, urls):
    html = panel_web_map(panel, basemap=basemap, tianditu_key=key).get_root().render()
    tiles = re.findall(r'L\.tileLayer\(\s*"([^"]+)"', html)
    assert len(tiles) == len(urls)
    assert all(t.startswith(u) for t, u in zip(sorted(tiles), sorted(urls), strict=True))


def test_amap_shifts_units_to_gcj02(panel):
    from cityind_gis.io.coords import wgs84_to_gcj02

    plain = _features(panel_web_map(panel, basemap="none"))[0]["geometry"]["coordinates"][0][0]
    shifted = _features(panel_web_map(panel, basemap="amap"))[0]["geometry"]["coordinates"][0][0]
    lon, lat = wgs84_to_gcj02(np.array([plain[0]]), np.array([plain[1]]))
    assert shifted == pytest.approx([lon[0], lat[0]], abs=1e-6)


def test_local_assets_leave_no_external_url(panel, tmp_path):
    copy_assets(tmp_path / "leaflet")
    m = panel_web_map(panel, basemap="none", assets=tmp_path / "leaflet")
    html_bytes = save_html(m, tmp_path / "panel_map.html")
    html = (tmp_path / "panel_map.html").read_text(encoding="utf-8")
    assert external_assets(tmp_path / "panel_map.html") == []
    assert re.search(r"https?://", html) is None
    assert (tmp_path / "leaflet").resolve().as_uri() + "/leaflet.js" in html
    assert html_bytes == len(html.encode("utf-8"))


def test_default_assets_come_from_the_cdn(panel):
    html = panel_web_map(panel, basemap="none").get_root().render()
    assert external_assets(html) == ["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
                                     "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"]


def test_input_not_mutated(panel):
    before = panel.copy()
    panel_web_map(panel, basemap="amap", simplify_tolerance=1.0)
    assert_geodataframe_equal(panel, before)


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "match"),
    [
        (lambda p: p[p["period"] == "2019"], {}, InputError, r"1 period\(s\) \['2019'\]"),
        (lambda p: pd.concat([p, p.iloc[[0]]]), {}, SchemaError,
         r"1 repeated \(period, cell_id\) pair\(s\), e.g. \[\('2019', '0'\)\]"),
        (lambda p: p.drop(columns="grade_level"), {}, SchemaError, "grade_level"),
        (lambda p: p.rename(columns={"cell_id": "code"}), {}, SchemaError,
         r"none of the unit id columns .*unit_column='code'"),
        (lambda p: p, {"base": 2010}, InputError, r"`base` 2010 is not a period"),
        (lambda p: p, {"base": "2024"}, InputError, "same period"),
        (lambda p: p.assign(D=["x"] * 6), {}, SchemaError, r"`panel\['D'\]` must hold numbers"),
        (lambda p: p.assign(grade_level=11), {}, SchemaError, "levels 1-10"),
        (lambda p: p, {"basemap": "tianditu"}, InputError, "tianditu_key"),
        (lambda p: p, {"lang": "fr"}, InputError, "`lang`"),
        (lambda p: p.set_crs(None, allow_override=True), {}, CRSError, "panel"),
    ],
    ids=["one-period", "repeated-pair", "no-grade", "no-unit-column", "unknown-base",
         "same-periods", "text-d", "bad-grade", "tianditu-no-key", "lang", "no-crs"],
)
def test_errors(panel, change, kwargs, error, match):
    with pytest.raises(error, match=match):
        panel_web_map(change(panel), **kwargs)
