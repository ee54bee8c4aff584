"""Spatial units and the assignment of features to them.

Units are square grids (:func:`make_grid`), hexagonal grids (:func:`make_hex_grid`),
H3 cells (:func:`make_h3_grid`) and user zones such as streets, districts,
development-zone boundaries or parcels (:func:`prepare_zones`). All carry a
stable, unique index and a ``cell_area_m2`` column with their true (clipped) area.
Points go to square-grid cells by floor division of their coordinates and to any
other unit through an STRtree (:func:`assign_points`).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ._errors import GeometryError, InputError, SchemaError
from ._validate import (
    check_columns,
    check_geometries,
    check_positive,
    check_projected,
    check_same_crs,
    check_unique_index,
)

__all__ = [
    "make_grid",
    "grid_over",
    "make_hex_grid",
    "make_h3_grid",
    "prepare_zones",
    "clip_to_boundary",
    "assign_points_to_grid",
    "assign_points",
    "unit_positions",
]


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
    check_positive(cell_size, "cell_size")
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if not (np.all(np.isfinite([minx, miny, maxx, maxy])) and maxx >= minx and maxy >= miny):
        msg = ("`bounds` must be finite (minx, miny, maxx, maxy) with max >= min, "
               f"got {tuple(bounds)}.")
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
    grid.attrs["grid"] = {"kind": "square", "x0": x0, "y0": y0, "cell_size": float(cell_size),
                          "n_cols": n_cols, "n_rows": n_rows}
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
        grid.attrs["grid"] = {"kind": "square", "x0": x0, "y0": y0, "cell_size": float(cell_size),
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


def _point_xy(points: gpd.GeoDataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate a point layer and return its coordinates as two ``float64`` arrays.

    Equivalent to :func:`check_geometries` with ``geom_types=("Point",)`` (points
    are valid whenever their coordinates are finite) at a fraction of the cost on
    millions of points: one type-id pass and one pass per coordinate, with no
    ``(n, 2)`` temporary.
    """
    if not isinstance(points, gpd.GeoDataFrame):
        msg = f"`{name}` should be a GeoDataFrame, got {type(points).__name__}."
        raise GeometryError(msg)
    geoms = np.asarray(points.geometry.values)
    if len(geoms) == 0:
        return np.empty(0), np.empty(0)
    tid = shapely.get_type_id(geoms)
    problems = []
    if (tid == -1).any():
        problems.append(f"{int((tid == -1).sum())} missing")
    if (tid > 0).any():
        found = sorted(set(points.geom_type[tid > 0]))
        problems.append(f"{int((tid > 0).sum())} of type {found} where ['Point'] expected")
    x = y = np.empty(0)
    if not problems:
        x, y = shapely.get_x(geoms), shapely.get_y(geoms)
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            bad = ~(np.isfinite(x) & np.isfinite(y))
            problems.append(f"{int(bad.sum())} empty or with NaN/infinite coordinates")
    if problems:
        msg = (f"`{name}` has unusable geometries: {'; '.join(problems)}. Drop missing/empty rows "
               f"(`{name}[~{name}.geometry.is_empty & {name}.geometry.notna()]`) and give points "
               "(e.g. `.representative_point()` of polygons).")
        raise GeometryError(msg)
    return x, y


def _square_positions(grid: gpd.GeoDataFrame, points: gpd.GeoDataFrame,
                      x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row positions in a square ``grid`` by floor division (-1 outside or clipped away).

    Works in place on two float temporaries (column and row, then the flat cell
    number), so 5 million points cost a few passes over 40 MB arrays and no
    integer temporaries until the final lookup.
    """
    spec = grid.attrs["grid"]
    s = spec["cell_size"]
    n_cols, n_rows = spec["n_cols"], spec["n_rows"]
    col = np.subtract(x, spec["x0"])
    col /= s
    np.floor(col, out=col)
    row = np.subtract(y, spec["y0"])
    row /= s
    np.floor(row, out=row)
    inside = (col >= 0) & (col < n_cols) & (row >= 0) & (row < n_rows)
    row *= n_cols
    row += col  # flat cell number, exact in float64 below 2**53
    row[~inside] = -1
    itype = np.int32 if n_rows * n_cols < 2**31 - 1 else np.int64
    flat = row.astype(itype)
    del col, row
    ids = grid.index.to_numpy(dtype=np.int64)
    if len(ids) == n_rows * n_cols and (ids == np.arange(len(ids))).all():
        pos = flat  # unclipped grid in make_grid order: position == cell number
    else:
        lut = np.full(n_rows * n_cols + 1, -1, dtype=itype)  # last slot: outside
        lut[ids] = np.arange(len(ids), dtype=itype)
        flat[flat < 0] = n_rows * n_cols
        pos = lut[flat]
    pos = pos.astype(np.int64, copy=False)
    if spec.get("clipped", False) and (pos >= 0).any():
        # clipped grid: only points in partial boundary cells need an exact containment test
        full = np.isclose(shapely.area(grid.geometry.values), s * s)
        check = np.flatnonzero((pos >= 0) & ~full[np.where(pos >= 0, pos, 0)])
        if len(check):
            ok = shapely.covers(grid.geometry.values[pos[check]], points.geometry.values[check])
            pos[check[~ok]] = -1
    return pos


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
    if spec is None or "n_cols" not in spec:
        msg = "`grid` carries no grid metadata (attrs['grid']); build it with `make_grid`."
        raise InputError(msg)
    check_same_crs({"grid": grid, "points": points})
    pos = _square_positions(grid, points, *_point_xy(points, "points"))
    present = pos >= 0
    out = pd.array(np.where(present, grid.index.to_numpy()[np.where(present, pos, 0)]
                            if len(grid) else 0, 0), dtype="Int64")
    out[~present] = pd.NA
    return pd.Series(out, index=points.index, name="cell_id")


# ----------------------------------------------------------------------------- other units


def _check_boundary(boundary: gpd.GeoDataFrame, ref: gpd.GeoSeries | gpd.GeoDataFrame,
                    ref_name: str) -> shapely.Geometry:
    check_geometries(boundary, "boundary", geom_types=("Polygon", "MultiPolygon"))
    check_same_crs({ref_name: ref, "boundary": boundary})
    area = shapely.union_all(boundary.geometry.values)
    shapely.prepare(area)
    return area


def clip_to_boundary(units: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Clip units to a study boundary; partial units keep their true area.

    Parameters
    ----------
    units : GeoDataFrame
        Polygon units in a projected metric CRS, uniquely indexed.
    boundary : GeoDataFrame
        Study area polygons in the same CRS (unioned).

    Returns
    -------
    GeoDataFrame
        The units that overlap the boundary with positive area, clipped to it,
        same index labels (ids stay stable), ``cell_area_m2`` recomputed.
        ``attrs["grid"]`` is kept with ``clipped = True``.
    """
    check_projected(units, "units")
    check_unique_index(units, "units")
    area = _check_boundary(boundary, units, "units")
    geoms = units.geometry.values
    inside = shapely.contains_properly(area, geoms)
    hit = shapely.intersects(area, geoms)
    out_geoms = geoms.copy()
    part = hit & ~inside
    out_geoms[part] = shapely.intersection(geoms[part], area)
    out = units.set_geometry(gpd.GeoSeries(out_geoms, index=units.index, crs=units.crs))
    out = out[hit].copy()
    out = out[shapely.area(out.geometry.values) > 0].copy()
    out["cell_area_m2"] = out.geometry.area
    spec = dict(units.attrs.get("grid", {}))
    if spec:
        spec["clipped"] = True
        out.attrs["grid"] = spec
    return out


def _hex_side(cell_size: float) -> float:
    # pointy-top hexagon of area cell_size**2: A = 3*sqrt(3)/2 * a**2
    return float(np.sqrt(2.0 * cell_size**2 / (3.0 * np.sqrt(3.0))))


def make_hex_grid(
    bounds: Sequence[float],
    cell_size: float,
    *,
    crs: str | CRS,
    boundary: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    r"""Build a grid of pointy-top hexagons with the area of a ``cell_size`` square.

    Parameters
    ----------
    bounds : sequence of 4 floats
        ``(minx, miny, maxx, maxy)`` in ``crs`` units (metres).
    cell_size : float
        Side of the square of equal area, in metres: every hexagon covers
        ``cell_size**2`` m², so densities compare with a square grid of that size.
    crs : str or pyproj.CRS
        Projected, metric CRS.
    boundary : GeoDataFrame, optional
        Study area in ``crs``; hexagons are clipped to it (true partial areas).

    Returns
    -------
    GeoDataFrame
        Hexagons overlapping the bounds (or boundary), indexed by ``cell_id`` =
        ``row * n_cols + col`` of the lattice anchored at multiples of the row and
        column spacing, with columns ``row``, ``col`` and ``cell_area_m2``.

    Notes
    -----
    Side :math:`a = \sqrt{2 s^2 / (3\sqrt{3})}` for a cell size :math:`s`; centres lie
    :math:`\sqrt{3}a` apart along a row, rows :math:`1.5a` apart, odd rows shifted by
    :math:`\sqrt{3}a/2`.
    """
    crs = CRS.from_user_input(crs)
    probe = gpd.GeoSeries([], crs=crs)
    check_projected(probe, "crs")
    check_positive(cell_size, "cell_size")
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if not (np.all(np.isfinite([minx, miny, maxx, maxy])) and maxx >= minx and maxy >= miny):
        msg = ("`bounds` must be finite (minx, miny, maxx, maxy) with max >= min, "
               f"got {tuple(bounds)}.")
        raise InputError(msg)
    a = _hex_side(float(cell_size))
    w, h = np.sqrt(3.0) * a, 1.5 * a
    x0 = (np.floor((minx - w) / w)) * w
    y0 = (np.floor((miny - a) / h)) * h
    n_cols = int(np.ceil((maxx + w - x0) / w)) + 1
    n_rows = int(np.ceil((maxy + a - y0) / h)) + 1
    if n_cols * n_rows > 50_000_000:
        msg = (f"`cell_size` {cell_size} m over these bounds gives {n_cols * n_rows:,} hexagons; "
               "use a larger cell size or a smaller study area.")
        raise InputError(msg)
    rows, cols = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    # global row parity keeps the lattice identical for any extent
    global_row = np.rint(y0 / h).astype(np.int64) + rows
    cx = x0 + cols * w + np.where(global_row % 2 == 1, w / 2.0, 0.0)
    cy = y0 + rows * h
    ang = np.deg2rad(30.0 + 60.0 * np.arange(6))
    vx = cx[:, None] + a * np.cos(ang)[None, :]
    vy = cy[:, None] + a * np.sin(ang)[None, :]
    ring = np.stack([vx, vy], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    geoms = shapely.polygons(ring)
    grid = gpd.GeoDataFrame(
        {"row": rows, "col": cols},
        geometry=geoms,
        index=pd.Index(np.arange(n_rows * n_cols, dtype=np.int64), name="cell_id"),
        crs=crs,
    )
    box = shapely.box(minx, miny, maxx, maxy) if maxx > minx and maxy > miny else \
        shapely.box(minx, miny, maxx, maxy).buffer(1e-9)
    keep = shapely.intersects(geoms, box)
    grid = grid[keep].copy()
    grid.attrs["grid"] = {"kind": "hex", "cell_size": float(cell_size), "side": a,
                          "n_cols": n_cols, "n_rows": n_rows, "x0": float(x0), "y0": float(y0)}
    grid["cell_area_m2"] = grid.geometry.area
    if boundary is not None:
        grid = clip_to_boundary(grid, boundary)
    return grid


def make_h3_grid(
    bounds: Sequence[float],
    resolution: int,
    *,
    crs: str | CRS,
    boundary: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """H3 cells at ``resolution`` covering the bounds (or boundary), in ``crs``.

    Parameters
    ----------
    bounds : sequence of 4 floats
        ``(minx, miny, maxx, maxy)`` in ``crs`` (metres).
    resolution : int
        H3 resolution 0-15 (9: about 0.105 km² per cell, edge ~201 m; 8: 0.737 km²;
        10: 0.015 km²).
    crs : str or pyproj.CRS
        Projected, metric CRS of the bounds and of the result.
    boundary : GeoDataFrame, optional
        Study area in ``crs``; cells are clipped to it.

    Returns
    -------
    GeoDataFrame
        One polygon per H3 cell that overlaps the area, indexed by the H3 cell id
        string (``cell_id``; stable worldwide), projected to ``crs``, with
        ``h3_resolution`` and ``cell_area_m2`` (true area after clipping to the
        bounds or boundary).

    Notes
    -----
    Cells are found in WGS 84 with ``h3.h3shape_to_cells_experimental(...,
    contain="overlap")`` (Uber H3, Brodsky 2018) and their boundaries projected
    to ``crs``; cells are then clipped to the study area in ``crs``, so edge cells
    carry their partial area.
    """
    try:
        import h3
    except ImportError as exc:  # pragma: no cover - h3 is a core dependency
        msg = "H3 cells need the 'h3>=4.0' package: `pip install h3`."
        raise InputError(msg) from exc
    crs = CRS.from_user_input(crs)
    probe = gpd.GeoSeries([], crs=crs)
    check_projected(probe, "crs")
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer) \
            or not 0 <= int(resolution) <= 15:
        msg = f"`resolution` must be an integer H3 resolution 0-15, got {resolution!r}."
        raise InputError(msg)
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if not (np.all(np.isfinite([minx, miny, maxx, maxy])) and maxx > minx and maxy > miny):
        msg = ("`bounds` must be finite (minx, miny, maxx, maxy) with max > min, "
               f"got {tuple(bounds)}.")
        raise InputError(msg)
    area_geom = (_check_boundary(boundary, probe, "crs") if boundary is not None
                 else shapely.box(minx, miny, maxx, maxy))
    ll = gpd.GeoSeries([area_geom], crs=crs).to_crs(4326).iloc[0]
    cells: set[str] = set()
    for part in shapely.get_parts(ll):  # a few boundary parts
        outer = [(y, x) for x, y in part.exterior.coords[:-1]]
        holes = [[(y, x) for x, y in r.coords[:-1]] for r in part.interiors]
        shape = h3.LatLngPoly(outer, *holes)
        cells.update(h3.h3shape_to_cells_experimental(shape, int(resolution), contain="overlap"))
    ids = sorted(cells)
    if len(ids) > 5_000_000:
        msg = (f"`resolution` {resolution} gives {len(ids):,} H3 cells here; "
               "use a coarser resolution.")
        raise InputError(msg)
    rings = [[(lng, lat) for lat, lng in h3.cell_to_boundary(c)] for c in ids]
    polys = gpd.GeoSeries(shapely.polygons(rings) if ids else [], crs=4326).to_crs(crs)
    grid = gpd.GeoDataFrame(
        {"h3_resolution": np.full(len(ids), int(resolution), dtype=np.int64)},
        geometry=polys.to_numpy(),
        index=pd.Index(ids, name="cell_id", dtype=object),
        crs=crs,
    )
    clip = gpd.GeoDataFrame(geometry=[area_geom], crs=crs)
    grid["cell_area_m2"] = grid.geometry.area
    grid.attrs["grid"] = {"kind": "h3", "resolution": int(resolution)}
    return clip_to_boundary(grid, clip)


def prepare_zones(
    zones: gpd.GeoDataFrame,
    *,
    id_column: str | None = None,
    boundary: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """User zones (streets, districts, development zones, parcels) as analysis units.

    Parameters
    ----------
    zones : GeoDataFrame
        Polygons in a projected metric CRS.
    id_column : str, optional
        Column holding each zone's stable id (e.g. a street code). Default: the
        existing index, which must then be unique.
    boundary : GeoDataFrame, optional
        Study area in the same CRS; zones are clipped to it.

    Returns
    -------
    GeoDataFrame
        A copy indexed by ``zone_id`` (the ids), other columns kept, and
        ``cell_area_m2`` (true area, after clipping) added.

    Raises
    ------
    SchemaError
        When ``id_column`` is missing, has missing values or duplicates.
    """
    check_projected(zones, "zones")
    check_geometries(zones, "zones", geom_types=("Polygon", "MultiPolygon"))
    out = zones.copy()
    if id_column is not None:
        check_columns(zones, [id_column], "zones")
        ids = zones[id_column]
        if ids.isna().any():
            msg = (f"`zones[{id_column!r}]` has {int(ids.isna().sum())} missing id(s); every zone "
                   "needs an id. Fill them or choose another `id_column`.")
            raise SchemaError(msg)
        if not ids.is_unique:
            dup = list(ids[ids.duplicated()].unique()[:5])
            msg = (f"`zones[{id_column!r}]` must hold unique ids; duplicated: {dup}. Dissolve "
                   f"zones that share an id (`zones.dissolve({id_column!r})`) "
                   "or pick another column.")
            raise SchemaError(msg)
        out = out.set_index(id_column, drop=True)
    check_unique_index(out, "zones")
    out.index.name = "zone_id"
    out["cell_area_m2"] = out.geometry.area
    out.attrs = {"grid": {"kind": "zones"}}
    if boundary is not None:
        out = clip_to_boundary(out, boundary)
    return out


def unit_positions(units: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> np.ndarray:
    """Row position in ``units`` of each point (-1 outside every unit).

    Parameters
    ----------
    units : GeoDataFrame
        Any polygon units; a square grid from :func:`make_grid` is handled by
        arithmetic, others by an STRtree query.
    points : GeoDataFrame
        Points in the same CRS.

    Returns
    -------
    numpy.ndarray
        ``int64`` positions (not labels), one per point.

    Notes
    -----
    A point on an edge shared by two units goes to the one with the lower row
    position (for square grids: the cell east/north of the edge, see
    :func:`assign_points_to_grid`).
    """
    check_same_crs({"units": units, "points": points})
    x, y = _point_xy(points, "points")
    n = len(points)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    spec = units.attrs.get("grid")
    if spec is not None and spec.get("kind", "square") == "square" and "n_cols" in spec:
        return _square_positions(units, points, x, y)
    tree = shapely.STRtree(units.geometry.values)
    pi, ui = tree.query(points.geometry.values, predicate="intersects")
    pos = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(pos, pi, ui.astype(np.int64))
    pos[pos == np.iinfo(np.int64).max] = -1
    return pos


def assign_points(units: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> pd.Series:
    """Unit label of each point, for any kind of unit.

    Parameters
    ----------
    units : GeoDataFrame
        Grid cells, hexagons, H3 cells or zones, uniquely indexed.
    points : GeoDataFrame
        Points in the same CRS.

    Returns
    -------
    Series
        Unit label per point (missing outside every unit), aligned to
        ``points.index``, named after the units' index (``cell_id`` or ``zone_id``).

    Notes
    -----
    Square grids from :func:`make_grid`: floor division of coordinates (no spatial
    join, O(n)). Other units: STRtree ``intersects`` query, ties on shared edges
    to the unit listed first.
    """
    check_unique_index(units, "units")
    pos = unit_positions(units, points)
    name = units.index.name or "unit_id"
    labels = pd.Series(units.index.take(np.where(pos >= 0, pos, 0)), index=points.index, name=name)
    if pd.api.types.is_integer_dtype(units.index.dtype):
        labels = labels.astype("Int64")
    return labels.where(pos >= 0)
