"""Tests of cityind_gis.siting: greedy maximal covering against brute force and by hand."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import sparse

from cityind_gis._errors import InputError
from cityind_gis.network import graph_from_edges
from cityind_gis.siting import (
    GREEDY_BOUND,
    _greedy_max_cover,
    candidate_points,
    candidate_sites,
    maximal_covering,
)

UTM = "EPSG:32650"


def _brute_force(cover: np.ndarray, weight: np.ndarray, k: int) -> float:
    return max(
        weight[cover[list(c)].any(axis=0)].sum()
        for c in itertools.combinations(range(cover.shape[0]), k)
    )


def test_greedy_can_miss_the_optimum_but_not_by_more_than_the_bound():
    """Universe 1..6: big = {2,3,4,5}, left = {1,2,3}, right = {4,5,6}; k = 2.

    Greedy takes big (4), then one more (5); the optimum left + right covers 6.
    """
    cover = np.array([[0, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]], dtype=float)
    picks, gains, covered = _greedy_max_cover(sparse.csr_matrix(cover), np.ones(6), 2)
    assert picks == [0, 1]
    assert gains == [4.0, 1.0]
    assert _brute_force(cover.astype(bool), np.ones(6), 2) == 6.0
    assert sum(gains) >= GREEDY_BOUND * 6.0


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4], ids=lambda s: f"seed{s}")
def test_greedy_within_bound_of_brute_force(seed):
    rng = np.random.default_rng(seed)
    cover = rng.random((9, 14)) < 0.3
    weight = rng.integers(1, 50, 14).astype(float)
    _, gains, covered = _greedy_max_cover(sparse.csr_matrix(cover.astype(float)), weight, 3)
    best = _brute_force(cover, weight, 3)
    assert sum(gains) == pytest.approx(weight[covered].sum())
    assert best >= sum(gains) >= GREEDY_BOUND * best


@pytest.fixture
def line():
    """A (0,0) --1000-- B (1000,0) --1000-- C (2000,0).

    Demand at x = 0 (10 workers), 200 (5), 1800 (20); candidates at x = 100, 1000, 1900.
    Within 300 m: site 100 covers 0 and 200 (15 workers); site 1900 covers 1800 (20);
    site 1000 covers nothing.
    """
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1000, 2000], [0, 0, 0]), crs=UTM)
    graph = graph_from_edges(nodes, pd.DataFrame({"u": [0, 1], "v": [1, 2],
                                                  "length": [1000.0, 1000.0]}))
    demand = gpd.GeoDataFrame({"workers": [10.0, 5.0, 20.0], "gap_food": [True, True, True],
                               "gap_retail": [False, False, True]},
                              geometry=gpd.points_from_xy([0, 200, 1800], [0, 0, 0]),
                              index=["d0", "d1", "d2"], crs=UTM)
    sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy([100, 1000, 1900], [0, 0, 0]),
                             index=["s100", "s1000", "s1900"], crs=UTM)
    return graph, demand, sites


@pytest.mark.parametrize(("k", "chosen"), [(1, ["s1900"]), (3, ["s1900", "s100"])],
                         ids=["k1", "k3-stops-early"])  # fmt: skip
def test_maximal_covering_known_answer(line, k, chosen):
    graph, demand, sites = line
    out = maximal_covering(demand, sites, graph, distance=300, k=k, weight_column="workers")
    assert out.index.tolist() == chosen
    np.testing.assert_allclose(out["covered_weight"], [20.0, 15.0][: len(chosen)])
    np.testing.assert_allclose(out["cumulative_share"], [20 / 35, 1.0][: len(chosen)])
    assert out["covered_demand"].tolist() == [1, 2][: len(chosen)]


def test_candidate_sites_per_category(line):
    graph, demand, sites = line
    out = candidate_sites(demand, sites, graph, categories=["food", "retail"], distance=300, k=2)
    assert out[["category", "site_id", "pick"]].values.tolist() == [
        ["food", "s1900", 1], ["food", "s100", 2], ["retail", "s1900", 1]
    ]  # fmt: skip
    assert out.loc[2, "underserved_weight"] == 20.0
    assert out.loc[0, "category_zh"] == "餐饮服务"


def test_candidate_points_skip_industrial_land(line):
    graph, _, _ = line
    landuse = gpd.GeoDataFrame({"class": ["industrial", "residential"]},
                               geometry=[shapely.box(-50, -50, 50, 50),
                                         shapely.box(950, -50, 1050, 50)], crs=UTM)
    pts = candidate_points(graph, landuse)
    assert pts["node"].tolist() == [1, 2]


@pytest.mark.parametrize(("kwargs", "match"), [({"k": 0}, "`k`"), ({"distance": -1}, "distance")],
                         ids=["k", "distance"])  # fmt: skip
def test_maximal_covering_errors(line, kwargs, match):
    graph, demand, sites = line
    args = {"distance": 300, "k": 2, **kwargs}
    with pytest.raises(InputError, match=match):
        maximal_covering(demand, sites, graph, **args)


def test_candidate_sites_per_category_distance():
    """Each category's sites cover within its own threshold (the service standards)."""
    import geopandas as gpd
    import pandas as pd

    from cityind_gis.network import graph_from_edges
    from cityind_gis.siting import candidate_sites

    crs = "EPSG:32650"
    # street 0 -- 1 -- 2 -- 3 (x 0, 400, 800, 1200); one parcel at node 0 lacks retail and
    # healthcare; candidates at nodes 1..3: node 1 is 400 m away, node 2 800 m
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 400, 800, 1200], [0] * 4), crs=crs)
    g = graph_from_edges(nodes, pd.DataFrame({"u": [0, 1, 2], "v": [1, 2, 3],
                                              "length": 400.0}))
    gaps = gpd.GeoDataFrame({"workers": [10.0], "gap_retail": [True], "gap_healthcare": [True]},
                            geometry=gpd.points_from_xy([0], [0]), crs=crs)
    cands = gpd.GeoDataFrame(geometry=gpd.points_from_xy([400, 800], [0, 0]), crs=crs,
                             index=pd.Index([1, 2], name="node_id"))
    sites = candidate_sites(gaps, cands, g, categories=["retail", "healthcare"],
                            distance={"retail": 300, "healthcare": 1000}, k=1)
    # retail within 300 m: no candidate helps; healthcare within 1,000 m: node 1 (lowest)
    assert sites["category"].tolist() == ["healthcare"]
    assert sites["site_id"].tolist() == ["1"]
    assert sites["distance_m"].tolist() == [1000.0]
