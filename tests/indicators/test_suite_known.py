"""Known answers for the composed indicator set (`unit_indicators`) on a 2 x 2 grid of 100 m cells.

Each column the pipeline adds is checked against a value worked out by hand, so a change
in how the suite composes the library functions cannot go unnoticed.
"""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from cityind_gis.indicators import landuse_area, landuse_shares, poi_counts
from cityind_gis.indicators.suite import unit_indicators
from cityind_gis.io.raster import write_geotiff

CATS = ["enterprise", "education", "healthcare", "retail", "food", "finance", "leisure", "culture",
        "public_admin", "daily_services", "accommodation", "transit"]


@pytest.fixture
def layers(grid_2x2):
    # cell 0 (x 0-100, y 0-100): half industrial, half residential
    # cell 1 (x 100-200, y 0-100): half logistics, a quarter education, a quarter healthcare
    # cell 2 (x 0-100, y 100-200): all commercial; cell 3: nothing
    landuse = gpd.GeoDataFrame(
        {"class": ["industrial", "residential", "logistics", "education", "healthcare",
                   "commercial"]},
        geometry=[shapely.box(0, 0, 50, 100), shapely.box(50, 0, 100, 100),
                  shapely.box(100, 0, 150, 100), shapely.box(150, 0, 200, 50),
                  shapely.box(150, 50, 200, 100), shapely.box(0, 100, 100, 200)],
        crs=grid_2x2.crs)
    # cell 0: 2 enterprises, 1 retail, 1 transit; cell 1: 1 retail + 1 food; cell 2: 2 transit
    pois = gpd.GeoDataFrame(
        {"category": ["enterprise", "enterprise", "retail", "transit", "retail", "food",
                      "transit", "transit"]},
        geometry=gpd.points_from_xy([10, 20, 30, 40, 110, 120, 10, 20],
                                    [10, 20, 30, 40, 10, 20, 110, 120]),
        crs=grid_2x2.crs)
    area = landuse_area(grid_2x2, landuse)
    shares = landuse_shares(area, grid_2x2["cell_area_m2"])
    public = ["administration_share", "education_share", "healthcare_share",
              "culture_sports_share"]
    shares["public_service_share"] = shares[public].sum(axis=1)
    counts = poi_counts(grid_2x2, pois, categories=CATS)
    return {"landuse": landuse, "area": area, "shares": shares, "counts": counts}


def test_composed_columns_known_answers(grid_2x2, layers):
    out = unit_indicators(grid_2x2, area=layers["area"], shares=layers["shares"],
                          counts=layers["counts"])
    assert out["industrial_logistics_share"].tolist() == [0.5, 0.5, 0.0, 0.0]
    assert out["landuse_area_industrial_logistics"].tolist() == pytest.approx([5000, 5000, 0, 0])
    assert layers["shares"]["public_service_share"].tolist() == [0.0, 0.5, 0.0, 0.0]
    assert layers["shares"]["commercial_share"].tolist() == [0.0, 0.0, 1.0, 0.0]
    # enterprise share of all analysed POIs: 2 of 4 in cell 0
    assert out["industrial_poi_share"].tolist() == [0.5, 0.0, 0.0, 0.0]
    # transit stops per km2 of 0.01 km2 cells: 1 -> 100, 2 -> 200
    assert out["transit_stop_density"].tolist() == pytest.approx([100.0, 0.0, 200.0, 0.0])
    # services (the 11 categories but enterprise) present: cell 0 retail + transit, cell 1
    # retail + food, cell 2 transit (twice)
    assert out["service_completeness"].tolist() == pytest.approx([2 / 11, 2 / 11, 1 / 11, 0])
    ln2 = math.log(2)
    assert out["service_shannon"].tolist() == pytest.approx([ln2, ln2, 0.0, 0.0])
    # Simpson 1 - sum p^2: two equal categories 0.5; one category 0; no POI 0
    assert out["service_simpson"].tolist() == pytest.approx([0.5, 0.5, 0.0, 0.0])
    # 三生: production = industrial + logistics (+ ...), living = residential + services
    assert out["space_share_production"].tolist() == pytest.approx([0.5, 0.5, 0.0, 0.0])
    assert out["space_share_living"].tolist() == pytest.approx([0.5, 0.5, 1.0, 0.0])


def test_raster_columns_known_answers(tmp_path, grid_2x2, layers):
    # 50 m pixels; population: cell 0 holds 1+2+3+4 = 10 people -> 1000 per km2
    pop = np.array([[0, 0, 5, 5], [0, 0, 5, 5], [1, 2, 0, 8], [3, 4, 8, 8]], dtype=np.float32)
    ntl = np.array([[2, 2, 0, 0], [2, 2, 0, 0], [1, 1, 4, 4], [1, 1, 4, 4]], dtype=np.float32)
    t = Affine(50, 0, 0, 0, -50, 200)
    p = write_geotiff(pop, tmp_path / "pop.tif", transform=t, crs=grid_2x2.crs)
    n = write_geotiff(ntl, tmp_path / "ntl.tif", transform=t, crs=grid_2x2.crs)
    out = unit_indicators(grid_2x2, area=layers["area"], shares=layers["shares"],
                          counts=layers["counts"], population_raster=p, night_light_raster=n)
    # grid ids: row 0 is the south row (y 0-100), so cell 0 = raster rows 2-3, cols 0-1
    assert out["population_sum"].tolist() == pytest.approx([10.0, 24.0, 0.0, 20.0])
    assert out["population_density"].tolist() == pytest.approx([1000.0, 2400.0, 0.0, 2000.0])
    assert out["night_light_mean"].tolist() == pytest.approx([1.0, 4.0, 2.0, 0.0])


def test_building_and_industry_columns_known_answers(grid_2x2, layers):
    # a 20 x 20 m factory of 2 storeys on the industrial half of cell 0
    buildings = gpd.GeoDataFrame({"use": ["industrial"], "levels": [2.0]},
                                 geometry=[shapely.box(10, 10, 30, 30)], crs=grid_2x2.crs)
    industry = pd.DataFrame({"C13": [1, 0, 0, 0], "C26": [1, 0, 0, 0]}, index=grid_2x2.index)
    out = unit_indicators(grid_2x2, area=layers["area"], shares=layers["shares"],
                          counts=layers["counts"], buildings=buildings,
                          landuse=layers["landuse"], industry_counts=industry)
    assert out["building_footprint_industrial"].tolist() == pytest.approx([400, 0, 0, 0])
    assert out["building_floor_area_industrial"].tolist() == pytest.approx([800, 0, 0, 0])
    assert out["building_coverage_industrial"].tolist() == pytest.approx([0.04, 0, 0, 0])
    # 800 m2 of floor on 5000 m2 of industrial land
    assert out["industrial_plot_ratio"].tolist() == pytest.approx([0.16, 0, 0, 0])
    assert out["industry_shannon"].tolist() == pytest.approx([math.log(2), 0, 0, 0])
