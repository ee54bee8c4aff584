"""Tests of cityind_gis.domain, and the known story of issue 12 on a generated zone.

The zone is a 6 x 3 grid of 100 m cells (UTM 50N)::

    col     0         1   2        3   4        5
          residential mixed core   industrial   empty: rows 0-1 nothing at all,
          edge        (served)     belt (no     row 2 water
                                   services)

Every row is alike except in column 5. Values per cell (shares of the cell's area, POI counts,
walking distance to the nearest service in metres):

=========  ===========  ===========  ==========  ==========  ========  ========  ========
column     industrial   logistics    residential commercial  poi ent.  poi serv. net_dist
=========  ===========  ===========  ==========  ==========  ========  ========  ========
0 edge     0.0          0.0          0.6         0.0         0         10        300
1-2 core   0.3          0.0          0.4         0.2         10        30        100
3-4 belt   0.8          0.1          0.0         0.0         20        0         1500
5 empty    0            0            0           0 (row 2: water 1.0)  0  0     1500
=========  ===========  ===========  ==========  ==========  ========  ========  ========
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis import coupling
from cityind_gis._errors import CRSError, InputError, SchemaError
from cityind_gis.columns import poi_count, share
from cityind_gis.domain import (
    DOMAIN_REASONS,
    analysis_domain,
    domain_summary,
    expand_to_units,
    industrial_classes,
    urban_classes,
)
from cityind_gis.typology import city_industry_typology, relative_development
from cityind_gis.units import make_grid

UTM50 = "EPSG:32650"

EDGE, CORE, BELT, EMPTY = [0], [1, 2], [3, 4], [5]


@pytest.fixture
def zone() -> gpd.GeoDataFrame:
    grid = make_grid((0, 0, 600, 300), cell_size=100, crs=UTM50)
    col = grid["col"]

    def by_col(edge, core, belt, empty):
        return np.select([col.isin(EDGE), col.isin(CORE), col.isin(BELT)], [edge, core, belt],
                         empty).astype(float)

    water = np.where(col.isin(EMPTY) & (grid["row"] == 2), 1.0, 0.0)
    return grid.assign(**{
        share("industrial"): by_col(0.0, 0.3, 0.8, 0.0),
        share("logistics"): by_col(0.0, 0.0, 0.1, 0.0),
        share("residential"): by_col(0.6, 0.4, 0.0, 0.0),
        share("commercial"): by_col(0.0, 0.2, 0.0, 0.0),
        share("water"): water,
        poi_count("enterprise"): by_col(0, 10, 20, 0),
        poi_count("retail"): by_col(10, 30, 0, 0),
        "net_dist_retail": by_col(300, 100, 1500, 1500),
    })


def _cells(zone, cols, rows=(0, 1, 2)):
    return zone.index[zone["col"].isin(cols) & zone["row"].isin(rows)]


# ---------------------------------------------------------------------------- classes


def test_urban_classes_are_gb50137_construction_land():
    assert urban_classes() == ["industrial", "logistics", "residential", "commercial", "business",
                               "administration", "education", "healthcare", "culture_sports",
                               "transport", "utilities", "green"]
    assert industrial_classes() == ["industrial", "logistics"]


# ------------------------------------------------------------------------------ rules


def test_urban_land_rule_known_answer(zone):
    dom = analysis_domain(zone)
    assert dom.index.equals(zone.index)
    assert list(dom.columns) == ["analysed", "reason"]
    assert dom["analysed"].dtype == bool
    assert dom.loc[_cells(zone, EDGE + CORE + BELT), "analysed"].all()
    assert dom.loc[_cells(zone, EDGE + CORE + BELT), "reason"].map(lambda r: r is None).all()
    # column 5: rows 0-1 hold nothing at all, row 2 only water
    assert dom.loc[_cells(zone, EMPTY, (0, 1)), "reason"].eq(
        "no data (no land use, no POIs)").all()
    assert dom.loc[_cells(zone, EMPTY, (2,)), "reason"].eq("no urban or built land").all()
    assert int(dom["analysed"].sum()) == 15


def test_industrial_rule_known_answer(zone):
    dom = analysis_domain(zone, rule="industrial")
    assert dom.loc[_cells(zone, CORE + BELT), "analysed"].all()
    assert dom.loc[_cells(zone, EDGE), "reason"].eq("no industrial land").all()
    assert dom.loc[_cells(zone, EMPTY, (2,)), "reason"].eq("no industrial land").all()
    assert dom.loc[_cells(zone, EMPTY, (0, 1)), "reason"].eq(
        "no data (no land use, no POIs)").all()


def test_all_rule_analyses_every_unit(zone):
    dom = analysis_domain(zone, rule="all")
    assert dom["analysed"].all() and dom["reason"].isna().all()


@pytest.mark.parametrize(
    ("min_share", "analysed_cols"),
    [(None, [0, 1, 2, 3]), (0.6, [0, 1, 2]), (1.0, [0, 1, 2])],
    ids=["default-half", "0.6", "whole-unit"],
)
def test_mask_rule_share_of_unit(zone, min_share, analysed_cols):
    # the mask covers columns 0-2 and the west half of column 3 (x < 350)
    mask = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 350, 300)], crs=UTM50)
    dom = analysis_domain(zone, rule="mask", mask=mask, min_share=min_share)
    expected = zone["col"].isin(analysed_cols)
    pd.testing.assert_series_equal(dom["analysed"], expected, check_names=False)
    assert dom.loc[~expected, "reason"].eq("outside mask").all()


@pytest.mark.parametrize(
    ("min_share", "analysed"),
    [(None, False), (0.04, True), (0.0, True)],
    ids=["default-5-percent", "4-percent", "any-land"],
)
def test_min_share_threshold(zone, min_share, analysed):
    # a cell with only 4 % road land: below the default 5 %, counted when the threshold allows
    units = zone.iloc[:3].assign(**{share("transport"): [0.04, 0.0, 0.0]})
    units.loc[units.index[0], [share("residential"), share("industrial")]] = 0.0
    dom = analysis_domain(units, min_share=min_share)
    assert bool(dom["analysed"].iloc[0]) is analysed


def test_pois_without_land_use_are_not_no_data(zone):
    # no land use at all, but shops: the unit has data, just no built land
    units = zone.iloc[:2].copy()
    units.loc[units.index[0], [c for c in units.columns if c.endswith("_share")]] = 0.0
    units.loc[units.index[0], poi_count("retail")] = 3
    dom = analysis_domain(units)
    assert dom["reason"].iloc[0] == "no urban or built land"


def test_shares_and_classes_given(zone):
    shares = pd.DataFrame({"green": [0.5, 0.0], "water": [0.5, 1.0]}, index=zone.index[:2])
    dom = analysis_domain(zone.iloc[:2][["row"]], shares=shares)
    assert dom["analysed"].tolist() == [True, False]
    # only residential counts
    dom = analysis_domain(zone, classes=["residential"])
    assert dom.loc[_cells(zone, BELT), "reason"].eq("no urban or built land").all()
    assert dom.loc[_cells(zone, EDGE + CORE), "analysed"].all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"rule": "urban"}, InputError, r"`rule` must be one of \['all', 'urban_land'"),
        ({"min_share": 1.5}, InputError, r"`min_share` must be a share.*got 1\.5"),
        ({"min_share": True}, InputError, "`min_share` must be a share"),
        ({"mask": "x"}, InputError, "`mask` goes with rule='mask' only"),
        ({"rule": "mask"}, SchemaError, "rule='mask' needs `mask`"),
        ({"rule": "all", "classes": ["green"]}, InputError, "`classes` goes with"),
        ({"classes": ["farm"]}, InputError, r"unknown: \['farm'\]"),
        ({"shares": pd.DataFrame({"farm": [0.1]})}, SchemaError, "`shares` must be a DataFrame"),
    ],
    ids=["rule", "min-share-range", "min-share-bool", "mask-wrong-rule", "mask-missing",
         "classes-wrong-rule", "classes-unknown", "shares-index"],
)
def test_analysis_domain_errors(zone, kwargs, error, match):
    with pytest.raises(error, match=match):
        analysis_domain(zone, **kwargs)


def test_no_share_columns_refused(zone):
    with pytest.raises(SchemaError, match=r"no land-use share column.*pass `shares`"):
        analysis_domain(zone[["row", "col"]])


def test_mask_in_geographic_crs_refused(zone):
    mask = gpd.GeoDataFrame(geometry=[shapely.box(120, 30, 121, 31)], crs="EPSG:4326")
    with pytest.raises(CRSError, match="mask"):
        analysis_domain(zone, rule="mask", mask=mask)


def test_inputs_not_mutated(zone):
    before = zone.copy()
    analysis_domain(zone)
    pd.testing.assert_frame_equal(zone, before)


# ------------------------------------------------------------------- summary, expand


def test_domain_summary_counts(zone):
    summary = domain_summary(analysis_domain(zone))
    assert summary["reason"].tolist() == ["analysed", "no data (no land use, no POIs)",
                                          "no urban or built land"]
    assert summary["n_units"].tolist() == [15, 2, 1]
    assert summary["share"].tolist() == pytest.approx([15 / 18, 2 / 18, 1 / 18])
    assert summary["reason_zh"].tolist()[1:] == [DOMAIN_REASONS[r] for r in
                                                 summary["reason"].tolist()[1:]]


def test_domain_summary_refuses_other_tables():
    with pytest.raises(SchemaError, match="output of `analysis_domain`"):
        domain_summary(pd.DataFrame({"analysed": [1]}))


def test_expand_to_units_missing_values_by_dtype():
    result = pd.DataFrame(
        {"D": [0.5], "level": pd.array([6], dtype="Int64"), "grade": ["勉强协调"],
         "flag": [True], "n": [3]},
        index=["b"],
    )
    out = expand_to_units(result, pd.Index(["a", "b", "c"]))
    assert out.index.tolist() == ["a", "b", "c"]
    assert np.isnan(out.loc["a", "D"]) and out.loc["b", "D"] == 0.5
    assert out["level"].dtype == "Int64" and out["level"].isna().tolist() == [True, False, True]
    assert out["grade"].tolist() == [None, "勉强协调", None]
    assert out["flag"].dtype == "boolean" and out.loc["a", "flag"] is pd.NA
    assert out["n"].dtype == "Int64"
    series = expand_to_units(pd.Series(["x"], index=["b"], name="t"), pd.Index(["a", "b"]))
    assert series.tolist() == [None, "x"] and series.name == "t"


def test_expand_to_units_refuses_foreign_labels():
    with pytest.raises(SchemaError, match=r"1 label\(s\) not in `index`"):
        expand_to_units(pd.Series([1.0], index=["z"]), pd.Index(["a"]))


# ------------------------------------------------------------ the story of issue 12

INDUSTRY = {share("industrial"): "+", poi_count("enterprise"): "+"}
URBAN = {share("residential"): "+", poi_count("retail"): "+", "net_dist_retail": "-"}


def _coupling_on_domain(zone, weights="equal"):
    """The chain the coupling stage runs: domain -> subset -> normalise, weight -> expand."""
    dom = analysis_domain(zone)
    sub = zone.loc[dom["analysed"]]
    u = {}
    for name, directions in (("U1", INDUSTRY), ("U2", URBAN)):
        x = coupling.normalize(sub[list(directions)], directions, shift=0.01)
        u[name] = coupling.subsystem_index(x, coupling.indicator_weights(x, method=weights))
    u = pd.DataFrame(u)
    ctd = coupling.coupling_coordination(u)
    out = expand_to_units(pd.concat([u, ctd, relative_development(u),
                                     city_industry_typology(u, lang="en")], axis=1), zone.index)
    out["grade"] = coupling.coordination_grade(out["D"], lang="en")
    return dom, out


def test_story_equal_weights_known_answer(zone):
    # normalised into [0.01, 0.99] over the 15 analysed cells (edge, core, belt):
    #   industrial share (0, .3, .8) -> (.01, .3775, .99); enterprises (0, 10, 20) -> (.01, .5, .99)
    #   residential (.6, .4, 0) -> (.99, .66333, .01); shops (10, 30, 0) -> (.33667, .99, .01)
    #   walking distance (300, 100, 1500), negative -> (.85, .99, .01)
    # U1 = (.01, .43875, .99); U2 = (.72556, .88111, .01)
    dom, out = _coupling_on_domain(zone)
    u1 = {"edge": 0.01, "core": 0.43875, "belt": 0.99}
    u2 = {"edge": (0.99 + 0.33667 + 0.85) / 3, "core": (0.66333 + 0.99 + 0.99) / 3, "belt": 0.01}
    for part, cols in (("edge", EDGE), ("core", CORE), ("belt", BELT)):
        cells = _cells(zone, cols)
        assert out.loc[cells, "U1"].to_numpy() == pytest.approx(u1[part], abs=1e-5)
        assert out.loc[cells, "U2"].to_numpy() == pytest.approx(u2[part], abs=1e-5)
        c = 2 * np.sqrt(u1[part] * u2[part]) / (u1[part] + u2[part])
        d = np.sqrt(c * (u1[part] + u2[part]) / 2)
        assert out.loc[cells, "D"].to_numpy() == pytest.approx(d, abs=1e-5)
    belt, core, empty = _cells(zone, BELT), _cells(zone, CORE), _cells(zone, EMPTY)
    # belt D = sqrt(0.19900 * 0.5) = 0.31543 (轻度失调); core D = 0.78852 (中级协调)
    assert out.loc[belt, "D"].iloc[0] == pytest.approx(0.31543, abs=1e-5)
    assert out.loc[core, "D"].iloc[0] == pytest.approx(0.78852, abs=1e-5)
    assert out.loc[belt, "typology_code"].eq("industry_leading").all()
    assert out.loc[_cells(zone, EDGE), "typology_code"].eq("city_leading").all()
    # the belt holds the worst gaps: ranks 1 (six cells tied) of U1 - U2
    assert out.loc[belt, "dev_gap_rank"].eq(1).all()
    assert out.loc[~zone.index.isin(belt), "dev_gap_rank"].dropna().gt(6).all()
    # empty cells are not analysed: no number and no label anywhere
    assert not dom.loc[empty, "analysed"].any()
    assert out.loc[empty, ["U1", "U2", "C", "T", "D", "rel_dev", "dev_gap"]].isna().all().all()
    assert out.loc[empty, "dev_gap_rank"].isna().all()
    for col in ("typology_code", "typology", "grade"):
        assert out.loc[empty, col].map(lambda v: v is None).all()


def test_story_entropy_weights_same_story(zone):
    _, out = _coupling_on_domain(zone, weights="entropy")
    belt, core = _cells(zone, BELT), _cells(zone, CORE)
    assert out.loc[belt, "typology_code"].eq("industry_leading").all()
    assert out.loc[core, "D"].min() > out.loc[belt, "D"].max()
    assert out.loc[belt, "dev_gap_rank"].eq(1).all()
    assert out.loc[_cells(zone, EMPTY), "D"].isna().all()
