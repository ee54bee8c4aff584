# ruff: noqa: D103  (test names say what they check)
"""Tests of the static coordination map (cityind_gis.maps.static)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from matplotlib import font_manager
from matplotlib.axes import Axes
from shapely.geometry import box

from cityind_gis._errors import CRSError, InputError, SchemaError
from cityind_gis.coupling import GRADES_10
from cityind_gis.maps import static
from cityind_gis.maps.static import find_cjk_font, plot_coordination, plot_map

X0, Y0 = 500_000.0, 3_400_000.0  # UTM 50N central meridian: lon 117 E, lat about 30.73 N
D_VALUES = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.75, 0.85, 0.95]
LEVELS = [1, 2, 3, 4, 5, 6, 8, 9, 10]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EN_NAMES = [row[4] for row in GRADES_10]
ZH_NAMES = [row[3] for row in GRADES_10]


@pytest.fixture
def grid_3x3() -> gpd.GeoDataFrame:
    """Nine 100 m cells covering (X0, Y0)-(X0 + 300, Y0 + 300), UTM 50N, levels 1-6, 8-10."""
    cells = [
        box(X0 + i * 100, Y0 + j * 100, X0 + (i + 1) * 100, Y0 + (j + 1) * 100)
        for j in range(3)
        for i in range(3)
    ]
    return gpd.GeoDataFrame(
        {"D": D_VALUES, "grade_level": pd.array(LEVELS, dtype="Int64")},
        geometry=cells,
        crs="EPSG:32650",
    )


@pytest.fixture
def gaps(grid_3x3: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Cells 0 and 1 lack services."""
    out = grid_3x3.loc[[0, 1], ["geometry"]].copy()
    out["n_missing"] = [1, 3]
    out["missing"] = ["retail", "healthcare;retail;food"]
    return out


@pytest.fixture
def legend_spy(monkeypatch) -> dict:
    """Record the labels and title of the legend that plot_coordination draws."""
    captured: dict = {}
    original = Axes.legend

    def spy(self, *args, **kwargs):
        captured["labels"] = [h.get_label() for h in kwargs["handles"]]
        captured["title"] = kwargs.get("title")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "legend", spy)
    return captured


def test_png_written(grid_3x3, gaps, tmp_path):
    target = tmp_path / "maps" / "d.png"
    out = plot_coordination(grid_3x3, target, gaps=gaps, lang="en", dpi=72)
    assert out == target
    assert target.read_bytes()[:8] == PNG_MAGIC
    assert [p.name for p in target.parent.iterdir()] == ["d.png"]  # no temp file left


def test_pdf_by_suffix(grid_3x3, tmp_path):
    target = tmp_path / "d.PDF"
    plot_coordination(grid_3x3, target, lang="en")
    assert target.read_bytes()[:5] == b"%PDF-"


def test_english_legend_lists_all_grades(grid_3x3, gaps, tmp_path, legend_spy):
    plot_coordination(grid_3x3, tmp_path / "d.png", gaps=gaps, lang="en", dpi=72)
    assert legend_spy["labels"] == [*EN_NAMES, "Service gap (industrial land)"]
    assert legend_spy["title"] == "Coordination grade"


def test_nan_d_adds_no_data_entry(grid_3x3, tmp_path, legend_spy):
    grid = grid_3x3.copy()
    grid.loc[4, "D"] = np.nan
    grid.loc[4, "grade_level"] = pd.NA
    plot_coordination(grid, tmp_path / "d.png", lang="en", dpi=72)
    assert legend_spy["labels"] == [*EN_NAMES, "no data"]


def test_chinese_with_cjk_font(grid_3x3, gaps, tmp_path, legend_spy):
    """With a CJK font installed, zh labels render without missing-glyph warnings."""
    if find_cjk_font() is None:
        pytest.skip("no CJK font installed (e.g. apt-get install fonts-noto-cjk)")
    target = tmp_path / "d.png"
    # filterwarnings=error turns matplotlib's "Glyph ... missing from font(s)" into a failure
    plot_coordination(grid_3x3, target, gaps=gaps, lang="zh", dpi=72)
    assert legend_spy["labels"] == [*ZH_NAMES, "服务缺口（工业用地）"]
    assert target.read_bytes()[:8] == PNG_MAGIC


def test_no_cjk_font_falls_back_to_english(grid_3x3, tmp_path, monkeypatch, legend_spy):
    monkeypatch.setattr(static, "find_cjk_font", lambda: None)
    target = tmp_path / "d.png"
    with pytest.warns(UserWarning, match=r"No CJK font found.*apt-get install fonts-noto-cjk"):
        plot_coordination(grid_3x3, target, lang="zh", dpi=72)
    assert legend_spy["labels"] == EN_NAMES
    assert target.read_bytes()[:8] == PNG_MAGIC


def test_no_cjk_font_replaces_chinese_title(grid_3x3, tmp_path, monkeypatch):
    monkeypatch.setattr(static, "find_cjk_font", lambda: None)
    titles: list[str] = []
    original = Axes.set_title
    monkeypatch.setattr(
        Axes,
        "set_title",
        lambda self, label, **kw: titles.append(label) or original(self, label, **kw),
    )
    with pytest.warns(UserWarning, match="Chinese title is replaced"):
        plot_coordination(grid_3x3, tmp_path / "d.png", lang="en", title="某市产城融合", dpi=72)
    assert titles == ["City-industry coordination degree D"]


def test_english_needs_no_cjk_font(grid_3x3, tmp_path, monkeypatch):
    def fail():
        msg = "find_cjk_font must not be called for lang='en'"
        raise AssertionError(msg)

    monkeypatch.setattr(static, "find_cjk_font", fail)
    plot_coordination(grid_3x3, tmp_path / "d.png", lang="en", title="Demo", dpi=72)


def test_inputs_not_mutated(grid_3x3, gaps, tmp_path):
    before = (grid_3x3.copy(), gaps.copy())
    plot_coordination(grid_3x3, tmp_path / "d.png", gaps=gaps, lang="en", dpi=72)
    assert_geodataframe_equal(grid_3x3, before[0])
    assert_geodataframe_equal(gaps, before[1])


def test_replaces_existing_file(grid_3x3, tmp_path):
    target = tmp_path / "d.png"
    target.write_bytes(b"old")
    plot_coordination(grid_3x3, target, lang="en", dpi=72)
    assert target.read_bytes()[:8] == PNG_MAGIC


# --- find_cjk_font ----------------------------------------------------------------------


def test_find_cjk_font_returns_known_family():
    found = find_cjk_font()
    if found is None:
        pytest.skip("no CJK font installed")
    assert found in {entry.name for entry in font_manager.fontManager.ttflist}


def test_find_cjk_font_none_when_absent(monkeypatch):
    latin = [e for e in font_manager.fontManager.ttflist if "CJK" not in e.name]
    latin = [e for e in latin if e.name not in static._CJK_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    assert find_cjk_font() is None


def test_find_cjk_font_registers_uncached_files(monkeypatch):
    """A font installed after matplotlib built its cache is still found."""
    files = [
        f
        for f in font_manager.findSystemFonts()
        if any(h in f.lower() for h in static._CJK_FILE_HINTS)
    ]
    if not files:
        pytest.skip("no CJK font files installed")
    stale = [e for e in font_manager.fontManager.ttflist if e.fname not in files]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    assert find_cjk_font() in static._CJK_FAMILIES


# --- cartographic helpers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [(75.0, 50.0), (1.0, 1.0), (0.3, 0.2), (1500.0, 1000.0), (2600.0, 2000.0), (9999.0, 5000.0)],
    ids=["75", "1", "0.3", "1500", "2600", "9999"],
)
def test_nice_length(target, expected):
    assert static._nice_length(target) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("metres", "label"),
    [(50.0, "50 m"), (1000.0, "1 km"), (2500.0, "2.5 km")],
    ids=["50m", "1km", "2.5km"],
)
def test_format_length(metres, label):
    assert static._format_length(metres) == label


@pytest.mark.parametrize(
    ("x", "scale", "convergence_deg"),
    # UTM k0 = 0.9996 on the central meridian -> 1 / 0.9996 ground metres per grid metre;
    # 200 km west of it at 30.7 N, true north is ~1.07 deg clockwise from grid north.
    [(500_000.0, 1 / 0.9996, 0.0), (300_000.0, 0.99991, 1.067), (700_000.0, 0.99991, -1.067)],
    ids=["central-meridian", "west", "east"],
)
def test_ground_scale_and_convergence(x, scale, convergence_deg):
    s, angle = static._ground_geometry("EPSG:32650", x, Y0, 100.0)
    assert s == pytest.approx(scale, abs=2e-5)
    assert math.degrees(angle) == pytest.approx(convergence_deg, abs=0.01)


# --- errors -----------------------------------------------------------------------------


def test_geographic_crs_rejected(grid_3x3, tmp_path):
    with pytest.raises(CRSError, match="geographic CRS"):
        plot_coordination(grid_3x3.to_crs(4326), tmp_path / "d.png")


def test_missing_crs_rejected(grid_3x3, tmp_path):
    with pytest.raises(CRSError, match="`grid` has no CRS"):
        plot_coordination(grid_3x3.set_crs(None, allow_override=True), tmp_path / "d.png")


def test_gaps_in_other_crs_rejected(grid_3x3, gaps, tmp_path):
    with pytest.raises(CRSError, match="must share one CRS"):
        plot_coordination(grid_3x3, tmp_path / "d.png", gaps=gaps.to_crs("EPSG:32651"))


def test_missing_columns_rejected(grid_3x3, tmp_path):
    with pytest.raises(SchemaError, match=r"`grid` is missing column\(s\) \['grade_level'\]"):
        plot_coordination(grid_3x3.drop(columns="grade_level"), tmp_path / "d.png")


@pytest.mark.parametrize(
    ("name", "kwargs", "pattern"),
    [
        ("d.jpg", {}, r"`path` must end in \.png or \.pdf"),
        ("d", {}, r"suffix 'none'"),
        ("d.png", {"dpi": 0}, "`dpi` must be a positive number"),
        ("d.png", {"lang": "de"}, "`lang` must be 'zh' or 'en'"),
        ("d.png", {"title": 3}, "`title` must be a string or None"),
    ],
    ids=["jpg", "no-suffix", "dpi-zero", "lang", "title-type"],
)
def test_bad_options(grid_3x3, tmp_path, name, kwargs, pattern):
    with pytest.raises(InputError, match=pattern):
        plot_coordination(grid_3x3, tmp_path / name, **kwargs)
    assert list(tmp_path.iterdir()) == []


# --- plot_map: D, U1, U2 and gaps ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "suffix", "legend"),
    [("D", ".png", ["service gap (industrial land)"]),
     ("U1", ".pdf", ["service gap (industrial land)"]),
     ("U2", ".png", ["service gap (industrial land)"]),
     ("gaps", ".png", ["1", "3", "other cells"])],
    ids=["D-png", "U1-pdf", "U2-png", "gaps-png"],
)
def test_plot_map_kinds(grid_3x3, gaps, tmp_path, legend_spy, kind, suffix, legend):
    target = tmp_path / f"{kind}{suffix}"
    assert plot_map(grid_3x3.assign(U1=0.3, U2=0.6), target, kind=kind, gaps=gaps, lang="en",
                    dpi=72) == target
    head = target.read_bytes()[:8]
    assert head == PNG_MAGIC if suffix == ".png" else head.startswith(b"%PDF")
    assert [s.lower() for s in legend_spy["labels"]] == legend


def test_plot_map_gaps_needs_gaps(grid_3x3, tmp_path):
    with pytest.raises(InputError, match="`kind='gaps'` needs the `gaps` layer"):
        plot_map(grid_3x3, tmp_path / "g.png", kind="gaps")


def test_plot_map_rejects_unknown_kind(grid_3x3, tmp_path):
    with pytest.raises(InputError,
                       match=r"`kind` must be one of \['typology', 'bivariate', 'grades', 'D'"):
        plot_map(grid_3x3, tmp_path / "g.png", kind="C")


def test_plot_map_u1_needs_column(grid_3x3, tmp_path):
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['U1'\]"):
        plot_map(grid_3x3.drop(columns="U1", errors="ignore"), tmp_path / "u.png", kind="U1")


def test_plot_map_chinese_gaps_without_tofu(grid_3x3, gaps, tmp_path, legend_spy):
    if find_cjk_font() is None:
        pytest.skip("no CJK font installed (e.g. apt-get install fonts-noto-cjk)")
    # filterwarnings=error turns matplotlib's "Glyph ... missing" into a failure
    plot_map(grid_3x3, tmp_path / "g.png", kind="gaps", gaps=gaps, lang="zh", dpi=72)
    assert legend_spy["title"] == "缺失服务类数"
    assert legend_spy["labels"] == ["1", "3", "其他网格"]
