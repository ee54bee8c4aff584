"""Shared fixtures: tiny generated layers with an explicit CRS."""

from __future__ import annotations

import geopandas as gpd
import pytest

from cityind_gis.testing import three_cell_town
from cityind_gis.units import make_grid

UTM50 = "EPSG:32650"


@pytest.fixture
def grid_2x2() -> gpd.GeoDataFrame:
    """Four 100 m cells covering (0, 0)-(200, 200), UTM 50N."""
    return make_grid((0, 0, 200, 200), cell_size=100, crs=UTM50)


@pytest.fixture
def town() -> dict[str, gpd.GeoDataFrame]:
    """The three-cell town of :func:`cityind_gis.testing.three_cell_town`."""
    return three_cell_town()
