import geopandas as gpd
import numpy as np
import pytest
import shapely

from cityind_gis import CRSError, GeometryError
from cityind_gis.indicators import intersection_density, road_density, road_intersections


@pytest.fixture
def roads(grid_2x2):
    # a cross at (50, 50) made of four arms, plus a line along y = 150 from x 0 to 200
    return gpd.GeoDataFrame(
        geometry=[shapely.LineString([(0, 50), (50, 50)]),
                  shapely.LineString([(50, 50), (100, 50)]),
                  shapely.LineString([(50, 0), (50, 50)]),
                  shapely.LineString([(50, 50), (50, 100)]),
                  shapely.LineString([(0, 150), (200, 150)])],
        crs=grid_2x2.crs,
    )


def test_road_density_known_answer(grid_2x2, roads):
    d = road_density(grid_2x2, roads)
    # cell 0: 200 m = 0.2 km in 0.01 km2 -> 20 km/km2; cells 2, 3: 100 m each -> 10
    assert d.name == "road_density"
    assert d.tolist() == pytest.approx([20.0, 0.0, 10.0, 10.0])


def test_intersections_and_density(grid_2x2, roads):
    x = road_intersections(roads)
    assert x["degree"].tolist() == [4]
    assert shapely.get_coordinates(x.geometry.values).tolist() == [[50.0, 50.0]]
    assert intersection_density(grid_2x2, x).tolist() == [100.0, 0.0, 0.0, 0.0]


def test_intersections_tolerance_merges_near_ends(grid_2x2):
    r = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (10, 0)]),
                                   shapely.LineString([(10.1, 0), (20, 0)]),
                                   shapely.LineString([(10, 0.1), (10, 10)])], crs=grid_2x2.crs)
    assert len(road_intersections(r, tolerance=0.5)) == 1
    assert len(road_intersections(r, tolerance=0.01)) == 0


def test_road_density_rejects_polygons(grid_2x2):
    with pytest.raises(GeometryError, match="LineString"):
        road_density(grid_2x2, grid_2x2)


def test_road_density_crs_mismatch(grid_2x2, roads):
    with pytest.raises(CRSError, match="share one CRS"):
        road_density(grid_2x2, roads.to_crs("EPSG:32651"))


def test_road_density_matches_overlay_on_random_lines(grid_2x2):
    rng = np.random.default_rng(2)
    xy = rng.uniform(0, 200, size=(40, 2, 2))
    lines = gpd.GeoDataFrame(geometry=shapely.linestrings(xy), crs=grid_2x2.crs)
    got = road_density(grid_2x2, lines) * 0.01 * 1000  # back to metres
    ov = gpd.overlay(lines, grid_2x2.reset_index(), how="intersection", keep_geom_type=True)
    ref = ov.assign(L=ov.length).groupby("cell_id")["L"].sum().reindex(grid_2x2.index, fill_value=0)
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-9)
