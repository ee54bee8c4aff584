"""Tests of cityind_gis.spatial_stats: equal to esda on the same weights, and obvious clusters."""

from __future__ import annotations

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.stats
import shapely
from libpysal.graph import Graph

from cityind_gis._errors import CRSError, InputError, SchemaError
from cityind_gis.spatial_stats import getis_ord, global_moran, local_moran, spatial_weights
from cityind_gis.units import make_grid

UTM50 = "EPSG:32650"


@pytest.fixture
def halves() -> gpd.GeoDataFrame:
    """A 6 x 6 lattice of 100 m cells: D = 1 in columns 0-2 (west), 0 in columns 3-5 (east).

    ::

        col  0 1 2 | 3 4 5
             H H H | L L L      every row alike
    """
    grid = make_grid((0, 0, 600, 600), cell_size=100, crs=UTM50)
    return grid.assign(D=np.where(grid["col"] < 3, 1.0, 0.0))


@pytest.fixture
def noisy() -> gpd.GeoDataFrame:
    """A 7 x 7 lattice with a smooth gradient plus seeded noise, on a shuffled string index."""
    grid = make_grid((0, 0, 700, 700), cell_size=100, crs=UTM50)
    rng = np.random.default_rng(42)
    d = 0.1 * grid["col"] + 0.05 * grid["row"] + rng.uniform(0, 0.3, len(grid))
    grid = grid.assign(D=d.to_numpy())
    grid.index = pd.Index([f"c{i:02d}" for i in range(len(grid))], name="cell")
    return grid.iloc[rng.permutation(len(grid))]


# ---------------------------------------------------------------------- weights


@pytest.mark.parametrize(
    ("method", "kwargs", "neighbours_of_centre", "neighbours_of_corner"),
    [
        # 3 x 3 grid: the centre touches 8 cells by a vertex, 4 by an edge
        ("queen", {}, 8, 3),
        ("rook", {}, 4, 2),
        ("knn", {"k": 2}, 2, 2),
        # centroids 100 m apart on the axes, 141 m on the diagonals
        ("distance", {"distance": 101.0}, 4, 2),
        ("distance", {"distance": 150.0}, 8, 3),
    ],
    ids=["queen", "rook", "knn", "distance-100", "distance-150"],
)
def test_spatial_weights_cardinalities(method, kwargs, neighbours_of_centre, neighbours_of_corner):
    grid = make_grid((0, 0, 300, 300), cell_size=100, crs=UTM50)
    graph = spatial_weights(grid, method=method, **kwargs)
    centre = grid.index[(grid["row"] == 1) & (grid["col"] == 1)][0]
    corner = grid.index[(grid["row"] == 0) & (grid["col"] == 0)][0]
    assert set(graph.unique_ids) == set(grid.index)
    assert graph.cardinalities[centre] == neighbours_of_centre
    assert graph.cardinalities[corner] == neighbours_of_corner


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "delaunay"}, InputError, r"`method` must be one of \['queen', 'rook'"),
        ({"method": "queen", "k": 4}, InputError, "`k` goes with method='knn' only"),
        ({"method": "knn", "distance": 100}, InputError, "`distance` goes with method='distance'"),
        ({"method": "distance"}, InputError, "`distance` must be a positive number of metres"),
        ({"method": "knn", "k": 9}, InputError, r"`k` must be an integer from 1 to .* \(8\)"),
    ],
    ids=["unknown", "k-with-queen", "distance-with-knn", "no-distance", "k-too-large"],
)
def test_spatial_weights_errors(kwargs, error, match):
    grid = make_grid((0, 0, 300, 300), cell_size=100, crs=UTM50)
    with pytest.raises(error, match=match):
        spatial_weights(grid, **kwargs)


def test_spatial_weights_geographic_crs_refused_for_knn():
    grid = make_grid((0, 0, 300, 300), cell_size=100, crs=UTM50).to_crs(4326)
    with pytest.raises(CRSError, match="geographic CRS"):
        spatial_weights(grid, method="knn", k=2)


# ------------------------------------------------------------------ equal to esda


def test_global_moran_equals_esda(noisy):
    graph = spatial_weights(noisy, method="queen")
    result = global_moran(noisy, "D", weights=graph, permutations=499, seed=7)
    y = noisy["D"].reindex(graph.unique_ids).to_numpy()
    # esda.Moran permutes with numpy's global generator: seed it the legacy way, as the code does.
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(7)  # noqa: NPY002
    expected = esda.Moran(y, graph, transformation="r", permutations=499)
    np.random.set_state(state)  # noqa: NPY002
    assert result["I"] == pytest.approx(expected.I, rel=1e-12)
    assert result["expected_I"] == pytest.approx(-1 / 48)
    assert (result["z_norm"], result["p_norm"]) == pytest.approx(
        (expected.z_norm, expected.p_norm), rel=1e-12)
    assert (result["z_sim"], result["p_sim"]) == pytest.approx(
        (expected.z_sim, expected.p_sim), rel=1e-12)
    assert (result["n"], result["n_islands"], result["permutations"]) == (49, 0, 499)


def test_global_moran_seed_reproducible_and_global_state_restored(noisy):
    # the global (legacy) generator is the state under test
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    first = global_moran(noisy, "D", weights="rook", permutations=99, seed=3)
    second = global_moran(noisy, "D", weights="rook", permutations=99, seed=3)
    pd.testing.assert_series_equal(first, second)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def _anselin(lm):
    """Anselin's I_i (m2 = sum z^2 / n) from esda's Is (m2 = sum z^2 / (n - 1))."""
    return lm.Is * lm.n / (lm.n - 1)


def _expected_lisa(lm, ids, p, alpha, index):
    quadrant = pd.Series(lm.q, index=ids).map({1: "HH", 2: "LH", 3: "LL", 4: "HL"})
    p = pd.Series(p, index=ids)
    return pd.DataFrame({
        "lisa_i": pd.Series(_anselin(lm), index=ids),
        "lisa_p": p,
        "lisa_quadrant": quadrant.astype(object),
        "lisa_cluster": quadrant.where(p <= alpha, "ns").astype(object),
    }).reindex(index)


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [("queen", {}), ("rook", {}), ("knn", {"k": 4}), ("distance", {"distance": 150.0})],
    ids=["queen", "rook", "knn", "distance"],
)
def test_local_moran_analytical_equals_esda(noisy, method, kwargs):
    # permutations=0: p = 1 - Phi(|I_i - EIc_i| / sqrt(VIc_i)) from esda's moments, which esda
    # derives for m2 = sum z^2 / n: the scaling of Anselin's I_i, not of esda's Is
    graph = spatial_weights(noisy, method=method, **kwargs)
    result = local_moran(noisy, "D", weights=graph, permutations=0, alpha=0.05)
    y = noisy["D"].reindex(graph.unique_ids).to_numpy()
    lm = esda.Moran_Local(y, graph, transformation="r", permutations=0)
    p = scipy.stats.norm.sf(np.abs((_anselin(lm) - lm.EIc) / np.sqrt(lm.VIc)))
    expected = _expected_lisa(lm, graph.unique_ids, p, 0.05, noisy.index)
    pd.testing.assert_frame_equal(result, expected, check_names=False, rtol=1e-12)
    assert result.index.equals(noisy.index)


def test_lisa_is_anselins_by_hand(noisy):
    # I_i = z_i / m2 * sum_j w_ij z_j with m2 = sum z^2 / n, row-standardised
    # queen weights built here from the cells' row/col; mean of I_i = global Moran's I
    result = local_moran(noisy, "D", weights="queen", permutations=0)
    z = noisy["D"] - noisy["D"].mean()
    m2 = (z**2).sum() / len(z)
    rc = noisy[["row", "col"]].to_numpy()
    near = (np.abs(rc[:, None, :] - rc[None, :, :]).max(axis=2) == 1).astype(float)
    lag = (near / near.sum(axis=1, keepdims=True)) @ z.to_numpy()
    expected = z.to_numpy() / m2 * lag
    np.testing.assert_allclose(result["lisa_i"], expected, rtol=1e-12)
    moran = global_moran(noisy, "D", weights="queen", permutations=9)
    assert result["lisa_i"].mean() == pytest.approx(moran["I"], rel=1e-12)


@pytest.mark.parametrize(("two_sided", "factor"), [(True, 2.0), (False, 1.0)],
                         ids=["two-sided-default", "one-sided"])
def test_getis_ord_analytical_equals_esda(noisy, two_sided, factor):
    # esda's p_norm is one-sided, 1 - Phi(|z|); the default two-sided p is 2 (1 - Phi(|z|))
    graph = spatial_weights(noisy, method="knn", k=5)
    result = getis_ord(noisy, "D", weights=graph, permutations=0, alpha=0.1, two_sided=two_sided)
    y = noisy["D"].reindex(graph.unique_ids).to_numpy()
    g = esda.G_Local(y, graph.assign_self_weight(1.0), transform="B", star=None,
                     permutations=0)
    z = pd.Series(g.Zs, index=graph.unique_ids).reindex(noisy.index)
    p = factor * pd.Series(g.p_norm, index=graph.unique_ids).reindex(noisy.index)
    np.testing.assert_allclose(p, factor * scipy.stats.norm.sf(np.abs(z)), rtol=1e-12)
    np.testing.assert_allclose(result["gi_z"], z, rtol=1e-12)
    np.testing.assert_allclose(result["gi_p"], p, rtol=1e-12)
    expected_cls = np.where(p <= 0.1, np.where(z > 0, "hot spot", "cold spot"), "ns")
    assert result["gi_class"].tolist() == expected_cls.tolist()


@pytest.mark.slow  # esda's numba permutation engine compiles on first use (tens of seconds)
def test_local_statistics_permutation_inference_equal_esda(noisy):
    graph = spatial_weights(noisy, method="queen")
    ids = graph.unique_ids
    y = noisy["D"].reindex(ids).to_numpy()
    result = local_moran(noisy, "D", weights=graph, permutations=199, alpha=0.05, seed=11)
    lm = esda.Moran_Local(y, graph, transformation="r", permutations=199, seed=11, n_jobs=1)
    expected = _expected_lisa(lm, ids, lm.p_sim, 0.05, noisy.index)
    pd.testing.assert_frame_equal(result, expected, check_names=False, rtol=1e-12)
    gi = getis_ord(noisy, "D", weights=graph, permutations=199, alpha=0.05, seed=5)
    g = esda.G_Local(y, graph.assign_self_weight(1.0), transform="B", star=None,
                     permutations=199, seed=5, n_jobs=1)
    np.testing.assert_allclose(gi["gi_z"], pd.Series(g.Zs, index=ids).reindex(noisy.index))
    two_sided = np.minimum(1.0, 2.0 * pd.Series(g.p_sim, index=ids).reindex(noisy.index))
    np.testing.assert_allclose(gi["gi_p"], two_sided)
    # the obvious clusters of the halves lattice hold under permutation inference too


# ------------------------------------------------------------- obvious clusters


def test_halves_global_moran_strongly_positive(halves):
    # queen weights: most cells see only their own half, so I is large and positive
    result = global_moran(halves, "D", permutations=999, seed=0)
    assert result["I"] > 0.6
    assert result["p_sim"] == pytest.approx(0.001)


@pytest.mark.parametrize("permutations", [0], ids=["analytical"])
def test_halves_lisa_quadrants_and_clusters(halves, permutations):
    result = local_moran(halves, "D", permutations=permutations, seed=0)
    west = halves["col"] < 3
    # every west cell is high with a high-leaning neighbourhood, every east cell low/low
    assert result.loc[west, "lisa_quadrant"].eq("HH").all()
    assert result.loc[~west, "lisa_quadrant"].eq("LL").all()
    # cells of columns 0-1 and 4-5 away from the corners see only their own half, with 5 or 8
    # neighbours all alike (as a permutation p: C(17,5)/C(35,5) = 0.019, C(17,8)/C(35,8) = 0.001)
    inner = halves["row"].between(1, 4)
    assert result.loc[inner & halves["col"].isin([0, 1]), "lisa_cluster"].eq("HH").all()
    assert result.loc[inner & halves["col"].isin([4, 5]), "lisa_cluster"].eq("LL").all()


@pytest.mark.parametrize("permutations", [0], ids=["analytical"])
def test_halves_getis_ord_hot_and_cold(halves, permutations):
    result = getis_ord(halves, "D", permutations=permutations, seed=0)
    inner = halves["row"].between(1, 4)
    assert result.loc[inner & halves["col"].isin([0, 1]), "gi_class"].eq("hot spot").all()
    assert result.loc[inner & halves["col"].isin([4, 5]), "gi_class"].eq("cold spot").all()
    assert (result.loc[halves["col"] < 3, "gi_z"] > 0).all()


# ------------------------------------------------------------------------ islands


@pytest.fixture
def with_island(halves) -> gpd.GeoDataFrame:
    far = gpd.GeoDataFrame({"row": [9], "col": [9], "D": [0.5], "cell_area_m2": [1e4]},
                           geometry=[shapely.box(5000, 5000, 5100, 5100)], crs=UTM50,
                           index=pd.Index([999], name=halves.index.name))
    return pd.concat([halves, far])


def test_islands_warned_and_labelled(with_island):
    with pytest.warns(UserWarning, match=r"1 of 37 unit\(s\) have no neighbour under queen"):
        graph = spatial_weights(with_island)
    moran = global_moran(with_island, "D", weights=graph, permutations=99)
    assert (moran["n"], moran["n_islands"]) == (36, 1)
    lisa = local_moran(with_island, "D", weights=graph, permutations=0)
    assert lisa.loc[999, "lisa_cluster"] == "island" and np.isnan(lisa.loc[999, "lisa_i"])
    gi = getis_ord(with_island, "D", weights=graph, permutations=0)
    assert gi.loc[999, "gi_class"] == "island" and np.isnan(gi.loc[999, "gi_z"])
    # leaving the island out gives the same statistics as on the lattice alone
    alone = global_moran(with_island.drop(index=999), "D", permutations=99)
    assert moran["I"] == pytest.approx(alone["I"], rel=1e-12)


# ------------------------------------------------------- units outside the analysis domain


@pytest.fixture
def with_outside(noisy) -> gpd.GeoDataFrame:
    """``noisy`` with D missing (outside the domain) in the 7 cells of row 6 (the top row)."""
    return noisy.assign(D=noisy["D"].where(noisy["row"] != 6))


@pytest.mark.parametrize("weights", ["name", "graph-all-units"], ids=["name", "graph"])
def test_units_outside_domain_left_out(with_outside, weights):
    # NaN units are dropped before the weights: the statistics equal those of the 42 cells alone
    inside = with_outside[with_outside["row"] != 6]
    w = "queen" if weights == "name" else spatial_weights(with_outside)
    moran = global_moran(with_outside, "D", weights=w, permutations=99)
    alone = global_moran(inside, "D", weights="queen", permutations=99)
    assert (moran["n"], moran["n_missing"], moran["n_islands"]) == (42, 7, 0)
    assert moran["I"] == pytest.approx(alone["I"], rel=1e-12)
    lisa = local_moran(with_outside, "D", weights=w, permutations=0)
    lisa_alone = local_moran(inside, "D", permutations=0)
    pd.testing.assert_frame_equal(lisa.loc[inside.index], lisa_alone, rtol=1e-12)
    top = with_outside["row"] == 6
    assert lisa.loc[top, "lisa_i"].isna().all() and lisa.loc[top, "lisa_p"].isna().all()
    assert lisa.loc[top, "lisa_cluster"].map(lambda v: v is None).all()
    assert lisa.loc[top, "lisa_quadrant"].map(lambda v: v is None).all()
    gi = getis_ord(with_outside, "D", weights=w, permutations=0)
    pd.testing.assert_frame_equal(gi.loc[inside.index],
                                  getis_ord(inside, "D", permutations=0), rtol=1e-12)
    assert gi.loc[top, "gi_z"].isna().all()
    assert gi.loc[top, "gi_class"].map(lambda v: v is None).all()
    assert lisa.index.equals(with_outside.index) and gi.index.equals(with_outside.index)


def test_unit_whose_neighbours_are_all_outside_is_an_island(halves):
    # cell (0, 0) keeps D; its 3 queen neighbours (0, 1), (1, 0), (1, 1) are outside the domain
    out = (halves["row"] + halves["col"]).between(1, 2) & (halves[["row", "col"]].max(axis=1) <= 1)
    units = halves.assign(D=halves["D"].where(~out))
    corner = halves.index[(halves["row"] == 0) & (halves["col"] == 0)][0]
    moran = global_moran(units, "D", weights=spatial_weights(halves), permutations=9)
    assert (moran["n_missing"], moran["n_islands"], moran["n"]) == (3, 1, 32)
    lisa = local_moran(units, "D", weights=spatial_weights(halves), permutations=0)
    assert lisa.loc[corner, "lisa_cluster"] == "island"


# ------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("update", "kwargs", "error", "match"),
    [
        ({"D": np.nan}, {}, SchemaError, r"a value in 0 unit\(s\) \(36 NaN"),
        ({"D": np.inf}, {}, SchemaError, r"36 infinite value\(s\)"),
        ({"D": 0.4}, {}, SchemaError, r"is constant \(0\.4\)"),
        ({}, {"column": "E"}, SchemaError, "E"),
        ({}, {"permutations": 0}, InputError, "`permutations` must be a positive integer"),
        ({}, {"seed": 1.5}, InputError, "`seed` must be an integer or None"),
        ({}, {"weights": "queen", "k": 3}, InputError, "`k` goes with method='knn' only"),
        ({}, {"weights": 5}, InputError, "method name .* or a libpysal.graph.Graph"),
    ],
    ids=["all-nan", "infinite", "constant", "missing-column", "permutations", "seed",
         "k-with-queen", "weights-type"],
)
def test_global_moran_errors(halves, update, kwargs, error, match):
    kwargs = {"column": "D", **kwargs}
    with pytest.raises(error, match=match):
        global_moran(halves.assign(**update), **kwargs)


def test_graph_with_other_ids_refused(halves):
    graph = Graph.build_contiguity(halves.iloc[:30], rook=False)
    with pytest.raises(InputError, match=r"6 unit\(s\) with a value are not in the graph"):
        local_moran(halves, "D", weights=graph, permutations=0)


@pytest.mark.parametrize("alpha", [0, 1, 1.5, True], ids=["zero", "one", "above", "bool"])
def test_alpha_checked(halves, alpha):
    with pytest.raises(InputError, match="`alpha` must be a significance level"):
        getis_ord(halves, "D", alpha=alpha, permutations=0)


@pytest.mark.parametrize(
    "call",
    [
        lambda g: global_moran(g, "D", permutations=9),
        lambda g: local_moran(g, "D", permutations=0),
        lambda g: getis_ord(g, "D", permutations=0),
        lambda g: spatial_weights(g, method="knn", k=3),
    ],
    ids=["moran", "lisa", "gi", "weights"],
)
def test_inputs_not_mutated(noisy, call):
    before = noisy.copy()
    call(noisy)
    pd.testing.assert_frame_equal(noisy, before)


# ------------------------------------------------------------------ pipeline and config


def _town_config(tmp_path, section=""):
    from cityind_gis.testing import write_three_cell_town

    cfg = write_three_cell_town(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8") + section, encoding="utf-8")
    return cfg


def test_pipeline_spatial_statistics_of_d(tmp_path):
    from cityind_gis.config import load_config
    from cityind_gis.workflow import run

    cfg = load_config(_town_config(tmp_path, "\n[spatial_stats]\npermutations = 99\nseed = 3\n"))
    res = run(cfg)
    grid = res.grid
    # D = (0, .707, 0) on three cells in a row: the high cell between two low ones
    expected = global_moran(grid, "D", weights="queen", permutations=99, seed=3)
    params = res.parameters.iloc[0]
    assert params["moran_i"] == pytest.approx(expected["I"], abs=1e-6)
    assert params["moran_p_sim"] == expected["p_sim"]
    # local statistics: conditional permutation inference by default (999, Anselin 1995),
    # seeded by [spatial_stats] seed; Gi* two-sided by default
    assert (params["local_permutations"], params["gi_two_sided"]) == (999, True)
    lisa = local_moran(grid, "D", permutations=999, seed=3)
    assert grid["lisa_cluster"].tolist() == lisa["lisa_cluster"].tolist()
    np.testing.assert_allclose(grid["lisa_p"], lisa["lisa_p"])
    gi = getis_ord(grid, "D", permutations=999, seed=3)
    np.testing.assert_allclose(grid["gi_p"], gi["gi_p"])
    one = getis_ord(grid, "D", permutations=999, seed=3, two_sided=False)
    np.testing.assert_allclose(grid["gi_p"], np.minimum(1.0, 2 * one["gi_p"]))
    assert {"lisa_cluster", "lisa_i", "lisa_p", "gi_z", "gi_p", "gi_class"} <= set(grid.columns)


def test_pipeline_gi_one_sided_on_request(tmp_path):
    from cityind_gis.config import load_config
    from cityind_gis.workflow import run

    cfg = load_config(_town_config(
        tmp_path, "\n[spatial_stats]\nlocal_permutations = 0\ngi_two_sided = false\n"))
    res = run(cfg)
    one = getis_ord(res.grid, "D", permutations=0, two_sided=False)
    np.testing.assert_allclose(res.grid["gi_p"], one["gi_p"])
    assert not res.params["gi_two_sided"]


def test_pipeline_spatial_statistics_disabled(tmp_path):
    from cityind_gis.config import load_config
    from cityind_gis.workflow import run

    res = run(load_config(_town_config(tmp_path, "\n[spatial_stats]\nenabled = false\n")))
    assert "lisa_cluster" not in res.grid.columns
    assert "moran_i" not in res.parameters.columns


@pytest.mark.parametrize(
    ("section", "match"),
    [
        ('weights = "delaunay"', r"`\[spatial_stats\] weights` must be 'queen', 'rook'"),
        ("k = 0", r"`\[spatial_stats\] k` must be an integer >= 1"),
        ("alpha = 1.5", r"`\[spatial_stats\] alpha` must be a number between 0 and 1"),
        ("local_permutations = -1", r"`\[spatial_stats\] local_permutations` must be an integer"),
        ("radius = 3", r"unknown key\(s\) \['radius'\]"),
    ],
    ids=["weights", "k", "alpha", "local-permutations", "unknown-key"],
)
def test_config_spatial_stats_errors(tmp_path, section, match):
    from cityind_gis.config import load_config

    with pytest.raises(InputError, match=match):
        load_config(_town_config(tmp_path, f"\n[spatial_stats]\n{section}\n"))


def test_esda_permutation_kernels_cached_on_disk_except_compute_chunk():
    # the LISA / Gi* kernels load from numba's disk cache in later runs; compute_chunk,
    # which takes the statistic as a function argument, would add a cache entry per
    # process, so it stays uncached
    from esda import crand, getisord, moran
    from numba.core.caching import NullCache

    from cityind_gis.spatial_stats import _esda

    _esda()
    for kernel in (moran._moran_local_crand, getisord._g_local_star_crand,
                   crand.vec_permutations):
        assert not isinstance(kernel._cache, NullCache), kernel
    assert isinstance(crand.compute_chunk._cache, NullCache)
