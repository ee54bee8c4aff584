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
