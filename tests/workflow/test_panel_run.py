"""Panel runs (`workflow.run_panel`, `cityind panel`), periods, zone runs with yearbooks."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis._errors import InputError, SchemaError
from cityind_gis.cli import main
from cityind_gis.config import LayerConfig, PeriodConfig, load_config, sample_config
from cityind_gis.workflow import period_config

UNITS = pd.Index(["a", "b"], name="zone")


def test_period_config_merges_layers_over_top_level():
    base = sample_config("kouvola")
    base = base.replace(landuse=LayerConfig(class_column="DLBM", mapping="m.csv"))
    period = PeriodConfig(label="2019", landuse=LayerConfig(path="lu_2019.gpkg"))
    cfg = period_config(base, period)
    assert (cfg.landuse.path, cfg.landuse.class_column, cfg.landuse.mapping) == (
        "lu_2019.gpkg", "DLBM", "m.csv")
    assert cfg.osm == base.osm and cfg.periods == ()
    assert cfg.study.name.endswith("(2019)")


@pytest.mark.parametrize(
    ("periods", "match"),
    [
        ("[[periods]]\nyear = 2019\n", "at least two tables"),
        ("[[periods]]\nyear = 2019\n[[periods]]\nyear = 2019\n", "labels must differ"),
        ("[[periods]]\nyear = 2019\nroad = 'x'\n[[periods]]\nyear = 2024\n",
         r"table 1 needs a `year`.*'road'"),
    ],
    ids=["one-period", "same-label", "unknown-key"],
)
def test_config_periods_errors(tmp_path, periods, match):
    path = tmp_path / "p.toml"
    path.write_text(f'[osm]\npath = "x.osm.pbf"\n{periods}', encoding="utf-8")
    with pytest.raises(InputError, match=match):
        load_config(path)


@pytest.mark.slow
def test_panel_two_years_of_the_sample_end_to_end(tmp_path, capsys):
    from cityind_gis.datasets import write_kouvola_panel

    # land use kept equal: with residential land added too, land-use mix and the jobs-housing
    # balance may legitimately fall in a cell (helper analysis, issue 13 fragments rejoining)
    cfg = write_kouvola_panel(tmp_path, drop_share=0.4, landuse_share=0.0, seed=0)
    assert main(["panel", str(cfg), "--out", str(tmp_path / "out"), "-q"]) == 0
    out = tmp_path / "out"
    panel = gpd.read_file(out / "panel.gpkg", layer="panel")
    change = gpd.read_file(out / "panel.gpkg", layer="d_change")
    assert sorted(panel["period"].unique()) == ["2019", "2024"]
    assert len(panel) == 2 * len(change) == 200
    # the analysis domain per period: D in [0, 1] where analysed, null (never a number) outside
    assert panel.loc[panel["analysed"], "D"].between(0, 1).all()
    assert panel.loc[~panel["analysed"], "D"].isna().all()
    assert (~panel["analysed"]).any()
    assert change.loc[~change["analysed"], "d_change"].isna().all()
    # industry is unchanged and services only added: on one pooled scale, D never falls
    compared = change.loc[change["analysed"], "d_change"]
    assert (compared >= -1e-12).all() and (compared > 0).any()
    params = json.loads((out / "panel.json").read_text(encoding="utf-8"))
    assert params["periods"] == "2019;2024" and params["n_cells_down"] == 0
    assert params["n_cells_compared"] == int(change["analysed"].sum()) < 100
    assert (out / "period_2019" / "cityind.gpkg").is_file()
    assert (out / "d_change.png").stat().st_size > 10_000
    assert "Change of D" in capsys.readouterr().out
    np.testing.assert_allclose(change["D_target"] - change["D_base"], change["d_change"])


# ------------------------------------------------- zone runs with a statistics table (CLI)


def _district_run(tmp_path, *, table=None, statistics=None):
    """The three-cell town analysed by three districts (= its cells) plus a GBK yearbook."""
    from cityind_gis.testing import CRS, write_three_cell_town

    cfg = write_three_cell_town(tmp_path)
    gpd.GeoDataFrame(
        {"XZQDM": ["320501", "320502", "320503"], "name": ["东区", "中区", "西区"]},
        geometry=[shapely.box(i * 100, 0, (i + 1) * 100, 100) for i in range(3)], crs=CRS,
    ).to_file(tmp_path / "districts.gpkg", driver="GPKG")
    # rows in another order than the zones; thousands separator in one cell
    table = table or ("区名,地区生产总值(万元),医院床位数\n"
                      "西区,200,100\n东区,100,50\n中区,\"1,100\",150\n")
    (tmp_path / "yearbook.csv").write_text(table, encoding="gbk")
    statistics = statistics or (
        '[statistics]\npath = "yearbook.csv"\nkey = "区名"\nzones_key = "name"\n'
        '[statistics.indicators]\n"地区生产总值(万元)" = "gdp"\n"医院床位数" = "beds"\n')
    text = cfg.read_text(encoding="utf-8")
    text = text.replace("[coupling]\nshift = false\n",
                        "[coupling]\nshift = false\nweights = \"equal\"\n")
    text = text.replace("[coupling.industry]\nindustrial_share = \"+\"\n",
                        "[coupling.industry]\nindustrial_share = \"+\"\ngdp = \"+\"\n")
    text = text.replace("poi_density_retail = \"+\"\n", "beds = \"+\"\n")
    text = text.replace("[grid]\ncell_size = 100\n",
                        f'[zones]\npath = "districts.gpkg"\nid_column = "XZQDM"\n\n{statistics}')
    cfg.write_text(text, encoding="utf-8")
    return cfg


def test_cli_zone_run_with_gbk_yearbook_known_answer(tmp_path, capsys):
    # equal weights, no shift. U1 = mean(industrial_share, gdp), U2 = mean(residential_share, beds)
    #   industrial share (1, .5, 0) ; gdp (100, 1100, 200) -> (0, 1, .1)
    #   residential share (0, .5, 1) ; beds (50, 150, 100) -> (0, 1, .5)
    # 西区 320503: U1 = (0 + .1) / 2 = .05, U2 = (1 + .5) / 2 = .75
    #   C = 2 sqrt(.05 * .75) / (.05 + .75) = 2 * .193649 / .8 = .484123
    #   T = (.05 + .75) / 2 = .4 ; D = sqrt(.484123 * .4) = sqrt(.193649) = .440056
    # 中区 320502: U1 = U2 = .75 -> C = 1, D = sqrt(.75) = .866025
    cfg = _district_run(tmp_path)
    assert main(["run", str(cfg), "-q"]) == 0
    grid = gpd.read_file(tmp_path / "out" / "cityind.gpkg", layer="grid").set_index("zone_id")
    assert grid.loc["320503", "gdp"] == 200.0 and grid.loc["320502", "gdp"] == 1100.0
    assert grid.loc["320503", ["U1", "U2"]].tolist() == pytest.approx([0.05, 0.75])
    assert grid.loc["320503", "C"] == pytest.approx(0.484123, abs=1e-6)
    assert grid.loc["320503", "T"] == pytest.approx(0.4)
    assert grid.loc["320503", "D"] == pytest.approx(0.440056, abs=1e-6)
    assert grid.loc["320502", "D"] == pytest.approx(0.866025, abs=1e-6)
    weights = pd.read_csv(tmp_path / "out" / "weights.csv")
    assert weights["indicator"].tolist() == ["industrial_share", "gdp", "residential_share", "beds"]


@pytest.mark.slow
def test_cli_panel_of_zones_with_a_yearbook_per_period(tmp_path, capsys):
    # 2019 takes the top-level [statistics] table, 2024 its own; map indicators equal in both.
    # pooled over 6 rows: gdp (100, 1100, 200 | 300, 2100, 600) -> (0, .5, .05 | .1, 1, .25)
    #   beds (50, 150, 100 | 50, 250, 150) -> (0, .5, .25 | 0, 1, .5)
    # 西区: 2019 U1 = (0 + .05)/2 = .025, U2 = (1 + .25)/2 = .625 ; 2024 U1 = .125, U2 = .75
    # two systems: C T = sqrt(U1 U2), so D = (U1 U2)^(1/4): 2019 .015625^.25 = .353553,
    #   2024 .09375^.25 = .553341, change +.199788
    cfg = _district_run(tmp_path)
    (tmp_path / "yearbook_2024.csv").write_text(
        "区名,地区生产总值(万元),医院床位数\n东区,300,50\n中区,2100,250\n西区,600,150\n",
        encoding="gbk")
    cfg.write_text(cfg.read_text(encoding="utf-8") + (
        '\n[[periods]]\nyear = 2019\n\n[[periods]]\nyear = 2024\n[periods.statistics]\n'
        'path = "yearbook_2024.csv"\n'), encoding="utf-8")
    assert main(["panel", str(cfg), "-q"]) == 0
    out = tmp_path / "out"
    change = gpd.read_file(out / "panel.gpkg", layer="d_change").set_index("zone_id")
    assert change.loc["320503", ["D_base", "D_target", "d_change"]].tolist() == pytest.approx(
        [0.353553, 0.553341, 0.199788], abs=1e-6)
    assert (out / "d_change.png").is_file()
    period = gpd.read_file(out / "period_2024" / "cityind.gpkg", layer="grid")
    assert period["gdp"].tolist() == [300.0, 2100.0, 600.0]


def test_config_period_without_statistics_path(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[osm]\npath = "x.osm.pbf"\n[zones]\npath = "z.gpkg"\n'
                    '[[periods]]\nyear = 2019\n[periods.statistics]\npath = "a.csv"\nkey = "k"\n'
                    '[[periods]]\nyear = 2024\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"period '2024' needs `path` and `key`"):
        load_config(path)


@pytest.mark.parametrize(
    ("table", "statistics", "match"),
    [
        ("区名,地区生产总值(万元),医院床位数\n西区,200,100\n东 区,100,50\n中区,1100,150\n", None,
         r"zone key\(s\) without a row in the table: \['东区'\]; table key\(s\) without a zone: "
         r"\['东 区'\]"),
        ("区名,地区生产总值(万元),医院床位数\n西区,200,100\n东区,,50\n中区,1100,150\n", None,
         r"empty cells: \{'gdp': \['东区'\]\}"),
        ("区名,GDP,医院床位数\n西区,200,100\n东区,100,50\n中区,1100,150\n", None,
         r"no column\(s\) \['地区生产总值\(万元\)'\] named in `indicators`"),
        (None, '[statistics]\npath = "yearbook.csv"\nkey = "区名"\nzones_key = "名称"\n',
         r"`zones_key` '名称' is not a column of the zones"),
        (None, '[statistics]\npath = "yearbook.csv"\nkey = "区名"\nzones_key = "name"\n'
         'indicators = ["医院床位数", "industrial_share"]\n',
         r"no column\(s\) \['industrial_share'\]"),
    ],
    ids=["unmatched-keys", "empty-cell", "unknown-column", "unknown-zones-key", "list-column"],
)
def test_cli_zone_run_statistics_errors(tmp_path, capsys, table, statistics, match):
    import re

    cfg = _district_run(tmp_path, table=table, statistics=statistics)
    assert main(["run", str(cfg), "-q"]) == 2
    err = capsys.readouterr().err
    assert re.search(match, err), err


def test_statistics_computed_name_clash_is_refused(tmp_path, capsys):
    table = "区名,industrial_share,医院床位数\n西区,200,100\n东区,100,50\n中区,1100,150\n"
    statistics = ('[statistics]\npath = "yearbook.csv"\nkey = "区名"\nzones_key = "name"\n'
                  'indicators = ["industrial_share"]\n')
    cfg = _district_run(tmp_path, table=table, statistics=statistics)
    assert main(["run", str(cfg), "-q"]) == 2
    assert "name(s) ['industrial_share'] are also columns" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("section", "match"),
    [
        ('[statistics]\nkey = "区名"\n', r"it needs `path`"),
        ('[statistics]\npath = "y.csv"\nkey = "区名"\nindicators = ["a", "a"]\n',
         r"repeats name\(s\) \['a'\]"),
        ('[statistics]\npath = "y.csv"\nkey = ""\n', r"`\[statistics\] key` must be a non-empty"),
        ('[statistics]\npath = "y.csv"\nkey = "k"\nindicators = [1]\n',
         r"`\[statistics\] indicators` must be a non-empty list"),
        ('[statistics]\npath = "y.csv"\nkey = "k"\nsheet = true\n', r"`\[statistics\] sheet`"),
    ],
    ids=["no-path", "repeated-name", "empty-key", "bad-indicators", "bad-sheet"],
)
def test_config_statistics_errors(tmp_path, section, match):
    path = tmp_path / "s.toml"
    path.write_text(f'[osm]\npath = "x.osm.pbf"\n[zones]\npath = "z.gpkg"\n{section}',
                    encoding="utf-8")
    with pytest.raises(InputError, match=match):
        load_config(path)


def test_config_statistics_needs_zones(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[osm]\npath = "x.osm.pbf"\n[statistics]\npath = "y.csv"\nkey = "k"\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"give `\[zones\] path` \(a grid has no zone codes"):
        load_config(path)


# ------------------------------------------------------------------------- change map


@pytest.fixture
def change_zones() -> gpd.GeoDataFrame:
    """Four 1 km zones in a row: D fell by 0.2, stayed, rose by 0.1, unknown (EPSG:32650)."""
    return gpd.GeoDataFrame(
        {"d_change": [-0.2, 0.0, 0.1, np.nan]},
        geometry=[shapely.box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(4)],
        crs="EPSG:32650",
    )


def _zone_fills(path, n) -> np.ndarray:
    """The ``n`` most frequent colours of a PNG other than the white background (RGB 0-255)."""
    from matplotlib.image import imread

    rgb = (imread(path)[..., :3] * 255).round().astype(int).reshape(-1, 3)
    colours, counts = np.unique(rgb, axis=0, return_counts=True)
    keep = ~(colours == 255).all(axis=1)
    return colours[keep][np.argsort(-counts[keep])][:n]


def test_plot_change_diverging_centred_on_zero(tmp_path, change_zones):
    from cityind_gis.maps.static import plot_change

    path = plot_change(change_zones, tmp_path / "d_change.png", periods=(2019, 2024), lang="en")
    fills = _zone_fills(path, 4)  # the four zones are the largest areas of one colour each
    # scale symmetric [-0.2, 0.2] centred on 0 (RdBu, 11 classes at 0, 0.1, ..., 1):
    # -0.2 -> 0 = #67001f ; 0 -> 0.5 = #f7f7f7 ; +0.1 -> 0.75, halfway between
    # #92c5de (146, 197, 222) and #4393c3 (67, 147, 195) = (106.5, 172, 208.5) ; NaN grey
    expected = np.array([[103, 0, 31], [247, 247, 247], [106.5, 172, 208.5], [189, 189, 189]])
    distance = np.abs(expected[:, None, :] - fills[None, :, :]).max(axis=2)
    assert distance.min(axis=1) == pytest.approx([0, 0, 0, 0], abs=3)  # 256-entry colour table
    assert change_zones["d_change"].tolist()[:3] == [-0.2, 0.0, 0.1]  # input not modified


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"column": "dD"}, SchemaError, "dD"),
        ({"lang": "fr"}, InputError, "lang"),
    ],
    ids=["missing-column", "bad-lang"],
)
def test_plot_change_errors(tmp_path, change_zones, kwargs, error, match):
    from cityind_gis.maps.static import plot_change

    with pytest.raises(error, match=match):
        plot_change(change_zones, tmp_path / "x.png", **kwargs)


# ----------------------------------------------------------------------- panel web map


def _embedded(html: str, marker: str) -> dict:
    """The JSON object that follows ``marker`` in a saved map (units or helper settings)."""
    start = html.index(marker) + len(marker)
    start = html.index("{", start)
    return json.JSONDecoder().raw_decode(html[start:])[0]


@pytest.mark.slow
def test_cli_panel_map_honours_output_of_the_config(tmp_path, capsys):
    # the zone panel of test_cli_panel_of_zones_with_a_yearbook_per_period, with
    # `[output] basemap = "none"` and a local `assets` folder in the config (no CLI flags)
    import re

    from cityind_gis.maps.assets import copy_assets, external_assets
    from cityind_gis.maps.web import CHANGE_COLORS

    cfg = _district_run(tmp_path)
    (tmp_path / "yearbook_2024.csv").write_text(
        "区名,地区生产总值(万元),医院床位数\n东区,300,50\n中区,2100,250\n西区,600,150\n",
        encoding="gbk")
    copy_assets(tmp_path / "leaflet")
    text = cfg.read_text(encoding="utf-8").replace(
        '[output]\ndir = "out"\n', '[output]\ndir = "out"\nbasemap = "none"\nassets = "leaflet"\n')
    cfg.write_text(text + (
        '\n[[periods]]\nyear = 2019\n\n[[periods]]\nyear = 2024\n[periods.statistics]\n'
        'path = "yearbook_2024.csv"\n'), encoding="utf-8")
    assert main(["panel", str(cfg), "-q"]) == 0
    out = tmp_path / "out"
    html = (out / "panel_map.html").read_text(encoding="utf-8")
    # offline: Leaflet from assets/ beside the map, no tiles, nothing else from outside
    assert external_assets(out / "panel_map.html") == []
    assert re.search(r"https?://", html) is None
    assert 'src="assets/leaflet.js"' in html and (out / "assets" / "leaflet.js").is_file()
    for period in ("2019", "2024"):  # the period maps get the same [output]
        assert external_assets(out / f"period_{period}" / "map.html") == []
    # one overlay per period plus ΔD, over one embedded copy of the three zones
    for name in ("Coordination grade 2019", "Coordination grade 2024",
                 "Change of D, ΔD (2019 → 2024)"):
        assert json.dumps(name) in html  # the layer control's names, JSON-escaped
    assert html.count("L.geoJson(") == 3 and html.count("var cityind_panel") == 1
    units = _embedded(html, "var cityind_panel")["features"]
    props = {f["properties"]["unit"]: f["properties"] for f in units}
    assert sorted(props) == ["320501", "320502", "320503"]
    # 西区 320503: D .353553 -> .553341 (see the known answer above), grade 4 -> 6
    west = props["320503"]
    assert [west["D0"], west["D1"], west["dD"]] == pytest.approx(
        [0.3536, 0.5533, 0.1998], abs=1e-4)
    assert [west["g0"], west["g1"], west["dg"]] == [4, 6, 2]
    change = gpd.read_file(out / "panel.gpkg", layer="d_change").set_index("zone_id")
    settings = _embedded(html, "var cfg = ")
    assert settings["change"] == list(CHANGE_COLORS)
    assert settings["change_limit"] == pytest.approx(change["d_change"].abs().max())
    params = json.loads((out / "panel.json").read_text(encoding="utf-8"))
    assert params["panel_map_html_bytes"] == (out / "panel_map.html").stat().st_size
    assert params["panel_map_external_urls"] == []


@pytest.mark.slow
def test_panel_map_of_the_kouvola_sample_with_cli_flags(tmp_path):
    from cityind_gis.datasets import write_kouvola_panel
    from cityind_gis.maps.assets import copy_assets, external_assets

    cfg = write_kouvola_panel(tmp_path, drop_share=0.4, seed=0)
    copy_assets(tmp_path / "leaflet")
    assert main(["panel", str(cfg), "--out", str(tmp_path / "out"), "-q", "--basemap", "amap",
                 "--assets", str(tmp_path / "leaflet")]) == 0
    out = tmp_path / "out"
    html = (out / "panel_map.html").read_text(encoding="utf-8")
    # Amap tiles are the only outside request; Leaflet comes from assets/
    assert [u.split("?")[0] for u in external_assets(out / "panel_map.html")] == [
        "https://webrd0{s}.is.autonavi.com/appmaptile"]
    assert 'src="assets/leaflet.js"' in html
    change = gpd.read_file(out / "panel.gpkg", layer="d_change").set_index("cell_id")
    units = _embedded(html, "var cityind_panel")["features"]
    assert len(units) == len(change) == 100
    mapped = pd.Series({int(f["properties"]["unit"]): f["properties"]["dD"] for f in units})
    np.testing.assert_allclose(mapped.reindex(change.index), change["d_change"], atol=5e-5)
    # 100 cells embedded once; two periods add a few numbers per cell, not a second grid
    assert (out / "panel_map.html").stat().st_size < (out / "period_2024" / "map.html").stat(
        ).st_size


def test_zones_far_from_the_layers_are_reported(tmp_path):
    """Zones in the wrong place (e.g. a wrong CRS) overlap nothing: the run says so at stage 2."""
    from cityind_gis.config import load_config
    from cityind_gis.testing import CRS
    from cityind_gis.workflow import run

    cfg = _district_run(tmp_path)
    gpd.GeoDataFrame(
        {"XZQDM": ["320501", "320502", "320503"], "name": ["东区", "中区", "西区"]},
        geometry=[shapely.box(50_000 + i * 100, 0, 50_000 + (i + 1) * 100, 100) for i in range(3)],
        crs=CRS,
    ).to_file(tmp_path / "districts.gpkg", driver="GPKG")
    import warnings

    # zones with no land use and no POI are outside the analysis domain (issue 12): the run
    # warns at stage 2 that they overlap nothing, then stops, naming the rule and "all"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(InputError, match=r"`\[domain\] rule` = 'urban_land' leaves 0 of 3"
                                             r".*rule = \"all\""):
            run(load_config(cfg))
    texts = [str(w.message) for w in caught]
    assert any("`zones` and `landuse` do not overlap" in t for t in texts), texts
    assert any("`zones` and `roads` do not overlap" in t for t in texts), texts


# ------------------------------------------------- analysis domain per period (issue 12)


@pytest.fixture(scope="module")
def story_panel(tmp_path_factory):
    """The domain story zone in 2019, and in 2024 with its empty column built (residential).

    2019 is :func:`cityind_gis.testing.domain_story_zone`: 15 analysed cells, the empty
    column 5 "no data". In 2024 the west half of each column-5 cell (x 500-550) becomes
    residential land (share 0.5), so those 3 cells are analysed in 2024 only.
    """
    import warnings

    from cityind_gis.testing import domain_story_zone, write_domain_story_zone
    from cityind_gis.workflow import run_panel, write_panel

    folder = tmp_path_factory.mktemp("story_panel")
    cfg = write_domain_story_zone(folder)
    land = domain_story_zone()["landuse"]
    built = gpd.GeoDataFrame({"code": ["R2"]}, geometry=[shapely.box(500, 0, 550, 300)],
                             crs=land.crs)
    pd.concat([land, built], ignore_index=True).to_file(folder / "zone_2024.gpkg",
                                                        layer="landuse", driver="GPKG")
    cfg.write_text(cfg.read_text(encoding="utf-8") + (
        '\n[[periods]]\nyear = 2019\n\n[[periods]]\nyear = 2024\n[periods.landuse]\n'
        'path = "zone_2024.gpkg"\n'), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few indicators, D follows U2: tested elsewhere
        res = run_panel(load_config(cfg))
        paths = write_panel(res, folder / "out")
    return res, paths


def test_panel_applies_the_domain_per_period(story_panel):
    res, _ = story_panel
    panel = res.panel
    y19, y24 = panel[panel["period"] == "2019"], panel[panel["period"] == "2024"]
    grid = res.periods["2019"].grid
    empty = grid.index[grid["col"] == 5]
    assert not y19.set_index("cell_id").loc[empty, "analysed"].any()
    assert y24["analysed"].all()
    assert set(y19.set_index("cell_id").loc[empty, "domain_reason"]) == {
        "no data (no land use, no POIs)"}
    assert y19.set_index("cell_id").loc[empty, ["U1", "U2", "C", "T", "D"]].isna().all().all()
    assert y19.set_index("cell_id").loc[empty, "grade_en"].map(lambda v: v is None).all()
    assert res.summary["cells_analysed"].tolist() == [15, 18]
    assert res.summary["cells"].tolist() == [18, 18]


def test_panel_pooled_scale_ignores_units_not_analysed(story_panel):
    # shift off, equal weights. The ranges over the 33 analysed rows are those of 2019
    # (residential share 0-0.8, densities 0-200 / 0-200 / 0-200 per km2), so the 15 cells
    # analysed in both years keep the single-run values: belt U1 1, core U1 .35 and U2 1;
    # the newly built column: U1 0, U2 = (0.5 / 0.8) / 3 = 0.208333, D 0 (U1 = 0)
    res, _ = story_panel
    y24 = res.panel[res.panel["period"] == "2024"].set_index("cell_id")
    grid = res.periods["2024"].grid
    new = grid.index[grid["col"] == 5]
    assert y24.loc[new, "U1"].tolist() == pytest.approx([0.0] * 3)
    assert y24.loc[new, "U2"].tolist() == pytest.approx([0.625 / 3] * 3)
    assert y24.loc[new, "D"].tolist() == pytest.approx([0.0] * 3)
    core = grid.index[grid["col"].isin((2, 3))]
    assert y24.loc[core, "U1"].tolist() == pytest.approx([0.35] * 6)
    single = res.periods["2019"].grid
    y19 = res.panel[res.panel["period"] == "2019"].set_index("cell_id")
    analysed = single.index[single["analysed"]]
    np.testing.assert_allclose(y19.loc[analysed, "D"], single.loc[analysed, "D"], atol=1e-12)


def test_panel_d_change_only_where_both_periods_are_analysed(story_panel):
    res, paths = story_panel
    change = res.d_change
    grid = res.periods["2019"].grid
    new = grid.index[grid["col"] == 5]
    both = grid.index[grid["col"] != 5]
    assert change.loc[new, "d_change"].isna().all()
    assert change.loc[new, "trend"].map(lambda v: v is None).all()
    assert not change.loc[new, "analysed"].any()
    assert set(change.loc[new, "domain_reason"]) == {
        "not analysed in 2019: no data (no land use, no POIs)"}
    assert change.loc[both, "d_change"].tolist() == pytest.approx([0.0] * 15, abs=1e-12)
    assert change.loc[both, "analysed"].all()
    assert change.loc[both, "domain_reason"].map(lambda v: v is None).all()
    assert res.parameters["n_cells_compared"] == 15
    assert json.loads(res.parameters["n_cells_not_analysed"]) == {"2019": 3, "2024": 0}
    # written: nulls, never a number, in panel.gpkg; the counts in panel.json
    layer = gpd.read_file(paths["gpkg"], layer="d_change").set_index("cell_id")
    assert layer.loc[new, "d_change"].isna().all() and layer.loc[new, "trend"].isna().all()
    written = json.loads(paths["parameters"].read_text(encoding="utf-8"))
    assert written["n_cells_compared"] == 15
    html = paths["panel_map_html"].read_text(encoding="utf-8")
    assert "not analysed / 未分析" in html
