# ruff: noqa: D103  (test names say what they check)
"""The panel web map in a real browser: headless Chromium, assets served from 127.0.0.1.

Harness and skip rules in ``conftest.py``: Chromium comes from
Debian (``tests/setup_system.sh``); where it is genuinely absent the tests skip,
under CI (``CI=true``) they fail instead.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from shapely.geometry import box

from cityind_gis.maps.assets import copy_assets, external_assets
from cityind_gis.maps.web import CHANGE_COLORS, GRADE_COLORS, save_html
from cityind_gis.maps.web_panel import panel_web_map

X0, Y0 = 500_000.0, 3_400_000.0
#: three 100 m cells in a row: D 2019 (.55, .35, .95) -> 2024 (.55, .65, .75);
#: grades 6, 4, 10 -> 6, 7, 8; ΔD 0, +.3, -.2 on the symmetric scale [-.3, .3]
D_2019, D_2024 = [0.55, 0.35, 0.95], [0.55, 0.65, 0.75]
LEVELS_2019, LEVELS_2024 = [6, 4, 10], [6, 7, 8]
#: ΔD colours: 0 -> the middle colour; +.3 -> the last; -.2 -> 1/6 of the way,
#: 2/3 between #b2182b and #d6604d = (202, 72, 65.7) -> #ca4842
CHANGE_FILLS = ["#f7f7f7", "#053061", "#ca4842"]
#: ticks every overlay of the layer control, as a user would, once the map is built
SHOW_ALL = """<script>
document.querySelectorAll(".leaflet-control-layers-overlays input").forEach(function (box) {
  if (!box.checked) { box.click(); }
});
</script>
"""

#: clicks the third cell (ΔD -0.2) of the change layer, which opens its popup
CLICK_CELL = """<script>
var cells = document.querySelectorAll(".leaflet-overlay-pane path");
cells[2].dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true,
                                                clientX: 600, clientY: 380}));
</script>
"""




@pytest.fixture
def site(tmp_path, serve):
    """Serve panel_map.html (+ copies that tick every layer / click a cell) and assets/."""
    cells = [box(X0 + i * 100, Y0, X0 + (i + 1) * 100, Y0 + 100) for i in range(3)]
    panel = gpd.GeoDataFrame({
        "period": ["2019"] * 3 + ["2024"] * 3,
        "cell_id": [0, 1, 2] * 2,
        "D": D_2019 + D_2024,
        "grade_level": LEVELS_2019 + LEVELS_2024,
    }, geometry=cells * 2, crs="EPSG:32650")
    copy_assets(tmp_path / "assets")
    m = panel_web_map(panel, basemap="none", assets="assets/", lang="zh")
    save_html(m, tmp_path / "panel_map.html")
    html = (tmp_path / "panel_map.html").read_text(encoding="utf-8")
    (tmp_path / "all_layers.html").write_text(html.replace("</html>", SHOW_ALL + "</html>"),
                                              encoding="utf-8")
    (tmp_path / "popup.html").write_text(html.replace("</html>", CLICK_CELL + "</html>"),
                                         encoding="utf-8")

    base, requested = serve(tmp_path)
    return base, requested, tmp_path



def _fills(dom: str) -> list[str]:
    pane = dom[dom.index("leaflet-overlay-pane"):dom.index("leaflet-shadow-pane")]
    return [re.search(r'fill="([^"]+)"', p).group(1) for p in re.findall(r"<path [^>]*>", pane)]


@pytest.mark.slow
def test_panel_map_renders_change_layer_without_console_errors(site, render):
    base, requested, folder = site
    assert external_assets(folder / "panel_map.html") == []
    dom, log = render(f"{base}/panel_map.html")

    assert [line for line in log.splitlines() if ":CONSOLE" in line] == []
    assert {p.split("?")[0] for p in requested} - {"/favicon.ico"} == {
        "/panel_map.html", "/assets/leaflet.js", "/assets/leaflet.css"}
    # only ΔD is shown at first: one path per cell, coloured on the symmetric RdBu ramp
    assert _fills(dom) == CHANGE_FILLS
    assert CHANGE_FILLS[0] == CHANGE_COLORS[len(CHANGE_COLORS) // 2]
    # layer control: two period layers and the change layer, in Chinese; legend limits ±0.3
    for name in ("协调等级 2019", "协调等级 2024", "协调度变化 ΔD（2019 → 2024）"):
        assert name in dom
    legend = dom[dom.index("cityind-legend-change"):]
    assert re.findall(r"<span>([^<]*)</span>", legend)[:3] == ["−0.3", "0", "+0.3"]


@pytest.mark.slow
def test_panel_map_every_layer_draws_its_colours(site, render):
    base, _, _ = site
    dom, log = render(f"{base}/all_layers.html")

    assert [line for line in log.splitlines() if ":CONSOLE" in line] == []
    # 3 cells x (ΔD, then 2019 and 2024 in the order they were ticked), one grade colour each
    assert _fills(dom) == CHANGE_FILLS + [GRADE_COLORS[level - 1]
                                          for level in LEVELS_2019 + LEVELS_2024]


@pytest.mark.slow
def test_panel_map_popup_gives_both_periods_and_the_change(site, render):
    base, _, _ = site
    dom, log = render(f"{base}/popup.html")

    assert [line for line in log.splitlines() if ":CONSOLE" in line] == []
    start = dom.index("leaflet-popup-content")
    popup = dom[start:dom.index("</table>", start)]
    rows = re.findall(r"<th[^>]*>([^<]*)</th><td>([^<]*)</td>", popup)
    # cell 2: D .95 (grade 10) -> .75 (grade 8), ΔD -0.2 (true minus sign), 2 grades down
    assert rows == [
        ("网格", "2"),
        ("协调度 D（2019）", "0.9500"), ("协调等级（2019）", "10 优质协调"),
        ("协调度 D（2024）", "0.7500"), ("协调等级（2024）", "8 中级协调"),
        ("ΔD（2024 − 2019）", "\u22120.2000"), ("等级变化（级）", "\u22122"),
    ]
