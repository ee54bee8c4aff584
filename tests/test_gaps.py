import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityind_gis import InputError, SchemaError
from cityind_gis.gaps import gap_table, industrial_service_gaps, service_gaps, workers_from_area
from cityind_gis.network import graph_from_edges


@pytest.fixture
def units(grid_2x2):
    g = grid_2x2.copy()
    g["industrial_share"] = [0.8, 0.2, 0.0, 0.5]
    g["net_dist_retail"] = [1200.0, 300.0, 50.0, np.nan]
    g["net_dist_healthcare"] = [900.0, 1001.0, 50.0, 10.0]
    return g


def test_service_gaps_known_answer(units):
    gaps = service_gaps(units, categories=["retail", "healthcare"], distance=1000)
    # cell 0: retail 1200 > 1000 -> 1 missing; cell 1: healthcare 1001 -> 1 missing;
    # cell 2 not industrial; cell 3: retail unreachable (NaN) -> missing
    assert isinstance(gaps, gpd.GeoDataFrame)
    assert gaps.crs == units.crs
    assert sorted(gaps.index) == [0, 1, 3]
    assert gaps.loc[0, "missing"] == "retail"
    assert gaps.loc[1, "missing"] == "healthcare"
    assert gaps.loc[1, "missing_zh"] == "医疗保健"
    assert gaps.loc[3, "gap_retail"]
    assert gaps["gap_score"].tolist() == [0.5, 0.5, 0.5]
    # ranked by n_missing then industrial share: 0 (0.8), 3 (0.5), 1 (0.2)
    assert gaps.index.tolist() == [0, 3, 1]
    assert gaps["gap_rank"].tolist() == [1, 2, 3]


def test_service_gaps_threshold(units):
    gaps = service_gaps(units, categories=["retail", "healthcare"], min_industrial_share=0.6)
    assert gaps.index.tolist() == [0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"categories": []}, InputError, "empty"),
        ({"categories": ["food"]}, SchemaError, "net_dist_food"),
        ({"categories": ["retail"], "distance": -1}, InputError, "positive"),
    ],
    ids=["no-categories", "missing-column", "negative-distance"],
)
def test_service_gaps_errors(units, kwargs, error, match):
    with pytest.raises(error, match=match):
        service_gaps(units, **kwargs)


# --------------------------------------------------------------------------- parcels

UTM = "EPSG:32650"


@pytest.fixture
def estate():
    """A (0,0) --400-- B (400,0) --400-- C (800,0);  island E (5000,0) --100-- F (5100,0).

    Parcels (representative points): P1 box 0-100 x 10-60 -> (50, 35), 0.5 ha;
    P2 box 700-800 x 10-110 -> (750, 60), 1 ha; P3 box 5000-5100 x 10-30 on the island,
    0.2 ha. Food 5 m below A-B at x=100; a bus stop 2 m below C.
    """
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 400, 800, 5000, 5100], [0] * 5),
                             crs=UTM)
    graph = graph_from_edges(nodes, pd.DataFrame({"u": [0, 1, 3], "v": [1, 2, 4],
                                                  "length": [400.0, 400.0, 100.0]}))
    parcels = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 10, 100, 60), shapely.box(700, 10, 800, 110),
                  shapely.box(5000, 10, 5100, 30)],
        index=pd.Index(["P1", "P2", "P3"], name="parcel"), crs=UTM,
    )
    pois = gpd.GeoDataFrame({"category": ["food", "transit"]},
                            geometry=gpd.points_from_xy([100, 800], [-5, -2]), crs=UTM)
    return graph, parcels, pois


def _estate_gaps(graph, parcels, pois, **kwargs):
    # P3 lies beside the island fragment: since issue 13 it joins the main network (at C,
    # 4,250 m away, beyond the 3,000 m search) with a warning, instead of the fragment
    with pytest.warns(UserWarning, match=r"1 of 3 feature\(s\) of `origins` lie nearest"):
        return industrial_service_gaps(parcels, pois, graph, **kwargs)


def test_industrial_gaps_known_answer(estate):
    graph, parcels, pois = estate
    gaps = _estate_gaps(graph, parcels, pois, categories=["food", "transit"], distance=500)
    # P1: food 35 + 50 + 5 = 90; transit 35 + 350 + 400 + 2 = 787 -> shortfall 0.574
    # P2: food 60 + 350 + 300 + 5 = 715 -> shortfall 0.43; transit 60 + 50 + 2 = 112
    # P3: beside the island, joins the main network 4,250 m from C: nothing within 3 km -> 1
    # priority = score x workers (100 per ha): P2 0.215 x 100, P3 1 x 20, P1 0.287 x 50
    assert gaps.index.tolist() == ["P2", "P3", "P1"]
    assert gaps["gap_rank"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(gaps.loc[["P1", "P2"], "net_dist_food"], [90, 715])
    np.testing.assert_allclose(gaps.loc[["P1", "P2"], "net_dist_transit"], [787, 112])
    np.testing.assert_allclose(gaps["gap_score"], [0.215, 1.0, 0.287])
    np.testing.assert_allclose(gaps["workers"], [100, 20, 50])
    np.testing.assert_allclose(gaps["priority"], [21.5, 20.0, 14.35])
    assert gaps["missing"].tolist() == ["food", "food;transit", "transit"]
    assert gaps.loc["P3", "missing_zh"] == "餐饮服务;交通设施"
    # before issue 13 P3 joined the island (main_network False); now it joins the main network
    assert gaps["main_network"].tolist() == [True, True, True]
    assert gaps["rejoined"].tolist() == [False, True, False]
    assert gaps["beyond_search"].tolist() == ["", "food;transit", ""]
    assert gaps.crs == parcels.crs


def test_gap_table_bilingual(estate):
    graph, parcels, pois = estate
    gaps = _estate_gaps(graph, parcels, pois, categories=["food", "transit"], distance=500)
    table = gap_table(gaps, categories=["food", "transit"])
    assert table["地块 parcel"].tolist() == ["P2", "P3", "P1"]
    assert "步行距离-餐饮服务 walk to food (m)" in table.columns
    assert table["missing services (en)"].tolist()[1] == "food; transit"


def test_industrial_gaps_given_workers_and_threshold(estate):
    graph, parcels, pois = estate
    workers = pd.Series([10.0, 0.0, 5.0], index=parcels.index)
    gaps = _estate_gaps(graph, parcels, pois, categories=["food", "transit"], distance=1000,
                        workers=workers)
    # within 1000 m everything on the main network is served: only P3 lacks services
    assert gaps.loc["P3", "workers_affected"] == 5.0
    assert gaps.loc[["P1", "P2"], "n_missing"].tolist() == [0, 0]
    assert gaps.index[0] == "P3"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"categories": []}, InputError, "empty"),
     ({"distance": 0}, InputError, "positive"),
     ({"worker_density": -3}, InputError, "worker_density"),
     ({"workers": pd.Series([1.0])}, SchemaError, "aligned")],
    ids=["no-categories", "distance", "density", "workers-index"],
)  # fmt: skip
def test_industrial_gaps_errors(estate, kwargs, error, match):
    graph, parcels, pois = estate
    args = {"categories": ["food"], **kwargs}
    with pytest.raises(error, match=match):
        industrial_service_gaps(parcels, pois, graph, **args)


def test_industrial_gaps_absent_category_warns(estate):
    graph, parcels, pois = estate
    with pytest.warns(UserWarning, match=r"no facility of \['healthcare'\]"):
        gaps = industrial_service_gaps(parcels, pois, graph, categories=["healthcare"])
    assert gaps["gap_healthcare"].all()


def test_industrial_gaps_search_beyond_twice_the_distance(estate):
    """Issue 13: distances between 2 x distance and search_distance used to be NaN."""
    graph, parcels, pois = estate
    gaps = _estate_gaps(graph, parcels, pois, categories=["food", "transit"], distance=300)
    # P1 transit 787 m and P2 food 715 m lie beyond 2 x 300 m but within the 3 km search
    np.testing.assert_allclose(gaps.loc[["P1", "P2"], "net_dist_transit"], [787, 112])
    np.testing.assert_allclose(gaps.loc[["P1", "P2"], "net_dist_food"], [90, 715])
    assert gaps.loc[["P1", "P2"], "beyond_search"].tolist() == ["", ""]
    near = _estate_gaps(graph, parcels, pois, categories=["transit"], distance=300,
                        search_distance=700)
    assert np.isnan(near.loc["P1", "net_dist_transit"])
    assert near.loc["P1", "beyond_search"] == "transit"


def test_workers_from_area(estate):
    _, parcels, _ = estate
    np.testing.assert_allclose(workers_from_area(parcels, worker_density=80), [40, 80, 16])


# --------------------------------------------------------------------------- graded gaps

from cityind_gis.gaps import SEVERITY_WEIGHTS, graded_service_gaps  # noqa: E402
from cityind_gis.network import origins_for_units, service_share_within  # noqa: E402
from cityind_gis.network.lifecircle import service_standards  # noqa: E402

GRADED = ["retail", "food", "transit", "healthcare"]


@pytest.fixture
def corridor():
    """A 2,500 m street along y = 0 (nodes every 100 m) with 25 parcels along its north side.

    Parcel ``i`` is the box x 100i..100i+100, y 10..50 (0.4 ha, 40 workers at
    100/ha); its representative point (100i + 50, 30) joins the street 30 m away.
    The served core has one shop, restaurant, bus stop and clinic on the street at
    x = 500 and again at x = 1000; nothing else. So parcel i is
    ``30 + min(|c - 500|, |c - 1000|)`` metres from each, ``c = 100i + 50``:

    - i = 0..14 (x < 1,500): at most 30 + 450 = 480 m: within every threshold
      (retail, food, transit 500 m; healthcare 1,000 m);
    - i = 15..19 (the belt's inner half): 580, 680, 780, 880, 980 m: retail, food
      and transit ``beyond`` (500-1,000 m), healthcare within: score 3;
    - i = 20..24 (outer belt): 1,080-1,480 m: retail, food, transit ``far_beyond``
      (> 1,000 m), healthcare ``beyond``: score 2 + 2 + 2 + 1 = 7.

    Education has no facility anywhere: absent from the data.
    """
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(np.arange(26) * 100.0, [0.0] * 26),
                             crs=UTM)
    graph = graph_from_edges(nodes, pd.DataFrame({"u": range(25), "v": range(1, 26),
                                                  "length": 100.0}))
    parcels = gpd.GeoDataFrame(geometry=[shapely.box(100 * i, 10, 100 * i + 100, 50)
                                         for i in range(25)],
                               index=pd.Index(range(25), name="parcel"), crs=UTM)
    pois = gpd.GeoDataFrame({"category": GRADED * 2},
                            geometry=gpd.points_from_xy([500] * 4 + [1000] * 4, [0] * 8),
                            crs=UTM)
    return graph, parcels, pois


def _graded(graph, parcels, pois, **kwargs):
    with pytest.warns(UserWarning, match=r"categories \['education'\] have no facility"):
        return graded_service_gaps(parcels, pois, graph, categories=[*GRADED, "education"],
                                   **kwargs)


def test_graded_gaps_rank_the_belt_first(corridor):
    """Issue 13 "done when": served core, unserved belt; belt first, gaps well below 100 %."""
    gaps = _graded(*corridor)
    assert set(gaps.index[:5]) == {20, 21, 22, 23, 24}
    assert set(gaps.index[5:10]) == {15, 16, 17, 18, 19}
    assert gaps["has_gap"].mean() == pytest.approx(10 / 25)  # not every unit
    assert not gaps.loc[range(15), "has_gap"].any()
    np.testing.assert_allclose(gaps.loc[[0, 15, 20], "net_dist_retail"], [480, 580, 1080])
    assert gaps.loc[15, "gap_severity_retail"] == "beyond"
    assert gaps.loc[15, "gap_severity_healthcare"] == "within"
    assert gaps.loc[20, "gap_severity_retail"] == "far_beyond"
    assert gaps.loc[20, "gap_severity_healthcare"] == "beyond"
    assert gaps.loc[[0, 15, 20], "severity_score"].tolist() == [0.0, 3.0, 7.0]
    assert gaps.loc[[0, 15], "gap_retail"].tolist() == [False, True]
    assert not gaps["gap_education"].any()  # absent, not counted
    assert gaps.loc[20, "priority"] == pytest.approx(7 * 40)
    assert gaps.loc[20, "gaps"] == "retail;food;transit;healthcare"
    assert gaps.loc[15, "gaps_zh"] == "购物服务;餐饮服务;交通设施"
    assert (gaps["gap_severity_education"] == "absent").all()
    assert (gaps["absent"] == "education").all()
    assert gaps["gap_rank"].tolist() == list(range(1, 26))


def test_graded_gaps_count_absent(corridor):
    gaps = _graded(*corridor, count_absent=True)
    assert gaps["has_gap"].all()  # what the ranked list looked like before issue 13
    assert gaps.loc[0, "severity_score"] == SEVERITY_WEIGHTS["far_beyond"]
    assert set(gaps.index[:5]) == {20, 21, 22, 23, 24}


@pytest.mark.parametrize(
    ("kwargs", "parcel", "grade"),
    [({"standards": {"retail": 300}}, 0, "beyond"),  # 480 m > 300 m
     ({"standards": {"retail": 300}}, 4, "within"),  # 30 + 50 = 80 m
     ({"search_distance": 1000}, 20, "beyond_search")],
    ids=["override-beyond", "override-within", "beyond-search"],
)
def test_graded_gaps_options(corridor, kwargs, parcel, grade):
    gaps = _graded(*corridor, **kwargs)
    assert gaps.loc[parcel, "gap_severity_retail"] == grade
    if "search_distance" in kwargs:
        assert np.isnan(gaps.loc[parcel, "net_dist_retail"])
        assert gaps.loc[parcel, "severity_score"] == 2 + 2 + 2 + 2


def test_graded_gaps_far_factor_boundary(corridor):
    gaps = _graded(*corridor, far_factor=1.5)
    # 1.5 x 500 = 750: parcel 17 (780 m) is far beyond, parcel 16 (680 m) beyond
    assert gaps.loc[[16, 17], "gap_severity_retail"].tolist() == ["beyond", "far_beyond"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"categories": []}, InputError, "empty"),
     ({"categories": ["retail"], "standards": {"retail": -1}}, InputError, "positive"),
     ({"categories": ["enterprise"]}, InputError, "no threshold"),
     ({"categories": ["retail"], "served_share": 0}, InputError, "served_share"),
     ({"categories": ["retail"], "far_factor": 1}, InputError, "far_factor"),
     ({"categories": ["retail"], "severity_weights": {"bad": 1}}, InputError, "unknown grades"),
     ({"categories": ["retail"], "search_distance": 0}, InputError, "search_distance")],
    ids=["no-categories", "bad-override", "no-threshold", "share", "far", "weights", "search"],
)  # fmt: skip
def test_graded_gaps_errors(corridor, kwargs, error, match):
    graph, parcels, pois = corridor
    with pytest.raises(error, match=match):
        graded_service_gaps(parcels, pois, graph, **kwargs)


# --------------------------------------------------------------------------- multi-origin zones


@pytest.fixture
def long_zone():
    """A 1,000 x 100 m zone (10 ha) north of a street y = 0; a shop on the street at x = 0.

    At 100 m spacing the zone has 10 origins at (100i + 50, 50), each a tenth of
    its area; origin i walks 50 m to the street and 100i + 50 m along it:
    100, 200, ..., 1,000 m. Half the zone (i = 0..4) lies within 500 m of the shop
    (the tests use 510 m to stay clear of rounding at the boundary). Its single
    representative point (500, 50) is 550 m away.
    """
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([-100, 0, 1100], [0, 0, 0]), crs=UTM)
    graph = graph_from_edges(nodes, pd.DataFrame({"u": [0, 1], "v": [1, 2],
                                                  "length": [100.0, 1100.0]}))
    zone = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1000, 100)],
                            index=pd.Index(["Z"], name="zone"), crs=UTM)
    shop = gpd.GeoDataFrame({"category": ["retail"]}, geometry=gpd.points_from_xy([0], [0]),
                            crs=UTM)
    return graph, zone, shop


def test_origins_for_units_known_answer(long_zone):
    _, zone, _ = long_zone
    org = origins_for_units(zone)
    assert len(org) == 10
    assert (org["unit"] == "Z").all()
    np.testing.assert_allclose(org["weight"], 0.1)
    np.testing.assert_allclose(org.geometry.x, np.arange(10) * 100 + 50)
    assert len(origins_for_units(zone, min_area=200_000)) == 1  # small unit: one point


def test_service_share_within_half_the_zone(long_zone):
    graph, zone, shop = long_zone
    share = service_share_within(zone, shop, graph, distances=(510, 1010, 99))
    assert share.columns.tolist() == ["share_within_retail_510m", "share_within_retail_1010m",
                                      "share_within_retail_99m"]
    np.testing.assert_allclose(share.iloc[0], [0.5, 1.0, 0.0], atol=1e-9)


@pytest.mark.parametrize(("served_share", "dist", "grade"),
                         [(0.5, 500.0, "within"), (0.6, 600.0, "beyond")],
                         ids=["median", "60-percent"])
def test_graded_gaps_many_origins(long_zone, served_share, dist, grade):
    graph, zone, shop = long_zone
    std = {"retail": 510}
    one = graded_service_gaps(zone, shop, graph, categories=["retail"], standards=std)
    assert one.loc["Z", "net_dist_retail"] == pytest.approx(550.0)  # one interior point
    assert one.loc["Z", "gap_severity_retail"] == "beyond"  # the zone "lacks" the shop
    assert one.loc["Z", "share_within_retail"] == 0.0
    gaps = graded_service_gaps(zone, shop, graph, categories=["retail"], standards=std,
                               origins=origins_for_units(zone), served_share=served_share)
    # the distance within which `served_share` of the zone's area lies
    assert gaps.loc["Z", "net_dist_retail"] == pytest.approx(dist)
    assert gaps.loc["Z", "share_within_retail"] == pytest.approx(0.5)
    assert gaps.loc["Z", "gap_severity_retail"] == grade
    assert gaps.loc["Z", "n_origins"] == 10


def test_service_standards_reuse_life_circles():
    table = service_standards()
    assert table.loc["education", "threshold_m"] == 500.0  # primary school, 10-minute level
    assert table.loc["healthcare", "threshold_m"] == 1000.0
    assert table.loc["transit", "threshold_m"] == 500.0
    assert table.loc["education", "life_circle"] == "10min"
    assert service_standards(walk_speed=60).loc["education", "threshold_m"] == 600.0
    assert service_standards(overrides={"transit": 300}).loc["transit", "source"] == "user"


# --------------------------------------------------------------------------- per-category cells


def test_service_gaps_per_category_thresholds(units):
    # retail 1200/300/50/NaN against 1,250 m; healthcare 900/1001/50/10 against 950 m
    gaps = service_gaps(units, categories=["retail", "healthcare"],
                        distance={"retail": 1250, "healthcare": 950})
    # cell 0: healthcare 900 within, retail 1200 within -> no gap; cell 1: healthcare 1001;
    # cell 3: retail unreachable
    assert gaps.index.tolist() == [3, 1]
    assert gaps["missing"].tolist() == ["retail", "healthcare"]
    assert (gaps["absent"] == "").all()


@pytest.mark.parametrize(("count_absent", "cells", "n_missing", "score"),
                         [(False, [0], [1], [1.0]), (True, [0, 3, 1], [2, 1, 1], [1.0, 0.5, 0.5])],
                         ids=["absent-not-counted", "absent-counted"])
def test_service_gaps_absent_categories(units, count_absent, cells, n_missing, score):
    # healthcare absent from the data (NaN everywhere): only retail (1,000 m) counts, so
    # only cell 0 (1,200 m) has a gap; counted, every industrial cell lacks healthcare too
    # (cell 2 is not industrial), ranked by n_missing then industrial share 0.5 > 0.2
    u = units.assign(net_dist_healthcare=np.nan, net_dist_retail=[1200.0, 300.0, 50.0, 20.0])
    gaps = service_gaps(u, categories=["retail", "healthcare"], distance=1000,
                        absent=["healthcare"], count_absent=count_absent)
    assert gaps.index.tolist() == cells
    assert gaps["n_missing"].tolist() == n_missing
    assert gaps["gap_score"].tolist() == pytest.approx(score)
    assert gaps["gap_healthcare"].tolist() == [count_absent] * len(cells)
    assert (gaps["absent"] == "healthcare").all()


def test_service_gaps_mapping_needs_every_category(units):
    with pytest.raises(InputError, match=r"no threshold for categories \['healthcare'\]"):
        service_gaps(units, categories=["retail", "healthcare"], distance={"retail": 500})


def test_graded_gap_table_and_summary(corridor):
    from cityind_gis.gaps import gap_summary

    gaps = _graded(*corridor)
    cats = [*GRADED, "education"]
    table = gap_table(gaps, categories=cats)
    assert len(table) == 10  # the belt only
    assert table["地块 parcel"].tolist()[:5] == gaps.index[:5].tolist()
    assert set(table["等级-购物服务 grade retail"]) == {"超出 beyond", "远超 far beyond"}
    assert (table["数据缺失 absent from data"] == "education").all()
    assert table["严重度得分 severity score"].tolist() == [7.0] * 5 + [3.0] * 5
    summary = gap_summary(gaps, categories=cats, thresholds={"retail": 500}).set_index("category")
    assert summary.loc["retail", ["within", "beyond", "far_beyond", "beyond_search", "absent",
                                  "n_gaps"]].tolist() == [15, 5, 5, 0, 0, 10]
    assert summary.loc["healthcare", ["within", "beyond", "n_gaps"]].tolist() == [20, 5, 5]
    assert summary.loc["education", ["absent", "n_gaps"]].tolist() == [25, 0]
    assert summary.loc["retail", "workers_with_gap"] == pytest.approx(10 * 40)
    assert summary.loc["retail", "threshold_m"] == 500.0
    assert np.isnan(summary.loc["food", "threshold_m"])
    assert summary.loc["retail", "gap_share_pct"] == pytest.approx(40.0)
