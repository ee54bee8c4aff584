"""Point-of-interest indicators: counts and densities per unit and category."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from .._validate import check_columns, check_projected, check_unique_index
from ..units import assign_points_to_grid

__all__ = ["poi_counts", "poi_density"]


def poi_counts(
    grid: gpd.GeoDataFrame,
    pois: gpd.GeoDataFrame,
    *,
    category_column: str = "category",
    categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Number of POIs of each category in each grid cell.

    Parameters
    ----------
    grid : GeoDataFrame
        Grid from :func:`cityind_gis.units.make_grid`, projected metric CRS.
    pois : GeoDataFrame
        Points in the same CRS with a category column.
    category_column : str, default "category"
        Column holding the POI category.
    categories : sequence of str, optional
        Categories to count (columns, in this order); default the sorted
        categories present. POIs of other categories are ignored.

    Returns
    -------
    DataFrame
        Integer counts, columns ``poi_count_{category}``, aligned to ``grid.index``.

    Notes
    -----
    Points are binned by floor division of their projected coordinates and
    counted with :func:`numpy.bincount`: O(n) with no spatial join.
    """
    check_projected(grid, "grid")
    check_unique_index(grid, "grid")
    check_columns(pois, [category_column], "pois")
    cats = sorted(pois[category_column].dropna().astype(str).unique()) if categories is None else list(categories)
    cell = assign_points_to_grid(grid, pois)
    cat_pos = pd.Index(cats).get_indexer(pois[category_column].astype(object))
    ok = cell.notna().to_numpy() & (cat_pos >= 0)
    row_pos = grid.index.get_indexer(cell[ok].astype(np.int64))
    flat = row_pos * len(cats) + cat_pos[ok]
    counts = np.bincount(flat, minlength=len(grid) * len(cats)).reshape(len(grid), len(cats))
    return pd.DataFrame(counts, index=grid.index, columns=[f"poi_count_{c}" for c in cats])


def poi_density(counts: pd.DataFrame, zone_area: pd.Series) -> pd.DataFrame:
    """POIs per square kilometre from counts.

    Parameters
    ----------
    counts : DataFrame
        Output of :func:`poi_counts`.
    zone_area : Series
        Zone area in m², aligned to ``counts``.

    Returns
    -------
    DataFrame
        Columns ``poi_density_{category}`` in POIs per km².

    Notes
    -----
    :math:`\\rho_{z,k} = n_{z,k} / (A_z / 10^6)`.
    """
    dens = counts.div(zone_area / 1e6, axis=0).astype(float)
    dens.columns = [c.replace("poi_count_", "poi_density_") for c in counts.columns]
    return dens
