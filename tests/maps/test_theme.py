# ruff: noqa: D103  (test names say what they check)
"""Tests of the shared map theme (cityind_gis.maps.theme)."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cityind_gis._errors import InputError, SchemaError
from cityind_gis.coupling import GRADES_10
from cityind_gis.maps import theme

MAPS = Path(theme.__file__).parent
HEX = re.compile(r"^#[0-9a-f]{6}$")


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """(relative level, module) of every import statement in ``path``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            out.append((node.level, node.module or ""))
        elif isinstance(node, ast.Import):
            out += [(0, a.name) for a in node.names]
    return out


# ----------------------------------------------------------------------------- imports


def test_theme_imports_nothing_from_maps():
    imports = _imported_modules(MAPS / "theme.py")
    # level 1 = a sibling in cityind_gis.maps; absolute imports must not name it either
    assert [m for lvl, m in imports if lvl == 1] == []
    assert [m for lvl, m in imports if lvl == 0 and m.startswith("cityind_gis.maps")] == []
    assert {m for lvl, m in imports if lvl == 2} == {"_errors", "_validate", "coupling"}


def test_theme_imports_no_drawing_library():
    top = {m.split(".")[0] for lvl, m in _imported_modules(MAPS / "theme.py") if lvl == 0}
    assert not top & {"folium", "branca", "matplotlib", "jinja2"}


def test_no_import_circle_inside_maps():
    """Sibling imports of the maps modules form a DAG (theme at the bottom)."""
    names = [p.stem for p in MAPS.glob("*.py") if p.stem != "__init__"]
    edges = {n: {m.split(".")[0] for lvl, m in _imported_modules(MAPS / f"{n}.py")
                 if lvl == 1 and m} & set(names) for n in names}
    done: set[str] = set()

    def visit(n: str, path: tuple[str, ...]) -> None:
        assert n not in path, f"import circle {' -> '.join((*path, n))}"
        if n in done:
            return
        for m in edges[n]:
            visit(m, (*path, n))
        done.add(n)

    for n in names:
        visit(n, ())
    assert edges["theme"] == set()


@pytest.mark.parametrize("module", ["styles", "static", "web", "_web_parts", "web_panel"],
                         ids=str)
def test_lang_check_has_one_home(module):
    src = (MAPS / f"{module}.py").read_text(encoding="utf-8")
    assert "def _check_lang" not in src


def test_public_names_documented():
    tree = ast.parse((MAPS / "theme.py").read_text(encoding="utf-8"))
    defined = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            defined.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
        elif isinstance(node, ast.Assign):
            defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    public = {n for n in defined if not n.startswith("_")}
    assert sorted(theme.__all__) == sorted(public)
    doc = theme.__doc__ or ""
    for name in theme.__all__:
        assert re.search(rf"\b{name}\b", doc), f"{name} is not in the module docstring"
        obj = getattr(theme, name)
        if inspect.isfunction(obj):
            assert obj.__doc__, f"{name} has no docstring"


# ----------------------------------------------------------------------------- palettes


def test_one_grade_colour_per_grade():
    assert len(theme.GRADE_COLORS) == len(GRADES_10) == 10
    assert len(set(theme.GRADE_COLORS)) == 10
    assert theme.NODATA_COLOR not in theme.GRADE_COLORS


@pytest.mark.parametrize("name", ["GRADE_COLORS", "INDEX_COLORS", "GAP_COLORS", "POI_COLORS",
                                  "CHANGE_COLORS", "LISA_COLORS", "LANDUSE_COLORS",
                                  "BUILDING_COLORS", "NODATA_COLOR"], ids=str)
def test_palettes_are_lower_case_hex(name):
    value = getattr(theme, name)
    colors = [value] if isinstance(value, str) else list(
        value.values() if isinstance(value, dict) else value)
    assert colors and all(HEX.match(c) for c in colors), colors


def test_palette_sizes():
    assert (len(theme.INDEX_COLORS), len(theme.GAP_COLORS), len(theme.POI_COLORS),
            len(theme.CHANGE_COLORS)) == (7, 7, 10, 11)
    # ΔD ramp: white in the middle (no change), red first (D fell), blue last
    assert theme.CHANGE_COLORS[5] == "#f7f7f7"


def test_lisa_labels_complete_in_both_languages():
    keys = set(theme.LISA_COLORS)
    assert keys == {"HH", "LL", "LH", "HL", "ns"}
    assert set(theme.LISA_NAMES) == {"zh", "en"}
    for lang, names in theme.LISA_NAMES.items():
        assert set(names) == keys, lang
        assert all(isinstance(v, str) and v for v in names.values()), lang
    assert set(theme.LISA_CODES.values()) == keys
    assert theme.BUILDING_NAMES["zh"].keys() == theme.BUILDING_NAMES["en"].keys() \
        == theme.BUILDING_COLORS.keys()


# ----------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(("lang", "six", "ten"), [("zh", "勉强协调", "优质协调"),
                                                 ("en", "barely coordinated",
                                                  "high-quality coordination")], ids=str)
def test_grade_names(lang, six, ten):
    names = theme.grade_names(lang)
    assert list(names) == list(range(1, 11))
    assert (names[6], names[10]) == (six, ten)


def test_grade_classes_cover_zero_to_one():
    rows = theme.grade_classes("en")
    assert [r[0] for r in rows] == list(range(1, 11))
    assert rows[0][1:3] == (0.0, 0.1) and rows[-1][1:3] == (0.9, 1.0)
    assert all(a[2] == b[1] for a, b in zip(rows, rows[1:], strict=False))


@pytest.mark.parametrize("func", [theme.grade_names, theme.grade_classes,
                                  lambda lang: theme.lisa_label("HH", lang)],
                         ids=["grade_names", "grade_classes", "lisa_label"])
def test_helpers_reject_unknown_lang(func):
    with pytest.raises(InputError, match="`lang` must be 'zh' or 'en', got 'fr'"):
        func("fr")


def test_grade_levels_as_int64_with_missing():
    got = theme.grade_levels(pd.DataFrame({"grade_level": [1.0, np.nan, 10.0]}), "grid")
    assert got.dtype == "Int64"
    assert got.tolist() == [1, pd.NA, 10]


@pytest.mark.parametrize("values", [[0, 5], [1, 11], [2.5, 3]], ids=["zero", "eleven", "half"])
def test_grade_levels_rejects_values_outside_1_to_10(values):
    with pytest.raises(SchemaError, match=r"`grid\['grade_level'\]` must hold integer levels"):
        theme.grade_levels(pd.DataFrame({"grade_level": values}), "grid")


@pytest.mark.parametrize(("level", "expected"), [(1, "#a50026"), (10, "#313695"),
                                                 (None, "#bdbdbd"), (pd.NA, "#bdbdbd")],
                         ids=["1", "10", "None", "NA"])
def test_grade_color(level, expected):
    assert theme.grade_color(level) == expected


@pytest.mark.parametrize(("n", "index"), [(1, 0), (3, 2), (7, 6), (12, 6), (0, 0), (None, 0)],
                         ids=["1", "3", "7", "12", "0", "None"])
def test_gap_color(n, index):
    assert theme.gap_color(n) == theme.GAP_COLORS[index]


@pytest.mark.parametrize(("value", "key"), [
    (1, "HH"), (2, "LH"), (3, "LL"), (4, "HL"), (0, "ns"), (3.0, "LL"), ("HH", "HH"),
    ("High-Low", "HL"), (" low high ", "LH"), ("not significant", "ns"), ("高-高聚集", "HH"),
    ("不显著", "ns"), (None, None), (float("nan"), None), ("", None), ("mystery", None),
    (7, None)], ids=str)
def test_lisa_key(value, key):
    assert theme.lisa_key(value) == key


def test_lisa_column_takes_the_first_known():
    assert theme.lisa_column(["D", "cluster", "lisa_label"]) == "lisa_label"
    assert theme.lisa_column(["D"]) is None


@pytest.mark.parametrize(("key", "lang", "label"), [("HH", "en", "HH high-high cluster"),
                                                    ("ns", "en", "not significant"),
                                                    ("LH", "zh", "LH 低-高异常"),
                                                    ("ns", "zh", "不显著")], ids=str)
def test_lisa_label(key, lang, label):
    assert theme.lisa_label(key, lang) == label


# ----------------------------------------------------------------------------- one palette


@pytest.mark.parametrize("name", ["GRADE_COLORS", "NODATA_COLOR", "GAP_COLORS", "INDEX_COLORS",
                                  "CHANGE_COLORS"], ids=str)
def test_static_web_and_styles_share_the_palette_objects(name):
    shared = getattr(theme, name)
    for module in ("web", "static", "styles", "_web_parts", "web_panel", "report"):
        mod = importlib.import_module(f"cityind_gis.maps.{module}")
        if hasattr(mod, name):
            assert getattr(mod, name) is shared, f"{module}.{name}"
    for module in ("web", "static", "styles"):
        mod = importlib.import_module(f"cityind_gis.maps.{module}")
        if name in ("GRADE_COLORS", "NODATA_COLOR"):
            assert getattr(mod, name) is shared, module


def test_public_names_still_importable_from_where_they_were():
    from cityind_gis.maps import BASEMAPS, GRADE_COLORS
    from cityind_gis.maps.styles import LANDUSE_COLORS, LISA_COLORS
    from cityind_gis.maps.web import CHANGE_COLORS, GAP_COLORS, INDEX_COLORS, POI_COLORS

    assert GRADE_COLORS is theme.GRADE_COLORS
    assert (LISA_COLORS, LANDUSE_COLORS) == (theme.LISA_COLORS, theme.LANDUSE_COLORS)
    assert LISA_COLORS is theme.LISA_COLORS and LANDUSE_COLORS is theme.LANDUSE_COLORS
    assert (CHANGE_COLORS, GAP_COLORS, INDEX_COLORS, POI_COLORS) == (
        theme.CHANGE_COLORS, theme.GAP_COLORS, theme.INDEX_COLORS, theme.POI_COLORS)
    assert "amap" in BASEMAPS


def test_qgis_and_web_draw_grades_in_the_theme_colours():
    import xml.etree.ElementTree as ET

    import geopandas as gpd
    from shapely.geometry import box

    from cityind_gis.maps.styles import layer_styles
    from cityind_gis.maps.web import web_map

    d = [0.05 + 0.1 * i for i in range(10)]
    grid = gpd.GeoDataFrame(
        {"U1": 0.5, "U2": 0.5, "C": 0.9, "T": 0.5, "D": d,
         "grade_level": pd.array(range(1, 11), dtype="Int64")},
        geometry=[box(500_000 + 100 * i, 3_400_000, 500_100 + 100 * i, 3_400_100)
                  for i in range(10)], crs="EPSG:32650")
    qml = layer_styles(grid, "grid")[0].qml
    root = ET.fromstring(qml.split("\n", 1)[1])
    fills = [s.find("layer/prop[@k='color']").get("v")
             for s in root.findall("renderer-v2/symbols/symbol")]
    rgb = [",".join(str(int(c[i:i + 2], 16)) for i in (1, 3, 5)) + ",255"
           for c in theme.GRADE_COLORS]
    assert fills == rgb[::-1]  # listed from grade 10 down
    m = web_map(grid, basemap="none")
    config = next(c for c in m._children.values() if type(c).__name__ == "Helpers").config
    assert config["grades"] == list(theme.GRADE_COLORS)
