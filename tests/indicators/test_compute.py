"""`compute_indicators` gives the columns and values of the former hard-coded indicator stage.

`_legacy_stage3` is the composition `workflow.run` stage 3 and `unit_indicators` made before
indicators registered themselves (class areas, shares with public_service_share, land-use
mix, POI counts and densities, then the suite's list), written out from the library
functions. The registry loop must reproduce it column for column, on a generated layer
with every input and on the bundled Kouvola OSM sample.
"""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from cityind_gis import InputError, SchemaError
from cityind_gis.indicators import (
    Indicator,
    IndicatorInputs,
    Measure,
    category_share,
    combined_share,
    compute_indicators,
    default_registry,
    functional_zones,
    intersection_density,
    jobs_housing,
    land_use_mix,
    landuse_area,
    landuse_shares,
    poi_counts,
    poi_density,
    road_density,
    road_intersections,
    service_completeness,
    shannon_diversity,
    simpson_diversity,
    space_shares,
    unit_indicators,
)
from cityind_gis.indicators.buildings import plot_ratio
from cityind_gis.indicators.industry import (
    estimated_jobs,
    industrial_land_diversity,
    industrial_parcels,
)
from cityind_gis.indicators.landuse import building_area
from cityind_gis.indicators.raster import LANDCOVER_LEGENDS, raster_class_shares
from cityind_gis.indicators.raster import raster_zonal_stats as zonal
from cityind_gis.io.raster import write_geotiff
from cityind_gis.taxonomy import landuse_classes, poi_categories, service_categories

PUBLIC = ("administration", "education", "healthcare", "culture_sports")


def _legacy_stage3(units, landuse, pois, *, buildings=None, roads=None, population=None,
                   night_light=None, landcover=None, landcover_classes=None):
    """The indicator columns of workflow.run stage 3 + unit_indicators before the registry."""
    za = units["cell_area_m2"]
    area = landuse_area(units, landuse)
    shares = landuse_shares(area, za)
    shares["public_service_share"] = shares[[f"{c}_share" for c in PUBLIC]].sum(axis=1)
    mix = land_use_mix(area)
    counts = poi_counts(units, pois, categories=list(poi_categories().index))
    dens = poi_density(counts, za)
    industry = None
    if "industry" in pois.columns and pois["industry"].notna().any():
        industry = poi_counts(units, pois[pois["industry"].notna()], category_column="industry")
    services = [f"poi_count_{c}" for c in service_categories()]
    parts = [
        combined_share(shares, ["industrial", "logistics"], name="industrial_logistics_share"),
        (area["landuse_area_industrial"] + area["landuse_area_logistics"])
        .rename("landuse_area_industrial_logistics"),
        category_share(counts, "poi_count_enterprise", name="industrial_poi_share"),
        service_completeness(counts[services]), shannon_diversity(counts[services]),
        simpson_diversity(counts[services]),
        (counts["poi_count_transit"] / (za / 1e6)).rename("transit_stop_density"),
        jobs_housing(area), space_shares(area, za), functional_zones(counts),
    ]
    if roads is not None:
        parts += [road_density(units, roads),
                  intersection_density(units, road_intersections(roads))]
    if population is not None:
        pop = zonal(units, population, measure="population")
        parts += [pop["population_sum"],
                  (pop["population_sum"] / (za / 1e6)).rename("population_density")]
    if night_light is not None:
        parts.append(zonal(units, night_light, measure="night_light")["night_light_mean"]
                     .fillna(0.0))
    if buildings is not None:
        parts.append(building_area(units, buildings, class_column="use",
                                   classes=("industrial",), levels_column="levels"))
        parts.append(plot_ratio(units, buildings, landuse[landuse["class"] == "industrial"],
                                name="industrial_plot_ratio"))
    if industry is not None:
        parts.append(shannon_diversity(industry, name="industry_shannon"))
    # the industrial subsystem (indicators/industry.py)
    parts += [(area["landuse_area_industrial"] / 1e4).rename("industrial_land_ha"),
              industrial_parcels(units, landuse),
              estimated_jobs(units, landuse_area=area, buildings=buildings)]
    diversity = industrial_land_diversity(units, landuse)
    if not diversity.isna().all():
        parts.append(diversity)
    if landcover is not None:
        parts.append(raster_class_shares(units, landcover, classes=landcover_classes))
    return pd.concat([area, shares, mix, counts, dens, *parts], axis=1)


@pytest.fixture
def full_inputs(grid_2x2, tmp_path):
    """The 2 x 2 grid of 100 m cells with every input a run can give."""
    crs = grid_2x2.crs
    landuse = gpd.GeoDataFrame(
        {"class": ["industrial", "residential", "logistics", "education", "healthcare",
                   "commercial", "business"]},
        geometry=[shapely.box(0, 0, 50, 100), shapely.box(50, 0, 100, 100),
                  shapely.box(100, 0, 150, 100), shapely.box(150, 0, 200, 50),
                  shapely.box(150, 50, 200, 100), shapely.box(0, 100, 100, 200),
                  shapely.box(100, 100, 160, 200)], crs=crs)
    pois = gpd.GeoDataFrame(
        {"category": ["enterprise", "enterprise", "retail", "transit", "retail", "food",
                      "transit", "transit", "enterprise"],
         "industry": ["C13", "C26", None, None, None, None, None, None, "C13"]},
        geometry=gpd.points_from_xy([10, 20, 30, 40, 110, 120, 10, 20, 150],
                                    [10, 20, 30, 40, 10, 20, 110, 120, 150]), crs=crs)
    buildings = gpd.GeoDataFrame(
        {"use": ["industrial", "residential", "industrial"], "levels": [2.0, 5.0, 1.0]},
        geometry=[shapely.box(10, 10, 30, 30), shapely.box(60, 10, 90, 40),
                  shapely.box(110, 10, 140, 40)], crs=crs)
    roads = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(0, 50), (100, 50)]),
                  shapely.LineString([(100, 50), (200, 50)]),
                  shapely.LineString([(100, 0), (100, 50)]),
                  shapely.LineString([(100, 50), (100, 200)])], crs=crs)
    t = Affine(50, 0, 0, 0, -50, 200)
    pop = np.array([[0, 0, 5, 5], [0, 0, 5, 5], [1, 2, 0, 8], [3, 4, 8, 8]], dtype=np.float32)
    ntl = np.array([[2, 2, 0, 0], [2, 2, 0, 0], [1, 1, 4, 4], [1, 1, 4, 4]], dtype=np.float32)
    lc = np.array([[10, 10, 50, 50], [10, 80, 50, 50], [50, 50, 40, 40], [50, 50, 40, 0]],
                  dtype=np.uint8)
    return IndicatorInputs(
        units=grid_2x2, landuse=landuse, pois=pois, buildings=buildings, roads=roads,
        population_raster=write_geotiff(pop, tmp_path / "pop.tif", transform=t, crs=crs),
        night_light_raster=write_geotiff(ntl, tmp_path / "ntl.tif", transform=t, crs=crs),
        landcover_raster=write_geotiff(lc, tmp_path / "lc.tif", transform=t, crs=crs, nodata=0),
        landcover_classes="esa_worldcover")


def _legacy_of(inp: IndicatorInputs) -> pd.DataFrame:
    classes = (LANDCOVER_LEGENDS[inp.landcover_classes]
               if isinstance(inp.landcover_classes, str) else inp.landcover_classes)
    return _legacy_stage3(inp.units, inp.landuse, inp.pois, buildings=inp.buildings,
                          roads=inp.roads, population=inp.population_raster,
                          night_light=inp.night_light_raster, landcover=inp.landcover_raster,
                          landcover_classes=classes)


def test_compute_equals_the_former_stage_on_a_generated_layer(full_inputs):
    got = compute_indicators(full_inputs)
    want = _legacy_of(full_inputs)
    assert sorted(got.columns) == sorted(want.columns)
    assert got.columns.is_unique
    pd.testing.assert_frame_equal(got[want.columns], want)


def test_compute_columns_come_in_registry_order(full_inputs):
    got = list(compute_indicators(full_inputs).columns)
    first = [got.index(c) for c in ("landuse_area_industrial", "industrial_share",
                                    "public_service_share", "land_use_mix", "jobs_housing_ratio",
                                    "poi_count_enterprise", "poi_density_enterprise",
                                    "fz_type", "road_density", "population_sum",
                                    "landcover_share_tree_cover", "industrial_plot_ratio")]
    assert first == sorted(first)
    # the former order inside each measure is kept: shares, then public_service_share
    assert got.index("public_service_share") == got.index("other_share") + 1


def test_compute_known_answers_of_the_full_layer(full_inputs):
    got = compute_indicators(full_inputs)
    # cell 0 (x 0-100, y 0-100): one 20 x 20 m industrial building of 2 storeys on the
    # 5,000 m2 of industrial land; the residential one stands on residential land
    assert got["building_floor_area_industrial"].tolist() == pytest.approx([800, 900, 0, 0])
    assert got["industrial_plot_ratio"].tolist() == pytest.approx([0.16, 0, 0, 0])
    # enterprises C13 + C26 in cell 0, one C13 in cell 3 (150, 150)
    assert got["industry_shannon"].tolist() == pytest.approx([math.log(2), 0, 0, 0])
    # the junction at (100, 50) has 4 line ends; it lies in cell 1 (x >= 100)
    assert got["intersection_density"].tolist() == pytest.approx([0, 100, 0, 0])
    # cell 2 (x 0-100, y 100-200): land cover 10, 10, 10, 80 -> 3/4 tree cover, 1/4 water
    assert got.loc[2, "landcover_share_tree_cover"] == pytest.approx(0.75)
    assert got.loc[2, "landcover_share_water"] == pytest.approx(0.25)


def test_compute_with_fewer_inputs_skips_what_needs_them(grid_2x2, full_inputs):
    got = compute_indicators({"units": grid_2x2, "landuse": full_inputs.landuse})
    assert "land_use_mix" in got.columns and "jobs_housing_balance" in got.columns
    assert not any(c.startswith(("poi_", "fz_", "road_", "population_")) for c in got.columns)
    assert compute_indicators({"units": grid_2x2}).shape == (4, 0)


def test_compute_without_industry_subtypes_has_no_industry_shannon(full_inputs):
    pois = full_inputs.pois.drop(columns="industry")
    got = compute_indicators({"units": full_inputs.units, "pois": pois})
    assert "industry_shannon" not in got.columns and "fz_type" in got.columns


def test_unit_indicators_wraps_compute(full_inputs):
    inp = full_inputs
    full = compute_indicators(inp)
    area = landuse_area(inp.units, inp.landuse)
    shares = full[[f"{c}_share" for c in landuse_classes().index] + ["public_service_share"]]
    counts = full[[c for c in full.columns if c.startswith("poi_count_")]]
    industry = poi_counts(inp.units, inp.pois[inp.pois["industry"].notna()],
                          category_column="industry")
    got = unit_indicators(inp.units, area=area, shares=shares, counts=counts, roads=inp.roads,
                          buildings=inp.buildings, landuse=inp.landuse,
                          industry_counts=industry)
    assert got.columns[0] == "industrial_logistics_share"
    assert not any(c.startswith(("landuse_area_industrial", "poi_count_", "poi_density_"))
                   for c in got.columns if c != "landuse_area_industrial_logistics")
    pd.testing.assert_frame_equal(got, full[got.columns])


@pytest.mark.parametrize(("inputs", "match"), [
    ({"units": None}, "needs `units`"),
    ({"zones": None}, r"unknown name\(s\) \['zones'\]"),
    ("grid", "must be an IndicatorInputs or a mapping"),
], ids=["no-units", "unknown-name", "not-a-mapping"])
def test_compute_rejects_bad_inputs(grid_2x2, inputs, match):
    if isinstance(inputs, dict) and "zones" in inputs:
        inputs = {"units": grid_2x2, "zones": grid_2x2}
    with pytest.raises(InputError, match=match):
        compute_indicators(inputs)


def _entry(name):
    return Indicator(name=name, unit="-", direction="+", subsystem="descriptive",
                     label_zh="测试", label_en="test", formula="x", citation="-")


@pytest.mark.parametrize(("func", "match"), [
    (lambda units: pd.DataFrame({"bogus": 1.0}, index=units.index),
     r"column\(s\) \['bogus'\] that none of its registry entries"),
    (lambda units: pd.Series(1.0, index=units.index[:2], name="t_a"),
     "not aligned to `units.index`"),
    (lambda units: [1, 2, 3, 4], "returned list"),
], ids=["stray-column", "misaligned", "not-a-frame"])
def test_compute_rejects_bad_measure_results(grid_2x2, func, match):
    reg = default_registry().copy()
    reg.register(Measure(name="t", func=func, needs=("units",), columns=(_entry("t_a"),)))
    with pytest.raises(SchemaError, match=match):
        compute_indicators({"units": grid_2x2}, registry=reg)


def test_compute_rejects_two_measures_writing_one_column(grid_2x2):
    reg = default_registry().copy()
    reg.register(Measure(name="first", func=lambda units: pd.Series(
        1.0, index=units.index, name="t_shared"), needs=("units",), columns=(_entry("t_{k}"),)))
    reg.register(Measure(name="second", func=lambda units: pd.Series(
        2.0, index=units.index, name="t_shared"), needs=("units",),
        columns=(_entry("t_shared"),)))
    with pytest.raises(SchemaError, match="that measure 'first' returned already"):
        compute_indicators({"units": grid_2x2}, registry=reg)


# ---------------------------------------------------------------------- the Kouvola sample
@pytest.fixture(scope="module")
def kouvola():
    """The Kouvola OSM layers classified as a run classifies them, on 250 m cells."""
    from cityind_gis.config import sample_path
    from cityind_gis.indicators.buildings import building_levels, classify_by_landuse
    from cityind_gis.io import osm
    from cityind_gis.io.crs import analysis_crs, to_analysis_crs
    from cityind_gis.taxonomy import (
        EXCLUDED,
        OSM_POI_KEYS,
        classify_tags,
        classify_values,
        load_mapping,
    )
    from cityind_gis.units import grid_over

    path = sample_path("kouvola")
    raw_lu = osm.read_osm_landuse(path)
    mapping = load_mapping("osm_poi")
    raw_poi = osm.read_osm_pois(path, mapping=mapping)
    raw_b = osm.read_osm_buildings(path)
    nodes, edges = osm.read_osm_walk_network(path)
    cls = classify_values(raw_lu["landuse"], load_mapping("osm_landuse"), key="landuse")
    landuse = gpd.GeoDataFrame({"class": cls.where(cls.notna() & cls.ne(EXCLUDED), "other")},
                               geometry=raw_lu.geometry.to_numpy(), crs=raw_lu.crs)
    landuse = landuse[landuse.geom_type.isin(["Polygon", "MultiPolygon"])]
    cat = classify_tags(raw_poi, mapping, keys=OSM_POI_KEYS)
    keep = (cat.notna() & cat.ne(EXCLUDED)).to_numpy()
    pois = gpd.GeoDataFrame({"category": cat.to_numpy(dtype=object)},
                            geometry=raw_poi.geometry.to_numpy(), crs=raw_poi.crs)[keep]
    use = classify_values(raw_b["building"], load_mapping("building_use"), key="building")
    buildings = gpd.GeoDataFrame(
        {"use": use.where(use.notna() & use.ne(EXCLUDED), "unknown").to_numpy(dtype=object),
         "levels": building_levels(raw_b, levels_column="building:levels",
                                   height_column="height").to_numpy()},
        geometry=raw_b.geometry.to_numpy(), crs=raw_b.crs)
    crs = analysis_crs(nodes)
    landuse, pois, buildings, nodes, edges = (
        to_analysis_crs(g, crs, n) for g, n in ((landuse, "landuse"), (pois, "pois"),
                                                (buildings, "buildings"), (nodes, "nodes"),
                                                (edges, "edges")))
    buildings = buildings.assign(use=classify_by_landuse(buildings, landuse, class_column="use"))
    units = grid_over([nodes], 250.0)
    return IndicatorInputs(units=units, landuse=landuse.reset_index(drop=True),
                           pois=pois.reset_index(drop=True), buildings=buildings, roads=edges)


@pytest.mark.filterwarnings("ignore:.*had no polygonal area:UserWarning")
def test_compute_equals_the_former_stage_on_kouvola(kouvola):
    got = compute_indicators(kouvola)
    want = _legacy_of(kouvola)
    assert len(got) == len(kouvola.units) > 50
    assert sorted(got.columns) == sorted(want.columns)
    pd.testing.assert_frame_equal(got[want.columns], want)
    # the sample has industrial land with buildings on it, roads, and no enterprise POI
    assert got["industrial_plot_ratio"].gt(0).any()
    assert got["road_density"].gt(0).sum() > 10
    assert got["poi_count_enterprise"].sum() == 0 and "industry_shannon" not in got.columns
