"""Tests of cityind_gis.network.sfca: 2SFCA and Gaussian 2SFCA worked by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from cityind_gis._errors import InputError, SchemaError
from cityind_gis.network import graph_from_edges
from cityind_gis.network.sfca import gaussian_weight, two_step_fca

CRS = "EPSG:32650"


@pytest.fixture
def line():
    """A (0,0) --1000-- B (1000,0) --1000-- C (2000,0).

    Demand p1 at A (100 people), p2 at x=500 (300), p3 at C (50).
    Supply s1 at x=200 (capacity 8), s2 at x=1800 (capacity 10). Catchment 600 m:
    s1 reaches p1 (200 m) and p2 (300 m); s2 reaches p3 (200 m) only.
    """
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1000, 2000], [0, 0, 0]), crs=CRS)
    graph = graph_from_edges(nodes, pd.DataFrame({"u": [0, 1], "v": [1, 2],
                                                  "length": [1000.0, 1000.0]}))
    demand = gpd.GeoDataFrame({"people": [100, 300, 50]},
                              geometry=gpd.points_from_xy([0, 500, 2000], [0, 0, 0]),
                              index=["p1", "p2", "p3"], crs=CRS)
    supply = gpd.GeoDataFrame({"beds": [8, 10]}, geometry=gpd.points_from_xy([200, 1800], [0, 0]),
                              crs=CRS)
    return graph, demand, supply


def test_binary_known_answer(line):
    graph, demand, supply = line
    a = two_step_fca(demand, supply, graph, d0=600, demand_column="people",
                     capacity_column="beds")
    # R1 = 8 / (100 + 300) = 0.02; R2 = 10 / 50 = 0.2
    pd.testing.assert_series_equal(
        a, pd.Series([0.02, 0.02, 0.2], index=demand.index, name="sfca_binary"), atol=1e-12
    )
    assert (a * demand["people"]).sum() == pytest.approx(18.0)  # capacity conserved


def test_gaussian_known_answer(line):
    graph, demand, supply = line
    a = two_step_fca(demand, supply, graph, d0=600, demand_column="people",
                     capacity_column="beds", kernel="gaussian")
    e = np.exp(-0.5)
    g200 = (np.exp(-0.5 * (200 / 600) ** 2) - e) / (1 - e)
    g300 = (np.exp(-0.5 * (300 / 600) ** 2) - e) / (1 - e)
    r1 = 8 / (g200 * 100 + g300 * 300)
    np.testing.assert_allclose(a, [g200 * r1, g300 * r1, 0.2], rtol=1e-12)


@pytest.mark.parametrize(("d", "w"), [(0.0, 1.0), (600.0, 0.0), (900.0, 0.0)],
                         ids=["zero", "at-d0", "beyond"])  # fmt: skip
def test_gaussian_weight_ends(d, w):
    assert gaussian_weight(np.array([d]), 600.0)[0] == pytest.approx(w, abs=1e-12)


def test_nothing_in_reach(line):
    graph, demand, supply = line
    a = two_step_fca(demand, supply, graph, d0=100, demand_column="people",
                     capacity_column="beds")
    assert a.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"d0": 0}, InputError, "`d0`"), ({"kernel": "linear"}, InputError, "`kernel`"),
     ({"demand_column": "workers"}, SchemaError, "workers")],
    ids=["d0", "kernel", "column"],
)  # fmt: skip
def test_errors(line, kwargs, error, match):
    graph, demand, supply = line
    args = {"d0": 600, "demand_column": "people", "capacity_column": "beds", **kwargs}
    with pytest.raises(error, match=match):
        two_step_fca(demand, supply, graph, **args)


def test_negative_capacity(line):
    graph, demand, supply = line
    with pytest.raises(SchemaError, match="negative"):
        two_step_fca(demand, supply.assign(beds=[-1, 2]), graph, d0=600,
                     demand_column="people", capacity_column="beds")


@pytest.mark.parametrize(("component", "access"), [("largest", 0.04), ("any", 0.0)],
                         ids=["largest-rejoins", "any-keeps-fragment"])
def test_demand_beside_a_fragment_joins_the_main_network(component, access):
    """A street (0, 0) -- (1000, 0) and a 10 m fragment (600, 40) -- (610, 40).

    Demand d (100 people) at (600, 30) is 10 m from the fragment, 30 m from the
    street; e (25) at (100, 0) on the street; 5 beds at (0, 0), catchment 1,000 m.
    "largest": d rejoins the street, 30 + 600 = 630 m, so R = 5 / 125 = 0.04 and
    both read 0.04. "any": d stays on the fragment and reaches nothing (0), and
    e alone shares the beds: 5 / 25 = 0.2.
    """
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1000, 600, 610], [0, 0, 40, 40]),
                             crs=CRS)
    graph = graph_from_edges(nodes, pd.DataFrame({"u": [0, 2], "v": [1, 3],
                                                  "length": [1000.0, 10.0]}))
    demand = gpd.GeoDataFrame({"people": [100, 25]},
                              geometry=gpd.points_from_xy([600, 100], [30, 0]),
                              index=["d", "e"], crs=CRS)
    supply = gpd.GeoDataFrame({"beds": [5]}, geometry=gpd.points_from_xy([0], [0]), crs=CRS)
    kwargs = {"d0": 1000, "demand_column": "people", "capacity_column": "beds",
              "component": component}
    if component == "largest":
        with pytest.warns(UserWarning, match=r"1 of 2 feature\(s\) of `demand` lie nearest"):
            a = two_step_fca(demand, supply, graph, **kwargs)
    else:
        a = two_step_fca(demand, supply, graph, **kwargs)
    assert a["d"] == pytest.approx(access)
    # e (100 m) is always served: R = 5 / (25 + 100) = 0.04 with d, 5 / 25 = 0.2 without
    assert a["e"] == pytest.approx(0.04 if component == "largest" else 0.2)


def test_component_is_checked(line):
    graph, demand, supply = line
    with pytest.raises(InputError, match="`component` must be one of"):
        two_step_fca(demand, supply, graph, d0=600, demand_column="people",
                     capacity_column="beds", component="biggest")
