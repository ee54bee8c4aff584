"""Known-answer story: an industrial belt without services beside a mixed, well-served core.

The zone of :func:`cityind_gis.testing.domain_story_zone`, written as files with a
TOML config and run through ``run(load_config(path))``: the belt is typed
industry-leading (industrial empty city) and ranks worst for service gaps, the
core is better coordinated, the empty column is not analysed and has no D.
"""

import json
import math
import warnings

import numpy as np
import pytest

from cityind_gis._errors import InputError
from cityind_gis.config import load_config
from cityind_gis.testing import write_domain_story_zone
from cityind_gis.workflow import run, write_outputs

BELT, CORE, FRINGE, EMPTY = (0, 1), (2, 3), (4,), (5,)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    folder = tmp_path_factory.mktemp("story")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run(load_config(write_domain_story_zone(folder)))
    return res, [str(w.message) for w in caught]


def _cells(res, cols):
    return res.grid[res.grid["col"].isin(cols)]


def test_empty_cells_are_not_analysed_and_have_no_d(story):
    res, _ = story
    empty = _cells(res, EMPTY)
    assert len(empty) == 3
    assert not empty["analysed"].any()
    assert set(empty["domain_reason"]) == {"no data (no land use, no POIs)"}
    for col in ("U1", "U2", "C", "T", "D", "dev_gap", "lisa_i"):
        assert empty[col].isna().all(), col
    for col in ("grade", "grade_zh", "coupling_stage", "lag_type", "typology_code",
                "typology", "bivar_class"):
        assert empty[col].map(lambda v: v is None).all(), col
    assert empty["grade_level"].isna().all()
    assert res.grid.loc[~res.grid["col"].isin(EMPTY), "analysed"].all()


def test_normalisation_uses_the_analysed_units_only(story):
    res, _ = story
    u = {name: _cells(res, cols)[["U1", "U2"]] for name, cols in
         (("belt", BELT), ("core", CORE), ("fringe", FRINGE))}
    assert u["belt"]["U1"].tolist() == pytest.approx([1.0] * 6)
    assert u["belt"]["U2"].tolist() == pytest.approx([0.0] * 6)
    assert u["core"]["U1"].tolist() == pytest.approx([0.35] * 6)  # (0.2 + 0.5) / 2
    assert u["core"]["U2"].tolist() == pytest.approx([1.0] * 6)
    assert u["fringe"]["U1"].tolist() == pytest.approx([0.0] * 3)
    assert u["fringe"]["U2"].tolist() == pytest.approx([0.125 / 3] * 3)


def test_core_is_better_coordinated_than_the_belt(story):
    res, _ = story
    c = 2 * math.sqrt(0.35) / 1.35
    assert _cells(res, CORE)["D"].tolist() == pytest.approx([math.sqrt(c * 0.675)] * 6)
    assert _cells(res, BELT)["D"].tolist() == pytest.approx([0.0] * 6)
    assert _cells(res, CORE)["D"].min() > _cells(res, BELT)["D"].max()


@pytest.mark.parametrize(
    ("cols", "code"),
    [(BELT, "industry_leading"), (CORE, "city_leading"), (FRINGE, "both_low")],
    ids=["belt-industrial-empty-city", "core-city-leading", "fringe-both-low"],
)
def test_typology(story, cols, code):
    res, _ = story
    cells = _cells(res, cols)
    assert set(cells["typology_code"]) == {code}
    if code == "industry_leading":
        assert cells["typology_en"].str.contains("industrial empty city").all()
        assert cells["dev_gap"].tolist() == pytest.approx([1.0] * 6)


def test_belt_has_the_worst_gap_ranking(story):
    res, _ = story
    belt = set(_cells(res, BELT).index)
    gaps = res.service_gaps
    assert set(gaps.index) == belt  # the core is served within 40 m
    assert sorted(gaps["gap_rank"]) == [1, 2, 3, 4, 5, 6]
    assert (gaps["n_missing"] == 2).all()
    # and the largest U1 - U2 gap: rank 1 of the relative development
    assert (_cells(res, BELT)["dev_gap_rank"] == 1).all()
    assert _cells(res, CORE)["dev_gap_rank"].min() > 1


def test_summary_and_run_json_report_the_domain(story, tmp_path):
    res, _ = story
    p = res.params
    assert (p["domain_rule"], p["n_units_analysed"], p["n_units_not_analysed"]) == (
        "urban_land", 15, 3)
    assert json.loads(p["domain_left_out"]) == {"no data (no land use, no POIs)": 3}
    assert (p["n_indicators_U1"], p["n_indicators_U2"]) == (2, 3)
    assert p["moran_n_units"] == 15
    assert res.summary["cells"].sum() == 15  # the grades count the analysed units
    rows = res.tables()["summary"].set_index("grade_en")  # summary.csv adds the left-out
    assert rows.loc["not analysed: no data (no land use, no POIs)", "cells"] == 3
    assert rows["cells"].sum() == 18
    paths = write_outputs(res, tmp_path)
    csv = paths["summary"].read_text(encoding="utf-8-sig")
    assert '"not analysed: no data (no land use, no POIs)",,,3,' in csv
    written = json.loads(paths["parameters"].read_text(encoding="utf-8"))
    assert written["n_units_not_analysed"] == 3
    sens = paths["weight_sensitivity"].read_text(encoding="utf-8-sig").splitlines()
    assert sens[0].split(",")[:3] == ["method", "spearman_d", "share_grade_changed"]
    assert [line.split(",")[0] for line in sens[1:]] == ["equal", "entropy", "critic"]
    report = paths["report"].read_text(encoding="utf-8")
    first = report.index("Reading the results")
    assert first < report.index("Study area")
    assert "3 not analysed" in report and "Caution: D follows U2" in report
    assert report.index("City-industry typology", first) < report.index("Study area")


def test_warnings_name_the_thin_subsystem_and_the_caution(story):
    _, messages = story
    few = [m for m in messages if m.startswith("few indicators")]
    assert len(few) == 1
    assert "U1 (industry) rests on 2 indicator(s)" in few[0]
    assert "docs/indicators.md" in few[0]
    caution = [m for m in messages if m.startswith("Caution: D follows")]
    assert len(caution) == 1 and "U2 (urban function)" in caution[0]


def test_correlations_of_d_in_run_json(story):
    res, _ = story
    g = res.grid[res.grid["analysed"]]
    r = np.corrcoef(g["D"], g["U2"])[0, 1]
    assert res.params["corr_D_U2_pearson"] == pytest.approx(r, abs=1e-4)
    assert res.params["corr_D_U2_spearman"] >= 0.8


def test_rule_all_analyses_the_empty_cells_too(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run(load_config(write_domain_story_zone(tmp_path, rule="all")))
    assert res.grid["analysed"].all()
    assert res.grid["D"].notna().all()


def test_mask_rule_reads_the_mask_layer(tmp_path):
    import geopandas as gpd
    import shapely

    gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 400, 300)], crs="EPSG:32650").to_file(
        tmp_path / "mask.gpkg", driver="GPKG")
    cfg = write_domain_story_zone(tmp_path, rule="mask")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        'rule = "mask"', 'rule = "mask"\nmask = "mask.gpkg"'), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run(load_config(cfg))
    assert res.grid["analysed"].tolist() == res.grid["col"].lt(4).tolist()
    assert set(res.grid.loc[~res.grid["analysed"], "domain_reason"]) == {"outside mask"}


def test_a_rule_that_leaves_too_few_units_says_use_all(tmp_path):
    import geopandas as gpd
    import shapely

    gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:32650").to_file(
        tmp_path / "mask.gpkg", driver="GPKG")
    cfg = write_domain_story_zone(tmp_path, rule="mask")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        'rule = "mask"', 'rule = "mask"\nmask = "mask.gpkg"'), encoding="utf-8")
    with pytest.raises(InputError, match=r"`\[domain\] rule` = 'mask' leaves 1 of 18 .*"
                                         r"rule = \"all\""):
        run(load_config(cfg))


@pytest.mark.parametrize(
    ("text", "match"),
    [('rule = "town"', r"`\[domain\] rule` must be one of"),
     ('rule = "urban_land"\nmin_share = 2', r"`\[domain\] min_share` must be a share"),
     ('rule = "mask"', r"`\[domain\] mask` go together")],
    ids=["unknown-rule", "share-above-one", "mask-rule-without-mask"],
)
def test_domain_config_is_checked(tmp_path, text, match):
    cfg = write_domain_story_zone(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('rule = "urban_land"', text),
                   encoding="utf-8")
    with pytest.raises(InputError, match=match):
        load_config(cfg)
