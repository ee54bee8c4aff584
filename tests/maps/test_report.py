# ruff: noqa: D103  (test names say what they check)
"""report.html and the pipeline's outputs as a whole (formats, assets, basemap)."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from cityind_gis._errors import InputError
from cityind_gis.config import load_config, output_config
from cityind_gis.maps.assets import copy_assets
from cityind_gis.maps.report import write_report
from cityind_gis.testing import write_three_cell_town
from cityind_gis.workflow import run, write_outputs


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town")
    return run(load_config(write_three_cell_town(folder)))


@pytest.fixture(scope="module")
def written(town, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assets = tmp_path_factory.mktemp("assets")
    copy_assets(assets)
    output = output_config(formats=["gpkg", "parquet", "shp", "geojson"], basemap="none",
                           assets=str(assets))
    return out, write_outputs(town, out, lang="zh", title="三格小镇", output=output)


def test_every_output_written(written):
    out, paths = written
    assert all(p.is_file() for p in paths.values())
    names = {p.relative_to(out).as_posix() for p in paths.values()}
    assert {"cityind.gpkg", "grid.parquet", "grid.shp", "grid.geojson", "map.html", "map.png",
            "maps/grades.png", "maps/D.pdf", "maps/U1.png", "maps/U2.pdf", "maps/gaps.png",
            "report.html", "run.json"} <= names
    assert (out / "grid.cpg").read_text() == "UTF-8"
    assert (out / "grid.qml").is_file()
    assert (out / "assets" / "leaflet.js").is_file()


def test_run_json_reports_html_size_and_no_outside_fetch(written):
    out, _ = written
    params = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert params["map_html_bytes"] == (out / "map.html").stat().st_size
    assert params["map_external_urls"] == []
    assert 'src="assets/leaflet.js"' in (out / "map.html").read_text(encoding="utf-8")


def test_geopackage_styled_in_run_language(written):
    out, _ = written
    con = sqlite3.connect(out / "cityind.gpkg")
    try:
        rows = con.execute("SELECT f_table_name, styleName FROM layer_styles "
                           "WHERE useAsDefault = 1").fetchall()
    finally:
        con.close()
    assert dict(rows)["grid"] == "协调度 D（10 级）"


def test_report_sections_and_embedded_maps(written, town):
    out, _ = written
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.index("<h2>结果解读</h2>") < page.index("<h2>研究区</h2>")  # the lead first
    for heading in ("研究区", "数据概况", "指标权重", "协调等级统计（D）", "专题图",
                    "工业用地服务缺口（按严重程度排序）", "方法", "参考文献", "运行参数"):
        assert f"<h2>{heading}</h2>" in page
    # the 7 print-map kinds (typology and U1 x U2 added for issue 12; "grades" is map.png)
    assert page.count("src='data:image/png;base64,") == 7
    assert "<h1>三格小镇</h1>" in page
    assert "D = &radic;(C&middot;T)" in page
    assert not re.search(r"(src|href)=['\"]https?://", page)  # one file that works offline
    n_gaps = len(town.service_gaps)
    start = page.index("<h2>工业用地服务缺口")
    table = page[start:page.index("<h2>", start + 1)]
    assert n_gaps > 0
    assert table.count("<tr") == n_gaps + 1  # header + one row per gap cell


def test_report_escapes_text(town, tmp_path):
    params = town.parameters.assign(study="<b>x</b>")
    path = write_report({**town.as_dict(), "parameters": params}, tmp_path / "r.html", lang="en")
    page = path.read_text(encoding="utf-8")
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"lang": "fr"}, "`lang` must be 'zh' or 'en'"),
     ({"images": {"D": "nope.png"}}, "`images` names file"),
     ({"drop": "weights"}, r"`results` lacks \['weights'\]")],
    ids=["lang", "image", "missing"],
)
def test_report_rejects_bad_input(town, tmp_path, kwargs, match):
    drop = kwargs.pop("drop", None)
    results = {k: v for k, v in town.as_dict().items() if k != drop}
    with pytest.raises(InputError, match=match):
        write_report(results, tmp_path / "r.html", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"formats": ["kml"]}, r"unknown format\(s\) \['kml'\]"),
     ({"formats": "gpkg"}, "must be a non-empty list"),
     ({"basemap": "google"}, "`\\[output\\] basemap` must be one of"),
     ({"basemap": "tianditu"}, "needs your Tianditu browser key"),
     ({"report": "yes"}, "`\\[output\\] report` must be true or false")],
    ids=["format", "format-str", "basemap", "tianditu-no-key", "report"],
)
def test_output_config_validation(kwargs, match):
    with pytest.raises(InputError, match=match):
        output_config(**kwargs)


def test_output_section_in_toml(tmp_path):
    cfg_path = write_three_cell_town(tmp_path)
    text = cfg_path.read_text(encoding="utf-8")
    head, _, _ = text.partition("[output]")  # replace the generator's own [output] table
    cfg_path.write_text(head + '[output]\ndir = "o"\nformats = ["gpkg", "shp"]\n'
                        'basemap = "amap"\nassets = "static"\n', encoding="utf-8")
    cfg = load_config(cfg_path)
    assert cfg.output.formats == ("gpkg", "shp")
    assert cfg.output.basemap == "amap"
    assert cfg.output.assets == str((tmp_path / "static").resolve())
    assert cfg.out_dir == (tmp_path / "o").resolve()
