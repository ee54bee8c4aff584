# ruff: noqa: D103  (test names say what they check)
"""The web map in a real browser: headless Chromium, assets served from 127.0.0.1.

Chromium comes from Debian (``tests/setup_system.sh``, run by the README's test
command). Where it is genuinely absent (e.g. a Windows dev box) the tests skip;
under CI (``CI=true``) they fail instead, so a missing browser never passes
silently.
"""

from __future__ import annotations

import re
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from cityind_gis.maps.assets import copy_assets, external_assets
from cityind_gis.maps.web import GAP_COLORS, GRADE_COLORS, save_html, web_map

X0, Y0 = 500_000.0, 3_400_000.0
LEVELS = [1, 2, 3, 4, 5, 6, 8, 9, 10]
D_VALUES = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.75, 0.85, 0.95]




@pytest.fixture
def site(tmp_path, serve):
    """A folder with map.html and assets/, served on 127.0.0.1 (random port)."""
    cells = [box(X0 + i * 100, Y0 + j * 100, X0 + (i + 1) * 100, Y0 + (j + 1) * 100)
             for j in range(3) for i in range(3)]
    grid = gpd.GeoDataFrame({
        "U1": np.linspace(0, 1, 9), "U2": np.linspace(1, 0, 9), "C": 0.9, "T": 0.5,
        "D": D_VALUES, "grade_level": pd.array(LEVELS, dtype="Int64"),
    }, geometry=cells, crs="EPSG:32650")
    gaps = grid.loc[[0, 1], ["geometry"]].assign(n_missing=[1, 3], missing=["retail", "food"])
    pois = gpd.GeoDataFrame(
        {"category": ["education", "retail", "food", "food"],
         "name": ["<script>alert(1)</script>", "b", "c", "d"]},
        geometry=[Point(X0 + 50, Y0 + 50), Point(X0 + 150, Y0 + 150), Point(X0 + 250, Y0 + 250),
                  Point(X0 + 255, Y0 + 245)], crs=grid.crs)
    copy_assets(tmp_path / "assets")
    m = web_map(grid, gaps=gaps, pois=pois, basemap="none", assets="assets/", lang="zh")
    save_html(m, tmp_path / "map.html")

    base, requested = serve(tmp_path)
    return base, requested, tmp_path



@pytest.mark.slow
def test_map_renders_every_feature_without_console_errors(site, render):
    base, requested, folder = site
    assert external_assets(folder / "map.html") == []
    dom, log = render(f"{base}/map.html")

    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    assert console == []
    # everything came from our server (the browser also asks for /favicon.ico itself)
    assert {p.split("?")[0] for p in requested} - {"/favicon.ico"} == {
        "/map.html", "/assets/leaflet.js", "/assets/leaflet.css",
        "/assets/leaflet.markercluster.js", "/assets/MarkerCluster.css",
        "/assets/MarkerCluster.Default.css"}

    pane = dom[dom.index("leaflet-overlay-pane"):dom.index("leaflet-shadow-pane")]
    paths = re.findall(r"<path [^>]*>", pane)
    fills = Counter(re.search(r'fill="([^"]+)"', p).group(1) for p in paths)
    # 9 grade cells (one per level colour), 2 gap outlines, 2 single POIs; the two
    # food POIs 7 m apart form one cluster icon
    assert sum(fills[c] for c in GRADE_COLORS) == 9
    assert {c: fills[c] for c in GRADE_COLORS} == {
        c: int(i + 1 in LEVELS) for i, c in enumerate(GRADE_COLORS)}
    assert fills[GAP_COLORS[0]] + fills[GAP_COLORS[2]] == 2
    assert len(paths) == 13
    assert len(re.findall(r'class="[^"]*cityind-cluster', dom)) == 1
    # layer control lists the Chinese layer names; legend rendered
    assert "协调等级" in dom and "兴趣点 POI: 餐饮服务 (2)" in dom
    assert "cityind-legend" in dom
