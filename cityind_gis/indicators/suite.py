"""Every registered indicator of the units in one call: :func:`compute_indicators`.

:func:`compute_indicators` loops the registry (:mod:`cityind_gis.indicators.registry`)
in order, calls each measure whose needs are available and returns their columns,
so :mod:`cityind_gis.pipeline` stays orchestration only and a new indicator needs no
change here. :func:`unit_indicators` is the older call with precomputed class areas,
shares and POI counts.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from .._errors import InputError, SchemaError
from .._validate import check_columns
from .raster import WARP_RESAMPLING
from .registry import Registry, default_registry

__all__ = ["IndicatorInputs", "compute_indicators", "unit_indicators", "WARP_RESAMPLING"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class IndicatorInputs:
    """The inputs of :func:`compute_indicators`, by name (see :data:`~.registry.INPUTS`).

    Parameters
    ----------
    units : GeoDataFrame
        Spatial units in a projected metric CRS, unique index, with
        ``cell_area_m2`` (m², clipped to the study boundary).
    landuse : GeoDataFrame, optional
        Land-use polygons in the units' CRS with a canonical ``class`` column.
    pois : GeoDataFrame, optional
        The analysed POIs (points, units' CRS) with ``category`` and, for
        enterprises, an optional industry subtype ``industry``.
    buildings : GeoDataFrame, optional
        Building polygons in the units' CRS with ``use`` (building class,
        generic buildings already given the use of the land under them, see
        :func:`~cityind_gis.indicators.buildings.classify_by_landuse`) and
        ``levels`` (storeys).
    roads : GeoDataFrame, optional
        Road lines split at junctions (the walking network's edges), units' CRS.
    population_raster, night_light_raster, landcover_raster : path, optional
        Rasters in the units' CRS, or any CRS with ``warp_rasters``.
    landcover_classes : str or dict of int to str, optional
        A bundled legend (``"esa_worldcover"``, ``"clcd"``) or ``{pixel value: name}``;
        default every value present, named by its number.
    warp_rasters : bool, default False
        Warp a raster in another CRS to the units' CRS with the resampling of
        :data:`WARP_RESAMPLING`, warning once per raster; otherwise such a raster
        raises :class:`~cityind_gis.CRSError`.
    job_densities : path or DataFrame, optional
        Floor area per job and default plot ratio of each production class
        (:func:`~cityind_gis.indicators.industry.job_densities`); default the
        bundled ``taxonomy/data/job_densities.csv``.
    """

    units: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame | None = None
    pois: gpd.GeoDataFrame | None = None
    buildings: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    population_raster: str | os.PathLike[str] | None = None
    night_light_raster: str | os.PathLike[str] | None = None
    landcover_raster: str | os.PathLike[str] | None = None
    landcover_classes: str | dict[int, str] | None = None
    warp_rasters: bool = False
    job_densities: str | os.PathLike[str] | pd.DataFrame | None = None


def _as_dict(inputs: IndicatorInputs | Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    if isinstance(inputs, IndicatorInputs):
        given = {f.name: getattr(inputs, f.name) for f in dataclasses.fields(inputs)}
    elif isinstance(inputs, Mapping):
        given = dict(inputs)
    else:
        msg = ("`inputs` must be an IndicatorInputs or a mapping of input name to value, got "
               f"{type(inputs).__name__}.")
        raise InputError(msg)
    known = [*registry.inputs, *(m.name for m in registry.measures())]
    unknown = sorted(set(given) - set(known))
    if unknown:
        msg = (f"`inputs` holds unknown name(s) {unknown}; known inputs: {list(registry.inputs)} "
               "(or the name of a registered measure, to give its result instead of computing "
               "it).")
        raise InputError(msg)
    units = given.get("units")
    if not isinstance(units, gpd.GeoDataFrame):
        msg = ("`inputs` needs `units`, a GeoDataFrame of the spatial units with "
               f"`cell_area_m2`; got {type(units).__name__}.")
        raise InputError(msg)
    check_columns(units, ["cell_area_m2"], "units")
    return given


def _as_frame(result: Any, name: str) -> pd.DataFrame:
    if isinstance(result, pd.Series):
        return result.to_frame()
    if isinstance(result, pd.DataFrame):
        return result
    msg = (f"measure {name!r} returned {type(result).__name__}; a measure with columns returns "
           "a Series or DataFrame aligned to the units (or None when it does not apply).")
    raise SchemaError(msg)


def compute_indicators(
    inputs: IndicatorInputs | Mapping[str, Any], *, registry: Registry | None = None
) -> pd.DataFrame:
    """Every registered indicator whose inputs are available, per unit.

    Parameters
    ----------
    inputs : IndicatorInputs or mapping of str to object
        The inputs by name (see :class:`IndicatorInputs`); a mapping may leave
        inputs out (as None) and may also give the result of a registered
        measure by its name (e.g. ``"poi_counts"``), which is then used instead
        of being computed.
    registry : Registry, optional
        Default :func:`~cityind_gis.indicators.registry.default_registry`; pass a
        copy with your own indicators registered to compute them too.

    Returns
    -------
    DataFrame
        Aligned to ``inputs["units"].index``: the columns of every measure in
        registry order (for the default registry ``landuse_area_*``,
        ``*_share`` with ``public_service_share``, ``land_use_mix``, the land-use
        composites, ``poi_count_*``, ``poi_density_*``, the POI composites and
        functional zones, then, when their inputs are given, road, raster and
        building indicators; see ``docs/indicators.md``).

    Raises
    ------
    InputError
        If ``inputs`` has no ``units`` or an unknown name.
    SchemaError
        If a measure returns a column its registry entry does not describe, a
        column another measure returned already, or rows not aligned to the units.

    Notes
    -----
    Each measure runs once, in registry order, when all its ``needs`` are
    present and not None; it is called as ``func(*needs, **uses)`` and its result
    is kept under its name for the measures after it, so class areas and POI
    counts are computed once. A measure that returns None does not apply (e.g.
    the industry diversity without industry subtypes) and its dependants are
    skipped as well.
    """
    reg = registry if registry is not None else default_registry()
    parts = _measure_columns(_as_dict(inputs, reg), reg)
    units = inputs.units if isinstance(inputs, IndicatorInputs) else inputs["units"]
    if not parts:
        return pd.DataFrame(index=units.index)
    return pd.concat([frame for _, frame in parts], axis=1)


def _measure_columns(products: dict[str, Any], reg: Registry) -> list[tuple[str, pd.DataFrame]]:
    """(measure name, its columns) of every measure that applies, in registry order."""
    units = products["units"]
    parts: list[tuple[str, pd.DataFrame]] = []
    seen: dict[str, str] = {}
    for m in reg.measures():
        if products.get(m.name) is not None:
            result = products[m.name]  # given by the caller
        else:
            missing = [n for n in m.needs if products.get(n) is None]
            if missing:
                log.debug("indicator measure %r skipped: no %s", m.name, missing)
                continue
            result = m.func(*(products[n] for n in m.needs),
                            **{n: products.get(n) for n in m.uses})
            products[m.name] = result
            if result is None:
                continue
        if not m.columns:
            continue
        frame = _as_frame(result, m.name)
        if not frame.index.equals(units.index):
            msg = (f"measure {m.name!r} returned rows that are not aligned to `units.index`; "
                   "return a Series or DataFrame indexed like the units.")
            raise SchemaError(msg)
        stray = [c for c in frame.columns if m.entry_of(str(c)) is None]
        if stray:
            msg = (f"measure {m.name!r} returned column(s) {stray} that none of its registry "
                   f"entries {[c.name for c in m.columns]} describes; add an Indicator entry "
                   "for each column to its `columns`.")
            raise SchemaError(msg)
        clash = [c for c in frame.columns if c in seen]
        if clash:
            msg = (f"measure {m.name!r} returned column(s) {clash} that measure "
                   f"{seen[clash[0]]!r} returned already; give the columns other names.")
            raise SchemaError(msg)
        seen.update(dict.fromkeys(frame.columns, m.name))
        parts.append((m.name, frame))
    return parts


#: Measures whose columns :func:`unit_indicators` leaves to its caller (who passes them in).
_BASE = ("landuse_area", "landuse_shares", "land_use_mix", "poi_counts", "poi_density")


def unit_indicators(
    zones: gpd.GeoDataFrame,
    *,
    area: pd.DataFrame,
    shares: pd.DataFrame,
    counts: pd.DataFrame,
    roads: gpd.GeoDataFrame | None = None,
    population_raster: str | os.PathLike[str] | None = None,
    night_light_raster: str | os.PathLike[str] | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    landuse: gpd.GeoDataFrame | None = None,
    industry_counts: pd.DataFrame | None = None,
    landcover_raster: str | os.PathLike[str] | None = None,
    landcover_classes: str | dict[int, str] | None = None,
    warp_rasters: bool = False,
    registry: Registry | None = None,
) -> pd.DataFrame:
    """The indicators beyond class areas, shares, land-use mix, POI counts and densities.

    A thin wrapper over :func:`compute_indicators` for callers that computed the
    class areas, shares and POI counts themselves; prefer :func:`compute_indicators`.

    Parameters
    ----------
    zones : GeoDataFrame
        Units (projected metric CRS) with ``cell_area_m2``.
    area : DataFrame
        :func:`~cityind_gis.indicators.landuse_area` for all canonical classes.
    shares : DataFrame
        :func:`~cityind_gis.indicators.landuse_shares` of ``area`` (with
        ``public_service_share``).
    counts : DataFrame
        :func:`~cityind_gis.indicators.poi_counts` for all POI categories.
    roads, population_raster, night_light_raster, buildings, landuse, landcover_raster, \
landcover_classes, warp_rasters
        See :class:`IndicatorInputs`.
    industry_counts : DataFrame, optional
        Enterprise POIs per unit and industry subtype
        (:func:`~cityind_gis.indicators.poi_counts` on the subtype column).
    registry : Registry, optional
        Default :func:`~cityind_gis.indicators.registry.default_registry`.

    Returns
    -------
    DataFrame
        Aligned to ``zones.index``: the columns of :func:`compute_indicators`
        except those of ``landuse_area``, ``landuse_shares``, ``land_use_mix``,
        ``poi_counts`` and ``poi_density``. See ``docs/indicators.md`` for each formula.
    """
    given = {"units": zones, "landuse_area": area, "landuse_shares": shares, "poi_counts": counts,
             "industry_counts": industry_counts, "roads": roads,
             "population_raster": population_raster, "night_light_raster": night_light_raster,
             "buildings": buildings, "landuse": landuse, "landcover_raster": landcover_raster,
             "landcover_classes": landcover_classes, "warp_rasters": warp_rasters}
    reg = registry if registry is not None else default_registry()
    parts = [frame for name, frame in _measure_columns(_as_dict(given, reg), reg)
             if name not in _BASE]
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=zones.index)
