# ruff: noqa: D103  (test names say what they check)
"""Tests of the QGIS styles (cityind_gis.maps.styles) and their GeoPackage table."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from cityind_gis._errors import InputError
from cityind_gis.coupling import GRADES_10, coordination_level
from cityind_gis.io.writers import write_geopackage
from cityind_gis.maps.styles import (
    LISA_COLORS,
    field_aliases,
    layer_styles,
    short_field_names,
)
from cityind_gis.maps.web import GRADE_COLORS

UTM = "EPSG:32650"
X0, Y0 = 500_000.0, 3_400_000.0
D_VALUES = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.75, 0.85, 0.95]


def _rgb(hex_color: str) -> str:
    c = hex_color.lstrip("#")
    return ",".join(str(int(c[i : i + 2], 16)) for i in (0, 2, 4))


@pytest.fixture
def results() -> dict[str, gpd.GeoDataFrame]:
    """Every kind of result layer, tiny, in UTM 50N.

    Grid (3 x 3), gaps, POIs, land use, network, LISA clusters and candidate sites.
    """
    cells = [box(X0 + i * 100, Y0 + j * 100, X0 + (i + 1) * 100, Y0 + (j + 1) * 100)
             for j in range(3) for i in range(3)]
    grid = gpd.GeoDataFrame({
        "U1": np.linspace(0.0, 1.0, 9), "U2": np.linspace(1.0, 0.0, 9), "C": 0.9, "T": 0.5,
        "D": D_VALUES, "grade_level": coordination_level(pd.Series(D_VALUES)).to_numpy(),
        "industrial_share": np.linspace(0, 1, 9),
        "n_missing_services": pd.array([None, 1, 2, 3, 4, 5, None, 1, 2], dtype="Int64"),
    }, geometry=cells, crs=UTM, index=pd.RangeIndex(9, name="cell_id"))
    gaps = grid.loc[[1, 2, 3]].assign(n_missing=[1, 2, 5], missing="food",
                                      gap_score=[1 / 7, 2 / 7, 5 / 7])[
        ["n_missing", "missing", "gap_score", "geometry"]]
    pois = gpd.GeoDataFrame({"category": ["food", "retail", "food"], "name": ["面馆", "", None]},
                            geometry=[Point(X0 + 10, Y0 + 10), Point(X0 + 20, Y0 + 20),
                                      Point(X0 + 30, Y0 + 30)], crs=UTM)
    landuse = gpd.GeoDataFrame({"class": ["industrial", "residential"]},
                               geometry=[box(X0, Y0, X0 + 150, Y0 + 300),
                                         box(X0 + 150, Y0, X0 + 300, Y0 + 300)], crs=UTM)
    network = gpd.GeoDataFrame({"length": [300.0]},
                               geometry=[LineString([(X0, Y0), (X0 + 300, Y0)])], crs=UTM)
    lisa = grid[["geometry"]].assign(lisa_cluster=[1, 2, 3, 4, 0, 1, 3, 0, 1])
    sites = gpd.GeoDataFrame({"category": ["food"]}, geometry=[Point(X0 + 50, Y0 + 250)],
                             crs=UTM)
    return {"grid": grid, "service_gaps": gaps, "pois": pois, "landuse": landuse,
            "network": network, "lisa_clusters": lisa, "candidate_sites": sites}


@pytest.fixture
def gpkg(tmp_path, results):
    return write_geopackage(results, tmp_path / "out.gpkg", lang="zh")


def _rows(path) -> pd.DataFrame:
    con = sqlite3.connect(path)
    try:
        return pd.read_sql("SELECT * FROM layer_styles", con)
    finally:
        con.close()


def _sql(path, query: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


# ----------------------------------------------------------------------------- the table


def test_layer_styles_table_has_qgis_schema(gpkg):
    info = _sql(gpkg, "PRAGMA table_info(layer_styles)")
    assert [(name, typ) for _, name, typ, *_ in info] == [
        ("id", "INTEGER"), ("f_table_catalog", "TEXT(256)"), ("f_table_schema", "TEXT(256)"),
        ("f_table_name", "TEXT(256)"), ("f_geometry_column", "TEXT(256)"),
        ("styleName", "TEXT(30)"), ("styleQML", "TEXT"), ("styleSLD", "TEXT"),
        ("useAsDefault", "BOOLEAN"), ("description", "TEXT"), ("owner", "TEXT(30)"),
        ("ui", "TEXT(30)"), ("update_time", "DATETIME"),
    ]
    assert _sql(gpkg, "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'") \
        == [("attributes",)]


def test_every_style_row_meets_the_qgis_lookup_rules(gpkg, results):
    rows = _rows(gpkg)
    geoms = dict(_sql(gpkg, "SELECT table_name, column_name FROM gpkg_geometry_columns"))
    assert (rows["f_table_catalog"] == "").all()
    assert (rows["f_table_schema"] == "").all()
    assert rows["f_table_name"].isin(list(geoms)).all()
    assert (rows["f_geometry_column"] == rows["f_table_name"].map(geoms)).all()
    assert rows["useAsDefault"].isin([0, 1]).all()
    assert rows.groupby("f_table_name")["useAsDefault"].sum().to_dict() == dict.fromkeys(results, 1)
    assert rows["styleName"].str.len().max() <= 30
    assert not rows.duplicated(["f_table_name", "styleName"]).any()


def test_every_qml_and_sld_is_well_formed_xml(gpkg):
    rows = _rows(gpkg)
    roots = [ET.fromstring(q.split("\n", 1)[1]) for q in rows["styleQML"]]
    assert {r.tag for r in roots} == {"qgis"}
    assert {ET.fromstring(s.split("\n", 1)[1]).tag for s in rows["styleSLD"]} == {
        "{http://www.opengis.net/sld}StyledLayerDescriptor"}


def test_default_grid_style_is_d_on_the_10_grades(gpkg):
    rows = _rows(gpkg)
    qml = rows.loc[(rows.f_table_name == "grid") & (rows.useAsDefault == 1), "styleQML"].item()
    root = ET.fromstring(qml.split("\n", 1)[1])
    rend = root.find("renderer-v2")
    assert (rend.get("type"), rend.get("attr")) == ("graduatedSymbol", "D")
    ranges = rend.findall("ranges/range")
    got = [(float(r.get("lower")), float(r.get("upper")), r.get("label")) for r in ranges]
    expected = [(lo, hi, f"{lvl} {zh} [{lo:.1f}, {hi:.1f}{']' if lvl == 10 else ')'}")
                for lvl, lo, hi, zh, _ in reversed(GRADES_10)]
    assert got == expected
    colors = {s.get("name"): s.find("layer/prop[@k='color']").get("v")
              for s in rend.findall("symbols/symbol")}
    assert [colors[r.get("symbol")] for r in ranges] == [
        f"{_rgb(c)},255" for c in reversed(GRADE_COLORS)]


@pytest.mark.parametrize("d", [0.0, 0.1, 0.2, 0.49999, 0.5, 0.9, 1.0],
                         ids=["zero", "b0.1", "b0.2", "below-half", "half", "b0.9", "one"])
def test_qgis_first_match_rule_gives_coordination_level(d):
    # QgsGraduatedSymbolRenderer::rangeForValue: first range in list order whose
    # closed interval holds the value.
    grid = gpd.GeoDataFrame({"D": [d], "grade_level": [1]}, geometry=[box(0, 0, 1, 1)], crs=UTM)
    root = ET.fromstring(layer_styles(grid, "grid")[0].qml.split("\n", 1)[1])
    ranges = root.findall("renderer-v2/ranges/range")
    hit = next(r for r in ranges if float(r.get("lower")) <= d <= float(r.get("upper")))
    level = int(hit.get("label").split()[0])
    assert level == coordination_level(pd.Series([d])).iloc[0]


def test_grade_style_is_categorical_with_grade_names(results):
    styles = layer_styles(results["grid"], "grid", lang="en")
    grade = next(s for s in styles if s.name == "Grade (categorized)")
    root = ET.fromstring(grade.qml.split("\n", 1)[1])
    cats = root.findall("renderer-v2/categories/category")
    assert [(c.get("value"), c.get("label")) for c in cats] == [
        (str(lvl), f"{lvl} {en}") for lvl, _, _, _, en in GRADES_10]
    assert not grade.default


def test_aliases_follow_lang(results):
    zh = ET.fromstring(layer_styles(results["grid"], "grid", lang="zh")[0].qml.split("\n", 1)[1])
    en = ET.fromstring(layer_styles(results["grid"], "grid", lang="en")[0].qml.split("\n", 1)[1])
    assert zh.find("aliases/alias[@field='D']").get("name") == "耦合协调度 D"
    assert en.find("aliases/alias[@field='D']").get("name") == "coupling coordination degree D"
    assert en.find("aliases/alias[@field='n_missing_services']").get("name") == \
        "missing service categories"


@pytest.mark.parametrize(
    ("layer", "kind", "attr"),
    [("service_gaps", "graduatedSymbol", "n_missing"), ("pois", "categorizedSymbol", "category"),
     ("landuse", "categorizedSymbol", "class"), ("network", "singleSymbol", None),
     ("lisa_clusters", "categorizedSymbol", "lisa_cluster"),
     ("candidate_sites", "singleSymbol", None)],
    ids=["gaps", "pois", "landuse", "network", "lisa", "candidates"],
)
def test_default_style_by_layer(results, layer, kind, attr):
    style = layer_styles(results[layer], layer, lang="en")[0]
    rend = ET.fromstring(style.qml.split("\n", 1)[1]).find("renderer-v2")
    assert (rend.get("type"), rend.get("attr")) == (kind, attr)


def test_lisa_codes_map_to_cluster_colours(results):
    style = layer_styles(results["lisa_clusters"], "lisa_clusters", lang="en")[0]
    root = ET.fromstring(style.qml.split("\n", 1)[1])
    cats = root.findall("renderer-v2/categories/category")
    colors = {s.get("name"): s.find("layer/prop[@k='color']").get("v")
              for s in root.findall("renderer-v2/symbols/symbol")}
    got = {c.get("value"): (c.get("label"), colors[c.get("symbol")]) for c in cats}
    assert got == {
        "1": ("HH high-high cluster", f"{_rgb(LISA_COLORS['HH'])},255"),
        "3": ("LL low-low cluster", f"{_rgb(LISA_COLORS['LL'])},255"),
        "2": ("LH low-high outlier", f"{_rgb(LISA_COLORS['LH'])},255"),
        "4": ("HL high-low outlier", f"{_rgb(LISA_COLORS['HL'])},255"),
        "0": ("not significant", f"{_rgb(LISA_COLORS['ns'])},255"),
    }


def test_lisa_labels_as_text_are_recognised(results):
    lisa = results["lisa_clusters"].assign(lisa_cluster=["HH", "High-Low", "ns"] * 3)
    style = layer_styles(lisa, "lisa", lang="zh")[0]
    cats = ET.fromstring(style.qml.split("\n", 1)[1]).findall("renderer-v2/categories/category")
    assert [(c.get("value"), c.get("label")) for c in cats] == [
        ("HH", "HH 高-高聚集"), ("High-Low", "HL 高-低异常"), ("ns", "不显著")]


def test_lisa_labels_in_chinese_are_recognised(results):
    lisa = results["lisa_clusters"].assign(lisa_cluster=["高-高聚集", "不显著", "LL"] * 3)
    style = layer_styles(lisa, "lisa", lang="en")[0]
    root = ET.fromstring(style.qml.split("\n", 1)[1])
    colors = {s.get("name"): s.find("layer/prop[@k='color']").get("v")
              for s in root.findall("renderer-v2/symbols/symbol")}
    cats = root.findall("renderer-v2/categories/category")
    assert [(c.get("value"), c.get("label"), colors[c.get("symbol")]) for c in cats] == [
        ("高-高聚集", "HH high-high cluster", f"{_rgb(LISA_COLORS['HH'])},255"),
        ("LL", "LL low-low cluster", f"{_rgb(LISA_COLORS['LL'])},255"),
        ("不显著", "not significant", f"{_rgb(LISA_COLORS['ns'])},255")]


def test_grid_with_lisa_column_gets_an_extra_style(results):
    grid = results["grid"].assign(lisa_cluster=results["lisa_clusters"]["lisa_cluster"])
    names = [s.name for s in layer_styles(grid, "grid", lang="en")]
    assert names == ["D (10 grades)", "Grade (categorized)", "Industrial index U1",
                     "Urban-function index U2", "LISA clusters", "Gap severity"]


def test_unknown_layer_gets_a_single_symbol():
    other = gpd.GeoDataFrame({"x": [1]}, geometry=[box(0, 0, 1, 1)], crs=UTM)
    styles = layer_styles(other, "parcels")
    assert [(s.name, s.default) for s in styles] == [("parcels", True)]


@pytest.mark.parametrize(("kwargs", "match"),
                         [({"lang": "fr"}, "`lang` must be 'zh' or 'en'"),
                          ({"layer": ""}, "`layer` must be a non-empty")],
                         ids=["lang", "layer"])
def test_layer_styles_rejects_bad_options(results, kwargs, match):
    args = {"layer": "grid", **kwargs}
    with pytest.raises(InputError, match=match):
        layer_styles(results["grid"], args.pop("layer"), **args)


# ----------------------------------------------------------------------------- names


def test_field_aliases_patterns():
    got = field_aliases(["poi_density_food", "net_dist_transit", "industrial_share",
                         "landuse_area_green", "gap_retail", "obstacle_1_pct", "mystery"],
                        lang="en")
    assert got == {
        "poi_density_food": "food and beverage POI density (/km²)",
        "net_dist_transit": "walk to nearest transit (m)",
        "industrial_share": "industrial land share",
        "landuse_area_green": "green space and squares land area (m²)",
        "gap_retail": "lacks retail",
        "obstacle_1_pct": "obstacle degree 1 (%)",
    }


def test_short_field_names_are_unique_ascii_and_short():
    cols = ["poi_density_daily_services", "poi_density_daily_servicez", "D", "名称",
            "landuse_area_culture_sports", "a" * 30, "a" * 31]
    got = short_field_names(cols)
    assert list(got) == cols
    assert all(len(v) <= 10 and v.isascii() for v in got.values())
    assert len({v.lower() for v in got.values()}) == len(cols)
    assert got["D"] == "D"


def test_short_field_names_rejects_tiny_width():
    with pytest.raises(InputError, match="`width` must be an integer of at least 4"):
        short_field_names(["a"], width=2)


# ----------------------------------------------------------------------------- QGIS itself

_QGIS_SCRIPT = """
import os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
for name in sys.argv[2:]:
    lyr = QgsVectorLayer(sys.argv[1] + "|layername=" + name, name, "ogr")
    r = lyr.renderer()
    attr = r.classAttribute() if hasattr(r, "classAttribute") else ""
    n = len(r.ranges()) if r.type() == "graduatedSymbol" else (
        len(r.categories()) if r.type() == "categorizedSymbol" else 1)
    alias = lyr.attributeAlias(lyr.fields().indexOf("D")) if "D" in lyr.fields().names() else ""
    print(name, lyr.isValid(), r.type(), attr, n, alias, sep="|", flush=True)
os._exit(0)  # QgsApplication.exitQgis() can crash on teardown offscreen
"""


def _system_qgis() -> str | None:
    python = shutil.which("python3", path="/usr/bin")
    if python is None:
        return None
    probe = subprocess.run([python, "-c", "import qgis.core"], capture_output=True, check=False)
    return python if probe.returncode == 0 else None


@pytest.mark.slow
def test_qgis_applies_the_default_styles(gpkg):
    """Loads the GeoPackage in real QGIS (Debian python3-qgis), headless.

    QGIS is an optional, heavy install (``apt-get install python3-qgis
    qgis-providers``): the test skips where it is absent.
    """
    python = _system_qgis()
    if python is None:
        pytest.skip("QGIS (Debian python3-qgis) is not installed; optional manual check")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([python, "-c", _QGIS_SCRIPT, str(gpkg), "grid", "service_gaps", "pois",
                          "landuse", "network", "lisa_clusters", "candidate_sites"],
                         capture_output=True, text=True, env=env, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [ln for ln in out.stdout.splitlines() if ln.count("|") == 5]
    assert lines == [
        "grid|True|graduatedSymbol|D|10|耦合协调度 D",
        "service_gaps|True|graduatedSymbol|n_missing|7|",
        "pois|True|categorizedSymbol|category|2|",
        "landuse|True|categorizedSymbol|class|2|",
        "network|True|singleSymbol||1|",
        "lisa_clusters|True|categorizedSymbol|lisa_cluster|5|",
        "candidate_sites|True|singleSymbol||1|",
    ]
