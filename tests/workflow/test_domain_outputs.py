# ruff: noqa: D103  (test names say what they check)
"""Every output of a run shows the units outside the analysis domain as "not analysed".

The domain story zone (:func:`cityind_gis.testing.domain_story_zone`) run through
``cityind run``: 15 cells analysed, the empty column (3 cells) "no data". Each
output is checked for the grey "not analysed / 未分析" entry: the QGIS styles in the
GeoPackage ``layer_styles`` table (QML and SLD), the web map, every print map, the
report and ``summary.csv``; and the CLI summary for the domain, the types, the
indicator counts and the caution.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from cityind_gis.cli import main
from cityind_gis.maps.theme import NOT_ANALYSED_COLOR, NOT_ANALYSED_LABEL
from cityind_gis.testing import write_domain_story_zone

GREY = "189,189,189"  # NOT_ANALYSED_COLOR #bdbdbd as QML rgb


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """``cityind run`` on the story zone; its folder, stdout and every print-map legend."""
    from matplotlib.axes import Axes

    folder = tmp_path_factory.mktemp("story_outputs")
    cfg = write_domain_story_zone(folder)
    legends: list[list[str]] = []
    original = Axes.legend

    def spy(self, *args, **kwargs):
        legends.append([h.get_label() for h in kwargs.get("handles", [])])
        return original(self, *args, **kwargs)

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        mp.setattr(Axes, "legend", spy)
        code = main(["run", str(cfg), "--out", str(folder / "out"), "-q"])
    assert code == 0, err.getvalue()
    return folder / "out", out.getvalue(), legends, err.getvalue()


def _styles(gpkg, layer="grid") -> pd.DataFrame:
    con = sqlite3.connect(gpkg)
    try:
        return pd.read_sql("SELECT styleName, styleQML, styleSLD FROM layer_styles "
                           "WHERE f_table_name = ?", con, params=(layer,))
    finally:
        con.close()


def _qml(text: str) -> ET.Element:
    return ET.fromstring(text.split("\n", 1)[1])  # after the DOCTYPE line


def _style(written, attribute: str) -> pd.Series:
    rows = _styles(written[0] / "cityind.gpkg")
    for _, row in rows.iterrows():
        rend = _qml(row["styleQML"]).find("renderer-v2")
        if rend.get("attr") in (attribute, f'coalesce("{attribute}", -1)'):
            return row
    msg = f"no style of {attribute}: {list(rows['styleName'])}"
    raise AssertionError(msg)


@pytest.mark.parametrize("attribute", ["typology_code", "grade_level", "bivar_class"],
                         ids=["typology", "grade", "bivariate"])
def test_categorized_qgis_styles_have_a_not_analysed_category_for_null(written, attribute):
    row = _style(written, attribute)
    rend = _qml(row["styleQML"]).find("renderer-v2")
    assert rend.get("type") == "categorizedSymbol"
    cats = {c.get("label"): c for c in rend.iter("category")}
    cat = cats[NOT_ANALYSED_LABEL]
    assert cat.get("value") == ""  # QGIS: the catch-all category takes NULL
    symbol = rend.find(f"symbols/symbol[@name='{cat.get('symbol')}']")
    assert symbol.find("layer/prop[@k='color']").get("v").startswith(GREY)
    sld = ET.fromstring(row["styleSLD"].split("\n", 1)[1])
    rules = [r for r in sld.iter("{http://www.opengis.net/se}Rule")
             if r.findtext("{http://www.opengis.net/se}Name") == NOT_ANALYSED_LABEL]
    assert len(rules) == 1
    null = rules[0].find(".//{http://www.opengis.net/ogc}PropertyIsNull")
    assert null.findtext("{http://www.opengis.net/ogc}PropertyName") == attribute


@pytest.mark.parametrize("attribute", ["D", "U1", "U2"])
def test_graduated_qgis_styles_draw_null_as_not_analysed(written, attribute):
    # a QGIS graduated renderer draws nothing outside its ranges: the style classifies
    # coalesce("D", -1) and the range [-1, -1] is "not analysed", grey
    row = _style(written, attribute)
    rend = _qml(row["styleQML"]).find("renderer-v2")
    assert (rend.get("type"), rend.get("attr")) == ("graduatedSymbol",
                                                    f'coalesce("{attribute}", -1)')
    ranges = list(rend.iter("range"))
    grey = [r for r in ranges if r.get("label") == NOT_ANALYSED_LABEL]
    assert len(grey) == 1 and (grey[0].get("lower"), grey[0].get("upper")) == ("-1", "-1")
    assert all(float(r.get("lower")) >= 0 for r in ranges if r is not grey[0])
    symbol = rend.find(f"symbols/symbol[@name='{grey[0].get('symbol')}']")
    assert symbol.find("layer/prop[@k='color']").get("v").startswith(GREY)
    sld = row["styleSLD"]
    assert re.search(r"<ogc:PropertyIsNull>\s*<ogc:PropertyName>" + attribute, sld)


def test_default_grid_style_is_still_d(written):
    rows = _styles(written[0] / "cityind.gpkg")
    con = sqlite3.connect(written[0] / "cityind.gpkg")
    try:
        default = con.execute("SELECT styleName FROM layer_styles WHERE f_table_name = 'grid' "
                              "AND useAsDefault = 1").fetchall()
    finally:
        con.close()
    assert default == [("D (10 grades)",)]
    assert len(rows) >= 6


def test_web_map_has_the_not_analysed_legend_entry_and_grey(written):
    html = (written[0] / "map.html").read_text(encoding="utf-8")
    assert NOT_ANALYSED_LABEL in html
    assert f'"not_analysed": "{NOT_ANALYSED_COLOR}"' in html
    start = html.index("{", html.index("var cityind_grid"))
    units = json.JSONDecoder().raw_decode(html[start:])[0]["features"]
    outside = [f["properties"] for f in units if f["properties"].get("analysed") is False]
    assert len(outside) == 3
    assert all(p.get("D") is None and p.get("grade_level") is None for p in outside)


def test_every_print_map_has_the_not_analysed_legend_entry(written):
    out, _, legends, _ = written
    kinds = sorted(p.stem for p in (out / "maps").glob("*.png"))
    assert kinds == ["D", "U1", "U2", "bivariate", "gaps", "grades", "typology"]
    # map.png, then every kind as PNG and PDF: each legend names the units not analysed
    assert len(legends) == 1 + 2 * len(kinds)
    for labels in legends:
        assert any(label.startswith("not analysed") for label in labels), labels


def test_report_first_page_leads_with_typology_gap_map_and_caution(written):
    report = (written[0] / "report.html").read_text(encoding="utf-8")
    lead = report[report.index("Reading the results"):report.index("Study area")]
    figures = re.findall(r"<figure><img alt='([^']+)'", lead)
    assert figures == ["City-industry typology", "Service gaps"]
    assert "15 of 18 units were analysed" in lead and "3 not analysed" in lead
    assert "no data (no land use, no POIs): 3" in lead
    assert "Caution: D follows U2 (urban function)" in lead
    assert "few indicators: U1 (industry) rests on 2 indicator(s)" in lead
    assert "&quot;More indicators&quot;" in lead
    assert "D (coupling coordination degree) says" in lead
    # the grade table lists the units left out, grey
    assert (f"<span class='swatch' style='background:{NOT_ANALYSED_COLOR}'></span>"
            "not analysed: no data (no land use, no POIs)") in report


def test_summary_csv_says_few_indicators_and_what_adds_more(written):
    rows = pd.read_csv(written[0] / "summary.csv", encoding="utf-8-sig")
    few = rows[rows["grade_en"].str.startswith("few indicators", na=False)]
    assert len(few) == 1  # U1 rests on 2, U2 on 3
    text = few["grade_en"].iloc[0]
    assert text.startswith("few indicators: U1 (industry) rests on 2 indicator(s).")
    assert "a buildings layer" in text and 'docs/indicators.md, "More indicators"' in text
    assert few["grade_zh"].iloc[0].startswith("指标偏少：产业子系统 U1仅由 2 个指标")
    assert few["cells"].isna().all()
    left = rows[rows["grade_en"] == "not analysed: no data (no land use, no POIs)"]
    assert left["cells"].tolist() == [3]


def test_cli_summary_reports_domain_types_indicators_and_caution(written):
    _, stdout, _, stderr = written
    lines = stdout.splitlines()
    assert ("Analysis domain (rule 'urban_land'): 15 of 18 units analysed; 3 not analysed "
            "(no D, grade or type; grey on the maps): 3 no data (no land use, no POIs)") in lines
    types = next(ln for ln in lines if ln.startswith("City-industry types: "))
    assert "industry-leading (urban functions lag: industrial empty city) 6" in types
    assert "city-leading (industry lags) 6" in types and "both low" in types
    assert "Indicators in the indices: U1 2, U2 3" in lines
    loud = [ln for ln in lines if ln.startswith("  !!! FEW INDICATORS: U1 (industry) rests on 2")]
    assert len(loud) == 1 and "docs/indicators.md" in loud[0]
    assert not any("FEW INDICATORS: U2" in ln for ln in lines)
    corr = next(ln for ln in lines if ln.startswith("Correlation of D with U1: rho "))
    assert "with U2: rho +" in corr
    assert any(ln.startswith("  !!! Caution: D follows U2 (urban function)") for ln in lines)
    assert re.search(r"^  not analysed: no data \(no land use, no POIs\) +3 cells \(\s*16\.7%\)$",
                     stdout, flags=re.M)
    assert "few indicators: U1 (industry)" in stderr  # and the warning itself
