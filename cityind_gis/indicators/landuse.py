"""Land-use indicators: class areas and shares per unit, land-use mix."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InputError, SchemaError
from .._validate import (
    check_columns,
    check_geometries,
    check_projected,
    check_same_crs,
    check_unique_index,
)
from ..taxonomy import landuse_classes

__all__ = ["flatten_landuse", "landuse_area", "landuse_shares", "land_use_mix"]

_POLY = ("Polygon", "MultiPolygon")


def _check_classes(landuse: gpd.GeoDataFrame, class_column: str) -> list[str]:
    known = list(landuse_classes().index)
    values = landuse[class_column]
    if values.isna().any():
        msg = (
            f"`landuse[{class_column!r}]` has {int(values.isna().sum())} missing class(es); "
            "classify every polygon first (unmapped values become 'other')."
        )
        raise SchemaError(msg)
    unknown = sorted(set(values.astype(str)) - set(known))
    if unknown:
        msg = (
            f"`landuse[{class_column!r}]` holds unknown class(es) {unknown}; expected the "
            f"canonical classes {known}. Map raw codes with `cityind_gis.taxonomy.classify_values`."
        )
        raise SchemaError(msg)
    return known


def flatten_landuse(landuse: gpd.GeoDataFrame, *, class_column: str = "class") -> gpd.GeoDataFrame:
    """Resolve overlaps between land-use polygons so no area is counted twice.

    Parameters
    ----------
    landuse : GeoDataFrame
        Polygons in a projected metric CRS with a canonical class column.
    class_column : str, default "class"
        Column holding canonical classes (see :func:`cityind_gis.taxonomy.landuse_classes`).

    Returns
    -------
    GeoDataFrame
        One (multi)polygon per class present, non-overlapping, indexed by class,
        same CRS. Where classes overlap, the class listed earlier in
        :func:`~cityind_gis.taxonomy.landuse_classes` wins (industrial before
        residential before green, ...), because OSM and planning layers draw
        specific uses (a factory) on top of broad ones (a residential area).
    """
    check_projected(landuse, "landuse")
    check_columns(landuse, [class_column], "landuse")
    check_geometries(landuse, "landuse", geom_types=_POLY, allow_empty_layer=True)
    order = _check_classes(landuse, class_column)
    geoms = landuse.geometry.values
    cls = landuse[class_column].astype(str).to_numpy()
    out_cls, out_geom = [], []
    taken = None
    for c in order:  # ~15 classes; each union is vectorised over its polygons
        mask = cls == c
        if not mask.any():
            continue
        g = shapely.union_all(geoms[mask])
        if taken is not None:
            g = shapely.difference(g, taken)
        taken = g if taken is None else shapely.union(taken, g)
        if not g.is_empty and g.area > 0:
            out_cls.append(c)
            out_geom.append(g)
    return gpd.GeoDataFrame(
        geometry=out_geom, index=pd.Index(out_cls, name=class_column), crs=landuse.crs
    )


def landuse_area(
    zones: gpd.GeoDataFrame,
    landuse: gpd.GeoDataFrame,
    *,
    class_column: str = "class",
    classes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Area of each land-use class inside each zone, by exact polygon intersection.

    Parameters
    ----------
    zones : GeoDataFrame
        Spatial units (grid cells or zones), projected metric CRS, unique index.
    landuse : GeoDataFrame
        Land-use polygons in the same CRS with a canonical class column. Overlaps
        are resolved first with :func:`flatten_landuse`.
    class_column : str, default "class"
        Column holding canonical classes.
    classes : sequence of str, optional
        Classes to report (columns); default all canonical classes.

    Returns
    -------
    DataFrame
        Square metres, columns ``landuse_area_{class}``, aligned to ``zones.index``.
    """
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    check_geometries(zones, "zones", geom_types=_POLY)
    check_same_crs({"zones": zones, "landuse": landuse})
    flat = flatten_landuse(landuse, class_column=class_column)
    known = list(landuse_classes().index)
    classes = known if classes is None else list(classes)
    unknown = sorted(set(classes) - set(known))
    if unknown:
        msg = f"`classes` holds unknown class(es) {unknown}; expected some of {known}."
        raise InputError(msg)
    out = np.zeros((len(zones), len(classes)))
    if len(flat):
        parts, part_cls = shapely.get_parts(flat.geometry.values, return_index=True)
        tree = shapely.STRtree(parts)
        zi, pi = tree.query(zones.geometry.values, predicate="intersects")
        areas = shapely.area(shapely.intersection(zones.geometry.values[zi], parts[pi]))
        cls_of_part = flat.index.to_numpy()[part_cls[pi]]
        col_pos = pd.Index(classes).get_indexer(cls_of_part)
        keep = col_pos >= 0
        np.add.at(out, (zi[keep], col_pos[keep]), areas[keep])
    return pd.DataFrame(out, index=zones.index, columns=[f"landuse_area_{c}" for c in classes])


def landuse_shares(area: pd.DataFrame, zone_area: pd.Series) -> pd.DataFrame:
    """Share of each zone's area in each land-use class.

    Parameters
    ----------
    area : DataFrame
        Output of :func:`landuse_area` (m², columns ``landuse_area_{class}``).
    zone_area : Series
        Zone area in m² (e.g. ``grid["cell_area_m2"]``), aligned to ``area``.

    Returns
    -------
    DataFrame
        Shares in [0, 1], columns ``{class}_share``, aligned to ``area.index``.

    Notes
    -----
    :math:`s_{z,k} = A_{z,k} / A_z` with :math:`A_z` the whole zone area, so shares of a
    zone partly without land-use data sum to less than 1.
    """
    if (zone_area <= 0).any():
        msg = "`zone_area` must be positive for every zone; found zero or negative areas."
        raise InputError(msg)
    shares = area.div(zone_area, axis=0).clip(upper=1.0)
    shares.columns = [c.replace("landuse_area_", "") + "_share" for c in area.columns]
    return shares


def land_use_mix(area: pd.DataFrame, *, n_classes: int | None = None) -> pd.Series:
    """Normalised Shannon entropy of land-use classes in each zone (land-use mix).

    Parameters
    ----------
    area : DataFrame
        Class areas per zone (m²), e.g. from :func:`landuse_area`.
    n_classes : int, optional
        K, the number of land-use types considered. Default: the number of
        columns of ``area`` with any area in the study area.

    Returns
    -------
    Series
        Mix in [0, 1] named ``land_use_mix``; 0 for zones with one class or no land use.

    Notes
    -----
    .. math:: LUM_z = -\\frac{\\sum_{k=1}^{K} p_{z,k} \\ln p_{z,k}}{\\ln K},
              \\quad p_{z,k} = A_{z,k} / \\sum_k A_{z,k}

    with :math:`0 \\ln 0 = 0` (Cervero & Kockelman 1997; Frank et al. 2004).
    """
    values = area.to_numpy(dtype=float)
    k = int((values.sum(axis=0) > 0).sum()) if n_classes is None else int(n_classes)
    total = values.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(total > 0, values / np.where(total > 0, total, 1.0), 0.0)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    h = 0.0 - plogp.sum(axis=1) + 0.0  # + 0.0 turns -0.0 into 0.0
    mix = h / np.log(k) if k >= 2 else np.zeros_like(h)
    return pd.Series(np.clip(mix, 0.0, 1.0), index=area.index, name="land_use_mix")
