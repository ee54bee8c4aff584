"""Coordinate reference systems: choose the analysis CRS and reproject once."""

from __future__ import annotations

import logging

import geopandas as gpd
from pyproj import CRS

from .._errors import CRSError
from .._validate import check_crs, check_projected

__all__ = ["analysis_crs", "to_analysis_crs"]

log = logging.getLogger(__name__)


def analysis_crs(layer: gpd.GeoDataFrame, crs: str | CRS | None = None) -> CRS:
    """The metric CRS the analysis runs in.

    Parameters
    ----------
    layer : GeoDataFrame
        A layer with a CRS covering the study area (used to pick the UTM zone).
    crs : str or pyproj.CRS, optional
        Given CRS (any EPSG code or WKT); must be projected in metres.

    Returns
    -------
    pyproj.CRS
        ``crs`` if given; else the layer's own CRS when it is projected in metres
        (a planner's CGCS2000 Gauss-Kruger or UTM data stays as it is); else the
        WGS 84 UTM zone of the layer's centre
        (:meth:`geopandas.GeoDataFrame.estimate_utm_crs`).
    """
    if crs is not None:
        try:
            out = CRS.from_user_input(crs)
        except Exception as exc:  # pyproj.exceptions.CRSError
            msg = (f"`crs` {crs!r} is not a CRS pyproj knows; "
                   "give an EPSG code such as 'EPSG:32650'.")
            raise CRSError(msg) from exc
        units = {ax.unit_name for ax in out.axis_info}
        if out.is_geographic or not units <= {"metre", "meter", "m"}:
            msg = (
                f"`crs` {crs!r} ({out.name}) is not a projected CRS in metres; distances and areas "
                "need one. Give a metric CRS such as a CGCS2000 Gauss-Kruger zone (EPSG:4534-4554 "
                "for 3-degree zones) or a UTM zone (EPSG:326xx), or leave `crs` out to use the "
                "UTM zone of the data (`[study] crs` in the config, `--crs` on the command line)."
            )
            raise CRSError(msg)
        return out
    check_crs(layer, "layer")
    try:
        check_projected(layer, "layer")
        return layer.crs
    except CRSError:
        pass
    if len(layer) == 0:
        msg = "`layer` is empty; cannot choose a UTM zone. Give `crs` explicitly."
        raise CRSError(msg)
    return layer.estimate_utm_crs()


def to_analysis_crs(gdf: gpd.GeoDataFrame, crs: CRS, name: str) -> gpd.GeoDataFrame:
    """Reproject ``gdf`` to ``crs`` (a no-op when already there), logging the change.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer with a CRS.
    crs : pyproj.CRS
        Target metric CRS.
    name : str
        Layer name for messages.

    Returns
    -------
    GeoDataFrame
        A new frame in ``crs``.
    """
    check_crs(gdf, name)
    if gdf.crs == crs:
        return gdf
    log.info("projected %s from %s to %s", name, gdf.crs.to_string(), crs.to_string())
    return gdf.to_crs(crs)
