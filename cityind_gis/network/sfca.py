"""Two-step floating catchment area (2SFCA) accessibility on the walking network.

Supply (facilities with a capacity: beds, seats, places) and demand (residents or
workers at points, cells or parcels) meet within a walking catchment ``d0``. Step
1 gives each facility its supply-to-demand ratio; step 2 sums, for each demand
location, the ratios of the facilities it reaches. See ``docs/accessibility.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from .._errors import InputError, SchemaError
from .._validate import check_columns
from .accessibility import _ball_inputs, _check_snap, _snap_layer, _Snapped
from .graph import WalkGraph, _allowed_components, _check_distance, _check_layer, _rejoin_message

__all__ = ["SFCA_KERNELS", "two_step_fca", "gaussian_weight"]


def gaussian_weight(d: np.ndarray, d0: float) -> np.ndarray:
    r"""Gaussian distance decay of Dai (2010), 1 at 0 m and 0 at ``d0`` and beyond.

    Parameters
    ----------
    d : ndarray
        Walking distances in metres.
    d0 : float
        Catchment in metres (> 0).

    Returns
    -------
    ndarray
        :math:`G(d) = \dfrac{e^{-\frac12 (d/d_0)^2} - e^{-\frac12}}{1 - e^{-\frac12}}`
        for :math:`d \le d_0`, else 0.
    """
    d = np.asarray(d, dtype=float)
    e = np.exp(-0.5)
    w = (np.exp(-0.5 * (d / d0) ** 2) - e) / (1.0 - e)
    return np.where(d <= d0, w, 0.0)


def _binary_weight(d: np.ndarray, d0: float) -> np.ndarray:
    return np.where(np.asarray(d, dtype=float) <= d0, 1.0, 0.0)


#: Distance-decay kernels by name: ``binary`` (Luo & Wang 2003), ``gaussian`` (Dai 2010).
SFCA_KERNELS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "binary": _binary_weight,
    "gaussian": gaussian_weight,
}


def _amounts(layer: gpd.GeoDataFrame, column: str, name: str) -> np.ndarray:
    check_columns(layer, [column], name)
    values = pd.to_numeric(layer[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        msg = (f"`{name}['{column}']` holds {int(bad.sum())} missing, non-numeric or negative "
               "value(s); expected amounts >= 0 (people, beds, places). Fill or drop them.")
        raise SchemaError(msg)
    return values


def two_step_fca(
    demand: gpd.GeoDataFrame,
    supply: gpd.GeoDataFrame,
    graph: WalkGraph,
    *,
    d0: float,
    demand_column: str,
    capacity_column: str,
    kernel: str = "binary",
    snap: str = "edge",
    snap_distance: float | None = None,
    component: str | int = "largest",
) -> pd.Series:
    r"""Two-step floating catchment accessibility of each demand location.

    Parameters
    ----------
    demand : GeoDataFrame
        Demand locations (points, cells, parcels) in ``graph.crs``, uniquely
        indexed, with the amount of demand in ``demand_column`` (residents,
        workers; e.g. industrial land area in hectares times workers per hectare).
    supply : GeoDataFrame
        Facilities in ``graph.crs`` with their capacity in ``capacity_column``
        (doctors, beds, seats, ...).
    graph : WalkGraph
        Walking network.
    d0 : float
        Catchment: largest walking distance in metres (> 0).
    demand_column, capacity_column : str
        Columns with the amounts (>= 0).
    kernel : {"binary", "gaussian"}, default "binary"
        Distance decay within the catchment: none (classic 2SFCA) or Gaussian.
    snap : {"edge", "node"}, default "edge"
        How both layers join the network.
    snap_distance : float, optional
        Snap tolerance in metres; demand beyond it gets NaN, supply beyond it is
        dropped; both warn with a count.
    component : {"largest", "any"} or int, default "largest"
        Which connected parts of the network both layers join (as in
        :func:`~.accessibility.nearest_facility_distance`): by default a clinic
        or a parcel nearest to a network fragment joins the main network
        instead, with a warning giving the count; ``"any"`` keeps the fragment.

    Returns
    -------
    Series
        Aligned to ``demand.index``, named ``sfca_{kernel}``: capacity per unit of
        demand reachable from each location (e.g. doctors per worker). 0 where
        nothing is in reach; NaN where the location is beyond ``snap_distance``.

    Raises
    ------
    CRSError, GeometryError
        As for :func:`~.accessibility.nearest_facility_distance`.
    SchemaError
        If an amount column is missing, negative or not numeric.
    InputError
        If ``d0`` is not positive, or ``kernel`` or ``snap`` is unknown.

    Warns
    -----
    UserWarning
        For features beyond ``snap_distance`` and features moved off a fragment.

    Notes
    -----
    With walking distance :math:`d_{ij}`, supply :math:`S_j`, demand :math:`P_i`
    and weight :math:`W(d) = 1` (binary) or :math:`G(d)` of
    :func:`gaussian_weight`, both zero beyond :math:`d_0`:

    .. math::

        R_j = \frac{S_j}{\sum_{i:\, d_{ij} \le d_0} W(d_{ij})\, P_i}, \qquad
        A_i = \sum_{j:\, d_{ij} \le d_0} W(d_{ij})\, R_j

    (Luo & Wang 2003, *Environment and Planning B* 30(6): 865-884; Gaussian
    variant: Dai 2010, *Health & Place* 16(5): 1038-1052). A facility whose
    catchment holds no demand has no ratio and adds nothing. Total capacity is
    conserved: :math:`\sum_i A_i P_i = \sum_j S_j` over facilities with demand in
    reach (binary kernel). Pairs within :math:`d_0` come from one compiled
    bounded search per facility (as in
    :func:`~.accessibility.facility_counts_within`).
    """
    from ._bounded import pairs_within

    if kernel not in SFCA_KERNELS:
        msg = f"`kernel` must be one of {sorted(SFCA_KERNELS)}, got {kernel!r}."
        raise InputError(msg)
    _check_snap(snap)
    if isinstance(d0, bool) or not isinstance(d0, (int, float)) or not np.isfinite(d0) or d0 <= 0:
        msg = f"`d0` must be a positive catchment in metres, got {d0!r}; e.g. `d0=1000`."
        raise InputError(msg)
    _check_distance(snap_distance, "snap_distance")
    _allowed_components(graph, component)
    _check_layer(demand, "demand", graph, allow_empty=True)
    _check_layer(supply, "supply", graph, allow_empty=True, unique_index=False)
    pop = _amounts(demand, demand_column, "demand")
    cap = _amounts(supply, capacity_column, "supply")

    ds: _Snapped = _snap_layer(graph, demand, snap, snap_distance, component)
    ss: _Snapped = _snap_layer(graph, supply, snap, snap_distance, component)
    for moved, n, name in ((ds.n_moved, len(demand), "demand"), (ss.n_moved, len(supply),
                                                                  "supply")):
        if moved:
            warnings.warn(_rejoin_message(moved, n, name, component), stacklevel=2)
    for n_far, n, what in ((ds.n_far, len(demand), "demand locations lie farther"),
                           (ss.n_far, len(supply), "supply facilities lie farther")):
        if n_far:
            warnings.warn(f"{n_far} of {n} {what} than snap_distance={snap_distance} m from "
                          f"every graph {snap}; they are left out.", stacklevel=2)
    access: np.ndarray = np.zeros(len(demand))
    keep = np.flatnonzero(ss.valid)
    if keep.size and ds.valid.any():
        head, inc = _ball_inputs(graph, ds, ss, keep)
        f, o, d = pairs_within(*head, *inc, ds.leg.astype(float), float(d0))
        w = SFCA_KERNELS[kernel](d, float(d0))
        weighted = np.bincount(f, weights=w * pop[o], minlength=keep.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(weighted > 0, cap[keep] / weighted, 0.0)
        access = np.bincount(o, weights=w * ratio[f], minlength=len(demand))
    access = np.where(ds.valid, access, np.nan)
    return pd.Series(access, index=demand.index, name=f"sfca_{kernel}")
