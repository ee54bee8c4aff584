"""Spatial statistics of a measure (usually the coordination degree D) over units.

Thin wrappers over :mod:`esda` with a :class:`libpysal.graph.Graph`: nothing is
reimplemented. The wrappers build the spatial weights, report islands, align
every result on the index of the units and turn esda's arrays into labelled
pandas objects:

* :func:`spatial_weights` -- queen or rook contiguity, k nearest neighbours or a
  distance band, as a binary ``Graph`` keyed by the units' index;
* :func:`global_moran` -- Moran's I with permutation inference (``esda.Moran``);
* :func:`local_moran` -- LISA clusters HH / LL / HL / LH (``esda.Moran_Local``);
* :func:`getis_ord` -- Getis-Ord Gi* hot and cold spots (``esda.G_Local``).

Formulas, sources and the handling of islands are in each ``Notes`` section and
in ``docs/spatial_stats.md``.
"""

from __future__ import annotations

import functools
import logging
import numbers
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ._errors import InputError, SchemaError
from ._validate import check_columns, check_crs, check_projected, check_unique_index

if TYPE_CHECKING:  # pragma: no cover
    from libpysal.graph import Graph

__all__ = [
    "WEIGHT_TYPES",
    "getis_ord",
    "global_moran",
    "local_moran",
    "spatial_weights",
]

#: Spatial weight types accepted by :func:`spatial_weights`.
WEIGHT_TYPES: tuple[str, ...] = ("queen", "rook", "knn", "distance")

#: Labels of esda's Moran scatterplot quadrants q = 1..4.
_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
NOT_SIGNIFICANT = "ns"
ISLAND = "island"

log = logging.getLogger(__name__)


def _libpysal_graph() -> type[Graph]:
    try:
        from libpysal.graph import Graph
    except ImportError as exc:  # pragma: no cover - a core dependency
        msg = (
            "Spatial statistics need 'libpysal>=4.10' and 'esda>=2.5'. Install them with "
            "`pip install libpysal esda`."
        )
        raise ImportError(msg) from exc
    return Graph


def _esda() -> Any:
    try:
        import esda
    except ImportError as exc:  # pragma: no cover - a core dependency
        msg = "Spatial statistics need 'esda>=2.5'. Install it with `pip install esda`."
        raise ImportError(msg) from exc
    _cache_esda_kernels()
    return esda


@functools.cache
def _cache_esda_kernels() -> None:
    """Let numba keep esda's compiled permutation kernels on disk between runs.

    esda's conditional randomisation (``esda.crand``) is numba code compiled
    without ``cache=True``: every new process spent about 17 s of a 23 s
    Kouvola run compiling it for LISA and Gi* (measured 2026-12-07, 2 cores).
    With caching on, the first run compiles and stores the kernels (next to
    esda's sources, or in numba's user cache folder when that is read-only;
    ``NUMBA_CACHE_DIR`` overrides) and later runs load them: the Kouvola run
    takes 12 s. ``crand.compute_chunk`` still compiles in every process (about
    5 s; see the comment below). The results do not change: the same machine
    code runs.
    """
    try:
        from esda import crand, getisord, moran
        from numba.core.registry import CPUDispatcher
    except ImportError:  # pragma: no cover - esda without numba runs in pure Python
        return
    # the randomisation engine and the local statistics it is handed (LISA, Gi*)
    for module in (crand, moran, getisord):
        for name in dir(module):
            kernel = getattr(module, name)
            # compute_chunk takes the statistic as a first-class function; numba keys
            # that argument by object identity, so its cache would miss in every new
            # process and grow by one 0.6 MB entry per run: it is left uncached
            if isinstance(kernel, CPUDispatcher) and name != "compute_chunk":
                kernel.enable_caching()


def spatial_weights(
    units: gpd.GeoDataFrame,
    *,
    method: str = "queen",
    k: int | None = None,
    distance: float | None = None,
) -> Graph:
    """Binary spatial weights of ``units`` as a :class:`libpysal.graph.Graph`.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons (cells, zones) or points, uniquely indexed. ``knn`` and
        ``distance`` use polygon centroids and need a projected CRS in metres.
    method : {"queen", "rook", "knn", "distance"}, default "queen"
        Queen contiguity (a shared vertex makes neighbours), rook contiguity (a
        shared edge), the ``k`` nearest neighbours, or every unit within
        ``distance`` metres.
    k : int, optional
        Number of neighbours for ``method="knn"`` (default 8); only with knn.
    distance : float, optional
        Band in metres for ``method="distance"`` (required there, only there).

    Returns
    -------
    libpysal.graph.Graph
        Binary weights (1 for a neighbour) whose ids are ``units.index``.

    Raises
    ------
    InputError
        An unknown method, ``k``/``distance`` given with the wrong method or out
        of range.
    CRSError
        No CRS, or a geographic CRS for knn and distance band.

    Warns
    -----
    UserWarning
        When some units have no neighbour (islands), with their count. The
        statistics functions leave islands out and label them ``"island"``.

    Notes
    -----
    Built with ``Graph.build_contiguity(units, rook=...)``,
    ``Graph.build_knn(centroids, k)`` and
    ``Graph.build_distance_band(centroids, distance)`` of libpysal (Rey and
    Anselin 2007, PySAL: A Python library of spatial analytical methods,
    *The Review of Regional Studies* 37(1): 5-27).
    """
    if method not in WEIGHT_TYPES:
        msg = f"`method` must be one of {list(WEIGHT_TYPES)}, got {method!r}."
        raise InputError(msg)
    if k is not None and method != "knn":
        msg = f"`k` goes with method='knn' only; got k={k!r} with method={method!r}."
        raise InputError(msg)
    if distance is not None and method != "distance":
        msg = (
            f"`distance` goes with method='distance' only; got distance={distance!r} with "
            f"method={method!r}."
        )
        raise InputError(msg)
    if not isinstance(units, gpd.GeoDataFrame):
        msg = f"`units` should be a GeoDataFrame, got {type(units).__name__}."
        raise SchemaError(msg)
    check_unique_index(units, "units")
    if len(units) < 3:
        msg = f"`units` needs at least 3 units for spatial statistics; got {len(units)}."
        raise SchemaError(msg)
    graph_cls = _libpysal_graph()
    if method in ("queen", "rook"):
        check_crs(units, "units")
        graph = graph_cls.build_contiguity(units.geometry, rook=method == "rook")
    else:
        check_projected(units, "units")
        points = units.geometry.centroid
        if method == "knn":
            k = 8 if k is None else k
            if (isinstance(k, bool) or not isinstance(k, numbers.Integral)
                    or not 1 <= k < len(units)):
                msg = (
                    f"`k` must be an integer from 1 to the number of units minus 1 "
                    f"({len(units) - 1}), got {k!r}."
                )
                raise InputError(msg)
            graph = graph_cls.build_knn(points, k=int(k))
        else:
            if (
                distance is None
                or isinstance(distance, bool)
                or not isinstance(distance, numbers.Real)
                or not distance > 0
            ):
                msg = (
                    "`distance` must be a positive number of metres with method='distance', "
                    f"got {distance!r}; e.g. 1.5 times the cell size."
                )
                raise InputError(msg)
            graph = graph_cls.build_distance_band(points, threshold=float(distance))
    n_islands = len(graph.isolates)
    if n_islands:
        warnings.warn(
            f"{n_islands} of {len(units)} unit(s) have no neighbour under {method} weights "
            "(islands); spatial statistics leave them out and label them 'island'. Use "
            "method='knn' to give every unit neighbours.",
            UserWarning,
            stacklevel=2,
        )
    return graph


@contextmanager
def _global_seed(seed: int | None) -> Iterator[None]:
    """Seed numpy's global generator and restore its state afterwards.

    ``esda.Moran`` draws its permutations from numpy's global generator, and
    esda's NumPy permutation engine calls ``np.random.seed``; the caller's
    random state is left as it was.
    """
    if seed is None:
        yield
        return
    # esda only reads numpy's global generator, so the legacy global API is the way to seed it.
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(seed)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def _prepare(
    units: gpd.GeoDataFrame,
    column: str,
    weights: Graph | str,
    k: int | None,
    distance: float | None,
    permutations: int,
    seed: int | None,
    *,
    min_permutations: int = 1,
) -> tuple[Graph, pd.Series, pd.Index, pd.Index]:
    """Validate, drop missing units, build or check the graph, drop islands.

    Returns the graph over the units used, their values ``y``, the islands and
    the units left out because ``units[column]`` is NaN (outside the domain).
    """
    if not isinstance(units, gpd.GeoDataFrame):
        msg = f"`units` should be a GeoDataFrame, got {type(units).__name__}."
        raise SchemaError(msg)
    check_unique_index(units, "units")
    check_columns(units, [column], "units")
    if isinstance(permutations, bool) or not isinstance(permutations, numbers.Integral) or (
        permutations < min_permutations
    ):
        least = "a positive integer" if min_permutations else "0 (analytical) or a positive integer"
        msg = f"`permutations` must be {least} (e.g. 999), got {permutations!r}."
        raise InputError(msg)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        msg = f"`seed` must be an integer or None, got {seed!r}."
        raise InputError(msg)
    y = units[column]
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        msg = f"`units[{column!r}]` must be numeric, got dtype {y.dtype}."
        raise SchemaError(msg)
    y = y.astype(float)
    values = y.to_numpy()
    if np.isinf(values).any():
        bad = np.isinf(values)
        msg = (
            f"`units[{column!r}]` has {int(bad.sum())} infinite value(s) (e.g. at index "
            f"{list(y.index[bad][:5])}); spatial statistics need finite values. NaN marks "
            "units outside the analysis domain and is left out."
        )
        raise SchemaError(msg)
    missing = pd.Index(y.index[np.isnan(values)])
    used = units.loc[~np.isnan(values)]
    if len(used) < 3:
        msg = (
            f"`units[{column!r}]` has a value in {len(used)} unit(s) ({len(missing)} NaN, "
            "outside the analysis domain); spatial statistics need at least 3."
        )
        raise SchemaError(msg)
    if len(missing):
        log.info("%d of %d unit(s) have no %s (outside the analysis domain) and are left out "
                 "of the spatial statistics", len(missing), len(units), column)
    if isinstance(weights, str):
        graph = spatial_weights(used, method=weights, k=k, distance=distance)
    else:
        if k is not None or distance is not None:
            msg = ("`k` and `distance` build weights; "
                   "pass them only with a method name in `weights`.")
            raise InputError(msg)
        graph_cls = _libpysal_graph()
        if not isinstance(weights, graph_cls):
            msg = (
                "`weights` should be a method name "
                f"{list(WEIGHT_TYPES)} or a libpysal.graph.Graph, got {type(weights).__name__}."
            )
            raise InputError(msg)
        ids = pd.Index(weights.unique_ids)
        if not ids.isin(units.index).all() or not used.index.isin(ids).all():
            msg = (
                f"`weights` must have the ids of `units.index` (all units, or those with a "
                f"value in `{column}`); the graph has {len(ids)} id(s), `units` {len(units)} "
                f"row(s), {int((~ids.isin(units.index)).sum())} graph id(s) are not in the "
                f"index and {int((~used.index.isin(ids)).sum())} unit(s) with a value are not "
                "in the graph. Build it with `spatial_weights(units)`."
            )
            raise InputError(msg)
        graph = weights
        if len(ids) != len(used):
            graph = graph.subgraph([i for i in graph.unique_ids if i in set(used.index)])
    islands = pd.Index(graph.isolates)
    if len(islands):
        keep = [i for i in graph.unique_ids if i not in set(islands)]
        if len(keep) < 3:
            msg = (
                f"only {len(keep)} unit(s) have neighbours; spatial statistics need at least 3. "
                "Use method='knn' or a larger distance band."
            )
            raise SchemaError(msg)
        graph = graph.subgraph(keep)
    y = y.reindex(pd.Index(graph.unique_ids))
    if np.ptp(y.to_numpy()) == 0:
        msg = (
            f"`units[{column!r}]` is constant ({y.iloc[0]:.6g}) over the units with neighbours; "
            "spatial autocorrelation is undefined."
        )
        raise SchemaError(msg)
    return graph, y, islands, missing


def global_moran(
    units: gpd.GeoDataFrame,
    column: str = "D",
    *,
    weights: Graph | str = "queen",
    k: int | None = None,
    distance: float | None = None,
    permutations: int = 999,
    seed: int | None = 0,
) -> pd.Series:
    r"""Global Moran's I of ``units[column]`` with permutation inference.

    Parameters
    ----------
    units : GeoDataFrame
        Units with the measured column, uniquely indexed.
    column : str, default "D"
        Numeric column. NaN marks units outside the analysis domain: they are
        left out of the weights and the statistic (see Notes).
    weights : libpysal.graph.Graph or str, default "queen"
        A graph keyed by ``units.index`` or by the units with a value (e.g.
        from :func:`spatial_weights`), or a method name of
        :func:`spatial_weights`, then built on the units with a value;
        row-standardised here.
    k, distance : optional
        Passed to :func:`spatial_weights` when ``weights`` is a name.
    permutations : int, default 999
        Random permutations for the pseudo p-value.
    seed : int or None, default 0
        Seed of the permutations. esda draws them from numpy's global
        generator, so the wrapper seeds it and restores its previous state.

    Returns
    -------
    Series
        Named ``moran``: ``I``, ``expected_I`` (:math:`-1/(n-1)`), ``z_norm``
        and ``p_norm`` (normality assumption, two-sided), ``z_sim`` and
        ``p_sim`` (permutations, one-sided pseudo p), ``permutations``, ``n``
        (units used), ``n_islands`` (units without a neighbour, left out) and
        ``n_missing`` (units with NaN, outside the domain, left out).

    Raises
    ------
    SchemaError
        Missing column, infinite values, a constant column, or fewer than 3
        units with a value and neighbours.
    InputError
        Bad ``weights``, ``permutations`` or ``seed``.

    Notes
    -----
    With :math:`z_i = y_i - \bar y` and row-standardised weights :math:`w_{ij}`,

    .. math:: I = \frac{n}{\sum_i \sum_j w_{ij}} \frac{\sum_i \sum_j w_{ij} z_i z_j}{\sum_i z_i^2}

    (Moran 1950, Biometrika 37: 17-23; Cliff and Ord 1981, *Spatial Processes*).
    ``p_sim`` is :math:`(M + 1)/(R + 1)` where :math:`M` counts the permuted
    :math:`I` at least as extreme as the observed one in the direction of
    the observed one, :math:`R` permutations. Computed by ``esda.Moran``.
    Islands are left out (their z would enter the variance without any
    neighbour), and counted in ``n_islands``. Units outside the analysis
    domain are removed before the weights are built (or the graph is cut to
    the units with a value), so they neither count as neighbours nor enter
    :math:`\bar y`; a unit whose neighbours are all outside becomes an island.
    """
    graph, y, islands, missing = _prepare(units, column, weights, k, distance, permutations, seed)
    esda = _esda()
    with _global_seed(seed), np.errstate(invalid="ignore", divide="ignore"):
        m = esda.Moran(y.to_numpy(), graph, transformation="r", permutations=int(permutations))
    return pd.Series(
        {
            "I": float(m.I),
            "expected_I": float(m.EI),
            "z_norm": float(m.z_norm),
            "p_norm": float(m.p_norm),
            "z_sim": float(m.z_sim),
            "p_sim": float(m.p_sim),
            "permutations": int(permutations),
            "n": int(m.n),
            "n_islands": len(islands),
            "n_missing": len(missing),
        },
        name="moran",
        dtype=object,
    )


def _norm_sf(z: np.ndarray) -> np.ndarray:
    from scipy import stats

    return np.asarray(stats.norm.sf(z), dtype=float)


def _check_alpha(alpha: object) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < float(alpha) < 1:
        msg = f"`alpha` must be a significance level between 0 and 1 (e.g. 0.05), got {alpha!r}."
        raise InputError(msg)
    return float(alpha)


def _label_column(values: pd.Series, index: pd.Index, islands: pd.Index) -> pd.Series:
    """Labels on the full index: "island" for islands, None outside the domain."""
    out = np.full(len(index), None, dtype=object)
    pos = index.get_indexer(values.index)
    out[pos] = values.to_numpy(dtype=object)
    if len(islands):
        out[index.get_indexer(islands)] = ISLAND
    return pd.Series(out, index=index, dtype=object)


def local_moran(
    units: gpd.GeoDataFrame,
    column: str = "D",
    *,
    weights: Graph | str = "queen",
    k: int | None = None,
    distance: float | None = None,
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int | None = 0,
) -> pd.DataFrame:
    r"""Local Moran's I (LISA) and its clusters HH, LL, HL, LH.

    Parameters
    ----------
    units : GeoDataFrame
        Units with the measured column, uniquely indexed.
    column : str, default "D"
        Numeric column; NaN marks units outside the analysis domain, left out
        as in :func:`global_moran`.
    weights : libpysal.graph.Graph or str, default "queen"
        As :func:`global_moran`; row-standardised here.
    k, distance : optional
        Passed to :func:`spatial_weights` when ``weights`` is a name.
    permutations : int, default 999
        Conditional permutations per unit for the pseudo p-value, the inference
        Anselin (1995) recommends; ``0`` for the normal approximation instead
        (see Notes).
    alpha : float, default 0.05
        A unit is in a cluster when its p-value is at most ``alpha``.
    seed : int or None, default 0
        Seed of the permutations (passed to esda).

    Returns
    -------
    DataFrame
        On ``units.index``: ``lisa_i`` (Anselin's local I), ``lisa_p``
        (one-sided p), ``lisa_quadrant`` (HH, LH, LL, HL: the unit high/low,
        its neighbours' mean high/low) and ``lisa_cluster`` (the quadrant where
        ``lisa_p <= alpha``, otherwise ``"ns"``). Islands get NaN and
        ``"island"``; units outside the domain (NaN in ``column``) get NaN and
        None.

    Notes
    -----
    .. math:: I_i = \frac{z_i}{m_2} \sum_j w_{ij} z_j, \qquad m_2 = \frac{1}{n}\sum_i z_i^2,

    with :math:`z_i = y_i - \bar y` and row-standardised :math:`w_{ij}`
    (Anselin 1995, Local indicators of spatial association -- LISA,
    *Geographical Analysis* 27(2): 93-115). esda's ``Moran_Local.Is``
    divides by :math:`\sum_i z_i^2/(n-1)` instead, i.e. it is :math:`(n-1)/n`
    of Anselin's value; ``lisa_i`` is ``Is * n / (n - 1)``, so
    :math:`\sum_i I_i / n` equals the global Moran's I. Quadrants are esda's
    ``q`` (1 HH, 2 LH, 3 LL, 4 HL).

    **Inference.** With ``permutations > 0`` the pseudo p-value comes from
    conditional randomisation, holding :math:`z_i` and permuting the others
    (Anselin 1995; ``esda.Moran_Local.p_sim``): one-sided, in the
    direction of the observed value, :math:`(M + 1)/(R + 1)`. The scaling of
    :math:`I_i` does not change it. With ``permutations=0`` it is the normal
    approximation :math:`1 - \Phi(|I_i - E[I_i]| / \sqrt{V[I_i]})` with the
    conditional-randomisation moments ``EIc`` and ``VIc`` of esda (Sokal, Oden
    and Thomson 1998, *Geographical Analysis* 30(4): 331-354, eqs. A7-A8),
    which esda derives for :math:`m_2 = \sum z^2/n`, the scaling of
    ``lisa_i``. Anselin (1995) warns that the normal approximation is
    unreliable for local statistics; use it only for quick looks. No
    correction for multiple tests is applied; with many units, a smaller
    ``alpha`` (e.g. 0.01) is prudent.

    Where numba is installed, esda compiles its permutation engine on the first
    permutation call of each process (tens of seconds).
    """
    a = _check_alpha(alpha)
    graph, y, islands, _missing = _prepare(
        units, column, weights, k, distance, permutations, seed, min_permutations=0
    )
    esda = _esda()
    n = len(y)
    with _global_seed(seed), np.errstate(invalid="ignore", divide="ignore"), \
            warnings.catch_warnings():
        # we read esda's one-sided (directed) pseudo p and document it; its notice that the
        # default alternative will change is not for our users
        warnings.filterwarnings("ignore", message="The alternative hypothesis",
                                category=DeprecationWarning)
        lm = esda.Moran_Local(
            y.to_numpy(), graph, transformation="r", permutations=int(permutations),
            seed=seed, n_jobs=1,
        )
        lisa = np.asarray(lm.Is, dtype=float) * n / (n - 1)
        if permutations:
            p_values = np.asarray(lm.p_sim, dtype=float)
        else:
            p_values = _norm_sf(np.abs((lisa - lm.EIc) / np.sqrt(lm.VIc)))
    quadrant = pd.Series(lm.q, index=y.index).map(_QUADRANTS)
    p = pd.Series(p_values, index=y.index, dtype=float)
    cluster = quadrant.where(p <= a, NOT_SIGNIFICANT)
    return pd.DataFrame(
        {
            "lisa_i": pd.Series(lisa, index=y.index, dtype=float).reindex(units.index),
            "lisa_p": p.reindex(units.index),
            "lisa_quadrant": _label_column(quadrant, units.index, islands),
            "lisa_cluster": _label_column(cluster, units.index, islands),
        },
        index=units.index,
    )


def getis_ord(
    units: gpd.GeoDataFrame,
    column: str = "D",
    *,
    weights: Graph | str = "queen",
    k: int | None = None,
    distance: float | None = None,
    permutations: int = 999,
    alpha: float = 0.05,
    two_sided: bool = True,
    seed: int | None = 0,
) -> pd.DataFrame:
    r"""Getis-Ord Gi* hot and cold spots.

    Parameters
    ----------
    units : GeoDataFrame
        Units with the measured column, uniquely indexed.
    column : str, default "D"
        Numeric column; NaN marks units outside the analysis domain, left out
        as in :func:`global_moran`.
    weights : libpysal.graph.Graph or str, default "queen"
        As :func:`global_moran`; used as binary weights with each unit its own
        neighbour (weight 1), which is what makes it Gi* rather than Gi.
    k, distance : optional
        Passed to :func:`spatial_weights` when ``weights`` is a name.
    permutations : int, default 999
        Conditional permutations per unit for the pseudo p-value; ``0`` for
        the normal approximation of :math:`G_i^*` instead (see Notes).
    alpha : float, default 0.05
        A unit is a hot (cold) spot when its p-value is at most
        ``alpha`` and its z-score is positive (negative).
    two_sided : bool, default True
        Two-sided p-values, as ArcGIS Hot Spot Analysis reports them; ``False``
        for esda's one-sided p in the direction of the observed z.
    seed : int or None, default 0
        Seed of the permutations (passed to esda).

    Returns
    -------
    DataFrame
        On ``units.index``: ``gi_z`` (standardised Gi*), ``gi_p`` (two-sided,
        or one-sided with ``two_sided=False``) and ``gi_class`` (``"hot
        spot"``, ``"cold spot"`` or ``"ns"``). Islands get NaN and
        ``"island"``; units outside the domain get NaN and None.

    Notes
    -----
    .. math::

        G_i^* = \frac{\sum_j w_{ij} y_j - \bar y \sum_j w_{ij}}
                     {S \sqrt{\left[n \sum_j w_{ij}^2 - (\sum_j w_{ij})^2\right]/(n - 1)}},

    with :math:`j` running over all units including :math:`i` (:math:`w_{ii} =
    1`), :math:`S` the standard deviation of :math:`y` (Ord and Getis 1995,
    Local spatial autocorrelation statistics, *Geographical Analysis* 27(4):
    286-306; Getis and Ord 1992, *Geographical Analysis* 24(3): 189-206).
    Computed by ``esda.G_Local(y, w, transform="B", star=True)``.

    With ``permutations > 0`` the one-sided p is esda's pseudo p from
    conditional randomisation, :math:`p_1 = (M + 1)/(R + 1)` in the direction
    of the observed value; with ``permutations=0`` it is
    :math:`p_1 = 1 - \Phi(|z|)` (esda's ``p_norm``). The two-sided p is
    :math:`\min(1, 2 p_1)`, i.e. :math:`2(1 - \Phi(|z|))` analytically, the
    p-value of ArcGIS Pro's Hot Spot Analysis (Getis-Ord Gi*), which tests
    :math:`|z|` against 1.65 / 1.96 / 2.58 for 90 / 95 / 99 % confidence.
    """
    a = _check_alpha(alpha)
    if not isinstance(two_sided, bool):
        msg = f"`two_sided` must be True or False, got {two_sided!r}."
        raise InputError(msg)
    graph, y, islands, _missing = _prepare(
        units, column, weights, k, distance, permutations, seed, min_permutations=0
    )
    esda = _esda()
    with _global_seed(seed), np.errstate(invalid="ignore", divide="ignore"), \
            warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The alternative hypothesis",
                                category=DeprecationWarning)  # p_1 is read as documented
        g = esda.G_Local(
            y.to_numpy(), graph.assign_self_weight(1.0), transform="B", star=None,
            permutations=int(permutations), seed=seed, n_jobs=1,
        )
    z = pd.Series(g.Zs, index=y.index, dtype=float)
    p1 = np.asarray(g.p_sim if permutations else g.p_norm, dtype=float)
    p = pd.Series(np.minimum(1.0, 2.0 * p1) if two_sided else p1, index=y.index, dtype=float)
    cls = pd.Series(
        np.where(p <= a, np.where(z > 0, "hot spot", "cold spot"), NOT_SIGNIFICANT),
        index=y.index, dtype=object,
    )
    return pd.DataFrame(
        {
            "gi_z": z.reindex(units.index),
            "gi_p": p.reindex(units.index),
            "gi_class": _label_column(cls, units.index, islands),
        },
        index=units.index,
    )
