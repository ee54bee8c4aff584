"""Spatial units: regular square grids and the assignment of features to them."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ._errors import InputError
from ._validate import check_geometries, check_projected, check_same_crs

__all__ = ["make_grid", "grid_over", "assign_points_to_grid"]


def make_grid(
    bounds: Sequence[float],
    cell_size: float,
    *,
    crs: str | CRS,
    boundary: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Build a square grid aligned to multiples of ``cell_size``.

    Parameters
    ----------
    bounds : sequence of 4 floats
        ``(minx, miny, maxx, maxy)`` in ``crs`` units (metres).
    cell_size : float
        Side of a cell in metres.
    crs : str or pyproj.CRS
        Projected, metric CRS of ``bounds``. Required: grids never guess.
    boundary : GeoDataFrame, optional
        Study area in ``crs``. Cells not touching it are dropped and the others
        are clipped to it, so partial cells carry their true area.

    Returns
    -------
    GeoDataFrame
        One polygon per cell, indexed by ``cell_id`` = ``row * n_cols + col``
        (stable for a given origin and cell size), with columns ``row``, ``col``
        (0-based from the south-west corner) and ``cell_area_m2``. Cell edges
        lie on multiples of ``cell_size`` so grids of different extents align.

    Examples
    --------
    >>> g = make_grid((0, 0, 200, 200), cell_size=100, crs="EPSG:32650")
    >>> len(g), g["cell_area_m2"].tolist()
    (4, [10000.0, 10000.0, 10000.0, 10000.0])
    """
    crs = CRS.from_user_input(crs)
    probe = gpd.GeoSeries([], crs=crs)
    check_projected(probe, "crs")
    if not np.isfinite(cell_size) or cell_size <= 0:
        msg = f"`cell_size` must be a positive number of metres, got {cell_size!r}."
        raise InputError(msg)
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if not (np.all(np.isfinite([minx, miny, maxx, maxy])) and maxx >= minx and maxy >= miny):
        msg = f"`bounds` must be finite (minx, miny, maxx, maxy) with max >= min, got {tuple(bounds)}."
        raise InputError(msg)
    x0 = np.floor(minx / cell_size) * cell_size
    y0 = np.floor(miny / cell_size) * cell_size
    # a bound that falls exactly on a cell edge still needs the cell beyond it
    n_cols = int(np.floor((maxx - x0) / cell_size)) + 1
    n_rows = int(np.floor((maxy - y0) / cell_size)) + 1
    if (maxx - x0) % cell_size == 0 and maxx > minx:
        n_cols -= 1
    if (maxy - y0) % cell_size == 0 and maxy > miny:
        n_rows -= 1
    if n_cols * n_rows > 50_000_000:
        msg = (
            f"`cell_size` {cell_size} m over these bounds gives {n_cols * n_rows:,} cells; "
            "use a larger cell size or a smaller study area."
        )
        raise InputError(msg)
    rows, cols = np.divmod(np.arange(n_rows * n_cols), n_cols)
    xmin = x0 + cols * cell_size
    ymin = y0 + rows * cell_size
    geoms = shapely.box(xmin, ymin, xmin + cell_size, ymin + cell_size)
    grid = gpd.GeoDataFrame(
        {"row": rows.astype(np.int64), "col": cols.astype(np.int64)},
        geometry=geoms,
        index=pd.Index(np.arange(n_rows * n_cols, dtype=np.int64), name="cell_id"),
        crs=crs,
    )
    grid.attrs["grid"] = {"x0": x0, "y0": y0, "cell_size": float(cell_size), "n_cols": n_cols,
                          "n_rows": n_rows}
    if boundary is not None:
        check_geometries(boundary, "boundary", geom_types=("Polygon", "MultiPolygon"))
        check_same_crs({"crs": probe, "boundary": boundary})
        area = shapely.union_all(boundary.geometry.values)
        shapely.prepare(area)
        hit = shapely.intersects(area, grid.geometry.values)
        grid = grid[hit].copy()
        clipped = shapely.intersection(grid.geometry.values, area)
        grid = grid.set_geometry(gpd.GeoSeries(clipped, index=grid.index, crs=crs))
        grid = grid[grid.geometry.area > 0].copy()
        grid.attrs["grid"] = {"x0": x0, "y0": y0, "cell_size": float(cell_size),
                              "n_cols": n_cols, "n_rows": n_rows, "clipped": True}
    grid["cell_area_m2"] = grid.geometry.area
    return grid


def grid_over(
    layers: Sequence[gpd.GeoDataFrame],
    cell_size: float,
    *,
    boundary: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Build a grid covering the joint extent of ``layers`` (or of ``boundary``).

    Parameters
    ----------
    layers : sequence of GeoDataFrame
        Layers in one projected metric CRS; their total bounds define the extent.
    cell_size : float
        Cell side in metres.
    boundary : GeoDataFrame, optional
        Study area; when given it defines the extent and cells are clipped to it.

    Returns
    -------
    GeoDataFrame
        As :func:`make_grid`.
    """
    ref = boundary if boundary is not None else layers[0]
    check_projected(ref, "boundary" if boundary is not None else "layers[0]")
    if boundary is not None:
        b = boundary.total_bounds
    else:
        check_same_crs({f"layers[{i}]": lyr for i, lyr in enumerate(layers)})
        bb = np.array([lyr.total_bounds for lyr in layers if len(lyr)])
        b = np.array([bb[:, 0].min(), bb[:, 1].min(), bb[:, 2].max(), bb[:, 3].max()])
    return make_grid(b, cell_size, crs=ref.crs, boundary=boundary)


def assign_points_to_grid(grid: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> pd.Series:
    """Cell id of each point, by arithmetic on coordinates (no spatial join).

    Parameters
    ----------
    grid : GeoDataFrame
        Grid from :func:`make_grid` (its ``attrs["grid"]`` holds origin and size).
    points : GeoDataFrame
        Point layer in the grid's CRS.

    Returns
    -------
    Series
        ``cell_id`` per point (nullable ``Int64``; missing for points outside the
        grid or in a cell clipped away), aligned to ``points.index``.

    Notes
    -----
    :math:`col = \\lfloor (x - x_0)/s \\rfloor`, :math:`row = \\lfloor (y - y_0)/s \\rfloor`,
    ``cell_id = row * n_cols + col``. A point on a shared edge goes to the cell
    east/north of it (half-open cells :math:`[x_0 + ks, x_0 + (k+1)s)`). For clipped
    boundary cells the point must also lie inside the clipped polygon.
    """
    spec = grid.attrs.get("grid")
    if spec is None:
        msg = "`grid` carries no grid metadata (attrs['grid']); build it with `make_grid`."
        raise InputError(msg)
    check_same_crs({"grid": grid, "points": points})
    check_geometries(points, "points", geom_types=("Point",), allow_empty_layer=True)
    if len(points) == 0:
        return pd.Series(pd.array([], dtype="Int64"), index=points.index, name="cell_id")
    xy = shapely.get_coordinates(points.geometry.values)
    s = spec["cell_size"]
    col = np.floor((xy[:, 0] - spec["x0"]) / s).astype(np.int64)
    row = np.floor((xy[:, 1] - spec["y0"]) / s).astype(np.int64)
    inside = (col >= 0) & (col < spec["n_cols"]) & (row >= 0) & (row < spec["n_rows"])
    cid = np.where(inside, row * spec["n_cols"] + col, -1)
    present = np.isin(cid, grid.index.to_numpy())
    if present.any() and spec.get("clipped", False):
        # clipped grid: boundary cells are partial, test containment exactly
        pos = grid.index.get_indexer(cid[present])
        cells = grid.geometry.values[pos]
        ok = shapely.covers(cells, points.geometry.values[present])
        present_idx = np.flatnonzero(present)
        present[present_idx[~ok]] = False
    out = pd.array(np.where(present, cid, 0), dtype="Int64")
    out[~present] = pd.NA
    return pd.Series(out, index=points.index, name="cell_id")
