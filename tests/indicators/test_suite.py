"""The new indicators inside the pipeline, on the three-cell town (see cityind_gis.testing)."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

from cityind_gis import InputError
from cityind_gis.config import load_config
from cityind_gis.io.raster import write_geotiff
from cityind_gis.testing import write_three_cell_town
from cityind_gis.workflow import default_indicators, run


def _town(folder, extra: str = "", grid: str = "cell_size = 100"):
    cfg = write_three_cell_town(folder)
    text = cfg.read_text(encoding="utf-8").replace("cell_size = 100", grid)
    cfg.write_text(text + extra, encoding="utf-8")
    return cfg


@pytest.fixture(scope="module")
def town_grid(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town")
    pop = np.full((1, 3), 50.0, dtype=np.float32)  # 50 people per 100 m pixel
    write_geotiff(pop, folder / "pop.tif", transform=Affine(100, 0, 0, 0, -100, 100),
                  crs="EPSG:32650")
    cfg = _town(folder, extra='\n[indicators]\npopulation_raster = "pop.tif"\n')
    return run(load_config(cfg)).grid


def test_town_new_indicators_known_answers(town_grid):
    g = town_grid
    assert g["industrial_logistics_share"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    # jobs land J = industrial, housing H = residential: balance 0, 1, 0
    assert g["jobs_housing_balance"].tolist() == pytest.approx([0.0, 1.0, 0.0])
    assert g["space_share_production"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert g["space_share_living"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    # the one enterprise is the only POI of cell 0
    assert g["industrial_poi_share"].tolist() == [1.0, 0.0, 0.0]
    # one road along y = 50: 100 m per 0.01 km2 cell = 10 km/km2, no junction
    assert g["road_density"].tolist() == pytest.approx([10.0, 10.0, 10.0])
    assert g["intersection_density"].tolist() == [0.0, 0.0, 0.0]
    # functional zones: cell 0 enterprise only, cells 1 and 2 retail only
    assert g["fz_type"].tolist() == ["enterprise", "retail", "retail"]
    assert g["fz_ratio_retail"].tolist() == pytest.approx([0.0, 1.0, 1.0])
    assert g["population_sum"].tolist() == pytest.approx([50.0, 50.0, 50.0])
    assert g["population_density"].tolist() == pytest.approx([5000.0, 5000.0, 5000.0])


def test_default_indicators_come_from_registry():
    cols = ["industrial_share", "logistics_share", "poi_density_enterprise", "residential_share",
            "poi_density_food", "net_dist_food", "jobs_housing_balance", "service_shannon"]
    industry, urban = default_indicators(cols, ["food"])
    assert industry == {"industrial_share": "+", "logistics_share": "+",
                        "poi_density_enterprise": "+"}
    assert urban == {"residential_share": "+", "poi_density_food": "+",
                     "jobs_housing_balance": "+", "net_dist_food": "-"}


@pytest.mark.parametrize(("grid", "n_min"), [
    ('cell_size = 100\nkind = "hex"', 3),
    ('kind = "h3"\nh3_resolution = 11', 3),
], ids=["hex", "h3"])
def test_pipeline_on_hex_and_h3(tmp_path, grid, n_min):
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 300, 100)], crs="EPSG:32650")
    boundary.to_file(tmp_path / "b.gpkg", driver="GPKG")
    cfg = _town(tmp_path, grid=grid)
    text = cfg.read_text(encoding="utf-8").replace('[study]\n', '[study]\nboundary = "b.gpkg"\n')
    cfg.write_text(text, encoding="utf-8")
    g = run(load_config(cfg)).grid
    assert len(g) >= n_min
    # the units tile the boundary: their areas add up to it, land-use area is conserved
    assert g["cell_area_m2"].sum() == pytest.approx(30_000.0)
    assert g["landuse_area_industrial"].sum() == pytest.approx(15_000.0)
    assert g["poi_count_retail"].sum() == 3


def test_pipeline_on_user_zones(tmp_path):
    zones = gpd.GeoDataFrame({"name": ["工业园", "混合区", "生活区"]},
                             geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100),
                                       shapely.box(200, 0, 300, 100)],
                             crs="EPSG:32650")
    zones.to_file(tmp_path / "zones.gpkg", driver="GPKG")
    cfg = _town(tmp_path, extra='\n[zones]\npath = "zones.gpkg"\nid_column = "name"\n')
    g = run(load_config(cfg)).grid
    assert g.index.tolist() == ["工业园", "混合区", "生活区"]
    assert g["industrial_share"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert g["poi_density_retail"].tolist() == pytest.approx([0.0, 100.0, 200.0])
    # the zones path (STRtree) gives the grid path's answer: C, T, D of the town
    assert g["D"].tolist() == pytest.approx([0.0, 0.70711, 0.0], abs=1e-5)


@pytest.mark.parametrize(("text", "match"), [
    ('[grid]\nkind = "triangle"\n', "kind"),
    ('[grid]\nh3_resolution = 20\n', "h3_resolution"),
    ('[zones]\nid_column = 3\n', "id_column"),
], ids=["kind", "h3-resolution", "zones-id"])
def test_config_rejects_bad_unit_keys(tmp_path, text, match):
    p = tmp_path / "c.toml"
    p.write_text('[osm]\npath = "x.osm.pbf"\n' + text, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        load_config(p)
