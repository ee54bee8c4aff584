"""Road indicators per unit: road length density and intersection density."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InputError
from .._validate import (
    check_geometries,
    check_positive,
    check_projected,
    check_same_crs,
    check_unique_index,
)
from ..units import unit_positions
from .registry import Indicator, Measure, default_registry

__all__ = ["road_density", "road_intersections", "intersection_density"]

_POLY = ("Polygon", "MultiPolygon")
_LINES = ("LineString", "MultiLineString")


def _zone_area_km2(zones: gpd.GeoDataFrame) -> np.ndarray:
    a = (zones["cell_area_m2"].to_numpy(dtype=float) if "cell_area_m2" in zones.columns
         else zones.geometry.area.to_numpy())
    return a / 1e6


def road_density(zones: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> pd.Series:
    """Length of road centre lines per km² of each unit.

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS, unique index.
    roads : GeoDataFrame
        Road centre lines (LineString/MultiLineString) in the same CRS, each road
        drawn once (a dual carriageway drawn as two lines counts twice).

    Returns
    -------
    Series
        ``road_density`` in km per km², aligned to ``zones.index``.

    Notes
    -----
    :math:`\\rho_z = \\sum_r |r \\cap z|_{km} / (A_z / 10^6)`, the road-network density
    of GB 50220-95 and the 2018 urban road-density survey; lines are cut exactly at
    unit edges.
    """
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    check_geometries(zones, "zones", geom_types=_POLY)
    check_same_crs({"zones": zones, "roads": roads})
    check_geometries(roads, "roads", geom_types=_LINES, allow_empty_layer=True)
    length = np.zeros(len(zones))
    if len(roads):
        lines = roads.geometry.values
        zi, ri = shapely.STRtree(lines).query(zones.geometry.values, predicate="intersects")
        pieces = shapely.intersection(zones.geometry.values[zi], lines[ri])
        np.add.at(length, zi, shapely.length(pieces))
    return pd.Series(length / 1000.0 / _zone_area_km2(zones), index=zones.index,
                     name="road_density")


default_registry().register(Indicator(
    name="road_density", func=road_density, needs=("units", "roads"), unit="km per km2",
    direction="+", subsystem="urban", default=True, label_zh="路网密度",
    label_en="length of road centre lines per km2 of unit", formula="L_roads(km) / (A_unit / 1e6)",
    citation="GB 50220-95; Ministry of Housing road-density survey 2018"))


def road_intersections(
    roads: gpd.GeoDataFrame, *, min_degree: int = 3, tolerance: float = 0.5
) -> gpd.GeoDataFrame:
    """Road intersections: line end points shared by at least ``min_degree`` line ends.

    Parameters
    ----------
    roads : GeoDataFrame
        Road lines split at junctions (as network edges are, e.g. the ``network``
        layer of a run or OSM ways split by osmnx/pyrosm), projected metric CRS.
    min_degree : int, default 3
        Number of line ends meeting at a point for it to count (3: T-junctions
        and crossings; dead ends and bends are excluded).
    tolerance : float, default 0.5
        End points are merged when they round to the same multiple of this many metres.

    Returns
    -------
    GeoDataFrame
        Points with column ``degree``, same CRS.

    Notes
    -----
    Lines that cross without sharing an end point (bridges, or unsplit lines) do
    not form an intersection here.
    """
    check_projected(roads, "roads")
    check_geometries(roads, "roads", geom_types=_LINES, allow_empty_layer=True)
    if min_degree < 1:
        msg = f"`min_degree` must be at least 1, got {min_degree}."
        raise InputError(msg)
    check_positive(tolerance, "tolerance")
    parts = shapely.get_parts(roads.geometry.values)
    if len(parts) == 0:
        return gpd.GeoDataFrame({"degree": np.empty(0, dtype=np.int64)},
                                geometry=gpd.GeoSeries([], crs=roads.crs), crs=roads.crs)
    ends = np.vstack([shapely.get_coordinates(shapely.get_point(parts, 0)),
                      shapely.get_coordinates(shapely.get_point(parts, -1))])
    loops = shapely.is_closed(parts)
    ends = np.vstack([ends[: len(parts)], ends[len(parts):][~loops]])  # a loop has one end point
    key = np.round(ends / tolerance).astype(np.int64)
    uniq, inv, deg = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    first = np.zeros(len(uniq), dtype=np.int64)
    first[inv[::-1]] = np.arange(len(inv))[::-1]
    keep = deg >= min_degree
    xy = ends[first[keep]]
    return gpd.GeoDataFrame({"degree": deg[keep].astype(np.int64)},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=roads.crs)


default_registry().register(Measure(name="road_intersections", func=road_intersections,
                                    needs=("roads",)))


def intersection_density(zones: gpd.GeoDataFrame, intersections: gpd.GeoDataFrame) -> pd.Series:
    """Road intersections per km² of each unit.

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS, unique index.
    intersections : GeoDataFrame
        Points from :func:`road_intersections` in the same CRS.

    Returns
    -------
    Series
        ``intersection_density`` per km², aligned to ``zones.index``.

    Notes
    -----
    :math:`n_z / (A_z / 10^6)` with :math:`n_z` the intersections (degree >= 3)
    in the unit (Cervero & Kockelman 1997; Ewing & Cervero 2010).
    """
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    pos = unit_positions(zones, intersections)
    n = np.bincount(pos[pos >= 0], minlength=len(zones)).astype(float)
    return pd.Series(n / _zone_area_km2(zones), index=zones.index, name="intersection_density")


default_registry().register(Indicator(
    name="intersection_density", func=intersection_density,
    needs=("units", "road_intersections"), unit="per km2", direction="+", subsystem="urban",
    default=True, label_zh="交叉口密度",
    label_en="road intersections (nodes of degree >= 3) per km2",
    formula="#{v : deg(v) >= 3} / (A_unit / 1e6)",
    citation="Cervero & Kockelman 1997; Ewing & Cervero 2010"))
